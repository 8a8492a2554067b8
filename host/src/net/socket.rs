//! The socket resource and the core of every socket call: policy check,
//! then the system call, waiting per the socket's mode only on EAGAIN.
//!
//! Each operation is an `async fn` generic over a [`Wait`] strategy; the
//! async bindings await it with [`Reactor`](crate::net::wait::Reactor) and the
//! sync bindings run it with [`Blocking`](crate::net::wait::Blocking).

use crate::ctx::WasockCtxView;
use crate::net::wait::Wait;
use crate::policy::{Transport, Use};
use crate::sys::{self, Interest};
use crate::types::errors::ErrorCode;
use crate::types::names;
use crate::types::types::{
    AddressFamily, MsgFlags, ShutdownHow, SocketAddress, SocketType, UnixAddress,
};
use crate::types::{SocketError, SocketResult};
use socket2::{SockAddr, Socket};
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};
use tokio::io::unix::AsyncFd;
use wasmtime::component::Resource;

mod guard;
use guard::recv_filtered;
pub(crate) use guard::{explain_drops, flood_pause, peer_allowed, sent, throttle};

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
    /// What the policy remembers about this socket.
    guard: guard::Guard,
    /// AF_UNIX: the name it bound (see `unix.rs`).
    unix: crate::net::unix::UnixState,
    /// Received with SCM_RIGHTS: its sender may still hold it (and
    /// connect it elsewhere), so its peer is judged again before sends.
    adopted: bool,
}

impl crate::net::wait::Waitable for HostSocket {
    fn raw_fd(&self) -> std::os::fd::RawFd {
        std::os::fd::AsRawFd::as_raw_fd(&self.sock)
    }

    fn async_fd(&self) -> io::Result<Option<&AsyncFd<sys::Fd>>> {
        HostSocket::async_fd(self)
    }
}

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
            guard: guard::Guard::default(),
            unix: Default::default(),
            adopted: false,
        }
    }

    /// This socket, marked as received with SCM_RIGHTS.
    pub(crate) fn adopted(mut self) -> Self {
        self.adopted = true;
        self
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
        let want = !(W::BLOCKING_FD
            && self.timeout.is_none()
            && crate::net::wait::wall_deadline().is_none());
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
        let std = crate::net::address::to_std(addr);
        match (self.family, std) {
            (AddressFamily::Inet, Some(a @ SocketAddr::V4(_)))
            | (AddressFamily::Inet6, Some(a @ SocketAddr::V6(_))) => Ok(a),
            _ => Err(SocketError::new(
                ErrorCode::AddressFamilyNotSupported,
                format!(
                    "address family does not match the socket's ({})",
                    names::family(self.family)
                ),
            )),
        }
    }
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

/// As [`msg_flags`], for the receiving calls: without MSG_NOSIGNAL,
/// which only sends need and which packet sockets refuse (EINVAL).
pub(crate) fn recv_flags(f: MsgFlags) -> i32 {
    msg_flags(f) & !libc::MSG_NOSIGNAL
}

fn unspecified(family: AddressFamily) -> SocketAddr {
    match family {
        AddressFamily::Inet6 => SocketAddr::new(IpAddr::V6(Ipv6Addr::UNSPECIFIED), 0),
        _ => SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0),
    }
}

