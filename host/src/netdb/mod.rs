//! Name resolution through the host's system resolver (glibc: /etc/hosts,
//! nsswitch, DNS, /etc/services, /etc/protocols), under the policy.
//!
//! What needs no lookup is answered first and never reaches the policy:
//! numeric hosts (glibc's rules, so `127.1` too), the wildcard / loopback
//! for no host, and `AI_NUMERICHOST` with a name (EAI_NONAME, as glibc).
//! `localhost` in any letter case, with or without a final dot, is
//! answered here without the resolver (RFC 6761 §6.3), so it never becomes
//! a DNS query. Any other name is first put to
//! [`Policy::check_resolve`](crate::Policy::check_resolve); a denied name
//! fails as an unknown name does (`gaierror` EAI_NONAME, the detail saying
//! it was the policy), and an allowed lookup is recorded with
//! [`WasockCtx::note_resolved`](crate::WasockCtx::note_resolved).
//! Reverse lookups are judged by their DNS name (`4.3.2.1.in-addr.arpa`,
//! `….ip6.arpa`); a denied one fails as an address with no name does.
//!
//! Every call that may read files or ask the network runs through
//! [`Offload`]: on the calling thread in a sync store, and in an async
//! store on tokio's blocking pool, at most [`MAX_LOOKUPS`] at a time
//! process-wide, so a stalled DNS server holds neither an executor thread
//! nor more than that many threads.

use crate::ctx::{InterfaceView, WasockCtxView};
use crate::net::wait::{Blocking, Reactor, Wait};
use crate::sys;
use crate::types::errors::ErrorCode;
use crate::types::types::{
    AddressFamily, AddressInfo, AddressInfoFlags, AddressInfoHints, HostEntry, IpAddress,
    NameInfoFlags, SocketAddress, SocketType,
};
use crate::types::{shorten, SocketError, SocketResult};
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// How many lookups may run on threads of their own at once: on tokio's
/// blocking pool, across every async store of the process (further lookups
/// wait, suspended, holding no thread, for one to end); and, counted
/// apart, on the lookup threads of sync stores under a wall-time limit
/// (further lookups resolve on the calling thread).
pub const MAX_LOOKUPS: usize = 8;

static LOOKUPS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(MAX_LOOKUPS);
/// The same bound for sync stores' lookup threads, apart, so that lookups
/// left waiting on a silent nameserver after their sync guests were
/// stopped never hold back async stores' lookups.
static SYNC_LOOKUPS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(MAX_LOOKUPS);

/// Where a resolver call that may block runs.
pub(crate) trait Offload: Wait {
    /// Runs `f`, which may block (glibc's resolver), without holding an
    /// async executor thread.
    fn offload<T: Send + 'static>(
        f: impl FnOnce() -> T + Send + 'static,
    ) -> impl Future<Output = SocketResult<T>> + Send;
}

impl Offload for Blocking {
    /// A sync store has no executor: the calling thread resolves. Under a
    /// wall-time limit the lookup runs on a thread of its own instead, and
    /// the call traps at the deadline even while glibc is still waiting
    /// for a nameserver (the thread is left to glibc's own timeout, and
    /// counts against the sync stores' [`MAX_LOOKUPS`] until then).
    async fn offload<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> SocketResult<T> {
        let Some(deadline) = crate::net::wait::wall_deadline() else {
            return Ok(f());
        };
        let Ok(permit) = SYNC_LOOKUPS.try_acquire() else {
            // Too many lookups already left running: resolve here.
            return Ok(f());
        };
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        let spawned = std::thread::Builder::new()
            .name("wasock-lookup".into())
            .spawn(move || {
                let _permit = permit;
                let _ = tx.send(f());
            });
        if let Err(e) = spawned {
            return Err(SocketError::Trap(wasmtime::Error::msg(format!(
                "resolver thread: {e}"
            ))));
        }
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match rx.recv_timeout(left) {
            Ok(v) => Ok(v),
            Err(_) => Err(crate::net::wait::wall_trap()),
        }
    }
}

