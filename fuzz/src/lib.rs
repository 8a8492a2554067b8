//! The fuzz harness, shared by the property test
//! (`host/tests/e2e/fuzz.rs`), the timed runner (`src/main.rs`) and the
//! `cargo fuzz` target (`libfuzzer/`): runs one input (bytes, decoded by the
//! `fuzz` guest into a [`Program`] of calls, see `fuzz/calls`) against the
//! wasock host under a narrow policy, and checks from outside:
//! - the host never panics (the guest ends normally, or traps only at the
//!   forged handle when the input asks for one; a panic is caught and
//!   reported);
//! - no descriptor leaks (`/proc/self/fd` before and after the run);
//! - the guest never holds more sockets than the policy's `max-sockets`;
//! - nothing the policy denies reaches the kernel: native observers on the
//!   denied TCP and UDP ports (127.0.0.1, 127.0.0.2, ::1) see no
//!   connection and no datagram.
//!
//! [`minimise`] shrinks a failing input frame by frame (the runner's
//! minimiser; the property test shrinks with proptest).

use std::io::ErrorKind;
use std::net::{TcpListener, UdpSocket};
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::{Duration, Instant};
use wasmtime::component::{Component, Linker};
use wasmtime::Engine;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasock_host::run::{self, GuestConfig, GuestState, Output};
use wasock_host::Policy;

pub use wasock_fuzz_calls as calls;
use wasock_fuzz_calls::{Embedding, Program};

/// The policy's `max-sockets`.
pub const MAX_SOCKETS: usize = 12;

/// How long one run may take before it counts as a failure.
pub const RUN_LIMIT: Duration = Duration::from_secs(60);

/// How long a run's descriptors may take to be closed after it (an async
/// run's last tasks end on the runtime's threads).
const SETTLE: Duration = Duration::from_millis(500);

/// The number of open descriptors of this process.
pub fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .map(|d| d.count())
        .unwrap_or(0)
}

