//! The socket object: Python's `socket.socket`, over the WIT `socket`
//! resource.

use crate::convert::{self, Address, OptValue};
use crate::error::{Error, Result};
use crate::wit;
use crate::wit::recvbuf;
use crate::{getdefaulttimeout, Ancillary};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::fmt;
use std::io;
use std::sync::{Arc, Weak};
use wit::options::RawOptionValue;

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
    inner: Arc<WitSocket>,
    timeout: Cell<Option<f64>>,
    inheritable: Cell<bool>,
    family: i32,
    type_: i32,
    proto: i32,
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

    fn addr(&self, address: impl Into<Address>, caller: &str) -> Result<wit::types::SocketAddress> {
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
        self.listen(crate::SOMAXCONN.min(128))
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
            Err(e) if e.kind() == crate::ErrorKind::TimeoutError && e.errno().is_none() => Ok(11),
            Err(e) => match (e.kind(), e.errno()) {
                (crate::ErrorKind::Gaierror | crate::ErrorKind::Herror, _) => Err(e),
                (_, Some(errno)) if errno > 0 => Ok(errno),
                _ => Err(e),
            },
        }
    }

    /// Sends data: send(2) (WIT `socket.send`). Returns the number of bytes
    /// sent, which may be fewer than given.
    pub fn send(&self, data: &[u8]) -> Result<usize> {
        self.send_flags(data, 0)
    }

    /// `send(data, flags)`: send(2) with `MSG_*` flags (WIT `socket.send`).
    pub fn send_flags(&self, data: &[u8], flags: i32) -> Result<usize> {
        let n = convert::wit(self.inner.send(data, convert::msg_flags_to_wit(flags)))?;
        Ok(n as usize)
    }

    /// Sends all of `data`, calling send(2) until done (WIT
    /// `socket.send-all`). In timeout mode the timeout bounds the whole
    /// call.
    pub fn sendall(&self, data: &[u8]) -> Result<()> {
        self.sendall_flags(data, 0)
    }

    /// `sendall(data, flags)`: send(2) until done, with `MSG_*` flags (WIT
    /// `socket.send-all`).
    pub fn sendall_flags(&self, data: &[u8], flags: i32) -> Result<()> {
        convert::wit(self.inner.send_all(data, convert::msg_flags_to_wit(flags)))
    }

    /// Sends a datagram to an address: sendto(2) (WIT `socket.send-to`).
    /// The host may refuse the destination (`PermissionError`, errno 13).
    pub fn sendto(&self, data: &[u8], address: impl Into<Address>) -> Result<usize> {
        self.sendto_flags(data, 0, address)
    }

    /// `sendto(data, flags, address)`: sendto(2) with `MSG_*` flags (WIT
    /// `socket.send-to`).
    pub fn sendto_flags(
        &self,
        data: &[u8],
        flags: i32,
        address: impl Into<Address>,
    ) -> Result<usize> {
        let addr = self.addr(address, "sendto")?;
        let n = convert::wit(
            self.inner
                .send_to(data, convert::msg_flags_to_wit(flags), &addr),
        )?;
        Ok(n as usize)
    }

    /// Receives at most `bufsize` bytes: recv(2) (WIT `socket.recv`). An
    /// empty result means the peer closed (streams). `bufsize` 0 returns
    /// `b''` at once without a system call, as in CPython (a datagram stays
    /// queued).
    pub fn recv(&self, bufsize: usize) -> Result<Vec<u8>> {
        self.recv_flags(bufsize, 0)
    }

    /// `recv(bufsize, flags)`: recv(2) with `MSG_*` flags (WIT
    /// `socket.recv`).
    pub fn recv_flags(&self, bufsize: usize, flags: i32) -> Result<Vec<u8>> {
        convert::wit(
            self.inner
                .recv(bufsize as u64, convert::msg_flags_to_wit(flags)),
        )
    }

    /// Receives into `buf`: recv(2) (WIT `socket.recv`). `nbytes` 0 means
    /// `buf.len()`; more than `buf.len()` is
    /// `ValueError('buffer too small for requested bytes')`. Returns the
    /// number of bytes received; an empty `buf` returns 0 at once without
    /// receiving, as in CPython.
    ///
    /// The host writes the data straight into `buf` (see the crate's
    /// `recvbuf` module): no intermediate `Vec`.
    pub fn recv_into(&self, buf: &mut [u8], nbytes: usize, flags: i32) -> Result<usize> {
        let n = into_len(buf.len(), nbytes)?;
        let flags = convert::msg_flags_to_wit(flags);
        let (got, ()) = convert::wit(recvbuf::aimed(
            &mut buf[..n],
            || self.inner.recv(n as u64, flags),
            |data| (data, ()),
        ))?;
        Ok(got)
    }

    /// Receives data and the sender's address: recvfrom(2) (WIT
    /// `socket.recv-from`). The address is [`Address::None`] where CPython
    /// returns `None` (the kernel reported none: connected streams, unnamed
    /// unix peers); a datagram socket of an IP family always gets its
    /// sender's.
    pub fn recvfrom(&self, bufsize: usize) -> Result<(Vec<u8>, Address)> {
        self.recvfrom_flags(bufsize, 0)
    }

    /// `recvfrom(bufsize, flags)`: recvfrom(2) with `MSG_*` flags (WIT
    /// `socket.recv-from`).
    pub fn recvfrom_flags(&self, bufsize: usize, flags: i32) -> Result<(Vec<u8>, Address)> {
        let (data, addr) = convert::wit(
            self.inner
                .recv_from(bufsize as u64, convert::msg_flags_to_wit(flags)),
        )?;
        Ok((data, convert::maybe_address_from_wit(addr)))
    }

    /// Receives into `buf` with the sender's address: recvfrom(2) (WIT
    /// `socket.recv-from`). `nbytes` 0 means `buf.len()`; more than
    /// `buf.len()` is `ValueError('nbytes is greater than the length of the
    /// buffer')` (CPython's message, which differs from `recv_into`'s). An
    /// empty buffer still calls recvfrom(2), as CPython does: it waits for
    /// data and consumes a datagram.
    pub fn recvfrom_into(
        &self,
        buf: &mut [u8],
        nbytes: usize,
        flags: i32,
    ) -> Result<(usize, Address)> {
        if nbytes > buf.len() {
            return Err(Error::value(
                "nbytes is greater than the length of the buffer",
            ));
        }
        let n = into_len(buf.len(), nbytes)?;
        let flags = convert::msg_flags_to_wit(flags);
        let (got, addr) = convert::wit(recvbuf::aimed(
            &mut buf[..n],
            || self.inner.recv_from(n as u64, flags),
            |pair| pair,
        ))?;
        Ok((got, convert::maybe_address_from_wit(addr)))
    }

    /// Sends the concatenation of `buffers` with ancillary data: sendmsg(2)
    /// (WIT `ancillary.send-msg`). `ancdata` holds Python's
    /// `(level, type, data)` items (packed as on 64-bit Linux) or sockets
    /// to pass with SCM_RIGHTS.
    pub fn sendmsg(
        &self,
        buffers: &[&[u8]],
        ancdata: &[Ancillary],
        flags: i32,
        address: Option<Address>,
    ) -> Result<usize> {
        let control = ancdata.iter().map(send_cmsg).collect::<Result<Vec<_>>>()?;
        self.sendmsg_wit(buffers, &control, flags, address)
    }

    /// sendmsg(2) with WIT control messages.
    pub(crate) fn sendmsg_wit(
        &self,
        buffers: &[&[u8]],
        control: &[wit::ancillary::SendControlMessage<'_>],
        flags: i32,
        address: Option<Address>,
    ) -> Result<usize> {
        // CPython's sendmsg takes `None` as "no address".
        let address = match address {
            Some(Address::None) | None => None,
            Some(a) => Some(self.addr(a, "sendmsg")?),
        };
        let buffers: Vec<Vec<u8>> = buffers.iter().map(|b| b.to_vec()).collect();
        let n = convert::wit(wit::ancillary::send_msg(
            &self.inner,
            &buffers,
            control,
            convert::msg_flags_to_wit(flags),
            address.as_ref(),
        ))?;
        Ok(n as usize)
    }

    /// Receives data and ancillary data: recvmsg(2) (WIT
    /// `ancillary.recv-msg`). Returns Python's
    /// `(data, ancdata, msg_flags, address)`; `ancbufsize` is the size of
    /// the control buffer (use [`crate::CMSG_SPACE`]); sockets received with
    /// SCM_RIGHTS come back as [`Ancillary::Rights`].
    pub fn recvmsg(&self, bufsize: usize, ancbufsize: usize, flags: i32) -> Result<crate::RecvMsg> {
        let msg = convert::wit(wit::ancillary::recv_msg(
            &self.inner,
            bufsize as u64,
            ancbufsize as u64,
            convert::msg_flags_to_wit(flags),
        ))?;
        let anc = received(msg.control, flags);
        Ok((
            msg.data,
            anc,
            convert::msg_flags_from_wit(msg.flags),
            convert::maybe_address_from_wit(msg.address),
        ))
    }

    /// Python's `recvmsg_into(buffers, ancbufsize, flags)`: recvmsg(2)
    /// (WIT `ancillary.recv-msg`) of at most the buffers' total length,
    /// scattered over `buffers` in order. Returns
    /// `(nbytes, ancdata, msg_flags, address)`.
    pub fn recvmsg_into(
        &self,
        buffers: &mut [&mut [u8]],
        ancbufsize: usize,
        flags: i32,
    ) -> Result<(usize, Vec<Ancillary>, i32, Address)> {
        let total: usize = buffers.iter().map(|b| b.len()).sum();
        let int_flags = flags;
        let flags = convert::msg_flags_to_wit(flags);
        let call = || wit::ancillary::recv_msg(&self.inner, total as u64, ancbufsize as u64, flags);
        let split = |m: wit::ancillary::ReceivedMessage| (m.data, (m.control, m.flags, m.address));
        // Aimed at the first non-empty buffer: data that fits lands there
        // directly (as recvmsg(2) would fill it first); more is scattered
        // from a copy.
        let first = buffers.iter().position(|b| !b.is_empty());
        let (n, (control, msg_flags, address)) = match first {
            Some(i) if buffers[i].len() == total => {
                convert::wit(recvbuf::aimed(&mut *buffers[i], call, split))?
            }
            _ => {
                let (data, rest) = split(convert::wit(call())?);
                let mut left = &data[..];
                for b in buffers.iter_mut() {
                    let k = copy_into(b, left);
                    left = &left[k..];
                }
                (data.len() - left.len(), rest)
            }
        };
        let anc = received(control, int_flags);
        Ok((
            n,
            anc,
            convert::msg_flags_from_wit(msg_flags),
            convert::maybe_address_from_wit(address),
        ))
    }

    /// Python's `sendfile(file, offset, count)`, by CPython's send(2)
    /// fallback (WIT `socket.send`): reads `file` from `offset` in blocks
    /// of at most 8192 bytes and sends each whole, until `count` bytes or
    /// end of file. Returns the bytes sent and leaves the file positioned
    /// just after them. Only stream-like sockets (`type & SOCK_STREAM`);
    /// non-blocking sockets and `count` 0 are `ValueError`, as in CPython.
    pub fn sendfile<F: io::Read + io::Seek>(
        &self,
        file: &mut F,
        offset: u64,
        count: Option<u64>,
    ) -> Result<u64> {
        if self.type_ & crate::SOCK_STREAM == 0 {
            return Err(Error::value("only SOCK_STREAM type sockets are supported"));
        }
        if count == Some(0) {
            return Err(Error::value("count must be a positive integer (got 0)"));
        }
        if self.timeout.get() == Some(0.0) {
            return Err(Error::value("non-blocking sockets are not supported"));
        }
        let io_err = |e: io::Error| match Error::io_errno(&e) {
            Some(n) => Error::from_errno(n),
            None => Error::os_msg(e.to_string()),
        };
        if offset != 0 {
            file.seek(io::SeekFrom::Start(offset)).map_err(io_err)?;
        }
        let mut total: u64 = 0;
        let mut block = vec![0u8; 8192];
        let result = (|| -> Result<u64> {
            loop {
                let want = match count {
                    Some(c) => (c - total).min(8192) as usize,
                    None => 8192,
                };
                if want == 0 {
                    return Ok(total);
                }
                let n = file.read(&mut block[..want]).map_err(io_err)?;
                if n == 0 {
                    return Ok(total);
                }
                let mut data = &block[..n];
                while !data.is_empty() {
                    match self.send(data) {
                        Ok(sent) => {
                            total += sent as u64;
                            data = &data[sent..];
                        }
                        Err(e) if e.kind() == crate::ErrorKind::BlockingIOError => continue,
                        Err(e) => return Err(e),
                    }
                }
            }
        })();
        if total > 0 {
            file.seek(io::SeekFrom::Start(offset + total))
                .map_err(io_err)?;
        }
        result
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

    /// Sets an option: setsockopt(2).
    ///
    /// `(level, optname)` is mapped onto the typed WIT option where there
    /// is one (WIT `options.set-option`); any other pair goes to the
    /// host's checked raw path (WIT `options.set-raw-option`), which passes
    /// the options on its allow-list and answers the rest with
    /// `OSError(92, 'Protocol not available')`. An int value is a C `int`
    /// (a 64-bit one on AF_VSOCK sockets, as CPython passes it); bytes are
    /// the packed C structure (`struct linger`, `struct timeval`,
    /// `struct ip_mreq(n)`, `struct ipv6_mreq`, an interface name…),
    /// checked for length as the kernel does; [`OptValue::Null`] is
    /// Python's `setsockopt(level, optname, None, optlen)`.
    pub fn setsockopt(&self, level: i32, optname: i32, value: impl Into<OptValue>) -> Result<()> {
        let value = value.into();
        if let Ok((name, kind)) = convert::option_to_wit(level, optname) {
            let value = convert::option_value_to_wit(level, kind, &value)?;
            return convert::wit(wit::options::set_option(&self.inner, name, &value));
        }
        let raw = match value {
            OptValue::Int(i) if self.family == crate::AF_VSOCK => {
                RawOptionValue::Bytes((i as i64).to_ne_bytes().to_vec())
            }
            OptValue::Int(i) => RawOptionValue::Bytes(i.to_ne_bytes().to_vec()),
            OptValue::Bytes(b) => RawOptionValue::Bytes(b),
            OptValue::Null(n) => RawOptionValue::Null(n),
        };
        convert::wit(wit::options::set_raw_option(
            &self.inner,
            level,
            optname,
            &raw,
        ))
    }

    /// Reads an option as an int: getsockopt(2) with an `int` buffer (WIT
    /// `options.get-option`, or `options.get-raw-option` for options
    /// without a typed name). Structures give their first `int`, as the
    /// kernel writes it (SO_LINGER gives `l_onoff`).
    pub fn getsockopt(&self, level: i32, optname: i32) -> Result<i32> {
        if let Ok((name, _)) = convert::option_to_wit(level, optname) {
            let value = convert::wit(wit::options::get_option(&self.inner, name))?;
            return convert::option_value_int(name, &value);
        }
        // CPython reads a 64-bit value on AF_VSOCK sockets.
        let len = if self.family == crate::AF_VSOCK { 8 } else { 4 };
        let mut b = convert::wit(wit::options::get_raw_option(
            &self.inner,
            level,
            optname,
            len,
        ))?;
        b.resize(8, 0);
        Ok(i32::from_ne_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// Reads an option as bytes: getsockopt(2) with a `buflen`-byte buffer
    /// (WIT `options.get-option`, packed as the C structure on 64-bit
    /// Linux and cut to `buflen`, or `options.get-raw-option`, which gives
    /// what the kernel wrote). `buflen` 0 gives the int form's 4 bytes;
    /// more than 1024 (or negative) is
    /// `OSError('getsockopt buflen out of range')`.
    pub fn getsockopt_bytes(&self, level: i32, optname: i32, buflen: usize) -> Result<Vec<u8>> {
        if buflen == 0 {
            return Ok(self.getsockopt(level, optname)?.to_ne_bytes().to_vec());
        }
        if buflen > 1024 {
            return Err(Error::new(
                crate::ErrorKind::OSError,
                "getsockopt buflen out of range",
            ));
        }
        if let Ok((name, _)) = convert::option_to_wit(level, optname) {
            if name == wit::types::OptionName::SoBindtodevice && buflen < 16 {
                // The kernel wants room for IFNAMSIZ bytes.
                return Err(Error::from_errno(22));
            }
            let value = convert::wit(wit::options::get_option(&self.inner, name))?;
            let mut bytes = convert::option_value_bytes(name, &value);
            bytes.truncate(buflen);
            return Ok(bytes);
        }
        convert::wit(wit::options::get_raw_option(
            &self.inner,
            level,
            optname,
            buflen as u32,
        ))
    }

    /// `fcntl.ioctl(sock, request, arg)` with a bytes `arg`: ioctl(2) (WIT
    /// `options.ioctl`) for FIONREAD/SIOCINQ, SIOCOUTQ, SIOCOUTQNSD,
    /// SIOCATMARK (an `int`), SIOCGSTAMP (`struct timeval`) and
    /// SIOCGSTAMPNS (`struct timespec`), and the interface queries
    /// SIOCGIFNAME, SIOCGIFINDEX, SIOCGIFFLAGS, SIOCGIFADDR, SIOCGIFNETMASK,
    /// SIOCGIFBRDADDR, SIOCGIFDSTADDR, SIOCGIFMTU, SIOCGIFHWADDR (a
    /// `struct ifreq`; WIT `options.interface-ioctl`, only for interfaces
    /// the embedder shows). Returns `arg` with the result
    /// written over its start, at `arg`'s length, as `fcntl.ioctl` returns
    /// a copy of its buffer. Any other request is
    /// `OSError(25, 'Inappropriate ioctl for device')`.
    pub fn ioctl(&self, request: u64, arg: &[u8]) -> Result<Vec<u8>> {
        use wit::options::{IoctlRequest as R, IoctlValue as V};
        let req = match request {
            crate::FIONREAD => R::Inq,
            crate::SIOCOUTQ => R::Outq,
            crate::SIOCOUTQNSD => R::OutqNsd,
            crate::SIOCATMARK => R::Atmark,
            crate::SIOCGSTAMP => R::Stamp,
            crate::SIOCGSTAMPNS => R::StampNs,
            0x8910..=0x8933 => {
                // SIOCGIF*: a `struct ifreq` in and out (the host answers
                // the requests it offers, for interfaces the guest sees).
                let mut ifreq = arg.to_vec();
                ifreq.resize(40, 0);
                let out = convert::wit(wit::options::interface_ioctl(
                    &self.inner,
                    request as u32,
                    &ifreq,
                ))?;
                let mut buf = arg.to_vec();
                let n = buf.len().min(out.len());
                buf[..n].copy_from_slice(&out[..n]);
                return Ok(buf);
            }
            _ => return Err(Error::from_errno(25)),
        };
        let written = match convert::wit(wit::options::ioctl(&self.inner, req))? {
            V::Int(i) => i.to_ne_bytes().to_vec(),
            V::Time((sec, nanos)) => {
                let frac = if req == R::Stamp { nanos / 1000 } else { nanos };
                let mut v = sec.to_ne_bytes().to_vec();
                v.extend_from_slice(&i64::from(frac).to_ne_bytes());
                v
            }
        };
        let mut buf = arg.to_vec();
        if buf.len() < written.len() {
            buf.resize(written.len(), 0);
        }
        buf[..written.len()].copy_from_slice(&written);
        buf.truncate(arg.len());
        Ok(buf)
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

    /// A file object on the socket: Python's
    /// `makefile(mode, buffering)`, borrowing the socket.
    ///
    /// `mode` holds `r` (read), `w` (write) and `b` (binary) in any order,
    /// as in Python (`'r'` is Python's default, `'rwb'` reads and writes);
    /// any other letter is `ValueError("invalid mode 'x' (only r, w, b
    /// allowed)")`. Text mode (no `b`) is the same byte stream; read text
    /// with [`io::BufRead::read_line`] / [`io::BufRead::lines`] (UTF-8, as
    /// Python's default encoding here).
    ///
    /// `buffering`: `None` is Python's default (8192 bytes, buffers reads
    /// and writes); `Some(0)` is unbuffered (binary only, else
    /// `ValueError('unbuffered streams must be binary')`): each read is one
    /// recv(2) and each write one send(2); `Some(n)` buffers `n` bytes. A
    /// read into an empty buffer returns 0 at once and receives nothing,
    /// as in CPython (a datagram stays queued).
    /// Buffered writes go out on [`io::Write::flush`], when the buffer is
    /// full, and when the file is dropped (as Python's `close()` flushes).
    ///
    /// Reads are recv(2) (WIT `socket.recv`), writes send(2) (WIT
    /// `socket.send` / `socket.send-all`). Once a read has timed out
    /// (`TimeoutError`), every later read that needs the socket fails with
    /// `OSError('cannot read from timed out object')`, as in CPython. A
    /// read on a file without `r` (or a write without `w`) fails with
    /// `io.UnsupportedOperation`. The `io::Error`s convert back into
    /// [`Error`] with `?` or `Error::from`.
    pub fn makefile(&self, mode: &str, buffering: Option<usize>) -> Result<SocketFile<'_>> {
        if !mode.chars().all(|c| matches!(c, 'r' | 'w' | 'b')) {
            return Err(Error::value(format!(
                "invalid mode {} (only r, w, b allowed)",
                crate::pure::text::repr_str(mode)
            )));
        }
        let binary = mode.contains('b');
        // As Python: a mode without "r" or "w" reads.
        let writing = mode.contains('w');
        let reading = mode.contains('r') || !writing;
        let size = match buffering {
            Some(0) if !binary => {
                return Err(Error::value("unbuffered streams must be binary"));
            }
            Some(n) => n,
            None => FILE_BUFFER,
        };
        // Python's object: a `SocketIO` (unbuffered), a `BufferedReader` /
        // `BufferedWriter` (whose mode is the raw `SocketIO`'s), a
        // `BufferedRWPair` (neither mode nor name), or a `TextIOWrapper`
        // (the mode as given; the name of the buffer under it).
        let raw_mode = format!(
            "{}{}b",
            if reading { "r" } else { "" },
            if writing { "w" } else { "" }
        );
        let pair = reading && writing && size > 0;
        let (py_mode, named) = match (binary, pair) {
            (true, true) => (None, false),
            (true, false) => (Some(raw_mode), true),
            (false, _) => (Some(mode.to_string()), !pair),
        };
        Ok(SocketFile {
            sock: self,
            reading,
            writing,
            binary,
            py_mode,
            named,
            size,
            buf: Vec::new(),
            pos: 0,
            out: Vec::new(),
            timed_out: false,
        })
    }
}

/// Received control messages as Python's, the sockets of SCM_RIGHTS
/// inheritable unless `flags` has MSG_CMSG_CLOEXEC.
fn received(control: Vec<wit::ancillary::RecvControlMessage>, flags: i32) -> Vec<Ancillary> {
    let mut anc: Vec<Ancillary> = control.into_iter().map(recv_cmsg).collect();
    if flags & crate::MSG_CMSG_CLOEXEC != 0 {
        for item in &mut anc {
            if let Ancillary::Rights(socks) = item {
                socks.iter().for_each(|s| s.inheritable.set(false));
            }
        }
    }
    anc
}

/// A received WIT control message as Python's: SCM_RIGHTS's sockets as
/// new socket objects ([`Socket::from_received`]), the rest as
/// `(level, type, data)`.
fn recv_cmsg(msg: wit::ancillary::RecvControlMessage) -> Ancillary {
    convert::recv_cmsg_from_wit(
        msg,
        |socks| Ancillary::Rights(socks.into_iter().map(Socket::from_received).collect()),
        |level, type_, data| Ancillary::Raw { level, type_, data },
    )
}

/// One item of `ancdata` as the WIT control message to send: the sockets
/// of [`Ancillary::Rights`] as an SCM_RIGHTS message, the rest as
/// `convert` packs Python's `(level, type, data)`.
fn send_cmsg(msg: &Ancillary) -> Result<wit::ancillary::SendControlMessage<'_>> {
    match msg {
        Ancillary::Rights(socks) => Ok(wit::ancillary::SendControlMessage::Rights(
            socks.iter().map(|s| s.wit_handle()).collect(),
        )),
        Ancillary::Raw { level, type_, data } => convert::send_cmsg_to_wit(*level, *type_, data),
    }
}

fn into_len(buflen: usize, nbytes: usize) -> Result<usize> {
    if nbytes == 0 {
        Ok(buflen)
    } else if nbytes > buflen {
        Err(Error::value("buffer too small for requested bytes"))
    } else {
        Ok(nbytes)
    }
}

fn copy_into(buf: &mut [u8], data: &[u8]) -> usize {
    let n = data.len().min(buf.len());
    buf[..n].copy_from_slice(&data[..n]);
    n
}

/// What [`Socket::makefile`] returns: Python's socket file object (a
/// `BufferedReader`, `BufferedWriter`, `BufferedRWPair` or `TextIOWrapper`
/// over `SocketIO`, by mode), as [`io::Read`], [`io::BufRead`] and
/// [`io::Write`].
#[derive(Debug)]
pub struct SocketFile<'a> {
    sock: &'a Socket,
    reading: bool,
    writing: bool,
    binary: bool,
    /// Python's `f.mode`, `None` where the object has none.
    py_mode: Option<String>,
    /// Whether Python's object has a `name`.
    named: bool,
    /// Buffer size for reads and writes; 0 unbuffered.
    size: usize,
    buf: Vec<u8>,
    pos: usize,
    out: Vec<u8>,
    /// A read timed out: later reads fail (CPython's `_timeout_occurred`).
    timed_out: bool,
}

/// The default buffer size of [`SocketFile`] (Python's
/// `io.DEFAULT_BUFFER_SIZE`).
const FILE_BUFFER: usize = 8192;

impl SocketFile<'_> {
    /// The socket this file reads and writes.
    pub fn socket(&self) -> &Socket {
        self.sock
    }

    /// Whether the mode has `r` (Python's `readable()`).
    pub fn readable(&self) -> bool {
        self.reading
    }

    /// Whether the mode has `w` (Python's `writable()`).
    pub fn writable(&self) -> bool {
        self.writing
    }

    /// Whether the mode has `b`.
    pub fn is_binary(&self) -> bool {
        self.binary
    }

    /// Python's `f.mode`: the mode as given for a text file (`'r'`, `'w'`,
    /// `'rw'`, `''`…); `'rb'`, `'wb'` or `'rwb'` (the raw `SocketIO`'s)
    /// for a binary one; `None` where Python's object has no `mode` (the
    /// `BufferedRWPair` of a buffered `'rwb'` file).
    pub fn mode(&self) -> Option<&str> {
        self.py_mode.as_deref()
    }

    /// Python's `f.name`: the socket's [`Socket::fileno`]; `None` where
    /// Python's object has no `name` (the `BufferedRWPair` of a buffered
    /// file that reads and writes, and a text file over one).
    pub fn name(&self) -> Option<i32> {
        self.named.then(|| self.sock.fileno())
    }

    /// One recv(2) of at most `n` bytes, as CPython's `SocketIO.readinto`.
    fn recv(&mut self, n: usize) -> io::Result<Vec<u8>> {
        self.reading_with(|sock| sock.recv(n))
    }

    /// recv(2) straight into `out` (see [`Socket::recv_into`]).
    fn recv_into(&mut self, out: &mut [u8]) -> io::Result<usize> {
        self.reading_with(|sock| sock.recv_into(out, 0, 0))
    }

    /// Runs one receive as Python's `SocketIO.readinto` does: only on a
    /// readable file, never again after a timeout.
    fn reading_with<T>(&mut self, f: impl FnOnce(&Socket) -> Result<T>) -> io::Result<T> {
        if !self.reading {
            return Err(self.not_readable().into());
        }
        if self.timed_out {
            return Err(Error::os_msg("cannot read from timed out object").into());
        }
        match f(self.sock) {
            Err(e) if e.kind() == crate::ErrorKind::TimeoutError => {
                self.timed_out = true;
                Err(e.into())
            }
            r => Ok(r?),
        }
    }

    /// `io.UnsupportedOperation` for a read on a file without `r`: the raw
    /// `SocketIO`'s message when unbuffered, `BufferedWriter`'s otherwise.
    fn not_readable(&self) -> Error {
        let msg = if self.size == 0 {
            "File or stream is not readable."
        } else {
            "read"
        };
        Error::new(crate::ErrorKind::UnsupportedOperation, msg)
    }

    /// As [`SocketFile::not_readable`], for a write on a file without `w`.
    fn not_writable(&self) -> Error {
        let msg = if self.size == 0 {
            "File or stream is not writable."
        } else {
            "write"
        };
        Error::new(crate::ErrorKind::UnsupportedOperation, msg)
    }

    fn send_out(&mut self) -> io::Result<()> {
        if !self.out.is_empty() {
            let out = std::mem::take(&mut self.out);
            self.sock.sendall(&out)?;
        }
        Ok(())
    }
}

