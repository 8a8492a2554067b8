//! The socket object itself: [`Socket`], its creation (`socket`,
//! `socketpair`, `fromfd`, `accept`, `dup`, received sockets), the handle
//! numbers that stand for file descriptors, addresses, connection calls,
//! timeouts and attributes.

use super::timeout::getdefaulttimeout;
use crate::convert::{self, Address};
use crate::error::{Error, Result};
use crate::wit;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Weak};

type WitSocket = wit::socket::Socket;

/// A socket, as Python's `socket.socket` object.
///
/// Owns the WIT `socket` resource: dropping the `Socket` (or calling
/// [`Socket::close`]) closes it, as close(2) does. Keeps Python's timeout
/// (`None` blocking, `0.0` non-blocking, `> 0` timeout mode), the
/// family, type and protocol it was created with, and its inheritable
/// flag.
///
/// `Display` is Python's `repr(sock)` (see [`Socket::repr`]).
pub struct Socket {
    pub(super) inner: Arc<WitSocket>,
    pub(super) timeout: Cell<Option<f64>>,
    pub(super) inheritable: Cell<bool>,
    pub(super) family: i32,
    pub(super) type_: i32,
    pub(super) proto: i32,
}

impl fmt::Debug for Socket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Socket")
            .field("fd", &self.fileno())
            .field("family", &self.family)
            .field("type", &self.type_)
            .field("proto", &self.proto)
            .field("timeout", &self.timeout.get())
            .finish()
    }
}

impl fmt::Display for Socket {
    /// Python's `repr(sock)` / `str(sock)`: see [`Socket::repr`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.repr())
    }
}

/// Creates a socket: socket(2) (WIT `socket.open`).
///
/// `SOCK_NONBLOCK` in `type_` gives timeout `0.0` (and `type_()` reports
/// the type without it); otherwise the socket takes
/// [`getdefaulttimeout`]. A family Linux does not have is
/// `OSError(97)`; stray flag bits in `type_` are `OSError(22)`.
pub fn socket(family: i32, type_: i32, proto: i32) -> Result<Socket> {
    // CPython takes -1 (its default) as 0.
    let proto = if proto == -1 { 0 } else { proto };
    let (base, nonblock) = convert::split_socket_type(type_)?;
    let (wfamily, wtype) = convert::socket_args_to_wit(family, base)?;
    let inner = convert::wit(WitSocket::open(wfamily, wtype, proto))?;
    let timeout = if nonblock {
        Some(0.0)
    } else {
        getdefaulttimeout()
    };
    Ok(Socket::from_parts(inner, family, base, proto, timeout))
}

thread_local! {
    /// Sockets given up by [`Socket::detach`], by handle number, with
    /// their inheritable flag, until [`Socket::from_fileno`] takes one back
    /// (the host socket stays open meanwhile, as a detached descriptor
    /// does).
    static DETACHED: RefCell<HashMap<u32, (Arc<WitSocket>, bool)>> = Default::default();
    /// Every open [`Socket`] by handle number (Python's file descriptors),
    /// for [`fromfd`]; an entry whose socket was closed no longer upgrades
    /// (and a new socket with the same number replaces it).
    static OPEN: RefCell<HashMap<u32, Weak<WitSocket>>> = Default::default();
}

fn bad_fd() -> Error {
    Error::from_errno(9)
}

/// Python's `fromfd(fd, family, type, proto)`: a new socket on a
/// duplicate of the handle `fd` (WIT `socket.dup`; CPython calls dup(2),
/// F_DUPFD_CLOEXEC): `fd` is an open socket's [`Socket::fileno`] or a
/// handle from [`Socket::detach`]. As with a duplicated descriptor,
/// closing either socket leaves the other open; the detached handle stays
/// available to [`Socket::from_fileno`]. The new socket takes `family`,
/// `type_` and `proto` as given, the default timeout, and is not
/// inheritable. Any other number is `OSError(9)` (what dup(2) gives for a
/// descriptor that is not open; the guest holds no other descriptors).
pub fn fromfd(fd: i32, family: i32, type_: i32, proto: i32) -> Result<Socket> {
    let (base, _) = convert::split_socket_type(type_)?;
    let handle = u32::try_from(fd).map_err(|_| bad_fd())?;
    let source = DETACHED
        .with(|d| d.borrow().get(&handle).map(|(s, _)| s.clone()))
        .or_else(|| OPEN.with(|o| o.borrow().get(&handle).and_then(Weak::upgrade)))
        .ok_or_else(bad_fd)?;
    let inner = convert::wit(source.dup())?;
    Ok(Socket::from_parts(
        inner,
        family,
        base,
        proto,
        getdefaulttimeout(),
    ))
}

