//! Target patterns: `[tcp://|udp://]HOST[/PREFIX]:PORTS`, the part of a rule
//! that says which addresses it covers.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

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

/// The host part of a target.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum HostPattern {
    /// `*`: every address of both families.
    Any,
    /// An address range: network address (host bits clear) and prefix.
    Net(IpAddr, u8),
    /// A host name (`api.example.com`) or a pattern of names
    /// (`*.example.com`: any name under `example.com`, not the name itself).
    /// Lower case, no trailing dot.
    Name(String),
}

/// An address/port pattern: `[tcp://|udp://]HOST[/PREFIX]:PORTS`.
///
/// ```text
/// HOST  = 127.0.0.1 | [::1] | 10.0.0.0/8 | [fd00::]/8 | * | api.example.com | *.example.com
/// PORTS = 8080 | 5000-5100 | *
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Target {
    pub(crate) transport: Option<Transport>,
    pub(crate) host: HostPattern,
    pub(crate) ports: (u16, u16),
}

/// A target string that does not parse; the message says why and shows
/// the syntax.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetParseError(pub(crate) String);

impl fmt::Display for TargetParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TargetParseError {}

/// Whether `s` is a valid host name or `*.`-pattern (letters, digits, `-`
/// and `_` in dot-separated labels of 1–63 characters, at most 253 in all).
fn valid_name(s: &str) -> bool {
    let s = s.strip_prefix("*.").unwrap_or(s);
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        // A name that is all digits and dots would be an address.
        && s.bytes().any(|b| b.is_ascii_alphabetic() || b == b'-' || b == b'_')
}

/// The network address of `ip/prefix`: `None` when host bits are set.
fn network(ip: IpAddr, prefix: u8) -> IpAddr {
    match ip {
        IpAddr::V4(a) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V4((u32::from(a) & mask).into())
        }
        IpAddr::V6(a) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V6((u128::from(a) & mask).into())
        }
    }
}

impl FromStr for Target {
    type Err = TargetParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let shown = crate::types::shorten(s);
        let bad = |why: &str| {
            TargetParseError(format!(
                "invalid policy target {shown:?}: {why} (expected [tcp://|udp://|raw://]HOST[/PREFIX]:PORTS, e.g. 127.0.0.1:8080, tcp://[::1]:5000-5100, tcp://api.example.com:443, *:*)"
            ))
        };
        let s = s.trim();
        let (transport, rest) = if let Some(r) = s.strip_prefix("tcp://") {
            (Some(Transport::Tcp), r)
        } else if let Some(r) = s.strip_prefix("udp://") {
            (Some(Transport::Udp), r)
        } else if let Some(r) = s.strip_prefix("raw://") {
            (Some(Transport::Raw), r)
        } else if s.contains("://") {
            return Err(bad("unknown scheme (tcp://, udp:// or raw://)"));
        } else {
            (None, s)
        };
        let colon = rest.rfind(':').ok_or_else(|| bad("missing :PORTS"))?;
        let (host, ports) = (&rest[..colon], &rest[colon + 1..]);
        if host.is_empty() {
            return Err(bad("missing host (use * for every address)"));
        }
        let port = |p: &str| p.parse::<u16>().map_err(|_| bad("bad port (0-65535)"));
        let ports = if ports == "*" {
            (0, u16::MAX)
        } else if let Some((a, b)) = ports.split_once('-') {
            let (a, b) = (port(a)?, port(b)?);
            if a > b {
                return Err(bad("empty port range"));
            }
            (a, b)
        } else {
            let p = port(ports)?;
            (p, p)
        };
        let host = if host == "*" {
            HostPattern::Any
        } else {
            let (addr, prefix) = match host.split_once('/') {
                Some((a, p)) => (a, Some(p.parse::<u8>().map_err(|_| bad("bad prefix"))?)),
                None => (host, None),
            };
            let bracketed = addr.strip_prefix('[').and_then(|a| a.strip_suffix(']'));
            match (bracketed.unwrap_or(addr)).parse::<IpAddr>() {
                Ok(ip) => {
                    if bracketed.is_none() && ip.is_ipv6() {
                        return Err(bad("an IPv6 address goes in brackets, e.g. [::1]:80"));
                    }
                    let (ip, prefix) = canonical_net(ip, prefix);
                    let max = if ip.is_ipv4() { 32 } else { 128 };
                    if prefix > max {
                        return Err(bad("prefix too long"));
                    }
                    let net = network(ip, prefix);
                    if net != ip {
                        return Err(bad(&format!(
                            "host bits set after the /{prefix} prefix (did you mean {}?)",
                            match net {
                                IpAddr::V4(n) => format!("{n}/{prefix}"),
                                IpAddr::V6(n) => format!("[{n}]/{prefix}"),
                            }
                        )));
                    }
                    HostPattern::Net(ip, prefix)
                }
                Err(_) => {
                    if prefix.is_some() || bracketed.is_some() {
                        return Err(bad("bad address"));
                    }
                    let name = addr.trim_end_matches('.').to_ascii_lowercase();
                    if !valid_name(&name) {
                        return Err(bad("bad address or host name"));
                    }
                    HostPattern::Name(name)
                }
            }
        };
        Ok(Target {
            transport,
            host,
            ports,
        })
    }
}

