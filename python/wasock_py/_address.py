"""Addresses: Python's address values ⇄ the WIT `socket-address`, as
CPython's `getsockaddrarg` and `makesockaddr` do for each family."""

import ipaddress as _ip

from wit_world.imports import latin1 as _latin1
from wit_world.imports import netdb as _netdb
from wit_world.imports import types as T

from . import _constants as C
from ._errors import call, gai

FAMILY_NAMES = {
    C.AF_INET: "AF_INET", C.AF_INET6: "AF_INET6", C.AF_NETLINK: "AF_NETLINK",
    C.AF_PACKET: "AF_PACKET", C.AF_CAN: "AF_CAN", C.AF_ALG: "AF_ALG",
    C.AF_TIPC: "AF_TIPC", C.AF_QIPCRTR: "AF_QIPCRTR", C.AF_VSOCK: "AF_VSOCK",
    C.AF_BLUETOOTH: "AF_BLUETOOTH",
}

SUN_PATH = 108


# Linux's AF_* numbers ⇄ the WIT enum's cases (whose own values are case
# indices: they agree with Linux only up to AF_LLC).
_TO_WIT = {}
_FROM_WIT = {}
for _case in T.AddressFamily:
    _linux = getattr(C, "AF_DECnet" if _case.name == "DECNET" else "AF_" + _case.name)
    _TO_WIT[_linux] = _case
    _FROM_WIT[_case] = _linux
del _case, _linux


def family_to_wit(family):
    """The WIT family for Linux's AF_* number (None: no such family)."""
    return _TO_WIT.get(family)


def family_from_wit(case):
    """Linux's AF_* number for a WIT family."""
    return _FROM_WIT[case]


def ipv4_text(a):
    return "%d.%d.%d.%d" % tuple(a)


def ipv6_text(words):
    packed = b"".join(w.to_bytes(2, "big") for w in words)
    return str(_ip.IPv6Address(packed))


def ip_text(ip):
    if isinstance(ip, T.IpAddress_Ipv4):
        return ipv4_text(ip.value)
    return ipv6_text(ip.value)


def ipv6_words(packed):
    return tuple(int.from_bytes(packed[i:i + 2], "big") for i in range(0, 16, 2))


def _parse_v4(host):
    """Strict dotted quad (inet_pton)."""
    parts = host.split(".")
    if len(parts) != 4:
        return None
    out = []
    for p in parts:
        if not p.isdigit() or not p.isascii() or len(p) > 3 or (len(p) > 1 and p[0] == "0"):
            return None
        v = int(p)
        if v > 255:
            return None
        out.append(v)
    return tuple(out)


def _parse_v6(host):
    if not host.isascii() or "%" in host:
        return None
    try:
        return ipv6_words(_ip.IPv6Address(host).packed)
    except ValueError:
        return None


def _first(results):
    for r in results:
        a = r.address
        if isinstance(a, T.SocketAddress_Inet):
            return T.IpAddress_Ipv4(a.value.address)
        if isinstance(a, T.SocketAddress_Inet6):
            return T.IpAddress_Ipv6(a.value.address)
    raise gai(-2)


def resolve_host(host, family):
    """CPython's `setipaddr`: '' is the wildcard, '<broadcast>' the
    broadcast address, numeric hosts are parsed here, other names go to
    the host's getaddrinfo (first result)."""
    if "\0" in host:
        raise TypeError("host name must not contain null character")
    if host == "":
        if family == C.AF_INET:
            return T.IpAddress_Ipv4((0, 0, 0, 0))
        if family == C.AF_INET6:
            return T.IpAddress_Ipv6((0,) * 8)
        raise OSError("wildcard resolved to multiple address")
    if host == "<broadcast>":
        if family in (C.AF_INET, C.AF_UNSPEC):
            return T.IpAddress_Ipv4((255, 255, 255, 255))
        raise OSError("address family mismatched")
    if family in (C.AF_INET, C.AF_UNSPEC):
        a = _parse_v4(host)
        if a is not None:
            return T.IpAddress_Ipv4(a)
    if family in (C.AF_INET6, C.AF_UNSPEC):
        w = _parse_v6(host)
        if w is not None:
            return T.IpAddress_Ipv6(w)
    base, _, scope = host.partition("%")
    if family == C.AF_INET6 and scope.isdigit() and _parse_v6(base) is not None:
        return T.IpAddress_Ipv6(_parse_v6(base))
    if family == C.AF_INET6 and _parse_v4(host) is not None:
        raise gai(-9)
    if family == C.AF_INET and (_parse_v6(base) is not None):
        raise gai(-9)
    try:
        name = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        name = host
    hints = T.AddressInfoHints(
        family_to_wit(family) or T.AddressFamily.UNSPEC, None, 0, T.AddressInfoFlags(0)
    )
    return _first(call(_netdb.getaddrinfo, name, None, hints))


