//! WIT errors as the Python exceptions CPython raises for them.

use crate::error::{Error, ErrorKind, Result};
use crate::wit::errors::{Error as WitError, ErrorCode};

/// The WIT `error` as the Python exception CPython raises for it.
pub(crate) fn error_from_wit(err: WitError) -> Error {
    let WitError { code, detail } = err;
    let errno = match code {
        // `timed out (…)` from the host: the policy dropped what arrived
        // meanwhile, and the message says so (CPython's is `timed out`).
        ErrorCode::Timeout if detail.starts_with("timed out (") => {
            return Error::new(ErrorKind::TimeoutError, detail.clone()).with_detail(detail)
        }
        ErrorCode::Timeout => return Error::timed_out().with_detail(detail),
        ErrorCode::PolicyDenied => return Error::policy_denied(detail),
        ErrorCode::Resolve(c) => return Error::gai(c).with_detail(detail),
        ErrorCode::Host(h) => return Error::herror(h).with_detail(detail),
        ErrorCode::Other(n) => n,
        ErrorCode::NotPermitted => 1,
        ErrorCode::NoEntry => 2,
        ErrorCode::Interrupted => 4,
        ErrorCode::Io => 5,
        ErrorCode::BadDescriptor => 9,
        ErrorCode::WouldBlock => 11,
        ErrorCode::NoMemory => 12,
        ErrorCode::Access => 13,
        ErrorCode::Fault => 14,
        ErrorCode::Busy => 16,
        ErrorCode::Exists => 17,
        ErrorCode::NotDirectory => 20,
        ErrorCode::Invalid => 22,
        ErrorCode::TooManyFilesSystem => 23,
        ErrorCode::TooManyFiles => 24,
        ErrorCode::NoSpace => 28,
        ErrorCode::BrokenPipe => 32,
        ErrorCode::NameTooLong => 36,
        ErrorCode::NotImplemented => 38,
        ErrorCode::Loop => 40,
        ErrorCode::Protocol => 71,
        ErrorCode::Overflow => 75,
        ErrorCode::NotSocket => 88,
        ErrorCode::DestinationAddressRequired => 89,
        ErrorCode::MessageSize => 90,
        ErrorCode::ProtocolType => 91,
        ErrorCode::NoProtocolOption => 92,
        ErrorCode::ProtocolNotSupported => 93,
        ErrorCode::SocketTypeNotSupported => 94,
        ErrorCode::NotSupported => 95,
        ErrorCode::ProtocolFamilyNotSupported => 96,
        ErrorCode::AddressFamilyNotSupported => 97,
        ErrorCode::AddressInUse => 98,
        ErrorCode::AddressNotAvailable => 99,
        ErrorCode::NetworkDown => 100,
        ErrorCode::NetworkUnreachable => 101,
        ErrorCode::NetworkReset => 102,
        ErrorCode::ConnectionAborted => 103,
        ErrorCode::ConnectionReset => 104,
        ErrorCode::NoBufferSpace => 105,
        ErrorCode::IsConnected => 106,
        ErrorCode::NotConnected => 107,
        ErrorCode::ShutDown => 108,
        ErrorCode::TimedOut => 110,
        ErrorCode::ConnectionRefused => 111,
        ErrorCode::HostDown => 112,
        ErrorCode::HostUnreachable => 113,
        ErrorCode::Already => 114,
        ErrorCode::InProgress => 115,
    };
    Error::from_errno(errno).with_detail(detail)
}

/// Converts a WIT result.
pub(crate) fn wit<T>(r: std::result::Result<T, WitError>) -> Result<T> {
    r.map_err(error_from_wit)
}
