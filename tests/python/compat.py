"""The reference for tests/guests/src/bin/compat.rs: socket file objects
(zero-length reads). Prints one line per step; descriptor numbers, ports
and the run's tag are replaced by names, so that the guest's lines can be
the same. Usage: compat.py 4|6 TAG"""
import socket
import sys
import time
from socket import *

F = AF_INET if sys.argv[1] == "4" else AF_INET6
H = "127.0.0.1" if F == AF_INET else "::1"
TAG = sys.argv[2]


def exc(e):
    return f"{type(e).__name__}: {e}"


def show(name, f):
    try:
        print(f"{name}: ok {f()!r}")
    except Exception as e:
        print(f"{name}: {exc(e)}")


listener = socket(F, SOCK_STREAM)
listener.bind((H, 0))
listener.listen()
lport = listener.getsockname()[1]


def pair():
    c = socket(F, SOCK_STREAM)
    c.connect((H, lport))
    s, _ = listener.accept()
    return c, s


# -- makefile: zero-length reads make no receive
c, s = pair()
s.settimeout(2.0)
f = s.makefile("rb", buffering=0)
show("rb0-empty-read-no-data", lambda: f.readinto(bytearray(0)))
c.sendall(b"abc")
time.sleep(0.05)
show("rb0-read-3", lambda: f.read(3))
show("rb0-empty-read-after-data", lambda: f.readinto(bytearray(0)))
c.sendall(b"de")
show("rb0-read-rest", lambda: f.read(10))
s.setblocking(False)
show("rb0-empty-read-nonblocking", lambda: f.readinto(bytearray(0)))
s.setblocking(True)
fb = s.makefile("rb")
show("rb-empty-read", lambda: fb.readinto(bytearray(0)))
s.settimeout(0.1)
show("rb0-read-timeout", lambda: f.read(1))
show("rb0-empty-read-after-timeout", lambda: f.readinto(bytearray(0)))
show("rb-read-timeout", lambda: fb.read(1))
show("rb-empty-read-after-timeout", lambda: fb.readinto(bytearray(0)))
show("wb-empty-read", lambda: s.makefile("wb").readinto(bytearray(0)))
show("wb0-empty-read", lambda: s.makefile("wb", buffering=0).readinto(bytearray(0)))
show("rb0-write", lambda: s.makefile("rb", buffering=0).write(b"x"))
c.close()
s.close()

# A datagram stays queued through a zero-length read.
u1 = socket(F, SOCK_DGRAM)
u1.bind((H, 0))
u2 = socket(F, SOCK_DGRAM)
u2.sendto(b"dgram", u1.getsockname())
time.sleep(0.05)
u1.settimeout(1.0)
show("udp-rb0-empty-read", lambda: u1.makefile("rb", buffering=0).readinto(bytearray(0)))
show("udp-recv-after", lambda: u1.recv(100))
u1.close()
u2.close()

listener.close()
print("done")
