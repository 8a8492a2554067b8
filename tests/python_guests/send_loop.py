"""Sends COUNT datagrams of 60,000 bytes to 127.0.0.1:PORT, then prints
"sent COUNT": the memory a guest holds must not grow with what it sends."""

import socket
import sys

port, count = int(sys.argv[1]), int(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
data = b"x" * 60000
for _ in range(count):
    s.sendto(data, ("127.0.0.1", port))
print("sent", count)
