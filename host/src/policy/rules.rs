//! The rules' vocabulary: what an address is used for ([`Use`]), the
//! transport, one [`Rule`], a destination as the caller knows it, and what
//! this instance's lookups returned ([`Resolutions`]).

use super::target::{canonical_ip, Target};
use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

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
    pub(super) fn phrase(self) -> &'static str {
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
