//! The system layer: the only module that makes system calls (through
//! socket2, and libc where socket2 has no call) and the only place with
//! `unsafe`, apart from two functions in `wit/zerocopy.rs` (the guest's
//! bytes or text in place). It imports nothing of the crate: everything
//! here speaks `std`, socket2 and libc types, and the layers above
//! convert (`net::address` for WIT addresses).
//!
//! Split by concern: `socket` (sockets and options), `msg` (sendmsg /
//! recvmsg and control data), `netdb` (names), `path` (AF_UNIX addresses
//! and files beneath a directory), `poll` (waiting). Callers name them
//! through this module (`sys::accept`), which re-exports each.

mod msg;
mod netdb;
mod path;
mod poll;
mod socket;

pub use msg::*;
pub use netdb::*;
pub use path::*;
pub use poll::*;
pub use socket::*;
