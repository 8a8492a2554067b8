//! The embedding examples (`examples/embedding/`) built and run as an
//! embedder would run them, against a native echo server that counts the
//! connections it accepted: an allowed guest reaches it, a denied one
//! does not, and the denial shows in the log.

use crate::support::*;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

/// The example binary, built once per test run.
fn example(name: &str) -> PathBuf {
    static BUILT: OnceLock<()> = OnceLock::new();
    BUILT.get_or_init(|| {
        let status = Command::new(env!("CARGO"))
            .current_dir(root())
            .args(["build", "-p", "wasock-host", "--examples"])
            .status()
            .expect("running cargo to build the examples");
        assert!(status.success(), "building the embedding examples failed");
    });
    guest_dir()
        .parent()
        .and_then(|p| p.parent())
        .expect("target directory")
        .join("debug")
        .join("examples")
        .join(name)
}

/// Echoes one read on each of at most `max` connections that `accept`
/// gives, on a thread of its own; returns how many it has accepted.
fn echo_each<S: Read + Write>(
    max: usize,
    mut accept: impl FnMut() -> std::io::Result<S> + Send + 'static,
) -> Arc<AtomicUsize> {
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    std::thread::spawn(move || {
        for _ in 0..max {
            let Ok(mut s) = accept() else { continue };
            count.fetch_add(1, Ordering::SeqCst);
            let mut buf = [0; 64];
            if let Ok(n) = s.read(&mut buf) {
                let _ = s.write_all(&buf[..n]);
            }
        }
    });
    accepted
}

/// A native echo server on 127.0.0.1 answering at most 16 connections;
/// returns its port and how many connections it has accepted.
fn echo_server() -> (u16, Arc<AtomicUsize>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    (port, echo_each(16, move || l.accept().map(|(s, _)| s)))
}

fn run(mut c: Command) -> (Option<i32>, String, String) {
    let out = bounded("example", GUEST_LIMIT, move || c.output().unwrap());
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn echo_client() -> String {
    component("echo_client"); // builds the guests when needed
    guest_dir().join("echo_client.wasm").display().to_string()
}

#[test]
fn embed_runs_a_guest_under_a_policy_built_in_code() {
    let (port, accepted) = echo_server();
    let p = port.to_string();
    let mut c = Command::new(example("embed"));
    c.args([
        &format!("127.0.0.1:{port}"),
        &echo_client(),
        "127.0.0.1",
        &p,
    ])
    .env_remove("RUST_LOG");
    let (code, out, err) = run(c);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out.trim(), "Received b'Hello, world'");
    assert!(
        err.contains(&format!("connect to 127.0.0.1:{port} (tcp) allowed")),
        "{err}"
    );
    assert_eq!(accepted.load(Ordering::SeqCst), 1);

    // Another destination is allowed; this one is not.
    let mut c = Command::new(example("embed"));
    c.args(["127.0.0.1:1", &echo_client(), "127.0.0.1", &p])
        .env_remove("RUST_LOG");
    let (code, _, err) = run(c);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains(&format!(
            "connect to 127.0.0.1:{port} (tcp) denied by policy"
        )),
        "the subscriber shows the denial: {err}"
    );
    assert_eq!(
        accepted.load(Ordering::SeqCst),
        1,
        "the denied guest connected"
    );
}

#[test]
fn multi_tenant_gives_each_guest_its_own_policy() {
    let (port, accepted) = echo_server();
    let mut c = Command::new(example("multi_tenant"));
    c.args([&echo_client(), &port.to_string(), "4"])
        .env_remove("RUST_LOG");
    let (code, out, err) = run(c);
    assert_eq!(code, Some(0), "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    for (n, line) in lines.iter().enumerate() {
        let expected = if n % 2 == 0 {
            format!("tenant {n}: exit 0: Received b'Hello, world'")
        } else {
            format!("tenant {n}: exit 1: PermissionError: [Errno 13] Permission denied: connect to 127.0.0.1:{port} (tcp) denied by policy")
        };
        // (The policy may add why after the denial.)
        assert!(line.starts_with(&expected), "{line}");
    }
    assert_eq!(
        accepted.load(Ordering::SeqCst),
        2,
        "only the allowed tenants connect"
    );
}

/// The synchronous embedding (issue 17 item 6): the allowed guest reaches
/// the echo server; a denied one does not, and its PermissionError names
/// the `Policy` builder call that would allow it, not a CLI flag.
#[test]
fn embed_sync_runs_a_guest_and_its_denials_name_the_builder_call() {
    let (port, accepted) = echo_server();
    let p = port.to_string();
    let mut c = Command::new(example("embed_sync"));
    c.args([
        &format!("127.0.0.1:{port}"),
        &echo_client(),
        "127.0.0.1",
        &p,
    ]);
    let (code, out, err) = run(c);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out.trim(), "Received b'Hello, world'");
    assert_eq!(accepted.load(Ordering::SeqCst), 1);

    let mut c = Command::new(example("embed_sync"));
    c.args(["127.0.0.1:1", &echo_client(), "127.0.0.1", &p]);
    let (code, _, err) = run(c);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains(&format!(
            "allow with policy.allow_str(Use::Connect, \"tcp://127.0.0.1:{port}\")"
        )) && !err.contains("--allow-connect"),
        "{err}"
    );
    assert_eq!(
        accepted.load(Ordering::SeqCst),
        1,
        "the denied guest connected"
    );
}

/// A native AF_UNIX echo server at `path` answering at most 4 connections;
/// returns how many it has accepted.
fn unix_echo_server(path: &std::path::Path) -> Arc<AtomicUsize> {
    let l = std::os::unix::net::UnixListener::bind(path).unwrap();
    echo_each(4, move || l.accept().map(|(s, _)| s))
}

/// The async embedding grants an AF_UNIX directory as a `cap_std::fs::Dir`
/// (issue 20 item 4): the guest reaches a native listener beneath it by a
/// relative path; without the grant, and for a path that leaves it, the
/// native listeners accept nothing.
#[test]
fn embed_grants_a_unix_directory_as_a_cap_std_dir() {
    component("unix_client");
    let client = guest_dir().join("unix_client.wasm").display().to_string();
    let tmp = tempfile::tempdir().unwrap();
    let granted = tmp.path().join("granted");
    std::fs::create_dir(&granted).unwrap();
    let inside = unix_echo_server(&granted.join("sock"));
    let outside = unix_echo_server(&tmp.path().join("outside.sock"));
    let embed = |unix_dir: bool, path: &str| {
        let mut c = Command::new(example("embed"));
        if unix_dir {
            c.arg("--unix-dir").arg(&granted);
        }
        c.args(["127.0.0.1:1", &client, path, "Hello, unix"])
            .env_remove("RUST_LOG");
        run(c)
    };

    let (code, out, err) = embed(true, "sock");
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out.trim(), "Received b'Hello, unix'");
    assert_eq!(inside.load(Ordering::SeqCst), 1);

    let (code, _, err) = embed(false, "sock");
    assert_eq!(
        code,
        Some(1),
        "without the grant the guest connected: {err}"
    );
    assert!(err.contains("unix_client:"), "{err}");

    let (code, _, err) = embed(true, "../outside.sock");
    assert_eq!(code, Some(1), "a path leaving the grant connected: {err}");

    assert_eq!(
        inside.load(Ordering::SeqCst),
        1,
        "the denied guest connected"
    );
    assert_eq!(
        outside.load(Ordering::SeqCst),
        0,
        "the guest left its directory"
    );
}
