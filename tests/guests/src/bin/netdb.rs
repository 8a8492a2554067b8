//! Name resolution and the module's helper functions.
//!
//! - `netdb common`: the guest side of tests/python/netdb.py, printed the
//!   same way (inputs whose answers need no DNS).
//! - `netdb policy`: what a guest sees when the policy allows no name
//!   (lines the host test checks, with the denials' details).
//! - `netdb interfaces`: the guest side of `netdb.py interfaces`, run with
//!   the host's interfaces shown and its name presented.
//! - `netdb resolve NAME`: getaddrinfo(NAME, 80, AF_INET, SOCK_STREAM).
//! - `netdb connect HOST PORT`: create_connection((HOST, PORT)).
//! - `netdb echo PORT`: one round trip with an echo server on 127.0.0.1.
use wasock::*;
use wasock_test_guests::exc;

/// Python's repr of a str.
fn s(v: &str) -> String {
    format!("'{v}'")
}

fn list(items: impl IntoIterator<Item = String>) -> String {
    format!("[{}]", items.into_iter().collect::<Vec<_>>().join(", "))
}

fn bytes(b: &[u8]) -> String {
    repr_bytes(b)
}

fn show(name: &str, f: impl FnOnce() -> Result<String>) {
    match f() {
        Ok(v) => println!("{name}: ok {v}"),
        Err(e) => println!("{name}: {}", exc(&e)),
    }
}

/// Like [`show`], and the host's detail for errors.
fn show_detail(name: &str, f: impl FnOnce() -> Result<String>) {
    match f() {
        Ok(v) => println!("{name}: ok {v}"),
        Err(e) => println!("{name}: {} ({})", exc(&e), e.detail()),
    }
}

fn gai(
    host: Option<&str>,
    port: Option<&str>,
    family: i32,
    ty: i32,
    proto: i32,
    flags: i32,
) -> Result<String> {
    let r = getaddrinfo(host, port, family, ty, proto, flags)?;
    Ok(list(r.iter().map(|a| {
        format!(
            "({}, {}, {}, {}, {})",
            a.family,
            a.type_,
            a.proto,
            s(&a.canonname),
            a.sockaddr
        )
    })))
}

fn pair(p: (String, String)) -> String {
    format!("({}, {})", s(&p.0), s(&p.1))
}

fn hostent(h: (String, Vec<String>, Vec<String>)) -> String {
    format!(
        "({}, {}, {})",
        s(&h.0),
        list(h.1.iter().map(|a| s(a))),
        list(h.2.iter().map(|a| s(a)))
    )
}

