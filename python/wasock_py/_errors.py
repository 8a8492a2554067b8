"""Errors: the host's WIT `error` as CPython's exceptions.

Every failed host call arrives as ``componentize_py_types.Err(Error)``
with an ``error-code`` and a detail; it becomes the ``OSError`` subclass
CPython raises for that errno, with glibc's message (``[Errno 111]
Connection refused``), ``TimeoutError('timed out')``, ``socket.gaierror``,
``socket.herror``, or, for a policy denial, ``PermissionError(13,
'Permission denied: <what was denied and why>')`` — the text a Rust guest
gets.
"""

import errno as _errno
import os as _os

from componentize_py_types import Err
from wit_world.imports import errors as _werr


class herror(OSError):
    """socket.herror: a gethostbyaddr failure (h_errno)."""


class gaierror(OSError):
    """socket.gaierror: a getaddrinfo/getnameinfo failure (EAI_*)."""


# EAI_* codes (glibc) and gai_strerror's text.
GAI_TEXT = {
    -1: "Bad value for ai_flags",
    -2: "Name or service not known",
    -3: "Temporary failure in name resolution",
    -4: "Non-recoverable failure in name resolution",
    -6: "ai_family not supported",
    -7: "ai_socktype not supported",
    -8: "Servname not supported for ai_socktype",
    -9: "Address family for hostname not supported",
    -10: "Memory allocation failure",
    -11: "System error",
    -12: "Argument buffer overflow",
    -5: "No address associated with hostname",
    -100: "Processing request in progress",
    -101: "Request canceled",
    -102: "Request not canceled",
    -103: "All requests done",
    -104: "Interrupted by a signal",
    -105: "Parameter string not correctly encoded",
}

H_TEXT = {
    1: "Unknown host",
    2: "Host name lookup failure",
    3: "Unknown server error",
    4: "No address associated with name",
}

# glibc's strerror for the errnos sockets produce (WASI's libc numbers
# errnos differently and words some of them otherwise).
STRERROR = {
    1: "Operation not permitted",
    2: "No such file or directory",
    4: "Interrupted system call",
    5: "Input/output error",
    6: "No such device or address",
    9: "Bad file descriptor",
    11: "Resource temporarily unavailable",
    12: "Cannot allocate memory",
    13: "Permission denied",
    14: "Bad address",
    16: "Device or resource busy",
    17: "File exists",
    19: "No such device",
    20: "Not a directory",
    21: "Is a directory",
    22: "Invalid argument",
    23: "Too many open files in system",
    24: "Too many open files",
    25: "Inappropriate ioctl for device",
    28: "No space left on device",
    32: "Broken pipe",
    33: "Numerical argument out of domain",
    34: "Numerical result out of range",
    36: "File name too long",
    38: "Function not implemented",
    40: "Too many levels of symbolic links",
    61: "No data available",
    71: "Protocol error",
    75: "Value too large for defined data type",
    88: "Socket operation on non-socket",
    89: "Destination address required",
    90: "Message too long",
    91: "Protocol wrong type for socket",
    92: "Protocol not available",
    93: "Protocol not supported",
    94: "Socket type not supported",
    95: "Operation not supported",
    96: "Protocol family not supported",
    97: "Address family not supported by protocol",
    98: "Address already in use",
    99: "Cannot assign requested address",
    100: "Network is down",
    101: "Network is unreachable",
    102: "Network dropped connection on reset",
    103: "Software caused connection abort",
    104: "Connection reset by peer",
    105: "No buffer space available",
    106: "Transport endpoint is already connected",
    107: "Transport endpoint is not connected",
    108: "Cannot send after transport endpoint shutdown",
    110: "Connection timed out",
    111: "Connection refused",
    112: "Host is down",
    113: "No route to host",
    114: "Operation already in progress",
    115: "Operation now in progress",
    121: "Remote I/O error",
    125: "Operation canceled",
}

