//! sendmsg(2) / recvmsg(2) with typed control messages.
//!
//! File descriptors never reach the guest. SCM_RIGHTS carries socket
//! handles: a guest sends sockets from its own table (a handle it does
//! not hold traps when the call's arguments are lifted), and each
//! received descriptor either becomes a new socket handle or is closed
//! here, with MSG_CTRUNC reported, when it is not a socket, is of a
//! family or type the host does not implement, would pass the guest's
//! socket limit, or fd passing is not granted. Received descriptors are
//! owned (`OwnedFd`) from the moment recvmsg(2) returns, so every path
//! out of this module closes the ones not handed over.

use crate::ctx::WasockCtxView;
use crate::net::socket::{msg_flags, HostSocket};
use crate::net::wait::Wait;
use crate::policy::Use;
use crate::sys::{self, Interest, RawCmsg, RecvCmsg};
use crate::types::errors::ErrorCode;
use crate::types::types::{
    AddressFamily, Credentials, Ipv4PacketInfo, Ipv6PacketInfo, MsgFlags, RawControlMessage,
    SocketAddress, SocketType, Timestamp,
};
use crate::types::{SocketError, SocketResult};
use socket2::Socket;
use std::os::fd::{AsRawFd, OwnedFd};
use wasmtime::component::Resource;

/// Most buffers one send-msg takes (the kernel's UIO_MAXIOV).
const MAX_BUFFERS: usize = 1024;
/// Most control messages one send-msg takes.
const MAX_CONTROL_MESSAGES: usize = 64;
/// Most descriptors one SCM_RIGHTS message carries (the kernel's SCM_MAX_FD).
const MAX_RIGHTS: usize = 253;
/// Largest control buffer one recv-msg allocates.
const MAX_CONTROL_LEN: usize = 64 * 1024;

/// A control message, flavour-neutral (the sync and async bindings each
/// have their own copy of the WIT variants, which carry resources).
pub enum Control {
    /// SCM_RIGHTS.
    Rights(Vec<Resource<HostSocket>>),
    /// SCM_CREDENTIALS.
    Credentials(Credentials),
    /// IP_PKTINFO.
    Ipv4PacketInfo(Ipv4PacketInfo),
    /// IPV6_PKTINFO.
    Ipv6PacketInfo(Ipv6PacketInfo),
    /// IP_TTL.
    Ipv4Ttl(u8),
    /// IP_TOS.
    Ipv4Tos(u8),
    /// IPV6_HOPLIMIT.
    Ipv6HopLimit(i32),
    /// IPV6_TCLASS.
    Ipv6TrafficClass(i32),
    /// UDP_SEGMENT (send only).
    UdpSegment(u16),
    /// SCM_TIMESTAMP (received only).
    Timestamp(Timestamp),
    /// SCM_TIMESTAMPNS (received only).
    TimestampNs(Timestamp),
    /// UDP_GRO (received only).
    UdpGro(u16),
    /// Anything else (received only).
    Unknown(RawControlMessage),
}

/// What recv-msg returns, flavour-neutral.
pub struct Received {
    /// The data.
    pub data: Vec<u8>,
    /// Control messages.
    pub control: Vec<Control>,
    /// `msg_flags`.
    pub flags: MsgFlags,
    /// The sender.
    pub address: Option<SocketAddress>,
}

