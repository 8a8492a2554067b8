//! Python's exception classes for socket errors, as one Rust error type.

use std::borrow::Cow;
use std::fmt;

/// What a fallible wasock call returns.
pub type Result<T> = std::result::Result<T, Error>;

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

/// A failed call, shaped like the Python exception CPython would raise:
/// a class ([`ErrorKind`]), an optional errno and a message (`strerror`).
///
/// `Debug` prints what Python's traceback ends with
/// (`PermissionError: [Errno 13] Permission denied: …`), so that a `main`
/// returning [`Result`] reports its error as a Python program does (after
/// the standard library's `Error: `); `{:#?}` shows the fields.
#[derive(Clone)]
pub struct Error {
    kind: ErrorKind,
    errno: Option<i32>,
    strerror: Cow<'static, str>,
    detail: String,
    policy: bool,
}

impl Error {
    /// `OSError(errno, strerror)` with glibc's message for `errno` and the
    /// subclass Python picks for it, e.g. `Error::from_errno(111)` is
    /// `ConnectionRefusedError: [Errno 111] Connection refused`.
    pub fn from_errno(errno: i32) -> Error {
        Error {
            kind: ErrorKind::for_errno(errno),
            errno: Some(errno),
            strerror: strerror_text(errno),
            detail: String::new(),
            policy: false,
        }
    }

    /// An errno-less exception of the given class with a message, e.g.
    /// `Error::new(ErrorKind::ValueError, "Timeout value out of range")`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            errno: None,
            strerror: Cow::Owned(message.into()),
            detail: String::new(),
            policy: false,
        }
    }

    /// `TimeoutError('timed out')`: the socket's own timeout expired.
    pub(crate) fn timed_out() -> Error {
        Error::new(ErrorKind::TimeoutError, "timed out")
    }

    /// `OSError(msg)` without errno.
    pub(crate) fn os_msg(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::OSError, message)
    }

    /// `ValueError(msg)`.
    pub(crate) fn value(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::ValueError, message)
    }

    /// `OverflowError(msg)`.
    pub(crate) fn overflow(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::OverflowError, message)
    }

    /// `socket.gaierror(code, gai_strerror(code))`.
    pub(crate) fn gai(code: i32) -> Error {
        Error {
            kind: ErrorKind::Gaierror,
            errno: Some(code),
            strerror: Cow::Borrowed(gai_strerror(code)),
            detail: String::new(),
            policy: false,
        }
    }

    /// `socket.herror(h_errno, hstrerror(h_errno))`.
    pub(crate) fn herror(code: i32) -> Error {
        Error {
            kind: ErrorKind::Herror,
            errno: Some(code),
            strerror: Cow::Borrowed(hstrerror(code)),
            detail: String::new(),
            policy: false,
        }
    }

    /// `PermissionError(13, "Permission denied: <detail>")` for a call the
    /// embedder's policy denied.
    pub(crate) fn policy_denied(detail: String) -> Error {
        let strerror = if detail.is_empty() {
            Cow::Borrowed("Permission denied")
        } else {
            Cow::Owned(format!("Permission denied: {detail}"))
        };
        Error {
            kind: ErrorKind::PermissionError,
            errno: Some(13),
            strerror,
            detail,
            policy: true,
        }
    }

    /// Python's `OSError(e.errno, message)`: same errno, new message, the
    /// class picked again from the errno (as `OSError.__new__` does).
    pub(crate) fn rewrap(self, message: String) -> Error {
        Error {
            kind: self
                .errno
                .map(ErrorKind::for_errno)
                .unwrap_or(ErrorKind::OSError),
            errno: self.errno,
            strerror: Cow::Owned(message),
            detail: self.detail,
            policy: self.policy,
        }
    }

    /// Attaches the host's human-readable detail (kept out of the message,
    /// as CPython's messages carry none).
    pub(crate) fn with_detail(mut self, detail: String) -> Error {
        self.detail = detail;
        self
    }

    /// The Python exception class.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// Python's `e.errno`: the Linux errno; the negative `EAI_*` code for
    /// `gaierror`; `h_errno` for `herror`; `None` for the socket's own
    /// timeout (`TimeoutError('timed out')`), for `ValueError`, `TypeError`,
    /// `OverflowError` and for errno-less `OSError`s.
    pub fn errno(&self) -> Option<i32> {
        self.errno
    }

    /// Python's `e.strerror` (or the message of an errno-less exception):
    /// glibc's text for the errno, e.g. `"Connection refused"`. For policy
    /// denials, `"Permission denied: "` followed by the host's detail.
    pub fn strerror(&self) -> &str {
        &self.strerror
    }

    /// The host's human-readable detail for this error (the `detail` of the
    /// WIT `error` record), empty when there is none.
    pub fn detail(&self) -> &str {
        &self.detail
    }

    /// Whether the embedder's policy denied the call (WIT
    /// `error-code::policy-denied`); such errors are `PermissionError`
    /// with errno 13.
    pub fn is_policy_denial(&self) -> bool {
        self.policy
    }
}

