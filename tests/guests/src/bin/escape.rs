//! The guest side of the escape battery (host/tests/e2e/escape.rs): tries
//! what a sandboxed program might to get past the policy, one step per
//! argument, and prints `STEP: ok …` or `STEP: <Exception>: <message>` for
//! each. The host test judges each attempt by what native observers saw,
//! not by these lines.
//!
//! Steps (fields separated by `,`):
//! - `connect,HOST,PORT[,SCOPE]`: TCP connect, send `x`.
//! - `connect-from,BIND,HOST,PORT`: TCP bind to BIND (port 0), then connect.
//! - `burst,HOST,PORT`: TCP connect, non-blocking, send 10 bytes twice.
//! - `sendto,HOST,PORT`: UDP sendto of `x` from a fresh socket.
//! - `sendto-seq,HOST,PORT,HOST2,PORT2`: one UDP socket sends to the
//!   first address twice, the second once, the first again.
//! - `udp-connect,HOST,PORT`: UDP connect, then send `x`.
//! - `bind,tcp|udp,HOST,PORT`: bind (and listen, for tcp); kept open.
//! - `bind-v6only,tcp|udp,PORT`: an IPv6 socket with IPV6_V6ONLY on, bound to `[::]:PORT`.
//! - `bind-dual,tcp|udp,PORT`: an IPv6 socket with IPV6_V6ONLY off, bound to `[::]:PORT`.
//! - `listen-unbound,4|6`: listen on a TCP socket never bound.
//! - `reuse,tcp|udp,OPT,HOST,PORT`: set SO_REUSEADDR or SO_REUSEPORT (OPT
//!   `addr` / `port`), then bind (and listen); kept open.
//! - `opt,NAME`: set a socket option on a TCP socket (SO_MARK, SO_PRIORITY,
//!   IP_TOS, SO_BINDTODEVICE, IP_TRANSPARENT, IP_FREEBIND).
//! - `join,GROUP`: join an IPv4 multicast group on a UDP socket.
//! - `raw,PROTO` / `family,AF,TYPE`: create such a socket.
//! - `accept,HOST,PORT,N[,block]`: listen, then accept N connections (2 s
//!   timeout each, or blocking mode), answering `welcome` on each and
//!   closing it.
//! - `serve-udp,HOST,PORT,N[,peek]`: bind, receive N datagrams (2 s
//!   timeout each; with `peek`, peek at each first), print their sender,
//!   and reply `echo` to each.
//! - `sendto-bound,HOST,PORT`: sendto from the socket of the last
//!   `serve-udp` (the reply rule).
//! - `udp-ask,HOST,PORT`: UDP sendto of `x` from a fresh socket, then
//!   wait (2 s timeout) for the reply; prints it and its sender.
//! - `udp-from,BIND,HOST,PORT`: UDP bind to BIND (port 0), then sendto.
//! - `fastopen,HOST,PORT`: sendto with MSG_FASTOPEN on a fresh TCP socket.
//! - `tos-msg,HOST,PORT`: UDP sendmsg with an IP_TOS (IPV6_TCLASS for an
//!   IPv6 HOST) control message.
//! - `pktinfo,HOST,PORT,IFINDEX,SRC`: UDP sendmsg with IP(V6)_PKTINFO
//!   choosing interface IFINDEX and source address SRC.
//! - `pass-fds,N`: on an AF_UNIX socketpair (kept, never read), pass N
//!   UDP sockets (each bound to 127.0.0.1:0, closed once sent) with
//!   SCM_RIGHTS; prints how many were passed.
//! - `sockets,N`: open N sockets; prints how many opened.
//! - `resolve,NAME`: getaddrinfo(NAME, 80).
//! - `spin`: compute forever (for the wall-time limit).
//! - `block-recv,PORT`: bind a UDP socket to 127.0.0.1:PORT and wait in a
//!   blocking recv (for the wall-time limit).
//! - `alloc,N`: allocate and fill N MiB (for the memory limit).
//! - `hold,PORT`: connect to 127.0.0.1:PORT and wait until it closes (the
//!   test looks at the kernel's socket tables meanwhile).
use std::time::Duration;
use wasock::*;
use wasock_test_guests::exc;

fn family_of(host: &str) -> i32 {
    if host.contains(':') {
        AF_INET6
    } else {
        AF_INET
    }
}

fn addr(host: &str, port: u16, scope: u32) -> Address {
    if host.contains(':') {
        Address::Inet6(host.to_string(), port, 0, scope)
    } else {
        Address::Inet(host.to_string(), port)
    }
}

fn kind(t: &str) -> i32 {
    if t == "udp" {
        SOCK_DGRAM
    } else {
        SOCK_STREAM
    }
}

