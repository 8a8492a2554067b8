"""The reference for tests/guests/src/bin/netdb.rs (mode `common`): name and
service resolution and the module's helper functions over inputs whose
answers need no DNS. The host test runs both in a private mount and network
namespace with its own /etc/hosts, /etc/nsswitch.conf and /etc/resolv.conf
(a nameserver on loopback that the test owns), and compares line by line."""
import sys
from socket import *


def show(name, f):
    try:
        r = f()
        print(f"{name}: ok {r!r}")
    except OSError as e:
        print(f"{name}: {type(e).__name__}: {e}")
    except OverflowError as e:
        print(f"{name}: OverflowError: {e}")
    except ValueError as e:
        # UnicodeError (from the idna codec) is a ValueError; the guest
        # crate models it as ValueError with the same message.
        print(f"{name}: ValueError: {e}")


def gai(*args):
    return lambda: [(int(f), int(t), p, c, a) for f, t, p, c, a in getaddrinfo(*args)]


if sys.argv[1:] == ["interfaces"]:
    # The guest runs with the host's interfaces shown and its name presented.
    show("if-nameindex", lambda: if_nameindex())
    show("if-nametoindex-lo", lambda: if_nametoindex("lo"))
    show("if-indextoname-1", lambda: if_indextoname(1))
    show("gai-scope-name", gai("fe80::1%lo", 80, AF_INET6, SOCK_STREAM))
    show("gni-scope-name", lambda: getnameinfo(("fe80::1", 80, 0, 1), NI_NUMERICHOST | NI_NUMERICSERV))
    show("gni-scope-global", lambda: getnameinfo(("2001:db8::1", 80, 0, 1), NI_NUMERICHOST | NI_NUMERICSERV))
    show("gethostname", lambda: gethostname())
    show("getfqdn", lambda: getfqdn())
    print("done")
    sys.exit(0)


if sys.argv[1:] == ["localhost"]:
    # Run where /etc/hosts names localhost for both families.
    show("gai-localhost-unspec", gai("localhost", 80, 0, SOCK_STREAM))
    show("gai-localhost-v6", gai("localhost", 80, AF_INET6, SOCK_STREAM))
    show("gai-localhost-v4", gai("localhost", 80, AF_INET, SOCK_STREAM))
    show("gni-v6-localhost", lambda: getnameinfo(("::1", 80, 0, 0), 0))
    show("ghba-v6-localhost", lambda: gethostbyaddr("::1"))
    show("ghba-v4-localhost", lambda: gethostbyaddr("127.0.0.1"))
    show("ghbnex-localhost", lambda: gethostbyname_ex("localhost"))
    print("done")
    sys.exit(0)


show("gai-localhost-unspec", gai("localhost", 80, 0, SOCK_STREAM))
show("gai-none-passive", gai(None, 80, AF_UNSPEC, SOCK_STREAM, 0, AI_PASSIVE))
show("gai-none-loopback", gai(None, 80, AF_INET, SOCK_STREAM))
show("gai-none-none", gai(None, None))
show("gai-v4-all-types", gai("127.0.0.1", 80))
show("gai-v4-short", gai("127.1", "80", AF_INET, SOCK_STREAM))
show("gai-v6-dgram", gai("::1", 80, AF_INET6, SOCK_DGRAM))
show("gai-v6-numeric-scope", gai("fe80::1%1", 80, AF_INET6, SOCK_STREAM))
show("gai-v4-scope", gai("127.0.0.1%1", 80))
show("gai-service-name", gai("127.0.0.1", "http", AF_INET, SOCK_STREAM))
show("gai-service-udp", gai("127.0.0.1", "domain", AF_INET, SOCK_DGRAM))
show("gai-service-unknown", gai("127.0.0.1", "nosuchservice"))
show("gai-numericserv-name", gai("127.0.0.1", "http", 0, 0, 0, AI_NUMERICSERV))
show("gai-numerichost-name", gai("api.example.test", 80, 0, 0, 0, AI_NUMERICHOST))
show("gai-numerichost-localhost", gai("localhost", 80, 0, 0, 0, AI_NUMERICHOST))
show("gai-canonname-numeric", gai("127.0.0.1", 80, AF_INET, SOCK_STREAM, 0, AI_CANONNAME))
show("gai-v4mapped", gai("127.0.0.1", 80, AF_INET6, SOCK_STREAM, 0, AI_V4MAPPED))
show("gai-family-mismatch", gai("127.0.0.1", 80, AF_INET6, SOCK_STREAM))
show("gai-family-unix", gai("127.0.0.1", 80, AF_UNIX))
show("gai-bad-socktype", gai("127.0.0.1", 80, 0, 12345))
show("gai-bad-flags", gai("127.0.0.1", 80, 0, 0, 0, 0x10000))
show("gai-localhost-v4", gai("localhost", 80, AF_INET, SOCK_STREAM))
show("gai-localhost-canonname", gai("localhost", 80, AF_INET, SOCK_STREAM, 0, AI_CANONNAME))
show("gai-empty", gai("", 80))
show("gai-proto-udp", gai("127.0.0.1", 80, AF_INET, 0, IPPROTO_UDP))
show("gai-port-0", gai("::1", 0, AF_INET6, SOCK_STREAM))
show("gai-port-negative", gai("127.0.0.1", "-1"))
show("gai-addrconfig", gai("127.0.0.1", 80, 0, SOCK_STREAM, 0, AI_ADDRCONFIG))
show("gai-passive-addrconfig", gai(None, 80, AF_UNSPEC, SOCK_STREAM, 0, AI_PASSIVE | AI_ADDRCONFIG))
show("gai-v4mapped-all", gai("::1", 80, AF_INET6, SOCK_STREAM, 0, AI_V4MAPPED | AI_ALL))
show("gai-v4mapped-all-v4", gai("127.0.0.1", 80, AF_INET6, SOCK_STREAM, 0, AI_V4MAPPED | AI_ALL))

