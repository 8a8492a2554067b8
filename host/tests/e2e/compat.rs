//! CPython's behaviour in corners of the guest crate (issue 17 items 8, 10
//! and 11): zero-length reads of socket files, their mode and name,
//! `socket(fileno=-1)`, `fromfd` duplicating an open socket, the
//! inheritable flag, `repr(sock)`, and addresses of the wrong shape for
//! netlink, packet, vsock and inet sockets. tests/python/compat.py and the
//! guest (tests/guests/src/bin/compat.rs) print the same steps; every line
//! must match.

use crate::support::*;
use wasock_host::{InterfaceView, Policy};

fn policy() -> Policy {
    let mut p = loopback_policy().allow_abstract("wasock-compat-");
    for family in ["netlink", "packet", "vsock"] {
        p = p.allow_family(family).unwrap();
    }
    p
}

fn compare(family: &str, use_async: bool) {
    let tag = format!("{}-{family}-{use_async}", std::process::id());
    let expected = python("compat.py", &[family, &tag]);
    let component = component("compat");
    let (mut cfg, out, err) = config("compat", &[family, &tag], policy());
    cfg.interfaces = InterfaceView::Host;
    let code = bounded("compat", GUEST_LIMIT, move || {
        run_config(engine(), &component, &cfg, use_async)
    });
    let (stdout, stderr) = (read(&out), read(&err));
    assert_eq!(code, Ok(0), "guest failed: {stderr}\n{stdout}");
    let (e, g): (Vec<_>, Vec<_>) = (expected.lines().collect(), stdout.lines().collect());
    for (i, (el, gl)) in e.iter().zip(&g).enumerate() {
        assert_eq!(
            gl,
            el,
            "line {} differs (IPv{family})\nguest:\n{stdout}",
            i + 1
        );
    }
    assert_eq!(g.len(), e.len(), "line count differs\nguest:\n{stdout}");
    assert_eq!(g.last(), Some(&"done"));
}

#[test]
fn matches_cpython_ipv4_sync() {
    compare("4", false);
}

#[test]
fn matches_cpython_ipv6_sync() {
    compare("6", false);
}

#[test]
fn matches_cpython_ipv4_async() {
    compare("4", true);
}
