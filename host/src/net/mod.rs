//! The socket core: [`HostSocket`] and the core of each socket call
//! (policy check right before the system call, then the call, waiting per
//! Python's mode only on EAGAIN), and what one socket needs: the
//! addresses of every family (`families`), AF_UNIX names confined beneath
//! the policy's directory (`unix`), the netlink payload guard, which
//! addresses this host delivers to (`hostaddr`), and how a call waits
//! (`wait`).
//!
//! May import the context ([`crate::ctx`]), the policy, errors, the system
//! layer and the vocabulary ([`crate::types`]); never the WIT bindings
//! ([`crate::wit`]) or name resolution. Within it, `socket` is at the top:
//! `wait` knows a socket only through its [`wait::Waitable`] trait.

pub mod address;
pub mod families;
pub mod hostaddr;
pub mod netlink_guard;
pub mod socket;
pub mod unix;
pub mod wait;

pub use socket::HostSocket;
