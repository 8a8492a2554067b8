//! The policy: the only place that decides what a guest may do. Pure: no
//! system calls, no I/O; callers pass in what they know (where an address
//! delivers, what a lookup returned) and log or record the [`Decision`].
//!
//! Deny by default. A policy is a list of rules; each names a [`Use`] (the
//! system call it governs), allow or deny, and a [`Target`] pattern
//! (transport, address range or host name, port range). A use is allowed
//! when an allow rule covers it and no deny rule does.
//!
//! **Addresses are judged by where the kernel delivers them**, not by how
//! they are spelled:
//! - IPv4-mapped IPv6 addresses (`::ffff:a.b.c.d`) are the IPv4 address;
//!   NAT64 (`64:ff9b::a.b.c.d`) and IPv4-compatible (`::a.b.c.d`)
//!   destinations are judged as themselves and as the IPv4 address.
//! - A destination that is the unspecified address (`0.0.0.0`, `::`,
//!   `::ffff:0.0.0.0`) delivers to this host: it is judged as the loopback
//!   address of its family (and as the socket's bound address, when that is
//!   specific), and a deny rule naming the unspecified address refuses it.
//! - A destination on this host (any `127.0.0.0/8` address, `::1`, or an
//!   address assigned to one of the host's interfaces: the caller says so in
//!   [`Destination::host_local`]) is judged as itself *and* as the loopback
//!   address of its family, same port: a service listening on the wildcard
//!   receives it, so `deny-connect 127.0.0.1:22` also refuses
//!   `127.0.0.2:22` and `10.1.2.3:22` when `10.1.2.3` is the host's.
//! - A loopback destination (of either family, however reached) is also
//!   refused by a deny rule covering the *other* family's loopback, same
//!   port: a dual-stack `[::]` listener receives both. A multicast
//!   destination is refused by a deny rule covering loopback (either family)
//!   and its port: with IP_MULTICAST_LOOP (the default) this host's members
//!   receive it. Both only deny; allowing still needs a rule for the
//!   destination itself.
//! - A wildcard bind (`0.0.0.0:P`, `[::]:P`) receives on every address of
//!   its family: it needs an allow rule covering the whole family (`*`,
//!   `0.0.0.0/0`, or the wildcard itself, `0.0.0.0:P`), and any deny rule
//!   touching that family and port refuses it. An IPv6 wildcard bind with
//!   IPV6_V6ONLY off (the Linux default) also receives IPv4, so it is judged
//!   as both wildcards (see `docs/architecture.md` for why this rather than
//!   forcing V6ONLY).
//!
//! Target syntax (CLI flags, the TOML file and the builder): see
//! [`Target`].

#[cfg(feature = "policy-file")]
mod file;
mod limits;
mod render;
mod target;
mod unix;

pub use crate::ctx::{Recorder, Source, MAX_LEARNED_PATHS};
#[cfg(feature = "policy-file")]
pub use file::PolicyFile;
pub use limits::{Bucket, Limits};
pub use target::{HostPattern, Target, TargetParseError};
pub use unix::UnixGrant;
#[cfg(feature = "policy-file")]
pub use unix::UnixSection;

use crate::types::types::{AddressFamily, SocketType};
use crate::types::SocketError;
use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
#[cfg(feature = "policy-file")]
use std::path::Path;
use std::str::FromStr;
use target::{canonical_ip, name_matches};

/// What an address is used for: the system call a rule governs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Use {
    /// bind(2) to a local address.
    Bind,
    /// listen(2) on the bound (or implicitly bound) local address.
    Listen,
    /// accept(2) a connection from a peer (per peer: a denied peer's
    /// connection is closed and accept keeps waiting).
    Accept,
    /// connect(2) to a remote address.
    Connect,
    /// sendto(2) / sendmsg(2) to an address.
    SendTo,
    /// recvfrom(2) / recv(2) of a datagram from a peer (per peer: a datagram
    /// from a denied peer is dropped and counted).
    RecvFrom,
    /// A name-resolution lookup of a host name.
    Resolve,
    /// Joining a multicast group (IP_ADD_MEMBERSHIP, IPV6_JOIN_GROUP).
    Join,
}

impl Use {
    /// Every use, in the order policies print them.
    pub const ALL: [Use; 8] = [
        Use::Bind,
        Use::Listen,
        Use::Accept,
        Use::Connect,
        Use::SendTo,
        Use::RecvFrom,
        Use::Resolve,
        Use::Join,
    ];

    /// The name used in flags and files (`send-to` in `--allow-send-to`).
    pub fn name(self) -> &'static str {
        match self {
            Use::Bind => "bind",
            Use::Listen => "listen",
            Use::Accept => "accept",
            Use::Connect => "connect",
            Use::SendTo => "send-to",
            Use::RecvFrom => "recv-from",
            Use::Resolve => "resolve",
            Use::Join => "join",
        }
    }

    /// How a denial reads: `connect to`, `accept from`…
    fn phrase(self) -> &'static str {
        match self {
            Use::Bind => "bind to",
            Use::Listen => "listen on",
            Use::Accept => "accept from",
            Use::Connect => "connect to",
            Use::SendTo => "send to",
            Use::RecvFrom => "receive from",
            Use::Resolve => "resolve",
            Use::Join => "join group",
        }
    }
}

impl fmt::Display for Use {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Use {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Use::ALL
            .into_iter()
            .find(|u| u.name() == s)
            .ok_or_else(|| format!("unknown use {s:?} (one of bind, listen, accept, connect, send-to, recv-from, resolve, join)"))
    }
}

/// The transport protocol a rule applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Transport {
    /// SOCK_STREAM over IP.
    Tcp,
    /// SOCK_DGRAM over IP.
    Udp,
    /// SOCK_RAW over IP (ports are 0; only with a raw grant).
    Raw,
}

impl fmt::Display for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Transport::Tcp => "tcp",
            Transport::Udp => "udp",
            Transport::Raw => "raw",
        })
    }
}

/// One rule: allow or deny a use of a target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Allow (`true`) or deny.
    pub allow: bool,
    /// The use it governs.
    pub use_: Use,
    /// What it covers.
    pub target: Target,
    /// Set for a rule another rule implies (e.g. `listen` implied by
    /// `--allow-bind`): implied rules of a use count only while the policy
    /// has no explicit allow rule of that use.
    pub implied_by: Option<Use>,
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = if self.allow { "allow" } else { "deny" };
        write!(f, "{verb}-{} {}", self.use_, self.target)?;
        if let Some(by) = self.implied_by {
            let verb = if self.allow { "allow" } else { "deny" };
            write!(f, " (implied by {verb}-{by})")?;
        }
        Ok(())
    }
}

/// Where a destination delivers, as far as the caller knows it.
#[derive(Debug, Clone, Copy)]
pub struct Destination {
    /// The address as the guest gave it.
    pub addr: SocketAddr,
    /// Whether the address is assigned to this host (the kernel delivers it
    /// locally). Loopback and unspecified addresses count as local whatever
    /// this says.
    pub host_local: bool,
    /// The socket's bound address, if it is bound to a specific one (the
    /// kernel sends to it when the destination is unspecified).
    pub bound: Option<IpAddr>,
}

impl Destination {
    /// A destination not known to be on this host, from an unbound socket.
    pub fn remote(addr: SocketAddr) -> Self {
        Destination {
            addr,
            host_local: false,
            bound: None,
        }
    }
}

