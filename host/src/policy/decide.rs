//! Decisions: matching an address against the rules, as the kernel
//! delivers it (see the module doc of `policy`), for each use —
//! destinations, local addresses, peers, multicast groups, names to
//! resolve — each returning a [`Decision`] with its hint.

use super::rules::{Destination, Resolutions, Rule, Use};
use super::target::Transport;
use super::target::{canonical_ip, name_matches, HostPattern, Target};
use super::Policy;
use crate::types::SocketError;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// The outcome of one check: what was asked, whether it is allowed, and
/// why. Callers log it (target `wasock::policy`), audit it, and turn a
/// denial into the guest's PermissionError with [`Decision::result`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Allowed by the rules.
    pub allowed: bool,
    /// The use asked for.
    pub use_: Use,
    /// The transport, for address uses.
    pub transport: Option<Transport>,
    /// What was asked about: an address (`127.0.0.1:80`), a name, a group.
    pub subject: String,
    /// The rule that decided (`deny-connect tcp://127.0.0.0/8:*`), or
    /// `None` when no rule covered it.
    pub rule: Option<String>,
    /// More on why (e.g. what the address was judged as).
    pub note: Option<String>,
    /// The flag that would allow it, for a denial no deny rule made.
    pub hint: Option<String>,
    /// The narrowest targets that allow this use (for learn mode): every
    /// address it was judged as.
    pub learn: Vec<Target>,
}

impl Decision {
    /// The denial's message: use, subject, transport, rule, hint.
    pub fn detail(&self) -> String {
        let mut s = format!("{} {}", self.use_.phrase(), self.subject);
        if let Some(t) = self.transport {
            s.push_str(&format!(" ({t})"));
        }
        if self.allowed {
            s.push_str(" allowed");
            if let Some(r) = &self.rule {
                s.push_str(&format!(" by rule {r}"));
            }
            return s;
        }
        s.push_str(" denied by policy: ");
        match &self.rule {
            Some(r) => s.push_str(&format!("denied by rule {r}")),
            None => s.push_str("no rule allows it"),
        }
        if let Some(n) = &self.note {
            s.push_str(&format!(" ({n})"));
        }
        if let Some(h) = &self.hint {
            s.push_str(&format!("; allow with {h}"));
        }
        s
    }

    /// `Ok` when allowed; else the guest's PermissionError (errno 13).
    pub fn result(&self) -> Result<(), SocketError> {
        if self.allowed {
            Ok(())
        } else {
            Err(SocketError::policy(self.detail()))
        }
    }
}

pub(super) fn with_transport(t: Option<Transport>, host: HostPattern, ports: (u16, u16)) -> Target {
    Target {
        transport: t,
        host,
        ports,
    }
}

pub(super) fn loopback(v4: bool) -> IpAddr {
    if v4 {
        IpAddr::V4(Ipv4Addr::LOCALHOST)
    } else {
        IpAddr::V6(Ipv6Addr::LOCALHOST)
    }
}

/// The IPv4 address inside a NAT64 (`64:ff9b::/96`, `64:ff9b:1::/48`) or
/// IPv4-compatible (`::a.b.c.d`, not `::` or `::1`) IPv6 address.
pub(super) fn embedded_ipv4(ip: IpAddr) -> Option<Ipv4Addr> {
    let IpAddr::V6(v6) = ip else { return None };
    let s = v6.segments();
    let v4 = Ipv4Addr::from(u32::from(s[6]) << 16 | u32::from(s[7]));
    let nat64 =
        s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] || (s[0] == 0x64 && s[1] == 0xff9b && s[2] == 1);
    let compat = s[..6] == [0; 6] && u32::from(v4) > 1;
    (nat64 || compat).then_some(v4)
}

pub(super) fn show_addr(a: SocketAddr) -> String {
    SocketAddr::new(canonical_ip(a.ip()), a.port()).to_string()
}

impl Policy {
    /// Whether the policy has an explicit allow rule for `use_`.
    pub(super) fn has_explicit(&self, use_: Use) -> bool {
        self.rules
            .iter()
            .any(|r| r.allow && r.use_ == use_ && r.implied_by.is_none())
    }

