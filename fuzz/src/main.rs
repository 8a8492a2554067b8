//! The fuzz runner: seeded arbitrary call sequences (the `fuzz` guest, see
//! `tests/guests/src/bin/fuzz.rs`) against the wasock host with the sync
//! embedding, for a fixed time, checking after every sequence that the
//! host did not panic, the guest held no more sockets than the policy's
//! limit, and at the end that no descriptor leaked and that native
//! observers on the denied ports saw no connection and no datagram.
//!
//! A libFuzzer-free harness (the CI toolchain is stable): the generator is
//! the guest's seeded PRNG, so a failing seed replays exactly.
//!
//! Usage: `wasock-fuzz [--seconds N] [--steps N] [--seed N] [--wasm PATH]`
//! (defaults: 10 s, 1000 steps per sequence, from seed 1,
//! `$CARGO_TARGET_DIR` (default `target`) + `/wasm32-wasip2/release/fuzz.wasm`). Exits 1 on the first
//! failure, naming the seed.

use std::io::ErrorKind;
use std::net::{TcpListener, UdpSocket};
use std::sync::Arc;
use std::time::{Duration, Instant};
use wasmtime::component::Component;
use wasmtime::{Config, Engine};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasock_host::run::{self, GuestConfig, Output};
use wasock_host::Policy;

const MAX_SOCKETS: usize = 12;

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .map(|d| d.count())
        .unwrap_or(0)
}

/// What each open descriptor is (`/proc/self/fd` links), to name a leak.
fn fd_links() -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir("/proc/self/fd")
        .map(|d| {
            d.flatten()
                .map(|e| {
                    let link = std::fs::read_link(e.path()).unwrap_or_default();
                    format!("{} -> {}", e.file_name().to_string_lossy(), link.display())
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

fn free_port() -> u16 {
    for _ in 0..50 {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = l.local_addr().expect("addr").port();
        drop(l);
        if TcpListener::bind(("::1", port)).is_ok() && UdpSocket::bind(("127.0.0.1", port)).is_ok()
        {
            return port;
        }
    }
    fail("no free port")
}

fn fail(msg: &str) -> ! {
    eprintln!("wasock-fuzz: FAILED: {msg}");
    std::process::exit(1)
}

fn policy(allowed: u16) -> Policy {
    let mut p = Policy::deny_all()
        .allow_bind("127.0.0.1:*")
        .and_then(|p| p.allow_bind("[::1]:*"))
        .and_then(|p| p.allow_connect(&format!("127.0.0.1:{allowed}")))
        .and_then(|p| p.allow_connect(&format!("[::1]:{allowed}")))
        .unwrap_or_else(|e| fail(&format!("policy: {e}")));
    p.limits.max_sockets = MAX_SOCKETS;
    p
}

fn main() {
    let mut seconds = 10u64;
    let mut steps = 1000u64;
    let mut seed = 1u64;
    let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
    let mut wasm = format!("{target}/wasm32-wasip2/release/fuzz.wasm");
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || {
            args.next()
                .unwrap_or_else(|| fail(&format!("{a} needs a value")))
        };
        match a.as_str() {
            "--seconds" => seconds = val().parse().unwrap_or_else(|_| fail("--seconds")),
            "--steps" => steps = val().parse().unwrap_or_else(|_| fail("--steps")),
            "--seed" => seed = val().parse().unwrap_or_else(|_| fail("--seed")),
            "--wasm" => wasm = val(),
            other => fail(&format!("unknown argument {other}")),
        }
    }
    let engine = Engine::new(&Config::new()).unwrap_or_else(|e| fail(&format!("engine: {e}")));
    let component = Component::from_file(&engine, &wasm)
        .unwrap_or_else(|e| fail(&format!("loading {wasm}: {e} (build the guests first)")));
    let linker = run::sync_linker(&engine).unwrap_or_else(|e| fail(&format!("linker: {e}")));

    let (allowed, denied_tcp, denied_udp) = (free_port(), free_port(), free_port());
    let _allowed = [
        TcpListener::bind(("127.0.0.1", allowed)),
        TcpListener::bind(("::1", allowed)),
    ];
    let hosts = ["127.0.0.1", "127.0.0.2", "::1"];
    let tcp: Vec<TcpListener> = hosts
        .iter()
        .map(|h| TcpListener::bind((*h, denied_tcp)).unwrap_or_else(|e| fail(&format!("{e}"))))
        .collect();
    let udp: Vec<UdpSocket> = hosts
        .iter()
        .map(|h| UdpSocket::bind((*h, denied_udp)).unwrap_or_else(|e| fail(&format!("{e}"))))
        .collect();

    let run_seed = |seed: u64| {
        let out = MemoryOutputPipe::new(1 << 16);
        let err = MemoryOutputPipe::new(1 << 16);
        let config = GuestConfig {
            args: [
                "fuzz".to_string(),
                seed.to_string(),
                steps.to_string(),
                allowed.to_string(),
                denied_tcp.to_string(),
                denied_udp.to_string(),
            ]
            .to_vec(),
            output: Output::Capture(out.clone(), err.clone()),
            policy: Arc::new(policy(allowed)),
            ..Default::default()
        };
        let code = run::run_sync(&linker, &component, &config);
        let text = String::from_utf8_lossy(&out.contents()).into_owned();
        if !matches!(code, Ok(0)) || !text.contains(&format!("steps {steps} done")) {
            fail(&format!(
                "seed {seed}: {code:?}\n{text}\n{}",
                String::from_utf8_lossy(&err.contents())
            ));
        }
        let held: usize = text
            .lines()
            .find_map(|l| l.strip_prefix("max-open "))
            .and_then(|n| n.parse().ok())
            .unwrap_or(usize::MAX);
        if held > MAX_SOCKETS {
            fail(&format!("seed {seed}: held {held} sockets"));
        }
    };
    run_seed(0); // warm-up
    let before = open_fds();
    let links = fd_links();
    let start = Instant::now();
    let mut sequences = 0u64;
    while start.elapsed() < Duration::from_secs(seconds) {
        run_seed(seed);
        // Checked after every sequence, so a leak names its seed.
        let now = open_fds();
        if now != before {
            let new: Vec<String> = fd_links()
                .into_iter()
                .filter(|l| !links.contains(l))
                .collect();
            fail(&format!(
                "seed {seed}: descriptors leaked: {before} before, {now} after: {new:?}"
            ));
        }
        seed += 1;
        sequences += 1;
    }
    let after = open_fds();
    for l in &tcp {
        let _ = l.set_nonblocking(true);
        match l.accept() {
            Err(e) if e.kind() == ErrorKind::WouldBlock => {}
            other => fail(&format!("a denied connection arrived: {other:?}")),
        }
    }
    let mut buf = [0u8; 16];
    for u in &udp {
        let _ = u.set_nonblocking(true);
        match u.recv_from(&mut buf) {
            Err(e) if e.kind() == ErrorKind::WouldBlock => {}
            other => fail(&format!("a denied datagram arrived: {other:?}")),
        }
    }
    println!(
        "wasock-fuzz: {sequences} sequences of {steps} calls (seeds up to {}), {:.1} s: no panic, no leak ({after} fds), limit held, nothing denied arrived",
        seed - 1,
        start.elapsed().as_secs_f64()
    );
}
