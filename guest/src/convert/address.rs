//! Python-shaped socket addresses ([`Address`], [`RawAddress`]) and the
//! WIT addresses they come from.

use super::ip::{ipv4_text, ipv6_array};
use crate::constants::*;
use crate::pure::inet::format_ipv6;
use crate::pure::text::{repr_bytes, repr_str, repr_str_bytes};
use crate::wit;
use crate::wit::types::{SocketAddress as WitAddress, UnixAddress};
use std::fmt;
use std::net::SocketAddr;

/// A socket address as Python writes it.
///
/// Input addresses take what Python's `bind`/`connect` take: a host may be
/// a numeric address, a name (resolved through the host's `getaddrinfo`
/// with the socket's family, first result, as CPython does), `""`
/// (`INADDR_ANY` / `::`) or `"<broadcast>"`. Output addresses
/// (`getsockname`, `accept`, `recvfrom`, `getaddrinfo`) are always numeric.
///
/// Each case stands for the Python object it is (`Inet` the tuple
/// `(str, int)`, `Unix` a `str`, `Other` its family's tuple, `None`), and
/// a socket reads it as CPython's `getsockaddrarg` reads that object for
/// the socket's family (and, for CAN and Bluetooth, protocol): an address
/// of the wrong shape raises what CPython raises, before any system call
/// (`TypeError: bind(): AF_NETLINK address must be tuple, not str`,
/// `TypeError: 'str' object cannot be interpreted as an integer`, …), and
/// a tuple of another family that fits is taken as CPython takes it
/// (`("eth0", 80)` on an AF_PACKET socket is interface `eth0`, protocol
/// 80).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Address {
    /// `AF_INET`: Python's `(host, port)`, e.g. `("127.0.0.1", 80)`.
    Inet(String, u16),
    /// `AF_INET6`: Python's `(host, port, flowinfo, scope_id)`. As in
    /// CPython, the `scope_id` field is what is used; a `%scope` suffix on
    /// the host only matters for resolution.
    Inet6(String, u16, u32, u32),
    /// `AF_UNIX`: path bytes; a Linux abstract name starts with `b'\0'`;
    /// empty means unnamed (and `bind` with it autobinds).
    Unix(Vec<u8>),
    /// Any other family (netlink, packet, vsock, CAN, …), as the host
    /// reported it.
    Other(RawAddress),
    /// Python's `None`: the kernel reported no address. `recvfrom` and
    /// `recvmsg` return it where CPython returns `None` (a connected
    /// stream, a datagram from an unnamed unix socket); it is never
    /// returned for a datagram socket of an IP family, whose sender is
    /// always known. As an input, `bind`/`connect`/`sendto` refuse it with
    /// CPython's `TypeError`, and `sendmsg` takes it as "no address".
    None,
}

/// An address of a family that has no Python-tuple case in [`Address`]
/// (netlink, packet, CAN, ALG, vsock, TIPC, QIPCRTR, Bluetooth). Opaque;
/// it displays as Python's tuple for that family and can be passed back to
/// `bind`, `connect` or `sendto` unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawAddress(pub(crate) WitAddress);

impl std::hash::Hash for RawAddress {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.to_string().hash(state);
    }
}

impl Address {
    /// The `AF_*` family of this address (`AF_UNSPEC`, 0, for nothing else).
    pub fn family(&self) -> i32 {
        match self {
            Address::Inet(..) => AF_INET,
            Address::Inet6(..) => AF_INET6,
            Address::Unix(_) => AF_UNIX,
            Address::Other(raw) => raw_family(raw),
            Address::None => AF_UNSPEC,
        }
    }

    /// Whether this is Python's `None` (no address reported).
    pub fn is_none(&self) -> bool {
        matches!(self, Address::None)
    }

    /// The host part of an `Inet`/`Inet6` address.
    pub fn host(&self) -> Option<&str> {
        match self {
            Address::Inet(h, _) | Address::Inet6(h, ..) => Some(h),
            _ => None,
        }
    }

