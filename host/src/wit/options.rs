//! Typed socket options: one table from WIT option names to (level,
//! option, value shape), checked against the policy, then
//! getsockopt(2) / setsockopt(2).

use crate::ctx::WasockCtx;
use crate::net::socket::HostSocket;
use crate::sys;
use crate::types::errors::ErrorCode;
use crate::types::names;
use crate::types::types::SocketType;
use crate::types::types::{Credentials, Ipv4Membership, Linger, OptionName, OptionValue};
use crate::types::{SocketError, SocketResult};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

/// The shape of an option's value.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Bool,
    Int,
    /// Readable only.
    ReadInt,
    ReadBool,
    Linger,
    RecvTimeout,
    SendTimeout,
    Text,
    /// Readable only, at most this many bytes.
    ReadBytes(usize),
    Bytes(usize),
    PeerCred,
    Ipv4Addr,
    V4Membership,
    V6Membership,
}

/// The policy's name of an option (`SO_BINDTODEVICE`), as grants spell
/// it.
fn key(name: OptionName) -> String {
    crate::policy::option_key(&crate::policy::debug_name(name))
}

/// The policy's checks before setsockopt(2): guarded options need a grant
/// by name (SO_REUSEADDR only on datagram sockets, where it lets two
/// sockets share a port); joining a multicast group needs a `join` rule.
fn check(
    ctx: &WasockCtx,
    sock: &HostSocket,
    name: OptionName,
    value: &OptionValue,
) -> SocketResult<()> {
    use OptionName as O;
    let shares_port = name == O::SoReuseaddr
        && matches!(sock.socket_type_raw(), SocketType::Dgram | SocketType::Raw);
    if name != O::SoReuseaddr || shares_port {
        let k = key(name);
        let on = !matches!(value, OptionValue::Boolean(false) | OptionValue::Int(0));
        // Turning a port-sharing option off is harmless.
        let sharing = matches!(name, O::SoReuseaddr | O::SoReuseport);
        if (!sharing || on) && crate::policy::GUARDED_OPTIONS.contains(&k.as_str()) {
            let r = match ctx.policy.check_option(&k) {
                Ok(()) => Ok(Some(format!("allow-option {k}"))),
                Err(e) => Err(match e {
                    SocketError::Guest(g) => g.detail,
                    SocketError::Trap(t) => t.to_string(),
                }),
            };
            ctx.decide_grant(
                "option",
                || format!("setting option {k}"),
                r,
                Some(("option", &k)),
            )?;
        }
    }
    let group = match (name, value) {
        (O::IpAddMembership, OptionValue::Ipv4Membership(m)) => Some(IpAddr::V4(ipv4(m.group))),
        (O::Ipv6JoinGroup, OptionValue::Ipv6Membership(m)) => {
            let (a, b, c, d, e, f, g, h) = m.group;
            Some(IpAddr::V6(Ipv6Addr::new(a, b, c, d, e, f, g, h)))
        }
        _ => None,
    };
    if let Some(g) = group {
        ctx.decide(ctx.policy.decide_join(g))?;
    }
    Ok(())
}

