//! Per-instance state and the view trait embedders implement, in the style
//! of wasmtime-wasi's `WasiView`; the recorder that audits decisions and
//! learns a policy.

use crate::policy::{Decision, Policy, Resolutions, Target, Use};
use crate::types::SocketError;
use std::collections::BTreeSet;
use std::io::Write;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;
use wasmtime::component::{HasData, ResourceTable};

/// Where a decision came from, for logs and the audit file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A wasock socket call.
    Wasock,
    /// wasi:sockets (`std::net` guests).
    WasiSockets,
}

impl Source {
    fn name(self) -> &'static str {
        match self {
            Source::Wasock => "wasock",
            Source::WasiSockets => "wasi-sockets",
        }
    }
}

/// Records decisions for an embedder: an audit sink (one JSON object per
/// line per decision) and/or learn mode (the narrowest policy that allows
/// what the guest did). Share one between the instances it should cover.
#[derive(Default)]
pub struct Recorder {
    inner: Mutex<RecorderInner>,
}

#[derive(Default)]
struct RecorderInner {
    audit: Option<Box<dyn Write + Send>>,
    learning: bool,
    learned: BTreeSet<(Use, String)>,
    learned_resolve: BTreeSet<String>,
    learned_options: BTreeSet<String>,
    learned_raw: BTreeSet<i32>,
    learned_families: BTreeSet<String>,
    learned_netlink: BTreeSet<i32>,
    learned_genl: BTreeSet<String>,
    learned_abstract: BTreeSet<Vec<u8>>,
    learned_unix_paths: BTreeSet<(Use, String)>,
    learned_fd_passing: bool,
    wasi_sockets: bool,
}

/// Most distinct AF_UNIX paths learn mode reports (a guest may make up
/// any number of them; the rest are left out of the report).
pub const MAX_LEARNED_PATHS: usize = 256;

/// Escapes a string for JSON (the same quoting as TOML's basic strings).
fn json(s: &str) -> String {
    crate::policy::quoted(s)
}

impl Recorder {
    /// A recorder that does nothing until given a sink or told to learn.
    pub fn new() -> Self {
        Self::default()
    }

    /// Writes every decision to `sink` as JSON lines.
    pub fn with_audit(self, sink: impl Write + Send + 'static) -> Self {
        self.lock().audit = Some(Box::new(sink));
        self
    }

    /// Remembers what the guest did, for [`Recorder::learned_policy`].
    pub fn learning(self) -> Self {
        self.lock().learning = true;
        self
    }

    fn lock(&self) -> MutexGuard<'_, RecorderInner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether this recorder learns a policy (every decision counts).
    pub fn is_learning(&self) -> bool {
        self.lock().learning
    }

    /// Records one decision (`enforced`: a denial was enforced).
    pub fn record(&self, d: &Decision, source: Source, enforced: bool) {
        let mut r = self.lock();
        if r.learning {
            if source == Source::WasiSockets {
                r.wasi_sockets = true;
            }
            for t in &d.learn {
                r.learned.insert((d.use_, t.to_string()));
            }
            if d.use_ == Use::Resolve {
                let name = d.subject.trim_matches('"').to_string();
                r.learned_resolve.insert(name);
            }
        }
        if let Some(w) = r.audit.as_mut() {
            let line = format!(
                "{{\"source\":{},\"use\":{},\"transport\":{},\"subject\":{},\"allowed\":{},\"enforced\":{},\"rule\":{},\"detail\":{}}}\n",
                json(source.name()),
                json(d.use_.name()),
                d.transport.map_or("null".into(), |t| json(&t.to_string())),
                json(&d.subject),
                d.allowed,
                enforced,
                d.rule.as_deref().map_or("null".into(), json),
                json(&d.detail()),
            );
            if w.write_all(line.as_bytes())
                .and_then(|()| w.flush())
                .is_err()
            {
                tracing::warn!(target: "wasock::policy", "writing the audit record failed");
            }
        }
    }

    /// Records a grant decision (`kind` `create` for a socket family or
    /// type, `option` for a guarded option): an audit line, and in learn
    /// mode the grant (`learn`: `option SO_MARK`, `raw 1`, `family packet`,
    /// `netlink 4`).
    pub fn record_grant(
        &self,
        kind: &str,
        subject: &str,
        allowed: bool,
        enforced: bool,
        detail: &str,
        learn: Option<(&str, &str)>,
    ) {
        let mut r = self.lock();
        if r.learning {
            match learn {
                Some(("option", k)) => {
                    r.learned_options.insert(k.to_string());
                }
                Some(("raw", n)) => {
                    if let Ok(n) = n.parse() {
                        r.learned_raw.insert(n);
                    }
                }
                Some(("family", f)) => {
                    r.learned_families.insert(f.to_string());
                }
                Some(("netlink", n)) => {
                    if let Ok(n) = n.parse() {
                        r.learned_netlink.insert(n);
                    }
                }
                _ => {}
            }
        }
        if let Some(w) = r.audit.as_mut() {
            let line = format!(
                "{{\"source\":\"wasock\",\"use\":{},\"transport\":null,\"subject\":{},\"allowed\":{allowed},\"enforced\":{enforced},\"rule\":null,\"detail\":{}}}\n",
                json(kind),
                json(subject),
                json(detail),
            );
            if w.write_all(line.as_bytes())
                .and_then(|()| w.flush())
                .is_err()
            {
                tracing::warn!(target: "wasock::policy", "writing the audit record failed");
            }
        }
    }

