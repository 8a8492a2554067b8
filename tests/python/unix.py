"""The reference for tests/guests/src/bin/unix.rs: AF_UNIX and
sendmsg/recvmsg in CPython. Both print one line per step; the host test
runs this with the working directory set to a fresh directory (holding a
subdirectory `sub` and a regular file `plain`) and the guest with the same
layout granted as its AF_UNIX directory, and compares them line by line.
Usage: unix.py NAME (a unique abstract-name prefix)"""
import array
import os

import sys
from socket import *

TAG = sys.argv[1]
IP_PKTINFO = 8  # not exported by every CPython
IP_RECVTTL = 12
SO_TIMESTAMPNS = 35


def show(name, f):
    try:
        r = f()
        print(f"{name}: ok {r!r}")
    except OSError as e:
        print(f"{name}: {type(e).__name__}: {e}")


# -- socketpair, every type
for t, tn in ((SOCK_STREAM, "stream"), (SOCK_DGRAM, "dgram"), (SOCK_SEQPACKET, "seqpacket")):
    a, b = socketpair(AF_UNIX, t)
    show(f"pair-{tn}-family", lambda: (a.family == AF_UNIX, a.type == t))
    show(f"pair-{tn}-names", lambda: (a.getsockname(), a.getpeername()))
    show(f"pair-{tn}-send", lambda: a.send(b"hello"))
    show(f"pair-{tn}-recvfrom", lambda: b.recvfrom(100))
    show(f"pair-{tn}-peercred", lambda: (lambda c: (c[0] > 0, c[1], c[2]))(
        array.array("i", b.getsockopt(SOL_SOCKET, SO_PEERCRED, 12))))
    a.close()
    b.close()

a, b = socketpair(AF_UNIX, SOCK_SEQPACKET)
a.send(b"one")
a.send(b"two!")
show("seqpacket-boundary", lambda: (b.recv(100), b.recv(100)))
a.send(b"truncated")
show("seqpacket-trunc", lambda: (lambda m: (m[0], int(m[2])))(b.recvmsg(3)))
a.close()
show("seqpacket-eof", lambda: b.recv(100))
b.close()

# -- makefile modes
a, b = socketpair()
wf = a.makefile("wb")
show("makefile-write", lambda: wf.write(b"line1\nline2\n"))
show("makefile-buffered", lambda: b.recv(100, MSG_DONTWAIT))
show("makefile-flush", lambda: wf.flush())
rf = b.makefile("rb")
show("makefile-readline", lambda: (rf.readline(), rf.readline()))
uf = a.makefile("wb", buffering=0)
show("makefile-unbuffered", lambda: (uf.write(b"now"), b.recv(100)))
for mode in ("x", "rwx"):
    try:
        a.makefile(mode)
    except ValueError as e:
        print("makefile-bad-mode:", e)
try:
    a.makefile("w", buffering=0)
except ValueError as e:
    print("makefile-text-unbuffered:", e)
wf2 = a.makefile("wb")
wf2.write(b"closed")
wf2.close()
show("makefile-close-flushes", lambda: b.recv(100))
for f in (wf, rf, uf):
    f.close()
a.close()
b.close()

# -- detach / fromfd / socket(fileno=)
a, b = socketpair()
fd = a.detach()
show("detach", lambda: (fd >= 0, a.fileno()))
c = fromfd(fd, AF_UNIX, SOCK_STREAM)
show("fromfd", lambda: (c.send(b"dup"), b.recv(10), c.family == AF_UNIX))
d = socket(fileno=fd)
show("fileno-adopt", lambda: (d.send(b"orig"), b.recv(10), d.family == AF_UNIX, d.type == SOCK_STREAM))
for s in (b, c, d):
    s.close()
show("fromfd-closed", lambda: fromfd(fd, AF_UNIX, SOCK_STREAM))

