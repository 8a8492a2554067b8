//! The default timeout new sockets start with (Python's
//! `setdefaulttimeout` / `getdefaulttimeout`), and the `timeout` argument
//! of Python's `create_connection`, whose default is not `None`: Python
//! tells "leave the default timeout" (`socket._GLOBAL_DEFAULT_TIMEOUT`)
//! from "blocking" (`None`).

use crate::convert;
use crate::error::Result;
use std::sync::atomic::{AtomicU64, Ordering};

/// The default timeout's bits; `NO_TIMEOUT` for `None`.
static DEFAULT_TIMEOUT: AtomicU64 = AtomicU64::new(NO_TIMEOUT);
const NO_TIMEOUT: u64 = u64::MAX;

/// Sets the timeout new sockets start with (Python's
/// `setdefaulttimeout`): `None` blocking, `0.0` non-blocking, `t > 0`
/// timeout mode. Applies to sockets from [`socket`](fn@crate::socket),
/// [`socketpair`](crate::socketpair),
/// [`Socket::accept`](crate::Socket::accept) and received with SCM_RIGHTS. Negative is
/// `ValueError('Timeout value out of range')`.
pub fn setdefaulttimeout(t: Option<f64>) -> Result<()> {
    let t = convert::check_timeout(t)?;
    DEFAULT_TIMEOUT.store(t.map_or(NO_TIMEOUT, f64::to_bits), Ordering::Relaxed);
    Ok(())
}

/// The timeout new sockets start with (Python's `getdefaulttimeout`);
/// `None` (blocking) unless [`setdefaulttimeout`] changed it.
pub fn getdefaulttimeout() -> Option<f64> {
    match DEFAULT_TIMEOUT.load(Ordering::Relaxed) {
        NO_TIMEOUT => None,
        bits => Some(f64::from_bits(bits)),
    }
}

/// A timeout argument: keep [`getdefaulttimeout`]
/// (Python's default argument), blocking (Python's `None`), or seconds
/// (`0.0` is non-blocking).
///
/// `None::<f64>` converts to [`Timeout::Default`] (the meaning an
/// `Option<f64>` argument has always had here), `Some(t)` and a bare `f64`
/// to [`Timeout::Seconds`]; write [`Timeout::Blocking`] for Python's
/// `timeout=None`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Timeout {
    /// Python's default argument: the socket keeps
    /// [`getdefaulttimeout`].
    #[default]
    Default,
    /// Python's `timeout=None`: blocking, whatever the default timeout is.
    Blocking,
    /// Python's `timeout=t`: timeout mode (`0.0`: non-blocking).
    Seconds(f64),
}

impl Timeout {
    /// The mode a new socket gets: `None` for blocking, as
    /// [`Socket::settimeout`](crate::Socket::settimeout) takes it.
    pub fn resolve(self) -> Option<f64> {
        match self {
            Timeout::Default => getdefaulttimeout(),
            Timeout::Blocking => None,
            Timeout::Seconds(t) => Some(t),
        }
    }
}

impl From<Option<f64>> for Timeout {
    fn from(t: Option<f64>) -> Timeout {
        t.map_or(Timeout::Default, Timeout::Seconds)
    }
}

impl From<f64> for Timeout {
    fn from(t: f64) -> Timeout {
        Timeout::Seconds(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_timeout() {
        assert_eq!(getdefaulttimeout(), None);
        setdefaulttimeout(Some(2.5)).unwrap();
        assert_eq!(getdefaulttimeout(), Some(2.5));
        assert!(setdefaulttimeout(Some(-1.0)).is_err());
        setdefaulttimeout(None).unwrap();
        assert_eq!(getdefaulttimeout(), None);
    }
}
