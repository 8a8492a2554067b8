"""asyncio, unchanged on wasock's _socket: an echo server for N clients
(start_server), then an open_connection the policy denies, then a
datagram endpoint and loop.sock_* calls over a socketpair.

Usage: asyncio_echo.py PORT N DENIED_PORT"""
import asyncio
import errno
import socket
import sys


async def main(port, n, denied):
    served = 0
    done = asyncio.Event()

    async def handle(reader, writer):
        nonlocal served
        data = await reader.readline()
        writer.write(data.upper())
        await writer.drain()
        writer.close()
        await writer.wait_closed()
        served += 1
        if served == n:
            done.set()

    server = await asyncio.start_server(handle, "127.0.0.1", port)
    print("ready", flush=True)
    async with server:
        await asyncio.wait_for(done.wait(), 60)
    print("served", served, flush=True)
    try:
        await asyncio.open_connection("127.0.0.1", denied)
        print("denied connect: connected")
    except PermissionError as e:
        print("denied connect:", type(e).__name__, errno.errorcode.get(e.errno))
    loop = asyncio.get_running_loop()
    a, b = socket.socketpair()
    a.setblocking(False)
    b.setblocking(False)
    await loop.sock_sendall(a, b"over a socketpair")
    print("sock_recv:", await loop.sock_recv(b, 100))
    a.close()
    b.close()


asyncio.run(main(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])))
