//! The TOML form of a policy (feature `policy-file`); printing a policy
//! back as TOML is `render.rs`.

use super::{Limits, Policy, Use};
use serde::Deserialize;
use std::time::Duration;

/// The TOML form of a policy. Every key is optional; unknown keys are
/// errors.
///
/// ```toml
/// [network]
/// # Targets: [tcp://|udp://]HOST[/PREFIX]:PORTS (see `Target`).
/// allow-bind = ["127.0.0.1:50007"]          # implies listen, accept/recv-from any peer
/// allow-connect = ["tcp://127.0.0.1:50007"] # implies send-to, recv-from (udp) of it
/// deny-connect = ["*:25"]
/// # Also: allow-/deny- listen, accept, send-to, recv-from, join.
/// allow-resolve = ["api.example.com", "*.example.org"]
/// deny-resolve = []
/// udp-reply = false     # UDP: may send to peers that wrote to the socket
/// wasi-sockets = false  # std::net guests, under the same rules
/// audit-only = false    # log denials but let them through (dry run)
///
/// [families]
/// raw = ["icmp"]        # raw IP sockets, per protocol (name, number, *)
/// allow = ["packet"]    # other families by name ("netlink": route only)
/// netlink = ["route"]   # netlink sockets, per protocol (name, number, *)
/// genl = ["ethtool"]    # generic netlink, per family
///
/// [options]
/// allow = ["SO_MARK"]   # guarded options granted by name
///
/// [limits]
/// max-sockets = 1024
/// max-recv = 1048576
/// max-backlog = 4096
/// connections-per-second = 100
/// send-bytes-per-second = 1048576
/// wall-time-ms = 60000
/// max-memory = 268435456
/// ```
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyFile {
    /// Address and name rules.
    #[serde(default)]
    pub network: NetworkSection,
    /// Families and socket types beyond TCP/UDP.
    #[serde(default)]
    pub families: FamiliesSection,
    /// Guarded options.
    #[serde(default)]
    pub options: OptionsSection,
    /// Resource limits.
    #[serde(default)]
    pub limits: LimitsSection,
    /// AF_UNIX grants.
    #[serde(default)]
    pub unix: super::UnixSection,
}

/// `[network]` of a policy file: `allow-<use>` / `deny-<use>` lists.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[allow(missing_docs)]
pub struct NetworkSection {
    #[serde(default)]
    pub allow_bind: Vec<String>,
    #[serde(default)]
    pub deny_bind: Vec<String>,
    #[serde(default)]
    pub allow_listen: Vec<String>,
    #[serde(default)]
    pub deny_listen: Vec<String>,
    #[serde(default)]
    pub allow_accept: Vec<String>,
    #[serde(default)]
    pub deny_accept: Vec<String>,
    #[serde(default)]
    pub allow_connect: Vec<String>,
    #[serde(default)]
    pub deny_connect: Vec<String>,
    #[serde(default)]
    pub allow_send_to: Vec<String>,
    #[serde(default)]
    pub deny_send_to: Vec<String>,
    #[serde(default)]
    pub allow_recv_from: Vec<String>,
    #[serde(default)]
    pub deny_recv_from: Vec<String>,
    #[serde(default)]
    pub allow_join: Vec<String>,
    #[serde(default)]
    pub deny_join: Vec<String>,
    #[serde(default)]
    pub allow_resolve: Vec<String>,
    #[serde(default)]
    pub deny_resolve: Vec<String>,
    /// The UDP reply rule.
    #[serde(default)]
    pub udp_reply: bool,
    /// Whether `wasi:sockets` is enabled under the same rules.
    #[serde(default)]
    pub wasi_sockets: bool,
    /// Log denials but let them through.
    #[serde(default)]
    pub audit_only: bool,
}

/// `[families]` of a policy file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FamiliesSection {
    /// Raw IP protocols granted (names, numbers, `*`).
    #[serde(default)]
    pub raw: Vec<String>,
    /// Raw IP protocols denied, whatever grants them.
    #[serde(default)]
    pub deny_raw: Vec<String>,
    /// Other families granted by name.
    #[serde(default)]
    pub allow: Vec<String>,
    /// Families denied, whatever grants them.
    #[serde(default)]
    pub deny: Vec<String>,
    /// Netlink protocols granted (names, numbers, `*`).
    #[serde(default)]
    pub netlink: Vec<String>,
    /// Netlink protocols denied, whatever grants them.
    #[serde(default)]
    pub deny_netlink: Vec<String>,
    /// Generic netlink families granted by name.
    #[serde(default)]
    pub genl: Vec<String>,
    /// Generic netlink families denied, whatever grants them.
    #[serde(default)]
    pub deny_genl: Vec<String>,
}

/// `[options]` of a policy file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct OptionsSection {
    /// Guarded options granted by name.
    #[serde(default)]
    pub allow: Vec<String>,
    /// Guarded options denied, whatever grants them.
    #[serde(default)]
    pub deny: Vec<String>,
}