/// Creates a pair of connected sockets: socketpair(2) (WIT
/// `socket.socketpair`). Python's default is `(AF_UNIX, SOCK_STREAM, 0)`;
/// both ends take [`getdefaulttimeout`].
pub fn socketpair(family: i32, type_: i32, proto: i32) -> Result<(Socket, Socket)> {
    let (base, nonblock) = convert::split_socket_type(type_)?;
    let (wfamily, wtype) = convert::socket_args_to_wit(family, base)?;
    let (a, b) = convert::wit(wit::socket::socketpair(wfamily, wtype, proto))?;
    let timeout = if nonblock {
        Some(0.0)
    } else {
        getdefaulttimeout()
    };
    Ok((
        Socket::from_parts(a, family, base, proto, timeout),
        Socket::from_parts(b, family, base, proto, timeout),
    ))
}

impl Socket {
    /// Wraps a new WIT socket (not inheritable, as CPython creates every
    /// socket) and applies `timeout` to it.
    fn from_parts(
        inner: WitSocket,
        family: i32,
        type_: i32,
        proto: i32,
        timeout: Option<f64>,
    ) -> Socket {
        Socket::from_shared(Arc::new(inner), family, type_, proto, timeout, false)
    }

    /// Wraps a WIT socket, registers its handle for [`fromfd`] and applies
    /// `timeout` to it.
    fn from_shared(
        inner: Arc<WitSocket>,
        family: i32,
        type_: i32,
        proto: i32,
        timeout: Option<f64>,
        inheritable: bool,
    ) -> Socket {
        if timeout.is_some() {
            inner.set_timeout(convert::timeout_to_wit(timeout));
        }
        OPEN.with(|o| {
            let mut o = o.borrow_mut();
            o.retain(|_, s| s.strong_count() > 0);
            o.insert(inner.handle(), Arc::downgrade(&inner));
        });
        Socket {
            inner,
            timeout: Cell::new(timeout),
            inheritable: Cell::new(inheritable),
            family,
            type_,
            proto,
        }
    }

    /// A socket received with SCM_RIGHTS: its family, type and protocol
    /// come from the host; it takes the default timeout. Inheritable, as a
    /// descriptor received without MSG_CMSG_CLOEXEC is (the caller clears
    /// the flag when it asked for MSG_CMSG_CLOEXEC).
    pub(crate) fn from_received(inner: WitSocket) -> Socket {
        Socket::from_host(Arc::new(inner), true)
    }

    /// A WIT socket whose family, type and protocol come from the host,
    /// with the default timeout.
    fn from_host(inner: Arc<WitSocket>, inheritable: bool) -> Socket {
        let family = convert::family_from_wit(inner.family());
        let type_ = convert::type_from_wit(inner.socket_type());
        let proto = inner.protocol();
        Socket::from_shared(
            inner,
            family,
            type_,
            proto,
            getdefaulttimeout(),
            inheritable,
        )
    }

    /// The WIT resource (for control messages and poll).
    pub(crate) fn wit_handle(&self) -> &WitSocket {
        &self.inner
    }

    pub(super) fn addr(
        &self,
        address: impl Into<Address>,
        caller: &str,
    ) -> Result<wit::types::SocketAddress> {
        convert::address_to_wit(&address.into(), self.family, self.proto, caller)
    }

    /// Binds the socket to a local address: bind(2) (WIT `socket.bind`).
    ///
    /// Names are resolved as CPython does (see [`Address`]). The host may
    /// refuse the address (`PermissionError`, errno 13).
    pub fn bind(&self, address: impl Into<Address>) -> Result<()> {
        let addr = self.addr(address, "bind")?;
        convert::wit(self.inner.bind(&addr))
    }

    /// Marks the socket as accepting connections: listen(2) (WIT
    /// `socket.listen`). A negative backlog is taken as 0, as CPython does.
    /// The host may refuse the bound address (`PermissionError`, errno 13)
    /// and caps the backlog.
    pub fn listen(&self, backlog: i32) -> Result<()> {
        convert::wit(self.inner.listen(backlog.max(0)))
    }

    /// `listen()` without an argument: listen(2) with Python's default
    /// backlog, `min(SOMAXCONN, 128)`.
    pub fn listen_default(&self) -> Result<()> {
        self.listen(crate::constants::SOMAXCONN.min(128))
    }

    /// Accepts a connection: accept4(2) (WIT `socket.accept`). Waits per
    /// the socket's mode. The new socket takes [`getdefaulttimeout`]
    /// (blocking when there is none) and this socket's family, type and
    /// protocol; the address is the peer's.
    pub fn accept(&self) -> Result<(Socket, Address)> {
        let (sock, addr) = convert::wit(self.inner.accept())?;
        let sock = Socket::from_parts(
            sock,
            self.family,
            self.type_,
            self.proto,
            getdefaulttimeout(),
        );
        Ok((sock, convert::address_from_wit(addr)))
    }