impl fmt::Display for Error {
    /// Formats as Python's `str(e)`: `"[Errno 111] Connection refused"`,
    /// `"timed out"`, `"[Errno -2] Name or service not known"`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.errno {
            Some(errno) => write!(f, "[Errno {errno}] {}", self.strerror),
            None => f.write_str(&self.strerror),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.alternate() {
            return f
                .debug_struct("Error")
                .field("kind", &self.kind)
                .field("errno", &self.errno)
                .field("strerror", &self.strerror)
                .field("detail", &self.detail)
                .field("policy", &self.policy)
                .finish();
        }
        write!(f, "{}: {self}", self.kind.qualified_name())
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    /// Back from `io::Error` (what [`crate::SocketFile`] and the `io`
    /// traits return): a wasock [`Error`] inside comes out unchanged; an OS
    /// error becomes `OSError(errno)` with Python's subclass (on
    /// wasm32-wasi the standard library's raw OS errors use WASI's errno
    /// numbering, which is translated to Linux's first, see
    /// [`Error::io_errno`]); the rest as Python's `io` module would raise
    /// them (`TimeoutError`, `BlockingIOError(11)`, `ValueError` for
    /// undecodable text, otherwise an errno-less `OSError` with the
    /// error's text).
    fn from(err: std::io::Error) -> Error {
        use std::io::ErrorKind as K;
        if err.get_ref().is_some_and(|inner| inner.is::<Error>()) {
            if let Some(inner) = err.into_inner() {
                if let Ok(e) = inner.downcast::<Error>() {
                    return *e;
                }
            }
            return Error::new(ErrorKind::OSError, "error");
        }
        if let Some(errno) = Error::io_errno(&err) {
            return Error::from_errno(errno);
        }
        match err.kind() {
            K::TimedOut => Error::timed_out(),
            K::WouldBlock => Error::from_errno(11),
            K::InvalidData | K::InvalidInput => Error::new(ErrorKind::ValueError, err.to_string()),
            K::Unsupported => Error::new(ErrorKind::UnsupportedOperation, err.to_string()),
            _ => Error::new(ErrorKind::OSError, err.to_string()),
        }
    }
}

impl From<Error> for std::io::Error {
    /// An `io::Error` that carries the [`Error`] as its payload (so its
    /// `Display` is Python's `str(e)`, and [`Error::from_io_ref`] /
    /// [`Error::io_errno`] give the Linux errno back) with the
    /// `io::ErrorKind` the standard library gives the same failure on
    /// Linux: `WouldBlock` for EAGAIN, `Interrupted` for EINTR (which
    /// `read_exact`, `write_all` and `BufReader` retry), `ConnectionReset`,
    /// `ConnectionRefused`, `TimedOut` for ETIMEDOUT, … (see
    /// [`Error::io_kind`]). Errno-less errors: the socket's own timeout
    /// is `TimedOut`; `ValueError`, `TypeError`, `OverflowError` are
    /// `InvalidInput`; `io.UnsupportedOperation` is `Unsupported`; policy
    /// denials are `PermissionDenied`; name-resolution errors and the rest
    /// are `Other`.
    ///
    /// Never `io::Error::from_raw_os_error`: on wasm32-wasi the standard
    /// library reads raw OS errors with WASI's errno numbering, so a Linux
    /// errno there would name another error (and its `kind()` would be
    /// wrong).
    fn from(err: Error) -> std::io::Error {
        std::io::Error::new(err.io_kind(), err)
    }
}

