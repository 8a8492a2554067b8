"""Native CPython echo client (the Python docs' example) for interop tests.
Usage: echo_client.py HOST PORT. Retries a refused connect for up to 10 s
while the server starts."""
import socket
import sys
import time

HOST, PORT = sys.argv[1], int(sys.argv[2])
deadline = time.monotonic() + 10
while True:
    try:
        s = socket.create_connection((HOST, PORT), timeout=10)
        break
    except ConnectionRefusedError:
        if time.monotonic() > deadline:
            raise
        time.sleep(0.05)
with s:
    s.sendall(b"Hello, world")
    data = s.recv(1024)
print("Received", repr(data))
