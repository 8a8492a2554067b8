"""The reference for tests/guests/src/bin/behaviour.rs: the same scenario in
CPython. Both print one line per step; the host test runs both on loopback
and compares them line by line. Usage: behaviour.py 4|6"""
import select
import socket
import sys
import time
from socket import *

F = AF_INET if sys.argv[1] == "4" else AF_INET6
H = "127.0.0.1" if F == AF_INET else "::1"


def show(name, f):
    try:
        r = f()
        print(f"{name}: ok {r!r}")
    except OSError as e:
        print(f"{name}: {type(e).__name__}: {e}")


def sel(r, w, t):
    rr, ww, _ = select.select(r, w, [], t)
    return ([r.index(x) for x in rr], [w.index(x) for x in ww])


def closed_port():
    s = socket(F, SOCK_STREAM)
    s.bind((H, 0))
    port = s.getsockname()[1]
    s.close()
    return port


listener = socket(F, SOCK_STREAM)
show("setsockopt-reuseaddr", lambda: listener.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1))
show("getsockopt-reuseaddr", lambda: listener.getsockopt(SOL_SOCKET, SO_REUSEADDR))
show("unbound-name", lambda: listener.getsockname())
show("bind", lambda: listener.bind((H, 0)))
show("listen", lambda: listener.listen())
port = listener.getsockname()[1]
show("bound-host", lambda: listener.getsockname()[0])
show("bound-port-nonzero", lambda: port > 0)
show("bind-twice", lambda: listener.bind((H, 0)))
other = socket(F, SOCK_STREAM)
show("bind-in-use", lambda: other.bind((H, port)))
show("getpeername-unconnected", lambda: other.getpeername())
show("recv-unconnected", lambda: other.recv(10))
other.close()

client = socket(F, SOCK_STREAM)
show("connect", lambda: client.connect((H, port)))
conn, addr = listener.accept()
show("accept-peer-host", lambda: addr[0])
show("accept-peer-matches", lambda: addr == client.getsockname())
show("getpeername", lambda: client.getpeername() == listener.getsockname())
show("family", lambda: int(conn.family))
show("type", lambda: int(conn.type))
show("proto", lambda: conn.proto)
show("so-type", lambda: conn.getsockopt(SOL_SOCKET, SO_TYPE))
show("so-error", lambda: conn.getsockopt(SOL_SOCKET, SO_ERROR))
show("nodelay-set", lambda: client.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1))
show("nodelay-get", lambda: client.getsockopt(IPPROTO_TCP, TCP_NODELAY))
show("select-idle", lambda: sel([conn], [client], 0))
t0 = time.monotonic()
show("select-timeout", lambda: sel([conn], [], 0.1))
show("select-waited-about-0.1s", lambda: 0.09 <= time.monotonic() - t0 < 1.0)
show("sendall", lambda: client.sendall(b"hello world"))
time.sleep(0.05)
show("select-readable", lambda: sel([conn, listener], [], 1.0))
show("recv-peek", lambda: conn.recv(5, MSG_PEEK))
show("recv", lambda: conn.recv(1024))
show("recv-dontwait", lambda: conn.recv(10, MSG_DONTWAIT))
show("send", lambda: client.send(b"abc"))
show("send2", lambda: client.send(b"def"))
show("recv-waitall", lambda: conn.recv(6, MSG_WAITALL))
show("recvfrom-stream", lambda: (client.send(b"xy"), conn.recvfrom(10)))
# A dup shares the descriptor's blocking flag: each socket keeps its mode.
d = conn.dup()
show("dup-settimeout", lambda: d.settimeout(0.1))
show("dup-recv-timeout", lambda: d.recv(10))
show("dup-original-blocking", lambda: conn.gettimeout())
show("recv-after-dup-timeout", lambda: (client.send(b"z"), time.sleep(0.05), conn.recv(10))[::2])
d.close()
show("gettimeout-default", lambda: conn.gettimeout())
show("settimeout", lambda: conn.settimeout(0.2))
show("gettimeout", lambda: conn.gettimeout())
show("getblocking-timeout", lambda: conn.getblocking())
t0 = time.monotonic()
show("recv-timeout", lambda: conn.recv(10))
elapsed = time.monotonic() - t0
show("recv-timeout-elapsed-about-0.2s", lambda: 0.18 <= elapsed < 1.5)
show("setblocking-false", lambda: conn.setblocking(False))
show("gettimeout-nonblocking", lambda: conn.gettimeout())
show("getblocking-nonblocking", lambda: conn.getblocking())
show("recv-nonblocking", lambda: conn.recv(10))
show("setblocking-true", lambda: conn.setblocking(True))
show("gettimeout-blocking", lambda: conn.gettimeout())
show("shutdown-write", lambda: client.shutdown(SHUT_WR))
show("recv-eof", lambda: conn.recv(10))
conn.close()
time.sleep(0.05)
show("send-after-peer-closed-1", lambda: client.send(b"x"))
time.sleep(0.05)
show("send-after-peer-closed-2", lambda: client.send(b"x"))
client.close()

listener.settimeout(0.1)
show("accept-timeout", lambda: listener.accept())
listener.setblocking(False)
show("accept-nonblocking", lambda: listener.accept())
nb = socket(F, SOCK_STREAM)
nb.setblocking(False)
show("connect-ex-nonblocking", lambda: nb.connect_ex((H, port)))
time.sleep(0.1)
show("so-error-after-connect", lambda: nb.getsockopt(SOL_SOCKET, SO_ERROR))
nb.close()
nb = socket(F, SOCK_STREAM)
nb.setblocking(False)
show("connect-nonblocking", lambda: nb.connect((H, port)))
nb.close()
listener.close()

dead = closed_port()
s = socket(F, SOCK_STREAM)
show("connect-refused", lambda: s.connect((H, dead)))
s.close()
s = socket(F, SOCK_STREAM)
show("connect-ex-refused", lambda: s.connect_ex((H, dead)))
s.close()
show("create-connection-refused", lambda: create_connection((H, dead)))

u1 = socket(F, SOCK_DGRAM)
u2 = socket(F, SOCK_DGRAM)
show("udp-bind", lambda: u1.bind((H, 0)))
show("udp-sendto", lambda: u2.sendto(b"dgram", u1.getsockname()))
show("udp-recvfrom", lambda: (lambda d, a: (d, a == u2.getsockname()))(*u1.recvfrom(100)))
show("udp-recv-dontwait", lambda: u1.recv(10, MSG_DONTWAIT))
show("udp-sendto-long", lambda: u2.sendto(b"0123456789", u1.getsockname()))
show("udp-recv-truncated", lambda: u1.recv(4))
show("udp-connect", lambda: u2.connect(u1.getsockname()))
show("udp-send", lambda: u2.send(b"connected"))
show("udp-recv", lambda: u1.recv(100))
show("udp-type", lambda: int(u1.type))
show("udp-listen", lambda: u1.listen())
u1.close()
u2.close()

show("bad-family", lambda: socket(12345, SOCK_STREAM))
show("bad-type", lambda: socket(F, 12345))
show("gai-passive", lambda: [(int(f), int(t), p, c, a) for f, t, p, c, a in getaddrinfo(None, 80, AF_UNSPEC, SOCK_STREAM, 0, AI_PASSIVE)])
show("gai-numeric", lambda: [(int(f), int(t), p, c, a) for f, t, p, c, a in getaddrinfo(H, 80, F, SOCK_STREAM)])
show("gai-localhost", lambda: [(int(f), int(t), p, c, a) for f, t, p, c, a in getaddrinfo("localhost", 80, AF_INET, SOCK_STREAM)])
print("done")
