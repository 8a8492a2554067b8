//! Arbitrary call sequences against the host, for the fuzz property test
//! (host/tests/e2e/fuzz.rs), the fuzz runner and the `cargo fuzz` target
//! (fuzz/): plays a [`Program`] (the call language of `fuzz/calls`, decoded
//! from the input bytes with `arbitrary`): wrong states, huge and zero
//! sizes, odd families, bad addresses and option values, select, sendmsg
//! with arbitrary control data and SCM_RIGHTS, and the `latin1` calls
//! Python guests make (through raw bindings, on the same handles). Every socket is
//! non-blocking or has a short timeout, so no call waits long. Usage:
//! `fuzz <allowed-port> <denied-tcp-port> <denied-udp-port> <input-hex> [trace]`;
//! prints `max-open <n>` and `calls <n> done` (with `trace`, each call and
//! its result before them); if the input asks for it, a last call uses a
//! handle the guest never received (the host must trap it).
use wasock::*;
use wasock_fuzz_calls::{
    Addr, Call, Control, Family, Flags, How, Kind, Latin1Op, Level, OptVal, Port, Program, Proto,
    UnixName, FORGED_HANDLE,
};

mod raw {
    wit_bindgen::generate!({ path: ["../../wit", "wit/test.wit"], world: "wasock:test/raw", generate_all });
}

/// The harness's ports.
struct Ports {
    allowed: u16,
    denied_tcp: u16,
    denied_udp: u16,
}

impl Ports {
    fn port(&self, p: Port) -> u16 {
        match p {
            Port::Allowed => self.allowed,
            Port::DeniedTcp => self.denied_tcp,
            Port::DeniedUdp => self.denied_udp,
            Port::Zero => 0,
            Port::Http => 80,
        }
    }

    fn address(&self, a: &Addr) -> Address {
        match a {
            Addr::Inet { host, port } => Address::Inet(host.text(), self.port(*port)),
            Addr::Inet6 {
                host,
                port,
                flowinfo,
                scope_id,
            } => Address::Inet6(host.text(), self.port(*port), *flowinfo, *scope_id),
            Addr::UnixPath => Address::Unix(b"fuzz-path".to_vec()),
            Addr::UnixAbstract(name) => {
                Address::Unix(std::iter::once(0).chain(name.iter().copied()).collect())
            }
            Addr::UnixLong => Address::Unix(vec![b'x'; 200]),
            Addr::UnixUnnamed => Address::Unix(Vec::new()),
            Addr::Netlink { pid, groups } => Address::netlink(*pid, *groups),
            Addr::Vsock { any_cid, port } => {
                Address::vsock(if *any_cid { u32::MAX } else { 1 }, *port)
            }
            Addr::Nothing => Address::None,
        }
    }
}

fn family(f: Family) -> i32 {
    match f {
        Family::Inet => AF_INET,
        Family::Inet6 => AF_INET6,
        Family::Unix => AF_UNIX,
        Family::Netlink => AF_NETLINK,
        Family::Packet => AF_PACKET,
        Family::Vsock => AF_VSOCK,
        Family::Other(n) => n,
    }
}

fn kind(k: Kind) -> i32 {
    match k {
        Kind::Stream => SOCK_STREAM,
        Kind::Dgram => SOCK_DGRAM,
        Kind::SeqPacket => SOCK_SEQPACKET,
        Kind::Raw => SOCK_RAW,
        Kind::StreamNonblock => SOCK_STREAM | SOCK_NONBLOCK,
        Kind::Other(n) => n,
    }
}

fn proto(p: Proto) -> i32 {
    match p {
        Proto::Zero => 0,
        Proto::Tcp => IPPROTO_TCP,
        Proto::Udp => IPPROTO_UDP,
        Proto::Icmp => IPPROTO_ICMP,
        Proto::Other(n) => n,
    }
}

fn flags(f: Flags) -> i32 {
    match f {
        Flags::None => 0,
        Flags::Peek => MSG_PEEK,
        Flags::DontWait => MSG_DONTWAIT,
        Flags::Oob => MSG_OOB,
        Flags::Trunc => MSG_TRUNC,
        Flags::WaitAll => MSG_WAITALL,
        Flags::PeekTrunc => MSG_PEEK | MSG_TRUNC,
        Flags::Bits(n) => n,
    }
}

fn level(l: Level) -> i32 {
    match l {
        Level::Socket => SOL_SOCKET,
        Level::Tcp => IPPROTO_TCP,
        Level::Ip => IPPROTO_IP,
        Level::Ipv6 => IPPROTO_IPV6,
        Level::Udp => IPPROTO_UDP,
        Level::Other(n) => n,
    }
}

