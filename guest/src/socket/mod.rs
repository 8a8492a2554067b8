//! The socket object: [`Socket`], Python's `socket.socket`, over the WIT
//! `socket` resource. `object` owns the type, its creation, handle
//! numbers, addresses, connection calls, timeouts and attributes; the
//! rest add methods by concern: `transfer` (send and receive), `message`
//! (sendmsg / recvmsg and [`Ancillary`]), `options` (setsockopt,
//! getsockopt, ioctl), `file` (`makefile`, [`SocketFile`]); `timeout`
//! holds the default timeout and [`Timeout`]. This layer may import
//! `convert`, `wit`, `pure`, `error` and `constants`; never `netdb` or
//! the module-level helpers above it.

mod file;
mod message;
mod object;
mod options;
mod timeout;
mod transfer;

pub use file::SocketFile;
pub use message::{Ancillary, RecvMsg};
pub use object::{fromfd, socket, socketpair, Socket};
pub use timeout::{getdefaulttimeout, setdefaulttimeout, Timeout};