fn spec(name: OptionName) -> (i32, i32, Kind) {
    use libc::*;
    use Kind::*;
    use OptionName as O;
    match name {
        O::SoDebug => (SOL_SOCKET, SO_DEBUG, Bool),
        O::SoReuseaddr => (SOL_SOCKET, SO_REUSEADDR, Bool),
        O::SoType => (SOL_SOCKET, SO_TYPE, ReadInt),
        O::SoError => (SOL_SOCKET, SO_ERROR, ReadInt),
        O::SoDontroute => (SOL_SOCKET, SO_DONTROUTE, Bool),
        O::SoBroadcast => (SOL_SOCKET, SO_BROADCAST, Bool),
        O::SoSndbuf => (SOL_SOCKET, SO_SNDBUF, Int),
        O::SoRcvbuf => (SOL_SOCKET, SO_RCVBUF, Int),
        O::SoKeepalive => (SOL_SOCKET, SO_KEEPALIVE, Bool),
        O::SoOobinline => (SOL_SOCKET, SO_OOBINLINE, Bool),
        O::SoPriority => (SOL_SOCKET, SO_PRIORITY, Int),
        O::SoLinger => (SOL_SOCKET, SO_LINGER, Linger),
        O::SoReuseport => (SOL_SOCKET, SO_REUSEPORT, Bool),
        O::SoPasscred => (SOL_SOCKET, SO_PASSCRED, Bool),
        O::SoPeercred => (SOL_SOCKET, SO_PEERCRED, PeerCred),
        O::SoRcvlowat => (SOL_SOCKET, SO_RCVLOWAT, Int),
        O::SoSndlowat => (SOL_SOCKET, SO_SNDLOWAT, Int),
        O::SoRcvtimeo => (SOL_SOCKET, SO_RCVTIMEO, RecvTimeout),
        O::SoSndtimeo => (SOL_SOCKET, SO_SNDTIMEO, SendTimeout),
        O::SoBindtodevice => (SOL_SOCKET, SO_BINDTODEVICE, Text),
        O::SoTimestamp => (SOL_SOCKET, SO_TIMESTAMP, Bool),
        O::SoTimestampns => (SOL_SOCKET, SO_TIMESTAMPNS, Bool),
        O::SoAcceptconn => (SOL_SOCKET, SO_ACCEPTCONN, ReadBool),
        O::SoProtocol => (SOL_SOCKET, SO_PROTOCOL, ReadInt),
        O::SoDomain => (SOL_SOCKET, SO_DOMAIN, ReadInt),
        O::SoMark => (SOL_SOCKET, SO_MARK, Int),
        O::SoIncomingCpu => (SOL_SOCKET, SO_INCOMING_CPU, Int),
        O::TcpNodelay => (IPPROTO_TCP, TCP_NODELAY, Bool),
        O::TcpMaxseg => (IPPROTO_TCP, TCP_MAXSEG, Int),
        O::TcpCork => (IPPROTO_TCP, TCP_CORK, Bool),
        O::TcpKeepidle => (IPPROTO_TCP, TCP_KEEPIDLE, Int),
        O::TcpKeepintvl => (IPPROTO_TCP, TCP_KEEPINTVL, Int),
        O::TcpKeepcnt => (IPPROTO_TCP, TCP_KEEPCNT, Int),
        O::TcpSyncnt => (IPPROTO_TCP, TCP_SYNCNT, Int),
        O::TcpLinger2 => (IPPROTO_TCP, TCP_LINGER2, Int),
        O::TcpDeferAccept => (IPPROTO_TCP, TCP_DEFER_ACCEPT, Int),
        O::TcpWindowClamp => (IPPROTO_TCP, TCP_WINDOW_CLAMP, Int),
        O::TcpInfo => (IPPROTO_TCP, TCP_INFO, ReadBytes(1024)),
        O::TcpQuickack => (IPPROTO_TCP, TCP_QUICKACK, Bool),
        O::TcpCongestion => (IPPROTO_TCP, TCP_CONGESTION, Text),
        O::TcpUserTimeout => (IPPROTO_TCP, TCP_USER_TIMEOUT, Int),
        O::TcpNotsentLowat => (IPPROTO_TCP, TCP_NOTSENT_LOWAT, Int),
        O::TcpFastopen => (IPPROTO_TCP, TCP_FASTOPEN, Int),
        O::IpTos => (IPPROTO_IP, IP_TOS, Int),
        O::IpTtl => (IPPROTO_IP, IP_TTL, Int),
        O::IpHdrincl => (IPPROTO_IP, IP_HDRINCL, Bool),
        O::IpOptions => (IPPROTO_IP, IP_OPTIONS, Bytes(40)),
        O::IpRecvtos => (IPPROTO_IP, IP_RECVTOS, Bool),
        O::IpRecvttl => (IPPROTO_IP, IP_RECVTTL, Bool),
        O::IpPktinfo => (IPPROTO_IP, IP_PKTINFO, Bool),
        O::IpMtuDiscover => (IPPROTO_IP, IP_MTU_DISCOVER, Int),
        O::IpMtu => (IPPROTO_IP, IP_MTU, ReadInt),
        O::IpRecverr => (IPPROTO_IP, IP_RECVERR, Bool),
        O::IpTransparent => (IPPROTO_IP, IP_TRANSPARENT, Bool),
        O::IpFreebind => (IPPROTO_IP, IP_FREEBIND, Bool),
        O::IpBindAddressNoPort => (IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, Bool),
        O::IpMulticastIf => (IPPROTO_IP, IP_MULTICAST_IF, Ipv4Addr),
        O::IpMulticastTtl => (IPPROTO_IP, IP_MULTICAST_TTL, Int),
        O::IpMulticastLoop => (IPPROTO_IP, IP_MULTICAST_LOOP, Bool),
        O::IpAddMembership => (IPPROTO_IP, IP_ADD_MEMBERSHIP, V4Membership),
        O::IpDropMembership => (IPPROTO_IP, IP_DROP_MEMBERSHIP, V4Membership),
        O::Ipv6V6only => (IPPROTO_IPV6, IPV6_V6ONLY, Bool),
        O::Ipv6UnicastHops => (IPPROTO_IPV6, IPV6_UNICAST_HOPS, Int),
        O::Ipv6MulticastIf => (IPPROTO_IPV6, IPV6_MULTICAST_IF, Int),
        O::Ipv6MulticastHops => (IPPROTO_IPV6, IPV6_MULTICAST_HOPS, Int),
        O::Ipv6MulticastLoop => (IPPROTO_IPV6, IPV6_MULTICAST_LOOP, Bool),
        O::Ipv6JoinGroup => (IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, V6Membership),
        O::Ipv6LeaveGroup => (IPPROTO_IPV6, IPV6_DROP_MEMBERSHIP, V6Membership),
        O::Ipv6Recvpktinfo => (IPPROTO_IPV6, IPV6_RECVPKTINFO, Bool),
        O::Ipv6Recvhoplimit => (IPPROTO_IPV6, IPV6_RECVHOPLIMIT, Bool),
        O::Ipv6Recvtclass => (IPPROTO_IPV6, IPV6_RECVTCLASS, Bool),
        O::Ipv6Tclass => (IPPROTO_IPV6, IPV6_TCLASS, Int),
        O::Ipv6Dontfrag => (IPPROTO_IPV6, IPV6_DONTFRAG, Bool),
        O::Ipv6Recverr => (IPPROTO_IPV6, IPV6_RECVERR, Bool),
        O::Ipv6MtuDiscover => (IPPROTO_IPV6, IPV6_MTU_DISCOVER, Int),
        O::Ipv6Mtu => (IPPROTO_IPV6, IPV6_MTU, ReadInt),
        O::UdpCork => (IPPROTO_UDP, UDP_CORK, Bool),
        O::UdpSegment => (IPPROTO_UDP, UDP_SEGMENT, Int),
        O::UdpGro => (IPPROTO_UDP, UDP_GRO, Bool),
    }
}

