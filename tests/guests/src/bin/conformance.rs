//! The guest side of tests/python/conformance.py, the differential
//! conformance suite: the same scenarios, printed the same way (one line
//! `section.name: result` each; timings as a class, never a number).
use std::cell::RefCell;
use std::io::{BufRead, Read, Write};
use std::thread::sleep;
use std::time::{Duration, Instant};
use wasock::*;
use wasock_test_guests::{exc, must, Repr};

thread_local! {
    static SECTION: RefCell<String> = const { RefCell::new(String::new()) };
}

fn section(name: &str) {
    SECTION.with(|s| *s.borrow_mut() = name.to_string());
}

fn line(name: &str, text: String) {
    SECTION.with(|s| println!("{}.{name}: {text}", s.borrow()));
}

/// One scenario whose result prints with Python's `repr()`.
fn show<T: Repr>(name: &str, f: impl FnOnce() -> Result<T>) {
    match f() {
        Ok(v) => line(name, format!("ok {}", v.repr())),
        Err(e) => line(name, exc(&e)),
    }
}

/// One scenario whose result is already Python's `repr()` text.
fn showr(name: &str, f: impl FnOnce() -> Result<String>) {
    match f() {
        Ok(v) => line(name, format!("ok {v}")),
        Err(e) => line(name, exc(&e)),
    }
}

fn timing(elapsed: f64, limit: f64) -> String {
    if elapsed < limit / 2.0 {
        "immediate"
    } else if elapsed < limit + 2.0 {
        "on-time"
    } else {
        "late"
    }
    .into()
}

fn timed<T: Repr>(name: &str, limit: f64, f: impl FnOnce() -> Result<T>) {
    let t0 = Instant::now();
    show(name, f);
    let class = timing(t0.elapsed().as_secs_f64(), limit);
    show(&format!("{name}-timing"), || Ok(class));
}

fn ms(n: u64) {
    sleep(Duration::from_millis(n));
}

/// Python's `nohost(a)`: the address without its port.
fn nohost(a: &Address) -> String {
    match a {
        Address::Inet(h, _) => format!("('{h}',)"),
        Address::Inet6(h, _, f, s) => format!("('{h}', {f}, {s})"),
        other => other.to_string(),
    }
}

fn tup(items: &[String]) -> String {
    format!("({})", items.join(", "))
}

fn pair_of(f: i32, h: &str) -> (Socket, Socket) {
    let l = must("socket", socket(f, SOCK_STREAM, 0));
    must("bind", l.bind((h, 0)));
    must("listen", l.listen_default());
    let c = must("socket", socket(f, SOCK_STREAM, 0));
    must("connect", c.connect(must("getsockname", l.getsockname())));
    let (s, _) = must("accept", l.accept());
    l.close();
    (c, s)
}

fn pair() -> (Socket, Socket) {
    pair_of(AF_INET, "127.0.0.1")
}

fn closed_port(t: i32) -> u16 {
    let s = must("socket", socket(AF_INET, t, 0));
    must("bind", s.bind(("127.0.0.1", 0)));
    let p = must("getsockname", s.getsockname()).port().unwrap_or(0);
    s.close();
    p
}

fn name(s: &Socket) -> Address {
    must("getsockname", s.getsockname())
}

fn sel(r: &[&Socket], w: &[&Socket], x: &[&Socket], t: f64) -> Result<String> {
    let (rr, ww, xx) = select(r, w, x, Some(t))?;
    Ok(tup(&[rr.repr(), ww.repr(), xx.repr()]))
}

fn main() {
    creation();
    state();
    tcp();
    udp();
    ipv6();
    timeouts();
    options();
    unix();
    ancillary();
    netdb();
    makefile();
    selects();
    println!("done");
}

