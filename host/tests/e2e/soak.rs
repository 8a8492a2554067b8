//! The short form of the soak (`wasock-soak`, fuzz/src/soak.rs): a few
//! `soak` guest instances echo checksummed data concurrently through a
//! native echo server with the async embedding for half a second each;
//! no errors, no checksum mismatches, no descriptor left open.

use crate::support::*;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasock_host::run::{self, GuestConfig, Output};
use wasock_host::Policy;

const INSTANCES: usize = 8;

/// A native echo server for `n` connections, one thread each.
fn echo_server(n: usize) -> (u16, std::thread::JoinHandle<()>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let h = std::thread::spawn(move || {
        let conns: Vec<_> = (0..n)
            .map(|_| {
                let (mut c, _) = l.accept().unwrap();
                std::thread::spawn(move || {
                    let mut buf = vec![0u8; 65536];
                    loop {
                        match c.read(&mut buf) {
                            Ok(0) | Err(_) => break,
                            Ok(k) => {
                                if c.write_all(&buf[..k]).is_err() {
                                    break;
                                }
                            }
                        }
                    }
                })
            })
            .collect();
        for c in conns {
            let _ = c.join();
        }
    });
    (port, h)
}

/// Runs `INSTANCES` soak guests at once; returns their outputs.
fn soak_round() -> Vec<(Result<i32, String>, String)> {
    let (port, server) = echo_server(INSTANCES);
    let component = component("soak");
    let policy = Arc::new(
        Policy::deny_all()
            .allow_connect(&format!("127.0.0.1:{port}"))
            .unwrap(),
    );
    let results = bounded("soak", GUEST_LIMIT, move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let linker = Arc::new(run::async_linker(engine()).unwrap());
            let tasks: Vec<_> = (0..INSTANCES)
                .map(|i| {
                    let out = MemoryOutputPipe::new(4096);
                    let config = GuestConfig {
                        args: ["soak", &port.to_string(), "500", "3000", &i.to_string()]
                            .map(String::from)
                            .to_vec(),
                        output: Output::Capture(out.clone(), MemoryOutputPipe::new(4096)),
                        policy: policy.clone(),
                        ..Default::default()
                    };
                    let (linker, component) = (linker.clone(), component.clone());
                    tokio::spawn(async move {
                        let code = run::run_async(&linker, &component, &config)
                            .await
                            .map_err(|e| format!("{e:?}"));
                        (code, read(&out))
                    })
                })
                .collect();
            let mut v = Vec::new();
            for t in tasks {
                v.push(t.await.unwrap());
            }
            v
        })
    });
    server.join().unwrap();
    results
}

#[test]
fn short_soak_moves_data_intact_and_leaks_nothing() {
    if !alone("soak::short_soak_moves_data_intact_and_leaks_nothing") {
        return;
    }
    soak_round(); // warm-up: engine, runtime, the component's memory image
    let before = open_fds();
    let results = soak_round();
    assert_no_fd_leak(before);
    for (code, out) in results {
        assert_eq!(code, Ok(0), "{out}");
        let nums: Vec<u64> = out
            .split_whitespace()
            .filter_map(|w| w.parse().ok())
            .collect();
        assert_eq!(nums.len(), 4, "{out}");
        let (bytes, blocks, errors, mismatches) = (nums[0], nums[1], nums[2], nums[3]);
        assert!(bytes > 0 && blocks > 0, "{out}");
        assert_eq!((errors, mismatches), (0, 0), "{out}");
    }
}
