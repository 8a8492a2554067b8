//! The system layer: the only module that makes system calls (through
//! socket2, and libc where socket2 has no call) and the only place with
//! `unsafe`. Everything above it speaks WIT types and `std` types.

use crate::bindings::types::{
    AddressFamily, Ipv4SocketAddress, Ipv6SocketAddress, SocketAddress, SocketType,
};
use socket2::{Domain, Protocol, SockAddr, Socket, Type};
use std::io;
use std::mem::MaybeUninit;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::os::fd::{AsRawFd, RawFd};
use std::time::Instant;

/// socket(2) with SOCK_CLOEXEC, and SOCK_NONBLOCK when `nonblocking`.
pub fn open(domain: Domain, ty: Type, protocol: i32, nonblocking: bool) -> io::Result<Socket> {
    let proto = (protocol != 0).then_some(Protocol::from(protocol));
    let ty = if nonblocking { ty.nonblocking() } else { ty };
    Socket::new(domain, ty, proto)
}

/// socketpair(2) with SOCK_CLOEXEC, the type as a raw `SOCK_*` number:
/// `ty` and `protocol` go to the kernel as given (it checks them as
/// socket(2) does). Used to learn the kernel's answer for IP families.
pub fn socketpair_raw_type(domain: Domain, ty: i32, protocol: i32) -> io::Result<(Socket, Socket)> {
    let proto = (protocol != 0).then_some(Protocol::from(protocol));
    Socket::pair_raw(domain, Type::from(ty).cloexec(), proto)
}

/// The socket2 domain of a family the host implements.
pub fn domain(family: AddressFamily) -> Option<Domain> {
    match family {
        AddressFamily::Inet => Some(Domain::IPV4),
        AddressFamily::Inet6 => Some(Domain::IPV6),
        _ => None,
    }
}

/// The socket2 type of a socket type the host implements.
pub fn socket_type(ty: SocketType) -> Option<Type> {
    match ty {
        SocketType::Stream => Some(Type::STREAM),
        SocketType::Dgram => Some(Type::DGRAM),
        _ => None,
    }
}

/// `SOCK_*` number of a socket type.
pub fn socket_type_number(ty: SocketType) -> i32 {
    match ty {
        SocketType::Stream => libc::SOCK_STREAM,
        SocketType::Dgram => libc::SOCK_DGRAM,
        SocketType::Raw => libc::SOCK_RAW,
        SocketType::Rdm => libc::SOCK_RDM,
        SocketType::Seqpacket => libc::SOCK_SEQPACKET,
    }
}

/// A WIT IP socket address as a std one; `None` for other families.
pub fn to_std(addr: &SocketAddress) -> Option<SocketAddr> {
    match addr {
        SocketAddress::Inet(a) => {
            let (b0, b1, b2, b3) = a.address;
            Some(SocketAddr::V4(SocketAddrV4::new(
                Ipv4Addr::new(b0, b1, b2, b3),
                a.port,
            )))
        }
        SocketAddress::Inet6(a) => {
            let (s0, s1, s2, s3, s4, s5, s6, s7) = a.address;
            Some(SocketAddr::V6(SocketAddrV6::new(
                Ipv6Addr::new(s0, s1, s2, s3, s4, s5, s6, s7),
                a.port,
                a.flow_info,
                a.scope_id,
            )))
        }
        _ => None,
    }
}

/// A std socket address as a WIT one.
pub fn from_std(addr: SocketAddr) -> SocketAddress {
    match addr {
        SocketAddr::V4(a) => {
            let [b0, b1, b2, b3] = a.ip().octets();
            SocketAddress::Inet(Ipv4SocketAddress {
                port: a.port(),
                address: (b0, b1, b2, b3),
            })
        }
        SocketAddr::V6(a) => {
            let [s0, s1, s2, s3, s4, s5, s6, s7] = a.ip().segments();
            SocketAddress::Inet6(Ipv6SocketAddress {
                port: a.port(),
                flow_info: a.flowinfo(),
                address: (s0, s1, s2, s3, s4, s5, s6, s7),
                scope_id: a.scope_id(),
            })
        }
    }
}

/// A kernel socket address as a WIT one (`None` for unnamed or unknown).
pub fn from_sockaddr(addr: &SockAddr) -> Option<SocketAddress> {
    addr.as_socket().map(from_std)
}

/// What to wait for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interest {
    /// POLLIN.
    Read,
    /// POLLOUT, for sending: waits for the peer to drain its buffer.
    Write,
    /// POLLOUT, for a connect(2) in progress: waits for the handshake,
    /// which on loopback ends within microseconds.
    Connect,
}