    /// The port of an `Inet`/`Inet6` address.
    pub fn port(&self) -> Option<u16> {
        match self {
            Address::Inet(_, p) | Address::Inet6(_, p, ..) => Some(*p),
            _ => None,
        }
    }

    /// An `AF_NETLINK` address: Python's `(pid, groups)`.
    pub fn netlink(pid: u32, groups: u32) -> Address {
        Address::Other(RawAddress(WitAddress::Netlink(
            wit::types::NetlinkAddress { pid, groups },
        )))
    }

    /// An `AF_VSOCK` address: Python's `(cid, port)`.
    pub fn vsock(cid: u32, port: u32) -> Address {
        Address::Other(RawAddress(WitAddress::Vsock(wit::types::VsockAddress {
            cid,
            port,
        })))
    }

    /// An `AF_PACKET` address: Python's
    /// `(ifname, proto[, pkttype[, hatype[, addr]]])` (`proto` in host
    /// byte order, as Python takes it).
    pub fn packet(
        interface: &str,
        protocol: u16,
        packet_type: u8,
        hardware_type: u16,
        hardware_address: &[u8],
    ) -> Address {
        Address::Other(RawAddress(WitAddress::Packet(wit::types::PacketAddress {
            interface: interface.to_string(),
            protocol,
            packet_type,
            hardware_type,
            hardware_address: hardware_address.to_vec(),
        })))
    }

    /// An `AF_CAN` address for CAN_RAW / CAN_BCM: Python's `(interface,)`.
    pub fn can(interface: &str) -> Address {
        Address::Other(RawAddress(WitAddress::Can(wit::types::CanAddress::Raw(
            interface.to_string(),
        ))))
    }

    /// An `AF_ALG` address: Python's `(type, name)`.
    pub fn alg(type_: &str, name: &str) -> Address {
        Address::Other(RawAddress(WitAddress::Alg(wit::types::AlgAddress {
            algorithm_type: type_.to_string(),
            name: name.to_string(),
            feat: 0,
            mask: 0,
        })))
    }
}

impl From<(&str, u16)> for Address {
    fn from((host, port): (&str, u16)) -> Address {
        Address::Inet(host.to_owned(), port)
    }
}

impl From<(String, u16)> for Address {
    fn from((host, port): (String, u16)) -> Address {
        Address::Inet(host, port)
    }
}

impl From<(&String, u16)> for Address {
    fn from((host, port): (&String, u16)) -> Address {
        Address::Inet(host.clone(), port)
    }
}

impl From<(&str, u16, u32, u32)> for Address {
    fn from((host, port, flowinfo, scope_id): (&str, u16, u32, u32)) -> Address {
        Address::Inet6(host.to_owned(), port, flowinfo, scope_id)
    }
}

impl From<(String, u16, u32, u32)> for Address {
    fn from((host, port, flowinfo, scope_id): (String, u16, u32, u32)) -> Address {
        Address::Inet6(host, port, flowinfo, scope_id)
    }
}

impl From<SocketAddr> for Address {
    fn from(addr: SocketAddr) -> Address {
        match addr {
            SocketAddr::V4(a) => Address::Inet(a.ip().to_string(), a.port()),
            SocketAddr::V6(a) => Address::Inet6(
                format_ipv6(&a.ip().segments()),
                a.port(),
                a.flowinfo(),
                a.scope_id(),
            ),
        }
    }
}

impl From<&str> for Address {
    /// An `AF_UNIX` path (`"\0name"` for an abstract name).
    fn from(path: &str) -> Address {
        Address::Unix(path.as_bytes().to_vec())
    }
}

impl From<&String> for Address {
    /// An `AF_UNIX` path.
    fn from(path: &String) -> Address {
        Address::Unix(path.as_bytes().to_vec())
    }
}

impl From<&[u8]> for Address {
    /// An `AF_UNIX` path or abstract name as bytes.
    fn from(path: &[u8]) -> Address {
        Address::Unix(path.to_vec())
    }
}

