//! Names: getaddrinfo(3), getnameinfo(3), the reentrant netdb calls
//! (`gethostbyname_r`, `gethostbyaddr_r`, `getservby*_r`,
//! `getprotobyname_r`, declared here since `libc` lacks them), `if_*` and
//! gethostname(2).

use libc::{c_char, c_int};
use socket2::SockAddr;
use std::io;
use std::net::{IpAddr, SocketAddr};

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