/// What a lookup returned, per address: the names that resolved to it in
/// this instance (for hostname rules).
#[derive(Debug, Clone, Default)]
pub struct Resolutions {
    by_addr: HashMap<IpAddr, BTreeSet<String>>,
    count: usize,
}

impl Resolutions {
    /// Most (name, address) pairs remembered per instance.
    pub const MAX: usize = 4096;

    /// Records that `name` resolved to `addrs`. Past [`Resolutions::MAX`]
    /// pairs, further ones are not remembered (their addresses stay
    /// unreachable through name rules).
    pub fn note(&mut self, name: &str, addrs: &[IpAddr]) {
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        for a in addrs {
            if self.count >= Self::MAX {
                return;
            }
            if self
                .by_addr
                .entry(canonical_ip(*a))
                .or_default()
                .insert(name.clone())
            {
                self.count += 1;
            }
        }
    }

    /// The names that resolved to `ip`.
    pub fn names(&self, ip: IpAddr) -> impl Iterator<Item = &str> {
        self.by_addr
            .get(&canonical_ip(ip))
            .into_iter()
            .flatten()
            .map(String::as_str)
    }
}

/// The outcome of one check: what was asked, whether it is allowed, and
/// why. Callers log it (target `wasock::policy`), audit it, and turn a
/// denial into the guest's PermissionError with [`Decision::result`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Allowed by the rules.
    pub allowed: bool,
    /// The use asked for.
    pub use_: Use,
    /// The transport, for address uses.
    pub transport: Option<Transport>,
    /// What was asked about: an address (`127.0.0.1:80`), a name, a group.
    pub subject: String,
    /// The rule that decided (`deny-connect tcp://127.0.0.0/8:*`), or
    /// `None` when no rule covered it.
    pub rule: Option<String>,
    /// More on why (e.g. what the address was judged as).
    pub note: Option<String>,
    /// The flag that would allow it, for a denial no deny rule made.
    pub hint: Option<String>,
    /// The narrowest targets that allow this use (for learn mode): every
    /// address it was judged as.
    pub learn: Vec<Target>,
}

impl Decision {
    /// The denial's message: use, subject, transport, rule, hint.
    pub fn detail(&self) -> String {
        let mut s = format!("{} {}", self.use_.phrase(), self.subject);
        if let Some(t) = self.transport {
            s.push_str(&format!(" ({t})"));
        }
        if self.allowed {
            s.push_str(" allowed");
            if let Some(r) = &self.rule {
                s.push_str(&format!(" by rule {r}"));
            }
            return s;
        }
        s.push_str(" denied by policy: ");
        match &self.rule {
            Some(r) => s.push_str(&format!("denied by rule {r}")),
            None => s.push_str("no rule allows it"),
        }
        if let Some(n) = &self.note {
            s.push_str(&format!(" ({n})"));
        }
        if let Some(h) = &self.hint {
            s.push_str(&format!("; allow with {h}"));
        }
        s
    }

    /// `Ok` when allowed; else the guest's PermissionError (errno 13).
    pub fn result(&self) -> Result<(), SocketError> {
        if self.allowed {
            Ok(())
        } else {
            Err(SocketError::policy(self.detail()))
        }
    }
}

/// Socket families and types beyond TCP/UDP over IP (and AF_UNIX, whose
/// paths a unix grant governs): off unless granted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FamilyGrants {
    /// Raw IP sockets (SOCK_RAW on AF_INET/AF_INET6) by protocol number;
    /// `-1` grants every protocol.
    pub raw: BTreeSet<i32>,
    /// Other families by name (`packet`, `netlink`, `vsock`, …).
    pub families: BTreeSet<String>,
    /// Raw protocols denied whatever grants them (`-1`: every protocol).
    pub denied_raw: BTreeSet<i32>,
    /// Families denied whatever grants them.
    pub denied_families: BTreeSet<String>,
    /// Netlink sockets by protocol number (`NETLINK_*`); `-1` grants every
    /// protocol. (A `netlink` family grant is `NETLINK_ROUTE` only.)
    pub netlink: BTreeSet<i32>,
    /// Netlink protocols denied whatever grants them (`-1`: every one).
    pub denied_netlink: BTreeSet<i32>,
    /// Generic netlink families granted by name (`ethtool`, `nl80211`,
    /// `wireguard`, …): a NETLINK_GENERIC socket that may address only
    /// these (and nlctrl's read-only lookups).
    pub genl: BTreeSet<String>,
    /// Generic netlink families denied whatever grants them (a whole
    /// `generic` grant included).
    pub denied_genl: BTreeSet<String>,
}

impl FamilyGrants {
    /// Whether raw IP sockets of `protocol` are granted and not denied.
    pub fn raw_granted(&self, protocol: i32) -> bool {
        let has = |set: &BTreeSet<i32>| set.contains(&-1) || set.contains(&protocol);
        has(&self.raw) && !has(&self.denied_raw)
    }

    /// Whether the family called `name` is granted and not denied.
    pub fn family_granted(&self, name: &str) -> bool {
        self.families.contains(name) && !self.denied_families.contains(name)
    }

    /// Whether netlink sockets of `protocol` are granted and not denied: a
    /// per-protocol grant, or the `netlink` family grant for
    /// `NETLINK_ROUTE` (0); a `netlink` family denial denies every one.
    pub fn netlink_granted(&self, protocol: i32) -> bool {
        let has = |set: &BTreeSet<i32>| set.contains(&-1) || set.contains(&protocol);
        let granted = has(&self.netlink)
            || (protocol == 0 && self.families.contains("netlink"))
            || (protocol == NETLINK_GENERIC && !self.genl.is_empty());
        granted && !has(&self.denied_netlink) && !self.denied_families.contains("netlink")
    }

    /// Whether NETLINK_GENERIC is granted whole (`generic` or `*`): every
    /// family, the host's authority over each, except denied ones.
    pub fn genl_whole(&self) -> bool {
        self.netlink.contains(&-1) || self.netlink.contains(&NETLINK_GENERIC)
    }

    /// Whether a NETLINK_GENERIC socket's messages must be checked per
    /// family (granted per family, or some family denied).
    pub fn genl_filtered(&self) -> bool {
        !self.genl_whole() || !self.denied_genl.is_empty()
    }

    /// Whether the generic netlink family `name` may be addressed.
    pub fn genl_family_granted(&self, name: &str) -> bool {
        (self.genl_whole() || self.genl.contains(name)) && !self.denied_genl.contains(name)
    }
}

/// NETLINK_GENERIC's protocol number.
pub(crate) const NETLINK_GENERIC: i32 = 16;

/// A generic netlink family name as grants spell it: 1–15 printable ASCII
/// characters (the kernel's GENL_NAMSIZ, 16 with the NUL), case kept.
fn genl_name(name: &str) -> Result<String, TargetParseError> {
    let ok = !name.is_empty() && name.len() < 16 && name.bytes().all(|b| b.is_ascii_graphic());
    if ok {
        Ok(name.to_string())
    } else {
        Err(TargetParseError(format!(
            "invalid generic netlink family {:?} (a family name such as ethtool, nl80211, wireguard, devlink: 1-15 printable characters)",
            crate::types::shorten(name)
        )))
    }
}

/// The netlink protocols by name (`NETLINK_*` without the prefix, lower
/// case), as grants spell them.
const NETLINK_PROTOCOLS: &[(&str, i32)] = &[
    ("route", 0),
    ("usersock", 2),
    ("firewall", 3),
    ("sock_diag", 4),
    ("nflog", 5),
    ("xfrm", 6),
    ("selinux", 7),
    ("iscsi", 8),
    ("audit", 9),
    ("fib_lookup", 10),
    ("connector", 11),
    ("netfilter", 12),
    ("ip6_fw", 13),
    ("dnrtmsg", 14),
    ("kobject_uevent", 15),
    ("generic", 16),
    ("scsitransport", 18),
    ("ecryptfs", 19),
    ("rdma", 20),
    ("crypto", 21),
    ("smc", 22),
];