fn creation() {
    section("create");
    let t = must("socket", socket(AF_INET, SOCK_STREAM, 0));
    let u = must("socket", socket(AF_INET, SOCK_DGRAM, 0));
    show("tcp-family", || Ok(t.family()));
    show("tcp-type", || Ok(t.type_()));
    show("tcp-proto", || Ok(t.proto()));
    show("udp-type", || Ok(u.type_()));
    show("udp-proto-explicit", || {
        Ok(socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?.proto())
    });
    show("tcp6-family", || {
        Ok(socket(AF_INET6, SOCK_STREAM, 0)?.family())
    });
    show("unix-family", || {
        Ok(socket(AF_UNIX, SOCK_STREAM, 0)?.family())
    });
    show("wrong-proto", || {
        Ok(socket(AF_INET, SOCK_STREAM, IPPROTO_UDP)?.proto())
    });
    show("bad-family", || Ok(socket(12345, SOCK_STREAM, 0)?.proto()));
    show("bad-type", || Ok(socket(AF_INET, 12345, 0)?.proto()));
    show("gettimeout-new", || Ok(t.gettimeout()));
    show("getblocking-new", || Ok(t.getblocking()));
    show("nonblock-flag-type", || {
        Ok(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0)?.type_())
    });
    show("nonblock-flag-timeout", || {
        Ok(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0)?.gettimeout())
    });
    show("getsockname-unbound", || t.getsockname());
    show("getsockname-unbound6", || {
        socket(AF_INET6, SOCK_STREAM, 0)?.getsockname()
    });
    show("getpeername-unconnected", || t.getpeername());
    show("so-error-new", || t.getsockopt(SOL_SOCKET, SO_ERROR));
    show("so-type-dgram", || u.getsockopt(SOL_SOCKET, SO_TYPE));
    show("so-acceptconn-before", || {
        t.getsockopt(SOL_SOCKET, SO_ACCEPTCONN)
    });
    show("fileno-nonnegative", || Ok(t.fileno() >= 0));
    t.close();
    u.close();
}

fn state() {
    section("state");
    let l = must("socket", socket(AF_INET, SOCK_STREAM, 0));
    must("bind", l.bind(("127.0.0.1", 0)));
    let port = name(&l).port().unwrap_or(0);
    show("bind-twice", || l.bind(("127.0.0.1", 0)));
    let o = must("socket", socket(AF_INET, SOCK_STREAM, 0));
    show("bind-in-use", || o.bind(("127.0.0.1", port)));
    show("accept-not-listening", || l.accept().map(|_| ()));
    show("listen", || l.listen(-1));
    show("so-acceptconn-listening", || {
        l.getsockopt(SOL_SOCKET, SO_ACCEPTCONN)
    });
    show("listen-again", || l.listen(5));
    show("bind-wrong-family", || o.bind(("::1", 0)));
    show("recv-unconnected", || o.recv(1));
    show("send-unconnected", || o.send(b"x"));
    show("shutdown-unconnected", || o.shutdown(SHUT_RDWR));
    show("connect", || o.connect(("127.0.0.1", port)));
    show("connect-again", || o.connect(("127.0.0.1", port)));
    show("connect-ex-again", || o.connect_ex(("127.0.0.1", port)));
    show("bind-after-connect", || o.bind(("127.0.0.1", 0)));
    show("listen-after-connect", || o.listen_default());
    show("getpeername-connected", || {
        Ok(o.getpeername()? == l.getsockname()?)
    });
    o.close();
    l.close();
    let dead = closed_port(SOCK_STREAM);
    let s = must("socket", socket(AF_INET, SOCK_STREAM, 0));
    show("connect-refused", || s.connect(("127.0.0.1", dead)));
    s.close();
    let s = must("socket", socket(AF_INET, SOCK_STREAM, 0));
    show("connect-ex-refused", || s.connect_ex(("127.0.0.1", dead)));
    s.close();
    let s = must("socket", socket(AF_INET, SOCK_STREAM, 0));
    show("connect-port-zero", || s.connect_ex(("127.0.0.1", 0)));
    s.close();
    let u = must("socket", socket(AF_INET, SOCK_DGRAM, 0));
    show("udp-listen", || u.listen_default());
    show("udp-accept", || u.accept().map(|_| ()));
    show("udp-send-unconnected", || u.send(b"x"));
    show("udp-getpeername", || u.getpeername());
    u.close();
}

fn recv_exact(s: &Socket, n: usize) -> Result<Vec<u8>> {
    let mut got = Vec::new();
    while got.len() < n {
        let chunk = s.recv(65536)?;
        if chunk.is_empty() {
            break;
        }
        got.extend(chunk);
    }
    Ok(got)
}

