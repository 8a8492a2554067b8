//! The policy: the only place that decides what a guest may do.
//!
//! Deny by default. A policy is a list of rules; each names a [`Use`] (what
//! the address is for) and a target pattern (transport, address range,
//! port range). A call is allowed when an allow rule matches and no deny
//! rule does. IPv4-mapped IPv6 addresses (`::ffff:a.b.c.d`) are judged as
//! the IPv4 address they carry.
//!
//! Target syntax (used by CLI flags, the TOML file and the builder):
//!
//! ```text
//! [tcp:// | udp://] ADDRESS [/PREFIX] : PORTS
//! ADDRESS = 127.0.0.1 | [::1] | *          (* is every address of both families)
//! PORTS   = 8080 | 5000-5100 | *
//! ```
//!
//! e.g. `127.0.0.1:50007`, `tcp://10.0.0.0/8:443`, `udp://[::1]:5000-5100`.

use crate::error::SocketError;
use serde::Deserialize;
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::str::FromStr;

/// What an address is used for, i.e. the system call a rule governs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Use {
    /// bind(2) to a local address, and listen(2) / accept(2) on it.
    Bind,
    /// connect(2) to a remote address, and sendto(2) / sendmsg(2) to it.
    Connect,
}

impl fmt::Display for Use {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Use::Bind => "bind",
            Use::Connect => "connect",
        })
    }
}

/// The transport protocol a rule applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transport {
    /// SOCK_STREAM over IP.
    Tcp,
    /// SOCK_DGRAM over IP.
    Udp,
}

impl fmt::Display for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Transport::Tcp => "tcp",
            Transport::Udp => "udp",
        })
    }
}

/// An address/port pattern: `[tcp://|udp://]ADDRESS[/PREFIX]:PORTS`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    transport: Option<Transport>,
    /// `None` is every address of both families.
    net: Option<(IpAddr, u8)>,
    ports: (u16, u16),
}

/// A target string that does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetParseError(String);

impl fmt::Display for TargetParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TargetParseError {}

impl FromStr for Target {
    type Err = TargetParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = |why: &str| {
            TargetParseError(format!(
                "invalid policy target {s:?}: {why} (expected [tcp://|udp://]ADDRESS[/PREFIX]:PORTS, e.g. 127.0.0.1:8080, tcp://[::1]:5000-5100, *:*)"
            ))
        };
        let (transport, rest) = if let Some(r) = s.strip_prefix("tcp://") {
            (Some(Transport::Tcp), r)
        } else if let Some(r) = s.strip_prefix("udp://") {
            (Some(Transport::Udp), r)
        } else if s.contains("://") {
            return Err(bad("unknown scheme"));
        } else {
            (None, s)
        };
        let colon = rest.rfind(':').ok_or_else(|| bad("missing :PORTS"))?;
        let (host, ports) = (&rest[..colon], &rest[colon + 1..]);
        let ports = if ports == "*" {
            (0, u16::MAX)
        } else if let Some((a, b)) = ports.split_once('-') {
            let a: u16 = a.parse().map_err(|_| bad("bad port"))?;
            let b: u16 = b.parse().map_err(|_| bad("bad port"))?;
            if a > b {
                return Err(bad("empty port range"));
            }
            (a, b)
        } else {
            let p: u16 = ports.parse().map_err(|_| bad("bad port"))?;
            (p, p)
        };
        let net = if host == "*" {
            None
        } else {
            let (addr, prefix) = match host.split_once('/') {
                Some((a, p)) => (a, Some(p.parse::<u8>().map_err(|_| bad("bad prefix"))?)),
                None => (host, None),
            };
            let addr = addr
                .strip_prefix('[')
                .and_then(|a| a.strip_suffix(']'))
                .unwrap_or(addr);
            let ip: IpAddr = addr.parse().map_err(|_| bad("bad address"))?;
            let ip = canonical_ip(ip);
            let max = if ip.is_ipv4() { 32 } else { 128 };
            let prefix = prefix.unwrap_or(max);
            if prefix > max {
                return Err(bad("prefix too long"));
            }
            Some((ip, prefix))
        };
        Ok(Target {
            transport,
            net,
            ports,
        })
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(t) = self.transport {
            write!(f, "{t}://")?;
        }
        match self.net {
            None => f.write_str("*")?,
            Some((IpAddr::V4(a), p)) => write!(f, "{a}/{p}")?,
            Some((IpAddr::V6(a), p)) => write!(f, "[{a}]/{p}")?,
        }
        match self.ports {
            (0, u16::MAX) => f.write_str(":*"),
            (a, b) if a == b => write!(f, ":{a}"),
            (a, b) => write!(f, ":{a}-{b}"),
        }
    }
}

