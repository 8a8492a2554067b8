//! Every conversion between the WIT types and Python's shapes lives here:
//! integer constants to WIT enums and flags, WIT errors to Python
//! exceptions, addresses (with CPython's name resolution rules), socket
//! options (Python's int / packed-bytes values to typed WIT values and
//! back), control messages and timeouts.

use crate::address::{Address, RawAddress};
use crate::bindings::wasock::socket as wit;
use crate::constants::*;
use crate::error::{Error, ErrorKind, Result};
use crate::inet::{format_ipv6, parse_ipv4, parse_ipv6};
use crate::text::{repr_bytes, repr_str};
use std::fmt;

pub(crate) use wit::ancillary::{RecvControlMessage, SendControlMessage};
pub(crate) use wit::errors::{Error as WitError, ErrorCode};
pub(crate) use wit::types::Readiness;
pub(crate) use wit::types::{AddressFamily, MsgFlags, ShutdownHow, SocketType};
pub(crate) use wit::types::{AddressInfoFlags, AddressInfoHints, IpAddress, NameInfoFlags};
pub(crate) use wit::types::{OptionName, OptionValue};
pub(crate) use wit::types::{SocketAddress as WitAddress, UnixAddress};

// ---------------------------------------------------------------------------
// Errors

/// The WIT `error` as the Python exception CPython raises for it.
pub(crate) fn error_from_wit(err: WitError) -> Error {
    let WitError { code, detail } = err;
    let errno = match code {
        // `timed out (…)` from the host: the policy dropped what arrived
        // meanwhile, and the message says so (CPython's is `timed out`).
        ErrorCode::Timeout if detail.starts_with("timed out (") => {
            return Error::new(ErrorKind::TimeoutError, detail.clone()).with_detail(detail)
        }
        ErrorCode::Timeout => return Error::timed_out().with_detail(detail),
        ErrorCode::PolicyDenied => return Error::policy_denied(detail),
        ErrorCode::Resolve(c) => return Error::gai(c).with_detail(detail),
        ErrorCode::Host(h) => return Error::herror(h).with_detail(detail),
        ErrorCode::Other(n) => n,
        ErrorCode::NotPermitted => 1,
        ErrorCode::NoEntry => 2,
        ErrorCode::Interrupted => 4,
        ErrorCode::Io => 5,
        ErrorCode::BadDescriptor => 9,
        ErrorCode::WouldBlock => 11,
        ErrorCode::NoMemory => 12,
        ErrorCode::Access => 13,
        ErrorCode::Fault => 14,
        ErrorCode::Busy => 16,
        ErrorCode::Exists => 17,
        ErrorCode::NotDirectory => 20,
        ErrorCode::Invalid => 22,
        ErrorCode::TooManyFilesSystem => 23,
        ErrorCode::TooManyFiles => 24,
        ErrorCode::NoSpace => 28,
        ErrorCode::BrokenPipe => 32,
        ErrorCode::NameTooLong => 36,
        ErrorCode::NotImplemented => 38,
        ErrorCode::Loop => 40,
        ErrorCode::Protocol => 71,
        ErrorCode::Overflow => 75,
        ErrorCode::NotSocket => 88,
        ErrorCode::DestinationAddressRequired => 89,
        ErrorCode::MessageSize => 90,
        ErrorCode::ProtocolType => 91,
        ErrorCode::NoProtocolOption => 92,
        ErrorCode::ProtocolNotSupported => 93,
        ErrorCode::SocketTypeNotSupported => 94,
        ErrorCode::NotSupported => 95,
        ErrorCode::ProtocolFamilyNotSupported => 96,
        ErrorCode::AddressFamilyNotSupported => 97,
        ErrorCode::AddressInUse => 98,
        ErrorCode::AddressNotAvailable => 99,
        ErrorCode::NetworkDown => 100,
        ErrorCode::NetworkUnreachable => 101,
        ErrorCode::NetworkReset => 102,
        ErrorCode::ConnectionAborted => 103,
        ErrorCode::ConnectionReset => 104,
        ErrorCode::NoBufferSpace => 105,
        ErrorCode::IsConnected => 106,
        ErrorCode::NotConnected => 107,
        ErrorCode::ShutDown => 108,
        ErrorCode::TimedOut => 110,
        ErrorCode::ConnectionRefused => 111,
        ErrorCode::HostDown => 112,
        ErrorCode::HostUnreachable => 113,
        ErrorCode::Already => 114,
        ErrorCode::InProgress => 115,
    };
    Error::from_errno(errno).with_detail(detail)
}

/// Converts a WIT result.
pub(crate) fn wit<T>(r: std::result::Result<T, WitError>) -> Result<T> {
    r.map_err(error_from_wit)
}

// ---------------------------------------------------------------------------
// Families, types, flags

/// Every `(AF_* value, WIT family)` pair.
const FAMILIES: &[(i32, AddressFamily)] = &[
    (AF_UNSPEC, AddressFamily::Unspec),
    (AF_UNIX, AddressFamily::Unix),
    (AF_INET, AddressFamily::Inet),
    (AF_AX25, AddressFamily::Ax25),
    (AF_IPX, AddressFamily::Ipx),
    (AF_APPLETALK, AddressFamily::Appletalk),
    (AF_NETROM, AddressFamily::Netrom),
    (AF_BRIDGE, AddressFamily::Bridge),
    (AF_ATMPVC, AddressFamily::Atmpvc),
    (AF_X25, AddressFamily::X25),
    (AF_INET6, AddressFamily::Inet6),
    (AF_ROSE, AddressFamily::Rose),
    (AF_DECnet, AddressFamily::Decnet),
    (AF_NETBEUI, AddressFamily::Netbeui),
    (AF_SECURITY, AddressFamily::Security),
    (AF_KEY, AddressFamily::Key),
    (AF_NETLINK, AddressFamily::Netlink),
    (AF_PACKET, AddressFamily::Packet),
    (AF_ASH, AddressFamily::Ash),
    (AF_ECONET, AddressFamily::Econet),
    (AF_ATMSVC, AddressFamily::Atmsvc),
    (AF_RDS, AddressFamily::Rds),
    (AF_SNA, AddressFamily::Sna),
    (AF_IRDA, AddressFamily::Irda),
    (AF_PPPOX, AddressFamily::Pppox),
    (AF_WANPIPE, AddressFamily::Wanpipe),
    (AF_LLC, AddressFamily::Llc),
    (AF_CAN, AddressFamily::Can),
    (AF_TIPC, AddressFamily::Tipc),
    (AF_BLUETOOTH, AddressFamily::Bluetooth),
    (AF_ALG, AddressFamily::Alg),
    (AF_VSOCK, AddressFamily::Vsock),
    (AF_QIPCRTR, AddressFamily::Qipcrtr),
];

/// `AF_*` to the WIT family (`None` for a number Linux has no family for).
pub(crate) fn family_to_wit(family: i32) -> Option<AddressFamily> {
    FAMILIES.iter().find(|(n, _)| *n == family).map(|(_, f)| *f)
}