fn tcp() {
    section("tcp");
    let (c, s) = pair();
    let data: Vec<u8> = (0..256 * 4096).map(|i| (i % 256) as u8).collect();
    show("sendall-1mib", || c.sendall(&data));
    show("recv-1mib-intact", || {
        Ok(recv_exact(&s, data.len())? == data)
    });
    show("recv-zero", || {
        let n = c.send(b"q")?;
        ms(20);
        Ok((n, s.recv(0)?))
    });
    show("recv-after-zero", || s.recv(10));
    show("peek-then-recv", || {
        c.send(b"peek")?;
        ms(20);
        Ok((s.recv_flags(2, MSG_PEEK)?, s.recv(10)?))
    });
    show("waitall-two-sends", || {
        c.send(b"ab")?;
        c.send(b"cd")?;
        s.recv_flags(4, MSG_WAITALL)
    });
    show("dontwait-empty", || s.recv_flags(10, MSG_DONTWAIT));
    let mut buf = [0u8; 8];
    show("recv-into", || {
        c.send(b"into")?;
        ms(20);
        let n = s.recv_into(&mut buf, 0, 0)?;
        Ok((n, buf.to_vec()))
    });
    show("recv-into-nbytes", || {
        c.send(b"12345")?;
        ms(20);
        let n = s.recv_into(&mut buf, 3, 0)?;
        Ok((n, s.recv(10)?))
    });
    show("recv-into-too-small", || s.recv_into(&mut [0u8; 2], 5, 0));
    show("recvfrom-stream", || {
        c.send(b"rf")?;
        ms(20);
        s.recvfrom(10)
    });
    show("send-empty", || c.send(b""));
    show("oob-send", || c.send_flags(b"!", MSG_OOB));
    ms(20);
    show("oob-select-exceptional", || {
        Ok(select(&[], &[], &[&s], Some(0.0))?.2.len())
    });
    show("oob-recv", || s.recv_flags(1, MSG_OOB));
    show("shutdown-bad-how", || c.shutdown(7));
    show("shut-wr", || c.shutdown(SHUT_WR));
    show("peer-sees-eof", || s.recv(10));
    show("peer-eof-again", || s.recv(10));
    show("send-after-shut-wr", || c.send(b"x"));
    show("half-close-other-way", || {
        s.sendall(b"still open")?;
        ms(20);
        c.recv(100)
    });
    show("shut-rd", || c.shutdown(SHUT_RD));
    show("recv-after-shut-rd", || c.recv(10));
    c.close();
    s.close();

    let (c, s) = pair();
    let linger: Vec<u8> = [1i32.to_ne_bytes(), 0i32.to_ne_bytes()].concat();
    show("linger-set", || c.setsockopt(SOL_SOCKET, SO_LINGER, linger));
    showr("linger-get", || {
        let b = c.getsockopt_bytes(SOL_SOCKET, SO_LINGER, 8)?;
        let on = i32::from_ne_bytes(b[0..4].try_into().unwrap());
        let secs = i32::from_ne_bytes(b[4..8].try_into().unwrap());
        Ok(format!("({on}, {secs})"))
    });
    c.close();
    ms(50);
    show("rst-recv", || s.recv(10));
    show("rst-recv-again", || s.recv(10));
    show("rst-so-error", || s.getsockopt(SOL_SOCKET, SO_ERROR));
    s.close();
    let (c, s) = pair();
    must("sendall", c.sendall(b"unread"));
    ms(20);
    s.close();
    ms(50);
    show("close-unread-resets", || c.recv(10));
    c.close();
    let (c, s) = pair();
    s.close();
    ms(50);
    show("send-after-peer-close-1", || c.send(b"x"));
    ms(50);
    show("send-after-peer-close-2", || c.send(b"x"));
    c.close();
}

