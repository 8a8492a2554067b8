//! Per-instance state and the view trait embedders implement, in the style
//! of wasmtime-wasi's `WasiView`.

use crate::policy::Policy;
use std::sync::Arc;
use wasmtime::component::{HasData, ResourceTable};

/// wasock's state for one guest instance: its policy and its counters.
/// Put one in your store's data and return it from [`WasockView::wasock`].
pub struct WasockCtx {
    pub(crate) policy: Arc<Policy>,
    pub(crate) open_sockets: usize,
    pub(crate) hostname: String,
}

impl WasockCtx {
    /// State for one instance under `policy` (shared, read-only).
    pub fn new(policy: Arc<Policy>) -> Self {
        WasockCtx {
            policy,
            open_sockets: 0,
            hostname: "localhost".to_string(),
        }
    }

    /// Sets the name `gethostname` reports to the guest (default
    /// `localhost`: the host's own name is not revealed).
    pub fn with_hostname(mut self, name: impl Into<String>) -> Self {
        self.hostname = name.into();
        self
    }

    /// The policy this instance runs under.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// How many sockets the guest has open.
    pub fn open_sockets(&self) -> usize {
        self.open_sockets
    }
}

/// What the host functions work on: the instance's context and the store's
/// resource table (which may be shared with wasmtime-wasi).
pub struct WasockCtxView<'a> {
    /// The instance's wasock state.
    pub ctx: &'a mut WasockCtx,
    /// The store's resource table.
    pub table: &'a mut ResourceTable,
}

/// Implemented by store data that hosts wasock sockets.
///
/// ```ignore
/// struct State { wasi: WasiCtx, wasock: WasockCtx, table: ResourceTable }
/// impl WasockView for State {
///     fn wasock(&mut self) -> WasockCtxView<'_> {
///         WasockCtxView { ctx: &mut self.wasock, table: &mut self.table }
///     }
/// }
/// ```
pub trait WasockView: Send {
    /// The instance's wasock state and resource table.
    fn wasock(&mut self) -> WasockCtxView<'_>;
}

/// The [`HasData`] marker the generated `add_to_linker` functions use.
pub struct HasWasock;

impl HasData for HasWasock {
    type Data<'a> = WasockCtxView<'a>;
}
