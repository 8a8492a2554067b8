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
    pub(crate) interfaces: InterfaceView,
}

/// Which of the host's network interfaces a guest sees (`if_nameindex`,
/// `if_nametoindex`, `if_indextoname`, and interface names in IPv6 scopes
/// such as `fe80::1%eth0`). Indices are always the host's real ones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum InterfaceView {
    /// None (the default): the guest sees an empty list, and every name or
    /// index is unknown, exactly as one that does not exist.
    #[default]
    Hidden,
    /// All of the host's interfaces.
    Host,
    /// Only the host's interfaces with these names.
    Only(Vec<String>),
}

impl InterfaceView {
    /// Whether the guest may see the interface called `name`.
    pub fn shows(&self, name: &str) -> bool {
        match self {
            InterfaceView::Hidden => false,
            InterfaceView::Host => true,
            InterfaceView::Only(names) => names.iter().any(|n| n == name),
        }
    }
}

impl WasockCtx {
    /// State for one instance under `policy` (shared, read-only).
    pub fn new(policy: Arc<Policy>) -> Self {
        WasockCtx {
            policy,
            open_sockets: 0,
            hostname: "localhost".to_string(),
            interfaces: InterfaceView::Hidden,
        }
    }

    /// Presents the host's own name (gethostname(2)) to the guest, instead
    /// of `localhost`.
    pub fn with_host_hostname(mut self) -> Self {
        if let Ok(name) = crate::sys::gethostname() {
            self.hostname = name;
        }
        self
    }

    /// Sets which network interfaces the guest sees (default
    /// [`InterfaceView::Hidden`]).
    pub fn with_interfaces(mut self, view: InterfaceView) -> Self {
        self.interfaces = view;
        self
    }

    /// The index of an interface the guest may see (if_nametoindex(3)).
    pub(crate) fn interface_index(&self, name: &str) -> Option<u32> {
        if !self.interfaces.shows(name) {
            return None;
        }
        crate::sys::if_nametoindex(name)
    }

    /// The name of an interface the guest may see (if_indextoname(3)).
    pub(crate) fn interface_name(&self, index: u32) -> Option<String> {
        if self.interfaces == InterfaceView::Hidden {
            return None;
        }
        crate::sys::if_indextoname(index).filter(|n| self.interfaces.shows(n))
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

// CONTRACT(policy): replaced at merge
impl WasockCtx {
    /// Records that a policy-approved lookup of `name` returned `addrs`
    /// (the per-instance record hostname rules hang on). Records nothing
    /// until the policy has hostname rules.
    pub fn note_resolved(&mut self, _name: &str, _addrs: &[std::net::IpAddr]) {}
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
