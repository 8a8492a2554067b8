//! [`ErrorKind`]: which Python exception class an error is.

use std::fmt;

/// Mirrors Python's exception classes: the class a CPython 3.11 `socket`
/// call would raise for the same failure on Linux.
#[allow(clippy::enum_variant_names)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// `OSError` (alias `socket.error`): any errno without a subclass, and
    /// errno-less OS-level failures such as "AF_UNIX path too long".
    OSError,
    /// `BlockingIOError`: errno 11 (EAGAIN), 114 (EALREADY), 115 (EINPROGRESS).
    BlockingIOError,
    /// `InterruptedError`: errno 4 (EINTR).
    InterruptedError,
    /// `BrokenPipeError`: errno 32 (EPIPE) and 108 (ESHUTDOWN).
    BrokenPipeError,
    /// `ConnectionAbortedError`: errno 103 (ECONNABORTED).
    ConnectionAbortedError,
    /// `ConnectionRefusedError`: errno 111 (ECONNREFUSED).
    ConnectionRefusedError,
    /// `ConnectionResetError`: errno 104 (ECONNRESET).
    ConnectionResetError,
    /// `TimeoutError` (alias `socket.timeout`): the socket's own timeout
    /// expired (no errno, message "timed out"), or errno 110 (ETIMEDOUT).
    TimeoutError,
    /// `FileNotFoundError`: errno 2 (ENOENT).
    FileNotFoundError,
    /// `PermissionError`: errno 1 (EPERM) and 13 (EACCES), and every policy
    /// denial.
    PermissionError,
    /// `socket.gaierror`: getaddrinfo(3)/getnameinfo(3) failed; the errno is
    /// the negative `EAI_*` code.
    Gaierror,
    /// `socket.herror`: gethostbyname(3)/gethostbyaddr(3) failed; the errno
    /// is `h_errno`.
    Herror,
    /// `ValueError`: a bad argument value, raised before any system call.
    ValueError,
    /// `TypeError`: an argument of the wrong kind, raised before any system
    /// call.
    TypeError,
    /// `OverflowError`: a number out of range, raised before any system call.
    OverflowError,
    /// `io.UnsupportedOperation` (a subclass of both `OSError` and
    /// `ValueError`): reading a socket file opened for writing only, or
    /// writing one opened for reading only.
    UnsupportedOperation,
}

impl ErrorKind {
    /// The class's `__name__` as Python prints it (`"ConnectionRefusedError"`,
    /// `"gaierror"`, `"herror"`).
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::OSError => "OSError",
            ErrorKind::BlockingIOError => "BlockingIOError",
            ErrorKind::InterruptedError => "InterruptedError",
            ErrorKind::BrokenPipeError => "BrokenPipeError",
            ErrorKind::ConnectionAbortedError => "ConnectionAbortedError",
            ErrorKind::ConnectionRefusedError => "ConnectionRefusedError",
            ErrorKind::ConnectionResetError => "ConnectionResetError",
            ErrorKind::TimeoutError => "TimeoutError",
            ErrorKind::FileNotFoundError => "FileNotFoundError",
            ErrorKind::PermissionError => "PermissionError",
            ErrorKind::Gaierror => "gaierror",
            ErrorKind::Herror => "herror",
            ErrorKind::ValueError => "ValueError",
            ErrorKind::TypeError => "TypeError",
            ErrorKind::OverflowError => "OverflowError",
            ErrorKind::UnsupportedOperation => "UnsupportedOperation",
        }
    }

    /// The class name as the last line of a Python traceback prints it:
    /// `"socket.gaierror"`, `"socket.herror"`, builtins unqualified
    /// (`"ConnectionRefusedError"`).
    pub fn qualified_name(self) -> &'static str {
        match self {
            ErrorKind::Gaierror => "socket.gaierror",
            ErrorKind::Herror => "socket.herror",
            ErrorKind::UnsupportedOperation => "io.UnsupportedOperation",
            other => other.name(),
        }
    }

    /// Whether Python's class derives from `OSError` (everything but
    /// `ValueError`, `TypeError` and `OverflowError`).
    pub fn is_os_error(self) -> bool {
        !matches!(
            self,
            ErrorKind::ValueError | ErrorKind::TypeError | ErrorKind::OverflowError
        )
    }

    /// The `OSError` subclass CPython picks for an errno (PEP 3151).
    pub fn for_errno(errno: i32) -> ErrorKind {
        match errno {
            11 | 114 | 115 => ErrorKind::BlockingIOError,
            4 => ErrorKind::InterruptedError,
            32 | 108 => ErrorKind::BrokenPipeError,
            103 => ErrorKind::ConnectionAbortedError,
            111 => ErrorKind::ConnectionRefusedError,
            104 => ErrorKind::ConnectionResetError,
            110 => ErrorKind::TimeoutError,
            2 => ErrorKind::FileNotFoundError,
            1 | 13 => ErrorKind::PermissionError,
            _ => ErrorKind::OSError,
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