impl Offload for Reactor {
    /// tokio's blocking pool, bounded by [`MAX_LOOKUPS`]. The permit moves
    /// into the blocking task, so a lookup whose guest was dropped still
    /// counts until glibc returns.
    async fn offload<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> SocketResult<T> {
        if tokio::runtime::Handle::try_current().is_err() {
            return Ok(f());
        }
        let permit = LOOKUPS
            .acquire()
            .await
            .map_err(|e| SocketError::Trap(wasmtime::Error::msg(format!("resolver: {e}"))))?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            f()
        })
        .await
        .map_err(|e| SocketError::Trap(wasmtime::Error::msg(format!("resolver task: {e}"))))
    }
}

/// The longest host name passed to the resolver (NI_MAXHOST - 1).
const MAX_HOST: usize = 1024;
/// The longest service, protocol or interface name passed on.
const MAX_NAME: usize = 256;

fn ai_flags(f: AddressInfoFlags) -> i32 {
    [
        (AddressInfoFlags::PASSIVE, libc::AI_PASSIVE),
        (AddressInfoFlags::CANONNAME, libc::AI_CANONNAME),
        (AddressInfoFlags::NUMERICHOST, libc::AI_NUMERICHOST),
        (AddressInfoFlags::V4MAPPED, libc::AI_V4MAPPED),
        (AddressInfoFlags::ALL, libc::AI_ALL),
        (AddressInfoFlags::ADDRCONFIG, libc::AI_ADDRCONFIG),
        (AddressInfoFlags::NUMERICSERV, libc::AI_NUMERICSERV),
    ]
    .iter()
    .filter(|(w, _)| f.contains(*w))
    .fold(0, |acc, (_, b)| acc | b)
}

fn ni_flags(f: NameInfoFlags) -> i32 {
    [
        (NameInfoFlags::NUMERICHOST, libc::NI_NUMERICHOST),
        (NameInfoFlags::NUMERICSERV, libc::NI_NUMERICSERV),
        (NameInfoFlags::NOFQDN, libc::NI_NOFQDN),
        (NameInfoFlags::NAMEREQD, libc::NI_NAMEREQD),
        (NameInfoFlags::DGRAM, libc::NI_DGRAM),
    ]
    .iter()
    .filter(|(w, _)| f.contains(*w))
    .fold(0, |acc, (_, b)| acc | b)
}

/// `localhost`, in any letter case, with or without one final dot.
fn is_local_name(host: &str) -> bool {
    host.strip_suffix('.')
        .unwrap_or(host)
        .eq_ignore_ascii_case("localhost")
}

fn family_of(n: i32) -> Option<AddressFamily> {
    match n {
        libc::AF_INET => Some(AddressFamily::Inet),
        libc::AF_INET6 => Some(AddressFamily::Inet6),
        _ => None,
    }
}

fn type_of(n: i32) -> Option<SocketType> {
    match n {
        libc::SOCK_STREAM => Some(SocketType::Stream),
        libc::SOCK_DGRAM => Some(SocketType::Dgram),
        libc::SOCK_RAW => Some(SocketType::Raw),
        libc::SOCK_SEQPACKET => Some(SocketType::Seqpacket),
        libc::SOCK_RDM => Some(SocketType::Rdm),
        _ => None,
    }
}

fn resolve_error(eai: i32) -> SocketError {
    SocketError::new(ErrorCode::Resolve(eai), "")
}

/// A policy denial of a lookup, as the guest sees it: the error an unknown
/// name gives (`code`), with the denial in the detail. A Python program
/// already handles `gaierror` (or `herror`) from a lookup — it is what an
/// unknown name raises — while a PermissionError from getaddrinfo never
/// happens in CPython and would escape its handlers.
fn as_not_found(e: SocketError, code: ErrorCode) -> SocketError {
    match e {
        SocketError::Guest(err) if matches!(err.code, ErrorCode::PolicyDenied) => {
            SocketError::new(code, err.detail)
        }
        other => other,
    }
}

/// The DNS name a reverse lookup of `ip` asks for.
fn arpa_name(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(a) => {
            let [b0, b1, b2, b3] = a.octets();
            format!("{b3}.{b2}.{b1}.{b0}.in-addr.arpa")
        }
        IpAddr::V6(a) => {
            let mut s = String::with_capacity(72);
            for b in a.octets().iter().rev() {
                s.push_str(&format!("{:x}.{:x}.", b & 0xf, b >> 4));
            }
            s.push_str("ip6.arpa");
            s
        }
    }
}

