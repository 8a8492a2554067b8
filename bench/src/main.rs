//! `wasock-bench`: one run, one machine, eight variants doing the same work
//! against the same native servers (in a child process), interleaved:
//!
//! 1. native Rust `std::net` (this process), blocking,
//! 2. native Rust over tokio (this process, the current-thread runtime the
//!    async wasock rows use): what waiting through a reactor costs without
//!    a guest, the reference for the async embedding,
//! 3. native CPython `socket` (`bench/client.py`),
//! 4. a wasock guest, sync embedding,
//! 5. a wasock guest, async embedding (no spin: the default),
//! 6. the same with `set_async_spin(50 µs)`: waits retry before parking,
//!    latency bought with CPU (the counters show how much),
//! 7. a Rust `std::net` guest over wasi:sockets (wasmtime-wasi),
//! 8. `bench/client.py` itself as a Python guest (CPython in WebAssembly,
//!    packaged by `wasock py build`; sync embedding), compared with
//!    variant 3 in a section of its own.
//!
//! Then scale (N guest instances holding connections in one process) and
//! start-up. Writes `docs/benchmarks.md`, `docs/benchmarks.json` and
//! `docs/benchmarks.svg` (or into `BENCH_OUT`). Every loop is bounded;
//! loopback only.
//!
//! Usage: `wasock-bench` (env: BENCH_REPS, default 5; BENCH_QUICK=1 for a
//! short smoke run; BENCH_ONLY=bulk,connect to run only the workloads whose
//! names contain one of these words, print their table and write nothing
//! (the word `crossing` adds the crossing section, a connect row the
//! connect + close control);
//! BENCH_VARIANTS="native Rust,wasock async" to run only those columns,
//! likewise; BENCH_ASYNC_RUNTIME=current|spawn|block-on for where the
//! async rows run their guest, see [`AsyncRuntime`]; BENCH_PERFMAP=1 names
//! the guests' compiled functions for `perf report`), or `wasock-bench
//! serve` (the servers, used internally).

mod counters;
mod std_client;
mod tokio_client;

use counters::{Counters, Reading};

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use wasmtime::component::{Component, Linker};
use wasmtime::{Config, Engine, Store};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasock_host::run::{self, GuestConfig, GuestState, Output};
use wasock_host::Policy;

const VARIANTS: [&str; 8] = [
    "native Rust",
    "native Rust async",
    "CPython",
    "wasock sync",
    "wasock async",
    "wasock async + spin",
    "wasi:sockets guest",
    "Python guest",
];

/// How many `accept` listeners the servers open: one per connect + close
/// run, in turn (see [`Bench::port_of`]).
const ACCEPT_PORTS: usize = 128;

/// The packaged `bench/client.py` (made by `scripts/bench.sh` with
/// `wasock py build`), below the target directory.
const PYTHON_CLIENT: &str = "python-bench/client.wasm";

struct Row {
    name: &'static str,
    unit: &'static str,
    lower_is_better: bool,
    workload: &'static str,
    server: &'static str,
    n: u64,
    size: usize,
}

fn rows(quick: bool) -> Vec<Row> {
    let q = |n: u64| if quick { (n / 20).max(1) } else { n };
    vec![
        Row {
            name: "ping-pong 1 B",
            unit: "µs / round trip",
            lower_is_better: true,
            workload: "pingpong",
            server: "echo",
            n: q(20_000),
            size: 1,
        },
        Row {
            name: "ping-pong 64 B",
            unit: "µs / round trip",
            lower_is_better: true,
            workload: "pingpong",
            server: "echo",
            n: q(20_000),
            size: 64,
        },
        Row {
            name: "bulk send 256 MiB",
            unit: "MiB/s",
            lower_is_better: false,
            workload: "bulk-up",
            server: "sink",
            n: q(256) << 20,
            size: 64 << 10,
        },
        Row {
            name: "bulk receive 256 MiB",
            unit: "MiB/s",
            lower_is_better: false,
            workload: "bulk-down",
            server: "source",
            n: q(256) << 20,
            size: 64 << 10,
        },
        Row {
            name: "AF_UNIX ping-pong 1 B",
            unit: "µs / round trip",
            lower_is_better: true,
            workload: "pingpong",
            server: "unix-echo",
            n: q(20_000),
            size: 1,
        },
        Row {
            name: "AF_UNIX bulk send 256 MiB",
            unit: "MiB/s",
            lower_is_better: false,
            workload: "bulk-up",
            server: "unix-sink",
            n: q(256) << 20,
            size: 64 << 10,
        },
        Row {
            name: "AF_UNIX bulk receive 256 MiB",
            unit: "MiB/s",
            lower_is_better: false,
            workload: "bulk-down",
            server: "unix-source",
            n: q(256) << 20,
            size: 64 << 10,
        },
        Row {
            name: "connect + close",
            unit: "connections/s",
            lower_is_better: false,
            workload: "connect",
            server: "accept",
            n: q(5_000),
            size: 0,
        },
        Row {
            name: "UDP 64 B",
            unit: "datagrams/s",
            lower_is_better: false,
            workload: "udp",
            server: "udp",
            n: q(20_000),
            size: 64,
        },
        Row {
            name: "UDP 1400 B",
            unit: "datagrams/s",
            lower_is_better: false,
            workload: "udp",
            server: "udp",
            n: q(20_000),
            size: 1400,
        },
        Row {
            name: "UDP 64 B recvmsg + IP_PKTINFO",
            unit: "datagrams/s",
            lower_is_better: false,
            workload: "udp-pktinfo",
            server: "udp",
            n: q(20_000),
            size: 64,
        },
    ]
}

// ---------------------------------------------------------------- servers

/// A loopback listener with a deep backlog (std's 128 overflows under a
/// connect storm, and a dropped SYN costs a one-second retransmit).
fn listener() -> TcpListener {
    let s = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    s.bind(
        &"127.0.0.1:0"
            .parse::<std::net::SocketAddr>()
            .unwrap()
            .into(),
    )
    .unwrap();
    s.listen(4096).unwrap();
    s.into()
}

/// Echoes until end of stream.
fn echo_loop<S: Read + Write>(mut s: S) {
    let mut buf = vec![0u8; 64 << 10];
    while let Ok(n) = s.read(&mut buf) {
        if n == 0 || s.write_all(&buf[..n]).is_err() {
            break;
        }
    }
}

/// Reads to end of stream, then acknowledges with `k`.
fn sink_loop<S: Read + Write>(mut s: S) {
    let mut buf = vec![0u8; 64 << 10];
    while let Ok(n) = s.read(&mut buf) {
        if n == 0 {
            let _ = s.write_all(b"k");
            break;
        }
    }
}