fn udp() {
    section("udp");
    let a = must("socket", socket(AF_INET, SOCK_DGRAM, 0));
    let b = must("socket", socket(AF_INET, SOCK_DGRAM, 0));
    must("bind", a.bind(("127.0.0.1", 0)));
    must("bind", b.bind(("127.0.0.1", 0)));
    let an = name(&a);
    let bn = name(&b);
    show("empty-sendto", || b.sendto(b"", &an));
    show("empty-recvfrom", || {
        let (d, x) = a.recvfrom(10)?;
        Ok((d, x == bn))
    });
    show("sendto-long", || b.sendto(b"0123456789", &an));
    show("recv-truncated", || a.recv(4));
    show("truncated-rest-gone", || a.recv_flags(10, MSG_DONTWAIT));
    show("recvmsg-trunc-flag", || {
        b.sendto(b"0123456789", &an)?;
        ms(20);
        let m = a.recvmsg(4, 0, 0)?;
        Ok((m.0, m.2 & MSG_TRUNC != 0))
    });
    show("recv-trunc-flag-length", || {
        b.sendto(b"0123456789", &an)?;
        ms(20);
        Ok(a.recv_flags(4, MSG_TRUNC)?.len())
    });
    show("boundaries", || {
        b.sendto(b"one", &an)?;
        b.sendto(b"two", &an)?;
        ms(20);
        Ok((a.recv(100)?, a.recv(100)?))
    });
    let mut buf = [0u8; 10];
    show("recvfrom-into", || {
        b.sendto(b"xyz", &an)?;
        ms(20);
        let (n, _) = a.recvfrom_into(&mut buf, 0, 0)?;
        Ok((n, buf[..3].to_vec()))
    });
    show("max-datagram", || b.sendto(&vec![b'x'; 65507], &an));
    show("max-datagram-recv", || Ok(a.recv(70000)?.len()));
    show("too-big-datagram", || b.sendto(&vec![b'x'; 65508], &an));
    let c3 = must("socket", socket(AF_INET, SOCK_DGRAM, 0));
    must("bind", c3.bind(("127.0.0.1", 0)));
    show("connect", || a.connect(&bn));
    show("getpeername", || Ok(a.getpeername()? == bn));
    show("connected-filters-others", || {
        c3.sendto(b"stranger", &an)?;
        ms(20);
        a.recv_flags(100, MSG_DONTWAIT)
    });
    show("connected-accepts-peer", || {
        b.sendto(b"friend", &an)?;
        ms(20);
        a.recv(100)
    });
    show("connected-send", || {
        a.send(b"hi")?;
        ms(20);
        Ok(b.recvfrom(10)?.0)
    });
    show("autobind-port", || {
        let s = socket(AF_INET, SOCK_DGRAM, 0)?;
        s.sendto(b"x", &an)?;
        Ok(s.getsockname()?.port().unwrap_or(0) > 0)
    });
    c3.close();
    a.close();
    b.close();
    let r = must("socket", socket(AF_INET, SOCK_DGRAM, 0));
    show("connect-closed-port", || {
        r.connect(("127.0.0.1", closed_port(SOCK_DGRAM)))
    });
    show("send-to-closed-port", || r.send(b"x"));
    ms(50);
    show("refused-reported", || r.recv(10));
    show("refused-once", || r.recv_flags(10, MSG_DONTWAIT));
    r.close();
}