/// The addresses `localhost` stands for.
fn is_local_address(ip: IpAddr) -> bool {
    ip == IpAddr::V4(Ipv4Addr::LOCALHOST) || ip == IpAddr::V6(Ipv6Addr::LOCALHOST)
}

fn ip_to_wit(ip: IpAddr) -> IpAddress {
    match ip {
        IpAddr::V4(a) => {
            let [b0, b1, b2, b3] = a.octets();
            IpAddress::Ipv4((b0, b1, b2, b3))
        }
        IpAddr::V6(a) => {
            let [s0, s1, s2, s3, s4, s5, s6, s7] = a.segments();
            IpAddress::Ipv6((s0, s1, s2, s3, s4, s5, s6, s7))
        }
    }
}

fn ip_from_wit(ip: IpAddress) -> IpAddr {
    match ip {
        IpAddress::Ipv4((b0, b1, b2, b3)) => IpAddr::V4(Ipv4Addr::new(b0, b1, b2, b3)),
        IpAddress::Ipv6((s0, s1, s2, s3, s4, s5, s6, s7)) => {
            IpAddr::V6(Ipv6Addr::new(s0, s1, s2, s3, s4, s5, s6, s7))
        }
    }
}

fn host_entry(h: sys::HostEnt) -> HostEntry {
    HostEntry {
        name: h.name,
        aliases: h.aliases,
        addresses: h.addrs.into_iter().map(ip_to_wit).collect(),
    }
}

/// The longest /etc/hosts the host reads to decide how to look a name up.
const MAX_HOSTS_FILE: u64 = 1 << 20;

