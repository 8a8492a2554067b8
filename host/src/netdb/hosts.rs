//! Names answered from /etc/hosts without the resolver (`localhost`, RFC
//! 6761), and one lookup as a [`Query`] that runs through [`Offload`].

use crate::sys;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The longest /etc/hosts the host reads to decide how to look a name up.
pub(super) const MAX_HOSTS_FILE: u64 = 1 << 20;

/// Whether a line of /etc/hosts (comments stripped, split into its
/// address and names) satisfies `f`.
pub(super) fn etc_hosts_any(
    mut f: impl FnMut(&str, std::str::SplitWhitespace<'_>) -> bool,
) -> bool {
    use std::io::Read;
    let mut text = String::new();
    let read = std::fs::File::open("/etc/hosts")
        .and_then(|f| f.take(MAX_HOSTS_FILE).read_to_string(&mut text));
    if read.is_err() {
        return false;
    }
    text.lines().any(|line| {
        let line = line.split('#').next().unwrap_or("");
        let mut fields = line.split_whitespace();
        match fields.next() {
            Some(addr) => f(addr, fields),
            None => false,
        }
    })
}

/// Whether /etc/hosts names `name` (any letter case, trailing dot ignored).
pub(super) fn in_etc_hosts(name: &str) -> bool {
    let name = name.trim_end_matches('.');
    etc_hosts_any(|_, mut names| names.any(|n| n.trim_end_matches('.').eq_ignore_ascii_case(name)))
}

/// What /etc/hosts says of `localhost` (any letter case): each line's
/// address and its other names, in the file's order (at most 16 lines);
/// the loopback addresses when the file names it nowhere (or cannot be
/// read).
pub(super) fn localhost_lines() -> Vec<(IpAddr, Vec<String>)> {
    let mut found: Vec<(IpAddr, Vec<String>)> = Vec::new();
    etc_hosts_any(|addr, names| {
        let names: Vec<&str> = names.collect();
        let is_local = |n: &&str| n.trim_end_matches('.').eq_ignore_ascii_case("localhost");
        if names.iter().any(is_local) && found.len() < 16 {
            if let Ok(ip) = addr.parse::<IpAddr>() {
                let others = names.iter().filter(|n| !is_local(n)).map(|n| n.to_string());
                found.push((ip, others.collect()));
            }
        }
        false
    });
    if found.is_empty() {
        found = vec![
            (Ipv6Addr::LOCALHOST.into(), Vec::new()),
            (Ipv4Addr::LOCALHOST.into(), Vec::new()),
        ];
    }
    found
}

/// The addresses `lines` (from [`localhost_lines`]) give `localhost` for
/// `family` (0: both), as glibc's files backend gives them: for AF_INET, a `::1` line counts as
/// 127.0.0.1 (repeats kept, as glibc keeps them); for both families,
/// without repeats, IPv6 first (glibc's sorting of loopback addresses).
pub(super) fn localhost_addresses(lines: &[(IpAddr, Vec<String>)], family: i32) -> Vec<IpAddr> {
    if family == libc::AF_INET {
        return lines
            .iter()
            .filter_map(|(ip, _)| match ip {
                IpAddr::V4(_) => Some(*ip),
                IpAddr::V6(v6) if *v6 == Ipv6Addr::LOCALHOST => Some(Ipv4Addr::LOCALHOST.into()),
                IpAddr::V6(_) => None,
            })
            .collect();
    }
    let mut out: Vec<IpAddr> = Vec::new();
    for (ip, _) in lines {
        let wanted = family != libc::AF_INET6 || ip.is_ipv6();
        if wanted && !out.contains(ip) {
            out.push(*ip);
        }
    }
    out.sort_by_key(IpAddr::is_ipv4);
    out
}

/// The other names on `localhost`'s `lines` (glibc's
/// aliases for `gethostbyname_ex("localhost")`), without repeats.
pub(super) fn localhost_aliases(lines: &[(IpAddr, Vec<String>)]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in lines.iter().flat_map(|(_, names)| names) {
        if !out.contains(n) {
            out.push(n.clone());
        }
    }
    out
}

/// Whether /etc/hosts has a line for the address `ip` (so that a reverse
/// lookup of it is answered from the file).
pub(super) fn address_in_etc_hosts(ip: IpAddr) -> bool {
    etc_hosts_any(|addr, _| {
        addr.split('%')
            .next()
            .and_then(|a| a.parse::<IpAddr>().ok())
            .is_some_and(|a| a == ip)
    })
}

/// The name handed to the resolver for a name the policy allowed: the
/// absolute name (`name.`), so that resolv.conf's `search` list never
/// turns it into another name whose answer would be recorded under the
/// allowed one; a name /etc/hosts holds as written (glibc's files backend
/// does not match a trailing dot, and a search list is DNS-only).
pub(super) fn lookup_name(name: &str) -> String {
    if in_etc_hosts(name) {
        name.trim_end_matches('.').to_string()
    } else {
        format!("{}.", name.trim_end_matches('.'))
    }
}

/// getaddrinfo's arguments, owned (they move to the resolver thread).
#[derive(Clone)]
pub(super) struct Query {
    pub(super) service: Option<String>,
    pub(super) family: i32,
    pub(super) socktype: i32,
    pub(super) protocol: i32,
    pub(super) flags: i32,
}

impl Query {
    pub(super) fn run(&self, host: Option<&str>, flags: i32) -> Result<Vec<sys::AddrInfo>, i32> {
        sys::getaddrinfo(
            host,
            self.service.as_deref(),
            self.family,
            self.socktype,
            self.protocol,
            flags,
        )
    }

    /// Whether the service needs a lookup in /etc/services (or the flags
    /// one in the interface list): then even a numeric host goes off the
    /// executor.
    pub(super) fn reads_files(&self) -> bool {
        self.service
            .as_deref()
            .is_some_and(|s| !s.bytes().all(|b| b.is_ascii_digit()))
            || self.flags & libc::AI_ADDRCONFIG != 0
    }

    /// `localhost`, answered as /etc/hosts answers it and never by DNS
    /// (RFC 6761 §6.3): the addresses the file gives the name (this
    /// machine's may give `127.0.0.1` only), or the loopback addresses
    /// when the file names it nowhere; of the family asked for (none:
    /// EAI_NONAME, as the system finds no address). Each goes through
    /// glibc as a numeric host (so that the service, type and flags are
    /// handled as for any host), IPv6 first as glibc sorts loopback
    /// addresses, canonical name `localhost`.
    pub(super) fn localhost(&self) -> Result<Vec<sys::AddrInfo>, i32> {
        let hosts: Vec<String> = localhost_addresses(&localhost_lines(), self.family)
            .into_iter()
            .map(|ip| ip.to_string())
            .collect();
        let flags = (self.flags | libc::AI_NUMERICHOST) & !libc::AI_CANONNAME;
        let mut out = Vec::new();
        let mut first_err = None;
        for h in &hosts {
            match self.run(Some(h), flags) {
                Ok(list) => out.extend(list),
                Err(e) => {
                    first_err.get_or_insert(e);
                }
            }
        }
        if out.is_empty() {
            return Err(first_err.unwrap_or(libc::EAI_NONAME));
        }
        if self.flags & libc::AI_CANONNAME != 0 {
            out[0].canonname = Some("localhost".to_string());
        }
        Ok(out)
    }
}