fn common() {
    show("gai-localhost-unspec", || {
        gai(Some("localhost"), Some("80"), 0, SOCK_STREAM, 0, 0)
    });
    let n = None;
    show("gai-none-passive", || {
        gai(n, Some("80"), AF_UNSPEC, SOCK_STREAM, 0, AI_PASSIVE)
    });
    show("gai-none-loopback", || {
        gai(n, Some("80"), AF_INET, SOCK_STREAM, 0, 0)
    });
    show("gai-none-none", || gai(n, n, 0, 0, 0, 0));
    show("gai-v4-all-types", || {
        gai(Some("127.0.0.1"), Some("80"), 0, 0, 0, 0)
    });
    show("gai-v4-short", || {
        gai(Some("127.1"), Some("80"), AF_INET, SOCK_STREAM, 0, 0)
    });
    show("gai-v6-dgram", || {
        gai(Some("::1"), Some("80"), AF_INET6, SOCK_DGRAM, 0, 0)
    });
    show("gai-v6-numeric-scope", || {
        gai(Some("fe80::1%1"), Some("80"), AF_INET6, SOCK_STREAM, 0, 0)
    });
    show("gai-v4-scope", || {
        gai(Some("127.0.0.1%1"), Some("80"), 0, 0, 0, 0)
    });
    show("gai-service-name", || {
        gai(Some("127.0.0.1"), Some("http"), AF_INET, SOCK_STREAM, 0, 0)
    });
    show("gai-service-udp", || {
        gai(Some("127.0.0.1"), Some("domain"), AF_INET, SOCK_DGRAM, 0, 0)
    });
    show("gai-service-unknown", || {
        gai(Some("127.0.0.1"), Some("nosuchservice"), 0, 0, 0, 0)
    });
    show("gai-numericserv-name", || {
        gai(Some("127.0.0.1"), Some("http"), 0, 0, 0, AI_NUMERICSERV)
    });
    show("gai-numerichost-name", || {
        gai(
            Some("api.example.test"),
            Some("80"),
            0,
            0,
            0,
            AI_NUMERICHOST,
        )
    });
    show("gai-numerichost-localhost", || {
        gai(Some("localhost"), Some("80"), 0, 0, 0, AI_NUMERICHOST)
    });
    show("gai-canonname-numeric", || {
        gai(
            Some("127.0.0.1"),
            Some("80"),
            AF_INET,
            SOCK_STREAM,
            0,
            AI_CANONNAME,
        )
    });
    show("gai-v4mapped", || {
        gai(
            Some("127.0.0.1"),
            Some("80"),
            AF_INET6,
            SOCK_STREAM,
            0,
            AI_V4MAPPED,
        )
    });
    show("gai-family-mismatch", || {
        gai(Some("127.0.0.1"), Some("80"), AF_INET6, SOCK_STREAM, 0, 0)
    });
    show("gai-family-unix", || {
        gai(Some("127.0.0.1"), Some("80"), AF_UNIX, 0, 0, 0)
    });
    show("gai-bad-socktype", || {
        gai(Some("127.0.0.1"), Some("80"), 0, 12345, 0, 0)
    });
    show("gai-bad-flags", || {
        gai(Some("127.0.0.1"), Some("80"), 0, 0, 0, 0x10000)
    });
    show("gai-localhost-v4", || {
        gai(Some("localhost"), Some("80"), AF_INET, SOCK_STREAM, 0, 0)
    });
    show("gai-localhost-canonname", || {
        gai(
            Some("localhost"),
            Some("80"),
            AF_INET,
            SOCK_STREAM,
            0,
            AI_CANONNAME,
        )
    });
    show("gai-empty", || gai(Some(""), Some("80"), 0, 0, 0, 0));
    show("gai-proto-udp", || {
        gai(Some("127.0.0.1"), Some("80"), AF_INET, 0, IPPROTO_UDP, 0)
    });
    show("gai-port-0", || {
        gai(Some("::1"), Some("0"), AF_INET6, SOCK_STREAM, 0, 0)
    });
    show("gai-port-negative", || {
        gai(Some("127.0.0.1"), Some("-1"), 0, 0, 0, 0)
    });

    show("gai-addrconfig", || {
        gai(
            Some("127.0.0.1"),
            Some("80"),
            0,
            SOCK_STREAM,
            0,
            AI_ADDRCONFIG,
        )
    });
    show("gai-passive-addrconfig", || {
        gai(
            None,
            Some("80"),
            AF_UNSPEC,
            SOCK_STREAM,
            0,
            AI_PASSIVE | AI_ADDRCONFIG,
        )
    });
    show("gai-v4mapped-all", || {
        gai(
            Some("::1"),
            Some("80"),
            AF_INET6,
            SOCK_STREAM,
            0,
            AI_V4MAPPED | AI_ALL,
        )
    });
    show("gai-v4mapped-all-v4", || {
        gai(
            Some("127.0.0.1"),
            Some("80"),
            AF_INET6,
            SOCK_STREAM,
            0,
            AI_V4MAPPED | AI_ALL,
        )
    });

    let long = "x".repeat(64);
    let long_inner = format!("{long}.test");
    show("gai-idna-empty-label", || {
        gai(Some("a..b"), Some("80"), 0, 0, 0, 0)
    });
    show("gai-idna-long-label", || {
        gai(Some(&long), Some("80"), 0, 0, 0, 0)
    });
    show("gai-idna-long-inner-label", || {
        gai(Some(&long_inner), Some("80"), 0, 0, 0, 0)
    });
    show("ghbn-idna-empty-label", || {
        gethostbyname("a..b").map(|v| s(&v))
    });
    show("ghba-idna-empty-label", || {
        gethostbyaddr("a..b").map(hostent)
    });
    show("gai-idna-numerichost", || {
        gai(Some("bücher.example"), Some("80"), 0, 0, 0, AI_NUMERICHOST)
    });

    show("gni-numeric", || {
        getnameinfo(("127.0.0.1", 80), NI_NUMERICHOST | NI_NUMERICSERV).map(pair)
    });
    show("gni-service", || {
        getnameinfo(("127.0.0.1", 80), NI_NUMERICHOST).map(pair)
    });
    show("gni-service-dgram", || {
        getnameinfo(("127.0.0.1", 53), NI_NUMERICHOST | NI_DGRAM).map(pair)
    });
    show("gni-unknown-port", || {
        getnameinfo(("127.0.0.1", 65000), NI_NUMERICHOST).map(pair)
    });
    show("gni-localhost", || {
        getnameinfo(("127.0.0.1", 80), 0).map(pair)
    });
    show("gni-v6-numeric", || {
        getnameinfo(("::1", 80, 0, 0), NI_NUMERICHOST | NI_NUMERICSERV).map(pair)
    });
    show("gni-v6-scope-unknown", || {
        getnameinfo(("fe80::1", 80, 0, 5), NI_NUMERICHOST | NI_NUMERICSERV).map(pair)
    });
    show("gni-name", || getnameinfo(("localhost", 80), 0).map(pair));

    show("gni-flowinfo", || {
        getnameinfo(("::1", 80, 0x10_0000, 0), 0).map(pair)
    });
    show("gni-v4-4tuple", || {
        getnameinfo(("127.0.0.1", 80, 0, 0), 0).map(pair)
    });
    show("gni-mapped", || {
        getnameinfo(("::ffff:127.0.0.1", 80, 0, 0), NI_NUMERICHOST).map(pair)
    });
    show("gni-short-v4", || {
        getnameinfo(("127.1", 80), NI_NUMERICHOST).map(pair)
    });
    show("gai-hex", || {
        gai(Some("0x7f.1"), Some("80"), AF_INET, SOCK_STREAM, 0, 0)
    });
    show("gai-mapped-v6", || {
        gai(
            Some("::ffff:127.0.0.1"),
            Some("80"),
            AF_INET6,
            SOCK_STREAM,
            0,
            0,
        )
    });

    show("ghbn-numeric", || gethostbyname("127.0.0.1").map(|v| s(&v)));
    show("ghbn-localhost", || {
        gethostbyname("localhost").map(|v| s(&v))
    });
    show("ghbn-v6", || gethostbyname("::1").map(|v| s(&v)));
    show("ghbn-empty", || gethostbyname("").map(|v| s(&v)));
    show("ghbn-broadcast", || {
        gethostbyname("<broadcast>").map(|v| s(&v))
    });
    show("ghbnex-localhost", || {
        gethostbyname_ex("localhost").map(hostent)
    });
    show("ghbnex-numeric", || {
        gethostbyname_ex("127.0.0.1").map(hostent)
    });
    show("ghba-v4", || gethostbyaddr("127.0.0.1").map(hostent));
    show("getfqdn-ip", || Ok(s(&getfqdn("127.0.0.1"))));
    show("getfqdn-localhost", || Ok(s(&getfqdn("localhost"))));

    show("gsbn-http", || {
        getservbyname("http", None).map(|p| p.to_string())
    });
    show("gsbn-http-tcp", || {
        getservbyname("http", Some("tcp")).map(|p| p.to_string())
    });
    show("gsbn-domain-udp", || {
        getservbyname("domain", Some("udp")).map(|p| p.to_string())
    });
    show("gsbn-unknown", || {
        getservbyname("nosuchservice", None).map(|p| p.to_string())
    });
    show("gsbn-bad-proto", || {
        getservbyname("http", Some("nosuchproto")).map(|p| p.to_string())
    });
    show("gsbp-80", || getservbyport(80, None).map(|v| s(&v)));
    show("gsbp-53-udp", || {
        getservbyport(53, Some("udp")).map(|v| s(&v))
    });
    show("gsbp-unknown", || getservbyport(65000, None).map(|v| s(&v)));
    show("gpbn-tcp", || getprotobyname("tcp").map(|p| p.to_string()));
    show("gpbn-udp", || getprotobyname("udp").map(|p| p.to_string()));
    show("gpbn-icmp", || {
        getprotobyname("icmp").map(|p| p.to_string())
    });
    show("gpbn-unknown", || {
        getprotobyname("nosuchproto").map(|p| p.to_string())
    });

    show("if-nametoindex-unknown", || {
        if_nametoindex("nosuch0").map(|i| i.to_string())
    });
    show("if-indextoname-unknown", || {
        if_indextoname(999).map(|v| s(&v))
    });
    show("if-indextoname-0", || if_indextoname(0).map(|v| s(&v)));

    show("inet-aton", || inet_aton("127.1").map(|b| bytes(&b)));
    show("inet-aton-3", || inet_aton("1.2.3").map(|b| bytes(&b)));
    show("inet-aton-hex", || {
        inet_aton("0x7f.0.0.1").map(|b| bytes(&b))
    });
    show("inet-aton-bad", || inet_aton("bad").map(|b| bytes(&b)));
    show("inet-ntoa", || {
        inet_ntoa(b"\x7f\x00\x00\x01").map(|v| s(&v))
    });
    show("inet-ntoa-short", || {
        inet_ntoa(b"\x01\x02\x03").map(|v| s(&v))
    });
    show("inet-pton-v6", || {
        inet_pton(AF_INET6, "::1").map(|b| bytes(&b))
    });
    show("inet-pton-v4-short", || {
        inet_pton(AF_INET, "1.2.3").map(|b| bytes(&b))
    });
    show("inet-pton-v6-bad", || {
        inet_pton(AF_INET6, "1::2::3").map(|b| bytes(&b))
    });
    show("inet-pton-unix", || {
        inet_pton(AF_UNIX, "x").map(|b| bytes(&b))
    });
    let mut v6 = vec![0x20, 0x01, 0x0d, 0xb8];
    v6.extend([0u8; 11]);
    v6.push(1);
    show("inet-ntop-v6", || inet_ntop(AF_INET6, &v6).map(|v| s(&v)));
    let mut mapped = vec![0u8; 10];
    mapped.extend([0xff, 0xff, 1, 2, 3, 4]);
    show("inet-ntop-mapped", || {
        inet_ntop(AF_INET6, &mapped).map(|v| s(&v))
    });
    show("inet-ntop-short", || {
        inet_ntop(AF_INET, b"123").map(|v| s(&v))
    });
    show("htons", || Ok(htons(0x1234).to_string()));
    show("ntohs", || Ok(ntohs(0x3412).to_string()));
    show("htonl", || Ok(htonl(0x1234_5678).to_string()));
    show("ntohl", || Ok(ntohl(0x7856_3412).to_string()));
    helpers();
    println!("done");
}

