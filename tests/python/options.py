"""The reference for tests/guests/src/bin/options.rs: socket options in
CPython. Reads the cases (tests/python/options_cases.txt lines) from its
arguments and prints one line per case; the guest prints the same.
Usage: options.py CASE..."""
import fcntl
import sys
from socket import *


def exc(e):
    return f"{type(e).__name__}: {e}"


def make(kind):
    try:
        if kind == "t4":
            return socket(AF_INET, SOCK_STREAM)
        if kind == "t6":
            return socket(AF_INET6, SOCK_STREAM)
        if kind == "u4":
            return socket(AF_INET, SOCK_DGRAM)
        if kind == "u6":
            return socket(AF_INET6, SOCK_DGRAM)
        if kind == "l4":
            return socket(AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE)
        if kind == "m4":
            return socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP)
        if kind == "c4":
            srv = socket(AF_INET, SOCK_STREAM)
            srv.bind(("127.0.0.1", 0))
            srv.listen()
            c = socket(AF_INET, SOCK_STREAM)
            c.connect(srv.getsockname())
            kept.append(srv)
            kept.append(srv.accept()[0])
            return c
    except OSError as e:
        print(f"open {kind}: {exc(e)}")
        return None


kept = []
socks = {}


def run(s, level, opt, action, arg):
    if action == "g":
        return repr(s.getsockopt(level, opt))
    if action == "gb":
        return repr(s.getsockopt(level, opt, int(arg)))
    if action == "gl":
        return str(len(s.getsockopt(level, opt, int(arg))))
    if action == "s":
        s.setsockopt(level, opt, int(arg))
        return f"set; {s.getsockopt(level, opt)!r}"
    if action == "n":
        s.setsockopt(level, opt, int(arg))
        return "set"
    if action == "sb":
        b = bytes.fromhex(arg)
        s.setsockopt(level, opt, b)
        return f"set; {s.getsockopt(level, opt, len(b))!r}"
    if action == "sn":
        s.setsockopt(level, opt, None, int(arg))
        return "set"
    raise ValueError(action)


for case in sys.argv[1:]:
    parts = case.split()
    kind, level, opt, action = parts[0], int(parts[1]), int(parts[2]), parts[3]
    arg = parts[4] if len(parts) > 4 else None
    if kind not in socks:
        socks[kind] = make(kind)
    s = socks[kind]
    if s is None:
        continue
    try:
        r = run(s, level, opt, action, arg)
    except OSError as e:
        r = exc(e)
    print(f"{case}: {r}")

# ioctl on a connected pair
srv = socket(AF_INET, SOCK_STREAM)
srv.bind(("127.0.0.1", 0))
srv.listen()
c = socket(AF_INET, SOCK_STREAM)
c.connect(srv.getsockname())
a, _ = srv.accept()
c.sendall(b"hello")
a.recv(1, MSG_PEEK)
for name, req, arg in (("FIONREAD", 0x541b, b"\0" * 4), ("SIOCOUTQ", 0x5411, b"\0" * 4),
                       ("SIOCOUTQNSD", 0x894b, b"\0" * 4), ("SIOCATMARK", 0x8905, b"\0" * 4),
                       ("FIONREAD-8", 0x541b, b"\xff" * 8), ("FIONREAD-2", 0x541b, b"\xff" * 2),
                       ("SIOCGSTAMP-tcp", 0x8906, b"\0" * 16), ("bogus", 0x12345, b"\0" * 4)):
    for who, sock in (("recv", a), ("send", c)):
        try:
            print(f"ioctl {name} {who}: {fcntl.ioctl(sock, req, arg)!r}")
        except OSError as e:
            print(f"ioctl {name} {who}: {exc(e)}")
u = socket(AF_INET, SOCK_DGRAM)
u.bind(("127.0.0.1", 0))
v = socket(AF_INET, SOCK_DGRAM)
try:
    fcntl.ioctl(u, 0x8906, b"\0" * 16)
except OSError as e:
    print(f"ioctl SIOCGSTAMP before: {exc(e)}")
v.sendto(b"abc", u.getsockname())
print(f"ioctl FIONREAD udp: {fcntl.ioctl(u, 0x541b, bytes(4))!r}")
u.recv(10)
t = fcntl.ioctl(u, 0x8906, bytes(16))
print(f"ioctl SIOCGSTAMP after: {len(t)} {int.from_bytes(t[:8], 'little') > 0}")
print("done")
