//! # wasock-host
//!
//! The wasmtime host for the `wasock:socket` WIT package: the full BSD
//! socket API, shaped like Python's `socket` module, for WebAssembly
//! guests, under a capability [`Policy`] the embedder controls.
//!
//! Add it to a [`Linker`](wasmtime::component::Linker) beside wasmtime-wasi:
//!
//! ```no_run
//! use std::sync::Arc;
//! use wasmtime::component::{Linker, ResourceTable};
//! use wasock_host::{Policy, WasockCtx, WasockCtxView, WasockView};
//!
//! struct State { wasock: WasockCtx, table: ResourceTable }
//! impl WasockView for State {
//!     fn wasock(&mut self) -> WasockCtxView<'_> {
//!         WasockCtxView { ctx: &mut self.wasock, table: &mut self.table }
//!     }
//! }
//!
//! # fn main() -> wasmtime::Result<()> {
//! let engine = wasmtime::Engine::default();
//! let mut linker = Linker::<State>::new(&engine);
//! wasock_host::add_to_linker_sync(&mut linker)?;
//! let policy = Policy::deny_all().allow_connect("127.0.0.1:8080")?;
//! let state = State { wasock: WasockCtx::new(Arc::new(policy)), table: ResourceTable::new() };
//! # let _ = state; Ok(())
//! # }
//! ```
//!
//! Layers, outside in: [`bindings`] (generated), `host` (trait impls,
//! thin), [`policy`] (every decision), `socket` / `options` / `netdb`
//! (the core of each call), `sys` (the only system calls). See
//! `docs/architecture.md`.

#![deny(missing_docs)]

mod ancillary;
pub mod bindings;
mod ctx;
mod error;
mod families;
mod host;
mod hostaddr;
mod names;
mod netdb;
mod netlink_guard;
mod options;
pub mod policy;
mod poll;
mod rawopt;
pub mod run;
mod socket;
mod sys;
mod unix;
mod wait;
mod zerocopy;

pub use ctx::{HasWasock, InterfaceView, Recorder, Source, WasockCtx, WasockCtxView, WasockView};
pub use error::{errno_code, error_code, SocketError, MAX_DETAIL};
pub use netdb::MAX_LOOKUPS;
pub use policy::{Limits, Policy, Target, Transport, Use};
pub use socket::HostSocket;
pub use wait::{async_spin, set_async_spin, MAX_ASYNC_SPIN};

use wasmtime::component::Linker;

/// Adds the `wasock:socket` imports to a linker whose store is driven with
/// `call_async` / `instantiate_async`. A guest that waits (in `accept`,
/// `recv`, `connect`…) suspends without holding an executor thread. Must
/// run inside a tokio runtime with IO and time enabled.
///
/// The sending calls replace their generated definitions (to send from
/// guest memory without a copy), so this turns name shadowing on for a
/// moment and leaves it off ([`Linker::allow_shadowing`]'s default).
pub fn add_to_linker_async<T: WasockView + 'static>(
    linker: &mut Linker<T>,
) -> wasmtime::Result<()> {
    bindings::async_io::Imports::add_to_linker::<T, HasWasock>(linker, T::wasock)?;
    zerocopy::add_async(linker)
}

/// Adds the `wasock:socket` imports to a linker whose store is driven with
/// the synchronous `call` / `instantiate`. A waiting guest blocks its
/// thread in poll(2).
///
/// As [`add_to_linker_async`], this leaves name shadowing off.
pub fn add_to_linker_sync<T: WasockView + 'static>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    bindings::sync_io::Imports::add_to_linker::<T, HasWasock>(linker, T::wasock)?;
    zerocopy::add_sync(linker)
}