/// Whether a line of /etc/hosts (comments stripped, split into its
/// address and names) satisfies `f`.
fn etc_hosts_any(mut f: impl FnMut(&str, std::str::SplitWhitespace<'_>) -> bool) -> bool {
    use std::io::Read;
    let mut text = String::new();
    let read = std::fs::File::open("/etc/hosts")
        .and_then(|f| f.take(MAX_HOSTS_FILE).read_to_string(&mut text));
    if read.is_err() {
        return false;
    }
    text.lines().any(|line| {
        let line = line.split('#').next().unwrap_or("");
        let mut fields = line.split_whitespace();
        match fields.next() {
            Some(addr) => f(addr, fields),
            None => false,
        }
    })
}

/// Whether /etc/hosts names `name` (any letter case, trailing dot ignored).
fn in_etc_hosts(name: &str) -> bool {
    let name = name.trim_end_matches('.');
    etc_hosts_any(|_, mut names| names.any(|n| n.trim_end_matches('.').eq_ignore_ascii_case(name)))
}

/// What /etc/hosts says of `localhost` (any letter case): each line's
/// address and its other names, in the file's order (at most 16 lines);
/// the loopback addresses when the file names it nowhere (or cannot be
/// read).
fn localhost_lines() -> Vec<(IpAddr, Vec<String>)> {
    let mut found: Vec<(IpAddr, Vec<String>)> = Vec::new();
    etc_hosts_any(|addr, names| {
        let names: Vec<&str> = names.collect();
        let is_local = |n: &&str| n.trim_end_matches('.').eq_ignore_ascii_case("localhost");
        if names.iter().any(is_local) && found.len() < 16 {
            if let Ok(ip) = addr.parse::<IpAddr>() {
                let others = names.iter().filter(|n| !is_local(n)).map(|n| n.to_string());
                found.push((ip, others.collect()));
            }
        }
        false
    });
    if found.is_empty() {
        found = vec![
            (Ipv6Addr::LOCALHOST.into(), Vec::new()),
            (Ipv4Addr::LOCALHOST.into(), Vec::new()),
        ];
    }
    found
}

/// The addresses `lines` (from [`localhost_lines`]) give `localhost` for
/// `family` (0: both), as glibc's files backend gives them: for AF_INET, a `::1` line counts as
/// 127.0.0.1 (repeats kept, as glibc keeps them); for both families,
/// without repeats, IPv6 first (glibc's sorting of loopback addresses).
fn localhost_addresses(lines: &[(IpAddr, Vec<String>)], family: i32) -> Vec<IpAddr> {
    if family == libc::AF_INET {
        return lines
            .iter()
            .filter_map(|(ip, _)| match ip {
                IpAddr::V4(_) => Some(*ip),
                IpAddr::V6(v6) if *v6 == Ipv6Addr::LOCALHOST => Some(Ipv4Addr::LOCALHOST.into()),
                IpAddr::V6(_) => None,
            })
            .collect();
    }
    let mut out: Vec<IpAddr> = Vec::new();
    for (ip, _) in lines {
        let wanted = family != libc::AF_INET6 || ip.is_ipv6();
        if wanted && !out.contains(ip) {
            out.push(*ip);
        }
    }
    out.sort_by_key(IpAddr::is_ipv4);
    out
}

/// The other names on `localhost`'s `lines` (glibc's
/// aliases for `gethostbyname_ex("localhost")`), without repeats.
fn localhost_aliases(lines: &[(IpAddr, Vec<String>)]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in lines.iter().flat_map(|(_, names)| names) {
        if !out.contains(n) {
            out.push(n.clone());
        }
    }
    out
}

/// Whether /etc/hosts has a line for the address `ip` (so that a reverse
/// lookup of it is answered from the file).
fn address_in_etc_hosts(ip: IpAddr) -> bool {
    etc_hosts_any(|addr, _| {
        addr.split('%')
            .next()
            .and_then(|a| a.parse::<IpAddr>().ok())
            .is_some_and(|a| a == ip)
    })
}

/// The name handed to the resolver for a name the policy allowed: the
/// absolute name (`name.`), so that resolv.conf's `search` list never
/// turns it into another name whose answer would be recorded under the
/// allowed one; a name /etc/hosts holds as written (glibc's files backend
/// does not match a trailing dot, and a search list is DNS-only).
fn lookup_name(name: &str) -> String {
    if in_etc_hosts(name) {
        name.trim_end_matches('.').to_string()
    } else {
        format!("{}.", name.trim_end_matches('.'))
    }
}

/// getaddrinfo's arguments, owned (they move to the resolver thread).
#[derive(Clone)]
struct Query {
    service: Option<String>,
    family: i32,
    socktype: i32,
    protocol: i32,
    flags: i32,
}

impl Query {
    fn run(&self, host: Option<&str>, flags: i32) -> Result<Vec<sys::AddrInfo>, i32> {
        sys::getaddrinfo(
            host,
            self.service.as_deref(),
            self.family,
            self.socktype,
            self.protocol,
            flags,
        )
    }

    /// Whether the service needs a lookup in /etc/services (or the flags
    /// one in the interface list): then even a numeric host goes off the
    /// executor.
    fn reads_files(&self) -> bool {
        self.service
            .as_deref()
            .is_some_and(|s| !s.bytes().all(|b| b.is_ascii_digit()))
            || self.flags & libc::AI_ADDRCONFIG != 0
    }

    /// `localhost`, answered as /etc/hosts answers it and never by DNS
    /// (RFC 6761 §6.3): the addresses the file gives the name (this
    /// machine's may give `127.0.0.1` only), or the loopback addresses
    /// when the file names it nowhere; of the family asked for (none:
    /// EAI_NONAME, as the system finds no address). Each goes through
    /// glibc as a numeric host (so that the service, type and flags are
    /// handled as for any host), IPv6 first as glibc sorts loopback
    /// addresses, canonical name `localhost`.
    fn localhost(&self) -> Result<Vec<sys::AddrInfo>, i32> {
        let hosts: Vec<String> = localhost_addresses(&localhost_lines(), self.family)
            .into_iter()
            .map(|ip| ip.to_string())
            .collect();
        let flags = (self.flags | libc::AI_NUMERICHOST) & !libc::AI_CANONNAME;
        let mut out = Vec::new();
        let mut first_err = None;
        for h in &hosts {
            match self.run(Some(h), flags) {
                Ok(list) => out.extend(list),
                Err(e) => {
                    first_err.get_or_insert(e);
                }
            }
        }
        if out.is_empty() {
            return Err(first_err.unwrap_or(libc::EAI_NONAME));
        }
        if self.flags & libc::AI_CANONNAME != 0 {
            out[0].canonname = Some("localhost".to_string());
        }
        Ok(out)
    }
}

impl WasockCtxView<'_> {
    /// A numeric host as glibc reads one (`127.1`, `::1`, `fe80::1%2`),
    /// with an interface-name scope (`fe80::1%eth0`) replaced by its index
    /// through the embedder's interface view, so that the guest learns
    /// nothing about interfaces it may not see; `Ok(None)` for a name.
    /// Never asks the resolver.
    fn numeric_host(&self, host: &str) -> SocketResult<Option<String>> {
        let (addr, scope) = match host.split_once('%') {
            Some((a, s)) => (a, Some(s)),
            None => (host, None),
        };
        if addr.is_empty()
            || sys::getaddrinfo(Some(addr), None, 0, 0, 0, libc::AI_NUMERICHOST).is_err()
        {
            return Ok(None);
        }
        match scope {
            None => Ok(Some(host.to_string())),
            // glibc takes no scope on IPv4: not numeric.
            Some(_) if addr.parse::<Ipv6Addr>().is_err() => Ok(None),
            Some(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
                Ok(Some(host.to_string()))
            }
            Some(s) => match self.ctx.interface_index(s) {
                Some(i) => Ok(Some(format!("{addr}%{i}"))),
                // As glibc for an interface that does not exist.
                None => Err(resolve_error(libc::EAI_NONAME)),
            },
        }
    }

    /// Asks the policy whether `name` may be resolved; the decision is
    /// logged and audited like every other (`WasockCtx::decide`).
    fn check_resolve(&self, name: &str) -> SocketResult<()> {
        self.ctx.decide(self.ctx.policy.decide_resolve(name))
    }

    /// getaddrinfo(3).
    pub(crate) async fn getaddrinfo<W: Offload>(
        &mut self,
        host: Option<String>,
        service: Option<String>,
        hints: AddressInfoHints,
    ) -> SocketResult<Vec<AddressInfo>> {
        let family = match hints.family {
            AddressFamily::Unspec => 0,
            AddressFamily::Inet => libc::AF_INET,
            AddressFamily::Inet6 => libc::AF_INET6,
            _ => return Err(resolve_error(libc::EAI_FAMILY)),
        };
        if service.as_deref().is_some_and(|s| s.len() > MAX_NAME) {
            return Err(resolve_error(libc::EAI_SERVICE));
        }
        if host.as_deref().is_some_and(|h| h.len() > MAX_HOST) {
            return Err(resolve_error(libc::EAI_NONAME));
        }
        let q = Query {
            service,
            family,
            socktype: hints
                .socket_type
                .map_or(0, crate::net::address::socket_type_number),
            protocol: hints.protocol,
            flags: ai_flags(hints.flags),
        };
        let list = match host {
            // The wildcard or loopback: no host lookup.
            None => W::offload(move || q.run(None, q.flags)).await?,
            Some(h) => match self.numeric_host(&h)? {
                Some(numeric) => {
                    let flags = q.flags | libc::AI_NUMERICHOST;
                    if q.reads_files() {
                        W::offload(move || q.run(Some(&numeric), flags)).await?
                    } else {
                        q.run(Some(&numeric), flags)
                    }
                }
                // AI_NUMERICHOST needs no lookup and no policy: a name is
                // EAI_NONAME, as glibc says.
                None if q.flags & libc::AI_NUMERICHOST != 0 => Err(libc::EAI_NONAME),
                None if h.is_empty() => Err(libc::EAI_NONAME),
                None if is_local_name(&h) => {
                    // No policy check (the name is this host's own), but
                    // recorded, so that rules naming `localhost` match.
                    let r = W::offload(move || q.localhost()).await?;
                    if let Ok(list) = &r {
                        let ips: Vec<IpAddr> = list.iter().map(|a| a.addr.ip()).collect();
                        self.ctx.note_resolved("localhost", &ips);
                    }
                    r
                }
                None => {
                    // DNS ignores letter case; a guest must not be able to
                    // signal through it (0x20 encoding) in queries.
                    let h = h.to_ascii_lowercase();
                    self.check_resolve(&h)
                        .map_err(|e| as_not_found(e, ErrorCode::Resolve(libc::EAI_NONAME)))?;
                    let name = h.clone();
                    let r = W::offload(move || q.run(Some(&lookup_name(&name)), q.flags)).await?;
                    if let Ok(list) = &r {
                        let mut ips: Vec<IpAddr> = Vec::with_capacity(list.len());
                        for ip in list.iter().map(|a| a.addr.ip()) {
                            if !ips.contains(&ip) {
                                ips.push(ip);
                            }
                        }
                        self.ctx.note_resolved(&h, &ips);
                    }
                    r
                }
            },
        }
        .map_err(resolve_error)?;
        Ok(list
            .into_iter()
            .filter_map(|ai| {
                Some(AddressInfo {
                    family: family_of(ai.family)?,
                    socket_type: type_of(ai.socktype)?,
                    protocol: ai.protocol,
                    canonical_name: ai.canonname,
                    address: crate::net::address::from_std(ai.addr),
                })
            })
            .collect())
    }

    /// getnameinfo(3). The service name comes from /etc/services; the host
    /// name from a reverse lookup the policy allows (`localhost` for the
    /// loopback addresses, without one). A scope is shown as an interface
    /// name only if the embedder shows that interface.
    pub(crate) async fn getnameinfo<W: Offload>(
        &mut self,
        address: SocketAddress,
        flags: NameInfoFlags,
    ) -> SocketResult<(String, String)> {
        let addr =
            crate::net::address::to_std(&address).ok_or_else(|| resolve_error(libc::EAI_FAMILY))?;
        let flags = ni_flags(flags);
        let (scope, bare) = match addr {
            SocketAddr::V6(mut a) if a.scope_id() != 0 => {
                let s = a.scope_id();
                a.set_scope_id(0);
                (Some(s), SocketAddr::V6(a))
            }
            a => (None, a),
        };
        // The numeric host and the service: files at most, never DNS.
        let local_flags = libc::NI_NUMERICHOST | (flags & (libc::NI_NUMERICSERV | libc::NI_DGRAM));
        let (numeric, service) = if flags & libc::NI_NUMERICSERV != 0 {
            sys::getnameinfo(bare, local_flags)
        } else {
            W::offload(move || sys::getnameinfo(bare, local_flags)).await?
        }
        .map_err(resolve_error)?;
        let numeric = match scope {
            Some(s) => match self.ctx.interface_name(s) {
                Some(name) if is_link_local(addr.ip()) => format!("{numeric}%{name}"),
                _ => format!("{numeric}%{s}"),
            },
            None => numeric,
        };
        if flags & libc::NI_NUMERICHOST != 0 {
            return Ok((numeric, service));
        }
        let ip = addr.ip();
        let local = is_local_address(ip);
        if local && !address_in_etc_hosts(ip) {
            // What the system answers without a name for it, without
            // asking DNS (RFC 6761 §6.3).
            return if flags & libc::NI_NAMEREQD != 0 {
                Err(resolve_error(libc::EAI_NONAME))
            } else {
                Ok((numeric, service))
            };
        }
        let not_found = |detail: String| {
            if flags & libc::NI_NAMEREQD != 0 {
                Err(SocketError::new(
                    ErrorCode::Resolve(libc::EAI_NONAME),
                    detail,
                ))
            } else {
                Ok((numeric.clone(), service.clone()))
            }
        };
        let arpa = arpa_name(ip);
        if !local {
            if let Err(SocketError::Guest(e)) = self.check_resolve(&arpa) {
                return not_found(e.detail);
            }
        }
        let host_flags = (flags & libc::NI_NOFQDN) | libc::NI_NAMEREQD | libc::NI_NUMERICSERV;
        match W::offload(move || sys::getnameinfo(bare, host_flags)).await? {
            Ok((name, _)) => Ok((name, service)),
            Err(libc::EAI_NONAME) => not_found(String::new()),
            Err(e) => Err(resolve_error(e)),
        }
    }

    /// gethostbyname_r(3), IPv4: Python's `gethostbyname_ex`.
    pub(crate) async fn gethostbyname<W: Offload>(
        &mut self,
        name: String,
    ) -> SocketResult<HostEntry> {
        if name.len() > MAX_HOST {
            return Err(SocketError::new(ErrorCode::Host(sys::HOST_NOT_FOUND), ""));
        }
        let numeric = !name.contains('%')
            && sys::getaddrinfo(Some(&name), None, 0, 0, 0, libc::AI_NUMERICHOST).is_ok();
        if numeric {
            // glibc answers a numeric name itself, without a lookup.
            return sys::gethostbyname(&name)
                .map(host_entry)
                .map_err(|h| SocketError::new(ErrorCode::Host(h), ""));
        }
        if is_local_name(&name) {
            // From /etc/hosts, never DNS (see `Query::localhost`); recorded
            // for rules naming `localhost`, with no policy check.
            let lines = localhost_lines();
            let addrs = localhost_addresses(&lines, libc::AF_INET);
            if addrs.is_empty() {
                return Err(SocketError::new(ErrorCode::Host(sys::HOST_NOT_FOUND), ""));
            }
            let h = sys::HostEnt {
                name: "localhost".to_string(),
                aliases: localhost_aliases(&lines),
                addrs,
            };
            self.ctx.note_resolved("localhost", &h.addrs);
            return Ok(host_entry(h));
        }
        let name = name.to_ascii_lowercase();
        self.check_resolve(&name)
            .map_err(|e| as_not_found(e, ErrorCode::Resolve(libc::EAI_NONAME)))?;
        let n = name.clone();
        let h = W::offload(move || sys::gethostbyname(&lookup_name(&n)))
            .await?
            .map_err(|h| SocketError::new(ErrorCode::Host(h), ""))?;
        self.ctx.note_resolved(&name, &h.addrs);
        Ok(host_entry(h))
    }

    /// gethostbyaddr_r(3): a reverse lookup the policy allows (by its
    /// `in-addr.arpa` / `ip6.arpa` name); `localhost` for the loopback
    /// addresses without one.
    pub(crate) async fn gethostbyaddr<W: Offload>(
        &mut self,
        address: IpAddress,
    ) -> SocketResult<HostEntry> {
        let ip = ip_from_wit(address);
        if is_local_address(ip) {
            // Answered from /etc/hosts as the system does (no policy
            // check: the address is this host's own); without a line for
            // it, unknown, as the system finds it, without asking DNS.
            if !address_in_etc_hosts(ip) {
                return Err(SocketError::new(ErrorCode::Host(sys::HOST_NOT_FOUND), ""));
            }
        } else {
            self.check_resolve(&arpa_name(ip))
                .map_err(|e| as_not_found(e, ErrorCode::Host(sys::HOST_NOT_FOUND)))?;
        }
        W::offload(move || sys::gethostbyaddr(ip))
            .await?
            .map(host_entry)
            .map_err(|h| SocketError::new(ErrorCode::Host(h), ""))
    }

    /// gethostname(2): the name the embedder chose (see
    /// [`WasockCtx::with_hostname`](crate::WasockCtx::with_hostname)).
    pub(crate) async fn gethostname<W: Offload>(&mut self) -> SocketResult<String> {
        Ok(self.ctx.hostname.clone())
    }

    /// getservbyname_r(3) (/etc/services).
    pub(crate) async fn getservbyname<W: Offload>(
        &mut self,
        name: String,
        protocol: Option<String>,
    ) -> SocketResult<u16> {
        if name.len() > MAX_NAME || protocol.as_ref().is_some_and(|p| p.len() > MAX_NAME) {
            return Err(not_found(&name));
        }
        let n = name.clone();
        W::offload(move || sys::getservbyname(&n, protocol.as_deref()))
            .await?
            .ok_or_else(|| not_found(&name))
    }

    /// getservbyport_r(3) (/etc/services).
    pub(crate) async fn getservbyport<W: Offload>(
        &mut self,
        port: u16,
        protocol: Option<String>,
    ) -> SocketResult<String> {
        if protocol.as_ref().is_some_and(|p| p.len() > MAX_NAME) {
            return Err(not_found(&port.to_string()));
        }
        W::offload(move || sys::getservbyport(port, protocol.as_deref()))
            .await?
            .ok_or_else(|| not_found(&port.to_string()))
    }

    /// getprotobyname_r(3) (/etc/protocols).
    pub(crate) async fn getprotobyname<W: Offload>(&mut self, name: String) -> SocketResult<i32> {
        if name.len() > MAX_NAME {
            return Err(not_found(&name));
        }
        let n = name.clone();
        W::offload(move || sys::getprotobyname(&n))
            .await?
            .ok_or_else(|| not_found(&name))
    }

    /// if_nameindex(3), through the embedder's interface view.
    pub(crate) async fn if_nameindex<W: Offload>(&mut self) -> SocketResult<Vec<(u32, String)>> {
        match &self.ctx.interfaces {
            InterfaceView::Hidden => Ok(Vec::new()),
            view => Ok(sys::if_nameindex()?
                .into_iter()
                .filter(|(_, n)| view.shows(n))
                .collect()),
        }
    }

    /// if_nametoindex(3), through the embedder's interface view.
    pub(crate) async fn if_nametoindex<W: Offload>(&mut self, name: String) -> SocketResult<u32> {
        self.ctx
            .interface_index(&name)
            .ok_or_else(|| not_found(&name))
    }

    /// if_indextoname(3), through the embedder's interface view; ENXIO for
    /// an interface the guest may not see, as for one that does not exist.
    pub(crate) async fn if_indextoname<W: Offload>(&mut self, index: u32) -> SocketResult<String> {
        self.ctx
            .interface_name(index)
            .ok_or_else(|| SocketError::new(ErrorCode::Other(libc::ENXIO), ""))
    }
}