/// The AF_UNIX servers: `echo.sock` and `sink.sock` in `dir`.
fn serve_unix(dir: &Path) {
    use std::os::unix::net::{UnixListener, UnixStream};
    fn each(l: UnixListener, f: fn(UnixStream)) {
        std::thread::spawn(move || {
            for s in l.incoming().flatten() {
                std::thread::Builder::new()
                    .stack_size(64 << 10)
                    .spawn(move || f(s))
                    .ok();
            }
        });
    }
    each(
        UnixListener::bind(dir.join("echo.sock")).unwrap(),
        echo_loop,
    );
    each(
        UnixListener::bind(dir.join("sink.sock")).unwrap(),
        sink_loop,
    );
    each(
        UnixListener::bind(dir.join("source.sock")).unwrap(),
        source_loop,
    );
}

/// Reads an 8-byte big-endian length, then sends that many bytes (at most
/// 16 GiB).
fn source_loop<S: Read + Write>(mut s: S) {
    let mut len = [0u8; 8];
    if s.read_exact(&mut len).is_err() {
        return;
    }
    let mut left = u64::from_be_bytes(len).min(1 << 34);
    let buf = vec![b'y'; 64 << 10];
    while left > 0 {
        let k = left.min(buf.len() as u64) as usize;
        if s.write_all(&buf[..k]).is_err() {
            break;
        }
        left -= k as u64;
    }
}

/// Where the AF_UNIX servers listen (one directory per harness run).
fn unix_dir() -> PathBuf {
    std::env::temp_dir().join(format!("wasock-bench-{}", std::process::id()))
}

fn serve(unix: Option<&str>) {
    if let Some(dir) = unix {
        serve_unix(Path::new(dir));
    }
    let echo = listener();
    let sink = listener();
    let source = listener();
    let accepts: Vec<TcpListener> = (0..ACCEPT_PORTS).map(|_| listener()).collect();
    let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = |l: &TcpListener| l.local_addr().unwrap().port();
    let mut ports = serde_json::json!({
        "echo": port(&echo),
        "sink": port(&sink),
        "source": port(&source),
        "udp": udp.local_addr().unwrap().port(),
    });
    for (i, l) in accepts.iter().enumerate() {
        ports[format!("accept{i}")] = port(l).into();
    }
    println!("{ports}");
    std::io::stdout().flush().unwrap();
    fn each(l: TcpListener, f: fn(TcpStream)) {
        std::thread::spawn(move || {
            for s in l.incoming().flatten() {
                std::thread::Builder::new()
                    .stack_size(64 << 10)
                    .spawn(move || f(s))
                    .ok();
            }
        });
    }
    each(echo, |s| {
        let _ = s.set_nodelay(true);
        echo_loop(s)
    });
    each(sink, sink_loop);
    each(source, source_loop);
    for accept in accepts {
        std::thread::Builder::new()
            .stack_size(64 << 10)
            .spawn(move || {
                for s in accept.incoming() {
                    drop(s);
                }
            })
            .unwrap();
    }
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 65536];
        while let Ok((n, from)) = udp.recv_from(&mut buf) {
            let _ = udp.send_to(&buf[..n], from);
        }
    });
    // Serve until the parent closes our stdin.
    let mut sink = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut sink);
}

// ---------------------------------------------------------------- variants

struct Bench {
    root: PathBuf,
    ports: HashMap<String, u16>,
    /// The next of the `accept` listeners (see [`Bench::port_of`]).
    accept_turn: std::sync::atomic::AtomicUsize,
    engine: Engine,
    sync_linker: Linker<GuestState>,
    async_linker: Arc<Linker<GuestState>>,
    /// Multi-thread, 2 workers: the scale section's guests are its tasks.
    rt: tokio::runtime::Runtime,
    /// Current-thread: the async rows' guests (see [`async_runtime`]).
    rt_current: tokio::runtime::Runtime,
    wasock_guest: Component,
    std_guest: Component,
    /// `bench/client.py` as a Python guest, when it was packaged.
    python_guest: Option<Component>,
    policy: Arc<Policy>,
    /// Where the AF_UNIX servers listen (`None`: no AF_UNIX rows).
    unix: Option<PathBuf>,
}

/// Where the async rows run their guest (`BENCH_ASYNC_RUNTIME`).
#[derive(Clone, Copy)]
enum AsyncRuntime {
    /// `current` (the default): a current-thread runtime, as `wasock run
    /// --async` does; the guest runs on the thread that polls the reactor.
    Current,
    /// `spawn`: a task of the 2-worker multi-thread runtime.
    SpawnMulti,
    /// `block-on`: `block_on` of the multi-thread runtime from the main
    /// thread (the guest's wakes come from a worker: a thread hop each).
    BlockOnMulti,
}

fn async_runtime() -> AsyncRuntime {
    match std::env::var("BENCH_ASYNC_RUNTIME").as_deref() {
        Ok("spawn") => AsyncRuntime::SpawnMulti,
        Ok("block-on") => AsyncRuntime::BlockOnMulti,
        _ => AsyncRuntime::Current,
    }
}

fn parse_result(stdout: &str) -> Option<f64> {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix("result "))
        .and_then(|v| v.trim().parse().ok())
}

fn guest_config(
    args: &[String],
    policy: &Arc<Policy>,
) -> (GuestConfig, MemoryOutputPipe, MemoryOutputPipe) {
    let out = MemoryOutputPipe::new(1 << 16);
    let err = MemoryOutputPipe::new(1 << 16);
    let config = GuestConfig {
        args: std::iter::once("bench".to_string())
            .chain(args.iter().cloned())
            .collect(),
        env: Vec::new(),
        output: Output::Capture(out.clone(), err.clone()),
        policy: policy.clone(),
        ..Default::default()
    };
    (config, out, err)
}

impl Bench {
    /// The client's arguments. AF_UNIX servers are named by a path
    /// ending in `.sock` (port 0): absolute for native clients, relative to
    /// the granted directory for wasock guests.
    fn args_for(&self, row: &Row, guest: bool) -> Vec<String> {
        let (host, port) = match row.server.strip_prefix("unix-") {
            Some(name) => {
                let file = format!("{name}.sock");
                let host = match &self.unix {
                    Some(dir) if !guest => dir.join(&file).display().to_string(),
                    _ => file,
                };
                (host, "0".to_string())
            }
            None => (
                "127.0.0.1".to_string(),
                self.port_of(row.server).to_string(),
            ),
        };
        vec![
            row.workload.to_string(),
            host,
            port,
            row.n.to_string(),
            row.size.to_string(),
        ]
    }

    fn args(&self, row: &Row) -> Vec<String> {
        self.args_for(row, false)
    }

    /// The port of a native server. `accept` (connect + close) is a new
    /// listener each time, in turn: every connection a run closes leaves a
    /// TIME_WAIT for its address pair for 60 s, and a run connecting to the
    /// same port as the runs before it finds its ephemeral ports taken by
    /// them (40,000 connections to one port per round of 8 columns, against
    /// 28,232 ephemeral ports) and pays for the kernel's search, more for
    /// each column that comes later in the round. A port of its own makes
    /// every address pair new.
    fn port_of(&self, server: &str) -> u16 {
        if server != "accept" {
            return self.ports[server];
        }
        let turn = self
            .accept_turn
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.ports[&format!("accept{}", turn % ACCEPT_PORTS)]
    }

