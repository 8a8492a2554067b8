"""wasock's `_socket`: CPython's C-level socket module, in Python, over the
wasock WIT.

The standard library's own ``socket.py`` runs unchanged on top of it
(``bootstrap.install`` puts this module in ``sys.modules['_socket']``
before anything imports ``socket``). Each method names the system call the
host makes for it. Descriptors are small integers the runtime hands out
(``fileno()``), each naming a host socket handle; the host never shows a
guest a real descriptor.
"""

import math as _math
import struct as _struct

from wit_world.imports import ancillary as _anc
from wit_world.imports import latin1 as _latin1
from wit_world.imports import netdb as _netdb
from wit_world.imports import options as _opt
from wit_world.imports import socket as _wsock
from wit_world.imports import types as _T

from . import _address as _addr
from . import _constants as _C
from ._constants import *  # noqa: F401,F403  (Linux's values)

del NAMES  # noqa: F821  (the table's index, not a constant)
from ._errors import call as _call
from ._errors import gaierror, herror, os_error as _os_error, timed_out as _timed_out  # noqa: F401
from ._errors import gai as _gai
from ._errors import guest_errno as _guest_errno

error = OSError
timeout = TimeoutError
has_ipv6 = True
CAPI = None

# ---------------------------------------------------------------- handles

_HANDLES = {}  # fd -> WIT socket
_next_fd = [3]


def _new_fd(handle):
    fd = _next_fd[0]
    while fd in _HANDLES:
        fd += 1
    _next_fd[0] = fd + 1
    _HANDLES[fd] = handle
    return fd


def _handle(fd):
    h = _HANDLES.get(fd)
    if h is None:
        raise _os_error(9)
    return h


def _drop(fd):
    h = _HANDLES.pop(fd, None)
    if h is not None:
        try:
            h.__exit__(None, None, None)
        except Exception:
            pass
    if fd < _next_fd[0]:
        _next_fd[0] = max(3, fd)


def is_socket_fd(fd):
    """Whether ``fd`` names a wasock socket (used by select and os)."""
    return fd in _HANDLES


def handle_of(fd):
    """The WIT socket of a descriptor (select, ancillary data)."""
    return _handle(fd)


# ---------------------------------------------------------------- conversions

_MSG_PAIRS = (
    (_C.MSG_OOB, _T.MsgFlags.OOB), (_C.MSG_PEEK, _T.MsgFlags.PEEK),
    (_C.MSG_DONTROUTE, _T.MsgFlags.DONTROUTE), (_C.MSG_CTRUNC, _T.MsgFlags.CTRUNC),
    (_C.MSG_TRUNC, _T.MsgFlags.TRUNC), (_C.MSG_DONTWAIT, _T.MsgFlags.DONTWAIT),
    (_C.MSG_EOR, _T.MsgFlags.EOR), (_C.MSG_WAITALL, _T.MsgFlags.WAITALL),
    (_C.MSG_CONFIRM, _T.MsgFlags.CONFIRM), (_C.MSG_ERRQUEUE, _T.MsgFlags.ERRQUEUE),
    (_C.MSG_NOSIGNAL, _T.MsgFlags.NOSIGNAL), (_C.MSG_MORE, _T.MsgFlags.MORE),
    (_C.MSG_FASTOPEN, _T.MsgFlags.FASTOPEN),
)


def _int(v, what="an integer"):
    if isinstance(v, bool) or not hasattr(v, "__index__"):
        if isinstance(v, float):
            raise TypeError("'float' object cannot be interpreted as an integer")
        raise TypeError(f"'{type(v).__name__}' object cannot be interpreted as an integer")
    return v.__index__()


# The WIT flags are `enum.Flag` classes, whose `&` and `|` run in Python
# (about a microsecond each here); these conversions work on the members'
# integer values (`_value_`) and keep the Flag values they make.
_MSG_BITS = tuple((bit, f._value_) for bit, f in _MSG_PAIRS)
_TO_WIT = {}
_FROM_WIT = {}


def _flags(flags):
    flags = _int(flags)
    out = _TO_WIT.get(flags)
    if out is None:
        v = 0
        for bit, w in _MSG_BITS:
            if flags & bit:
                v |= w
        out = _T.MsgFlags(v)
        if len(_TO_WIT) < 256:
            _TO_WIT[flags] = out
    return out


def _flags_from(wflags):
    v = wflags._value_
    out = _FROM_WIT.get(v)
    if out is None:
        out = 0
        for bit, w in _MSG_BITS:
            if v & w:
                out |= bit
        if len(_FROM_WIT) < 256:
            _FROM_WIT[v] = out
    return out


def _timeout_ns(t):
    if t is None:
        return None
    return int(round(t * 1e9))


def _check_timeout(value):
    if value is None:
        return None
    if not isinstance(value, (int, float)) or isinstance(value, bool) and False:
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise TypeError(
                f"'{type(value).__name__}' object cannot be interpreted as an integer or float"
            ) from None
    value = float(value)
    if _math.isnan(value):
        raise ValueError("Invalid value NaN (not a number)")
    if value < 0:
        raise ValueError("Timeout value out of range")
    if value * 1e9 > 2**63 - 1:
        raise OverflowError("timeout doesn't fit into C timeval")
    return value


_default_timeout = [None]


def getdefaulttimeout():
    """The default timeout of new sockets (None: blocking)."""
    return _default_timeout[0]


def setdefaulttimeout(timeout):
    """Sets the default timeout of new sockets."""
    _default_timeout[0] = _check_timeout(timeout)


def _bytes_like(data):
    # bytes go to the WIT call as they are; other buffers are copied once.
    if type(data) is bytes:
        return data
    if isinstance(data, str):
        raise TypeError(f"a bytes-like object is required, not 'str'")
    try:
        return memoryview(data).cast("B").tobytes()
    except TypeError:
        raise TypeError(
            f"a bytes-like object is required, not '{type(data).__name__}'"
        ) from None