# -- filesystem paths (relative to the working directory / the grant)
srv = socket(AF_UNIX, SOCK_STREAM)
show("unbound-name", lambda: srv.getsockname())
show("bind", lambda: srv.bind("sock"))
show("bound-name", lambda: srv.getsockname())
show("listen", lambda: srv.listen())
cli = socket(AF_UNIX, SOCK_STREAM)
show("connect", lambda: cli.connect("sock"))
show("client-peer", lambda: cli.getpeername())
show("client-name", lambda: cli.getsockname())
conn, addr = srv.accept()
show("accept-addr", lambda: addr)
show("accepted-names", lambda: (conn.getsockname(), conn.getpeername()))
show("stream-echo", lambda: (cli.sendall(b"ping"), conn.recv(10)))
show("peercred", lambda: (lambda c: (c[0] > 0, c[1], c[2]))(
    array.array("i", conn.getsockopt(SOL_SOCKET, SO_PEERCRED, 12))))
show("bind-in-use", lambda: socket(AF_UNIX, SOCK_STREAM).bind("sock"))
show("bind-dir", lambda: socket(AF_UNIX, SOCK_STREAM).bind("sub"))
show("bind-missing-dir", lambda: socket(AF_UNIX, SOCK_STREAM).bind("nodir/s"))
show("bind-sub", lambda: (lambda s: (s.bind("sub/s2"), s.getsockname()))(socket(AF_UNIX, SOCK_STREAM)))
show("connect-missing", lambda: socket(AF_UNIX, SOCK_STREAM).connect("missing"))
show("connect-plain-file", lambda: socket(AF_UNIX, SOCK_STREAM).connect("plain"))
show("connect-dir", lambda: socket(AF_UNIX, SOCK_STREAM).connect("sub"))
show("connect-not-listening", lambda: socket(AF_UNIX, SOCK_STREAM).connect("sub/s2"))
show("path-too-long", lambda: socket(AF_UNIX, SOCK_STREAM).bind("x" * 108))
show("path-107", lambda: socket(AF_UNIX, SOCK_STREAM).connect("y" * 107))
show("dot-dot-inside", lambda: (lambda s: (s.connect("sub/../sock"), s.getpeername()))(socket(AF_UNIX, SOCK_STREAM)))
cli.close()
conn.close()
srv.close()

# -- datagrams: named, autobound, unnamed senders
d = socket(AF_UNIX, SOCK_DGRAM)
show("dgram-bind", lambda: d.bind("dg"))
u = socket(AF_UNIX, SOCK_DGRAM)
show("autobind", lambda: u.bind(""))
name = u.getsockname()
show("autobind-shape", lambda: (type(name).__name__, len(name), name[:1]))
show("dgram-sendto", lambda: u.sendto(b"from-auto", "dg"))
show("dgram-recvfrom-auto", lambda: (lambda r: (r[0], r[1] == name))(d.recvfrom(100)))
v = socket(AF_UNIX, SOCK_DGRAM)
show("dgram-sendto-unnamed", lambda: v.sendto(b"anon", "dg"))
show("dgram-recvfrom-unnamed", lambda: d.recvfrom(100))
w = socket(AF_UNIX, SOCK_DGRAM)
w.bind("dg2")
show("dgram-sendto-named", lambda: w.sendto(b"named", "dg"))
show("dgram-recvfrom-named", lambda: d.recvfrom(100))
show("dgram-recvmsg-named", lambda: (w.sendto(b"m", "dg"), d.recvmsg(100)))
show("dgram-connect", lambda: (v.connect("dg"), v.getpeername()))
show("dgram-sendto-missing", lambda: v.sendto(b"x", "nothing"))
for s in (d, u, v, w):
    s.close()

# -- abstract names
ab = socket(AF_UNIX, SOCK_STREAM)
aname = b"\0" + TAG.encode() + b"-abs"
show("abstract-bind", lambda: ab.bind(aname))
show("abstract-name", lambda: ab.getsockname())
ab.listen()
ac = socket(AF_UNIX, SOCK_STREAM)
show("abstract-connect", lambda: ac.connect(aname))
show("abstract-peer", lambda: ac.getpeername())
show("abstract-in-use", lambda: socket(AF_UNIX, SOCK_STREAM).bind(aname))
show("abstract-missing", lambda: socket(AF_UNIX, SOCK_STREAM).connect(b"\0" + TAG.encode() + b"-none"))
show("abstract-too-long", lambda: socket(AF_UNIX, SOCK_STREAM).bind(b"\0" + b"z" * 108))
ac.close()
ab.close()