/// A netlink protocol number from its name (`route`, `NETLINK_ROUTE`,
/// `sock_diag`, …), a number 0-31, or `*` (-1).
pub fn netlink_protocol_number(s: &str) -> Option<i32> {
    let l = s.trim().to_ascii_lowercase();
    let l = l.strip_prefix("netlink_").unwrap_or(&l);
    if l == "*" {
        return Some(-1);
    }
    if let Some((_, n)) = NETLINK_PROTOCOLS.iter().find(|(name, _)| *name == l) {
        return Some(*n);
    }
    match l.parse::<i32>() {
        Ok(v) if (0..32).contains(&v) => Some(v),
        _ => None,
    }
}

/// How grants spell netlink protocol `n` (its name, else the number; `*`
/// for -1).
pub fn netlink_protocol_name(n: i32) -> String {
    if n < 0 {
        return "*".into();
    }
    NETLINK_PROTOCOLS
        .iter()
        .find(|(_, v)| *v == n)
        .map_or_else(|| n.to_string(), |(name, _)| name.to_string())
}

/// A netlink grant's protocol number (`-1` for `*`).
fn netlink_protocol(protocol: &str) -> Result<i32, TargetParseError> {
    netlink_protocol_number(protocol).ok_or_else(|| {
        TargetParseError(format!(
            "invalid netlink protocol {:?} (route, sock_diag, audit, generic, …, a number 0-31, or *)",
            crate::types::shorten(protocol)
        ))
    })
}

/// The lower-case name of a family, as grants spell it.
fn family_name(f: AddressFamily) -> String {
    debug_name(f).to_ascii_lowercase()
}

/// The case name of a generated enum value (`AddressFamily::Netlink` →
/// `Netlink`).
pub fn debug_name(v: impl fmt::Debug) -> String {
    let s = format!("{v:?}");
    match s.rfind("::") {
        Some(i) => s[i + 2..].to_string(),
        None => s,
    }
}

/// A protocol number from a name (`icmp`, `icmpv6`, …) or a number.
pub fn protocol_number(s: &str) -> Option<i32> {
    Some(match s.to_ascii_lowercase().as_str() {
        "*" => -1,
        "icmp" => libc::IPPROTO_ICMP,
        "icmpv6" | "ipv6-icmp" => libc::IPPROTO_ICMPV6,
        "tcp" => libc::IPPROTO_TCP,
        "udp" => libc::IPPROTO_UDP,
        "raw" => libc::IPPROTO_RAW,
        "igmp" => libc::IPPROTO_IGMP,
        "sctp" => libc::IPPROTO_SCTP,
        n => match n.parse::<i32>() {
            Ok(v) if (0..=255).contains(&v) => v,
            _ => return None,
        },
    })
}

/// The socket options a policy keeps off unless granted by name: they widen
/// what the guest can reach, or need privileges the guest would borrow from
/// the host. `IP_TOS` (and `IPV6_TCLASS`, its IPv6 form) is here because
/// Linux derives SO_PRIORITY from it (the per-message control messages of
/// the same name need the grant too); `TCP_CONGESTION` because the host's
/// CAP_NET_ADMIN would let the guest pick an algorithm outside
/// `tcp_allowed_congestion_control`; `TCP_ULP` (raw path) because a root
/// host autoloads a kernel module named after an unknown protocol;
/// `SO_REUSEPORT` (and `SO_REUSEADDR` on UDP sockets only, where it lets
/// two sockets share a port) would let a guest take traffic from a host
/// service on a port it may bind; `IP_ROUTER_ALERT` / `IPV6_ROUTER_ALERT`
/// (raw path) because a raw socket with them is handed packets carrying
/// the router alert option that pass through the host (other hosts'
/// flows, RSVP, MLD, IGMP); `SO_RCVMARK` (raw path) because each message
/// then carries the packet's firewall mark (SO_MARK), the host's
/// netfilter and routing state.
pub const GUARDED_OPTIONS: &[&str] = &[
    "SO_BINDTODEVICE",
    "SO_MARK",
    "SO_PRIORITY",
    "SO_DEBUG",
    "IP_TRANSPARENT",
    "IP_FREEBIND",
    "IP_HDRINCL",
    "IP_OPTIONS",
    "IP_TOS",
    "IPV6_TCLASS",
    "TCP_CONGESTION",
    "TCP_ULP",
    "SO_REUSEPORT",
    "SO_REUSEADDR",
    "IP_ROUTER_ALERT",
    "IPV6_ROUTER_ALERT",
    "SO_RCVMARK",
];

/// `s` in double quotes, as both a TOML basic string and a JSON string:
/// quotes and backslashes escaped, control characters as `\uXXXX` (Rust's
/// `{:?}` would write `\u{0}`, which neither reads).
pub(crate) fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A guarded option's key, or an error naming the grantable ones.
fn guarded_key(name: &str) -> Result<String, TargetParseError> {
    let key = option_key(name);
    if !GUARDED_OPTIONS.contains(&key.as_str()) {
        return Err(TargetParseError(format!(
            "{:?} is not a guarded option (grantable: {})",
            crate::types::shorten(name),
            GUARDED_OPTIONS.join(", ")
        )));
    }
    Ok(key)
}

/// A raw grant's protocol number (`-1` for `*`).
fn raw_protocol(protocol: &str) -> Result<i32, TargetParseError> {
    protocol_number(protocol).ok_or_else(|| {
        TargetParseError(format!(
            "invalid raw protocol {:?} (icmp, icmpv6, a number 0-255, or *)",
            crate::types::shorten(protocol)
        ))
    })
}

/// A family grant's name, lower case.
fn grant_family_name(name: &str) -> Result<String, TargetParseError> {
    let n = name.trim().to_ascii_lowercase();
    if n.is_empty() || n.len() > 32 || !n.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(TargetParseError(format!(
            "invalid family {:?}",
            crate::types::shorten(name)
        )));
    }
    Ok(n)
}

/// An option name as grants spell it: upper case, `_` for `-`
/// (`so-mark`, `SoMark` and `SO_MARK` are the same).
pub fn option_key(name: &str) -> String {
    let mut out = String::new();
    let bytes: Vec<char> = name.chars().collect();
    for (i, c) in bytes.iter().enumerate() {
        if *c == '-' {
            out.push('_');
        } else if c.is_ascii_uppercase()
            && i > 0
            && bytes[i - 1].is_ascii_lowercase()
            && !name.contains('_')
            && !name.contains('-')
        {
            out.push('_');
            out.push(*c);
        } else {
            out.push(c.to_ascii_uppercase());
        }
    }
    // `Ipv6V6only` → `IPV6_V6ONLY`.
    out.replace("IPV6V6", "IPV6_V6")
}

/// What a guest may do with sockets. Deny by default: [`Policy::default`]
/// allows nothing.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    rules: Vec<Rule>,
    resolve: Vec<(bool, String)>,
    /// Families and socket types beyond TCP/UDP (off unless granted).
    pub grants: FamilyGrants,
    options: BTreeSet<String>,
    denied_options: BTreeSet<String>,
    udp_reply: bool,
    /// Resource limits.
    pub limits: Limits,
    wasi_sockets: bool,
    audit_only: bool,
    /// AF_UNIX paths, abstract names and SCM_RIGHTS (see `policy/unix.rs`).
    unix: UnixGrant,
    /// How denials name what would allow them.
    hints: HintStyle,
}

