//! Python's integer constants as WIT enums and flags and back (families,
//! socket types, `MSG_*`, `SHUT_*`, select(2)'s readiness sets), and
//! Python timeouts as WIT durations.

use crate::constants::*;
use crate::error::{Error, Result};
use crate::wit::types::{AddressFamily, MsgFlags, Readiness, ShutdownHow, SocketType};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

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
}