    /// The rules that count for `use_` (implied ones only while no explicit
    /// allow rule of the use exists).
    pub(super) fn active(&self, use_: Use) -> impl Iterator<Item = &Rule> {
        let explicit = self.has_explicit(use_);
        self.rules
            .iter()
            .filter(move |r| r.use_ == use_ && (r.implied_by.is_none() || !r.allow || !explicit))
    }

    /// Whether a name rule's pattern admits `ip` through a lookup.
    pub(super) fn name_admits(target: &Target, ip: IpAddr, resolved: &Resolutions) -> bool {
        match &target.host {
            HostPattern::Name(pat) => resolved.names(ip).any(|n| name_matches(pat, n)),
            _ => false,
        }
    }

    pub(super) fn covers(r: &Rule, t: Transport, a: SocketAddr, resolved: &Resolutions) -> bool {
        r.target.matches(t, a)
            || (r.target.transport_and_port(t, a.port())
                && Self::name_admits(&r.target, a.ip(), resolved))
    }

    pub(super) fn decision(
        &self,
        use_: Use,
        transport: Option<Transport>,
        subject: String,
        rule: Option<&Rule>,
        allowed: bool,
    ) -> Decision {
        Decision {
            allowed,
            use_,
            transport,
            subject,
            rule: rule.map(|r| {
                let mut r = r.clone();
                r.implied_by = None;
                r.to_string()
            }),
            note: None,
            hint: None,
            learn: Vec::new(),
        }
    }

    /// Whether `use_` of `addr` over `transport` is allowed, judging the
    /// address literally (no delivery analysis). For tests and tools; the
    /// socket calls use the `decide_*` functions.
    pub fn permits(&self, use_: Use, transport: Transport, addr: SocketAddr) -> bool {
        self.judge(use_, transport, &[addr], &[addr], &Resolutions::default())
            .0
    }

    /// Judges `candidates` (all must be allowed) and `deny_also` (any deny
    /// refuses). Returns (allowed, deciding rule, first uncovered address).
    pub(super) fn judge(
        &self,
        use_: Use,
        t: Transport,
        candidates: &[SocketAddr],
        deny_also: &[SocketAddr],
        resolved: &Resolutions,
    ) -> (bool, Option<&Rule>, Option<SocketAddr>) {
        let rules: Vec<&Rule> = self.active(use_).collect();
        for r in rules.iter().filter(|r| !r.allow) {
            if candidates
                .iter()
                .chain(deny_also)
                .any(|a| Self::covers(r, t, *a, resolved))
            {
                return (false, Some(r), None);
            }
        }
        let mut last = None;
        for a in candidates {
            match rules
                .iter()
                .find(|r| r.allow && Self::covers(r, t, *a, resolved))
            {
                Some(r) => last = Some(*r),
                None => return (false, None, Some(*a)),
            }
        }
        (last.is_some(), last, None)
    }