/// IPv4-mapped IPv6 addresses are judged as IPv4.
fn canonical_ip(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => ip,
        },
        v4 => v4,
    }
}

fn in_net(ip: IpAddr, net: IpAddr, prefix: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

impl Target {
    /// Whether this pattern covers `addr` used over `transport`.
    pub fn matches(&self, transport: Transport, addr: SocketAddr) -> bool {
        if self.transport.is_some_and(|t| t != transport) {
            return false;
        }
        let port = addr.port();
        if port < self.ports.0 || port > self.ports.1 {
            return false;
        }
        match self.net {
            None => true,
            Some((net, prefix)) => in_net(canonical_ip(addr.ip()), net, prefix),
        }
    }
}

#[derive(Debug, Clone)]
struct Rule {
    allow: bool,
    use_: Use,
    target: Target,
}

/// Resource limits a guest instance runs under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Open sockets per guest instance (EMFILE past it).
    pub max_sockets: usize,
    /// Largest buffer one receive call allocates, in bytes; larger requests
    /// return at most this many bytes.
    pub max_recv: usize,
    /// Largest backlog `listen` passes to the kernel.
    pub max_backlog: i32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_sockets: 1024,
            max_recv: 1 << 20,
            max_backlog: 4096,
        }
    }
}

/// What a guest may do with sockets. Deny by default: [`Policy::default`]
/// allows nothing.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    rules: Vec<Rule>,
    /// Resource limits.
    pub limits: Limits,
    wasi_sockets: bool,
}

impl Policy {
    /// A policy that allows nothing (the default).
    pub fn deny_all() -> Self {
        Self::default()
    }

    /// Allows `use_` of addresses matching `target`.
    pub fn allow(mut self, use_: Use, target: Target) -> Self {
        self.rules.push(Rule {
            allow: true,
            use_,
            target,
        });
        self
    }

    /// Denies `use_` of addresses matching `target`, whatever allows it.
    pub fn deny(mut self, use_: Use, target: Target) -> Self {
        self.rules.push(Rule {
            allow: false,
            use_,
            target,
        });
        self
    }

    /// Allows binding (and listening, accepting) on addresses matching the
    /// target string, e.g. `"127.0.0.1:50007"`.
    pub fn allow_bind(self, target: &str) -> Result<Self, TargetParseError> {
        Ok(self.allow(Use::Bind, target.parse()?))
    }