impl Error {
    /// The `io::ErrorKind` this error has as an `io::Error` (see
    /// `From<Error> for io::Error`).
    pub fn io_kind(&self) -> std::io::ErrorKind {
        use std::io::ErrorKind as K;
        match (self.kind, self.errno) {
            (ErrorKind::Gaierror | ErrorKind::Herror, _) => K::Other,
            (_, Some(errno)) => io_kind_for_errno(errno),
            (ErrorKind::TimeoutError, None) => K::TimedOut,
            (ErrorKind::PermissionError, None) => K::PermissionDenied,
            (ErrorKind::ValueError | ErrorKind::TypeError | ErrorKind::OverflowError, None) => {
                K::InvalidInput
            }
            (ErrorKind::UnsupportedOperation, None) => K::Unsupported,
            (ErrorKind::BlockingIOError, None) => K::WouldBlock,
            (ErrorKind::InterruptedError, None) => K::Interrupted,
            (_, None) => K::Other,
        }
    }

    /// The wasock [`Error`] an `io::Error` carries, if it carries one (the
    /// `io::Error`s that [`crate::SocketFile`], `impl Read for &Socket`
    /// and `impl Write for &Socket` return do).
    pub fn from_io_ref(err: &std::io::Error) -> Option<&Error> {
        err.get_ref()
            .and_then(|inner| inner.downcast_ref::<Error>())
    }

    /// The Linux errno of an `io::Error`: the errno of the wasock
    /// [`Error`] it carries; else its raw OS error, translated from WASI's
    /// numbering on wasm32-wasi (where the standard library's own errors,
    /// e.g. from `std::fs`, use it) and taken as it is elsewhere; `None`
    /// when there is neither (or the carried error has no errno).
    pub fn io_errno(err: &std::io::Error) -> Option<i32> {
        if let Some(e) = Error::from_io_ref(err) {
            return match e.kind {
                ErrorKind::Gaierror | ErrorKind::Herror => None,
                _ => e.errno,
            };
        }
        let raw = err.raw_os_error()?;
        if cfg!(target_os = "wasi") {
            Some(linux_errno_from_wasi(raw))
        } else {
            Some(raw)
        }
    }
}

/// The `io::ErrorKind` Rust's standard library gives a Linux errno
/// (`std::sys::pal::unix::decode_error_kind`), for the kinds stable since
/// Rust 1.85; errnos it leaves uncategorised are `Other`.
pub(crate) fn io_kind_for_errno(errno: i32) -> std::io::ErrorKind {
    use std::io::ErrorKind as K;
    match errno {
        7 => K::ArgumentListTooLong,
        98 => K::AddrInUse,
        99 => K::AddrNotAvailable,
        16 => K::ResourceBusy,
        103 => K::ConnectionAborted,
        111 => K::ConnectionRefused,
        104 => K::ConnectionReset,
        35 => K::Deadlock,
        17 => K::AlreadyExists,
        27 => K::FileTooLarge,
        113 => K::HostUnreachable,
        4 => K::Interrupted,
        22 => K::InvalidInput,
        21 => K::IsADirectory,
        2 => K::NotFound,
        12 => K::OutOfMemory,
        28 => K::StorageFull,
        38 => K::Unsupported,
        31 => K::TooManyLinks,
        36 => K::InvalidFilename,
        100 => K::NetworkDown,
        101 => K::NetworkUnreachable,
        107 => K::NotConnected,
        20 => K::NotADirectory,
        39 => K::DirectoryNotEmpty,
        32 => K::BrokenPipe,
        30 => K::ReadOnlyFilesystem,
        29 => K::NotSeekable,
        116 => K::StaleNetworkFileHandle,
        110 => K::TimedOut,
        26 => K::ExecutableFileBusy,
        18 => K::CrossesDevices,
        1 | 13 => K::PermissionDenied,
        11 => K::WouldBlock,
        _ => K::Other,
    }
}