/// Link-local unicast or multicast IPv6 (where glibc names the scope).
fn is_link_local(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V6(a) => {
            let s = a.segments();
            (s[0] & 0xffc0) == 0xfe80 || (s[0] & 0xff0f) == 0xff02
        }
        IpAddr::V4(_) => false,
    }
}

/// "Not found" for the service, protocol and interface lookups (the guest
/// gives CPython's message).
fn not_found(what: &str) -> SocketError {
    SocketError::new(ErrorCode::NoEntry, format!("{:?} not found", shorten(what)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_names() {
        for n in ["localhost", "LoCaLhOsT", "localhost.", "LOCALHOST."] {
            assert!(is_local_name(n), "{n}");
        }
        for n in ["localhost..", "localhost.x", "xlocalhost", ""] {
            assert!(!is_local_name(n), "{n}");
        }
    }

    #[test]
    fn hostile_names_fail_cleanly() {
        let nul = "a\0b";
        assert_eq!(
            sys::getaddrinfo(Some(nul), None, 0, 0, 0, libc::AI_NUMERICHOST).err(),
            Some(libc::EAI_NONAME)
        );
        assert_eq!(
            sys::getaddrinfo(None, Some(nul), 0, 0, 0, 0).err(),
            Some(libc::EAI_SERVICE)
        );
        assert_eq!(sys::gethostbyname(nul).err(), Some(sys::HOST_NOT_FOUND));
        assert_eq!(sys::getservbyname(nul, None), None);
        assert_eq!(sys::getservbyname("http", Some(nul)), None);
        assert_eq!(sys::getservbyport(80, Some(nul)), None);
        assert_eq!(sys::getprotobyname(nul), None);
        assert_eq!(sys::if_nametoindex(nul), None);
        assert_eq!(sys::if_nametoindex(&"x".repeat(100_000)), None);
        assert_eq!(sys::if_indextoname(u32::MAX), None);
    }

    #[test]
    fn arpa_names() {
        assert_eq!(
            arpa_name("192.0.2.1".parse().unwrap()),
            "1.2.0.192.in-addr.arpa"
        );
        assert_eq!(
            arpa_name("2001:db8::1".parse().unwrap()),
            "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa"
        );
    }
}
