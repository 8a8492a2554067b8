//! Paths: AF_UNIX socket addresses (`struct sockaddr_un`), and files
//! opened beneath a directory capability (openat2(2) with
//! RESOLVE_BENEATH), the link behind a descriptor, whether one is a socket.

use socket2::SockAddr;
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};

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
