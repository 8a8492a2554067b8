//! The builder: rules for every address use (`allow_*` / `deny_*`), name
//! resolution patterns, the UDP reply rule, wasi:sockets, audit-only mode,
//! and what a policy asks that the host cannot enforce.

use super::decide::with_transport;
use super::rules::{Rule, Use};
use super::target::Transport;
use super::target::{HostPattern, Target, TargetParseError};
use super::Policy;

impl Policy {
    /// The rules, in order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub(super) fn push(
        mut self,
        allow: bool,
        use_: Use,
        target: Target,
        implied_by: Option<Use>,
    ) -> Self {
        let rule = Rule {
            allow,
            use_,
            target,
            implied_by,
        };
        if !self.rules.contains(&rule) {
            self.rules.push(rule);
        }
        self
    }

    /// Allows `use_` of addresses matching `target`. The legacy uses imply
    /// others (shown by `wasock policy check`): `bind` implies `listen` on
    /// the target and `accept` / `recv-from` from any peer (same
    /// transport); `connect` implies `send-to` and `recv-from` of the
    /// target. Implied rules count only while the policy has no explicit
    /// allow rule of their use.
    pub fn allow(self, use_: Use, target: Target) -> Self {
        let t = target.transport;
        let p = self.push(true, use_, target.clone(), None);
        match use_ {
            Use::Bind => {
                let any = |tr| with_transport(tr, HostPattern::Any, (0, u16::MAX));
                let p = p.push(true, Use::Listen, target, Some(Use::Bind));
                let (acc, rcv) = match t {
                    Some(Transport::Tcp) => (Some(Transport::Tcp), None),
                    Some(tr @ (Transport::Udp | Transport::Raw)) => (None, Some(tr)),
                    None => (Some(Transport::Tcp), Some(Transport::Udp)),
                };
                let p = match acc {
                    Some(tr) => p.push(true, Use::Accept, any(Some(tr)), Some(Use::Bind)),
                    None => p,
                };
                match rcv {
                    Some(tr) => p.push(true, Use::RecvFrom, any(Some(tr)), Some(Use::Bind)),
                    None => p,
                }
            }
            Use::Connect => {
                let p = p.push(true, Use::SendTo, target.clone(), Some(Use::Connect));
                if t == Some(Transport::Tcp) {
                    p
                } else {
                    p.push(true, Use::RecvFrom, target, Some(Use::Connect))
                }
            }
            _ => p,
        }
    }

    /// Allows exactly `use_` of `target`, implying nothing else.
    pub fn allow_exact(self, use_: Use, target: Target) -> Self {
        self.push(true, use_, target, None)
    }

    /// Denies `use_` of addresses matching `target`, whatever allows it.
    /// As allows do, `bind` also denies `listen` and `connect` also denies
    /// `send-to` of the target (implied deny rules always count).
    pub fn deny(self, use_: Use, target: Target) -> Self {
        let p = self.push(false, use_, target.clone(), None);
        match use_ {
            Use::Bind => p.push(false, Use::Listen, target, Some(Use::Bind)),
            Use::Connect => p.push(false, Use::SendTo, target, Some(Use::Connect)),
            _ => p,
        }
    }

    /// Allows `use_` of the target string, e.g.
    /// `allow_str(Use::Connect, "tcp://127.0.0.1:80")`.
    pub fn allow_str(self, use_: Use, target: &str) -> Result<Self, TargetParseError> {
        Ok(self.allow(use_, target.parse()?))
    }

    /// Denies `use_` of the target string.
    pub fn deny_str(self, use_: Use, target: &str) -> Result<Self, TargetParseError> {
        Ok(self.deny(use_, target.parse()?))
    }
}

/// The symmetric builder: `allow_<use>` / `deny_<use>` for every address
/// use, each taking a target string.
macro_rules! builder {
    ($($use_:ident: $allow:ident, $deny:ident;)*) => {
        impl Policy {
            $(
                #[doc = concat!("Allows `", stringify!($use_), "` of the target string (see [`Target`]).")]
                pub fn $allow(self, target: &str) -> Result<Self, TargetParseError> {
                    self.allow_str(Use::$use_, target)
                }
                #[doc = concat!("Denies `", stringify!($use_), "` of the target string, whatever allows it.")]
                pub fn $deny(self, target: &str) -> Result<Self, TargetParseError> {
                    self.deny_str(Use::$use_, target)
                }
            )*
        }
    };
}

