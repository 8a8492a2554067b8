//! Which addresses the kernel delivers to this host: a process-wide copy of
//! the kernel's `local` routing table (RT_TABLE_LOCAL: every address of
//! every interface, its broadcast addresses, and AnyIP `local` routes),
//! read with a netlink RTM_GETROUTE dump and read again only when it may
//! have changed.
//!
//! Changes are learnt from a netlink socket subscribed to the address and
//! route groups (RTMGRP_IPV4_IFADDR, RTMGRP_IPV6_IFADDR, RTMGRP_IPV4_ROUTE,
//! RTMGRP_IPV6_ROUTE). The kernel queues a notification on that socket
//! before the call that changed an address or a local route returns, and
//! every lookup first drains the socket without blocking (one recvmsg(2)
//! returning EAGAIN when nothing changed): an address added after start-up
//! is judged as the host's from the first lookup after the change. An
//! overflowed queue (ENOBUFS) also means "read again". When netlink is
//! unavailable, each lookup falls back to [`sys::is_host_address_probe`]
//! (a bind(2) of a throw-away socket).
//!
//! The table is the one of the network namespace the process was in at its
//! first lookup; a thread in another namespace (`setns`) is answered by the
//! probe, which asks its own namespace.

use crate::sys;
use socket2::{Domain, Protocol, Socket, Type};
use std::io;
use std::net::IpAddr;
use std::sync::Mutex;

const NETLINK_ROUTE: i32 = 0;
const RTMGRP_IPV4_IFADDR: u32 = 0x10;
const RTMGRP_IPV4_ROUTE: u32 = 0x40;
const RTMGRP_IPV6_IFADDR: u32 = 0x100;
const RTMGRP_IPV6_ROUTE: u32 = 0x400;
const SOL_NETLINK: i32 = 270;
const NETLINK_GET_STRICT_CHK: i32 = 12;
const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
const NLMSG_OVERRUN: u16 = 4;
const RTM_NEWROUTE: u16 = 24;
const RTM_DELROUTE: u16 = 25;
const RTM_GETROUTE: u16 = 26;
const RTM_NEWADDR: u16 = 20;
const RTM_DELADDR: u16 = 21;
const NLM_F_REQUEST: u16 = 1;
const NLM_F_DUMP: u16 = 0x300;
const RT_TABLE_LOCAL: u32 = 255;
const RTN_LOCAL: u8 = 2;
const RTN_BROADCAST: u8 = 3;
const RTN_ANYCAST: u8 = 4;
const RTA_DST: u16 = 1;
const RTA_OIF: u16 = 4;
const RTA_TABLE: u16 = 15;
/// Most entries one dump keeps (a host with more local routes than this
/// is judged by the probe instead).
const MAX_ENTRIES: usize = 1 << 16;
/// Most reads one drain of the monitor socket makes before it stops (and
/// reads the table again).
const MAX_DRAIN: usize = 1024;
/// Most reads one dump makes.
const MAX_DUMP_READS: usize = 1 << 14;
const BUF: usize = 32 * 1024;

/// One `local`, `broadcast` or `anycast` route of the local table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    /// The destination prefix, as a 128-bit number (IPv4 in the low 32
    /// bits).
    net: u128,
    len: u8,
    v4: bool,
    /// The interface of the route (for IPv6 link-local addresses).
    oif: u32,
    /// The route's type (RTN_LOCAL, RTN_BROADCAST, RTN_ANYCAST).
    kind: u8,
}

