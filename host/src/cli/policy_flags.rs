//! The CLI's policy flags (flattened into `wasock run`), `wasock policy
//! check`, and what they turn into: the policy, the recorder (audit file,
//! learn mode) and the learned policy written after the run.
//!
//! Every flag that takes targets accepts a comma-separated list and may be
//! repeated. The flags say everything the TOML file can; flags add to the
//! file given with `--policy`.

use anyhow::Context as _;
use clap::Args;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use wasock_host::policy::{Recorder, MAX_LEARNED_PATHS};
use wasock_host::{Policy, Use};

/// Policy flags of `wasock run`.
#[derive(Args, Debug, Default)]
pub struct PolicyFlags {
    /// A TOML policy file; flags add to it.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Allow bind to TARGET ([tcp://|udp://]ADDR[/PREFIX]:PORTS, e.g. 127.0.0.1:50007); implies listen on it and accept/recv-from any peer, unless explicit listen/accept/recv-from rules exist.
    #[arg(long, value_name = "TARGET", value_delimiter = ',')]
    pub allow_bind: Vec<String>,
    /// Deny bind to TARGET, whatever allows it.
    #[arg(long, value_name = "TARGET", value_delimiter = ',')]
    pub deny_bind: Vec<String>,
    /// Allow listen on TARGET (the bound address).
    #[arg(long, value_name = "TARGET", value_delimiter = ',')]
    pub allow_listen: Vec<String>,
    /// Deny listen on TARGET.
    #[arg(long, value_name = "TARGET", value_delimiter = ',')]
    pub deny_listen: Vec<String>,
    /// Allow accepting connections from peers matching TARGET (others are closed, accept keeps waiting).
    #[arg(long, value_name = "TARGET", value_delimiter = ',')]
    pub allow_accept: Vec<String>,
    /// Deny accepting connections from peers matching TARGET.
    #[arg(long, value_name = "TARGET", value_delimiter = ',')]
    pub deny_accept: Vec<String>,
    /// Allow connect to TARGET (e.g. tcp://127.0.0.1:50007, tcp://api.example.com:443); implies send-to it and, for UDP, recv-from it; a host name in TARGET also allows looking that name up (deny-resolve still wins).
    #[arg(long, value_name = "TARGET", value_delimiter = ',')]
    pub allow_connect: Vec<String>,
    /// Deny connect to TARGET, whatever allows it.
    #[arg(long, value_name = "TARGET", value_delimiter = ',')]
    pub deny_connect: Vec<String>,
    /// Allow sendto to TARGET; a host name in TARGET also allows looking that name up.
    #[arg(long, value_name = "TARGET", value_delimiter = ',')]
    pub allow_send_to: Vec<String>,
    /// Deny sendto to TARGET.
    #[arg(long, value_name = "TARGET", value_delimiter = ',')]
    pub deny_send_to: Vec<String>,
    /// Allow datagrams from peers matching TARGET (others are dropped and counted).
    #[arg(long, value_name = "TARGET", value_delimiter = ',')]
    pub allow_recv_from: Vec<String>,
    /// Deny datagrams from peers matching TARGET.
    #[arg(long, value_name = "TARGET", value_delimiter = ',')]
    pub deny_recv_from: Vec<String>,
    /// Allow joining multicast groups matching TARGET (ports ignored), e.g. udp://239.0.0.0/8:*.
    #[arg(long, value_name = "TARGET", value_delimiter = ',')]
    pub allow_join: Vec<String>,
    /// Deny joining multicast groups matching TARGET.
    #[arg(long, value_name = "TARGET", value_delimiter = ',')]
    pub deny_join: Vec<String>,
    /// Allow looking up names matching PATTERN (api.example.com, *.example.com, *); a connect or send-to rule naming a host allows its lookup already. `localhost` needs no rule (answered from /etc/hosts, never DNS).
    #[arg(long, value_name = "PATTERN", value_delimiter = ',')]
    pub allow_resolve: Vec<String>,
    /// Deny looking up names matching PATTERN.
    #[arg(long, value_name = "PATTERN", value_delimiter = ',')]
    pub deny_resolve: Vec<String>,
    /// UDP: allow sending to any peer that has sent the socket a datagram.
    #[arg(long)]
    pub allow_udp_reply: bool,
    /// Let wasi:sockets (Rust std::net in the guest) use the network under the same rules.
    #[arg(long)]
    pub allow_wasi_sockets: bool,
    /// Grant a directory for AF_UNIX paths: guest paths are relative to it and never leave it.
    #[arg(long, value_name = "DIR")]
    pub unix_dir: Option<PathBuf>,
    /// Allow binding/connecting to abstract AF_UNIX names starting with PREFIX.
    #[arg(long, value_name = "PREFIX", value_delimiter = ',')]
    pub allow_abstract: Vec<String>,
    /// Allow binding/connecting to the abstract AF_UNIX name NAME exactly (`app` does not admit `app-admin`).
    #[arg(long, value_name = "NAME", value_delimiter = ',')]
    pub allow_abstract_name: Vec<String>,
    /// Deny abstract AF_UNIX names starting with PREFIX, whatever allows them.
    #[arg(long, value_name = "PREFIX", value_delimiter = ',')]
    pub deny_abstract: Vec<String>,
    /// Allow passing sockets with SCM_RIGHTS (sendmsg/recvmsg); a received IP socket is judged as the guest's own (a connected one as a connect to its peer) and closed if denied.
    #[arg(long)]
    pub allow_fd_passing: bool,
    /// Grant raw IP sockets for PROTOCOL (icmp, icmpv6, a number, *).
    #[arg(long, value_name = "PROTOCOL", value_delimiter = ',')]
    pub allow_raw: Vec<String>,
    /// Deny raw IP sockets for PROTOCOL, whatever grants them.
    #[arg(long, value_name = "PROTOCOL", value_delimiter = ',')]
    pub deny_raw: Vec<String>,
    /// Grant netlink sockets of PROTOCOL (route, sock_diag, generic, a number, *).
    #[arg(long, value_name = "PROTOCOL", value_delimiter = ',')]
    pub allow_netlink: Vec<String>,
    /// Grant one generic netlink family by name (ethtool, nl80211, wireguard, devlink, …): NETLINK_GENERIC sockets that may address only the granted families (and nlctrl lookups).
    #[arg(long, value_name = "FAMILY", value_delimiter = ',')]
    pub allow_genl: Vec<String>,
    /// Deny a generic netlink family by name, whatever grants it.
    #[arg(long, value_name = "FAMILY", value_delimiter = ',')]
    pub deny_genl: Vec<String>,
    /// Deny netlink sockets of PROTOCOL, whatever grants them.
    #[arg(long, value_name = "PROTOCOL", value_delimiter = ',')]
    pub deny_netlink: Vec<String>,
    /// Grant a socket family by name (packet, vsock, …; netlink: route only).
    #[arg(long, value_name = "FAMILY", value_delimiter = ',')]
    pub allow_family: Vec<String>,
    /// Deny a socket family by name, whatever grants it.
    #[arg(long, value_name = "FAMILY", value_delimiter = ',')]
    pub deny_family: Vec<String>,
    /// Grant a guarded socket option by name (SO_MARK, SO_BINDTODEVICE, IP_TOS, SO_REUSEPORT, …).
    #[arg(long, value_name = "OPTION", value_delimiter = ',')]
    pub allow_option: Vec<String>,
    /// Deny a guarded socket option by name, whatever grants it.
    #[arg(long, value_name = "OPTION", value_delimiter = ',')]
    pub deny_option: Vec<String>,
    /// Most sockets the guest may hold open at once.
    #[arg(long, value_name = "N")]
    pub max_sockets: Option<usize>,
    /// Most bytes one receive call returns (≤ 64 MiB).
    #[arg(long, value_name = "BYTES")]
    pub max_recv: Option<usize>,
    /// Largest listen backlog passed to the kernel.
    #[arg(long, value_name = "N")]
    pub max_backlog: Option<i32>,
    /// Most outgoing connections per second.
    #[arg(long, value_name = "N")]
    pub connections_per_second: Option<u32>,
    /// Most bytes per second the guest sends over wasock sockets.
    #[arg(long, value_name = "BYTES")]
    pub send_bytes_per_second: Option<u64>,
    /// Stop the guest after this many milliseconds of wall-clock time.
    #[arg(long, value_name = "MS")]
    pub wall_time_ms: Option<u64>,
    /// Most linear memory the guest may grow to, in bytes.
    #[arg(long, value_name = "BYTES")]
    pub max_memory: Option<usize>,
    /// Dry run: log every denial but let it through.
    #[arg(long)]
    pub audit_only: bool,
    /// Write every policy decision (allowed and denied) to FILE as JSON lines.
    #[arg(long, value_name = "FILE")]
    pub audit: Option<PathBuf>,
    /// Learn mode: run with everything allowed and write the narrowest policy that allows what the guest did to FILE.
    #[arg(long, value_name = "FILE")]
    pub learn: Option<PathBuf>,
    /// Print the effective policy (TOML) and exit without running the guest.
    #[arg(long)]
    pub print_policy: bool,
}

