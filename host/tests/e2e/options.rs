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