def _port(port, caller):
    if not isinstance(port, int):
        raise TypeError(f"'{type(port).__name__}' object cannot be interpreted as an integer")
    if not 0 <= port <= 65535:
        raise OverflowError(f"{caller}(): port must be 0-65535.")
    return port


def _host(host):
    if isinstance(host, str):
        return host
    if isinstance(host, (bytes, bytearray)):
        return bytes(host).decode("ascii", "replace")
    raise TypeError(f"str, bytes or bytearray expected, not {type(host).__name__}")


def _unix_parts(addr):
    """An AF_UNIX address checked as CPython checks it: ("unnamed", b""),
    ("abstract", name without its NUL) or ("pathname", path)."""
    if isinstance(addr, str):
        path = addr.encode("utf-8", "surrogateescape")
    elif isinstance(addr, (bytes, bytearray, memoryview)):
        path = bytes(addr)
    else:
        raise TypeError(
            f"a bytes-like object is required, not '{type(addr).__name__}'"
        )
    if not path:
        return "unnamed", path
    if path[0] == 0:
        if len(path) > SUN_PATH:
            raise OSError("AF_UNIX path too long")
        return "abstract", path[1:]
    if len(path) >= SUN_PATH:
        raise OSError("AF_UNIX path too long")
    if 0 in path:
        raise ValueError("embedded null byte")
    return "pathname", path


def _unix_to_wit(addr):
    kind, path = _unix_parts(addr)
    if kind == "unnamed":
        return T.SocketAddress_Unix(T.UnixAddress_Unnamed())
    if kind == "abstract":
        return T.SocketAddress_Unix(T.UnixAddress_Abstract(path))
    return T.SocketAddress_Unix(T.UnixAddress_Pathname(path))


def unix_name(addr):
    """An AF_UNIX address as the `latin1` interface's `unix-name`, its name
    as Latin-1 text: componentize-py keeps every `list<u8>` argument of a
    call, so a path passed as bytes would be kept once per call."""
    kind, path = _unix_parts(addr)
    if kind == "unnamed":
        return _latin1.UnixName_Unnamed()
    if kind == "abstract":
        return _latin1.UnixName_Abstract(str(path, "latin-1"))
    return _latin1.UnixName_Pathname(str(path, "latin-1"))


def _tuple_of(addr, family, caller):
    if not isinstance(addr, tuple):
        raise TypeError(
            f"{caller}(): {FAMILY_NAMES.get(family, 'AF_?')} address must be tuple, not {type(addr).__name__}"
        )
    return addr


