//! A complete embedding of wasock in an async (tokio) wasmtime host: one
//! guest component with wasi:cli and wasock sockets, under a policy built
//! in code, with a tracing subscriber so that every policy decision shows
//! on stderr.
//!
//! ```text
//! cargo run -p wasock-host --example embed -- [--unix-dir DIR] ALLOW GUEST.wasm [ARGS]...
//! ```
//!
//! `ALLOW` is the one destination the guest may connect to
//! (`127.0.0.1:50007`); everything else is denied. With `--unix-dir DIR`
//! the guest may also use AF_UNIX paths beneath `DIR`: the embedder opens
//! it as a `cap_std::fs::Dir` with its ambient authority, and the policy
//! holds that capability (guest paths are relative to it and never leave
//! it). For example, with a
//! server listening on 127.0.0.1:50007:
//!
//! ```text
//! cargo run -p wasock-host --example embed -- 127.0.0.1:50007 \
//!     target/wasm32-wasip2/release/echo_client.wasm 127.0.0.1 50007
//! ```
//!
//! An embedder's `Cargo.toml` needs (versions and features as this
//! repository's; wasmtime's default features would build a second, larger
//! wasmtime):
//!
//! ```toml
//! wasmtime = { version = "48.0.8", default-features = false, features = ["runtime", "cranelift", "component-model", "async", "std", "parallel-compilation", "pooling-allocator"] }
//! wasmtime-wasi = { version = "48.0.8", default-features = false, features = ["p2"] }
//! wasock-host = { path = "…/host", default-features = false }
//! tokio = { version = "1", features = ["rt-multi-thread", "macros"] }
//! cap-std = "4"
//! tracing-subscriber = { version = "0.3", features = ["env-filter"] }
//! ```

use std::io::IsTerminal as _;
use std::process::ExitCode;
use std::sync::Arc;
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Engine, Store};
use wasmtime_wasi::p2::bindings::Command;
use wasmtime_wasi::{I32Exit, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};
use wasock_host::{Policy, WasockCtx, WasockCtxView, WasockView};

/// The store's data: WASI, wasock, and the resource table they share.
struct Host {
    wasi: WasiCtx,
    wasock: WasockCtx,
    table: ResourceTable,
}

impl WasiView for Host {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasockView for Host {
    fn wasock(&mut self) -> WasockCtxView<'_> {
        WasockCtxView {
            ctx: &mut self.wasock,
            table: &mut self.table,
        }
    }
}

// One guest: a current-thread runtime runs it on the thread that polls
// tokio's reactor. (`#[tokio::main]`'s default, a multi-thread runtime,
// would run `main` on a thread of its own while a worker polls, and every
// wake of the guest would cross threads.)
#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    // Policy decisions are logged with target `wasock::policy`: denials at
    // `warn`, allowed uses at `info`.
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,wasock=info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let unix_dir = match args.first().map(String::as_str) {
        Some("--unix-dir") if args.len() > 1 => args.drain(..2).nth(1),
        _ => None,
    };
    let [allow, guest, guest_args @ ..] = args.as_slice() else {
        eprintln!("usage: embed [--unix-dir DIR] ALLOW GUEST.wasm [ARGS]...");
        return ExitCode::from(2);
    };
    match run(unix_dir.as_deref(), allow, guest, guest_args).await {
        Ok(code) => ExitCode::from(code.to_le_bytes()[0]),
        Err(e) => {
            eprintln!("embed: {e:?}");
            ExitCode::FAILURE
        }
    }
}

async fn run(
    unix_dir: Option<&str>,
    allow: &str,
    guest: &str,
    guest_args: &[String],
) -> wasmtime::Result<i32> {
    // The policy, built in code: deny by default, then one destination.
    let mut policy = Policy::deny_all().allow_connect(allow)?;
    if let Some(dir) = unix_dir {
        // The embedder's ambient authority opens the directory once; the
        // guest gets only what is beneath it.
        let dir = cap_std::fs::Dir::open_ambient_dir(dir, cap_std::ambient_authority())?;
        policy = policy.unix_dir(dir);
    }

    let engine = Engine::default();
    let component = Component::from_file(&engine, guest)?;
    let mut linker = Linker::<Host>::new(&engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    wasock_host::add_to_linker_async(&mut linker)?;

    let wasi = WasiCtxBuilder::new()
        .inherit_stdout()
        .inherit_stderr()
        .arg(guest)
        .args(guest_args)
        .build();
    let host = Host {
        wasi,
        wasock: WasockCtx::new(Arc::new(policy)),
        table: ResourceTable::new(),
    };
    let mut store = Store::new(&engine, host);
    let command = Command::instantiate_async(&mut store, &component, &linker).await?;
    match command.wasi_cli_run().call_run(&mut store).await {
        Ok(Ok(())) => Ok(0),
        Ok(Err(())) => Ok(1),
        // The guest called exit: its status.
        Err(e) => match e.downcast_ref::<I32Exit>() {
            Some(exit) => Ok(exit.0),
            None => Err(e),
        },
    }
}
