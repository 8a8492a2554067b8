"""Sends COUNT messages of 59,904 bytes (every byte value, 234 times) to
127.0.0.1:PORT with MODE, then prints "sent COUNT": the memory a guest
holds must not grow with what it sends.

MODE: sendto or sendmsg (UDP datagrams); send or sendall (one TCP
connection, closed at the end). Each mode passes its data as a different
kind of buffer (bytes, bytearray, memoryview)."""

import socket
import sys

mode, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
data = bytes(range(256)) * 234
peer = ("127.0.0.1", port)
if mode in ("sendto", "sendmsg"):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    half = bytearray(data[1000:])
    for _ in range(count):
        if mode == "sendto":
            s.sendto(data, peer)
        else:
            s.sendmsg([data[:1000], half], [], 0, peer)
else:
    s = socket.create_connection(peer)
    view = memoryview(data)
    for _ in range(count):
        if mode == "sendall":
            s.sendall(view)
        else:
            sent = 0
            while sent < len(view):
                sent += s.send(view[sent:])
s.close()
print("sent", count)
