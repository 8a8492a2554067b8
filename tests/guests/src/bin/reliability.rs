//! Fault and limit scenarios for host/tests/e2e/reliability.rs. Usage:
//! `reliability <mode> [port]`; each mode prints what it saw, one line per
//! step, and the blocking modes print `blocking` before they block.
use std::io::Write;
use wasock::*;
use wasock_test_guests::{exc, must, show};

mod raw {
    wit_bindgen::generate!({ path: ["../../wit", "wit/test.wit"], world: "wasock:test/raw-poll", generate_all });
}

/// Sockets that stay open while the guest blocks, so that the test can
/// check that the host closes them when the guest is gone.
fn hold_some() -> Vec<Socket> {
    (0..5)
        .map(|_| must("socket", socket(AF_INET, SOCK_DGRAM, 0)))
        .collect()
}

fn blocking() {
    println!("blocking");
    let _ = std::io::stdout().flush();
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let port: u16 = args.get(2).and_then(|p| p.parse().ok()).unwrap_or(0);
    match args.get(1).map(String::as_str) {
        Some("select-huge") => {
            // One socket listed 100,000 times, as CPython allows.
            let s = must("socket", socket(AF_INET, SOCK_DGRAM, 0));
            must("bind", s.bind(("127.0.0.1", 0)));
            let many = vec![&s; 100_000];
            show("select-100000-readable", || {
                Ok(select(&many, &[], &[], Some(0.0))?.0.len())
            });
            show("select-100000-writable", || {
                Ok(select(&[], &many, &[], Some(0.0))?.1.len())
            });
            // More distinct sockets than the host polls at once: a clean
            // error (the policy allows enough sockets for this).
            let mut distinct = Vec::new();
            for _ in 0..4100 {
                match socket(AF_INET, SOCK_DGRAM, 0) {
                    Ok(s) => distinct.push(s),
                    Err(e) => {
                        println!("open-4100: {}", exc(&e));
                        break;
                    }
                }
            }
            let refs: Vec<&Socket> = distinct.iter().collect();
            show("select-4100-distinct", || {
                Ok(select(&refs, &[], &[], Some(0.0))?.0.len())
            });
            println!("done");
        }
        Some("poll-huge-raw") => {
            // The WIT call straight, 100,000 borrows of one socket.
            use raw::wasock::socket::{poll, socket as rs, types};
            let s = rs::Socket::open(types::AddressFamily::Inet, types::SocketType::Dgram, 0)
                .expect("open");
            let reqs: Vec<poll::PollRequest<'_>> = (0..100_000)
                .map(|_| poll::PollRequest {
                    socket: &s,
                    interest: types::Readiness::READABLE,
                })
                .collect();
            let r = poll::poll(&reqs, Some(0));
            println!("poll-100000: {:?}", r.map(|v| v.len()).map_err(|e| e.code));
            println!("done");
        }
        Some("fd-exhaust") => {
            // Open until the host process is out of descriptors.
            let mut held = Vec::new();
            let err = loop {
                match socket(AF_INET, SOCK_STREAM, 0) {
                    Ok(s) if held.len() < 10_000 => held.push(s),
                    Ok(_) => break None,
                    Err(e) => break Some(e),
                }
            };
            println!("opened-some: {}", !held.is_empty());
            match err {
                Some(e) => {
                    println!("error: {}", exc(&e));
                    println!("detail: {}", e.detail());
                }
                None => println!("error: none"),
            }
            held.truncate(held.len() / 2);
            show("after-closing-half", || {
                socket(AF_INET, SOCK_STREAM, 0).map(|_| ())
            });
            println!("done");
        }
        Some("block-accept") => {
            let _held = hold_some();
            let l = must("socket", socket(AF_INET, SOCK_STREAM, 0));
            must("bind", l.bind(("127.0.0.1", 0)));
            must("listen", l.listen(1));
            blocking();
            let r = l.accept();
            println!("accept returned {:?}", r.map(|_| ()));
        }
        Some("block-recv") => {
            let _held = hold_some();
            let c = must(
                "connect",
                create_connection(("127.0.0.1", port), None, None),
            );
            blocking();
            let r = c.recv(10);
            println!("recv returned {r:?}");
        }
        Some("block-send") => {
            // The peer never reads: sendall fills the buffers and blocks.
            let _held = hold_some();
            let c = must(
                "connect",
                create_connection(("127.0.0.1", port), None, None),
            );
            blocking();
            let big = vec![0u8; 1 << 20];
            loop {
                if let Err(e) = c.sendall(&big) {
                    println!("sendall returned {}", exc(&e));
                    break;
                }
            }
        }
        Some("block-connect") => {
            // The listener's backlog is full: the SYN is dropped and
            // connect waits (the kernel retries for about two minutes).
            let _held = hold_some();
            let c = must("socket", socket(AF_INET, SOCK_STREAM, 0));
            blocking();
            let r = c.connect(("127.0.0.1", port));
            println!("connect returned {r:?}");
        }
        Some("flood") => {
            // The peer sends faster than this guest reads (small reads,
            // a pause now and then): count and checksum all of it.
            let c = must(
                "connect",
                create_connection(("127.0.0.1", port), None, None),
            );
            let (mut n, mut h) = (0u64, 0xcbf2_9ce4_8422_2325u64);
            let mut reads = 0u64;
            loop {
                match c.recv(1000) {
                    Ok(d) if d.is_empty() => break,
                    Ok(d) => {
                        n += d.len() as u64;
                        h = d
                            .iter()
                            .fold(h, |h, &b| (h ^ b as u64).wrapping_mul(0x100_0000_01b3));
                        reads += 1;
                        if reads.is_multiple_of(4096) {
                            std::thread::sleep(std::time::Duration::from_millis(5));
                        }
                    }
                    Err(e) => {
                        println!("recv: {}", exc(&e));
                        break;
                    }
                }
            }
            println!("received {n} fnv {h:016x}");
        }
        Some("spin") => {
            // Guest code that never ends, holding sockets.
            let _held = hold_some();
            blocking();
            let mut n: u64 = 0;
            loop {
                n = std::hint::black_box(n.wrapping_add(1));
            }
        }
        other => {
            eprintln!("unknown mode {other:?}");
            std::process::exit(2);
        }
    }
}
