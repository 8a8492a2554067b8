//! The CLI's ways into the policy: `wasock policy check`, `--print-policy`,
//! comma lists, learn mode (round trip), `--audit` and `--audit-only`, and
//! the warning for wasock flags given after the component.

use crate::support::*;
use std::net::TcpListener;
use std::process::{Command, Output};

fn wasock() -> Command {
    Command::new(env!("CARGO_BIN_EXE_wasock"))
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn escape_wasm() -> std::path::PathBuf {
    let _ = component("escape");
    guest_dir().join("escape.wasm")
}

/// Counts the connections a nonblocking listener has waiting.
fn accepted(l: &TcpListener) -> usize {
    let mut n = 0;
    while l.accept().is_ok() {
        n += 1;
    }
    n
}

fn listener() -> (TcpListener, u16) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.set_nonblocking(true).unwrap();
    let p = l.local_addr().unwrap().port();
    (l, p)
}

#[test]
fn policy_check_normalises_the_examples_and_names_errors() {
    let dir = root().join("examples/policies");
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap().flatten() {
        let o = wasock()
            .args(["policy", "check"])
            .arg(e.path())
            .output()
            .unwrap();
        let (out, err) = text(&o);
        assert!(o.status.success(), "{}: {err}", e.path().display());
        assert!(
            out.contains("[network]") && out.contains("[limits]"),
            "{out}"
        );
        // The printed form parses back to the same printed form.
        let tmp = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(tmp.path(), &out).unwrap();
        let again = wasock()
            .args(["policy", "check"])
            .arg(tmp.path())
            .output()
            .unwrap();
        assert_eq!(text(&again).0, out);
        n += 1;
    }
    assert!(n >= 3);
    let tmp = tempfile::NamedTempFile::new().unwrap();
    for (bad, says) in [
        (
            "[network]\nallow-connect = [\"127.0.0.1/8:80\"]\n",
            "did you mean 127.0.0.0/8?",
        ),
        ("[network]\nallow-everything = true\n", "unknown field"),
        ("[limits]\nmax-recv = 1099511627776\n", "max-recv"),
        (
            "[options]\nallow = [\"TCP_NODELAY\"]\n",
            "not a guarded option",
        ),
        (
            "[network]\nwasi-sockets = true\n[limits]\nsend-bytes-per-second = 1000\n",
            "cannot be enforced on wasi:sockets",
        ),
    ] {
        std::fs::write(tmp.path(), bad).unwrap();
        let o = wasock()
            .args(["policy", "check"])
            .arg(tmp.path())
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{bad}");
        assert!(text(&o).1.contains(says), "{bad}: {}", text(&o).1);
    }
}

#[test]
fn print_policy_shows_comma_lists_and_implications() {
    let o = wasock()
        .args([
            "run",
            "--allow-connect",
            "tcp://127.0.0.1:80,udp://[::1]:53",
            "--deny-connect",
            "127.0.0.2:*",
            "--allow-resolve",
            "a.example,*.b.example",
            "--allow-option",
            "so-mark",
            "--max-sockets",
            "7",
            "--print-policy",
            "nothing.wasm",
        ])
        .output()
        .unwrap();
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    for want in [
        "allow-connect = [\"tcp://127.0.0.1:80\", \"udp://[::1]:53\"]",
        "# allow-send-to udp://[::1]:53 (implied by allow-connect)",
        "# deny-send-to 127.0.0.2:* (implied by deny-connect)",
        "allow-resolve = [\"a.example\", \"*.b.example\"]",
        "allow = [\"SO_MARK\"]",
        "max-sockets = 7",
    ] {
        assert!(out.contains(want), "{want} missing from:\n{out}");
    }
}

