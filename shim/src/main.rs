//! `containerd-shim-wasock-v1`: the containerd runtime `io.containerd.wasock.v1`.
//!
//! containerd starts this binary for each task whose runtime is
//! `io.containerd.wasock.v1`. `containerd-shim-wasm` does the containerd
//! side (task API, OCI spec, the container process, stdio to the container
//! log, the wasm layer of the image); this crate supplies the engine: the
//! component runs through the host library's run path
//! ([`wasock_host::run::run_async`]) with wasock linked beside wasmtime-wasi.
//!
//! The policy travels with the workload: see [`load_policy`]. The
//! container's memory limit (its cgroup's, as the kernel enforces it)
//! caps the guest's memory: see [`cap_memory`].

use std::path::Path;
use std::sync::{Arc, OnceLock};

use anyhow::{Context, Result};
use containerd_shim_wasm::sandbox::context::RuntimeContext;
use containerd_shim_wasm::sandbox::Sandbox;
use containerd_shim_wasm::shim::{Cli, Shim, Version};
use wasock_host::policy::Policy;
use wasock_host::run::{async_linker, run_async, GuestConfig};

/// Where the policy is looked for in the container's root filesystem: a
/// file in an ordinary (non-wasm) layer of the image, or a ConfigMap
/// mounted over `/etc/wasock`.
pub const POLICY_PATH: &str = "/etc/wasock/policy.toml";

/// The container environment variable holding a policy's TOML text. In
/// Kubernetes the pod sets it from its own annotation (the downward API,
/// `metadata.annotations['wasock.dev/policy']`) or from a ConfigMap key
/// (docs/kubernetes.md). It wins over [`POLICY_PATH`], and the guest does
/// not see it.
pub const POLICY_ENV: &str = "WASOCK_POLICY";

/// Exit status of a guest that trapped (as `wasock run`'s).
const EXIT_TRAP: i32 = 134;
/// Exit status when the guest could not be run (as `wasock run`'s).
const EXIT_HOST: i32 = 1;

/// The shim: `containerd-shim-wasock-v1`.
struct WasockShim;

/// The engine containerd-shim-wasm drives: one guest per container, in the
/// container's process. The policy is loaded when the container is created
/// ([`Sandbox::can_handle`]), so a bad one fails the task before it starts.
#[derive(Default)]
struct WasockSandbox {
    policy: OnceLock<Arc<Policy>>,
}

impl Shim for WasockShim {
    type Sandbox = WasockSandbox;

    fn name() -> &'static str {
        "wasock"
    }

    fn version() -> Version {
        containerd_shim_wasm::shim::version!()
    }
}

/// Where a container's policy came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicySource {
    /// The [`POLICY_ENV`] variable.
    Env,
    /// The file at [`POLICY_PATH`] in the container's filesystem.
    File,
    /// Neither: deny all.
    None,
}

/// The policy for a container: the TOML in the [`POLICY_ENV`] variable
/// (`env`) if it is set (the image's file is then not read), else the
/// file at [`POLICY_PATH`] under `root` if present, else deny all. A policy
/// that is present but unreadable or malformed is an error (the container
/// does not start), never a fallback to another policy.
///
/// The variable wins because whoever deploys the workload decides what it
/// may reach on their network; the image's file says what its author
/// expects it to need.
pub fn load_policy(env: Option<&str>, root: &Path) -> Result<(Policy, PolicySource)> {
    if let Some(text) = env {
        let p = Policy::from_toml(text)
            .with_context(|| format!("wasock policy from the variable {POLICY_ENV}"))?;
        return Ok((p, PolicySource::Env));
    }
    let path = root.join(POLICY_PATH.trim_start_matches('/'));
    match std::fs::symlink_metadata(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Ok((Policy::deny_all(), PolicySource::None))
        }
        _ => Ok((Policy::from_toml_file(&path)?, PolicySource::File)),
    }
}

