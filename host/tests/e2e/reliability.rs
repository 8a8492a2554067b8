//! Faults and limits: guests that are cancelled, trapped or stopped by
//! their time limit in the middle of a blocking call, peers that never
//! read or accept, the process out of descriptors, polls over huge lists.
//! Each checks from outside that every descriptor the guest held is closed
//! (the process's `/proc/self/fd` count, in a process of its own) and that
//! the host goes on running guests.

use crate::support::*;
use std::net::TcpListener;
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use wasmtime::component::Component;
use wasmtime::{Config, Engine};
use wasock_host::run;
use wasock_host::Policy;

/// What the process's descriptors are (for a failure message).
fn fd_list() -> String {
    std::fs::read_dir("/proc/self/fd")
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| {
                    let t = std::fs::read_link(e.path()).unwrap_or_default();
                    format!("{} -> {}", e.file_name().to_string_lossy(), t.display())
                })
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

/// Runs `scenario` in a process of its own (see [`alone`]) once to warm up,
/// then again, and checks that the second run left no descriptor open.
fn without_fd_leak(test: &str, scenario: impl Fn()) {
    if !alone(test) {
        return;
    }
    scenario();
    let before = open_fds();
    scenario();
    assert_no_fd_leak(before);
}

/// The host still runs guests: a short guest completes normally.
fn host_still_works() {
    let o = run_sync("bad_input", &["huge-recv"], loopback_policy());
    assert_eq!(o.code, Ok(0), "{}", o.stderr);
    assert!(o.stdout.contains("recv-usize-max: ok 3"), "{}", o.stdout);
}

#[test]
fn select_lists_one_socket_100000_times() {
    let mut policy = loopback_policy();
    policy.limits.max_sockets = 8000;
    let o = run_sync("reliability", &["select-huge"], policy);
    assert_eq!(o.code, Ok(0), "{}", o.stderr);
    let out = &o.stdout;
    // CPython: select([s] * 100000, [], [], 0) == ([], [], []) and
    // select([], [s] * 100000, [], 0)[1] == [s] * 100000.
    assert!(out.contains("select-100000-readable: ok 0\n"), "{out}");
    assert!(out.contains("select-100000-writable: ok 100000\n"), "{out}");
    // 4100 distinct sockets are more than the host polls at once: a clean
    // EINVAL (unless this process may not open that many descriptors).
    if !out.contains("open-4100:") {
        assert!(
            out.contains("select-4100-distinct: OSError: [Errno 22] Invalid argument"),
            "{out}"
        );
    }
    assert!(out.ends_with("done\n"), "{out}");
}

#[test]
fn raw_poll_past_the_handle_limit_traps_cleanly() {
    without_fd_leak(
        "reliability::raw_poll_past_the_handle_limit_traps_cleanly",
        || {
            for run in [run_sync, run_async] {
                let o = run("reliability", &["poll-huge-raw"], loopback_policy());
                let err = o.code.expect_err("100,000 borrows in one call must trap");
                assert!(err.contains("handle limit"), "{err}");
                assert!(!o.stdout.contains("poll-100000"), "{}", o.stdout);
            }
            host_still_works();
        },
    );
}

/// A listener whose accept queue is full, so that a connect to it waits:
/// backlog 0 holds one connection; the others' SYNs are dropped.
fn full_listener() -> (socket2::Socket, Vec<socket2::Socket>) {
    use socket2::{Domain, Socket, Type};
    let l = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    l.bind(
        &"127.0.0.1:0"
            .parse::<std::net::SocketAddr>()
            .unwrap()
            .into(),
    )
    .unwrap();
    l.listen(0).unwrap();
    let addr = l.local_addr().unwrap();
    let fill = (0..3)
        .map(|_| {
            let c = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
            c.set_nonblocking(true).unwrap();
            let _ = c.connect(&addr);
            c
        })
        .collect();
    std::thread::sleep(Duration::from_millis(100));
    (l, fill)
}

/// Runs the `reliability` guest in `mode` with the async embedding until it
/// prints `blocking`, lets it enter the call, then drops its future (the
/// store and everything in it) and the runtime.
fn cancel_while_blocked(mode: &str, port: u16) {
    let component = component("reliability");
    let port = port.to_string();
    let (config, out, _err) = config("reliability", &[mode, &port], loopback_policy());
    let mode = mode.to_string();
    bounded(&mode.clone(), GUEST_LIMIT, move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let linker = run::async_linker(engine()).unwrap();
            let fut = run::run_async(&linker, &component, &config);
            tokio::pin!(fut);
            let start = Instant::now();
            while !read(&out).contains("blocking") {
                assert!(
                    start.elapsed() < Duration::from_secs(60),
                    "{mode}: never blocked"
                );
                if let Ok(r) = tokio::time::timeout(Duration::from_millis(20), &mut fut).await {
                    panic!(
                        "{mode}: the guest ended instead of blocking: {r:?}\n{}",
                        read(&out)
                    );
                }
            }
            // Let it reach the blocking call itself.
            if let Ok(r) = tokio::time::timeout(Duration::from_millis(200), &mut fut).await {
                panic!(
                    "{mode}: the guest ended instead of blocking: {r:?}\n{}",
                    read(&out)
                );
            }
        });
        drop(rt);
    });
}

