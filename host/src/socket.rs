//! The socket resource and the core of every socket call: policy check,
//! then the system call, waiting per the socket's mode only on EAGAIN.
//!
//! Each operation is an `async fn` generic over a [`Wait`] strategy; the
//! async bindings await it with [`Reactor`](crate::wait::Reactor) and the
//! sync bindings run it with [`Blocking`](crate::wait::Blocking).

use crate::bindings::errors::ErrorCode;
use crate::bindings::types::{AddressFamily, MsgFlags, ShutdownHow, SocketAddress, SocketType};
use crate::ctx::{WasockCtx, WasockCtxView};
use crate::error::{SocketError, SocketResult};
use crate::policy::{Destination, Transport, Use};
use crate::sys::{self, Interest};
use crate::wait::Wait;
use socket2::{SockAddr, Socket};
use std::collections::HashSet;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};
use tokio::io::unix::AsyncFd;
use wasmtime::component::Resource;

/// A guest's socket: the host socket plus what the guest sees of it.
///
/// The descriptor is non-blocking at the OS level, and waits are emulated
/// per Python's mode, except in the sync embedding while the guest's socket
/// is in blocking mode: there the descriptor is blocking too and each call
/// is the one system call CPython makes (see [`Wait::BLOCKING_FD`]).
pub struct HostSocket {
    // Declared before `sock` so it deregisters before the fd is closed.
    reactor: OnceLock<AsyncFd<sys::Fd>>,
    sock: Socket,
    family: AddressFamily,
    socket_type: SocketType,
    protocol: i32,
    /// Python's mode: `None` blocking, zero non-blocking, else timeout.
    timeout: Option<Duration>,
    /// Whether the open file description is O_NONBLOCK. Shared with the
    /// sockets `dup` made from this one, which share the description.
    nonblocking: Arc<AtomicBool>,
    /// Receiving calls in a row that found the socket not ready (see
    /// [`HostSocket::poll_first`]).
    not_ready: AtomicU8,
    /// Peers that sent this (UDP) socket a datagram, for the policy's UDP
    /// reply rule; at most [`HEARD_MAX`], kept only when the rule is on.
    heard: Mutex<HashSet<SocketAddr>>,
    /// AF_UNIX: the name it bound (see `unix.rs`).
    unix: crate::unix::UnixState,
}

/// Most peers a socket remembers for the UDP reply rule.
const HEARD_MAX: usize = 1024;

impl HostSocket {
    pub(crate) fn new(
        sock: Socket,
        family: AddressFamily,
        socket_type: SocketType,
        protocol: i32,
        nonblocking: bool,
    ) -> Self {
        HostSocket {
            reactor: OnceLock::new(),
            sock,
            family,
            socket_type,
            protocol,
            timeout: None,
            nonblocking: Arc::new(AtomicBool::new(nonblocking)),
            not_ready: AtomicU8::new(0),
            heard: Mutex::default(),
            unix: Default::default(),
        }
    }

    fn heard(&self, peer: SocketAddr) -> bool {
        self.heard
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(&peer)
    }