/// Converts between [`Control`] / [`Received`] and one flavour's WIT
/// types, which have the same cases.
macro_rules! flavour {
    ($m:path) => {
        const _: () = {
            use $m as a;
            impl From<a::SendControlMessage> for Control {
                fn from(c: a::SendControlMessage) -> Control {
                    match c {
                        a::SendControlMessage::Rights(v) => Control::Rights(v),
                        a::SendControlMessage::Credentials(v) => Control::Credentials(v),
                        a::SendControlMessage::Ipv4PacketInfo(v) => Control::Ipv4PacketInfo(v),
                        a::SendControlMessage::Ipv6PacketInfo(v) => Control::Ipv6PacketInfo(v),
                        a::SendControlMessage::Ipv4Ttl(v) => Control::Ipv4Ttl(v),
                        a::SendControlMessage::Ipv4Tos(v) => Control::Ipv4Tos(v),
                        a::SendControlMessage::Ipv6HopLimit(v) => Control::Ipv6HopLimit(v),
                        a::SendControlMessage::Ipv6TrafficClass(v) => Control::Ipv6TrafficClass(v),
                        a::SendControlMessage::UdpSegment(v) => Control::UdpSegment(v),
                    }
                }
            }
            impl From<Received> for a::ReceivedMessage {
                fn from(r: Received) -> a::ReceivedMessage {
                    use a::RecvControlMessage as R;
                    let control = r
                        .control
                        .into_iter()
                        .filter_map(|c| {
                            Some(match c {
                                Control::Rights(v) => R::Rights(v),
                                Control::Credentials(v) => R::Credentials(v),
                                Control::Ipv4PacketInfo(v) => R::Ipv4PacketInfo(v),
                                Control::Ipv6PacketInfo(v) => R::Ipv6PacketInfo(v),
                                Control::Ipv4Ttl(v) => R::Ipv4Ttl(v),
                                Control::Ipv4Tos(v) => R::Ipv4Tos(v),
                                Control::Ipv6HopLimit(v) => R::Ipv6HopLimit(v),
                                Control::Ipv6TrafficClass(v) => R::Ipv6TrafficClass(v),
                                Control::Timestamp(v) => R::Timestamp(v),
                                Control::TimestampNs(v) => R::TimestampNs(v),
                                Control::UdpGro(v) => R::UdpGro(v),
                                Control::Unknown(v) => R::Unknown(v),
                                Control::UdpSegment(_) => return None,
                            })
                        })
                        .collect();
                    a::ReceivedMessage {
                        data: r.data,
                        control,
                        flags: r.flags,
                        address: r.address,
                    }
                }
            }
        };
    };
}

flavour!(crate::wit::bindings::async_io::wasock::socket::ancillary);
flavour!(crate::wit::bindings::sync_io::wasock::socket::ancillary);

fn int(v: i32) -> Vec<u8> {
    v.to_ne_bytes().to_vec()
}

/// A typed control message as the kernel's (level, type, data).
fn to_raw(c: &Control) -> SocketResult<RawCmsg> {
    let raw = |level, kind, data| Ok(RawCmsg { level, kind, data });
    match c {
        Control::Credentials(c) => {
            let mut d = int(c.pid);
            d.extend_from_slice(&c.uid.to_ne_bytes());
            d.extend_from_slice(&c.gid.to_ne_bytes());
            raw(libc::SOL_SOCKET, libc::SCM_CREDENTIALS, d)
        }
        Control::Ipv4PacketInfo(p) => {
            let mut d = p.interface_index.to_ne_bytes().to_vec();
            let (a, b, c, e) = p.local_address;
            d.extend_from_slice(&[a, b, c, e]);
            let (a, b, c, e) = p.destination_address;
            d.extend_from_slice(&[a, b, c, e]);
            raw(libc::IPPROTO_IP, libc::IP_PKTINFO, d)
        }
        Control::Ipv6PacketInfo(p) => {
            let (a, b, c, d0, e, f, g, h) = p.address;
            let mut d: Vec<u8> = [a, b, c, d0, e, f, g, h]
                .iter()
                .flat_map(|w| w.to_be_bytes())
                .collect();
            d.extend_from_slice(&p.interface_index.to_ne_bytes());
            raw(libc::IPPROTO_IPV6, libc::IPV6_PKTINFO, d)
        }
        Control::Ipv4Ttl(t) => raw(libc::IPPROTO_IP, libc::IP_TTL, int(i32::from(*t))),
        Control::Ipv4Tos(t) => raw(libc::IPPROTO_IP, libc::IP_TOS, int(i32::from(*t))),
        Control::Ipv6HopLimit(h) => raw(libc::IPPROTO_IPV6, libc::IPV6_HOPLIMIT, int(*h)),
        Control::Ipv6TrafficClass(t) => raw(libc::IPPROTO_IPV6, libc::IPV6_TCLASS, int(*t)),
        Control::UdpSegment(s) => raw(libc::SOL_UDP, libc::UDP_SEGMENT, s.to_ne_bytes().to_vec()),
        Control::Rights(_)
        | Control::Timestamp(_)
        | Control::TimestampNs(_)
        | Control::UdpGro(_)
        | Control::Unknown(_) => Err(SocketError::invalid("this control message cannot be sent")),
    }
}