impl<const N: usize> From<&[u8; N]> for Address {
    /// An `AF_UNIX` path or abstract name as a byte-string literal.
    fn from(path: &[u8; N]) -> Address {
        Address::Unix(path.to_vec())
    }
}

impl From<&std::path::Path> for Address {
    /// An `AF_UNIX` path.
    fn from(path: &std::path::Path) -> Address {
        Address::Unix(path.as_os_str().as_encoded_bytes().to_vec())
    }
}

impl From<&Address> for Address {
    fn from(addr: &Address) -> Address {
        addr.clone()
    }
}

impl From<RawAddress> for Address {
    fn from(raw: RawAddress) -> Address {
        Address::Other(raw)
    }
}

impl fmt::Display for Address {
    /// Python's `repr()` of the address: `('127.0.0.1', 50007)`,
    /// `('::1', 50007, 0, 0)`, `'/tmp/x'`, `b'\x00abc'`, `''`, `None`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Address::Inet(host, port) => write!(f, "({}, {port})", repr_str(host)),
            Address::Inet6(host, port, flow, scope) => {
                write!(f, "({}, {port}, {flow}, {scope})", repr_str(host))
            }
            Address::Unix(path) if path.first() == Some(&0) => f.write_str(&repr_bytes(path)),
            Address::Unix(path) => f.write_str(&repr_str_bytes(path)),
            Address::Other(raw) => fmt::Display::fmt(raw, f),
            Address::None => f.write_str("None"),
        }
    }
}

/// Python's address for a WIT address. IPv4-mapped IPv6 stays IPv6 text.
pub(crate) fn address_from_wit(addr: WitAddress) -> Address {
    match addr {
        WitAddress::Inet(a) => Address::Inet(ipv4_text(a.address), a.port),
        WitAddress::Inet6(a) => Address::Inet6(
            format_ipv6(&ipv6_array(a.address)),
            a.port,
            a.flow_info,
            a.scope_id,
        ),
        WitAddress::Unix(UnixAddress::Pathname(p)) => Address::Unix(p),
        WitAddress::Unix(UnixAddress::Abstract(name)) => {
            let mut v = Vec::with_capacity(name.len() + 1);
            v.push(0);
            v.extend_from_slice(&name);
            Address::Unix(v)
        }
        WitAddress::Unix(UnixAddress::Unnamed) => Address::Unix(Vec::new()),
        other => Address::Other(RawAddress(other)),
    }
}

/// An address the host may leave out (`recv-from`, `recv-msg`): none is
/// Python's `None`.
pub(crate) fn maybe_address_from_wit(addr: Option<WitAddress>) -> Address {
    addr.map_or(Address::None, address_from_wit)
}

/// The `AF_*` family of an opaque address.
pub(crate) fn raw_family(raw: &RawAddress) -> i32 {
    match &raw.0 {
        WitAddress::Inet(_) => AF_INET,
        WitAddress::Inet6(_) => AF_INET6,
        WitAddress::Unix(_) => AF_UNIX,
        WitAddress::Netlink(_) => AF_NETLINK,
        WitAddress::Packet(_) => AF_PACKET,
        WitAddress::Can(_) => AF_CAN,
        WitAddress::Alg(_) => AF_ALG,
        WitAddress::Vsock(_) => AF_VSOCK,
        WitAddress::Tipc(_) => AF_TIPC,
        WitAddress::Qipcrtr(_) => AF_QIPCRTR,
        WitAddress::Bluetooth(_) => AF_BLUETOOTH,
    }
}

pub(super) fn bdaddr_text(b: (u8, u8, u8, u8, u8, u8)) -> String {
    format!(
        "{:02X}:{:02X}:{:02X}:{:02X}:{:02X}:{:02X}",
        b.0, b.1, b.2, b.3, b.4, b.5
    )
}