/// The WIT family as `AF_*`.
pub(crate) fn family_from_wit(family: AddressFamily) -> i32 {
    FAMILIES
        .iter()
        .find(|(_, f)| *f == family)
        .map(|(n, _)| *n)
        .unwrap_or(AF_UNSPEC)
}

/// `SOCK_*` (without flags) to the WIT type.
pub(crate) fn type_to_wit(type_: i32) -> Option<SocketType> {
    Some(match type_ {
        SOCK_STREAM => SocketType::Stream,
        SOCK_DGRAM => SocketType::Dgram,
        SOCK_RAW => SocketType::Raw,
        SOCK_RDM => SocketType::Rdm,
        SOCK_SEQPACKET => SocketType::Seqpacket,
        _ => return None,
    })
}

/// The WIT type as `SOCK_*`.
pub(crate) fn type_from_wit(t: SocketType) -> i32 {
    match t {
        SocketType::Stream => SOCK_STREAM,
        SocketType::Dgram => SOCK_DGRAM,
        SocketType::Raw => SOCK_RAW,
        SocketType::Rdm => SOCK_RDM,
        SocketType::Seqpacket => SOCK_SEQPACKET,
    }
}

/// Splits socket(2)'s `type` into the type number and the SOCK_NONBLOCK
/// flag; stray flag bits are EINVAL (22), as Linux checks them first.
pub(crate) fn split_socket_type(type_: i32) -> Result<(i32, bool)> {
    const SOCK_TYPE_MASK: i32 = 0xf;
    let flags = type_ & !SOCK_TYPE_MASK;
    if flags & !(SOCK_NONBLOCK | SOCK_CLOEXEC) != 0 {
        return Err(Error::from_errno(22));
    }
    Ok((type_ & SOCK_TYPE_MASK, flags & SOCK_NONBLOCK != 0))
}

/// socket(2)'s checks after the flags: a family Linux does not have is
/// EAFNOSUPPORT (97), then a type number past SOCK_MAX EINVAL (22), a type
/// without a WIT case (0, SOCK_DCCP, SOCK_PACKET) ESOCKTNOSUPPORT (94).
pub(crate) fn socket_args_to_wit(
    family: i32,
    base_type: i32,
) -> Result<(AddressFamily, SocketType)> {
    let family = family_to_wit(family).ok_or_else(|| Error::from_errno(97))?;
    match type_to_wit(base_type) {
        Some(t) => Ok((family, t)),
        None if base_type > 10 => Err(Error::from_errno(22)),
        None => Err(Error::from_errno(94)),
    }
}

const MSG_FLAG_PAIRS: &[(i32, MsgFlags)] = &[
    (MSG_OOB, MsgFlags::OOB),
    (MSG_PEEK, MsgFlags::PEEK),
    (MSG_DONTROUTE, MsgFlags::DONTROUTE),
    (MSG_CTRUNC, MsgFlags::CTRUNC),
    (MSG_TRUNC, MsgFlags::TRUNC),
    (MSG_DONTWAIT, MsgFlags::DONTWAIT),
    (MSG_EOR, MsgFlags::EOR),
    (MSG_WAITALL, MsgFlags::WAITALL),
    (MSG_CONFIRM, MsgFlags::CONFIRM),
    (MSG_ERRQUEUE, MsgFlags::ERRQUEUE),
    (MSG_NOSIGNAL, MsgFlags::NOSIGNAL),
    (MSG_MORE, MsgFlags::MORE),
    (MSG_FASTOPEN, MsgFlags::FASTOPEN),
];

/// `MSG_*` bits to WIT flags. Bits with no WIT flag (MSG_CMSG_CLOEXEC: the
/// host always sets it) are dropped, as the kernel ignores unknown bits.
pub(crate) fn msg_flags_to_wit(flags: i32) -> MsgFlags {
    MSG_FLAG_PAIRS
        .iter()
        .filter(|(bit, _)| flags & bit != 0)
        .fold(MsgFlags::empty(), |acc, (_, f)| acc | *f)
}

/// WIT flags to `MSG_*` bits (recvmsg's `msg_flags`).
pub(crate) fn msg_flags_from_wit(flags: MsgFlags) -> i32 {
    MSG_FLAG_PAIRS
        .iter()
        .filter(|(_, f)| (flags & *f) == *f)
        .fold(0, |acc, (bit, _)| acc | bit)
}

/// `SHUT_*` to the WIT `shutdown-how`; anything else is EINVAL (22).
pub(crate) fn shutdown_to_wit(how: i32) -> Result<ShutdownHow> {
    match how {
        SHUT_RD => Ok(ShutdownHow::Read),
        SHUT_WR => Ok(ShutdownHow::Write),
        SHUT_RDWR => Ok(ShutdownHow::Both),
        _ => Err(Error::from_errno(22)),
    }
}

// ---------------------------------------------------------------------------
// Timeouts

/// Validates a Python timeout (`settimeout`, `setdefaulttimeout`):
/// negative gives `ValueError("Timeout value out of range")`, NaN
/// `ValueError("Invalid value NaN (not a number)")`, too large for the
/// nanosecond clock `OverflowError`.
pub(crate) fn check_timeout(timeout: Option<f64>) -> Result<Option<f64>> {
    match timeout {
        None => Ok(None),
        Some(t) if t.is_nan() => Err(Error::value("Invalid value NaN (not a number)")),
        Some(t) if t < 0.0 => Err(Error::value("Timeout value out of range")),
        Some(t) if t * 1e9 > i64::MAX as f64 => Err(Error::overflow(
            "timestamp out of range for platform time_t",
        )),
        Some(t) => Ok(Some(t)),
    }
}

/// A checked Python timeout in seconds as the WIT duration (nanoseconds,
/// rounded up as CPython rounds timeouts).
pub(crate) fn timeout_to_wit(timeout: Option<f64>) -> Option<u64> {
    timeout.map(|t| (t * 1e9).ceil() as u64)
}

// ---------------------------------------------------------------------------
// Addresses

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

/// An `AF_NETLINK` address.
pub(crate) fn netlink_address(pid: u32, groups: u32) -> Address {
    Address::Other(RawAddress(WitAddress::Netlink(
        wit::types::NetlinkAddress { pid, groups },
    )))
}

/// An `AF_VSOCK` address.
pub(crate) fn vsock_address(cid: u32, port: u32) -> Address {
    Address::Other(RawAddress(WitAddress::Vsock(wit::types::VsockAddress {
        cid,
        port,
    })))
}