    /// Connects to a remote address: connect(2) (WIT `socket.connect`).
    ///
    /// Blocking mode waits for the outcome, timeout mode raises
    /// `TimeoutError('timed out')`, non-blocking mode raises
    /// `BlockingIOError(115)`. The host may refuse the destination
    /// (`PermissionError`, errno 13).
    pub fn connect(&self, address: impl Into<Address>) -> Result<()> {
        let addr = self.addr(address, "connect")?;
        convert::wit(self.inner.connect(&addr))
    }

    /// Python's `connect_ex`: connect(2) (WIT `socket.connect`), returning
    /// the errno instead of raising for OS errors: 0 on success, 115
    /// (EINPROGRESS) for a non-blocking connect in progress, 11 (EAGAIN)
    /// when the socket's timeout expires, 13 (EACCES) when the host's policy
    /// refuses the destination (what CPython returns when the kernel's
    /// firewall refuses it). Address errors (`gaierror`, `TypeError`…) are
    /// still raised.
    pub fn connect_ex(&self, address: impl Into<Address>) -> Result<i32> {
        let addr = self.addr(address, "connect_ex")?;
        match convert::wit(self.inner.connect(&addr)) {
            Ok(()) => Ok(0),
            Err(e) if e.kind() == crate::error::ErrorKind::TimeoutError && e.errno().is_none() => {
                Ok(11)
            }
            Err(e) => match (e.kind(), e.errno()) {
                (crate::error::ErrorKind::Gaierror | crate::error::ErrorKind::Herror, _) => Err(e),
                (_, Some(errno)) if errno > 0 => Ok(errno),
                _ => Err(e),
            },
        }
    }

    /// Shuts down one or both directions: shutdown(2) (WIT
    /// `socket.shutdown`); `how` is `SHUT_RD`, `SHUT_WR` or `SHUT_RDWR`.
    pub fn shutdown(&self, how: i32) -> Result<()> {
        let how = convert::shutdown_to_wit(how)?;
        convert::wit(self.inner.shutdown(how))
    }

    /// The socket's own address: getsockname(2) (WIT
    /// `socket.local-address`).
    pub fn getsockname(&self) -> Result<Address> {
        convert::wit(self.inner.local_address()).map(convert::address_from_wit)
    }

    /// The connected peer's address: getpeername(2) (WIT
    /// `socket.remote-address`).
    pub fn getpeername(&self) -> Result<Address> {
        convert::wit(self.inner.remote_address()).map(convert::address_from_wit)
    }

    /// Sets the mode (WIT `socket.set-timeout`; on Linux CPython uses
    /// fcntl(2) O_NONBLOCK plus poll(2)): `None` blocking, `Some(0.0)`
    /// non-blocking, `Some(t)` timeout mode. Negative is
    /// `ValueError('Timeout value out of range')`.
    pub fn settimeout(&self, timeout: Option<f64>) -> Result<()> {
        let timeout = convert::check_timeout(timeout)?;
        self.inner.set_timeout(convert::timeout_to_wit(timeout));
        self.timeout.set(timeout);
        Ok(())
    }

    /// The timeout in seconds, `None` for blocking (Python's `gettimeout`;
    /// kept by the guest, no system call; WIT `socket.timeout` holds the
    /// same mode).
    pub fn gettimeout(&self) -> Option<f64> {
        self.timeout.get()
    }

    /// `setblocking(True)` is `settimeout(None)`, `setblocking(False)` is
    /// `settimeout(0.0)` (WIT `socket.set-timeout`; fcntl(2) O_NONBLOCK).
    pub fn setblocking(&self, flag: bool) -> Result<()> {
        self.settimeout(if flag { None } else { Some(0.0) })
    }

    /// False only in non-blocking mode, timeout `0.0` (Python's
    /// `getblocking`; no system call — CPython reads fcntl(2) O_NONBLOCK).
    pub fn getblocking(&self) -> bool {
        self.timeout.get() != Some(0.0)
    }

    /// The `AF_*` family the socket was created with (Python's `family`
    /// attribute; kept by the guest, the same as WIT `socket.family` /
    /// getsockopt(SO_DOMAIN)).
    pub fn family(&self) -> i32 {
        self.family
    }

    /// The `SOCK_*` type the socket was created with, without
    /// `SOCK_NONBLOCK` / `SOCK_CLOEXEC` (Python's `type` attribute; kept by
    /// the guest, the same as WIT `socket.socket-type` /
    /// getsockopt(SO_TYPE)).
    pub fn type_(&self) -> i32 {
        self.type_
    }

    /// The protocol number the socket was created with, 0 for the default
    /// (Python's `proto` attribute; kept by the guest — WIT
    /// `socket.protocol`, getsockopt(SO_PROTOCOL), would give the resolved
    /// number instead).
    pub fn proto(&self) -> i32 {
        self.proto
    }

