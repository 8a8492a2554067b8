//! Per-instance state and the view trait embedders implement, in the style
//! of wasmtime-wasi's `WasiView`: [`WasockCtx`] (the policy, the open-socket
//! count, the presented hostname and interfaces, what lookups returned,
//! dropped-peer counters, the token buckets, the optional recorder) and
//! [`enforce`], which logs, records and enforces one decision.
//!
//! May import the policy, the vocabulary ([`crate::types`]) and the system
//! layer; never the socket core, name resolution or the bindings, which
//! all take a context.

use crate::policy::{Decision, Policy, Recorder, Resolutions, Source, Use};
use crate::types::SocketError;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;
use wasmtime::component::{HasData, ResourceTable};

/// State shared between an instance's wasock calls and its wasi:sockets
/// checks.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    pub(crate) resolutions: Resolutions,
    pub(crate) dropped_datagrams: u64,
    pub(crate) dropped_connections: u64,
    /// Connect token bucket: tokens and when last refilled.
    bucket: Option<(f64, Instant)>,
    /// Send bytes/s bucket.
    send_bucket: Option<crate::policy::Bucket>,
    /// Peer denials logged in the current one-second window: (start, n).
    peer_log_window: Option<(Instant, u32)>,
    /// Peer denials counted but not logged since the last one logged.
    peer_log_suppressed: u64,
}

/// Most peer denials (datagrams or connections from denied peers) an
/// instance logs and audits one by one per second; the rest are counted
/// (exactly, in the dropped counters) and summed up in the next line.
const PEER_DENIALS_LOGGED_PER_SECOND: u32 = 20;

impl Shared {
    /// Whether a peer denial is logged now: `Some(n)` with the number not
    /// logged before it, `None` when the window's allowance is spent.
    fn peer_denial_gate(&mut self, now: Instant) -> Option<u64> {
        let (start, n) = self.peer_log_window.get_or_insert((now, 0));
        if now.duration_since(*start) >= std::time::Duration::from_secs(1) {
            *start = now;
            *n = 0;
        }
        if *n >= PEER_DENIALS_LOGGED_PER_SECOND {
            self.peer_log_suppressed += 1;
            return None;
        }
        *n += 1;
        Some(std::mem::take(&mut self.peer_log_suppressed))
    }

    /// When a send may go ahead under `rate` bytes/s (`None`: now).
    pub(crate) fn send_ready_at(&mut self, rate: u64) -> Option<Instant> {
        let now = Instant::now();
        self.send_bucket
            .get_or_insert_with(|| crate::policy::Bucket::full(rate, now))
            .ready_at(rate, now)
    }

    /// Counts `n` bytes sent.
    pub(crate) fn sent(&mut self, rate: u64, n: u64) {
        let now = Instant::now();
        self.send_bucket
            .get_or_insert_with(|| crate::policy::Bucket::full(rate, now))
            .spend(rate, now, n);
    }
}

/// wasock's state for one guest instance: its policy, counters, what its
/// lookups returned, and the recorder (if any).
/// Put one in your store's data and return it from [`WasockView::wasock`].
pub struct WasockCtx {
    pub(crate) policy: Arc<Policy>,
    pub(crate) open_sockets: usize,
    /// Sockets the guest passed with SCM_RIGHTS: they may live on in a
    /// queue after the guest closes its handles (the host is root, so the
    /// kernel's in-flight limit does not apply), and count against the
    /// socket limit for the instance's life.
    pub(crate) sent_sockets: usize,
    pub(crate) hostname: String,
    pub(crate) shared: Arc<Mutex<Shared>>,
    pub(crate) recorder: Option<Arc<Recorder>>,
    pub(crate) interfaces: InterfaceView,
    /// The store's wall-time deadline (the policy's `wall_time` from the
    /// store's creation): host calls waiting then end and trap the guest.
    pub(crate) deadline: Option<std::time::Instant>,
}

/// Which of the host's network interfaces a guest sees (`if_nameindex`,
/// `if_nametoindex`, `if_indextoname`, and interface names in IPv6 scopes
/// such as `fe80::1%eth0`). Indices are always the host's real ones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum InterfaceView {
    /// None (the default): the guest sees an empty list, and every name or
    /// index is unknown, exactly as one that does not exist.
    #[default]
    Hidden,
    /// All of the host's interfaces.
    Host,
    /// Only the host's interfaces with these names.
    Only(Vec<String>),
}