/// `[limits]` of a policy file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LimitsSection {
    /// See [`Limits::max_sockets`].
    pub max_sockets: Option<usize>,
    /// See [`Limits::max_recv`].
    pub max_recv: Option<usize>,
    /// See [`Limits::max_backlog`].
    pub max_backlog: Option<i32>,
    /// See [`Limits::connections_per_second`].
    pub connections_per_second: Option<u32>,
    /// See [`Limits::send_bytes_per_second`].
    pub send_bytes_per_second: Option<u64>,
    /// See [`Limits::wall_time`], in milliseconds.
    pub wall_time_ms: Option<u64>,
    /// See [`Limits::max_memory`].
    pub max_memory: Option<usize>,
}

impl LimitsSection {
    /// Applies the values given to `limits`.
    pub fn apply(&self, limits: &mut Limits) {
        if let Some(n) = self.max_sockets {
            limits.max_sockets = n;
        }
        if let Some(n) = self.max_recv {
            limits.max_recv = n;
        }
        if let Some(n) = self.max_backlog {
            limits.max_backlog = n;
        }
        if let Some(n) = self.connections_per_second {
            limits.connections_per_second = Some(n);
        }
        if let Some(n) = self.send_bytes_per_second {
            limits.send_bytes_per_second = Some(n);
        }
        if let Some(n) = self.wall_time_ms {
            limits.wall_time = Some(Duration::from_millis(n));
        }
        if let Some(n) = self.max_memory {
            limits.max_memory = Some(n);
        }
    }
}

impl PolicyFile {
    /// Builds the policy this file describes; errors name the bad entry.
    /// A relative `[unix] dir` is refused here (there is no file to be
    /// relative to): see [`PolicyFile::into_policy_beside`].
    pub fn into_policy(self) -> anyhow::Result<Policy> {
        self.into_policy_beside(None)
    }

    /// As [`PolicyFile::into_policy`], for a file in the directory `base`:
    /// a relative `[unix] dir` is resolved against `base` (the policy
    /// file's directory, never the working directory).
    pub fn into_policy_beside(mut self, base: Option<&std::path::Path>) -> anyhow::Result<Policy> {
        if let Some(d) = self.unix.dir.take() {
            self.unix.dir = Some(if d.is_absolute() {
                d
            } else if let Some(base) = base {
                base.join(d)
            } else {
                anyhow::bail!(
                    "[unix] dir {:?} is relative, and this policy has no file to be relative to: give an absolute path (a relative one in a policy file is resolved against the file's directory)",
                    d.display().to_string()
                );
            });
        }
        let n = &self.network;
        let mut p = Policy::deny_all()
            .allow_wasi_sockets(n.wasi_sockets)
            .allow_udp_reply(n.udp_reply)
            .audit_only(n.audit_only);
        let lists = [
            (Use::Bind, &n.allow_bind, &n.deny_bind),
            (Use::Listen, &n.allow_listen, &n.deny_listen),
            (Use::Accept, &n.allow_accept, &n.deny_accept),
            (Use::Connect, &n.allow_connect, &n.deny_connect),
            (Use::SendTo, &n.allow_send_to, &n.deny_send_to),
            (Use::RecvFrom, &n.allow_recv_from, &n.deny_recv_from),
            (Use::Join, &n.allow_join, &n.deny_join),
        ];
        for (use_, allow, deny) in lists {
            for t in allow {
                p = p
                    .allow_str(use_, t)
                    .map_err(|e| anyhow::anyhow!("allow-{use_}: {e}"))?;
            }
            for t in deny {
                p = p
                    .deny_str(use_, t)
                    .map_err(|e| anyhow::anyhow!("deny-{use_}: {e}"))?;
            }
        }
        for r in &n.allow_resolve {
            p = p.allow_resolve(r)?;
        }
        for r in &n.deny_resolve {
            p = p.deny_resolve(r)?;
        }
        for r in &self.families.raw {
            p = p.allow_raw(r)?;
        }
        for f in &self.families.allow {
            p = p.allow_family(f)?;
        }
        for r in &self.families.deny_raw {
            p = p.deny_raw(r)?;
        }
        for n in &self.families.netlink {
            p = p.allow_netlink(n)?;
        }
        for n in &self.families.deny_netlink {
            p = p.deny_netlink(n)?;
        }
        for n in &self.families.genl {
            p = p.allow_genl(n)?;
        }
        for n in &self.families.deny_genl {
            p = p.deny_genl(n)?;
        }
        for f in &self.families.deny {
            p = p.deny_family(f)?;
        }
        for o in &self.options.allow {
            p = p.allow_option(o)?;
        }
        for o in &self.options.deny {
            p = p.deny_option(o)?;
        }
        p = self.unix.apply(p)?;
        self.limits.apply(&mut p.limits);
        p.limits.validate().map_err(anyhow::Error::msg)?;
        if let Some(why) = p.unenforceable() {
            anyhow::bail!("{why}");
        }
        Ok(p)
    }
}