/// The memory limit of this process's cgroup, bytes: the container's
/// limit as the kernel enforces it (`linux.resources.memory.limit` in its
/// spec). Read under `root` (`/`, the container's own view) from the
/// cgroup filesystem mounted at `sys/fs/cgroup` (Kubernetes mounts the
/// container's cgroup there; `ctr run --mount type=cgroup,…` does too):
/// cgroup v2 `memory.max` or v1 `memory/memory.limit_in_bytes`, at the
/// mount's root (a cgroup namespace, or the container's cgroup mounted as
/// the root) or at the path /proc/self/cgroup names. `None` when
/// unlimited or when no such file can be read (no cgroup mounted).
pub fn cgroup_memory_limit(root: &Path) -> Option<usize> {
    let cg = root.join("sys/fs/cgroup");
    let mut candidates = vec![
        cg.join("memory.max"),
        cg.join("memory/memory.limit_in_bytes"),
    ];
    if let Ok(text) = std::fs::read_to_string(root.join("proc/self/cgroup")) {
        for line in text.lines() {
            let mut f = line.splitn(3, ':');
            let (_, controllers, path) = (f.next(), f.next(), f.next());
            let Some(path) = path.map(|p| p.trim_start_matches('/')) else {
                continue;
            };
            match controllers {
                Some("") => candidates.push(cg.join(path).join("memory.max")),
                Some(c) if c.split(',').any(|c| c == "memory") => {
                    candidates.push(cg.join("memory").join(path).join("memory.limit_in_bytes"))
                }
                _ => {}
            }
        }
    }
    candidates.iter().find_map(|p| {
        let v = std::fs::read_to_string(p).ok()?;
        // v1 says "no limit" with a number near i64::MAX, v2 with `max`.
        v.trim()
            .parse::<u64>()
            .ok()
            .filter(|&l| l > 0 && l < 1 << 62)
            .and_then(|l| usize::try_from(l).ok())
    })
}

/// The [`POLICY_ENV`] variable in a container's environment (`NAME=VALUE`
/// strings), if set.
pub fn policy_env(envs: &[String]) -> Option<&str> {
    envs.iter()
        .filter_map(|e| e.split_once('='))
        .find(|(k, _)| *k == POLICY_ENV)
        .map(|(_, v)| v)
}

/// Room kept under the container's memory limit, past what the process
/// holds when the guest starts, for the host side of its calls (receive
/// buffers, the async stack, the audit).
pub const MEMORY_HEADROOM: usize = 16 << 20;

/// Lowers the policy's memory limit (the store's limit on the guest's
/// linear memory) to what the container's limit `limit` leaves the guest
/// once the process holds `used` bytes (the runtime and the compiled
/// component) and [`MEMORY_HEADROOM`]: a guest that grows past it fails its
/// allocation, instead of the whole container being killed by the kernel.
/// An error when that leaves nothing.
pub fn cap_memory(policy: &mut Policy, limit: usize, used: usize) -> Result<usize> {
    let room = limit
        .checked_sub(used.saturating_add(MEMORY_HEADROOM))
        .filter(|&r| r > 0)
        .with_context(|| {
            format!(
                "the container's memory limit ({} MiB) leaves the guest no room: the runtime and the compiled component hold {} MiB, and {} MiB is kept for the host side of its calls",
                limit >> 20,
                used >> 20,
                MEMORY_HEADROOM >> 20
            )
        })?;
    let m = policy.limits.max_memory.map_or(room, |p| p.min(room));
    policy.limits.max_memory = Some(m);
    Ok(m)
}

/// The bytes this process holds in memory (its resident set).
fn resident_bytes() -> Result<usize> {
    let statm = std::fs::read_to_string("/proc/self/statm")?;
    let pages: usize = statm
        .split_whitespace()
        .nth(1)
        .context("/proc/self/statm")?
        .parse()?;
    // SAFETY: sysconf has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    Ok(pages * usize::try_from(page).unwrap_or(4096))
}

impl WasockSandbox {
    /// Loads the container's policy once; an error is also printed to the
    /// container's stderr (containerd-shim-wasm logs it only to the shim's
    /// own log), so `ctr`/`kubectl logs` show it.
    fn policy(&self, ctx: &impl RuntimeContext) -> Result<Arc<Policy>> {
        if let Some(p) = self.policy.get() {
            return Ok(p.clone());
        }
        match load_policy(policy_env(ctx.envs()), Path::new("/")) {
            Ok((p, source)) => {
                match source {
                    PolicySource::Env => eprintln!("wasock: policy from the variable {POLICY_ENV}"),
                    PolicySource::File => eprintln!("wasock: policy from {POLICY_PATH}"),
                    PolicySource::None => eprintln!(
                        "wasock: no policy (no variable {POLICY_ENV}, no {POLICY_PATH}): deny all"
                    ),
                }
                Ok(self.policy.get_or_init(|| Arc::new(p)).clone())
            }
            Err(e) => {
                eprintln!("wasock: the container does not start: {e:#}");
                Err(e)
            }
        }
    }
}

impl Sandbox for WasockSandbox {
    async fn can_handle(&self, ctx: &impl RuntimeContext) -> Result<()> {
        self.policy(ctx).map(|_| ())
    }