fn ipv6() {
    section("ipv6");
    let (c, s) = pair_of(AF_INET6, "::1");
    showr("peer-address", || Ok(nohost(&c.getpeername()?)));
    showr("sock-address", || Ok(nohost(&s.getsockname()?)));
    show("transfer", || {
        c.sendall(b"six")?;
        s.recv(10)
    });
    c.close();
    s.close();
    let v = must("socket", socket(AF_INET6, SOCK_STREAM, 0));
    show("v6only-default", || v.getsockopt(IPPROTO_IPV6, IPV6_V6ONLY));
    show("v6only-set", || {
        v.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 1)?;
        v.getsockopt(IPPROTO_IPV6, IPV6_V6ONLY)
    });
    show("bind-v4-address", || v.bind(("127.0.0.1", 0)));
    v.close();
    show("has-dualstack", || Ok(has_dualstack_ipv6()));
    let d = must("socket", socket(AF_INET6, SOCK_STREAM, 0));
    must("v6only", d.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 0));
    must("bind", d.bind(("::", 0)));
    must("listen", d.listen_default());
    let dport = name(&d).port().unwrap_or(0);
    let c4 = must("socket", socket(AF_INET, SOCK_STREAM, 0));
    show("dualstack-v4-connect", || c4.connect(("127.0.0.1", dport)));
    showr("dualstack-accept-mapped", || {
        let (s, a) = d.accept()?;
        s.close();
        Ok(nohost(&a))
    });
    c4.close();
    let m = must("socket", socket(AF_INET6, SOCK_STREAM, 0));
    show("mapped-connect", || m.connect(("::ffff:127.0.0.1", dport)));
    showr("mapped-peername", || Ok(nohost(&m.getpeername()?)));
    showr("mapped-accept", || {
        let (s, a) = d.accept()?;
        s.close();
        Ok(nohost(&a))
    });
    m.close();
    d.close();
    let a = must("socket", socket(AF_INET6, SOCK_DGRAM, 0));
    let b = must("socket", socket(AF_INET6, SOCK_DGRAM, 0));
    must("bind", a.bind(("::1", 0)));
    show("udp6-sendto", || b.sendto(b"six", name(&a)));
    showr("udp6-recvfrom", || {
        let (x, addr) = a.recvfrom(10)?;
        let addr = if addr.is_none() {
            "None".into()
        } else {
            nohost(&addr)
        };
        Ok(tup(&[x.repr(), addr]))
    });
    a.close();
    b.close();
}

fn timeouts() {
    section("timeout");
    let (c, s) = pair();
    show("settimeout", || s.settimeout(Some(0.2)));
    timed("recv-timeout", 0.2, || s.recv(10));
    show("getblocking-timeout", || Ok(s.getblocking()));
    timed("recv-data-ready", 0.2, || {
        c.send(b"ready")?;
        ms(20);
        s.recv(10)
    });
    show("settimeout-zero", || s.settimeout(Some(0.0)));
    timed("recv-nonblocking", 0.2, || s.recv(10));
    show("gettimeout-zero", || Ok(s.gettimeout()));
    show("settimeout-none", || s.settimeout(None));
    show("gettimeout-none", || Ok(s.gettimeout()));
    show("settimeout-negative", || s.settimeout(Some(-1.0)));
    show("settimeout-nan", || s.settimeout(Some(f64::NAN)));
    show("setblocking-false", || {
        s.setblocking(false)?;
        Ok(s.gettimeout())
    });
    show("setblocking-true", || {
        s.setblocking(true)?;
        Ok(s.gettimeout())
    });
    must("settimeout", c.settimeout(Some(0.2)));
    let big = vec![b'x'; 1 << 20];
    timed("sendall-timeout", 0.2, || {
        for _ in 0..64 {
            c.sendall(&big)?;
        }
        Ok(())
    });
    c.close();
    s.close();
    let l = must("socket", socket(AF_INET, SOCK_STREAM, 0));
    must("bind", l.bind(("127.0.0.1", 0)));
    must("listen", l.listen_default());
    must("settimeout", l.settimeout(Some(0.15)));
    timed("accept-timeout", 0.15, || l.accept().map(|_| ()));
    must("settimeout", l.settimeout(Some(0.0)));
    show("accept-nonblocking", || l.accept().map(|_| ()));
    show("default-initial", || Ok(getdefaulttimeout()));
    show("setdefault", || setdefaulttimeout(Some(0.25)));
    show("default-new-socket", || {
        Ok(socket(AF_INET, SOCK_STREAM, 0)?.gettimeout())
    });
    must("settimeout", l.settimeout(None));
    let k = must("socket", socket(AF_INET, SOCK_STREAM, 0));
    show("default-connect", || k.connect(name(&l)));
    show("default-accepted", || Ok(l.accept()?.0.gettimeout()));
    show("default-unchanged-listener", || Ok(l.gettimeout()));
    show("setdefault-negative", || setdefaulttimeout(Some(-2.0)));
    show("setdefault-none", || setdefaulttimeout(None));
    show("default-back", || {
        Ok(socket(AF_INET, SOCK_STREAM, 0)?.gettimeout())
    });
    k.close();
    let nb = must("socket", socket(AF_INET, SOCK_STREAM, 0));
    must("setblocking", nb.setblocking(false));
    show("connect-ex-nonblocking", || nb.connect_ex(name(&l)));
    ms(50);
    show("nonblocking-connected", || {
        nb.getsockopt(SOL_SOCKET, SO_ERROR)
    });
    nb.close();
    l.close();
}