fn how(h: How) -> i32 {
    match h {
        How::Read => SHUT_RD,
        How::Write => SHUT_WR,
        How::Both => SHUT_RDWR,
        How::Other(n) => n,
    }
}

/// The WIT flags of [`Flags`] (bits with no WIT flag dropped, as the
/// guest crate's conversion drops them).
fn wit_flags(f: Flags) -> raw::wasock::socket::types::MsgFlags {
    use raw::wasock::socket::types::MsgFlags as M;
    match f {
        Flags::None => M::empty(),
        Flags::Peek => M::PEEK,
        Flags::DontWait => M::DONTWAIT,
        Flags::Oob => M::OOB,
        Flags::Trunc => M::TRUNC,
        Flags::WaitAll => M::WAITALL,
        Flags::PeekTrunc => M::PEEK | M::TRUNC,
        Flags::Bits(n) => [
            (MSG_OOB, M::OOB),
            (MSG_PEEK, M::PEEK),
            (MSG_DONTROUTE, M::DONTROUTE),
            (MSG_CTRUNC, M::CTRUNC),
            (MSG_TRUNC, M::TRUNC),
            (MSG_DONTWAIT, M::DONTWAIT),
            (MSG_EOR, M::EOR),
            (MSG_WAITALL, M::WAITALL),
        ]
        .into_iter()
        .filter(|(bit, _)| n & bit != 0)
        .fold(M::empty(), |all, (_, w)| all | w),
    }
}

/// The WIT address of an IP [`Addr`] whose host is an address literal
/// (`None` for the other cases).
fn wit_address(ports: &Ports, a: &Addr) -> Option<raw::wasock::socket::types::SocketAddress> {
    use raw::wasock::socket::types::{Ipv4SocketAddress, Ipv6SocketAddress, SocketAddress};
    match a {
        Addr::Inet { host, port } => {
            let ip: std::net::Ipv4Addr = host.text().parse().ok()?;
            let [a, b, c, d] = ip.octets();
            Some(SocketAddress::Inet(Ipv4SocketAddress {
                port: ports.port(*port),
                address: (a, b, c, d),
            }))
        }
        Addr::Inet6 {
            host,
            port,
            flowinfo,
            scope_id,
        } => {
            let ip: std::net::Ipv6Addr = host.text().parse().ok()?;
            let [a, b, c, d, e, f, g, h] = ip.segments();
            Some(SocketAddress::Inet6(Ipv6SocketAddress {
                port: ports.port(*port),
                flow_info: *flowinfo,
                address: (a, b, c, d, e, f, g, h),
                scope_id: *scope_id,
            }))
        }
        _ => None,
    }
}

/// The WIT name of a [`UnixName`].
fn wit_unix_name(n: &UnixName) -> raw::wasock::socket::latin1::UnixName {
    use raw::wasock::socket::latin1::UnixName as U;
    match n {
        UnixName::Pathname(t) => U::Pathname(t.text()),
        UnixName::Abstract(t) => U::Abstract(t.text()),
        UnixName::Unnamed => U::Unnamed,
    }
}

/// Plays a `latin1` call on `sock` through the raw bindings.
fn play_latin1(sock: &Socket, op: &Latin1Op, text: String, f: Flags, ports: &Ports) -> String {
    use raw::wasock::socket::latin1 as l;
    // The same handle, borrowed by the raw bindings: never dropped here
    // (the pool's socket owns it).
    let s = std::mem::ManuallyDrop::new(unsafe {
        raw::wasock::socket::socket::Socket::from_handle(sock.fileno() as u32)
    });
    let f = wit_flags(f);
    let detail = |e: raw::wasock::socket::errors::Error| e.detail;
    match op {
        Latin1Op::Send => show(&l::send(&s, &text, f).map_err(detail)),
        Latin1Op::SendAll => show(&l::send_all(&s, &text, f).map_err(detail)),
        Latin1Op::SendTo(a) => match wit_address(ports, a) {
            Some(a) => show(&l::send_to(&s, &text, f, &a).map_err(detail)),
            None => "not an address literal: skipped".into(),
        },
        Latin1Op::SendMsg(a) => {
            let a = a.as_ref().and_then(|a| wit_address(ports, a));
            let buffers = [text.clone(), text];
            show(&l::send_msg(&s, &buffers, &[], f, a.as_ref()).map_err(detail))
        }
        Latin1Op::BindUnix(n) => show(&l::bind_unix(&s, &wit_unix_name(n)).map_err(detail)),
        Latin1Op::ConnectUnix(n) => show(&l::connect_unix(&s, &wit_unix_name(n)).map_err(detail)),
        Latin1Op::SendToUnix(n) => {
            show(&l::send_to_unix(&s, &text, f, &wit_unix_name(n)).map_err(detail))
        }
        Latin1Op::SendMsgUnix(n) => {
            show(&l::send_msg_unix(&s, &[text], &[], f, &wit_unix_name(n)).map_err(detail))
        }
    }
}

