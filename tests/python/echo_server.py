"""Native CPython echo server (the Python docs' example) for interop tests:
binds 127.0.0.1 (or argv[1]) on a free port, prints the port, serves one
connection, and exits; gives up after 20 s without a client."""
import socket
import sys

HOST = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1"
family = socket.AF_INET6 if ":" in HOST else socket.AF_INET
with socket.socket(family, socket.SOCK_STREAM) as s:
    s.bind((HOST, 0))
    s.listen(1)
    s.settimeout(20)
    print(s.getsockname()[1], flush=True)
    conn, addr = s.accept()
    with conn:
        print("Connected by", addr, flush=True)
        while True:
            data = conn.recv(1024)
            if not data:
                break
            conn.sendall(data)
