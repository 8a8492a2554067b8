//! The policy's side of the socket calls: what the policy remembers per
//! socket, and the checks the calls in `socket.rs` make before their
//! system calls (destinations, local addresses, peers, the bytes/s
//! bucket). A child module of `socket`, so it sees the socket's fields.

use super::{recv_flags, HostSocket};
use crate::ctx::{WasockCtx, WasockCtxView};
use crate::net::wait::Wait;
use crate::policy::{Decision, Destination, Use};
use crate::sys::{self, Interest};
use crate::types::errors::ErrorCode;
use crate::types::types::{AddressFamily, MsgFlags, SocketType};
use crate::types::{SocketError, SocketResult};
use socket2::SockAddr;
use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Mutex;
use std::time::Instant;

/// Most peers a socket remembers for the UDP reply rule.
const HEARD_MAX: usize = 1024;

/// What the policy remembers about one socket.
#[derive(Default)]
pub(super) struct Guard {
    /// Peers that sent this (UDP) socket a datagram, for the policy's UDP
    /// reply rule; at most [`HEARD_MAX`], kept only when the rule is on.
    heard: Mutex<HashSet<SocketAddr>>,
    /// The last destination the policy allowed (connect or send-to), so
    /// that a socket sending to one peer is judged once: an allowed
    /// destination stays allowed (rules are fixed, lookups only add).
    last_allowed: Mutex<Option<(Use, SocketAddr)>>,
    /// The last peer the policy allowed (accept, recv-from), likewise.
    last_peer: Mutex<Option<(Use, SocketAddr)>>,
    /// Destinations this (datagram) socket was allowed to send to, at
    /// most [`HEARD_MAX`]: a reply from one that the policy drops gets the
    /// narrowest hint (that address and port, not every port of the host).
    sent_to: Mutex<HashSet<SocketAddr>>,
    /// Why the last datagram or connection from a denied peer was
    /// dropped (the decision's detail), for the error of a receive that
    /// then times out.
    last_drop: Mutex<Option<String>>,
}

impl HostSocket {
    fn heard(&self, peer: SocketAddr) -> bool {
        self.guard
            .heard
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(&peer)
    }

    fn note_heard(&self, peer: SocketAddr) {
        let mut h = self.guard.heard.lock().unwrap_or_else(|e| e.into_inner());
        if h.len() < HEARD_MAX {
            h.insert(peer);
        }
    }

    fn note_sent_to(&self, dest: SocketAddr) {
        if self.socket_type == SocketType::Stream {
            return;
        }
        let mut h = self.guard.sent_to.lock().unwrap_or_else(|e| e.into_inner());
        if h.len() < HEARD_MAX {
            h.insert(dest);
        }
    }

    fn sent_to(&self, dest: SocketAddr) -> bool {
        self.guard
            .sent_to
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(&dest)
    }