    /// Decides a use of a remote address (`connect`, `send-to`), judging
    /// it by where the kernel delivers it (see the module docs). `replied`:
    /// the peer has sent this socket a datagram (for the UDP reply rule).
    pub fn decide_destination(
        &self,
        use_: Use,
        transport: Transport,
        dest: Destination,
        resolved: &Resolutions,
        replied: bool,
    ) -> Decision {
        let addr = SocketAddr::new(canonical_ip(dest.addr.ip()), dest.addr.port());
        let ip = addr.ip();
        let v4 = ip.is_ipv4();
        let lo = SocketAddr::new(loopback(v4), addr.port());
        let mut candidates = Vec::new();
        let mut note = None;
        if ip.is_unspecified() {
            candidates.push(lo);
            if let Some(b) = dest.bound.map(canonical_ip) {
                if !b.is_unspecified() && b.is_ipv4() == v4 && b != lo.ip() {
                    candidates.push(SocketAddr::new(b, addr.port()));
                }
            }
            note = Some(format!("the unspecified address delivers to {lo}"));
        } else {
            candidates.push(addr);
            if (ip.is_loopback() || dest.host_local) && ip != lo.ip() {
                candidates.push(lo);
                note = Some(format!(
                    "{ip} is this host's: it reaches this host's wildcard listeners as {lo} does, so it is judged as {lo} too"
                ));
            }
            if let Some(v4) = embedded_ipv4(ip) {
                // A NAT64 gateway (or an IPv4-compatible route) delivers it
                // to the IPv4 address: judged as that too, and as loopback
                // when that is loopback.
                let a4 = SocketAddr::new(IpAddr::V4(v4), addr.port());
                candidates.push(a4);
                if v4.is_loopback() || v4.is_unspecified() {
                    candidates.push(SocketAddr::new(loopback(true), addr.port()));
                }
                note = Some(format!("{ip} embeds {v4}, judged as {v4} too"));
            }
        }
        // Deny-only: a loopback destination also reaches a dual-stack [::]
        // listener as the other family's loopback, and a multicast one (with
        // IP_MULTICAST_LOOP, on by default) this host's members: a deny rule
        // naming loopback (either family) refuses them too.
        let mut deny_also = vec![addr];
        let multicast = ip.is_multicast();
        if multicast || candidates.iter().any(|c| c.ip().is_loopback()) {
            for v4 in [true, false] {
                deny_also.push(SocketAddr::new(loopback(v4), addr.port()));
            }
        }
        let (mut allowed, rule, uncovered) =
            self.judge(use_, transport, &candidates, &deny_also, resolved);
        if multicast && rule.is_some_and(|r| !r.allow) && note.is_none() {
            note = Some(format!(
                "{ip} is multicast: this host's members receive it (IP_MULTICAST_LOOP)"
            ));
        }
        if !allowed && rule.is_none() && replied && self.udp_reply && transport == Transport::Udp {
            allowed = true;
            note = Some("the peer wrote to this socket (udp reply rule)".into());
        }
        if let Some(u) = uncovered.filter(|u| !allowed && *u != addr) {
            // The address itself may be allowed (by an address rule, or a
            // name it was looked up as); another address it is judged as
            // is not: say which, and why.
            let by = self
                .active(use_)
                .find(|r| r.allow && Self::covers(r, transport, addr, resolved));
            let mut n = note.take().unwrap_or_default();
            n.push_str(&format!("; no rule allows {u}"));
            if let Some(r) = by {
                let mut r = r.clone();
                r.implied_by = None;
                n.push_str(&format!(", although {r} allows {addr}"));
                let names: Vec<&str> = resolved.names(addr.ip()).collect();
                if matches!(r.target.host, HostPattern::Name(_)) && !names.is_empty() {
                    n.push_str(&format!(" (looked up as {})", names.join(", ")));
                }
            }
            note = Some(n);
        }
        let mut d = self.decision(use_, Some(transport), show_addr(dest.addr), rule, allowed);
        d.note = note;
        let target = uncovered.unwrap_or(addr);
        if !allowed && d.rule.is_none() {
            d.hint = Some(self.hint(
                &format!("allow-{}", use_.name()),
                &Target::exact(transport, target).to_string(),
            ));
        }
        d.learn = candidates
            .iter()
            .map(|a| Target::exact(transport, *a))
            .collect();
        if ip.is_unspecified() {
            // The literal too, so that a deny of it stays visible.
            d.learn.push(Target::exact(transport, addr));
        }
        d
    }