#[test]
fn learn_mode_round_trip() {
    let (l, p) = listener();
    let (l2, q) = listener();
    let dir = tempfile::tempdir().unwrap();
    let learned = dir.path().join("learned.toml");
    let audit = dir.path().join("audit.jsonl");
    let one = format!("connect,127.0.0.1,{p}");
    let o = wasock()
        .arg("run")
        .arg("--learn")
        .arg(&learned)
        .arg("--audit")
        .arg(&audit)
        .arg(escape_wasm())
        .arg(&one)
        .output()
        .unwrap();
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}{err}");
    assert_eq!(accepted(&l), 1);
    let policy = std::fs::read_to_string(&learned).unwrap();
    assert!(
        policy.contains(&format!("allow-connect = [\"tcp://127.0.0.1:{p}\"]")),
        "{policy}"
    );
    let a = std::fs::read_to_string(&audit).unwrap();
    assert!(a.contains("\"use\":\"connect\""), "{a}");
    // The learned policy runs the guest…
    let o = wasock()
        .arg("run")
        .arg("--policy")
        .arg(&learned)
        .arg(escape_wasm())
        .arg(&one)
        .output()
        .unwrap();
    assert!(o.status.success());
    assert!(text(&o).0.contains(&format!("{one}: ok")), "{:?}", text(&o));
    assert_eq!(accepted(&l), 1);
    // …and a guest doing one thing more is denied.
    let more = format!("connect,127.0.0.1,{q}");
    let o = wasock()
        .arg("run")
        .arg("--policy")
        .arg(&learned)
        .arg(escape_wasm())
        .arg(&one)
        .arg(&more)
        .output()
        .unwrap();
    let (out, _) = text(&o);
    assert!(out.contains(&format!("{one}: ok")), "{out}");
    assert!(
        out.contains(&format!("{more}: PermissionError: [Errno 13]")),
        "{out}"
    );
    assert!(
        out.contains(&format!("allow with --allow-connect tcp://127.0.0.1:{q}")),
        "{out}"
    );
    assert_eq!(accepted(&l), 1);
    assert_eq!(accepted(&l2), 0, "the denied connection arrived");
}

#[test]
fn audit_records_every_decision_and_audit_only_lets_denials_through() {
    let (l, p) = listener();
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let step = format!("connect,127.0.0.1,{p}");
    // Enforced: denied, recorded, nothing arrives.
    let o = wasock()
        .arg("run")
        .arg("--audit")
        .arg(&audit)
        .arg(escape_wasm())
        .arg(&step)
        .output()
        .unwrap();
    assert!(text(&o).0.contains("PermissionError"), "{:?}", text(&o));
    let a = std::fs::read_to_string(&audit).unwrap();
    assert!(
        a.contains("\"allowed\":false,\"enforced\":true,\"rule\":null"),
        "{a}"
    );
    assert_eq!(accepted(&l), 0);
    // Audit only: the same denial is logged and let through.
    let o = wasock()
        .arg("run")
        .arg("--audit-only")
        .arg("--audit")
        .arg(&audit)
        .arg(escape_wasm())
        .arg(&step)
        .output()
        .unwrap();
    let (out, err) = text(&o);
    assert!(out.contains(&format!("{step}: ok")), "{out}{err}");
    assert!(err.contains("audit only, let through"), "{err}");
    let a = std::fs::read_to_string(&audit).unwrap();
    assert!(a.contains("\"allowed\":false,\"enforced\":false"), "{a}");
    assert_eq!(accepted(&l), 1);
}

#[test]
fn wasock_flags_after_the_component_are_warned_about() {
    let o = wasock()
        .arg("run")
        .arg(escape_wasm())
        .args(["sockets,1", "--allow-connect", "127.0.0.1:1"])
        .output()
        .unwrap();
    let (_, err) = text(&o);
    assert!(
        err.contains("\"--allow-connect\" comes after the component path"),
        "{err}"
    );
}