    /// Why the last datagram or connection from a denied peer was dropped.
    pub(crate) fn last_drop(&self) -> Option<String> {
        self.guard
            .last_drop
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Whether a wildcard bind of this socket to `ip` would receive both
    /// families (an IPv6 socket with IPV6_V6ONLY off).
    fn dual_stack(&self, ip: IpAddr) -> bool {
        self.family == AddressFamily::Inet6
            && ip.is_unspecified()
            && ip.is_ipv6()
            && sys::getsockopt_int(&self.sock, libc::IPPROTO_IPV6, libc::IPV6_V6ONLY)
                .map_or(true, |v| v == 0)
    }

    /// Whether the socket is an IPv6 one bound to an IPv4-mapped address
    /// (`::ffff:a.b.c.d`, including `::ffff:0.0.0.0`): the kernel then
    /// treats it as an IPv4 socket for destinations.
    fn bound_v4_mapped(&self) -> bool {
        self.family == AddressFamily::Inet6
            && self
                .sock
                .local_addr()
                .ok()
                .and_then(|a| a.as_socket_ipv6())
                .is_some_and(|a| a.ip().to_ipv4_mapped().is_some())
    }

    /// The specific local address the socket is bound to, if any.
    fn bound_ip(&self) -> Option<IpAddr> {
        let a = self.sock.local_addr().ok()?.as_socket()?;
        (!a.ip().is_unspecified()).then_some(a.ip())
    }
}

/// Whether the peer `from` of socket `s` is allowed for `use_`
/// (`accept`, `recv-from`); a denied one is counted.
pub(crate) fn peer_allowed(ctx: &WasockCtx, s: &HostSocket, use_: Use, from: &SockAddr) -> bool {
    let Some(peer) = from.as_socket() else {
        return true;
    };
    let cached = ctx.recorder.is_none()
        && *s.guard.last_peer.lock().unwrap_or_else(|e| e.into_inner()) == Some((use_, peer));
    if cached {
        if use_ == Use::RecvFrom && ctx.policy.udp_reply() {
            s.note_heard(peer);
        }
        return true;
    }
    let mut d = {
        let shared = ctx.shared();
        ctx.policy
            .decide_peer(use_, s.transport(), peer, &shared.resolutions)
    };
    if !d.allowed && d.hint.is_some() && use_ == Use::RecvFrom && s.sent_to(peer) {
        // A reply from an address this socket sent to: that address and
        // port, not every port of the peer.
        let t = crate::policy::Target::exact(s.transport(), peer).to_string();
        d.hint = Some(format!(
            "{} (or {}, which allows sending to it too)",
            ctx.policy.hint("allow-recv-from", &t),
            ctx.policy.hint("allow-connect", &t)
        ));
    }
    let detail = (!d.allowed).then(|| d.detail());
    let ok = {
        let mut shared = ctx.shared();
        crate::ctx::enforce_peer(
            &ctx.policy,
            ctx.recorder.as_deref(),
            &mut shared,
            d,
            crate::policy::Source::Wasock,
        )
        .is_ok()
    };
    if !ok {
        *s.guard.last_drop.lock().unwrap_or_else(|e| e.into_inner()) = detail;
        let mut shared = ctx.shared();
        match use_ {
            Use::Accept => shared.dropped_connections += 1,
            _ => shared.dropped_datagrams += 1,
        }
    } else {
        *s.guard.last_peer.lock().unwrap_or_else(|e| e.into_inner()) = Some((use_, peer));
        if use_ == Use::RecvFrom && ctx.policy.udp_reply() {
            s.note_heard(peer);
        }
    }
    ok
}

/// Most datagrams from denied peers one receive on a non-blocking
/// descriptor drops before it reports would-block: the async embedding
/// then waits for readiness (giving the executor a turn), and a guest in
/// non-blocking mode gets EAGAIN instead of a call that lasts as long as
/// a flood does.
const DENIED_PER_CALL: u32 = 256;

/// Counts one dropped datagram; whether the receive should stop now.
pub(crate) fn flood_pause(s: &HostSocket, dropped: &mut u32) -> bool {
    *dropped += 1;
    *dropped >= DENIED_PER_CALL && s.nonblocking.load(std::sync::atomic::Ordering::Relaxed)
}

/// recvfrom(2) that drops datagrams from denied peers (counted) and
/// keeps waiting; with MSG_PEEK a denied datagram is read off the
/// queue (MSG_DONTWAIT) before looking again.
pub(super) async fn recv_filtered<W: Wait>(
    ctx: &WasockCtx,
    s: &HostSocket,
    cap: usize,
    flags: MsgFlags,
) -> SocketResult<(Vec<u8>, SockAddr)> {
    let f = recv_flags(flags);
    let peek = flags.contains(MsgFlags::PEEK);
    let mut buf: Vec<u8> = Vec::with_capacity(cap);
    let mut dropped_in_call = 0u64;
    let (_, from) = s
        .io::<W, _>(Interest::Read, flags, || {
            let mut dropped = 0;
            loop {
                buf.clear();
                let (n, from) =
                    sys::append_read(&mut buf, cap, |b| s.sock.recv_from_with_flags(b, f))?;
                if peer_allowed(ctx, s, Use::RecvFrom, &from) {
                    return Ok((n, from));
                }
                dropped_in_call += 1;
                if peek {
                    let mut one = [std::mem::MaybeUninit::<u8>::uninit(); 1];
                    s.sock.recv_with_flags(&mut one, libc::MSG_DONTWAIT)?;
                }
                if flood_pause(s, &mut dropped) {
                    return Err(std::io::Error::from(std::io::ErrorKind::WouldBlock));
                }
            }
        })
        .await
        .map_err(|e| explain_drops(e, s, dropped_in_call))?;
    Ok((buf, from))
}

/// A receive that ended without data (timed out, or would block) after
/// the policy dropped `dropped` datagrams during it: the error says so,
/// with why the last one was dropped and the rule that would let it
/// through, so that the guest sees the policy at work and not only a
/// silent peer. A timeout's message becomes `timed out (…)` (the guest
/// shows a timeout's detail when it starts with `timed out`); other
/// errors keep their message and carry it as their detail.
pub(crate) fn explain_drops(e: SocketError, s: &HostSocket, dropped: u64) -> SocketError {
    let SocketError::Guest(mut g) = e else {
        return e;
    };
    if dropped == 0 || !matches!(g.code, ErrorCode::Timeout | ErrorCode::WouldBlock) {
        return SocketError::Guest(g);
    }
    let why = s.last_drop().unwrap_or_default();
    let what = format!(
        "{dropped} datagram{} from peers the policy denies {} dropped while waiting; the last: {why}",
        if dropped == 1 { "" } else { "s" },
        if dropped == 1 { "was" } else { "were" },
    );
    g.detail = if matches!(g.code, ErrorCode::Timeout) {
        format!("timed out ({what})")
    } else {
        what
    };
    SocketError::Guest(g)
}

/// Waits until the policy's bytes/s bucket lets a send go ahead, per the
/// socket's mode: non-blocking fails with EAGAIN, timeout mode waits at
/// most until the deadline (`shared` for `send-all`), blocking mode waits.
pub(crate) async fn throttle<W: Wait>(
    ctx: &WasockCtx,
    s: &HostSocket,
    flags: MsgFlags,
    shared: Option<Option<Instant>>,
) -> SocketResult<()> {
    let Some(rate) = ctx.policy.limits.send_bytes_per_second else {
        return Ok(());
    };
    let deadline = match shared {
        Some(d) => d,
        None => match s.deadline(flags) {
            Ok(d) => d,
            Err(()) => {
                return match ctx.shared().send_ready_at(rate) {
                    None => Ok(()),
                    Some(_) => Err(SocketError::new(ErrorCode::WouldBlock, "")),
                }
            }
        },
    };
    // Bounded: each round waits until the bucket refills or the deadline.
    loop {
        let Some(until) = ctx.shared().send_ready_at(rate) else {
            return Ok(());
        };
        let until = match deadline {
            Some(d) if d <= Instant::now() => {
                return Err(SocketError::new(ErrorCode::Timeout, "timed out"))
            }
            Some(d) => until.min(d),
            None => until,
        };
        W::wait_many(&[], &[], Some(until)).await?;
    }
}

/// Counts bytes sent against the bytes/s bucket.
pub(crate) fn sent(ctx: &WasockCtx, n: usize) {
    if let Some(rate) = ctx.policy.limits.send_bytes_per_second {
        ctx.shared().sent(rate, n as u64);
    }
}

impl WasockCtxView<'_> {
    /// The socket and the address it may use for `use_`: the address must
    /// be of the socket's family and allowed by the policy (a local
    /// address for `bind` / `listen`, a destination otherwise).
    pub(super) fn checked(
        &self,
        r: &wasmtime::component::Resource<HostSocket>,
        address: &crate::types::types::SocketAddress,
        use_: Use,
    ) -> SocketResult<(&HostSocket, SocketAddr)> {
        let s = self.table.get(r)?;
        let addr = s.check_family(address)?;
        match use_ {
            Use::Bind | Use::Listen => self.check_local(s, use_, addr)?,
            _ => self.check_destination(s, use_, addr)?,
        }
        Ok((s, addr))
    }