/// How a denial names what would allow it: the embedder's builder call
/// (the default: `policy.allow_str(Use::Connect, "tcp://127.0.0.1:80")`)
/// or the `wasock` CLI's flag (`--allow-connect tcp://127.0.0.1:80`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum HintStyle {
    /// `Policy` builder calls (embeddings).
    #[default]
    Builder,
    /// `wasock run` flags.
    Cli,
}

fn with_transport(t: Option<Transport>, host: HostPattern, ports: (u16, u16)) -> Target {
    Target {
        transport: t,
        host,
        ports,
    }
}

fn loopback(v4: bool) -> IpAddr {
    if v4 {
        IpAddr::V4(Ipv4Addr::LOCALHOST)
    } else {
        IpAddr::V6(Ipv6Addr::LOCALHOST)
    }
}

/// The IPv4 address inside a NAT64 (`64:ff9b::/96`, `64:ff9b:1::/48`) or
/// IPv4-compatible (`::a.b.c.d`, not `::` or `::1`) IPv6 address.
fn embedded_ipv4(ip: IpAddr) -> Option<Ipv4Addr> {
    let IpAddr::V6(v6) = ip else { return None };
    let s = v6.segments();
    let v4 = Ipv4Addr::from(u32::from(s[6]) << 16 | u32::from(s[7]));
    let nat64 =
        s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] || (s[0] == 0x64 && s[1] == 0xff9b && s[2] == 1);
    let compat = s[..6] == [0; 6] && u32::from(v4) > 1;
    (nat64 || compat).then_some(v4)
}

fn show_addr(a: SocketAddr) -> String {
    SocketAddr::new(canonical_ip(a.ip()), a.port()).to_string()
}

impl Policy {
    /// A policy that allows nothing (the default).
    pub fn deny_all() -> Self {
        Self::default()
    }

    /// A policy that allows every use of every address and name, every
    /// family and guarded option (what learn mode runs under).
    pub fn allow_everything() -> Self {
        let mut p = Self::default();
        for u in Use::ALL {
            p = p.allow(u, "*:*".parse().expect("valid"));
        }
        p.resolve.push((true, "*".into()));
        p.grants.raw.insert(-1);
        p.grants.netlink.insert(-1);
        p.options = GUARDED_OPTIONS.iter().map(|s| s.to_string()).collect();
        p.wasi_sockets = true;
        p
    }

    /// Denials name what would allow them in this style (the CLI sets
    /// [`HintStyle::Cli`]; an embedding keeps the builder calls).
    pub fn hint_style(mut self, style: HintStyle) -> Self {
        self.hints = style;
        self
    }

    /// What would allow a denial, in this policy's [`HintStyle`]: `flag`
    /// is the CLI flag without dashes (`allow-connect`), `arg` its value
    /// (empty for a switch).
    pub fn hint(&self, flag: &str, arg: &str) -> String {
        if self.hints == HintStyle::Cli {
            return if arg.is_empty() {
                format!("--{flag}")
            } else {
                format!("--{flag} {arg}")
            };
        }
        let method = flag.replace('-', "_");
        if let Some(u) = flag.strip_prefix("allow-").and_then(|n| {
            Use::ALL
                .into_iter()
                .find(|u| *u != Use::Resolve && u.name() == n)
        }) {
            return format!("policy.allow_str(Use::{u:?}, {arg:?})");
        }
        match flag {
            "unix-dir" => "policy.unix_dir(a directory)".to_string(),
            _ if arg.is_empty() => format!("policy.{method}(true)"),
            _ => format!("policy.{method}({arg:?})"),
        }
    }

    /// The rules, in order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    fn push(mut self, allow: bool, use_: Use, target: Target, implied_by: Option<Use>) -> Self {
        let rule = Rule {
            allow,
            use_,
            target,
            implied_by,
        };
        if !self.rules.contains(&rule) {
            self.rules.push(rule);
        }
        self
    }

    /// Allows `use_` of addresses matching `target`. The legacy uses imply
    /// others (shown by `wasock policy check`): `bind` implies `listen` on
    /// the target and `accept` / `recv-from` from any peer (same
    /// transport); `connect` implies `send-to` and `recv-from` of the
    /// target. Implied rules count only while the policy has no explicit
    /// allow rule of their use.
    pub fn allow(self, use_: Use, target: Target) -> Self {
        let t = target.transport;
        let p = self.push(true, use_, target.clone(), None);
        match use_ {
            Use::Bind => {
                let any = |tr| with_transport(tr, HostPattern::Any, (0, u16::MAX));
                let p = p.push(true, Use::Listen, target, Some(Use::Bind));
                let (acc, rcv) = match t {
                    Some(Transport::Tcp) => (Some(Transport::Tcp), None),
                    Some(tr @ (Transport::Udp | Transport::Raw)) => (None, Some(tr)),
                    None => (Some(Transport::Tcp), Some(Transport::Udp)),
                };
                let p = match acc {
                    Some(tr) => p.push(true, Use::Accept, any(Some(tr)), Some(Use::Bind)),
                    None => p,
                };
                match rcv {
                    Some(tr) => p.push(true, Use::RecvFrom, any(Some(tr)), Some(Use::Bind)),
                    None => p,
                }
            }
            Use::Connect => {
                let p = p.push(true, Use::SendTo, target.clone(), Some(Use::Connect));
                if t == Some(Transport::Tcp) {
                    p
                } else {
                    p.push(true, Use::RecvFrom, target, Some(Use::Connect))
                }
            }
            _ => p,
        }
    }

    /// Allows exactly `use_` of `target`, implying nothing else.
    pub fn allow_exact(self, use_: Use, target: Target) -> Self {
        self.push(true, use_, target, None)
    }

    /// Denies `use_` of addresses matching `target`, whatever allows it.
    /// As allows do, `bind` also denies `listen` and `connect` also denies
    /// `send-to` of the target (implied deny rules always count).
    pub fn deny(self, use_: Use, target: Target) -> Self {
        let p = self.push(false, use_, target.clone(), None);
        match use_ {
            Use::Bind => p.push(false, Use::Listen, target, Some(Use::Bind)),
            Use::Connect => p.push(false, Use::SendTo, target, Some(Use::Connect)),
            _ => p,
        }
    }

    /// Allows `use_` of the target string, e.g.
    /// `allow_str(Use::Connect, "tcp://127.0.0.1:80")`.
    pub fn allow_str(self, use_: Use, target: &str) -> Result<Self, TargetParseError> {
        Ok(self.allow(use_, target.parse()?))
    }

    /// Denies `use_` of the target string.
    pub fn deny_str(self, use_: Use, target: &str) -> Result<Self, TargetParseError> {
        Ok(self.deny(use_, target.parse()?))
    }
}

/// The symmetric builder: `allow_<use>` / `deny_<use>` for every address
/// use, each taking a target string.
macro_rules! builder {
    ($($use_:ident: $allow:ident, $deny:ident;)*) => {
        impl Policy {
            $(
                #[doc = concat!("Allows `", stringify!($use_), "` of the target string (see [`Target`]).")]
                pub fn $allow(self, target: &str) -> Result<Self, TargetParseError> {
                    self.allow_str(Use::$use_, target)
                }
                #[doc = concat!("Denies `", stringify!($use_), "` of the target string, whatever allows it.")]
                pub fn $deny(self, target: &str) -> Result<Self, TargetParseError> {
                    self.deny_str(Use::$use_, target)
                }
            )*
        }
    };
}

