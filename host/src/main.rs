//! `wasock`: run a guest component with wasi:cli and wasock sockets under
//! a policy.
//!
//! ```text
//! wasock run [POLICY FLAGS] [--async] [--env NAME[=VALUE]]... app.wasm [ARGS]...
//! wasock run [POLICY FLAGS] [--python-path DIR]... app.py [ARGS]...
//! wasock py build [--python-path DIR]... app.py -o app.wasm
//! wasock policy check FILE
//! wasock compile app.wasm...
//!
//! POLICY FLAGS: --policy FILE, --allow-/--deny- bind, listen, accept,
//!   connect, send-to, recv-from, join TARGET[,TARGET…], resolve PATTERN,
//!   --allow-udp-reply, --allow-wasi-sockets, --allow-raw, --allow-family,
//!   --allow-option, --unix-dir, --allow-abstract, --allow-fd-passing,
//!   --max-sockets, --max-recv, --max-backlog, --connections-per-second,
//!   --wall-time-ms, --max-memory, --audit-only, --audit FILE, --learn FILE,
//!   --print-policy (see `wasock run --help`).
//! ```
//!
//! Exit statuses: see `cli::run`.

mod cli;

use cli::{policy_flags, python, run as cli_run};

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use wasock_host::run::{self, GuestConfig};
use wasock_host::InterfaceView;

#[derive(Parser)]
#[command(
    name = "wasock",
    version,
    about = "Run WebAssembly guests with BSD sockets under a capability policy"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a guest command component (wasm32-wasip2). Exits with the
    /// guest's status, 134 when it traps, 1 when it cannot be run.
    Run(Box<RunArgs>),
    /// Work with policy files.
    Policy(PolicyArgs),
    /// Compile components into wasmtime's cache ahead of their first run.
    Compile(cli_run::CompileArgs),
    /// Python programs as guests: `wasock py build app.py -o app.wasm`.
    Py(python::PyArgs),
}

#[derive(Parser)]
struct RunArgs {
    /// The policy (flags and/or a TOML file), audit and learn mode.
    #[command(flatten)]
    policy: policy_flags::PolicyFlags,
    /// The name gethostname() gives the guest (default `localhost`; `-` for
    /// the host's own).
    #[arg(long, value_name = "NAME")]
    hostname: Option<String>,
    /// Network interfaces the guest may see (if_nameindex, `%eth0`
    /// scopes): `all`, or names separated by commas (default none).
    #[arg(long, value_name = "all|NAME,...")]
    show_interfaces: Option<String>,
    /// Use the async embedding (tokio) instead of the sync one.
    #[arg(long = "async")]
    use_async: bool,
    /// With --async: how long (µs, at most 1000) a waiting receive or
    /// connect retries before parking on the reactor; trades CPU for
    /// latency (default 0: off).
    #[arg(long, value_name = "US")]
    async_spin_us: Option<u64>,
    /// Set an environment variable for the guest (NAME=VALUE), or pass on
    /// the host's value of NAME.
    #[arg(long, value_name = "NAME[=VALUE]")]
    env: Vec<String>,
    /// Python programs (`wasock run app.py`).
    #[command(flatten)]
    python: python::PythonFlags,
    /// The guest component, or a Python program (`.py`: packaged with
    /// componentize-py on its first run, then started from a cache), and
    /// the guest's arguments: everything after the component path is the
    /// guest's argv, whatever it looks like (as `wasmtime run`), so a
    /// wrapper's trailing arguments can never change the policy.
    #[arg(
        value_name = "COMPONENT [ARGS]...",
        required = true,
        num_args = 1..,
        trailing_var_arg = true,
        allow_hyphen_values = false
    )]
    command: Vec<std::ffi::OsString>,
}

impl RunArgs {
    /// The component path.
    fn component(&self) -> PathBuf {
        PathBuf::from(&self.command[0])
    }

    /// The guest's arguments after the component path.
    fn guest_args(&self) -> anyhow::Result<Vec<String>> {
        self.command[1..]
            .iter()
            .map(|a| {
                a.clone()
                    .into_string()
                    .map_err(|a| anyhow::anyhow!("a guest argument is not UTF-8: {a:?}"))
            })
            .collect()
    }
}

