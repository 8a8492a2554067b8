//! The WIT-facing layer: the generated bindings (two flavours), the
//! implementation of each imported interface, and the zero-copy sends that
//! shadow six generated functions in the linker (`socket`'s three and
//! `latin1`'s).
//!
//! The top of the library: it may import every layer below (the socket
//! core [`crate::net`], name resolution [`crate::netdb`], the context
//! [`crate::ctx`], the policy, errors, the system layer and the
//! vocabulary [`crate::types`]); nothing below imports it. `host.rs` holds
//! the one-line forwards; `latin1.rs` the Latin-1 sends; `options.rs`,
//! `rawopt.rs`, `ancillary.rs` and `poll.rs` are the interfaces whose types exist only in the bindings
//! (they carry socket handles, or belong to the `options` interface).

pub(crate) mod ancillary;
pub mod bindings;
mod host;
mod latin1;
pub(crate) mod options;
pub(crate) mod poll;
pub(crate) mod rawopt;
pub(crate) mod zerocopy;

use wasmtime::component::Linker;

/// Adds the `wasock:socket` imports to a linker whose store is driven with
/// `call_async` / `instantiate_async`. A guest that waits (in `accept`,
/// `recv`, `connect`…) suspends without holding an executor thread. Must
/// run inside a tokio runtime with IO and time enabled.
///
/// The sending calls replace their generated definitions (to send from
/// guest memory without a copy), so this turns name shadowing on for a
/// moment and leaves it off ([`Linker::allow_shadowing`]'s default).
pub fn add_to_linker_async<T: crate::ctx::WasockView + 'static>(
    linker: &mut Linker<T>,
) -> wasmtime::Result<()> {
    bindings::async_io::Imports::add_to_linker::<T, crate::ctx::HasWasock>(linker, T::wasock)?;
    zerocopy::add_async(linker)
}

/// Adds the `wasock:socket` imports to a linker whose store is driven with
/// the synchronous `call` / `instantiate`. A waiting guest blocks its
/// thread in poll(2).
///
/// As [`add_to_linker_async`], this leaves name shadowing off.
pub fn add_to_linker_sync<T: crate::ctx::WasockView + 'static>(
    linker: &mut Linker<T>,
) -> wasmtime::Result<()> {
    bindings::sync_io::Imports::add_to_linker::<T, crate::ctx::HasWasock>(linker, T::wasock)?;
    zerocopy::add_sync(linker)
}