builder! {
    Bind: allow_bind, deny_bind;
    Listen: allow_listen, deny_listen;
    Accept: allow_accept, deny_accept;
    Connect: allow_connect, deny_connect;
    SendTo: allow_send_to, deny_send_to;
    RecvFrom: allow_recv_from, deny_recv_from;
    Join: allow_join, deny_join;
}

/// A resolve pattern that does not parse.
pub(super) fn resolve_pattern(p: &str) -> Result<String, TargetParseError> {
    let s = p.trim().trim_end_matches('.').to_ascii_lowercase();
    let ok = s == "*" || {
        let body = s.strip_prefix("*.").unwrap_or(&s);
        !body.is_empty()
            && body.len() <= 253
            && body.split('.').all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && l.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            })
    };
    if ok {
        Ok(s)
    } else {
        Err(TargetParseError(format!(
            "invalid resolve pattern {:?} (expected a host name, *.domain, or *)",
            crate::types::shorten(p)
        )))
    }
}

impl Policy {
    /// Allows looking up names matching `pattern` (`api.example.com`,
    /// `*.example.com`, `*`).
    pub fn allow_resolve(mut self, pattern: &str) -> Result<Self, TargetParseError> {
        let p = resolve_pattern(pattern)?;
        if !self.resolve.contains(&(true, p.clone())) {
            self.resolve.push((true, p));
        }
        Ok(self)
    }

    /// Denies looking up names matching `pattern`, whatever allows it.
    pub fn deny_resolve(mut self, pattern: &str) -> Result<Self, TargetParseError> {
        let p = resolve_pattern(pattern)?;
        if !self.resolve.contains(&(false, p.clone())) {
            self.resolve.push((false, p));
        }
        Ok(self)
    }

    /// The resolve rules: (allow, pattern).
    pub fn resolve_rules(&self) -> &[(bool, String)] {
        &self.resolve
    }

    /// Lets a UDP socket send to any peer that has sent it a datagram
    /// (the reply rule for UDP servers), deny rules still applying.
    pub fn allow_udp_reply(mut self, yes: bool) -> Self {
        self.udp_reply = yes;
        self
    }

    /// Whether the UDP reply rule is on.
    pub fn udp_reply(&self) -> bool {
        self.udp_reply
    }

    /// Lets guests that use `wasi:sockets` (Rust's `std::net`) reach the
    /// network, under the same rules as wasock sockets. Off by default.
    pub fn allow_wasi_sockets(mut self, yes: bool) -> Self {
        self.wasi_sockets = yes;
        self
    }

    /// Whether `wasi:sockets` is enabled (see [`Policy::allow_wasi_sockets`]).
    pub fn wasi_sockets_allowed(&self) -> bool {
        self.wasi_sockets
    }

    /// What this policy asks for that the host cannot enforce, if anything:
    /// a `send-bytes-per-second` limit together with wasi:sockets, whose
    /// TCP streams and datagrams the host does not see byte by byte. A
    /// guest could send past the limit through `std::net`, so such a policy
    /// is refused when it is loaded and when a store is made from it. Also
    /// a `wall-time` limit together with wasi:sockets: the epoch deadline
    /// stops guest code and wasock's own waits, but not a guest blocked in
    /// wasmtime-wasi's socket calls (issue 22: seen still running at 6 s
    /// under a 1.5 s limit).
    pub fn unenforceable(&self) -> Option<String> {
        if self.wasi_sockets && self.limits.send_bytes_per_second.is_some() {
            return Some(
                "send-bytes-per-second cannot be enforced on wasi:sockets (std::net) traffic: \
                 a policy with allow-wasi-sockets cannot have it"
                    .into(),
            );
        }
        if self.wasi_sockets && self.limits.wall_time.is_some() {
            return Some(
                "wall-time-ms cannot stop a guest waiting in a wasi:sockets (std::net) call: \
                 wasmtime-wasi's waits are not interrupted by the deadline, so a policy with \
                 allow-wasi-sockets cannot have it (use the wasock crate's sockets, which it stops)"
                    .into(),
            );
        }
        None
    }

    /// Audit (dry-run) mode: every decision is made and logged as usual,
    /// but denials are let through.
    pub fn audit_only(mut self, yes: bool) -> Self {
        self.audit_only = yes;
        self
    }

    /// Whether denials are only logged ([`Policy::audit_only`]).
    pub fn is_audit_only(&self) -> bool {
        self.audit_only
    }
}
