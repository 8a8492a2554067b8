"""The reference for tests/guests/src/bin/families.rs: the families beyond
inet/inet6/unix in CPython (netlink interface dump, packet and vsock
sockets' names, raw ICMP echo to 127.0.0.1, and the families this kernel
lacks). Prints one line per step."""
import struct
from socket import *


def exc(e):
    return f"{type(e).__name__}: {e}"


def show(name, f):
    try:
        print(f"{name}: ok {f()!r}")
    except OSError as e:
        print(f"{name}: {exc(e)}")


# Families this kernel may lack: exactly the kernel's errno.
for name, args in (("can-raw", (AF_CAN, SOCK_RAW, CAN_RAW)), ("can-isotp", (AF_CAN, SOCK_DGRAM, CAN_ISOTP)),
                   ("can-j1939", (AF_CAN, SOCK_DGRAM, CAN_J1939)), ("alg", (AF_ALG, SOCK_SEQPACKET, 0)),
                   ("tipc", (AF_TIPC, SOCK_RDM, 0)), ("qipcrtr", (AF_QIPCRTR, SOCK_DGRAM, 0)),
                   ("bluetooth", (31, SOCK_STREAM, 3)), ("key", (AF_KEY, SOCK_RAW, 2)),
                   ("rds", (AF_RDS, SOCK_SEQPACKET, 0))):
    def make():
        s = socket(*args)
        r = (int(s.family), int(s.type), s.proto)
        s.close()
        return r
    show(f"socket {name}", make)

# Interface queries (fcntl.ioctl with a struct ifreq).
import fcntl
q = socket(AF_INET, SOCK_DGRAM)
for rname, req, arg in (("SIOCGIFINDEX", 0x8933, b"lo"), ("SIOCGIFFLAGS", 0x8913, b"lo"),
                        ("SIOCGIFADDR", 0x8915, b"lo"), ("SIOCGIFNETMASK", 0x891b, b"lo"),
                        ("SIOCGIFMTU", 0x8921, b"lo"), ("SIOCGIFHWADDR", 0x8927, b"lo"),
                        ("SIOCGIFINDEX", 0x8933, b"nosuchif0")):
    show(f"ifreq {rname} {arg.decode()}", lambda: fcntl.ioctl(q, req, struct.pack("16s24x", arg)))
show("ifreq SIOCGIFNAME 1", lambda: fcntl.ioctl(q, 0x8910, struct.pack("16si20x", b"", 1)))
q.close()

# Netlink: bind, getsockname, an RTM_GETLINK dump.
nl = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE)
show("netlink family", lambda: (int(nl.family), int(nl.type), nl.proto))
show("netlink bind", lambda: nl.bind((0, 0)))
show("netlink name", lambda: (lambda a: (a[0] > 0, a[1]))(nl.getsockname()))
req = struct.pack("=IHHII", 32, 18, 0x301, 1, 0) + struct.pack("=BBHiII", 0, 0, 0, 0, 0, 0)
show("netlink send", lambda: nl.send(req))
names = []
done = False
for _ in range(100):
    if done:
        break
    data = nl.recv(65536)
    off = 0
    while off + 16 <= len(data):
        mlen, mtype = struct.unpack_from("=IH", data, off)
        if mtype == 3:
            done = True
            break
        if mtype == 16:
            a = off + 32
            while a + 4 <= off + mlen:
                alen, atype = struct.unpack_from("=HH", data, a)
                if alen < 4:
                    break
                if atype == 3:
                    names.append(data[a + 4:a + alen].rstrip(b"\0").decode())
                a += (alen + 3) & ~3
        off += (mlen + 3) & ~3
print(f"netlink interfaces: {sorted(names)!r}")
nl.close()

# Packet: names before and after bind to lo.
pk = socket(AF_PACKET, SOCK_RAW, htons(0x0003))
show("packet family", lambda: (int(pk.family), int(pk.type), pk.proto))
show("packet name", pk.getsockname)
show("packet bind", lambda: pk.bind(("lo", 0x0003)))
show("packet name bound", pk.getsockname)
show("packet bind unknown", lambda: pk.bind(("nosuchif0", 0x0003)))
pk.close()
pd = socket(AF_PACKET, SOCK_DGRAM, htons(0x0800))
show("packet dgram name", pd.getsockname)
pd.close()

# Vsock: the socket and its name only (nothing is ever connected).
vs = socket(AF_VSOCK, SOCK_STREAM)
show("vsock family", lambda: (int(vs.family), int(vs.type), vs.proto))
show("vsock name", vs.getsockname)
show("vsock local cid", lambda: fcntl.ioctl(vs, IOCTL_VM_SOCKETS_GET_LOCAL_CID, bytes(4)))
vs.close()

# MPTCP (protocol 262)
show("mptcp", lambda: (lambda s: (int(s.family), int(s.type), s.proto, s.getsockopt(SOL_SOCKET, SO_PROTOCOL)))(
    socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP)))


# Raw ICMP echo to 127.0.0.1.
def checksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(f"!{len(b) // 2}H", b))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


ic = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)
show("icmp family", lambda: (int(ic.family), int(ic.type), ic.proto))
body = struct.pack("!HH", 0x4242, 1) + b"wasock-ping"
pkt = struct.pack("!BBH", 8, 0, 0) + body
pkt = struct.pack("!BBH", 8, 0, checksum(pkt)) + body
show("icmp sendto", lambda: ic.sendto(pkt, ("127.0.0.1", 0)))
ic.settimeout(10)
for _ in range(10):
    data, addr = ic.recvfrom(2048)
    ihl = (data[0] & 15) * 4
    t, c = data[ihl], data[ihl + 1]
    ident = struct.unpack_from("!H", data, ihl + 4)[0]
    if t == 0 and ident == 0x4242:
        print(f"icmp reply: type {t} code {c} from {addr!r} payload {data[ihl + 8:]!r}")
        break
ic.close()
print("done")
