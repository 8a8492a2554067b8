//! IP addresses between Python's text and the WIT tuples, and CPython's
//! `setipaddr` (a host string to an IP address, through the host's
//! resolver when it is a name).

use super::error::wit;
use super::flags::family_to_wit;
use crate::constants::*;
use crate::error::{Error, ErrorKind, Result};
use crate::pure::inet::{format_ipv6, parse_ipv4, parse_ipv6};
use crate::wit;
use crate::wit::types::SocketAddress as WitAddress;
use crate::wit::types::{AddressFamily, AddressInfoFlags, AddressInfoHints, IpAddress};

pub(super) fn ipv4_text(a: (u8, u8, u8, u8)) -> String {
    format!("{}.{}.{}.{}", a.0, a.1, a.2, a.3)
}

fn ipv4_tuple(a: [u8; 4]) -> (u8, u8, u8, u8) {
    (a[0], a[1], a[2], a[3])
}

pub(super) fn ipv6_array(a: (u16, u16, u16, u16, u16, u16, u16, u16)) -> [u16; 8] {
    [a.0, a.1, a.2, a.3, a.4, a.5, a.6, a.7]
}

pub(super) fn ipv6_tuple(a: [u16; 8]) -> (u16, u16, u16, u16, u16, u16, u16, u16) {
    (a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7])
}

pub(super) fn ipv6_bytes(a: (u16, u16, u16, u16, u16, u16, u16, u16)) -> [u8; 16] {
    let mut out = [0u8; 16];
    for (i, w) in ipv6_array(a).iter().enumerate() {
        out[2 * i..2 * i + 2].copy_from_slice(&w.to_be_bytes());
    }
    out
}

pub(super) fn ipv6_from_bytes(b: &[u8]) -> [u16; 8] {
    let mut out = [0u16; 8];
    for (i, w) in out.iter_mut().enumerate() {
        *w = u16::from_be_bytes([b[2 * i], b[2 * i + 1]]);
    }
    out
}

/// The text of a WIT IP address (as `gethostbyname_ex` lists them).
pub(crate) fn ip_text(ip: &IpAddress) -> String {
    match ip {
        IpAddress::Ipv4(a) => ipv4_text(*a),
        IpAddress::Ipv6(a) => format_ipv6(&ipv6_array(*a)),
    }
}

/// A numeric host (IPv4 dotted quad or IPv6, optionally with a numeric
/// `%scope`) as a WIT IP address, without any host call.
pub(crate) fn parse_numeric_ip(host: &str) -> Option<(IpAddress, u32)> {
    if let Some(a) = parse_ipv4(host) {
        return Some((IpAddress::Ipv4(ipv4_tuple(a)), 0));
    }
    let (addr, scope) = match host.split_once('%') {
        Some((a, s)) => (a, s.parse::<u32>().ok()?),
        None => (host, 0),
    };
    parse_ipv6(addr).map(|w| (IpAddress::Ipv6(ipv6_tuple(w)), scope))
}

/// CPython's `setipaddr`: a host string to an IP address for `family`
/// (`AF_INET`, `AF_INET6` or `AF_UNSPEC`). `""` is the wildcard,
/// `"<broadcast>"` 255.255.255.255, numeric addresses are parsed here,
/// anything else is resolved with the host's getaddrinfo (first result).
pub(crate) fn resolve_host(host: &str, family: i32) -> Result<IpAddress> {
    if host.contains('\0') {
        return Err(Error::new(
            ErrorKind::TypeError,
            "host name must not contain null character",
        ));
    }
    if host.is_empty() {
        return match family {
            AF_INET => Ok(IpAddress::Ipv4((0, 0, 0, 0))),
            AF_INET6 => Ok(IpAddress::Ipv6((0, 0, 0, 0, 0, 0, 0, 0))),
            _ => Err(Error::os_msg("wildcard resolved to multiple address")),
        };
    }
    if host == "<broadcast>" {
        return match family {
            AF_INET | AF_UNSPEC => Ok(IpAddress::Ipv4((255, 255, 255, 255))),
            _ => Err(Error::os_msg("address family mismatched")),
        };
    }
    if family == AF_INET || family == AF_UNSPEC {
        if let Some(a) = parse_ipv4(host) {
            return Ok(IpAddress::Ipv4(ipv4_tuple(a)));
        }
    }
    if (family == AF_INET6 || family == AF_UNSPEC) && !host.contains('%') {
        if let Some(w) = parse_ipv6(host) {
            return Ok(IpAddress::Ipv6(ipv6_tuple(w)));
        }
    }
    match (family, parse_numeric_ip(host)) {
        // A numeric scope needs no resolver; the tuple's scope_id is what
        // CPython uses anyway.
        (AF_INET6, Some((IpAddress::Ipv6(a), _))) => return Ok(IpAddress::Ipv6(a)),
        // A numeric address of the other family: glibc's getaddrinfo says
        // EAI_ADDRFAMILY without looking anything up.
        (AF_INET6, Some((IpAddress::Ipv4(_), _))) | (AF_INET, Some((IpAddress::Ipv6(_), _))) => {
            return Err(Error::gai(-9))
        }
        _ => {}
    }
    let hints = AddressInfoHints {
        family: family_to_wit(family).unwrap_or(AddressFamily::Unspec),
        socket_type: None,
        protocol: 0,
        flags: AddressInfoFlags::empty(),
    };
    let host = crate::pure::idna::encode_non_ascii(host)?;
    let results = wit(wit::netdb::getaddrinfo(Some(&host), None, hints))?;
    for r in results {
        match r.address {
            WitAddress::Inet(a) => return Ok(IpAddress::Ipv4(a.address)),
            WitAddress::Inet6(a) => return Ok(IpAddress::Ipv6(a.address)),
            _ => {}
        }
    }
    Err(Error::gai(-2))
}

pub(super) fn inet_address(
    ip: IpAddress,
    port: u16,
    flow_info: u32,
    scope_id: u32,
) -> Result<WitAddress> {
    match ip {
        IpAddress::Ipv4(address) => Ok(WitAddress::Inet(wit::types::Ipv4SocketAddress {
            port,
            address,
        })),
        IpAddress::Ipv6(address) => Ok(WitAddress::Inet6(wit::types::Ipv6SocketAddress {
            port,
            flow_info,
            address,
            scope_id,
        })),
    }
}

/// A host as getaddrinfo(3) with AI_NUMERICHOST reads it: any numeric
/// form [`parse_numeric_ip`] takes, and IPv4 in inet_aton's forms
/// (`127.1`, `0x7f.1`) with nothing after it.
pub(super) fn parse_numeric_host(host: &str) -> Option<(IpAddress, u32)> {
    parse_numeric_ip(host).or_else(|| {
        if host.bytes().any(|b| b.is_ascii_whitespace()) {
            return None;
        }
        crate::pure::inet::parse_inet_aton(host)
            .map(|[a, b, c, d]| (IpAddress::Ipv4((a, b, c, d)), 0))
    })
}