/// What each open descriptor is (`/proc/self/fd` links), to name a leak.
pub fn fd_links() -> Vec<String> {
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

/// A port free a moment ago for TCP on 127.0.0.1 and ::1 and UDP on
/// 127.0.0.1.
fn free_port() -> Result<u16, String> {
    for _ in 0..50 {
        let l = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
        let port = l.local_addr().map_err(|e| e.to_string())?.port();
        drop(l);
        if TcpListener::bind(("::1", port)).is_ok() && UdpSocket::bind(("127.0.0.1", port)).is_ok()
        {
            return Ok(port);
        }
    }
    Err("no free port".into())
}

/// The policy the inputs run under: loopback binds, connections only to
/// the allowed port, at most [`MAX_SOCKETS`] sockets.
pub fn policy(allowed: u16) -> Policy {
    let mut p = Policy::deny_all()
        .allow_bind("127.0.0.1:*")
        .and_then(|p| p.allow_bind("[::1]:*"))
        .and_then(|p| p.allow_connect(&format!("127.0.0.1:{allowed}")))
        .and_then(|p| p.allow_connect(&format!("[::1]:{allowed}")))
        .expect("the fuzz policy parses");
    p.limits.max_sockets = MAX_SOCKETS;
    p
}

/// What one run produced.
#[derive(Debug)]
pub struct Run {
    /// The decoded input.
    pub program: Program,
    /// The exit code, or the trap (or a caught host panic) as text.
    pub code: Result<i32, String>,
    /// The guest's stdout (with `trace`, a line per call).
    pub stdout: String,
    /// The guest's stderr.
    pub stderr: String,
}

impl Run {
    /// The most sockets the guest held at once (its `max-open` line).
    pub fn max_open(&self) -> Option<usize> {
        self.stdout
            .lines()
            .find_map(|l| l.strip_prefix("max-open "))
            .and_then(|n| n.parse().ok())
    }
}

/// What a passing check saw.
#[derive(Debug, Default)]
pub struct Seen {
    /// The most sockets the guest held at once.
    pub max_open: usize,
    /// Connections that reached the allowed listeners.
    pub allowed_connections: usize,
}

struct Inner {
    component: Component,
    sync: Linker<GuestState>,
    async_: Linker<GuestState>,
    rt: tokio::runtime::Runtime,
    ports: [u16; 3],
}

/// The native side: listeners on the allowed port, observers on the denied
/// ones.
struct Natives {
    allowed: Vec<TcpListener>,
    tcp: Vec<TcpListener>,
    udp: Vec<UdpSocket>,
}

/// Runs inputs against the host and checks the properties.
pub struct Harness {
    inner: Arc<Inner>,
    natives: Natives,
}

impl Harness {
    /// A harness for the compiled `fuzz` guest, with its own ports and
    /// native observers. Runs a warm-up input in each embedding (the
    /// engine's and runtime's first-use allocations).
    pub fn new(engine: &Engine, component: &Component) -> Result<Harness, String> {
        let e = |e: &dyn std::fmt::Display| e.to_string();
        let (allowed, denied_tcp, denied_udp) = (free_port()?, free_port()?, free_port()?);
        let hosts = ["127.0.0.1", "127.0.0.2", "::1"];
        let natives = Natives {
            allowed: ["127.0.0.1", "::1"]
                .iter()
                .map(|h| TcpListener::bind((*h, allowed)))
                .collect::<Result<_, _>>()
                .map_err(|x| e(&x))?,
            tcp: hosts
                .iter()
                .map(|h| TcpListener::bind((*h, denied_tcp)))
                .collect::<Result<_, _>>()
                .map_err(|x| e(&x))?,
            udp: hosts
                .iter()
                .map(|h| UdpSocket::bind((*h, denied_udp)))
                .collect::<Result<_, _>>()
                .map_err(|x| e(&x))?,
        };
        for l in &natives.allowed {
            l.set_nonblocking(true).map_err(|x| e(&x))?;
        }
        for l in &natives.tcp {
            l.set_nonblocking(true).map_err(|x| e(&x))?;
        }
        for u in &natives.udp {
            u.set_nonblocking(true).map_err(|x| e(&x))?;
        }
        let inner = Inner {
            component: component.clone(),
            sync: run::sync_linker(engine).map_err(|x| e(&x))?,
            async_: run::async_linker(engine).map_err(|x| e(&x))?,
            rt: tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .map_err(|x| e(&x))?,
            ports: [allowed, denied_tcp, denied_udp],
        };
        let h = Harness {
            inner: Arc::new(inner),
            natives,
        };
        for header in [0, calls::ASYNC] {
            let warm = warm_up(header);
            let r = h.run(&warm, false);
            if r.code != Ok(0) {
                return Err(format!(
                    "the warm-up run failed: {:?}\n{}",
                    r.code, r.stderr
                ));
            }
            if !r
                .stdout
                .contains(&format!("calls {} done", r.program.calls.len()))
            {
                return Err(format!(
                    "the fuzz guest does not play this harness's inputs (a stale build? \
                     cargo build --release --target wasm32-wasip2 -p wasock-test-guests): {:?}",
                    r.stdout.lines().last().unwrap_or_default()
                ));
            }
        }
        h.drain();
        Ok(h)
    }

    /// A harness with an engine of its own, for the guest at `wasm`.
    pub fn from_file(wasm: &str) -> Result<Harness, String> {
        let mut config = wasmtime::Config::new();
        if let Ok(cache) = wasmtime::Cache::from_file(None) {
            config.cache(Some(cache));
        }
        let engine = Engine::new(&config).map_err(|e| format!("engine: {e}"))?;
        let component = Component::from_file(&engine, wasm)
            .map_err(|e| format!("loading {wasm}: {e} (build the guests first)"))?;
        Harness::new(&engine, &component)
    }

    /// The allowed, denied TCP and denied UDP ports.
    pub fn ports(&self) -> [u16; 3] {
        self.inner.ports
    }

    /// Runs one input (bounded by [`RUN_LIMIT`]; a host panic is caught);
    /// with `trace` the guest prints each call and its result.
    pub fn run(&self, input: &[u8], trace: bool) -> Run {
        let program = Program::decode(input);
        let out = MemoryOutputPipe::new(4 << 20);
        let err = MemoryOutputPipe::new(1 << 20);
        let [allowed, denied_tcp, denied_udp] = self.inner.ports;
        let mut args = vec![
            "fuzz".to_string(),
            allowed.to_string(),
            denied_tcp.to_string(),
            denied_udp.to_string(),
            calls::to_hex(input),
        ];
        if trace {
            args.push("trace".into());
        }
        let config = GuestConfig {
            args,
            output: Output::Capture(out.clone(), err.clone()),
            policy: Arc::new(policy(allowed)),
            ..Default::default()
        };
        let inner = self.inner.clone();
        let embedding = program.embedding;
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let r = std::panic::catch_unwind(AssertUnwindSafe(|| match embedding {
                Embedding::Sync => run::run_sync(&inner.sync, &inner.component, &config),
                Embedding::Async => {
                    inner
                        .rt
                        .block_on(run::run_async(&inner.async_, &inner.component, &config))
                }
            }));
            let _ = tx.send(r);
        });
        let code = match rx.recv_timeout(RUN_LIMIT) {
            Ok(Ok(r)) => r.map_err(|e| format!("{e:?}")),
            Ok(Err(panic)) => Err(format!("HOST PANIC: {}", panic_text(&*panic))),
            Err(_) => Err(format!("the run did not finish within {RUN_LIMIT:?}")),
        };
        Run {
            program,
            code,
            stdout: String::from_utf8_lossy(&out.contents()).into_owned(),
            stderr: String::from_utf8_lossy(&err.contents()).into_owned(),
        }
    }

    /// Runs one input and checks every property; the first one broken, as
    /// text.
    pub fn check(&self, input: &[u8]) -> Result<Seen, String> {
        let before = open_fds();
        let links = fd_links();
        let r = self.run(input, false);
        let reached = self.drain();
        let n = r.program.calls.len();
        let why = |what: String| {
            format!(
                "{what}\n--- guest stdout ---\n{}\n--- guest stderr ---\n{}",
                tail(&r.stdout),
                tail(&r.stderr)
            )
        };
        if let Err(e) = &r.code {
            if e.starts_with("HOST PANIC") || e.contains("did not finish") {
                return Err(why(e.clone()));
            }
        }
        if !r.stdout.contains(&format!("calls {n} done")) {
            return Err(why(format!("the sequence did not finish: {:?}", r.code)));
        }
        if r.program.forge {
            match &r.code {
                Err(e) if e.contains("handle") || e.contains("resource") => {}
                other => return Err(why(format!("the forged handle did not trap: {other:?}"))),
            }
            if r.stdout.contains("forged handle returned") {
                return Err(why("a call with a forged handle returned".into()));
            }
        } else if r.code != Ok(0) {
            return Err(why(format!("the guest did not end normally: {:?}", r.code)));
        }
        let max_open = r.max_open().ok_or_else(|| why("no max-open line".into()))?;
        if max_open > MAX_SOCKETS {
            return Err(why(format!(
                "the guest held {max_open} sockets (max-sockets {MAX_SOCKETS})"
            )));
        }
        let settle = Instant::now();
        let mut now = open_fds();
        while now != before && settle.elapsed() < SETTLE {
            std::thread::sleep(Duration::from_millis(5));
            now = open_fds();
        }
        if now != before {
            let new: Vec<String> = fd_links()
                .into_iter()
                .filter(|l| !links.contains(l))
                .collect();
            return Err(format!(
                "descriptors leaked: {before} before, {now} after: {new:?}"
            ));
        }
        reached.denied.map(|()| Seen {
            max_open,
            allowed_connections: reached.allowed,
        })
    }

    /// Accepts and reads whatever reached the native side since the last
    /// call: connections to the allowed listeners are counted (and closed),
    /// anything at the observers is the error.
    fn drain(&self) -> Reached {
        let mut allowed = 0;
        for l in &self.natives.allowed {
            // Bounded: the backlog holds at most a few hundred.
            for _ in 0..1024 {
                match l.accept() {
                    Ok(_) => allowed += 1,
                    Err(_) => break,
                }
            }
        }
        let mut denied = Ok(());
        for l in &self.natives.tcp {
            match l.accept() {
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                other => {
                    denied = Err(format!(
                        "a denied connection reached {:?}: {other:?}",
                        l.local_addr()
                    ))
                }
            }
        }
        let mut buf = [0u8; 16];
        for u in &self.natives.udp {
            match u.recv_from(&mut buf) {
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                other => {
                    denied = Err(format!(
                        "a denied datagram reached {:?}: {other:?}",
                        u.local_addr()
                    ))
                }
            }
        }
        Reached { allowed, denied }
    }

    /// Connections that reached the allowed listeners since the last check
    /// (they are accepted and closed).
    pub fn allowed_connections(&self) -> usize {
        self.drain().allowed
    }

    /// A failing input, readable: the calls, the input as hex (to replay
    /// it: `wasock-fuzz --replay FILE` takes the bytes), and the guest's
    /// trace of a run of it.
    pub fn report(&self, input: &[u8]) -> String {
        let program = Program::decode(input);
        let r = self.run(input, true);
        self.drain();
        format!(
            "{program}input (hex): {}\n--- trace of a run: {:?} ---\n{}{}",
            calls::to_hex(input),
            r.code,
            tail(&r.stdout),
            tail(&r.stderr)
        )
    }
}