    /// Decides a use of a local address (`bind`, `listen`). A wildcard
    /// address needs its whole family allowed, and both families when
    /// `dual_stack` (an IPv6 socket with IPV6_V6ONLY off).
    pub fn decide_local(
        &self,
        use_: Use,
        transport: Transport,
        addr: SocketAddr,
        dual_stack: bool,
    ) -> Decision {
        let ip = canonical_ip(addr.ip());
        let port = addr.port();
        let subject = show_addr(addr);
        if !ip.is_unspecified() {
            let a = SocketAddr::new(ip, port);
            let (allowed, rule, _) =
                self.judge(use_, transport, &[a], &[a], &Resolutions::default());
            let mut d = self.decision(use_, Some(transport), subject, rule, allowed);
            if !allowed && d.rule.is_none() {
                d.hint = Some(self.hint(
                    &format!("allow-{}", use_.name()),
                    &Target::exact(transport, a).to_string(),
                ));
            }
            d.learn = vec![Target::exact(transport, a)];
            return d;
        }
        // A wildcard: judged per family it receives on.
        let mut families = vec![ip.is_ipv4()];
        if dual_stack && !ip.is_ipv4() {
            families.push(true);
        }
        let rules: Vec<&Rule> = self.active(use_).collect();
        for v4 in &families {
            let wild = SocketAddr::new(
                if *v4 {
                    IpAddr::V4(Ipv4Addr::UNSPECIFIED)
                } else {
                    IpAddr::V6(Ipv6Addr::UNSPECIFIED)
                },
                port,
            );
            let note = if dual_stack {
                Some("a dual-stack [::] socket (IPV6_V6ONLY off) receives on every IPv4 and IPv6 address".to_string())
            } else {
                Some(format!(
                    "a wildcard bind receives on every IPv{} address",
                    if *v4 { 4 } else { 6 }
                ))
            };
            if let Some(r) = rules.iter().find(|r| {
                !r.allow
                    && r.target.transport_and_port(transport, port)
                    && r.target.touches_family(*v4)
            }) {
                let mut d = self.decision(use_, Some(transport), subject, Some(r), false);
                d.note = note;
                return d;
            }
            if !rules.iter().any(|r| {
                r.allow
                    && r.target.transport_and_port(transport, port)
                    && r.target.covers_family(*v4)
            }) {
                let mut d = self.decision(use_, Some(transport), subject, None, false);
                d.note = note;
                d.hint = Some(format!(
                    "{}{}",
                    self.hint(
                        &format!("allow-{}", use_.name()),
                        &Target::exact(transport, wild).to_string()
                    ),
                    if dual_stack && !*v4 {
                        ""
                    } else if dual_stack {
                        " (or set IPV6_V6ONLY before binding)"
                    } else {
                        ""
                    }
                ));
                return d;
            }
        }
        let rule = rules.iter().find(|r| {
            r.allow
                && r.target.transport_and_port(transport, port)
                && r.target.covers_family(families[0])
        });
        let mut d = self.decision(use_, Some(transport), subject, rule.copied(), true);
        d.learn = families
            .iter()
            .map(|v4| {
                let wild: IpAddr = if *v4 {
                    Ipv4Addr::UNSPECIFIED.into()
                } else {
                    Ipv6Addr::UNSPECIFIED.into()
                };
                Target::exact(transport, SocketAddr::new(wild, port))
            })
            .collect();
        d
    }

    /// Decides a peer (`accept`, `recv-from`): judged as the address the
    /// kernel reports.
    pub fn decide_peer(
        &self,
        use_: Use,
        transport: Transport,
        peer: SocketAddr,
        resolved: &Resolutions,
    ) -> Decision {
        let a = SocketAddr::new(canonical_ip(peer.ip()), peer.port());
        let (allowed, rule, _) = self.judge(use_, transport, &[a], &[a], resolved);
        let mut d = self.decision(use_, Some(transport), show_addr(peer), rule, allowed);
        let learned = Target::exact(transport, a).any_port();
        if !allowed && d.rule.is_none() {
            d.hint = Some(self.hint(&format!("allow-{}", use_.name()), &learned.to_string()));
        }
        d.learn = vec![learned];
        d
    }

    /// Checks a use of `addr` with what the policy alone knows (no host
    /// addresses, no lookups, no dual stack): destinations as
    /// [`Policy::decide_destination`], local addresses as
    /// [`Policy::decide_local`], peers as [`Policy::decide_peer`]. The
    /// error is the guest's PermissionError, naming the rule or the flag.
    pub fn check(
        &self,
        use_: Use,
        transport: Transport,
        addr: SocketAddr,
    ) -> Result<(), SocketError> {
        let none = Resolutions::default();
        match use_ {
            Use::Connect | Use::SendTo => {
                self.decide_destination(use_, transport, Destination::remote(addr), &none, false)
            }
            Use::Bind | Use::Listen => self.decide_local(use_, transport, addr, false),
            Use::Join => self.decide_join(addr.ip()),
            _ => self.decide_peer(use_, transport, addr, &none),
        }
        .result()
    }