fn setget(s: &Socket, level: i32, opt: i32, value: i32) -> Result<i32> {
    s.setsockopt(level, opt, value)?;
    s.getsockopt(level, opt)
}

fn options() {
    section("opt");
    let t = must("socket", socket(AF_INET, SOCK_STREAM, 0));
    let u = must("socket", socket(AF_INET, SOCK_DGRAM, 0));
    let t6 = must("socket", socket(AF_INET6, SOCK_STREAM, 0));
    show("reuseaddr", || {
        Ok(setget(&t, SOL_SOCKET, SO_REUSEADDR, 1)? != 0)
    });
    show("reuseport", || {
        Ok(setget(&t, SOL_SOCKET, SO_REUSEPORT, 1)? != 0)
    });
    show("keepalive", || {
        Ok(setget(&t, SOL_SOCKET, SO_KEEPALIVE, 1)? != 0)
    });
    show("keepalive-off", || setget(&t, SOL_SOCKET, SO_KEEPALIVE, 0));
    show("rcvbuf-doubled", || setget(&t, SOL_SOCKET, SO_RCVBUF, 8192));
    show("sndbuf-doubled", || {
        setget(&t, SOL_SOCKET, SO_SNDBUF, 16384)
    });
    show("rcvlowat", || setget(&t, SOL_SOCKET, SO_RCVLOWAT, 4));
    show("oobinline", || {
        Ok(setget(&t, SOL_SOCKET, SO_OOBINLINE, 1)? != 0)
    });
    show("broadcast", || {
        Ok(setget(&u, SOL_SOCKET, SO_BROADCAST, 1)? != 0)
    });
    show("linger-default", || {
        t.getsockopt_bytes(SOL_SOCKET, SO_LINGER, 8)
    });
    show("rcvtimeo-len", || {
        Ok(t.getsockopt_bytes(SOL_SOCKET, SO_RCVTIMEO, 16)?.len())
    });
    show("so-domain", || t.getsockopt(SOL_SOCKET, SO_DOMAIN));
    show("so-protocol", || u.getsockopt(SOL_SOCKET, SO_PROTOCOL));
    show("sol-unknown-get", || t.getsockopt(SOL_SOCKET, 9999));
    show("nodelay", || {
        Ok(setget(&t, IPPROTO_TCP, TCP_NODELAY, 1)? != 0)
    });
    show("keepidle", || setget(&t, IPPROTO_TCP, TCP_KEEPIDLE, 30));
    show("keepintvl", || setget(&t, IPPROTO_TCP, TCP_KEEPINTVL, 5));
    show("keepcnt", || setget(&t, IPPROTO_TCP, TCP_KEEPCNT, 3));
    show("user-timeout", || {
        setget(&t, IPPROTO_TCP, TCP_USER_TIMEOUT, 1000)
    });
    show("keepidle-zero", || {
        t.setsockopt(IPPROTO_TCP, TCP_KEEPIDLE, 0)
    });
    show("tcp-on-udp", || u.getsockopt(IPPROTO_TCP, TCP_NODELAY));
    show("ip-ttl-default", || u.getsockopt(IPPROTO_IP, IP_TTL));
    show("ip-ttl", || setget(&u, IPPROTO_IP, IP_TTL, 5));
    show("ip-ttl-zero", || u.setsockopt(IPPROTO_IP, IP_TTL, 0));
    show("ip-ttl-256", || u.setsockopt(IPPROTO_IP, IP_TTL, 256));
    show("ip-tos", || setget(&u, IPPROTO_IP, IP_TOS, 0x10));
    show("multicast-ttl", || {
        setget(&u, IPPROTO_IP, IP_MULTICAST_TTL, 2)
    });
    show("multicast-loop", || {
        setget(&u, IPPROTO_IP, IP_MULTICAST_LOOP, 0)
    });
    show("v6-unicast-hops", || {
        setget(&t6, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 7)
    });
    show("v6-multicast-hops", || {
        let s = socket(AF_INET6, SOCK_DGRAM, 0)?;
        setget(&s, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 3)
    });
    show("v6-on-v4", || t.getsockopt(IPPROTO_IPV6, IPV6_V6ONLY));
    t.close();
    u.close();
    t6.close();
}