/// WASI's errno (wasi-libc's `__WASI_ERRNO_*`, what the standard library
/// reports as `raw_os_error` on wasm32-wasi) as the Linux errno.
/// `ENOTCAPABLE` (76, WASI's own) becomes EACCES.
pub(crate) fn linux_errno_from_wasi(wasi: i32) -> i32 {
    const LINUX: [i32; 77] = [
        0, 7, 13, 98, 99, 97, 11, 114, 9, 74, 16, 125, 10, 103, 111, 104, 35, 89, 33, 122, 17, 14,
        27, 113, 43, 84, 115, 4, 22, 5, 106, 21, 40, 24, 31, 90, 72, 36, 100, 102, 101, 23, 105,
        19, 2, 8, 37, 67, 12, 42, 92, 28, 38, 107, 20, 39, 131, 88, 95, 25, 6, 75, 130, 1, 32, 71,
        93, 91, 34, 30, 29, 3, 116, 110, 26, 18, 13,
    ];
    usize::try_from(wasi)
        .ok()
        .and_then(|i| LINUX.get(i))
        .copied()
        .unwrap_or(wasi)
}

/// glibc's `strerror(errno)` text, as Python's `os.strerror` prints it.
pub(crate) fn strerror_text(errno: i32) -> Cow<'static, str> {
    let text = match errno {
        1 => "Operation not permitted",
        2 => "No such file or directory",
        3 => "No such process",
        4 => "Interrupted system call",
        5 => "Input/output error",
        6 => "No such device or address",
        7 => "Argument list too long",
        8 => "Exec format error",
        9 => "Bad file descriptor",
        10 => "No child processes",
        11 => "Resource temporarily unavailable",
        12 => "Cannot allocate memory",
        13 => "Permission denied",
        14 => "Bad address",
        15 => "Block device required",
        16 => "Device or resource busy",
        17 => "File exists",
        18 => "Invalid cross-device link",
        19 => "No such device",
        20 => "Not a directory",
        21 => "Is a directory",
        22 => "Invalid argument",
        23 => "Too many open files in system",
        24 => "Too many open files",
        25 => "Inappropriate ioctl for device",
        26 => "Text file busy",
        27 => "File too large",
        28 => "No space left on device",
        29 => "Illegal seek",
        30 => "Read-only file system",
        31 => "Too many links",
        32 => "Broken pipe",
        33 => "Numerical argument out of domain",
        34 => "Numerical result out of range",
        35 => "Resource deadlock avoided",
        36 => "File name too long",
        37 => "No locks available",
        38 => "Function not implemented",
        39 => "Directory not empty",
        40 => "Too many levels of symbolic links",
        42 => "No message of desired type",
        43 => "Identifier removed",
        44 => "Channel number out of range",
        45 => "Level 2 not synchronized",
        46 => "Level 3 halted",
        47 => "Level 3 reset",
        48 => "Link number out of range",
        49 => "Protocol driver not attached",
        50 => "No CSI structure available",
        51 => "Level 2 halted",
        52 => "Invalid exchange",
        53 => "Invalid request descriptor",
        54 => "Exchange full",
        55 => "No anode",
        56 => "Invalid request code",
        57 => "Invalid slot",
        59 => "Bad font file format",
        60 => "Device not a stream",
        61 => "No data available",
        62 => "Timer expired",
        63 => "Out of streams resources",
        64 => "Machine is not on the network",
        65 => "Package not installed",
        66 => "Object is remote",
        67 => "Link has been severed",
        68 => "Advertise error",
        69 => "Srmount error",
        70 => "Communication error on send",
        71 => "Protocol error",
        72 => "Multihop attempted",
        73 => "RFS specific error",
        74 => "Bad message",
        75 => "Value too large for defined data type",
        76 => "Name not unique on network",
        77 => "File descriptor in bad state",
        78 => "Remote address changed",
        79 => "Can not access a needed shared library",
        80 => "Accessing a corrupted shared library",
        81 => ".lib section in a.out corrupted",
        82 => "Attempting to link in too many shared libraries",
        83 => "Cannot exec a shared library directly",
        84 => "Invalid or incomplete multibyte or wide character",
        85 => "Interrupted system call should be restarted",
        86 => "Streams pipe error",
        87 => "Too many users",
        88 => "Socket operation on non-socket",
        89 => "Destination address required",
        90 => "Message too long",
        91 => "Protocol wrong type for socket",
        92 => "Protocol not available",
        93 => "Protocol not supported",
        94 => "Socket type not supported",
        95 => "Operation not supported",
        96 => "Protocol family not supported",
        97 => "Address family not supported by protocol",
        98 => "Address already in use",
        99 => "Cannot assign requested address",
        100 => "Network is down",
        101 => "Network is unreachable",
        102 => "Network dropped connection on reset",
        103 => "Software caused connection abort",
        104 => "Connection reset by peer",
        105 => "No buffer space available",
        106 => "Transport endpoint is already connected",
        107 => "Transport endpoint is not connected",
        108 => "Cannot send after transport endpoint shutdown",
        109 => "Too many references: cannot splice",
        110 => "Connection timed out",
        111 => "Connection refused",
        112 => "Host is down",
        113 => "No route to host",
        114 => "Operation already in progress",
        115 => "Operation now in progress",
        116 => "Stale file handle",
        117 => "Structure needs cleaning",
        118 => "Not a XENIX named type file",
        119 => "No XENIX semaphores available",
        120 => "Is a named type file",
        121 => "Remote I/O error",
        122 => "Disk quota exceeded",
        123 => "No medium found",
        124 => "Wrong medium type",
        125 => "Operation canceled",
        126 => "Required key not available",
        127 => "Key has expired",
        128 => "Key has been revoked",
        129 => "Key was rejected by service",
        130 => "Owner died",
        131 => "State not recoverable",
        132 => "Operation not possible due to RF-kill",
        133 => "Memory page has hardware error",
        _ => return Cow::Owned(format!("Unknown error {errno}")),
    };
    Cow::Borrowed(text)
}