def _text(data):
    # The data as Latin-1 text, one character per byte, for the `latin1`
    # sends: componentize-py 0.25 frees a string argument when the call
    # returns but never a bytes one, so sending bytes would grow the
    # guest's memory by all it sends (docs/architecture.md, "Python
    # guests"). str() decodes any contiguous buffer without a bytes copy.
    t = type(data)
    if t is bytes or t is bytearray:
        return str(data, "latin-1")
    return str(_bytes_like(data), "latin-1")


# Typed options: (level, optname) -> (WIT name, shape). Others go to the
# host's raw path (its allow-list) or answer as the kernel does.
_B, _I, _LINGER, _TV, _CRED, _MREQ, _MREQ6, _TEXT, _BYTES = range(9)
_SOL_IP, _SOL_TCP, _SOL_UDP, _SOL_IPV6 = 0, 6, 17, 41
_O = _T.OptionName
_OPTIONS = {
    (1, 1): (_O.SO_DEBUG, _B), (1, 2): (_O.SO_REUSEADDR, _B), (1, 3): (_O.SO_TYPE, _I),
    (1, 4): (_O.SO_ERROR, _I), (1, 5): (_O.SO_DONTROUTE, _B), (1, 6): (_O.SO_BROADCAST, _B),
    (1, 7): (_O.SO_SNDBUF, _I), (1, 8): (_O.SO_RCVBUF, _I), (1, 9): (_O.SO_KEEPALIVE, _B),
    (1, 10): (_O.SO_OOBINLINE, _B), (1, 12): (_O.SO_PRIORITY, _I),
    (1, 13): (_O.SO_LINGER, _LINGER), (1, 15): (_O.SO_REUSEPORT, _B),
    (1, 16): (_O.SO_PASSCRED, _B), (1, 17): (_O.SO_PEERCRED, _CRED),
    (1, 18): (_O.SO_RCVLOWAT, _I), (1, 19): (_O.SO_SNDLOWAT, _I),
    (1, 20): (_O.SO_RCVTIMEO, _TV), (1, 21): (_O.SO_SNDTIMEO, _TV),
    (1, 25): (_O.SO_BINDTODEVICE, _TEXT), (1, 29): (_O.SO_TIMESTAMP, _B),
    (1, 30): (_O.SO_ACCEPTCONN, _B), (1, 35): (_O.SO_TIMESTAMPNS, _B),
    (1, 36): (_O.SO_MARK, _I), (1, 38): (_O.SO_PROTOCOL, _I), (1, 39): (_O.SO_DOMAIN, _I),
    (1, 49): (_O.SO_INCOMING_CPU, _I),
    (6, 1): (_O.TCP_NODELAY, _B), (6, 2): (_O.TCP_MAXSEG, _I), (6, 3): (_O.TCP_CORK, _B),
    (6, 4): (_O.TCP_KEEPIDLE, _I), (6, 5): (_O.TCP_KEEPINTVL, _I), (6, 6): (_O.TCP_KEEPCNT, _I),
    (6, 7): (_O.TCP_SYNCNT, _I), (6, 8): (_O.TCP_LINGER2, _I),
    (6, 9): (_O.TCP_DEFER_ACCEPT, _I), (6, 10): (_O.TCP_WINDOW_CLAMP, _I),
    (6, 11): (_O.TCP_INFO, _BYTES), (6, 12): (_O.TCP_QUICKACK, _B),
    (6, 13): (_O.TCP_CONGESTION, _TEXT), (6, 18): (_O.TCP_USER_TIMEOUT, _I),
    (6, 23): (_O.TCP_FASTOPEN, _I), (6, 25): (_O.TCP_NOTSENT_LOWAT, _I),
    (0, 1): (_O.IP_TOS, _I), (0, 2): (_O.IP_TTL, _I), (0, 3): (_O.IP_HDRINCL, _B),
    (0, 4): (_O.IP_OPTIONS, _BYTES), (0, 8): (_O.IP_PKTINFO, _B),
    (0, 10): (_O.IP_MTU_DISCOVER, _I), (0, 11): (_O.IP_RECVERR, _B),
    (0, 12): (_O.IP_RECVTTL, _B), (0, 13): (_O.IP_RECVTOS, _B), (0, 14): (_O.IP_MTU, _I),
    (0, 15): (_O.IP_FREEBIND, _B), (0, 19): (_O.IP_TRANSPARENT, _B),
    (0, 24): (_O.IP_BIND_ADDRESS_NO_PORT, _B),
    (0, 33): (_O.IP_MULTICAST_TTL, _I), (0, 34): (_O.IP_MULTICAST_LOOP, _B),
    (0, 35): (_O.IP_ADD_MEMBERSHIP, _MREQ), (0, 36): (_O.IP_DROP_MEMBERSHIP, _MREQ),
    (41, 16): (_O.IPV6_UNICAST_HOPS, _I), (41, 17): (_O.IPV6_MULTICAST_IF, _I),
    (41, 18): (_O.IPV6_MULTICAST_HOPS, _I), (41, 19): (_O.IPV6_MULTICAST_LOOP, _B),
    (41, 20): (_O.IPV6_JOIN_GROUP, _MREQ6), (41, 21): (_O.IPV6_LEAVE_GROUP, _MREQ6),
    (41, 23): (_O.IPV6_MTU_DISCOVER, _I), (41, 24): (_O.IPV6_MTU, _I),
    (41, 25): (_O.IPV6_RECVERR, _B), (41, 26): (_O.IPV6_V6ONLY, _B),
    (41, 49): (_O.IPV6_RECVPKTINFO, _B), (41, 51): (_O.IPV6_RECVHOPLIMIT, _B),
    (41, 62): (_O.IPV6_DONTFRAG, _B), (41, 66): (_O.IPV6_RECVTCLASS, _B),
    (41, 67): (_O.IPV6_TCLASS, _I),
    (17, 1): (_O.UDP_CORK, _B), (17, 103): (_O.UDP_SEGMENT, _I), (17, 104): (_O.UDP_GRO, _B),
}