#[test]
fn a_bytes_per_second_limit_with_wasi_sockets_is_refused() {
    // The flags alone, and a file with wasi:sockets plus the flag.
    let o = wasock()
        .args([
            "run",
            "--allow-wasi-sockets",
            "--send-bytes-per-second",
            "1000",
        ])
        .arg(escape_wasm())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).1.contains("cannot be enforced on wasi:sockets"),
        "{}",
        text(&o).1
    );
    let tmp = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(tmp.path(), "[network]\nwasi-sockets = true\n").unwrap();
    let o = wasock()
        .args(["run", "--policy"])
        .arg(tmp.path())
        .args(["--send-bytes-per-second", "1000"])
        .arg(escape_wasm())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    // An embedder's policy built in code is refused when a store is made.
    let mut policy = wasock_host::Policy::deny_all().allow_wasi_sockets(true);
    policy.limits.send_bytes_per_second = Some(1000);
    let config = wasock_host::run::GuestConfig {
        policy: std::sync::Arc::new(policy),
        ..Default::default()
    };
    let err = config.store(engine()).err().expect("refused");
    assert!(
        err.to_string()
            .contains("cannot be enforced on wasi:sockets"),
        "{err}"
    );
}

/// Learn mode learns the AF_UNIX grants too: the abstract names the guest
/// used and SCM_RIGHTS, and keeps the run's `--unix-dir`. The learnt
/// policy lets the same steps through and refuses another name.
#[test]
fn learn_mode_learns_unix_grants() {
    let guest = guest_dir().join("unix_escape.wasm");
    let dir = tempfile::tempdir().unwrap();
    let grant = tempfile::tempdir().unwrap();
    let learned = dir.path().join("learned.toml");
    let run = |policy: &[&std::ffi::OsStr], args: &[&str]| {
        let o = wasock()
            .arg("run")
            .args(policy)
            .arg(&guest)
            .args(args)
            .output()
            .unwrap();
        let (out, err) = text(&o);
        assert!(o.status.success(), "{out}{err}");
        out
    };
    let learn = [
        std::ffi::OsStr::new("--learn"),
        learned.as_os_str(),
        std::ffi::OsStr::new("--unix-dir"),
        grant.path().as_os_str(),
    ];
    let out = run(&learn, &["abstract", "wasock-learnt"]);
    assert!(out.contains("bind-abstract: ok"), "{out}");
    let policy = std::fs::read_to_string(&learned).unwrap();
    assert!(policy.contains("wasock-learnt"), "{policy}");
    assert!(
        policy.contains(&grant.path().display().to_string()),
        "the run's --unix-dir is kept:\n{policy}"
    );
    assert!(policy.contains("fd-passing = false"), "{policy}");
    let out = run(&learn, &["fd-passing-denied"]);
    assert!(out.contains("send-fds: ok"), "{out}");
    let policy = std::fs::read_to_string(&learned).unwrap();
    assert!(policy.contains("fd-passing = true"), "{policy}");

    // The empty abstract name is never learnt: as a prefix it would grant
    // every abstract socket of the host.
    run(&learn[..2], &["abstract", ""]);
    let policy = std::fs::read_to_string(&learned).unwrap();
    assert!(!policy.contains("allow-abstract"), "{policy}");

    // The learnt policy, used: the name is allowed, another is denied
    // (denials of abstract names are checked from outside in
    // `unix::abstract_names_outside_the_grant_are_refused`; here the
    // learnt grant is what is under test).
    let learnt_abstract = dir.path().join("abstract.toml");
    run(&learn[..2], &["abstract", "wasock-learnt"]);
    std::fs::copy(&learned, &learnt_abstract).unwrap();
    let with = [
        std::ffi::OsStr::new("--policy"),
        learnt_abstract.as_os_str(),
    ];
    let out = run(&with, &["abstract", "wasock-learnt"]);
    assert!(out.contains("bind-abstract: ok"), "{out}");
    let out = run(&with, &["abstract", "other-name"]);
    assert!(
        out.contains("bind-abstract: PermissionError: [Errno 13]"),
        "{out}"
    );
    // The learnt name is exact (issue 20 item 6): it does not admit a
    // longer name it is a prefix of. A native listener on that name sees
    // no connection.
    let policy = std::fs::read_to_string(&learnt_abstract).unwrap();
    assert!(
        policy.contains("allow-abstract-name = [\"wasock-learnt\"]"),
        "{policy}"
    );
    use std::os::linux::net::SocketAddrExt;
    let admin = std::os::unix::net::SocketAddr::from_abstract_name(b"wasock-learnt-admin").unwrap();
    let l = std::os::unix::net::UnixListener::bind_addr(&admin).unwrap();
    l.set_nonblocking(true).unwrap();
    let out = run(&with, &["abstract", "wasock-learnt-admin"]);
    assert!(
        out.contains("connect-abstract: PermissionError: [Errno 13]"),
        "{out}"
    );
    assert!(l.accept().is_err(), "the longer name was reached");
}