fn group(r: std::result::Result<Socket, ConnectionErrors>) -> Result<String> {
    match r {
        Ok(_) => Ok("None".into()),
        Err(ConnectionErrors::Error(e)) => Err(e),
        Err(g @ ConnectionErrors::Group(_)) => {
            let ConnectionErrors::Group(errors) = &g else {
                unreachable!()
            };
            Ok(format!(
                "({}, {})",
                s(&g.to_string()),
                list(errors.iter().map(|e| s(&exc(e))))
            ))
        }
    }
}

fn timeout(t: Option<f64>) -> String {
    t.map_or("None".into(), |t| format!("{t:?}"))
}

fn helpers() {
    show("cc-refused", || {
        create_connection(("127.0.0.1", 1), Some(5.0), Some(("127.0.0.1", 0).into()))
            .map(|_| "None".into())
    });
    show("cc-all-errors", || {
        group(create_connection_all_errors(("127.0.0.1", 1), None, None))
    });
    show("cc-all-errors-gai", || {
        group(create_connection_all_errors(("", 1), None, None))
    });
    show("cc-bad-source", || {
        create_connection(("127.0.0.1", 1), Some(5.0), Some(("::1", 0).into()))
            .map(|_| "None".into())
    });
    show("has-dualstack", || {
        Ok(if has_dualstack_ipv6() {
            "True"
        } else {
            "False"
        }
        .into())
    });
    let srv = wasock_test_guests::must(
        "create_server",
        create_server(("127.0.0.1", 0), AF_INET, None, false, false),
    );
    show("cs-v4-host", || {
        Ok(s(srv.getsockname()?.host().unwrap_or("")))
    });
    show("cs-v4-reuseaddr", || {
        srv.getsockopt(SOL_SOCKET, SO_REUSEADDR)
            .map(|v| v.to_string())
    });
    show("cs-dualstack-v4", || {
        create_server(("127.0.0.1", 0), AF_INET, None, false, true).map(|_| "None".into())
    });
    show("cs-dualstack-v6only", || {
        let s6 = create_server(("::1", 0), AF_INET6, Some(3), false, true)?;
        s6.getsockopt(IPPROTO_IPV6, IPV6_V6ONLY)
            .map(|v| v.to_string())
    });
    let s6 = wasock_test_guests::must(
        "create_server",
        create_server(("::1", 0), AF_INET6, None, true, false),
    );
    show("cs-v6-v6only", || {
        s6.getsockopt(IPPROTO_IPV6, IPV6_V6ONLY)
            .map(|v| v.to_string())
    });
    show("cs-v6-reuseport", || {
        s6.getsockopt(SOL_SOCKET, SO_REUSEPORT)
            .map(|v| v.to_string())
    });
    s6.close();
    show("default-timeout-initial", || {
        Ok(timeout(getdefaulttimeout()))
    });
    show("default-timeout-negative", || {
        setdefaulttimeout(Some(-1.0)).map(|_| "None".into())
    });
    wasock_test_guests::must("setdefaulttimeout", setdefaulttimeout(Some(2.5)));
    show("default-timeout-set", || Ok(timeout(getdefaulttimeout())));
    let fresh = wasock_test_guests::must("socket", socket(AF_INET, SOCK_STREAM, 0));
    show("default-timeout-new", || Ok(timeout(fresh.gettimeout())));
    fresh.close();
    let addr = wasock_test_guests::must("getsockname", srv.getsockname());
    let client = wasock_test_guests::must("create_connection", create_connection(addr, None, None));
    show("default-timeout-create-connection", || {
        Ok(timeout(client.gettimeout()))
    });
    let (conn, _) = wasock_test_guests::must("accept", srv.accept());
    show("default-timeout-accepted", || {
        Ok(timeout(conn.gettimeout()))
    });
    wasock_test_guests::must("setdefaulttimeout", setdefaulttimeout(None));
    show("default-timeout-accepted-after-reset", || {
        Ok(timeout(conn.gettimeout()))
    });
    conn.close();
    client.close();
    srv.close();
}

