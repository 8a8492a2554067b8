//! `wasock`: run a guest component with wasi:cli and wasock sockets under
//! a policy.
//!
//! ```text
//! wasock run [--policy FILE] [--allow-bind T]... [--allow-connect T]... \
//!            [--deny-bind T]... [--deny-connect T]... [--allow-wasi-sockets] \
//!            [--max-sockets N] [--async] [--env NAME[=VALUE]]... app.wasm [ARGS]...
//! wasock compile app.wasm...
//! ```
//!
//! Exit statuses: see `cli_run`.

mod cli_run;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use wasock_host::run::{self, GuestConfig};
use wasock_host::{Policy, Use};

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
    Run(RunArgs),
    /// Compile components into wasmtime's cache ahead of their first run.
    Compile(cli_run::CompileArgs),
}

#[derive(Parser)]
struct RunArgs {
    /// A TOML policy file; flags add to it.
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
    /// Allow bind/listen on a target: [tcp://|udp://]ADDR[/PREFIX]:PORTS, e.g. 127.0.0.1:50007.
    #[arg(long, value_name = "TARGET")]
    allow_bind: Vec<String>,
    /// Allow connect/sendto to a target, e.g. tcp://127.0.0.1:50007 or [::1]:5000-5100.
    #[arg(long, value_name = "TARGET")]
    allow_connect: Vec<String>,
    /// Deny bind to a target, whatever allows it.
    #[arg(long, value_name = "TARGET")]
    deny_bind: Vec<String>,
    /// Deny connect/sendto to a target, whatever allows it.
    #[arg(long, value_name = "TARGET")]
    deny_connect: Vec<String>,
    /// Let wasi:sockets (Rust std::net in the guest) use the network under the same rules.
    #[arg(long)]
    allow_wasi_sockets: bool,
    /// Most sockets the guest may hold open at once.
    #[arg(long, value_name = "N")]
    max_sockets: Option<usize>,
    /// Use the async embedding (tokio) instead of the sync one.
    #[arg(long = "async")]
    use_async: bool,
    /// Set an environment variable for the guest (NAME=VALUE), or pass on
    /// the host's value of NAME.
    #[arg(long, value_name = "NAME[=VALUE]")]
    env: Vec<String>,
    /// The guest component.
    component: PathBuf,
    /// Arguments for the guest.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    args: Vec<String>,
}

fn policy(a: &RunArgs) -> anyhow::Result<Policy> {
    let mut p = match &a.policy {
        Some(f) => Policy::from_toml_file(f)?,
        None => Policy::deny_all(),
    };
    let lists = [
        (true, Use::Bind, &a.allow_bind),
        (true, Use::Connect, &a.allow_connect),
        (false, Use::Bind, &a.deny_bind),
        (false, Use::Connect, &a.deny_connect),
    ];
    for (allow, use_, targets) in lists {
        for t in targets {
            let target = t.parse()?;
            p = if allow {
                p.allow(use_, target)
            } else {
                p.deny(use_, target)
            };
        }
    }
    if a.allow_wasi_sockets {
        p = p.allow_wasi_sockets(true);
    }
    if let Some(n) = a.max_sockets {
        p.limits.max_sockets = n;
    }
    Ok(p)
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

/// Runs the command; `Ok` is the exit status (the guest's, or
/// [`cli_run::EXIT_TRAP`]), `Err` a failure before the guest ran.
fn real_main() -> anyhow::Result<u8> {
    let a = match Cli::parse().command {
        Command::Run(a) => a,
        Command::Compile(c) => {
            cli_run::compile(&c)?;
            return Ok(0);
        }
    };
    // The command line asked for something invalid: a usage error.
    let policy = Arc::new(policy(&a).map_err(cli_run::usage)?);
    let env = cli_run::guest_env(&a.env).map_err(cli_run::usage)?;
    let (engine, _) = cli_run::engine()?;
    let component = cli_run::load(&engine, &a.component)?;
    let name = a.component.display().to_string();
    let guest = GuestConfig {
        args: std::iter::once(name)
            .chain(a.args.iter().cloned())
            .collect(),
        env,
        output: run::Output::Inherit,
        policy,
    };
    let outcome = if a.use_async {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        rt.block_on(async {
            let linker = run::async_linker(&engine)?;
            run::run_async(&linker, &component, &guest).await
        })
    } else {
        run::sync_linker(&engine).and_then(|linker| run::run_sync(&linker, &component, &guest))
    };
    Ok(cli_run::status(outcome))
}
