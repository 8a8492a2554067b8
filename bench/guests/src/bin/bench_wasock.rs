//! The benchmark client over wasock (Python's socket API), as a guest. Same
//! workloads as `bench/src/std_client.rs` and `bench/client.py`.
use std::time::Instant;
use wasock::*;

/// The socket interface itself, for the crossing workload: one host call
/// that makes no system call (the guest crate keeps the timeout itself, so
/// its `gettimeout` never reaches the host).
mod raw {
    wit_bindgen::generate!({
        path: "../../wit",
        inline: "package wasock:bench; world raw { import wasock:socket/socket@0.1.0; }",
        world: "wasock:bench/raw",
        generate_all
    });
}

fn run(args: &[String]) -> Result<f64> {
    let bad = |m: &str| Error::new(ErrorKind::ValueError, m.to_string());
    let [workload, host, port, n, size] = args else {
        return Err(bad("usage: WORKLOAD HOST PORT N SIZE"));
    };
    let port: u16 = port.parse().map_err(|_| bad("port"))?;
    let n: u64 = n.parse().map_err(|_| bad("n"))?;
    let size: usize = size.parse().map_err(|_| bad("size"))?;
    let family = if host.contains(':') {
        AF_INET6
    } else {
        AF_INET
    };
    let addr = (host.as_str(), port);
    // A host ending in `.sock` is an AF_UNIX path in the granted directory.
    let stream = |nodelay: bool| -> Result<Socket> {
        if host.ends_with(".sock") {
            let s = socket(AF_UNIX, SOCK_STREAM, 0)?;
            s.connect(host.as_str())?;
            Ok(s)
        } else {
            let s = create_connection(addr, None, None)?;
            if nodelay {
                s.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1)?;
            }
            Ok(s)
        }
    };
    match workload.as_str() {
        // ns per host call: WIT `socket.timeout` (a table lookup in the
        // host, no system call), the cost of crossing the component
        // boundary and back.
        "crossing" => {
            use raw::wasock::socket::socket::Socket as RawSocket;
            use raw::wasock::socket::types::{AddressFamily, SocketType};
            let s = RawSocket::open(AddressFamily::Inet, SocketType::Stream, 0)
                .map_err(|e| bad(&e.detail))?;
            let t = Instant::now();
            for _ in 0..n {
                std::hint::black_box(s.timeout());
            }
            Ok(t.elapsed().as_secs_f64() / n as f64 * 1e9)
        }
        // ns per host call of an import that may wait (async in an async
        // store): WIT `socket.recv` of 0 bytes, which the host answers
        // with no system call. Against "crossing", the cost of the async
        // call path itself (wasmtime's boxed future and fiber).
        "crossing-wait" => {
            use raw::wasock::socket::socket::Socket as RawSocket;
            use raw::wasock::socket::types::{AddressFamily, MsgFlags, SocketType};
            let s = RawSocket::open(AddressFamily::Inet, SocketType::Stream, 0)
                .map_err(|e| bad(&e.detail))?;
            let t = Instant::now();
            for _ in 0..n {
                let _ = std::hint::black_box(s.recv(0, MsgFlags::empty()));
            }
            Ok(t.elapsed().as_secs_f64() / n as f64 * 1e9)
        }
        "pingpong" => {
            let s = stream(true)?;
            let out = vec![b'x'; size];
            let mut back = vec![0u8; size];
            let t = Instant::now();
            for _ in 0..n {
                round_trip(&s, &out, &mut back)?;
            }
            Ok(t.elapsed().as_secs_f64() / n as f64 * 1e6)
        }
        "pingpong-pct" => {
            // Each round trip timed: prints `pct P50 P99` (µs) and returns
            // the mean.
            let s = stream(true)?;
            let out = vec![b'x'; size];
            let mut back = vec![0u8; size];
            let mut times = Vec::with_capacity(n as usize);
            let t = Instant::now();
            for _ in 0..n {
                let one = Instant::now();
                round_trip(&s, &out, &mut back)?;
                times.push(one.elapsed().as_secs_f64() * 1e6);
            }
            times.sort_by(f64::total_cmp);
            let at = |q: f64| times[((times.len() - 1) as f64 * q) as usize];
            println!("pct {} {}", at(0.5), at(0.99));
            Ok(t.elapsed().as_secs_f64() / n as f64 * 1e6)
        }
        "bulk-up" => {
            let s = stream(false)?;
            let chunk = vec![b'x'; size];
            let t = Instant::now();
            let mut left = n as usize;
            while left > 0 {
                let k = left.min(size);
                s.sendall(&chunk[..k])?;
                left -= k;
            }
            s.shutdown(SHUT_WR)?;
            if s.recv(1)? != b"k" {
                return Err(bad("no ack"));
            }
            Ok(n as f64 / (1 << 20) as f64 / t.elapsed().as_secs_f64())
        }
        "bulk-down" => {
            let s = stream(false)?;
            let mut buf = vec![0u8; size];
            let t = Instant::now();
            s.sendall(&n.to_be_bytes())?;
            let mut got = 0u64;
            while got < n {
                let k = s.recv_into(&mut buf, 0, 0)?;
                if k == 0 {
                    return Err(bad("early EOF"));
                }
                got += k as u64;
            }
            Ok(n as f64 / (1 << 20) as f64 / t.elapsed().as_secs_f64())
        }
        "connect" => {
            let t = Instant::now();
            for _ in 0..n {
                let s = socket(family, SOCK_STREAM, 0)?;
                s.connect(addr)?;
                s.close();
            }
            Ok(n as f64 / t.elapsed().as_secs_f64())
        }
        "udp" => {
            let s = socket(family, SOCK_DGRAM, 0)?;
            s.connect(addr)?;
            s.settimeout(Some(2.0))?;
            let out = vec![b'x'; size];
            let mut back = vec![0u8; 65536];
            let t = Instant::now();
            for _ in 0..n {
                s.send(&out)?;
                match s.recv_into(&mut back, 0, 0) {
                    Ok(_) => {}
                    Err(e) if e.kind() == ErrorKind::TimeoutError => {}
                    Err(e) => return Err(e),
                }
            }
            Ok(n as f64 / t.elapsed().as_secs_f64())
        }
        "udp-pktinfo" => {
            let s = socket(AF_INET, SOCK_DGRAM, 0)?;
            s.settimeout(Some(2.0))?;
            s.setsockopt(IPPROTO_IP, IP_PKTINFO, 1)?;
            let out = vec![b'x'; size];
            let space = CMSG_SPACE(12);
            let local = inet_aton(host)?;
            let t = Instant::now();
            for _ in 0..n {
                s.sendto(&out, addr)?;
                let anc = match s.recvmsg(65536, space, 0) {
                    Ok((_, anc, _, _)) => anc,
                    Err(e) if e.kind() == ErrorKind::TimeoutError => continue,
                    Err(e) => return Err(e),
                };
                // struct in_pktinfo: ifindex, spec_dst, addr (the
                // destination).
                match anc.first() {
                    Some(Ancillary::Raw {
                        level: IPPROTO_IP,
                        type_: IP_PKTINFO,
                        data,
                    }) if data.get(8..12) == Some(&local[..]) => {}
                    _ => return Err(bad("no IP_PKTINFO")),
                }
            }
            Ok(n as f64 / t.elapsed().as_secs_f64())
        }
        "hold" => {
            // Scale test: open N connections, prove each works, then wait.
            let mut held = Vec::new();
            for _ in 0..n {
                let s = create_connection(addr, None, None)?;
                s.sendall(b"x")?;
                s.recv(1)?;
                held.push(s);
            }
            println!("ready");
            // Blocks until the harness ends the instance (the server never
            // sends more).
            held[0].recv(1)?;
            Ok(0.0)
        }
        other => Err(bad(&format!("unknown workload {other}"))),
    }
}

/// Sends `out` and reads as many bytes back into `back`.
fn round_trip(s: &Socket, out: &[u8], back: &mut [u8]) -> Result<()> {
    s.sendall(out)?;
    let mut got = 0;
    while got < back.len() {
        let k = s.recv_into(&mut back[got..], 0, 0)?;
        if k == 0 {
            return Err(Error::new(ErrorKind::ValueError, "early EOF"));
        }
        got += k;
    }
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(v) => println!("result {v}"),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
