//! How a guest call waits for a socket to become ready.
//!
//! Every operation first tries its system call on the (always
//! non-blocking) host socket; only on EAGAIN does it wait, through a
//! [`Wait`] strategy:
//!
//! - [`Blocking`] (sync embedding): poll(2) on the calling thread.
//! - [`Reactor`] (async embedding): tokio's reactor (`AsyncFd`), so a
//!   waiting guest suspends its fiber and frees the executor thread.

use crate::sys::{self, Interest};
use crate::types::types::Readiness;
use std::future::Future;
use std::io;
use std::os::fd::RawFd;
use std::task::{Context, Poll, Waker};
use std::time::Instant;

/// What a wait needs of a socket (the socket core's `HostSocket`
/// implements it): its descriptor, and its registration with tokio's
/// reactor. The wait strategies know a socket only through it.
pub trait Waitable: Sync {
    /// The descriptor poll(2) waits on.
    fn raw_fd(&self) -> RawFd;

    /// The socket registered with the current tokio reactor, or `None`
    /// when no tokio runtime is running.
    fn async_fd(&self) -> io::Result<Option<&tokio::io::unix::AsyncFd<sys::Fd>>>;
}

/// A way to wait for readiness and retry an operation.
pub trait Wait: Send + Sync + 'static {
    /// Whether a socket in Python's blocking mode keeps a blocking
    /// descriptor under this strategy, so that its system calls wait in the
    /// kernel (one call, as CPython makes it) instead of failing with
    /// EAGAIN and waiting in [`Wait::retry`].
    const BLOCKING_FD: bool;

    /// Waits until `sock` is ready for `interest`, then runs `op`; repeats
    /// while `op` would block. `Ok(None)` when `deadline` passed first.
    fn retry<T: Send>(
        sock: &dyn Waitable,
        interest: Interest,
        deadline: Option<Instant>,
        op: impl FnMut() -> io::Result<T> + Send,
    ) -> impl Future<Output = io::Result<Option<T>>> + Send;

    /// Waits until one of `fds` (the descriptors of `socks`, with poll(2)
    /// events) may be ready or `deadline` passes. May wake spuriously; the
    /// caller polls again.
    fn wait_many(
        socks: &[(&dyn Waitable, Readiness)],
        fds: &[(RawFd, i16)],
        deadline: Option<Instant>,
    ) -> impl Future<Output = io::Result<()>> + Send;
}

/// Waits by blocking the calling thread in poll(2).
pub struct Blocking;

impl Wait for Blocking {
    const BLOCKING_FD: bool = true;

    async fn retry<T: Send>(
        sock: &dyn Waitable,
        interest: Interest,
        deadline: Option<Instant>,
        mut op: impl FnMut() -> io::Result<T> + Send,
    ) -> io::Result<Option<T>> {
        let fd = sock.raw_fd();
        let deadline = capped(deadline);
        loop {
            if !sys::poll_one(fd, interest, deadline)? {
                return Ok(None);
            }
            match op() {
                // Ready again and again (a flood of denied datagrams): the
                // deadline still ends the wait.
                Err(e) if retryable(&e) => {
                    if deadline.is_some_and(|d| Instant::now() >= d) {
                        return Ok(None);
                    }
                }
                r => return r.map(Some),
            }
        }
    }

    async fn wait_many(
        _socks: &[(&dyn Waitable, Readiness)],
        fds: &[(RawFd, i16)],
        deadline: Option<Instant>,
    ) -> io::Result<()> {
        Self::wait_many_now(fds, capped(deadline))
    }
}

impl Blocking {
    fn wait_many_now(fds: &[(RawFd, i16)], deadline: Option<Instant>) -> io::Result<()> {
        sys::poll_until(fds, deadline).map(drop)
    }
}

/// How long [`Reactor`] retries a would-block receive or connect before
/// parking, in nanoseconds (see [`set_async_spin`]).
static SPIN_NANOS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Most an embedder may set [`set_async_spin`] to.
pub const MAX_ASYNC_SPIN: std::time::Duration = std::time::Duration::from_millis(1);