fn unix() {
    section("unix");
    let (x, y) = must("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0));
    show("pair-family", || Ok(x.family()));
    show("pair-type", || Ok(x.type_()));
    show("pair-name", || x.getsockname());
    show("pair-transfer", || {
        x.sendall(b"unix")?;
        y.recv(10)
    });
    show("pair-shutdown", || {
        x.shutdown(SHUT_WR)?;
        y.recv(10)
    });
    x.close();
    y.close();
    let (x, y) = must("socketpair", socketpair(AF_UNIX, SOCK_DGRAM, 0));
    show("dgram-boundaries", || {
        x.send(b"a")?;
        x.send(b"bc")?;
        Ok((y.recv(10)?, y.recv(10)?))
    });
    show("dgram-empty", || {
        x.send(b"")?;
        y.recv(10)
    });
    x.close();
    y.close();
    let (x, y) = must("socketpair", socketpair(AF_UNIX, SOCK_SEQPACKET, 0));
    show("seqpacket-type", || Ok(x.type_()));
    show("seqpacket-truncate", || {
        x.send(b"0123456789")?;
        y.recv(3)
    });
    show("seqpacket-rest-gone", || y.recv_flags(10, MSG_DONTWAIT));
    x.close();
    y.close();
    show("pair-inet", || {
        socketpair(AF_INET, SOCK_STREAM, 0).map(|_| ())
    });
}

fn ancillary() {
    section("anc");
    show("cmsg-len", || Ok(CMSG_LEN(4)));
    show("cmsg-space", || Ok(CMSG_SPACE(4)));
    let (x, y) = must("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0));
    show("sendmsg-buffers", || {
        x.sendmsg(&[b"ab", b"cd", b"ef"], &[], 0, None)
    });
    showr("recvmsg-plain", || {
        let (d, anc, fl, _) = y.recvmsg(100, 0, 0)?;
        Ok(format!("({}, [{}], {fl})", d.repr(), anc.len()).replace("[0]", "[]"))
    });
    let (z, w) = must("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0));
    show("send-fds", || send_fds(&x, &[b"fd"], &[&z], 0, None));
    showr("recv-fds-count", || {
        let (m, fds, fl, _) = recv_fds(&y, 10, 4, 0)?;
        Ok(format!("({}, {}, {fl})", m.repr(), fds.len()))
    });
    show("ctrunc", || {
        send_fds(&x, &[b"fd"], &[&z, &w], 0, None)?;
        let m = y.recvmsg(10, CMSG_LEN(4), 0)?;
        Ok((m.0, m.2 & MSG_CTRUNC != 0))
    });
    x.close();
    y.close();
    z.close();
    w.close();
    let u = must("socket", socket(AF_INET, SOCK_DGRAM, 0));
    must("bind", u.bind(("127.0.0.1", 0)));
    must("recvtos", u.setsockopt(IPPROTO_IP, IP_RECVTOS, 1));
    let v = must("socket", socket(AF_INET, SOCK_DGRAM, 0));
    must("sendto", v.sendto(b"tos", name(&u)));
    showr("recvtos", || {
        let (d, anc, _, _) = u.recvmsg(10, CMSG_SPACE(4), 0)?;
        let items: Vec<String> = anc
            .iter()
            .map(|a| match a {
                Ancillary::Raw { level, type_, data } => {
                    format!("({level}, {type_}, {})", data.len())
                }
                Ancillary::Rights(s) => format!("(1, 1, {})", s.len() * 4),
            })
            .collect();
        Ok(format!("({}, [{}])", d.repr(), items.join(", ")))
    });
    u.close();
    v.close();
}

fn netdb() {
    section("netdb");
    show("inet-aton", || inet_aton("127.0.0.1"));
    show("inet-aton-short", || inet_aton("127.1"));
    show("inet-aton-bad", || inet_aton("300.1.1.1"));
    show("inet-ntoa", || inet_ntoa(b"\x7f\x00\x00\x01"));
    show("inet-ntoa-bad", || inet_ntoa(b"\x01"));
    show("pton6", || inet_pton(AF_INET6, "::1"));
    show("pton6-bad", || inet_pton(AF_INET6, ":::"));
    show("ntop6", || {
        let mut b = vec![0x20, 0x01, 0x0d, 0xb8];
        b.extend([0u8; 11]);
        b.push(1);
        inet_ntop(AF_INET6, &b)
    });
    show("ntop4-bad-length", || inet_ntop(AF_INET, b"\x01\x02"));
    show("htons", || Ok(htons(1)));
    show("gai-numeric", || {
        getaddrinfo(Some("127.0.0.1"), Some("80"), AF_INET, SOCK_STREAM, 0, 0)
    });
    show("gai-bad-service", || {
        getaddrinfo(
            Some("127.0.0.1"),
            Some("no-such-service"),
            AF_INET,
            SOCK_STREAM,
            0,
            0,
        )
    });
    show("gai-numerichost-name", || {
        getaddrinfo(
            Some("localhost"),
            Some("80"),
            AF_INET,
            SOCK_STREAM,
            0,
            AI_NUMERICHOST,
        )
    });
    show("getnameinfo-numeric", || {
        let (h, p) = getnameinfo(("127.0.0.1", 80), NI_NUMERICHOST | NI_NUMERICSERV)?;
        Ok((h, p))
    });
    show("getprotobyname", || getprotobyname("udp"));
}

fn makefile() {
    section("makefile");
    let (c, s) = pair();
    let mut fw = must("makefile", c.makefile("wb", Some(0)));
    let mut fr = must("makefile", s.makefile("rb", None));
    show("write", || {
        fw.write(b"line one\nline two\nrest").map_err(io_err)
    });
    let readline = |fr: &mut SocketFile| -> Result<Vec<u8>> {
        let mut v = Vec::new();
        fr.read_until(b'\n', &mut v).map_err(io_err)?;
        Ok(v)
    };
    show("readline", || readline(&mut fr));
    show("read-n", || {
        let mut v = Vec::new();
        (&mut fr).take(4).read_to_end(&mut v).map_err(io_err)?;
        Ok(v)
    });
    show("readline-2", || readline(&mut fr));
    must("shutdown", c.shutdown(SHUT_WR));
    show("read-to-eof", || {
        let mut v = Vec::new();
        fr.read_to_end(&mut v).map_err(io_err)?;
        Ok(v)
    });
    show("read-at-eof", || {
        let mut v = Vec::new();
        fr.read_to_end(&mut v).map_err(io_err)?;
        Ok(v)
    });
    drop(fw);
    drop(fr);
    c.close();
    s.close();
}

fn io_err(e: std::io::Error) -> Error {
    Error::new(ErrorKind::OSError, e.to_string())
}

fn selects() {
    section("select");
    let l = must("socket", socket(AF_INET, SOCK_STREAM, 0));
    must("bind", l.bind(("127.0.0.1", 0)));
    must("listen", l.listen_default());
    let c = must("socket", socket(AF_INET, SOCK_STREAM, 0));
    must("connect", c.connect(name(&l)));
    ms(20);
    showr("listener-readable", || sel(&[&l], &[], &[], 1.0));
    let (s, _) = must("accept", l.accept());
    showr("connected-writable", || sel(&[&s], &[&c, &s], &[], 0.0));
    let t0 = Instant::now();
    showr("nothing-ready", || sel(&[&s, &c], &[], &[&s], 0.15));
    let class = timing(t0.elapsed().as_secs_f64(), 0.15);
    show("nothing-ready-timing", || Ok(class));
    showr("data-readable", || {
        c.send(b"x")?;
        ms(20);
        sel(&[&c, &s], &[], &[], 1.0)
    });
    must("recv", s.recv(10));
    showr("eof-readable", || {
        c.shutdown(SHUT_WR)?;
        ms(20);
        sel(&[&s], &[], &[], 1.0)
    });
    showr("empty-lists", || sel(&[], &[], &[], 0.0));
    showr("negative-timeout", || sel(&[&s], &[], &[], -1.0));
    show("same-socket-twice", || {
        Ok(select(&[&s, &s], &[], &[], Some(0.0))?.0.len())
    });
    c.close();
    s.close();
    l.close();
}