builder! {
    Bind: allow_bind, deny_bind;
    Listen: allow_listen, deny_listen;
    Accept: allow_accept, deny_accept;
    Connect: allow_connect, deny_connect;
    SendTo: allow_send_to, deny_send_to;
    RecvFrom: allow_recv_from, deny_recv_from;
    Join: allow_join, deny_join;
}

/// A resolve pattern that does not parse.
fn resolve_pattern(p: &str) -> Result<String, TargetParseError> {
    let s = p.trim().trim_end_matches('.').to_ascii_lowercase();
    let ok = s == "*" || {
        let body = s.strip_prefix("*.").unwrap_or(&s);
        !body.is_empty()
            && body.len() <= 253
            && body.split('.').all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && l.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            })
    };
    if ok {
        Ok(s)
    } else {
        Err(TargetParseError(format!(
            "invalid resolve pattern {:?} (expected a host name, *.domain, or *)",
            crate::types::shorten(p)
        )))
    }
}

impl Policy {
    /// Allows looking up names matching `pattern` (`api.example.com`,
    /// `*.example.com`, `*`).
    pub fn allow_resolve(mut self, pattern: &str) -> Result<Self, TargetParseError> {
        let p = resolve_pattern(pattern)?;
        if !self.resolve.contains(&(true, p.clone())) {
            self.resolve.push((true, p));
        }
        Ok(self)
    }

    /// Denies looking up names matching `pattern`, whatever allows it.
    pub fn deny_resolve(mut self, pattern: &str) -> Result<Self, TargetParseError> {
        let p = resolve_pattern(pattern)?;
        if !self.resolve.contains(&(false, p.clone())) {
            self.resolve.push((false, p));
        }
        Ok(self)
    }

    /// The resolve rules: (allow, pattern).
    pub fn resolve_rules(&self) -> &[(bool, String)] {
        &self.resolve
    }

    /// Lets a UDP socket send to any peer that has sent it a datagram
    /// (the reply rule for UDP servers), deny rules still applying.
    pub fn allow_udp_reply(mut self, yes: bool) -> Self {
        self.udp_reply = yes;
        self
    }

    /// Whether the UDP reply rule is on.
    pub fn udp_reply(&self) -> bool {
        self.udp_reply
    }

    /// Grants a guarded socket option by name (`SO_MARK`, `so-mark`).
    pub fn allow_option(mut self, name: &str) -> Result<Self, TargetParseError> {
        let key = guarded_key(name)?;
        self.options.insert(key);
        Ok(self)
    }

    /// Denies a guarded option by name, whatever grants it.
    pub fn deny_option(mut self, name: &str) -> Result<Self, TargetParseError> {
        let key = guarded_key(name)?;
        self.denied_options.insert(key);
        Ok(self)
    }

    /// The guarded options granted (and not denied).
    pub fn granted_options(&self) -> impl Iterator<Item = &str> {
        self.options
            .iter()
            .filter(|o| !self.denied_options.contains(*o))
            .map(String::as_str)
    }

    /// The guarded options denied.
    pub fn denied_options(&self) -> impl Iterator<Item = &str> {
        self.denied_options.iter().map(String::as_str)
    }

    /// Grants raw IP sockets for a protocol (`icmp`, `icmpv6`, a number, or
    /// `*` for all).
    pub fn allow_raw(mut self, protocol: &str) -> Result<Self, TargetParseError> {
        let n = raw_protocol(protocol)?;
        self.grants.raw.insert(n);
        Ok(self)
    }

    /// Denies raw IP sockets for a protocol (`*`: all), whatever grants them.
    pub fn deny_raw(mut self, protocol: &str) -> Result<Self, TargetParseError> {
        let n = raw_protocol(protocol)?;
        self.grants.denied_raw.insert(n);
        Ok(self)
    }

    /// Grants a socket family by name (`packet`, `netlink`, `vsock`, …).
    pub fn allow_family(mut self, name: &str) -> Result<Self, TargetParseError> {
        let n = grant_family_name(name)?;
        self.grants.families.insert(n);
        Ok(self)
    }

    /// Grants netlink sockets of one protocol (`route`, `sock_diag`,
    /// `generic`, a number, or `*` for all): a netlink socket reaches what
    /// its protocol does (`sock_diag` lists every socket of the host,
    /// `audit` and `kobject_uevent` its audit and device events), so each
    /// is granted on its own. `allow_family("netlink")` grants `route`
    /// only. `route` and `sock_diag` sockets can only read (the host
    /// refuses rtnetlink writes and SOCK_DESTROY); any other protocol
    /// carries the host's (root's) authority over it, writes included:
    /// `generic` reaches ethtool, devlink, nl80211 and wireguard
    /// configuration, `netfilter` the firewall, `xfrm` IPsec state.
    pub fn allow_netlink(mut self, protocol: &str) -> Result<Self, TargetParseError> {
        let n = netlink_protocol(protocol)?;
        self.grants.netlink.insert(n);
        Ok(self)
    }

    /// Grants one generic netlink family by name (`ethtool`, `nl80211`,
    /// `wireguard`, `devlink`, …): the guest may create NETLINK_GENERIC
    /// sockets, whose messages may address only the granted families and
    /// nlctrl's read-only lookups (CTRL_CMD_GETFAMILY, CTRL_CMD_GETPOLICY).
    /// Each granted family carries the host's (root's) authority over it.
    /// `allow_netlink("generic")` grants every family.
    pub fn allow_genl(mut self, family: &str) -> Result<Self, TargetParseError> {
        self.grants.genl.insert(genl_name(family)?);
        Ok(self)
    }

    /// Denies one generic netlink family by name, whatever grants it
    /// (`allow_netlink("generic")` included).
    pub fn deny_genl(mut self, family: &str) -> Result<Self, TargetParseError> {
        self.grants.denied_genl.insert(genl_name(family)?);
        Ok(self)
    }

    /// Denies netlink sockets of one protocol (`*`: all), whatever grants
    /// them.
    pub fn deny_netlink(mut self, protocol: &str) -> Result<Self, TargetParseError> {
        let n = netlink_protocol(protocol)?;
        self.grants.denied_netlink.insert(n);
        Ok(self)
    }

    /// Denies a socket family by name, whatever grants it.
    pub fn deny_family(mut self, name: &str) -> Result<Self, TargetParseError> {
        let n = grant_family_name(name)?;
        self.grants.denied_families.insert(n);
        Ok(self)
    }

    /// Lets guests that use `wasi:sockets` (Rust's `std::net`) reach the
    /// network, under the same rules as wasock sockets. Off by default.
    pub fn allow_wasi_sockets(mut self, yes: bool) -> Self {
        self.wasi_sockets = yes;
        self
    }

    /// Whether `wasi:sockets` is enabled (see [`Policy::allow_wasi_sockets`]).
    pub fn wasi_sockets_allowed(&self) -> bool {
        self.wasi_sockets
    }

