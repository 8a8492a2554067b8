//! The WIT `netdb` interface's arguments and results in Python's shapes:
//! getaddrinfo's hints and 5-tuples ([`AddrInfo`]), getnameinfo's
//! address and flags, gethostbyname's host entries.

use super::address::{address_from_wit, Address};
use super::flags::{family_from_wit, family_to_wit, type_from_wit, type_to_wit};
use super::ip::{inet_address, ip_text, parse_numeric_host};
use crate::constants::*;
use crate::error::{Error, ErrorKind, Result};
use crate::wit;
use crate::wit::types::SocketAddress as WitAddress;
use crate::wit::types::{AddressInfoFlags, AddressInfoHints, IpAddress, NameInfoFlags};

/// One getaddrinfo result: Python's `(family, type, proto, canonname,
/// sockaddr)`.
#[derive(Debug, Clone, PartialEq)]
pub struct AddrInfo {
    /// `AF_*` family.
    pub family: i32,
    /// `SOCK_*` type.
    pub type_: i32,
    /// Protocol number.
    pub proto: i32,
    /// The canonical name (with `AI_CANONNAME` on the first result),
    /// otherwise `""`.
    pub canonname: String,
    /// The address, ready for `connect` or `bind`.
    pub sockaddr: Address,
}

/// `AI_*` bits to WIT flags; unknown bits are `gaierror(EAI_BADFLAGS)`.
pub(crate) fn ai_flags_to_wit(flags: i32) -> Result<AddressInfoFlags> {
    let pairs = [
        (AI_PASSIVE, AddressInfoFlags::PASSIVE),
        (AI_CANONNAME, AddressInfoFlags::CANONNAME),
        (AI_NUMERICHOST, AddressInfoFlags::NUMERICHOST),
        (AI_V4MAPPED, AddressInfoFlags::V4MAPPED),
        (AI_ALL, AddressInfoFlags::ALL),
        (AI_ADDRCONFIG, AddressInfoFlags::ADDRCONFIG),
        (AI_NUMERICSERV, AddressInfoFlags::NUMERICSERV),
    ];
    let known = pairs.iter().fold(0, |acc, (b, _)| acc | b);
    if flags & !known != 0 {
        return Err(Error::gai(-1));
    }
    Ok(pairs
        .iter()
        .filter(|(b, _)| flags & b != 0)
        .fold(AddressInfoFlags::empty(), |acc, (_, f)| acc | *f))
}

/// `NI_*` bits to WIT flags (unknown bits ignored, as glibc does for
/// flags it has no use for).
pub(crate) fn ni_flags_to_wit(flags: i32) -> NameInfoFlags {
    let pairs = [
        (NI_NUMERICHOST, NameInfoFlags::NUMERICHOST),
        (NI_NUMERICSERV, NameInfoFlags::NUMERICSERV),
        (NI_NOFQDN, NameInfoFlags::NOFQDN),
        (NI_NAMEREQD, NameInfoFlags::NAMEREQD),
        (NI_DGRAM, NameInfoFlags::DGRAM),
    ];
    pairs
        .iter()
        .filter(|(b, _)| flags & b != 0)
        .fold(NameInfoFlags::empty(), |acc, (_, f)| acc | *f)
}

/// getaddrinfo's hints from Python's integers: an unknown family is
/// `gaierror(EAI_FAMILY)`, an unknown type `gaierror(EAI_SOCKTYPE)`.
pub(crate) fn hints_to_wit(
    family: i32,
    type_: i32,
    proto: i32,
    flags: i32,
) -> Result<AddressInfoHints> {
    let family = family_to_wit(family).ok_or_else(|| Error::gai(-6))?;
    let socket_type = if type_ == 0 {
        None
    } else {
        Some(type_to_wit(type_).ok_or_else(|| Error::gai(-7))?)
    };
    Ok(AddressInfoHints {
        family,
        socket_type,
        protocol: proto,
        flags: ai_flags_to_wit(flags)?,
    })
}

/// One WIT getaddrinfo result as Python's 5-tuple.
pub(crate) fn addrinfo_from_wit(info: wit::types::AddressInfo) -> AddrInfo {
    AddrInfo {
        family: family_from_wit(info.family),
        type_: type_from_wit(info.socket_type),
        proto: info.protocol,
        canonname: info.canonical_name.unwrap_or_default(),
        sockaddr: address_from_wit(info.address),
    }
}

/// Python's `(hostname, aliaslist, ipaddrlist)`.
pub(crate) fn host_entry_from_wit(e: wit::types::HostEntry) -> (String, Vec<String>, Vec<String>) {
    let addrs = e.addresses.iter().map(ip_text).collect();
    (e.name, e.aliases, addrs)
}

/// `getnameinfo`'s address argument: numeric hosts only (CPython resolves
/// it with AI_NUMERICHOST).
pub(crate) fn nameinfo_address(addr: &Address) -> Result<WitAddress> {
    match addr {
        Address::Inet(host, port) => match parse_numeric_host(host) {
            Some((ip, scope)) => inet_address(ip, *port, 0, scope),
            None => Err(Error::gai(-2)),
        },
        Address::Inet6(_, _, flow, _) if *flow > 0xfffff => Err(Error::overflow(
            "getnameinfo(): flowinfo must be 0-1048575.",
        )),
        Address::Inet6(host, port, flow, scope) => match parse_numeric_host(host) {
            Some((IpAddress::Ipv4(_), _)) => Err(Error::os_msg("IPv4 sockaddr must be 2 tuple")),
            Some((ip, _)) => inet_address(ip, *port, *flow, *scope),
            None => Err(Error::gai(-2)),
        },
        _ => Err(Error::new(
            ErrorKind::TypeError,
            "getnameinfo() argument 1 must be a tuple",
        )),
    }
}
