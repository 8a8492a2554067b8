//! Sockets and their options: socket(2), socketpair(2), accept4(2),
//! getsockopt(2) / setsockopt(2), the ioctls wasock allows, reads into a
//! buffer's spare capacity, and `struct sockaddr` bytes.

use libc::c_int;
use socket2::{Domain, Protocol, SockAddr, Socket, Type};
use std::io;
use std::mem::MaybeUninit;
use std::net::{SocketAddr, SocketAddrV4, SocketAddrV6};
use std::os::fd::{AsRawFd, RawFd};
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

/// Moves the calling thread into a new, empty network namespace
/// (unshare(2) CLONE_NEWNET; tests only: needs root).
#[cfg(test)]
pub fn unshare_net() -> io::Result<()> {
    // SAFETY: unshare takes flags only.
    if unsafe { libc::unshare(libc::CLONE_NEWNET) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Whether `ip` is an address of this host (the kernel delivers it
/// locally): bind(2) of a fresh UDP socket to it succeeds only then (local
/// and broadcast routes; multicast groups are not asked). A probe socket,
/// closed at once: the fallback of `hostaddr::is_host_address` when
/// netlink is unavailable.
pub fn is_host_address_probe(ip: std::net::IpAddr, scope_id: u32) -> bool {
    if ip.is_multicast() {
        return false;
    }
    let (domain, addr) = match ip {
        std::net::IpAddr::V4(a) => (Domain::IPV4, SocketAddr::V4(SocketAddrV4::new(a, 0))),
        std::net::IpAddr::V6(a) => (
            Domain::IPV6,
            SocketAddr::V6(SocketAddrV6::new(a, 0, 0, scope_id)),
        ),
    };
    match Socket::new(domain, Type::DGRAM.cloexec(), None) {
        Ok(s) => s.bind(&SockAddr::from(addr)).is_ok(),
        // Cannot tell: judge it as local (the stricter reading).
        Err(_) => true,
    }
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

/// setsockopt(2) with a NULL value pointer and `len` (Python's
/// `setsockopt(level, optname, None, optlen)`; AF_ALG's
/// ALG_SET_AEAD_AUTHSIZE takes its value this way). The kernel never
/// dereferences the pointer for the options that take NULL; for others it
/// fails with EFAULT.
pub fn setsockopt_null(sock: &Socket, level: i32, name: i32, len: u32) -> io::Result<()> {
    // SAFETY: a NULL pointer is passed to the kernel, which checks it
    // (EFAULT) before any access; no user memory is involved.
    let r = unsafe {
        libc::setsockopt(
            sock.as_raw_fd(),
            level,
            name,
            std::ptr::null(),
            len as libc::socklen_t,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// ioctl(2) of a socket request that writes one `int`
/// (FIONREAD/SIOCINQ, SIOCOUTQ, SIOCOUTQNSD, SIOCATMARK).
pub fn ioctl_int(sock: &Socket, request: u64) -> io::Result<i32> {
    let mut v: c_int = 0;
    // SAFETY: each allowed request writes exactly one int into `v`.
    let r = unsafe { libc::ioctl(sock.as_raw_fd(), request as _, &mut v as *mut c_int) };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(v)
}

/// ioctl(2) of a `SIOCGIF*` request with a 40-byte `struct ifreq`.
pub fn ioctl_ifreq(sock: &Socket, request: u64, ifreq: &mut [u8; 40]) -> io::Result<()> {
    // SAFETY: the allowed SIOCGIF* requests read and write at most
    // sizeof(struct ifreq) = 40 bytes at the pointer, which `ifreq` has.
    let r = unsafe { libc::ioctl(sock.as_raw_fd(), request as _, ifreq.as_mut_ptr()) };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// ioctl(2) SIOCGSTAMP (`struct timeval`) or SIOCGSTAMPNS
/// (`struct timespec`): the last packet's receive time as (seconds,
/// nanoseconds).
pub fn ioctl_stamp(sock: &Socket, nanos: bool) -> io::Result<(i64, u32)> {
    // Both structures are two longs on 64-bit Linux.
    let mut v: [libc::c_long; 2] = [0, 0];
    let request = if nanos { 0x8907 } else { 0x8906 };
    // SAFETY: SIOCGSTAMP(NS) write one timeval/timespec (two longs) into `v`.
    let r = unsafe { libc::ioctl(sock.as_raw_fd(), request as _, v.as_mut_ptr()) };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    let frac = if nanos {
        v[1]
    } else {
        v[1].saturating_mul(1000)
    };
    Ok((v[0], u32::try_from(frac).unwrap_or(0)))
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

/// socketpair(2) with SOCK_CLOEXEC, and SOCK_NONBLOCK when `nonblocking`.
pub fn socketpair(
    domain: Domain,
    ty: Type,
    protocol: i32,
    nonblocking: bool,
) -> io::Result<(Socket, Socket)> {
    let proto = (protocol != 0).then_some(Protocol::from(protocol));
    let ty = if nonblocking { ty.nonblocking() } else { ty };
    Socket::pair(domain, ty, proto)
}

/// A socket address from its raw bytes (a `struct sockaddr_*` built by
/// `families.rs`; at most `sockaddr_storage`'s 128 bytes).
pub fn sockaddr_from_bytes(bytes: &[u8]) -> io::Result<SockAddr> {
    if bytes.len() < 2 || bytes.len() > std::mem::size_of::<libc::sockaddr_storage>() {
        return Err(io::Error::from_raw_os_error(libc::EINVAL));
    }
    // SAFETY: the storage is zeroed and 128 bytes long; we copy at most
    // that many bytes into it and report their count.
    let ((), addr) = unsafe {
        SockAddr::try_init(|storage, l| {
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), storage.cast::<u8>(), bytes.len());
            *l = bytes.len() as libc::socklen_t;
            Ok(())
        })
    }?;
    Ok(addr)
}

/// The raw bytes of a socket address, as the kernel wrote them.
pub fn sockaddr_bytes(addr: &SockAddr) -> &[u8] {
    let len = (addr.len() as usize).min(std::mem::size_of::<libc::sockaddr_storage>());
    // SAFETY: `as_ptr` points at the address's sockaddr_storage, of which
    // the first `len` (<= 128) bytes are initialised; the slice borrows `addr`.
    unsafe { std::slice::from_raw_parts(addr.as_ptr().cast::<u8>(), len) }
}