impl PolicyFlags {
    /// The policy the flags (and file) describe.
    pub fn policy(&self) -> anyhow::Result<Policy> {
        let mut p = match &self.policy {
            Some(f) => Policy::from_toml_file(f)?,
            None => Policy::deny_all(),
        }
        .hint_style(wasock_host::policy::HintStyle::Cli);
        let lists = [
            (Use::Bind, &self.allow_bind, &self.deny_bind),
            (Use::Listen, &self.allow_listen, &self.deny_listen),
            (Use::Accept, &self.allow_accept, &self.deny_accept),
            (Use::Connect, &self.allow_connect, &self.deny_connect),
            (Use::SendTo, &self.allow_send_to, &self.deny_send_to),
            (Use::RecvFrom, &self.allow_recv_from, &self.deny_recv_from),
            (Use::Join, &self.allow_join, &self.deny_join),
        ];
        for (use_, allow, deny) in lists {
            for t in allow {
                p = p
                    .allow_str(use_, t)
                    .with_context(|| format!("--allow-{use_}"))?;
            }
            for t in deny {
                p = p
                    .deny_str(use_, t)
                    .with_context(|| format!("--deny-{use_}"))?;
            }
        }
        for n in &self.allow_resolve {
            p = p.allow_resolve(n).context("--allow-resolve")?;
        }
        for n in &self.deny_resolve {
            p = p.deny_resolve(n).context("--deny-resolve")?;
        }
        for n in &self.allow_raw {
            p = p.allow_raw(n).context("--allow-raw")?;
        }
        for n in &self.deny_raw {
            p = p.deny_raw(n).context("--deny-raw")?;
        }
        for n in &self.allow_netlink {
            p = p.allow_netlink(n).context("--allow-netlink")?;
        }
        for n in &self.allow_genl {
            p = p.allow_genl(n).context("--allow-genl")?;
        }
        for n in &self.deny_genl {
            p = p.deny_genl(n).context("--deny-genl")?;
        }
        for n in &self.deny_netlink {
            p = p.deny_netlink(n).context("--deny-netlink")?;
        }
        for n in &self.allow_family {
            p = p.allow_family(n).context("--allow-family")?;
        }
        for n in &self.deny_family {
            p = p.deny_family(n).context("--deny-family")?;
        }
        for n in &self.allow_option {
            p = p.allow_option(n).context("--allow-option")?;
        }
        for n in &self.deny_option {
            p = p.deny_option(n).context("--deny-option")?;
        }
        if self.allow_udp_reply {
            p = p.allow_udp_reply(true);
        }
        if self.allow_wasi_sockets {
            p = p.allow_wasi_sockets(true);
        }
        if self.audit_only {
            p = p.audit_only(true);
        }
        if let Some(d) = &self.unix_dir {
            // The one use of the CLI's ambient authority over the file
            // system for the policy: the directory is opened here, once,
            // and the policy holds the capability (a cap-std `Dir`).
            let dir = cap_std::fs::Dir::open_ambient_dir(d, cap_std::ambient_authority())
                .map_err(|e| anyhow::anyhow!("opening --unix-dir {}: {e}", d.display()))?;
            p = p.unix_dir(dir);
        }
        for prefix in &self.allow_abstract {
            p = p.allow_abstract(prefix);
        }
        for name in &self.allow_abstract_name {
            p = p.allow_abstract_name(name);
        }
        for prefix in &self.deny_abstract {
            p = p.deny_abstract(prefix);
        }
        if self.allow_fd_passing {
            p = p.allow_fd_passing(true);
        }
        let l = &mut p.limits;
        if let Some(n) = self.max_sockets {
            l.max_sockets = n;
        }
        if let Some(n) = self.max_recv {
            l.max_recv = n;
        }
        if let Some(n) = self.max_backlog {
            l.max_backlog = n;
        }
        if let Some(n) = self.connections_per_second {
            l.connections_per_second = Some(n);
        }
        if let Some(n) = self.send_bytes_per_second {
            l.send_bytes_per_second = Some(n);
        }
        if let Some(n) = self.wall_time_ms {
            l.wall_time = Some(Duration::from_millis(n));
        }
        if let Some(n) = self.max_memory {
            l.max_memory = Some(n);
        }
        l.validate().map_err(anyhow::Error::msg)?;
        if let Some(why) = p.unenforceable() {
            anyhow::bail!("{why}");
        }
        if self.learn.is_some() {
            // Learn mode: everything allowed; the limits and the AF_UNIX
            // directory kept.
            p = p.for_learning();
        }
        Ok(p)
    }