#[derive(clap::Args)]
struct PolicyArgs {
    #[command(subcommand)]
    command: PolicyCommand,
}

#[derive(Subcommand)]
enum PolicyCommand {
    /// Parse and normalise a policy file; print its effective rules.
    Check {
        /// The TOML policy file.
        file: PathBuf,
    },
}

fn main() -> ExitCode {
    cli_run::init_logging();
    match real_main() {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("wasock: error: {e:#}");
            ExitCode::from(cli_run::failure_status(&e))
        }
    }
}

/// Whether the command line separated the guest's arguments with an
/// explicit `--` (right before or right after the component path): then
/// arguments that look like wasock flags are the user's intent, not a
/// mistake, and are not warned about.
fn explicit_separator(component: &std::ffi::OsStr) -> bool {
    let raw: Vec<std::ffi::OsString> = std::env::args_os().collect();
    raw.iter().enumerate().any(|(i, a)| {
        a == component
            && (raw.get(i + 1).is_some_and(|n| n == "--") || (i > 0 && raw[i - 1] == "--"))
    })
}

/// Runs the command; `Ok` is the exit status (the guest's, or
/// [`cli_run::EXIT_TRAP`]), `Err` a failure before the guest ran.
fn real_main() -> anyhow::Result<u8> {
    let a = match Cli::parse().command {
        Command::Run(a) => *a,
        Command::Policy(PolicyArgs {
            command: PolicyCommand::Check { file },
        }) => {
            print!("{}", policy_flags::check(&file).map_err(cli_run::usage)?);
            return Ok(0);
        }
        Command::Compile(c) => {
            cli_run::compile(&c)?;
            return Ok(0);
        }
        Command::Py(p) => {
            python::py(&p)?;
            return Ok(0);
        }
    };
    // The command line asked for something invalid: a usage error.
    let policy = a.policy.policy().map_err(cli_run::usage)?;
    if a.policy.print_policy {
        print!("{}", policy.to_toml());
        return Ok(0);
    }
    let args = a.guest_args().map_err(cli_run::usage)?;
    let component_path = a.component();
    if !explicit_separator(&a.command[0]) {
        policy_flags::warn_guest_flags(&args);
    }
    let recorder = a.policy.recorder()?;
    let policy = Arc::new(policy);
    let env = cli_run::guest_env(&a.env).map_err(cli_run::usage)?;
    let (engine, _) = cli_run::engine(policy.limits.wall_time.is_some())?;
    let component = if python::is_python(&component_path) {
        python::component(&engine, &component_path, &a.python)?
    } else {
        cli_run::load(&engine, &component_path)?
    };
    let name = component_path.display().to_string();
    let guest = GuestConfig {
        args: std::iter::once(name).chain(args).collect(),
        env,
        output: run::Output::Inherit,
        policy,
        recorder: recorder.clone(),
        hostname: a.hostname.clone(),
        interfaces: match a.show_interfaces.as_deref() {
            None => InterfaceView::Hidden,
            Some("all") => InterfaceView::Host,
            Some(list) => InterfaceView::Only(list.split(',').map(str::to_string).collect()),
        },
    };
    if let Some(us) = a.async_spin_us {
        wasock_host::set_async_spin(std::time::Duration::from_micros(us));
    }
    let outcome = if a.use_async {
        // One guest: a current-thread runtime runs it on the thread that
        // polls the reactor, so a readiness event resumes it there. Under
        // `block_on` of a multi-thread runtime it would run on this thread
        // while a worker polls, and every wake would cross threads (a
        // futex wake and sleep per wait; measured in docs/benchmarks.md).
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        rt.block_on(async {
            let linker = run::async_linker(&engine)?;
            run::run_async(&linker, &component, &guest).await
        })
    } else {
        run::sync_linker(&engine).and_then(|linker| run::run_sync(&linker, &component, &guest))
    };
    a.policy.finish(recorder.as_deref())?;
    Ok(cli_run::status(outcome))
}
