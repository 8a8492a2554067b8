//! Corners of the API where CPython's answer is easy to miss (zero-length
//! receives, errnos the kernel picks, makefile() modes and timeouts): the
//! same steps natively in CPython (`tests/python/edges.py`) and in a
//! sandboxed guest (`tests/guests/src/bin/edges.rs`), IPv4 and IPv6, sync
//! and async embedding; every line must match.
//!
//! A zero-length receive that waited for data would hang the guest: each
//! run is bounded by [`GUEST_LIMIT`] (see `support::bounded`).

use crate::support::*;

fn compare(family: &str, run: fn(&str, &[&str], wasock_host::Policy) -> Outcome) {
    compare_with_cpython("edges", family, run);
}

#[test]
fn edges_match_cpython_ipv4_sync() {
    compare("4", run_sync);
}

#[test]
fn edges_match_cpython_ipv6_sync() {
    compare("6", run_sync);
}

#[test]
fn edges_match_cpython_ipv4_async() {
    compare("4", run_async);
}

#[test]
fn edges_match_cpython_ipv6_async() {
    compare("6", run_async);
}
