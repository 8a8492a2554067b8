//! Python's `socket` module for WebAssembly guests.
//!
//! `wasock` gives a wasm32-wasip2 guest the BSD socket API the way CPython's
//! `socket` module presents it on Linux — the same function names,
//! constants, address tuples, timeouts and exceptions — over the
//! `wasock:socket` WIT package, whose host checks every call against the
//! embedder's policy.
//!
//! ```no_run
//! use wasock::{socket, AF_INET, SOCK_STREAM};
//!
//! # fn main() -> wasock::Result<()> {
//! let s = socket(AF_INET, SOCK_STREAM, 0)?;
//! s.bind(("", 50007))?;
//! s.listen(1)?;
//! let (conn, addr) = s.accept()?;
//! println!("Connected by {addr}");
//! conn.sendall(&conn.recv(1024)?)?;
//! # Ok(())
//! # }
//! ```
//!
//! - Module-level functions and constants have Python's names
//!   ([`socket`], [`getaddrinfo`], [`inet_pton`], [`AF_INET`], …) and
//!   Linux values.
//! - [`Socket`] methods are Python's, and each says which system call (and
//!   WIT call) it corresponds to.
//! - Addresses ([`Address`]) are Python's tuples; they display as Python's
//!   `repr`. Where CPython returns `None` for an address (`recvfrom` on a
//!   connected stream), the address is [`Address::None`]: `recvfrom`'s
//!   address needs no unwrapping.
//! - `recv_into`, `recvfrom_into` and `recvmsg_into` receive straight into
//!   the caller's buffer, with no intermediate allocation (the crate
//!   exports the component's `cabi_realloc` for this).
//! - Every failure is an [`Error`] whose [`ErrorKind`] is the Python
//!   exception class CPython 3.11 would raise, with its errno and message.
//!   As an `io::Error` (what [`SocketFile`] and `Read`/`Write for &Socket`
//!   return) it has the `io::ErrorKind` Rust's standard library gives the
//!   same errno on Linux (`WouldBlock`, `Interrupted`, `ConnectionReset`,
//!   `TimedOut`…, so `read_exact`, `BufReader` and libraries on `Read` /
//!   `Write` behave as natively) and carries the [`Error`], Linux errno
//!   included ([`Error::io_errno`]); never a raw OS error, which the
//!   standard library on wasm32-wasi would read with WASI's errno
//!   numbering.
//!
//! The WIT bindings are private; every conversion between WIT types and
//! Python's shapes is in one module (`convert`).
//!
//! # What a host may refuse
//!
//! The host runs every call under its embedder's policy, deny by default.
//! A refusal is `PermissionError` with errno 13 and a message naming what
//! was refused (`[Errno 13] Permission denied: connect to 127.0.0.1:80
//! (tcp) denied by policy`); [`Error::is_policy_denial`] tells it from a
//! kernel's EACCES. Per call:
//!
//! | call | the host may refuse |
//! |---|---|
//! | [`socket`], [`socketpair`] | raw sockets (`SOCK_RAW`, per protocol) and families other than IP and AF_UNIX (netlink per protocol) unless granted; families the kernel lacks give `OSError(97)` |
//! | [`Socket::bind`] | the local address and port |
//! | [`Socket::listen`] | the bound address (an unbound socket: the wildcard, port 0) |
//! | [`Socket::connect`], [`Socket::connect_ex`] (returns 13), [`create_connection`] | the destination |
//! | [`Socket::sendto`], [`Socket::sendmsg`] with an address | the destination |
//! | [`Socket::setsockopt`] | options that widen what the guest reaches (`SO_BINDTODEVICE`, `SO_MARK`, `SO_PRIORITY`, `SO_DEBUG`, `IP_TRANSPARENT`, `IP_FREEBIND`, `IP_HDRINCL`, `IP_OPTIONS`, `IP_TOS`, `IPV6_TCLASS`, `TCP_CONGESTION`, `TCP_ULP`, `SO_REUSEPORT`, `SO_REUSEADDR` on datagram sockets, `IP_ROUTER_ALERT`, `IPV6_ROUTER_ALERT`, `SO_RCVMARK`); multicast joins (the group) |
//! | [`Socket::send`], [`Socket::sendall`], [`Socket::sendto`], [`Socket::sendmsg`] on netlink | requests that would change the host (rtnetlink writes, SOCK_DESTROY) |
//! | packet and CAN addresses | the empty interface (index 0: every interface) unless the guest sees every interface |
//! | [`getaddrinfo`], [`gethostbyname`] and the other lookups | names that need the resolver (numeric hosts and `localhost` need none) |
//! | any call that creates a socket ([`socket`], [`Socket::accept`], [`Socket::dup`]) | past the policy's socket limit: `OSError(24)` |
//!
//! Receiving, `accept`, options other than those above, and the local
//! calls (`getsockname`, `settimeout`, `shutdown`…) are not checked per
//! call: the socket was allowed when it was bound or connected. A host may
//! cap a receive's size (1 MiB by default).