/// Sets, for the whole process, how long an async store's would-block
/// receive (and connect) keeps retrying its system call before it parks
/// on tokio's reactor (at most [`MAX_ASYNC_SPIN`]). Off (zero) by default:
/// waking through the reactor costs tens of microseconds, and on loopback
/// a peer often answers sooner, so a spin of ~50 µs lowers ping-pong
/// latency — by burning that CPU on every wait, which `docs/benchmarks.md`
/// measures per operation. A setting for embedders who trade CPU for
/// latency (`wasock run --async-spin-us N`).
pub fn set_async_spin(d: std::time::Duration) {
    let d = d.min(MAX_ASYNC_SPIN);
    SPIN_NANOS.store(d.as_nanos() as u64, std::sync::atomic::Ordering::Relaxed);
}

/// The spin set with [`set_async_spin`] (zero: off).
pub fn async_spin() -> std::time::Duration {
    std::time::Duration::from_nanos(SPIN_NANOS.load(std::sync::atomic::Ordering::Relaxed))
}

/// Waits on tokio's reactor; needs a tokio runtime with IO and time
/// enabled (`Builder::enable_all`). Without a runtime it falls back to
/// [`Blocking`].
pub struct Reactor;

impl Wait for Reactor {
    // A blocking call would hold an executor thread.
    const BLOCKING_FD: bool = false;

    async fn retry<T: Send>(
        sock: &dyn Waitable,
        interest: Interest,
        deadline: Option<Instant>,
        mut op: impl FnMut() -> io::Result<T> + Send,
    ) -> io::Result<Option<T>> {
        // Waking through the reactor costs tens of microseconds; on
        // loopback the peer often answers (or the handshake ends) sooner.
        // With a spin set, retry for that bounded time before parking the
        // guest. A full
        // send buffer drains only as fast as the peer reads, and spinning
        // would take the CPU the peer needs, so sends park at once.
        let spin = async_spin();
        if interest != Interest::Write && !spin.is_zero() {
            let spin_end = Instant::now() + spin;
            loop {
                std::hint::spin_loop();
                match op() {
                    Err(e) if retryable(&e) => {}
                    r => return r.map(Some),
                }
                let now = Instant::now();
                if now >= spin_end || deadline.is_some_and(|d| now >= d) {
                    break;
                }
            }
        }
        let Some(afd) = sock.async_fd()? else {
            return Blocking::retry(sock, interest, deadline, op).await;
        };
        let tokio_interest = match interest {
            Interest::Read => tokio::io::Interest::READABLE,
            Interest::Write | Interest::Connect => tokio::io::Interest::WRITABLE,
        };
        loop {
            let ready = afd.ready(tokio_interest);
            let mut guard = match deadline {
                None => ready.await?,
                Some(d) => match tokio::time::timeout_at(d.into(), ready).await {
                    Ok(g) => g?,
                    Err(_elapsed) => return Ok(None),
                },
            };
            match op() {
                Err(e) if retryable(&e) => {
                    // Only EAGAIN proves the queue empty. A stream read
                    // that returns less than it asked for does not (tokio's
                    // streams take it so): AF_UNIX stops after a message
                    // that carried descriptors, TCP at the urgent mark, with
                    // data still queued and no event to come for it.
                    if e.kind() == io::ErrorKind::WouldBlock {
                        guard.clear_ready();
                    }
                    if deadline.is_some_and(|d| Instant::now() >= d) {
                        return Ok(None);
                    }
                }
                r => return r.map(Some),
            }
        }
    }

    async fn wait_many(
        socks: &[(&dyn Waitable, Readiness)],
        fds: &[(RawFd, i16)],
        deadline: Option<Instant>,
    ) -> io::Result<()> {
        let mut regs = Vec::with_capacity(socks.len());
        for (s, interest) in socks {
            match s.async_fd()? {
                Some(afd) => regs.push((afd, *interest)),
                None => return Blocking::wait_many_now(fds, deadline),
            }
        }
        // Errors and hang-ups show as readable or writable to the reactor.
        let any = Self::any_ready(&regs);
        match deadline {
            None => any.await,
            Some(d) => tokio::time::timeout_at(d.into(), any)
                .await
                .unwrap_or(Ok(())),
        }
    }
}