    /// What this policy asks for that the host cannot enforce, if anything:
    /// a `send-bytes-per-second` limit together with wasi:sockets, whose
    /// TCP streams and datagrams the host does not see byte by byte. A
    /// guest could send past the limit through `std::net`, so such a policy
    /// is refused when it is loaded and when a store is made from it. Also
    /// a `wall-time` limit together with wasi:sockets: the epoch deadline
    /// stops guest code and wasock's own waits, but not a guest blocked in
    /// wasmtime-wasi's socket calls (issue 22: seen still running at 6 s
    /// under a 1.5 s limit).
    pub fn unenforceable(&self) -> Option<String> {
        if self.wasi_sockets && self.limits.send_bytes_per_second.is_some() {
            return Some(
                "send-bytes-per-second cannot be enforced on wasi:sockets (std::net) traffic: \
                 a policy with allow-wasi-sockets cannot have it"
                    .into(),
            );
        }
        if self.wasi_sockets && self.limits.wall_time.is_some() {
            return Some(
                "wall-time-ms cannot stop a guest waiting in a wasi:sockets (std::net) call: \
                 wasmtime-wasi's waits are not interrupted by the deadline, so a policy with \
                 allow-wasi-sockets cannot have it (use the wasock crate's sockets, which it stops)"
                    .into(),
            );
        }
        None
    }

    /// Audit (dry-run) mode: every decision is made and logged as usual,
    /// but denials are let through.
    pub fn audit_only(mut self, yes: bool) -> Self {
        self.audit_only = yes;
        self
    }

    /// Whether denials are only logged ([`Policy::audit_only`]).
    pub fn is_audit_only(&self) -> bool {
        self.audit_only
    }

    /// Whether the policy has an explicit allow rule for `use_`.
    fn has_explicit(&self, use_: Use) -> bool {
        self.rules
            .iter()
            .any(|r| r.allow && r.use_ == use_ && r.implied_by.is_none())
    }

    /// The rules that count for `use_` (implied ones only while no explicit
    /// allow rule of the use exists).
    fn active(&self, use_: Use) -> impl Iterator<Item = &Rule> {
        let explicit = self.has_explicit(use_);
        self.rules
            .iter()
            .filter(move |r| r.use_ == use_ && (r.implied_by.is_none() || !r.allow || !explicit))
    }

    /// Whether a name rule's pattern admits `ip` through a lookup.
    fn name_admits(target: &Target, ip: IpAddr, resolved: &Resolutions) -> bool {
        match &target.host {
            HostPattern::Name(pat) => resolved.names(ip).any(|n| name_matches(pat, n)),
            _ => false,
        }
    }

    fn covers(r: &Rule, t: Transport, a: SocketAddr, resolved: &Resolutions) -> bool {
        r.target.matches(t, a)
            || (r.target.transport_and_port(t, a.port())
                && Self::name_admits(&r.target, a.ip(), resolved))
    }

    fn decision(
        &self,
        use_: Use,
        transport: Option<Transport>,
        subject: String,
        rule: Option<&Rule>,
        allowed: bool,
    ) -> Decision {
        Decision {
            allowed,
            use_,
            transport,
            subject,
            rule: rule.map(|r| {
                let mut r = r.clone();
                r.implied_by = None;
                r.to_string()
            }),
            note: None,
            hint: None,
            learn: Vec::new(),
        }
    }

    /// Whether `use_` of `addr` over `transport` is allowed, judging the
    /// address literally (no delivery analysis). For tests and tools; the
    /// socket calls use the `decide_*` functions.
    pub fn permits(&self, use_: Use, transport: Transport, addr: SocketAddr) -> bool {
        self.judge(use_, transport, &[addr], &[addr], &Resolutions::default())
            .0
    }

    /// Judges `candidates` (all must be allowed) and `deny_also` (any deny
    /// refuses). Returns (allowed, deciding rule, first uncovered address).
    fn judge(
        &self,
        use_: Use,
        t: Transport,
        candidates: &[SocketAddr],
        deny_also: &[SocketAddr],
        resolved: &Resolutions,
    ) -> (bool, Option<&Rule>, Option<SocketAddr>) {
        let rules: Vec<&Rule> = self.active(use_).collect();
        for r in rules.iter().filter(|r| !r.allow) {
            if candidates
                .iter()
                .chain(deny_also)
                .any(|a| Self::covers(r, t, *a, resolved))
            {
                return (false, Some(r), None);
            }
        }
        let mut last = None;
        for a in candidates {
            match rules
                .iter()
                .find(|r| r.allow && Self::covers(r, t, *a, resolved))
            {
                Some(r) => last = Some(*r),
                None => return (false, None, Some(*a)),
            }
        }
        (last.is_some(), last, None)
    }

    /// Decides a use of a remote address (`connect`, `send-to`), judging
    /// it by where the kernel delivers it (see the module docs). `replied`:
    /// the peer has sent this socket a datagram (for the UDP reply rule).
    pub fn decide_destination(
        &self,
        use_: Use,
        transport: Transport,
        dest: Destination,
        resolved: &Resolutions,
        replied: bool,
    ) -> Decision {
        let addr = SocketAddr::new(canonical_ip(dest.addr.ip()), dest.addr.port());
        let ip = addr.ip();
        let v4 = ip.is_ipv4();
        let lo = SocketAddr::new(loopback(v4), addr.port());
        let mut candidates = Vec::new();
        let mut note = None;
        if ip.is_unspecified() {
            candidates.push(lo);
            if let Some(b) = dest.bound.map(canonical_ip) {
                if !b.is_unspecified() && b.is_ipv4() == v4 && b != lo.ip() {
                    candidates.push(SocketAddr::new(b, addr.port()));
                }
            }
            note = Some(format!("the unspecified address delivers to {lo}"));
        } else {
            candidates.push(addr);
            if (ip.is_loopback() || dest.host_local) && ip != lo.ip() {
                candidates.push(lo);
                note = Some(format!(
                    "{ip} is this host's: it reaches this host's wildcard listeners as {lo} does, so it is judged as {lo} too"
                ));
            }
            if let Some(v4) = embedded_ipv4(ip) {
                // A NAT64 gateway (or an IPv4-compatible route) delivers it
                // to the IPv4 address: judged as that too, and as loopback
                // when that is loopback.
                let a4 = SocketAddr::new(IpAddr::V4(v4), addr.port());
                candidates.push(a4);
                if v4.is_loopback() || v4.is_unspecified() {
                    candidates.push(SocketAddr::new(loopback(true), addr.port()));
                }
                note = Some(format!("{ip} embeds {v4}, judged as {v4} too"));
            }
        }
        // Deny-only: a loopback destination also reaches a dual-stack [::]
        // listener as the other family's loopback, and a multicast one (with
        // IP_MULTICAST_LOOP, on by default) this host's members: a deny rule
        // naming loopback (either family) refuses them too.
        let mut deny_also = vec![addr];
        let multicast = ip.is_multicast();
        if multicast || candidates.iter().any(|c| c.ip().is_loopback()) {
            for v4 in [true, false] {
                deny_also.push(SocketAddr::new(loopback(v4), addr.port()));
            }
        }
        let (mut allowed, rule, uncovered) =
            self.judge(use_, transport, &candidates, &deny_also, resolved);
        if multicast && rule.is_some_and(|r| !r.allow) && note.is_none() {
            note = Some(format!(
                "{ip} is multicast: this host's members receive it (IP_MULTICAST_LOOP)"
            ));
        }
        if !allowed && rule.is_none() && replied && self.udp_reply && transport == Transport::Udp {
            allowed = true;
            note = Some("the peer wrote to this socket (udp reply rule)".into());
        }
        if let Some(u) = uncovered.filter(|u| !allowed && *u != addr) {
            // The address itself may be allowed (by an address rule, or a
            // name it was looked up as); another address it is judged as
            // is not: say which, and why.
            let by = self
                .active(use_)
                .find(|r| r.allow && Self::covers(r, transport, addr, resolved));
            let mut n = note.take().unwrap_or_default();
            n.push_str(&format!("; no rule allows {u}"));
            if let Some(r) = by {
                let mut r = r.clone();
                r.implied_by = None;
                n.push_str(&format!(", although {r} allows {addr}"));
                let names: Vec<&str> = resolved.names(addr.ip()).collect();
                if matches!(r.target.host, HostPattern::Name(_)) && !names.is_empty() {
                    n.push_str(&format!(" (looked up as {})", names.join(", ")));
                }
            }
            note = Some(n);
        }
        let mut d = self.decision(use_, Some(transport), show_addr(dest.addr), rule, allowed);
        d.note = note;
        let target = uncovered.unwrap_or(addr);
        if !allowed && d.rule.is_none() {
            d.hint = Some(self.hint(
                &format!("allow-{}", use_.name()),
                &Target::exact(transport, target).to_string(),
            ));
        }
        d.learn = candidates
            .iter()
            .map(|a| Target::exact(transport, *a))
            .collect();
        if ip.is_unspecified() {
            // The literal too, so that a deny of it stays visible.
            d.learn.push(Target::exact(transport, addr));
        }
        d
    }