fn wrong_value(name: OptionName, value: &OptionValue) -> SocketError {
    SocketError::invalid(format!(
        "{} does not take a value like {value:?}",
        names::option(name)
    ))
}

fn ipv4((a, b, c, d): (u8, u8, u8, u8)) -> Ipv4Addr {
    Ipv4Addr::new(a, b, c, d)
}

/// getsockopt(2).
pub fn get(sock: &HostSocket, name: OptionName) -> SocketResult<OptionValue> {
    let s = sock.socket();
    let (level, opt, kind) = spec(name);
    Ok(match kind {
        Kind::Bool | Kind::ReadBool => {
            OptionValue::Boolean(sys::getsockopt_int(s, level, opt)? != 0)
        }
        Kind::Int | Kind::ReadInt => OptionValue::Int(sys::getsockopt_int(s, level, opt)?),
        Kind::Linger => {
            let l = s.linger()?;
            OptionValue::Linger(Linger {
                enabled: l.is_some(),
                seconds: l.map_or(0, |d| i32::try_from(d.as_secs()).unwrap_or(i32::MAX)),
            })
        }
        Kind::RecvTimeout => OptionValue::Duration(nanos(s.read_timeout()?)),
        Kind::SendTimeout => OptionValue::Duration(nanos(s.write_timeout()?)),
        Kind::Text => {
            let mut b = sys::getsockopt_bytes(s, level, opt, 64)?;
            if let Some(nul) = b.iter().position(|&c| c == 0) {
                b.truncate(nul);
            }
            OptionValue::Text(String::from_utf8_lossy(&b).into_owned())
        }
        Kind::ReadBytes(max) | Kind::Bytes(max) => {
            OptionValue::Bytes(sys::getsockopt_bytes(s, level, opt, max)?)
        }
        Kind::PeerCred => {
            let b = sys::getsockopt_bytes(s, level, opt, 12)?;
            let word = |i: usize| {
                b.get(i..i + 4)
                    .and_then(|w| w.try_into().ok())
                    .map_or(0, u32::from_ne_bytes)
            };
            OptionValue::Credentials(Credentials {
                pid: word(0) as i32,
                uid: word(4),
                gid: word(8),
            })
        }
        Kind::Ipv4Addr => {
            let a = s.multicast_if_v4()?.octets();
            OptionValue::Ipv4Address((a[0], a[1], a[2], a[3]))
        }
        Kind::V4Membership | Kind::V6Membership => {
            return Err(SocketError::new(
                ErrorCode::NoProtocolOption,
                format!("{} can only be set", names::option(name)),
            ))
        }
    })
}

/// The option number the probe of [`unknown`] uses: no protocol defines a
/// negative option, and the kernel compares option numbers as signed ints.
const UNDEFINED_OPTION: i32 = -1;

