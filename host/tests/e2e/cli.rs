//! The `wasock` command line: exit statuses as wasmtime's, error texts a
//! user can act on, `--env`, logging, `--help`, `wasock compile`.

use crate::support::*;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output};

fn wasock(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_wasock"));
    c.args(args).env_remove("WASOCK_LOG");
    c
}

fn guest(name: &str) -> String {
    component(name); // builds the guests when needed
    guest_dir()
        .join(format!("{name}.wasm"))
        .display()
        .to_string()
}

/// Runs a command within the guest limit: (status, stdout, stderr).
pub fn run(mut c: Command) -> (Option<i32>, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = bounded("wasock", GUEST_LIMIT, move || c.output().unwrap());
    (
        status.code(),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

/// A native listener that must see no connection: the denial is proved by
/// what it saw, not by the guest's report.
fn observer() -> (TcpListener, u16) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.set_nonblocking(true).unwrap();
    let port = l.local_addr().unwrap().port();
    (l, port)
}

fn saw_nothing(l: &TcpListener) {
    let e = l.accept().expect_err("a denied guest reached the listener");
    assert_eq!(e.kind(), std::io::ErrorKind::WouldBlock);
}

#[test]
fn a_trap_exits_134_as_wasmtime() {
    let (code, _, err) = run(wasock(&["run", &guest("exit_status"), "panic"]));
    assert_eq!(code, Some(134), "{err}");
    assert!(err.contains("unreachable"), "{err}");
}

#[test]
fn exit_3_is_a_failure_through_wasi_cli() {
    // wasi:cli 0.2's `exit` carries success or failure only, and Rust's std
    // reports exit(3) through it.
    let (code, _, err) = run(wasock(&["run", &guest("exit_status"), "exit3"]));
    assert_eq!(code, Some(1), "{err}");
}

#[test]
fn exit_with_code_is_propagated() {
    for (flags, code) in [(&[][..], "3"), (&["--async"][..], "42"), (&[][..], "0")] {
        let mut args = vec!["run"];
        args.extend_from_slice(flags);
        let g = guest("exit_code");
        args.extend([g.as_str(), code]);
        let (status, _, err) = run(wasock(&args));
        assert_eq!(status, Some(code.parse().unwrap()), "{err}");
    }
}

#[test]
fn an_error_from_main_prints_as_python_would() {
    let (l, port) = observer();
    let port = port.to_string();
    let (code, _, err) = run(wasock(&["run", &guest("exit_status"), "denied", &port]));
    saw_nothing(&l);
    assert_eq!(code, Some(1), "{err}");
    // The line Python's traceback ends with (the policy may add why).
    let line = format!(
        "Error: PermissionError: [Errno 13] Permission denied: connect to 127.0.0.1:{port} (tcp) denied by policy"
    );
    assert!(err.lines().any(|l| l.starts_with(&line)), "{err}");
    assert!(!err.contains("kind:"), "a Debug dump: {err}");
}

#[test]
fn connect_ex_returns_13_for_a_denial() {
    let (l, port) = observer();
    let port = port.to_string();
    let (code, out, err) = run(wasock(&["run", &guest("exit_status"), "connect-ex", &port]));
    saw_nothing(&l);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out.trim(), "connect_ex 13");
}

#[test]
fn a_core_module_gets_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("core.wasm");
    // The smallest valid core module: magic and version 1.
    std::fs::write(&path, b"\0asm\x01\0\0\0").unwrap();
    let (code, _, err) = run(wasock(&["run", path.to_str().unwrap()]));
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("core WebAssembly module"), "{err}");
    assert!(err.contains("--target wasm32-wasip2"), "{err}");
}

#[test]
fn a_std_net_guest_without_wasi_sockets_is_told_why() {
    let (l, port) = observer();
    let target = format!("127.0.0.1:{port}");
    let (code, out, err) = run(wasock(&["run", &guest("std_net_client"), &target]));
    saw_nothing(&l);
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(out.trim(), "error PermissionDenied");
    assert!(err.contains("--allow-wasi-sockets"), "{err}");
    // A wasock guest does not import wasi:sockets: no such warning.
    let (_, _, err) = run(wasock(&["run", &guest("exit_status"), "env", "X"]));
    assert!(!err.contains("wasi:sockets"), "{err}");
}