impl fmt::Display for RawAddress {
    /// Python's tuple for the family (`(pid, groups)` for netlink,
    /// `(cid, port)` for vsock, …).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use wit::types::{BluetoothAddress as B, CanAddress as C};
        match &self.0 {
            WitAddress::Inet(_) | WitAddress::Inet6(_) | WitAddress::Unix(_) => {
                fmt::Display::fmt(&address_from_wit(self.0.clone()), f)
            }
            WitAddress::Netlink(a) => write!(f, "({}, {})", a.pid, a.groups),
            WitAddress::Packet(a) => write!(
                f,
                "({}, {}, {}, {}, {})",
                repr_str(&a.interface),
                a.protocol,
                a.packet_type,
                a.hardware_type,
                repr_bytes(&a.hardware_address)
            ),
            WitAddress::Can(C::Raw(i)) => write!(f, "({},)", repr_str(i)),
            WitAddress::Can(C::Isotp((i, rx, tx))) => {
                write!(f, "({}, {rx}, {tx})", repr_str(i))
            }
            WitAddress::Can(C::J1939((i, name, pgn, addr))) => {
                write!(f, "({}, {name}, {pgn}, {addr})", repr_str(i))
            }
            WitAddress::Alg(a) => write!(
                f,
                "({}, {})",
                repr_str(&a.algorithm_type),
                repr_str(&a.name)
            ),
            WitAddress::Vsock(a) => write!(f, "({}, {})", a.cid, a.port),
            WitAddress::Tipc(a) => write!(
                f,
                "({}, {}, {}, {}, {})",
                a.address_type, a.v1, a.v2, a.v3, a.scope
            ),
            WitAddress::Qipcrtr(a) => write!(f, "({}, {})", a.node, a.port),
            WitAddress::Bluetooth(B::L2cap((b, psm))) => {
                write!(f, "('{}', {psm})", bdaddr_text(*b))
            }
            WitAddress::Bluetooth(B::Rfcomm((b, ch))) => {
                write!(f, "('{}', {ch})", bdaddr_text(*b))
            }
            WitAddress::Bluetooth(B::Hci(dev)) => write!(f, "({dev},)"),
            WitAddress::Bluetooth(B::Sco(b)) => write!(f, "'{}'", bdaddr_text(*b)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_like_python() {
        assert_eq!(
            Address::from(("127.0.0.1", 50007)).to_string(),
            "('127.0.0.1', 50007)"
        );
        assert_eq!(
            Address::from(("::1", 50007, 0, 0)).to_string(),
            "('::1', 50007, 0, 0)"
        );
        assert_eq!(Address::from("/tmp/x").to_string(), "'/tmp/x'");
        assert_eq!(Address::from(&b"\0abc"[..]).to_string(), "b'\\x00abc'");
        assert_eq!(Address::Unix(Vec::new()).to_string(), "''");
        assert_eq!(Address::netlink(0, 0).to_string(), "(0, 0)");
        assert_eq!(Address::None.to_string(), "None");
        assert_eq!(Address::None.family(), AF_UNSPEC);
    }

    #[test]
    fn from_std() {
        let a: SocketAddr = "[::ffff:127.0.0.1]:80".parse().unwrap();
        assert_eq!(
            Address::from(a),
            Address::Inet6("::ffff:127.0.0.1".into(), 80, 0, 0)
        );
        let a: SocketAddr = "127.0.0.1:80".parse().unwrap();
        assert_eq!(Address::from(a), Address::Inet("127.0.0.1".into(), 80));
        assert_eq!(Address::from(a).family(), AF_INET);
    }

    #[test]
    fn addresses_from_wit() {
        let a = address_from_wit(WitAddress::Inet6(wit::types::Ipv6SocketAddress {
            port: 80,
            flow_info: 0,
            address: (0, 0, 0, 0, 0, 0xffff, 0x7f00, 1),
            scope_id: 0,
        }));
        assert_eq!(a, Address::Inet6("::ffff:127.0.0.1".into(), 80, 0, 0));
        let a = address_from_wit(WitAddress::Unix(UnixAddress::Abstract(b"abc".to_vec())));
        assert_eq!(a, Address::Unix(b"\0abc".to_vec()));
        assert_eq!(a.to_string(), "b'\\x00abc'");
    }
}