    fn note_heard(&self, peer: SocketAddr) {
        let mut h = self.heard.lock().unwrap_or_else(|e| e.into_inner());
        if h.len() < HEARD_MAX {
            h.insert(peer);
        }
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

    /// The specific local address the socket is bound to, if any.
    fn bound_ip(&self) -> Option<IpAddr> {
        let a = self.sock.local_addr().ok()?.as_socket()?;
        (!a.ip().is_unspecified()).then_some(a.ip())
    }

    /// Whether a receiving call (recv, recvfrom, accept) in timeout mode
    /// under a blocking strategy should wait in poll(2) before its system
    /// call instead of trying it first.
    /// Trying first costs one call when the data is there and three
    /// (attempt, poll, retry) when it is not; CPython always polls first
    /// (two). A socket whose last calls all had to wait (request and reply)
    /// polls first, and tries first again on every 16th call to notice when
    /// data starts to be waiting (a stream).
    fn poll_first(&self) -> bool {
        let n = self.not_ready.load(Ordering::Relaxed);
        n >= 2 && !n.is_multiple_of(16)
    }

    fn note_ready(&self, ready: bool) {
        let n = self.not_ready.load(Ordering::Relaxed);
        let next = match (ready, n) {
            (true, _) => 0,
            (false, 63..) => 16,
            (false, n) => n + 1,
        };
        if next != n {
            self.not_ready.store(next, Ordering::Relaxed);
        }
    }

    /// Sets O_NONBLOCK as a call under `W` needs it: clear only for a
    /// blocking-mode socket under a strategy that blocks in the system
    /// call. One fcntl pair when the mode changed since the last call.
    fn prepare<W: Wait>(&self) -> io::Result<()> {
        let want = !(W::BLOCKING_FD && self.timeout.is_none());
        if self.nonblocking.load(Ordering::Relaxed) != want {
            self.sock.set_nonblocking(want)?;
            self.nonblocking.store(want, Ordering::Relaxed);
        }
        Ok(())
    }

    /// The socket type given at creation.
    pub(crate) fn socket_type_raw(&self) -> SocketType {
        self.socket_type
    }

    /// The host socket.
    pub fn socket(&self) -> &Socket {
        &self.sock
    }

    /// This socket registered with the current tokio reactor, or `None`
    /// when no tokio runtime is running.
    pub(crate) fn async_fd(&self) -> io::Result<Option<&AsyncFd<sys::Fd>>> {
        if let Some(afd) = self.reactor.get() {
            return Ok(Some(afd));
        }
        if tokio::runtime::Handle::try_current().is_err() {
            return Ok(None);
        }
        // SAFETY: `reactor` is declared before `sock`, so the registration
        // is dropped before the descriptor is closed.
        let afd = unsafe { sys::register(&self.sock) }?;
        Ok(Some(self.reactor.get_or_init(|| afd)))
    }

    fn transport(&self) -> Transport {
        match self.socket_type {
            SocketType::Dgram => Transport::Udp,
            SocketType::Raw => Transport::Raw,
            _ => Transport::Tcp,
        }
    }

    /// `Some(deadline)` for timeout mode, `None` for blocking; `Err` when
    /// the call must not wait at all.
    fn deadline(&self, flags: MsgFlags) -> Result<Option<Instant>, ()> {
        match self.timeout {
            _ if flags.contains(MsgFlags::DONTWAIT) => Err(()),
            None => Ok(None),
            Some(t) if t.is_zero() => Err(()),
            Some(t) => Ok(Instant::now().checked_add(t)),
        }
    }

    /// Runs `op`; on EAGAIN waits per the mode and retries. On a blocking
    /// descriptor `op` itself waits, and EAGAIN (an SO_RCVTIMEO expiry, or
    /// MSG_DONTWAIT) is the answer, as in CPython.
    pub(crate) async fn io<W: Wait, T: Send>(
        &self,
        interest: Interest,
        flags: MsgFlags,
        mut op: impl FnMut() -> io::Result<T> + Send,
    ) -> SocketResult<T> {
        self.io_until::<W, T>(interest, flags, None, &mut op).await
    }

    /// As [`HostSocket::io`] with a deadline shared by several calls
    /// (`send-all`).
    async fn io_until<W: Wait, T: Send>(
        &self,
        interest: Interest,
        flags: MsgFlags,
        shared_deadline: Option<Option<Instant>>,
        op: &mut (impl FnMut() -> io::Result<T> + Send),
    ) -> SocketResult<T> {
        self.prepare::<W>()?;
        let nonblocking = self.nonblocking.load(Ordering::Relaxed);
        // Sends find room in the buffer most of the time: they always try
        // first, and only receives adapt.
        let adapt = interest == Interest::Read;
        let timeout_mode =
            self.timeout.is_some_and(|t| !t.is_zero()) && !flags.contains(MsgFlags::DONTWAIT);
        if adapt && W::BLOCKING_FD && timeout_mode && self.poll_first() {
            self.note_ready(false);
        } else {
            loop {
                match op() {
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock && nonblocking => {
                        if adapt {
                            self.note_ready(false);
                        }
                        break;
                    }
                    r => {
                        if adapt {
                            self.note_ready(true);
                        }
                        return Ok(r?);
                    }
                }
            }
        }
        let deadline = match shared_deadline {
            Some(d) => d,
            None => self
                .deadline(flags)
                .map_err(|()| SocketError::new(ErrorCode::WouldBlock, ""))?,
        };
        match W::retry(self, interest, deadline, op).await? {
            Some(v) => Ok(v),
            None => Err(SocketError::new(ErrorCode::Timeout, "timed out")),
        }
    }

    fn check_family(&self, addr: &SocketAddress) -> SocketResult<SocketAddr> {
        let std = sys::to_std(addr);
        match (self.family, std) {
            (AddressFamily::Inet, Some(a @ SocketAddr::V4(_)))
            | (AddressFamily::Inet6, Some(a @ SocketAddr::V6(_))) => Ok(a),
            _ => Err(SocketError::new(
                ErrorCode::AddressFamilyNotSupported,
                format!(
                    "address family does not match the socket's ({:?})",
                    self.family
                ),
            )),
        }
    }
}

/// Whether the peer `from` of socket `s` is allowed for `use_`
/// (`accept`, `recv-from`); a denied one is counted.
pub(crate) fn peer_allowed(ctx: &WasockCtx, s: &HostSocket, use_: Use, from: &SockAddr) -> bool {
    let Some(peer) = from.as_socket() else {
        return true;
    };
    let d = {
        let shared = ctx.shared();
        ctx.policy
            .decide_peer(use_, s.transport(), peer, &shared.resolutions)
    };
    let ok = ctx.decide(d).is_ok();
    if !ok {
        let mut shared = ctx.shared();
        match use_ {
            Use::Accept => shared.dropped_connections += 1,
            _ => shared.dropped_datagrams += 1,
        }
    } else if use_ == Use::RecvFrom && ctx.policy.udp_reply() {
        s.note_heard(peer);
    }
    ok
}

/// recvfrom(2) that drops datagrams from denied peers (counted) and
/// keeps waiting; with MSG_PEEK a denied datagram is read off the
/// queue (MSG_DONTWAIT) before looking again.
async fn recv_filtered<W: Wait>(
    ctx: &WasockCtx,
    s: &HostSocket,
    cap: usize,
    flags: MsgFlags,
) -> SocketResult<(Vec<u8>, SockAddr)> {
    let f = msg_flags(flags);
    let peek = flags.contains(MsgFlags::PEEK);
    let mut buf: Vec<u8> = Vec::with_capacity(cap);
    let (_, from) = s
        .io::<W, _>(Interest::Read, flags, || loop {
            buf.clear();
            let (n, from) = sys::append_read(&mut buf, cap, |b| s.sock.recv_from_with_flags(b, f))?;
            if peer_allowed(ctx, s, Use::RecvFrom, &from) {
                return Ok((n, from));
            }
            if peek {
                let mut one = [std::mem::MaybeUninit::<u8>::uninit(); 1];
                let _ = s.sock.recv_with_flags(&mut one, libc::MSG_DONTWAIT);
            }
            if f & libc::MSG_DONTWAIT != 0 {
                return Err(io::Error::from(io::ErrorKind::WouldBlock));
            }
        })
        .await?;
    Ok((buf, from))
}

/// The `MSG_*` bits of a flag set, with MSG_NOSIGNAL always added.
pub(crate) fn msg_flags(f: MsgFlags) -> i32 {
    let table = [
        (MsgFlags::OOB, libc::MSG_OOB),
        (MsgFlags::PEEK, libc::MSG_PEEK),
        (MsgFlags::DONTROUTE, libc::MSG_DONTROUTE),
        (MsgFlags::TRUNC, libc::MSG_TRUNC),
        (MsgFlags::DONTWAIT, libc::MSG_DONTWAIT),
        (MsgFlags::EOR, libc::MSG_EOR),
        (MsgFlags::WAITALL, libc::MSG_WAITALL),
        (MsgFlags::CONFIRM, libc::MSG_CONFIRM),
        (MsgFlags::ERRQUEUE, libc::MSG_ERRQUEUE),
        (MsgFlags::MORE, libc::MSG_MORE),
        (MsgFlags::FASTOPEN, libc::MSG_FASTOPEN),
    ];
    table
        .iter()
        .filter(|(w, _)| f.contains(*w))
        .fold(libc::MSG_NOSIGNAL, |acc, (_, b)| acc | b)
}

fn unspecified(family: AddressFamily) -> SocketAddr {
    match family {
        AddressFamily::Inet6 => SocketAddr::new(IpAddr::V6(Ipv6Addr::UNSPECIFIED), 0),
        _ => SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0),
    }
}