show("gai-idna-empty-label", gai("a..b", 80))
show("gai-idna-long-label", gai("x" * 64, 80))
show("gai-idna-long-inner-label", gai("x" * 64 + ".test", 80))
show("ghbn-idna-empty-label", lambda: gethostbyname("a..b"))
show("ghba-idna-empty-label", lambda: gethostbyaddr("a..b"))
show("gai-idna-numerichost", gai("bücher.example", 80, 0, 0, 0, AI_NUMERICHOST))
show("gni-numeric", lambda: getnameinfo(("127.0.0.1", 80), NI_NUMERICHOST | NI_NUMERICSERV))
show("gni-service", lambda: getnameinfo(("127.0.0.1", 80), NI_NUMERICHOST))
show("gni-service-dgram", lambda: getnameinfo(("127.0.0.1", 53), NI_NUMERICHOST | NI_DGRAM))
show("gni-unknown-port", lambda: getnameinfo(("127.0.0.1", 65000), NI_NUMERICHOST))
show("gni-localhost", lambda: getnameinfo(("127.0.0.1", 80), 0))
show("gni-v6-numeric", lambda: getnameinfo(("::1", 80, 0, 0), NI_NUMERICHOST | NI_NUMERICSERV))
show("gni-v6-scope-unknown", lambda: getnameinfo(("fe80::1", 80, 0, 5), NI_NUMERICHOST | NI_NUMERICSERV))
show("gni-name", lambda: getnameinfo(("localhost", 80), 0))
show("gni-flowinfo", lambda: getnameinfo(("::1", 80, 0x100000, 0), 0))
show("gni-v4-4tuple", lambda: getnameinfo(("127.0.0.1", 80, 0, 0), 0))
show("gni-mapped", lambda: getnameinfo(("::ffff:127.0.0.1", 80, 0, 0), NI_NUMERICHOST))
show("gni-short-v4", lambda: getnameinfo(("127.1", 80), NI_NUMERICHOST))
show("gai-hex", gai("0x7f.1", 80, AF_INET, SOCK_STREAM))
show("gai-mapped-v6", gai("::ffff:127.0.0.1", 80, AF_INET6, SOCK_STREAM))

show("ghbn-numeric", lambda: gethostbyname("127.0.0.1"))
show("ghbn-localhost", lambda: gethostbyname("localhost"))
show("ghbn-v6", lambda: gethostbyname("::1"))
show("ghbn-empty", lambda: gethostbyname(""))
show("ghbn-broadcast", lambda: gethostbyname("<broadcast>"))
show("ghbnex-localhost", lambda: gethostbyname_ex("localhost"))
show("ghbnex-numeric", lambda: gethostbyname_ex("127.0.0.1"))
show("ghba-v4", lambda: gethostbyaddr("127.0.0.1"))
show("getfqdn-ip", lambda: getfqdn("127.0.0.1"))
show("getfqdn-localhost", lambda: getfqdn("localhost"))

