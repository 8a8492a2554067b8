//! Waiting: poll(2) over descriptors, and registration with tokio's
//! reactor.

use socket2::Socket;
use std::io;
use std::os::fd::{AsRawFd, RawFd};
use std::time::Instant;

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