# -- sendmsg / recvmsg
show("cmsg-len", lambda: (CMSG_LEN(0), CMSG_LEN(4), CMSG_LEN(12), CMSG_SPACE(4), CMSG_SPACE(12), CMSG_SPACE(20)))
a, b = socketpair()
show("sendmsg-buffers", lambda: a.sendmsg([b"ab", b"", b"cde"]))
show("recvmsg", lambda: b.recvmsg(100))
a.sendall(b"0123456789")
buf1, buf2 = bytearray(4), bytearray(3)
show("recvmsg-into", lambda: b.recvmsg_into([buf1, buf2]))
show("recvmsg-into-bufs", lambda: (bytes(buf1), bytes(buf2), b.recv(10)))
p1, p2 = socketpair()
show("send-fds", lambda: send_fds(a, [b"fd"], [p1.fileno()]))
msg, fds, flags, addr = recv_fds(b, 100, 4)
show("recv-fds", lambda: (msg, len(fds), flags, addr))
r = socket(fileno=fds[0])
show("passed-socket-works", lambda: (r.send(b"via-passed"), p2.recv(100)))
show("passed-socket-kind", lambda: (r.family == AF_UNIX, r.type == SOCK_STREAM))
r.close()
show("send-two-fds", lambda: send_fds(a, [b"2"], [p1.fileno(), p2.fileno()]))
msg, anc, flags, addr = b.recvmsg(100, CMSG_LEN(4))
show("rights-truncated", lambda: (msg, [(l, t, len(d)) for l, t, d in anc], int(flags)))
for l, t, d in anc:
    for fd in array.array("i", d[: len(d) - len(d) % 4]):
        os.close(fd)
show("send-fds-none-room", lambda: send_fds(a, [b"3"], [p1.fileno()]))
show("rights-no-room", lambda: (lambda m: (m[1], int(m[2])))(b.recvmsg(100)))
b.setsockopt(SOL_SOCKET, SO_PASSCRED, 1)
show("passcred", lambda: b.getsockopt(SOL_SOCKET, SO_PASSCRED))
a.send(b"cred")
msg, anc, flags, addr = b.recvmsg(100, CMSG_SPACE(12))
show("credentials", lambda: (msg, [(l, t, len(d), array.array("i", d)[1:].tolist()) for l, t, d in anc], flags))
import io
f = io.BytesIO(bytes(range(256)) * 80)
show("sendfile", lambda: a.sendfile(f, 100, 9000))
show("sendfile-position", lambda: f.tell())
got = b""
while len(got) < 9000:
    got += b.recv(65536)
show("sendfile-data", lambda: (len(got), got[:3], got[-3:]))
show("sendfile-rest", lambda: (a.sendfile(f), f.tell()))
rest = b""
while len(rest) < 11380:
    rest += b.recv(65536)
show("sendfile-rest-len", lambda: len(rest))
try:
    a.sendfile(f, 0, 0)
except ValueError as e:
    print("sendfile-count-0-error:", e)
dg1, dg2 = socketpair(AF_UNIX, SOCK_DGRAM)
try:
    dg1.sendfile(f)
except ValueError as e:
    print("sendfile-dgram-error:", e)
for s in (a, b, p1, p2, dg1, dg2):
    s.close()

# -- ancillary data over UDP on loopback
rx = socket(AF_INET, SOCK_DGRAM)
rx.bind(("127.0.0.1", 0))
port = rx.getsockname()[1]
tx = socket(AF_INET, SOCK_DGRAM)
rx.setsockopt(IPPROTO_IP, IP_PKTINFO, 1)
rx.setsockopt(IPPROTO_IP, IP_RECVTTL, 1)
rx.setsockopt(IPPROTO_IP, IP_RECVTOS, 1)
show("sendmsg-tos", lambda: tx.sendmsg([b"udp"], [(IPPROTO_IP, IP_TOS, bytes([0x10]))], 0, ("127.0.0.1", port)))
msg, anc, flags, addr = rx.recvmsg(100, 1024)
show("udp-recvmsg", lambda: (msg, int(flags), addr[0]))
for l, t, d in sorted(anc):
    print(f"cmsg {l} {t} {d.hex()}")