    /// The recorder the flags ask for (audit file, learn mode), if any.
    pub fn recorder(&self) -> anyhow::Result<Option<Arc<Recorder>>> {
        if self.audit.is_none() && self.learn.is_none() {
            return Ok(None);
        }
        let mut r = Recorder::new();
        if let Some(path) = &self.audit {
            let f = std::fs::File::create(path)
                .with_context(|| format!("creating the audit file {}", path.display()))?;
            r = r.with_audit(std::io::LineWriter::new(f));
        }
        if self.learn.is_some() {
            r = r.learning();
        }
        Ok(Some(Arc::new(r)))
    }

    /// After the run: writes the learned policy, when learning. It keeps
    /// what is granted rather than learnt: the run's AF_UNIX directory and
    /// its limits (defaults included, written out), and names the AF_UNIX
    /// paths the guest used in comments.
    pub fn finish(&self, recorder: Option<&Recorder>) -> anyhow::Result<()> {
        if let (Some(path), Some(r)) = (&self.learn, recorder) {
            let run = self.policy()?;
            let mut learnt = r.learned_policy().with_unix_dir_of(&run);
            learnt.limits = run.limits.clone();
            write_learned(path, &learnt, &r.learned_unix_paths())?;
        }
        Ok(())
    }
}

/// The learnt policy file: a header, the AF_UNIX paths used (a directory
/// is granted, never learnt), then the policy.
fn learned_text(p: &Policy, unix_paths: &[(Use, String)]) -> String {
    let mut text = String::from(
        "# Learned by `wasock run --learn`: the narrowest policy that allows what\n\
         # the guest did in that run. Review before use. The limits are the run's\n\
         # (defaults included).\n",
    );
    if !unix_paths.is_empty() {
        let dir = p.unix().dir_host_path().map_or_else(
            || "no directory was granted".to_string(),
            |d| format!("beneath {}", d.display()),
        );
        text.push_str(&format!(
            "#\n# AF_UNIX paths the guest used ({dir}); a directory is the embedder's\n\
             # grant ([unix] dir, --unix-dir), not learnt: every path beneath it is allowed.\n"
        ));
        for (u, path) in unix_paths {
            text.push_str(&format!("#   {u} {path}\n"));
        }
        if unix_paths.len() >= MAX_LEARNED_PATHS {
            text.push_str(&format!(
                "#   (more paths may have been used; at most {MAX_LEARNED_PATHS} are listed)\n"
            ));
        }
    }
    text.push_str(&p.to_toml());
    text
}