show("gsbn-http", lambda: getservbyname("http"))
show("gsbn-http-tcp", lambda: getservbyname("http", "tcp"))
show("gsbn-domain-udp", lambda: getservbyname("domain", "udp"))
show("gsbn-unknown", lambda: getservbyname("nosuchservice"))
show("gsbn-bad-proto", lambda: getservbyname("http", "nosuchproto"))
show("gsbp-80", lambda: getservbyport(80))
show("gsbp-53-udp", lambda: getservbyport(53, "udp"))
show("gsbp-unknown", lambda: getservbyport(65000))
show("gpbn-tcp", lambda: getprotobyname("tcp"))
show("gpbn-udp", lambda: getprotobyname("udp"))
show("gpbn-icmp", lambda: getprotobyname("icmp"))
show("gpbn-unknown", lambda: getprotobyname("nosuchproto"))

show("if-nametoindex-unknown", lambda: if_nametoindex("nosuch0"))
show("if-indextoname-unknown", lambda: if_indextoname(999))
show("if-indextoname-0", lambda: if_indextoname(0))

show("inet-aton", lambda: inet_aton("127.1"))
show("inet-aton-3", lambda: inet_aton("1.2.3"))
show("inet-aton-hex", lambda: inet_aton("0x7f.0.0.1"))
show("inet-aton-bad", lambda: inet_aton("bad"))
show("inet-ntoa", lambda: inet_ntoa(b"\x7f\x00\x00\x01"))
show("inet-ntoa-short", lambda: inet_ntoa(b"\x01\x02\x03"))
show("inet-pton-v6", lambda: inet_pton(AF_INET6, "::1"))
show("inet-pton-v4-short", lambda: inet_pton(AF_INET, "1.2.3"))
show("inet-pton-v6-bad", lambda: inet_pton(AF_INET6, "1::2::3"))
show("inet-pton-unix", lambda: inet_pton(AF_UNIX, "x"))
show("inet-ntop-v6", lambda: inet_ntop(AF_INET6, b"\x20\x01\x0d\xb8" + b"\x00" * 11 + b"\x01"))
show("inet-ntop-mapped", lambda: inet_ntop(AF_INET6, b"\x00" * 10 + b"\xff\xff\x01\x02\x03\x04"))
show("inet-ntop-short", lambda: inet_ntop(AF_INET, b"123"))
show("htons", lambda: htons(0x1234))
show("ntohs", lambda: ntohs(0x3412))
show("htonl", lambda: htonl(0x12345678))
show("ntohl", lambda: ntohl(0x78563412))


def cc_all():
    try:
        create_connection(("127.0.0.1", 1), all_errors=True)
    except ExceptionGroup as g:
        return (str(g), [f"{type(e).__name__}: {e}" for e in g.exceptions])


show("cc-refused", lambda: create_connection(("127.0.0.1", 1), 5, ("127.0.0.1", 0)))
show("cc-all-errors", cc_all)
show("cc-all-errors-gai", lambda: create_connection(("", 1), all_errors=True))
show("cc-bad-source", lambda: create_connection(("127.0.0.1", 1), 5, ("::1", 0)))
show("has-dualstack", lambda: has_dualstack_ipv6())
srv = create_server(("127.0.0.1", 0))
show("cs-v4-host", lambda: srv.getsockname()[0])
show("cs-v4-reuseaddr", lambda: srv.getsockopt(SOL_SOCKET, SO_REUSEADDR))
show("cs-dualstack-v4", lambda: create_server(("127.0.0.1", 0), family=AF_INET, dualstack_ipv6=True))
s6 = create_server(("::1", 0), family=AF_INET6, dualstack_ipv6=True, backlog=3)
show("cs-dualstack-v6only", lambda: s6.getsockopt(IPPROTO_IPV6, IPV6_V6ONLY))
s6.close()
s6 = create_server(("::1", 0), family=AF_INET6, reuse_port=True)
show("cs-v6-v6only", lambda: s6.getsockopt(IPPROTO_IPV6, IPV6_V6ONLY))
show("cs-v6-reuseport", lambda: s6.getsockopt(SOL_SOCKET, SO_REUSEPORT))
s6.close()
show("default-timeout-initial", lambda: getdefaulttimeout())
show("default-timeout-negative", lambda: setdefaulttimeout(-1))
setdefaulttimeout(2.5)
show("default-timeout-set", lambda: getdefaulttimeout())
fresh = socket(AF_INET, SOCK_STREAM)
show("default-timeout-new", lambda: fresh.gettimeout())
fresh.close()
client = create_connection(srv.getsockname())
show("default-timeout-create-connection", lambda: client.gettimeout())
conn, _ = srv.accept()
show("default-timeout-accepted", lambda: conn.gettimeout())
setdefaulttimeout(None)
show("default-timeout-accepted-after-reset", lambda: conn.gettimeout())
conn.close()
client.close()
srv.close()
print("done")
