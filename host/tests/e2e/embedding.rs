//! The async embedding: a guest waiting in accept holds no executor thread.

use crate::support::*;
use std::sync::Arc;
use std::time::Duration;
use wasock_host::run;

#[test]
fn fifty_guests_blocked_in_accept_do_not_starve_an_echo_round_trip() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let linker = Arc::new(run::async_linker(engine()).unwrap());
    let blocked = component("accept_forever");
    let mut waiting = Vec::new();
    let mut handles = Vec::new();
    for _ in 0..50 {
        let (cfg, out, _err) = config("accept_forever", &[], loopback_policy());
        let (l, c) = (linker.clone(), blocked.clone());
        handles.push(rt.spawn(async move {
            run::run_async(&l, &c, &cfg)
                .await
                .map_err(|e| format!("{e:?}"))
        }));
        waiting.push(out);
    }
    for out in &waiting {
        assert!(
            wait_for(out, "listening", Duration::from_secs(60)),
            "a guest never reached accept"
        );
    }
    // All 50 are now inside accept. An echo server and client still run to
    // completion on the same 2 worker threads.
    let port = free_port().to_string();
    let (scfg, sout, serr) = config("echo_server", &["127.0.0.1", &port], loopback_policy());
    let (l, c) = (linker.clone(), component("echo_server"));
    let server = rt.spawn(async move {
        run::run_async(&l, &c, &scfg)
            .await
            .map_err(|e| format!("{e:?}"))
    });
    let client_comp = component("echo_client");
    let mut client_out = None;
    for _ in 0..100 {
        let (ccfg, cout, cerr) = config("echo_client", &["127.0.0.1", &port], loopback_policy());
        let code = rt.block_on(async {
            tokio::time::timeout(
                Duration::from_secs(20),
                run::run_async(&linker, &client_comp, &ccfg),
            )
            .await
        });
        let code = code
            .expect("echo client timed out")
            .map_err(|e| format!("{e:?}"));
        if code == Ok(0) {
            client_out = Some(read(&cout));
            break;
        }
        assert!(
            read(&cerr).contains("ConnectionRefusedError"),
            "{}",
            read(&cerr)
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(
        client_out.as_deref().map(str::trim),
        Some("Received b'Hello, world'")
    );
    let s = rt.block_on(async { tokio::time::timeout(Duration::from_secs(20), server).await });
    assert_eq!(s.unwrap().unwrap(), Ok(0), "{}", read(&serr));
    assert!(read(&sout).starts_with("Connected by"));
    // The 50 are still waiting; none finished or failed.
    for h in &handles {
        assert!(!h.is_finished());
    }
    for h in handles {
        h.abort();
    }
    rt.shutdown_timeout(Duration::from_secs(5));
}

#[test]
fn sync_and_async_embeddings_share_one_linker_with_wasi() {
    // run::sync_linker / async_linker put wasmtime-wasi and wasock in one
    // linker; a guest using both (stdio + sockets) runs in each.
    let a = run_sync("bad_input", &["fd-limit"], loopback_policy());
    let b = run_async("bad_input", &["fd-limit"], loopback_policy());
    assert_eq!(a.code, Ok(0), "{}", a.stderr);
    assert_eq!(a.stdout, b.stdout);
}
