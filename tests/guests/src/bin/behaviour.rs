//! The guest side of tests/python/behaviour.py: the same steps, printed the
//! same way. Usage: behaviour 4|6
use std::thread::sleep;
use std::time::{Duration, Instant};
use wasock::*;
use wasock_test_guests::{must, show};

fn main() {
    let v6 = std::env::args().nth(1).as_deref() == Some("6");
    let f = if v6 { AF_INET6 } else { AF_INET };
    let h = if v6 { "::1" } else { "127.0.0.1" };
    let ms = |n| sleep(Duration::from_millis(n));

    let closed_port = || {
        let s = must("socket", socket(f, SOCK_STREAM, 0));
        must("bind", s.bind((h, 0)));
        let port = must("getsockname", s.getsockname()).port().unwrap_or(0);
        s.close();
        port
    };

    let listener = must("socket", socket(f, SOCK_STREAM, 0));
    show("setsockopt-reuseaddr", || {
        listener.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
    });
    show("getsockopt-reuseaddr", || {
        listener.getsockopt(SOL_SOCKET, SO_REUSEADDR)
    });
    show("unbound-name", || listener.getsockname());
    show("bind", || listener.bind((h, 0)));
    show("listen", || listener.listen_default());
    let bound = must("getsockname", listener.getsockname());
    let port = bound.port().unwrap_or(0);
    show("bound-host", || Ok(bound.host().unwrap_or("").to_string()));
    show("bound-port-nonzero", || Ok(port > 0));
    show("bind-twice", || listener.bind((h, 0)));
    let other = must("socket", socket(f, SOCK_STREAM, 0));
    show("bind-in-use", || other.bind((h, port)));
    show("getpeername-unconnected", || other.getpeername());
    show("recv-unconnected", || other.recv(10));
    other.close();

    let client = must("socket", socket(f, SOCK_STREAM, 0));
    show("connect", || client.connect((h, port)));
    let (conn, addr) = must("accept", listener.accept());
    show("accept-peer-host", || {
        Ok(addr.host().unwrap_or("").to_string())
    });
    show("accept-peer-matches", || Ok(addr == client.getsockname()?));
    show("getpeername", || {
        Ok(client.getpeername()? == listener.getsockname()?)
    });
    show("family", || Ok(conn.family()));
    show("type", || Ok(conn.type_()));
    show("proto", || Ok(conn.proto()));
    show("so-type", || conn.getsockopt(SOL_SOCKET, SO_TYPE));
    show("so-error", || conn.getsockopt(SOL_SOCKET, SO_ERROR));
    show("nodelay-set", || {
        client.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1)
    });
    show("nodelay-get", || {
        client.getsockopt(IPPROTO_TCP, TCP_NODELAY)
    });
    let sel = |r: &[&Socket], w: &[&Socket], t: f64| {
        select(r, w, &[], Some(t)).map(|(rr, ww, _)| (rr, ww))
    };
    show("select-idle", || sel(&[&conn], &[&client], 0.0));
    let t0 = Instant::now();
    show("select-timeout", || sel(&[&conn], &[], 0.1));
    let waited = t0.elapsed().as_secs_f64();
    show("select-waited-about-0.1s", || {
        Ok((0.09..1.0).contains(&waited))
    });
    show("sendall", || client.sendall(b"hello world"));
    ms(50);
    show("select-readable", || sel(&[&conn, &listener], &[], 1.0));
    show("recv-peek", || conn.recv_flags(5, MSG_PEEK));
    show("recv", || conn.recv(1024));
    show("recv-dontwait", || conn.recv_flags(10, MSG_DONTWAIT));
    show("send", || client.send(b"abc"));
    show("send2", || client.send(b"def"));
    show("recv-waitall", || conn.recv_flags(6, MSG_WAITALL));
    show("recvfrom-stream", || {
        Ok((client.send(b"xy")?, conn.recvfrom(10)?))
    });
    // A dup shares the descriptor's blocking flag: each socket keeps its mode.
    let d = must("dup", conn.dup());
    show("dup-settimeout", || d.settimeout(Some(0.1)));
    show("dup-recv-timeout", || d.recv(10));
    show("dup-original-blocking", || Ok(conn.gettimeout()));
    show("recv-after-dup-timeout", || {
        let n = client.send(b"z")?;
        ms(50);
        Ok((n, conn.recv(10)?))
    });
    d.close();
    show("gettimeout-default", || Ok(conn.gettimeout()));
    show("settimeout", || conn.settimeout(Some(0.2)));
    show("gettimeout", || Ok(conn.gettimeout()));
    show("getblocking-timeout", || Ok(conn.getblocking()));
    let t0 = Instant::now();
    show("recv-timeout", || conn.recv(10));
    let elapsed = t0.elapsed().as_secs_f64();
    show("recv-timeout-elapsed-about-0.2s", || {
        Ok((0.18..1.5).contains(&elapsed))
    });
    show("setblocking-false", || conn.setblocking(false));
    show("gettimeout-nonblocking", || Ok(conn.gettimeout()));
    show("getblocking-nonblocking", || Ok(conn.getblocking()));
    show("recv-nonblocking", || conn.recv(10));
    show("setblocking-true", || conn.setblocking(true));
    show("gettimeout-blocking", || Ok(conn.gettimeout()));
    show("shutdown-write", || client.shutdown(SHUT_WR));
    show("recv-eof", || conn.recv(10));
    conn.close();
    ms(50);
    show("send-after-peer-closed-1", || client.send(b"x"));
    ms(50);
    show("send-after-peer-closed-2", || client.send(b"x"));
    client.close();

    must("settimeout", listener.settimeout(Some(0.1)));
    show("accept-timeout", || listener.accept().map(|(_, a)| a));
    must("setblocking", listener.setblocking(false));
    show("accept-nonblocking", || listener.accept().map(|(_, a)| a));
    let nb = must("socket", socket(f, SOCK_STREAM, 0));
    must("setblocking", nb.setblocking(false));
    show("connect-ex-nonblocking", || nb.connect_ex((h, port)));
    ms(100);
    show("so-error-after-connect", || {
        nb.getsockopt(SOL_SOCKET, SO_ERROR)
    });
    nb.close();
    let nb = must("socket", socket(f, SOCK_STREAM, 0));
    must("setblocking", nb.setblocking(false));
    show("connect-nonblocking", || nb.connect((h, port)));
    nb.close();
    listener.close();

    let dead = closed_port();
    let s = must("socket", socket(f, SOCK_STREAM, 0));
    show("connect-refused", || s.connect((h, dead)));
    s.close();
    let s = must("socket", socket(f, SOCK_STREAM, 0));
    show("connect-ex-refused", || s.connect_ex((h, dead)));
    s.close();
    show("create-connection-refused", || {
        create_connection((h, dead), None, None).map(|_| ())
    });

    let u1 = must("socket", socket(f, SOCK_DGRAM, 0));
    let u2 = must("socket", socket(f, SOCK_DGRAM, 0));
    show("udp-bind", || u1.bind((h, 0)));
    show("udp-sendto", || u2.sendto(b"dgram", u1.getsockname()?));
    show("udp-recvfrom", || {
        let (d, a) = u1.recvfrom(100)?;
        Ok((d, a == u2.getsockname()?))
    });
    show("udp-recv-dontwait", || u1.recv_flags(10, MSG_DONTWAIT));
    show("udp-sendto-long", || {
        u2.sendto(b"0123456789", u1.getsockname()?)
    });
    show("udp-recv-truncated", || u1.recv(4));
    show("udp-connect", || u2.connect(u1.getsockname()?));
    show("udp-send", || u2.send(b"connected"));
    show("udp-recv", || u1.recv(100));
    show("udp-type", || Ok(u1.type_()));
    show("udp-listen", || u1.listen_default());
    u1.close();
    u2.close();

    show("bad-family", || socket(12345, SOCK_STREAM, 0).map(|_| ()));
    show("bad-type", || socket(f, 12345, 0).map(|_| ()));
    show("gai-passive", || {
        getaddrinfo(None, 80, AF_UNSPEC, SOCK_STREAM, 0, AI_PASSIVE)
    });
    show("gai-numeric", || {
        getaddrinfo(Some(h), Some("80"), f, SOCK_STREAM, 0, 0)
    });
    show("gai-localhost", || {
        getaddrinfo(Some("localhost"), Some("80"), AF_INET, SOCK_STREAM, 0, 0)
    });
    println!("done");
}
