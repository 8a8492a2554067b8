"""Calls the `latin1` interface directly with text that is not Latin-1,
then with text that is: prints the errno and message of the first (sent
nowhere), then "sent N" for the second.

argv: PORT (a UDP receiver on 127.0.0.1)."""

import errno
import socket
import sys

from wasock_py import _address, _socket
from wasock_py._errors import call
from wit_world.imports import latin1

port = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
h = _socket._handle(s.fileno())
to = _address.to_wit(("127.0.0.1", port), socket.AF_INET, "sendto")
try:
    call(latin1.send_to, h, "price: 5\u20ac", _socket._flags(0), to)
    print("sent text that is not Latin-1")
except OSError as e:
    print("errno", errno.errorcode.get(e.errno), e.strerror, "|", e.wasock_detail)
print("sent", call(latin1.send_to, h, "caf\xe9 \xff\x00", _socket._flags(0), to))