/// Issue 17 item 1: everything after the component is the guest's argv,
/// whatever it looks like. A trailing `--allow-connect` must not widen the
/// policy (a native listener sees no connection) and a trailing `--learn`
/// must not turn learn mode on (no file written, nothing let through).
#[test]
fn flags_after_the_component_never_reach_the_policy() {
    let (l, port) = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.set_nonblocking(true).unwrap();
        let p = l.local_addr().unwrap().port();
        (l, p)
    };
    let target = format!("tcp://127.0.0.1:{port}");
    let step = format!("connect,127.0.0.1,{port}");
    let o = wasock()
        .arg("run")
        .arg(escape_wasm())
        .args(["--allow-connect", target.as_str(), step.as_str()])
        .output()
        .unwrap();
    let (out, err) = text(&o);
    assert!(
        out.contains(&format!("{step}: PermissionError")),
        "{out}{err}"
    );
    // The flag reached the guest as arguments (the escape guest reports
    // each argument as a step).
    assert!(out.contains("--allow-connect:"), "{out}");
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert_eq!(accepted(&l), 0, "a trailing flag widened the policy");
    // The same with learn mode.
    let dir = tempfile::tempdir().unwrap();
    let learnt = dir.path().join("x.toml");
    let o = wasock()
        .arg("run")
        .arg(escape_wasm())
        .arg("--learn")
        .arg(&learnt)
        .arg(step.as_str())
        .output()
        .unwrap();
    let (out, err) = text(&o);
    assert!(
        out.contains(&format!("{step}: PermissionError")),
        "{out}{err}"
    );
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert_eq!(accepted(&l), 0, "a trailing --learn let a connect through");
    assert!(!learnt.exists(), "a trailing --learn wrote a policy");
    // After an explicit `--` nothing is warned about.
    let o = wasock()
        .arg("run")
        .arg(escape_wasm())
        .args(["--", "--allow-connect", target.as_str(), step.as_str()])
        .output()
        .unwrap();
    let (out, err) = text(&o);
    assert!(
        out.contains(&format!("{step}: PermissionError")),
        "{out}{err}"
    );
    assert!(!err.contains("comes after the component path"), "{err}");
    assert_eq!(accepted(&l), 0);
}