/// What getsockopt(2) / setsockopt(2) answer at `level` for an option the
/// WIT does not name: the kernel's own errno, found by asking it with
/// [`UNDEFINED_OPTION`], so that nothing is read or changed whatever the
/// level (the guest's option number is never passed on). Linux dispatches
/// on the level first; an IPv4 socket's getsockopt answers EOPNOTSUPP for a
/// level none of its protocols handles, the rest ENOPROTOOPT.
pub fn unknown(sock: &HostSocket, level: i32, write: bool) -> SocketResult<()> {
    let s = sock.socket();
    let r = if write {
        sys::setsockopt_int(s, level, UNDEFINED_OPTION, 0)
    } else {
        sys::getsockopt_int(s, level, UNDEFINED_OPTION).map(drop)
    };
    let call = if write { "setsockopt" } else { "getsockopt" };
    let code = match r {
        Err(e) => crate::types::error_code(&e),
        Ok(()) => ErrorCode::NoProtocolOption,
    };
    Err(SocketError::new(
        code,
        format!("{call} at level {level}: an option this host does not name"),
    ))
}

fn nanos(d: Option<Duration>) -> Option<u64> {
    d.map(|d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

/// setsockopt(2), after the policy's checks (guarded options, multicast
/// joins).
pub fn set(
    ctx: &WasockCtx,
    sock: &HostSocket,
    name: OptionName,
    value: OptionValue,
) -> SocketResult<()> {
    check(ctx, sock, name, &value)?;
    let s = sock.socket();
    let (level, opt, kind) = spec(name);
    match (kind, &value) {
        (Kind::Bool, OptionValue::Boolean(b)) => sys::setsockopt_int(s, level, opt, i32::from(*b))?,
        (Kind::Bool | Kind::Int, OptionValue::Int(i)) => sys::setsockopt_int(s, level, opt, *i)?,
        (Kind::Linger, OptionValue::Linger(l)) => {
            let secs = u64::try_from(l.seconds).map_err(|_| wrong_value(name, &value))?;
            s.set_linger(l.enabled.then(|| Duration::from_secs(secs)))?
        }
        (Kind::RecvTimeout, OptionValue::Duration(d)) => {
            s.set_read_timeout(d.map(Duration::from_nanos).filter(|d| !d.is_zero()))?
        }
        (Kind::SendTimeout, OptionValue::Duration(d)) => {
            s.set_write_timeout(d.map(Duration::from_nanos).filter(|d| !d.is_zero()))?
        }
        (Kind::Text, OptionValue::Text(t)) => {
            if t.len() > 64 || t.contains('\0') {
                return Err(wrong_value(name, &value));
            }
            sys::setsockopt_bytes(s, level, opt, t.as_bytes())?
        }
        (Kind::Bytes(max), OptionValue::Bytes(b)) => {
            if b.len() > max {
                return Err(wrong_value(name, &value));
            }
            sys::setsockopt_bytes(s, level, opt, b)?
        }
        (Kind::Ipv4Addr, OptionValue::Ipv4Address(a)) => s.set_multicast_if_v4(&ipv4(*a))?,
        (Kind::V4Membership, OptionValue::Ipv4Membership(m)) => set_v4_membership(s, name, m)?,
        (Kind::V6Membership, OptionValue::Ipv6Membership(m)) => {
            let (a, b, c, d, e, f, g, h) = m.group;
            let group = Ipv6Addr::new(a, b, c, d, e, f, g, h);
            if name == OptionName::Ipv6JoinGroup {
                s.join_multicast_v6(&group, m.interface_index)?
            } else {
                s.leave_multicast_v6(&group, m.interface_index)?
            }
        }
        (Kind::ReadInt | Kind::ReadBool | Kind::ReadBytes(_) | Kind::PeerCred, _) => {
            return Err(SocketError::new(
                ErrorCode::NoProtocolOption,
                format!("{} is read-only", names::option(name)),
            ))
        }
        _ => return Err(wrong_value(name, &value)),
    }
    Ok(())
}

fn set_v4_membership(
    s: &socket2::Socket,
    name: OptionName,
    m: &Ipv4Membership,
) -> std::io::Result<()> {
    let group = ipv4(m.group);
    let iface = if m.interface_index != 0 {
        socket2::InterfaceIndexOrAddress::Index(m.interface_index)
    } else {
        socket2::InterfaceIndexOrAddress::Address(ipv4(m.interface_address))
    };
    if name == OptionName::IpAddMembership {
        s.join_multicast_v4_n(&group, &iface)
    } else {
        s.leave_multicast_v4_n(&group, &iface)
    }
}