    fn run_guest(&self, component: &Component, args: &[String], asynchronous: bool) -> Option<f64> {
        let (config, out, err) = guest_config(args, &self.policy);
        let code =
            if asynchronous {
                let l = self.async_linker.clone();
                match async_runtime() {
                    // The guest on a thread that is not the reactor's: every
                    // wake crosses threads (how this ran before issue 21).
                    AsyncRuntime::BlockOnMulti => self
                        .rt
                        .block_on(async { run::run_async(&l, component, &config).await }),
                    // A task of the multi-thread runtime, as a server that
                    // runs many guests spawns each.
                    AsyncRuntime::SpawnMulti => {
                        let component = component.clone();
                        self.rt
                            .block_on(self.rt.spawn(async move {
                                run::run_async(&l, &component, &config).await
                            }))
                            .unwrap_or_else(|e| Err(wasmtime::Error::msg(e.to_string())))
                    }
                    // As `wasock run --async` runs a guest.
                    AsyncRuntime::Current => self
                        .rt_current
                        .block_on(async { run::run_async(&l, component, &config).await }),
                }
            } else {
                run::run_sync(&self.sync_linker, component, &config)
            };
        let stdout = String::from_utf8_lossy(&out.contents()).into_owned();
        match code {
            Ok(0) => parse_result(&stdout),
            other => {
                eprintln!(
                    "  guest failed: {:?} {}",
                    other.map_err(|e| format!("{e:?}")),
                    String::from_utf8_lossy(&err.contents())
                );
                None
            }
        }
    }

    fn run(&self, variant: &str, row: &Row) -> Option<f64> {
        let args = self.args(row);
        // The guest's form of the same arguments (its AF_UNIX paths are
        // relative to its granted directory), to the same server.
        let unix = row.server.starts_with("unix-");
        let guest_args = if unix {
            self.args_for(row, true)
        } else {
            args.clone()
        };
        match variant {
            "native Rust" => std_client::run(&args)
                .map_err(|e| eprintln!("  native: {e}"))
                .ok(),
            "native Rust async" => tokio_client::run(&self.rt_current, &args)
                .map_err(|e| eprintln!("  native async: {e}"))
                .ok(),
            "CPython" => {
                let o = Command::new("python3")
                    .arg(self.root.join("bench/client.py"))
                    .args(&args)
                    .output()
                    .ok()?;
                if !o.status.success() {
                    eprintln!("  python: {}", String::from_utf8_lossy(&o.stderr));
                }
                parse_result(&String::from_utf8_lossy(&o.stdout))
            }
            "wasock sync" => self.run_guest(&self.wasock_guest, &guest_args, false),
            "wasock async" => self.run_guest(&self.wasock_guest, &guest_args, true),
            // The embedder's spin (off by default): latency bought with CPU.
            "wasock async + spin" => {
                wasock_host::set_async_spin(Duration::from_micros(50));
                let r = self.run_guest(&self.wasock_guest, &guest_args, true);
                wasock_host::set_async_spin(Duration::ZERO);
                r
            }
            // wasi:sockets has no AF_UNIX, and no recvmsg or IP_PKTINFO.
            "wasi:sockets guest" if unix || row.workload == "udp-pktinfo" => None,
            "wasi:sockets guest" => self.run_guest(&self.std_guest, &args, false),
            "Python guest" => self
                .python_guest
                .as_ref()
                .and_then(|c| self.run_guest(c, &guest_args, false)),
            _ => None,
        }
    }
}

impl Bench {
    fn new(root: PathBuf, ports: HashMap<String, u16>, unix: Option<PathBuf>) -> Bench {
        Self::new_with(root, ports, unix, None)
    }

    /// With `pool`: the pooling allocator, sized for that many instances
    /// (the scale measurement: slots reserved once, 32 MiB of address
    /// space per memory).
    fn new_with(
        root: PathBuf,
        ports: HashMap<String, u16>,
        unix: Option<PathBuf>,
        pool: Option<u32>,
    ) -> Bench {
        let mut config = Config::new();
        if std::env::var_os("BENCH_PERFMAP").is_some() {
            // Names for the guests' compiled functions in `perf report`.
            config.profiler(wasmtime::ProfilingStrategy::PerfMap);
        }
        if let Ok(cache) = wasmtime::Cache::from_file(None) {
            config.cache(Some(cache));
        }
        if let Some(n) = pool {
            let mut p = wasmtime::PoolingAllocationConfig::default();
            p.total_component_instances(n)
                .total_core_instances(n * 16)
                .total_memories(n * 4)
                .total_tables(n * 8)
                .total_stacks(n)
                .max_memory_size(32 << 20);
            config.memory_reservation(32 << 20);
            config.memory_guard_size(64 << 10);
            config.allocation_strategy(wasmtime::InstanceAllocationStrategy::Pooling(p));
        }
        let engine = Engine::new(&config).unwrap();
        let load = |name: &str| {
            let p = guest_dir(&root).join(format!("{name}.wasm"));
            Component::from_file(&engine, &p).unwrap_or_else(|e| panic!("{}: {e:?}", p.display()))
        };
        let mut policy = Policy::deny_all()
            .allow_connect("127.0.0.1:*")
            .unwrap()
            .allow_wasi_sockets(true);
        if let Some(dir) = &unix {
            policy = policy.unix_dir_path(dir).unwrap();
        }
        let policy = Arc::new(policy);
        Bench {
            ports,
            accept_turn: Default::default(),
            sync_linker: run::sync_linker(&engine).unwrap(),
            async_linker: Arc::new(run::async_linker(&engine).unwrap()),
            rt: tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap(),
            rt_current: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap(),
            wasock_guest: load("bench_wasock"),
            std_guest: load("bench_std"),
            python_guest: {
                let p = target_dir(&root).join(PYTHON_CLIENT);
                Component::from_file(&engine, &p)
                    .map_err(|e| eprintln!("no Python guest rows ({}: {e})", p.display()))
                    .ok()
            },
            engine,
            policy,
            root,
            unix,
        }
    }
}

fn median(v: &mut [f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let m = v.len() / 2;
    Some(if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    })
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .next()
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<u64>().ok())
        })
        .map_or(0, |k| k >> 20);
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    format!("{cpu}, {cores} cores, {mem} GiB, Linux {}", kernel.trim())
}

/// What one scale measurement found.
struct Scale {
    /// RSS growth per instance, KiB.
    kib: f64,
    /// Instances started per second (spawned to all `ready`: each has
    /// instantiated, connected and made one round trip).
    rate: f64,
    /// One more guest's 1 B ping-pong meanwhile: mean, p50, p99 (µs).
    mean: Option<f64>,
    p50: Option<f64>,
    p99: Option<f64>,
}

