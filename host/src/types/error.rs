//! The one conversion from OS errors to the WIT `error`, and the host's
//! error type.
//!
//! Guest mistakes (a refused connection, a bad address, a policy denial)
//! become [`SocketError::Guest`] and reach the guest as an `error` value.
//! Host bugs and invalid handles become [`SocketError::Trap`] and trap the
//! guest.

use super::errors::{Error, ErrorCode};
use std::fmt;
use std::io;

/// The longest error detail a guest is sent, in bytes. The guest crate
/// relies on it: a failed receive's text fits its 1 KiB scratch area, so it
/// never lands in the caller's buffer.
pub const MAX_DETAIL: usize = 1024;

/// What a host call returns on failure: an error for the guest, or a trap.
#[derive(Debug)]
pub enum SocketError {
    /// Reported to the guest as the WIT `error`.
    Guest(Error),
    /// Traps the guest (bad handle, host bug).
    Trap(wasmtime::Error),
}

impl SocketError {
    /// An error for the guest with this code and detail. The detail is
    /// cut to at most [`MAX_DETAIL`] bytes (at a character boundary).
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        let mut detail = detail.into();
        if detail.len() > MAX_DETAIL {
            let mut end = MAX_DETAIL - '…'.len_utf8();
            while !detail.is_char_boundary(end) {
                end -= 1;
            }
            detail.truncate(end);
            detail.push('…');
        }
        SocketError::Guest(Error { code, detail })
    }

    /// A policy denial; `what` names the use and the target.
    pub fn denied(what: impl fmt::Display) -> Self {
        let detail = format!("{what} denied by policy");
        tracing::warn!(target: "wasock::policy", "{detail}");
        Self::new(ErrorCode::PolicyDenied, detail)
    }

    /// A policy denial with a complete message (the policy's
    /// [`Decision::detail`](crate::policy::Decision::detail)); the caller
    /// has logged the decision.
    pub fn policy(detail: impl Into<String>) -> Self {
        Self::new(ErrorCode::PolicyDenied, detail)
    }

    /// EOPNOTSUPP: `what` is not supported by this host (yet).
    pub fn unsupported(what: impl fmt::Display) -> Self {
        Self::new(
            ErrorCode::NotSupported,
            format!("{what} is not supported by this host"),
        )
    }

    /// EINVAL with a detail.
    pub fn invalid(what: impl Into<String>) -> Self {
        Self::new(ErrorCode::Invalid, what)
    }

    /// The error code, when this is a guest error.
    pub fn code(&self) -> Option<&ErrorCode> {
        match self {
            SocketError::Guest(e) => Some(&e.code),
            SocketError::Trap(_) => None,
        }
    }
}

impl fmt::Display for SocketError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SocketError::Guest(e) => write!(f, "{:?}: {}", e.code, e.detail),
            SocketError::Trap(e) => write!(f, "trap: {e}"),
        }
    }
}

impl std::error::Error for SocketError {}

impl From<io::Error> for SocketError {
    fn from(e: io::Error) -> Self {
        SocketError::new(error_code(&e), resource_detail(&e))
    }
}

/// getrlimit(2) RLIMIT_NOFILE: this process's soft limit on descriptors
/// (`None` when unlimited). Needs no descriptor, so it works when the
/// process is out of them.
fn nofile_soft_limit() -> Option<u64> {
    rustix::process::getrlimit(rustix::process::Resource::Nofile).current
}

/// The host's detail for errors that mean a resource of the host ran out
/// (which limit, and where it is set); empty for other errors.
pub fn resource_detail(e: &io::Error) -> String {
    match e.raw_os_error() {
        Some(libc::EMFILE) => match nofile_soft_limit() {
            Some(n) => format!(
                "the host process reached its descriptor limit (RLIMIT_NOFILE, soft limit {n})"
            ),
            None => "the host process reached its descriptor limit (RLIMIT_NOFILE)".into(),
        },
        Some(libc::ENFILE) => "the system-wide limit on open files (fs.file-max) is reached".into(),
        Some(libc::ENOBUFS) => {
            "the kernel has no buffer space for this socket (net.core / net.ipv4 memory limits)"
                .into()
        }
        Some(libc::ENOMEM) => "the kernel is out of memory for this socket".into(),
        _ => String::new(),
    }
}

impl From<wasmtime::component::ResourceTableError> for SocketError {
    fn from(e: wasmtime::component::ResourceTableError) -> Self {
        SocketError::Trap(wasmtime::Error::new(e))
    }
}

