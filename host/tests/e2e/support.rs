//! Shared test support: builds the guest programs once per test run,
//! compiles each component once per process, and runs guests under a
//! policy with captured output.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};
use wasmtime::component::Component;
use wasmtime::{Config, Engine};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasock_host::run::{self, GuestConfig, Output};
use wasock_host::Policy;

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Where the wasm32-wasip2 builds of the guests land.
pub fn guest_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"));
    let target = if target.is_absolute() {
        target
    } else {
        root().join(target)
    };
    target.join("wasm32-wasip2").join("release")
}

const GUESTS: &[&str] = &[
    "behaviour",
    "edges",
    "exit_status",
    "exit_code",
    "accept_forever",
    "bad_input",
    "echo_server",
    "echo_client",
    "echo_server_dualstack",
    "echo_client_dualstack",
    "reuseaddr",
    "std_net_client",
    "escape",
    "std_net_escape",
    "sec_escape",
    "unix",
    "unix_escape",
    "netdb",
    "options",
    "multicast",
    "families",
    "raw_sniffer",
    "can_raw",
    "conformance",
    "reliability",
    "fuzz",
    "soak",
    "recv_direct",
    "std_io",
    "compat",
];

/// Builds the guest programs unless the test command already did
/// (`scripts/test` does, once per run).
fn ensure_built() {
    static BUILT: OnceLock<()> = OnceLock::new();
    BUILT.get_or_init(|| {
        let missing = GUESTS
            .iter()
            .any(|g| !guest_dir().join(format!("{g}.wasm")).exists());
        if missing {
            let status = Command::new(env!("CARGO"))
                .current_dir(root())
                .args([
                    "build",
                    "--release",
                    "--target",
                    "wasm32-wasip2",
                    "-p",
                    "wasock-test-guests",
                    "-p",
                    "wasock-examples",
                ])
                .status()
                .expect("running cargo to build the guests");
            assert!(status.success(), "building the guest programs failed");
        }
    });
}

/// The shared engine (with wasmtime's compilation cache when available).
pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let mut config = Config::new();
        if let Ok(cache) = wasmtime::Cache::from_file(None) {
            config.cache(Some(cache));
        }
        Engine::new(&config).expect("engine")
    })
}

/// A guest program compiled once per process.
pub fn component(name: &str) -> Component {
    static CACHE: OnceLock<Mutex<HashMap<String, Component>>> = OnceLock::new();
    ensure_built();
    let cache = CACHE.get_or_init(Default::default);
    let mut map = cache.lock().unwrap();
    map.entry(name.to_string())
        .or_insert_with(|| {
            let path = guest_dir().join(format!("{name}.wasm"));
            Component::from_file(engine(), &path)
                .unwrap_or_else(|e| panic!("compiling {}: {e:?}", path.display()))
        })
        .clone()
}

/// Everything loopback, both families, any port: bind and connect.
pub fn loopback_policy() -> Policy {
    Policy::deny_all()
        .allow_bind("127.0.0.1:*")
        .unwrap()
        .allow_bind("[::1]:*")
        .unwrap()
        .allow_connect("127.0.0.1:*")
        .unwrap()
        .allow_connect("[::1]:*")
        .unwrap()
}

/// What a guest run produced.
#[derive(Debug)]
pub struct Outcome {
    /// Exit code, or the trap's message.
    pub code: Result<i32, String>,
    /// Captured stdout.
    pub stdout: String,
    /// Captured stderr.
    pub stderr: String,
}

/// A guest's configuration with captured output.
pub fn config(
    name: &str,
    args: &[&str],
    policy: Policy,
) -> (GuestConfig, MemoryOutputPipe, MemoryOutputPipe) {
    let out = MemoryOutputPipe::new(1 << 20);
    let err = MemoryOutputPipe::new(1 << 20);
    let config = GuestConfig {
        args: std::iter::once(name.to_string())
            .chain(args.iter().map(|a| a.to_string()))
            .collect(),
        env: Vec::new(),
        output: Output::Capture(out.clone(), err.clone()),
        policy: Arc::new(policy),
        ..Default::default()
    };
    (config, out, err)
}

fn text(p: &MemoryOutputPipe) -> String {
    String::from_utf8_lossy(&p.contents()).into_owned()
}

/// How long one guest run in a test may take before the test fails.
pub const GUEST_LIMIT: Duration = Duration::from_secs(120);

