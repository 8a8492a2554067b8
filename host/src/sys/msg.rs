//! Messages and control data: sendmsg(2) / recvmsg(2) with the kernel's
//! control messages, and the credentials a process may send.

use socket2::{SockAddr, Socket};
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

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