#![deny(missing_docs)]
#![deny(unsafe_code)]

// Layers, bottom up; a module imports only from layers below it (each
// module's doc says which), and lib.rs only re-exports:
//   constants, error          tables and Python's exception classes
//   pure                      repr, inet text forms, idna: no WIT, no host call
//   wit                       the WIT bindings and the cabi_realloc export
//   convert                   every WIT <-> Python conversion
//   socket, netdb             the socket object; name resolution
//   helpers                   create_connection, create_server, select, fds
// host/tests/layers.rs fails on any import circle.
#[allow(non_upper_case_globals)]
mod constants;
mod convert;
mod error;
mod helpers;
mod netdb;
mod pure;
mod socket;
mod wit;

pub use constants::*;
pub use convert::{AddrInfo, Address, OptValue, RawAddress};
pub use error::{Error, ErrorKind, Result};
pub use helpers::{
    create_connection, create_connection_all_errors, create_server, has_dualstack_ipv6, recv_fds,
    select, send_fds, ConnectionErrors, RecvFds,
};
pub use netdb::{
    getaddrinfo, getfqdn, gethostbyaddr, gethostbyname, gethostbyname_ex, gethostname, getnameinfo,
    getprotobyname, getservbyname, getservbyport, if_indextoname, if_nameindex, if_nametoindex,
    Port,
};
pub use pure::inet::{
    htonl, htons, inet_aton, inet_ntoa, inet_ntop, inet_pton, ntohl, ntohs, CMSG_LEN, CMSG_SPACE,
};
pub use pure::text::repr_bytes;
pub use socket::{fromfd, socket, socketpair, Ancillary, RecvMsg, Socket, SocketFile};
pub use socket::{getdefaulttimeout, setdefaulttimeout, Timeout};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_sanity() {
        assert_eq!(AF_INET, 2);
        assert_eq!(AF_INET6, 10);
        assert_eq!(AF_UNIX, 1);
        assert_eq!(SOCK_STREAM, 1);
        assert_eq!(SOCK_NONBLOCK, 0o4000);
        assert_eq!(SOL_SOCKET, 1);
        assert_eq!(SO_REUSEADDR, 2);
        assert_eq!(SO_REUSEPORT, 15);
        assert_eq!(IPPROTO_TCP, 6);
        assert_eq!(TCP_NODELAY, 1);
        assert_eq!(MSG_PEEK, 2);
        assert_eq!(SHUT_RDWR, 2);
        assert_eq!(AI_PASSIVE, 1);
        assert_eq!(NI_NUMERICHOST, 1);
        assert_eq!(EAI_NONAME, -2);
        assert_eq!(SCM_RIGHTS, 1);
        assert_eq!(SOMAXCONN, 4096);
        assert_eq!(INADDR_BROADCAST, 0xffff_ffff);
        assert_eq!(INADDR_LOOPBACK, 0x7f00_0001);
    }
}