def to_wit(addr, family, caller):
    """A Python address for a socket of ``family`` as the WIT address."""
    if family == C.AF_UNIX:
        return _unix_to_wit(addr)
    if family == C.AF_INET:
        _tuple_of(addr, family, caller)
        if len(addr) != 2:
            raise TypeError("AF_INET address must be a pair (host, port)")
        host, port = addr
        ip = resolve_host(_host(host), C.AF_INET)
        port = _port(port, caller)
        if not isinstance(ip, T.IpAddress_Ipv4):
            raise gai(-9)
        return T.SocketAddress_Inet(T.Ipv4SocketAddress(port, ip.value))
    if family == C.AF_INET6:
        _tuple_of(addr, family, caller)
        if not 2 <= len(addr) <= 4:
            raise TypeError(
                f"AF_INET6 address must be a tuple (host, port[, flowinfo[, scopeid]])"
            )
        host, port = addr[0], addr[1]
        flow = addr[2] if len(addr) > 2 else 0
        scope = addr[3] if len(addr) > 3 else 0
        port = _port(port, caller)
        if not 0 <= flow <= 0xFFFFF:
            raise OverflowError(f"{caller}(): flowinfo must be 0-1048575.")
        ip = resolve_host(_host(host), C.AF_INET6)
        if not isinstance(ip, T.IpAddress_Ipv6):
            raise gai(-9)
        return T.SocketAddress_Inet6(T.Ipv6SocketAddress(port, flow, ip.value, scope))
    if family == C.AF_NETLINK:
        _tuple_of(addr, family, caller)
        if len(addr) != 2:
            raise TypeError("AF_NETLINK address must be a pair (pid, groups)")
        return T.SocketAddress_Netlink(T.NetlinkAddress(int(addr[0]), int(addr[1])))
    if family == C.AF_PACKET:
        _tuple_of(addr, family, caller)
        if not 2 <= len(addr) <= 5:
            raise TypeError("AF_PACKET address must be a tuple of two to five elements")
        ifname, proto = addr[0], addr[1]
        pkttype = addr[2] if len(addr) > 2 else 0
        hatype = addr[3] if len(addr) > 3 else 0
        haddr = bytes(addr[4]) if len(addr) > 4 else b""
        if not 0 <= proto <= 0xFFFF:
            raise OverflowError(f"{caller}(): proto must be 0-65535.")
        return T.SocketAddress_Packet(T.PacketAddress(str(ifname), proto, pkttype, hatype, haddr))
    if family == C.AF_CAN:
        _tuple_of(addr, family, caller)
        ifname = addr[0] if addr else ""
        if isinstance(ifname, bytes):
            ifname = ifname.decode()
        return T.SocketAddress_Can(T.CanAddress_Raw(ifname))
    if family == C.AF_ALG:
        _tuple_of(addr, family, caller)
        if not 2 <= len(addr) <= 4:
            raise TypeError("AF_ALG address must be a tuple (type, name[, feat[, mask]])")
        feat = addr[2] if len(addr) > 2 else 0
        mask = addr[3] if len(addr) > 3 else 0
        return T.SocketAddress_Alg(T.AlgAddress(addr[0], addr[1], feat, mask))
    if family == C.AF_VSOCK:
        if not isinstance(addr, tuple):
            raise TypeError(
                f"getsockaddrarg: AF_VSOCK address must be tuple, not {type(addr).__name__}"
            )
        return T.SocketAddress_Vsock(T.VsockAddress(int(addr[0]), int(addr[1])))
    if family == C.AF_QIPCRTR:
        _tuple_of(addr, family, caller)
        return T.SocketAddress_Qipcrtr(T.QipcrtrAddress(int(addr[0]), int(addr[1])))
    raise OSError(f"{caller}(): bad family")


def from_wit(a):
    """A WIT address as CPython's `makesockaddr` value."""
    if a is None:
        return None
    if isinstance(a, T.SocketAddress_Inet):
        return (ipv4_text(a.value.address), a.value.port)
    if isinstance(a, T.SocketAddress_Inet6):
        v = a.value
        return (ipv6_text(v.address), v.port, v.flow_info, v.scope_id)
    if isinstance(a, T.SocketAddress_Unix):
        u = a.value
        if isinstance(u, T.UnixAddress_Pathname):
            return u.value.decode("utf-8", "surrogateescape")
        if isinstance(u, T.UnixAddress_Abstract):
            return b"\0" + u.value
        return ""
    if isinstance(a, T.SocketAddress_Netlink):
        return (a.value.pid, a.value.groups)
    if isinstance(a, T.SocketAddress_Packet):
        p = a.value
        return (p.interface, p.protocol, p.packet_type, p.hardware_type, bytes(p.hardware_address))
    if isinstance(a, T.SocketAddress_Can):
        c = a.value
        if isinstance(c, T.CanAddress_Raw):
            return (c.value,)
        return tuple(getattr(c, "value", ()) or ())
    if isinstance(a, T.SocketAddress_Alg):
        return (a.value.algorithm_type, a.value.name)
    if isinstance(a, T.SocketAddress_Vsock):
        return (a.value.cid, a.value.port)
    if isinstance(a, T.SocketAddress_Qipcrtr):
        return (a.value.node, a.value.port)
    if isinstance(a, T.SocketAddress_Tipc):
        return tuple(vars(a.value).values())
    if isinstance(a, T.SocketAddress_Bluetooth):
        return tuple(vars(a.value).values()) if hasattr(a.value, "__dict__") else a.value
    return None