    async fn run_wasi(&self, ctx: &impl RuntimeContext) -> Result<i32> {
        let policy = self.policy(ctx)?;
        let r = run(ctx, policy).await;
        if let Err(e) = &r {
            eprintln!("wasock: {e:?}");
        }
        Ok(match r {
            Ok(code) => code,
            Err(e) if e.downcast_ref::<wasmtime::Trap>().is_some() => EXIT_TRAP,
            Err(_) => EXIT_HOST,
        })
    }
}

/// Ends the container's process with status 143 (as a shell's) when it is
/// sent SIGTERM (`ctr task kill`, pod deletion): the guest is this process,
/// so it stops at once whether it waits in a socket call or computes, and
/// nothing of it outlives the task. The container's first process would
/// otherwise ignore SIGTERM. Returns once the handler is in place.
fn end_on_sigterm() -> Result<()> {
    let (ready, installed) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("wasock-sigterm".into())
        .spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            let rt = match rt {
                Ok(rt) => rt,
                Err(e) => return drop(ready.send(Err(anyhow::Error::from(e)))),
            };
            rt.block_on(async {
                use tokio::signal::unix::{signal, SignalKind};
                match signal(SignalKind::terminate()) {
                    Ok(mut term) => {
                        let _ = ready.send(Ok(()));
                        term.recv().await;
                        std::process::exit(143);
                    }
                    Err(e) => drop(ready.send(Err(e.into()))),
                }
            })
        })?;
    installed
        .recv()
        .context("the SIGTERM handler thread ended")?
}

/// Runs the container's component under `policy`; the guest's exit code.
async fn run(ctx: &impl RuntimeContext, policy: Arc<Policy>) -> wasmtime::Result<i32> {
    end_on_sigterm().map_err(wasmtime::Error::msg)?;
    let entry = ctx.entrypoint();
    let bytes = entry.source.as_bytes().map_err(wasmtime::Error::msg)?;
    let audit = wasock_host::Recorder::new().with_audit(std::io::stderr());
    let env = ctx
        .envs()
        .iter()
        .filter_map(|e| e.split_once('='))
        .filter(|(k, _)| *k != POLICY_ENV)
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let mut args: Vec<String> = ctx.args().to_vec();
    if args.is_empty() {
        args.push(entry.name.clone().unwrap_or_else(|| "guest".into()));
    }
    let mut c = wasmtime::Config::new();
    c.epoch_interruption(true);
    let engine = wasmtime::Engine::new(&c)?;
    let component = wasmtime::component::Component::new(&engine, &bytes)?;
    let linker = async_linker(&engine)?;
    let mut policy = Arc::unwrap_or_clone(policy);
    if let Some(limit) = cgroup_memory_limit(Path::new("/")) {
        let used = resident_bytes().map_err(wasmtime::Error::msg)?;
        let m = cap_memory(&mut policy, limit, used).map_err(wasmtime::Error::msg)?;
        eprintln!(
            "wasock: memory: the container's limit is {} MiB, the runtime holds {} MiB: the guest may grow to {} MiB",
            limit >> 20,
            used >> 20,
            m >> 20
        );
    }
    let config = GuestConfig {
        args,
        env,
        policy: Arc::new(policy),
        recorder: Some(Arc::new(audit)),
        ..Default::default()
    };
    run_async(&linker, &component, &config).await
}