/// `localhost` both ways, as /etc/hosts answers it (compared with CPython
/// in a namespace whose hosts file names `localhost` for both families).
fn localhost() {
    let st = SOCK_STREAM;
    show("gai-localhost-unspec", || {
        gai(Some("localhost"), Some("80"), 0, st, 0, 0)
    });
    show("gai-localhost-v6", || {
        gai(Some("localhost"), Some("80"), AF_INET6, st, 0, 0)
    });
    show("gai-localhost-v4", || {
        gai(Some("localhost"), Some("80"), AF_INET, st, 0, 0)
    });
    show("gni-v6-localhost", || {
        getnameinfo(("::1", 80, 0, 0), 0).map(pair)
    });
    show("ghba-v6-localhost", || gethostbyaddr("::1").map(hostent));
    show("ghba-v4-localhost", || {
        gethostbyaddr("127.0.0.1").map(hostent)
    });
    show("ghbnex-localhost", || {
        gethostbyname_ex("localhost").map(hostent)
    });
    println!("done");
}

fn policy() {
    let st = SOCK_STREAM;
    show("gai-localhost-dot", || {
        gai(Some("localhost."), Some("80"), 0, st, 0, 0)
    });
    show("gai-localhost-case", || {
        gai(Some("LoCaLhOsT."), Some("80"), 0, st, 0, AI_CANONNAME)
    });
    show("gai-localhost-v6", || {
        gai(Some("localhost"), Some("80"), AF_INET6, st, 0, 0)
    });
    show("gai-localhost-v4-dot", || {
        gai(Some("LOCALHOST."), Some("80"), AF_INET, st, 0, 0)
    });
    show_detail("gai-name", || {
        gai(Some("api.example.test"), Some("80"), 0, st, 0, 0)
    });
    show_detail("gai-idna", || {
        gai(Some("Bücher.Example"), Some("80"), 0, st, 0, 0)
    });
    show_detail("gai-name-dot", || {
        gai(Some("api.example.test."), Some("80"), 0, st, 0, 0)
    });
    show_detail("gai-scope-name", || {
        gai(Some("fe80::1%lo"), Some("80"), AF_INET6, st, 0, 0)
    });
    show_detail("gai-scope-unknown", || {
        gai(Some("fe80::1%nosuch0"), Some("80"), AF_INET6, st, 0, 0)
    });
    show("gni-scope-hidden", || {
        getnameinfo(("fe80::1", 80, 0, 1), NI_NUMERICHOST | NI_NUMERICSERV).map(pair)
    });
    show("gni-reverse-denied", || {
        getnameinfo(("127.0.0.3", 80), NI_NUMERICSERV).map(pair)
    });
    show_detail("gni-reverse-namereqd", || {
        getnameinfo(("127.0.0.3", 80), NI_NAMEREQD).map(pair)
    });
    show("gni-v6-localhost", || {
        getnameinfo(("::1", 80, 0, 0), NI_NUMERICSERV).map(pair)
    });
    show_detail("ghbn-name", || {
        gethostbyname("api.example.test").map(|v| s(&v))
    });
    show_detail("ghbnex-name", || {
        gethostbyname_ex("api.example.test").map(hostent)
    });
    show_detail("ghba-denied", || gethostbyaddr("127.0.0.3").map(hostent));
    show("ghba-v6-localhost", || gethostbyaddr("::1").map(hostent));
    show("getfqdn-denied", || Ok(s(&getfqdn("127.0.0.3"))));
    show("gethostname", || gethostname().map(|v| s(&v)));
    show("if-nameindex", || {
        if_nameindex().map(|l| list(l.into_iter().map(|(i, n)| format!("({i}, {})", s(&n)))))
    });
    show("if-nametoindex-lo", || {
        if_nametoindex("lo").map(|i| i.to_string())
    });
    show("if-indextoname-1", || if_indextoname(1).map(|v| s(&v)));
    show_detail("connect-name", || {
        create_connection(("api.example.test", 80), Some(5.0), None).map(|_| String::new())
    });
    println!("done");
}

