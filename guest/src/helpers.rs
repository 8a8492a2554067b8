//! Python's higher-level module functions: `create_connection`,
//! `create_server`, `select`, `send_fds` / `recv_fds`. The top layer:
//! built on the socket object (`socket`) and name resolution (`netdb`),
//! it may import every other module, and none imports it.

use crate::constants::*;
use crate::convert::{self, Address};
use crate::error::{Error, ErrorKind, Result};
use crate::socket::{socket, Ancillary, Socket};
use crate::wit;

/// Connects to a TCP service, Python's `create_connection`: resolves
/// `address` with getaddrinfo(3) for `SOCK_STREAM` and tries each result
/// in order (socket(2), optional bind(2) to `source_address`, connect(2)),
/// raising the last error if all fail.
///
/// `timeout` (see [`Timeout`](crate::socket::Timeout)): `None` or
/// `Timeout::Default` leaves the new socket at
/// [`getdefaulttimeout`](crate::getdefaulttimeout); `Timeout::Blocking` is
/// Python's `timeout=None`; `Some(t)` sets `t`.
pub fn create_connection(
    address: impl Into<Address>,
    timeout: impl Into<crate::socket::Timeout>,
    source_address: Option<Address>,
) -> Result<Socket> {
    match connect_each(address.into(), timeout.into().resolve(), source_address) {
        Ok(sock) => Ok(sock),
        Err(ConnectionErrors::Error(e)) => Err(e),
        Err(ConnectionErrors::Group(mut errors)) => Err(errors
            .pop()
            .unwrap_or_else(|| Error::os_msg("getaddrinfo returns an empty list"))),
    }
}

/// Python's `create_connection(..., all_errors=True)`: as
/// [`create_connection`], but when every address fails the error is the
/// group of every attempt's error, in order.
pub fn create_connection_all_errors(
    address: impl Into<Address>,
    timeout: impl Into<crate::socket::Timeout>,
    source_address: Option<Address>,
) -> std::result::Result<Socket, ConnectionErrors> {
    match connect_each(address.into(), timeout.into().resolve(), source_address) {
        Err(ConnectionErrors::Group(errors)) if errors.is_empty() => Err(ConnectionErrors::Error(
            Error::os_msg("getaddrinfo returns an empty list"),
        )),
        r => r,
    }
}

/// Why [`create_connection_all_errors`] failed.
#[derive(Debug)]
pub enum ConnectionErrors {
    /// Raised as is: the address could not be resolved (`gaierror`), or
    /// an error that is not an `OSError` (`ValueError`, `TypeError`).
    Error(Error),
    /// Python's `ExceptionGroup("create_connection failed", errors)`: one
    /// `OSError` per address tried.
    Group(Vec<Error>),
}

impl std::fmt::Display for ConnectionErrors {
    /// Python's `str()` of the exception: the error's, or
    /// `"create_connection failed (2 sub-exceptions)"`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConnectionErrors::Error(e) => e.fmt(f),
            ConnectionErrors::Group(errors) => write!(
                f,
                "create_connection failed ({} sub-exception{})",
                errors.len(),
                if errors.len() == 1 { "" } else { "s" }
            ),
        }
    }
}

impl std::error::Error for ConnectionErrors {}

/// The loop of Python's `create_connection`: every address in order,
/// collecting each attempt's `OSError`. `timeout` is the one each new
/// socket gets (`None`: blocking).
fn connect_each(
    address: Address,
    timeout: Option<f64>,
    source_address: Option<Address>,
) -> std::result::Result<Socket, ConnectionErrors> {
    let (host, port) = match address {
        Address::Inet(h, p) | Address::Inet6(h, p, ..) => (h, p),
        _ => {
            return Err(ConnectionErrors::Error(Error::new(
                ErrorKind::TypeError,
                "create_connection() address must be a (host, port) tuple",
            )))
        }
    };
    let port = port.to_string();
    let infos = crate::netdb::getaddrinfo(Some(&host), Some(&port), AF_UNSPEC, SOCK_STREAM, 0, 0)
        .map_err(ConnectionErrors::Error)?;
    let mut errors = Vec::new();
    for info in infos {
        let attempt = (|| -> Result<Socket> {
            let sock = socket(info.family, info.type_, info.proto)?;
            sock.settimeout(timeout)?;
            match &source_address {
                Some(Address::None) | None => {}
                Some(src) => sock.bind(src)?,
            }
            sock.connect(&info.sockaddr)?;
            Ok(sock)
        })();
        match attempt {
            Ok(sock) => return Ok(sock),
            Err(e) if e.kind().is_os_error() => errors.push(e),
            Err(e) => return Err(ConnectionErrors::Error(e)),
        }
    }
    Err(ConnectionErrors::Group(errors))
}

/// Whether an `AF_INET6` socket can accept IPv4 too: socket(2) and
/// setsockopt(IPV6_V6ONLY, 0) (WIT `socket.open`, `options.set-option`),
/// as Python's `has_dualstack_ipv6`.
pub fn has_dualstack_ipv6() -> bool {
    match socket(AF_INET6, SOCK_STREAM, 0) {
        Ok(s) => s.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 0).is_ok(),
        Err(_) => false,
    }
}

