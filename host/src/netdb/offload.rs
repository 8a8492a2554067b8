//! Where a name-service call runs ([`Offload`]): on the calling thread in
//! a sync store (under a wall-time limit, on a thread of its own), on
//! tokio's blocking pool in an async one; at most [`MAX_LOOKUPS`] at a time
//! process-wide for each.

use crate::net::wait::{Blocking, Reactor, Wait};
use crate::types::{SocketError, SocketResult};
use std::future::Future;

/// How many lookups may run on threads of their own at once: on tokio's
/// blocking pool, across every async store of the process (further lookups
/// wait, suspended, holding no thread, for one to end); and, counted
/// apart, on the lookup threads of sync stores under a wall-time limit
/// (further lookups resolve on the calling thread).
pub const MAX_LOOKUPS: usize = 8;

pub(super) static LOOKUPS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(MAX_LOOKUPS);
/// The same bound for sync stores' lookup threads, apart, so that lookups
/// left waiting on a silent nameserver after their sync guests were
/// stopped never hold back async stores' lookups.
pub(super) static SYNC_LOOKUPS: tokio::sync::Semaphore =
    tokio::sync::Semaphore::const_new(MAX_LOOKUPS);

/// Where a resolver call that may block runs.
pub(crate) trait Offload: Wait {
    /// Runs `f`, which may block (glibc's resolver), without holding an
    /// async executor thread.
    fn offload<T: Send + 'static>(
        f: impl FnOnce() -> T + Send + 'static,
    ) -> impl Future<Output = SocketResult<T>> + Send;
}

impl Offload for Blocking {
    /// A sync store has no executor: the calling thread resolves. Under a
    /// wall-time limit the lookup runs on a thread of its own instead, and
    /// the call traps at the deadline even while glibc is still waiting
    /// for a nameserver (the thread is left to glibc's own timeout, and
    /// counts against the sync stores' [`MAX_LOOKUPS`] until then).
    async fn offload<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> SocketResult<T> {
        let Some(deadline) = crate::net::wait::wall_deadline() else {
            return Ok(f());
        };
        let Ok(permit) = SYNC_LOOKUPS.try_acquire() else {
            // Too many lookups already left running: resolve here.
            return Ok(f());
        };
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        let spawned = std::thread::Builder::new()
            .name("wasock-lookup".into())
            .spawn(move || {
                let _permit = permit;
                let _ = tx.send(f());
            });
        if let Err(e) = spawned {
            return Err(SocketError::Trap(wasmtime::Error::msg(format!(
                "resolver thread: {e}"
            ))));
        }
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match rx.recv_timeout(left) {
            Ok(v) => Ok(v),
            Err(_) => Err(crate::net::wait::wall_trap()),
        }
    }
}

impl Offload for Reactor {
    /// tokio's blocking pool, bounded by [`MAX_LOOKUPS`]. The permit moves
    /// into the blocking task, so a lookup whose guest was dropped still
    /// counts until glibc returns.
    async fn offload<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> SocketResult<T> {
        if tokio::runtime::Handle::try_current().is_err() {
            return Ok(f());
        }
        let permit = LOOKUPS
            .acquire()
            .await
            .map_err(|e| SocketError::Trap(wasmtime::Error::msg(format!("resolver: {e}"))))?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            f()
        })
        .await
        .map_err(|e| SocketError::Trap(wasmtime::Error::msg(format!("resolver task: {e}"))))
    }
}