struct Reached {
    allowed: usize,
    denied: Result<(), String>,
}

/// The last 8 KiB of a text.
fn tail(s: &str) -> &str {
    let mut start = s.len().saturating_sub(8192);
    while !s.is_char_boundary(start) {
        start += 1;
    }
    &s[start..]
}

fn panic_text(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".into())
}

/// A fixed input with a bit of everything (a fixed seed of random frames).
fn warm_up(header: u8) -> Vec<u8> {
    let mut rng = Bytes::new(0x5eed);
    let frames: Vec<Vec<u8>> = (0..200).map(|_| rng.frame()).collect();
    calls::encode(header & !calls::FORGE, &frames)
}

/// A seeded source of random input bytes (xorshift64*).
pub struct Bytes(u64);

impl Bytes {
    /// A source for `seed` (any value).
    pub fn new(seed: u64) -> Bytes {
        Bytes(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// One frame: up to [`calls::MAX_FRAME`] random bytes.
    pub fn frame(&mut self) -> Vec<u8> {
        let n = (self.next_u64() % (calls::MAX_FRAME as u64 + 1)) as usize;
        (0..n).map(|_| self.next_u64() as u8).collect()
    }

    /// An input of `calls` random frames after a random header.
    pub fn input(&mut self, calls: usize) -> Vec<u8> {
        let header = self.next_u64() as u8;
        let frames: Vec<Vec<u8>> = (0..calls).map(|_| self.frame()).collect();
        calls::encode(header, &frames)
    }
}

/// Shrinks a failing input: the plainest header (no forged handle, the
/// sync embedding), then runs of frames (halves, quarters, … single frames),
/// then empties each frame and zeroes its bytes, keeping each change
/// under which `fails` still holds. Bounded by `max_runs` runs and
/// `limit` time.
pub fn minimise(
    input: &[u8],
    mut fails: impl FnMut(&[u8]) -> bool,
    max_runs: usize,
    limit: Duration,
) -> Vec<u8> {
    let start = Instant::now();
    let (header, frames) = calls::frames(input);
    let mut header = header;
    let mut frames: Vec<Vec<u8>> = frames.into_iter().map(<[u8]>::to_vec).collect();
    let mut runs = 0;
    let budget = |runs: &mut usize| {
        *runs += 1;
        *runs <= max_runs && start.elapsed() < limit
    };
    // The plainest header that still fails: no forged handle, the sync
    // embedding, no unused bits.
    header &= calls::ASYNC | calls::FORGE;
    let mut tried = Vec::new();
    for h in [0, header & calls::ASYNC, header & calls::FORGE] {
        if h == header || !budget(&mut runs) {
            break;
        }
        if tried.contains(&h) {
            continue;
        }
        tried.push(h);
        if fails(&calls::encode(h, &frames)) {
            header = h;
            break;
        }
    }
    let mut chunk = frames.len().div_ceil(2).max(1);
    loop {
        let mut at = 0;
        while at < frames.len() && budget(&mut runs) {
            let mut fewer = frames.clone();
            fewer.drain(at..(at + chunk).min(frames.len()));
            if fails(&calls::encode(header, &fewer)) {
                frames = fewer;
            } else {
                at += chunk;
            }
        }
        if chunk == 1 || runs > max_runs || start.elapsed() >= limit {
            break;
        }
        chunk = chunk.div_ceil(2);
    }
    for i in 0..frames.len() {
        if !frames[i].is_empty() && budget(&mut runs) {
            let mut plainer = frames.clone();
            plainer[i].clear();
            if fails(&calls::encode(header, &plainer)) {
                frames = plainer;
                continue;
            }
        }
        for j in 0..frames[i].len() {
            if frames[i][j] != 0 && budget(&mut runs) {
                let mut plainer = frames.clone();
                plainer[i][j] = 0;
                if fails(&calls::encode(header, &plainer)) {
                    frames = plainer;
                }
            }
        }
    }
    calls::encode(header, &frames)
}

#[cfg(test)]
mod tests {
    use super::*;
    use calls::Call;

    /// The minimiser keeps only what the failure needs: here, the
    /// `Listen` calls (three of them) out of a thousand random calls.
    #[test]
    fn minimise_keeps_only_what_fails() {
        let listens = |i: &[u8]| {
            Program::decode(i)
                .calls
                .iter()
                .filter(|c| matches!(c, Call::Listen { .. }))
                .count()
        };
        let input = (1..1000)
            .map(|seed| Bytes::new(seed).input(1000))
            .find(|i| listens(i) >= 3)
            .expect("an input with three listens");
        let small = minimise(&input, |i| listens(i) >= 3, 10_000, Duration::from_secs(30));
        let p = Program::decode(&small);
        assert_eq!(p.calls.len(), 3, "{p}");
        assert_eq!(listens(&small), 3);
        assert_eq!((p.embedding, p.forge), (calls::Embedding::Sync, false));
    }
}
