//! The soak: N guest instances (the `soak` guest, see
//! `tests/guests/src/bin/soak.rs`) echo checksummed data through a native
//! echo server concurrently, with the async embedding on one tokio runtime,
//! for a fixed time. Reports bytes moved, errors, checksum mismatches,
//! descriptors leaked and memory (RSS) at start and end; exits 1 unless
//! errors, mismatches and leaks are all 0.
//!
//! Usage: `wasock-soak [--instances N] [--seconds S] [--block BYTES]
//! [--workers N] [--wasm PATH]` (defaults: 100 instances, 10 s, 4096-byte
//! blocks, 2 worker threads, `$CARGO_TARGET_DIR` (default `target`) + `/wasm32-wasip2/release/soak.wasm`).

use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use wasmtime::component::Component;
use wasmtime::{Config, Engine};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasock_host::run::{self, GuestConfig, Output};
use wasock_host::Policy;

fn fail(msg: &str) -> ! {
    eprintln!("wasock-soak: FAILED: {msg}");
    std::process::exit(1)
}

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .map(|d| d.count())
        .unwrap_or(0)
}

/// Resident memory in KiB (VmRSS).
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

#[derive(Default, Debug)]
struct Totals {
    bytes: u64,
    blocks: u64,
    errors: u64,
    mismatches: u64,
    finished: u64,
}

fn main() {
    let mut instances = 100usize;
    let mut seconds = 10u64;
    let mut block = 4096usize;
    let mut workers = 2usize;
    let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
    let mut wasm = format!("{target}/wasm32-wasip2/release/soak.wasm");
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || {
            args.next()
                .unwrap_or_else(|| fail(&format!("{a} needs a value")))
        };
        match a.as_str() {
            "--instances" => instances = val().parse().unwrap_or_else(|_| fail("--instances")),
            "--seconds" => seconds = val().parse().unwrap_or_else(|_| fail("--seconds")),
            "--block" => block = val().parse().unwrap_or_else(|_| fail("--block")),
            "--workers" => workers = val().parse().unwrap_or_else(|_| fail("--workers")),
            "--wasm" => wasm = val(),
            other => fail(&format!("unknown argument {other}")),
        }
    }
    let mut config = Config::new();
    if let Ok(cache) = wasmtime::Cache::from_file(None) {
        config.cache(Some(cache));
    }
    let engine = Engine::new(&config).unwrap_or_else(|e| fail(&format!("engine: {e}")));
    let component = Component::from_file(&engine, &wasm)
        .unwrap_or_else(|e| fail(&format!("loading {wasm}: {e} (build the guests first)")));
    let linker =
        Arc::new(run::async_linker(&engine).unwrap_or_else(|e| fail(&format!("linker: {e}"))));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
        .unwrap_or_else(|e| fail(&format!("runtime: {e}")));

    let (totals, rss_start, rss_peak, elapsed, fds_before, fds_after) = rt.block_on(async {
        // Warm-up: one instance (no server: it fails to connect at once)
        // creates what lives as long as the engine (the component's
        // memory image), so that the count below sees only the soak.
        let warm = GuestConfig {
            args: vec![
                "soak".into(),
                "0".into(),
                "0".into(),
                "1".into(),
                "0".into(),
            ],
            output: Output::Capture(MemoryOutputPipe::new(4096), MemoryOutputPipe::new(4096)),
            policy: Arc::new(Policy::deny_all()),
            ..Default::default()
        };
        let _ = run::run_async(&linker, &component, &warm).await;
        let fds_before = open_fds();
        let server = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| fail(&format!("echo server: {e}")));
        let port = server.local_addr().map(|a| a.port()).unwrap_or(0);
        let echo = tokio::spawn(async move {
            loop {
                let Ok((mut conn, _)) = server.accept().await else {
                    continue;
                };
                tokio::spawn(async move {
                    let (mut r, mut w) = conn.split();
                    let _ = tokio::io::copy(&mut r, &mut w).await;
                });
            }
        });
        let policy = Arc::new(
            Policy::deny_all()
                .allow_connect(&format!("127.0.0.1:{port}"))
                .unwrap_or_else(|e| fail(&format!("policy: {e}"))),
        );
        let rss_start = rss_kib();
        let start = Instant::now();
        let mut tasks = Vec::with_capacity(instances);
        for i in 0..instances {
            let out = MemoryOutputPipe::new(4096);
            let err = MemoryOutputPipe::new(4096);
            let config = GuestConfig {
                args: vec![
                    "soak".into(),
                    port.to_string(),
                    (seconds * 1000).to_string(),
                    block.to_string(),
                    (i + 1).to_string(),
                ],
                output: Output::Capture(out.clone(), err.clone()),
                policy: policy.clone(),
                ..Default::default()
            };
            let (linker, component) = (linker.clone(), component.clone());
            tasks.push(tokio::spawn(async move {
                let code = run::run_async(&linker, &component, &config).await;
                (code.map_err(|e| e.to_string()), out, err)
            }));
        }
        let peak = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let sampler = {
            let peak = peak.clone();
            tokio::spawn(async move {
                loop {
                    peak.fetch_max(rss_kib(), std::sync::atomic::Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
            })
        };
        let mut t = Totals::default();
        for task in tasks {
            let (code, out, err) = match task.await {
                Ok(v) => v,
                Err(e) => fail(&format!("instance task: {e}")),
            };
            let text = String::from_utf8_lossy(&out.contents()).into_owned();
            let nums: Vec<u64> = text
                .split_whitespace()
                .filter_map(|w| w.parse().ok())
                .collect();
            if code != Ok(0) || nums.len() != 4 {
                eprintln!(
                    "instance ended with {code:?}: {text} {}",
                    String::from_utf8_lossy(&err.contents())
                );
                t.errors += 1;
                continue;
            }
            t.bytes += nums[0];
            t.blocks += nums[1];
            t.errors += nums[2];
            t.mismatches += nums[3];
            t.finished += 1;
        }
        let elapsed = start.elapsed();
        sampler.abort();
        echo.abort();
        // Let the aborted tasks and closed connections drop.
        tokio::time::sleep(Duration::from_millis(200)).await;
        let peak = peak.load(std::sync::atomic::Ordering::Relaxed);
        (t, rss_start, peak, elapsed, fds_before, open_fds())
    });
    drop(rt);
    let leaked = fds_after as i64 - fds_before as i64;
    let rss_end = rss_kib();
    println!("wasock soak: {instances} instances, {seconds} s, {block}-byte blocks, {workers} worker threads (async embedding)");
    println!("  finished:             {} of {instances}", totals.finished);
    println!(
        "  bytes moved:          {} ({:.1} MiB/s)",
        totals.bytes,
        totals.bytes as f64 / elapsed.as_secs_f64() / (1 << 20) as f64
    );
    println!("  blocks echoed:        {}", totals.blocks);
    println!("  errors:               {}", totals.errors);
    println!("  checksum mismatches:  {}", totals.mismatches);
    println!("  descriptors leaked:   {leaked} ({fds_before} before, {fds_after} after)");
    println!(
        "  memory (RSS):         {} MiB at start, {} MiB peak, {} MiB at end",
        rss_start / 1024,
        rss_peak / 1024,
        rss_end / 1024
    );
    println!("  wall time:            {:.1} s", elapsed.as_secs_f64());
    if totals.errors != 0
        || totals.mismatches != 0
        || leaked != 0
        || totals.finished != instances as u64
    {
        fail("errors, mismatches, leaks or unfinished instances");
    }
}