    /// Whether peers of `use_` over `transport` need checking at all (false
    /// when an active allow rule covers every address and port and no
    /// deny rule exists): lets receives skip the per-datagram check.
    pub fn filters_peers(&self, use_: Use, transport: Transport) -> bool {
        let mut any_all = false;
        for r in self.active(use_) {
            if r.target.transport.is_some_and(|t| t != transport) {
                continue;
            }
            if !r.allow {
                return true;
            }
            if r.target.host == HostPattern::Any && r.target.ports == (0, u16::MAX) {
                any_all = true;
            }
        }
        !any_all
    }

    /// Decides joining the multicast group `group` (ports of join rules are
    /// ignored).
    pub fn decide_join(&self, group: IpAddr) -> Decision {
        let a = SocketAddr::new(canonical_ip(group), 0);
        let rules: Vec<&Rule> = self.active(Use::Join).collect();
        let hit = |allow: bool| {
            rules.iter().find(|r| {
                r.allow == allow
                    && r.target.transport.is_none_or(|t| t == Transport::Udp)
                    && r.target.covers_ip(a.ip())
            })
        };
        let (allowed, rule) = match (hit(false), hit(true)) {
            (Some(d), _) => (false, Some(*d)),
            (None, Some(a)) => (true, Some(*a)),
            (None, None) => (false, None),
        };
        let subject = a.ip().to_string();
        let mut d = self.decision(Use::Join, Some(Transport::Udp), subject, rule, allowed);
        let t = Target::exact(Transport::Udp, a).any_port();
        if !allowed && d.rule.is_none() {
            d.hint = Some(self.hint("allow-join", &t.to_string()));
        }
        d.learn = vec![t];
        d
    }

    /// The allow rule naming a host that implies looking `name` up: a
    /// `connect` or `send-to` rule whose host pattern matches it (a rule
    /// naming a host can only match after the name is looked up). Deny
    /// rules of `resolve` still win.
    pub(super) fn resolve_implied_by(&self, name: &str) -> Option<&Rule> {
        [Use::Connect, Use::SendTo].into_iter().find_map(|u| {
            self.active(u).find(|r| {
                r.allow && matches!(&r.target.host, HostPattern::Name(p) if name_matches(p, name))
            })
        })
    }

    /// Decides a lookup of the host name `name`: the `resolve` rules, and
    /// failing them an allow rule of `connect` or `send-to` naming it.
    pub fn decide_resolve(&self, name: &str) -> Decision {
        let n = name.trim_end_matches('.').to_ascii_lowercase();
        let hit = |allow: bool| {
            self.resolve
                .iter()
                .find(|(a, p)| *a == allow && (p == "*" || name_matches(p, &n)))
        };
        let (allowed, rule) = match (hit(false), hit(true)) {
            (Some((_, p)), _) => (false, Some(format!("deny-resolve {p}"))),
            (None, Some((_, p))) => (true, Some(format!("allow-resolve {p}"))),
            (None, None) => match self.resolve_implied_by(&n) {
                Some(r) => (
                    true,
                    Some(format!(
                        "allow-resolve (implied by allow-{} {})",
                        r.use_, r.target
                    )),
                ),
                None => (false, None),
            },
        };
        let shown = crate::types::shorten(name).into_owned();
        Decision {
            allowed,
            use_: Use::Resolve,
            transport: None,
            subject: format!("{shown:?}"),
            hint: (!allowed && rule.is_none()).then(|| self.hint("allow-resolve", &shown)),
            rule,
            note: None,
            learn: Vec::new(),
        }
    }

    /// Contract for name resolution: may the guest look up `name`? The
    /// error names the name and the rule (or that none allows it).
    pub fn check_resolve(&self, name: &str) -> Result<(), SocketError> {
        self.decide_resolve(name).result()
    }
}
