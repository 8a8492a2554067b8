//! AF_UNIX addresses: guest names to kernel addresses, confined to the
//! policy's directory capability, and kernel addresses back to the names
//! the guest sees.
//!
//! A guest never names a host path. A pathname is resolved beneath the
//! granted directory's descriptor with openat2(2) RESOLVE_BENEATH (so `..`,
//! absolute paths and symlinks that would leave it are refused), and the
//! system call is then given a `/proc/self/fd/N[/name]` path through the
//! descriptor it opened, so nothing is resolved twice:
//!
//! - bind(2): the parent directory is opened beneath the grant and the
//!   socket is bound as `/proc/self/fd/<parent>/<name>`; bind creates the
//!   final component and never follows it (an existing name, symlink or
//!   not, is EADDRINUSE). The parent stays open while the socket lives,
//!   so the name the kernel keeps for it stays meaningful.
//! - connect(2), sendto(2): the socket file itself is opened (O_PATH)
//!   beneath the grant and reached through `/proc/self/fd/<file>`, i.e.
//!   that exact inode: a symlink swapped in after the check cannot
//!   redirect the call.
//!
//! Abstract names are granted by prefix. Autobind (`bind('')`) is always
//! allowed: the kernel picks a fresh name.

use crate::policy::{Policy, Use};
use crate::sys::{self, UnixName};
use crate::types::errors::ErrorCode;
use crate::types::types::{SocketAddress, UnixAddress};
use crate::types::{SocketError, SocketResult};
use socket2::SockAddr;
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::sync::{Arc, OnceLock};

/// What a socket keeps about its AF_UNIX name: the guest's spelling of
/// the path it bound, and the parent directory the kernel's name for it
/// goes through. Shared by `dup`s.
#[derive(Clone, Default)]
pub struct UnixState {
    bound: Arc<OnceLock<Bound>>,
}

struct Bound {
    /// The guest's path, as it gave it.
    guest: Vec<u8>,
    /// The path the kernel holds (`/proc/self/fd/N/name`).
    kernel: Vec<u8>,
    /// Keeps `N` open (and so `kernel` meaningful) while the socket lives.
    parent: OwnedFd,
}

/// The parent-directory descriptors bound sockets hold, process-wide: a
/// kernel-reported `/proc/self/fd/N/…` is translated only when `N` is one
/// of them, so a peer that chose such a name cannot make the host reveal
/// what another of its descriptors is.
static PARENTS: std::sync::Mutex<Vec<std::os::fd::RawFd>> = std::sync::Mutex::new(Vec::new());

fn parents() -> std::sync::MutexGuard<'static, Vec<std::os::fd::RawFd>> {
    PARENTS.lock().unwrap_or_else(|p| p.into_inner())
}

impl Drop for Bound {
    fn drop(&mut self) {
        // Forgotten before the descriptor closes (after this body).
        let fd = std::os::fd::AsRawFd::as_raw_fd(&self.parent);
        parents().retain(|&p| p != fd);
    }
}

/// An address ready for a system call, with the descriptors it goes
/// through (kept open until the call is done).
pub struct Resolved {
    /// The kernel address.
    pub addr: SockAddr,
    hold: Option<OwnedFd>,
    /// The AF_UNIX path as the guest spelt it (empty for other addresses).
    pub(crate) guest: Vec<u8>,
}

impl Resolved {
    /// An address that needs no descriptor.
    pub fn plain(addr: SockAddr) -> Self {
        Resolved {
            addr,
            hold: None,
            guest: Vec::new(),
        }
    }

    /// Records a successful bind(2) of a pathname on `state`.
    pub fn bound(self, state: &UnixState) {
        if let Some(parent) = self.hold {
            if let Some(name) = self.addr.as_pathname() {
                let fd = std::os::fd::AsRawFd::as_raw_fd(&parent);
                let bound = Bound {
                    guest: self.guest,
                    kernel: name.as_os_str().as_bytes().to_vec(),
                    parent,
                };
                parents().push(fd);
                // A second successful bind cannot happen (EINVAL); if it
                // did, `bound` is dropped here and forgets its descriptor.
                let _ = state.bound.set(bound);
            }
        }
    }
}

fn too_long() -> SocketError {
    SocketError::new(ErrorCode::NameTooLong, "AF_UNIX path too long")
}

pub(crate) fn show(p: &[u8]) -> String {
    crate::types::shorten(&String::from_utf8_lossy(p)).into_owned()
}

/// Maps openat2(2)'s refusal of an escape to a policy denial.
fn beneath_error(e: io::Error, use_: Use, path: &[u8]) -> SocketError {
    if e.raw_os_error() == Some(libc::EXDEV) {
        SocketError::denied(format_args!(
            "{use_} to AF_UNIX path {:?} (it leads outside the granted directory)",
            show(path)
        ))
    } else {
        e.into()
    }
}

