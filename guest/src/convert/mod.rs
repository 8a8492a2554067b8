//! Every conversion between the WIT types and Python's shapes: integer
//! constants to WIT enums and flags (`flags`), WIT errors to Python
//! exceptions (`error`), addresses (`address`, `ip`, and CPython's
//! `getsockaddrarg` in `sockaddr` over `pyarg`), socket options
//! (`option`), control messages (`control`) and name resolution's
//! arguments and results (`netdb`), with the Python-shaped values they
//! produce ([`Address`], [`RawAddress`], [`OptValue`], [`AddrInfo`]).
//! This layer sits on the WIT bindings: it may import `wit`, `pure`,
//! `error` and `constants`, never the socket object or anything else
//! above it; what it needs of a socket (the WIT sockets of SCM_RIGHTS)
//! is passed to it.

mod address;
mod control;
mod error;
mod flags;
mod ip;
mod netdb;
mod option;
mod pyarg;
mod sockaddr;

pub use address::{Address, RawAddress};
pub use netdb::AddrInfo;
pub use option::OptValue;

pub(crate) use address::{address_from_wit, maybe_address_from_wit};
pub(crate) use control::{recv_cmsg_from_wit, send_cmsg_to_wit};
pub(crate) use error::{error_from_wit, wit};
pub(crate) use flags::{check_timeout, family_from_wit, timeout_to_wit, type_from_wit};
pub(crate) use flags::{msg_flags_from_wit, msg_flags_to_wit, shutdown_to_wit};
pub(crate) use flags::{select_exceptional, select_readable, select_writable};
pub(crate) use flags::{socket_args_to_wit, split_socket_type};
pub(crate) use ip::{ip_text, resolve_host};
pub(crate) use netdb::{addrinfo_from_wit, hints_to_wit, host_entry_from_wit};
pub(crate) use netdb::{nameinfo_address, ni_flags_to_wit};
pub(crate) use option::{option_to_wit, option_value_bytes, option_value_int, option_value_to_wit};
pub(crate) use sockaddr::address_to_wit;
