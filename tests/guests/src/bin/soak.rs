//! One instance of the soak (fuzz/src/bin/soak.rs and the short form in
//! host/tests/e2e/soak.rs): connects to an echo server and, until its time
//! is up, sends blocks of seeded pseudo-random bytes and checks that each
//! comes back intact (FNV-1a checksum and bytes). Usage:
//! `soak <port> <millis> <block> <seed>`; prints
//! `bytes <n> blocks <n> errors <n> mismatches <n>`.
use std::time::{Duration, Instant};
use wasock::*;

fn fnv(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    })
}

fn main() {
    let a: Vec<u64> = std::env::args()
        .skip(1)
        .map(|s| s.parse().unwrap_or(0))
        .collect();
    let get = |i: usize| a.get(i).copied().unwrap_or(0);
    let (port, millis, block, seed) = (get(0) as u16, get(1), get(2).max(1) as usize, get(3));
    let end = Instant::now() + Duration::from_millis(millis);
    let (mut bytes, mut blocks, mut errors, mut mismatches) = (0u64, 0u64, 0u64, 0u64);
    let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    match create_connection(("127.0.0.1", port), Some(30.0), None) {
        Err(e) => {
            eprintln!("connect: {e}");
            errors += 1;
        }
        Ok(s) => {
            let mut data = vec![0u8; block];
            let mut back = Vec::with_capacity(block);
            while Instant::now() < end {
                for b in data.iter_mut() {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    *b = state as u8;
                }
                let sum = fnv(&data);
                if let Err(e) = s.sendall(&data) {
                    eprintln!("sendall: {e}");
                    errors += 1;
                    break;
                }
                back.clear();
                while back.len() < block {
                    match s.recv(block - back.len()) {
                        Ok(d) if d.is_empty() => break,
                        Ok(d) => back.extend_from_slice(&d),
                        Err(e) => {
                            eprintln!("recv: {e}");
                            errors += 1;
                            break;
                        }
                    }
                }
                if back.len() != block {
                    errors += 1;
                    break;
                }
                if fnv(&back) != sum || back != data {
                    mismatches += 1;
                }
                bytes += 2 * block as u64;
                blocks += 1;
            }
        }
    }
    println!("bytes {bytes} blocks {blocks} errors {errors} mismatches {mismatches}");
}