    /// Allows connecting (and sending datagrams) to addresses matching the
    /// target string, e.g. `"tcp://127.0.0.1:50007"`.
    pub fn allow_connect(self, target: &str) -> Result<Self, TargetParseError> {
        Ok(self.allow(Use::Connect, target.parse()?))
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

    /// Whether `use_` of `addr` over `transport` is allowed.
    pub fn permits(&self, use_: Use, transport: Transport, addr: SocketAddr) -> bool {
        let mut allowed = false;
        for r in self.rules.iter().filter(|r| r.use_ == use_) {
            if r.target.matches(transport, addr) {
                if !r.allow {
                    return false;
                }
                allowed = true;
            }
        }
        allowed
    }

    /// Checks a use; the error names what was denied.
    pub fn check(
        &self,
        use_: Use,
        transport: Transport,
        addr: SocketAddr,
    ) -> Result<(), SocketError> {
        if self.permits(use_, transport, addr) {
            Ok(())
        } else {
            Err(SocketError::denied(format_args!(
                "{use_} to {addr} ({transport})"
            )))
        }
    }

    /// Reads a policy from a TOML file (see [`PolicyFile`]).
    pub fn from_toml_file(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("reading policy file {}: {e}", path.display()))?;
        Self::from_toml(&text).map_err(|e| anyhow::anyhow!("policy file {}: {e}", path.display()))
    }

    /// Parses a policy from TOML text (see [`PolicyFile`]).
    pub fn from_toml(text: &str) -> anyhow::Result<Self> {
        let file: PolicyFile = toml::from_str(text)?;
        file.into_policy()
    }
}

/// The TOML form of a policy:
///
/// ```toml
/// [network]
/// allow-bind = ["127.0.0.1:50007"]
/// allow-connect = ["tcp://127.0.0.1:50007", "udp://[::1]:5000-5100"]
/// deny-connect = ["*:25"]
/// wasi-sockets = false
///
/// [limits]
/// max-sockets = 1024
/// max-recv = 1048576
/// ```
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyFile {
    /// Address rules.
    #[serde(default)]
    pub network: NetworkSection,
    /// Resource limits.
    #[serde(default)]
    pub limits: LimitsSection,
}

/// `[network]` of a policy file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct NetworkSection {
    /// Targets the guest may bind to.
    #[serde(default)]
    pub allow_bind: Vec<String>,
    /// Targets the guest may connect and send to.
    #[serde(default)]
    pub allow_connect: Vec<String>,
    /// Targets the guest may never bind to.
    #[serde(default)]
    pub deny_bind: Vec<String>,
    /// Targets the guest may never connect or send to.
    #[serde(default)]
    pub deny_connect: Vec<String>,
    /// Whether `wasi:sockets` is enabled under the same rules.
    #[serde(default)]
    pub wasi_sockets: bool,
}

/// `[limits]` of a policy file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LimitsSection {
    /// See [`Limits::max_sockets`].
    pub max_sockets: Option<usize>,
    /// See [`Limits::max_recv`].
    pub max_recv: Option<usize>,
}

impl PolicyFile {
    /// Builds the policy this file describes.
    pub fn into_policy(self) -> anyhow::Result<Policy> {
        let mut p = Policy::deny_all().allow_wasi_sockets(self.network.wasi_sockets);
        let lists = [
            (true, Use::Bind, self.network.allow_bind),
            (true, Use::Connect, self.network.allow_connect),
            (false, Use::Bind, self.network.deny_bind),
            (false, Use::Connect, self.network.deny_connect),
        ];
        for (allow, use_, targets) in lists {
            for t in targets {
                let target: Target = t.parse()?;
                p = if allow {
                    p.allow(use_, target)
                } else {
                    p.deny(use_, target)
                };
            }
        }
        if let Some(n) = self.limits.max_sockets {
            p.limits.max_sockets = n;
        }
        if let Some(n) = self.limits.max_recv {
            p.limits.max_recv = n.max(1);
        }
        Ok(p)
    }
}

#[cfg(test)]
#[path = "tests/policy.rs"]
mod tests;

// CONTRACT(policy): replaced at merge
impl Policy {
    /// Whether the guest may have the host resolve `name` (getaddrinfo(3),
    /// gethostbyname(3), and reverse lookups by their `.arpa` name). No
    /// name is allowed until the policy has resolve rules.
    pub fn check_resolve(&self, name: &str) -> Result<(), SocketError> {
        Err(SocketError::denied(format_args!(
            "resolving {:?}",
            crate::error::shorten(name)
        )))
    }
}
