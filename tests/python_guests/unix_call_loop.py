"""Makes the AF_UNIX calls that name a path (connect, to a path that
exists and to one that does not; sendto; sendmsg) COUNT times, each path
106 bytes long, checking each result, then prints "done COUNT". Run in a granted directory (`--unix-dir`) under
a memory limit: a call that kept its path (componentize-py keeps every
byte list it passes) would keep about 450 bytes a round."""

import socket
import sys

count = int(sys.argv[1])
# "./" repeated keeps the bound names short (the host binds through
# /proc/self/fd/N/NAME, which must fit in sun_path) and the paths long.
pad = "./" * 50
listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
listener.bind("l.sock")
listener.listen(4)
receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
receiver.bind("d.sock")
sender = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
stream_path, dgram_path = pad + "l.sock", (pad + "d.sock").encode()
missing = pad + "gone.s"
assert len(stream_path) == len(dgram_path) == len(missing) == 106

for i in range(count):
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        c.connect(missing)
        raise AssertionError(f"round {i}: connected to {missing}")
    except FileNotFoundError:
        pass
    c.connect(stream_path)
    peer, _ = listener.accept()
    peer.close()
    c.close()
    sender.sendto(b"x" * 10, dgram_path)
    assert receiver.recv(64) == b"x" * 10
    sender.sendmsg([b"y" * 10], [], 0, dgram_path)
    assert receiver.recv(64) == b"y" * 10
print("done", count)