    /// Decides a use of a local address (`bind`, `listen`). A wildcard
    /// address needs its whole family allowed, and both families when
    /// `dual_stack` (an IPv6 socket with IPV6_V6ONLY off).
    pub fn decide_local(
        &self,
        use_: Use,
        transport: Transport,
        addr: SocketAddr,
        dual_stack: bool,
    ) -> Decision {
        let ip = canonical_ip(addr.ip());
        let port = addr.port();
        let subject = show_addr(addr);
        if !ip.is_unspecified() {
            let a = SocketAddr::new(ip, port);
            let (allowed, rule, _) =
                self.judge(use_, transport, &[a], &[a], &Resolutions::default());
            let mut d = self.decision(use_, Some(transport), subject, rule, allowed);
            if !allowed && d.rule.is_none() {
                d.hint = Some(self.hint(
                    &format!("allow-{}", use_.name()),
                    &Target::exact(transport, a).to_string(),
                ));
            }
            d.learn = vec![Target::exact(transport, a)];
            return d;
        }
        // A wildcard: judged per family it receives on.
        let mut families = vec![ip.is_ipv4()];
        if dual_stack && !ip.is_ipv4() {
            families.push(true);
        }
        let rules: Vec<&Rule> = self.active(use_).collect();
        for v4 in &families {
            let wild = SocketAddr::new(
                if *v4 {
                    IpAddr::V4(Ipv4Addr::UNSPECIFIED)
                } else {
                    IpAddr::V6(Ipv6Addr::UNSPECIFIED)
                },
                port,
            );
            let note = if dual_stack {
                Some("a dual-stack [::] socket (IPV6_V6ONLY off) receives on every IPv4 and IPv6 address".to_string())
            } else {
                Some(format!(
                    "a wildcard bind receives on every IPv{} address",
                    if *v4 { 4 } else { 6 }
                ))
            };
            if let Some(r) = rules.iter().find(|r| {
                !r.allow
                    && r.target.transport_and_port(transport, port)
                    && r.target.touches_family(*v4)
            }) {
                let mut d = self.decision(use_, Some(transport), subject, Some(r), false);
                d.note = note;
                return d;
            }
            if !rules.iter().any(|r| {
                r.allow
                    && r.target.transport_and_port(transport, port)
                    && r.target.covers_family(*v4)
            }) {
                let mut d = self.decision(use_, Some(transport), subject, None, false);
                d.note = note;
                d.hint = Some(format!(
                    "{}{}",
                    self.hint(
                        &format!("allow-{}", use_.name()),
                        &Target::exact(transport, wild).to_string()
                    ),
                    if dual_stack && !*v4 {
                        ""
                    } else if dual_stack {
                        " (or set IPV6_V6ONLY before binding)"
                    } else {
                        ""
                    }
                ));
                return d;
            }
        }
        let rule = rules.iter().find(|r| {
            r.allow
                && r.target.transport_and_port(transport, port)
                && r.target.covers_family(families[0])
        });
        let mut d = self.decision(use_, Some(transport), subject, rule.copied(), true);
        d.learn = families
            .iter()
            .map(|v4| {
                let wild: IpAddr = if *v4 {
                    Ipv4Addr::UNSPECIFIED.into()
                } else {
                    Ipv6Addr::UNSPECIFIED.into()
                };
                Target::exact(transport, SocketAddr::new(wild, port))
            })
            .collect();
        d
    }

    /// Decides a peer (`accept`, `recv-from`): judged as the address the
    /// kernel reports.
    pub fn decide_peer(
        &self,
        use_: Use,
        transport: Transport,
        peer: SocketAddr,
        resolved: &Resolutions,
    ) -> Decision {
        let a = SocketAddr::new(canonical_ip(peer.ip()), peer.port());
        let (allowed, rule, _) = self.judge(use_, transport, &[a], &[a], resolved);
        let mut d = self.decision(use_, Some(transport), show_addr(peer), rule, allowed);
        let learned = Target::exact(transport, a).any_port();
        if !allowed && d.rule.is_none() {
            d.hint = Some(self.hint(&format!("allow-{}", use_.name()), &learned.to_string()));
        }
        d.learn = vec![learned];
        d
    }

    /// Checks a use of `addr` with what the policy alone knows (no host
    /// addresses, no lookups, no dual stack): destinations as
    /// [`Policy::decide_destination`], local addresses as
    /// [`Policy::decide_local`], peers as [`Policy::decide_peer`]. The
    /// error is the guest's PermissionError, naming the rule or the flag.
    pub fn check(
        &self,
        use_: Use,
        transport: Transport,
        addr: SocketAddr,
    ) -> Result<(), SocketError> {
        let none = Resolutions::default();
        match use_ {
            Use::Connect | Use::SendTo => {
                self.decide_destination(use_, transport, Destination::remote(addr), &none, false)
            }
            Use::Bind | Use::Listen => self.decide_local(use_, transport, addr, false),
            Use::Join => self.decide_join(addr.ip()),
            _ => self.decide_peer(use_, transport, addr, &none),
        }
        .result()
    }

    /// Whether peers of `use_` over `transport` need checking at all (false
    /// when an active allow rule covers every address and port and no
    /// deny rule exists): lets receives skip the per-datagram check.
    pub fn filters_peers(&self, use_: Use, transport: Transport) -> bool {
        let mut any_all = false;
        for r in self.active(use_) {
            if r.target.transport.is_some_and(|t| t != transport) {
                continue;
            }
            if !r.allow {
                return true;
            }
            if r.target.host == HostPattern::Any && r.target.ports == (0, u16::MAX) {
                any_all = true;
            }
        }
        !any_all
    }

    /// Decides joining the multicast group `group` (ports of join rules are
    /// ignored).
    pub fn decide_join(&self, group: IpAddr) -> Decision {
        let a = SocketAddr::new(canonical_ip(group), 0);
        let rules: Vec<&Rule> = self.active(Use::Join).collect();
        let hit = |allow: bool| {
            rules.iter().find(|r| {
                r.allow == allow
                    && r.target.transport.is_none_or(|t| t == Transport::Udp)
                    && r.target.covers_ip(a.ip())
            })
        };
        let (allowed, rule) = match (hit(false), hit(true)) {
            (Some(d), _) => (false, Some(*d)),
            (None, Some(a)) => (true, Some(*a)),
            (None, None) => (false, None),
        };
        let subject = a.ip().to_string();
        let mut d = self.decision(Use::Join, Some(Transport::Udp), subject, rule, allowed);
        let t = Target::exact(Transport::Udp, a).any_port();
        if !allowed && d.rule.is_none() {
            d.hint = Some(self.hint("allow-join", &t.to_string()));
        }
        d.learn = vec![t];
        d
    }