impl WasockCtxView<'_> {
    pub(crate) fn sock(&self, r: &Resource<HostSocket>) -> SocketResult<&HostSocket> {
        Ok(self.table.get(r)?)
    }

    /// Checks a destination (`connect`, `send-to`) of socket `s`: judged
    /// by where the kernel delivers it (the policy's module docs); logs
    /// and records the decision. No system call is made for a denied one
    /// (the host-address probe uses a socket of its own).
    pub(crate) fn check_destination(
        &self,
        s: &HostSocket,
        use_: Use,
        addr: SocketAddr,
    ) -> SocketResult<()> {
        let ip = addr.ip();
        let scope = match addr {
            SocketAddr::V6(a) => a.scope_id(),
            SocketAddr::V4(_) => 0,
        };
        let canon = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        let host_local =
            !canon.is_loopback() && !canon.is_unspecified() && sys::is_host_address(canon, scope);
        let dest = Destination {
            addr,
            host_local,
            bound: s.bound_ip(),
        };
        let replied = use_ == Use::SendTo && self.ctx.policy.udp_reply() && s.heard(addr);
        let d = {
            let shared = self.ctx.shared();
            self.ctx.policy.decide_destination(
                use_,
                s.transport(),
                dest,
                &shared.resolutions,
                replied,
            )
        };
        self.ctx.decide(d)
    }

    /// Checks a local address (`bind`, `listen`) of socket `s`.
    fn check_local(&self, s: &HostSocket, use_: Use, addr: SocketAddr) -> SocketResult<()> {
        let d = self
            .ctx
            .policy
            .decide_local(use_, s.transport(), addr, s.dual_stack(addr.ip()));
        self.ctx.decide(d)
    }

    /// The socket and the kernel address it may use for `use_`: AF_UNIX
    /// names resolve in `unix.rs` (never through the IP rules), IP
    /// addresses go through the IP rules ([`Self::check_local`],
    /// [`Self::check_destination`]).
    pub(crate) fn target(
        &self,
        r: &Resource<HostSocket>,
        address: &SocketAddress,
        use_: Use,
    ) -> SocketResult<(&HostSocket, crate::unix::Resolved)> {
        let s = self.sock(r)?;
        if s.family == AddressFamily::Unix {
            return Ok((s, crate::unix::resolve(&self.ctx.policy, address, use_)?));
        }
        let addr = s.check_family(address)?;
        match use_ {
            Use::Bind | Use::Listen => self.check_local(s, use_, addr)?,
            _ => self.check_destination(s, use_, addr)?,
        }
        Ok((s, crate::unix::Resolved::plain(SockAddr::from(addr))))
    }

    /// A kernel address as the guest sees it (`None`: the kernel gave none).
    pub(crate) fn address_out(&self, s: &HostSocket, a: &SockAddr) -> Option<SocketAddress> {
        match sys::unix_name(a) {
            Some(n) if s.family == AddressFamily::Unix => {
                crate::unix::name_out(&self.ctx.policy, Some(&s.unix), n).map(SocketAddress::Unix)
            }
            _ => sys::from_sockaddr(a),
        }
    }

    pub(crate) fn push(&mut self, s: HostSocket) -> SocketResult<Resource<HostSocket>> {
        let r = self.table.push(s)?;
        self.ctx.open_sockets += 1;
        Ok(r)
    }

    pub(crate) fn reserve(&self) -> SocketResult<()> {
        let max = self.ctx.policy.limits.max_sockets;
        if self.ctx.open_sockets >= max {
            return Err(SocketError::new(
                ErrorCode::TooManyFiles,
                format!("the policy's limit of {max} open sockets is reached"),
            ));
        }
        Ok(())
    }

    /// socket(2).
    pub(crate) async fn open<W: Wait>(
        &mut self,
        family: AddressFamily,
        socket_type: SocketType,
        protocol: i32,
    ) -> SocketResult<Resource<HostSocket>> {
        self.ctx
            .policy
            .check_family(family, socket_type, protocol)?;
        let domain = sys::domain(family).ok_or_else(|| {
            SocketError::new(
                ErrorCode::AddressFamilyNotSupported,
                format!("address family {family:?} is not supported by this host"),
            )
        })?;
        let ty = sys::socket_type(socket_type).ok_or_else(|| {
            SocketError::new(
                ErrorCode::SocketTypeNotSupported,
                format!("socket type {socket_type:?} is not supported for {family:?}"),
            )
        })?;
        if !(0..=255).contains(&protocol) {
            return Err(SocketError::new(
                ErrorCode::ProtocolNotSupported,
                format!("protocol {protocol}"),
            ));
        }
        self.reserve()?;
        let nonblocking = !W::BLOCKING_FD;
        let sock = sys::open(domain, ty, protocol, nonblocking)?;
        self.push(HostSocket::new(
            sock,
            family,
            socket_type,
            protocol,
            nonblocking,
        ))
    }

    /// bind(2), after the policy's `bind` check.
    pub(crate) async fn bind<W: Wait>(
        &mut self,
        r: Resource<HostSocket>,
        address: SocketAddress,
    ) -> SocketResult<()> {
        let (s, to) = self.target(&r, &address, Use::Bind)?;
        s.sock.bind(&to.addr)?;
        to.bound(&s.unix);
        Ok(())
    }

    /// listen(2). An unbound socket is bound by the kernel to the wildcard
    /// address and an ephemeral port, which the policy must allow as a
    /// `bind` of port 0.
    pub(crate) async fn listen<W: Wait>(
        &mut self,
        r: Resource<HostSocket>,
        backlog: i32,
    ) -> SocketResult<()> {
        let s = self.sock(&r)?;
        if s.family == AddressFamily::Unix {
            // AF_UNIX names were checked at bind (listen never autobinds).
            let backlog = backlog.clamp(0, self.ctx.policy.limits.max_backlog);
            return Ok(s.sock.listen(backlog)?);
        }
        if s.socket_type == SocketType::Dgram {
            // The kernel refuses (EOPNOTSUPP) without binding anything.
            return Ok(s.sock.listen(0)?);
        }
        let local = s.sock.local_addr()?.as_socket();
        let local = match local {
            Some(a) if a.port() != 0 => a,
            _ => {
                // The kernel binds the wildcard and an ephemeral port: an
                // implicit bind, judged as one.
                let wild = unspecified(s.family);
                self.check_local(s, Use::Bind, wild)?;
                wild
            }
        };
        self.check_local(s, Use::Listen, local)?;
        let backlog = backlog.clamp(0, self.ctx.policy.limits.max_backlog);
        Ok(s.sock.listen(backlog)?)
    }

    /// accept4(2); the new socket is in blocking mode.
    pub(crate) async fn accept<W: Wait>(
        &mut self,
        r: Resource<HostSocket>,
    ) -> SocketResult<(Resource<HostSocket>, SocketAddress)> {
        self.reserve()?;
        let ctx = &*self.ctx;
        let s = self.table.get(&r)?;
        let filter = ctx.policy.filters_peers(Use::Accept, s.transport());
        // A denied peer's connection is closed at once and accept keeps
        // waiting (in this call when the descriptor blocks, else through
        // the wait strategy, which honours the timeout).
        let (sock, peer) = s
            .io::<W, _>(Interest::Read, MsgFlags::empty(), || loop {
                let (c, peer) = sys::accept(&s.sock, !W::BLOCKING_FD)?;
                if !filter || peer_allowed(ctx, s, Use::Accept, &peer) {
                    return Ok((c, peer));
                }
                drop(c);
            })
            .await?;
        let (family, socket_type, protocol) = (s.family, s.socket_type, s.protocol);
        let peer = self
            .address_out(s, &peer)
            .unwrap_or_else(|| sys::from_std(unspecified(family)));
        let new = self.push(HostSocket::new(
            sock,
            family,
            socket_type,
            protocol,
            !W::BLOCKING_FD,
        ))?;
        Ok((new, peer))
    }

    /// connect(2), after the policy's `connect` check. Waits for the
    /// outcome per the mode (non-blocking mode returns `in-progress`; the
    /// guest then reads the outcome from SO_ERROR, as in Python).
    pub(crate) async fn connect<W: Wait>(
        &mut self,
        r: Resource<HostSocket>,
        address: SocketAddress,
    ) -> SocketResult<()> {
        let (s, to) = self.target(&r, &address, Use::Connect)?;
        if s.socket_type == SocketType::Stream && s.family != AddressFamily::Unix {
            self.ctx.take_connect_token()?;
        }
        s.prepare::<W>()?;
        let e = match s.sock.connect(&to.addr) {
            Ok(()) => return Ok(()),
            Err(e) => e,
        };
        let in_progress = matches!(
            e.raw_os_error(),
            Some(libc::EINPROGRESS) | Some(libc::EINTR)
        );
        if !in_progress {
            return Err(e.into());
        }
        let deadline = match s.deadline(MsgFlags::empty()) {
            Ok(d) => d,
            Err(()) => return Err(e.into()),
        };
        // Asking connect(2) again reports the outcome in one call: EALREADY
        // while the handshake runs, success (or EISCONN) once connected,
        // the pending error (e.g. ECONNREFUSED) once it failed.
        let outcome = || match s.sock.connect(&to.addr) {
            Ok(()) => Ok(()),
            Err(e) => match e.raw_os_error() {
                Some(libc::EISCONN) => Ok(()),
                Some(libc::EALREADY | libc::EINPROGRESS) => {
                    Err(io::Error::from(io::ErrorKind::WouldBlock))
                }
                _ => Err(e),
            },
        };
        // On loopback the handshake has usually ended by the time the
        // first connect(2) returns: ask once before waiting.
        match outcome() {
            Err(e) if crate::wait::retryable(&e) => {}
            r => return Ok(r?),
        }
        match W::retry(s, Interest::Connect, deadline, outcome).await? {
            Some(()) => Ok(()),
            None => Err(SocketError::new(ErrorCode::Timeout, "timed out")),
        }
    }

    /// send(2).
    pub(crate) async fn send<W: Wait>(
        &mut self,
        r: Resource<HostSocket>,
        data: impl AsRef<[u8]> + Send,
        flags: MsgFlags,
    ) -> SocketResult<u64> {
        let data = data.as_ref();
        let s = self.sock(&r)?;
        let f = msg_flags(flags);
        let n = s
            .io::<W, _>(Interest::Write, flags, || s.sock.send_with_flags(data, f))
            .await?;
        Ok(n as u64)
    }

    /// send(2) until all is sent; the timeout is a deadline for the whole.
    pub(crate) async fn send_all<W: Wait>(
        &mut self,
        r: Resource<HostSocket>,
        data: impl AsRef<[u8]> + Send,
        flags: MsgFlags,
    ) -> SocketResult<()> {
        let data = data.as_ref();
        let s = self.sock(&r)?;
        let f = msg_flags(flags);
        let deadline = s.deadline(flags);
        let mut sent = 0;
        while sent < data.len() {
            let rest = &data[sent..];
            let mut op = || s.sock.send_with_flags(rest, f);
            let n = match deadline {
                Ok(d) => {
                    s.io_until::<W, _>(Interest::Write, flags, Some(d), &mut op)
                        .await?
                }
                Err(()) => s.io::<W, _>(Interest::Write, flags, op).await?,
            };
            sent += n;
        }
        Ok(())
    }

    /// sendto(2), after the policy's `connect` check of the destination.
    pub(crate) async fn send_to<W: Wait>(
        &mut self,
        r: Resource<HostSocket>,
        data: impl AsRef<[u8]> + Send,
        flags: MsgFlags,
        address: SocketAddress,
    ) -> SocketResult<u64> {
        let data = data.as_ref();
        let (s, to) = self.target(&r, &address, Use::SendTo)?;
        let f = msg_flags(flags);
        let n = s
            .io::<W, _>(Interest::Write, flags, || {
                s.sock.send_to_with_flags(data, &to.addr, f)
            })
            .await?;
        Ok(n as u64)
    }

    pub(crate) fn recv_cap(&self, max_len: u64) -> usize {
        // Capped by the host's own ceiling too: a policy built in code need
        // not have been validated, and its limit must never size a buffer
        // the host cannot allocate.
        let limit = self
            .ctx
            .policy
            .limits
            .max_recv
            .min(crate::policy::Limits::MAX_RECV);
        usize::try_from(max_len).unwrap_or(usize::MAX).min(limit)
    }

    /// recv(2). MSG_WAITALL in blocking and timeout mode keeps reading
    /// until the buffer is full, the peer closes, or the time is up.
    pub(crate) async fn recv<W: Wait>(
        &mut self,
        r: Resource<HostSocket>,
        max_len: u64,
        flags: MsgFlags,
    ) -> SocketResult<Vec<u8>> {
        let cap = self.recv_cap(max_len);
        let s = self.table.get(&r)?;
        if self.filters_datagrams(s) {
            let (buf, _) = recv_filtered::<W>(&*self.ctx, s, cap, flags).await?;
            return Ok(buf);
        }
        let f = msg_flags(flags);
        let waitall = flags.contains(MsgFlags::WAITALL) && s.deadline(flags).is_ok();
        let mut buf: Vec<u8> = Vec::with_capacity(cap);
        if !waitall {
            s.io::<W, _>(Interest::Read, flags, || {
                sys::append_read(&mut buf, cap, |b| Ok((s.sock.recv_with_flags(b, f)?, ())))
            })
            .await?;
            return Ok(buf);
        }
        let deadline = s.deadline(flags).ok().flatten();
        let f = f & !libc::MSG_WAITALL;
        while buf.len() < cap {
            let want = cap - buf.len();
            let mut op =
                || sys::append_read(&mut buf, want, |b| Ok((s.sock.recv_with_flags(b, f)?, ())));
            match s
                .io_until::<W, _>(Interest::Read, flags, Some(deadline), &mut op)
                .await
            {
                Ok((0, ())) => break,
                Ok(_) => {}
                Err(e) if !buf.is_empty() && e.code().is_some() => break,
                Err(e) => return Err(e),
            }
        }
        Ok(buf)
    }

    /// recvfrom(2).
    pub(crate) async fn recv_from<W: Wait>(
        &mut self,
        r: Resource<HostSocket>,
        max_len: u64,
        flags: MsgFlags,
    ) -> SocketResult<(Vec<u8>, Option<SocketAddress>)> {
        let cap = self.recv_cap(max_len);
        let s = self.table.get(&r)?;
        if self.filters_datagrams(s) {
            let (buf, from) = recv_filtered::<W>(&*self.ctx, s, cap, flags).await?;
            return Ok((buf, sys::from_sockaddr(&from)));
        }
        let f = msg_flags(flags);
        let mut buf: Vec<u8> = Vec::with_capacity(cap);
        let (_, from) = s
            .io::<W, _>(Interest::Read, flags, || {
                sys::append_read(&mut buf, cap, |b| s.sock.recv_from_with_flags(b, f))
            })
            .await?;
        Ok((buf, self.address_out(s, &from)))
    }

    /// Whether datagrams received on `s` must be checked per peer.
    pub(crate) fn filters_datagrams(&self, s: &HostSocket) -> bool {
        matches!(s.socket_type, SocketType::Dgram | SocketType::Raw)
            && (self.ctx.policy.udp_reply()
                || self.ctx.policy.filters_peers(Use::RecvFrom, s.transport()))
    }

    /// shutdown(2).
    pub(crate) async fn shutdown<W: Wait>(
        &mut self,
        r: Resource<HostSocket>,
        how: ShutdownHow,
    ) -> SocketResult<()> {
        let how = match how {
            ShutdownHow::Read => std::net::Shutdown::Read,
            ShutdownHow::Write => std::net::Shutdown::Write,
            ShutdownHow::Both => std::net::Shutdown::Both,
        };
        Ok(self.sock(&r)?.sock.shutdown(how)?)
    }

    /// getsockname(2).
    pub(crate) async fn local_address<W: Wait>(
        &mut self,
        r: Resource<HostSocket>,
    ) -> SocketResult<SocketAddress> {
        let s = self.sock(&r)?;
        let a = s.sock.local_addr()?;
        Ok(self
            .address_out(s, &a)
            .unwrap_or_else(|| sys::from_std(unspecified(s.family))))
    }

    /// getpeername(2).
    pub(crate) async fn remote_address<W: Wait>(
        &mut self,
        r: Resource<HostSocket>,
    ) -> SocketResult<SocketAddress> {
        let s = self.sock(&r)?;
        let a = s.sock.peer_addr()?;
        self.address_out(s, &a)
            .ok_or_else(|| SocketError::new(ErrorCode::NotConnected, ""))
    }

    /// Sets Python's mode. No system call: the descriptor follows at the
    /// next call that may wait ([`HostSocket::prepare`]).
    pub(crate) async fn set_timeout<W: Wait>(
        &mut self,
        r: Resource<HostSocket>,
        timeout: Option<u64>,
    ) -> wasmtime::Result<()> {
        self.table.get_mut(&r)?.timeout = timeout.map(Duration::from_nanos);
        Ok(())
    }

    /// Python's mode.
    pub(crate) async fn timeout<W: Wait>(
        &mut self,
        r: Resource<HostSocket>,
    ) -> wasmtime::Result<Option<u64>> {
        let t = self.table.get(&r)?.timeout;
        Ok(t.map(|d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)))
    }

    /// fcntl(F_DUPFD_CLOEXEC).
    pub(crate) async fn dup<W: Wait>(
        &mut self,
        r: Resource<HostSocket>,
    ) -> SocketResult<Resource<HostSocket>> {
        self.reserve()?;
        let s = self.sock(&r)?;
        let mut copy = HostSocket::new(
            s.sock.try_clone()?,
            s.family,
            s.socket_type,
            s.protocol,
            true,
        );
        copy.timeout = s.timeout;
        copy.unix = s.unix.clone();
        copy.nonblocking = Arc::clone(&s.nonblocking);
        self.push(copy)
    }

    /// The family given at creation.
    pub(crate) async fn family<W: Wait>(
        &mut self,
        r: Resource<HostSocket>,
    ) -> wasmtime::Result<AddressFamily> {
        Ok(self.table.get(&r)?.family)
    }

    /// The type given at creation.
    pub(crate) async fn socket_type<W: Wait>(
        &mut self,
        r: Resource<HostSocket>,
    ) -> wasmtime::Result<SocketType> {
        Ok(self.table.get(&r)?.socket_type)
    }

    /// The protocol given at creation.
    pub(crate) async fn protocol<W: Wait>(
        &mut self,
        r: Resource<HostSocket>,
    ) -> wasmtime::Result<i32> {
        Ok(self.table.get(&r)?.protocol)
    }

    /// close(2): drops the resource.
    pub(crate) async fn drop<W: Wait>(&mut self, r: Resource<HostSocket>) -> wasmtime::Result<()> {
        self.table.delete(r)?;
        self.ctx.open_sockets = self.ctx.open_sockets.saturating_sub(1);
        Ok(())
    }

    /// socketpair(2): AF_UNIX only on Linux (other families fail in the
    /// kernel). Needs no grant: the pair reaches nothing but itself.
    pub(crate) async fn socketpair<W: Wait>(
        &mut self,
        family: AddressFamily,
        socket_type: SocketType,
        protocol: i32,
    ) -> SocketResult<(Resource<HostSocket>, Resource<HostSocket>)> {
        if family != AddressFamily::Unix {
            // Linux fails IPv4/IPv6 pairs with EOPNOTSUPP (the protocol has
            // no socketpair), as CPython reports; other families EAFNOSUPPORT.
            let code = match family {
                AddressFamily::Inet | AddressFamily::Inet6 => ErrorCode::NotSupported,
                _ => ErrorCode::AddressFamilyNotSupported,
            };
            return Err(SocketError::new(
                code,
                format!("socketpair is not supported for {family:?}"),
            ));
        }
        let ty = match socket_type {
            SocketType::Raw => {
                return Err(SocketError::denied(format_args!(
                    "creating a raw {family:?} socket"
                )))
            }
            other => sys::socket_type(other).ok_or_else(|| {
                SocketError::new(
                    ErrorCode::SocketTypeNotSupported,
                    format!("socket type {other:?} is not supported for {family:?}"),
                )
            })?,
        };
        let max = self.ctx.policy.limits.max_sockets;
        if self.ctx.open_sockets.saturating_add(2) > max {
            return Err(SocketError::new(
                ErrorCode::TooManyFiles,
                format!("the policy's limit of {max} open sockets is reached"),
            ));
        }
        let nonblocking = !W::BLOCKING_FD;
        let domain =
            sys::domain(family).ok_or_else(|| SocketError::unsupported("AF_UNIX (socketpair)"))?;
        let (a, b) = sys::socketpair(domain, ty, protocol, nonblocking)?;
        let a = self.push(HostSocket::new(
            a,
            family,
            socket_type,
            protocol,
            nonblocking,
        ))?;
        let b = self.push(HostSocket::new(
            b,
            family,
            socket_type,
            protocol,
            nonblocking,
        ))?;
        Ok((a, b))
    }
}