/// A listening TCP socket, Python's `create_server`: socket(2),
/// SO_REUSEADDR (errors ignored), SO_REUSEPORT if asked, IPV6_V6ONLY for
/// `AF_INET6` (off with `dualstack_ipv6`), bind(2), listen(2) with
/// `backlog` or Python's default.
///
/// A bind error is re-raised with Python's
/// `"<strerror> (while attempting to bind on address <address>)"` message.
pub fn create_server(
    address: impl Into<Address>,
    family: i32,
    backlog: Option<i32>,
    reuse_port: bool,
    dualstack_ipv6: bool,
) -> Result<Socket> {
    let address = address.into();
    if dualstack_ipv6 {
        if !has_dualstack_ipv6() {
            return Err(Error::value(
                "dualstack_ipv6 not supported on this platform",
            ));
        }
        if family != AF_INET6 {
            return Err(Error::value("dualstack_ipv6 requires AF_INET6 family"));
        }
    }
    let sock = socket(family, SOCK_STREAM, 0)?;
    let _ = sock.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
    if reuse_port {
        sock.setsockopt(SOL_SOCKET, SO_REUSEPORT, 1)?;
    }
    if family == AF_INET6 {
        sock.setsockopt(
            IPPROTO_IPV6,
            IPV6_V6ONLY,
            if dualstack_ipv6 { 0 } else { 1 },
        )?;
    }
    if let Err(e) = sock.bind(&address) {
        if !e.kind().is_os_error() {
            return Err(e);
        }
        let msg = format!(
            "{} (while attempting to bind on address {})",
            e.strerror(),
            address
        );
        return Err(e.rewrap(msg));
    }
    match backlog {
        Some(b) => sock.listen(b)?,
        None => sock.listen_default()?,
    }
    Ok(sock)
}

/// Waits until sockets are ready: select(2), here one WIT `poll.poll` call.
///
/// Returns the indices into `r`, `w` and `x` of the sockets that are
/// readable (data, a connection, end of stream, or an error), writable,
/// and have exceptional conditions (out-of-band data). `timeout` `None`
/// waits without limit; negative is
/// `ValueError('timeout must be non-negative')`.
pub fn select(
    r: &[&Socket],
    w: &[&Socket],
    x: &[&Socket],
    timeout: Option<f64>,
) -> Result<(Vec<usize>, Vec<usize>, Vec<usize>)> {
    let timeout = match timeout {
        Some(t) if t.is_nan() => return Err(Error::value("Invalid value NaN (not a number)")),
        Some(t) if t < 0.0 => return Err(Error::value("timeout must be non-negative")),
        t => convert::check_timeout(t)?,
    };
    use wit::types::Readiness;
    // One request per distinct socket, with the union of its interests (a
    // socket may be listed many times, as in CPython, where `select` sets
    // one bit per descriptor): the host's limit counts sockets, not list
    // entries, and the call never lifts more borrows than sockets.
    let mut requests: Vec<wit::poll::PollRequest<'_>> = Vec::new();
    let mut slot = std::collections::HashMap::new();
    let mut slots: [Vec<usize>; 3] = Default::default();
    for (k, (list, interest)) in [
        (r, Readiness::READABLE),
        (w, Readiness::WRITABLE),
        (x, Readiness::PRIORITY),
    ]
    .into_iter()
    .enumerate()
    {
        for &s in list {
            let i = *slot.entry(s.fileno()).or_insert_with(|| {
                requests.push(wit::poll::PollRequest {
                    socket: s.wit_handle(),
                    interest: Readiness::empty(),
                });
                requests.len() - 1
            });
            requests[i].interest = requests[i].interest | interest;
            slots[k].push(i);
        }
    }
    let [ri, wi, xi] = slots;
    let ready = convert::wit(wit::poll::poll(&requests, convert::timeout_to_wit(timeout)))?;
    let get = |i: usize| ready.get(i).copied().unwrap_or(Readiness::empty());
    let pick = |slots: &[usize], test: fn(Readiness) -> bool| -> Vec<usize> {
        (0..slots.len()).filter(|&k| test(get(slots[k]))).collect()
    };
    let rr = pick(&ri, convert::select_readable);
    let ww = pick(&wi, convert::select_writable);
    let xx = pick(&xi, convert::select_exceptional);
    Ok((rr, ww, xx))
}

/// What [`recv_fds`] returns: `(data, sockets, msg_flags, address)`.
pub type RecvFds = (Vec<u8>, Vec<Socket>, i32, Address);

/// Python's `send_fds`: sendmsg(2) with one SCM_RIGHTS message carrying
/// `fds` (WIT `ancillary.send-msg` with `rights`). The sockets stay open
/// here.
pub fn send_fds(
    sock: &Socket,
    buffers: &[&[u8]],
    fds: &[&Socket],
    flags: i32,
    address: Option<Address>,
) -> Result<usize> {
    let rights =
        wit::ancillary::SendControlMessage::Rights(fds.iter().map(|s| s.wit_handle()).collect());
    sock.sendmsg_wit(buffers, &[rights], flags, address)
}

/// Python's `recv_fds`: recvmsg(2) with room for `maxfds` descriptors
/// (WIT `ancillary.recv-msg`). Returns `(data, sockets, msg_flags,
/// address)`; the received sockets are new handles owned by the guest.
pub fn recv_fds(sock: &Socket, bufsize: usize, maxfds: usize, flags: i32) -> Result<RecvFds> {
    let (data, anc, msg_flags, addr) =
        sock.recvmsg(bufsize, crate::pure::inet::CMSG_LEN(maxfds * 4), flags)?;
    let mut socks = Vec::new();
    for item in anc {
        if let Ancillary::Rights(s) = item {
            socks.extend(s);
        }
    }
    Ok((data, socks, msg_flags, addr))
}
