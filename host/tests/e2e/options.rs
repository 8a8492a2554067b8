//! Socket options and ioctls: every case of tests/python/options_cases.txt
//! in CPython and in a guest, compared line by line; guarded and refused
//! options denied without a grant.

use crate::support::*;
use wasock_host::Policy;

/// The cases, one per non-comment line.
fn cases() -> Vec<String> {
    let text = std::fs::read_to_string(root().join("tests/python/options_cases.txt")).unwrap();
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect()
}

/// Loopback, multicast joins, and every guarded option granted (CPython
/// runs as root here, so it may set them all).
fn granted() -> Policy {
    let mut p = loopback_policy()
        .allow_join("224.0.0.0/4:*")
        .unwrap()
        .allow_join("[ff00::]/8:*")
        .unwrap();
    for o in wasock_host::policy::GUARDED_OPTIONS {
        p = p.allow_option(o).unwrap();
    }
    p
}

fn compare(run: fn(&str, &[&str], Policy) -> Outcome) {
    let cases = cases();
    let args: Vec<&str> = cases.iter().map(String::as_str).collect();
    let expected = python("options.py", &args);
    let got = run("options", &args, granted());
    assert_eq!(got.code, Ok(0), "guest failed: {}", got.stderr);
    let (e, g): (Vec<_>, Vec<_>) = (expected.lines().collect(), got.stdout.lines().collect());
    for (i, (el, gl)) in e.iter().zip(&g).enumerate() {
        assert_eq!(gl, el, "line {} differs\nguest:\n{}", i + 1, got.stdout);
    }
    assert_eq!(
        g.len(),
        e.len(),
        "line count differs\nguest:\n{}",
        got.stdout
    );
    assert_eq!(g.last(), Some(&"done"));
}

#[test]
fn options_match_cpython_sync() {
    compare(run_sync);
}

#[test]
fn options_match_cpython_async() {
    compare(run_async);
}

/// Runs the guest's `--authority` mode under `policy`: returns its output
/// and what `ss` showed of its listening socket (mark, bound device,
/// receive buffer) while it waited.
fn authority(policy: Policy) -> (String, String) {
    let component = component("options");
    let (cfg, out, err) = config("options", &["--authority"], policy);
    let guest = std::thread::spawn(move || run_config(engine(), &component, &cfg, false));
    assert!(
        wait_for(&out, "listening ", GUEST_LIMIT),
        "guest never listened: {}",
        read(&err)
    );
    let text = read(&out);
    let port: u16 = text
        .lines()
        .find_map(|l| l.strip_prefix("listening "))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let ss = std::process::Command::new("ss")
        .args(["-ltnem", &format!("sport = :{port}")])
        .output()
        .expect("ss (iproute2) is needed");
    let seen = String::from_utf8_lossy(&ss.stdout).into_owned();
    // Release the guest's accept.
    drop(std::net::TcpStream::connect(("127.0.0.1", port)).unwrap());
    let code = bounded("options --authority", GUEST_LIMIT, move || {
        guest.join().unwrap()
    });
    assert_eq!(code, Ok(0), "{}", read(&err));
    (read(&out), seen)
}

/// The options that widen authority, denied without a grant: the guest is
/// told the policy denied each (naming it), and `ss` shows its socket with
/// no mark, no bound device and the default receive buffer. The same run
/// with the grants shows them applied (the observer sees what it checks).
#[test]
fn authority_options_need_grants() {
    let (out, seen) = authority(loopback_policy());
    assert!(seen.contains("LISTEN"), "ss did not see the socket: {seen}");
    for name in [
        "SO_MARK",
        "SO_PRIORITY",
        "SO_BINDTOIFINDEX",
        "SO_BINDTODEVICE",
    ] {
        let line = out.lines().find(|l| l.starts_with(name)).unwrap();
        assert!(
            line.contains("PermissionError") && line.contains("denied by policy"),
            "{line}"
        );
    }
    for name in ["SO_RCVBUFFORCE", "SO_ATTACH_FILTER"] {
        let line = out.lines().find(|l| l.starts_with(name)).unwrap();
        assert!(line.contains("denied by policy: "), "{line}");
    }
    assert!(!seen.contains("fwmark"), "{seen}");
    assert!(!seen.contains("%lo"), "{seen}");
    assert!(!seen.contains("rb8388608"), "{seen}");

    let granted = loopback_policy()
        .allow_option("SO_MARK")
        .unwrap()
        .allow_option("SO_PRIORITY")
        .unwrap()
        .allow_option("SO_BINDTODEVICE")
        .unwrap();
    let (out, seen) = authority(granted);
    for name in [
        "SO_MARK",
        "SO_PRIORITY",
        "SO_BINDTOIFINDEX",
        "SO_BINDTODEVICE",
    ] {
        assert!(out.contains(&format!("{name}: set")), "{out}");
    }
    // Still refused with every grant: they need privileges or pass pointers.
    assert!(out.contains("SO_RCVBUFFORCE: PermissionError"), "{out}");
    assert!(out.contains("SO_ATTACH_FILTER: PermissionError"), "{out}");
    assert!(seen.contains("fwmark:0x5"), "{seen}");
    assert!(seen.contains("127.0.0.1%lo"), "{seen}");
    assert!(!seen.contains("rb8388608"), "{seen}");
}