    /// In learn mode, remembers an abstract AF_UNIX name the guest used
    /// (bind, connect, send-to), learnt as an exact name. The empty name
    /// and names that are not UTF-8 (which a policy file cannot spell
    /// exactly) are never learnt: the learnt policy denies them.
    pub(crate) fn learn_abstract(&self, name: &[u8]) {
        let mut r = self.lock();
        if r.learning && !name.is_empty() && std::str::from_utf8(name).is_ok() {
            r.learned_abstract.insert(name.to_vec());
        }
    }

    /// In learn mode, remembers an AF_UNIX path the guest used (`use_`:
    /// bind, connect or send-to), as the guest spelt it. A policy grants a
    /// directory, never single paths, so these are reported beside the
    /// learnt policy ([`Recorder::learned_unix_paths`]), not learnt into it.
    pub(crate) fn learn_unix_path(&self, use_: Use, path: &[u8]) {
        let mut r = self.lock();
        if r.learning && r.learned_unix_paths.len() < MAX_LEARNED_PATHS {
            let shown = crate::types::shorten(&String::from_utf8_lossy(path)).into_owned();
            r.learned_unix_paths.insert((use_, shown));
        }
    }

    /// The AF_UNIX paths the guest used in learn mode, with their use
    /// (at most [`MAX_LEARNED_PATHS`]), relative to the granted directory.
    pub fn learned_unix_paths(&self) -> Vec<(Use, String)> {
        self.lock().learned_unix_paths.iter().cloned().collect()
    }

    /// In learn mode, remembers a generic netlink family the guest
    /// addressed (`nlctrl` for its lookups), learnt as a family grant in
    /// place of the whole `generic` protocol.
    pub(crate) fn learn_genl(&self, name: &str) {
        let mut r = self.lock();
        if r.learning && r.learned_genl.len() < 64 {
            r.learned_genl.insert(name.to_string());
        }
    }

    /// In learn mode, remembers that the guest passed or received sockets
    /// with SCM_RIGHTS.
    pub(crate) fn learn_fd_passing(&self) {
        let mut r = self.lock();
        if r.learning {
            r.learned_fd_passing = true;
        }
    }

    /// The narrowest policy that allows everything recorded so far: exact
    /// addresses and ports (peers of accept / recv-from with any port),
    /// the names looked up, the guarded options set, the abstract AF_UNIX
    /// names used and SCM_RIGHTS if used. No implied rules.
    pub fn learned_policy(&self) -> Policy {
        let r = self.lock();
        let mut p = Policy::deny_all().allow_wasi_sockets(r.wasi_sockets);
        for (u, t) in &r.learned {
            if let Ok(t) = t.parse::<Target>() {
                p = p.allow_exact(*u, t);
            }
        }
        for n in &r.learned_resolve {
            if let Ok(q) = p.clone().allow_resolve(n) {
                p = q;
            }
        }
        for o in &r.learned_options {
            if let Ok(q) = p.clone().allow_option(o) {
                p = q;
            }
        }
        p.grants.raw.extend(r.learned_raw.iter().copied());
        p.grants.families.extend(r.learned_families.iter().cloned());
        p.grants.netlink.extend(r.learned_netlink.iter().copied());
        if p.grants.netlink.remove(&crate::policy::NETLINK_GENERIC) {
            // The generic netlink families used, not every family (nlctrl's
            // lookups only, if the guest addressed none).
            if r.learned_genl.is_empty() {
                p.grants.genl.insert("nlctrl".to_string());
            }
            p.grants.genl.extend(r.learned_genl.iter().cloned());
        }
        // Each abstract name exactly (a prefix `app` would admit
        // `app-admin`); a directory for AF_UNIX paths is the embedder's to
        // grant, never learnt (the CLI carries over the one the run had).
        for name in &r.learned_abstract {
            p = p.allow_abstract_name(name);
        }
        p.allow_fd_passing(r.learned_fd_passing)
    }
}

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
    pub(crate) fn decide_grant(
        &self,
        kind: &str,
        subject: &str,
        result: Result<Option<String>, String>,
        learn: Option<(&str, &str)>,
    ) -> Result<(), SocketError> {
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
