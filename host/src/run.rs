//! Running a guest command component with wasi:cli and wasock sockets: what
//! the `wasock run` CLI does, usable by embedders and tests.

use crate::ctx::{InterfaceView, WasockCtx, WasockCtxView, WasockView};
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
    /// The name `gethostname` gives the guest: `None` for `localhost`,
    /// `Some("-")` for the host's own name.
    pub hostname: Option<String>,
    /// The network interfaces the guest sees.
    pub interfaces: InterfaceView,
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
            wasock: self.wasock_ctx(),
            table: ResourceTable::new(),
        }
    }
}

impl GuestConfig {
    /// The wasock state for one instance: the policy, the presented host
    /// name and interface view.
    fn wasock_ctx(&self) -> WasockCtx {
        let ctx = WasockCtx::new(self.policy.clone()).with_interfaces(self.interfaces.clone());
        match self.hostname.as_deref() {
            None => ctx,
            Some("-") => ctx.with_host_hostname(),
            Some(name) => ctx.with_hostname(name),
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
    }
    ok
}

/// A compiled guest's exit status: `Ok(code)`, or the trap as an error.
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

/// Runs a command component's `wasi:cli/run` on this thread; returns its
/// exit code.
pub fn run_sync(
    linker: &Linker<GuestState>,
    component: &Component,
    config: &GuestConfig,
) -> wasmtime::Result<i32> {
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
    let mut store = Store::new(linker.engine(), config.state());
    let cmd = AsyncCommand::instantiate_async(&mut store, component, linker).await?;
    exit_code(cmd.wasi_cli_run().call_run(&mut store).await)
}