fn opt(name: &str) -> (i32, i32, OptValue) {
    match name {
        "SO_MARK" => (SOL_SOCKET, SO_MARK, 1.into()),
        "SO_PRIORITY" => (SOL_SOCKET, SO_PRIORITY, 6.into()),
        "IP_TOS" => (IPPROTO_IP, IP_TOS, 0x10.into()),
        "SO_BINDTODEVICE" => (SOL_SOCKET, SO_BINDTODEVICE, (&b"lo"[..]).into()),
        "IP_TRANSPARENT" => (IPPROTO_IP, IP_TRANSPARENT, 1.into()),
        "IP_FREEBIND" => (IPPROTO_IP, 15, 1.into()),
        // Available on this kernel but not in tcp_allowed_congestion_control.
        "TCP_CONGESTION" => (IPPROTO_TCP, TCP_CONGESTION, (&b"cubic"[..]).into()),
        "TCP_ULP" => (IPPROTO_TCP, 31, (&b"tls"[..]).into()),
        _ => (SOL_SOCKET, SO_KEEPALIVE, 1.into()),
    }
}

fn main() {
    let mut kept: Vec<Socket> = Vec::new();
    let mut served: Option<Socket> = None;
    for step in std::env::args().skip(1) {
        let f: Vec<&str> = step.split(',').collect();
        let port = |i: usize| f.get(i).and_then(|p| p.parse::<u16>().ok()).unwrap_or(0);
        let r: Result<String> = (|| match f[0] {
            "connect" => {
                let scope = f.get(3).and_then(|s| s.parse().ok()).unwrap_or(0);
                let s = socket(family_of(f[1]), SOCK_STREAM, 0)?;
                s.settimeout(Some(2.0))?;
                s.connect(addr(f[1], port(2), scope))?;
                s.sendall(b"x")?;
                Ok(String::new())
            }
            "connect-from" => {
                let s = socket(family_of(f[2]), SOCK_STREAM, 0)?;
                s.settimeout(Some(2.0))?;
                s.bind(addr(f[1], 0, 0))?;
                s.connect(addr(f[2], port(3), 0))?;
                s.sendall(b"x")?;
                Ok(String::new())
            }
            "sendto" => {
                let s = socket(family_of(f[1]), SOCK_DGRAM, 0)?;
                s.sendto(b"x", addr(f[1], port(2), 0))?;
                Ok(String::new())
            }
            "udp-ask" => {
                let s = socket(family_of(f[1]), SOCK_DGRAM, 0)?;
                s.sendto(b"x", addr(f[1], port(2), 0))?;
                s.settimeout(Some(2.0))?;
                let (data, from) = s.recvfrom(100)?;
                Ok(format!(
                    "{} from {}",
                    String::from_utf8_lossy(&data),
                    from.host().unwrap_or("?")
                ))
            }
            "udp-from" => {
                let s = socket(family_of(f[2]), SOCK_DGRAM, 0)?;
                s.bind(addr(f[1], 0, 0))?;
                s.sendto(b"x", addr(f[2], port(3), 0))?;
                Ok(String::new())
            }
            "fastopen" => {
                let s = socket(family_of(f[1]), SOCK_STREAM, 0)?;
                let n = s.sendto_flags(b"x", MSG_FASTOPEN, addr(f[1], port(2), 0))?;
                Ok(n.to_string())
            }
            "tos-msg" => {
                let s = socket(family_of(f[1]), SOCK_DGRAM, 0)?;
                let item = if family_of(f[1]) == AF_INET6 {
                    Ancillary::Raw {
                        level: IPPROTO_IPV6,
                        type_: IPV6_TCLASS,
                        data: 0x20i32.to_ne_bytes().to_vec(),
                    }
                } else {
                    Ancillary::Raw {
                        level: IPPROTO_IP,
                        type_: IP_TOS,
                        data: vec![0x10],
                    }
                };
                let n = s.sendmsg(&[b"x"], &[item], 0, Some(addr(f[1], port(2), 0)))?;
                Ok(n.to_string())
            }
            "pktinfo" => {
                let s = socket(family_of(f[1]), SOCK_DGRAM, 0)?;
                let ifindex: u32 = f.get(3).and_then(|v| v.parse().ok()).unwrap_or(0);
                let src = f.get(4).copied().unwrap_or("0.0.0.0");
                let item = if family_of(f[1]) == AF_INET6 {
                    let a: std::net::Ipv6Addr =
                        src.parse().unwrap_or(std::net::Ipv6Addr::UNSPECIFIED);
                    let mut d = a.octets().to_vec();
                    d.extend_from_slice(&ifindex.to_ne_bytes());
                    Ancillary::Raw {
                        level: IPPROTO_IPV6,
                        type_: IPV6_PKTINFO,
                        data: d,
                    }
                } else {
                    let a: std::net::Ipv4Addr =
                        src.parse().unwrap_or(std::net::Ipv4Addr::UNSPECIFIED);
                    // struct in_pktinfo: ifindex, spec_dst (the source), addr.
                    let mut d = ifindex.to_ne_bytes().to_vec();
                    d.extend_from_slice(&a.octets());
                    d.extend_from_slice(&[0; 4]);
                    Ancillary::Raw {
                        level: IPPROTO_IP,
                        type_: 8,
                        data: d,
                    }
                };
                let n = s.sendmsg(&[b"x"], &[item], 0, Some(addr(f[1], port(2), 0)))?;
                Ok(n.to_string())
            }
            "pass-fds" => {
                let (a, b) = socketpair(AF_UNIX, SOCK_DGRAM, 0)?;
                let mut n = 0;
                let mut err = None;
                for _ in 0..port(1) {
                    let r = socket(AF_INET, SOCK_DGRAM, 0).and_then(|s| {
                        s.bind(("127.0.0.1", 0))?;
                        send_fds(&a, &[b"x"], &[&s], 0, None)
                    });
                    match r {
                        Ok(_) => n += 1,
                        Err(e) => {
                            err = Some(exc(&e));
                            break;
                        }
                    }
                }
                kept.push(a);
                kept.push(b);
                Ok(match err {
                    Some(e) => format!("{n} then {e}"),
                    None => n.to_string(),
                })
            }
            "burst" => {
                let s = socket(family_of(f[1]), SOCK_STREAM, 0)?;
                s.connect(addr(f[1], port(2), 0))?;
                s.setblocking(false)?;
                let first = s.send(b"0123456789")?;
                let second = match s.send(b"0123456789") {
                    Ok(n) => n.to_string(),
                    Err(e) => exc(&e),
                };
                Ok(format!("{first} {second}"))
            }
            "sendto-seq" => {
                // One socket: to A, A, B, A (the host judges a repeated
                // destination once; a new one afresh).
                let s = socket(family_of(f[1]), SOCK_DGRAM, 0)?;
                let (a, b) = (addr(f[1], port(2), 0), addr(f[3], port(4), 0));
                let mut out = Vec::new();
                for to in [&a, &a, &b, &a] {
                    out.push(match s.sendto(b"x", to) {
                        Ok(_) => "ok".to_string(),
                        Err(e) => e.kind().name().to_string(),
                    });
                }
                Ok(out.join(" "))
            }
            "udp-connect" => {
                let s = socket(family_of(f[1]), SOCK_DGRAM, 0)?;
                s.connect(addr(f[1], port(2), 0))?;
                s.send(b"x")?;
                Ok(String::new())
            }
            "bind" => {
                let s = socket(family_of(f[2]), kind(f[1]), 0)?;
                s.bind(addr(f[2], port(3), 0))?;
                if f[1] == "tcp" {
                    s.listen(5)?;
                }
                kept.push(s);
                Ok(String::new())
            }
            "bind-v6only" | "bind-dual" => {
                let s = socket(AF_INET6, kind(f[1]), 0)?;
                s.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, i32::from(f[0] == "bind-v6only"))?;
                s.bind(addr("::", port(2), 0))?;
                if f[1] == "tcp" {
                    s.listen(5)?;
                }
                kept.push(s);
                Ok(String::new())
            }
            "listen-unbound" => {
                let s = socket(if f[1] == "6" { AF_INET6 } else { AF_INET }, SOCK_STREAM, 0)?;
                s.listen(5)?;
                let name = s.getsockname()?;
                kept.push(s);
                Ok(name.to_string())
            }
            "reuse" => {
                let s = socket(family_of(f[3]), kind(f[1]), 0)?;
                let o = if f[2] == "port" {
                    SO_REUSEPORT
                } else {
                    SO_REUSEADDR
                };
                s.setsockopt(SOL_SOCKET, o, 1)?;
                s.bind(addr(f[3], port(4), 0))?;
                if f[1] == "tcp" {
                    s.listen(5)?;
                }
                kept.push(s);
                Ok(String::new())
            }
            "opt" => {
                let s = socket(AF_INET, SOCK_STREAM, 0)?;
                let (level, name, value) = opt(f[1]);
                s.setsockopt(level, name, value)?;
                Ok(String::new())
            }
            "peerpidfd" => {
                // getsockopt(SOL_SOCKET, SO_PEERPIDFD) N times: the kernel
                // would install a pidfd in the host on each.
                let n: usize = f[1].parse().unwrap_or(1);
                let (a, _b) = socketpair(AF_UNIX, SOCK_STREAM, 0)?;
                let mut first = None;
                for _ in 0..n {
                    let r = a.getsockopt_bytes(SOL_SOCKET, 77, 4);
                    first.get_or_insert(r);
                }
                first.unwrap_or(Ok(Vec::new())).map(|v| format!("{v:?}"))
            }
            "join" => {
                let s = socket(AF_INET, SOCK_DGRAM, 0)?;
                let g: std::net::Ipv4Addr = f[1].parse().unwrap_or(std::net::Ipv4Addr::UNSPECIFIED);
                let mut mreq = g.octets().to_vec();
                mreq.extend_from_slice(&[127, 0, 0, 1]);
                s.setsockopt(IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq[..])?;
                kept.push(s);
                Ok(String::new())
            }
            "raw" => {
                let s = socket(AF_INET, SOCK_RAW, f[1].parse().unwrap_or(1))?;
                kept.push(s);
                Ok(String::new())
            }
            "family" => {
                let s = socket(f[1].parse().unwrap_or(0), f[2].parse().unwrap_or(0), 0)?;
                kept.push(s);
                Ok(String::new())
            }
            "accept" => {
                let l = socket(family_of(f[1]), SOCK_STREAM, 0)?;
                l.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)?;
                l.bind(addr(f[1], port(2), 0))?;
                l.listen(5)?;
                println!("listening");
                if f.get(4) != Some(&"block") {
                    l.settimeout(Some(2.0))?;
                }
                let mut peers = Vec::new();
                for _ in 0..port(3) {
                    match l.accept() {
                        Ok((c, a)) => {
                            let _ = c.sendall(b"welcome");
                            peers.push(a.host().unwrap_or("").to_string());
                        }
                        Err(e) => peers.push(exc(&e)),
                    }
                }
                Ok(peers.join(" "))
            }
            "serve-udp" => {
                let s = socket(family_of(f[1]), SOCK_DGRAM, 0)?;
                s.bind(addr(f[1], port(2), 0))?;
                println!("listening");
                s.settimeout(Some(2.0))?;
                let mut peers = Vec::new();
                let peek = f.get(4) == Some(&"peek");
                for _ in 0..port(3) {
                    if peek {
                        // Peeking must not show a denied peer's datagram.
                        match s.recvfrom_flags(100, MSG_PEEK) {
                            Ok((_, Address::None)) => println!("peeked ?"),
                            Ok((_, a)) => println!("peeked {}", a.host().unwrap_or("")),
                            Err(e) => println!("peeked {}", exc(&e)),
                        }
                    }
                    match s.recvfrom(100) {
                        Ok((_, Address::None)) => peers.push("?".into()),
                        Ok((_, a)) => {
                            let _ = s.sendto(b"echo", &a);
                            peers.push(a.host().unwrap_or("").to_string());
                        }
                        Err(e) => peers.push(exc(&e)),
                    }
                }
                served = Some(s);
                Ok(peers.join(" "))
            }
            "sendto-bound" => {
                let s = served.as_ref().ok_or_else(|| Error::from_errno(9))?;
                s.sendto(b"x", addr(f[1], port(2), 0))?;
                Ok(String::new())
            }
            "sockets" => {
                let mut n = 0;
                for _ in 0..port(1) {
                    match socket(AF_INET, SOCK_DGRAM, 0) {
                        Ok(s) => {
                            kept.push(s);
                            n += 1;
                        }
                        Err(e) => return Ok(format!("{n} then {}", exc(&e))),
                    }
                }
                Ok(n.to_string())
            }
            "resolve" => {
                let r = getaddrinfo(Some(f[1]), Some("80"), 0, SOCK_STREAM, 0, 0)?;
                Ok(r.len().to_string())
            }
            "hold" => {
                let s = socket(AF_INET, SOCK_STREAM, 0)?;
                s.connect(("127.0.0.1", port(1)))?;
                s.settimeout(Some(30.0))?;
                let _ = s.recv(1);
                Ok(String::new())
            }
            "block-recv" => {
                let s = socket(AF_INET, SOCK_DGRAM, 0)?;
                s.bind(("127.0.0.1", port(1)))?;
                println!("waiting");
                let got = s.recv(10)?;
                Ok(format!("{got:?}"))
            }
            "spin" => {
                let mut x: u64 = 1;
                loop {
                    x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
                }
            }
            "alloc" => {
                let mut blocks = Vec::new();
                for _ in 0..port(1) {
                    blocks.push(std::hint::black_box(vec![1u8; 1 << 20]));
                }
                Ok(blocks.len().to_string())
            }
            other => Ok(format!("unknown step {other}")),
        })();
        match r {
            Ok(v) if v.is_empty() => println!("{step}: ok"),
            Ok(v) => println!("{step}: ok {v}"),
            Err(e) => println!("{step}: {}", exc(&e)),
        }
    }
    std::thread::sleep(Duration::from_millis(0));
    drop(kept);
}