#[test]
fn cancelled_async_guests_close_everything() {
    // Peers: a listener that never accepts (its queue holds the guests'
    // connections, whose peer therefore never reads or writes), and one
    // whose queue is full (connect waits).
    let quiet = TcpListener::bind("127.0.0.1:0").unwrap();
    let quiet_port = quiet.local_addr().unwrap().port();
    let (full, _fill) = full_listener();
    let full_port = full
        .local_addr()
        .unwrap()
        .as_socket()
        .map(|a| a.port())
        .unwrap();
    without_fd_leak(
        "reliability::cancelled_async_guests_close_everything",
        || {
            cancel_while_blocked("block-accept", 0);
            cancel_while_blocked("block-recv", quiet_port);
            cancel_while_blocked("block-send", quiet_port);
            cancel_while_blocked("block-connect", full_port);
            host_still_works();
        },
    );
}

/// An engine with epoch interruption, for the wall-time limit.
fn epoch_engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let mut config = Config::new();
        config.epoch_interruption(true);
        if let Ok(cache) = wasmtime::Cache::from_file(None) {
            config.cache(Some(cache));
        }
        Engine::new(&config).unwrap()
    })
}

#[test]
fn wall_time_limit_stops_a_spinning_guest_and_closes_its_sockets() {
    component("reliability"); // built
    let component =
        Component::from_file(epoch_engine(), guest_dir().join("reliability.wasm")).unwrap();
    without_fd_leak(
        "reliability::wall_time_limit_stops_a_spinning_guest_and_closes_its_sockets",
        || {
            let mut policy = loopback_policy();
            policy.limits.wall_time = Some(Duration::from_millis(300));
            let (config, out, _) = config("reliability", &["spin"], policy);
            let component = component.clone();
            let code = bounded("spin", GUEST_LIMIT, move || {
                let linker = run::sync_linker(epoch_engine()).unwrap();
                run::run_sync(&linker, &component, &config).map_err(|e| format!("{e:?}"))
            });
            let err = code.expect_err("the wall-time limit must stop the guest");
            assert!(err.contains("wall-time limit"), "{err}");
            assert!(read(&out).contains("blocking"));
            host_still_works();
        },
    );
}

/// Sets this process's soft RLIMIT_NOFILE with prlimit(1) (util-linux).
fn set_nofile(soft: u64) {
    let pid = std::process::id().to_string();
    let status = std::process::Command::new("prlimit")
        .args(["--pid", &pid, &format!("--nofile={soft}:")])
        .status()
        .expect("prlimit (util-linux) is needed");
    assert!(status.success());
}

fn nofile() -> u64 {
    let text = std::fs::read_to_string("/proc/self/limits").unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .unwrap();
    line.split_whitespace().nth(3).unwrap().parse().unwrap()
}

#[test]
fn process_out_of_descriptors_is_the_guests_emfile_with_detail() {
    if !alone("reliability::process_out_of_descriptors_is_the_guests_emfile_with_detail") {
        return;
    }
    host_still_works(); // warm: engine, runtimes, components
                        // Warm the reliability component too (its memory image): an unknown
                        // mode exits at once.
    let warm = run_sync("reliability", &["warm-up"], loopback_policy());
    assert!(matches!(warm.code, Ok(c) if c != 0), "{warm:?}");
    let component = component("reliability");
    let saved = nofile();
    let mut policy = loopback_policy();
    policy.limits.max_sockets = 4096;
    let (config, out, err) = config("reliability", &["fd-exhaust"], policy);
    let linker = run::sync_linker(engine()).unwrap();
    let before = open_fds();
    let before_list = fd_list();
    set_nofile(before as u64 + 40);
    let code = run::run_sync(&linker, &component, &config).map_err(|e| format!("{e:?}"));
    set_nofile(saved);
    let out = read(&out);
    assert_eq!(code, Ok(0), "{}", read(&err));
    assert!(out.contains("opened-some: true"), "{out}");
    assert!(
        out.contains("error: OSError: [Errno 24] Too many open files\n"),
        "{out}"
    );
    assert!(
        out.contains(
            "detail: the host process reached its descriptor limit (RLIMIT_NOFILE, soft limit"
        ),
        "{out}"
    );
    assert!(out.contains("after-closing-half: ok None"), "{out}");
    assert_eq!(
        open_fds(),
        before,
        "descriptors leaked\nbefore:\n{before_list}\nafter:\n{}",
        fd_list()
    );
    host_still_works();
}

/// A policy whose limits were never validated (built in code) still caps
/// a receive at the host's ceiling.
#[test]
fn unvalidated_huge_max_recv_is_capped() {
    let mut policy: Policy = loopback_policy();
    policy.limits.max_recv = usize::MAX;
    let o = run_sync("bad_input", &["huge-recv"], policy);
    assert_eq!(o.code, Ok(0), "{}", o.stderr);
    assert!(o.stdout.contains("recv-usize-max: ok 3"), "{}", o.stdout);
}

/// A peer that sends 16 MiB as fast as it can to a guest that reads 1000
/// bytes at a time: everything arrives, in order, intact.
#[test]
fn flooding_peer_delivers_everything_intact() {
    use std::io::Write;
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let data: Vec<u8> = (0..16u32 << 20)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let want = data.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    });
    // One connection per embedding, in turn.
    let sender = std::thread::spawn(move || {
        for _ in 0..2 {
            let (mut c, _) = l.accept().unwrap();
            c.write_all(&data).unwrap();
        }
    });
    for run in [run_sync, run_async] {
        let o = run(
            "reliability",
            &["flood", &port.to_string()],
            loopback_policy(),
        );
        assert_eq!(o.code, Ok(0), "{}", o.stderr);
        assert_eq!(
            o.stdout.trim(),
            format!("received {} fnv {want:016x}", 16u32 << 20),
        );
    }
    sender.join().unwrap();
}