fn word(d: &[u8], i: usize) -> u32 {
    d.get(i..i + 4)
        .and_then(|w| w.try_into().ok())
        .map_or(0, u32::from_ne_bytes)
}

fn i64_at(d: &[u8], i: usize) -> i64 {
    d.get(i..i + 8)
        .and_then(|w| w.try_into().ok())
        .map_or(0, i64::from_ne_bytes)
}

fn ipv4(d: &[u8]) -> (u8, u8, u8, u8) {
    (d[0], d[1], d[2], d[3])
}

/// A received (level, type, data) as the typed case when it has one and
/// arrived whole, else as the raw bytes the kernel wrote.
fn from_raw(c: RawCmsg) -> Control {
    let d = &c.data;
    let typed = match (c.level, c.kind, d.len()) {
        (libc::SOL_SOCKET, libc::SCM_CREDENTIALS, 12) => Some(Control::Credentials(Credentials {
            pid: word(d, 0) as i32,
            uid: word(d, 4),
            gid: word(d, 8),
        })),
        (libc::IPPROTO_IP, libc::IP_PKTINFO, 12) => Some(Control::Ipv4PacketInfo(Ipv4PacketInfo {
            interface_index: word(d, 0),
            local_address: ipv4(&d[4..8]),
            destination_address: ipv4(&d[8..12]),
        })),
        (libc::IPPROTO_IPV6, libc::IPV6_PKTINFO, 20) => {
            let g = |i: usize| u16::from_be_bytes([d[2 * i], d[2 * i + 1]]);
            Some(Control::Ipv6PacketInfo(Ipv6PacketInfo {
                address: (g(0), g(1), g(2), g(3), g(4), g(5), g(6), g(7)),
                interface_index: word(d, 16),
            }))
        }
        (libc::IPPROTO_IP, libc::IP_TTL, 4) => u8::try_from(word(d, 0)).ok().map(Control::Ipv4Ttl),
        (libc::IPPROTO_IP, libc::IP_TOS, 1) => Some(Control::Ipv4Tos(d[0])),
        (libc::IPPROTO_IPV6, libc::IPV6_HOPLIMIT, 4) => {
            Some(Control::Ipv6HopLimit(word(d, 0) as i32))
        }
        (libc::IPPROTO_IPV6, libc::IPV6_TCLASS, 4) => {
            Some(Control::Ipv6TrafficClass(word(d, 0) as i32))
        }
        (libc::SOL_SOCKET, libc::SCM_TIMESTAMP, 16) => u32::try_from(i64_at(d, 8))
            .ok()
            .filter(|us| *us < 1_000_000)
            .map(|us| {
                Control::Timestamp(Timestamp {
                    seconds: i64_at(d, 0),
                    nanoseconds: us * 1000,
                })
            }),
        (libc::SOL_SOCKET, libc::SCM_TIMESTAMPNS, 16) => u32::try_from(i64_at(d, 8))
            .ok()
            .filter(|ns| *ns < 1_000_000_000)
            .map(|ns| {
                Control::TimestampNs(Timestamp {
                    seconds: i64_at(d, 0),
                    nanoseconds: ns,
                })
            }),
        (libc::SOL_UDP, libc::UDP_GRO, 4) => u16::try_from(word(d, 0)).ok().map(Control::UdpGro),
        _ => None,
    };
    typed.unwrap_or(Control::Unknown(RawControlMessage {
        level: c.level,
        message_type: c.kind,
        data: c.data,
    }))
}