fn main() {
    WasockShim::run(None);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root_with(policy: Option<&str>) -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        if let Some(text) = policy {
            std::fs::create_dir_all(d.path().join("etc/wasock")).unwrap();
            std::fs::write(d.path().join("etc/wasock/policy.toml"), text).unwrap();
        }
        d
    }

    const BIND_A: &str = "[network]\nallow-bind = [\"tcp://127.0.0.1:7001\"]\n";
    const BIND_B: &str = "[network]\nallow-bind = [\"tcp://127.0.0.1:7002\"]\n";
    const MALFORMED: &str = "[network]\nallow-bind = \"not a list\n";

    #[test]
    fn no_policy_anywhere_is_deny_all() {
        let root = root_with(None);
        let (p, src) = load_policy(None, root.path()).unwrap();
        assert_eq!(src, PolicySource::None);
        assert_eq!(p.to_toml(), Policy::deny_all().to_toml());
    }

    #[test]
    fn the_image_file_is_read() {
        let root = root_with(Some(BIND_A));
        let (p, src) = load_policy(None, root.path()).unwrap();
        assert_eq!(src, PolicySource::File);
        assert_eq!(p.to_toml(), Policy::from_toml(BIND_A).unwrap().to_toml());
    }

    #[test]
    fn the_variable_wins_over_the_image_file() {
        let root = root_with(Some(BIND_A));
        let envs = vec!["A=1".to_string(), format!("{POLICY_ENV}={BIND_B}")];
        let (p, src) = load_policy(policy_env(&envs), root.path()).unwrap();
        assert_eq!(src, PolicySource::Env);
        assert_eq!(p.to_toml(), Policy::from_toml(BIND_B).unwrap().to_toml());
        // Even over a malformed file, which is then not read.
        let root = root_with(Some(MALFORMED));
        let (_, src) = load_policy(Some(BIND_B), root.path()).unwrap();
        assert_eq!(src, PolicySource::Env);
        assert_eq!(policy_env(&["B=2".to_string()]), None);
    }

    #[test]
    fn a_malformed_policy_is_an_error_never_a_fallback() {
        let root = root_with(Some(BIND_A));
        let e = load_policy(Some(MALFORMED), root.path()).unwrap_err();
        assert!(format!("{e:#}").contains(POLICY_ENV), "{e:#}");
        assert!(format!("{e:#}").contains("TOML parse error"), "{e:#}");
        let root = root_with(Some(MALFORMED));
        let e = load_policy(None, root.path()).unwrap_err();
        assert!(format!("{e:#}").contains("policy.toml"), "{e:#}");
        assert!(format!("{e:#}").contains("TOML parse error"), "{e:#}");
    }

    #[test]
    fn an_unreadable_policy_is_an_error() {
        // A directory where the file should be.
        let root = root_with(None);
        std::fs::create_dir_all(root.path().join("etc/wasock/policy.toml")).unwrap();
        assert!(load_policy(None, root.path()).is_err());
    }

    #[test]
    fn the_cgroup_memory_limit_is_read() {
        let root = tempfile::tempdir().unwrap();
        assert_eq!(cgroup_memory_limit(root.path()), None);
        let cg = root.path().join("sys/fs/cgroup");
        std::fs::create_dir_all(cg.join("kubepods/pod1")).unwrap();
        std::fs::write(cg.join("memory.max"), "max\n").unwrap();
        assert_eq!(cgroup_memory_limit(root.path()), None);
        // Without a cgroup namespace: the path in /proc/self/cgroup.
        std::fs::create_dir_all(root.path().join("proc/self")).unwrap();
        std::fs::write(root.path().join("proc/self/cgroup"), "0::/kubepods/pod1\n").unwrap();
        std::fs::write(cg.join("kubepods/pod1/memory.max"), "67108864\n").unwrap();
        assert_eq!(cgroup_memory_limit(root.path()), Some(64 << 20));
        // A namespaced view: its root's own file.
        std::fs::write(cg.join("memory.max"), "33554432\n").unwrap();
        assert_eq!(cgroup_memory_limit(root.path()), Some(32 << 20));
        // cgroup v1: the memory controller's limit_in_bytes; "unlimited"
        // is a number near i64::MAX.
        let root = tempfile::tempdir().unwrap();
        let v1 = root.path().join("sys/fs/cgroup/memory");
        std::fs::create_dir_all(v1.join("ns/task")).unwrap();
        std::fs::create_dir_all(root.path().join("proc/self")).unwrap();
        std::fs::write(
            root.path().join("proc/self/cgroup"),
            "5:devices:/ns/task\n4:memory:/ns/task\n0::/\n",
        )
        .unwrap();
        std::fs::write(v1.join("memory.limit_in_bytes"), "9223372036854771712\n").unwrap();
        assert_eq!(cgroup_memory_limit(root.path()), None);
        std::fs::write(v1.join("ns/task/memory.limit_in_bytes"), "134217728\n").unwrap();
        assert_eq!(cgroup_memory_limit(root.path()), Some(128 << 20));
    }

    #[test]
    fn the_memory_limit_lowers_the_policys() {
        let room = (64 << 20) - (20 << 20) - MEMORY_HEADROOM;
        let mut p = Policy::deny_all();
        assert_eq!(cap_memory(&mut p, 64 << 20, 20 << 20).unwrap(), room);
        assert_eq!(p.limits.max_memory, Some(room));
        // A lower limit in the policy stays.
        let mut p = Policy::from_toml("[limits]\nmax-memory = 1048576\n").unwrap();
        assert_eq!(cap_memory(&mut p, 64 << 20, 20 << 20).unwrap(), 1 << 20);
        // A higher one is lowered.
        let mut p = Policy::from_toml("[limits]\nmax-memory = 1073741824\n").unwrap();
        assert_eq!(cap_memory(&mut p, 64 << 20, 20 << 20).unwrap(), room);
        // No room: an error saying so.
        let e = cap_memory(&mut Policy::deny_all(), 32 << 20, 20 << 20).unwrap_err();
        assert!(e.to_string().contains("leaves the guest no room"), "{e}");
    }
}