/// Runs `f` on its own thread and fails the test if it takes longer than
/// `limit` (a guest blocked in a system call cannot be interrupted; the
/// stuck thread ends with the test process).
pub fn bounded<T: Send + 'static>(
    what: &str,
    limit: Duration,
    f: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(limit) {
        Ok(v) => v,
        Err(_) => panic!("{what} did not finish within {limit:?}"),
    }
}

/// Runs `component` under `config` on `engine` on the calling thread:
/// the sync embedding, or the async one on a fresh 2-thread runtime. The
/// exit code, or the trap as text.
pub fn run_config(
    engine: &Engine,
    component: &Component,
    config: &GuestConfig,
    use_async: bool,
) -> Result<i32, String> {
    if use_async {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let linker = run::async_linker(engine).unwrap();
            run::run_async(&linker, component, config)
                .await
                .map_err(|e| format!("{e:?}"))
        })
    } else {
        let linker = run::sync_linker(engine).unwrap();
        run::run_sync(&linker, component, config).map_err(|e| format!("{e:?}"))
    }
}

/// Runs a guest with the sync embedding on a thread of its own, bounded by
/// [`GUEST_LIMIT`].
pub fn run_sync(name: &str, args: &[&str], policy: Policy) -> Outcome {
    let component = component(name);
    let (config, out, err) = config(name, args, policy);
    let code = bounded(name, GUEST_LIMIT, move || {
        run_config(engine(), &component, &config, false)
    });
    Outcome {
        code,
        stdout: text(&out),
        stderr: text(&err),
    }
}

/// Runs a guest with the async embedding on a fresh 2-thread runtime,
/// bounded by [`GUEST_LIMIT`].
pub fn run_async(name: &str, args: &[&str], policy: Policy) -> Outcome {
    let component = component(name);
    let (config, out, err) = config(name, args, policy);
    let code = bounded(name, GUEST_LIMIT, move || {
        run_config(engine(), &component, &config, true)
    });
    Outcome {
        code,
        stdout: text(&out),
        stderr: text(&err),
    }
}

/// A port that was free a moment ago on 127.0.0.1 and ::1.
pub fn free_port() -> u16 {
    for _ in 0..50 {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        drop(l);
        if std::net::TcpListener::bind(("::1", port)).is_ok() {
            return port;
        }
    }
    panic!("no free port");
}

/// Runs `f` until it returns `Some`, at most `tries` times, `pause` apart.
pub fn retry<T>(tries: usize, pause: Duration, mut f: impl FnMut() -> Option<T>) -> Option<T> {
    for _ in 0..tries {
        if let Some(v) = f() {
            return Some(v);
        }
        std::thread::sleep(pause);
    }
    None
}

/// Waits until `pipe` contains `needle` (bounded by `limit`).
pub fn wait_for(pipe: &MemoryOutputPipe, needle: &str, limit: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if text(pipe).contains(needle) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    false
}

/// Reads a pipe as text.
pub fn read(pipe: &MemoryOutputPipe) -> String {
    text(pipe)
}

/// Runs `python3 tests/python/<script> args…` and returns its stdout.
pub fn python(script: &str, args: &[&str]) -> String {
    python_in(&root(), script, args)
}

