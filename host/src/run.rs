//! Running a guest command component with wasi:cli and wasock sockets: what
//! the `wasock run` CLI does, usable by embedders and tests.

use crate::ctx::{enforce, InterfaceView, Shared, WasockCtx, WasockCtxView, WasockView};
use crate::policy::{Destination, Policy, Recorder, Source, Transport, Use};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;
use wasmtime::component::{Component, Linker, Resource, ResourceTable};
use wasmtime::StoreContextMut;
use wasmtime::{Engine, Store, StoreLimits, StoreLimitsBuilder, UpdateDeadline};
use wasmtime_wasi::p2::bindings::sockets::network::{ErrorCode as WasiErrorCode, IpAddressFamily};
use wasmtime_wasi::p2::bindings::sync::Command as SyncCommand;
use wasmtime_wasi::p2::bindings::Command as AsyncCommand;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::sockets::SocketAddrUse;
use wasmtime_wasi::sockets::WasiSocketsView;
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

/// Store data for a guest: WASI, wasock, and their shared resource table.
pub struct GuestState {
    wasi: WasiCtx,
    wasock: WasockCtx,
    table: ResourceTable,
    limits: StoreLimits,
    /// The name each live wasi:sockets lookup stream resolves (by resource
    /// rep), so that its answers can be noted for hostname rules.
    lookups: std::collections::HashMap<u32, String>,
}

impl GuestState {
    /// The instance's wasock state (counters, what lookups returned).
    pub fn wasock_ctx(&self) -> &WasockCtx {
        &self.wasock
    }

    /// Whether the instance holds as many sockets (wasock and wasi:sockets
    /// together) as its policy allows.
    fn at_socket_limit(&mut self) -> bool {
        let open = self.wasock.open_sockets
            + self.wasock.sent_sockets
            + crate::ctx::wasi_sockets_in(&mut self.table);
        open >= self.wasock.policy.limits.max_sockets
    }
}

/// The wasi:sockets interfaces whose socket-creating functions
/// [`limit_wasi_sockets`] replaces (the version wasmtime-wasi defines).
const TCP_CREATE: &str = "wasi:sockets/tcp-create-socket@0.2.12";
const UDP_CREATE: &str = "wasi:sockets/udp-create-socket@0.2.12";

type WasiResult<T> = wasmtime::Result<(Result<T, WasiErrorCode>,)>;

fn wasi_result<T>(r: wasmtime_wasi::p2::SocketResult<T>) -> WasiResult<T> {
    match r {
        Ok(v) => Ok((Ok(v),)),
        Err(e) => Ok((Err(e.downcast()?),)),
    }
}

fn socket_limit_reached(state: &GuestState) {
    tracing::warn!(
        target: "wasock::policy",
        "wasi:sockets socket creation denied: the policy's limit of {} open sockets is reached",
        state.wasock.policy.limits.max_sockets
    );
}

/// The wasi:sockets interface whose lookups [`govern_wasi_lookups`] wraps.
const NAME_LOOKUP: &str = "wasi:sockets/ip-name-lookup@0.2.12";

fn std_ip(a: wasmtime_wasi::p2::bindings::sockets::network::IpAddress) -> std::net::IpAddr {
    use wasmtime_wasi::p2::bindings::sockets::network::IpAddress as A;
    match a {
        A::Ipv4((a, b, c, d)) => std::net::Ipv4Addr::new(a, b, c, d).into(),
        A::Ipv6((a, b, c, d, e, f, g, h)) => std::net::Ipv6Addr::new(a, b, c, d, e, f, g, h).into(),
    }
}

