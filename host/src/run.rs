//! Running a guest command component with wasi:cli and wasock sockets: what
//! the `wasock run` CLI does, usable by embedders and tests.

use crate::ctx::{WasockCtx, WasockCtxView, WasockView};
use crate::policy::{Policy, Transport, Use};
use std::sync::Arc;
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Engine, Store};
use wasmtime_wasi::p2::bindings::sync::Command as SyncCommand;
use wasmtime_wasi::p2::bindings::Command as AsyncCommand;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::sockets::SocketAddrUse;
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

/// Store data for a guest: WASI, wasock, and their shared resource table.
pub struct GuestState {
    wasi: WasiCtx,
    wasock: WasockCtx,
    table: ResourceTable,
}

impl WasiView for GuestState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasockView for GuestState {
    fn wasock(&mut self) -> WasockCtxView<'_> {
        WasockCtxView {
            ctx: &mut self.wasock,
            table: &mut self.table,
        }
    }
}

/// Where a guest's standard output and error go.
#[derive(Clone, Default)]
pub enum Output {
    /// The host process's own stdout / stderr.
    #[default]
    Inherit,
    /// Captured in memory (read it back with [`MemoryOutputPipe::contents`]).
    Capture(MemoryOutputPipe, MemoryOutputPipe),
}

/// How to run one guest.
#[derive(Clone, Default)]
pub struct GuestConfig {
    /// `argv`, including the program name.
    pub args: Vec<String>,
    /// Environment variables.
    pub env: Vec<(String, String)>,
    /// Standard output and error.
    pub output: Output,
    /// The policy for wasock sockets and (if it says so) wasi:sockets.
    pub policy: Arc<Policy>,
}

impl GuestConfig {
    /// Fresh store data for one instance of this guest.
    pub fn state(&self) -> GuestState {
        let mut b = WasiCtxBuilder::new();
        b.args(&self.args);
        for (k, v) in &self.env {
            b.env(k, v);
        }
        match &self.output {
            Output::Inherit => {
                b.inherit_stdout().inherit_stderr();
            }
            Output::Capture(out, err) => {
                b.stdout(out.clone()).stderr(err.clone());
            }
        }
        if self.policy.wasi_sockets_allowed() {
            let policy = self.policy.clone();
            b.allow_tcp(true)
                .allow_udp(true)
                .allow_ip_name_lookup(false);
            b.socket_addr_check(move |addr, use_| {
                let ok = wasi_use_allowed(&policy, addr, use_);
                Box::pin(async move { ok })
            });
        }
        GuestState {
            wasi: b.build(),
            wasock: WasockCtx::new(self.policy.clone()),
            table: ResourceTable::new(),
        }
    }
}

/// wasi:sockets uses judged by the wasock policy. The implicit bind to the
/// wildcard address with port 0 that wasi:sockets checks before every
/// connect is allowed (the kernel picks an ephemeral port), as wasock
/// sockets do not check it either.
fn wasi_use_allowed(policy: &Policy, addr: std::net::SocketAddr, use_: SocketAddrUse) -> bool {
    let (u, t) = match use_ {
        SocketAddrUse::TcpBind | SocketAddrUse::TcpListen => (Use::Bind, Transport::Tcp),
        SocketAddrUse::TcpConnect => (Use::Connect, Transport::Tcp),
        SocketAddrUse::UdpBind => (Use::Bind, Transport::Udp),
        SocketAddrUse::UdpSend => (Use::Connect, Transport::Udp),
        // As for wasock sockets: accepting on an allowed listener and
        // receiving on an allowed socket are not filtered per peer.
        SocketAddrUse::TcpAccept | SocketAddrUse::UdpReceive => return true,
    };
    if u == Use::Bind && addr.ip().is_unspecified() && addr.port() == 0 {
        return true;
    }
    let ok = policy.permits(u, t, addr);
    if !ok {
        tracing::warn!(target: "wasock::policy", "wasi:sockets {u} to {addr} ({t}) denied by policy");
    } else if matches!(use_, SocketAddrUse::UdpSend) {
        tracing::debug!(target: "wasock::policy", "wasi:sockets send to {addr} ({t}) allowed");
    } else {
        tracing::info!(target: "wasock::policy", "wasi:sockets {u} to {addr} ({t}) allowed");
    }
    ok
}

/// A compiled guest's exit status: `Ok(code)`, or the trap as an error.
/// wasi:cli's `exit` carries success or failure (0 or 1); `exit-with-code`
/// (wasi:cli 0.2.12) carries the code itself.
fn exit_code(r: wasmtime::Result<Result<(), ()>>) -> wasmtime::Result<i32> {
    match r {
        Ok(Ok(())) => Ok(0),
        Ok(Err(())) => Ok(1),
        Err(e) => match e.downcast_ref::<wasmtime_wasi::I32Exit>() {
            Some(exit) => Ok(exit.0),
            None => Err(e),
        },
    }
}

/// A linker with wasi (p2) and wasock for synchronous stores.
pub fn sync_linker(engine: &Engine) -> wasmtime::Result<Linker<GuestState>> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
    crate::add_to_linker_sync(&mut linker)?;
    Ok(linker)
}

/// A linker with wasi (p2) and wasock for async stores.
pub fn async_linker(engine: &Engine) -> wasmtime::Result<Linker<GuestState>> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    crate::add_to_linker_async(&mut linker)?;
    Ok(linker)
}

/// Whether a component imports wasi:sockets (it uses Rust's `std::net` or
/// another wasi:sockets client).
pub fn imports_wasi_sockets(engine: &Engine, component: &Component) -> bool {
    component
        .component_type()
        .imports(engine)
        .any(|(name, _)| name.starts_with("wasi:sockets/"))
}

/// Logs, once per run, that a guest which uses wasi:sockets runs with them
/// off: its sockets will fail with "permission denied", and the user should
/// know why.
fn warn_if_wasi_sockets_off(engine: &Engine, component: &Component, config: &GuestConfig) {
    if !config.policy.wasi_sockets_allowed() && imports_wasi_sockets(engine, component) {
        tracing::warn!(
            target: "wasock::policy",
            "the guest imports wasi:sockets (e.g. Rust std::net), which this policy keeps off: \
             its std::net sockets fail with PermissionDenied. Allow them under the same rules \
             with --allow-wasi-sockets (Policy::allow_wasi_sockets), or use the wasock crate"
        );
    }
}

/// Runs a command component's `wasi:cli/run` on this thread; returns its
/// exit code.
pub fn run_sync(
    linker: &Linker<GuestState>,
    component: &Component,
    config: &GuestConfig,
) -> wasmtime::Result<i32> {
    warn_if_wasi_sockets_off(linker.engine(), component, config);
    let mut store = Store::new(linker.engine(), config.state());
    let cmd = SyncCommand::instantiate(&mut store, component, linker)?;
    exit_code(cmd.wasi_cli_run().call_run(&mut store))
}

/// Runs a command component's `wasi:cli/run` as a task of the current
/// tokio runtime; returns its exit code.
pub async fn run_async(
    linker: &Linker<GuestState>,
    component: &Component,
    config: &GuestConfig,
) -> wasmtime::Result<i32> {
    warn_if_wasi_sockets_off(linker.engine(), component, config);
    let mut store = Store::new(linker.engine(), config.state());
    let cmd = AsyncCommand::instantiate_async(&mut store, component, linker).await?;
    exit_code(cmd.wasi_cli_run().call_run(&mut store).await)
}
