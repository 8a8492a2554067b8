//! `wasock`: run a guest component with wasi:cli and wasock sockets under
//! a policy.
//!
//! ```text
//! wasock run [POLICY FLAGS] [--async] [--env K=V]... app.wasm [ARGS]...
//! wasock policy check FILE
//!
//! POLICY FLAGS: --policy FILE, --allow-/--deny- bind, listen, accept,
//!   connect, send-to, recv-from, join TARGET[,TARGET…], resolve PATTERN,
//!   --allow-udp-reply, --allow-wasi-sockets, --allow-raw, --allow-family,
//!   --allow-option, --max-sockets, --max-recv, --max-backlog,
//!   --connections-per-second, --wall-time-ms, --max-memory, --audit-only,
//!   --audit FILE, --learn FILE, --print-policy (see `wasock run --help`).
//! ```

use anyhow::{bail, Context as _};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::sync::Arc;
use wasmtime::component::Component;
use wasmtime::{Config, Engine};
use wasock_host::run::{self, GuestConfig};
use wasock_host::InterfaceView;

#[path = "cli/policy_flags.rs"]
mod policy_flags;

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
    /// Run a guest command component (wasm32-wasip2).
    Run(Box<RunArgs>),
    /// Work with policy files.
    Policy(PolicyArgs),
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
    /// Environment variables for the guest.
    #[arg(long, value_name = "KEY=VALUE")]
    env: Vec<String>,
    /// The guest component.
    component: PathBuf,
    /// Arguments for the guest.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    args: Vec<String>,
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

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("WASOCK_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    match real_main() {
        Ok(code) => std::process::ExitCode::from(u8::try_from(code).unwrap_or(1)),
        Err(e) => {
            eprintln!("wasock: {e:#}");
            std::process::ExitCode::from(2)
        }
    }
}

fn real_main() -> anyhow::Result<i32> {
    let a = match Cli::parse().command {
        Command::Run(a) => *a,
        Command::Policy(PolicyArgs {
            command: PolicyCommand::Check { file },
        }) => {
            print!("{}", policy_flags::check(&file)?);
            return Ok(0);
        }
    };
    let policy = a.policy.policy()?;
    if a.policy.print_policy {
        print!("{}", policy.to_toml());
        return Ok(0);
    }
    policy_flags::warn_guest_flags(&a.args);
    let recorder = a.policy.recorder()?;
    let policy = Arc::new(policy);
    let mut env = Vec::new();
    for kv in &a.env {
        let Some((k, v)) = kv.split_once('=') else {
            bail!("--env wants KEY=VALUE, got {kv:?}");
        };
        env.push((k.to_string(), v.to_string()));
    }
    let mut config = Config::new();
    // The wall-time limit stops guest code through epoch interruption.
    config.epoch_interruption(policy.limits.wall_time.is_some());
    if let Ok(cache) = wasmtime::Cache::from_file(None) {
        config.cache(Some(cache));
    }
    let engine = w(Engine::new(&config))?;
    let component = w(Component::from_file(&engine, &a.component))
        .with_context(|| format!("loading {}", a.component.display()))?;
    let name = a.component.display().to_string();
    let guest = GuestConfig {
        args: std::iter::once(name)
            .chain(a.args.iter().cloned())
            .collect(),
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
    let code = if a.use_async {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        w(rt.block_on(async {
            let linker = run::async_linker(&engine)?;
            run::run_async(&linker, &component, &guest).await
        }))
    } else {
        let linker = w(run::sync_linker(&engine))?;
        w(run::run_sync(&linker, &component, &guest))
    };
    a.policy.finish(recorder.as_deref())?;
    code
}

/// wasmtime's error type as anyhow's (keeping the trap's whole message).
fn w<T>(r: wasmtime::Result<T>) -> anyhow::Result<T> {
    r.map_err(|e| anyhow::anyhow!("{e:?}"))
}