    /// A second socket on the same open file: dup(2) (WIT `socket.dup`).
    /// The copy has this socket's timeout, as in CPython.
    pub fn dup(&self) -> Result<Socket> {
        let inner = convert::wit(self.inner.dup())?;
        Ok(Socket::from_parts(
            inner,
            self.family,
            self.type_,
            self.proto,
            self.timeout.get(),
        ))
    }

    /// Closes the socket: close(2) (dropping the WIT resource). Dropping a
    /// `Socket` does the same.
    pub fn close(self) {
        drop(self)
    }

    /// The WIT resource handle number standing in for the file descriptor
    /// (the guest never sees host descriptors).
    pub fn fileno(&self) -> i32 {
        self.inner.handle() as i32
    }

    /// Python's `get_inheritable()`: whether the descriptor would survive
    /// an exec (fcntl(2) F_GETFD, no FD_CLOEXEC). A guest cannot exec, so
    /// the flag is only recorded, per handle, by the guest (no system
    /// call): `false` for every socket the crate creates (as CPython's
    /// sockets, created with SOCK_CLOEXEC; also after `accept`, `dup` and
    /// [`fromfd`]), `true` for sockets received with SCM_RIGHTS unless
    /// MSG_CMSG_CLOEXEC was given; [`Socket::detach`] and
    /// [`Socket::from_fileno`] keep it.
    pub fn get_inheritable(&self) -> bool {
        self.inheritable.get()
    }

    /// Python's `set_inheritable(flag)`: sets the flag
    /// [`Socket::get_inheritable`] reports (CPython: fcntl(2) F_SETFD). It
    /// changes nothing else: a guest has no exec for it to matter to.
    pub fn set_inheritable(&self, inheritable: bool) {
        self.inheritable.set(inheritable);
    }

    /// Python's `repr(sock)` (3.11, Linux):
    /// `<socket.socket fd=3, family=2, type=1, proto=0, laddr=('127.0.0.1', 5000), raddr=('127.0.0.1', 40000)>`.
    ///
    /// `fd` is [`Socket::fileno`]; family and type are numbers, as CPython
    /// 3.11 prints its enums there. `laddr` is getsockname(2) and `raddr`
    /// getpeername(2) (WIT `socket.local-address`, `socket.remote-address`),
    /// each left out when the call fails or the address is empty (an
    /// unbound unix socket's `''`, a peer that is not connected), written
    /// as Python's `str()` of the address (a unix path without quotes, an
    /// abstract name as `bytes`). CPython's `[closed]` form (`fd=-1`) has
    /// no counterpart: a closed `Socket` no longer exists
    /// ([`Socket::close`] and [`Socket::detach`] take it by value).
    pub fn repr(&self) -> String {
        let mut s = format!(
            "<socket.socket fd={}, family={}, type={}, proto={}",
            self.fileno(),
            self.family,
            self.type_,
            self.proto
        );
        let shown = |a: Address| match a {
            Address::None => None,
            Address::Unix(p) if p.is_empty() => None,
            Address::Unix(p) if p.first() != Some(&0) => {
                Some(String::from_utf8_lossy(&p).into_owned())
            }
            other => Some(other.to_string()),
        };
        if let Some(l) = self.getsockname().ok().and_then(shown) {
            s.push_str(&format!(", laddr={l}"));
        }
        if let Some(r) = self.getpeername().ok().and_then(shown) {
            s.push_str(&format!(", raddr={r}"));
        }
        s.push('>');
        s
    }

    /// Python's `detach()`: gives up this socket object without closing
    /// the host socket and returns its handle number (Python's file
    /// descriptor), which [`Socket::from_fileno`] and [`fromfd`] accept.
    pub fn detach(self) -> i32 {
        let Socket {
            inner, inheritable, ..
        } = self;
        let h = inner.handle();
        DETACHED.with(|d| d.borrow_mut().insert(h, (inner, inheritable.get())));
        h as i32
    }

    /// Python's `socket(fileno=fd)` for a handle from [`Socket::detach`]:
    /// takes it back, with the family, type and protocol the host reports
    /// (WIT `socket.family`, `socket.socket-type`, `socket.protocol`), the
    /// default timeout and the inheritable flag it had (the same
    /// descriptor). A negative number is
    /// `ValueError('negative file descriptor')`, as in CPython; any other
    /// number is `OSError(9)`.
    pub fn from_fileno(fd: i32) -> Result<Socket> {
        if fd < 0 {
            return Err(Error::value("negative file descriptor"));
        }
        let (inner, inheritable) = u32::try_from(fd)
            .ok()
            .and_then(|h| DETACHED.with(|d| d.borrow_mut().remove(&h)))
            .ok_or_else(bad_fd)?;
        Ok(Socket::from_host(inner, inheritable))
    }
}
