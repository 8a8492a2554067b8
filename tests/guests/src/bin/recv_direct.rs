//! `recv_into`, `recvfrom_into` and `recvmsg_into` write the host's data
//! straight into the caller's buffer: this guest counts every allocation
//! its program makes (a counting global allocator) around those calls and
//! checks every byte received. Usage: recv_direct PORT (a UDP port on
//! 127.0.0.1 where the host test echoes datagrams back).
//!
//! Printed lines are compared by `host/tests/e2e/recv_direct.rs`; without
//! the direct path every receive allocates its data (one allocation of the
//! buffer's size per call), which the counts show.
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use wasock::*;
use wasock_test_guests::{exc, must};

/// Counts allocations of at least [`LARGE`] bytes, and all allocations.
struct Counting;

static ALL: AtomicUsize = AtomicUsize::new(0);
static BIG: AtomicUsize = AtomicUsize::new(0);
const LARGE: usize = 1024;

fn count(size: usize) {
    ALL.fetch_add(1, Relaxed);
    if size >= LARGE {
        BIG.fetch_add(1, Relaxed);
    }
}

// SAFETY: forwards to the system allocator unchanged.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// (all allocations, allocations of at least 1 KiB) made by `f`.
fn counted<T>(f: impl FnOnce() -> T) -> (T, usize, usize) {
    let (a, b) = (ALL.load(Relaxed), BIG.load(Relaxed));
    let r = f();
    (r, ALL.load(Relaxed) - a, BIG.load(Relaxed) - b)
}

/// The bytes of round `i`: a pattern no two rounds share at any offset.
fn pattern(i: usize, len: usize) -> Vec<u8> {
    (0..len).map(|k| (k * 7 + i * 13 + 1) as u8).collect()
}

const ROUNDS: usize = 50;

fn main() {
    let port: u16 = std::env::args()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .expect("usage: recv_direct PORT");

    // A stream pair: large and small receives, full and nbytes-limited.
    let (a, b) = must("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0));
    let mut buf = vec![0u8; 64 << 10];
    for (what, len, nbytes) in [
        ("stream 64 KiB", 64 << 10, 0),
        ("stream 8 KiB of 64 KiB (nbytes)", 8 << 10, 8 << 10),
        ("stream 100 B", 100, 0),
    ] {
        let mut ok = true;
        let mut all = 0;
        let mut big = 0;
        for i in 0..ROUNDS {
            let data = pattern(i, len);
            must("sendall", a.sendall(&data));
            let mut got = 0;
            while got < len && ok {
                let (r, n_all, n_big) = counted(|| b.recv_into(&mut buf[got..], nbytes, 0));
                all += n_all;
                big += n_big;
                match r {
                    Ok(0) | Err(_) => ok = false,
                    Ok(n) => got += n,
                }
            }
            ok &= buf[..len] == data[..];
        }
        println!("{what}: data ok {ok}, allocations {all}, of 1 KiB or more {big}");
    }

    // A failed receive leaves the buffer as it was.
    must("setblocking", b.setblocking(false));
    buf[..4].copy_from_slice(b"keep");
    match b.recv_into(&mut buf, 0, 0) {
        Err(e) => println!("empty non-blocking recv_into: {}", exc(&e)),
        Ok(n) => println!("empty non-blocking recv_into: {n}"),
    }
    must("settimeout", b.settimeout(Some(0.05)));
    match b.recv_into(&mut buf, 0, 0) {
        Err(e) => println!("timed-out recv_into: {}", exc(&e)),
        Ok(n) => println!("timed-out recv_into: {n}"),
    }
    println!(
        "buffer after the failures starts {:?}",
        String::from_utf8_lossy(&buf[..4])
    );

    // recvmsg_into: one buffer (direct) and two (scattered).
    must("setblocking", b.setblocking(true));
    let data = pattern(99, 4000);
    must("sendall", a.sendall(&data));
    let (r, _, big) = counted(|| b.recvmsg_into(&mut [&mut buf[..4000]], 0, 0));
    let (n, _, _, _) = must("recvmsg_into", r);
    println!(
        "recvmsg_into one buffer: {n} bytes, data ok {}, allocations of 1 KiB or more {big}",
        buf[..n] == data[..]
    );
    must("sendall", a.sendall(&data));
    let (mut x, mut y) = (vec![0u8; 1500], vec![0u8; 2500]);
    let (n, _, _, _) = must(
        "recvmsg_into",
        b.recvmsg_into(&mut [&mut x[..], &mut y[..]], 0, 0),
    );
    println!(
        "recvmsg_into two buffers: {n} bytes, data ok {}",
        x[..] == data[..1500] && y[..] == data[1500..]
    );

    // UDP: recvfrom_into from the host's echo, address included.
    let u = must("socket", socket(AF_INET, SOCK_DGRAM, 0));
    must("bind", u.bind(("127.0.0.1", 0)));
    must("settimeout", u.settimeout(Some(5.0)));
    let to = Address::from(("127.0.0.1", port));
    let mut ok = true;
    let mut big = 0;
    for i in 0..ROUNDS {
        let data = pattern(i, 1400);
        must("sendto", u.sendto(&data, &to));
        let (r, _, n_big) = counted(|| u.recvfrom_into(&mut buf, 0, 0));
        big += n_big;
        match r {
            Ok((n, from)) => ok &= buf[..n] == data[..] && from == to,
            Err(e) => {
                println!("recvfrom_into: {}", exc(&e));
                ok = false;
            }
        }
    }
    println!(
        "udp recvfrom_into 1400 B: data and address ok {ok}, allocations of 1 KiB or more {big}"
    );
    // A datagram larger than the buffer is truncated, as recvfrom(2) does.
    must("sendto", u.sendto(&pattern(7, 3000), &to));
    let mut small = vec![0u8; 2000];
    let (n, _) = must("recvfrom_into", u.recvfrom_into(&mut small, 0, 0));
    println!(
        "udp recvfrom_into truncated: {n} bytes, data ok {}",
        small[..] == pattern(7, 3000)[..2000]
    );
}
