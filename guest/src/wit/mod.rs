//! The WIT bindings layer: the generated bindings of the `wasock:socket`
//! world (`bindings`, private: the rest of the crate names its interfaces
//! through the re-exports below), and the component's `cabi_realloc`
//! export, through which the host writes results into this guest's
//! memory, straight into the caller's buffer for the `*_into` receives
//! (`recvbuf`). It imports nothing else from the crate; every layer above
//! reaches the host through it.

#[allow(missing_docs, unsafe_code)]
mod bindings;
pub(crate) mod recvbuf;

pub(crate) use bindings::wasock::socket::{ancillary, errors, netdb, options, poll, socket, types};