fn interfaces() {
    show("if-nameindex", || {
        if_nameindex().map(|l| list(l.into_iter().map(|(i, n)| format!("({i}, {})", s(&n)))))
    });
    show("if-nametoindex-lo", || {
        if_nametoindex("lo").map(|i| i.to_string())
    });
    show("if-indextoname-1", || if_indextoname(1).map(|v| s(&v)));
    show("gai-scope-name", || {
        gai(Some("fe80::1%lo"), Some("80"), AF_INET6, SOCK_STREAM, 0, 0)
    });
    show("gni-scope-name", || {
        getnameinfo(("fe80::1", 80, 0, 1), NI_NUMERICHOST | NI_NUMERICSERV).map(pair)
    });
    show("gni-scope-global", || {
        getnameinfo(("2001:db8::1", 80, 0, 1), NI_NUMERICHOST | NI_NUMERICSERV).map(pair)
    });
    show("gethostname", || gethostname().map(|v| s(&v)));
    show("getfqdn", || Ok(s(&getfqdn(""))));
    println!("done");
}

fn resolve(name: &str) {
    show_detail("resolve", || {
        gai(Some(name), Some("80"), AF_INET, SOCK_STREAM, 0, 0)
    });
}

fn connect(host: &str, port: u16) {
    show_detail("connect", || {
        let c = create_connection((host, port), Some(5.0), None)?;
        c.getpeername().map(|a| a.to_string())
    });
}

fn echo(port: u16) {
    show("echo", || {
        let c = create_connection(("127.0.0.1", port), Some(30.0), None)?;
        c.sendall(b"ping")?;
        Ok(bytes(&c.recv(16)?))
    });
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("common") => common(),
        Some("policy") => policy(),
        Some("localhost") => localhost(),
        Some("interfaces") => interfaces(),
        Some("resolve") => resolve(args.get(2).map_or("", String::as_str)),
        Some("connect") => connect(
            args.get(2).map_or("", String::as_str),
            args.get(3).and_then(|p| p.parse().ok()).unwrap_or(0),
        ),
        Some("echo") => echo(args.get(2).and_then(|p| p.parse().ok()).unwrap_or(0)),
        _ => {
            eprintln!(
                "usage: netdb common|policy|localhost|interfaces|resolve NAME|connect HOST PORT|echo PORT"
            );
            std::process::exit(2);
        }
    }
}
