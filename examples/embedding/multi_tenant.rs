//! Many guests in one process, each with its own policy: the shape of a
//! wasmtime-based platform. The component is compiled once and linked once
//! (`InstancePre`); each tenant gets a fresh instance from wasmtime's
//! pooling allocator (pre-reserved slots, so instantiation is cheap and
//! bounded) and runs as a task on one tokio runtime.
//!
//! ```text
//! cargo run -p wasock-host --example multi_tenant -- GUEST.wasm PORT TENANTS
//! ```
//!
//! Every tenant runs `GUEST 127.0.0.1 PORT` (for example the echo client).
//! Tenants with an even number may connect to 127.0.0.1:PORT; odd ones
//! may only connect to the port above it, so their connect is denied.
//! Prints one line per tenant: `tenant N: exit CODE: <first output line>`.

use std::io::IsTerminal as _;
use std::sync::Arc;
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, Store};
use wasmtime_wasi::p2::bindings::CommandPre;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{I32Exit, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};
use wasock_host::{Policy, WasockCtx, WasockCtxView, WasockView};

struct Tenant {
    wasi: WasiCtx,
    wasock: WasockCtx,
    table: ResourceTable,
}

impl WasiView for Tenant {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasockView for Tenant {
    fn wasock(&mut self) -> WasockCtxView<'_> {
        WasockCtxView {
            ctx: &mut self.wasock,
            table: &mut self.table,
        }
    }
}

/// An engine whose instances come from a fixed pool sized for `tenants`.
fn pooled_engine(tenants: u32) -> wasmtime::Result<Engine> {
    let mut pool = PoolingAllocationConfig::default();
    pool.total_component_instances(tenants)
        // A wasm32-wasip2 command has a handful of core instances, memories
        // and tables (the program and its adapter shims).
        .total_core_instances(tenants * 16)
        .total_memories(tenants * 4)
        .total_tables(tenants * 8)
        .max_memory_size(64 << 20);
    let mut config = Config::new();
    config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    Engine::new(&config)
}

/// Tenant `n`'s policy: even tenants may reach `port`, odd ones `port + 1`.
fn policy(n: u32, port: u16) -> wasmtime::Result<Policy> {
    let allowed = if n.is_multiple_of(2) {
        port
    } else {
        port.wrapping_add(1)
    };
    Ok(Policy::deny_all().allow_connect(&format!("127.0.0.1:{allowed}"))?)
}

/// Runs one tenant to the end; returns its exit code and output.
async fn run_tenant(
    pre: CommandPre<Tenant>,
    n: u32,
    guest: String,
    port: u16,
) -> wasmtime::Result<(i32, String)> {
    let out = MemoryOutputPipe::new(64 << 10);
    let wasi = WasiCtxBuilder::new()
        .stdout(out.clone())
        .stderr(out.clone())
        .args(&[guest, "127.0.0.1".into(), port.to_string()])
        .build();
    let tenant = Tenant {
        wasi,
        wasock: WasockCtx::new(Arc::new(policy(n, port)?)),
        table: ResourceTable::new(),
    };
    let mut store = Store::new(pre.engine(), tenant);
    let command = pre.instantiate_async(&mut store).await?;
    let code = match command.wasi_cli_run().call_run(&mut store).await {
        Ok(Ok(())) => 0,
        Ok(Err(())) => 1,
        Err(e) => match e.downcast_ref::<I32Exit>() {
            Some(exit) => exit.0,
            None => return Err(e),
        },
    };
    let text = String::from_utf8_lossy(&out.contents()).into_owned();
    Ok((code, text.lines().next().unwrap_or("").to_string()))
}

#[tokio::main]
async fn main() -> wasmtime::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [guest, port, tenants] = args.as_slice() else {
        wasmtime::bail!("usage: multi_tenant GUEST.wasm PORT TENANTS");
    };
    let port: u16 = port.parse()?;
    let tenants: u32 = tenants.parse()?;

    let engine = pooled_engine(tenants)?;
    let component = Component::from_file(&engine, guest)?;
    let mut linker = Linker::<Tenant>::new(&engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    wasock_host::add_to_linker_async(&mut linker)?;
    // Type-checked and linked once, instantiated per tenant.
    let pre = CommandPre::new(linker.instantiate_pre(&component)?)?;

    let tasks: Vec<_> = (0..tenants)
        .map(|n| tokio::spawn(run_tenant(pre.clone(), n, guest.clone(), port)))
        .collect();
    for (n, task) in tasks.into_iter().enumerate() {
        let (code, first) = task.await??;
        println!("tenant {n}: exit {code}: {first}");
    }
    Ok(())
}
