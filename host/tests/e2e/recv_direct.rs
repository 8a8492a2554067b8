//! `recv_into`, `recvfrom_into` and `recvmsg_into` receive straight into
//! the guest's buffer (`guest/src/wit/recvbuf.rs`): the guest
//! (`tests/guests/src/bin/recv_direct.rs`) counts its own allocations with
//! a counting global allocator around each call and checks every byte,
//! against a native UDP echo on 127.0.0.1. Without the direct path each
//! receive allocates a buffer of the data's size, and the counts below are
//! no longer zero.

use crate::support::*;
use std::net::UdpSocket;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

const EXPECTED: &str = "\
stream 64 KiB: data ok true, allocations 0, of 1 KiB or more 0
stream 8 KiB of 64 KiB (nbytes): data ok true, allocations 0, of 1 KiB or more 0
stream 100 B: data ok true, allocations 0, of 1 KiB or more 0
empty non-blocking recv_into: BlockingIOError: [Errno 11] Resource temporarily unavailable
timed-out recv_into: TimeoutError: timed out
buffer after the failures starts \"keep\"
recvmsg_into one buffer: 4000 bytes, data ok true, allocations of 1 KiB or more 0
recvmsg_into two buffers: 4000 bytes, data ok true
udp recvfrom_into 1400 B: data and address ok true, allocations of 1 KiB or more 0
udp recvfrom_into truncated: 2000 bytes, data ok true
";

/// A native UDP echo on 127.0.0.1 until `stop` (bounded: at most 1,000
/// datagrams, each wait at most 100 ms).
fn udp_echo(stop: Arc<AtomicBool>) -> (u16, std::thread::JoinHandle<()>) {
    let s = UdpSocket::bind("127.0.0.1:0").unwrap();
    s.set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let port = s.local_addr().unwrap().port();
    let h = std::thread::spawn(move || {
        let mut buf = vec![0u8; 65536];
        let mut echoed = 0;
        while !stop.load(Ordering::Relaxed) && echoed < 1000 {
            if let Ok((n, from)) = s.recv_from(&mut buf) {
                let _ = s.send_to(&buf[..n], from);
                echoed += 1;
            }
        }
    });
    (port, h)
}

fn check(run: fn(&str, &[&str], wasock_host::Policy) -> Outcome) {
    let stop = Arc::new(AtomicBool::new(false));
    let (port, echo) = udp_echo(stop.clone());
    let out = run("recv_direct", &[&port.to_string()], loopback_policy());
    stop.store(true, Ordering::Relaxed);
    echo.join().unwrap();
    assert_eq!(out.code, Ok(0), "{out:?}");
    assert_eq!(out.stdout, EXPECTED, "stderr: {}", out.stderr);
}

#[test]
fn recv_into_writes_straight_into_the_buffer_sync() {
    check(run_sync);
}

#[test]
fn recv_into_writes_straight_into_the_buffer_async() {
    check(run_async);
}
