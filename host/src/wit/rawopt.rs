//! Socket options the typed names do not cover (`get-raw-option`,
//! `set-raw-option`), and socket ioctls (`ioctl`).
//!
//! Raw options pass only when their `(level, optname)` is on [`RAW`], the
//! host's allow-list: options whose value is plain data the kernel
//! validates and that reach nothing new. Each entry bounds the value's
//! size; an entry may be readable only, guarded (needs the grant of the
//! named guarded option), a multicast join (needs the policy's `join`
//! rules for the group inside the value), or refused outright (options
//! that carry pointers or descriptors, or need privileges the host would
//! lend: CAP_NET_ADMIN / CAP_NET_RAW). Anything else is ENOPROTOOPT.

use crate::ctx::WasockCtx;
use crate::net::socket::HostSocket;
use crate::sys;
use crate::types::errors::ErrorCode;
use crate::types::{SocketError, SocketResult};
use crate::wit::bindings::options::{IoctlRequest, IoctlValue, RawOptionValue};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The largest getsockopt(2) buffer a guest may ask for (CPython's own
/// limit for `getsockopt(level, optname, buflen)`).
pub const MAX_BUFLEN: u32 = 1024;

/// What setsockopt(2) of a listed option needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Set {
    /// Nothing: a structure of this many bytes at most; a longer value is
    /// cut to it, since the kernel reads no more of it.
    Free(usize),
    /// Nothing: an `int` (or 64-bit) value, as `Free(8)`.
    Int,
    /// Nothing: a variable-length value (filters, keys) of at most this
    /// many bytes; a longer one is EINVAL.
    Var(usize),
    /// The grant of this guarded option (see `policy::GUARDED_OPTIONS`).
    Guarded(&'static str, usize),
    /// A multicast join whose group the policy's `join` rules decide.
    Join(JoinShape, usize),
    /// Readable only (setsockopt is ENOPROTOOPT, as the kernel answers).
    ReadOnly,
    /// Never set, for this reason.
    Refused(&'static str),
}

/// Where the group lies in a join option's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JoinShape {
    /// `struct ip_mreq_source`: the group's `in_addr` first.
    InAddrFirst,
    /// `struct ipv6_mreq` (anycast): the group's `in6_addr` first.
    In6AddrFirst,
    /// `struct group_req` / `struct group_source_req`: a
    /// `sockaddr_storage` at offset 8.
    GroupReq,
}

const SOL_SOCKET: i32 = 1;
const IP: i32 = 0;
const IPV6: i32 = 41;
const TCP: i32 = 6;
const UDP: i32 = 17;
const UDPLITE: i32 = 136;
const SOL_RAW: i32 = 255;
const ICMPV6: i32 = 58;
const SOL_PACKET: i32 = 263;
const SOL_NETLINK: i32 = 270;
const SOL_CAN_RAW: i32 = 101;
const SOL_CAN_J1939: i32 = 107;
const SOL_ALG: i32 = 279;
const SOL_TIPC: i32 = 271;
const SOL_VSOCK: i32 = 40;

const PTR: &str = "its value holds a pointer or a descriptor";
const CAP: &str = "it needs a privilege (CAP_NET_ADMIN or CAP_NET_RAW) the host would lend";
const ROUTE: &str = "it changes where packets go past the policy's checks";
const FD: &str = "it makes the kernel create descriptors in the host";
const INT: Set = Set::Int;

/// The allow-list: `(level, optname, name, what setsockopt needs)`. Every
/// listed option may be read (getsockopt is harmless for these).
pub const RAW: &[(i32, i32, &str, Set)] = {
    use JoinShape::*;
    use Set::*;
    &[
        // SOL_SOCKET
        (SOL_SOCKET, 26, "SO_ATTACH_FILTER", Refused(PTR)),
        (SOL_SOCKET, 27, "SO_DETACH_FILTER", INT),
        (SOL_SOCKET, 28, "SO_PEERNAME", ReadOnly),
        (SOL_SOCKET, 31, "SO_PEERSEC", ReadOnly),
        (SOL_SOCKET, 32, "SO_SNDBUFFORCE", Refused(CAP)),
        (SOL_SOCKET, 33, "SO_RCVBUFFORCE", Refused(CAP)),
        (SOL_SOCKET, 34, "SO_PASSSEC", INT),
        (SOL_SOCKET, 37, "SO_TIMESTAMPING", Free(16)),
        (SOL_SOCKET, 40, "SO_RXQ_OVFL", INT),
        (SOL_SOCKET, 41, "SO_WIFI_STATUS", INT),
        (SOL_SOCKET, 42, "SO_PEEK_OFF", INT),
        (SOL_SOCKET, 43, "SO_NOFCS", INT),
        (SOL_SOCKET, 44, "SO_LOCK_FILTER", INT),
        (SOL_SOCKET, 45, "SO_SELECT_ERR_QUEUE", INT),
        (SOL_SOCKET, 46, "SO_BUSY_POLL", Refused(CAP)),
        (SOL_SOCKET, 47, "SO_MAX_PACING_RATE", INT),
        (SOL_SOCKET, 48, "SO_BPF_EXTENSIONS", ReadOnly),
        (SOL_SOCKET, 50, "SO_ATTACH_BPF", Refused(PTR)),
        (SOL_SOCKET, 51, "SO_ATTACH_REUSEPORT_CBPF", Refused(PTR)),
        (SOL_SOCKET, 52, "SO_ATTACH_REUSEPORT_EBPF", Refused(PTR)),
        (SOL_SOCKET, 53, "SO_CNX_ADVICE", INT),
        (SOL_SOCKET, 55, "SO_MEMINFO", ReadOnly),
        (SOL_SOCKET, 56, "SO_INCOMING_NAPI_ID", ReadOnly),
        (SOL_SOCKET, 57, "SO_COOKIE", ReadOnly),
        (SOL_SOCKET, 59, "SO_PEERGROUPS", ReadOnly),
        (SOL_SOCKET, 60, "SO_ZEROCOPY", INT),
        (SOL_SOCKET, 61, "SO_TXTIME", Refused(CAP)),
        (
            SOL_SOCKET,
            62,
            "SO_BINDTOIFINDEX",
            Guarded("SO_BINDTODEVICE", 4),
        ),
        (SOL_SOCKET, 63, "SO_TIMESTAMP_NEW", INT),
        (SOL_SOCKET, 64, "SO_TIMESTAMPNS_NEW", INT),
        (SOL_SOCKET, 65, "SO_TIMESTAMPING_NEW", Free(16)),
        (SOL_SOCKET, 66, "SO_RCVTIMEO_NEW", Free(16)),
        (SOL_SOCKET, 67, "SO_SNDTIMEO_NEW", Free(16)),
        (SOL_SOCKET, 68, "SO_DETACH_REUSEPORT_BPF", INT),
        (SOL_SOCKET, 69, "SO_PREFER_BUSY_POLL", Refused(CAP)),
        (SOL_SOCKET, 70, "SO_BUSY_POLL_BUDGET", Refused(CAP)),
        (SOL_SOCKET, 71, "SO_NETNS_COOKIE", ReadOnly),
        (SOL_SOCKET, 72, "SO_BUF_LOCK", INT),
        (SOL_SOCKET, 73, "SO_RESERVE_MEM", INT),
        (SOL_SOCKET, 74, "SO_TXREHASH", INT),
        (SOL_SOCKET, 75, "SO_RCVMARK", Guarded("SO_RCVMARK", 4)),
        (SOL_SOCKET, 76, "SO_PASSPIDFD", Refused(FD)),
        (SOL_SOCKET, 77, "SO_PEERPIDFD", Refused(FD)),
        // IPPROTO_IP
        (IP, 5, "IP_ROUTER_ALERT", Guarded("IP_ROUTER_ALERT", 4)),
        (IP, 6, "IP_RECVOPTS", INT),
        (IP, 7, "IP_RETOPTS", INT),
        (IP, 9, "IP_PKTOPTIONS", ReadOnly),
        (IP, 16, "IP_IPSEC_POLICY", Refused(CAP)),
        (IP, 17, "IP_XFRM_POLICY", Refused(CAP)),
        (IP, 18, "IP_PASSSEC", INT),
        (IP, 20, "IP_RECVORIGDSTADDR", INT),
        (IP, 21, "IP_MINTTL", INT),
        (IP, 22, "IP_NODEFRAG", INT),
        (IP, 23, "IP_CHECKSUM", INT),
        (IP, 25, "IP_RECVFRAGSIZE", INT),
        (IP, 26, "IP_RECVERR_RFC4884", INT),
        // `struct in_addr`, `ip_mreq` or `ip_mreqn` (which keeps its
        // interface index): the interface multicast leaves by.
        (IP, 32, "IP_MULTICAST_IF", Free(12)),
        (IP, 37, "IP_UNBLOCK_SOURCE", Free(12)),
        (IP, 38, "IP_BLOCK_SOURCE", Free(12)),
        (IP, 39, "IP_ADD_SOURCE_MEMBERSHIP", Join(InAddrFirst, 12)),
        (IP, 40, "IP_DROP_SOURCE_MEMBERSHIP", Free(12)),
        (IP, 42, "MCAST_JOIN_GROUP", Join(GroupReq, 136)),
        (IP, 43, "MCAST_BLOCK_SOURCE", Free(264)),
        (IP, 44, "MCAST_UNBLOCK_SOURCE", Free(264)),
        (IP, 45, "MCAST_LEAVE_GROUP", Free(136)),
        (IP, 46, "MCAST_JOIN_SOURCE_GROUP", Join(GroupReq, 264)),
        (IP, 47, "MCAST_LEAVE_SOURCE_GROUP", Free(264)),
        (IP, 49, "IP_MULTICAST_ALL", INT),
        (IP, 50, "IP_UNICAST_IF", Guarded("SO_BINDTODEVICE", 4)),
        (IP, 51, "IP_LOCAL_PORT_RANGE", INT),
        (IP, 52, "IP_PROTOCOL", ReadOnly),
        // IPPROTO_IPV6
        (
            IPV6,
            1,
            "IPV6_ADDRFORM",
            Refused("it changes the socket's family under the host"),
        ),
        (IPV6, 7, "IPV6_CHECKSUM", INT),
        (IPV6, 9, "IPV6_NEXTHOP", Refused(ROUTE)),
        (IPV6, 11, "IPV6_FLOWINFO", INT),
        (
            IPV6,
            22,
            "IPV6_ROUTER_ALERT",
            Guarded("IPV6_ROUTER_ALERT", 4),
        ),
        (IPV6, 27, "IPV6_JOIN_ANYCAST", Join(In6AddrFirst, 20)),
        (IPV6, 28, "IPV6_LEAVE_ANYCAST", Free(20)),
        (IPV6, 29, "IPV6_MULTICAST_ALL", INT),
        (IPV6, 31, "IPV6_RECVERR_RFC4884", INT),
        (IPV6, 32, "IPV6_FLOWLABEL_MGR", Refused(ROUTE)),
        (IPV6, 33, "IPV6_FLOWINFO_SEND", INT),
        (IPV6, 34, "IPV6_IPSEC_POLICY", Refused(CAP)),
        (IPV6, 35, "IPV6_XFRM_POLICY", Refused(CAP)),
        (IPV6, 36, "IPV6_HDRINCL", Guarded("IP_HDRINCL", 4)),
        (IPV6, 42, "MCAST_JOIN_GROUP", Join(GroupReq, 136)),
        (IPV6, 43, "MCAST_BLOCK_SOURCE", Free(264)),
        (IPV6, 44, "MCAST_UNBLOCK_SOURCE", Free(264)),
        (IPV6, 45, "MCAST_LEAVE_GROUP", Free(136)),
        (IPV6, 46, "MCAST_JOIN_SOURCE_GROUP", Join(GroupReq, 264)),
        (IPV6, 47, "MCAST_LEAVE_SOURCE_GROUP", Free(264)),
        // The sticky source address and interface of every packet, as
        // binding to them (and to a device).
        (IPV6, 50, "IPV6_PKTINFO", Guarded("SO_BINDTODEVICE", 20)),
        (IPV6, 52, "IPV6_HOPLIMIT", INT),
        (IPV6, 53, "IPV6_RECVHOPOPTS", INT),
        (IPV6, 54, "IPV6_HOPOPTS", Refused(CAP)),
        (IPV6, 55, "IPV6_RTHDRDSTOPTS", Refused(CAP)),
        (IPV6, 56, "IPV6_RECVRTHDR", INT),
        (IPV6, 57, "IPV6_RTHDR", Refused(ROUTE)),
        (IPV6, 58, "IPV6_RECVDSTOPTS", INT),
        (IPV6, 59, "IPV6_DSTOPTS", Refused(CAP)),
        (IPV6, 60, "IPV6_RECVPATHMTU", INT),
        (IPV6, 61, "IPV6_PATHMTU", ReadOnly),
        (IPV6, 70, "IPV6_AUTOFLOWLABEL", INT),
        (IPV6, 72, "IPV6_ADDR_PREFERENCES", INT),
        (IPV6, 73, "IPV6_MINHOPCOUNT", INT),
        (IPV6, 74, "IPV6_RECVORIGDSTADDR", INT),
        (IPV6, 75, "IPV6_TRANSPARENT", Guarded("IP_TRANSPARENT", 4)),
        (IPV6, 76, "IPV6_UNICAST_IF", Guarded("SO_BINDTODEVICE", 4)),
        (IPV6, 77, "IPV6_RECVFRAGSIZE", INT),
        (IPV6, 78, "IPV6_FREEBIND", Guarded("IP_FREEBIND", 4)),
        // IPPROTO_TCP
        (TCP, 14, "TCP_MD5SIG", Free(216)),
        (TCP, 16, "TCP_THIN_LINEAR_TIMEOUTS", INT),
        (TCP, 17, "TCP_THIN_DUPACK", INT),
        (TCP, 19, "TCP_REPAIR", Refused(CAP)),
        (TCP, 20, "TCP_REPAIR_QUEUE", Refused(CAP)),
        (TCP, 21, "TCP_QUEUE_SEQ", Refused(CAP)),
        (TCP, 22, "TCP_REPAIR_OPTIONS", Refused(CAP)),
        (TCP, 24, "TCP_TIMESTAMP", INT),
        (TCP, 26, "TCP_CC_INFO", ReadOnly),
        (TCP, 27, "TCP_SAVE_SYN", INT),
        (TCP, 28, "TCP_SAVED_SYN", ReadOnly),
        (TCP, 29, "TCP_REPAIR_WINDOW", Refused(CAP)),
        (TCP, 30, "TCP_FASTOPEN_CONNECT", INT),
        // A root host autoloads the module `tcp-ulp-<name>` for a name it
        // does not know: granted by name, as the guarded options are.
        (TCP, 31, "TCP_ULP", Guarded("TCP_ULP", 16)),
        (TCP, 32, "TCP_MD5SIG_EXT", Free(216)),
        (TCP, 33, "TCP_FASTOPEN_KEY", Var(32)),
        (TCP, 34, "TCP_FASTOPEN_NO_COOKIE", INT),
        (TCP, 35, "TCP_ZEROCOPY_RECEIVE", Refused(PTR)),
        (TCP, 36, "TCP_INQ", INT),
        (TCP, 37, "TCP_TX_DELAY", Refused(CAP)),
        // IPPROTO_UDP, IPPROTO_UDPLITE
        (UDP, 100, "UDP_ENCAP", Refused(CAP)),
        (UDP, 101, "UDP_NO_CHECK6_TX", INT),
        (UDP, 102, "UDP_NO_CHECK6_RX", INT),
        (UDPLITE, 10, "UDPLITE_SEND_CSCOV", INT),
        (UDPLITE, 11, "UDPLITE_RECV_CSCOV", INT),
        // Raw IP sockets
        (SOL_RAW, 1, "ICMP_FILTER", Free(4)),
        (SOL_RAW, 7, "IPV6_CHECKSUM", INT),
        (ICMPV6, 1, "ICMPV6_FILTER", Free(32)),
        // SOL_PACKET
        (
            SOL_PACKET,
            1,
            "PACKET_ADD_MEMBERSHIP",
            Refused("it can put an interface into promiscuous mode"),
        ),
        (SOL_PACKET, 2, "PACKET_DROP_MEMBERSHIP", Free(16)),
        (SOL_PACKET, 3, "PACKET_RECV_OUTPUT", INT),
        (SOL_PACKET, 5, "PACKET_RX_RING", Refused(PTR)),
        (SOL_PACKET, 6, "PACKET_STATISTICS", ReadOnly),
        (SOL_PACKET, 7, "PACKET_COPY_THRESH", INT),
        (SOL_PACKET, 8, "PACKET_AUXDATA", INT),
        (SOL_PACKET, 9, "PACKET_ORIGDEV", INT),
        (SOL_PACKET, 10, "PACKET_VERSION", INT),
        (SOL_PACKET, 11, "PACKET_HDRLEN", INT),
        (SOL_PACKET, 12, "PACKET_RESERVE", INT),
        (SOL_PACKET, 13, "PACKET_TX_RING", Refused(PTR)),
        (SOL_PACKET, 14, "PACKET_LOSS", INT),
        (SOL_PACKET, 15, "PACKET_VNET_HDR", INT),
        (SOL_PACKET, 16, "PACKET_TX_TIMESTAMP", INT),
        (SOL_PACKET, 17, "PACKET_TIMESTAMP", INT),
        (SOL_PACKET, 18, "PACKET_FANOUT", Refused(ROUTE)),
        (SOL_PACKET, 19, "PACKET_TX_HAS_OFF", INT),
        (SOL_PACKET, 20, "PACKET_QDISC_BYPASS", Refused(ROUTE)),
        (SOL_PACKET, 21, "PACKET_ROLLOVER_STATS", ReadOnly),
        (SOL_PACKET, 22, "PACKET_FANOUT_DATA", Refused(PTR)),
        (SOL_PACKET, 23, "PACKET_IGNORE_OUTGOING", INT),
        // SOL_NETLINK
        (SOL_NETLINK, 1, "NETLINK_ADD_MEMBERSHIP", INT),
        (SOL_NETLINK, 2, "NETLINK_DROP_MEMBERSHIP", INT),
        (SOL_NETLINK, 3, "NETLINK_PKTINFO", INT),
        (SOL_NETLINK, 4, "NETLINK_BROADCAST_ERROR", INT),
        (SOL_NETLINK, 5, "NETLINK_NO_ENOBUFS", INT),
        (SOL_NETLINK, 8, "NETLINK_LISTEN_ALL_NSID", Refused(CAP)),
        (SOL_NETLINK, 9, "NETLINK_LIST_MEMBERSHIPS", ReadOnly),
        (SOL_NETLINK, 10, "NETLINK_CAP_ACK", INT),
        (SOL_NETLINK, 11, "NETLINK_EXT_ACK", INT),
        (SOL_NETLINK, 12, "NETLINK_GET_STRICT_CHK", INT),
        // SOL_CAN_RAW, SOL_CAN_J1939
        (SOL_CAN_RAW, 1, "CAN_RAW_FILTER", Var(1024)),
        (SOL_CAN_RAW, 2, "CAN_RAW_ERR_FILTER", INT),
        (SOL_CAN_RAW, 3, "CAN_RAW_LOOPBACK", INT),
        (SOL_CAN_RAW, 4, "CAN_RAW_RECV_OWN_MSGS", INT),
        (SOL_CAN_RAW, 5, "CAN_RAW_FD_FRAMES", INT),
        (SOL_CAN_RAW, 6, "CAN_RAW_JOIN_FILTERS", INT),
        (SOL_CAN_RAW, 7, "CAN_RAW_XL_FRAMES", INT),
        (SOL_CAN_J1939, 1, "SO_J1939_FILTER", Var(1024)),
        (SOL_CAN_J1939, 2, "SO_J1939_PROMISC", INT),
        (SOL_CAN_J1939, 3, "SO_J1939_SEND_PRIO", Refused(CAP)),
        (SOL_CAN_J1939, 4, "SO_J1939_ERRQUEUE", INT),
        // SOL_ALG
        (SOL_ALG, 1, "ALG_SET_KEY", Var(1024)),
        // The authentication tag size is the length given with a NULL value.
        (SOL_ALG, 5, "ALG_SET_AEAD_AUTHSIZE", Var(1024)),
        // Python calls 6 ALG_SET_PUBKEY; mainline Linux uses it for
        // ALG_SET_DRBG_ENTROPY, which needs CAP_SYS_ADMIN.
        (SOL_ALG, 6, "ALG_SET_PUBKEY", Refused(CAP)),
        // SOL_TIPC
        (SOL_TIPC, 127, "TIPC_IMPORTANCE", INT),
        (SOL_TIPC, 128, "TIPC_SRC_DROPPABLE", INT),
        (SOL_TIPC, 129, "TIPC_DEST_DROPPABLE", INT),
        (SOL_TIPC, 130, "TIPC_CONN_TIMEOUT", INT),
        (SOL_TIPC, 131, "TIPC_NODE_RECVQ_DEPTH", ReadOnly),
        (SOL_TIPC, 132, "TIPC_SOCK_RECVQ_DEPTH", ReadOnly),
        (SOL_TIPC, 133, "TIPC_MCAST_BROADCAST", INT),
        (SOL_TIPC, 134, "TIPC_MCAST_REPLICAST", INT),
        (SOL_TIPC, 135, "TIPC_GROUP_JOIN", Free(16)),
        (SOL_TIPC, 136, "TIPC_GROUP_LEAVE", INT),
        // AF_VSOCK's level
        (SOL_VSOCK, 0, "SO_VM_SOCKETS_BUFFER_SIZE", INT),
        (SOL_VSOCK, 1, "SO_VM_SOCKETS_BUFFER_MIN_SIZE", INT),
        (SOL_VSOCK, 2, "SO_VM_SOCKETS_BUFFER_MAX_SIZE", INT),
        (SOL_VSOCK, 6, "SO_VM_SOCKETS_CONNECT_TIMEOUT", Free(16)),
    ]
};

/// The allow-list entry of `(level, optname)`.
pub fn lookup(level: i32, name: i32) -> Option<(&'static str, Set)> {
    RAW.iter()
        .find(|(l, o, _, _)| *l == level && *o == name)
        .map(|(_, _, n, s)| (*n, *s))
}

/// An option number no Linux handler knows at any level.
const NO_OPTION: i32 = i32::MAX;

/// The error for an option off the allow-list: what the kernel answers
/// for an option it does not know at this level (ENOPROTOOPT at a level
/// the socket's protocol handles; EOPNOTSUPP from getsockopt(2) of a level
/// an IP socket lacks), found by asking it about [`NO_OPTION`] at the
/// same level, which no handler acts on.
fn not_listed(sock: &HostSocket, level: i32, name: i32, set: bool) -> SocketError {
    let probe = if set {
        sys::setsockopt_bytes(sock.socket(), level, NO_OPTION, &0i32.to_ne_bytes())
    } else {
        sys::getsockopt_bytes(sock.socket(), level, NO_OPTION, 4).map(drop)
    };
    let mut e = match probe {
        Err(e) => SocketError::from(e),
        Ok(()) => SocketError::new(ErrorCode::NoProtocolOption, ""),
    };
    if let SocketError::Guest(g) = &mut e {
        g.detail = format!("option ({level}, {name}) is not on wasock's allow-list");
    }
    e
}

/// getsockopt(2) of an allow-listed option into a `buflen`-byte buffer
/// (capped at [`MAX_BUFLEN`]).
pub fn get(sock: &HostSocket, level: i32, name: i32, buflen: u32) -> SocketResult<Vec<u8>> {
    let (opt, set) = lookup(level, name).ok_or_else(|| not_listed(sock, level, name, false))?;
    // Reading SO_PEERPIDFD makes the kernel install a pidfd in the host:
    // one leaked descriptor per call. Options refused for that reason are
    // refused for reading too (the others only refuse being set).
    if let Set::Refused(why) = set {
        if why == FD {
            tracing::warn!(target: "wasock::policy", "reading option {opt} denied by policy");
            return Err(SocketError::policy(format!(
                "reading option {opt} denied by policy: {why}"
            )));
        }
    }
    let len = buflen.min(MAX_BUFLEN) as usize;
    Ok(sys::getsockopt_bytes(sock.socket(), level, name, len)?)
}

/// The multicast group a join option's value names, if it names one.
fn join_group(shape: JoinShape, b: &[u8]) -> Option<IpAddr> {
    let v4 = |o: usize| -> Option<IpAddr> {
        let a: [u8; 4] = b.get(o..o + 4)?.try_into().ok()?;
        Some(IpAddr::V4(Ipv4Addr::from(a)))
    };
    let v6 = |o: usize| -> Option<IpAddr> {
        let a: [u8; 16] = b.get(o..o + 16)?.try_into().ok()?;
        Some(IpAddr::V6(Ipv6Addr::from(a)))
    };
    match shape {
        JoinShape::InAddrFirst => v4(0),
        JoinShape::In6AddrFirst => v6(0),
        JoinShape::GroupReq => {
            // sockaddr_storage at 8: ss_family, then sin_port / sin6_port.
            let fam = u16::from_ne_bytes(b.get(8..10)?.try_into().ok()?);
            match i32::from(fam) {
                libc::AF_INET => v4(12),
                libc::AF_INET6 => v6(16),
                _ => None,
            }
        }
    }
}

/// setsockopt(2) of an allow-listed option, after its check.
pub fn set(
    ctx: &WasockCtx,
    sock: &HostSocket,
    level: i32,
    name: i32,
    value: RawOptionValue,
) -> SocketResult<()> {
    let (opt, rule) = lookup(level, name).ok_or_else(|| not_listed(sock, level, name, true))?;
    let len = match &value {
        RawOptionValue::Bytes(b) => b.len(),
        RawOptionValue::Null(n) => *n as usize,
    };
    let max = match rule {
        Set::Free(max) => max,
        Set::Int => 8,
        Set::Var(max) => max,
        Set::Guarded(grant, max) => {
            if ctx.policy.check_option(grant).is_err() {
                tracing::warn!(target: "wasock::policy", "setting option {opt} denied by policy");
                return Err(SocketError::policy(format!(
                    "setting option {opt} denied by policy: it is granted with {grant}; allow with {}",
                    ctx.policy.hint("allow-option", grant)
                )));
            }
            max
        }
        Set::Join(shape, max) => {
            // A value too short to name a group is left to the kernel
            // (EINVAL); one that names a group is judged first.
            if let RawOptionValue::Bytes(b) = &value {
                if let Some(g) = join_group(shape, b) {
                    ctx.decide(ctx.policy.decide_join(g))?;
                }
            }
            max
        }
        Set::ReadOnly => {
            return Err(SocketError::new(
                ErrorCode::NoProtocolOption,
                format!("{opt} is read-only"),
            ))
        }
        Set::Refused(why) => {
            tracing::warn!(target: "wasock::policy", "setting option {opt} denied by policy");
            return Err(SocketError::policy(format!(
                "setting option {opt} denied by policy: {why}"
            )));
        }
    };
    // Bytes, and the length given with a NULL value, are bounded by the
    // entry (so the kernel never sizes an allocation by a guest's number
    // beyond it).
    if len > max {
        let e = match (&value, rule) {
            // The kernel would read through the NULL pointer.
            (RawOptionValue::Null(_), _) => ErrorCode::Fault,
            (_, Set::Var(_)) => ErrorCode::Invalid,
            (RawOptionValue::Bytes(b), _) => {
                sys::setsockopt_bytes(sock.socket(), level, name, &b[..max])?;
                return Ok(());
            }
        };
        return Err(SocketError::new(
            e,
            format!("{opt} takes at most {max} bytes, not {len}"),
        ));
    }
    match value {
        RawOptionValue::Bytes(b) => sys::setsockopt_bytes(sock.socket(), level, name, &b)?,
        RawOptionValue::Null(n) => sys::setsockopt_null(sock.socket(), level, name, n)?,
    }
    Ok(())
}

/// ioctl(2) on a socket.
pub fn ioctl(sock: &HostSocket, request: IoctlRequest) -> SocketResult<IoctlValue> {
    let s = sock.socket();
    Ok(match request {
        IoctlRequest::Inq => IoctlValue::Int(sys::ioctl_int(s, 0x541b)?),
        IoctlRequest::Outq => IoctlValue::Int(sys::ioctl_int(s, 0x5411)?),
        IoctlRequest::OutqNsd => IoctlValue::Int(sys::ioctl_int(s, 0x894b)?),
        IoctlRequest::Atmark => IoctlValue::Int(sys::ioctl_int(s, 0x8905)?),
        IoctlRequest::Stamp => IoctlValue::Time(sys::ioctl_stamp(s, false)?),
        IoctlRequest::StampNs => IoctlValue::Time(sys::ioctl_stamp(s, true)?),
    })
}

/// The `SIOCGIF*` requests `interface-ioctl` passes: they only read an
/// interface's state into the `struct ifreq`.
pub const INTERFACE_REQUESTS: &[u32] = &[
    0x8910, 0x8913, 0x8915, 0x8917, 0x8919, 0x891b, 0x8921, 0x8927, 0x8933,
];

const SIOCGIFNAME: u32 = 0x8910;

fn ifreq_name(ifreq: &[u8; 40]) -> String {
    let end = ifreq[..16].iter().position(|&c| c == 0).unwrap_or(16);
    String::from_utf8_lossy(&ifreq[..end]).into_owned()
}

/// ioctl(2) of an interface query, answered only for interfaces the
/// guest's `InterfaceView` shows.
pub fn interface_ioctl(
    ctx: &WasockCtx,
    sock: &HostSocket,
    request: u32,
    ifreq: &[u8],
) -> SocketResult<Vec<u8>> {
    if !INTERFACE_REQUESTS.contains(&request) {
        return Err(SocketError::new(
            ErrorCode::Other(libc::ENOTTY),
            format!("ioctl request {request:#x} is not offered"),
        ));
    }
    let mut buf = [0u8; 40];
    let n = ifreq.len().min(40);
    buf[..n].copy_from_slice(&ifreq[..n]);
    let hidden = |name: &str| {
        SocketError::new(
            ErrorCode::Other(libc::ENODEV),
            format!(
                "no interface {:?} is visible to the guest",
                crate::types::shorten(name)
            ),
        )
    };
    if request != SIOCGIFNAME {
        // The name must also exist: for a name it does not know, the
        // kernel (as root) would try to load a module called after it.
        let name = ifreq_name(&buf);
        if !ctx.interfaces.shows(&name) || sys::if_nametoindex(&name).is_none() {
            return Err(hidden(&name));
        }
    }
    sys::ioctl_ifreq(sock.socket(), u64::from(request), &mut buf)?;
    if request == SIOCGIFNAME {
        let name = ifreq_name(&buf);
        if !ctx.interfaces.shows(&name) {
            return Err(hidden(&name));
        }
    }
    Ok(buf.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_list_has_no_duplicates() {
        for (i, a) in RAW.iter().enumerate() {
            for b in &RAW[i + 1..] {
                assert!(!(a.0 == b.0 && a.1 == b.1), "{} and {}", a.2, b.2);
            }
        }
    }

    /// The typed options the policy checks (guarded ones, joins) are not
    /// reachable through the raw path, which would skip their checks.
    #[test]
    fn checked_typed_options_are_not_raw() {
        let checked = [
            (1, 25, "SO_BINDTODEVICE"),
            (1, 36, "SO_MARK"),
            (1, 12, "SO_PRIORITY"),
            (1, 1, "SO_DEBUG"),
            (1, 15, "SO_REUSEPORT"),
            (1, 2, "SO_REUSEADDR"),
            (0, 1, "IP_TOS"),
            (0, 3, "IP_HDRINCL"),
            (0, 4, "IP_OPTIONS"),
            (0, 15, "IP_FREEBIND"),
            (0, 19, "IP_TRANSPARENT"),
            (0, 35, "IP_ADD_MEMBERSHIP"),
            (41, 20, "IPV6_JOIN_GROUP"),
        ];
        for (l, o, n) in checked {
            assert!(lookup(l, o).is_none(), "{n} is on the raw allow-list");
        }
    }

    #[test]
    fn join_groups_are_found_in_values() {
        let mut v4 = vec![232, 1, 1, 1, 127, 0, 0, 1, 127, 0, 0, 2];
        assert_eq!(
            join_group(JoinShape::InAddrFirst, &v4),
            Some("232.1.1.1".parse().unwrap())
        );
        v4.truncate(3);
        assert_eq!(join_group(JoinShape::InAddrFirst, &v4), None);
        // struct group_req: interface, padding, sockaddr_in at 8.
        let mut greq = vec![0u8; 136];
        greq[8..10].copy_from_slice(&(libc::AF_INET as u16).to_ne_bytes());
        greq[12..16].copy_from_slice(&[239, 1, 2, 3]);
        assert_eq!(
            join_group(JoinShape::GroupReq, &greq),
            Some("239.1.2.3".parse().unwrap())
        );
        greq[8..10].copy_from_slice(&(libc::AF_INET6 as u16).to_ne_bytes());
        greq[16..32].copy_from_slice(&"ff05::1:3".parse::<Ipv6Addr>().unwrap().octets());
        assert_eq!(
            join_group(JoinShape::GroupReq, &greq),
            Some("ff05::1:3".parse().unwrap())
        );
        greq[8..10].copy_from_slice(&0u16.to_ne_bytes());
        assert_eq!(join_group(JoinShape::GroupReq, &greq), None);
        assert_eq!(join_group(JoinShape::GroupReq, &greq[..9]), None);
    }
}
