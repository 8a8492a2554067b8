"""A native peer for the SCM_RIGHTS tests (host/tests/e2e/unix.rs): listens
on PATH, and to the one client that connects sends b"fds" with three
descriptors: one end of a stream socketpair, a regular file, and a UDP
socket. Then reports what arrives on the other end of the pair.
Usage: fd_peer.py PATH"""
import sys
from socket import *

path = sys.argv[1]
srv = socket(AF_UNIX, SOCK_STREAM)
srv.bind(path)
srv.listen()
print("ready", flush=True)
srv.settimeout(60)
conn, _ = srv.accept()
a, b = socketpair()
f = open("/dev/null", "rb")
u = socket(AF_INET, SOCK_DGRAM)
send_fds(conn, [b"fds"], [a.fileno(), f.fileno(), u.fileno()])
a.close()
f.close()
u.close()
b.settimeout(60)
try:
    print("peer got", b.recv(10), flush=True)
except OSError as e:
    print("peer got", type(e).__name__, flush=True)