impl Entry {
    fn contains(&self, ip: IpAddr, scope: u32) -> bool {
        let (bits, width, v4) = match ip {
            IpAddr::V4(a) => (u128::from(u32::from(a)), 32u32, true),
            IpAddr::V6(a) => (u128::from(a), 128, false),
        };
        if v4 != self.v4 || u32::from(self.len) > width {
            return false;
        }
        let shift = width - u32::from(self.len);
        let same = if shift >= 128 {
            true
        } else {
            (bits >> shift) == (self.net >> shift)
        };
        if !same {
            return false;
        }
        // An IPv6 link-local address is the host's on its own interface
        // only; with no scope the kernel uses the socket's bound device, so
        // any interface's counts (the stricter reading).
        match ip {
            IpAddr::V6(a) if (a.segments()[0] & 0xffc0) == 0xfe80 => {
                scope == 0 || self.oif == 0 || self.oif == scope
            }
            _ => true,
        }
    }
}

/// The cached table and the socket that says when it changed.
struct Cache {
    /// The network namespace the table is of (its inode).
    netns: Option<u64>,
    monitor: Socket,
    entries: Vec<Entry>,
    /// The drain's receive buffer, kept between lookups.
    buf: Vec<u8>,
}

static CACHE: Mutex<Option<Option<Cache>>> = Mutex::new(None);

/// Whether `ip` (with IPv6 scope id `scope`) is an address the kernel
/// delivers to this host (a local, broadcast or anycast route of the local
/// table; multicast is not asked). See the module docs for how the table
/// is kept current.
pub fn is_host_address(ip: IpAddr, scope: u32) -> bool {
    if ip.is_multicast() {
        return false;
    }
    // The limited broadcast reaches this host too (no route says so: the
    // kernel treats it as broadcast whatever the tables hold).
    if ip == IpAddr::V4(std::net::Ipv4Addr::BROADCAST) {
        return true;
    }
    let mut g = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    if g.is_none() {
        *g = Some(Cache::open().ok());
    }
    let Some(Some(cache)) = g.as_mut() else {
        return sys::is_host_address_probe(ip, scope);
    };
    // A thread in another network namespace (an embedder may run guests
    // from threads that entered per-tenant namespaces) asks the kernel
    // directly: the table is the first namespace's.
    if cache.netns.is_none() || thread_netns() != cache.netns {
        return sys::is_host_address_probe(ip, scope);
    }
    match cache.current() {
        Ok(()) => cache.entries.iter().any(|e| e.contains(ip, scope)),
        Err(_) => {
            // Netlink failed: this lookup and the next ones probe.
            *g = Some(None);
            sys::is_host_address_probe(ip, scope)
        }
    }
}

/// The calling thread's network namespace (the inode of its
/// `/proc/thread-self/ns/net`).
fn thread_netns() -> Option<u64> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/thread-self/ns/net")
        .ok()
        .map(|m| m.ino())
}

/// How many times the table was read (for tests).
#[cfg(test)]
pub(crate) fn dumps() -> usize {
    DUMPS.load(std::sync::atomic::Ordering::Relaxed)
}

#[cfg(test)]
static DUMPS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

impl Cache {
    fn open() -> io::Result<Self> {
        let monitor = netlink(
            RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR | RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE,
        )?;
        monitor.set_nonblocking(true)?;
        // Subscribed before the first dump: a change during it is seen.
        let entries = dump()?;
        Ok(Cache {
            netns: thread_netns(),
            monitor,
            entries,
            buf: Vec::with_capacity(BUF),
        })
    }