impl InterfaceView {
    /// Whether the guest may see the interface called `name`.
    pub fn shows(&self, name: &str) -> bool {
        match self {
            InterfaceView::Hidden => false,
            InterfaceView::Host => true,
            InterfaceView::Only(names) => names.iter().any(|n| n == name),
        }
    }
}

impl WasockCtx {
    /// State for one instance under `policy` (shared, read-only).
    pub fn new(policy: Arc<Policy>) -> Self {
        WasockCtx {
            policy,
            open_sockets: 0,
            sent_sockets: 0,
            hostname: "localhost".to_string(),
            shared: Arc::default(),
            recorder: None,
            interfaces: InterfaceView::Hidden,
            deadline: None,
        }
    }

    /// Presents the host's own name (gethostname(2)) to the guest, instead
    /// of `localhost`.
    pub fn with_host_hostname(mut self) -> Self {
        if let Ok(name) = crate::sys::gethostname() {
            self.hostname = name;
        }
        self
    }

    /// Sets which network interfaces the guest sees (default
    /// [`InterfaceView::Hidden`]).
    pub fn with_interfaces(mut self, view: InterfaceView) -> Self {
        self.interfaces = view;
        self
    }

    /// The index of an interface the guest may see (if_nametoindex(3)).
    pub(crate) fn interface_index(&self, name: &str) -> Option<u32> {
        if !self.interfaces.shows(name) {
            return None;
        }
        crate::sys::if_nametoindex(name)
    }

    /// The name of an interface the guest may see (if_indextoname(3)).
    pub(crate) fn interface_name(&self, index: u32) -> Option<String> {
        if self.interfaces == InterfaceView::Hidden {
            return None;
        }
        crate::sys::if_indextoname(index).filter(|n| self.interfaces.shows(n))
    }

    /// Sets the name `gethostname` reports to the guest (default
    /// `localhost`: the host's own name is not revealed).
    pub fn with_hostname(mut self, name: impl Into<String>) -> Self {
        self.hostname = name.into();
        self
    }

    /// Records every decision of this instance with `recorder`.
    pub fn with_recorder(mut self, recorder: Arc<Recorder>) -> Self {
        self.recorder = Some(recorder);
        self
    }

    /// The policy this instance runs under.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// How many sockets the guest has open.
    pub fn open_sockets(&self) -> usize {
        self.open_sockets
    }

    pub(crate) fn shared(&self) -> MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Datagrams dropped because their sender was not an allowed peer.
    pub fn dropped_datagrams(&self) -> u64 {
        self.shared().dropped_datagrams
    }

    /// Connections closed at accept because the peer was not allowed.
    pub fn dropped_connections(&self) -> u64 {
        self.shared().dropped_connections
    }

    /// Contract for name resolution: records that a lookup this instance
    /// made returned `addrs` for `name`, so hostname rules can admit them.
    pub fn note_resolved(&mut self, name: &str, addrs: &[IpAddr]) {
        self.shared().resolutions.note(name, addrs);
    }

    /// Logs, audits and (unless the policy is audit-only) enforces a
    /// decision.
    pub(crate) fn decide(&self, d: Decision) -> Result<(), SocketError> {
        enforce(&self.policy, self.recorder.as_deref(), &d, Source::Wasock)
    }

    /// Logs, audits and (unless audit-only) enforces a grant decision
    /// (`kind`: `create` or `option`); `result` is the policy's answer.
    /// `subject` is called only when the decision is logged or recorded
    /// (an allowed one usually is neither).
    pub(crate) fn decide_grant(
        &self,
        kind: &str,
        subject: impl FnOnce() -> String,
        result: Result<Option<String>, String>,
        learn: Option<(&str, &str)>,
    ) -> Result<(), SocketError> {
        if result.is_ok()
            && self.recorder.is_none()
            && !tracing::enabled!(target: "wasock::policy", tracing::Level::DEBUG)
        {
            return Ok(());
        }
        let subject = subject();
        let subject = subject.as_str();
        let (allowed, detail) = match &result {
            Ok(rule) => (
                true,
                format!(
                    "{subject} allowed{}",
                    rule.as_deref()
                        .map(|r| format!(" by {r}"))
                        .unwrap_or_default()
                ),
            ),
            Err(m) => (false, m.clone()),
        };
        let enforced = !allowed && !self.policy.is_audit_only();
        if allowed {
            tracing::debug!(target: "wasock::policy", "{detail}");
        } else if enforced {
            tracing::warn!(target: "wasock::policy", "{detail}");
        } else {
            tracing::warn!(target: "wasock::policy", "audit only, let through: {detail}");
        }
        if let Some(r) = &self.recorder {
            r.record_grant(kind, subject, allowed, enforced, &detail, learn);
        }
        if enforced {
            Err(SocketError::policy(detail))
        } else {
            Ok(())
        }
    }

