//! Socket options: Python's `(level, optname)` as the typed WIT option,
//! and Python's values ([`OptValue`], ints and packed C structures) as
//! typed WIT values and back.

use super::ip::{ipv6_bytes, ipv6_from_bytes, ipv6_tuple};
use crate::constants::*;
use crate::error::{Error, Result};
use crate::wit;
use crate::wit::types::{OptionName, OptionValue};

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

pub(super) const SOL_IP_: i32 = 0;
const SOL_TCP_: i32 = 6;
pub(super) const SOL_UDP_: i32 = 17;
pub(super) const SOL_IPV6_: i32 = 41;

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

pub(super) fn einval() -> Error {
    Error::from_errno(22)
}

pub(super) fn ne_i32(b: &[u8]) -> i32 {
    i32::from_ne_bytes([b[0], b[1], b[2], b[3]])
}

pub(super) fn ne_u32(b: &[u8]) -> u32 {
    u32::from_ne_bytes([b[0], b[1], b[2], b[3]])
}

fn ne_i64(b: &[u8]) -> i64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[..8]);
    i64::from_ne_bytes(a)
}

pub(super) fn in_addr(b: &[u8]) -> (u8, u8, u8, u8) {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
