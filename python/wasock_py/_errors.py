"""Errors: the host's WIT `error` as CPython's exceptions.

Every failed host call arrives as ``componentize_py_types.Err(Error)``
with an ``error-code`` and a detail; it becomes the ``OSError`` subclass
CPython raises for that errno, with glibc's message (``[Errno 14]
Connection refused``: WASI's number, see ``guest_errno``), ``TimeoutError('timed out')``, ``socket.gaierror``,
``socket.herror``, or, for a policy denial, ``PermissionError(EACCES,
'Permission denied: <what was denied and why>')`` — the text a Rust guest
gets. Errnos are this build's (WASI's) numbers for the host's Linux ones
(see ``guest_errno``).
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

# The host reports Linux errnos; a Python guest's platform is WASI, whose
# libc numbers them otherwise (ECONNREFUSED: 111 on Linux, 14 here), and
# its ``errno`` module, ``os.strerror`` and the subclass ``OSError(n, …)``
# picks all follow WASI's numbers. So an error reaches the program with
# this build's number for the same name: ``e.errno == errno.ECONNREFUSED``,
# ``connect_ex(…) == errno.EINPROGRESS``, the standard library's own
# checks (``socket.py``'s ``_blocking_errnos``, asyncio's
# ``OSError(SO_ERROR value)``) all hold, as portable Python code expects
# (errno numbers differ between platforms; names do not). The message
# stays glibc's text. Linux's names by number (Python's errno.errorcode
# on Linux, one name a number):
_LINUX_NAMES = {
    1: "EPERM", 2: "ENOENT", 3: "ESRCH", 4: "EINTR", 5: "EIO", 6: "ENXIO",
    7: "E2BIG", 8: "ENOEXEC", 9: "EBADF", 10: "ECHILD", 11: "EAGAIN",
    12: "ENOMEM", 13: "EACCES", 14: "EFAULT", 15: "ENOTBLK", 16: "EBUSY",
    17: "EEXIST", 18: "EXDEV", 19: "ENODEV", 20: "ENOTDIR", 21: "EISDIR",
    22: "EINVAL", 23: "ENFILE", 24: "EMFILE", 25: "ENOTTY", 26: "ETXTBSY",
    27: "EFBIG", 28: "ENOSPC", 29: "ESPIPE", 30: "EROFS", 31: "EMLINK",
    32: "EPIPE", 33: "EDOM", 34: "ERANGE", 35: "EDEADLK", 36: "ENAMETOOLONG",
    37: "ENOLCK", 38: "ENOSYS", 39: "ENOTEMPTY", 40: "ELOOP", 42: "ENOMSG",
    43: "EIDRM", 44: "ECHRNG", 45: "EL2NSYNC", 46: "EL3HLT", 47: "EL3RST",
    48: "ELNRNG", 49: "EUNATCH", 50: "ENOCSI", 51: "EL2HLT", 52: "EBADE",
    53: "EBADR", 54: "EXFULL", 55: "ENOANO", 56: "EBADRQC", 57: "EBADSLT",
    59: "EBFONT", 60: "ENOSTR", 61: "ENODATA", 62: "ETIME", 63: "ENOSR",
    64: "ENONET", 65: "ENOPKG", 66: "EREMOTE", 67: "ENOLINK", 68: "EADV",
    69: "ESRMNT", 70: "ECOMM", 71: "EPROTO", 72: "EMULTIHOP", 73: "EDOTDOT",
    74: "EBADMSG", 75: "EOVERFLOW", 76: "ENOTUNIQ", 77: "EBADFD",
    78: "EREMCHG", 79: "ELIBACC", 80: "ELIBBAD", 81: "ELIBSCN", 82: "ELIBMAX",
    83: "ELIBEXEC", 84: "EILSEQ", 85: "ERESTART", 86: "ESTRPIPE",
    87: "EUSERS", 88: "ENOTSOCK", 89: "EDESTADDRREQ", 90: "EMSGSIZE",
    91: "EPROTOTYPE", 92: "ENOPROTOOPT", 93: "EPROTONOSUPPORT",
    94: "ESOCKTNOSUPPORT", 95: "ENOTSUP", 96: "EPFNOSUPPORT",
    97: "EAFNOSUPPORT", 98: "EADDRINUSE", 99: "EADDRNOTAVAIL",
    100: "ENETDOWN", 101: "ENETUNREACH", 102: "ENETRESET",
    103: "ECONNABORTED", 104: "ECONNRESET", 105: "ENOBUFS", 106: "EISCONN",
    107: "ENOTCONN", 108: "ESHUTDOWN", 109: "ETOOMANYREFS", 110: "ETIMEDOUT",
    111: "ECONNREFUSED", 112: "EHOSTDOWN", 113: "EHOSTUNREACH",
    114: "EALREADY", 115: "EINPROGRESS", 116: "ESTALE", 117: "EUCLEAN",
    118: "ENOTNAM", 119: "ENAVAIL", 120: "EISNAM", 121: "EREMOTEIO",
    122: "EDQUOT", 123: "ENOMEDIUM", 124: "EMEDIUMTYPE", 125: "ECANCELED",
    126: "ENOKEY", 127: "EKEYEXPIRED", 128: "EKEYREVOKED",
    129: "EKEYREJECTED", 130: "EOWNERDEAD", 131: "ENOTRECOVERABLE",
    132: "ERFKILL",
}


def guest_errno(n):
    """This build's number for Linux errno ``n`` (the same name in the
    ``errno`` module); ``n`` itself for an errno WASI does not name
    (ESOCKTNOSUPPORT, EPFNOSUPPORT, EHOSTDOWN, EREMOTEIO, ENODATA, …).
    Of these, the ones sockets give are above WASI's numbers, except
    ENODATA (61, WASI's EOVERFLOW)."""
    name = _LINUX_NAMES.get(n)
    return getattr(_errno, name, n) if name else n


# For the errnos WASI does not name: the class CPython on Linux picks.
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
    """The ``OSError`` for Linux errno ``n``: this build's number for it
    (see ``guest_errno``), so ``OSError`` picks the subclass CPython
    picks for it on Linux, with glibc's text."""
    text = strerror(n) if message is None else message
    g = guest_errno(n)
    if g == n:
        return _CLASS.get(n, OSError)(n, text)
    return OSError(g, text)


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
        e = os_error(13, f"Permission denied: {detail}" if detail else "Permission denied")
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