/// Wraps wasi:sockets' name lookups: `resolve-addresses` of a name that is
/// not an address literal needs a `resolve` rule (else `access-denied`,
/// logged and audited), and each address a lookup returns is noted for
/// hostname rules, as wasock's own lookups are.
fn govern_wasi_lookups(linker: &mut Linker<GuestState>) -> wasmtime::Result<()> {
    use wasmtime_wasi::p2::bindings::sockets::ip_name_lookup::{
        Host as _, HostResolveAddressStream as _, ResolveAddressStream,
    };
    use wasmtime_wasi::p2::bindings::sockets::network::{IpAddress, Network};
    linker.allow_shadowing(true);
    let r = (|| -> wasmtime::Result<()> {
        let mut inst = linker.instance(NAME_LOOKUP)?;
        inst.func_wrap(
            "resolve-addresses",
            |mut store: StoreContextMut<'_, GuestState>,
             (network, name): (Resource<Network>, String)| {
                let st = store.data_mut();
                let literal = name.parse::<std::net::IpAddr>().is_ok()
                    || name
                        .strip_prefix('[')
                        .and_then(|n| n.strip_suffix(']'))
                        .is_some_and(|n| n.parse::<std::net::Ipv6Addr>().is_ok());
                if !literal {
                    let d = st.wasock.policy.decide_resolve(&name);
                    let rec = st.wasock.recorder.clone();
                    if enforce(&st.wasock.policy, rec.as_deref(), &d, Source::WasiSockets).is_err()
                    {
                        return Ok((Err(WasiErrorCode::AccessDenied),));
                    }
                }
                let r = st.sockets().resolve_addresses(network, name.clone());
                if let Ok(stream) = &r {
                    if st.lookups.len() >= 1024 {
                        st.lookups.clear();
                    }
                    st.lookups.insert(stream.rep(), name);
                }
                wasi_result(r)
            },
        )?;
        inst.func_wrap(
            "[method]resolve-address-stream.resolve-next-address",
            |mut store: StoreContextMut<'_, GuestState>,
             (stream,): (Resource<ResolveAddressStream>,)| {
                let st = store.data_mut();
                let rep = stream.rep();
                let r: wasmtime_wasi::p2::SocketResult<Option<IpAddress>> =
                    st.sockets().resolve_next_address(stream);
                if let Ok(Some(a)) = &r {
                    if let Some(name) = st.lookups.get(&rep).cloned() {
                        st.wasock.note_resolved(&name, &[std_ip(*a)]);
                    }
                }
                wasi_result(r)
            },
        )?;
        Ok(())
    })();
    linker.allow_shadowing(false);
    r
}