/// Maps an OS error to an error code: the raw errno first, then the
/// `io::ErrorKind` for errors that carry no errno.
pub fn error_code(e: &io::Error) -> ErrorCode {
    match e.raw_os_error() {
        Some(errno) => errno_code(errno),
        None => match e.kind() {
            io::ErrorKind::WouldBlock => ErrorCode::WouldBlock,
            io::ErrorKind::TimedOut => ErrorCode::Timeout,
            io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData => ErrorCode::Invalid,
            io::ErrorKind::PermissionDenied => ErrorCode::Access,
            io::ErrorKind::OutOfMemory => ErrorCode::NoMemory,
            io::ErrorKind::Unsupported => ErrorCode::NotSupported,
            _ => ErrorCode::Io,
        },
    }
}

/// Maps a Linux errno to its error code (`other(errno)` when it has no case).
pub fn errno_code(errno: i32) -> ErrorCode {
    use ErrorCode as C;
    match errno {
        libc::EPERM => C::NotPermitted,
        libc::ENOENT => C::NoEntry,
        libc::EINTR => C::Interrupted,
        libc::EIO => C::Io,
        libc::EBADF => C::BadDescriptor,
        libc::EAGAIN => C::WouldBlock,
        libc::ENOMEM => C::NoMemory,
        libc::EACCES => C::Access,
        libc::EFAULT => C::Fault,
        libc::EBUSY => C::Busy,
        libc::EEXIST => C::Exists,
        libc::ENOTDIR => C::NotDirectory,
        libc::EINVAL => C::Invalid,
        libc::ENFILE => C::TooManyFilesSystem,
        libc::EMFILE => C::TooManyFiles,
        libc::ENOSPC => C::NoSpace,
        libc::EPIPE => C::BrokenPipe,
        libc::ENAMETOOLONG => C::NameTooLong,
        libc::ENOSYS => C::NotImplemented,
        libc::ELOOP => C::Loop,
        libc::EPROTO => C::Protocol,
        libc::EOVERFLOW => C::Overflow,
        libc::ENOTSOCK => C::NotSocket,
        libc::EDESTADDRREQ => C::DestinationAddressRequired,
        libc::EMSGSIZE => C::MessageSize,
        libc::EPROTOTYPE => C::ProtocolType,
        libc::ENOPROTOOPT => C::NoProtocolOption,
        libc::EPROTONOSUPPORT => C::ProtocolNotSupported,
        libc::ESOCKTNOSUPPORT => C::SocketTypeNotSupported,
        libc::EOPNOTSUPP => C::NotSupported,
        libc::EPFNOSUPPORT => C::ProtocolFamilyNotSupported,
        libc::EAFNOSUPPORT => C::AddressFamilyNotSupported,
        libc::EADDRINUSE => C::AddressInUse,
        libc::EADDRNOTAVAIL => C::AddressNotAvailable,
        libc::ENETDOWN => C::NetworkDown,
        libc::ENETUNREACH => C::NetworkUnreachable,
        libc::ENETRESET => C::NetworkReset,
        libc::ECONNABORTED => C::ConnectionAborted,
        libc::ECONNRESET => C::ConnectionReset,
        libc::ENOBUFS => C::NoBufferSpace,
        libc::EISCONN => C::IsConnected,
        libc::ENOTCONN => C::NotConnected,
        libc::ESHUTDOWN => C::ShutDown,
        libc::ETIMEDOUT => C::TimedOut,
        libc::ECONNREFUSED => C::ConnectionRefused,
        libc::EHOSTDOWN => C::HostDown,
        libc::EHOSTUNREACH => C::HostUnreachable,
        libc::EALREADY => C::Already,
        libc::EINPROGRESS => C::InProgress,
        other => C::Other(other),
    }
}

/// A guest-supplied string cut to at most 200 characters for messages and
/// logs (a guest must not make the host log megabytes).
pub fn shorten(s: &str) -> std::borrow::Cow<'_, str> {
    const MAX: usize = 200;
    match s.char_indices().nth(MAX) {
        None => s.into(),
        Some((i, _)) => format!("{}… ({} bytes)", &s[..i], s.len()).into(),
    }
}

/// Shorthand for host results.
pub type SocketResult<T> = Result<T, SocketError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_are_capped_at_a_char_boundary() {
        let long = "é".repeat(MAX_DETAIL);
        match SocketError::new(ErrorCode::Invalid, long) {
            SocketError::Guest(e) => {
                assert!(e.detail.len() <= MAX_DETAIL);
                assert!(e.detail.ends_with('…'));
            }
            SocketError::Trap(_) => panic!("not a guest error"),
        }
        match SocketError::new(ErrorCode::Invalid, "short") {
            SocketError::Guest(e) => assert_eq!(e.detail, "short"),
            SocketError::Trap(_) => panic!("not a guest error"),
        }
    }
}