/// As [`python`], with the working directory `dir`.
pub fn python_in(dir: &Path, script: &str, args: &[&str]) -> String {
    let out = Command::new("python3")
        .current_dir(dir)
        .arg(root().join("tests/python").join(script))
        .args(args)
        .output()
        .expect("python3 is needed for the CPython comparison tests");
    assert!(
        out.status.success(),
        "python3 {script} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs the calling test (`test`, its path in this binary) again in a child
/// process with nothing else running, for checks such as descriptor counts
/// that parallel tests would disturb. Returns `true` in that child, where
/// the test does its work; in the parent it checks the child passed and
/// returns `false`.
pub fn alone(test: &str) -> bool {
    if std::env::var_os("WASOCK_TEST_ALONE").is_some() {
        return true;
    }
    let out = Command::new(std::env::current_exe().unwrap())
        .args([test, "--exact", "--test-threads=1"])
        .env("WASOCK_TEST_ALONE", "1")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{test} failed alone:\n{text}");
    assert!(
        text.contains("1 passed"),
        "{test} did not run alone:\n{text}"
    );
    false
}

/// Serialises tests that count the process's open descriptors or hold
/// many of them, so that they do not disturb each other.
pub static SERIAL: Mutex<()> = Mutex::new(());

/// Runs `test` (its path in this binary) again in a child process inside
/// new namespaces (`unshare_flags`, e.g. `-n` or `-mn`), after `setup`, a
/// shell script that gets `args` as `$1`, `$2`, … (and must not `shift`
/// them away: they are dropped before the test binary runs). Returns `true`
/// in that child; in the parent, checks that the child ran the one test
/// and passed, and returns `false`.
pub fn in_namespace_with(
    test: &str,
    unshare_flags: &str,
    setup: &str,
    args: &[&std::ffi::OsStr],
) -> bool {
    if std::env::var_os("WASOCK_TEST_NETNS").is_some() {
        return true;
    }
    let script = format!("set -e; {setup}; shift {}; exec \"$@\"", args.len());
    let out = Command::new("unshare")
        .args([unshare_flags, "--", "sh", "-c", &script, "sh"])
        .args(args)
        .arg(std::env::current_exe().unwrap())
        .args([test, "--exact", "--test-threads=1", "--include-ignored"])
        .env("WASOCK_TEST_NETNS", "1")
        .output()
        .expect("unshare (util-linux) and ip (iproute2) are needed");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "{test} failed in its namespace:\n{text}"
    );
    assert!(
        text.contains("1 passed"),
        "{test} did not run in its namespace:\n{text}"
    );
    false
}

/// Runs `tests/python/<guest>.py FAMILY` natively and the `guest` program
/// sandboxed (loopback policy) with the same argument, and asserts that
/// every line matches and that both end with `done`.
pub fn compare_with_cpython(guest: &str, family: &str, run: fn(&str, &[&str], Policy) -> Outcome) {
    let expected = python(&format!("{guest}.py"), &[family]);
    let got = run(guest, &[family], loopback_policy());
    assert_eq!(got.code, Ok(0), "guest failed: {}", got.stderr);
    let (e, g): (Vec<_>, Vec<_>) = (expected.lines().collect(), got.stdout.lines().collect());
    for (i, (el, gl)) in e.iter().zip(&g).enumerate() {
        assert_eq!(
            gl,
            el,
            "line {} differs (IPv{family})\nguest:\n{}",
            i + 1,
            got.stdout
        );
    }
    assert_eq!(
        g.len(),
        e.len(),
        "line count differs\nguest:\n{}",
        got.stdout
    );
    assert_eq!(g.last(), Some(&"done"));
}

/// An audit sink the test can read (give it to `Recorder::with_audit`).
#[derive(Clone, Default)]
pub struct Audit(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Audit {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Audit {
    /// What was written so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// A guest run that prints one line per step (`STEP: ok …` or
/// `STEP: <exception>`), with the audit of its policy decisions.
pub struct GuestRun {
    /// Captured stdout.
    pub stdout: String,
    /// Captured stderr.
    pub stderr: String,
    /// The audit's JSON lines.
    pub audit: String,
}

impl GuestRun {
    /// The result line of `step`.
    pub fn line(&self, step: &str) -> &str {
        let prefix = format!("{step}: ");
        self.stdout
            .lines()
            .find(|l| l.starts_with(&prefix))
            .unwrap_or_else(|| panic!("no line for {step}:\n{}\n{}", self.stdout, self.stderr))
    }

    /// Asserts `step` was denied by the policy (PermissionError, or a
    /// std::net guest's PermissionDenied).
    pub fn denied(&self, step: &str) {
        let l = self.line(step);
        assert!(
            l.contains("PermissionError: [Errno 13]") || l.contains("error PermissionDenied"),
            "{step} was not denied: {l}\n{}",
            self.audit
        );
    }

    /// Asserts `step` was denied by the policy, the denial naming `what`.
    pub fn denied_naming(&self, step: &str, what: &str) {
        let l = self.line(step);
        assert!(
            l.contains("PermissionError: [Errno 13]") && l.contains(what),
            "{step} was not denied naming {what:?}: {l}\n{}",
            self.audit
        );
    }

    /// Asserts `step` succeeded.
    pub fn allowed(&self, step: &str) {
        let l = self.line(step);
        assert!(
            l.starts_with(&format!("{step}: ok")),
            "{step} failed: {l}\n{}",
            self.audit
        );
    }
}

/// The descriptors this process has open.
pub fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .map(|d| d.count())
        .unwrap_or(0)
}

/// Asserts this process is back to `before` open descriptors. A helper
/// thread (wasmtime's cache worker updating its files) may hold one for a
/// moment, so the count is read again for up to a second before a
/// difference counts as a leak: a leaked descriptor stays open.
pub fn assert_no_fd_leak(before: usize) {
    let start = Instant::now();
    loop {
        let now = open_fds();
        if now == before {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(1),
            "descriptors leaked: {before} open before, {now} after"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}
