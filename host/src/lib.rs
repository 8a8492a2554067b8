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
//! Layers, top down; each folder's module doc says what it owns and what
//! it may import, and `tests/layers.rs` fails on an import circle:
//!
//! - [`run`]: an embedding of wasmtime-wasi and wasock (the CLI's runner);
//! - `wit`: the generated [`bindings`] and each interface's implementation;
//! - `net` (the socket core: [`HostSocket`], AF_UNIX names, families,
//!   waiting, the policy's per-socket state) and `netdb` (name resolution);
//! - `ctx`: [`WasockCtx`], what one guest's calls share;
//! - [`policy`]: every decision, the audit log and learning;
//! - `sys`: the system calls;
//! - `types`: the WIT data types (generated) and [`SocketError`].
//!
//! See `docs/architecture.md`.

#![deny(missing_docs)]

mod ctx;
mod net;
mod netdb;
pub mod policy;
pub mod run;
mod sys;
mod types;
mod wit;

pub use ctx::{HasWasock, InterfaceView, WasockCtx, WasockCtxView, WasockView};
pub use net::wait::{async_spin, set_async_spin, MAX_ASYNC_SPIN};
pub use net::HostSocket;
pub use netdb::MAX_LOOKUPS;
pub use policy::{Limits, Policy, Recorder, Source, Target, Transport, Use};
pub use types::{errno_code, error_code, SocketError, MAX_DETAIL};
pub use wit::bindings;
pub use wit::{add_to_linker_async, add_to_linker_sync};
