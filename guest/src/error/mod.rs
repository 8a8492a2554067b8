//! Errors: Python's exception classes for socket errors, as one Rust error
//! type. This is the bottom layer with `constants`: it owns [`ErrorKind`]
//! (the class), [`Error`] (class, errno, message and the host's detail),
//! its conversions to and from `io::Error`, and glibc's message tables;
//! it imports nothing else from the crate (in particular not the WIT
//! bindings: turning a WIT error into an [`Error`] is `convert::error`'s
//! job).

mod exception;
mod io;
mod kind;
mod strerror;

pub use exception::{Error, Result};
pub use kind::ErrorKind;
