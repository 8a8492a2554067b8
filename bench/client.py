#!/usr/bin/env python3
"""CPython variant of the wasock socket benchmark client.

Usage: python3 bench/client.py WORKLOAD HOST PORT N SIZE

A HOST ending in ``.sock`` is an AF_UNIX path (PORT is then ignored).

Prints exactly one line, ``result <float>``, and exits 0. On any error the
traceback goes to stderr and the exit status is 1.

Workloads (servers are provided by the harness):
  pingpong   N round trips of SIZE bytes to a TCP echo server; result: mean
             microseconds per round trip.
  bulk-up    send N bytes in SIZE-byte writes to a sink, shut down the write
             side, wait for the one-byte ack b'k'; result: MiB/s.
  bulk-down  ask a source for N bytes (8-byte big-endian length), receive them
             in chunks of at most SIZE bytes; result: MiB/s.
  connect    N times create, connect and close a TCP socket; result:
             connections per second.
  udp        N request/reply datagrams of SIZE bytes over a connected UDP
             socket (2 s timeout, timeouts count as lost); result: round
             trips per second.
  udp-pktinfo  as udp, but unconnected: sendto, then recvmsg with IP_PKTINFO
             on, checking each reply's destination address from the control
             message; result: round trips per second.
  hold       connect to a TCP echo server, print ``ready`` and wait in recv
             until the server closes (the harness's scale measurement of
             Python guests); result: 0.

The timer (time.perf_counter) covers only the measured work: everything after
the connection is established, except for ``connect`` where connecting is the
work.
"""

import socket
import struct
import sys
import traceback
from time import perf_counter

MIB = float(1 << 20)


def _family(host):
    if host.endswith(".sock"):
        return socket.AF_UNIX
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def _address(host, port):
    return host if host.endswith(".sock") else (host, port)


def pingpong(host, port, n, size):
    s = socket.socket(_family(host), socket.SOCK_STREAM)
    try:
        s.connect(_address(host, port))
        if s.family != socket.AF_UNIX:
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        payload = b"x" * size
        buf = bytearray(size)
        view = memoryview(buf)
        sendall = s.sendall
        recv_into = s.recv_into
        t0 = perf_counter()
        for _ in range(n):
            sendall(payload)
            got = recv_into(buf, size)
            while got < size:
                if not got:
                    raise ConnectionError("echo server closed the connection")
                r = recv_into(view[got:], size - got)
                if not r:
                    raise ConnectionError("echo server closed the connection")
                got += r
        elapsed = perf_counter() - t0
    finally:
        s.close()
    return elapsed / n * 1e6


def bulk_up(host, port, n, size):
    s = socket.socket(_family(host), socket.SOCK_STREAM)
    try:
        s.connect(_address(host, port))
        chunk = b"x" * size
        full, rest = divmod(n, size)
        tail = chunk[:rest]
        sendall = s.sendall
        t0 = perf_counter()
        for _ in range(full):
            sendall(chunk)
        if rest:
            sendall(tail)
        s.shutdown(socket.SHUT_WR)
        ack = s.recv(1)
        elapsed = perf_counter() - t0
        if ack != b"k":
            raise ConnectionError("expected ack b'k', got %r" % (ack,))
    finally:
        s.close()
    return n / MIB / elapsed


def bulk_down(host, port, n, size):
    s = socket.socket(_family(host), socket.SOCK_STREAM)
    try:
        s.connect(_address(host, port))
        buf = bytearray(size)
        recv_into = s.recv_into
        request = struct.pack(">Q", n)
        got = 0
        t0 = perf_counter()
        s.sendall(request)
        while got < n:
            left = n - got
            r = recv_into(buf, size if left > size else left)
            if not r:
                raise ConnectionError(
                    "source closed after %d of %d bytes" % (got, n))
            got += r
        elapsed = perf_counter() - t0
    finally:
        s.close()
    return n / MIB / elapsed


def connect(host, port, n, size):
    fam = _family(host)
    sock = socket.socket
    stream = socket.SOCK_STREAM
    addr = (host, port)
    t0 = perf_counter()
    for _ in range(n):
        s = sock(fam, stream)
        try:
            s.connect(addr)
        finally:
            s.close()
    elapsed = perf_counter() - t0
    return n / elapsed


def udp(host, port, n, size):
    s = socket.socket(_family(host), socket.SOCK_DGRAM)
    lost = 0
    try:
        s.settimeout(2.0)
        s.connect((host, port))
        payload = b"x" * size
        send = s.send
        recv = s.recv
        timeout = socket.timeout
        t0 = perf_counter()
        for _ in range(n):
            send(payload)
            try:
                recv(65536)
            except timeout:
                lost += 1
        elapsed = perf_counter() - t0
    finally:
        s.close()
    if lost:
        print("udp: %d of %d datagrams lost" % (lost, n), file=sys.stderr)
    return n / elapsed


def udp_pktinfo(host, port, n, size):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    lost = 0
    try:
        s.settimeout(2.0)
        # CPython defines no IP_PKTINFO on Linux; its value is 8.
        pktinfo = getattr(socket, "IP_PKTINFO", 8)
        s.setsockopt(socket.IPPROTO_IP, pktinfo, 1)
        payload = b"x" * size
        addr = (host, port)
        sendto = s.sendto
        recvmsg = s.recvmsg
        space = socket.CMSG_SPACE(12)
        want = (socket.IPPROTO_IP, pktinfo)
        local = socket.inet_aton(host)
        timeout = socket.timeout
        t0 = perf_counter()
        for _ in range(n):
            sendto(payload, addr)
            try:
                _, anc, _, _ = recvmsg(65536, space)
            except timeout:
                lost += 1
                continue
            level, kind, data = anc[0]
            # struct in_pktinfo: ifindex, spec_dst, addr (the destination).
            if (level, kind) != want or data[8:12] != local:
                raise ValueError("no IP_PKTINFO for %r" % (anc,))
        elapsed = perf_counter() - t0
    finally:
        s.close()
    if lost:
        print("udp-pktinfo: %d of %d datagrams lost" % (lost, n), file=sys.stderr)
    return n / elapsed


def hold(host, port, n, size):
    s = socket.socket(_family(host), socket.SOCK_STREAM)
    try:
        s.connect(_address(host, port))
        print("ready", flush=True)
        s.recv(1)
    finally:
        s.close()
    return 0.0


WORKLOADS = {
    "hold": hold,
    "pingpong": pingpong,
    "bulk-up": bulk_up,
    "bulk-down": bulk_down,
    "connect": connect,
    "udp": udp,
    "udp-pktinfo": udp_pktinfo,
}


def main(argv):
    if len(argv) != 6 or argv[1] not in WORKLOADS:
        print("usage: %s {%s} HOST PORT N SIZE"
              % (argv[0], "|".join(WORKLOADS)), file=sys.stderr)
        return 1
    host = argv[2]
    port, n, size = int(argv[3]), int(argv[4]), int(argv[5])
    if n <= 0:
        raise ValueError("N must be positive")
    if size <= 0 and argv[1] not in ("connect", "hold"):
        raise ValueError("SIZE must be positive")
    result = WORKLOADS[argv[1]](host, port, n, size)
    print("result %r" % float(result))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except SystemExit:
        raise
    except BaseException:
        traceback.print_exc()
        sys.exit(1)
