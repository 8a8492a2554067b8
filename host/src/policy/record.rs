//! The recorder: an audit sink (one JSON object per line per decision)
//! and learn mode (the narrowest policy that allows what the guest did).
//! The policy's one side with I/O: it writes where the embedder points it.

use super::{Decision, Policy, Target, Use};
use std::collections::BTreeSet;
use std::io::Write;
use std::sync::{Mutex, MutexGuard};

/// Where a decision came from, for logs and the audit file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A wasock socket call.
    Wasock,
    /// wasi:sockets (`std::net` guests).
    WasiSockets,
}

impl Source {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Source::Wasock => "wasock",
            Source::WasiSockets => "wasi-sockets",
        }
    }
}

/// Records decisions for an embedder: an audit sink (one JSON object per
/// line per decision) and/or learn mode (the narrowest policy that allows
/// what the guest did). Share one between the instances it should cover.
#[derive(Default)]
pub struct Recorder {
    inner: Mutex<RecorderInner>,
}

#[derive(Default)]
struct RecorderInner {
    audit: Option<Box<dyn Write + Send>>,
    learning: bool,
    learned: BTreeSet<(Use, String)>,
    learned_resolve: BTreeSet<String>,
    learned_options: BTreeSet<String>,
    learned_raw: BTreeSet<i32>,
    learned_families: BTreeSet<String>,
    learned_netlink: BTreeSet<i32>,
    learned_genl: BTreeSet<String>,
    learned_abstract: BTreeSet<Vec<u8>>,
    learned_unix_paths: BTreeSet<(Use, String)>,
    learned_fd_passing: bool,
    wasi_sockets: bool,
}

/// Most distinct AF_UNIX paths learn mode reports (a guest may make up
/// any number of them; the rest are left out of the report).
pub const MAX_LEARNED_PATHS: usize = 256;

/// Escapes a string for JSON (the same quoting as TOML's basic strings).
fn json(s: &str) -> String {
    crate::policy::quoted(s)
}

impl Recorder {
    /// A recorder that does nothing until given a sink or told to learn.
    pub fn new() -> Self {
        Self::default()
    }

    /// Writes every decision to `sink` as JSON lines.
    pub fn with_audit(self, sink: impl Write + Send + 'static) -> Self {
        self.lock().audit = Some(Box::new(sink));
        self
    }

    /// Remembers what the guest did, for [`Recorder::learned_policy`].
    pub fn learning(self) -> Self {
        self.lock().learning = true;
        self
    }

    fn lock(&self) -> MutexGuard<'_, RecorderInner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether this recorder learns a policy (every decision counts).
    pub fn is_learning(&self) -> bool {
        self.lock().learning
    }

    /// Records one decision (`enforced`: a denial was enforced).
    pub fn record(&self, d: &Decision, source: Source, enforced: bool) {
        let mut r = self.lock();
        if r.learning {
            if source == Source::WasiSockets {
                r.wasi_sockets = true;
            }
            for t in &d.learn {
                r.learned.insert((d.use_, t.to_string()));
            }
            if d.use_ == Use::Resolve {
                let name = d.subject.trim_matches('"').to_string();
                r.learned_resolve.insert(name);
            }
        }
        if let Some(w) = r.audit.as_mut() {
            let line = format!(
                "{{\"source\":{},\"use\":{},\"transport\":{},\"subject\":{},\"allowed\":{},\"enforced\":{},\"rule\":{},\"detail\":{}}}\n",
                json(source.name()),
                json(d.use_.name()),
                d.transport.map_or("null".into(), |t| json(&t.to_string())),
                json(&d.subject),
                d.allowed,
                enforced,
                d.rule.as_deref().map_or("null".into(), json),
                json(&d.detail()),
            );
            if w.write_all(line.as_bytes())
                .and_then(|()| w.flush())
                .is_err()
            {
                tracing::warn!(target: "wasock::policy", "writing the audit record failed");
            }
        }
    }

