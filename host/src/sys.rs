//! The system layer: the only module that makes system calls (through
//! socket2, and libc where socket2 has no call) and the only place with
//! `unsafe`. Everything above it speaks WIT types and `std` types.

use crate::bindings::types::{
    AddressFamily, Ipv4SocketAddress, Ipv6SocketAddress, SocketAddress, SocketType,
};
use libc::{c_char, c_int};
use socket2::{Domain, Protocol, SockAddr, Socket, Type};
use std::io;
use std::mem::MaybeUninit;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
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
        AddressFamily::Unspec => None,
        other => Some(Domain::from(crate::families::number(other))),
    }
}

/// The socket2 type of a socket type the host implements.
pub fn socket_type(ty: SocketType) -> Option<Type> {
    match ty {
        SocketType::Stream => Some(Type::STREAM),
        SocketType::Dgram => Some(Type::DGRAM),
        SocketType::Raw => Some(Type::RAW),
        SocketType::Rdm => Some(Type::from(libc::SOCK_RDM)),
        SocketType::Seqpacket => Some(Type::SEQPACKET),
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

// ---- name service (netdb.h) ----------------------------------------------
//
// The reentrant glibc calls the `libc` crate does not declare. Each may
// read files (/etc/hosts, /etc/services, /etc/protocols) or ask the
// network (DNS), so callers in an async store run them off the executor
// (see `netdb::Offload`).

mod nss {
    use libc::{c_char, c_int, c_void, hostent, protoent, servent, size_t, sockaddr, socklen_t};
    extern "C" {
        pub fn getnameinfo(
            sa: *const sockaddr,
            salen: socklen_t,
            host: *mut c_char,
            hostlen: socklen_t,
            serv: *mut c_char,
            servlen: socklen_t,
            flags: c_int,
        ) -> c_int;
        pub fn gethostbyname_r(
            name: *const c_char,
            ret: *mut hostent,
            buf: *mut c_char,
            buflen: size_t,
            result: *mut *mut hostent,
            h_errnop: *mut c_int,
        ) -> c_int;
        pub fn gethostbyaddr_r(
            addr: *const c_void,
            len: socklen_t,
            ty: c_int,
            ret: *mut hostent,
            buf: *mut c_char,
            buflen: size_t,
            result: *mut *mut hostent,
            h_errnop: *mut c_int,
        ) -> c_int;
        pub fn getservbyname_r(
            name: *const c_char,
            proto: *const c_char,
            ret: *mut servent,
            buf: *mut c_char,
            buflen: size_t,
            result: *mut *mut servent,
        ) -> c_int;
        pub fn getservbyport_r(
            port: c_int,
            proto: *const c_char,
            ret: *mut servent,
            buf: *mut c_char,
            buflen: size_t,
            result: *mut *mut servent,
        ) -> c_int;
        pub fn getprotobyname_r(
            name: *const c_char,
            ret: *mut protoent,
            buf: *mut c_char,
            buflen: size_t,
            result: *mut *mut protoent,
        ) -> c_int;
    }
}

/// h_errno HOST_NOT_FOUND (netdb.h): no such host.
pub const HOST_NOT_FOUND: i32 = 1;

/// The largest scratch buffer a `*_r` lookup may grow to (ERANGE doubles
/// it from 1 KiB): a huge /etc/hosts entry fails instead of allocating
/// without bound.
const NSS_BUF_MAX: usize = 1 << 16;

/// Runs a glibc `*_r` lookup with a scratch buffer that grows on ERANGE.
/// `call` returns the function's result and whether it found something.
fn with_nss_buf<T>(
    mut call: impl FnMut(&mut [u8]) -> (c_int, Option<T>),
) -> Result<Option<T>, c_int> {
    let mut size = 1024;
    loop {
        let mut buf = vec![0u8; size];
        match call(&mut buf) {
            (libc::ERANGE, _) if size < NSS_BUF_MAX => size *= 2,
            (0, found) => return Ok(found),
            (rc, _) => return Err(rc),
        }
    }
}

fn c_text(p: *const c_char) -> String {
    if p.is_null() {
        return String::new();
    }
    // SAFETY: callers pass NUL-terminated strings owned by glibc or by a
    // buffer that outlives this call.
    unsafe { std::ffi::CStr::from_ptr(p) }
        .to_string_lossy()
        .into_owned()
}

/// A NULL-terminated `char **` as strings (at most 1024 of them).
///
/// # Safety
///
/// `list` is null or a NULL-terminated array of NUL-terminated strings.
unsafe fn c_list(list: *mut *mut c_char) -> Vec<String> {
    let mut out = Vec::new();
    if list.is_null() {
        return out;
    }
    for i in 0..1024 {
        // SAFETY: the array is NULL-terminated and we stop at the NULL.
        let p = unsafe { *list.add(i) };
        if p.is_null() {
            break;
        }
        out.push(c_text(p));
    }
    out
}

/// `struct hostent`, copied out: Python's `(name, aliases, addresses)`.
pub struct HostEnt {
    /// h_name.
    pub name: String,
    /// h_aliases.
    pub aliases: Vec<String>,
    /// h_addr_list (AF_INET or AF_INET6 entries).
    pub addrs: Vec<IpAddr>,
}

/// Copies a hostent that glibc filled.
///
/// # Safety
///
/// `h` points at a hostent whose pointers are valid.
unsafe fn copy_hostent(h: &libc::hostent) -> HostEnt {
    let mut addrs = Vec::new();
    let list = h.h_addr_list;
    if !list.is_null() {
        for i in 0..1024 {
            // SAFETY: NULL-terminated array of h_length-byte addresses.
            let p = unsafe { *list.add(i) };
            if p.is_null() {
                break;
            }
            match (h.h_addrtype, h.h_length) {
                (libc::AF_INET, 4) => {
                    let mut b = [0u8; 4];
                    // SAFETY: p points at 4 bytes.
                    unsafe { std::ptr::copy_nonoverlapping(p.cast::<u8>(), b.as_mut_ptr(), 4) };
                    addrs.push(IpAddr::from(b));
                }
                (libc::AF_INET6, 16) => {
                    let mut b = [0u8; 16];
                    // SAFETY: p points at 16 bytes.
                    unsafe { std::ptr::copy_nonoverlapping(p.cast::<u8>(), b.as_mut_ptr(), 16) };
                    addrs.push(IpAddr::from(b));
                }
                _ => {}
            }
        }
    }
    HostEnt {
        name: c_text(h.h_name),
        // SAFETY: h_aliases is a NULL-terminated string array.
        aliases: unsafe { c_list(h.h_aliases) },
        addrs,
    }
}

/// gethostbyname_r(3) (IPv4 only, as CPython's `gethostbyname_ex`).
/// `Err(h_errno)` when not found.
pub fn gethostbyname(name: &str) -> Result<HostEnt, i32> {
    let Ok(cname) = std::ffi::CString::new(name) else {
        return Err(HOST_NOT_FOUND);
    };
    let mut herr: c_int = 0;
    let r = with_nss_buf(|buf| {
        // SAFETY: a zeroed hostent is valid storage for glibc to fill.
        let mut ent: libc::hostent = unsafe { std::mem::zeroed() };
        let mut res: *mut libc::hostent = std::ptr::null_mut();
        // SAFETY: every pointer is valid for the call; buf has buf.len() bytes.
        let rc = unsafe {
            nss::gethostbyname_r(
                cname.as_ptr(),
                &mut ent,
                buf.as_mut_ptr().cast(),
                buf.len(),
                &mut res,
                &mut herr,
            )
        };
        // SAFETY: on success res points at `ent`, filled from `buf`.
        (rc, (!res.is_null()).then(|| unsafe { copy_hostent(&*res) }))
    });
    match r {
        Ok(Some(h)) => Ok(h),
        _ => Err(if herr == 0 { HOST_NOT_FOUND } else { herr }),
    }
}

/// gethostbyaddr_r(3). `Err(h_errno)` when not found.
pub fn gethostbyaddr(ip: IpAddr) -> Result<HostEnt, i32> {
    let (bytes, family): (Vec<u8>, c_int) = match ip {
        IpAddr::V4(a) => (a.octets().to_vec(), libc::AF_INET),
        IpAddr::V6(a) => (a.octets().to_vec(), libc::AF_INET6),
    };
    let mut herr: c_int = 0;
    let r = with_nss_buf(|buf| {
        // SAFETY: a zeroed hostent is valid storage for glibc to fill.
        let mut ent: libc::hostent = unsafe { std::mem::zeroed() };
        let mut res: *mut libc::hostent = std::ptr::null_mut();
        // SAFETY: every pointer is valid for the call; buf has buf.len() bytes.
        let rc = unsafe {
            nss::gethostbyaddr_r(
                bytes.as_ptr().cast(),
                bytes.len() as libc::socklen_t,
                family,
                &mut ent,
                buf.as_mut_ptr().cast(),
                buf.len(),
                &mut res,
                &mut herr,
            )
        };
        // SAFETY: on success res points at `ent`, filled from `buf`.
        (rc, (!res.is_null()).then(|| unsafe { copy_hostent(&*res) }))
    });
    match r {
        Ok(Some(h)) => Ok(h),
        _ => Err(if herr == 0 { HOST_NOT_FOUND } else { herr }),
    }
}

/// getnameinfo(3) into NI_MAXHOST / NI_MAXSERV buffers. `Err(eai)`.
pub fn getnameinfo(addr: SocketAddr, flags: i32) -> Result<(String, String), i32> {
    let sa = SockAddr::from(addr);
    let mut host = [0 as c_char; 1025];
    let mut serv = [0 as c_char; 32];
    // SAFETY: sa is a valid sockaddr of sa.len() bytes; the buffers have
    // the lengths passed.
    let rc = unsafe {
        nss::getnameinfo(
            sa.as_ptr().cast(),
            sa.len(),
            host.as_mut_ptr(),
            host.len() as libc::socklen_t,
            serv.as_mut_ptr(),
            serv.len() as libc::socklen_t,
            flags,
        )
    };
    if rc != 0 {
        return Err(rc);
    }
    Ok((c_text(host.as_ptr()), c_text(serv.as_ptr())))
}

/// getservbyname_r(3): the port (host order) of a service, if known.
pub fn getservbyname(name: &str, proto: Option<&str>) -> Option<u16> {
    let name = std::ffi::CString::new(name).ok()?;
    let proto = proto.map(std::ffi::CString::new).transpose().ok()?;
    with_nss_buf(|buf| {
        // SAFETY: a zeroed servent is valid storage for glibc to fill.
        let mut ent: libc::servent = unsafe { std::mem::zeroed() };
        let mut res: *mut libc::servent = std::ptr::null_mut();
        // SAFETY: every pointer is valid or null as allowed.
        let rc = unsafe {
            nss::getservbyname_r(
                name.as_ptr(),
                proto.as_ref().map_or(std::ptr::null(), |p| p.as_ptr()),
                &mut ent,
                buf.as_mut_ptr().cast(),
                buf.len(),
                &mut res,
            )
        };
        // SAFETY: on success res points at `ent`.
        (
            rc,
            (!res.is_null()).then(|| u16::from_be(unsafe { (*res).s_port } as u16)),
        )
    })
    .ok()
    .flatten()
}

/// getservbyport_r(3): the name of the service on a port, if known.
pub fn getservbyport(port: u16, proto: Option<&str>) -> Option<String> {
    let proto = proto.map(std::ffi::CString::new).transpose().ok()?;
    with_nss_buf(|buf| {
        // SAFETY: a zeroed servent is valid storage for glibc to fill.
        let mut ent: libc::servent = unsafe { std::mem::zeroed() };
        let mut res: *mut libc::servent = std::ptr::null_mut();
        // SAFETY: every pointer is valid or null as allowed.
        let rc = unsafe {
            nss::getservbyport_r(
                c_int::from(port.to_be()),
                proto.as_ref().map_or(std::ptr::null(), |p| p.as_ptr()),
                &mut ent,
                buf.as_mut_ptr().cast(),
                buf.len(),
                &mut res,
            )
        };
        // SAFETY: on success res points at `ent`, whose name is in `buf`.
        (
            rc,
            (!res.is_null()).then(|| c_text(unsafe { (*res).s_name })),
        )
    })
    .ok()
    .flatten()
}

/// getprotobyname_r(3): a protocol's number, if known.
pub fn getprotobyname(name: &str) -> Option<i32> {
    let name = std::ffi::CString::new(name).ok()?;
    with_nss_buf(|buf| {
        // SAFETY: a zeroed protoent is valid storage for glibc to fill.
        let mut ent: libc::protoent = unsafe { std::mem::zeroed() };
        let mut res: *mut libc::protoent = std::ptr::null_mut();
        // SAFETY: every pointer is valid for the call.
        let rc = unsafe {
            nss::getprotobyname_r(
                name.as_ptr(),
                &mut ent,
                buf.as_mut_ptr().cast(),
                buf.len(),
                &mut res,
            )
        };
        // SAFETY: on success res points at `ent`.
        (rc, (!res.is_null()).then(|| unsafe { (*res).p_proto }))
    })
    .ok()
    .flatten()
}

/// if_nameindex(3): the host's interfaces as `(index, name)`.
pub fn if_nameindex() -> io::Result<Vec<(u32, String)>> {
    // SAFETY: no arguments; the result is freed below.
    let list = unsafe { libc::if_nameindex() };
    if list.is_null() {
        return Err(io::Error::last_os_error());
    }
    let mut out = Vec::new();
    for i in 0..4096 {
        // SAFETY: the array ends with an entry whose index is 0.
        let e = unsafe { &*list.add(i) };
        if e.if_index == 0 || e.if_name.is_null() {
            break;
        }
        out.push((e.if_index, c_text(e.if_name)));
    }
    // SAFETY: list came from if_nameindex and is freed once.
    unsafe { libc::if_freenameindex(list) };
    Ok(out)
}

/// if_nametoindex(3); `None` when there is no such interface.
pub fn if_nametoindex(name: &str) -> Option<u32> {
    let name = std::ffi::CString::new(name).ok()?;
    // SAFETY: name is NUL-terminated.
    let i = unsafe { libc::if_nametoindex(name.as_ptr()) };
    (i != 0).then_some(i)
}

/// if_indextoname(3); `None` when there is no such interface.
pub fn if_indextoname(index: u32) -> Option<String> {
    let mut buf = [0 as c_char; libc::IF_NAMESIZE];
    // SAFETY: buf has IF_NAMESIZE bytes, as if_indextoname needs.
    let p = unsafe { libc::if_indextoname(index, buf.as_mut_ptr()) };
    (!p.is_null()).then(|| c_text(buf.as_ptr()))
}

/// gethostname(2).
pub fn gethostname() -> io::Result<String> {
    let mut buf = [0 as c_char; 256];
    // SAFETY: buf has the length passed; we terminate it below.
    let r = unsafe { libc::gethostname(buf.as_mut_ptr(), buf.len() - 1) };
    if r != 0 {
        return Err(io::Error::last_os_error());
    }
    buf[255] = 0;
    Ok(c_text(buf.as_ptr()))
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

// ---------------------------------------------------------------------------
// AF_UNIX

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

/// `offsetof(struct sockaddr_un, sun_path)`.
const SUN_PATH_OFFSET: usize = std::mem::size_of::<libc::sa_family_t>();

/// Size of `sun_path`.
pub const SUN_PATH_LEN: usize = 108;

/// A `struct sockaddr_un`: a pathname (`abstract_name` false: at most 107
/// bytes, no NUL; a terminating NUL is added), an abstract name (the bytes
/// after the leading NUL, at most 107), or, for empty `name` and not
/// abstract, the unnamed address (bind(2) with it autobinds).
pub fn unix_sockaddr(name: &[u8], abstract_name: bool) -> io::Result<SockAddr> {
    let start = usize::from(abstract_name);
    if start + name.len() >= SUN_PATH_LEN + usize::from(abstract_name)
        || (!abstract_name && name.contains(&0))
    {
        return Err(io::Error::from_raw_os_error(libc::EINVAL));
    }
    let len = if abstract_name {
        SUN_PATH_OFFSET + 1 + name.len()
    } else if name.is_empty() {
        SUN_PATH_OFFSET
    } else {
        SUN_PATH_OFFSET + name.len() + 1
    };
    // SAFETY: the storage is zeroed and large enough for a sockaddr_un;
    // we write the family and at most 108 path bytes, and report `len`.
    let ((), addr) = unsafe {
        SockAddr::try_init(|storage, l| {
            let un = storage.cast::<libc::sockaddr_un>();
            (*un).sun_family = libc::AF_UNIX as libc::sa_family_t;
            let path = (*un).sun_path.as_mut_ptr().cast::<u8>();
            std::ptr::copy_nonoverlapping(name.as_ptr(), path.add(start), name.len());
            *l = len as libc::socklen_t;
            Ok(())
        })
    }?;
    Ok(addr)
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

/// What the kernel reported for an AF_UNIX address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnixName {
    /// No address at all (recvfrom(2) from an unnamed peer: length 0).
    Nothing,
    /// An unnamed socket (only the family).
    Unnamed,
    /// A pathname, as the binder spelled it.
    Path(Vec<u8>),
    /// An abstract name, without the leading NUL.
    Abstract(Vec<u8>),
}

/// The AF_UNIX reading of a kernel address (`None` for another family).
pub fn unix_name(addr: &SockAddr) -> Option<UnixName> {
    if addr.len() == 0 {
        return Some(UnixName::Nothing);
    }
    if !addr.is_unix() {
        return None;
    }
    if addr.is_unnamed() {
        return Some(UnixName::Unnamed);
    }
    if let Some(a) = addr.as_abstract_namespace() {
        return Some(UnixName::Abstract(a.to_vec()));
    }
    use std::os::unix::ffi::OsStrExt;
    let p = addr.as_pathname()?.as_os_str().as_bytes();
    // A path bound with all 108 bytes has no NUL; socket2 drops a byte
    // it takes for one. Trim at the first NUL either way.
    let end = p.iter().position(|&b| b == 0).unwrap_or(p.len());
    Some(UnixName::Path(p[..end].to_vec()))
}

/// openat2(2) of `path` beneath the directory `dir` with
/// RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS: `..`, absolute paths and
/// symlinks that would leave `dir` fail with EXDEV; symlinks that stay
/// inside are followed. Opened O_PATH | O_CLOEXEC, plus O_DIRECTORY when
/// `directory`.
pub fn open_beneath(dir: BorrowedFd<'_>, path: &[u8], directory: bool) -> io::Result<OwnedFd> {
    let c = std::ffi::CString::new(path).map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))?;
    let mut flags = libc::O_PATH | libc::O_CLOEXEC;
    if directory {
        flags |= libc::O_DIRECTORY;
    }
    // SAFETY: open_how is plain integers; zero is a valid value.
    let mut how: libc::open_how = unsafe { std::mem::zeroed() };
    how.flags = flags as u64;
    how.resolve = libc::RESOLVE_BENEATH | libc::RESOLVE_NO_MAGICLINKS;
    loop {
        // SAFETY: `c` is NUL-terminated; `how` is a valid open_how of the
        // size we pass.
        let fd = unsafe {
            libc::syscall(
                libc::SYS_openat2,
                dir.as_raw_fd(),
                c.as_ptr(),
                &how as *const libc::open_how,
                std::mem::size_of::<libc::open_how>(),
            )
        };
        if fd >= 0 {
            // SAFETY: openat2 returned a new descriptor that nothing else owns.
            return Ok(unsafe { OwnedFd::from_raw_fd(fd as RawFd) });
        }
        let e = io::Error::last_os_error();
        // EAGAIN: a concurrent rename raced the lookup; try again.
        if e.raw_os_error() != Some(libc::EAGAIN) && e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

/// Opens a directory once (O_PATH | O_DIRECTORY | O_CLOEXEC), for a grant.
pub fn open_dir(path: &std::path::Path) -> io::Result<OwnedFd> {
    use std::os::unix::fs::OpenOptionsExt;
    let f = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_DIRECTORY | libc::O_CLOEXEC)
        .open(path)?;
    Ok(OwnedFd::from(f))
}

/// The path the kernel names for an open descriptor
/// (readlink(2) of `/proc/self/fd/N`).
pub fn fd_path(fd: RawFd) -> io::Result<std::path::PathBuf> {
    std::fs::read_link(format!("/proc/self/fd/{fd}"))
}

/// The name under which a path reaches the object `fd` is open on (a
/// directory, or with `name` a file in that directory) without resolving
/// any path again: `/proc/self/fd/N[/name]`.
pub fn fd_link(fd: BorrowedFd<'_>, name: Option<&[u8]>) -> Vec<u8> {
    let mut p = format!("/proc/self/fd/{}", fd.as_raw_fd()).into_bytes();
    if let Some(n) = name {
        p.push(b'/');
        p.extend_from_slice(n);
    }
    p
}

/// The `/proc/self/fd/N` descriptor number a kernel-reported path starts
/// with, and the rest after `N/`.
pub fn split_fd_link(path: &[u8]) -> Option<(RawFd, &[u8])> {
    let rest = path.strip_prefix(b"/proc/self/fd/")?;
    let slash = rest.iter().position(|&b| b == b'/')?;
    let n: RawFd = std::str::from_utf8(&rest[..slash]).ok()?.parse().ok()?;
    Some((n, &rest[slash + 1..]))
}

/// fstat(2): whether `fd` is a socket.
pub fn is_socket(fd: BorrowedFd<'_>) -> bool {
    // SAFETY: a zeroed stat is a valid buffer for fstat to fill.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: `fd` is open; `st` is writable.
    let r = unsafe { libc::fstat(fd.as_raw_fd(), &mut st) };
    r == 0 && (st.st_mode & libc::S_IFMT) == libc::S_IFSOCK
}

// ---------------------------------------------------------------------------
// sendmsg / recvmsg

/// One control message as the kernel lays it out: level, type, data.
#[derive(Debug)]
pub struct RawCmsg {
    /// `cmsg_level`.
    pub level: i32,
    /// `cmsg_type`.
    pub kind: i32,
    /// `CMSG_DATA`, as many bytes as arrived.
    pub data: Vec<u8>,
}

/// A received control message: descriptors (already owned, so they close
/// on every path unless kept) or anything else as bytes.
#[derive(Debug)]
pub enum RecvCmsg {
    /// SCM_RIGHTS.
    Rights(Vec<OwnedFd>),
    /// Anything else.
    Other(RawCmsg),
}

/// `CMSG_SPACE(n)`.
pub fn cmsg_space(n: usize) -> usize {
    // SAFETY: a pure size computation.
    unsafe { libc::CMSG_SPACE(n as libc::c_uint) as usize }
}

/// sendmsg(2) of `bufs` with control messages `cmsgs` (SCM_RIGHTS
/// carrying `fds` first when not empty) to `to` (or the connected peer).
pub fn sendmsg(
    sock: &Socket,
    bufs: &[&[u8]],
    fds: &[RawFd],
    cmsgs: &[RawCmsg],
    to: Option<&SockAddr>,
    flags: i32,
) -> io::Result<usize> {
    let fd_bytes: Vec<u8> = fds.iter().flat_map(|fd| fd.to_ne_bytes()).collect();
    let rights = (!fds.is_empty()).then_some((libc::SOL_SOCKET, libc::SCM_RIGHTS, &fd_bytes[..]));
    let all: Vec<(i32, i32, &[u8])> = rights
        .into_iter()
        .chain(cmsgs.iter().map(|c| (c.level, c.kind, &c.data[..])))
        .collect();
    let space: usize = all.iter().map(|(_, _, d)| cmsg_space(d.len())).sum();
    // u64 words: cmsghdr alignment.
    let mut control = vec![0u64; space.div_ceil(8)];
    let mut iov: Vec<libc::iovec> = bufs
        .iter()
        .map(|b| libc::iovec {
            iov_base: b.as_ptr() as *mut libc::c_void,
            iov_len: b.len(),
        })
        .collect();
    // SAFETY: a zeroed msghdr is valid; every pointer we set below points
    // at memory that outlives the call, with its length.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    if let Some(a) = to {
        msg.msg_name = a.as_ptr() as *mut libc::c_void;
        msg.msg_namelen = a.len();
    }
    msg.msg_iov = iov.as_mut_ptr();
    msg.msg_iovlen = iov.len();
    if space > 0 {
        msg.msg_control = control.as_mut_ptr().cast();
        msg.msg_controllen = space;
        // SAFETY: the control buffer holds CMSG_SPACE of every message, so
        // each header and its data fit where CMSG_NXTHDR places them.
        unsafe {
            let mut c = libc::CMSG_FIRSTHDR(&msg);
            for (level, kind, data) in &all {
                if c.is_null() {
                    return Err(io::Error::from_raw_os_error(libc::EINVAL));
                }
                (*c).cmsg_level = *level;
                (*c).cmsg_type = *kind;
                (*c).cmsg_len = libc::CMSG_LEN(data.len() as libc::c_uint) as _;
                std::ptr::copy_nonoverlapping(data.as_ptr(), libc::CMSG_DATA(c), data.len());
                c = libc::CMSG_NXTHDR(&msg, c);
            }
        }
    }
    // SAFETY: msg is fully initialised above.
    let n = unsafe { libc::sendmsg(sock.as_raw_fd(), &msg, flags) };
    if n < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(n as usize)
    }
}