/// Issue 22 item 2: a wall-time limit cannot stop a guest blocked in a
/// wasi:sockets call, so the combination is refused before anything runs:
/// from flags, from a file plus a flag, and the guest never connects (a
/// native listener sees nothing).
#[test]
fn a_wall_time_limit_with_wasi_sockets_is_refused_before_the_guest_runs() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.set_nonblocking(true).unwrap();
    let port = l.local_addr().unwrap().port();
    let _ = component("std_net_client");
    let guest = guest_dir().join("std_net_client.wasm");
    let target = format!("tcp://127.0.0.1:{port}");
    // Bounded: before the fix the guest ran and, blocked in std::net,
    // outlived its limit (this test then hung).
    let mut c = wasock();
    c.args(["run", "--allow-wasi-sockets", "--allow-connect", &target])
        .args(["--wall-time-ms", "1500"])
        .arg(&guest)
        .arg(format!("127.0.0.1:{port}"));
    let o = bounded("wasock", GUEST_LIMIT, move || c.output().unwrap());
    assert_eq!(o.status.code(), Some(2), "{}", text(&o).1);
    assert!(
        text(&o)
            .1
            .contains("wall-time-ms cannot stop a guest waiting in a wasi:sockets"),
        "{}",
        text(&o).1
    );
    let tmp = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(tmp.path(), "[network]\nwasi-sockets = true\n").unwrap();
    let mut c = wasock();
    c.args(["run", "--policy"])
        .arg(tmp.path())
        .args(["--allow-connect", &target, "--wall-time-ms", "1500"])
        .arg(&guest)
        .arg(format!("127.0.0.1:{port}"));
    let o = bounded("wasock", GUEST_LIMIT, move || c.output().unwrap());
    assert_eq!(o.status.code(), Some(2), "{}", text(&o).1);
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert_eq!(accepted(&l), 0, "the guest ran");
}

/// A native UDP server on loopback answering `echo` to up to `n`
/// datagrams (each wait bounded), counting what it received.
fn udp_echo(n: usize) -> (u16, std::thread::JoinHandle<usize>) {
    let s = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    let port = s.local_addr().unwrap().port();
    let h = std::thread::spawn(move || {
        let mut got = 0;
        let mut buf = [0u8; 64];
        for _ in 0..n {
            let Ok((_, from)) = s.recv_from(&mut buf) else {
                break;
            };
            got += 1;
            s.send_to(b"echo", from).unwrap();
        }
        got
    });
    (port, h)
}

/// Issue 17 item 2: a policy learnt from a UDP client that sends and
/// reads the reply replays that run (the reply's sender is learnt as a
/// recv-from rule, and audited); the run's limits are written into the
/// learnt file; AF_UNIX paths the guest used are named in it.
#[test]
fn a_learnt_policy_replays_a_udp_client_and_keeps_the_runs_limits() {
    let (port, server) = udp_echo(2);
    let dir = tempfile::tempdir().unwrap();
    let learned = dir.path().join("learned.toml");
    let audit = dir.path().join("audit.jsonl");
    let step = format!("udp-ask,127.0.0.1,{port}");
    let o = wasock()
        .arg("run")
        .arg("--learn")
        .arg(&learned)
        .arg("--audit")
        .arg(&audit)
        .args(["--max-sockets", "9", "--wall-time-ms", "60000"])
        .arg(escape_wasm())
        .arg(&step)
        .output()
        .unwrap();
    let (out, err) = text(&o);
    assert!(
        out.contains(&format!("{step}: ok echo from 127.0.0.1")),
        "{out}{err}"
    );
    let policy = std::fs::read_to_string(&learned).unwrap();
    assert!(
        policy.contains("allow-recv-from = [\"udp://127.0.0.1:*\"]"),
        "{policy}"
    );
    assert!(policy.contains("max-sockets = 9"), "{policy}");
    assert!(policy.contains("wall-time-ms = 60000"), "{policy}");
    assert!(policy.contains("max-recv = "), "{policy}");
    let a = std::fs::read_to_string(&audit).unwrap();
    assert!(a.contains("\"use\":\"recv-from\""), "{a}");
    // The learnt policy replays the run: the reply arrives.
    let o = wasock()
        .arg("run")
        .arg("--policy")
        .arg(&learned)
        .arg(escape_wasm())
        .arg(&step)
        .output()
        .unwrap();
    let (out, err) = text(&o);
    assert!(
        out.contains(&format!("{step}: ok echo from 127.0.0.1")),
        "the learnt policy did not replay the run: {out}{err}"
    );
    assert_eq!(server.join().unwrap(), 2);

    // AF_UNIX paths used are named, with the directory the run granted.
    let grant = tempfile::tempdir().unwrap();
    let o = wasock()
        .arg("run")
        .arg("--learn")
        .arg(&learned)
        .arg("--unix-dir")
        .arg(grant.path())
        .arg(guest_dir().join("unix_escape.wasm"))
        .arg("no-grant")
        .output()
        .unwrap();
    let (out, err) = text(&o);
    assert!(out.contains("bind-path: ok"), "{out}{err}");
    let policy = std::fs::read_to_string(&learned).unwrap();
    assert!(policy.contains("#   bind x.sock"), "{policy}");
    assert!(
        policy.contains(&format!("beneath {}", grant.path().display())),
        "{policy}"
    );
    assert!(policy.contains("embedder's"), "{policy}");
}

