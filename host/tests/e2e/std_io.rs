//! `std::io` over wasock sockets in a guest (issue 17 item 7): every
//! socket error reaches `Read`/`Write` users with the `io::ErrorKind` the
//! standard library gives the same failure natively on Linux (WouldBlock,
//! TimedOut, ConnectionReset, ConnectionRefused, BrokenPipe, Interrupted
//! retried by `read_exact`), the Linux errno still there
//! (`Error::io_errno`), and std's own WASI-numbered errors read back as
//! Linux errnos. The guest is tests/guests/src/bin/std_io.rs.

use crate::support::*;

const EXPECTED: &str = "\
nonblocking-read: kind=WouldBlock errno=Some(11) [Errno 11] Resource temporarily unavailable
timeout-read: kind=TimedOut errno=None timed out
read-exact: ok \"hello world\"
bufreader-line-1: ok \"one\\n\"
bufreader-line-2: ok \"two\\n\"
read-exact-eof: kind=UnexpectedEof errno=None failed to fill whole buffer
file-read-eof: ok 0
write-after-peer-closed: kind=BrokenPipe errno=Some(32) [Errno 32] Broken pipe
reset-read: kind=ConnectionReset errno=Some(104) [Errno 104] Connection reset by peer
refused: kind=ConnectionRefused errno=Some(111) [Errno 111] Connection refused
eintr: kind=Interrupted errno=Some(4)
read-exact-retries-eintr: ok [100, 97, 116, 97]
std-fs-error: FileNotFoundError errno=Some(2)
done
";

fn check(family: &str, run: fn(&str, &[&str], wasock_host::Policy) -> Outcome) {
    let out = run("std_io", &[family], loopback_policy());
    assert_eq!(out.code, Ok(0), "{out:?}");
    assert_eq!(out.stdout, EXPECTED, "stderr: {}", out.stderr);
}

#[test]
fn io_error_kinds_ipv4_sync() {
    check("4", run_sync);
}

#[test]
fn io_error_kinds_ipv6_async() {
    check("6", run_async);
}
