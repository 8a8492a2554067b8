//! AF_UNIX and sendmsg/recvmsg: the same scenario in CPython and in a
//! sandboxed guest, compared line by line; confinement attempts checked
//! from the host side; descriptor accounting.

use crate::support::*;
use std::path::Path;
use wasock_host::Policy;

/// A fresh directory laid out as tests/python/unix.py expects.
fn layout() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir(d.path().join("sub")).unwrap();
    std::fs::write(d.path().join("plain"), b"not a socket").unwrap();
    d
}

/// A unique abstract-name prefix for one run.
fn tag(what: &str) -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    format!(
        "wasock-{}-{what}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

fn unix_policy(dir: &Path, prefix: &str) -> Policy {
    loopback_policy()
        .unix_dir_path(dir)
        .unwrap()
        .allow_abstract(prefix)
        .allow_fd_passing(true)
}

fn compare(run: fn(&str, &[&str], Policy) -> Outcome) {
    let (pdir, gdir) = (layout(), layout());
    let (ptag, gtag) = (tag("py"), tag("guest"));
    let expected = python_in(pdir.path(), "unix.py", &[&ptag]).replace(&ptag, "TAG");
    let got = run("unix", &[&gtag], unix_policy(gdir.path(), &gtag));
    assert_eq!(got.code, Ok(0), "guest failed: {}", got.stderr);
    let got_out = got.stdout.replace(&gtag, "TAG");
    let (e, g): (Vec<_>, Vec<_>) = (expected.lines().collect(), got_out.lines().collect());
    for (i, (el, gl)) in e.iter().zip(&g).enumerate() {
        assert_eq!(gl, el, "line {} differs\nguest:\n{}", i + 1, got_out);
    }
    assert_eq!(g.len(), e.len(), "line count differs\nguest:\n{got_out}");
    assert_eq!(g.last(), Some(&"done"));
    // The guest's sockets were made inside its directory, nowhere else.
    for name in ["sock", "dg", "dg2", "sub/s2"] {
        assert!(gdir.path().join(name).exists(), "{name} not in the dir");
    }
}

#[test]
fn matches_cpython_sync() {
    compare(run_sync);
}

#[test]
fn matches_cpython_async() {
    compare(run_async);
}
