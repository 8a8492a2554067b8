//! Grants beyond TCP/UDP over IP: families and socket types by name, raw
//! IP protocols, netlink protocols and generic netlink families, guarded
//! socket options; their names and numbers, the builder calls that grant
//! and deny them, and the checks the socket calls make.

use super::target::TargetParseError;
use super::Policy;
use crate::types::types::{AddressFamily, SocketType};
use crate::types::SocketError;
use std::collections::BTreeSet;
use std::fmt;

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
pub(super) fn genl_name(name: &str) -> Result<String, TargetParseError> {
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
pub(super) const NETLINK_PROTOCOLS: &[(&str, i32)] = &[
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
pub(super) fn netlink_protocol(protocol: &str) -> Result<i32, TargetParseError> {
    netlink_protocol_number(protocol).ok_or_else(|| {
        TargetParseError(format!(
            "invalid netlink protocol {:?} (route, sock_diag, audit, generic, …, a number 0-31, or *)",
            crate::types::shorten(protocol)
        ))
    })
}

/// The lower-case name of a family, as grants spell it.
pub(super) fn family_name(f: AddressFamily) -> String {
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
pub(super) fn guarded_key(name: &str) -> Result<String, TargetParseError> {
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
pub(super) fn raw_protocol(protocol: &str) -> Result<i32, TargetParseError> {
    protocol_number(protocol).ok_or_else(|| {
        TargetParseError(format!(
            "invalid raw protocol {:?} (icmp, icmpv6, a number 0-255, or *)",
            crate::types::shorten(protocol)
        ))
    })
}

/// A family grant's name, lower case.
pub(super) fn grant_family_name(name: &str) -> Result<String, TargetParseError> {
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

impl Policy {
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
        // Always allowed: decided before any name is formatted (once per
        // socket, on every connection's path).
        if let (
            AddressFamily::Inet | AddressFamily::Inet6,
            SocketType::Stream | SocketType::Dgram,
        )
        | (AddressFamily::Unix, _) = (family, socket_type)
        {
            return Ok(None);
        }
        let name = family_name(family);
        let ty = debug_name(socket_type).to_ascii_lowercase();
        let ip = matches!(family, AddressFamily::Inet | AddressFamily::Inet6);
        let what = format!("creating a {name} {ty} socket (protocol {protocol}) denied by policy");
        match (family, socket_type) {
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
}