    /// Checks a destination (`connect`, `send-to`) of socket `s`: judged
    /// by where the kernel delivers it (the policy's module docs); logs
    /// and records the decision. No system call is made for a denied one
    /// (the host's addresses come from a cached copy of the kernel's local
    /// routing table, `hostaddr.rs`).
    pub(crate) fn check_destination(
        &self,
        s: &HostSocket,
        use_: Use,
        addr: SocketAddr,
    ) -> SocketResult<()> {
        // Judged before, and no recorder wants every decision: allowed.
        let recording = self.ctx.recorder.is_some();
        if !recording
            && *s
                .guard
                .last_allowed
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                == Some((use_, addr))
        {
            return Ok(());
        }
        let d = self.destination_decision(s, use_, addr);
        let allowed = d.allowed;
        self.ctx.decide(d)?;
        if allowed {
            *s.guard
                .last_allowed
                .lock()
                .unwrap_or_else(|e| e.into_inner()) = Some((use_, addr));
            s.note_sent_to(addr);
        }
        Ok(())
    }

    /// For connect(2) of a datagram socket: later send(2)s go to `addr`
    /// without an address, so a deny rule of `send-to` covering it refuses
    /// the connect (as wasi:sockets judges a UDP connect as a send).
    pub(super) fn check_connected_sends(
        &self,
        s: &HostSocket,
        addr: SocketAddr,
    ) -> SocketResult<()> {
        let d = self.destination_decision(s, Use::SendTo, addr);
        if !d.allowed && d.rule.is_some() {
            return self.ctx.decide(d);
        }
        Ok(())
    }