impl io::Read for SocketFile<'_> {
    /// Reads buffered data, or recv(2) (WIT `socket.recv`) when the buffer
    /// is empty (straight into `out` when it is at least the buffer's
    /// size); 0 at end of stream.
    ///
    /// An empty `out` returns 0 at once, with no system call, as CPython's
    /// `readinto` of an empty buffer does (its `recv_into` of 0 bytes
    /// makes none): unbuffered, after the same checks as any read (a file
    /// without `r`, a file whose read timed out); buffered, with none but
    /// `r`.
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            if self.size == 0 {
                return self.reading_with(|_| Ok(0));
            }
            if !self.reading {
                return Err(self.not_readable().into());
            }
            return Ok(0);
        }
        if self.pos >= self.buf.len() && out.len() >= self.size.max(1) {
            return self.recv_into(out);
        }
        let n = {
            let avail = io::BufRead::fill_buf(self)?;
            copy_into(out, avail)
        };
        io::BufRead::consume(self, n);
        Ok(n)
    }
}

impl io::BufRead for SocketFile<'_> {
    /// recv(2) (WIT `socket.recv`) of up to the buffer size (one byte when
    /// unbuffered, as Python's raw `readline`) when the buffer is empty.
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pos >= self.buf.len() {
            self.buf = self.recv(self.size.max(1))?;
            self.pos = 0;
        }
        Ok(&self.buf[self.pos..])
    }

    fn consume(&mut self, amt: usize) {
        self.pos = (self.pos + amt).min(self.buf.len());
    }
}