fn write_learned(path: &Path, p: &Policy, unix_paths: &[(Use, String)]) -> anyhow::Result<()> {
    std::fs::write(path, learned_text(p, unix_paths))
        .with_context(|| format!("writing {}", path.display()))
}

/// Warns (on stderr) about guest arguments that look like wasock flags: a
/// flag after the component path goes to the guest, not to wasock.
pub fn warn_guest_flags(args: &[String]) {
    for a in args {
        let name = a.split('=').next().unwrap_or(a);
        let looks = name.starts_with("--")
            && (name.starts_with("--allow-")
                || name.starts_with("--deny-")
                || name.starts_with("--max-")
                || matches!(
                    name,
                    "--policy"
                        | "--audit"
                        | "--audit-only"
                        | "--learn"
                        | "--print-policy"
                        | "--async"
                        | "--env"
                        | "--wall-time-ms"
                        | "--connections-per-second"
                ));
        if looks {
            eprintln!(
                "wasock: warning: {name:?} comes after the component path, so it is passed to the guest, not to wasock; put wasock flags before the component"
            );
        }
    }
}

/// `wasock policy check FILE`: parses and normalises a policy file and
/// prints its effective rules as TOML.
pub fn check(path: &Path) -> anyhow::Result<String> {
    let p = Policy::from_toml_file(path)?;
    Ok(p.to_toml())
}
