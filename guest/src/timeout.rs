//! The `timeout` argument of Python's `create_connection`, whose default is
//! not `None`: Python tells "leave the default timeout"
//! (`socket._GLOBAL_DEFAULT_TIMEOUT`) from "blocking" (`None`).

/// A timeout argument: keep [`getdefaulttimeout`](crate::getdefaulttimeout)
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
    /// [`getdefaulttimeout`](crate::getdefaulttimeout).
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
            Timeout::Default => crate::getdefaulttimeout(),
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