/// glibc's `gai_strerror(code)`.
pub(crate) fn gai_strerror(code: i32) -> &'static str {
    match code {
        -1 => "Bad value for ai_flags",
        -2 => "Name or service not known",
        -3 => "Temporary failure in name resolution",
        -4 => "Non-recoverable failure in name resolution",
        -5 => "No address associated with hostname",
        -6 => "ai_family not supported",
        -7 => "ai_socktype not supported",
        -8 => "Servname not supported for ai_socktype",
        -9 => "Address family for hostname not supported",
        -10 => "Memory allocation failure",
        -11 => "System error",
        -12 => "Argument buffer overflow",
        -100 => "Processing request in progress",
        -101 => "Request canceled",
        -102 => "Request not canceled",
        -103 => "All requests done",
        -104 => "Interrupted by a signal",
        -105 => "Parameter string not correctly encoded",
        _ => "Unknown error",
    }
}

/// glibc's `hstrerror(h_errno)`.
pub(crate) fn hstrerror(code: i32) -> &'static str {
    match code {
        0 => "Resolver Error 0 (no error)",
        1 => "Unknown host",
        2 => "Host name lookup failure",
        3 => "Unknown server error",
        4 => "No address associated with name",
        _ => "Unknown resolver error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errno_messages_match_python() {
        assert_eq!(
            Error::from_errno(111).to_string(),
            "[Errno 111] Connection refused"
        );
        assert_eq!(
            Error::from_errno(111).kind(),
            ErrorKind::ConnectionRefusedError
        );
        assert_eq!(Error::from_errno(98).strerror(), "Address already in use");
        assert_eq!(
            Error::from_errno(107).strerror(),
            "Transport endpoint is not connected"
        );
        assert_eq!(
            Error::from_errno(97).strerror(),
            "Address family not supported by protocol"
        );
        assert_eq!(Error::from_errno(115).kind(), ErrorKind::BlockingIOError);
        assert_eq!(Error::from_errno(108).kind(), ErrorKind::BrokenPipeError);
        assert_eq!(Error::from_errno(22).kind(), ErrorKind::OSError);
    }

    #[test]
    fn special_errors() {
        let t = Error::timed_out();
        assert_eq!(t.to_string(), "timed out");
        assert_eq!(t.errno(), None);
        assert_eq!(t.kind(), ErrorKind::TimeoutError);
        let g = Error::gai(-2);
        assert_eq!(g.to_string(), "[Errno -2] Name or service not known");
        assert_eq!(g.kind(), ErrorKind::Gaierror);
        let p = Error::policy_denied("connect to 127.0.0.1:80 (tcp) denied by policy".into());
        assert_eq!(
            p.to_string(),
            "[Errno 13] Permission denied: connect to 127.0.0.1:80 (tcp) denied by policy"
        );
        assert!(p.is_policy_denial());
        assert_eq!(p.kind(), ErrorKind::PermissionError);
        assert_eq!(Error::herror(1).to_string(), "[Errno 1] Unknown host");
    }

    #[test]
    fn debug_is_python_traceback_line() {
        let p = Error::policy_denied("connect to 127.0.0.1:80 (tcp) denied by policy".into());
        assert_eq!(
            format!("{p:?}"),
            "PermissionError: [Errno 13] Permission denied: connect to 127.0.0.1:80 (tcp) denied by policy"
        );
        assert_eq!(
            format!("{:?}", Error::gai(-2)),
            "socket.gaierror: [Errno -2] Name or service not known"
        );
        assert!(format!("{p:#?}").contains("policy: true"));
    }

    #[test]
    fn io_error_round_trip() {
        for e in [
            Error::from_errno(111),
            Error::timed_out(),
            Error::policy_denied("x".into()),
            Error::os_msg("cannot read from timed out object"),
            Error::new(ErrorKind::UnsupportedOperation, "read"),
        ] {
            let io: std::io::Error = e.clone().into();
            let back = Error::from(io);
            assert_eq!(
                (back.kind(), back.errno(), back.to_string()),
                (e.kind(), e.errno(), e.to_string())
            );
        }
        let back = Error::from(std::io::Error::from(std::io::ErrorKind::TimedOut));
        assert_eq!(back.to_string(), "timed out");
    }

    #[test]
    fn io_error_conversion() {
        use std::io::ErrorKind as K;
        let e: std::io::Error = Error::from_errno(111).into();
        // No raw OS error: on wasm32-wasi std would read it as WASI's.
        assert_eq!(e.raw_os_error(), None);
        assert_eq!(e.kind(), K::ConnectionRefused);
        assert_eq!(e.to_string(), "[Errno 111] Connection refused");
        assert_eq!(Error::io_errno(&e), Some(111));
        assert_eq!(
            Error::from_io_ref(&e).map(Error::kind),
            Some(ErrorKind::ConnectionRefusedError)
        );
        for (errno, kind) in [
            (11, K::WouldBlock),
            (4, K::Interrupted),
            (104, K::ConnectionReset),
            (110, K::TimedOut),
            (32, K::BrokenPipe),
            (107, K::NotConnected),
            (98, K::AddrInUse),
            (13, K::PermissionDenied),
            (115, K::Other),
        ] {
            let e: std::io::Error = Error::from_errno(errno).into();
            assert_eq!((errno, e.kind()), (errno, kind));
            // The same kind std gives the raw Linux errno natively.
            #[cfg(target_os = "linux")]
            if kind != K::Other {
                assert_eq!(std::io::Error::from_raw_os_error(errno).kind(), kind);
            }
        }
        let e: std::io::Error = Error::timed_out().into();
        assert_eq!(e.kind(), K::TimedOut);
        assert_eq!(Error::io_errno(&e), None);
        let e: std::io::Error = Error::policy_denied("x".into()).into();
        assert_eq!(e.kind(), K::PermissionDenied);
        let e: std::io::Error = Error::gai(-2).into();
        assert_eq!((e.kind(), Error::io_errno(&e)), (K::Other, None));
        let e: std::io::Error = Error::value("bad").into();
        assert_eq!(e.kind(), K::InvalidInput);
    }

    #[test]
    fn wasi_errnos_translate() {
        // wasi-libc numbering: EAGAIN 6, ECONNRESET 15, EINTR 27, ENOENT
        // 44, ETIMEDOUT 73, ENOTCAPABLE 76.
        for (wasi, linux) in [
            (6, 11),
            (15, 104),
            (27, 4),
            (44, 2),
            (73, 110),
            (76, 13),
            (0, 0),
        ] {
            assert_eq!(linux_errno_from_wasi(wasi), linux);
        }
        assert_eq!(linux_errno_from_wasi(500), 500);
    }
}
