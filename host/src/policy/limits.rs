//! Resource limits per guest instance, checked at load time so that no
//! value can make the host itself fail.

use std::time::{Duration, Instant};

/// Resource limits a guest instance runs under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Open sockets per guest instance, wasock sockets (EMFILE past it).
    pub max_sockets: usize,
    /// Largest buffer one receive call allocates, in bytes; larger requests
    /// return at most this many bytes.
    pub max_recv: usize,
    /// Largest backlog `listen` passes to the kernel.
    pub max_backlog: i32,
    /// Outgoing connections (connect) per second, as a token bucket whose
    /// burst is the same number; `None`: unlimited. A connect past it fails
    /// with PermissionError naming the limit, before any system call.
    pub connections_per_second: Option<u32>,
    /// Bytes sent per second, over all the instance's wasock sockets, as a
    /// token bucket holding one second's worth; `None`: unlimited. A send
    /// goes ahead while the bucket is not empty (it may then go into debt by
    /// its size, so datagrams are never cut) and otherwise waits per the
    /// socket's mode (non-blocking: EAGAIN; timeout mode: at most the
    /// timeout). wasi:sockets traffic is not metered, so a policy that
    /// sets this and allows wasi:sockets is refused
    /// ([`Policy::unenforceable`](crate::Policy::unenforceable)).
    pub send_bytes_per_second: Option<u64>,
    /// Wall-clock time the guest may run (wasmtime epoch deadline, checked
    /// every [`Limits::EPOCH_TICK`]); `None`: unlimited.
    pub wall_time: Option<Duration>,
    /// Linear memory the guest may grow to, in bytes (wasmtime
    /// `StoreLimits`); `None`: wasmtime's default (4 GiB per memory).
    pub max_memory: Option<usize>,
}

impl Limits {
    /// Largest `max-recv` accepted: 64 MiB.
    pub const MAX_RECV: usize = 64 << 20;
    /// Largest `max-sockets` accepted.
    pub const MAX_SOCKETS: usize = 65536;
    /// Largest `max-backlog` accepted (the kernel caps it at somaxconn).
    pub const MAX_BACKLOG: i32 = 65535;
    /// How often the epoch ticks for the wall-time limit.
    pub const EPOCH_TICK: Duration = Duration::from_millis(10);

    /// Checks that every value is one the host can honour; the error names
    /// the limit and the range.
    pub fn validate(&self) -> Result<(), String> {
        let range = |name: &str, v: u128, lo: u128, hi: u128| {
            if v < lo || v > hi {
                Err(format!("limit {name} = {v} is out of range ({lo}..={hi})"))
            } else {
                Ok(())
            }
        };
        range(
            "max-sockets",
            self.max_sockets as u128,
            1,
            Self::MAX_SOCKETS as u128,
        )?;
        range("max-recv", self.max_recv as u128, 1, Self::MAX_RECV as u128)?;
        range(
            "max-backlog",
            u128::try_from(self.max_backlog).unwrap_or(0),
            0,
            Self::MAX_BACKLOG as u128,
        )?;
        if self.max_backlog < 0 {
            return Err(format!(
                "limit max-backlog = {} is negative",
                self.max_backlog
            ));
        }
        if let Some(n) = self.connections_per_second {
            range("connections-per-second", n.into(), 1, 1_000_000)?;
        }
        if let Some(n) = self.send_bytes_per_second {
            range("send-bytes-per-second", n.into(), 1, 1 << 40)?;
        }
        if let Some(t) = self.wall_time {
            range("wall-time-ms", t.as_millis(), 1, 366 * 86_400_000)?;
        }
        if let Some(m) = self.max_memory {
            range("max-memory", m as u128, 1 << 16, 1 << 32)?;
        }
        Ok(())
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_sockets: 1024,
            max_recv: 1 << 20,
            max_backlog: 4096,
            connections_per_second: None,
            send_bytes_per_second: None,
            wall_time: None,
            max_memory: None,
        }
    }
}

/// A token bucket that may go into debt: pure (the caller passes the
/// time), so its arithmetic is tested without clocks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    /// A full bucket of `rate` tokens at `now`.
    pub fn full(rate: u64, now: Instant) -> Self {
        Bucket {
            tokens: rate as f64,
            at: now,
        }
    }

    fn refill(&mut self, rate: u64, now: Instant) {
        let rate = rate as f64;
        let dt = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + dt * rate).min(rate);
        self.at = now.max(self.at);
    }

    /// `None` when a use may go ahead now; else when it may.
    pub fn ready_at(&mut self, rate: u64, now: Instant) -> Option<Instant> {
        self.refill(rate, now);
        if self.tokens > 0.0 {
            return None;
        }
        let wait = (-self.tokens + 1.0) / rate as f64;
        Some(now + Duration::from_secs_f64(wait.min(86_400.0)))
    }

    /// Spends `n` tokens (possibly into debt).
    pub fn spend(&mut self, rate: u64, now: Instant, n: u64) {
        self.refill(rate, now);
        self.tokens -= n as f64;
    }
}
