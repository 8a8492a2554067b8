//! The socket resource and the core of every socket call: policy check,
//! then the system call, waiting per the socket's mode only on EAGAIN.
//!
//! Each operation is an `async fn` generic over a [`Wait`] strategy; the
//! async bindings await it with [`Reactor`](crate::net::wait::Reactor) and the
//! sync bindings run it with [`Blocking`](crate::net::wait::Blocking).
//!
//! Here: [`HostSocket`], the helpers every call shares, and the calls that
//! neither move data nor make sockets (bind, listen, shutdown, names,
//! timeouts, drop). Its private children: `open` (open, dup, socketpair),
//! `data` (accept, connect, send*, recv*), `guard` (the policy's per-socket
//! state and checks).

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

mod data;
mod guard;
mod open;
pub(crate) use guard::{explain_drops, flood_pause, peer_allowed, sent, throttle};

/// A guest's socket: the host socket plus what the guest sees of it.
///
/// The descriptor is non-blocking at the OS level, and waits are emulated
/// per Python's mode, except in the sync embedding while the guest's socket
/// is in blocking mode: there the descriptor is blocking too and each call
/// is the one system call CPython makes (see `Wait::BLOCKING_FD`).
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

    /// Whether a receiving call (recv, recvfrom, accept) that may wait
    /// should wait for readiness before its system call instead of trying
    /// it first: in timeout mode under a blocking strategy (poll(2)), and
    /// in blocking or timeout mode under the reactor (tokio's readiness,
    /// which needs no system call when an event already came).
    /// Trying first costs one call when the data is there and three
    /// (attempt, wait, retry) when it is not; CPython always polls first
    /// (two). A socket whose last calls all had to wait (request and reply)
    /// waits first, and tries first again on every 16th call to notice when
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
        let dontwait = flags.contains(MsgFlags::DONTWAIT);
        let timeout_mode = self.timeout.is_some_and(|t| !t.is_zero()) && !dontwait;
        // Under the reactor a blocking-mode socket waits too (its
        // descriptor is non-blocking); under poll(2) only timeout mode
        // does (blocking mode waits in the system call itself).
        let waits = if W::BLOCKING_FD {
            timeout_mode
        } else {
            self.timeout != Some(Duration::ZERO) && !dontwait
        };
        if adapt && waits && self.poll_first() {
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
    /// addresses go through the IP rules (`guard.rs`: `checked`).
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
}