impl WasockCtxView<'_> {
    /// Refuses a payload the kernel would take as a change to the host
    /// (netlink requests that write) or that addresses a generic netlink
    /// family the policy does not grant; see `netlink_guard`. In learn
    /// mode, the generic netlink families addressed are learnt.
    pub(crate) fn check_payload(&self, s: &HostSocket, buffers: &[&[u8]]) -> SocketResult<()> {
        if !matches!(s.family, AddressFamily::Netlink) {
            return Ok(());
        }
        let recorder = self.ctx.recorder.as_deref();
        let learning = recorder.is_some_and(crate::policy::Recorder::is_learning);
        let mut used = |name: &str| {
            if let Some(r) = recorder {
                r.learn_genl(name);
            }
        };
        crate::net::netlink_guard::check(&self.ctx.policy, s.protocol, buffers, learning, &mut used)
    }

    pub(crate) fn sock(&self, r: &Resource<HostSocket>) -> SocketResult<&HostSocket> {
        Ok(self.table.get(r)?)
    }

    /// The socket and the kernel address it may use for `use_`: AF_UNIX
    /// names resolve in `unix.rs` (never through the IP rules), IP
    /// addresses go through the IP rules (`socket_guard.rs`: `checked`).
    pub(crate) fn target(
        &self,
        r: &Resource<HostSocket>,
        address: &SocketAddress,
        use_: Use,
    ) -> SocketResult<(&HostSocket, crate::net::unix::Resolved)> {
        let s = self.sock(r)?;
        if s.family == AddressFamily::Unix {
            let resolved = crate::net::unix::resolve(&self.ctx.policy, address, use_)?;
            match (&self.ctx.recorder, address) {
                (Some(r), SocketAddress::Unix(UnixAddress::Abstract(name))) => {
                    r.learn_abstract(name)
                }
                (Some(r), SocketAddress::Unix(UnixAddress::Pathname(path))) if !path.is_empty() => {
                    r.learn_unix_path(use_, path)
                }
                _ => {}
            }
            return Ok((s, resolved));
        }
        if !matches!(s.family, AddressFamily::Inet | AddressFamily::Inet6) {
            // The family's grant covers its addresses (families.rs).
            let address = crate::net::families::with_socket_protocol(s.family, s.protocol, address);
            let a = crate::net::families::to_sockaddr(&self.ctx.interfaces, s.family, &address)?;
            return Ok((s, crate::net::unix::Resolved::plain(a)));
        }
        let (s, addr) = self.checked(r, address, use_)?;
        Ok((s, crate::net::unix::Resolved::plain(SockAddr::from(addr))))
    }

    /// A kernel address as the guest sees it (`None`: the kernel gave none).
    pub(crate) fn address_out(&self, s: &HostSocket, a: &SockAddr) -> Option<SocketAddress> {
        match sys::unix_name(a) {
            Some(n) if s.family == AddressFamily::Unix => {
                crate::net::unix::name_out(&self.ctx.policy, Some(&s.unix), n)
                    .map(SocketAddress::Unix)
            }
            _ => crate::net::address::from_sockaddr(a).or_else(|| {
                crate::net::families::from_sockaddr(&self.ctx.interfaces, a, s.protocol)
            }),
        }
    }

    pub(crate) fn push(&mut self, s: HostSocket) -> SocketResult<Resource<HostSocket>> {
        let r = self.table.push(s)?;
        self.ctx.open_sockets += 1;
        Ok(r)
    }

    /// Refuses a new socket past the policy's limit, counting the
    /// wasi:sockets sockets of the same table when the policy enables them.
    pub(crate) fn reserve(&mut self) -> SocketResult<()> {
        let max = self.ctx.policy.limits.max_sockets;
        let wasi = if self.ctx.policy.wasi_sockets_allowed() {
            crate::ctx::wasi_sockets_in(self.table)
        } else {
            0
        };
        if self.ctx.open_sockets + self.ctx.sent_sockets + wasi >= max {
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
        {
            let d = self.ctx.policy.decide_family(family, socket_type, protocol);
            let fam = crate::policy::debug_name(family).to_ascii_lowercase();
            let subject = format!(
                "{fam} {} socket (protocol {protocol})",
                crate::policy::debug_name(socket_type).to_ascii_lowercase()
            );
            let proto = protocol.to_string();
            let learn = match (family, socket_type) {
                (AddressFamily::Inet | AddressFamily::Inet6, SocketType::Raw) => {
                    Some(("raw", proto.as_str()))
                }
                (AddressFamily::Inet | AddressFamily::Inet6 | AddressFamily::Unix, _) => None,
                (AddressFamily::Netlink, _) => Some(("netlink", proto.as_str())),
                _ => Some(("family", fam.as_str())),
            };
            self.ctx.decide_grant("create", &subject, d, learn)?;
        }
        let domain = crate::net::address::domain(family).ok_or_else(|| {
            SocketError::new(
                ErrorCode::AddressFamilyNotSupported,
                format!(
                    "address family {} is not supported by this host",
                    names::family(family)
                ),
            )
        })?;
        let ty = crate::net::address::socket_type(socket_type).ok_or_else(|| {
            SocketError::new(
                ErrorCode::SocketTypeNotSupported,
                format!(
                    "socket type {} is not supported for {}",
                    names::socket_type(socket_type),
                    names::family(family)
                ),
            )
        })?;
        // Any protocol number goes to the kernel, which judges it as for
        // CPython (IPPROTO_MPTCP is 262; AF_PACKET takes an Ethernet type
        // in network byte order): EPROTONOSUPPORT or EINVAL from socket(2).
        self.reserve()?;
        let nonblocking = !W::BLOCKING_FD;
        let sock = sys::open(
            domain,
            ty,
            crate::net::families::kernel_protocol(&self.ctx.interfaces, family, protocol),
            nonblocking,
        )?;
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
        if let Err(e) = s.sock.bind(&to.addr) {
            if e.raw_os_error() == Some(libc::EADDRINUSE) && !to.guest.is_empty() {
                // The most common surprise with AF_UNIX paths.
                return Err(SocketError::new(
                    ErrorCode::AddressInUse,
                    format!(
                        "AF_UNIX path {} exists: a socket file stays after its socket is closed; remove it on the host (it lies beneath the granted directory) before binding the name again, or bind another name",
                        crate::net::unix::show(&to.guest)
                    ),
                ));
            }
            return Err(e.into());
        }
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
        if !matches!(s.family, AddressFamily::Inet | AddressFamily::Inet6) {
            // AF_UNIX names were checked at bind (listen never autobinds);
            // other families' grants cover their addresses (vsock listens).
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
        // With a recorder every peer is judged, so that the audit log and a
        // learnt policy have the accepts an open policy would not check.
        let filter = ctx.recorder.is_some() || ctx.policy.filters_peers(Use::Accept, s.transport());
        // A denied peer's connection is closed at once and accept keeps
        // waiting (in this call when the descriptor blocks, else through
        // the wait strategy, which honours the timeout).
        let (sock, peer) = s
            .io::<W, _>(Interest::Read, MsgFlags::empty(), || {
                let mut dropped = 0;
                loop {
                    let (c, peer) = sys::accept(&s.sock, !W::BLOCKING_FD)?;
                    if !filter || peer_allowed(ctx, s, Use::Accept, &peer) {
                        return Ok((c, peer));
                    }
                    drop(c);
                    if flood_pause(s, &mut dropped) {
                        return Err(io::Error::from(io::ErrorKind::WouldBlock));
                    }
                }
            })
            .await?;
        let (family, socket_type, protocol) = (s.family, s.socket_type, s.protocol);
        let peer = self
            .address_out(s, &peer)
            .unwrap_or_else(|| crate::net::address::from_std(unspecified(family)));
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
        if s.socket_type != SocketType::Stream && s.family != AddressFamily::Unix {
            if let Some(a) = to.addr.as_socket() {
                self.check_connected_sends(s, a)?;
            }
        }
        s.prepare::<W>()?;
        let e = match s.sock.connect(&to.addr) {
            Ok(()) => return Ok(()),
            Err(e) => e,
        };
        if s.family == AddressFamily::Unix
            && e.kind() == io::ErrorKind::WouldBlock
            && s.timeout.is_none()
        {
            return crate::net::unix::connect_when_backlog_frees::<W>(&s.sock, &to.addr).await;
        }
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
            Err(e) if crate::net::wait::retryable(&e) => {}
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
        let s = self.table.get(&r)?;
        self.check_payload(s, &[data])?;
        self.check_adopted_send(s)?;
        throttle::<W>(self.ctx, s, flags, None).await?;
        let f = msg_flags(flags);
        let n = s
            .io::<W, _>(Interest::Write, flags, || s.sock.send_with_flags(data, f))
            .await?;
        sent(self.ctx, n);
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
        let s = self.table.get(&r)?;
        self.check_payload(s, &[data])?;
        self.check_adopted_send(s)?;
        let f = msg_flags(flags);
        let deadline = s.deadline(flags);
        let mut sent = 0;
        while sent < data.len() {
            throttle::<W>(self.ctx, s, flags, deadline.ok()).await?;
            let rest = &data[sent..];
            let mut op = || s.sock.send_with_flags(rest, f);
            let n = match deadline {
                Ok(d) => {
                    s.io_until::<W, _>(Interest::Write, flags, Some(d), &mut op)
                        .await?
                }
                Err(()) => s.io::<W, _>(Interest::Write, flags, op).await?,
            };
            self::sent(self.ctx, n);
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
        let use_ = self.send_use(&r)?;
        let (s, to) = self.target(&r, &address, use_)?;
        self.check_payload(s, &[data])?;
        self.fast_open(use_, flags)?;
        throttle::<W>(self.ctx, s, flags, None).await?;
        let f = msg_flags(flags);
        let n = s
            .io::<W, _>(Interest::Write, flags, || {
                s.sock.send_to_with_flags(data, &to.addr, f)
            })
            .await?;
        sent(self.ctx, n);
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
    ///
    /// A request for 0 bytes returns nothing at once without a system call,
    /// as CPython's `recv` and `recv_into` do (on Linux a zero-length
    /// recv(2) waits for data on a stream, and takes a datagram off the
    /// queue on a datagram socket).
    pub(crate) async fn recv<W: Wait>(
        &mut self,
        r: Resource<HostSocket>,
        max_len: u64,
        flags: MsgFlags,
    ) -> SocketResult<Vec<u8>> {
        let cap = self.recv_cap(max_len);
        let s = self.table.get(&r)?;
        if max_len == 0 {
            return Ok(Vec::new());
        }
        if self.filters_datagrams(s) {
            let (buf, _) = recv_filtered::<W>(&*self.ctx, s, cap, flags).await?;
            return Ok(buf);
        }
        let f = recv_flags(flags);
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

    /// recvfrom(2). A request for 0 bytes is passed on as CPython passes
    /// it: the call waits per the mode for data (a stream) or a datagram,
    /// which it consumes.
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
            return Ok((buf, self.address_out(s, &from)));
        }
        let f = recv_flags(flags);
        let mut buf: Vec<u8> = Vec::with_capacity(cap);
        let (_, from) = s
            .io::<W, _>(Interest::Read, flags, || {
                sys::append_read(&mut buf, cap, |b| s.sock.recv_from_with_flags(b, f))
            })
            .await?;
        Ok((buf, self.address_out(s, &from)))
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
        let out = self
            .address_out(s, &a)
            .unwrap_or_else(|| crate::net::address::from_std(unspecified(s.family)));
        // A packet socket the host created with protocol 0 in the guest's
        // stead (`families::kernel_protocol`) shows the guest's protocol,
        // as the socket it asked for would.
        Ok(crate::net::families::with_socket_protocol(s.family, s.protocol, &out).into_owned())
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
        if matches!(family, AddressFamily::Inet | AddressFamily::Inet6) {
            return Err(inet_socketpair(family, socket_type, protocol));
        }
        if family != AddressFamily::Unix {
            return Err(SocketError::new(
                ErrorCode::AddressFamilyNotSupported,
                format!("socketpair is not supported for {}", names::family(family)),
            ));
        }
        let ty = match socket_type {
            SocketType::Raw => {
                return Err(SocketError::denied(format_args!(
                    "creating a raw {} socket",
                    names::family(family)
                )))
            }
            other => crate::net::address::socket_type(other).ok_or_else(|| {
                SocketError::new(
                    ErrorCode::SocketTypeNotSupported,
                    format!(
                        "socket type {} is not supported for {}",
                        names::socket_type(other),
                        names::family(family)
                    ),
                )
            })?,
        };
        let max = self.ctx.policy.limits.max_sockets;
        let wasi = if self.ctx.policy.wasi_sockets_allowed() {
            crate::ctx::wasi_sockets_in(self.table)
        } else {
            0
        };
        if self.ctx.open_sockets + self.ctx.sent_sockets + wasi + 2 > max {
            return Err(SocketError::new(
                ErrorCode::TooManyFiles,
                format!("the policy's limit of {max} open sockets is reached"),
            ));
        }
        let nonblocking = !W::BLOCKING_FD;
        let domain = crate::net::address::domain(family).ok_or_else(|| {
            SocketError::new(ErrorCode::AddressFamilyNotSupported, "AF_UNIX (socketpair)")
        })?;
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

/// The error socketpair(2) gives for an IP family, as the kernel reports
/// it: it creates both sockets (checking type and protocol as socket(2)
/// does: EINVAL, EPROTONOSUPPORT, ESOCKTNOSUPPORT) and then refuses with
/// EOPNOTSUPP, since no IP protocol pairs sockets. Nothing outlives the
/// call. Raw sockets are refused by the policy before the kernel is asked,
/// as `open` refuses them.
fn inet_socketpair(family: AddressFamily, socket_type: SocketType, protocol: i32) -> SocketError {
    if socket_type == SocketType::Raw {
        return SocketError::denied(format_args!(
            "creating a raw {} socket",
            names::family(family)
        ));
    }
    let Some(domain) = crate::net::address::domain(family) else {
        return SocketError::new(ErrorCode::AddressFamilyNotSupported, "");
    };
    match sys::socketpair_raw_type(
        domain,
        crate::net::address::socket_type_number(socket_type),
        protocol,
    ) {
        Err(e) => e.into(),
        // No IP protocol has socketpair; both sockets close here.
        Ok(_) => SocketError::new(ErrorCode::NotSupported, "socketpair"),
    }
}