#[test]
fn env_sets_or_inherits() {
    let mut c = wasock(&[
        "run",
        "--env",
        "WASOCK_CLI_INHERITED",
        &guest("exit_status"),
        "env",
        "WASOCK_CLI_INHERITED",
    ]);
    c.env("WASOCK_CLI_INHERITED", "from the host");
    let (code, out, err) = run(c);
    assert_eq!((code, out.trim()), (Some(0), "from the host"), "{err}");
    let mut c = wasock(&["run", &guest("exit_status"), "env", "WASOCK_CLI_INHERITED"]);
    c.env("WASOCK_CLI_INHERITED", "from the host");
    let (_, out, _) = run(c);
    assert_eq!(out.trim(), "<unset>", "only --env passes variables on");
    let (_, out, _) = run(wasock(&[
        "run",
        "--env",
        "V=a=b",
        &guest("exit_status"),
        "env",
        "V",
    ]));
    assert_eq!(out.trim(), "a=b");
}

#[test]
fn logs_show_policy_decisions_without_colours_or_wasmtime_internals() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port().to_string();
    let mut c = wasock(&[
        "run",
        "--allow-connect",
        &format!("127.0.0.1:{port}"),
        &guest("exit_status"),
        "connect-ex",
        &port,
    ]);
    c.env("WASOCK_LOG", "info");
    let (code, out, err) = run(c);
    assert_eq!((code, out.trim()), (Some(0), "connect_ex 0"), "{err}");
    assert!(
        err.contains(&format!("connect to 127.0.0.1:{port} (tcp) allowed")),
        "{err}"
    );
    assert!(!err.contains('\x1b'), "colours on a pipe: {err:?}");
    // A bare level is wasock's only: at `debug` wasmtime itself has much
    // to say, none of which may show.
    let mut c = wasock(&["run", &guest("exit_status"), "env", "X"]);
    c.env("WASOCK_LOG", "debug");
    let (_, _, err) = run(c);
    for line in err.lines() {
        let verbose = [" INFO ", " DEBUG ", " TRACE "]
            .iter()
            .any(|level| line.contains(level));
        assert!(
            !verbose || line.contains("wasock"),
            "a log line from outside wasock: {line}"
        );
    }
}

#[test]
fn help_shows_every_flag() {
    let (code, out, _) = run(wasock(&["run", "--help"]));
    assert_eq!(code, Some(0));
    for flag in [
        "--policy",
        "--allow-bind",
        "--deny-bind",
        "--allow-listen",
        "--deny-listen",
        "--allow-accept",
        "--deny-accept",
        "--allow-connect",
        "--deny-connect",
        "--allow-send-to",
        "--deny-send-to",
        "--allow-recv-from",
        "--deny-recv-from",
        "--allow-join",
        "--deny-join",
        "--allow-resolve",
        "--deny-resolve",
        "--allow-udp-reply",
        "--allow-wasi-sockets",
        "--unix-dir",
        "--allow-abstract",
        "--deny-abstract",
        "--allow-fd-passing",
        "--allow-raw",
        "--deny-raw",
        "--allow-family",
        "--deny-family",
        "--allow-option",
        "--deny-option",
        "--max-sockets",
        "--max-recv",
        "--max-backlog",
        "--connections-per-second",
        "--wall-time-ms",
        "--max-memory",
        "--audit-only",
        "--audit",
        "--learn",
        "--print-policy",
        "--hostname",
        "--show-interfaces",
        "--async",
        "--env",
    ] {
        assert!(out.contains(flag), "{flag} missing from --help:\n{out}");
    }
    let (code, out, _) = run(wasock(&["--help"]));
    assert_eq!(code, Some(0));
    assert!(out.contains("compile"), "{out}");
    assert!(out.contains("policy"), "{out}");
}

#[test]
fn compile_fills_the_cache_for_the_first_run() {
    let home = tempfile::tempdir().unwrap();
    let compile = || {
        let mut c = wasock(&["compile", &guest("exit_status")]);
        c.env("HOME", home.path()).env_remove("XDG_CACHE_HOME");
        run(c)
    };
    let (code, out, err) = compile();
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("compiled into"), "{out}");
    let cache = home.path().join(".cache").join("wasmtime");
    assert!(has_files(&cache), "nothing in {}", cache.display());
    // The second time the code comes from the cache.
    let (code, out, err) = compile();
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("already compiled in"), "{out}");
}

fn has_files(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries.flatten().any(|e| {
            let p = e.path();
            p.is_file() || (p.is_dir() && has_files(&p))
        })
    })
}

#[test]
fn usage_errors_exit_2() {
    let (code, _, _) = run(wasock(&["run", "--no-such-flag", "x.wasm"]));
    assert_eq!(code, Some(2));
    let (code, _, err) = run(wasock(&["run", "/nonexistent/x.wasm"]));
    assert_eq!(code, Some(1), "{err}");
}