/// What recvmsg(2) returned besides the data.
#[derive(Debug)]
pub struct RecvMsgOut {
    /// `msg_flags`.
    pub flags: i32,
    /// The sender (length 0 when the kernel gave none).
    pub from: SockAddr,
    /// Control messages, in order.
    pub cmsgs: Vec<RecvCmsg>,
}

/// recvmsg(2) with MSG_CMSG_CLOEXEC into at most `max` bytes appended to
/// `buf`, with a control buffer of `control_len` bytes. Received
/// descriptors are owned at once, so none can leak.
pub fn recvmsg(
    sock: &Socket,
    buf: &mut Vec<u8>,
    max: usize,
    control_len: usize,
    flags: i32,
) -> io::Result<RecvMsgOut> {
    buf.reserve(max);
    let spare = &mut buf.spare_capacity_mut()[..max];
    let mut iov = libc::iovec {
        iov_base: spare.as_mut_ptr().cast(),
        iov_len: max,
    };
    let mut control = vec![0u64; control_len.div_ceil(8)];
    // SAFETY: zeroed storage is a valid sockaddr buffer.
    let mut storage: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    // SAFETY: a zeroed msghdr is valid; we point it at live buffers.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_name = (&mut storage as *mut libc::sockaddr_storage).cast();
    msg.msg_namelen = std::mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    if control_len > 0 {
        msg.msg_control = control.as_mut_ptr().cast();
        msg.msg_controllen = control_len;
    }
    // SAFETY: every buffer in msg is valid and writable for its length.
    let n = unsafe { libc::recvmsg(sock.as_raw_fd(), &mut msg, flags | libc::MSG_CMSG_CLOEXEC) };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    let n = n as usize;
    let mut cmsgs = Vec::new();
    if control_len > 0 && msg.msg_controllen > 0 {
        let end = control.as_ptr() as usize + msg.msg_controllen.min(control_len);
        // SAFETY: CMSG_FIRSTHDR/NXTHDR stay within msg_controllen, which
        // the kernel set to the bytes it wrote; data lengths are clamped to
        // the end of the buffer.
        unsafe {
            let mut c = libc::CMSG_FIRSTHDR(&msg);
            while !c.is_null() {
                let data = libc::CMSG_DATA(c);
                let claimed = ((*c).cmsg_len as usize).saturating_sub(libc::CMSG_LEN(0) as usize);
                let avail = end.saturating_sub(data as usize).min(claimed);
                let bytes = std::slice::from_raw_parts(data, avail);
                if (*c).cmsg_level == libc::SOL_SOCKET && (*c).cmsg_type == libc::SCM_RIGHTS {
                    let fds = bytes
                        .chunks_exact(4)
                        .map(|w| {
                            let fd = i32::from_ne_bytes([w[0], w[1], w[2], w[3]]);
                            OwnedFd::from_raw_fd(fd)
                        })
                        .collect();
                    cmsgs.push(RecvCmsg::Rights(fds));
                } else {
                    cmsgs.push(RecvCmsg::Other(RawCmsg {
                        level: (*c).cmsg_level,
                        kind: (*c).cmsg_type,
                        data: bytes.to_vec(),
                    }));
                }
                c = libc::CMSG_NXTHDR(&msg, c);
            }
        }
    }
    // SAFETY: the kernel initialised min(n, max) bytes of the spare capacity.
    unsafe { buf.set_len(buf.len() + n.min(max)) };
    let namelen = msg
        .msg_namelen
        .min(std::mem::size_of::<libc::sockaddr_storage>() as u32);
    // SAFETY: the kernel wrote `namelen` bytes of the address.
    let from = unsafe {
        SockAddr::try_init(|s, l| {
            std::ptr::copy_nonoverlapping(
                (&storage as *const libc::sockaddr_storage).cast::<u8>(),
                s.cast::<u8>(),
                namelen as usize,
            );
            *l = namelen;
            Ok(())
        })
    }?
    .1;
    Ok(RecvMsgOut {
        flags: msg.msg_flags,
        from,
        cmsgs,
    })
}

/// Whether `(pid, uid, gid)` are credentials an unprivileged process could
/// send as SCM_CREDENTIALS: its own pid, its real or effective uid and gid
/// (getuid(2), geteuid(2), getgid(2), getegid(2)).
pub fn own_credentials(pid: i32, uid: u32, gid: u32) -> bool {
    // SAFETY: these calls take no arguments and cannot fail.
    let (ruid, euid, rgid, egid) = unsafe {
        (
            libc::getuid(),
            libc::geteuid(),
            libc::getgid(),
            libc::getegid(),
        )
    };
    u32::try_from(pid).is_ok_and(|p| p == std::process::id())
        && (uid == ruid || uid == euid)
        && (gid == rgid || gid == egid)
}

/// getrlimit(2) RLIMIT_NOFILE: this process's soft limit on descriptors
/// (`None` when unlimited or unknown). Needs no descriptor, so it works
/// when the process is out of them.
pub fn nofile_soft_limit() -> Option<u64> {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `lim` is a valid, writable rlimit for the call.
    let r = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) };
    (r == 0 && lim.rlim_cur != libc::RLIM_INFINITY).then_some(lim.rlim_cur)
}