/// An IPv4-mapped IPv6 network (`[::ffff:10.0.0.0]/104`) as the IPv4
/// network it denotes.
fn canonical_net(ip: IpAddr, prefix: Option<u8>) -> (IpAddr, u8) {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => (IpAddr::V4(v4), prefix.map_or(32, |p| p.saturating_sub(96))),
            None => (ip, prefix.unwrap_or(128)),
        },
        IpAddr::V4(_) => (ip, prefix.unwrap_or(32)),
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(t) = self.transport {
            write!(f, "{t}://")?;
        }
        match &self.host {
            HostPattern::Any => f.write_str("*")?,
            HostPattern::Net(IpAddr::V4(a), 32) => write!(f, "{a}")?,
            HostPattern::Net(IpAddr::V6(a), 128) => write!(f, "[{a}]")?,
            HostPattern::Net(IpAddr::V4(a), p) => write!(f, "{a}/{p}")?,
            HostPattern::Net(IpAddr::V6(a), p) => write!(f, "[{a}]/{p}")?,
            HostPattern::Name(n) => f.write_str(n)?,
        }
        match self.ports {
            (0, u16::MAX) => f.write_str(":*"),
            (a, b) if a == b => write!(f, ":{a}"),
            (a, b) => write!(f, ":{a}-{b}"),
        }
    }
}

/// IPv4-mapped IPv6 addresses are judged as IPv4.
pub(crate) fn canonical_ip(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => ip,
        },
        v4 => v4,
    }
}

pub(crate) fn in_net(ip: IpAddr, net: IpAddr, prefix: u8) -> bool {
    ip.is_ipv4() == net.is_ipv4() && network(ip, prefix) == net
}

/// Whether the name `name` (lower case) matches the pattern `pat`.
pub(crate) fn name_matches(pat: &str, name: &str) -> bool {
    match pat.strip_prefix("*.") {
        Some(suffix) => {
            name.len() > suffix.len() + 1 && name.ends_with(suffix) && {
                let cut = name.len() - suffix.len();
                name.as_bytes()[cut - 1] == b'.'
            }
        }
        None => pat == name,
    }
}

impl Target {
    /// A target for exactly this transport and socket address.
    pub fn exact(transport: Transport, addr: SocketAddr) -> Target {
        let ip = canonical_ip(addr.ip());
        let max = if ip.is_ipv4() { 32 } else { 128 };
        Target {
            transport: Some(transport),
            host: HostPattern::Net(ip, max),
            ports: (addr.port(), addr.port()),
        }
    }

    /// The same target with any port.
    pub(crate) fn any_port(mut self) -> Target {
        self.ports = (0, u16::MAX);
        self
    }

    /// The host part.
    pub fn host(&self) -> &HostPattern {
        &self.host
    }

    /// The transport, `None` for both.
    pub fn transport(&self) -> Option<Transport> {
        self.transport
    }

    /// The port range (inclusive).
    pub fn ports(&self) -> (u16, u16) {
        self.ports
    }

    pub(crate) fn transport_and_port(&self, transport: Transport, port: u16) -> bool {
        self.transport.is_none_or(|t| t == transport)
            && port >= self.ports.0
            && port <= self.ports.1
    }

    /// Whether this pattern covers the address `addr` used over `transport`
    /// (name patterns cover no address by themselves; see
    /// [`Policy`](super::Policy) for how they apply).
    pub fn matches(&self, transport: Transport, addr: SocketAddr) -> bool {
        self.transport_and_port(transport, addr.port()) && self.covers_ip(addr.ip())
    }

    pub(crate) fn covers_ip(&self, ip: IpAddr) -> bool {
        match &self.host {
            HostPattern::Any => true,
            HostPattern::Net(net, prefix) => in_net(canonical_ip(ip), *net, *prefix),
            HostPattern::Name(_) => false,
        }
    }

    /// Whether the host part covers every address of the family of `v4`
    /// (`true`: IPv4) — an explicit grant of the wildcard (`0.0.0.0`,
    /// `[::]`) counts as covering it.
    pub(crate) fn covers_family(&self, v4: bool) -> bool {
        match &self.host {
            HostPattern::Any => true,
            HostPattern::Net(net, prefix) => {
                net.is_ipv4() == v4 && (*prefix == 0 || net.is_unspecified())
            }
            HostPattern::Name(_) => false,
        }
    }

    /// Whether the host part shares any address with the family of `v4`.
    pub(crate) fn touches_family(&self, v4: bool) -> bool {
        match &self.host {
            HostPattern::Any => true,
            HostPattern::Net(net, _) => net.is_ipv4() == v4,
            HostPattern::Name(_) => false,
        }
    }
}