/// A guest AF_UNIX address as a kernel address for `use_` (bind, or
/// connect / sendto), after the policy's checks.
pub fn resolve(policy: &Policy, addr: &SocketAddress, use_: Use) -> SocketResult<Resolved> {
    let unix = match addr {
        SocketAddress::Unix(u) => u,
        _ => {
            return Err(SocketError::new(
                ErrorCode::AddressFamilyNotSupported,
                "address family does not match the socket's (Unix)",
            ))
        }
    };
    match unix {
        UnixAddress::Unnamed => Ok(Resolved::plain(sys::unix_sockaddr(b"", false)?)),
        UnixAddress::Pathname(p) if p.is_empty() => {
            Ok(Resolved::plain(sys::unix_sockaddr(b"", false)?))
        }
        UnixAddress::Abstract(name) => {
            if name.len() >= sys::SUN_PATH_LEN {
                return Err(too_long());
            }
            policy.unix().check_abstract(use_, name)?;
            Ok(Resolved::plain(sys::unix_sockaddr(name, true)?))
        }
        UnixAddress::Pathname(path) => resolve_path(policy, path, use_),
    }
}

fn resolve_path(policy: &Policy, path: &[u8], use_: Use) -> SocketResult<Resolved> {
    if path.len() >= sys::SUN_PATH_LEN {
        return Err(too_long());
    }
    if path.contains(&0) {
        return Err(SocketError::invalid("embedded null byte in AF_UNIX path"));
    }
    let Some(dir) = policy.unix().dir() else {
        return Err(SocketError::denied(format_args!(
            "{use_} to AF_UNIX path {:?} (no directory is granted for AF_UNIX paths; grant one with {})",
            show(path),
            policy.hint("unix-dir", "DIR")
        )));
    };
    if path.first() == Some(&b'/') {
        return Err(SocketError::denied(format_args!(
            "{use_} to absolute AF_UNIX path {:?} (paths are relative to the granted directory)",
            show(path)
        )));
    }
    let resolved = match use_ {
        Use::Bind => {
            let (parent, name) = match path.iter().rposition(|&b| b == b'/') {
                Some(i) => (&path[..i + 1], &path[i + 1..]),
                None => (&b"."[..], path),
            };
            if name.is_empty() || name == b"." || name == b".." {
                // The name is a directory that exists (or leads out).
                sys::open_beneath(dir, path, true).map_err(|e| beneath_error(e, use_, path))?;
                return Err(SocketError::new(ErrorCode::AddressInUse, ""));
            }
            let parent =
                sys::open_beneath(dir, parent, true).map_err(|e| beneath_error(e, use_, path))?;
            let link = sys::fd_link(parent.as_fd(), Some(name));
            (link, parent)
        }
        // Every other use (connect, send-to) names a socket that exists.
        _ => {
            let file =
                sys::open_beneath(dir, path, false).map_err(|e| beneath_error(e, use_, path))?;
            (sys::fd_link(file.as_fd(), None), file)
        }
    };
    let (link, hold) = resolved;
    if link.len() >= sys::SUN_PATH_LEN {
        return Err(SocketError::new(
            ErrorCode::NameTooLong,
            "AF_UNIX path too long once resolved inside the granted directory",
        ));
    }
    Ok(Resolved {
        addr: sys::unix_sockaddr(&link, false)?,
        hold: Some(hold),
        guest: path.to_vec(),
    })
}

/// A kernel AF_UNIX address as the guest sees it; `None` when the kernel
/// gave no address (recvfrom(2) from an unnamed peer). `own` is the
/// socket whose own name this may be (getsockname).
pub fn name_out(policy: &Policy, own: Option<&UnixState>, name: UnixName) -> Option<UnixAddress> {
    Some(match name {
        UnixName::Nothing => return None,
        UnixName::Unnamed => UnixAddress::Unnamed,
        UnixName::Abstract(a) => UnixAddress::Abstract(a),
        UnixName::Path(p) => {
            if let Some(b) = own.and_then(|s| s.bound.get()) {
                if b.kernel == p {
                    return Some(UnixAddress::Pathname(b.guest.clone()));
                }
            }
            UnixAddress::Pathname(path_out(policy, &p))
        }
    })
}

/// A pathname the kernel reported, relative to the granted directory when
/// it lies inside it; otherwise only its last component (host paths are
/// not the guest's business).
fn path_out(policy: &Policy, p: &[u8]) -> Vec<u8> {
    let full = match sys::split_fd_link(p) {
        Some((fd, rest)) => {
            let held = parents();
            match held.contains(&fd).then(|| sys::fd_path(fd)) {
                Some(Ok(dir)) => dir.join(std::ffi::OsStr::from_bytes(rest)),
                _ => return last_component(rest),
            }
        }
        None if p.first() == Some(&b'/') => {
            std::path::PathBuf::from(std::ffi::OsStr::from_bytes(p))
        }
        None => return p.to_vec(),
    };
    if let Some(root) = policy.unix().dir_host_path() {
        if let Ok(rel) = full.strip_prefix(root) {
            return rel.as_os_str().as_bytes().to_vec();
        }
    }
    full.file_name()
        .map(|n| n.as_bytes().to_vec())
        .unwrap_or_default()
}

