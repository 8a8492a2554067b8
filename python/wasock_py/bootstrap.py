"""Installs the runtime in the interpreter and runs the program.

`install` runs while componentize-py builds the component (its memory is
what the guest starts from): it puts `_socket` and `select` in
`sys.modules` before anything imports `socket`, makes thread starts and
`import ssl` fail with a sentence saying why, names WASI's shared
EPIPE/ESHUTDOWN number EPIPE in `errno.errorcode`, and imports the standard
library's network modules so they are in the snapshot. `run` runs at each
start: the run's arguments and environment, then the program as
`__main__`, with CPython's exit statuses.
"""

import importlib.abc
import os
import sys

THREADS = (
    "can't start new thread: a wasock Python guest is a WebAssembly component "
    "with one thread (use selectors or asyncio instead)"
)
SSL = (
    "ssl is not available in a wasock Python guest: the interpreter has no "
    "OpenSSL (terminate TLS in the embedder or a peer)"
)


class _NoSsl(importlib.abc.MetaPathFinder):
    """Refuses `ssl` and `_ssl` with the reason."""

    def find_spec(self, name, path=None, target=None):
        if name in ("ssl", "_ssl"):
            raise ImportError(SSL, name=name)
        return None


def _no_thread(*args, **kwargs):
    raise RuntimeError(THREADS)


def install():
    """Installs the runtime (while the component is built)."""
    from . import _socket, select

    sys.modules["_socket"] = _socket
    sys.modules["select"] = select
    for name in ("ssl", "_ssl"):
        sys.modules.pop(name, None)
    sys.meta_path.insert(0, _NoSsl())
    import _thread

    _thread.start_new_thread = _no_thread
    _thread.start_new = _no_thread
    if hasattr(_thread, "start_joinable_thread"):
        _thread.start_joinable_thread = _no_thread
    import threading

    threading._start_joinable_thread = _no_thread
    threading._start_new_thread = _no_thread
    # WASI gives EPIPE and ESHUTDOWN one number, and `errno.errorcode`
    # names it ESHUTDOWN; a broken pipe is what sockets mean by it (the
    # runtime's errors carry this build's numbers: see `_errors`).
    import errno

    if getattr(errno, "ESHUTDOWN", None) == errno.EPIPE:
        errno.errorcode[errno.EPIPE] = "EPIPE"
    # The standard library's network modules, in the snapshot.
    import socket  # noqa: F401
    import selectors  # noqa: F401
    import socketserver  # noqa: F401
    import asyncio  # noqa: F401
    import http.client  # noqa: F401
    import http.server  # noqa: F401
    import urllib.request  # noqa: F401
    import email.parser  # noqa: F401

    _patch_os()


def _patch_os():
    """os functions a socket program calls with a socket's descriptor."""
    from . import _socket

    real_get, real_set = getattr(os, "get_inheritable", None), getattr(os, "set_inheritable", None)
    inheritable = {}

    def get_inheritable(fd):
        if _socket.is_socket_fd(fd):
            return inheritable.get(fd, False)
        return real_get(fd)

    def set_inheritable(fd, value):
        if _socket.is_socket_fd(fd):
            inheritable[fd] = bool(value)
            return None
        return real_set(fd, value)

    os.get_inheritable = get_inheritable
    os.set_inheritable = set_inheritable
    real_close = os.close

    def close(fd):
        if _socket.is_socket_fd(fd):
            return _socket.close(fd)
        return real_close(fd)

    os.close = close


def run(module, environment):
    """Runs the program ``module`` as ``__main__``; returns the exit status
    (0 success, 1 failure: wasi:cli 0.2 carries no other)."""
    import runpy
    import traceback

    args = list(environment.get_arguments())
    env = dict(environment.get_environment())
    os.environ.clear()
    os.environ.update(env)
    sys.argv = args or [module]
    argv0 = sys.argv[0]
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
        return 0
    except SystemExit as e:
        code = e.code
        if code is None:
            return 0
        if isinstance(code, int):
            return 0 if code == 0 else 1
        print(code, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        traceback.print_exc()
        return 1
    except BaseException as e:
        _print_exception(e)
        return 1
    finally:
        sys.argv[0] = argv0
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except Exception:
            pass


def _print_exception(e):
    """Python's traceback, without the runtime's own frames (CPython's
    `_socket` is C: its calls show no frame)."""
    for line in _format(e):
        sys.stderr.write(line)


def _format(e):
    import traceback

    te = traceback.TracebackException(type(e), e, e.__traceback__)
    stack = [te]
    seen = set()
    while stack:
        t = stack.pop()
        if t is None or id(t) in seen:
            continue
        seen.add(id(t))
        t.stack = traceback.StackSummary.from_list(
            [f for f in t.stack if not _runtime_frame(f.filename)]
        )
        stack.append(t.__cause__)
        stack.append(t.__context__)
    return te.format()


def _runtime_frame(filename):
    return (
        filename.startswith("<frozen ")
        or filename.endswith("wasock_main.py")
        or "/wasock_py/" in filename
    )