/// getsockopt(2) of an `int`-valued option.
pub fn getsockopt_int(sock: &Socket, level: i32, name: i32) -> io::Result<i32> {
    let mut value: libc::c_int = 0;
    let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: value/len describe a valid, writable c_int.
    let r = unsafe {
        libc::getsockopt(
            sock.as_raw_fd(),
            level,
            name,
            (&mut value as *mut libc::c_int).cast(),
            &mut len,
        )
    };
    if r == 0 {
        Ok(value)
    } else {
        Err(io::Error::last_os_error())
    }
}

/// setsockopt(2) of an `int`-valued option.
pub fn setsockopt_int(sock: &Socket, level: i32, name: i32, value: i32) -> io::Result<()> {
    let value: libc::c_int = value;
    // SAFETY: we pass a pointer to a c_int and its size.
    let r = unsafe {
        libc::setsockopt(
            sock.as_raw_fd(),
            level,
            name,
            (&value as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// getsockopt(2) of a variable-length option into at most `max` bytes.
pub fn getsockopt_bytes(sock: &Socket, level: i32, name: i32, max: usize) -> io::Result<Vec<u8>> {
    let mut buf = vec![0u8; max];
    let mut len = max as libc::socklen_t;
    // SAFETY: buf has `len` writable bytes.
    let r = unsafe {
        libc::getsockopt(
            sock.as_raw_fd(),
            level,
            name,
            buf.as_mut_ptr().cast(),
            &mut len,
        )
    };
    if r != 0 {
        return Err(io::Error::last_os_error());
    }
    buf.truncate(len as usize);
    Ok(buf)
}

/// setsockopt(2) with a byte buffer.
pub fn setsockopt_bytes(sock: &Socket, level: i32, name: i32, value: &[u8]) -> io::Result<()> {
    // SAFETY: we pass a pointer to `value` and its length.
    let r = unsafe {
        libc::setsockopt(
            sock.as_raw_fd(),
            level,
            name,
            value.as_ptr().cast(),
            value.len() as libc::socklen_t,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// One getaddrinfo(3) result.
pub struct AddrInfo {
    /// ai_family.
    pub family: i32,
    /// ai_socktype.
    pub socktype: i32,
    /// ai_protocol.
    pub protocol: i32,
    /// ai_canonname.
    pub canonname: Option<String>,
    /// ai_addr (IP families only).
    pub addr: SocketAddr,
}

/// getaddrinfo(3). Returns `Err(eai)` with the negative `EAI_*` code.
/// Only IP results are returned.
pub fn getaddrinfo(
    host: Option<&str>,
    service: Option<&str>,
    family: i32,
    socktype: i32,
    protocol: i32,
    flags: i32,
) -> Result<Vec<AddrInfo>, i32> {
    use std::ffi::{CStr, CString};
    let host = match host.map(CString::new).transpose() {
        Ok(h) => h,
        Err(_) => return Err(libc::EAI_NONAME),
    };
    let service = match service.map(CString::new).transpose() {
        Ok(s) => s,
        Err(_) => return Err(libc::EAI_SERVICE),
    };
    // SAFETY: a zeroed addrinfo is a valid "no hints" value.
    let mut hints: libc::addrinfo = unsafe { std::mem::zeroed() };
    hints.ai_family = family;
    hints.ai_socktype = socktype;
    hints.ai_protocol = protocol;
    hints.ai_flags = flags;
    let mut res: *mut libc::addrinfo = std::ptr::null_mut();
    // SAFETY: all pointers are valid or null as getaddrinfo allows.
    let rc = unsafe {
        libc::getaddrinfo(
            host.as_ref().map_or(std::ptr::null(), |h| h.as_ptr()),
            service.as_ref().map_or(std::ptr::null(), |s| s.as_ptr()),
            &hints,
            &mut res,
        )
    };
    if rc != 0 {
        return Err(rc);
    }
    let mut out = Vec::new();
    let mut cur = res;
    while !cur.is_null() {
        // SAFETY: cur is a node of the list getaddrinfo returned.
        let ai = unsafe { &*cur };
        let addr = if ai.ai_addr.is_null() {
            None
        } else {
            // SAFETY: ai_addr points at ai_addrlen bytes of a sockaddr.
            unsafe {
                SockAddr::try_init(|storage, len| {
                    let n =
                        (ai.ai_addrlen as usize).min(std::mem::size_of::<libc::sockaddr_storage>());
                    std::ptr::copy_nonoverlapping(ai.ai_addr.cast::<u8>(), storage.cast::<u8>(), n);
                    *len = n as libc::socklen_t;
                    Ok(())
                })
            }
            .ok()
            .and_then(|(_, a)| a.as_socket())
        };
        if let Some(addr) = addr {
            let canonname = if ai.ai_canonname.is_null() {
                None
            } else {
                // SAFETY: ai_canonname is a NUL-terminated string.
                Some(
                    unsafe { CStr::from_ptr(ai.ai_canonname) }
                        .to_string_lossy()
                        .into_owned(),
                )
            };
            out.push(AddrInfo {
                family: ai.ai_family,
                socktype: ai.ai_socktype,
                protocol: ai.ai_protocol,
                canonname,
                addr,
            });
        }
        cur = ai.ai_next;
    }
    // SAFETY: res came from getaddrinfo and is freed once.
    unsafe { libc::freeaddrinfo(res) };
    Ok(out)
}

/// Reads at most `max` bytes onto the end of `buf` (into its spare
/// capacity: no zeroing, no second buffer). `op` returns the byte count the
/// kernel reported (which MSG_TRUNC may make larger than `max`) and
/// anything else; on error `buf` is unchanged, so a retry reuses it.
pub fn append_read<R>(
    buf: &mut Vec<u8>,
    max: usize,
    op: impl FnOnce(&mut [MaybeUninit<u8>]) -> io::Result<(usize, R)>,
) -> io::Result<(usize, R)> {
    buf.reserve(max);
    let (n, extra) = op(&mut buf.spare_capacity_mut()[..max])?;
    // SAFETY: the kernel initialised min(n, max) bytes of the spare capacity.
    unsafe { buf.set_len(buf.len() + n.min(max)) };
    Ok((n, extra))
}

/// accept4(2) with SOCK_CLOEXEC, and SOCK_NONBLOCK when `nonblocking`.
pub fn accept(listener: &Socket, nonblocking: bool) -> io::Result<(Socket, SockAddr)> {
    let flags = if nonblocking {
        libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC
    } else {
        libc::SOCK_CLOEXEC
    };
    let mut fd: RawFd = -1;
    // SAFETY: accept4 fills at most `len` bytes of the sockaddr_storage.
    let (_, addr) = unsafe {
        SockAddr::try_init(|storage, len| {
            fd = libc::accept4(listener.as_raw_fd(), storage.cast(), len, flags);
            if fd < 0 {
                Err(io::Error::last_os_error())
            } else {
                Ok(())
            }
        })
    }?;
    // SAFETY: accept4 returned a new descriptor that nothing else owns.
    let sock = unsafe { <Socket as std::os::fd::FromRawFd>::from_raw_fd(fd) };
    Ok((sock, addr))
}

/// A raw descriptor registered with tokio's reactor (not owned).
pub struct Fd(RawFd);

impl AsRawFd for Fd {
    fn as_raw_fd(&self) -> RawFd {
        self.0
    }
}

/// Registers `sock` with the current tokio reactor.
///
/// # Safety
///
/// The returned registration must be dropped before `sock` is closed.
pub unsafe fn register(sock: &Socket) -> io::Result<tokio::io::unix::AsyncFd<Fd>> {
    // SAFETY: the caller keeps the descriptor open while registered.
    unsafe { tokio::io::unix::AsyncFd::register(Fd(sock.as_raw_fd())) }.map_err(io::Error::from)
}

/// poll(2) on several descriptors until one is ready or `deadline` passes
/// (`Some(now)`: look once without waiting). Returns each `revents`, all
/// zero on timeout. EINTR is retried with the remaining time.
pub fn poll_until(fds: &[(RawFd, i16)], deadline: Option<Instant>) -> io::Result<Vec<i16>> {
    let mut pfds: Vec<libc::pollfd> = fds
        .iter()
        .map(|&(fd, events)| libc::pollfd {
            fd,
            events,
            revents: 0,
        })
        .collect();
    loop {
        let timeout_ms: libc::c_int = match deadline {
            None => -1,
            // Rounded up, so that we never wake before the deadline.
            Some(d) => d
                .saturating_duration_since(Instant::now())
                .as_nanos()
                .div_ceil(1_000_000)
                .min(libc::c_int::MAX as u128) as libc::c_int,
        };
        // SAFETY: pfds is a valid array of pfds.len() pollfd structs.
        let n = unsafe { libc::poll(pfds.as_mut_ptr(), pfds.len() as libc::nfds_t, timeout_ms) };
        if n > 0 || (n == 0 && deadline.is_some_and(|d| Instant::now() >= d)) {
            return Ok(pfds.iter().map(|p| p.revents).collect());
        }
        if n < 0 {
            let e = io::Error::last_os_error();
            if e.kind() != io::ErrorKind::Interrupted {
                return Err(e);
            }
        }
    }
}

/// poll(2) with a zero timeout: each descriptor's `revents` now.
pub fn poll_now(fds: &[(RawFd, i16)]) -> io::Result<Vec<i16>> {
    poll_until(fds, Some(Instant::now()))
}

/// poll(2) on one descriptor until it is ready or `deadline` passes;
/// `false` on timeout.
pub fn poll_one(fd: RawFd, interest: Interest, deadline: Option<Instant>) -> io::Result<bool> {
    let events = match interest {
        Interest::Read => libc::POLLIN | libc::POLLPRI,
        Interest::Write | Interest::Connect => libc::POLLOUT,
    };
    Ok(poll_until(&[(fd, events)], deadline)?
        .first()
        .is_some_and(|&r| r != 0))
}
