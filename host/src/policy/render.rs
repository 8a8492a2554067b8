//! Printing a policy back as TOML (`wasock policy check`,
//! `--print-policy`, learn mode): implied rules as comments.

use super::{quoted, Policy, Use};
use std::fmt::Write as _;

fn list(out: &mut String, key: &str, items: &[String]) {
    if items.is_empty() {
        return;
    }
    let items: Vec<String> = items.iter().map(|i| quoted(i)).collect();
    let _ = writeln!(out, "{key} = [{}]", items.join(", "));
}

/// The policy as a TOML file (implied rules as comments).
pub(super) fn render(p: &Policy) -> String {
    let mut out = String::from("[network]\n");
    for u in Use::ALL {
        if u == Use::Resolve {
            continue;
        }
        for allow in [true, false] {
            let items: Vec<String> = p
                .rules
                .iter()
                .filter(|r| r.use_ == u && r.allow == allow && r.implied_by.is_none())
                .map(|r| r.target.to_string())
                .collect();
            list(
                &mut out,
                &format!("{}-{u}", if allow { "allow" } else { "deny" }),
                &items,
            );
        }
        let explicit = p.has_explicit(u);
        for r in p
            .rules
            .iter()
            .filter(|r| r.use_ == u && r.implied_by.is_some())
        {
            let _ = writeln!(
                out,
                "# {r}{}",
                if explicit && r.allow {
                    " — inactive: the policy has explicit allow rules of this use"
                } else {
                    ""
                }
            );
        }
    }
    for allow in [true, false] {
        let items: Vec<String> = p
            .resolve
            .iter()
            .filter(|(a, _)| *a == allow)
            .map(|(_, n)| n.clone())
            .collect();
        list(
            &mut out,
            if allow {
                "allow-resolve"
            } else {
                "deny-resolve"
            },
            &items,
        );
    }
    // A connect / send-to rule naming a host implies looking it up.
    let mut implied: Vec<String> = Vec::new();
    for r in p.rules.iter().filter(|r| {
        r.allow && matches!(r.use_, Use::Connect | Use::SendTo) && r.implied_by.is_none()
    }) {
        if let super::HostPattern::Name(n) = &r.target.host {
            let line = format!(
                "# allow-resolve {n} (implied by allow-{} {})",
                r.use_, r.target
            );
            if !implied.contains(&line) {
                implied.push(line);
            }
        }
    }
    for line in implied {
        let _ = writeln!(out, "{line}");
    }
    let _ = writeln!(out, "udp-reply = {}", p.udp_reply);
    let _ = writeln!(out, "wasi-sockets = {}", p.wasi_sockets);
    let _ = writeln!(out, "audit-only = {}", p.audit_only);
    out.push_str("\n[families]\n");
    let protocols = |set: &std::collections::BTreeSet<i32>| -> Vec<String> {
        set.iter()
            .map(|n| if *n < 0 { "*".into() } else { n.to_string() })
            .collect()
    };
    list(&mut out, "raw", &protocols(&p.grants.raw));
    list(&mut out, "deny-raw", &protocols(&p.grants.denied_raw));
    let fams: Vec<String> = p.grants.families.iter().cloned().collect();
    list(&mut out, "allow", &fams);
    let fams: Vec<String> = p.grants.denied_families.iter().cloned().collect();
    list(&mut out, "deny", &fams);
    let netlink = |set: &std::collections::BTreeSet<i32>| -> Vec<String> {
        set.iter()
            .map(|n| super::netlink_protocol_name(*n))
            .collect()
    };
    list(&mut out, "netlink", &netlink(&p.grants.netlink));
    list(&mut out, "deny-netlink", &netlink(&p.grants.denied_netlink));
    let genl: Vec<String> = p.grants.genl.iter().cloned().collect();
    list(&mut out, "genl", &genl);
    let genl: Vec<String> = p.grants.denied_genl.iter().cloned().collect();
    list(&mut out, "deny-genl", &genl);
    out.push_str("\n[options]\n");
    let opts: Vec<String> = p.options.iter().cloned().collect();
    list(&mut out, "allow", &opts);
    let opts: Vec<String> = p.denied_options().map(str::to_string).collect();
    list(&mut out, "deny", &opts);
    let l = &p.limits;
    out.push_str("\n[limits]\n");
    let _ = writeln!(out, "max-sockets = {}", l.max_sockets);
    let _ = writeln!(out, "max-recv = {}", l.max_recv);
    let _ = writeln!(out, "max-backlog = {}", l.max_backlog);
    if let Some(n) = l.connections_per_second {
        let _ = writeln!(out, "connections-per-second = {n}");
    }
    if let Some(n) = l.send_bytes_per_second {
        let _ = writeln!(out, "send-bytes-per-second = {n}");
    }
    if let Some(t) = l.wall_time {
        let _ = writeln!(out, "wall-time-ms = {}", t.as_millis());
    }
    if let Some(m) = l.max_memory {
        let _ = writeln!(out, "max-memory = {m}");
    }
    let u = p.unix();
    out.push_str("\n[unix]\n");
    if let Some(d) = u.dir_host_path() {
        let _ = writeln!(out, "dir = {}", quoted(&d.display().to_string()));
    }
    let prefixes: Vec<String> = u
        .abstract_prefixes()
        .iter()
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect();
    list(&mut out, "allow-abstract", &prefixes);
    let names: Vec<String> = u
        .abstract_names()
        .iter()
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .collect();
    list(&mut out, "allow-abstract-name", &names);
    let prefixes: Vec<String> = u
        .denied_abstract_prefixes()
        .iter()
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect();
    list(&mut out, "deny-abstract", &prefixes);
    let _ = writeln!(out, "fd-passing = {}", u.fd_passing());
    out
}