/// The `msg_flags` recvmsg(2) reports, as WIT flags.
fn flags_out(f: i32) -> MsgFlags {
    [
        (libc::MSG_OOB, MsgFlags::OOB),
        (libc::MSG_CTRUNC, MsgFlags::CTRUNC),
        (libc::MSG_TRUNC, MsgFlags::TRUNC),
        (libc::MSG_EOR, MsgFlags::EOR),
        (libc::MSG_ERRQUEUE, MsgFlags::ERRQUEUE),
        (libc::MSG_DONTWAIT, MsgFlags::DONTWAIT),
        (libc::MSG_CONFIRM, MsgFlags::CONFIRM),
    ]
    .iter()
    .filter(|(b, _)| f & b != 0)
    .fold(MsgFlags::empty(), |acc, (_, w)| acc | *w)
}

/// The WIT family and type of a received socket, when the host
/// implements them.
fn kind_of(sock: &Socket) -> Option<(AddressFamily, SocketType, i32)> {
    let family = match sys::getsockopt_int(sock, libc::SOL_SOCKET, libc::SO_DOMAIN).ok()? {
        libc::AF_UNIX => AddressFamily::Unix,
        libc::AF_INET => AddressFamily::Inet,
        libc::AF_INET6 => AddressFamily::Inet6,
        _ => return None,
    };
    let ty = match sys::getsockopt_int(sock, libc::SOL_SOCKET, libc::SO_TYPE).ok()? {
        libc::SOCK_STREAM => SocketType::Stream,
        libc::SOCK_DGRAM => SocketType::Dgram,
        libc::SOCK_SEQPACKET => SocketType::Seqpacket,
        _ => return None,
    };
    let proto = sys::getsockopt_int(sock, libc::SOL_SOCKET, libc::SO_PROTOCOL).ok()?;
    Some((family, ty, proto))
}