fn last_component(p: &[u8]) -> Vec<u8> {
    p.rsplit(|&b| b == b'/').next().unwrap_or_default().to_vec()
}

/// connect(2) for a socket in blocking mode on a non-blocking descriptor
/// (the async embedding) when the AF_UNIX listener's backlog is full
/// (EAGAIN). The kernel would block; it wakes waiters on the listener, not
/// on this socket, so there is no readiness to wait for: retry every
/// millisecond, the guest's fiber suspended in between. (In timeout and
/// non-blocking mode CPython reports the EAGAIN at once, and so do we.)
pub async fn connect_when_backlog_frees<W: crate::net::wait::Wait>(
    sock: &socket2::Socket,
    to: &SockAddr,
) -> SocketResult<()> {
    loop {
        let pause = std::time::Instant::now() + std::time::Duration::from_millis(1);
        W::wait_many(&[], &[], Some(pause)).await?;
        match sock.connect(to) {
            Ok(()) => return Ok(()),
            Err(e) if e.raw_os_error() == Some(libc::EISCONN) => return Ok(()),
            Err(e) if crate::net::wait::retryable(&e) => continue,
            Err(e) => return Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    //! The race-freedom claims, checked natively: a path swapped for a
    //! symlink after resolution cannot redirect the system call.
    use super::*;
    use std::os::unix::net::{UnixListener, UnixStream};

    fn setup() -> (tempfile::TempDir, Policy) {
        let outer = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(outer.path().join("granted/sub")).unwrap();
        let p = Policy::deny_all()
            .unix_dir_path(outer.path().join("granted"))
            .unwrap();
        (outer, p)
    }

    fn path(p: &str) -> SocketAddress {
        SocketAddress::Unix(UnixAddress::Pathname(p.as_bytes().to_vec()))
    }

    #[test]
    fn connect_reaches_the_inode_that_was_checked() {
        let (outer, policy) = setup();
        let g = outer.path().join("granted");
        let inside = UnixListener::bind(g.join("s")).unwrap();
        let outside = UnixListener::bind(outer.path().join("out")).unwrap();
        inside.set_nonblocking(true).unwrap();
        outside.set_nonblocking(true).unwrap();
        let r = resolve(&policy, &path("s"), Use::Connect).unwrap();
        // Swap the checked path for a symlink that leads out.
        std::fs::rename(g.join("s"), g.join("s.orig")).unwrap();
        std::os::unix::fs::symlink(outer.path().join("out"), g.join("s")).unwrap();
        let c = socket2::Socket::new(socket2::Domain::UNIX, socket2::Type::STREAM, None).unwrap();
        c.connect(&r.addr).unwrap();
        assert!(
            inside.accept().is_ok(),
            "the checked socket got the connection"
        );
        assert!(
            outside.accept().is_err(),
            "the symlink redirected the connect"
        );
        // Resolving again now refuses the path.
        assert!(resolve(&policy, &path("s"), Use::Connect).is_err());
        drop(UnixStream::connect(outer.path().join("out")));
    }

    #[test]
    fn bind_creates_in_the_directory_that_was_checked() {
        let (outer, policy) = setup();
        let g = outer.path().join("granted");
        let r = resolve(&policy, &path("sub/new"), Use::Bind).unwrap();
        // Swap the parent for a symlink to a directory outside.
        std::fs::create_dir(outer.path().join("elsewhere")).unwrap();
        std::fs::rename(g.join("sub"), g.join("sub.orig")).unwrap();
        std::os::unix::fs::symlink(outer.path().join("elsewhere"), g.join("sub")).unwrap();
        let s = socket2::Socket::new(socket2::Domain::UNIX, socket2::Type::STREAM, None).unwrap();
        s.bind(&r.addr).unwrap();
        assert!(g.join("sub.orig/new").exists());
        assert!(!outer.path().join("elsewhere/new").exists());
    }

    #[test]
    fn names_out_are_relative_to_the_grant() {
        let (outer, policy) = setup();
        let g = outer.path().join("granted");
        let host = g.join("sub/x");
        let name = UnixName::Path(host.as_os_str().as_bytes().to_vec());
        assert!(matches!(
            name_out(&policy, None, name),
            Some(UnixAddress::Pathname(p)) if p == b"sub/x"
        ));
        let far = UnixName::Path(b"/somewhere/else/y".to_vec());
        assert!(matches!(
            name_out(&policy, None, far),
            Some(UnixAddress::Pathname(p)) if p == b"y"
        ));
        assert!(name_out(&policy, None, UnixName::Nothing).is_none());
        // A peer-chosen name through one of our descriptors that is not a
        // bound socket's parent reveals nothing about it.
        let f = std::fs::File::open(outer.path().join("granted")).unwrap();
        let n = format!("/proc/self/fd/{}/z", std::os::fd::AsRawFd::as_raw_fd(&f));
        assert!(matches!(
            name_out(&policy, None, UnixName::Path(n.into_bytes())),
            Some(UnixAddress::Pathname(p)) if p == b"z"
        ));
    }
}