impl io::Write for SocketFile<'_> {
    /// Buffers `data` (sending the buffer with send(2) when it is full);
    /// unbuffered, one send(2) (WIT `socket.send`).
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if !self.writing {
            return Err(self.not_writable().into());
        }
        if self.size == 0 {
            return Ok(self.sock.send(data)?);
        }
        if self.out.len() + data.len() > self.size {
            self.send_out()?;
        }
        if data.len() >= self.size {
            self.sock.sendall(data)?;
        } else {
            self.out.extend_from_slice(data);
        }
        Ok(data.len())
    }

    /// Sends what is buffered (WIT `socket.send-all`).
    fn flush(&mut self) -> io::Result<()> {
        if !self.writing {
            return Ok(());
        }
        self.send_out()
    }
}

impl Drop for SocketFile<'_> {
    /// Sends what is still buffered, as Python's `close()` does; errors are
    /// lost, as with `BufWriter` (call `flush` to see them).
    fn drop(&mut self) {
        let _ = self.send_out();
    }
}

impl io::Read for &Socket {
    /// recv(2) (WIT `socket.recv`), straight into `out`.
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        Ok(self.recv_into(out, 0, 0)?)
    }
}

impl io::Write for &Socket {
    /// send(2) (WIT `socket.send`).
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        Ok(self.send(data)?)
    }

    /// Nothing is buffered.
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