/// Scale of `guest` (a benchmark client with a `hold` workload): N async
/// instances each holding `conns` connections in this process.
fn scale_of(b: &Bench, guest: &Component, n: usize, conns: u64) -> Option<Scale> {
    let before = rss_kib();
    let mut tasks = Vec::new();
    let mut outs = Vec::new();
    let args: Vec<String> = vec![
        "hold".into(),
        "127.0.0.1".into(),
        b.ports["echo"].to_string(),
        conns.to_string(),
        "0".into(),
    ];
    let start = Instant::now();
    for _ in 0..n {
        let (config, out, _err) = guest_config(&args, &b.policy);
        let l = b.async_linker.clone();
        let c = guest.clone();
        tasks.push(b.rt.spawn(async move { run::run_async(&l, &c, &config).await.map(|_| ()) }));
        outs.push(out);
    }
    let ready = |o: &MemoryOutputPipe| String::from_utf8_lossy(&o.contents()).contains("ready");
    let mut waiting: Vec<usize> = (0..n).collect();
    while !waiting.is_empty() {
        if start.elapsed() > Duration::from_secs(600) || tasks.iter().any(|t| t.is_finished()) {
            eprintln!("  scale {n}: instances did not all get ready");
            for t in &tasks {
                t.abort();
            }
            return None;
        }
        waiting.retain(|&i| !ready(&outs[i]));
        std::thread::sleep(Duration::from_millis(20));
    }
    let rate = n as f64 / start.elapsed().as_secs_f64();
    let kib = (rss_kib().saturating_sub(before)) as f64 / n as f64;
    let (mean, p50, p99) = match timed_pingpong(b) {
        Ok(t) => (Some(t.0), Some(t.1), Some(t.2)),
        Err(why) => {
            eprintln!("  scale {n}: the measuring guest failed: {why}");
            (None, None, None)
        }
    };
    for t in &tasks {
        t.abort();
    }
    b.rt.block_on(async { tokio::time::sleep(Duration::from_millis(200)).await });
    Some(Scale {
        kib,
        rate,
        mean,
        p50,
        p99,
    })
}

/// One scale measurement in a fresh process (`wasock-bench scale|pyscale
/// N CONNS PORT`), so that RSS growth is not hidden by memory an earlier
/// one freed: [KiB per instance, mean µs, instances/s, p50, p99,
/// unloaded p50, unloaded p99] (NaN where not measured).
fn scale_child(b: &Bench, which: &str, n: usize, conns: u64) -> Option<Vec<f64>> {
    let o = Command::new(std::env::current_exe().ok()?)
        .args([
            which,
            &n.to_string(),
            &conns.to_string(),
            &b.ports["echo"].to_string(),
        ])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&o.stdout);
    let nums = |prefix: &str| -> Vec<f64> {
        text.lines()
            .find_map(|l| l.strip_prefix(prefix))
            .map(|l| {
                l.split_whitespace()
                    .filter_map(|v| v.parse().ok())
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut r = nums("scale ");
    if r.is_empty() {
        eprintln!(
            "  {which} {n}: {}",
            String::from_utf8_lossy(&o.stderr).trim()
        );
        return None;
    }
    r.resize(5, f64::NAN);
    let mut u = nums("unloaded ");
    u.resize(2, f64::NAN);
    r.extend(u);
    Some(r)
}

/// Raises this process's soft descriptor limit to its hard one (the
/// scale measurement holds one descriptor per guest connection).
fn raise_nofile() {
    let mut l = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit with a valid pointer to an rlimit.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut l) == 0 && l.rlim_cur < l.rlim_max {
            l.rlim_cur = l.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &l);
        }
    }
}

