"""Escape attempts from Python; each prints `NAME: ok …` or
`NAME: <Exception>: <message>`. The host test judges each by what native
observers saw, not by these lines.

Usage: escape.py STEP...; steps: connect,PORT; sendto,PORT;
wildcard-bind,PORT; unix-escape,PATH; forged-fd,N; thread; ssl; raise;
udp-ask,PORT (sendto, then wait 2 s for the reply)"""
import socket
import sys


def step(name, f):
    try:
        print(f"{name}: ok {f()!r}", flush=True)
    except Exception as e:
        print(f"{name}: {type(e).__name__}: {e}", flush=True)


def connect(port):
    with socket.create_connection(("127.0.0.1", int(port)), timeout=5) as s:
        s.sendall(b"x")
        return "connected"


def sendto(port):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        return s.sendto(b"x", ("127.0.0.1", int(port)))


def udp_ask(port):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.sendto(b"x", ("127.0.0.1", int(port)))
        s.settimeout(2)
        return s.recvfrom(100)


def wildcard_bind(port):
    s = socket.socket()
    s.bind(("", int(port)))
    s.listen()
    return s.getsockname()


def unix_escape(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    return s.getsockname()


def forged_fd(n):
    s = socket.socket(fileno=int(n))
    return s.getsockname()


def thread():
    import threading

    t = threading.Thread(target=print, args=("in a thread",))
    t.start()
    t.join()


def ssl():
    import ssl as _ssl  # noqa: F401


for arg in sys.argv[1:]:
    name, _, rest = arg.partition(",")
    if name == "raise":
        raise ValueError("uncaught, as CPython would print it")
    f = {
        "connect": connect,
        "sendto": sendto,
        "udp-ask": udp_ask,
        "wildcard-bind": wildcard_bind,
        "unix-escape": unix_escape,
        "forged-fd": forged_fd,
        "thread": thread,
        "ssl": ssl,
    }[name]
    step(arg, (lambda f=f, rest=rest: f(*rest.split(",")) if rest else f()))
print("done")