    /// Records a grant decision (`kind` `create` for a socket family or
    /// type, `option` for a guarded option): an audit line, and in learn
    /// mode the grant (`learn`: `option SO_MARK`, `raw 1`, `family packet`,
    /// `netlink 4`).
    pub fn record_grant(
        &self,
        kind: &str,
        subject: &str,
        allowed: bool,
        enforced: bool,
        detail: &str,
        learn: Option<(&str, &str)>,
    ) {
        let mut r = self.lock();
        if r.learning {
            match learn {
                Some(("option", k)) => {
                    r.learned_options.insert(k.to_string());
                }
                Some(("raw", n)) => {
                    if let Ok(n) = n.parse() {
                        r.learned_raw.insert(n);
                    }
                }
                Some(("family", f)) => {
                    r.learned_families.insert(f.to_string());
                }
                Some(("netlink", n)) => {
                    if let Ok(n) = n.parse() {
                        r.learned_netlink.insert(n);
                    }
                }
                _ => {}
            }
        }
        if let Some(w) = r.audit.as_mut() {
            let line = format!(
                "{{\"source\":\"wasock\",\"use\":{},\"transport\":null,\"subject\":{},\"allowed\":{allowed},\"enforced\":{enforced},\"rule\":null,\"detail\":{}}}\n",
                json(kind),
                json(subject),
                json(detail),
            );
            if w.write_all(line.as_bytes())
                .and_then(|()| w.flush())
                .is_err()
            {
                tracing::warn!(target: "wasock::policy", "writing the audit record failed");
            }
        }
    }

    /// In learn mode, remembers an abstract AF_UNIX name the guest used
    /// (bind, connect, send-to), learnt as an exact name. The empty name
    /// and names that are not UTF-8 (which a policy file cannot spell
    /// exactly) are never learnt: the learnt policy denies them.
    pub(crate) fn learn_abstract(&self, name: &[u8]) {
        let mut r = self.lock();
        if r.learning && !name.is_empty() && std::str::from_utf8(name).is_ok() {
            r.learned_abstract.insert(name.to_vec());
        }
    }

    /// In learn mode, remembers an AF_UNIX path the guest used (`use_`:
    /// bind, connect or send-to), as the guest spelt it. A policy grants a
    /// directory, never single paths, so these are reported beside the
    /// learnt policy ([`Recorder::learned_unix_paths`]), not learnt into it.
    pub(crate) fn learn_unix_path(&self, use_: Use, path: &[u8]) {
        let mut r = self.lock();
        if r.learning && r.learned_unix_paths.len() < MAX_LEARNED_PATHS {
            let shown = crate::types::shorten(&String::from_utf8_lossy(path)).into_owned();
            r.learned_unix_paths.insert((use_, shown));
        }
    }

    /// The AF_UNIX paths the guest used in learn mode, with their use
    /// (at most [`MAX_LEARNED_PATHS`]), relative to the granted directory.
    pub fn learned_unix_paths(&self) -> Vec<(Use, String)> {
        self.lock().learned_unix_paths.iter().cloned().collect()
    }

    /// In learn mode, remembers a generic netlink family the guest
    /// addressed (`nlctrl` for its lookups), learnt as a family grant in
    /// place of the whole `generic` protocol.
    pub(crate) fn learn_genl(&self, name: &str) {
        let mut r = self.lock();
        if r.learning && r.learned_genl.len() < 64 {
            r.learned_genl.insert(name.to_string());
        }
    }

    /// In learn mode, remembers that the guest passed or received sockets
    /// with SCM_RIGHTS.
    pub(crate) fn learn_fd_passing(&self) {
        let mut r = self.lock();
        if r.learning {
            r.learned_fd_passing = true;
        }
    }

    /// The narrowest policy that allows everything recorded so far: exact
    /// addresses and ports (peers of accept / recv-from with any port),
    /// the names looked up, the guarded options set, the abstract AF_UNIX
    /// names used and SCM_RIGHTS if used. No implied rules.
    pub fn learned_policy(&self) -> Policy {
        let r = self.lock();
        let mut p = Policy::deny_all().allow_wasi_sockets(r.wasi_sockets);
        for (u, t) in &r.learned {
            if let Ok(t) = t.parse::<Target>() {
                p = p.allow_exact(*u, t);
            }
        }
        for n in &r.learned_resolve {
            if let Ok(q) = p.clone().allow_resolve(n) {
                p = q;
            }
        }
        for o in &r.learned_options {
            if let Ok(q) = p.clone().allow_option(o) {
                p = q;
            }
        }
        p.grants.raw.extend(r.learned_raw.iter().copied());
        p.grants.families.extend(r.learned_families.iter().cloned());
        p.grants.netlink.extend(r.learned_netlink.iter().copied());
        if p.grants.netlink.remove(&crate::policy::NETLINK_GENERIC) {
            // The generic netlink families used, not every family (nlctrl's
            // lookups only, if the guest addressed none).
            if r.learned_genl.is_empty() {
                p.grants.genl.insert("nlctrl".to_string());
            }
            p.grants.genl.extend(r.learned_genl.iter().cloned());
        }
        // Each abstract name exactly (a prefix `app` would admit
        // `app-admin`); a directory for AF_UNIX paths is the embedder's to
        // grant, never learnt (the CLI carries over the one the run had).
        for name in &r.learned_abstract {
            p = p.allow_abstract_name(name);
        }
        p.allow_fd_passing(r.learned_fd_passing)
    }
}
