//! The same scenario natively in CPython and in a sandboxed guest, IPv4 and
//! IPv6, sync and async embedding: every line must match.

use crate::support::*;

fn compare(family: &str, run: fn(&str, &[&str], wasock_host::Policy) -> Outcome) {
    compare_with_cpython("behaviour", family, run);
}

#[test]
fn matches_cpython_ipv4_sync() {
    compare("4", run_sync);
}

#[test]
fn matches_cpython_ipv6_sync() {
    compare("6", run_sync);
}

#[test]
fn matches_cpython_ipv4_async() {
    compare("4", run_async);
}

#[test]
fn matches_cpython_ipv6_async() {
    compare("6", run_async);
}