    /// The policy's decision on destination `addr` of socket `s`.
    fn destination_decision(&self, s: &HostSocket, use_: Use, addr: SocketAddr) -> Decision {
        // `::` from an IPv6 socket bound to an IPv4-mapped address is an
        // IPv4 destination to the kernel (it becomes ::ffff:127.0.0.1 and
        // reaches IPv4 listeners): judged as the IPv4 unspecified address.
        let addr = match addr {
            SocketAddr::V6(a) if a.ip().is_unspecified() && s.bound_v4_mapped() => {
                SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), a.port())
            }
            a => a,
        };
        let ip = addr.ip();
        let scope = match addr {
            SocketAddr::V6(a) => a.scope_id(),
            SocketAddr::V4(_) => 0,
        };
        let canon = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        let host_local = !canon.is_loopback()
            && !canon.is_unspecified()
            && crate::net::hostaddr::is_host_address(canon, scope);
        let dest = Destination {
            addr,
            host_local,
            bound: if canon.is_unspecified() {
                s.bound_ip()
            } else {
                None
            },
        };
        let replied = use_ == Use::SendTo && self.ctx.policy.udp_reply() && s.heard(addr);
        let shared = self.ctx.shared();
        self.ctx
            .policy
            .decide_destination(use_, s.transport(), dest, &shared.resolutions, replied)
    }

    /// What a send with an address is judged as: `send-to`, except on a
    /// TCP socket, where sendto(2)/sendmsg(2) with MSG_FASTOPEN opens a
    /// connection (TCP Fast Open): `connect` (see [`Self::fast_open`]).
    pub(crate) fn send_use(
        &self,
        r: &wasmtime::component::Resource<HostSocket>,
    ) -> SocketResult<Use> {
        let s = self.table.get(r)?;
        if s.socket_type != SocketType::Stream || s.family == AddressFamily::Unix {
            return Ok(Use::SendTo);
        }
        Ok(Use::Connect)
    }

    /// After the destination check of a send judged as `connect`: a
    /// MSG_FASTOPEN send takes a token of the connections-per-second limit.
    pub(crate) fn fast_open(&self, use_: Use, flags: MsgFlags) -> SocketResult<()> {
        if use_ == Use::Connect && flags.contains(MsgFlags::FASTOPEN) {
            self.ctx.take_connect_token()?;
        }
        Ok(())
    }

    /// A per-message control message with the effect of a guarded
    /// option (IP_TOS, IPV6_TCLASS) needs the option's grant.
    pub(crate) fn check_guarded_control(&self, key: &str) -> SocketResult<()> {
        if !crate::policy::GUARDED_OPTIONS.contains(&key) {
            return Ok(());
        }
        let r = match self.ctx.policy.check_option(key) {
            Ok(()) => Ok(Some(format!("allow-option {key}"))),
            Err(SocketError::Guest(g)) => Err(g.detail),
            Err(SocketError::Trap(t)) => Err(t.to_string()),
        };
        let subject = || format!("sending a {key} control message");
        self.ctx
            .decide_grant("option", subject, r, Some(("option", key)))
    }

    /// A nonzero source address in IP(V6)_PKTINFO sends from that address
    /// (as if bound to it) and would make replies look like the guest's
    /// peers: judged as a `bind` of (source, the socket's port).
    pub(crate) fn check_packet_source(&self, s: &HostSocket, source: IpAddr) -> SocketResult<()> {
        if source.is_unspecified() {
            return Ok(());
        }
        let port = s
            .sock
            .local_addr()
            .ok()
            .and_then(|a| a.as_socket())
            .map_or(0, |a| a.port());
        self.check_local(s, Use::Bind, SocketAddr::new(source, port))
    }

    /// Checks a local address (`bind`, `listen`) of socket `s`.
    pub(super) fn check_local(
        &self,
        s: &HostSocket,
        use_: Use,
        addr: SocketAddr,
    ) -> SocketResult<()> {
        let d = self
            .ctx
            .policy
            .decide_local(use_, s.transport(), addr, s.dual_stack(addr.ip()));
        self.ctx.decide(d)
    }

    /// An IP socket received with SCM_RIGHTS, judged as if the guest had
    /// made it what it is: a connected one as a `connect` to its peer; a
    /// listening one as `listen` on its address; a bound, unconnected
    /// datagram one as `bind` of its address. AF_UNIX sockets are kept as
    /// passed (the fd-passing grant: the guest may use the unix
    /// connections its peers hand it; paths and abstract names are
    /// checked when the guest names them).
    pub(crate) fn check_adopted(&self, s: &HostSocket) -> SocketResult<()> {
        if !matches!(s.family, AddressFamily::Inet | AddressFamily::Inet6) {
            return Ok(());
        }
        if let Some(peer) = s.sock.peer_addr().ok().and_then(|a| a.as_socket()) {
            return self.check_destination(s, Use::Connect, peer);
        }
        let Some(local) = s.sock.local_addr().ok().and_then(|a| a.as_socket()) else {
            return Ok(());
        };
        if local.port() == 0 {
            return Ok(());
        }
        let listening = sys::getsockopt_int(&s.sock, libc::SOL_SOCKET, libc::SO_ACCEPTCONN)
            .is_ok_and(|v| v != 0);
        if listening {
            self.check_local(s, Use::Listen, local)
        } else if s.socket_type != SocketType::Stream {
            self.check_local(s, Use::Bind, local)
        } else {
            // Bound, neither listening nor connected: the guest's connect
            // or listen is checked when it makes it.
            Ok(())
        }
    }

    /// Before a send without an address on a datagram socket received with
    /// SCM_RIGHTS: its sender shares it and may have connected it
    /// elsewhere since, so its peer is judged again (a `connect` to it;
    /// once allowed, remembered until the peer changes).
    pub(crate) fn check_adopted_send(&self, s: &HostSocket) -> SocketResult<()> {
        if !s.adopted
            || s.socket_type == SocketType::Stream
            || !matches!(s.family, AddressFamily::Inet | AddressFamily::Inet6)
        {
            return Ok(());
        }
        match s.sock.peer_addr().ok().and_then(|a| a.as_socket()) {
            Some(peer) => self.check_destination(s, Use::Connect, peer),
            None => Ok(()),
        }
    }

    /// Whether datagrams received on `s` must be checked per peer (always
    /// with a recorder: the audit log and a learnt policy need the peers
    /// an open policy would not check).
    pub(crate) fn filters_datagrams(&self, s: &HostSocket) -> bool {
        matches!(s.socket_type, SocketType::Dgram | SocketType::Raw)
            && (self.ctx.recorder.is_some()
                || self.ctx.policy.udp_reply()
                || self.ctx.policy.filters_peers(Use::RecvFrom, s.transport()))
    }
}
