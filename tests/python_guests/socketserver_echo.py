"""socketserver, unchanged: a TCPServer or UDPServer answering N requests
with handle_request(), upper-casing what it gets.

Usage: socketserver_echo.py tcp|udp PORT N"""
import socketserver
import sys


class TCPHandler(socketserver.StreamRequestHandler):
    def handle(self):
        self.wfile.write(self.rfile.readline().upper())


class UDPHandler(socketserver.DatagramRequestHandler):
    def handle(self):
        self.wfile.write(self.rfile.read().upper())


kind, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
server_class = socketserver.TCPServer if kind == "tcp" else socketserver.UDPServer
handler = TCPHandler if kind == "tcp" else UDPHandler
with server_class(("127.0.0.1", port), handler) as server:
    server.timeout = 30
    print("ready", flush=True)
    for _ in range(n):
        server.handle_request()
print("handled", n)