    /// The allow rule naming a host that implies looking `name` up: a
    /// `connect` or `send-to` rule whose host pattern matches it (a rule
    /// naming a host can only match after the name is looked up). Deny
    /// rules of `resolve` still win.
    fn resolve_implied_by(&self, name: &str) -> Option<&Rule> {
        [Use::Connect, Use::SendTo].into_iter().find_map(|u| {
            self.active(u).find(|r| {
                r.allow && matches!(&r.target.host, HostPattern::Name(p) if name_matches(p, name))
            })
        })
    }

    /// Decides a lookup of the host name `name`: the `resolve` rules, and
    /// failing them an allow rule of `connect` or `send-to` naming it.
    pub fn decide_resolve(&self, name: &str) -> Decision {
        let n = name.trim_end_matches('.').to_ascii_lowercase();
        let hit = |allow: bool| {
            self.resolve
                .iter()
                .find(|(a, p)| *a == allow && (p == "*" || name_matches(p, &n)))
        };
        let (allowed, rule) = match (hit(false), hit(true)) {
            (Some((_, p)), _) => (false, Some(format!("deny-resolve {p}"))),
            (None, Some((_, p))) => (true, Some(format!("allow-resolve {p}"))),
            (None, None) => match self.resolve_implied_by(&n) {
                Some(r) => (
                    true,
                    Some(format!(
                        "allow-resolve (implied by allow-{} {})",
                        r.use_, r.target
                    )),
                ),
                None => (false, None),
            },
        };
        let shown = crate::types::shorten(name).into_owned();
        Decision {
            allowed,
            use_: Use::Resolve,
            transport: None,
            subject: format!("{shown:?}"),
            hint: (!allowed && rule.is_none()).then(|| self.hint("allow-resolve", &shown)),
            rule,
            note: None,
            learn: Vec::new(),
        }
    }

    /// Contract for name resolution: may the guest look up `name`? The
    /// error names the name and the rule (or that none allows it).
    pub fn check_resolve(&self, name: &str) -> Result<(), SocketError> {
        self.decide_resolve(name).result()
    }

    /// Whether a socket of this family, type and protocol may be created:
    /// TCP/UDP over IP and AF_UNIX yes (their addresses are governed by
    /// rules); raw IP sockets per granted protocol; other families only
    /// when granted by name.
    pub fn check_family(
        &self,
        family: AddressFamily,
        socket_type: SocketType,
        protocol: i32,
    ) -> Result<(), SocketError> {
        match self.decide_family(family, socket_type, protocol) {
            Ok(_) => Ok(()),
            Err(m) => Err(SocketError::policy(m)),
        }
    }

    /// As [`Policy::check_family`]: `Ok(rule that granted it)` or the
    /// denial's message.
    pub fn decide_family(
        &self,
        family: AddressFamily,
        socket_type: SocketType,
        protocol: i32,
    ) -> Result<Option<String>, String> {
        let name = family_name(family);
        let ty = debug_name(socket_type).to_ascii_lowercase();
        let ip = matches!(family, AddressFamily::Inet | AddressFamily::Inet6);
        let what = format!("creating a {name} {ty} socket (protocol {protocol}) denied by policy");
        match (family, socket_type) {
            (
                AddressFamily::Inet | AddressFamily::Inet6,
                SocketType::Stream | SocketType::Dgram,
            )
            | (AddressFamily::Unix, _) => Ok(None),
            _ if ip && socket_type == SocketType::Raw => {
                if self.grants.raw_granted(protocol) {
                    Ok(Some(format!("allow-raw {protocol}")))
                } else {
                    Err(format!(
                        "{what}: raw sockets are off unless granted per protocol; allow with {}",
                        self.hint("allow-raw", &protocol.to_string())
                    ))
                }
            }
            _ if ip => Err(format!("{what}: no grant exists for {ty} sockets over IP")),
            (AddressFamily::Netlink, _) if protocol == NETLINK_GENERIC => {
                if self.grants.netlink_granted(protocol) && self.grants.genl_whole() {
                    Ok(Some("allow-netlink generic".to_string()))
                } else if self.grants.netlink_granted(protocol) {
                    let names: Vec<&str> = self.grants.genl.iter().map(String::as_str).collect();
                    Ok(Some(format!("allow-genl {}", names.join(","))))
                } else {
                    Err(format!(
                        "{what}: generic netlink sockets are off unless granted per family; allow with {} (or {} for every family, with the host's authority over each)",
                        self.hint("allow-genl", "FAMILY"),
                        self.hint("allow-netlink", "generic")
                    ))
                }
            }
            (AddressFamily::Netlink, _) => {
                let proto = netlink_protocol_name(protocol);
                if self.grants.netlink_granted(protocol) {
                    Ok(Some(format!("allow-netlink {proto}")))
                } else {
                    Err(format!(
                        "{what}: netlink sockets are off unless granted per protocol; allow with {}", self.hint("allow-netlink", &proto.to_string())
                    ))
                }
            }
            _ => {
                if self.grants.family_granted(&name) {
                    Ok(Some(format!("allow-family {name}")))
                } else {
                    Err(format!(
                        "{what}: the {name} family is off unless granted; allow with {}",
                        self.hint("allow-family", &name.to_string())
                    ))
                }
            }
        }
    }

    /// Whether a guarded option may be set (unguarded ones always may).
    /// `name` as in [`option_key`].
    pub fn check_option(&self, name: &str) -> Result<(), SocketError> {
        let key = option_key(name);
        if !GUARDED_OPTIONS.contains(&key.as_str())
            || (self.options.contains(&key) && !self.denied_options.contains(&key))
        {
            return Ok(());
        }
        Err(SocketError::policy(format!(
            "setting option {key} denied by policy: guarded options are off unless granted; allow with {}", self.hint("allow-option", &key.to_string())
        )))
    }

    /// Reads a policy from a TOML file (see [`PolicyFile`]). A relative
    /// `[unix] dir` is resolved against the file's directory. Feature
    /// `policy-file` (default).
    #[cfg(feature = "policy-file")]
    pub fn from_toml_file(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("reading policy file {}: {e}", path.display()))?;
        let base = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => std::path::PathBuf::from("."),
        };
        toml::from_str::<PolicyFile>(&text)
            .map_err(anyhow::Error::from)
            .and_then(|f| f.into_policy_beside(Some(&base)))
            .map_err(|e| anyhow::anyhow!("policy file {}: {e}", path.display()))
    }

    /// Parses a policy from TOML text (see [`PolicyFile`]). A `[unix] dir`
    /// must be absolute here (no file to be relative to). Feature
    /// `policy-file` (default).
    #[cfg(feature = "policy-file")]
    pub fn from_toml(text: &str) -> anyhow::Result<Self> {
        let file: PolicyFile = toml::from_str(text)?;
        file.into_policy()
    }

    /// The policy as TOML (the effective rules, implied ones as comments);
    /// parsing it back gives the same policy.
    pub fn to_toml(&self) -> String {
        render::render(self)
    }
}

#[cfg(test)]
#[path = "../tests/policy.rs"]
mod tests;
