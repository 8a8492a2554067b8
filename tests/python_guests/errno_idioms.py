"""What portable Python checks of errnos see: each line prints only
names, classes and truths, so native CPython and a Python guest (whose
platform, WASI, numbers errnos otherwise) print the same lines.

Usage: errno_idioms.py CLOSED_PORT (a port on 127.0.0.1 nobody listens on)."""
import asyncio
import errno
import select
import socket
import sys

port = int(sys.argv[1])

s = socket.socket()
try:
    s.connect(("127.0.0.1", port))
except OSError as e:
    print("connect:", type(e).__name__, errno.errorcode.get(e.errno), e.errno == errno.ECONNREFUSED)
s.close()

s = socket.socket()
s.setblocking(False)
r = s.connect_ex(("127.0.0.1", port))
print("connect_ex, non-blocking:", errno.errorcode.get(r), r in (errno.EINPROGRESS, errno.ECONNREFUSED))
try:
    select.select([], [s], [], 5)
    err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    print("SO_ERROR:", errno.errorcode.get(err), err == errno.ECONNREFUSED)
    e = OSError(err, "Connect call failed")
    print("OSError(SO_ERROR):", type(e).__name__)
finally:
    s.close()

a, b = socket.socketpair()
a.setblocking(False)
try:
    a.recv(10)
except OSError as e:
    print("recv, nothing queued:", type(e).__name__, e.errno in (errno.EAGAIN, errno.EWOULDBLOCK))
# socket.py's SocketIO answers None, not an error, on a non-blocking
# socket with nothing to read (it compares with errno.EAGAIN).
print("makefile read:", a.makefile("rb", buffering=0).read(10))
b.close()
try:
    a.send(b"x")
except OSError as e:
    print("send to a closed peer:", type(e).__name__, errno.errorcode.get(e.errno), e.errno == errno.EPIPE)
a.close()

try:
    socket.socket(12345, socket.SOCK_STREAM)
except OSError as e:
    print("bad family:", type(e).__name__, errno.errorcode.get(e.errno), e.errno == errno.EAFNOSUPPORT)


async def main():
    try:
        await asyncio.open_connection("127.0.0.1", port)
    except OSError as e:
        print("asyncio open_connection:", type(e).__name__, e.errno == errno.ECONNREFUSED)


asyncio.run(main())
