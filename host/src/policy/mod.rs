//! The policy: the only place that decides what a guest may do. Pure: no
//! system calls, no I/O; callers pass in what they know (where an address
//! delivers, what a lookup returned) and log or record the [`Decision`].
//!
//! Deny by default. A policy is a list of rules; each names a [`Use`] (the
//! system call it governs), allow or deny, and a [`Target`] pattern
//! (transport, address range or host name, port range). A use is allowed
//! when an allow rule covers it and no deny rule does.
//!
//! **Addresses are judged by where the kernel delivers them**, not by how
//! they are spelled:
//! - IPv4-mapped IPv6 addresses (`::ffff:a.b.c.d`) are the IPv4 address;
//!   NAT64 (`64:ff9b::a.b.c.d`) and IPv4-compatible (`::a.b.c.d`)
//!   destinations are judged as themselves and as the IPv4 address.
//! - A destination that is the unspecified address (`0.0.0.0`, `::`,
//!   `::ffff:0.0.0.0`) delivers to this host: it is judged as the loopback
//!   address of its family (and as the socket's bound address, when that is
//!   specific), and a deny rule naming the unspecified address refuses it.
//! - A destination on this host (any `127.0.0.0/8` address, `::1`, or an
//!   address assigned to one of the host's interfaces: the caller says so in
//!   [`Destination::host_local`]) is judged as itself *and* as the loopback
//!   address of its family, same port: a service listening on the wildcard
//!   receives it, so `deny-connect 127.0.0.1:22` also refuses
//!   `127.0.0.2:22` and `10.1.2.3:22` when `10.1.2.3` is the host's.
//! - A loopback destination (of either family, however reached) is also
//!   refused by a deny rule covering the *other* family's loopback, same
//!   port: a dual-stack `[::]` listener receives both. A multicast
//!   destination is refused by a deny rule covering loopback (either family)
//!   and its port: with IP_MULTICAST_LOOP (the default) this host's members
//!   receive it. Both only deny; allowing still needs a rule for the
//!   destination itself.
//! - A wildcard bind (`0.0.0.0:P`, `[::]:P`) receives on every address of
//!   its family: it needs an allow rule covering the whole family (`*`,
//!   `0.0.0.0/0`, or the wildcard itself, `0.0.0.0:P`), and any deny rule
//!   touching that family and port refuses it. An IPv6 wildcard bind with
//!   IPV6_V6ONLY off (the Linux default) also receives IPv4, so it is judged
//!   as both wildcards (see `docs/architecture.md` for why this rather than
//!   forcing V6ONLY).
//!
//! Target syntax (CLI flags, the TOML file and the builder): see
//! [`Target`].

//!
//! Files, by concern: `rules` (the vocabulary of a rule), `target` (target
//! syntax and matching), `builder` (adding rules), `grants` (families,
//! protocols and options beyond TCP/UDP), `decide` (every decision),
//! `record` (the audit log and learn mode), `limits`, `unix` (the AF_UNIX
//! grant), `file` and `render` (TOML in and out). The policy imports only
//! the vocabulary and errors ([`crate::types`]); nothing of the socket
//! core, the context or the system layer.

mod builder;
mod decide;
#[cfg(feature = "policy-file")]
mod file;
mod grants;
mod limits;
mod record;
mod render;
mod rules;
mod target;
mod unix;

pub use decide::Decision;
#[cfg(feature = "policy-file")]
pub use file::PolicyFile;
pub use grants::{
    debug_name, netlink_protocol_name, netlink_protocol_number, option_key, protocol_number,
    FamilyGrants, GUARDED_OPTIONS,
};
pub(crate) use grants::{quoted, NETLINK_GENERIC};
pub use limits::{Bucket, Limits};
pub use record::{Recorder, Source, MAX_LEARNED_PATHS};
pub use rules::{Destination, Resolutions, Rule, Use};
pub use target::{HostPattern, Target, TargetParseError, Transport};
pub use unix::UnixGrant;
#[cfg(feature = "policy-file")]
pub use unix::UnixSection;

use std::collections::BTreeSet;
#[cfg(feature = "policy-file")]
use std::path::Path;

