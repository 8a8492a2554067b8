//! Counts that a noisy machine does not move much: CPU time, system calls
//! and instructions of the process that does the work.
//!
//! - CPU time: getrusage(2), user + system, of this process and of the
//!   children it has waited for (the CPython client; the servers are never
//!   waited for during the rounds, so they are not counted).
//! - System calls: a perf_event_open(2) counter on the `raw_syscalls:sys_enter`
//!   tracepoint (tracefs must be mounted: `scripts/bench.sh` mounts it at
//!   /sys/kernel/tracing when it can).
//! - Instructions: a perf_event_open(2) hardware counter, where the machine
//!   has one (many VMs do not: then "n/a").
//!
//! The counters are opened for each measurement on every thread the process
//! has then (tokio's workers, wasmtime's ticker, the main thread: a
//! counter inherited by a live thread is only summed when it exits, so
//! each thread gets its own), with `inherit`, so a child started and waited
//! for during the measurement is counted too (the CPython client: its
//! counts are added to the starting thread's when it exits).

use std::fs::File;
use std::io::Read as _;
use std::os::fd::FromRawFd as _;

/// A reading of the counters.
#[derive(Clone, Copy, Debug, Default)]
pub struct Reading {
    /// User + system CPU seconds.
    pub cpu: f64,
    /// Of which user-space CPU seconds: the part spent outside the kernel,
    /// where the guest, wasmtime and wasock's own code run.
    pub user: f64,
    /// System calls entered, when counted.
    pub syscalls: Option<u64>,
    /// Instructions retired (user and kernel), when counted.
    pub instructions: Option<u64>,
}

/// Which counters this machine has.
pub struct Counters {
    sys_enter: Option<u64>,
    instructions: bool,
}

/// Counters open on every thread, from [`Counters::start`].
pub struct Running {
    events: Vec<(bool, File)>,
    cpu: (f64, f64),
}

/// `struct perf_event_attr` as of PERF_ATTR_SIZE_VER0 (64 bytes): all a
/// counting event needs.
#[repr(C)]
#[derive(Default)]
struct PerfEventAttr {
    kind: u32,
    size: u32,
    config: u64,
    sample_period: u64,
    sample_type: u64,
    read_format: u64,
    /// Bit flags: 1 << 1 is `inherit`; 1 << 6 `exclude_hv`.
    flags: u64,
    wakeup_events: u32,
    bp_type: u32,
    config1: u64,
}

const PERF_TYPE_HARDWARE: u32 = 0;
const PERF_TYPE_TRACEPOINT: u32 = 2;
const PERF_COUNT_HW_INSTRUCTIONS: u64 = 1;
const INHERIT: u64 = 1 << 1;
const EXCLUDE_HV: u64 = 1 << 6;

/// Opens one counting event on thread `tid` (every CPU), inherited by
/// threads and children it creates later.
fn open(kind: u32, config: u64, tid: libc::pid_t) -> Option<File> {
    let attr = PerfEventAttr {
        kind,
        size: std::mem::size_of::<PerfEventAttr>() as u32,
        config,
        flags: INHERIT | EXCLUDE_HV,
        ..Default::default()
    };
    // SAFETY: perf_event_open reads `size` bytes of a valid, initialised
    // attribute struct; the other arguments are plain integers (a thread
    // id; cpu -1: any; no group; no flags).
    let fd = unsafe {
        libc::syscall(
            libc::SYS_perf_event_open,
            &attr as *const PerfEventAttr,
            tid,
            -1 as libc::c_int,
            -1 as libc::c_int,
            0 as libc::c_ulong,
        )
    };
    if fd < 0 {
        return None;
    }
    // SAFETY: the kernel just returned this descriptor to us; nothing else
    // owns it.
    Some(unsafe { File::from_raw_fd(fd as i32) })
}

/// The tracepoint id of `raw_syscalls:sys_enter`.
fn sys_enter_id() -> Option<u64> {
    ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"]
        .iter()
        .find_map(|d| std::fs::read_to_string(format!("{d}/events/raw_syscalls/sys_enter/id")).ok())
        .and_then(|s| s.trim().parse().ok())
}

fn read_count(mut f: &File) -> Option<u64> {
    let mut buf = [0u8; 8];
    f.read_exact(&mut buf).ok()?;
    Some(u64::from_ne_bytes(buf))
}

/// (user + system, user) CPU seconds of this process and its waited-for
/// children (getrusage).
fn cpu_seconds() -> (f64, f64) {
    let secs = |who| {
        // SAFETY: getrusage fills the struct it is given.
        let mut u: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: a valid pointer to a rusage struct.
        if unsafe { libc::getrusage(who, &mut u) } != 0 {
            return (0.0, 0.0);
        }
        let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
        (tv(u.ru_utime) + tv(u.ru_stime), tv(u.ru_utime))
    };
    let (a, b) = (secs(libc::RUSAGE_SELF), secs(libc::RUSAGE_CHILDREN));
    (a.0 + b.0, a.1 + b.1)
}

/// The threads of this process.
fn threads() -> Vec<libc::pid_t> {
    std::fs::read_dir("/proc/self/task")
        .map(|d| {
            d.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

impl Counters {
    /// Finds out which counters this machine has.
    pub fn probe() -> Counters {
        let sys_enter = sys_enter_id().filter(|&id| open(PERF_TYPE_TRACEPOINT, id, 0).is_some());
        let instructions = open(PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS, 0).is_some();
        Counters {
            sys_enter,
            instructions,
        }
    }

    /// Starts counting on every thread of this process.
    pub fn start(&self) -> Running {
        let mut events = Vec::new();
        for tid in threads() {
            if let Some(id) = self.sys_enter {
                if let Some(f) = open(PERF_TYPE_TRACEPOINT, id, tid) {
                    events.push((true, f));
                }
            }
            if self.instructions {
                if let Some(f) = open(PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS, tid) {
                    events.push((false, f));
                }
            }
        }
        Running {
            events,
            cpu: cpu_seconds(),
        }
    }

    /// Which counts are available, for the report.
    pub fn describe(&self) -> String {
        format!(
            "CPU time (getrusage): yes; system calls (raw_syscalls:sys_enter): {}; instructions (perf hardware counter): {}",
            if self.sys_enter.is_some() { "yes" } else { "n/a (tracefs not mounted, or no permission)" },
            if self.instructions { "yes" } else { "n/a (no hardware counter on this machine)" },
        )
    }
}

impl Running {
    /// What was counted since [`Counters::start`].
    pub fn stop(self, counters: &Counters) -> Reading {
        let sum = |syscalls: bool| -> u64 {
            self.events
                .iter()
                .filter(|(s, _)| *s == syscalls)
                .filter_map(|(_, f)| read_count(f))
                .sum()
        };
        let (cpu, user) = cpu_seconds();
        Reading {
            cpu: cpu - self.cpu.0,
            user: user - self.cpu.1,
            syscalls: counters.sys_enter.map(|_| sum(true)),
            instructions: counters.instructions.then(|| sum(false)),
        }
    }
}