impl WasockCtxView<'_> {
    /// sendmsg(2): `buffers` gathered, control messages, optional
    /// destination (checked by the policy as `sendto`'s).
    pub(crate) async fn send_msg<W: Wait>(
        &mut self,
        r: Resource<HostSocket>,
        buffers: Vec<Vec<u8>>,
        control: Vec<Control>,
        flags: MsgFlags,
        address: Option<SocketAddress>,
    ) -> SocketResult<u64> {
        if buffers.len() > MAX_BUFFERS {
            return Err(SocketError::new(
                ErrorCode::MessageSize,
                format!("sendmsg takes at most {MAX_BUFFERS} buffers"),
            ));
        }
        if control.len() > MAX_CONTROL_MESSAGES {
            return Err(SocketError::invalid(format!(
                "sendmsg takes at most {MAX_CONTROL_MESSAGES} control messages"
            )));
        }
        let mut fds = Vec::new();
        let mut raw = Vec::new();
        for c in &control {
            match c {
                Control::Rights(socks) => {
                    if !self.ctx.policy.unix().fd_passing() {
                        return Err(SocketError::denied(format_args!(
                            "passing sockets with SCM_RIGHTS (allow with {})",
                            self.ctx.policy.hint("allow-fd-passing", "")
                        )));
                    }
                    for h in socks {
                        fds.push(self.sock(h)?.socket().as_raw_fd());
                    }
                    if let Some(r) = &self.ctx.recorder {
                        r.learn_fd_passing();
                    }
                }
                Control::Ipv4PacketInfo(Ipv4PacketInfo {
                    interface_index: i, ..
                })
                | Control::Ipv6PacketInfo(Ipv6PacketInfo {
                    interface_index: i, ..
                }) if *i != 0 => {
                    // Like SO_BINDTODEVICE (a guarded option): the policy
                    // judges destinations, not the interface that reaches them.
                    return Err(SocketError::denied(format_args!(
                        "choosing the outgoing interface ({i}) with IP(V6)_PKTINFO"
                    )));
                }
                Control::Ipv4Tos(_) => {
                    self.check_guarded_control("IP_TOS")?;
                    raw.push(to_raw(c)?);
                }
                Control::Ipv6TrafficClass(_) => {
                    self.check_guarded_control("IPV6_TCLASS")?;
                    raw.push(to_raw(c)?);
                }
                Control::Ipv4PacketInfo(p) => {
                    let (a, b, d, e) = p.local_address;
                    let src = std::net::IpAddr::from([a, b, d, e]);
                    self.check_packet_source(self.sock(&r)?, src)?;
                    raw.push(to_raw(c)?);
                }
                Control::Ipv6PacketInfo(p) => {
                    let (a, b, d, e, f, g, h, i) = p.address;
                    let src = std::net::Ipv6Addr::new(a, b, d, e, f, g, h, i);
                    let src = src
                        .to_ipv4_mapped()
                        .map_or(std::net::IpAddr::V6(src), std::net::IpAddr::V4);
                    self.check_packet_source(self.sock(&r)?, src)?;
                    raw.push(to_raw(c)?);
                }
                Control::Credentials(c) if !sys::own_credentials(c.pid, c.uid, c.gid) => {
                    return Err(SocketError::denied(format_args!(
                        "sending SCM_CREDENTIALS pid {} uid {} gid {} (only the host process's own)",
                        c.pid, c.uid, c.gid
                    )));
                }
                other => raw.push(to_raw(other)?),
            }
        }
        if fds.len() > MAX_RIGHTS {
            return Err(SocketError::invalid(format!(
                "SCM_RIGHTS carries at most {MAX_RIGHTS} sockets"
            )));
        }
        if !fds.is_empty() {
            // Sockets in flight count against the socket limit for the
            // instance's life (see `WasockCtx::sent_sockets`).
            let max = self.ctx.policy.limits.max_sockets;
            let wasi = if self.ctx.policy.wasi_sockets_allowed() {
                crate::ctx::wasi_sockets_in(self.table)
            } else {
                0
            };
            if self.ctx.open_sockets + self.ctx.sent_sockets + wasi + fds.len() > max {
                return Err(SocketError::new(
                    ErrorCode::TooManyFiles,
                    format!(
                        "the policy's limit of {max} open sockets is reached (sockets passed with SCM_RIGHTS count for the instance's life)"
                    ),
                ));
            }
        }
        let (s, to) = match &address {
            Some(a) => {
                let use_ = self.send_use(&r)?;
                let (s, to) = self.target(&r, a, use_)?;
                self.fast_open(use_, flags)?;
                (s, Some(to))
            }
            None => (self.sock(&r)?, None),
        };
        let bufs: Vec<&[u8]> = buffers.iter().map(Vec::as_slice).collect();
        self.check_payload(s, &bufs)?;
        if to.is_none() {
            self.check_adopted_send(s)?;
        }
        crate::net::socket::throttle::<W>(self.ctx, s, flags, None).await?;
        let f = msg_flags(flags);
        let to_addr = to.as_ref().map(|t| &t.addr);
        let n = s
            .io::<W, _>(Interest::Write, flags, || {
                sys::sendmsg(s.socket(), &bufs, &fds, &raw, to_addr, f)
            })
            .await?;
        crate::net::socket::sent(self.ctx, n);
        self.ctx.sent_sockets += fds.len();
        Ok(n as u64)
    }

    /// recvmsg(2): at most `max_len` bytes (capped by the policy) and a
    /// control buffer of `max_control_len` bytes (capped at 64 KiB), as
    /// Python's `ancbufsize`.
    pub(crate) async fn recv_msg<W: Wait>(
        &mut self,
        r: Resource<HostSocket>,
        max_len: u64,
        max_control_len: u64,
        flags: MsgFlags,
    ) -> SocketResult<Received> {
        let cap = self.recv_cap(max_len);
        let ccap = usize::try_from(max_control_len)
            .unwrap_or(usize::MAX)
            .min(MAX_CONTROL_LEN);
        let s = self.sock(&r)?;
        let f = crate::net::socket::recv_flags(flags);
        // Reading the error queue never waits (the kernel answers EAGAIN
        // at once when it is empty, whatever the mode).
        let wait_flags = if flags.contains(MsgFlags::ERRQUEUE) {
            flags | MsgFlags::DONTWAIT
        } else {
            flags
        };
        let mut data = Vec::with_capacity(cap);
        // Datagrams from peers the policy's recv-from rules deny are
        // dropped (with any descriptors they carry) and counted, as
        // recv-from drops them.
        let filter = self.filters_datagrams(s);
        let ctx = &*self.ctx;
        let mut dropped_in_call = 0u64;
        let out = s
            .io::<W, _>(Interest::Read, wait_flags, || {
                let mut dropped = 0;
                loop {
                    data.clear();
                    let out = sys::recvmsg(s.socket(), &mut data, cap, ccap, f)?;
                    if !filter || crate::net::socket::peer_allowed(ctx, s, Use::RecvFrom, &out.from)
                    {
                        return Ok(out);
                    }
                    dropped_in_call += 1;
                    if f & libc::MSG_PEEK != 0 {
                        let mut one = [std::mem::MaybeUninit::<u8>::uninit(); 1];
                        let _ = s.socket().recv_with_flags(&mut one, libc::MSG_DONTWAIT);
                    }
                    if f & libc::MSG_DONTWAIT != 0
                        || crate::net::socket::flood_pause(s, &mut dropped)
                    {
                        return Err(std::io::Error::from(std::io::ErrorKind::WouldBlock));
                    }
                }
            })
            .await
            .map_err(|e| crate::net::socket::explain_drops(e, s, dropped_in_call))?;
        let address = self.address_out(s, &out.from);
        let mut msg_flags = out.flags;
        let mut control = Vec::with_capacity(out.cmsgs.len());
        for c in out.cmsgs {
            match c {
                RecvCmsg::Rights(fds) => {
                    let (kept, dropped) = self.adopt(fds);
                    if dropped {
                        msg_flags |= libc::MSG_CTRUNC;
                    }
                    if !kept.is_empty() {
                        control.push(Control::Rights(kept));
                    }
                }
                RecvCmsg::Other(raw) => control.push(from_raw(raw)),
            }
        }
        Ok(Received {
            data,
            control,
            flags: flags_out(msg_flags),
            address,
        })
    }

    /// Turns received descriptors into socket handles; closes the ones
    /// that cannot be (see the module docs). Returns the handles and
    /// whether any descriptor was closed.
    fn adopt(&mut self, fds: Vec<OwnedFd>) -> (Vec<Resource<HostSocket>>, bool) {
        let mut kept = Vec::new();
        let mut dropped = false;
        let allowed = self.ctx.policy.unix().fd_passing();
        if let (false, Some(r)) = (fds.is_empty(), &self.ctx.recorder) {
            r.learn_fd_passing();
        }
        for fd in fds {
            if !allowed || !sys::is_socket(std::os::fd::AsFd::as_fd(&fd)) || self.reserve().is_err()
            {
                dropped = true;
                continue;
            }
            let sock = Socket::from(fd);
            let Some((family, ty, proto)) = kind_of(&sock) else {
                dropped = true;
                continue;
            };
            // The open file description is shared with the sender: leave
            // its O_NONBLOCK alone until a call needs it changed
            // (`HostSocket::prepare`), as for `dup`.
            let Ok(nonblocking) = sock.nonblocking() else {
                dropped = true;
                continue;
            };
            let hs = HostSocket::new(sock, family, ty, proto, nonblocking).adopted();
            // Judged as the guest's own socket would be (a denial is
            // logged and audited; the socket is closed, as one the guest
            // may not have).
            if self.check_adopted(&hs).is_err() {
                dropped = true;
                continue;
            }
            match self.push(hs) {
                Ok(h) => kept.push(h),
                Err(_) => dropped = true,
            }
        }
        (kept, dropped)
    }
}