/// An `AF_PACKET` address.
pub(crate) fn packet_address(
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

/// An `AF_CAN` (CAN_RAW / CAN_BCM) address.
pub(crate) fn can_address(interface: &str) -> Address {
    Address::Other(RawAddress(WitAddress::Can(wit::types::CanAddress::Raw(
        interface.to_string(),
    ))))
}

/// An `AF_ALG` address.
pub(crate) fn alg_address(type_: &str, name: &str) -> Address {
    Address::Other(RawAddress(WitAddress::Alg(wit::types::AlgAddress {
        algorithm_type: type_.to_string(),
        name: name.to_string(),
        feat: 0,
        mask: 0,
    })))
}

fn bdaddr_text(b: (u8, u8, u8, u8, u8, u8)) -> String {
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

fn ipv4_text(a: (u8, u8, u8, u8)) -> String {
    format!("{}.{}.{}.{}", a.0, a.1, a.2, a.3)
}

fn ipv4_tuple(a: [u8; 4]) -> (u8, u8, u8, u8) {
    (a[0], a[1], a[2], a[3])
}

fn ipv6_array(a: (u16, u16, u16, u16, u16, u16, u16, u16)) -> [u16; 8] {
    [a.0, a.1, a.2, a.3, a.4, a.5, a.6, a.7]
}

fn ipv6_tuple(a: [u16; 8]) -> (u16, u16, u16, u16, u16, u16, u16, u16) {
    (a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7])
}

fn ipv6_bytes(a: (u16, u16, u16, u16, u16, u16, u16, u16)) -> [u8; 16] {
    let mut out = [0u8; 16];
    for (i, w) in ipv6_array(a).iter().enumerate() {
        out[2 * i..2 * i + 2].copy_from_slice(&w.to_be_bytes());
    }
    out
}

fn ipv6_from_bytes(b: &[u8]) -> [u16; 8] {
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
    let host = crate::idna::encode_non_ascii(host)?;
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

fn inet_address(ip: IpAddress, port: u16, flow_info: u32, scope_id: u32) -> Result<WitAddress> {
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

/// Python's name for a value of the wrong shape in an error message.
fn shape_name(addr: &Address) -> &'static str {
    match addr {
        Address::Inet(..) | Address::Inet6(..) => "tuple",
        Address::Unix(_) => "str",
        Address::Other(_) => "tuple",
        Address::None => "NoneType",
    }
}

/// CPython's `TypeError` for `None` given as the address of a socket of
/// one of the families whose addresses are tuples.
fn none_address_error(family: i32, caller: &str) -> Error {
    let name = match family {
        AF_NETLINK => "AF_NETLINK",
        AF_PACKET => "AF_PACKET",
        AF_CAN => "AF_CAN",
        AF_ALG => "AF_ALG",
        AF_TIPC => "AF_TIPC",
        AF_QIPCRTR => "AF_QIPCRTR",
        AF_VSOCK => {
            return Error::new(
                ErrorKind::TypeError,
                "getsockaddrarg: AF_VSOCK address must be tuple, not NoneType",
            )
        }
        _ => return Error::os_msg("getsockaddrarg: bad family"),
    };
    Error::new(
        ErrorKind::TypeError,
        format!("{caller}(): {name} address must be tuple, not NoneType"),
    )
}

/// CPython's `getsockaddrarg`: a Python address for a socket of `family`
/// as the WIT address, resolving names as CPython does. `caller` names the
/// method for error messages (`"connect"`, `"bind"`, …).
pub(crate) fn address_to_wit(addr: &Address, family: i32, caller: &str) -> Result<WitAddress> {
    match (family, addr) {
        (AF_INET, Address::Inet(host, port)) => {
            let ip = resolve_host(host, AF_INET)?;
            match ip {
                IpAddress::Ipv4(_) => inet_address(ip, *port, 0, 0),
                IpAddress::Ipv6(_) => Err(Error::gai(-9)),
            }
        }
        (AF_INET, Address::Inet6(..)) => Err(Error::new(
            ErrorKind::TypeError,
            "AF_INET address must be a pair (host, port)",
        )),
        (AF_INET6, Address::Inet(host, port)) => {
            address_to_wit(&Address::Inet6(host.clone(), *port, 0, 0), family, caller)
        }
        (AF_INET6, Address::Inet6(host, port, flow, scope)) => {
            if *flow > 0xfffff {
                return Err(Error::overflow(format!(
                    "{caller}(): flowinfo must be 0-1048575."
                )));
            }
            match resolve_host(host, AF_INET6)? {
                ip @ IpAddress::Ipv6(_) => inet_address(ip, *port, *flow, *scope),
                IpAddress::Ipv4(_) => Err(Error::gai(-9)),
            }
        }
        (AF_INET | AF_INET6, other) => Err(Error::new(
            ErrorKind::TypeError,
            format!(
                "{caller}(): {} address must be tuple, not {}",
                if family == AF_INET {
                    "AF_INET"
                } else {
                    "AF_INET6"
                },
                shape_name(other)
            ),
        )),
        (AF_UNIX, Address::Unix(path)) => unix_to_wit(path),
        (AF_UNIX, other) => Err(Error::new(
            ErrorKind::TypeError,
            format!(
                "a bytes-like object is required, not '{}'",
                shape_name(other)
            ),
        )),
        (_, Address::None) => Err(none_address_error(family, caller)),
        (_, Address::Other(raw)) => Ok(raw.0.clone()),
        (_, Address::Unix(path)) => unix_to_wit(path),
        (_, Address::Inet(host, port)) => inet_address(resolve_host(host, AF_UNSPEC)?, *port, 0, 0),
        (_, Address::Inet6(host, port, flow, scope)) => {
            inet_address(resolve_host(host, AF_INET6)?, *port, *flow, *scope)
        }
    }
}

/// An `AF_UNIX` path as the WIT address, with CPython's length checks.
fn unix_to_wit(path: &[u8]) -> Result<WitAddress> {
    const SUN_PATH: usize = 108;
    let too_long = || Error::os_msg("AF_UNIX path too long");
    match path.first() {
        None => Ok(WitAddress::Unix(UnixAddress::Unnamed)),
        Some(0) => {
            if path.len() > SUN_PATH {
                return Err(too_long());
            }
            Ok(WitAddress::Unix(UnixAddress::Abstract(path[1..].to_vec())))
        }
        Some(_) => {
            if path.len() >= SUN_PATH {
                return Err(too_long());
            }
            if path.contains(&0) {
                return Err(Error::value("embedded null byte"));
            }
            Ok(WitAddress::Unix(UnixAddress::Pathname(path.to_vec())))
        }
    }
}

/// A host as getaddrinfo(3) with AI_NUMERICHOST reads it: any numeric
/// form [`parse_numeric_ip`] takes, and IPv4 in inet_aton's forms
/// (`127.1`, `0x7f.1`) with nothing after it.
fn parse_numeric_host(host: &str) -> Option<(IpAddress, u32)> {
    parse_numeric_ip(host).or_else(|| {
        if host.bytes().any(|b| b.is_ascii_whitespace()) {
            return None;
        }
        crate::inet::parse_inet_aton(host).map(|[a, b, c, d]| (IpAddress::Ipv4((a, b, c, d)), 0))
    })
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

// ---------------------------------------------------------------------------
// Name resolution

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
pub(crate) fn addrinfo_from_wit(info: wit::types::AddressInfo) -> crate::AddrInfo {
    crate::AddrInfo {
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

// ---------------------------------------------------------------------------
// Poll

/// select(2)'s readable set: POLLIN, POLLHUP or POLLERR.
pub(crate) fn select_readable(r: Readiness) -> bool {
    !(r & (Readiness::READABLE | Readiness::HANGUP | Readiness::ERROR | Readiness::READ_HANGUP))
        .is_empty()
}

/// select(2)'s writable set: POLLOUT or POLLERR.
pub(crate) fn select_writable(r: Readiness) -> bool {
    !(r & (Readiness::WRITABLE | Readiness::ERROR)).is_empty()
}

/// select(2)'s exceptional set: POLLPRI.
pub(crate) fn select_exceptional(r: Readiness) -> bool {
    !(r & Readiness::PRIORITY).is_empty()
}

trait FlagsExt {
    fn is_empty(&self) -> bool;
}

impl FlagsExt for Readiness {
    fn is_empty(&self) -> bool {
        self.bits() == 0
    }
}

// ---------------------------------------------------------------------------
// Socket options

/// The C value shape of an option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OptKind {
    /// `int` used as a boolean.
    Bool,
    /// `int`.
    Int,
    /// `struct linger`.
    Linger,
    /// `struct timeval`.
    Timeval,
    /// `struct ucred`.
    Cred,
    /// `struct ip_mreq` / `struct ip_mreqn`.
    IpMreq,
    /// `struct ipv6_mreq`.
    Ipv6Mreq,
    /// A NUL-terminated string.
    Text,
    /// An opaque structure.
    Bytes,
}

const SOL_IP_: i32 = 0;
const SOL_TCP_: i32 = 6;
const SOL_UDP_: i32 = 17;
const SOL_IPV6_: i32 = 41;

/// `(level, optname, WIT option, value shape)`, with Linux numbers (some
/// options have no constant in CPython 3.11 but exist on Linux).
const OPTIONS: &[(i32, i32, OptionName, OptKind)] = {
    use OptKind::*;
    use OptionName as O;
    &[
        (SOL_SOCKET, 1, O::SoDebug, Bool),
        (SOL_SOCKET, 2, O::SoReuseaddr, Bool),
        (SOL_SOCKET, 3, O::SoType, Int),
        (SOL_SOCKET, 4, O::SoError, Int),
        (SOL_SOCKET, 5, O::SoDontroute, Bool),
        (SOL_SOCKET, 6, O::SoBroadcast, Bool),
        (SOL_SOCKET, 7, O::SoSndbuf, Int),
        (SOL_SOCKET, 8, O::SoRcvbuf, Int),
        (SOL_SOCKET, 9, O::SoKeepalive, Bool),
        (SOL_SOCKET, 10, O::SoOobinline, Bool),
        (SOL_SOCKET, 12, O::SoPriority, Int),
        (SOL_SOCKET, 13, O::SoLinger, Linger),
        (SOL_SOCKET, 15, O::SoReuseport, Bool),
        (SOL_SOCKET, 16, O::SoPasscred, Bool),
        (SOL_SOCKET, 17, O::SoPeercred, Cred),
        (SOL_SOCKET, 18, O::SoRcvlowat, Int),
        (SOL_SOCKET, 19, O::SoSndlowat, Int),
        (SOL_SOCKET, 20, O::SoRcvtimeo, Timeval),
        (SOL_SOCKET, 21, O::SoSndtimeo, Timeval),
        (SOL_SOCKET, 25, O::SoBindtodevice, Text),
        (SOL_SOCKET, 29, O::SoTimestamp, Bool),
        (SOL_SOCKET, 30, O::SoAcceptconn, Bool),
        (SOL_SOCKET, 35, O::SoTimestampns, Bool),
        (SOL_SOCKET, 36, O::SoMark, Int),
        (SOL_SOCKET, 38, O::SoProtocol, Int),
        (SOL_SOCKET, 39, O::SoDomain, Int),
        (SOL_SOCKET, 49, O::SoIncomingCpu, Int),
        (SOL_TCP_, 1, O::TcpNodelay, Bool),
        (SOL_TCP_, 2, O::TcpMaxseg, Int),
        (SOL_TCP_, 3, O::TcpCork, Bool),
        (SOL_TCP_, 4, O::TcpKeepidle, Int),
        (SOL_TCP_, 5, O::TcpKeepintvl, Int),
        (SOL_TCP_, 6, O::TcpKeepcnt, Int),
        (SOL_TCP_, 7, O::TcpSyncnt, Int),
        (SOL_TCP_, 8, O::TcpLinger2, Int),
        (SOL_TCP_, 9, O::TcpDeferAccept, Int),
        (SOL_TCP_, 10, O::TcpWindowClamp, Int),
        (SOL_TCP_, 11, O::TcpInfo, Bytes),
        (SOL_TCP_, 12, O::TcpQuickack, Bool),
        (SOL_TCP_, 13, O::TcpCongestion, Text),
        (SOL_TCP_, 18, O::TcpUserTimeout, Int),
        (SOL_TCP_, 23, O::TcpFastopen, Int),
        (SOL_TCP_, 25, O::TcpNotsentLowat, Int),
        (SOL_IP_, 1, O::IpTos, Int),
        (SOL_IP_, 2, O::IpTtl, Int),
        (SOL_IP_, 3, O::IpHdrincl, Bool),
        (SOL_IP_, 4, O::IpOptions, Bytes),
        (SOL_IP_, 8, O::IpPktinfo, Bool),
        (SOL_IP_, 10, O::IpMtuDiscover, Int),
        (SOL_IP_, 11, O::IpRecverr, Bool),
        (SOL_IP_, 12, O::IpRecvttl, Bool),
        (SOL_IP_, 13, O::IpRecvtos, Bool),
        (SOL_IP_, 14, O::IpMtu, Int),
        (SOL_IP_, 15, O::IpFreebind, Bool),
        (SOL_IP_, 19, O::IpTransparent, Bool),
        (SOL_IP_, 24, O::IpBindAddressNoPort, Bool),
        // IP_MULTICAST_IF (32) takes the raw path, which keeps an
        // `ip_mreqn`'s interface index.
        (SOL_IP_, 33, O::IpMulticastTtl, Int),
        (SOL_IP_, 34, O::IpMulticastLoop, Bool),
        (SOL_IP_, 35, O::IpAddMembership, IpMreq),
        (SOL_IP_, 36, O::IpDropMembership, IpMreq),
        (SOL_IPV6_, 16, O::Ipv6UnicastHops, Int),
        (SOL_IPV6_, 17, O::Ipv6MulticastIf, Int),
        (SOL_IPV6_, 18, O::Ipv6MulticastHops, Int),
        (SOL_IPV6_, 19, O::Ipv6MulticastLoop, Bool),
        (SOL_IPV6_, 20, O::Ipv6JoinGroup, Ipv6Mreq),
        (SOL_IPV6_, 21, O::Ipv6LeaveGroup, Ipv6Mreq),
        (SOL_IPV6_, 23, O::Ipv6MtuDiscover, Int),
        (SOL_IPV6_, 24, O::Ipv6Mtu, Int),
        (SOL_IPV6_, 25, O::Ipv6Recverr, Bool),
        (SOL_IPV6_, 26, O::Ipv6V6only, Bool),
        (SOL_IPV6_, 49, O::Ipv6Recvpktinfo, Bool),
        (SOL_IPV6_, 51, O::Ipv6Recvhoplimit, Bool),
        (SOL_IPV6_, 62, O::Ipv6Dontfrag, Bool),
        (SOL_IPV6_, 66, O::Ipv6Recvtclass, Bool),
        (SOL_IPV6_, 67, O::Ipv6Tclass, Int),
        (SOL_UDP_, 1, O::UdpCork, Bool),
        (SOL_UDP_, 103, O::UdpSegment, Int),
        (SOL_UDP_, 104, O::UdpGro, Bool),
    ]
};

/// Python's `(level, optname)` as the WIT option and its value shape;
/// an unmapped pair is `OSError(92, 'Protocol not available')`.
pub(crate) fn option_to_wit(level: i32, optname: i32) -> Result<(OptionName, OptKind)> {
    OPTIONS
        .iter()
        .find(|(l, o, _, _)| *l == level && *o == optname)
        .map(|(_, _, name, kind)| (*name, *kind))
        .ok_or_else(|| Error::from_errno(92))
}

fn einval() -> Error {
    Error::from_errno(22)
}

fn ne_i32(b: &[u8]) -> i32 {
    i32::from_ne_bytes([b[0], b[1], b[2], b[3]])
}

fn ne_u32(b: &[u8]) -> u32 {
    u32::from_ne_bytes([b[0], b[1], b[2], b[3]])
}

fn ne_i64(b: &[u8]) -> i64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[..8]);
    i64::from_ne_bytes(a)
}

fn in_addr(b: &[u8]) -> (u8, u8, u8, u8) {
    (b[0], b[1], b[2], b[3])
}

/// A Python setsockopt value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OptValue {
    /// An integer (`setsockopt(level, opt, 1)`), passed as a C `int`.
    Int(i32),
    /// A packed structure or string (`setsockopt(level, opt, b'...')`),
    /// laid out as on 64-bit Linux.
    Bytes(Vec<u8>),
    /// Python's `setsockopt(level, opt, None, optlen)`: no buffer (a NULL
    /// pointer) and this length.
    Null(u32),
}

impl From<i32> for OptValue {
    fn from(v: i32) -> OptValue {
        OptValue::Int(v)
    }
}

impl From<bool> for OptValue {
    fn from(v: bool) -> OptValue {
        OptValue::Int(v as i32)
    }
}

impl From<&[u8]> for OptValue {
    fn from(v: &[u8]) -> OptValue {
        OptValue::Bytes(v.to_vec())
    }
}

impl<const N: usize> From<&[u8; N]> for OptValue {
    fn from(v: &[u8; N]) -> OptValue {
        OptValue::Bytes(v.to_vec())
    }
}

impl From<Vec<u8>> for OptValue {
    fn from(v: Vec<u8>) -> OptValue {
        OptValue::Bytes(v)
    }
}

/// A Python setsockopt value as the typed WIT value for an option of
/// shape `kind`, with the kernel's length rules (too short is EINVAL).
pub(crate) fn option_value_to_wit(
    level: i32,
    kind: OptKind,
    value: &OptValue,
) -> Result<OptionValue> {
    // An int value is the bytes of a native C int.
    let bytes: Vec<u8> = match value {
        OptValue::Int(i) => i.to_ne_bytes().to_vec(),
        OptValue::Bytes(b) => b.clone(),
        // The kernel reads the value through the NULL pointer: EFAULT,
        // or EINVAL first when the length is too short for an int.
        OptValue::Null(n) => return Err(Error::from_errno(if *n < 4 { 22 } else { 14 })),
    };
    let int_of = |b: &[u8]| -> Result<i32> {
        if b.len() >= 4 {
            Ok(ne_i32(b))
        } else if level == SOL_IP_ && !b.is_empty() {
            // IPPROTO_IP accepts a single byte for int options.
            Ok(b[0] as i32)
        } else {
            Err(einval())
        }
    };
    Ok(match kind {
        OptKind::Bool => OptionValue::Boolean(int_of(&bytes)? != 0),
        OptKind::Int => OptionValue::Int(int_of(&bytes)?),
        OptKind::Linger => {
            if bytes.len() < 8 {
                return Err(einval());
            }
            OptionValue::Linger(wit::types::Linger {
                enabled: ne_i32(&bytes[0..4]) != 0,
                seconds: ne_i32(&bytes[4..8]),
            })
        }
        OptKind::Timeval => {
            if bytes.len() < 16 {
                return Err(einval());
            }
            let sec = ne_i64(&bytes[0..8]);
            let usec = ne_i64(&bytes[8..16]);
            if !(0..1_000_000).contains(&usec) {
                return Err(Error::from_errno(33));
            }
            let d = if sec < 0 {
                Some(0)
            } else if sec == 0 && usec == 0 {
                None
            } else {
                Some((sec as u64).saturating_mul(1_000_000_000) + usec as u64 * 1000)
            };
            OptionValue::Duration(d)
        }
        OptKind::Cred => {
            if bytes.len() < 12 {
                return Err(einval());
            }
            OptionValue::Credentials(wit::types::Credentials {
                pid: ne_i32(&bytes[0..4]),
                uid: ne_u32(&bytes[4..8]),
                gid: ne_u32(&bytes[8..12]),
            })
        }
        OptKind::IpMreq => {
            if bytes.len() < 8 {
                return Err(einval());
            }
            let index = if bytes.len() >= 12 {
                ne_i32(&bytes[8..12]) as u32
            } else {
                0
            };
            OptionValue::Ipv4Membership(wit::types::Ipv4Membership {
                group: in_addr(&bytes[0..4]),
                interface_address: in_addr(&bytes[4..8]),
                interface_index: index,
            })
        }
        OptKind::Ipv6Mreq => {
            if bytes.len() < 20 {
                return Err(einval());
            }
            OptionValue::Ipv6Membership(wit::types::Ipv6Membership {
                group: ipv6_tuple(ipv6_from_bytes(&bytes[0..16])),
                interface_index: ne_u32(&bytes[16..20]),
            })
        }
        OptKind::Text => {
            if matches!(value, OptValue::Int(_)) {
                return Err(einval());
            }
            let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
            OptionValue::Text(String::from_utf8_lossy(&bytes[..end]).into_owned())
        }
        OptKind::Bytes => OptionValue::Bytes(bytes),
    })
}

/// A WIT option value packed as the C structure getsockopt(2) writes on
/// 64-bit Linux (`int`, `struct linger`, `struct timeval`, …).
pub(crate) fn option_value_bytes(name: OptionName, value: &OptionValue) -> Vec<u8> {
    match value {
        OptionValue::Boolean(b) => (*b as i32).to_ne_bytes().to_vec(),
        OptionValue::Int(i) => i.to_ne_bytes().to_vec(),
        OptionValue::Linger(l) => {
            let mut v = (l.enabled as i32).to_ne_bytes().to_vec();
            v.extend_from_slice(&l.seconds.to_ne_bytes());
            v
        }
        OptionValue::Duration(d) => {
            let ns = d.unwrap_or(0);
            let mut v = ((ns / 1_000_000_000) as i64).to_ne_bytes().to_vec();
            v.extend_from_slice(&(((ns % 1_000_000_000) / 1000) as i64).to_ne_bytes());
            v
        }
        OptionValue::Credentials(c) => {
            let mut v = c.pid.to_ne_bytes().to_vec();
            v.extend_from_slice(&c.uid.to_ne_bytes());
            v.extend_from_slice(&c.gid.to_ne_bytes());
            v
        }
        OptionValue::Ipv4Address(a) => vec![a.0, a.1, a.2, a.3],
        OptionValue::Ipv4Membership(m) => {
            let mut v = vec![m.group.0, m.group.1, m.group.2, m.group.3];
            let i = m.interface_address;
            v.extend_from_slice(&[i.0, i.1, i.2, i.3]);
            v.extend_from_slice(&m.interface_index.to_ne_bytes());
            v
        }
        OptionValue::Ipv6Membership(m) => {
            let mut v = ipv6_bytes(m.group).to_vec();
            v.extend_from_slice(&m.interface_index.to_ne_bytes());
            v
        }
        OptionValue::Text(s) => {
            let mut v = s.as_bytes().to_vec();
            v.push(0);
            if name == OptionName::TcpCongestion && v.len() < 16 {
                // TCP_CA_NAME_MAX: the kernel copies the whole name buffer.
                v.resize(16, 0);
            }
            v
        }
        OptionValue::Bytes(b) => b.clone(),
    }
}

/// A WIT option value as the int `getsockopt(level, optname)` returns:
/// the first C `int` of the structure, as the kernel writes it into a
/// 4-byte buffer (EINVAL for SO_BINDTODEVICE, which needs more).
pub(crate) fn option_value_int(name: OptionName, value: &OptionValue) -> Result<i32> {
    match value {
        OptionValue::Boolean(b) => Ok(*b as i32),
        OptionValue::Int(i) => Ok(*i),
        OptionValue::Text(_) if name == OptionName::SoBindtodevice => Err(einval()),
        other => {
            let mut b = option_value_bytes(name, other);
            b.resize(4.max(b.len()), 0);
            Ok(ne_i32(&b))
        }
    }
}

// ---------------------------------------------------------------------------
// Ancillary data

const SCM_TIMESTAMP_: i32 = 29;
const SCM_TIMESTAMPNS_: i32 = 35;
const IP_PKTINFO_: i32 = 8;
const IP_TTL_: i32 = 2;
const IP_TOS_: i32 = 1;
const IPV6_PKTINFO_: i32 = 50;
const IPV6_HOPLIMIT_: i32 = 52;
const IPV6_TCLASS_: i32 = 67;
const UDP_SEGMENT_: i32 = 103;
const UDP_GRO_: i32 = 104;

/// A received WIT control message as Python's `(level, type, data)`
/// tuple (or the received sockets, for SCM_RIGHTS).
pub(crate) fn recv_cmsg_from_wit(msg: RecvControlMessage) -> crate::Ancillary {
    use crate::Ancillary;
    let raw = |level: i32, type_: i32, data: Vec<u8>| Ancillary::Raw { level, type_, data };
    match msg {
        RecvControlMessage::Rights(socks) => Ancillary::Rights(
            socks
                .into_iter()
                .map(crate::socket::Socket::from_received)
                .collect(),
        ),
        RecvControlMessage::Credentials(c) => raw(
            SOL_SOCKET,
            SCM_CREDENTIALS,
            option_value_bytes(OptionName::SoPeercred, &OptionValue::Credentials(c)),
        ),
        RecvControlMessage::Ipv4PacketInfo(p) => {
            let mut v = (p.interface_index as i32).to_ne_bytes().to_vec();
            let l = p.local_address;
            let d = p.destination_address;
            v.extend_from_slice(&[l.0, l.1, l.2, l.3, d.0, d.1, d.2, d.3]);
            raw(SOL_IP_, IP_PKTINFO_, v)
        }
        RecvControlMessage::Ipv6PacketInfo(p) => {
            let mut v = ipv6_bytes(p.address).to_vec();
            v.extend_from_slice(&p.interface_index.to_ne_bytes());
            raw(SOL_IPV6_, IPV6_PKTINFO_, v)
        }
        RecvControlMessage::Ipv4Ttl(t) => raw(SOL_IP_, IP_TTL_, (t as i32).to_ne_bytes().to_vec()),
        RecvControlMessage::Ipv4Tos(t) => raw(SOL_IP_, IP_TOS_, vec![t]),
        RecvControlMessage::Ipv6HopLimit(h) => {
            raw(SOL_IPV6_, IPV6_HOPLIMIT_, h.to_ne_bytes().to_vec())
        }
        RecvControlMessage::Ipv6TrafficClass(c) => {
            raw(SOL_IPV6_, IPV6_TCLASS_, c.to_ne_bytes().to_vec())
        }
        RecvControlMessage::Timestamp(t) => {
            let mut v = t.seconds.to_ne_bytes().to_vec();
            v.extend_from_slice(&(i64::from(t.nanoseconds) / 1000).to_ne_bytes());
            raw(SOL_SOCKET, SCM_TIMESTAMP_, v)
        }
        RecvControlMessage::TimestampNs(t) => {
            let mut v = t.seconds.to_ne_bytes().to_vec();
            v.extend_from_slice(&i64::from(t.nanoseconds).to_ne_bytes());
            raw(SOL_SOCKET, SCM_TIMESTAMPNS_, v)
        }
        RecvControlMessage::UdpGro(s) => {
            raw(SOL_UDP_, UDP_GRO_, i32::from(s).to_ne_bytes().to_vec())
        }
        RecvControlMessage::Unknown(m) => raw(m.level, m.message_type, m.data),
    }
}

/// Python's `(level, type, data)` as the typed WIT control message to
/// send, with the kernel's length rules (EINVAL for a bad length or a
/// message the host cannot carry).
pub(crate) fn send_cmsg_to_wit(msg: &crate::Ancillary) -> Result<SendControlMessage<'_>> {
    use crate::Ancillary;
    let (level, type_, data) = match msg {
        Ancillary::Rights(socks) => {
            return Ok(SendControlMessage::Rights(
                socks.iter().map(|s| s.wit_handle()).collect(),
            ))
        }
        Ancillary::Raw { level, type_, data } => (*level, *type_, data.as_slice()),
    };
    let int = |d: &[u8]| -> Result<i32> {
        if d.len() == 4 {
            Ok(ne_i32(d))
        } else {
            Err(einval())
        }
    };
    Ok(match (level, type_) {
        (SOL_SOCKET, SCM_CREDENTIALS) => {
            if data.len() != 12 {
                return Err(einval());
            }
            SendControlMessage::Credentials(wit::types::Credentials {
                pid: ne_i32(&data[0..4]),
                uid: ne_u32(&data[4..8]),
                gid: ne_u32(&data[8..12]),
            })
        }
        (SOL_SOCKET, SCM_RIGHTS) => {
            // Raw descriptor numbers cannot cross the boundary: pass
            // sockets with `Ancillary::Rights`.
            return Err(einval()
                .with_detail("SCM_RIGHTS needs Ancillary::Rights with Socket values".into()));
        }
        (SOL_IP_, IP_PKTINFO_) => {
            if data.len() != 12 {
                return Err(einval());
            }
            SendControlMessage::Ipv4PacketInfo(wit::types::Ipv4PacketInfo {
                interface_index: ne_i32(&data[0..4]) as u32,
                local_address: in_addr(&data[4..8]),
                destination_address: in_addr(&data[8..12]),
            })
        }
        (SOL_IP_, IP_TTL_) => {
            let t = int(data)?;
            if !(1..=255).contains(&t) {
                return Err(einval());
            }
            SendControlMessage::Ipv4Ttl(t as u8)
        }
        (SOL_IP_, IP_TOS_) => {
            let t = if data.len() == 1 {
                data[0] as i32
            } else {
                int(data)?
            };
            if !(0..=255).contains(&t) {
                return Err(einval());
            }
            SendControlMessage::Ipv4Tos(t as u8)
        }
        (SOL_IPV6_, IPV6_PKTINFO_) => {
            if data.len() != 20 {
                return Err(einval());
            }
            SendControlMessage::Ipv6PacketInfo(wit::types::Ipv6PacketInfo {
                address: ipv6_tuple(ipv6_from_bytes(&data[0..16])),
                interface_index: ne_u32(&data[16..20]),
            })
        }
        (SOL_IPV6_, IPV6_HOPLIMIT_) => SendControlMessage::Ipv6HopLimit(int(data)?),
        (SOL_IPV6_, IPV6_TCLASS_) => SendControlMessage::Ipv6TrafficClass(int(data)?),
        (SOL_UDP_, UDP_SEGMENT_) => {
            if data.len() != 2 {
                return Err(einval());
            }
            SendControlMessage::UdpSegment(u16::from_ne_bytes([data[0], data[1]]))
        }
        _ => return Err(einval()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_and_types_round_trip() {
        for (n, f) in FAMILIES {
            assert_eq!(family_to_wit(*n), Some(*f));
            assert_eq!(family_from_wit(*f), *n);
        }
        assert_eq!(family_to_wit(99), None);
        assert_eq!(
            split_socket_type(SOCK_STREAM | SOCK_NONBLOCK).unwrap(),
            (1, true)
        );
        assert_eq!(split_socket_type(99).unwrap_err().errno(), Some(22));
        let errno = |f, t| socket_args_to_wit(f, t).unwrap_err().errno();
        assert_eq!(errno(AF_INET, 6), Some(94));
        assert_eq!(errno(AF_INET, 0), Some(94));
        assert_eq!(errno(AF_INET, 12), Some(22));
        assert_eq!(errno(99, 12), Some(97));
        assert!(socket_args_to_wit(AF_UNIX, SOCK_DGRAM).is_ok());
    }

    #[test]
    fn msg_flags_round_trip() {
        let all = MSG_FLAG_PAIRS.iter().fold(0, |a, (b, _)| a | b);
        assert_eq!(msg_flags_from_wit(msg_flags_to_wit(all)), all);
        assert_eq!(
            msg_flags_to_wit(MSG_PEEK | MSG_CMSG_CLOEXEC),
            MsgFlags::PEEK
        );
    }

    #[test]
    fn option_table_matches_python_constants() {
        let named = [
            (SOL_SOCKET, SO_REUSEADDR, OptionName::SoReuseaddr),
            (SOL_SOCKET, SO_KEEPALIVE, OptionName::SoKeepalive),
            (SOL_SOCKET, SO_LINGER, OptionName::SoLinger),
            (SOL_SOCKET, SO_RCVTIMEO, OptionName::SoRcvtimeo),
            (SOL_SOCKET, SO_BINDTODEVICE, OptionName::SoBindtodevice),
            (SOL_SOCKET, SO_PEERCRED, OptionName::SoPeercred),
            (SOL_SOCKET, SO_PROTOCOL, OptionName::SoProtocol),
            (SOL_SOCKET, SO_REUSEPORT, OptionName::SoReuseport),
            (IPPROTO_TCP, TCP_NODELAY, OptionName::TcpNodelay),
            (IPPROTO_TCP, TCP_CONGESTION, OptionName::TcpCongestion),
            (IPPROTO_TCP, TCP_NOTSENT_LOWAT, OptionName::TcpNotsentLowat),
            (IPPROTO_TCP, TCP_FASTOPEN, OptionName::TcpFastopen),
            (IPPROTO_TCP, TCP_USER_TIMEOUT, OptionName::TcpUserTimeout),
            (IPPROTO_IP, IP_TOS, OptionName::IpTos),
            (IPPROTO_IP, IP_ADD_MEMBERSHIP, OptionName::IpAddMembership),
            (IPPROTO_IP, IP_RECVTOS, OptionName::IpRecvtos),
            (IPPROTO_IP, IP_TRANSPARENT, OptionName::IpTransparent),
            (IPPROTO_IPV6, IPV6_V6ONLY, OptionName::Ipv6V6only),
            (IPPROTO_IPV6, IPV6_JOIN_GROUP, OptionName::Ipv6JoinGroup),
            (IPPROTO_IPV6, IPV6_RECVPKTINFO, OptionName::Ipv6Recvpktinfo),
            (IPPROTO_IPV6, IPV6_TCLASS, OptionName::Ipv6Tclass),
            (IPPROTO_IPV6, IPV6_DONTFRAG, OptionName::Ipv6Dontfrag),
            (IPPROTO_IPV6, IPV6_RECVTCLASS, OptionName::Ipv6Recvtclass),
        ];
        for (level, opt, name) in named {
            assert_eq!(option_to_wit(level, opt).unwrap().0, name, "{level} {opt}");
        }
        assert_eq!(
            option_to_wit(SOL_SOCKET, 9999).unwrap_err().errno(),
            Some(92)
        );
        // No duplicates.
        for (i, a) in OPTIONS.iter().enumerate() {
            for b in &OPTIONS[i + 1..] {
                assert!(!(a.0 == b.0 && a.1 == b.1));
                assert_ne!(a.2, b.2);
            }
        }
    }

    #[test]
    fn option_packing() {
        let v = option_value_to_wit(SOL_SOCKET, OptKind::Bool, &OptValue::Int(5)).unwrap();
        assert_eq!(v, OptionValue::Boolean(true));
        let linger = b"\x01\x00\x00\x00\x05\x00\x00\x00";
        let v = option_value_to_wit(SOL_SOCKET, OptKind::Linger, &OptValue::from(linger)).unwrap();
        assert_eq!(
            v,
            OptionValue::Linger(wit::types::Linger {
                enabled: true,
                seconds: 5
            })
        );
        assert_eq!(
            option_value_bytes(OptionName::SoLinger, &v),
            linger.to_vec()
        );
        assert_eq!(option_value_int(OptionName::SoLinger, &v).unwrap(), 1);
        let e = option_value_to_wit(SOL_SOCKET, OptKind::Linger, &OptValue::Int(1)).unwrap_err();
        assert_eq!(e.errno(), Some(22));
        let e = option_value_to_wit(SOL_SOCKET, OptKind::Bool, &OptValue::from(b"\x01\x00"))
            .unwrap_err();
        assert_eq!(e.errno(), Some(22));
        let v = option_value_to_wit(SOL_IP_, OptKind::Int, &OptValue::from(b"\x07")).unwrap();
        assert_eq!(v, OptionValue::Int(7));
        let tv = OptionValue::Duration(Some(1_500_000_000));
        let b = option_value_bytes(OptionName::SoRcvtimeo, &tv);
        assert_eq!(b.len(), 16);
        assert_eq!(
            option_value_to_wit(SOL_SOCKET, OptKind::Timeval, &OptValue::Bytes(b)).unwrap(),
            tv
        );
        let none = OptionValue::Duration(None);
        assert_eq!(
            option_value_bytes(OptionName::SoRcvtimeo, &none),
            vec![0; 16]
        );
        let cc = OptionValue::Text("bbr".into());
        assert_eq!(
            option_value_bytes(OptionName::TcpCongestion, &cc),
            b"bbr\0\0\0\0\0\0\0\0\0\0\0\0\0".to_vec()
        );
        let dev = OptionValue::Text("lo".into());
        assert_eq!(
            option_value_bytes(OptionName::SoBindtodevice, &dev),
            b"lo\0".to_vec()
        );
        assert_eq!(
            option_value_int(OptionName::SoBindtodevice, &dev)
                .unwrap_err()
                .errno(),
            Some(22)
        );
        let mreq = [224, 0, 0, 1, 0, 0, 0, 0];
        let v = option_value_to_wit(SOL_IP_, OptKind::IpMreq, &OptValue::from(&mreq)).unwrap();
        assert_eq!(
            v,
            OptionValue::Ipv4Membership(wit::types::Ipv4Membership {
                group: (224, 0, 0, 1),
                interface_address: (0, 0, 0, 0),
                interface_index: 0,
            })
        );
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

    #[test]
    fn numeric_addresses_to_wit() {
        let w = address_to_wit(&Address::from(("127.0.0.1", 80)), AF_INET, "connect").unwrap();
        assert_eq!(
            w,
            WitAddress::Inet(wit::types::Ipv4SocketAddress {
                port: 80,
                address: (127, 0, 0, 1)
            })
        );
        let w = address_to_wit(&Address::from(("", 80)), AF_INET6, "bind").unwrap();
        assert_eq!(
            w,
            WitAddress::Inet6(wit::types::Ipv6SocketAddress {
                port: 80,
                flow_info: 0,
                address: (0, 0, 0, 0, 0, 0, 0, 0),
                scope_id: 0,
            })
        );
        let w = address_to_wit(&Address::from(("<broadcast>", 9)), AF_INET, "sendto").unwrap();
        assert_eq!(
            w,
            WitAddress::Inet(wit::types::Ipv4SocketAddress {
                port: 9,
                address: (255, 255, 255, 255)
            })
        );
        // CPython: the tuple's scope_id wins over a "%scope" suffix.
        let w = address_to_wit(&Address::from(("fe80::1%1", 80, 0, 0)), AF_INET6, "c").unwrap();
        match w {
            WitAddress::Inet6(a) => assert_eq!((a.address.0, a.scope_id), (0xfe80, 0)),
            _ => panic!(),
        }
        let e = address_to_wit(&Address::from(("::1", 80)), AF_INET, "connect").unwrap_err();
        assert_eq!(
            e.to_string(),
            "[Errno -9] Address family for hostname not supported"
        );
        let e = address_to_wit(&Address::from(("::1", 80, 0, 0)), AF_INET, "connect").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::TypeError);
        let e = address_to_wit(&Address::from("/tmp/x"), AF_INET, "connect_ex").unwrap_err();
        assert_eq!(
            e.to_string(),
            "connect_ex(): AF_INET address must be tuple, not str"
        );
        let long = "x".repeat(108);
        let e = address_to_wit(&Address::from(long.as_str()), AF_UNIX, "bind").unwrap_err();
        assert_eq!(e.to_string(), "AF_UNIX path too long");
        let mut abs = vec![0u8];
        abs.extend_from_slice(&[b'a'; 107]);
        assert!(address_to_wit(&Address::Unix(abs), AF_UNIX, "bind").is_ok());
        assert_eq!(
            address_to_wit(&Address::Unix(vec![]), AF_UNIX, "bind").unwrap(),
            WitAddress::Unix(UnixAddress::Unnamed)
        );
    }

    #[test]
    fn timeouts() {
        assert_eq!(
            check_timeout(Some(-1.0)).unwrap_err().to_string(),
            "Timeout value out of range"
        );
        assert_eq!(
            check_timeout(Some(f64::NAN)).unwrap_err().kind(),
            ErrorKind::ValueError
        );
        assert_eq!(
            check_timeout(Some(1e10)).unwrap_err().kind(),
            ErrorKind::OverflowError
        );
        assert_eq!(timeout_to_wit(Some(0.0)), Some(0));
        assert_eq!(timeout_to_wit(Some(1.5)), Some(1_500_000_000));
        assert_eq!(timeout_to_wit(None), None);
    }

    #[test]
    fn control_messages() {
        use crate::Ancillary;
        let m = recv_cmsg_from_wit(RecvControlMessage::Ipv4Tos(0x10));
        match m {
            Ancillary::Raw { level, type_, data } => {
                assert_eq!((level, type_, data), (IPPROTO_IP, IP_TOS, vec![0x10]))
            }
            _ => panic!(),
        }
        let send = Ancillary::Raw {
            level: IPPROTO_IPV6,
            type_: IPV6_TCLASS,
            data: 5i32.to_ne_bytes().to_vec(),
        };
        assert!(matches!(
            send_cmsg_to_wit(&send).unwrap(),
            SendControlMessage::Ipv6TrafficClass(5)
        ));
        let bad = Ancillary::Raw {
            level: 999,
            type_: 1,
            data: vec![],
        };
        assert_eq!(send_cmsg_to_wit(&bad).unwrap_err().errno(), Some(22));
    }
}