show("udp-trunc", lambda: (tx.sendto(b"long datagram", ("127.0.0.1", port)), (lambda m: (m[0], m[1], int(m[2])))(rx.recvmsg(4, 0))))
rx.setsockopt(SOL_SOCKET, 29, 1)  # SO_TIMESTAMP
tx.sendto(b"t", ("127.0.0.1", port))
msg, anc, flags, addr = rx.recvmsg(100, 1024)
show("timestamp", lambda: [(l, t, len(d)) for l, t, d in anc if l == SOL_SOCKET])
rx.setsockopt(SOL_SOCKET, 29, 0)
rx.setsockopt(SOL_SOCKET, SO_TIMESTAMPNS, 1)
tx.sendto(b"t", ("127.0.0.1", port))
msg, anc, flags, addr = rx.recvmsg(100, 1024)
show("timestampns", lambda: [(l, t, len(d)) for l, t, d in anc if l == SOL_SOCKET])
seg = (2).to_bytes(2, sys.byteorder)
show("udp-segment", lambda: tx.sendmsg([b"abcdef"], [(SOL_UDP, 103, seg)], 0, ("127.0.0.1", port)))
show("udp-segments", lambda: [rx.recv(10) for _ in range(3)])
rx.setsockopt(SOL_UDP, 104, 1)
show("udp-gro-send", lambda: tx.sendmsg([b"abcdef"], [(SOL_UDP, 103, seg)], 0, ("127.0.0.1", port)))
msg, anc, flags, addr = rx.recvmsg(100, 1024)
show("udp-gro", lambda: msg)
for l, t, d in sorted(anc):
    if l == SOL_UDP:
        print(f"cmsg {l} {t} {d.hex()}")
rx.close()
tx.close()
e = socket(AF_INET, SOCK_DGRAM)
e.setsockopt(IPPROTO_IP, 11, 1)  # IP_RECVERR
closed = socket(AF_INET, SOCK_DGRAM)
closed.bind(("127.0.0.1", 0))
cport = closed.getsockname()[1]
closed.close()
show("errqueue-send", lambda: e.sendto(b"lost", ("127.0.0.1", cport)))
msg, anc, flags, addr = e.recvmsg(100, 1024, MSG_ERRQUEUE)
show("errqueue", lambda: (msg, int(flags), addr[0]))
for l, t, d in sorted(anc):
    print(f"cmsg {l} {t} {d.hex()}")
show("errqueue-empty", lambda: e.recvmsg(100, 1024, MSG_ERRQUEUE))
e.close()
r6 = socket(AF_INET6, SOCK_DGRAM)
r6.bind(("::1", 0))
p6 = r6.getsockname()[1]
r6.setsockopt(IPPROTO_IPV6, IPV6_RECVPKTINFO, 1)
r6.setsockopt(IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1)
r6.setsockopt(IPPROTO_IPV6, IPV6_RECVTCLASS, 1)
t6 = socket(AF_INET6, SOCK_DGRAM)
show("sendmsg-tclass", lambda: t6.sendmsg([b"tc"], [(IPPROTO_IPV6, IPV6_TCLASS, (0x20).to_bytes(4, sys.byteorder))], 0, ("::1", p6)))
msg, anc, flags, addr = r6.recvmsg(100, 1024)
show("udp6-tclass", lambda: msg)
for l, t, d in sorted(anc):
    print(f"cmsg {l} {t} {d.hex()}")
show("sendmsg-hoplimit", lambda: t6.sendmsg([b"v6"], [(IPPROTO_IPV6, IPV6_HOPLIMIT, (7).to_bytes(4, sys.byteorder))], 0, ("::1", p6)))
msg, anc, flags, addr = r6.recvmsg(100, 1024)
show("udp6-recvmsg", lambda: (msg, int(flags), addr[0]))
for l, t, d in sorted(anc):
    print(f"cmsg {l} {t} {d.hex()}")
r6.close()
t6.close()
print("done")
