//! The run path of the `wasock` CLI, apart from the policy flags: logging,
//! loading a component (with hints when the file is not one), the guest's
//! environment, exit statuses, and `wasock compile`.
//!
//! Exit statuses (as `wasmtime run`):
//!
//! | status | meaning |
//! |---|---|
//! | the guest's | the guest returned or called `exit`: 0 on success; wasi:cli 0.2 carries only success or failure, so a Rust guest's `exit(3)` is 1 (Rust's std reports it through `exit`); a guest that calls `wasi:cli/exit.exit-with-code` (wasi:cli 0.2.12) exits with its code |
//! | 134 | the guest trapped (a WebAssembly trap: `unreachable`, which includes a Rust panic, an out-of-bounds access…): 128 + SIGABRT, as wasmtime |
//! | 1 | the host could not run the guest (unreadable file, not a component, missing imports, a host error that ended the guest) |
//! | 2 | bad command line (clap's usage error) |

use anyhow::{bail, Context as _};
use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use wasmtime::component::Component;
use wasmtime::{Config, Engine};

/// The status of a guest that trapped: 128 + SIGABRT, as `wasmtime run`.
pub const EXIT_TRAP: u8 = 128 + 6;
/// The status when the host could not run the guest.
pub const EXIT_HOST: u8 = 1;
/// The status of a bad command line (as clap's usage errors).
pub const EXIT_USAGE: u8 = 2;

/// Logs to stderr, filtered by `WASOCK_LOG` (default `warn`: policy
/// denials). A bare level (`WASOCK_LOG=info`) applies to wasock only, so
/// policy decisions show without wasmtime's and cranelift's own logs; any
/// other value is a full `tracing` filter (`WASOCK_LOG=debug,cranelift=off`).
/// Colours only when stderr is a terminal.
pub fn init_logging() {
    let filter = filter_directives(std::env::var("WASOCK_LOG").ok().as_deref());
    let filter = tracing_subscriber::EnvFilter::try_new(&filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}

/// The `tracing` filter for a `WASOCK_LOG` value.
fn filter_directives(value: Option<&str>) -> String {
    const LEVELS: [&str; 6] = ["off", "error", "warn", "info", "debug", "trace"];
    match value.map(str::trim) {
        None | Some("") => "warn".into(),
        Some(level) if LEVELS.contains(&level.to_ascii_lowercase().as_str()) => {
            format!("warn,wasock={level},wasock_host={level}")
        }
        Some(full) => full.into(),
    }
}

/// The guest's environment from `--env` values: `NAME=VALUE` sets it,
/// a bare `NAME` passes on the host's value (nothing when the host has
/// none), as `wasmtime run --env` does.
pub fn guest_env(specs: &[String]) -> anyhow::Result<Vec<(String, String)>> {
    let mut env = Vec::new();
    for spec in specs {
        let (name, value) = match spec.split_once('=') {
            Some((k, v)) => (k, Some(v.to_string())),
            None => (spec.as_str(), std::env::var(spec).ok()),
        };
        if name.is_empty() {
            bail!("--env wants NAME=VALUE or NAME, got {spec:?}");
        }
        if let Some(value) = value {
            env.push((name.to_string(), value));
        }
    }
    Ok(env)
}

/// The engine the CLI runs guests with: wasmtime's defaults and its
/// compilation cache (`~/.cache/wasmtime`, configured by wasmtime's cache
/// config file), so that a guest is compiled once and starts in
/// milliseconds afterwards.
pub fn engine(epoch_interruption: bool) -> anyhow::Result<(Engine, Option<wasmtime::Cache>)> {
    let mut config = Config::new();
    // A policy's wall-time limit stops guest code through epoch interruption.
    config.epoch_interruption(epoch_interruption);
    let mut cache = None;
    match wasmtime::Cache::from_file(None) {
        Ok(c) => {
            cache = Some(c.clone());
            config.cache(Some(c));
        }
        Err(e) => tracing::info!("no compilation cache: {e:#}"),
    }
    Ok((wasmtime_err(Engine::new(&config))?, cache))
}

/// Loads (compiling, or from the cache) a guest component, explaining what
/// to do when the file is something else.
pub fn load(engine: &Engine, path: &Path) -> anyhow::Result<Component> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    if let Some(hint) = not_a_component(&bytes) {
        bail!("{}: {hint}", path.display());
    }
    wasmtime_err(Component::new(engine, &bytes))
        .with_context(|| format!("loading {}", path.display()))
}