/// One more async guest's 1 B ping-pong, 5,000 round trips each timed
/// (`pingpong-pct`): (mean, p50, p99) in µs, or why it failed.
fn timed_pingpong(b: &Bench) -> Result<(f64, f64, f64), String> {
    let row = Row {
        name: "",
        unit: "",
        lower_is_better: true,
        workload: "pingpong-pct",
        server: "echo",
        n: 5_000,
        size: 1,
    };
    let (config, out, err) = guest_config(&b.args(&row), &b.policy);
    let l = b.async_linker.clone();
    let c = b.wasock_guest.clone();
    // A task of the runtime the loaded guests run on, as a server would
    // spawn it.
    let code =
        b.rt.block_on(b.rt.spawn(async move { run::run_async(&l, &c, &config).await }))
            .unwrap_or_else(|e| Err(wasmtime::Error::msg(e.to_string())));
    let text = String::from_utf8_lossy(&out.contents()).into_owned();
    let failed = || {
        format!(
            "{:?} {}",
            code.as_ref().map_err(|e| format!("{e:?}")),
            String::from_utf8_lossy(&err.contents())
        )
    };
    if !matches!(code, Ok(0)) {
        return Err(failed());
    }
    let pct: Vec<f64> = text
        .lines()
        .find_map(|l| l.strip_prefix("pct "))
        .map(|l| {
            l.split_whitespace()
                .filter_map(|v| v.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    match (parse_result(&text), pct.as_slice()) {
        (Some(mean), [p50, p99, ..]) => Ok((mean, *p50, *p99)),
        _ => Err(failed()),
    }
}

/// A Python guest's start from the cache, as `wasock run app.py` does it
/// once the program is packaged: the compiled component read from a file
/// (`Component::deserialize_file`), a fresh store, instantiation, and a run
/// of `bench/client.py` that prints its usage and exits. Median of `n`,
/// in ms.
fn python_startup(b: &Bench, n: usize) -> Option<f64> {
    let wasm = std::fs::read(target_dir(&b.root).join(PYTHON_CLIENT)).ok()?;
    let compiled = b.engine.precompile_component(&wasm).ok()?;
    let file = std::env::temp_dir().join(format!("wasock-bench-{}.cwasm", std::process::id()));
    std::fs::write(&file, compiled).ok()?;
    let mut times = Vec::new();
    for _ in 0..n {
        let t = Instant::now();
        // SAFETY: the file was written just now from this engine's
        // `precompile_component`.
        let c = unsafe { Component::deserialize_file(&b.engine, &file) }.ok()?;
        let (config, _, _) = guest_config(&[], &b.policy);
        let _ = run::run_sync(&b.sync_linker, &c, &config);
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let _ = std::fs::remove_file(&file);
    median(&mut times)
}

/// The component-model crossing: ns per wasock host call that makes no
/// system call, sync and async stores, median of `reps` runs of `n` calls
/// each: WIT `socket.timeout` (synchronous in both stores) and a 0-byte
/// `socket.recv` (an import that may wait, so async in an async store);
/// the section for the report.
fn crossing(b: &Bench, reps: usize, n: u64) -> Option<String> {
    let mut cells = Vec::new();
    for workload in ["crossing", "crossing-wait"] {
        let args: Vec<String> = [workload, "127.0.0.1", "0", &n.to_string(), "0"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        for asynchronous in [false, true] {
            let mut v: Vec<f64> = (0..reps)
                .filter_map(|_| b.run_guest(&b.wasock_guest, &args, asynchronous))
                .collect();
            cells.push(median(&mut v)?);
        }
    }
    Some(format!(
        "\n## Crossing the component boundary\n\nOne wasock host call that makes no system call, from the benchmark guest: median of {reps} runs of {n} calls.\n\n| host call | sync store | async store |\n|---|---|---|\n| `socket.timeout` (a resource-table lookup; synchronous in both stores) | {:.0} ns | {:.0} ns |\n| `socket.recv` of 0 bytes (answered without a system call; an import that may wait, so `async` in an async store: a boxed future polled on the guest's fiber) | {:.0} ns | {:.0} ns |\n\nA sync row whose system calls per operation equal native's differs from native by about this much per wasock call it makes; an async row pays the second line's async cell per call that may wait, and a fiber switch each time one does.\n",
        cells[0], cells[1], cells[2], cells[3]
    ))
}

/// The connect + close control: native Rust's own connect loop with a
/// fixed amount of user-space work added before each close (a spin of 0,
/// 2 and 4 µs: about what wasock's crossing and guest add), to show
/// whether a client only that much slower pays more in the kernel for the
/// same three system calls (the listener's thread sleeping in accept(2)
/// more often, each connect(2) paying to wake it). Medians of `reps` runs of
/// `n` connections, in turn; the section for the report.
fn connect_control(b: &Bench, counters: &Counters, reps: usize, n: u64) -> Option<String> {
    const SPINS_US: [u64; 3] = [0, 2, 4];
    let mut cpu: Vec<Vec<f64>> = vec![Vec::new(); SPINS_US.len()];
    let mut rate: Vec<Vec<f64>> = vec![Vec::new(); SPINS_US.len()];
    let mut calls: Vec<Vec<f64>> = vec![Vec::new(); SPINS_US.len()];
    for rep in 0..reps {
        for k in 0..SPINS_US.len() {
            let i = (k + rep) % SPINS_US.len();
            let addr = std::net::SocketAddr::from(([127, 0, 0, 1], b.port_of("accept")));
            let spin = Duration::from_micros(SPINS_US[i]);
            let running = counters.start();
            let t = Instant::now();
            for _ in 0..n {
                let s = TcpStream::connect(addr).ok()?;
                let until = Instant::now() + spin;
                while Instant::now() < until {
                    std::hint::spin_loop();
                }
                drop(s);
            }
            let elapsed = t.elapsed().as_secs_f64();
            let reading = running.stop(counters);
            rate[i].push(n as f64 / elapsed);
            cpu[i].push(reading.cpu / n as f64 * 1e6);
            if let Some(c) = reading.syscalls {
                calls[i].push(c as f64 / n as f64);
            }
        }
    }
    let mut out = String::from(
        "\n## Connect + close: does a slower client pay more in the kernel?\n\nA control for the connect + close row: native Rust's own loop (connect(2), close(2)), with a fixed user-space spin added before each close, in the same harness and run (after the rows; its three spins take turns over as many rounds). The spin is subtracted from the CPU, leaving what the same three system calls cost. If that grew with the spin, a client only that much slower in user space (as a guest is) would pay more in the kernel for the same calls (the accepting thread sleeping in accept(2) more often, each connect(2) paying to wake it); where it stays flat, a slower client alone does not explain a column's extra CPU per connection. Medians of ",
    );
    out.push_str(&format!(
        "{reps} runs of {n} connections.\n\n| added user-space work per connection | connections/s | CPU per connection | CPU − added work | system calls |\n|---|---|---|---|---|\n"
    ));
    for (i, us) in SPINS_US.iter().enumerate() {
        let c = median(&mut cpu[i])?;
        out.push_str(&format!(
            "| {us} µs | {:.0} | {c:.1} µs | {:.1} µs | {} |\n",
            median(&mut rate[i])?,
            c - *us as f64,
            median(&mut calls[i]).map_or("n/a".into(), |v| format!("{v:.0}")),
        ));
    }
    Some(out)
}

/// Start-up: instantiating a precompiled guest, median of `n`, in µs.
fn startup(b: &Bench, n: usize) -> Option<f64> {
    let bytes = b
        .engine
        .precompile_component(&std::fs::read(guest_dir(&b.root).join("bench_wasock.wasm")).ok()?)
        .ok()?;
    // SAFETY: these bytes were produced just now by this engine's
    // `precompile_component`.
    let component = unsafe { Component::deserialize(&b.engine, &bytes) }.ok()?;
    let pre = b.sync_linker.instantiate_pre(&component).ok()?;
    let (config, _, _) = guest_config(&[], &b.policy);
    let mut times = Vec::new();
    for _ in 0..n {
        let mut store = Store::new(&b.engine, config.state());
        let t = Instant::now();
        pre.instantiate(&mut store).ok()?;
        times.push(t.elapsed().as_secs_f64() * 1e6);
    }
    median(&mut times)
}

fn target_dir(root: &Path) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    if target.is_absolute() {
        target
    } else {
        root.join(target)
    }
}

fn guest_dir(root: &Path) -> PathBuf {
    target_dir(root).join("wasm32-wasip2/release")
}

/// "min–max" of a cell's rounds.
fn spread(v: Option<&Vec<f64>>) -> String {
    match v.filter(|v| !v.is_empty()) {
        Some(v) => {
            let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            format!("{}–{}", fmt(lo), fmt(hi))
        }
        None => "n/a".into(),
    }
}

/// What one operation of a row is: a round trip, a connection, a datagram,
/// or a MiB of a bulk transfer.
fn ops(row: &Row) -> (f64, &'static str) {
    if row.workload.starts_with("bulk") {
        (row.n as f64 / (1u64 << 20) as f64, "MiB")
    } else {
        (row.n as f64, "op")
    }
}

/// The median per-operation counts of a cell's rounds.
fn per_op(row: &Row, readings: &[Reading]) -> Option<Reading> {
    if readings.is_empty() {
        return None;
    }
    let (n, _) = ops(row);
    let med_u = |f: fn(&Reading) -> Option<u64>| -> Option<u64> {
        let mut v: Vec<f64> = readings
            .iter()
            .filter_map(|r| f(r).map(|x| x as f64))
            .collect();
        median(&mut v).map(|m| (m / n).round() as u64)
    };
    let mut cpu: Vec<f64> = readings.iter().map(|r| r.cpu).collect();
    let mut user: Vec<f64> = readings.iter().map(|r| r.user).collect();
    Some(Reading {
        cpu: median(&mut cpu)? / n,
        user: median(&mut user)? / n,
        syscalls: med_u(|r| r.syscalls),
        instructions: med_u(|r| r.instructions),
    })
}

/// The per-operation counts table: CPU time, system calls and instructions
/// per operation, medians of the rounds, each variant's whole process.
fn per_op_table(
    rows: &[Row],
    counts: &HashMap<(usize, usize), Vec<Reading>>,
    counters: &Counters,
) -> String {
    let mut md = String::from("\n## Per operation: CPU time, system calls, instructions\n\n");
    md.push_str(&format!(
        "Counts a noisy machine moves far less than time, from the same rounds: the whole process doing the work (the harness for both native Rust columns and the guests, the interpreter for CPython, whose start-up is included: about 0.1 system calls and 1 µs per operation at these counts), medians per operation (a bulk row's operation is one MiB); CPU is user + system, with the user-space part in brackets (the guest, wasmtime and wasock run there; getrusage splits the two by sampling at the scheduler's tick, so a row that runs for a fraction of a second, bulk and connect, can read 0 user). A variant that wins time by burning CPU shows it here. Counters: {}.\n\n",
        counters.describe()
    ));
    md.push_str("| workload | per | ");
    md.push_str(&VARIANTS.join(" | "));
    md.push_str(" |\n|---|---|");
    md.push_str(&"---|".repeat(VARIANTS.len()));
    md.push('\n');
    for (ri, row) in rows.iter().enumerate() {
        md.push_str(&format!("| {} | {} |", row.name, ops(row).1));
        for vi in 0..VARIANTS.len() {
            match counts.get(&(ri, vi)).and_then(|r| per_op(row, r)) {
                Some(p) => {
                    let mut cell =
                        format!(" {} µs CPU ({} user)", fmt(p.cpu * 1e6), fmt(p.user * 1e6));
                    if let Some(s) = p.syscalls {
                        cell.push_str(&format!(", {s} syscalls"));
                    }
                    if let Some(i) = p.instructions {
                        cell.push_str(&format!(", {} k instr", fmt(i as f64 / 1e3)));
                    }
                    md.push_str(&cell);
                    md.push_str(" |");
                }
                None => md.push_str(" n/a |"),
            }
        }
        md.push('\n');
    }
    md
}

/// `--compare BASE.json`: each cell's change against an earlier run's
/// `docs/benchmarks.json`, and whether it is outside the earlier run's
/// spread (min–max of its rounds): a change inside it is noise.
fn compare(base: &str, now: &serde_json::Value) -> Result<String, String> {
    let text = std::fs::read_to_string(base).map_err(|e| e.to_string())?;
    let base: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let rows = |v: &serde_json::Value| v["rows"].as_array().cloned().unwrap_or_default();
    let mut out = format!(
        "\nChange against {}: median now vs then (+ is better: faster or more throughput); 'noise' when now's median lies within then's min–max.\n\n| workload | variant | then | now | change | |\n|---|---|---|---|---|---|\n",
        base["machine"].as_str().unwrap_or("the earlier run")
    );
    for row in rows(now) {
        let name = row["workload"].as_str().unwrap_or("");
        let Some(old) = rows(&base)
            .into_iter()
            .find(|r| r["workload"] == row["workload"])
        else {
            continue;
        };
        let lower = row["lower_is_better"].as_bool().unwrap_or(true);
        for v in VARIANTS {
            let (Some(n), Some(o)) = (row["medians"][v].as_f64(), old["medians"][v].as_f64())
            else {
                continue;
            };
            let better = if lower { (o - n) / o } else { (n - o) / o };
            let noise = match (old["min"][v].as_f64(), old["max"][v].as_f64()) {
                (Some(lo), Some(hi)) if n >= lo && n <= hi => "noise",
                (Some(_), Some(_)) => "",
                _ => "(no spread then)",
            };
            out.push_str(&format!(
                "| {name} | {v} | {} | {} | {:+.1}% | {noise} |\n",
                fmt(o),
                fmt(n),
                better * 100.0
            ));
        }
    }
    Ok(out)
}

/// A scale measurement in a child process: (which, instances, connections
/// each) → (KiB per instance, ping-pong µs under that load).
type ScaleInChild<'a> = dyn Fn(&str, usize, u64) -> Option<(f64, Option<f64>)> + 'a;

/// The Python guests' section: `bench/client.py` as a guest against the
/// same file under native CPython, packaging time (measured by
/// `scripts/bench.sh`, passed as `BENCH_PY_PACKAGE_SECONDS`), start-up from
/// the cache and memory per instance.
fn python_section(
    b: &Bench,
    rows: &[Row],
    samples: &mut HashMap<(usize, usize), Vec<f64>>,
    quick: bool,
    scale_in_child_of: &ScaleInChild<'_>,
) -> String {
    let cpython = VARIANTS.iter().position(|v| *v == "CPython").unwrap_or(1);
    let guest = VARIANTS
        .iter()
        .position(|v| *v == "Python guest")
        .unwrap_or(5);
    let mut md = String::from("\n## Python guests\n\n");
    md.push_str("`bench/client.py`, unmodified, run as a Python guest (`wasock py build`: CPython 3.14 compiled to WebAssembly by componentize-py, wasock's `_socket` in Python over the WIT; sync embedding), against the same file under native CPython in the same rounds. Ratio: guest ÷ CPython for times, CPython ÷ guest for rates, so above 1.00x is slower (goal: 1.30x or less).\n\n");
    md.push_str("| workload | unit | CPython | Python guest | ratio |\n|---|---|---|---|---|\n");
    for (ri, row) in rows.iter().enumerate() {
        let c = samples.get_mut(&(ri, cpython)).and_then(|v| median(v));
        let g = samples.get_mut(&(ri, guest)).and_then(|v| median(v));
        let cell = |v: Option<f64>| v.map_or("n/a".to_string(), fmt);
        let ratio = match (c, g) {
            (Some(c), Some(g)) if row.lower_is_better => format!("{:.2}x", g / c),
            (Some(c), Some(g)) => format!("{:.2}x", c / g),
            _ => "n/a".into(),
        };
        md.push_str(&format!(
            "| {} | {} | {} | {} | {ratio} |\n",
            row.name,
            row.unit,
            cell(c),
            cell(g)
        ));
    }
    if let Some(secs) = std::env::var("BENCH_PY_PACKAGE_SECONDS")
        .ok()
        .and_then(|v| v.trim().parse::<f64>().ok())
    {
        md.push_str(&format!(
            "\nPackaging on first run (`wasock py build bench/client.py`, empty cache, componentize-py 0.25.1): {secs:.1} s.\n"
        ));
    }
    let n = if quick { 5 } else { 50 };
    if let Some(ms) = python_startup(b, n) {
        md.push_str(&format!(
            "\nStart-up from the cache (the compiled component read from its file, a fresh store, instantiation, and a run that prints usage and exits; `wasock run app.py` adds its own process start): median {} ms over {n} runs (goal: under 100 ms).\n",
            fmt(ms)
        ));
    }
    let count = if quick { 5 } else { 20 };
    if let Some((kib, lat)) = scale_in_child_of("pyscale", count, 1) {
        md.push_str(&format!(
            "\nMemory per Python instance ({count} guests in one process, each holding a connection and waiting in `recv`; RSS growth ÷ instances): {:.1} MiB; a 1 B ping-pong by one more wasock guest meanwhile: {}.\n",
            kib / 1024.0,
            lat.map_or("n/a".into(), |l| format!("{} µs", fmt(l)))
        ));
    }
    md
}

fn fmt(v: f64) -> String {
    if v >= 1000.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let argv: Vec<String> = std::env::args().collect();
    match argv.get(1).map(String::as_str) {
        Some("serve") => {
            raise_nofile();
            return serve(argv.get(2).map(String::as_str));
        }
        Some(which @ ("scale" | "pyscale")) => {
            // A fresh process per measurement, so RSS growth is not hidden
            // by memory an earlier measurement freed.
            raise_nofile();
            let num = |i: usize| argv.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(1);
            let ports = HashMap::from([("echo".to_string(), num(4) as u16)]);
            let n = num(2) as usize;
            // The Rust guest's large counts come from the pooling
            // allocator, as a platform running thousands would.
            let pool = (which == "scale" && n >= 1000).then_some(n as u32 + 16);
            let b = Bench::new_with(root, ports, None, pool);
            let guest = match (which, &b.python_guest) {
                ("pyscale", Some(p)) => p.clone(),
                ("pyscale", None) => return println!("scale failed"),
                _ => b.wasock_guest.clone(),
            };
            if let Ok((_, p50, p99)) = timed_pingpong(&b) {
                println!("unloaded {p50} {p99}");
            }
            match scale_of(&b, &guest, n, num(3)) {
                Some(r) => println!(
                    "scale {} {} {} {} {}",
                    r.kib,
                    r.mean.unwrap_or(f64::NAN),
                    r.rate,
                    r.p50.unwrap_or(f64::NAN),
                    r.p99.unwrap_or(f64::NAN)
                ),
                None => println!("scale failed"),
            }
            return;
        }
        _ => {}
    }
    let compare_with: Option<String> = argv
        .iter()
        .position(|a| a == "--compare")
        .and_then(|i| argv.get(i + 1).cloned());
    let reps: usize = std::env::var("BENCH_REPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let quick = std::env::var_os("BENCH_QUICK").is_some();

    let udir = unix_dir();
    std::fs::create_dir_all(&udir).expect("creating the AF_UNIX directory");
    let mut server = Command::new(std::env::current_exe().unwrap())
        .arg("serve")
        .arg(&udir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("starting the servers");
    let mut line = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let ports: HashMap<String, u16> = serde_json::from_str(&line).expect("server ports");

    let b = Bench::new(root.clone(), ports, Some(udir.clone()));

    let only: Option<Vec<String>> = std::env::var("BENCH_ONLY")
        .ok()
        .map(|v| v.split(',').map(str::to_string).collect());
    let variants: Option<Vec<String>> = std::env::var("BENCH_VARIANTS")
        .ok()
        .map(|v| v.split(',').map(str::to_string).collect());
    let mut rows = rows(quick);
    if let Some(only) = &only {
        rows.retain(|r| only.iter().any(|w| r.name.contains(w.as_str())));
    }
    let mut samples: HashMap<(usize, usize), Vec<f64>> = HashMap::new();
    let mut counts: HashMap<(usize, usize), Vec<Reading>> = HashMap::new();
    let counters = Counters::probe();
    eprintln!("{}", counters.describe());
    for rep in 0..reps {
        eprintln!("round {}/{reps}", rep + 1);
        for (ri, row) in rows.iter().enumerate() {
            for k in 0..VARIANTS.len() {
                // Rotate the order each round so no variant always goes first.
                let vi = (k + rep + ri) % VARIANTS.len();
                if variants
                    .as_ref()
                    .is_some_and(|v| !v.iter().any(|v| v == VARIANTS[vi]))
                {
                    continue;
                }
                let running = counters.start();
                let result = b.run(VARIANTS[vi], row);
                let reading = running.stop(&counters);
                if let Some(v) = result {
                    samples.entry((ri, vi)).or_default().push(v);
                    counts.entry((ri, vi)).or_default().push(reading);
                }
            }
        }
    }

    let mut md = String::new();
    let mut json_rows = Vec::new();
    md.push_str("# wasock benchmarks\n\n");
    md.push_str(&format!(
        "Machine: {}. {reps} interleaved rounds; each cell is the median of the rounds, with its ratio to native Rust (for throughput, native ÷ value, so above 1.00x is always slower). Made by `scripts/bench.sh`.\n\n",
        machine()
    ));
    md.push_str("![cost relative to native Rust](benchmarks.svg)\n\n");
    md.push_str("| workload | unit | ");
    md.push_str(&VARIANTS.join(" | "));
    md.push_str(" |\n|---|---|");
    md.push_str(&"---|".repeat(VARIANTS.len()));
    md.push('\n');
    for (ri, row) in rows.iter().enumerate() {
        let meds: Vec<Option<f64>> = (0..VARIANTS.len())
            .map(|vi| samples.get_mut(&(ri, vi)).and_then(|v| median(v)))
            .collect();
        let native = meds[0];
        md.push_str(&format!("| {} | {} |", row.name, row.unit));
        for (vi, m) in meds.iter().enumerate() {
            let spread = spread(samples.get(&(ri, vi)));
            match (m, native) {
                (Some(v), Some(n)) => {
                    let ratio = if row.lower_is_better { v / n } else { n / v };
                    md.push_str(&format!(" {} ({ratio:.2}x; {spread}) |", fmt(*v)));
                }
                (Some(v), None) => md.push_str(&format!(" {} ({spread}) |", fmt(*v))),
                _ => md.push_str(" n/a |"),
            }
        }
        md.push('\n');
        let medians: serde_json::Map<String, serde_json::Value> = VARIANTS
            .iter()
            .zip(&meds)
            .map(|(v, m)| {
                (
                    v.to_string(),
                    m.map_or(serde_json::Value::Null, |x| x.into()),
                )
            })
            .collect();
        let range = |f: fn(&[f64]) -> f64| -> serde_json::Map<String, serde_json::Value> {
            VARIANTS
                .iter()
                .enumerate()
                .filter_map(|(vi, v)| {
                    let s = samples.get(&(ri, vi)).filter(|s| !s.is_empty())?;
                    Some((v.to_string(), f(s).into()))
                })
                .collect()
        };
        let per_op: serde_json::Map<String, serde_json::Value> = VARIANTS
            .iter()
            .enumerate()
            .filter_map(|(vi, v)| {
                let p = per_op(row, counts.get(&(ri, vi))?)?;
                Some((
                    v.to_string(),
                    serde_json::json!({
                        "cpu_us": p.cpu * 1e6,
                        "user_cpu_us": p.user * 1e6,
                        "syscalls": p.syscalls,
                        "instructions": p.instructions,
                    }),
                ))
            })
            .collect();
        json_rows.push(serde_json::json!({
            "workload": row.name, "unit": row.unit,
            "lower_is_better": row.lower_is_better, "medians": medians,
            "min": range(|s| s.iter().copied().fold(f64::INFINITY, f64::min)),
            "max": range(|s| s.iter().copied().fold(f64::NEG_INFINITY, f64::max)),
            "per_op": per_op,
        }));
    }

    md.push_str(&per_op_table(&rows, &counts, &counters));
    let results =
        serde_json::json!({ "machine": machine(), "variants": VARIANTS, "rows": json_rows });
    if let Some(base) = compare_with.as_deref() {
        match compare(base, &results) {
            Ok(text) => println!("{text}"),
            Err(e) => eprintln!("--compare {base}: {e}"),
        }
    }

    if only.is_some() || variants.is_some() {
        // `BENCH_ONLY=crossing`: the crossing section alone, too.
        if only
            .as_ref()
            .is_some_and(|o| o.iter().any(|w| w == "crossing"))
        {
            if let Some(section) = crossing(&b, reps, if quick { 50_000 } else { 1_000_000 }) {
                md.push_str(&section);
            }
        }
        if rows.iter().any(|r| r.workload == "connect") {
            let n = if quick { 250 } else { 5_000 };
            if let Some(section) = connect_control(&b, &counters, reps, n) {
                md.push_str(&section);
            }
        }
        let python = variants
            .as_ref()
            .is_none_or(|v| v.iter().any(|v| v == "CPython" || v == "Python guest"));
        if b.python_guest.is_some() && python {
            md.push_str(&python_section(
                &b,
                &rows,
                &mut samples,
                quick,
                &|_, _, _| None,
            ));
        }
        drop(server.stdin.take());
        let _ = server.wait();
        let _ = std::fs::remove_dir_all(&udir);
        print!("{md}");
        return;
    }

    eprintln!("scale");
    md.push_str(
        "\n## Scale: guest instances in one host process (async embedding, 2 worker threads)\n\n",
    );
    md.push_str("Each instance is a wasock guest holding one connection to the native echo server, waiting in `recv`; 1000 instances and more come from the pooling allocator (slots reserved once, 32 MiB of address space per memory), fewer from the on-demand one. Memory is the host process's RSS growth divided by the instances; the rate is instances per second from spawning to all of them having instantiated, connected and made one round trip; latency is a 1 B ping-pong (5,000 round trips, each timed) by one more guest (a task of the same runtime) while they wait, beside the same guest's unloaded p50 and p99 measured in the same process just before. Each count runs in a fresh process, three times: medians (RLIMIT_NOFILE: the harness raises its soft limit to the hard one, 20,000 here; the server side holds one descriptor per connection too).\n\n");
    md.push_str("| instances | RSS per instance | instances/s | ping-pong p50 | p99 | unloaded p50 | unloaded p99 | p99 ÷ unloaded p50 |\n|---|---|---|---|---|---|---|---|\n");
    let counts: &[usize] = if quick {
        &[10, 100]
    } else {
        &[10, 100, 1000, 10_000]
    };
    // One measurement in a fresh process: (kib, mean µs).
    let scale_in_child_of = |which: &str, n: usize, conns: u64| -> Option<(f64, Option<f64>)> {
        scale_child(&b, which, n, conns).map(|r| (r[0], r.get(1).copied().filter(|l| !l.is_nan())))
    };
    for &n in counts {
        let mut runs: Vec<Vec<f64>> = Vec::new();
        for _ in 0..if quick { 1 } else { 3 } {
            if let Some(r) = scale_child(&b, "scale", n, 1) {
                runs.push(r);
            }
        }
        if runs.is_empty() {
            md.push_str(&format!("| {n} | failed | | | | | | |\n"));
            continue;
        }
        let col = |i: usize| {
            let mut v: Vec<f64> = runs
                .iter()
                .filter_map(|r| r.get(i).copied())
                .filter(|x| !x.is_nan())
                .collect();
            median(&mut v)
        };
        let us = |v: Option<f64>| v.map_or("n/a".into(), |l| format!("{} µs", fmt(l)));
        let ratio = match (col(4), col(5)) {
            (Some(p99), Some(u50)) if u50 > 0.0 => format!("{:.2}", p99 / u50),
            _ => "n/a".into(),
        };
        md.push_str(&format!(
            "| {n} | {:.0} KiB | {} | {} | {} | {} | {} | {ratio} |\n",
            col(0).unwrap_or(f64::NAN),
            col(2).map_or("n/a".into(), |r| format!("{r:.0}")),
            us(col(3)),
            us(col(4)),
            us(col(5)),
            us(col(6)),
        ));
    }
    if let (Some((one, _)), Some((hundred, _))) = (
        scale_in_child_of("scale", 10, 1),
        scale_in_child_of("scale", 10, 101),
    ) {
        let per_conn = (hundred - one) * 10.0 / 1000.0;
        md.push_str(&format!(
            "\nMemory per connection (10 instances with 101 connections each, against 10 with 1): {per_conn:.1} KiB.\n"
        ));
    }

    eprintln!("crossing");
    if let Some(section) = crossing(&b, reps, if quick { 50_000 } else { 1_000_000 }) {
        md.push_str(&section);
    }
    eprintln!("connect control");
    if let Some(section) = connect_control(&b, &counters, reps, if quick { 250 } else { 5_000 }) {
        md.push_str(&section);
    }

    eprintln!("startup");
    if let Some(us) = startup(&b, if quick { 20 } else { 200 }) {
        md.push_str(&format!(
            "\n## Start-up\n\nInstantiating the precompiled wasock benchmark guest (`InstancePre::instantiate`, fresh store): median {} µs over {} runs.\n",
            fmt(us),
            if quick { 20 } else { 200 }
        ));
    }

    if b.python_guest.is_some() {
        eprintln!("python");
        md.push_str(&python_section(
            &b,
            &rows,
            &mut samples,
            quick,
            &scale_in_child_of,
        ));
    }

    let notes = root.join("bench/NOTES.md");
    if let Ok(text) = std::fs::read_to_string(&notes) {
        md.push('\n');
        md.push_str(&text);
    }
    let out_dir = std::env::var_os("BENCH_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("docs"));
    std::fs::write(out_dir.join("benchmarks.md"), &md).unwrap();
    let json_path = out_dir.join("benchmarks.json");
    std::fs::write(&json_path, serde_json::to_string_pretty(&results).unwrap()).unwrap();
    let svg = out_dir.join("benchmarks.svg");
    let plotted = Command::new("python3")
        .arg(root.join("bench/plot.py"))
        .arg(&json_path)
        .arg(&svg)
        .status()
        .is_ok_and(|s| s.success());
    if !plotted {
        eprintln!("plotting failed");
    }
    drop(server.stdin.take());
    let _ = server.wait();
    let _ = std::fs::remove_dir_all(&udir);
    print!("{md}");
}
