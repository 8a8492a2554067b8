//! Limits that let an embedder always stop a guest: wall-clock time
//! (epoch deadline) and linear memory (store limits). Values that could
//! make the host fail are refused at load time (see the policy unit tests
//! and `policy_cli`).

use crate::support::*;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use wasmtime::component::Component;
use wasmtime::{Config, Engine};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasock_host::run::{GuestConfig, Output};
use wasock_host::Policy;

/// An engine with epoch interruption (what the wall-time limit needs) and
/// the escape guest compiled for it.
fn epoch_engine() -> &'static (Engine, Component) {
    static E: OnceLock<(Engine, Component)> = OnceLock::new();
    E.get_or_init(|| {
        let _ = component("escape");
        let mut c = Config::new();
        c.epoch_interruption(true);
        if let Ok(cache) = wasmtime::Cache::from_file(None) {
            c.cache(Some(cache));
        }
        let e = Engine::new(&c).unwrap();
        let comp = Component::from_file(&e, guest_dir().join("escape.wasm")).unwrap();
        (e, comp)
    })
}

fn run(
    engine: &Engine,
    comp: &Component,
    steps: &[&str],
    policy: Policy,
) -> (Result<i32, String>, String) {
    let out = MemoryOutputPipe::new(1 << 16);
    let config = GuestConfig {
        args: std::iter::once("escape".to_string())
            .chain(steps.iter().map(|s| s.to_string()))
            .collect(),
        env: Vec::new(),
        output: Output::Capture(out.clone(), MemoryOutputPipe::new(1 << 16)),
        policy: Arc::new(policy),
        ..Default::default()
    };
    let (engine, comp) = (engine.clone(), comp.clone());
    let use_async = ASYNC.with(|a| a.get());
    let code = bounded("escape", GUEST_LIMIT, move || {
        run_config(&engine, &comp, &config, use_async)
    });
    (code, read(&out))
}

thread_local! {
    /// Whether `run` uses the async embedding (set per test thread; read
    /// on the thread that runs the guest, so passed along).
    static ASYNC: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether this process has a UDP socket on 127.0.0.1:`port`
/// (/proc/net/udp).
fn udp_port_open(port: u16) -> bool {
    let local = format!("0100007F:{port:04X}");
    std::fs::read_to_string("/proc/net/udp")
        .unwrap_or_default()
        .lines()
        .any(|l| l.split_whitespace().nth(1) == Some(local.as_str()))
}

/// A guest waiting in a blocking recv is stopped at its wall time too (the
/// wait ends at the store's deadline and the call traps), in both
/// embeddings; its socket is closed.
#[test]
fn a_guest_blocked_in_recv_is_stopped_at_its_wall_time() {
    let (engine, comp) = epoch_engine();
    for use_async in [false, true] {
        let port = free_port();
        let step = format!("block-recv,{port}");
        let mut p = Policy::deny_all()
            .allow_bind(&format!("udp://127.0.0.1:{port}"))
            .unwrap();
        p.limits.wall_time = Some(Duration::from_millis(300));
        let code = std::thread::scope(|sc| {
            sc.spawn(|| {
                ASYNC.with(|a| a.set(use_async));
                run(engine, comp, &[step.as_str()], p)
            })
            .join()
            .unwrap()
        });
        let (code, out) = code;
        assert!(out.contains("waiting"), "{out}");
        let e = code.unwrap_err();
        assert!(e.contains("wall-time limit"), "async {use_async}: {e}");
        assert!(!udp_port_open(port), "the guest's socket is still open");
    }
}

#[test]
fn a_spinning_guest_is_stopped_at_its_wall_time() {
    let (engine, comp) = epoch_engine();
    let mut p = Policy::deny_all();
    p.limits.wall_time = Some(Duration::from_millis(200));
    let (code, _) = run(engine, comp, &["spin"], p);
    let e = code.unwrap_err();
    assert!(e.contains("wall-time limit"), "{e}");
}

#[test]
fn the_wall_time_limit_needs_epoch_interruption() {
    let mut p = Policy::deny_all();
    p.limits.wall_time = Some(Duration::from_millis(200));
    let (code, _) = run(engine(), &component("escape"), &["sockets,1"], p);
    assert!(code.unwrap_err().contains("epoch interruption"));
}

#[test]
fn memory_past_the_limit_fails_the_guest_not_the_host() {
    let (engine, comp) = epoch_engine();
    let mut p = Policy::deny_all();
    p.limits.max_memory = Some(32 << 20);
    let (code, out) = run(engine, comp, &["alloc,64"], p.clone());
    assert_ne!(code, Ok(0), "{out}");
    // Under the limit it runs.
    let (code, out) = run(engine, comp, &["alloc,8"], p);
    assert_eq!(code, Ok(0), "{out}");
    assert!(out.contains("alloc,8: ok 8"), "{out}");
}

#[test]
fn the_bytes_per_second_bucket_holds_back_a_burst() {
    use std::io::Read;
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let mut p = Policy::deny_all()
        .allow_connect(&format!("tcp://127.0.0.1:{port}"))
        .unwrap();
    // One byte a second: the first send goes (into debt), the second
    // would have to wait about ten seconds, so in non-blocking mode it is
    // EAGAIN at once.
    p.limits.send_bytes_per_second = Some(1);
    let step = format!("burst,127.0.0.1,{port}");
    let (code, out) = run(engine(), &component("escape"), &[&step], p);
    assert_eq!(code, Ok(0), "{out}");
    assert!(
        out.contains(&format!("{step}: ok 10 BlockingIOError: [Errno 11]")),
        "{out}"
    );
    // What arrived: exactly the first ten bytes.
    let (mut c, _) = l.accept().unwrap();
    c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut got = Vec::new();
    let _ = c.read_to_end(&mut got);
    assert_eq!(got, b"0123456789");
}
