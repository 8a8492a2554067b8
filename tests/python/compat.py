"""The reference for tests/guests/src/bin/compat.rs: socket file objects
(zero-length reads, mode and name), file descriptors (socket(fileno=-1),
fromfd, inheritable), repr(sock), and addresses of the wrong shape for a
socket's family (netlink, packet, vsock, inet). Prints one line per step;
descriptor numbers, ports and the run's tag are replaced by names, so that
the guest's lines can be the same. Usage: compat.py 4|6 TAG"""
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


def pyrepr(s, *ports):
    """repr(s) with its descriptor and the given ports named."""
    r = repr(s).replace(f"fd={s.fileno()},", "fd=FD,")
    for i, p in enumerate(ports):
        r = r.replace(str(p), f"PORT{i}")
    return r.replace(TAG, "TAG")


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

# -- makefile: mode and name
c, s = pair()
for mode in ("r", "rb", "w", "wb", "rw", "rwb", "b", "br", ""):
    for buffering in (None, 0, 100):
        try:
            f = s.makefile(mode) if buffering is None else s.makefile(mode, buffering=buffering)
        except ValueError as e:
            print(f"makefile {mode!r} {buffering}: {exc(e)}")
            continue
        name = getattr(f, "name", None)
        print(f"makefile {mode!r} {buffering}: mode {getattr(f, 'mode', None)!r}"
              f" name {None if name is None else name == s.fileno()!r}")

# -- descriptors
show("inheritable-accepted", lambda: s.get_inheritable())
show("inheritable-connected", lambda: c.get_inheritable())
show("socket-fileno-negative", lambda: socket(F, SOCK_STREAM, 0, -1))
show("socket-fileno-minus-5", lambda: socket(fileno=-5))
show("fromfd-negative", lambda: fromfd(-1, F, SOCK_STREAM))
# fromfd duplicates an open socket: closing either leaves the other open.
d = fromfd(s.fileno(), F, SOCK_STREAM)
show("fromfd-new-descriptor", lambda: d.fileno() != s.fileno())
show("fromfd-family-type", lambda: (int(d.family), int(d.type), d.proto))
d.close()
show("fromfd-close-dup-original-sends", lambda: s.send(b"1"))
show("fromfd-close-dup-peer-gets", lambda: c.recv(10))
d = fromfd(s.fileno(), F, SOCK_STREAM)
s.close()
show("fromfd-close-original-dup-sends", lambda: d.send(b"2"))
show("fromfd-close-original-peer-gets", lambda: c.recv(10))
# Inheritable: per descriptor, False for every socket Python creates.
show("inheritable-new", lambda: d.get_inheritable())
show("inheritable-set", lambda: (d.set_inheritable(True), d.get_inheritable()))
show("inheritable-dup", lambda: d.dup().get_inheritable())
show("inheritable-fromfd", lambda: fromfd(d.fileno(), F, SOCK_STREAM).get_inheritable())
show("inheritable-original-kept", lambda: d.get_inheritable())
fd = d.detach()
d = socket(fileno=fd)
show("inheritable-detach-fileno", lambda: d.get_inheritable())
show("inheritable-clear", lambda: (d.set_inheritable(False), d.get_inheritable()))
x, y = socketpair()
show("inheritable-socketpair", lambda: (x.get_inheritable(), y.get_inheritable()))
x.close()
y.close()
d.close()
c.close()

# -- repr
t = socket(F, SOCK_STREAM)
print("repr-unbound:", pyrepr(t))
t.close()
c, s = pair()
print("repr-listener:", pyrepr(listener, lport))
print("repr-client:", pyrepr(c, lport, c.getsockname()[1]))
print("repr-accepted:", pyrepr(s, lport, c.getsockname()[1]))
show("str-is-repr", lambda: str(c) == repr(c))
c.close()
s.close()
u = socket(F, SOCK_DGRAM)
print("repr-udp:", pyrepr(u))
u.bind((H, 0))
print("repr-udp-bound:", pyrepr(u, u.getsockname()[1]))
u.close()
un = socket(AF_UNIX, SOCK_STREAM)
print("repr-unix-unbound:", pyrepr(un))
un.bind(f"\0wasock-compat-{TAG}".encode())
print("repr-unix-abstract:", pyrepr(un))
un.close()
nb = socket(F, SOCK_STREAM | SOCK_NONBLOCK)
print("repr-nonblocking:", pyrepr(nb))
nb.close()

# -- addresses of the wrong shape for the family
shapes = (("str", "/tmp/x"), ("inet", ("127.0.0.1", 80)), ("inet6", ("::1", 80, 0, 0)), ("none", None),
          ("netlink", (0, 0)), ("packet", ("lo", 0, 0, 0, b"")), ("vsock", (1, 2)))
for fname, args in (("netlink", (AF_NETLINK, SOCK_RAW, 0)), ("packet", (AF_PACKET, SOCK_RAW, 0)),
                    ("vsock", (AF_VSOCK, SOCK_STREAM, 0)), ("inet", (F, SOCK_DGRAM, 0))):
    s = socket(*args)
    for call in ("bind", "connect", "sendto"):
        for sname, addr in shapes:
            if fname == "vsock" and call == "connect" and sname in ("netlink", "vsock"):
                continue  # reaches the kernel, which may wait
            if fname == "inet" and sname in ("inet", "inet6"):
                continue  # a well-formed address for the family
            if fname == "netlink" and sname in ("netlink", "vsock") and call != "bind":
                continue  # reaches the kernel
            def go():
                if call == "sendto":
                    return s.sendto(b"", addr)
                return getattr(s, call)(addr)
            show(f"{fname} {call} {sname}", go)
    s.close()
show("packet bind inet-shaped", lambda: socket(AF_PACKET, SOCK_RAW, 0).bind(("nosuchif0", 80)))
listener.close()
print("done")
