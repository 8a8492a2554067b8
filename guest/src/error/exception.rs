//! [`Error`]: a failed call, shaped like the Python exception CPython
//! would raise, and its constructors.

use super::kind::ErrorKind;
use super::strerror::{gai_strerror, hstrerror, strerror_text};
use std::borrow::Cow;
use std::fmt;

/// What a fallible wasock call returns.
pub type Result<T> = std::result::Result<T, Error>;

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
}
