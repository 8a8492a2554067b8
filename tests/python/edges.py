"""The reference for tests/guests/src/bin/edges.rs: corners of the socket
API where CPython's answer is easy to miss (zero-length receives, errnos
the kernel picks, makefile() modes and timeouts, argument messages). Both
print one line per step; the host test compares them line by line.
Usage: edges.py 4|6"""
import sys
import time
from socket import *

F = AF_INET if sys.argv[1] == "4" else AF_INET6
H = "127.0.0.1" if F == AF_INET else "::1"


def show(name, f):
    try:
        r = f()
        print(f"{name}: ok {r!r}")
    except (OSError, ValueError) as e:
        print(f"{name}: {type(e).__name__}: {e}")


def pause():
    time.sleep(0.05)


listener = socket(F, SOCK_STREAM)
listener.bind((H, 0))
listener.listen()
client = socket(F, SOCK_STREAM)
client.connect(listener.getsockname()[:2])
conn, _ = listener.accept()

# Zero-length receives with nothing pending return at once (recv and
# recv_into make no system call), in every mode.
show("recv0", lambda: conn.recv(0))
show("recv0-waitall", lambda: conn.recv(0, MSG_WAITALL))
show("recv-into-empty", lambda: conn.recv_into(bytearray(0)))
show("recv-into-empty-nbytes0", lambda: conn.recv_into(bytearray(0), 0))
conn.settimeout(30.0)
show("recv0-timeout-mode", lambda: conn.recv(0))
conn.setblocking(False)
show("recv0-nonblocking", lambda: conn.recv(0))
conn.setblocking(True)
unconnected = socket(F, SOCK_STREAM)
show("recv0-unconnected", lambda: unconnected.recv(0))
unconnected.close()
# recvfrom passes the zero length to the kernel: with data pending it
# returns at once and leaves the data.
client.send(b"abc")
pause()
show("recv0-data-pending", lambda: conn.recv(0))
show("recvfrom0-data-pending", lambda: conn.recvfrom(0))
show("recvfrom-into-empty-data-pending", lambda: conn.recvfrom_into(bytearray(0)))
show("recv-after-zero-length", lambda: conn.recv(10))

u1 = socket(F, SOCK_DGRAM)
u1.bind((H, 0))
u2 = socket(F, SOCK_DGRAM)
u2.bind((H, 0))
show("udp-recv0-empty-queue", lambda: u1.recv(0))
show("udp-recv-into-empty-queue", lambda: u1.recv_into(bytearray(0)))
u2.sendto(b"first", u1.getsockname())
u2.sendto(b"second", u1.getsockname())
pause()
show("udp-recv0-leaves-datagram", lambda: u1.recv(0))
show("udp-recv-into-empty-leaves-datagram", lambda: u1.recv_into(bytearray(0)))
show("udp-recv-first", lambda: u1.recv(100))
show("udp-recvfrom0-consumes", lambda: (lambda d, a: (d, a == u2.getsockname()))(*u1.recvfrom(0)))
u2.sendto(b"third", u1.getsockname())
u2.sendto(b"fourth", u1.getsockname())
pause()
show("udp-recvfrom-into-empty-consumes", lambda: (lambda n, a: (n, a == u2.getsockname()))(*u1.recvfrom_into(bytearray(0))))
show("udp-recv-fourth", lambda: u1.recv(100))

# Errnos the kernel picks.
show("getsockopt-unknown-level", lambda: conn.getsockopt(12345, 1))
show("getsockopt-unknown-level-bytes", lambda: conn.getsockopt(12345, 1, 16))
show("getsockopt-negative-level", lambda: conn.getsockopt(-1, 1))
show("setsockopt-unknown-level", lambda: conn.setsockopt(12345, 1, 1))
show("getsockopt-unknown-option", lambda: conn.getsockopt(SOL_SOCKET, 9999))
show("setsockopt-unknown-option", lambda: conn.setsockopt(SOL_SOCKET, 9999, 1))
show("getsockopt-tcp-level-on-udp", lambda: u1.getsockopt(IPPROTO_TCP, TCP_NODELAY))
show("getsockopt-unknown-level-udp", lambda: u1.getsockopt(12345, 1))
show("socketpair-ip", lambda: socketpair(F))
show("socketpair-ip-dgram", lambda: socketpair(F, SOCK_DGRAM))
show("socketpair-ip-bad-protocol", lambda: socketpair(F, SOCK_STREAM, IPPROTO_UDP))
show("socketpair-ip-bad-type", lambda: socketpair(F, SOCK_SEQPACKET))
u1.close()
u2.close()

# Argument messages.
show("recv-into-nbytes-too-big", lambda: conn.recv_into(bytearray(3), 5))
show("recvfrom-into-nbytes-too-big", lambda: conn.recvfrom_into(bytearray(3), 5))

# makefile(): modes, buffering, and a reader that timed out.
show("makefile-bad-mode", lambda: conn.makefile("x") and None)
show("makefile-unbuffered-text", lambda: conn.makefile("r", buffering=0) and None)
w = conn.makefile("wb")
show("makefile-wb-read", lambda: w.read(1))
r = client.makefile("rb")
show("makefile-rb-write", lambda: r.write(b"x"))
show("makefile-wb-write-buffered", lambda: w.write(b"buffered\n"))
show("makefile-before-flush", lambda: client.recv(100, MSG_DONTWAIT))
show("makefile-flush", lambda: w.flush())
show("makefile-readline", lambda: r.readline())
w.close()
wu = conn.makefile("wb", buffering=0)
show("makefile-unbuffered-write", lambda: wu.write(b"now\n"))
pause()
show("makefile-unbuffered-arrived", lambda: client.recv(100, MSG_DONTWAIT))
wu.close()
conn.settimeout(0.1)
f = conn.makefile("rb")
show("makefile-read-timeout", lambda: f.read(10))
show("makefile-read-after-timeout", lambda: f.read(10))
show("makefile-readline-after-timeout", lambda: f.readline())
client.send(b"line\n")
pause()
show("makefile-new-file-reads", lambda: conn.makefile("rb").readline())
t = client.makefile("rw")
show("makefile-text-write", lambda: t.write("text\n"))
show("makefile-text-flush", lambda: t.flush())
show("makefile-text-readline", lambda: conn.makefile("r").readline())
# create_connection's timeout: the default argument, None (blocking), t.
setdefaulttimeout(2.5)
where = listener.getsockname()[:2]
show("create-connection-default-timeout", lambda: create_connection(where).gettimeout())
show("create-connection-blocking", lambda: create_connection(where, None).gettimeout())
show("create-connection-timeout", lambda: create_connection(where, 0.5).gettimeout())
setdefaulttimeout(None)
print("done")
