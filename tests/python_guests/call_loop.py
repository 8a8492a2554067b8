"""Makes the everyday socket calls COUNT times over loopback and a
socketpair (sendall, send, recv, recv_into, select, poll, sendto,
recvfrom, sendmsg, recvmsg with IP_PKTINFO, setsockopt, getsockopt,
getsockname, socket and close), checking each reply, then prints
"done COUNT": run under a memory limit, no call may keep memory. Each
message is 1,000 bytes, so a call that kept its data would show soon."""

import select
import socket
import sys

count = int(sys.argv[1])
a, b = socket.socketpair()
u1 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u1.bind(("127.0.0.1", 0))
u2 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u2.bind(("127.0.0.1", 0))
u2.setsockopt(socket.IPPROTO_IP, socket.IP_PKTINFO, 1)
addr1, addr2 = u1.getsockname(), u2.getsockname()
p = select.poll()
p.register(b, select.POLLIN)
buf = bytearray(2048)
msg = bytes(range(250)) * 4
for _ in range(count):
    a.sendall(msg)
    assert select.select([b], [], [], 5)[0] == [b]
    assert p.poll(5000) == [(b.fileno(), select.POLLIN)]
    assert b.recv_into(buf) == 1000 and buf[:1000] == msg
    b.send(msg)
    assert a.recv(2048) == msg
    u1.sendto(msg, addr2)
    data, anc, flags, peer = u2.recvmsg(2048, socket.CMSG_SPACE(12))
    assert data == msg and peer == addr1 and anc[0][1] == socket.IP_PKTINFO
    u2.sendmsg([msg[:100], msg[100:]], [], 0, addr1)
    assert u1.recvfrom(2048) == (msg, addr2)
    a.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 65536)
    assert a.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE) == socket.SOCK_STREAM
    assert u2.getsockname() == addr2
    socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
print("done", count)
