//! `wasock`: run a guest component with wasi:cli and wasock sockets under
//! a policy.
//!
//! ```text
//! wasock run [--policy FILE] [--allow-bind T]... [--allow-connect T]... \
//!            [--deny-bind T]... [--deny-connect T]... [--allow-wasi-sockets] \
//!            [--max-sockets N] [--async] [--env K=V]... app.wasm [ARGS]...
//! ```

use anyhow::{bail, Context as _};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::sync::Arc;
use wasmtime::component::Component;
use wasmtime::{Config, Engine};
use wasock_host::run::{self, GuestConfig};
use wasock_host::InterfaceView;
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
    /// Run a guest command component (wasm32-wasip2).
    Run(RunArgs),
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
    let Command::Run(a) = Cli::parse().command;
    let policy = Arc::new(policy(&a)?);
    let mut env = Vec::new();
    for kv in &a.env {
        let Some((k, v)) = kv.split_once('=') else {
            bail!("--env wants KEY=VALUE, got {kv:?}");
        };
        env.push((k.to_string(), v.to_string()));
    }
    let mut config = Config::new();
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
        hostname: a.hostname.clone(),
        interfaces: match a.show_interfaces.as_deref() {
            None => InterfaceView::Hidden,
            Some("all") => InterfaceView::Host,
            Some(list) => InterfaceView::Only(list.split(',').map(str::to_string).collect()),
        },
    };
    if a.use_async {
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
    }
}

/// wasmtime's error type as anyhow's (keeping the trap's whole message).
fn w<T>(r: wasmtime::Result<T>) -> anyhow::Result<T> {
    r.map_err(|e| anyhow::anyhow!("{e:?}"))
}