impl Reactor {
    /// Resolves when any registration reports readiness (clearing the
    /// readiness it saw, since the caller re-polls with poll(2) anyway).
    fn any_ready<'a>(
        regs: &'a [(&'a tokio::io::unix::AsyncFd<sys::Fd>, Readiness)],
    ) -> impl Future<Output = io::Result<()>> + Send + 'a {
        std::future::poll_fn(move |cx| {
            for (afd, interest) in regs {
                if interest
                    .intersects(Readiness::READABLE | Readiness::PRIORITY | Readiness::READ_HANGUP)
                {
                    if let Poll::Ready(g) = afd.poll_read_ready(cx) {
                        g?.clear_ready();
                        return Poll::Ready(Ok(()));
                    }
                }
                if interest.contains(Readiness::WRITABLE) {
                    if let Poll::Ready(g) = afd.poll_write_ready(cx) {
                        g?.clear_ready();
                        return Poll::Ready(Ok(()));
                    }
                }
            }
            Poll::Pending
        })
    }
}

/// EAGAIN or EINTR: the call may be tried again.
pub(crate) fn retryable(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
    )
}

/// Runs a future that never returns `Pending` (the sync flavour, whose
/// waits all block inside poll(2)) to completion on this thread.
pub fn run_ready<F: Future>(fut: F) -> F::Output {
    let mut fut = std::pin::pin!(fut);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return v;
        }
        // Not reached with `Blocking`; yield rather than spin hard.
        std::thread::yield_now();
    }
}

thread_local! {
    /// The wall-time deadline of the store whose sync call runs on this
    /// thread (set by [`within_wall_time`]): every wait of [`Blocking`] ends
    /// by it, and sockets in blocking mode keep a non-blocking descriptor
    /// so that no system call outlives it.
    static WALL: std::cell::Cell<Option<Instant>> = const { std::cell::Cell::new(None) };
}

/// The current sync call's wall-time deadline, if any.
pub(crate) fn wall_deadline() -> Option<Instant> {
    WALL.with(std::cell::Cell::get)
}

/// `deadline`, or the wall-time deadline when that is sooner.
fn capped(deadline: Option<Instant>) -> Option<Instant> {
    match (deadline, wall_deadline()) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The trap of a guest whose host call reached the wall-time deadline.
pub(crate) fn wall_trap() -> crate::types::SocketError {
    tracing::warn!(target: "wasock::policy", "the guest reached its wall-time limit in a host call");
    crate::types::SocketError::Trap(wasmtime::Error::msg(
        "the guest ran past the policy's wall-time limit (while waiting in a socket call)",
    ))
}

/// Runs a sync host call under the store's wall-time `deadline`: its waits
/// end by then, and a call that reaches it traps the guest (as the epoch
/// deadline does for guest code).
pub(crate) fn within_wall_time<T>(
    deadline: Option<Instant>,
    f: impl FnOnce() -> crate::types::SocketResult<T>,
) -> crate::types::SocketResult<T> {
    let Some(d) = deadline else { return f() };
    let prev = WALL.with(|w| w.replace(Some(d)));
    let r = f();
    WALL.with(|w| w.set(prev));
    if Instant::now() >= d {
        return Err(wall_trap());
    }
    r
}

/// Runs an async host call under the store's wall-time `deadline`: a call
/// still waiting then is dropped and the guest traps.
pub(crate) async fn race_wall_time<T>(
    deadline: Option<Instant>,
    f: impl Future<Output = crate::types::SocketResult<T>>,
) -> crate::types::SocketResult<T> {
    let Some(d) = deadline else { return f.await };
    if tokio::runtime::Handle::try_current().is_err() {
        return within_wall_time(deadline, || run_ready(f));
    }
    match tokio::time::timeout_at(tokio::time::Instant::from_std(d), f).await {
        Ok(r) if Instant::now() < d => r,
        _ => Err(wall_trap()),
    }
}