    /// Drains the monitor socket; reads the table again when a message
    /// says an address or a local route changed (or some were lost).
    fn current(&mut self) -> io::Result<()> {
        let mut changed = false;
        let Cache { monitor, buf, .. } = self;
        let mut reads = 0;
        loop {
            if reads == MAX_DRAIN {
                changed = true;
                break;
            }
            reads += 1;
            buf.clear();
            match sys::append_read(buf, BUF, |b| {
                monitor
                    .recv_with_flags(b, libc::MSG_DONTWAIT | libc::MSG_TRUNC)
                    .map(|n| (n, ()))
            }) {
                Ok((n, ())) => {
                    if n > BUF || notifies_change(buf) {
                        changed = true;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.raw_os_error() == Some(libc::ENOBUFS) => changed = true,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        if changed {
            self.entries = dump()?;
        }
        Ok(())
    }
}

/// A NETLINK_ROUTE socket bound to the multicast `groups`.
fn netlink(groups: u32) -> io::Result<Socket> {
    let s = Socket::new(
        Domain::from(libc::AF_NETLINK),
        Type::RAW,
        Some(Protocol::from(NETLINK_ROUTE)),
    )?;
    let mut nl = [0u8; 12];
    nl[..2].copy_from_slice(&(libc::AF_NETLINK as u16).to_ne_bytes());
    nl[8..].copy_from_slice(&groups.to_ne_bytes());
    s.bind(&sys::sockaddr_from_bytes(&nl)?)?;
    Ok(s)
}

/// Whether a batch of notifications says an address or a route of the
/// local table changed (a message it cannot read counts as a change).
fn notifies_change(buf: &[u8]) -> bool {
    let mut changed = false;
    let ok = each_message(buf, |ty, body| {
        match ty {
            RTM_NEWADDR | RTM_DELADDR => changed = true,
            RTM_NEWROUTE | RTM_DELROUTE => match route(body) {
                Some((table, _)) if table != RT_TABLE_LOCAL => {}
                _ => changed = true,
            },
            _ => changed = true,
        }
        true
    });
    changed || !ok
}

/// Calls `f(type, body)` for each netlink message in `buf` until it returns
/// false; false when the buffer is malformed.
fn each_message(buf: &[u8], mut f: impl FnMut(u16, &[u8]) -> bool) -> bool {
    let mut at = 0;
    while at < buf.len() {
        let Some(h) = buf.get(at..at + 16) else {
            return false;
        };
        let len = u32::from_ne_bytes([h[0], h[1], h[2], h[3]]) as usize;
        let ty = u16::from_ne_bytes([h[4], h[5]]);
        if len < 16 || at + len > buf.len() {
            return false;
        }
        if !f(ty, &buf[at + 16..at + len]) {
            return true;
        }
        at += (len + 3) & !3;
    }
    true
}

/// The table of a route message and, when it is a local, broadcast or
/// anycast route, its entry.
fn route(body: &[u8]) -> Option<(u32, Option<Entry>)> {
    let rtm = body.get(..12)?;
    let (family, dst_len, table, ty) = (rtm[0], rtm[1], rtm[4], rtm[7]);
    let mut table = u32::from(table);
    let mut dst: Option<&[u8]> = None;
    let mut oif = 0;
    let mut at = 12;
    while at + 4 <= body.len() {
        let len = usize::from(u16::from_ne_bytes([body[at], body[at + 1]]));
        let kind = u16::from_ne_bytes([body[at + 2], body[at + 3]]) & 0x3fff;
        if len < 4 || at + len > body.len() {
            return None;
        }
        let v = &body[at + 4..at + len];
        match kind {
            RTA_DST => dst = Some(v),
            RTA_TABLE if v.len() == 4 => table = u32::from_ne_bytes([v[0], v[1], v[2], v[3]]),
            RTA_OIF if v.len() == 4 => oif = u32::from_ne_bytes([v[0], v[1], v[2], v[3]]),
            _ => {}
        }
        at += (len + 3) & !3;
    }
    if !matches!(ty, RTN_LOCAL | RTN_BROADCAST | RTN_ANYCAST) {
        return Some((table, None));
    }
    let (v4, width) = match i32::from(family) {
        libc::AF_INET => (true, 4),
        libc::AF_INET6 => (false, 16),
        _ => return Some((table, None)),
    };
    if usize::from(dst_len) > width * 8 {
        return None;
    }
    let net = match dst {
        Some(d) if d.len() == width => d.iter().fold(0u128, |n, b| (n << 8) | u128::from(*b)),
        Some(_) => return None,
        None if dst_len == 0 => 0,
        None => return None,
    };
    Some((
        table,
        Some(Entry {
            net,
            len: dst_len,
            v4,
            oif,
            kind: ty,
        }),
    ))
}

/// Reads the local table (both families) with RTM_GETROUTE dumps.
fn dump() -> io::Result<Vec<Entry>> {
    #[cfg(test)]
    DUMPS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let s = netlink(0)?;
    // Connected to the kernel (port id 0): the kernel then refuses
    // messages to this socket from any other sender, so another process
    // (or a guest with a netlink grant) cannot cut the dump short with a
    // forged NLMSG_DONE.
    let mut kernel = [0u8; 12];
    kernel[..2].copy_from_slice(&(libc::AF_NETLINK as u16).to_ne_bytes());
    s.connect(&sys::sockaddr_from_bytes(&kernel)?)?;
    // Asks the kernel to filter by table (Linux 4.20+); the answer is
    // filtered here too.
    let _ = sys::setsockopt_int(&s, SOL_NETLINK, NETLINK_GET_STRICT_CHK, 1);
    let mut entries = Vec::new();
    for (seq, family) in [(1u32, libc::AF_INET), (2, libc::AF_INET6)] {
        let mut req = Vec::with_capacity(36);
        req.extend_from_slice(&36u32.to_ne_bytes());
        req.extend_from_slice(&RTM_GETROUTE.to_ne_bytes());
        req.extend_from_slice(&(NLM_F_REQUEST | NLM_F_DUMP).to_ne_bytes());
        req.extend_from_slice(&seq.to_ne_bytes());
        req.extend_from_slice(&0u32.to_ne_bytes());
        // struct rtmsg: family, dst_len, src_len, tos, table, protocol,
        // scope, type, flags.
        req.extend_from_slice(&[family as u8, 0, 0, 0, RT_TABLE_LOCAL as u8, 0, 0, 0]);
        req.extend_from_slice(&0u32.to_ne_bytes());
        req.extend_from_slice(&8u16.to_ne_bytes());
        req.extend_from_slice(&RTA_TABLE.to_ne_bytes());
        req.extend_from_slice(&RT_TABLE_LOCAL.to_ne_bytes());
        s.send(&req)?;
        let mut done = false;
        let mut buf = Vec::with_capacity(BUF);
        for _ in 0..MAX_DUMP_READS {
            buf.clear();
            let (n, ()) = sys::append_read(&mut buf, BUF, |b| {
                s.recv_with_flags(b, libc::MSG_TRUNC).map(|n| (n, ()))
            })?;
            if n > BUF {
                return Err(io::Error::from_raw_os_error(libc::EMSGSIZE));
            }
            let mut failed = None;
            let ok = each_message(&buf, |ty, body| match ty {
                NLMSG_DONE => {
                    done = true;
                    false
                }
                NLMSG_ERROR | NLMSG_OVERRUN => {
                    let e = body.get(..4).map_or(libc::EIO, |b| {
                        i32::from_ne_bytes([b[0], b[1], b[2], b[3]]).wrapping_neg()
                    });
                    failed = Some(if e > 0 { e } else { libc::EIO });
                    false
                }
                RTM_NEWROUTE => {
                    match route(body) {
                        Some((RT_TABLE_LOCAL, Some(e))) => entries.push(e),
                        Some(_) => {}
                        None => failed = Some(libc::EBADMSG),
                    }
                    failed.is_none()
                }
                _ => true,
            });
            if let Some(e) = failed {
                return Err(io::Error::from_raw_os_error(e));
            }
            if !ok {
                return Err(io::Error::from_raw_os_error(libc::EBADMSG));
            }
            if entries.len() > MAX_ENTRIES {
                return Err(io::Error::from_raw_os_error(libc::E2BIG));
            }
            if done {
                break;
            }
        }
        if !done {
            return Err(io::Error::from_raw_os_error(libc::E2BIG));
        }
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A thread in another network namespace is answered for its own
    /// namespace, not from the table of the process's first one.
    #[test]
    fn a_thread_in_another_namespace_is_asked_about_its_own() {
        let ip: IpAddr = "10.77.0.1".parse().unwrap();
        // The cache is made in this (the test process's) namespace.
        let outside = is_host_address(ip, 0);
        let inside = std::thread::spawn(move || {
            sys::unshare_net().expect("unshare(CLONE_NEWNET) (needs root)");
            let ok = std::process::Command::new("sh")
                .args(["-c", "ip link set lo up && ip addr add 10.77.0.1/32 dev lo"])
                .status()
                .unwrap();
            assert!(ok.success());
            is_host_address(ip, 0)
        })
        .join()
        .unwrap();
        assert!(!outside || inside);
        assert!(inside, "10.77.0.1 on this thread's own lo is the host's");
    }

    #[test]
    fn the_table_agrees_with_bind_for_this_hosts_addresses() {
        // Every address of this host (from the table itself) binds, and
        // the loopback range and a documentation address are judged as
        // bind(2) judges them.
        let entries = dump().unwrap();
        assert!(entries.iter().any(|e| e.v4 && e.len == 8), "{entries:?}");
        for e in &entries {
            // Every address of an interface (a /32 or /128 local route)
            // binds; link-local ones on their interface. (bind(2) refuses
            // IPv6 anycast addresses, which the kernel still delivers.)
            if e.len == if e.v4 { 32 } else { 128 } && e.kind != RTN_ANYCAST {
                let ip = if e.v4 {
                    IpAddr::V4(std::net::Ipv4Addr::from(e.net as u32))
                } else {
                    IpAddr::V6(std::net::Ipv6Addr::from(e.net))
                };
                if !ip.is_multicast() {
                    assert!(sys::is_host_address_probe(ip, e.oif), "{ip} {e:?}");
                    assert!(is_host_address(ip, e.oif), "{ip} {e:?}");
                }
            }
        }
        for ip in [
            "127.0.0.1",
            "127.3.4.5",
            "::1",
            "192.0.2.1",
            "2001:db8::1",
            "255.255.255.255",
            "0.0.0.1",
        ] {
            let ip: IpAddr = ip.parse().unwrap();
            assert_eq!(
                is_host_address(ip, 0),
                sys::is_host_address_probe(ip, 0),
                "{ip}"
            );
        }
    }

    #[test]
    fn an_unchanged_table_is_not_read_again() {
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        is_host_address(ip, 0);
        let before = dumps();
        for _ in 0..100 {
            is_host_address(ip, 0);
        }
        // Other tests of this process may change nothing in the tables:
        // no dump at all (an unrelated route change would add one).
        assert!(dumps() - before <= 1, "{} dumps", dumps() - before);
    }

    #[test]
    fn link_local_entries_need_their_interface() {
        let e = Entry {
            net: u128::from("fe80::77".parse::<std::net::Ipv6Addr>().unwrap()),
            len: 128,
            v4: false,
            oif: 5,
            kind: RTN_LOCAL,
        };
        let ip: IpAddr = "fe80::77".parse().unwrap();
        assert!(e.contains(ip, 5));
        assert!(e.contains(ip, 0));
        assert!(!e.contains(ip, 6));
        let any = Entry {
            net: u128::from(u32::from(std::net::Ipv4Addr::new(10, 9, 0, 0))),
            len: 16,
            v4: true,
            oif: 1,
            kind: RTN_LOCAL,
        };
        assert!(any.contains("10.9.200.1".parse().unwrap(), 0));
        assert!(!any.contains("10.10.0.1".parse().unwrap(), 0));
        assert!(!any.contains("::a09:1".parse().unwrap(), 0));
    }

    #[test]
    fn malformed_messages_count_as_a_change() {
        assert!(notifies_change(&[1, 2, 3]));
        assert!(!notifies_change(&[]));
    }
}