/// What a guest may do with sockets. Deny by default: [`Policy::default`]
/// allows nothing.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    rules: Vec<Rule>,
    resolve: Vec<(bool, String)>,
    /// Families and socket types beyond TCP/UDP (off unless granted).
    pub grants: FamilyGrants,
    options: BTreeSet<String>,
    denied_options: BTreeSet<String>,
    udp_reply: bool,
    /// Resource limits.
    pub limits: Limits,
    wasi_sockets: bool,
    audit_only: bool,
    /// AF_UNIX paths, abstract names and SCM_RIGHTS (see `policy/unix.rs`).
    unix: UnixGrant,
    /// How denials name what would allow them.
    hints: HintStyle,
}

/// How a denial names what would allow it: the embedder's builder call
/// (the default: `policy.allow_str(Use::Connect, "tcp://127.0.0.1:80")`)
/// or the `wasock` CLI's flag (`--allow-connect tcp://127.0.0.1:80`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum HintStyle {
    /// `Policy` builder calls (embeddings).
    #[default]
    Builder,
    /// `wasock run` flags.
    Cli,
}

impl Policy {
    /// A policy that allows nothing (the default).
    pub fn deny_all() -> Self {
        Self::default()
    }

    /// A policy that allows every use of every address and name, every
    /// family and guarded option (what learn mode runs under).
    pub fn allow_everything() -> Self {
        let mut p = Self::default();
        for u in Use::ALL {
            p = p.allow(u, "*:*".parse().expect("valid"));
        }
        p.resolve.push((true, "*".into()));
        p.grants.raw.insert(-1);
        p.grants.netlink.insert(-1);
        p.options = GUARDED_OPTIONS.iter().map(|s| s.to_string()).collect();
        p.wasi_sockets = true;
        p
    }

    /// Denials name what would allow them in this style (the CLI sets
    /// [`HintStyle::Cli`]; an embedding keeps the builder calls).
    pub fn hint_style(mut self, style: HintStyle) -> Self {
        self.hints = style;
        self
    }

    /// What would allow a denial, in this policy's [`HintStyle`]: `flag`
    /// is the CLI flag without dashes (`allow-connect`), `arg` its value
    /// (empty for a switch).
    pub fn hint(&self, flag: &str, arg: &str) -> String {
        if self.hints == HintStyle::Cli {
            return if arg.is_empty() {
                format!("--{flag}")
            } else {
                format!("--{flag} {arg}")
            };
        }
        let method = flag.replace('-', "_");
        if let Some(u) = flag.strip_prefix("allow-").and_then(|n| {
            Use::ALL
                .into_iter()
                .find(|u| *u != Use::Resolve && u.name() == n)
        }) {
            return format!("policy.allow_str(Use::{u:?}, {arg:?})");
        }
        match flag {
            "unix-dir" => "policy.unix_dir(a directory)".to_string(),
            _ if arg.is_empty() => format!("policy.{method}(true)"),
            _ => format!("policy.{method}({arg:?})"),
        }
    }

    /// Reads a policy from a TOML file (see [`PolicyFile`]). A relative
    /// `[unix] dir` is resolved against the file's directory. Feature
    /// `policy-file` (default).
    #[cfg(feature = "policy-file")]
    pub fn from_toml_file(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("reading policy file {}: {e}", path.display()))?;
        let base = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => std::path::PathBuf::from("."),
        };
        toml::from_str::<PolicyFile>(&text)
            .map_err(anyhow::Error::from)
            .and_then(|f| f.into_policy_beside(Some(&base)))
            .map_err(|e| anyhow::anyhow!("policy file {}: {e}", path.display()))
    }

    /// Parses a policy from TOML text (see [`PolicyFile`]). A `[unix] dir`
    /// must be absolute here (no file to be relative to). Feature
    /// `policy-file` (default).
    #[cfg(feature = "policy-file")]
    pub fn from_toml(text: &str) -> anyhow::Result<Self> {
        let file: PolicyFile = toml::from_str(text)?;
        file.into_policy()
    }

    /// The policy as TOML (the effective rules, implied ones as comments);
    /// parsing it back gives the same policy.
    pub fn to_toml(&self) -> String {
        render::render(self)
    }
}

#[cfg(test)]
#[path = "../tests/policy.rs"]
mod tests;
