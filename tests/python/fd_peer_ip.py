"""A native peer for the adopted-socket policy test (host/tests/e2e/unix.rs):
listens on PATH, and to the one client that connects sends b"fds" with
two descriptors: a UDP socket connected to 127.0.0.1:UDP_PORT and a TCP
socket connected to 127.0.0.1:TCP_PORT. It keeps its UDP descriptor; when
the client writes b"go", it connects that (shared) socket to
127.0.0.1:LATER_PORT and answers b"done".
Usage: fd_peer_ip.py PATH UDP_PORT TCP_PORT LATER_PORT"""
import sys
from socket import *

path, udp_port, tcp_port, later_port = sys.argv[1], *map(int, sys.argv[2:5])
srv = socket(AF_UNIX, SOCK_STREAM)
srv.bind(path)
srv.listen()
print("ready", flush=True)
srv.settimeout(60)
conn, _ = srv.accept()
conn.settimeout(60)
u = socket(AF_INET, SOCK_DGRAM)
u.connect(("127.0.0.1", udp_port))
t = socket(AF_INET, SOCK_STREAM)
t.connect(("127.0.0.1", tcp_port))
send_fds(conn, [b"fds"], [u.fileno(), t.fileno()])
t.close()
print("peer got", conn.recv(10), flush=True)
u.connect(("127.0.0.1", later_port))
conn.sendall(b"done")
conn.recv(10)
print("peer done", flush=True)
