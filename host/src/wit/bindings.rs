//! Generated bindings for the `wasock:socket` WIT package, in two flavours.
//!
//! [`async_io`] makes every import an `async` Rust function, for stores
//! driven with `call_async` (a guest blocked in `recv` then suspends its
//! fiber instead of holding an executor thread). [`sync_io`] makes every
//! import a plain function, for stores driven with `call`. Both take the
//! data types of `types` and `errors` from `crate::types` (so the socket
//! core below never needs these bindings), and share the (never blocking)
//! `options` interface.

/// Bindings whose host functions are `async` (see [`crate::add_to_linker_async`]).
#[allow(missing_docs)]
pub mod async_io {
    wasmtime::component::bindgen!({
        path: "../wit",
        world: "wasock:socket/imports",
        imports: {
            "wasock:socket/options": trappable,
            // Calls that never wait stay synchronous (see host.rs).
            "wasock:socket/socket.[static]socket.open": trappable,
            "wasock:socket/socket.[method]socket.bind": trappable,
            "wasock:socket/socket.[method]socket.listen": trappable,
            "wasock:socket/socket.[method]socket.shutdown": trappable,
            "wasock:socket/socket.[method]socket.local-address": trappable,
            "wasock:socket/socket.[method]socket.remote-address": trappable,
            "wasock:socket/socket.[method]socket.set-timeout": trappable,
            "wasock:socket/socket.[method]socket.timeout": trappable,
            "wasock:socket/socket.[method]socket.dup": trappable,
            "wasock:socket/socket.[method]socket.family": trappable,
            "wasock:socket/socket.[method]socket.socket-type": trappable,
            "wasock:socket/socket.[method]socket.protocol": trappable,
            "wasock:socket/socket.socketpair": trappable,
            "wasock:socket/socket.[drop]socket": trappable,
            "wasock:socket/latin1.bind-unix": trappable,
            default: async | trappable,
        },
        trappable_error_type: { "wasock:socket/errors.error" => crate::types::SocketError },
        with: {
            "wasock:socket/socket.socket": crate::net::HostSocket,
            "wasock:socket/types": crate::types::types,
            "wasock:socket/errors": crate::types::errors,
        },
    });
}

/// Bindings whose host functions are synchronous (see [`crate::add_to_linker_sync`]).
#[allow(missing_docs)]
pub mod sync_io {
    wasmtime::component::bindgen!({
        path: "../wit",
        world: "wasock:socket/imports",
        imports: { default: trappable },
        trappable_error_type: { "wasock:socket/errors.error" => crate::types::SocketError },
        with: {
            "wasock:socket/socket.socket": crate::net::HostSocket,
            "wasock:socket/types": crate::types::types,
            "wasock:socket/errors": crate::types::errors,
            "wasock:socket/options": super::async_io::wasock::socket::options,
        },
    });
}

pub use crate::types::{errors, types};
pub use async_io::wasock::socket::{ancillary, netdb, options, poll, socket};
