//! [`Error`] as an `io::Error` and back, with the `io::ErrorKind` Rust's
//! standard library gives the same errno on Linux.

use super::exception::Error;
use super::kind::ErrorKind;

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
        match (self.kind(), self.errno()) {
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
            return match e.kind() {
                ErrorKind::Gaierror | ErrorKind::Herror => None,
                _ => e.errno(),
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

#[cfg(test)]
mod tests {
    use super::*;

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
