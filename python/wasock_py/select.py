"""wasock's `select`: `select.select` and `select.poll` over the wasock
WIT's poll (poll(2) in the host), for the runtime's socket descriptors.

`selectors.DefaultSelector` picks `PollSelector` from this module, so
`selectors`, `asyncio` and `socketserver` run on it. There is no `epoll`:
the WIT's poll waits on a list given each call, which is what poll(2) is.
"""

import math as _math

from wit_world.imports import poll as _poll
from wit_world.imports import types as _T

from . import _socket
from ._errors import call as _call, os_error as _os_error

error = OSError

POLLIN = 0x001
POLLPRI = 0x002
POLLOUT = 0x004
POLLERR = 0x008
POLLHUP = 0x010
POLLNVAL = 0x020
POLLRDNORM = 0x040
POLLRDBAND = 0x080
POLLWRNORM = 0x100
POLLWRBAND = 0x200
POLLMSG = 0x400
POLLRDHUP = 0x2000

_R = _T.Readiness
# Readiness is an `enum.Flag`, whose `&` and `|` run in Python (about a
# microsecond each here): the code below works on the members' integer
# values and makes one Flag per distinct interest (kept).
_READABLE, _WRITABLE, _PRIORITY = _R.READABLE._value_, _R.WRITABLE._value_, _R.PRIORITY._value_
_ERROR, _HANGUP, _READ_HANGUP = _R.ERROR._value_, _R.HANGUP._value_, _R.READ_HANGUP._value_
_PAIRS = (
    (POLLIN | POLLRDNORM, _READABLE), (POLLPRI | POLLRDBAND, _PRIORITY),
    (POLLOUT | POLLWRNORM | POLLWRBAND, _WRITABLE), (POLLERR, _ERROR),
    (POLLHUP, _HANGUP), (POLLRDHUP, _READ_HANGUP),
)
_SELECT_RD = _READABLE | _HANGUP | _ERROR | _READ_HANGUP
_SELECT_WR = _WRITABLE | _ERROR | _HANGUP
_INTERESTS = {}


def _interest(v):
    r = _INTERESTS.get(v)
    if r is None:
        r = _INTERESTS[v] = _R(v)
    return r

def _fileno(obj):
    if isinstance(obj, int):
        fd = obj
    else:
        f = getattr(obj, "fileno", None)
        if f is None:
            raise TypeError("argument must be an int, or have a fileno() method.")
        fd = f()
        if not isinstance(fd, int):
            raise TypeError("fileno() returned a non-integer")
    if fd < 0:
        raise ValueError(f"file descriptor cannot be a negative integer ({fd})")
    return fd


def _timeout_ns(timeout, scale):
    if timeout is None:
        return None
    if not isinstance(timeout, (int, float)):
        raise TypeError("timeout must be an integer or None")
    if isinstance(timeout, float) and _math.isnan(timeout):
        raise ValueError("Invalid value NaN (not a number)")
    if timeout < 0:
        return None if scale != 1e9 else _neg()
    return int(timeout * scale)


def _neg():
    raise ValueError("timeout must be non-negative")


def _wait(interests, timeout_ns):
    """One poll of {fd: readiness interest}: {fd: readiness}, both as the
    Readiness flags' integer values."""
    fds = list(interests)
    reqs = [_poll.PollRequest(_socket.handle_of(fd), _interest(interests[fd])) for fd in fds]
    if not reqs:
        if timeout_ns:
            _call(_poll.poll, [], timeout_ns)
        return {}
    got = _call(_poll.poll, reqs, timeout_ns)
    return {fd: r._value_ for fd, r in zip(fds, got)}


def select(rlist, wlist, xlist, timeout=None):
    """select(2) over socket descriptors: (readable, writable, exceptional)."""
    if timeout is not None:
        if not isinstance(timeout, (int, float)):
            raise TypeError("timeout must be a float or None")
        if timeout < 0:
            raise ValueError("timeout must be non-negative")
    lists = [list(rlist), list(wlist), list(xlist)]
    interest = {}
    for objs, bit in zip(lists, (_READABLE, _WRITABLE, _PRIORITY)):
        for o in objs:
            fd = _fileno(o)
            if not _socket.is_socket_fd(fd):
                raise _os_error(9)
            interest[fd] = interest.get(fd, 0) | bit
    got = _wait(interest, None if timeout is None else int(timeout * 1e9))
    return (
        [o for o in lists[0] if got.get(_fileno(o), 0) & _SELECT_RD],
        [o for o in lists[1] if got.get(_fileno(o), 0) & _SELECT_WR],
        [o for o in lists[2] if got.get(_fileno(o), 0) & _PRIORITY],
    )


class poll:
    """poll(2) over socket descriptors: register, modify, unregister, poll."""

    def __init__(self):
        self._fds = {}

    def register(self, fd, eventmask=POLLIN | POLLPRI | POLLOUT):
        self._fds[_fileno(fd)] = eventmask

    def modify(self, fd, eventmask):
        fd = _fileno(fd)
        if fd not in self._fds:
            raise _os_error(2)
        self._fds[fd] = eventmask

    def unregister(self, fd):
        fd = _fileno(fd)
        if fd not in self._fds:
            raise KeyError(fd)
        del self._fds[fd]

    def poll(self, timeout=None):
        """[(fd, events)] of the ready descriptors; timeout in ms."""
        if timeout is not None:
            if not isinstance(timeout, (int, float)):
                raise TypeError("timeout must be an integer or None")
            timeout = None if timeout < 0 else int(_math.ceil(timeout * 1e6))
        interest = {}
        out = []
        for fd, mask in self._fds.items():
            if not _socket.is_socket_fd(fd):
                out.append((fd, POLLNVAL))
                continue
            w = 0
            for bits, r in _PAIRS:
                if mask & bits:
                    w |= r
            interest[fd] = w
        if out:
            timeout = 0
        got = _wait(interest, timeout)
        for fd, r in got.items():
            events = 0
            mask = self._fds[fd]
            for bits, flag in _PAIRS:
                if r & flag:
                    events |= bits & mask if flag not in (_ERROR, _HANGUP) else bits
            if events:
                out.append((fd, events))
        return out