/// Issue 17 item 3: a UDP client whose replies the policy drops gets a
/// TimeoutError that says so (not a bare `timed out`), and the hint names
/// the narrowest rule: the address and port it sent to, not every port.
#[test]
fn a_filtered_reply_times_out_naming_the_policy_and_the_narrowest_rule() {
    let (port, server) = udp_echo(1);
    let step = format!("udp-ask,127.0.0.1,{port}");
    let o = wasock()
        .arg("run")
        .arg("--allow-send-to")
        .arg(format!("udp://127.0.0.1:{port}"))
        .arg(escape_wasm())
        .arg(&step)
        .output()
        .unwrap();
    let (out, err) = text(&o);
    // The datagram arrived (sending was allowed); the reply was dropped.
    assert_eq!(server.join().unwrap(), 1, "{out}{err}");
    let narrow = format!(
        "--allow-recv-from udp://127.0.0.1:{port} (or --allow-connect udp://127.0.0.1:{port}"
    );
    assert!(
        out.contains(&format!(
            "{step}: TimeoutError: timed out (1 datagram from peers the policy denies was dropped while waiting; the last: receive from 127.0.0.1:{port} (udp) denied by policy"
        )) && out.contains(&narrow),
        "{out}{err}"
    );
    assert!(err.contains(&narrow), "{err}");
    assert!(!err.contains("udp://127.0.0.1:*"), "{err}");
}

/// Issue 17 item 5: a relative `[unix] dir` in a policy file is the
/// file's directory's, not the working directory's (the socket file
/// appears there, seen from outside); binding a path whose socket file
/// stayed fails with EADDRINUSE and a detail that says why and what to do.
#[test]
fn a_relative_unix_dir_is_the_policy_files_and_a_stale_socket_file_is_explained() {
    let home = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::create_dir(home.path().join("sockets")).unwrap();
    let policy = home.path().join("policy.toml");
    std::fs::write(&policy, "[unix]\ndir = \"sockets\"\n").unwrap();
    let o = wasock()
        .current_dir(elsewhere.path())
        .arg("run")
        .arg("--policy")
        .arg(&policy)
        .arg(guest_dir().join("unix_escape.wasm"))
        .args(["rebind", "app.sock"])
        .output()
        .unwrap();
    let (out, err) = text(&o);
    assert!(out.contains("bind-first: ok"), "{out}{err}");
    assert!(
        home.path().join("sockets/app.sock").exists(),
        "the socket file is not beneath the policy file's directory"
    );
    assert!(std::fs::read_dir(elsewhere.path())
        .unwrap()
        .next()
        .is_none());
    assert!(
        out.contains("bind-again: OSError: [Errno 98] Address already in use | AF_UNIX path app.sock exists: a socket file stays after its socket is closed"),
        "{out}{err}"
    );
    // `policy check` shows the resolved directory.
    let o = wasock()
        .current_dir(elsewhere.path())
        .args(["policy", "check"])
        .arg(&policy)
        .output()
        .unwrap();
    let (out, err) = text(&o);
    assert!(
        out.contains(&format!(
            "dir = \"{}\"",
            home.path().join("sockets").display()
        )),
        "{out}{err}"
    );
}