    /// Takes one connect token; an error names the limit.
    pub(crate) fn take_connect_token(&self) -> Result<(), SocketError> {
        let Some(rate) = self.policy.limits.connections_per_second else {
            return Ok(());
        };
        take_token(&mut self.shared(), rate)
    }
}

pub(crate) fn take_token(s: &mut Shared, rate: u32) -> Result<(), SocketError> {
    let now = Instant::now();
    let cap = f64::from(rate);
    let (tokens, last) = s.bucket.unwrap_or((cap, now));
    let tokens = (tokens + now.duration_since(last).as_secs_f64() * cap).min(cap);
    if tokens < 1.0 {
        s.bucket = Some((tokens, now));
        let detail = format!(
            "connect denied by policy: the limit of {rate} connections per second is reached"
        );
        tracing::warn!(target: "wasock::policy", "{detail}");
        return Err(SocketError::policy(detail));
    }
    s.bucket = Some((tokens - 1.0, now));
    Ok(())
}

/// How many wasi:sockets sockets (TCP and UDP) a resource table holds.
pub(crate) fn wasi_sockets_in(table: &mut ResourceTable) -> usize {
    table
        .iter_mut()
        .filter(|e| {
            e.is::<wasmtime_wasi::p2::TcpSocket>() || e.is::<wasmtime_wasi::p2::UdpSocket>()
        })
        .count()
}

/// As [`enforce`] for a peer decision (accept, recv-from): a flood of
/// denied peers is logged and audited at most
/// [`PEER_DENIALS_LOGGED_PER_SECOND`] times a second (not in learn mode);
/// the next line logged says how many were left out.
pub(crate) fn enforce_peer(
    policy: &Policy,
    recorder: Option<&Recorder>,
    shared: &mut Shared,
    mut d: Decision,
    source: Source,
) -> Result<(), SocketError> {
    if !d.allowed && !recorder.is_some_and(Recorder::is_learning) {
        match shared.peer_denial_gate(Instant::now()) {
            None if policy.is_audit_only() => return Ok(()),
            None => return d.result(),
            Some(0) => {}
            Some(n) => {
                d.note = Some(format!(
                    "{n} more denied peers were counted but not logged before this one"
                ))
            }
        }
    }
    enforce(policy, recorder, &d, source)
}

/// Logs (target `wasock::policy`), records and enforces one decision.
pub(crate) fn enforce(
    policy: &Policy,
    recorder: Option<&Recorder>,
    d: &Decision,
    source: Source,
) -> Result<(), SocketError> {
    let enforced = !d.allowed && !policy.is_audit_only();
    if d.allowed && matches!(d.use_, Use::SendTo | Use::RecvFrom) {
        // One per datagram: only at debug.
        tracing::debug!(target: "wasock::policy", source = source.name(), "{}", d.detail());
    } else if d.allowed {
        tracing::info!(target: "wasock::policy", source = source.name(), "{}", d.detail());
    } else if enforced {
        tracing::warn!(target: "wasock::policy", source = source.name(), "{}", d.detail());
    } else {
        tracing::warn!(target: "wasock::policy", source = source.name(), "audit only, let through: {}", d.detail());
    }
    if let Some(r) = recorder {
        r.record(d, source, enforced);
    }
    if enforced {
        d.result()
    } else {
        Ok(())
    }
}

/// What the host functions work on: the instance's context and the store's
/// resource table (which may be shared with wasmtime-wasi).
pub struct WasockCtxView<'a> {
    /// The instance's wasock state.
    pub ctx: &'a mut WasockCtx,
    /// The store's resource table.
    pub table: &'a mut ResourceTable,
}

/// Implemented by store data that hosts wasock sockets.
///
/// ```ignore
/// struct State { wasi: WasiCtx, wasock: WasockCtx, table: ResourceTable }
/// impl WasockView for State {
///     fn wasock(&mut self) -> WasockCtxView<'_> {
///         WasockCtxView { ctx: &mut self.wasock, table: &mut self.table }
///     }
/// }
/// ```
pub trait WasockView: Send {
    /// The instance's wasock state and resource table.
    fn wasock(&mut self) -> WasockCtxView<'_>;
}

/// The [`HasData`] marker the generated `add_to_linker` functions use.
pub struct HasWasock;

impl HasData for HasWasock {
    type Data<'a> = WasockCtxView<'a>;
}