/// Why these bytes are not a component binary, with what to do about it.
fn not_a_component(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        // The layer field (bytes 6-7) is 0 for a core module, 1 for a
        // component.
        [0, b'a', b's', b'm', _, _, 1, 0, ..] => None,
        [0, b'a', b's', b'm', _, _, 0, 0, ..] => Some(
            "this is a core WebAssembly module, not a component. wasock runs \
             wasm32-wasip2 components: build the guest with \
             `cargo build --target wasm32-wasip2` (after \
             `rustup target add wasm32-wasip2`)",
        ),
        [b'(', ..] | [b';', b';', ..] => Some(
            "this looks like WebAssembly text (WAT); wasock runs binary \
             components built for wasm32-wasip2",
        ),
        _ => Some("not a WebAssembly binary (no \\0asm header)"),
    }
}

/// `wasock compile`: compiles each component into the cache, so that its
/// first `wasock run` starts at once (for example in an image build).
#[derive(clap::Parser)]
pub struct CompileArgs {
    /// The guest components to compile.
    #[arg(required = true)]
    components: Vec<PathBuf>,
}

/// Runs `wasock compile`.
pub fn compile(args: &CompileArgs) -> anyhow::Result<()> {
    let (engine, cache) = engine(false)?;
    let Some(cache) = cache else {
        bail!("wasmtime's compilation cache is not available, so there is nowhere to keep compiled code (see WASOCK_LOG=info)");
    };
    for path in &args.components {
        let hits = cache.cache_hits();
        load(&engine, path)?;
        let done = if cache.cache_hits() > hits {
            "already compiled in"
        } else {
            "compiled into"
        };
        println!("{}: {done} {}", path.display(), cache.directory().display());
    }
    Ok(())
}

/// wasmtime's error type as anyhow's, keeping the whole message.
pub fn wasmtime_err<T>(r: wasmtime::Result<T>) -> anyhow::Result<T> {
    r.map_err(|e| anyhow::anyhow!("{e:?}"))
}

/// A command-line mistake (an invalid policy target or file, a bad
/// `--env`): exits with [`EXIT_USAGE`].
#[derive(Debug)]
pub struct Usage(anyhow::Error);

impl std::fmt::Display for Usage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:#}", self.0)
    }
}

impl std::error::Error for Usage {}

/// Marks an error as the command line's ([`Usage`]).
pub fn usage(e: anyhow::Error) -> anyhow::Error {
    anyhow::Error::new(Usage(e))
}

/// The exit status of a failure before the guest ran: [`EXIT_USAGE`] for
/// the command line's mistakes, else [`EXIT_HOST`].
pub fn failure_status(e: &anyhow::Error) -> u8 {
    if e.is::<Usage>() {
        EXIT_USAGE
    } else {
        EXIT_HOST
    }
}

/// How a `wasock run` ended, as an exit status (see the module docs).
pub fn status(outcome: wasmtime::Result<i32>) -> u8 {
    match outcome {
        // The low byte, as the OS keeps it from exit(2).
        Ok(code) => code.to_le_bytes()[0],
        Err(e) => {
            let trapped = e.downcast_ref::<wasmtime::Trap>().is_some();
            eprintln!("Error: {e:?}");
            if trapped {
                EXIT_TRAP
            } else {
                EXIT_HOST
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_levels_leave_wasmtime_quiet() {
        assert_eq!(filter_directives(None), "warn");
        assert_eq!(
            filter_directives(Some("info")),
            "warn,wasock=info,wasock_host=info"
        );
        assert_eq!(
            filter_directives(Some("debug,cranelift=off")),
            "debug,cranelift=off"
        );
    }

    #[test]
    fn env_inherits_bare_names() {
        std::env::set_var("WASOCK_TEST_INHERITED", "from host");
        let env = guest_env(&[
            "A=1".into(),
            "WASOCK_TEST_INHERITED".into(),
            "WASOCK_TEST_SURELY_UNSET".into(),
            "B=x=y".into(),
        ])
        .unwrap();
        assert_eq!(
            env,
            [
                ("A".to_string(), "1".to_string()),
                ("WASOCK_TEST_INHERITED".into(), "from host".into()),
                ("B".into(), "x=y".into()),
            ]
        );
        assert!(guest_env(&["=1".into()]).is_err());
    }

    #[test]
    fn core_modules_get_a_hint() {
        let core = [0, b'a', b's', b'm', 1, 0, 0, 0];
        assert!(not_a_component(&core).unwrap().contains("wasm32-wasip2"));
        let component = [0, b'a', b's', b'm', 0x0d, 0, 1, 0];
        assert!(not_a_component(&component).is_none());
        assert!(not_a_component(b"(module)").unwrap().contains("WAT"));
        assert!(not_a_component(b"").is_some());
    }
}