# The classes OSError.__new__ picks by errno (Linux numbers).
_CLASS = {
    11: BlockingIOError,
    114: BlockingIOError,
    115: BlockingIOError,
    4: InterruptedError,
    32: BrokenPipeError,
    108: BrokenPipeError,
    103: ConnectionAbortedError,
    111: ConnectionRefusedError,
    104: ConnectionResetError,
    110: TimeoutError,
    2: FileNotFoundError,
    17: FileExistsError,
    1: PermissionError,
    13: PermissionError,
    20: NotADirectoryError,
    21: IsADirectoryError,
}

# WIT error-code cases (class names) → Linux errno.
_CODES = {
    "NotPermitted": 1, "NoEntry": 2, "Interrupted": 4, "Io": 5,
    "BadDescriptor": 9, "WouldBlock": 11, "NoMemory": 12, "Access": 13,
    "Fault": 14, "Busy": 16, "Exists": 17, "NotDirectory": 20,
    "Invalid": 22, "TooManyFilesSystem": 23, "TooManyFiles": 24,
    "NoSpace": 28, "BrokenPipe": 32, "NameTooLong": 36,
    "NotImplemented": 38, "Loop": 40, "Protocol": 71, "Overflow": 75,
    "NotSocket": 88, "DestinationAddressRequired": 89, "MessageSize": 90,
    "ProtocolType": 91, "NoProtocolOption": 92, "ProtocolNotSupported": 93,
    "SocketTypeNotSupported": 94, "NotSupported": 95,
    "ProtocolFamilyNotSupported": 96, "AddressFamilyNotSupported": 97,
    "AddressInUse": 98, "AddressNotAvailable": 99, "NetworkDown": 100,
    "NetworkUnreachable": 101, "NetworkReset": 102,
    "ConnectionAborted": 103, "ConnectionReset": 104, "NoBufferSpace": 105,
    "IsConnected": 106, "NotConnected": 107, "ShutDown": 108,
    "TimedOut": 110, "ConnectionRefused": 111, "HostDown": 112,
    "HostUnreachable": 113, "Already": 114, "InProgress": 115,
}


def strerror(n):
    """glibc's text for errno ``n``."""
    return STRERROR.get(n) or f"Unknown error {n}"


def os_error(n, message=None):
    """``OSError(n, strerror)`` of the class CPython picks for ``n``."""
    cls = _CLASS.get(n, OSError)
    return cls(n, strerror(n) if message is None else message)


def timed_out():
    """``TimeoutError('timed out')``: the socket's own timeout expired."""
    return TimeoutError("timed out")


def gai(code):
    return gaierror(code, GAI_TEXT.get(code, f"Unknown error {code}"))


def from_wit(err):
    """The exception for a WIT ``error`` (``err`` is the ``Err``'s value)."""
    code = err.code
    detail = getattr(err, "detail", "") or ""
    name = type(code).__name__.split("_", 1)[-1]
    if name == "Timeout":
        # ``timed out (…)``: the policy dropped what arrived meanwhile.
        if detail.startswith("timed out ("):
            e = TimeoutError(detail)
            e.wasock_detail = detail
            return e
        return timed_out()
    if name == "PolicyDenied":
        e = PermissionError(13, f"Permission denied: {detail}" if detail else "Permission denied")
        e.wasock_detail = detail
        return e
    if name == "Resolve":
        return _noted(gai(code.value), detail)
    if name == "Host":
        return _noted(herror(code.value, H_TEXT.get(code.value, "Resolver internal error")), detail)
    if name == "Other":
        n = code.value
    else:
        n = _CODES.get(name)
        if n is None:
            return OSError(detail or name)
    return _noted(os_error(n), detail)


def _noted(e, detail):
    """``e`` with the host's detail kept beside CPython's message: as
    ``e.wasock_detail`` and as a note, which a traceback shows under the
    exception line (``str(e)`` stays CPython's)."""
    if detail:
        e.wasock_detail = detail
        e.add_note(f"wasock: {detail}")
    return e


def call(f, *args):
    """Calls a host function, raising CPython's exception for its error."""
    try:
        return f(*args)
    except Err as e:
        raise from_wit(e.value) from None
