//! poll(2) over many guest sockets (backs `select` / `poll` in the guest).

use crate::ctx::WasockCtxView;
use crate::net::socket::HostSocket;
use crate::net::wait::{Wait, Waitable};
use crate::sys;
use crate::types::types::Readiness;
use crate::types::{SocketError, SocketResult};
use std::time::{Duration, Instant};
use wasmtime::component::Resource;

/// Most sockets one `poll` call may name.
pub const MAX_POLL: usize = 4096;

/// WIT readiness flags and poll(2) bits, one table for both directions
/// (poll(2) ignores POLLERR / POLLHUP in `events`; they are only reported).
const BITS: [(Readiness, i16); 6] = [
    (Readiness::READABLE, libc::POLLIN),
    (Readiness::PRIORITY, libc::POLLPRI),
    (Readiness::WRITABLE, libc::POLLOUT),
    (Readiness::ERROR, libc::POLLERR),
    (Readiness::HANGUP, libc::POLLHUP),
    (Readiness::READ_HANGUP, libc::POLLRDHUP),
];

fn events(r: Readiness) -> i16 {
    BITS.iter()
        .filter(|(flag, _)| r.contains(*flag))
        .fold(0, |acc, (_, bit)| acc | bit)
}

fn readiness(revents: i16) -> Readiness {
    BITS.iter()
        .filter(|(_, bit)| revents & bit != 0)
        .fold(Readiness::empty(), |acc, (flag, _)| acc | *flag)
}

impl WasockCtxView<'_> {
    /// poll(2): waits until one request is ready or the timeout passes.
    pub(crate) async fn poll<W: Wait>(
        &mut self,
        requests: Vec<(Resource<HostSocket>, Readiness)>,
        timeout: Option<u64>,
    ) -> SocketResult<Vec<Readiness>> {
        if requests.len() > MAX_POLL {
            return Err(SocketError::invalid(format!(
                "poll of {} sockets is over the limit of {MAX_POLL}",
                requests.len()
            )));
        }
        let deadline = timeout.map(|ns| Instant::now().checked_add(Duration::from_nanos(ns)));
        let deadline = match deadline {
            Some(None) => None, // too far away to represent: no limit
            Some(Some(d)) => Some(d),
            None => None,
        };
        let mut socks: Vec<(&dyn Waitable, Readiness)> = Vec::with_capacity(requests.len());
        for (r, interest) in &requests {
            let s: &HostSocket = self.table.get(r)?;
            socks.push((s, *interest));
        }
        let fds: Vec<_> = socks
            .iter()
            .map(|(s, i)| (s.raw_fd(), events(*i)))
            .collect();
        loop {
            let revents = sys::poll_now(&fds)?;
            let done = revents.iter().any(|&r| r != 0)
                || timeout == Some(0)
                || deadline.is_some_and(|d| Instant::now() >= d);
            if done {
                return Ok(revents.into_iter().map(readiness).collect());
            }
            W::wait_many(&socks, &fds, deadline).await?;
        }
    }
}