def _ne_i32(b, off=0):
    return _struct.unpack_from("=i", b, off)[0]


def _value_to_wit(level, kind, value):
    """A setsockopt value (int or bytes) as the typed WIT value, with the
    kernel's length rules."""
    if isinstance(value, int):
        raw = _struct.pack("=i", value)
    else:
        raw = value

    def as_int(b):
        if len(b) >= 4:
            return _ne_i32(b)
        if level == _SOL_IP and b:
            return b[0]
        raise _os_error(22)

    if kind == _B:
        return _T.OptionValue_Boolean(as_int(raw) != 0)
    if kind == _I:
        return _T.OptionValue_Int(as_int(raw))
    if kind == _LINGER:
        if len(raw) < 8:
            raise _os_error(22)
        on, secs = _struct.unpack_from("=ii", raw)
        return _T.OptionValue_Linger(_T.Linger(on != 0, secs))
    if kind == _TV:
        if len(raw) < 16:
            raise _os_error(22)
        sec, usec = _struct.unpack_from("=qq", raw)
        if not 0 <= usec < 1_000_000:
            raise _os_error(33)
        if sec < 0:
            d = 0
        elif sec == 0 and usec == 0:
            d = None
        else:
            d = sec * 1_000_000_000 + usec * 1000
        return _T.OptionValue_Duration(d)
    if kind == _CRED:
        if len(raw) < 12:
            raise _os_error(22)
        pid, uid, gid = _struct.unpack_from("=iII", raw)
        return _T.OptionValue_Credentials(_T.Credentials(pid, uid, gid))
    if kind == _MREQ:
        if len(raw) < 8:
            raise _os_error(22)
        index = _struct.unpack_from("=i", raw, 8)[0] if len(raw) >= 12 else 0
        return _T.OptionValue_Ipv4Membership(
            _T.Ipv4Membership(tuple(raw[0:4]), tuple(raw[4:8]), index & 0xFFFFFFFF)
        )
    if kind == _MREQ6:
        if len(raw) < 20:
            raise _os_error(22)
        return _T.OptionValue_Ipv6Membership(
            _T.Ipv6Membership(_addr.ipv6_words(raw[0:16]), _struct.unpack_from("=I", raw, 16)[0])
        )
    if kind == _TEXT:
        if isinstance(value, int):
            raise _os_error(22)
        end = raw.find(b"\0")
        return _T.OptionValue_Text(raw[: end if end >= 0 else len(raw)].decode("utf-8", "replace"))
    return _T.OptionValue_Bytes(bytes(raw))