/// Replaces wasi:sockets' `create-tcp-socket` / `create-udp-socket` so that
/// the policy's `max-sockets` counts wasock and wasi:sockets sockets
/// together (past it: `new-socket-limit`).
fn limit_wasi_sockets(linker: &mut Linker<GuestState>, sync: bool) -> wasmtime::Result<()> {
    use wasmtime_wasi::p2::bindings::sockets::tcp_create_socket::Host as _;
    linker.allow_shadowing(true);
    let r = (|| -> wasmtime::Result<()> {
        let mut tcp = linker.instance(TCP_CREATE)?;
        tcp.func_wrap(
            "create-tcp-socket",
            |mut store: StoreContextMut<'_, GuestState>, (family,): (IpAddressFamily,)| {
                let st = store.data_mut();
                if st.at_socket_limit() {
                    socket_limit_reached(st);
                    return Ok((Err(WasiErrorCode::NewSocketLimit),));
                }
                wasi_result(st.sockets().create_tcp_socket(family))
            },
        )?;
        let mut udp = linker.instance(UDP_CREATE)?;
        if sync {
            udp.func_wrap(
                "create-udp-socket",
                |mut store: StoreContextMut<'_, GuestState>, (family,): (IpAddressFamily,)| {
                    use wasmtime_wasi::p2::bindings::sync::sockets::udp_create_socket::Host as _;
                    let st = store.data_mut();
                    if st.at_socket_limit() {
                        socket_limit_reached(st);
                        return Ok((Err(WasiErrorCode::NewSocketLimit),));
                    }
                    wasi_result(st.sockets().create_udp_socket(family))
                },
            )?;
        } else {
            udp.func_wrap_async(
                "create-udp-socket",
                |mut store: StoreContextMut<'_, GuestState>, (family,): (IpAddressFamily,)| {
                    Box::new(async move {
                        use wasmtime_wasi::p2::bindings::sockets::udp_create_socket::Host as _;
                        let st = store.data_mut();
                        if st.at_socket_limit() {
                            socket_limit_reached(st);
                            return Ok((Err(WasiErrorCode::NewSocketLimit),));
                        }
                        wasi_result(st.sockets().create_udp_socket(family).await)
                    })
                },
            )?;
        }
        Ok(())
    })();
    linker.allow_shadowing(false);
    r
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
    /// Records the instance's decisions (audit file, learn mode).
    pub recorder: Option<Arc<Recorder>>,
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
        let mut wasock = self.wasock_ctx();
        if let Some(r) = &self.recorder {
            wasock = wasock.with_recorder(r.clone());
        }
        if self.policy.wasi_sockets_allowed() {
            let policy = self.policy.clone();
            let shared = wasock.shared.clone();
            let recorder = self.recorder.clone();
            // Lookups are on when some name may be resolved; each is
            // checked by name (see `govern_wasi_lookups`).
            let lookups = self.policy.resolve_rules().iter().any(|(allow, _)| *allow);
            b.allow_tcp(true)
                .allow_udp(true)
                .allow_ip_name_lookup(lookups);
            b.socket_addr_check(move |addr, use_| {
                let ok = wasi_use_allowed(&policy, &shared, recorder.as_deref(), addr, use_);
                Box::pin(async move { ok })
            });
        }
        let mut limits = StoreLimitsBuilder::new();
        if let Some(m) = self.policy.limits.max_memory {
            limits = limits.memory_size(m);
        }
        GuestState {
            wasi: b.build(),
            wasock,
            table: ResourceTable::new(),
            limits: limits.trap_on_grow_failure(false).build(),
            lookups: Default::default(),
        }
    }

    /// A store for one instance of this guest on `engine`, with the
    /// policy's memory and wall-time limits in force. The wall-time limit
    /// needs an engine with epoch interruption on
    /// ([`wasmtime::Config::epoch_interruption`]); it stops guest code, and
    /// wasock socket calls and name lookups waiting at the deadline (they
    /// trap); not wasi:sockets calls.
    pub fn store(&self, engine: &Engine) -> wasmtime::Result<Store<GuestState>> {
        if let Some(why) = self.policy.unenforceable() {
            wasmtime::bail!("{why}");
        }
        let mut state = self.state();
        let deadline = self.policy.limits.wall_time.map(|l| Instant::now() + l);
        state.wasock.deadline = deadline;
        let mut store = Store::new(engine, state);
        store.limiter(|s| &mut s.limits);
        if let (Some(limit), Some(deadline)) = (self.policy.limits.wall_time, deadline) {
            if !engine.get_epoch_interruption() {
                wasmtime::bail!(
                    "the policy's wall-time limit needs an engine with epoch interruption on (wasmtime::Config::epoch_interruption)"
                );
            }
            tick(engine);
            store.set_epoch_deadline(1);
            store.epoch_deadline_callback(move |_| {
                if Instant::now() >= deadline {
                    tracing::warn!(target: "wasock::policy", "the guest ran past its wall-time limit of {limit:?}");
                    wasmtime::bail!("the guest ran past the policy's wall-time limit of {limit:?}")
                }
                Ok(UpdateDeadline::Continue(1))
            });
        } else if engine.get_epoch_interruption() {
            // Epoch interruption is on for another store's sake: never
            // interrupt this one (the default deadline is the current
            // epoch).
            store.set_epoch_deadline(1);
            store.epoch_deadline_callback(|_| Ok(UpdateDeadline::Continue(u64::from(u32::MAX))));
        }
        Ok(store)
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

/// The engines the ticker advances: weak references, so that an engine
/// the embedder drops is freed (and forgotten here at the next tick or
/// registration).
static ENGINES: OnceLock<Mutex<Vec<wasmtime::EngineWeak>>> = OnceLock::new();

/// Starts (once per process) the thread that advances the epoch of every
/// engine that runs a guest with a wall-time limit, every
/// [`Limits::EPOCH_TICK`](crate::policy::Limits::EPOCH_TICK). Each
/// store compares the clock with its own deadline at each tick, so one
/// ticker serves all. It holds the engines weakly: one dropped by its
/// embedder is freed, not kept for the life of the process.
fn tick(engine: &Engine) {
    let mut started = false;
    let list = ENGINES.get_or_init(|| {
        started = true;
        Mutex::default()
    });
    {
        let mut l = list.lock().unwrap_or_else(|e| e.into_inner());
        let mut known = false;
        l.retain(|w| match w.upgrade() {
            Some(e) => {
                known |= Engine::same(&e, engine);
                true
            }
            None => false,
        });
        if !known {
            l.push(engine.weak());
        }
    }
    if started {
        std::thread::spawn(move || loop {
            std::thread::sleep(crate::policy::Limits::EPOCH_TICK);
            // Upgraded under the lock, advanced (and released) after it:
            // the last reference to an engine may be dropped here.
            let live: Vec<Engine> = {
                let mut l = list.lock().unwrap_or_else(|e| e.into_inner());
                let live: Vec<Engine> = l.iter().filter_map(|w| w.upgrade()).collect();
                if live.len() != l.len() {
                    l.retain(|w| w.upgrade().is_some());
                }
                live
            };
            for e in &live {
                e.increment_epoch();
            }
        });
    }
}

/// How many engines the ticker holds (live or not yet forgotten).
#[cfg(test)]
pub(crate) fn ticked_engines() -> usize {
    ENGINES
        .get()
        .map_or(0, |l| l.lock().unwrap_or_else(|e| e.into_inner()).len())
}

/// wasi:sockets uses judged by the wasock policy, as wasock sockets are:
/// - binds and listens as local addresses (wasi:sockets sets IPV6_V6ONLY
///   on IPv6 sockets, so `[::]` is never dual-stack there); the wildcard
///   with port 0 is the implicit bind wasi:sockets checks before a connect
///   or first send, which it cannot tell from an explicit one: it is
///   allowed, and what such a socket receives is filtered per peer;
/// - connects and sends as destinations (where the kernel delivers them);
/// - accepts and receives per peer (wasi:sockets drops what is denied).
fn wasi_use_allowed(
    policy: &Policy,
    shared: &Mutex<Shared>,
    recorder: Option<&Recorder>,
    addr: SocketAddr,
    use_: SocketAddrUse,
) -> bool {
    let shared_ = || shared.lock().unwrap_or_else(|e| e.into_inner());
    let d = match use_ {
        SocketAddrUse::TcpBind | SocketAddrUse::UdpBind
            if addr.ip().is_unspecified() && addr.port() == 0 =>
        {
            return true
        }
        SocketAddrUse::TcpBind => policy.decide_local(Use::Bind, Transport::Tcp, addr, false),
        SocketAddrUse::UdpBind => policy.decide_local(Use::Bind, Transport::Udp, addr, false),
        SocketAddrUse::TcpListen => policy.decide_local(Use::Listen, Transport::Tcp, addr, false),
        SocketAddrUse::TcpConnect | SocketAddrUse::UdpSend => {
            let (u, t) = if matches!(use_, SocketAddrUse::TcpConnect) {
                if let Some(rate) = policy.limits.connections_per_second {
                    if crate::ctx::take_token(&mut shared_(), rate).is_err() {
                        return false;
                    }
                }
                (Use::Connect, Transport::Tcp)
            } else {
                (Use::SendTo, Transport::Udp)
            };
            let scope = match addr {
                SocketAddr::V6(a) => a.scope_id(),
                SocketAddr::V4(_) => 0,
            };
            let ip = match addr.ip() {
                std::net::IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(addr.ip(), Into::into),
                v4 => v4,
            };
            let host_local = !ip.is_loopback()
                && !ip.is_unspecified()
                && crate::net::hostaddr::is_host_address(ip, scope);
            let dest = Destination {
                addr,
                host_local,
                bound: None,
            };
            policy.decide_destination(u, t, dest, &shared_().resolutions, false)
        }
        SocketAddrUse::TcpAccept => {
            policy.decide_peer(Use::Accept, Transport::Tcp, addr, &shared_().resolutions)
        }
        SocketAddrUse::UdpReceive => {
            policy.decide_peer(Use::RecvFrom, Transport::Udp, addr, &shared_().resolutions)
        }
    };
    let ok = if matches!(use_, SocketAddrUse::TcpAccept | SocketAddrUse::UdpReceive) {
        let mut s = shared_();
        crate::ctx::enforce_peer(policy, recorder, &mut s, d, Source::WasiSockets).is_ok()
    } else {
        enforce(policy, recorder, &d, Source::WasiSockets).is_ok()
    };
    if !ok {
        let mut s = shared_();
        match use_ {
            SocketAddrUse::TcpAccept => s.dropped_connections += 1,
            SocketAddrUse::UdpReceive => s.dropped_datagrams += 1,
            _ => {}
        }
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
    limit_wasi_sockets(&mut linker, true)?;
    govern_wasi_lookups(&mut linker)?;
    crate::add_to_linker_sync(&mut linker)?;
    Ok(linker)
}

/// A linker with wasi (p2) and wasock for async stores.
pub fn async_linker(engine: &Engine) -> wasmtime::Result<Linker<GuestState>> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    limit_wasi_sockets(&mut linker, false)?;
    govern_wasi_lookups(&mut linker)?;
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

/// Whether a component imports wasock's `socket` interface.
fn imports_wasock_sockets(engine: &Engine, component: &Component) -> bool {
    component
        .component_type()
        .imports(engine)
        .any(|(name, _)| name.starts_with("wasock:socket/socket@"))
}

/// Logs, once per run, that a guest which uses wasi:sockets runs with them
/// off: its sockets will fail with "permission denied", and the user should
/// know why.
fn warn_if_wasi_sockets_off(engine: &Engine, component: &Component, config: &GuestConfig) {
    // A guest that imports wasock's own sockets has chosen them; its
    // wasi:sockets imports come from a runtime linked into it (CPython's
    // built-in `_socket` in a Python guest, which wasock's Python runtime
    // replaces), so it is not warned about them.
    if !config.policy.wasi_sockets_allowed()
        && imports_wasi_sockets(engine, component)
        && !imports_wasock_sockets(engine, component)
    {
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
    let mut store = config.store(linker.engine())?;
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
    let mut store = config.store(linker.engine())?;
    let cmd = AsyncCommand::instantiate_async(&mut store, component, linker).await?;
    exit_code(cmd.wasi_cli_run().call_run(&mut store).await)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Engines made and dropped over and over (each with a store under a
    /// wall-time limit, which registers it with the ticker) are not kept:
    /// the ticker's list stays small (it held every one before).
    #[test]
    fn dropped_engines_are_not_kept_by_the_ticker() {
        let mut policy = Policy::deny_all();
        policy.limits.wall_time = Some(std::time::Duration::from_secs(60));
        let config = GuestConfig {
            policy: Arc::new(policy),
            ..Default::default()
        };
        let mut weak = Vec::new();
        for _ in 0..40 {
            let mut c = wasmtime::Config::new();
            c.epoch_interruption(true);
            let engine = Engine::new(&c).unwrap();
            let store = config.store(&engine).unwrap();
            weak.push(engine.weak());
            drop(store);
            drop(engine);
        }
        let n = ticked_engines();
        assert!(n <= 4, "the ticker holds {n} engines after 40 were dropped");
        // And none of them is alive (the ticker may hold one for the
        // moment of a tick).
        let alive = weak.iter().filter(|w| w.upgrade().is_some()).count();
        assert!(alive <= 1, "{alive} dropped engines are still alive");
    }
}