/// A call's result, for the trace.
fn show<T: std::fmt::Debug, E: std::fmt::Display>(r: &std::result::Result<T, E>) -> String {
    match r {
        Ok(v) => {
            let mut s = format!("ok {v:?}");
            if s.len() > 120 {
                s.truncate(120);
                s.push('…');
            }
            s
        }
        Err(e) => format!("{e}"),
    }
}

/// A new socket joins the open ones, non-blocking.
fn adopt(pool: &mut Vec<Socket>, s: Socket) {
    let _ = s.settimeout(Some(0.0));
    pool.push(s);
}

/// The open sockets whose bit is set in `mask`.
fn chosen(pool: &[Socket], mask: u16) -> Vec<&Socket> {
    pool.iter()
        .enumerate()
        .filter(|(i, _)| *i < 16 && mask & (1 << i) != 0)
        .map(|(_, s)| s)
        .collect()
}

/// Plays one call; returns what it did (for the trace) and how many
/// sockets the guest held at its peak during the call.
fn play(call: &Call, pool: &mut Vec<Socket>, ports: &Ports) -> (String, usize) {
    let mut peak = pool.len();
    let i = match call.sock() {
        Some(_) if pool.is_empty() => return ("no socket open: skipped".into(), peak),
        Some(n) => usize::from(n) % pool.len(),
        None => 0,
    };
    let mut fresh = Vec::new();
    let what = match call {
        Call::Socket {
            family: f,
            kind: k,
            proto: p,
        } => {
            let r = socket(family(*f), kind(*k), proto(*p));
            let w = show(&r.as_ref().map(|_| ()));
            if let Ok(s) = r {
                fresh.push(s);
            }
            w
        }
        Call::Close { .. } => {
            pool.swap_remove(i).close();
            "closed".into()
        }
        Call::Bind { addr, .. } => show(&pool[i].bind(ports.address(addr))),
        Call::Connect { addr, .. } => show(&pool[i].connect(ports.address(addr))),
        Call::ConnectEx { addr, .. } => show(&pool[i].connect_ex(ports.address(addr))),
        Call::Listen { backlog, .. } => show(&pool[i].listen(backlog.value())),
        Call::Accept { .. } => {
            let r = pool[i].accept();
            let w = show(&r.as_ref().map(|(_, a)| a.to_string()));
            if let Ok((c, _)) = r {
                fresh.push(c);
            }
            w
        }
        Call::Send { data, flags: f, .. } => show(&pool[i].send_flags(&data.bytes(), flags(*f))),
        Call::SendTo { data, addr, .. } => {
            show(&pool[i].sendto(&data.bytes(), ports.address(addr)))
        }
        Call::Recv { size, flags: f, .. } => {
            show(&pool[i].recv_flags(size.value(), flags(*f)).map(|d| d.len()))
        }
        Call::RecvFrom { size, flags: f, .. } => show(
            &pool[i]
                .recvfrom_flags(size.value(), flags(*f))
                .map(|(d, a)| (d.len(), a.to_string())),
        ),
        Call::SetSockOpt {
            level: l,
            opt,
            value,
            ..
        } => {
            let v = match value {
                OptVal::Int(n) => OptValue::Int(n.value()),
                OptVal::Bytes(b) => OptValue::Bytes(b.bytes()),
                OptVal::Null(n) => OptValue::Null(*n),
            };
            show(&pool[i].setsockopt(level(*l), i32::from(*opt), v))
        }
        Call::GetSockOpt {
            level: l,
            opt,
            size,
            ..
        } => {
            let s = &pool[i];
            let a = show(&s.getsockopt(level(*l), i32::from(*opt)));
            let b = show(
                &s.getsockopt_bytes(level(*l), i32::from(*opt), size.value())
                    .map(|v| v.len()),
            );
            format!("{a}; {b}")
        }
        Call::Shutdown { how: h, .. } => show(&pool[i].shutdown(how(*h))),
        Call::Names { .. } => {
            let s = &pool[i];
            let a = show(&s.getsockname().map(|a| a.to_string()));
            let b = show(&s.getpeername().map(|a| a.to_string()));
            format!("{a}; {b}")
        }
        Call::Dup { .. } => {
            let r = pool[i].dup();
            let w = show(&r.as_ref().map(|_| ()));
            if let Ok(d) = r {
                fresh.push(d);
            }
            w
        }
        Call::SocketPair { family: f, kind: k } => {
            let r = socketpair(family(*f), kind(*k), 0);
            let w = show(&r.as_ref().map(|_| ()));
            if let Ok((x, y)) = r {
                fresh.push(x);
                fresh.push(y);
            }
            w
        }
        Call::Select {
            read,
            write,
            except,
            timeout,
        } => {
            use wasock_fuzz_calls::Wait;
            let t = match timeout {
                Wait::Zero => 0.0,
                Wait::Milli => 0.001,
                Wait::Negative => -1.0,
                Wait::NaN => f64::NAN,
            };
            let (r, w, x) = (
                chosen(pool, *read),
                chosen(pool, *write),
                chosen(pool, *except),
            );
            show(&select(&r, &w, &x, Some(t)))
        }
        Call::SendMsg {
            data,
            control,
            flags: f,
            dest,
            ..
        } => {
            let mut anc = Vec::new();
            let mut copies = 0;
            for c in control {
                match c {
                    Control::Raw {
                        level: l,
                        kind,
                        data,
                    } => anc.push(Ancillary::Raw {
                        level: level(*l),
                        type_: i32::from(*kind),
                        data: data.bytes(),
                    }),
                    Control::Rights(mask) => {
                        let dups: Vec<Socket> = chosen(pool, *mask)
                            .into_iter()
                            .filter_map(|s| s.dup().ok())
                            .collect();
                        copies += dups.len();
                        anc.push(Ancillary::Rights(dups));
                    }
                }
            }
            peak = peak.max(pool.len() + copies);
            let dest = dest.as_ref().map(|a| ports.address(a));
            show(&pool[i].sendmsg(&[&data.bytes()], &anc, flags(*f), dest))
        }
        Call::RecvMsg {
            size,
            ancsize,
            flags: f,
            ..
        } => {
            let r = pool[i].recvmsg(size.value(), ancsize.value(), flags(*f));
            let w = show(
                &r.as_ref()
                    .map(|(d, anc, fl, a)| (d.len(), anc.len(), *fl, a.to_string())),
            );
            if let Ok((_, anc, _, _)) = r {
                for a in anc {
                    if let Ancillary::Rights(socks) = a {
                        fresh.extend(socks);
                    }
                }
            }
            w
        }
        Call::SetTimeout { timeout, size, .. } => {
            let s = &pool[i];
            let a = show(&s.settimeout(Some(timeout.value())));
            let b = show(&s.recv_flags(size.value(), MSG_DONTWAIT).map(|d| d.len()));
            let _ = s.settimeout(Some(0.0));
            format!("{a}; {b}")
        }
        Call::Latin1 {
            op, text, flags: f, ..
        } => play_latin1(&pool[i], op, text.text(), *f, ports),
    };
    for s in fresh {
        adopt(pool, s);
    }
    (what, peak.max(pool.len()))
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let port = |i: usize| a.get(i).and_then(|s| s.parse::<u16>().ok()).unwrap_or(1);
    let ports = Ports {
        allowed: port(1),
        denied_tcp: port(2),
        denied_udp: port(3),
    };
    let Some(input) = a.get(4).and_then(|h| wasock_fuzz_calls::from_hex(h)) else {
        eprintln!(
            "usage: fuzz <allowed-port> <denied-tcp-port> <denied-udp-port> <input-hex> [trace]"
        );
        std::process::exit(2);
    };
    let trace = a.get(5).map(String::as_str) == Some("trace");
    let program = Program::decode(&input);

    let mut pool: Vec<Socket> = Vec::new();
    let mut max_open = 0;
    for (n, call) in program.calls.iter().enumerate() {
        let (what, peak) = play(call, &mut pool, &ports);
        max_open = max_open.max(peak);
        if trace {
            println!("{n:3}: {call:?} -> {what} (open: {})", pool.len());
        }
    }
    println!("max-open {max_open}");
    println!("calls {} done", program.calls.len());
    if program.forge {
        let bogus = unsafe { raw::wasock::socket::socket::Socket::from_handle(FORGED_HANDLE) };
        let r = bogus.recv(u64::MAX, raw::wasock::socket::types::MsgFlags::empty());
        println!("forged handle returned {:?}", r.map(|d| d.len()));
    }
}