def _value_bytes(name, v):
    """A WIT option value packed as getsockopt(2) writes it."""
    if isinstance(v, _T.OptionValue_Boolean):
        return _struct.pack("=i", int(v.value))
    if isinstance(v, _T.OptionValue_Int):
        return _struct.pack("=i", v.value)
    if isinstance(v, _T.OptionValue_Linger):
        return _struct.pack("=ii", int(v.value.enabled), v.value.seconds)
    if isinstance(v, _T.OptionValue_Duration):
        ns = v.value or 0
        return _struct.pack("=qq", ns // 1_000_000_000, (ns % 1_000_000_000) // 1000)
    if isinstance(v, _T.OptionValue_Credentials):
        c = v.value
        return _struct.pack("=iII", c.pid, c.uid, c.gid)
    if isinstance(v, _T.OptionValue_Ipv4Address):
        return bytes(v.value)
    if isinstance(v, _T.OptionValue_Ipv4Membership):
        m = v.value
        return bytes(m.group) + bytes(m.interface_address) + _struct.pack("=I", m.interface_index)
    if isinstance(v, _T.OptionValue_Ipv6Membership):
        m = v.value
        return b"".join(w.to_bytes(2, "big") for w in m.group) + _struct.pack("=I", m.interface_index)
    if isinstance(v, _T.OptionValue_Text):
        b = v.value.encode() + b"\0"
        if name == _O.TCP_CONGESTION and len(b) < 16:
            b = b.ljust(16, b"\0")
        return b
    return bytes(v.value)


def _value_int(name, v):
    if isinstance(v, _T.OptionValue_Boolean):
        return int(v.value)
    if isinstance(v, _T.OptionValue_Int):
        # SO_ERROR holds an errno: this build's number for it.
        return _guest_errno(v.value) if name == _O.SO_ERROR else v.value
    if isinstance(v, _T.OptionValue_Text) and name == _O.SO_BINDTODEVICE:
        raise _os_error(22)
    b = _value_bytes(name, v).ljust(4, b"\0")
    return _ne_i32(b)


# ---------------------------------------------------------------- ancillary

_SCM_TIMESTAMP, _SCM_TIMESTAMPNS = 29, 35


def _recv_cmsg(m):
    """A received WIT control message as Python's (level, type, data)."""
    A = _anc
    if isinstance(m, A.RecvControlMessage_Rights):
        fds = [_new_fd(h) for h in m.value]
        return (_C.SOL_SOCKET, _C.SCM_RIGHTS, _struct.pack("=%di" % len(fds), *fds))
    if isinstance(m, A.RecvControlMessage_Credentials):
        c = m.value
        return (_C.SOL_SOCKET, _C.SCM_CREDENTIALS, _struct.pack("=iII", c.pid, c.uid, c.gid))
    if isinstance(m, A.RecvControlMessage_Ipv4PacketInfo):
        p = m.value
        return (_SOL_IP, 8, _struct.pack("=i", p.interface_index) + bytes(p.local_address)
                + bytes(p.destination_address))
    if isinstance(m, A.RecvControlMessage_Ipv6PacketInfo):
        p = m.value
        return (_SOL_IPV6, 50, b"".join(w.to_bytes(2, "big") for w in p.address)
                + _struct.pack("=I", p.interface_index))
    if isinstance(m, A.RecvControlMessage_Ipv4Ttl):
        return (_SOL_IP, 2, _struct.pack("=i", m.value))
    if isinstance(m, A.RecvControlMessage_Ipv4Tos):
        return (_SOL_IP, 1, bytes([m.value]))
    if isinstance(m, A.RecvControlMessage_Ipv6HopLimit):
        return (_SOL_IPV6, 52, _struct.pack("=i", m.value))
    if isinstance(m, A.RecvControlMessage_Ipv6TrafficClass):
        return (_SOL_IPV6, 67, _struct.pack("=i", m.value))
    if isinstance(m, A.RecvControlMessage_Timestamp):
        t = m.value
        return (_C.SOL_SOCKET, _SCM_TIMESTAMP, _struct.pack("=qq", t.seconds, t.nanoseconds // 1000))
    if isinstance(m, A.RecvControlMessage_TimestampNs):
        t = m.value
        return (_C.SOL_SOCKET, _SCM_TIMESTAMPNS, _struct.pack("=qq", t.seconds, t.nanoseconds))
    if isinstance(m, A.RecvControlMessage_UdpGro):
        return (_SOL_UDP, 104, _struct.pack("=i", m.value))
    u = m.value
    return (u.level, u.message_type, bytes(u.data))


def _send_cmsg(level, kind, data):
    """Python's (level, type, data) as the typed WIT control message."""
    A = _anc

    def int4(d):
        if len(d) != 4:
            raise _os_error(22)
        return _ne_i32(d)

    if (level, kind) == (_C.SOL_SOCKET, _C.SCM_RIGHTS):
        if len(data) % 4:
            raise _os_error(22)
        fds = _struct.unpack("=%di" % (len(data) // 4), data)
        return A.SendControlMessage_Rights([_handle(fd) for fd in fds])
    if (level, kind) == (_C.SOL_SOCKET, _C.SCM_CREDENTIALS):
        if len(data) != 12:
            raise _os_error(22)
        return A.SendControlMessage_Credentials(_T.Credentials(*_struct.unpack("=iII", data)))
    if (level, kind) == (_SOL_IP, 8):
        if len(data) != 12:
            raise _os_error(22)
        return A.SendControlMessage_Ipv4PacketInfo(
            _T.Ipv4PacketInfo(_ne_i32(data) & 0xFFFFFFFF, tuple(data[4:8]), tuple(data[8:12]))
        )
    if (level, kind) == (_SOL_IP, 2):
        t = int4(data)
        if not 1 <= t <= 255:
            raise _os_error(22)
        return A.SendControlMessage_Ipv4Ttl(t)
    if (level, kind) == (_SOL_IP, 1):
        t = data[0] if len(data) == 1 else int4(data)
        if not 0 <= t <= 255:
            raise _os_error(22)
        return A.SendControlMessage_Ipv4Tos(t)
    if (level, kind) == (_SOL_IPV6, 50):
        if len(data) != 20:
            raise _os_error(22)
        return A.SendControlMessage_Ipv6PacketInfo(
            _T.Ipv6PacketInfo(_addr.ipv6_words(data[:16]), _struct.unpack_from("=I", data, 16)[0])
        )
    if (level, kind) == (_SOL_IPV6, 52):
        return A.SendControlMessage_Ipv6HopLimit(int4(data))
    if (level, kind) == (_SOL_IPV6, 67):
        return A.SendControlMessage_Ipv6TrafficClass(int4(data))
    if (level, kind) == (_SOL_UDP, 103):
        if len(data) != 2:
            raise _os_error(22)
        return A.SendControlMessage_UdpSegment(_struct.unpack("=H", data)[0])
    raise _os_error(22)


def CMSG_LEN(length):
    """The cmsg_len of a control message with ``length`` bytes of data."""
    length = _int(length)
    if length < 0 or length > 2**31:
        raise OverflowError("CMSG_LEN() argument out of range")
    return 16 + length


def CMSG_SPACE(length):
    """The buffer space a control message with ``length`` bytes of data takes."""
    length = _int(length)
    if length < 0 or length > 2**31:
        raise OverflowError("CMSG_SPACE() argument out of range")
    return 16 + ((length + 7) & ~7)


# ---------------------------------------------------------------- the socket


class socket:
    """socket(family=AF_INET, type=SOCK_STREAM, proto=0, fileno=None)"""

    __slots__ = ("_fd", "_family", "_type", "_proto", "_timeout")

    def __init__(self, family=-1, type=-1, proto=-1, fileno=None):
        self._fd = -1
        if fileno is not None:
            if isinstance(fileno, float):
                raise TypeError("'float' object cannot be interpreted as an integer")
            fd = _int(fileno)
            if fd < 0:
                raise ValueError("negative file descriptor")
            h = _handle(fd)
            if family == -1:
                family = _addr_family(h)
            if type == -1:
                type = h.socket_type().value + 1
            if proto == -1:
                proto = h.protocol()
            self._fd = fd
        else:
            if family == -1:
                family = _C.AF_INET
            if type == -1:
                type = _C.SOCK_STREAM
            if proto == -1:
                proto = 0
            family, type, proto = _int(family), _int(type), _int(proto)
            base = type & ~(_C.SOCK_NONBLOCK | _C.SOCK_CLOEXEC)
            wfam = _addr.family_to_wit(family)
            if wfam is None:
                raise _os_error(97)
            try:
                wtype = _T.SocketType(base - 1)
            except ValueError:
                raise _os_error(22 if base > 10 or base <= 0 else 94) from None
            h = _call(_wsock.Socket.open, wfam, wtype, proto)
            self._fd = _new_fd(h)
        self._family = family
        self._type = type & ~(_C.SOCK_NONBLOCK | _C.SOCK_CLOEXEC)
        self._proto = proto
        self._timeout = None
        if type & _C.SOCK_NONBLOCK:
            self._set(0.0)
        elif _default_timeout[0] is not None:
            self._set(_default_timeout[0])
        elif fileno is not None:
            # A descriptor from accept or a dup keeps the host's mode for
            # it only when no default applies: CPython makes it blocking.
            self._set(None)

    # -- state

    def _h(self):
        if self._fd < 0:
            raise _os_error(9)
        return _handle(self._fd)

    def _set(self, t):
        _call(self._h().set_timeout, _timeout_ns(t))
        self._timeout = t

    @property
    def family(self):
        """The socket family."""
        return self._family

    @property
    def type(self):
        """The socket type."""
        return self._type

    @property
    def proto(self):
        """The socket protocol."""
        return self._proto

    @property
    def timeout(self):
        """The timeout in seconds (None: blocking)."""
        return self._timeout

    def fileno(self):
        """The socket's descriptor (-1 once closed or detached)."""
        return self._fd

    def close(self):
        """close(2)."""
        fd, self._fd = self._fd, -1
        if fd >= 0:
            _drop(fd)

    def detach(self):
        """Gives up the descriptor without closing it; returns it."""
        fd, self._fd = self._fd, -1
        return fd

    def __del__(self):
        try:
            if self._fd >= 0:
                self.close()
        except Exception:
            pass

    def __repr__(self):
        return (
            f"<socket object, fd={self._fd}, family={self._family}, "
            f"type={self._type}, proto={self._proto}>"
        )

    def __getstate__(self):
        raise TypeError(f"cannot pickle {type(self).__name__!r} object")

    # -- modes

    def settimeout(self, value):
        """Sets the timeout (None: blocking; 0: non-blocking)."""
        self._set(_check_timeout(value))

    def gettimeout(self):
        """The timeout in seconds, or None."""
        return self._timeout

    def setblocking(self, flag):
        """setblocking(True) is settimeout(None); False is settimeout(0)."""
        self._set(None if flag else 0.0)

    def getblocking(self):
        """True in blocking mode (no timeout)."""
        return self._timeout != 0.0 if self._timeout is not None else True

    # -- names

    def bind(self, address):
        """bind(2)."""
        h = self._h()
        if self._family == _C.AF_UNIX:
            _call(_latin1.bind_unix, h, _addr.unix_name(address))
        else:
            _call(h.bind, _addr.to_wit(address, self._family, "bind"))

    def listen(self, backlog=None):
        """listen(2) (default backlog: min(SOMAXCONN, 128))."""
        backlog = min(_C.SOMAXCONN, 128) if backlog is None else _int(backlog)
        _call(self._h().listen, max(0, min(backlog, 2**31 - 1)))

    def _accept(self):
        """accept4(2): (descriptor, address)."""
        h, a = _call(self._h().accept)
        return _new_fd(h), _addr.from_wit(a)

    def _connect_call(self, address, caller):
        """The connect(2) call for ``address`` and its argument (AF_UNIX
        names go as Latin-1 text: see ``_addr.unix_name``)."""
        h = self._h()
        if self._family == _C.AF_UNIX:
            return _latin1.connect_unix, h, _addr.unix_name(address)
        return h.connect, _addr.to_wit(address, self._family, caller)

    def connect(self, address):
        """connect(2)."""
        _call(*self._connect_call(address, "connect"))

    def connect_ex(self, address):
        """connect(2), returning the errno instead of raising (0: done)."""
        call = self._connect_call(address, "connect_ex")
        try:
            _call(*call)
        except TimeoutError as e:
            if e.errno is None:
                return _guest_errno(11)
            return e.errno
        except OSError as e:
            if e.errno is None or isinstance(e, (gaierror, herror)):
                raise
            return e.errno
        return 0

    def getsockname(self):
        """getsockname(2)."""
        return _addr.from_wit(_call(self._h().local_address))

    def getpeername(self):
        """getpeername(2)."""
        return _addr.from_wit(_call(self._h().remote_address))

    def shutdown(self, how):
        """shutdown(2)."""
        how = _int(how)
        try:
            w = _T.ShutdownHow(how)
        except ValueError:
            raise _os_error(22) from None
        _call(self._h().shutdown, w)

    # -- data

    def send(self, data, flags=0):
        """send(2): bytes sent."""
        return _call(_latin1.send, self._h(), _text(data), _flags(flags))

    def sendall(self, data, flags=0):
        """send(2) until everything is sent (one deadline)."""
        _call(_latin1.send_all, self._h(), _text(data), _flags(flags))

    def sendto(self, data, flags_or_address, address=None):
        """sendto(2)."""
        if address is None:
            flags, address = 0, flags_or_address
        else:
            flags = flags_or_address
        data = _text(data)
        if self._family == _C.AF_UNIX:
            name = _addr.unix_name(address)
            return _call(_latin1.send_to_unix, self._h(), data, _flags(flags), name)
        wa = _addr.to_wit(address, self._family, "sendto")
        return _call(_latin1.send_to, self._h(), data, _flags(flags), wa)

    def recv(self, bufsize, flags=0):
        """recv(2)."""
        bufsize = _int(bufsize)
        if bufsize < 0:
            raise ValueError("negative buffersize in recv")
        return bytes(_call(self._h().recv, bufsize, _flags(flags)))

    def recvfrom(self, bufsize, flags=0):
        """recvfrom(2): (data, address)."""
        bufsize = _int(bufsize)
        if bufsize < 0:
            raise ValueError("negative buffersize in recvfrom")
        data, a = _call(self._h().recv_from, bufsize, _flags(flags))
        return bytes(data), _addr.from_wit(a)

    def recv_into(self, buffer, nbytes=0, flags=0):
        """recv(2) into a buffer: bytes received."""
        nbytes = _int(nbytes)
        if nbytes < 0:
            raise ValueError("negative buffersize in recv_into")
        view = memoryview(buffer).cast("B")
        if nbytes == 0:
            nbytes = len(view)
        elif nbytes > len(view):
            raise ValueError("buffer too small for requested bytes")
        data = _call(self._h().recv, nbytes, _flags(flags))
        n = min(len(data), nbytes)
        view[:n] = data[:n]
        return len(data) if flags & _C.MSG_TRUNC else n

    def recvfrom_into(self, buffer, nbytes=0, flags=0):
        """recvfrom(2) into a buffer: (bytes received, address)."""
        nbytes = _int(nbytes)
        if nbytes < 0:
            raise ValueError("negative buffersize in recvfrom_into")
        view = memoryview(buffer).cast("B")
        if nbytes == 0:
            nbytes = len(view)
        elif nbytes > len(view):
            raise ValueError("nbytes is greater than the length of the buffer")
        data, a = _call(self._h().recv_from, nbytes, _flags(flags))
        n = min(len(data), nbytes)
        view[:n] = data[:n]
        return n, _addr.from_wit(a)

    def sendmsg(self, buffers, ancdata=(), flags=0, address=None):
        """sendmsg(2)."""
        bufs = [_text(b) for b in buffers]
        control = []
        for item in ancdata:
            try:
                level, kind, data = item
            except (TypeError, ValueError):
                raise TypeError(
                    "[sendmsg() ancillary data items]() argument must be sequence of length 3"
                ) from None
            control.append(_send_cmsg(_int(level), _int(kind), _bytes_like(data)))
        if address is not None and self._family == _C.AF_UNIX:
            name = _addr.unix_name(address)
            return _call(_latin1.send_msg_unix, self._h(), bufs, control, _flags(flags), name)
        wa = None if address is None else _addr.to_wit(address, self._family, "sendmsg")
        return _call(_latin1.send_msg, self._h(), bufs, control, _flags(flags), wa)

    def recvmsg(self, bufsize, ancbufsize=0, flags=0):
        """recvmsg(2): (data, ancdata, msg_flags, address)."""
        bufsize, ancbufsize = _int(bufsize), _int(ancbufsize)
        if bufsize < 0:
            raise ValueError("negative buffer size in recvmsg()")
        if ancbufsize < 0:
            raise ValueError("negative ancillary buffer size in recvmsg()")
        m = _call(_anc.recv_msg, self._h(), bufsize, ancbufsize, _flags(flags))
        anc = [_recv_cmsg(c) for c in m.control]
        return bytes(m.data), anc, _flags_from(m.flags), _addr.from_wit(m.address)

    def recvmsg_into(self, buffers, ancbufsize=0, flags=0):
        """recvmsg(2) into buffers: (nbytes, ancdata, msg_flags, address)."""
        views = [memoryview(b).cast("B") for b in buffers]
        total = sum(len(v) for v in views)
        data, anc, mflags, a = self.recvmsg(total, ancbufsize, flags)
        pos = 0
        for v in views:
            k = min(len(v), len(data) - pos)
            if k <= 0:
                break
            v[:k] = data[pos:pos + k]
            pos += k
        return len(data), anc, mflags, a

    # -- options

    def setsockopt(self, level, optname, value, optlen=None):
        """setsockopt(2): value is an int, a bytes-like object, or None with
        optlen."""
        level, optname = _int(level), _int(optname)
        h = self._h()
        if value is None:
            if optlen is None:
                raise TypeError("setsockopt() takes exactly 4 arguments (3 given)")
            raw = _opt.RawOptionValue_Null(_int(optlen))
            known = _OPTIONS.get((level, optname))
            if known is not None:
                raise _os_error(22 if _int(optlen) < 4 else 14)
            _call(_opt.set_raw_option, h, level, optname, raw)
            return
        if optlen is not None:
            raise TypeError("setsockopt() takes exactly 3 arguments (4 given)")
        if not isinstance(value, int) or isinstance(value, bool):
            if isinstance(value, bool):
                value = int(value)
            else:
                value = _bytes_like(value)
        known = _OPTIONS.get((level, optname))
        if known is None:
            raw = _struct.pack("=i", value) if isinstance(value, int) else value
            _call(_opt.set_raw_option, h, level, optname, _opt.RawOptionValue_Bytes(raw))
            return
        name, kind = known
        _call(_opt.set_option, h, name, _value_to_wit(level, kind, value))

    def getsockopt(self, level, optname, buflen=None):
        """getsockopt(2): an int, or bytes when buflen is given."""
        level, optname = _int(level), _int(optname)
        h = self._h()
        if buflen is not None:
            buflen = _int(buflen)
            if buflen <= 0 or buflen > 1024:
                raise OSError("getsockopt buflen out of range")
        known = _OPTIONS.get((level, optname))
        if known is None:
            raw = _call(_opt.get_raw_option, h, level, optname, 4 if buflen is None else buflen)
            if buflen is None:
                return _ne_i32(bytes(raw).ljust(4, b"\0"))
            return bytes(raw)
        name, _ = known
        v = _call(_opt.get_option, h, name)
        if buflen is None:
            return _value_int(name, v)
        return _value_bytes(name, v)[:buflen]

    # -- context manager (CPython's C type has none; socket.py adds it)


SocketType = socket


def _addr_family(h):
    return _addr.family_from_wit(h.family())


# ---------------------------------------------------------------- functions


def dup(fd):
    """dup(2) of a socket descriptor: the new descriptor."""
    fd = _int(fd)
    return _new_fd(_call(_handle(fd).dup))


def close(fd):
    """close(2) of a socket descriptor."""
    fd = _int(fd)
    if fd not in _HANDLES:
        raise _os_error(9)
    _drop(fd)


def socketpair(family=None, type=None, proto=0):
    """socketpair(2): two connected sockets."""
    family = _C.AF_UNIX if family is None else _int(family)
    type = _C.SOCK_STREAM if type is None else _int(type)
    wfam = _addr.family_to_wit(family)
    if wfam is None:
        raise _os_error(97)
    base = type & ~(_C.SOCK_NONBLOCK | _C.SOCK_CLOEXEC)
    try:
        wtype = _T.SocketType(base - 1)
    except ValueError:
        raise _os_error(22) from None
    a, b = _call(_wsock.socketpair, wfam, wtype, _int(proto))
    return (socket(family, type, proto, _new_fd(a)), socket(family, type, proto, _new_fd(b)))


# -- byte order and address text


def htons(x):
    """Host to network byte order, 16 bits."""
    x = _int(x)
    if x < 0:
        raise OverflowError("htons: can't convert negative Python int to C 16-bit unsigned integer")
    if x > 0xFFFF:
        raise OverflowError("htons: Python int too large to convert to C 16-bit unsigned integer")
    return ((x & 0xFF) << 8) | (x >> 8)


ntohs = htons


def htonl(x):
    """Host to network byte order, 32 bits."""
    x = _int(x)
    if x < 0:
        raise OverflowError("can't convert negative value to unsigned int")
    if x > 0xFFFFFFFF:
        raise OverflowError("int larger than 32 bits")
    return int.from_bytes(x.to_bytes(4, "little"), "big")


ntohl = htonl


def inet_aton(string):
    """inet_aton(3): dotted (or shorter) IPv4 text to 4 bytes."""
    if not isinstance(string, str):
        raise TypeError(f"inet_aton() argument 1 must be str, not {type(string).__name__}")
    parts = string.split(".")
    try:
        if not string or string != string.strip() or any(p == "" for p in parts) or len(parts) > 4:
            raise ValueError
        nums = [int(p, 0) if not (p.startswith("0") and len(p) > 1 and not p.lower().startswith("0x")) else int(p, 8) for p in parts]
        limits = {1: [2**32], 2: [256, 2**24], 3: [256, 256, 2**16], 4: [256] * 4}[len(parts)]
        if any(n < 0 or n >= lim for n, lim in zip(nums, limits)):
            raise ValueError
        value = 0
        for n, lim in zip(nums[:-1], limits[:-1]):
            value = value * 256 + n
        value = value * limits[-1] + nums[-1]
        return value.to_bytes(4, "big")
    except (ValueError, IndexError):
        raise OSError("illegal IP address string passed to inet_aton") from None


def inet_ntoa(packed):
    """4 bytes to dotted IPv4 text."""
    b = _bytes_like(packed)
    if len(b) != 4:
        raise OSError("packed IP wrong length for inet_ntoa")
    return "%d.%d.%d.%d" % tuple(b)


def inet_pton(family, string):
    """inet_pton(3)."""
    family = _int(family)
    if not isinstance(string, str):
        raise TypeError(f"inet_pton() argument 2 must be str, not {type(string).__name__}")
    if family == _C.AF_INET:
        a = _addr._parse_v4(string)
        if a is None:
            raise OSError("illegal IP address string passed to inet_pton")
        return bytes(a)
    if family == _C.AF_INET6:
        w = _addr._parse_v6(string)
        if w is None:
            raise OSError("illegal IP address string passed to inet_pton")
        return b"".join(x.to_bytes(2, "big") for x in w)
    raise _os_error(97)


def inet_ntop(family, packed):
    """inet_ntop(3)."""
    family = _int(family)
    b = _bytes_like(packed)
    if family == _C.AF_INET:
        if len(b) != 4:
            raise ValueError("invalid length of packed IP address string")
        return "%d.%d.%d.%d" % tuple(b)
    if family == _C.AF_INET6:
        if len(b) != 16:
            raise ValueError("invalid length of packed IP address string")
        return _addr.ipv6_text(_addr.ipv6_words(b))
    raise ValueError(f"unknown address family {family}")


# -- name resolution


def gethostname():
    """gethostname(2): the name the embedder presents."""
    return _call(_netdb.gethostname)


def sethostname(name):
    """sethostname(2): a guest may not."""
    raise _os_error(1)


_AI = (
    (_C.AI_PASSIVE, _T.AddressInfoFlags.PASSIVE), (_C.AI_CANONNAME, _T.AddressInfoFlags.CANONNAME),
    (_C.AI_NUMERICHOST, _T.AddressInfoFlags.NUMERICHOST), (_C.AI_V4MAPPED, _T.AddressInfoFlags.V4MAPPED),
    (_C.AI_ALL, _T.AddressInfoFlags.ALL), (_C.AI_ADDRCONFIG, _T.AddressInfoFlags.ADDRCONFIG),
    (_C.AI_NUMERICSERV, _T.AddressInfoFlags.NUMERICSERV),
)
_NI = (
    (_C.NI_NUMERICHOST, _T.NameInfoFlags.NUMERICHOST), (_C.NI_NUMERICSERV, _T.NameInfoFlags.NUMERICSERV),
    (_C.NI_NOFQDN, _T.NameInfoFlags.NOFQDN), (_C.NI_NAMEREQD, _T.NameInfoFlags.NAMEREQD),
    (_C.NI_DGRAM, _T.NameInfoFlags.DGRAM),
)


def _host_arg(host):
    if host is None:
        return None
    if isinstance(host, (bytes, bytearray)):
        return bytes(host).decode("ascii")
    if isinstance(host, str):
        if host.isascii():
            return host
        try:
            return host.encode("idna").decode("ascii")
        except UnicodeError as e:
            raise UnicodeError(f"encoding with 'idna' codec failed ({type(e).__name__}: {e})") from None
    raise TypeError("getaddrinfo() argument 1 must be string or None")


def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
    """getaddrinfo(3): [(family, type, proto, canonname, sockaddr)]."""
    h = _host_arg(host)
    if port is None:
        service = None
    elif isinstance(port, int):
        service = str(port)
    elif isinstance(port, (str, bytes)):
        service = port.decode() if isinstance(port, bytes) else port
    else:
        raise OSError("Int or String expected")
    family, type, proto, flags = _int(family), _int(type), _int(proto), _int(flags)
    known = 0
    wflags = _T.AddressInfoFlags(0)
    for bit, f in _AI:
        if flags & bit:
            wflags |= f
            known |= bit
    if flags & ~known:
        raise _gai(-1)
    wfam = _addr.family_to_wit(family)
    if wfam is None:
        raise _gai(-6)
    wtype = None
    if type:
        try:
            wtype = _T.SocketType(type - 1)
        except ValueError:
            raise _gai(-7) from None
    hints = _T.AddressInfoHints(wfam, wtype, proto, wflags)
    out = []
    for r in _call(_netdb.getaddrinfo, h, service, hints):
        out.append((_addr.family_from_wit(r.family), r.socket_type.value + 1, r.protocol,
                    r.canonical_name or "", _addr.from_wit(r.address)))
    return out


def getnameinfo(sockaddr, flags):
    """getnameinfo(3): (host, port)."""
    if not isinstance(sockaddr, tuple):
        raise TypeError("getnameinfo() argument 1 must be a tuple")
    flags = _int(flags)
    wflags = _T.NameInfoFlags(0)
    for bit, f in _NI:
        if flags & bit:
            wflags |= f
    host, port = sockaddr[0], sockaddr[1]
    if not isinstance(port, int):
        raise TypeError("an integer is required")
    flow = sockaddr[2] if len(sockaddr) > 2 else 0
    scope = sockaddr[3] if len(sockaddr) > 3 else 0
    if len(sockaddr) > 2 and not 0 <= flow <= 0xFFFFF:
        raise OverflowError("getnameinfo(): flowinfo must be 0-1048575.")
    hints = _T.AddressInfoHints(_T.AddressFamily.UNSPEC, _T.SocketType.DGRAM, 0,
                               _T.AddressInfoFlags.NUMERICHOST)
    res = _call(_netdb.getaddrinfo, _host_arg(host), str(port), hints)
    if not res:
        raise _gai(-2)
    if len(res) > 1:
        raise OSError("sockaddr resolved to multiple addresses")
    a = res[0].address
    if isinstance(a, _T.SocketAddress_Inet):
        if len(sockaddr) != 2:
            raise OSError("IPv4 sockaddr must be 2 tuple")
    elif isinstance(a, _T.SocketAddress_Inet6):
        a = _T.SocketAddress_Inet6(_T.Ipv6SocketAddress(a.value.port, flow, a.value.address, scope))
    return tuple(_call(_netdb.getnameinfo, a, wflags))


def gethostbyname(hostname):
    """gethostbyname(3): one IPv4 address as text."""
    if not isinstance(hostname, str):
        raise TypeError(f"gethostbyname() argument 1 must be str, not {type(hostname).__name__}")
    return _addr.ipv4_text(_addr.resolve_host(hostname, _C.AF_INET).value)


def _entry(e):
    return (e.name, list(e.aliases), [_addr.ip_text(a) for a in e.addresses])


def gethostbyname_ex(hostname):
    """gethostbyname(3): (name, aliases, addresses)."""
    if not isinstance(hostname, str):
        raise TypeError(f"gethostbyname_ex() argument 1 must be str, not {type(hostname).__name__}")
    return _entry(_call(_netdb.gethostbyname, _host_arg(hostname)))


def gethostbyaddr(ip_address):
    """gethostbyaddr(3): (name, aliases, addresses)."""
    if not isinstance(ip_address, str):
        raise TypeError(f"gethostbyaddr() argument 1 must be str, not {type(ip_address).__name__}")
    ip = _addr.resolve_host(ip_address, _C.AF_UNSPEC)
    return _entry(_call(_netdb.gethostbyaddr, ip))


def getservbyname(servicename, protocolname=None):
    """getservbyname(3): a port."""
    return _call(_netdb.getservbyname, servicename, protocolname)


def getservbyport(port, protocolname=None):
    """getservbyport(3): a service name."""
    port = _int(port)
    if not 0 <= port <= 0xFFFF:
        raise OverflowError("getservbyport: port must be 0-65535.")
    return _call(_netdb.getservbyport, port, protocolname)


def getprotobyname(protocolname):
    """getprotobyname(3): a protocol number."""
    return _call(_netdb.getprotobyname, protocolname)


def if_nameindex():
    """if_nameindex(3): [(index, name)] of the interfaces the guest sees."""
    return [(i, n) for i, n in _call(_netdb.if_nameindex)]


def if_nametoindex(name):
    """if_nametoindex(3)."""
    if isinstance(name, bytes):
        name = name.decode()
    if not isinstance(name, str):
        raise TypeError(f"if_nametoindex(): argument 'oname' must be str, not {type(name).__name__}")
    return _call(_netdb.if_nametoindex, name)


def if_indextoname(index):
    """if_indextoname(3)."""
    if not isinstance(index, int):
        raise TypeError("an integer is required")
    if not 0 <= index <= 0xFFFFFFFF:
        raise OverflowError("index is too large")
    return _call(_netdb.if_indextoname, index)
