//! The host boundary under arbitrary call sequences: the `fuzz` guest runs
//! seeded random sequences (odd families and types, wrong states, huge and
//! zero sizes, bad addresses and option values, select, sendmsg with
//! arbitrary control data, and, for some seeds, a forged handle at the
//! end) under a narrow policy. Properties, checked from outside:
//! - the host never panics or aborts (the guest ends normally, or traps
//!   only at the forged handle);
//! - no descriptor leaks (`/proc/self/fd`, in a process of its own);
//! - the socket limit holds (the guest never holds more than the policy's
//!   `max-sockets`);
//! - nothing the policy denies reaches the kernel: native observers on the
//!   denied TCP and UDP ports (127.0.0.1, 127.0.0.2, ::1) see no connection
//!   and no datagram.
//!
//! The fuzz runner (`cargo run -p wasock-fuzz`) runs the same properties
//! for as long as asked.

use crate::support::*;
use std::io::ErrorKind;
use std::net::{TcpListener, UdpSocket};
use wasock_host::Policy;

const MAX_SOCKETS: usize = 12;
const SEEDS: u64 = 48;
const STEPS: &str = "400";

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .map(|d| d.count())
        .unwrap_or(0)
}

fn policy(allowed: u16) -> Policy {
    let mut p = Policy::deny_all()
        .allow_bind("127.0.0.1:*")
        .unwrap()
        .allow_bind("[::1]:*")
        .unwrap()
        .allow_connect(&format!("127.0.0.1:{allowed}"))
        .unwrap()
        .allow_connect(&format!("[::1]:{allowed}"))
        .unwrap();
    p.limits.max_sockets = MAX_SOCKETS;
    p
}

#[test]
fn arbitrary_call_sequences_keep_every_property() {
    if !alone("fuzz::arbitrary_call_sequences_keep_every_property") {
        return;
    }
    let allowed = free_port();
    let denied_tcp = free_port();
    let denied_udp = free_port();
    let _allowed_v4 = TcpListener::bind(("127.0.0.1", allowed)).unwrap();
    let _allowed_v6 = TcpListener::bind(("::1", allowed)).unwrap();
    let tcp_observers: Vec<TcpListener> = ["127.0.0.1", "127.0.0.2", "::1"]
        .iter()
        .map(|h| TcpListener::bind((*h, denied_tcp)).unwrap())
        .collect();
    let udp_observers: Vec<UdpSocket> = ["127.0.0.1", "127.0.0.2", "::1"]
        .iter()
        .map(|h| UdpSocket::bind((*h, denied_udp)).unwrap())
        .collect();
    let ports = [allowed, denied_tcp, denied_udp].map(|p| p.to_string());
    let run_seed = |seed: u64| {
        let forge = seed % 8 == 7;
        let seed_s = seed.to_string();
        let mut args = vec![seed_s.as_str(), STEPS, &ports[0], &ports[1], &ports[2]];
        if forge {
            args.push("forge");
        }
        let run = if seed.is_multiple_of(2) {
            run_sync
        } else {
            run_async
        };
        let o = run("fuzz", &args, policy(allowed));
        assert!(
            o.stdout.contains(&format!("steps {STEPS} done")),
            "seed {seed}: the sequence did not finish: {:?}\n{}\n{}",
            o.code,
            o.stdout,
            o.stderr
        );
        if forge {
            let err = o.code.expect_err("a forged handle must trap");
            assert!(
                err.contains("handle") || err.contains("resource"),
                "seed {seed}: {err}"
            );
            assert!(!o.stdout.contains("forged handle returned"));
        } else {
            assert_eq!(o.code, Ok(0), "seed {seed}: {}", o.stderr);
        }
        let max_open: usize = o
            .stdout
            .lines()
            .find_map(|l| l.strip_prefix("max-open "))
            .and_then(|n| n.parse().ok())
            .expect("max-open line");
        assert!(
            max_open <= MAX_SOCKETS,
            "seed {seed}: held {max_open} sockets"
        );
    };
    run_seed(0); // warm-up: engine, runtimes, the component's memory image
    let before = open_fds();
    for seed in 1..SEEDS {
        run_seed(seed);
    }
    assert_eq!(open_fds(), before, "descriptors leaked");
    for l in &tcp_observers {
        l.set_nonblocking(true).unwrap();
        match l.accept() {
            Err(e) if e.kind() == ErrorKind::WouldBlock => {}
            other => panic!(
                "a denied connection reached {:?}: {other:?}",
                l.local_addr()
            ),
        }
    }
    for u in &udp_observers {
        u.set_nonblocking(true).unwrap();
        let mut buf = [0u8; 16];
        match u.recv_from(&mut buf) {
            Err(e) if e.kind() == ErrorKind::WouldBlock => {}
            other => panic!("a denied datagram reached {:?}: {other:?}", u.local_addr()),
        }
    }
}
