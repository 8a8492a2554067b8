"""http.server, unchanged: an HTTPServer answering N requests
(single-threaded), each with a body naming its path.

Usage: http_serve.py PORT N"""
import http.server
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = f"guest says hello to {self.path}\n".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


port, n = int(sys.argv[1]), int(sys.argv[2])
with http.server.HTTPServer(("127.0.0.1", port), Handler) as server:
    server.timeout = 30
    print("ready", flush=True)
    for _ in range(n):
        server.handle_request()
print("served", n)
