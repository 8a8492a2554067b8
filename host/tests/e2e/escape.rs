//! The escape battery: a guest tries what a sandboxed program might to get
//! past the policy (tests/guests/src/bin/escape.rs, std_net_escape.rs), and
//! each attempt is judged from outside: a native listener or UDP socket
//! counts what arrived, the kernel's socket tables (/proc/net) show which
//! sockets this process holds, and the host's audit records show what was
//! decided. The matching allow cases show the policy is precise, not just
//! closed.

use crate::support::*;
use std::io::Read;
use std::net::{IpAddr, Ipv6Addr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::sync::Arc;
use std::time::Duration;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasock_host::run::{GuestConfig, Output};
use wasock_host::{Policy, Recorder};

fn config(guest: &str, args: &[String], policy: Policy) -> (GuestConfig, MemoryOutputPipe, Audit) {
    let out = MemoryOutputPipe::new(1 << 20);
    let err = MemoryOutputPipe::new(1 << 20);
    let audit = Audit::default();
    let config = GuestConfig {
        args: std::iter::once(guest.to_string())
            .chain(args.iter().cloned())
            .collect(),
        env: Vec::new(),
        output: Output::Capture(out.clone(), err),
        policy: Arc::new(policy),
        recorder: Some(Arc::new(Recorder::new().with_audit(audit.clone()))),
        ..Default::default()
    };
    (config, out, audit)
}

/// Runs `guest` with `steps` under `policy`; while it runs (blocked in a
/// final `hold` step), calls `during` for checks from outside.
fn attempt_with(
    guest: &str,
    steps: &[String],
    policy: Policy,
    during: impl FnOnce(&MemoryOutputPipe),
) -> GuestRun {
    run_guest(guest, steps, policy, true, during)
}

/// Runs `guest` with `steps` under `policy`, calling `during` at once (it
/// drives the guest's peers), then waits for the guest to end.
fn attempt_live(
    guest: &str,
    steps: &[String],
    policy: Policy,
    during: impl FnOnce(&MemoryOutputPipe),
) -> GuestRun {
    run_guest(guest, steps, policy, false, during)
}

thread_local! {
    /// Whether this test thread runs guests with the async embedding.
    static ASYNC: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn attempt(guest: &str, steps: &[String], policy: Policy) -> GuestRun {
    run_guest(guest, steps, policy, false, |_| {})
}

fn run_guest(
    guest: &str,
    steps: &[String],
    policy: Policy,
    hold: bool,
    during: impl FnOnce(&MemoryOutputPipe),
) -> GuestRun {
    let control = TcpListener::bind("127.0.0.1:0").unwrap();
    let cport = control.local_addr().unwrap().port();
    let mut args = steps.to_vec();
    let policy = if hold {
        args.push(format!("hold,{cport}"));
        policy
            .allow_connect(&format!("tcp://127.0.0.1:{cport}"))
            .unwrap()
    } else {
        policy
    };
    let component = component(guest);
    let (config, out, audit) = config(guest, &args, policy);
    let name = guest.to_string();
    let use_async = ASYNC.with(|a| a.get());
    let h = std::thread::spawn(move || {
        ASYNC.with(|a| a.set(use_async));
        bounded(&name, GUEST_LIMIT, move || {
            run_config(engine(), &component, &config, use_async)
        })
    });
    let conn =
        if hold {
            control.set_nonblocking(true).unwrap();
            let conn = retry(3000, Duration::from_millis(10), || control.accept().ok());
            Some(conn.unwrap_or_else(|| {
                panic!("the guest never reached its hold step:\n{}", read(&out))
            }))
        } else {
            None
        };
    during(&out);
    drop(conn);
    let code = h.join().unwrap();
    let stdout = read(&out);
    assert_eq!(code, Ok(0), "{stdout}");
    GuestRun {
        stdout,
        stderr: String::new(),
        audit: audit.text(),
    }
}

/// A native observer: a TCP listener or UDP socket that counts what
/// reaches it.
enum Observer {
    Tcp(TcpListener),
    Udp(UdpSocket),
}

impl Observer {
    fn tcp(addr: &str) -> Self {
        let l = TcpListener::bind(addr).unwrap();
        l.set_nonblocking(true).unwrap();
        Observer::Tcp(l)
    }

    fn udp(addr: &str) -> Self {
        let s = UdpSocket::bind(addr).unwrap();
        s.set_nonblocking(true).unwrap();
        Observer::Udp(s)
    }

    /// `[::]:port` with IPV6_V6ONLY off: sees both families.
    fn dual(tcp: bool, port: u16) -> Self {
        let ty = if tcp {
            socket2::Type::STREAM
        } else {
            socket2::Type::DGRAM
        };
        let s = socket2::Socket::new(socket2::Domain::IPV6, ty, None).unwrap();
        s.set_only_v6(false).unwrap();
        s.bind(&SocketAddr::from((Ipv6Addr::UNSPECIFIED, port)).into())
            .unwrap();
        s.set_nonblocking(true).unwrap();
        if tcp {
            s.listen(16).unwrap();
            Observer::Tcp(s.into())
        } else {
            Observer::Udp(s.into())
        }
    }

    fn port(&self) -> u16 {
        match self {
            Observer::Tcp(l) => l.local_addr().unwrap().port(),
            Observer::Udp(s) => s.local_addr().unwrap().port(),
        }
    }

    /// Connections / datagrams that arrived since the last call.
    fn count(&self) -> usize {
        let mut n = 0;
        match self {
            Observer::Tcp(l) => {
                while l.accept().is_ok() {
                    n += 1;
                }
            }
            Observer::Udp(s) => {
                let mut b = [0u8; 64];
                while s.recv_from(&mut b).is_ok() {
                    n += 1;
                }
            }
        }
        n
    }
}

/// The sockets of this process in the kernel's tables: (table, local
/// address, state) from /proc/net/{tcp,tcp6,udp,udp6,raw,raw6,packet}.
fn own_sockets() -> Vec<(String, SocketAddr, u8)> {
    let mut inodes = std::collections::HashSet::new();
    for e in std::fs::read_dir("/proc/self/fd").unwrap().flatten() {
        if let Ok(t) = std::fs::read_link(e.path()) {
            let t = t.to_string_lossy().into_owned();
            if let Some(i) = t.strip_prefix("socket:[").and_then(|t| t.strip_suffix(']')) {
                inodes.insert(i.to_string());
            }
        }
    }
    let mut out = Vec::new();
    for table in ["tcp", "tcp6", "udp", "udp6", "raw", "raw6"] {
        let text = std::fs::read_to_string(format!("/proc/net/{table}")).unwrap_or_default();
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() < 10 || !inodes.contains(f[9]) {
                continue;
            }
            let (a, p) = f[1].split_once(':').unwrap();
            let port = u16::from_str_radix(p, 16).unwrap();
            let ip: IpAddr = if a.len() == 8 {
                let v = u32::from_str_radix(a, 16).unwrap();
                IpAddr::from(v.to_ne_bytes())
            } else {
                let mut b = [0u8; 16];
                for i in 0..4 {
                    let w = u32::from_str_radix(&a[i * 8..i * 8 + 8], 16).unwrap();
                    b[i * 4..i * 4 + 4].copy_from_slice(&w.to_ne_bytes());
                }
                IpAddr::from(b)
            };
            let state = u8::from_str_radix(f[3], 16).unwrap();
            out.push((table.to_string(), SocketAddr::new(ip, port), state));
        }
    }
    let packet = std::fs::read_to_string("/proc/net/packet").unwrap_or_default();
    for line in packet.lines().skip(1) {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() >= 9 && inodes.contains(f[8]) {
            out.push(("packet".into(), SocketAddr::from(([0, 0, 0, 0], 0)), 0));
        }
    }
    out
}

/// Sockets of this process on `port` (any address, any table).
fn own_on_port(port: u16) -> Vec<(String, SocketAddr, u8)> {
    own_sockets()
        .into_iter()
        .filter(|(_, a, _)| a.port() == port)
        .collect()
}

/// This host's own non-loopback addresses (delivered locally): IPv4 from
/// /proc/net/fib_trie's LOCAL entries, IPv6 (global scope) from
/// /proc/net/if_inet6.
fn host_addresses() -> Vec<IpAddr> {
    let mut out = Vec::new();
    let trie = std::fs::read_to_string("/proc/net/fib_trie").unwrap_or_default();
    let mut last = None;
    for line in trie.lines() {
        let t = line.trim_start_matches([' ', '|', '+', '-']).trim();
        if let Ok(a) = t.parse::<std::net::Ipv4Addr>() {
            last = Some(a);
        } else if line.contains("/32 host LOCAL") {
            if let Some(a) = last {
                if !a.is_loopback() && !out.contains(&IpAddr::V4(a)) {
                    out.push(IpAddr::V4(a));
                }
            }
        }
    }
    let v6 = std::fs::read_to_string("/proc/net/if_inet6").unwrap_or_default();
    for line in v6.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() >= 4 && f[3] == "00" && f[0].len() == 32 {
            if let Ok(v) = u128::from_str_radix(f[0], 16) {
                let a = Ipv6Addr::from(v);
                if !a.is_loopback() {
                    out.push(IpAddr::V6(a));
                }
            }
        }
    }
    out
}

/// This host's link-local IPv6 addresses with their interface index (the
/// scope id a destination needs).
fn link_locals() -> Vec<(Ipv6Addr, u32)> {
    let v6 = std::fs::read_to_string("/proc/net/if_inet6").unwrap_or_default();
    v6.lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() < 4 || f[3] != "20" {
                return None;
            }
            let a = Ipv6Addr::from(u128::from_str_radix(f[0], 16).ok()?);
            Some((a, u32::from_str_radix(f[1], 16).ok()?))
        })
        .collect()
}

fn host(ip: IpAddr) -> String {
    ip.to_string()
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

/// Everything allowed except loopback (both families).
fn all_but_loopback() -> Policy {
    Policy::deny_all()
        .allow_connect("*:*")
        .unwrap()
        .deny_connect("127.0.0.0/8:*")
        .unwrap()
        .deny_connect("[::1]:*")
        .unwrap()
}

#[test]
fn unspecified_mapped_and_other_loopback_destinations_are_denied() {
    for tcp in [true, false] {
        let obs = Observer::dual(tcp, 0);
        let p = obs.port();
        let verb = if tcp { "connect" } else { "sendto" };
        let mut dests = vec![
            "0.0.0.0".to_string(),
            "::".into(),
            "::ffff:0.0.0.0".into(),
            "::ffff:127.0.0.1".into(),
            "127.0.0.1".into(),
            "127.0.0.2".into(),
            "127.255.255.254".into(),
            "::1".into(),
            "::ffff:127.0.0.2".into(),
        ];
        for a in host_addresses() {
            dests.push(host(a));
        }
        let mut steps: Vec<String> = dests.iter().map(|d| format!("{verb},{d},{p}")).collect();
        if tcp {
            // Scope ids do not change where ::1 delivers; a link-local
            // address of this host (with its interface) is this host too.
            steps.push(format!("connect,::1,{p},1"));
            for (a, scope) in link_locals() {
                steps.push(format!("connect,{a},{p},{scope}"));
            }
        }
        // The deny rules cover loopback only; host addresses are judged as
        // loopback too, so they are refused as well.
        let r = attempt("escape", &steps, all_but_loopback());
        for st in &steps {
            r.denied(st);
        }
        assert_eq!(obs.count(), 0, "the observer saw traffic:\n{}", r.stdout);
    }
}

#[test]
fn a_deny_of_one_loopback_address_covers_every_spelling_that_reaches_it() {
    for tcp in [true, false] {
        // A host service on the wildcard receives every local address.
        let obs = if tcp {
            Observer::tcp("0.0.0.0:0")
        } else {
            Observer::udp("0.0.0.0:0")
        };
        let p = obs.port();
        let verb = if tcp { "connect" } else { "sendto" };
        let policy = Policy::deny_all()
            .allow_connect("*:*")
            .unwrap()
            .deny_connect(&format!("127.0.0.1:{p}"))
            .unwrap();
        let mut dests = vec![
            "127.0.0.2".to_string(),
            "0.0.0.0".into(),
            "::ffff:127.0.0.1".into(),
            "127.9.9.9".into(),
        ];
        for a in host_addresses().into_iter().filter(IpAddr::is_ipv4) {
            dests.push(host(a));
        }
        let steps: Vec<String> = dests.iter().map(|d| format!("{verb},{d},{p}")).collect();
        let r = attempt("escape", &steps, policy);
        for st in &steps {
            r.denied(st);
        }
        assert_eq!(obs.count(), 0, "{}", r.stdout);
        // The denial names the rule that decided.
        let rule = if tcp { "deny-connect" } else { "deny-send-to" };
        assert!(
            r.audit
                .contains(&format!("denied by rule {rule} 127.0.0.1:{p}")),
            "{}",
            r.audit
        );
    }
}

#[test]
fn allowed_loopback_is_reachable_by_its_spellings_and_nothing_else() {
    for tcp in [true, false] {
        let obs = if tcp {
            Observer::tcp("0.0.0.0:0")
        } else {
            Observer::udp("0.0.0.0:0")
        };
        let p = obs.port();
        let verb = if tcp { "connect" } else { "sendto" };
        let policy = Policy::deny_all()
            .allow_connect(&format!("127.0.0.1:{p}"))
            .unwrap();
        let ok = [
            format!("{verb},127.0.0.1,{p}"),
            format!("{verb},0.0.0.0,{p}"),
            format!("{verb},::ffff:127.0.0.1,{p}"),
        ];
        let no = [
            format!("{verb},127.0.0.2,{p}"),
            format!("{verb},127.0.0.1,{}", p.wrapping_add(1).max(1)),
        ];
        let steps: Vec<String> = ok.iter().chain(no.iter()).cloned().collect();
        let r = attempt("escape", &steps, policy);
        for st in &ok {
            r.allowed(st);
        }
        for st in &no {
            r.denied(st);
        }
        assert_eq!(obs.count(), ok.len(), "{}", r.stdout);
    }
}

#[test]
fn wildcard_and_dual_stack_binds_need_every_address() {
    for proto in ["tcp", "udp"] {
        let port = free_port();
        let policy = Policy::deny_all()
            .allow_bind(&format!("*:{port}"))
            .unwrap()
            .deny_bind(&format!("127.0.0.1:{port}"))
            .unwrap();
        let denied = [
            format!("bind,{proto},0.0.0.0,{port}"),
            format!("bind-dual,{proto},{port}"),
            format!("bind,{proto},::ffff:0.0.0.0,{port}"),
            format!("bind,{proto},127.0.0.1,{port}"),
            format!("bind,{proto},::ffff:127.0.0.1,{port}"),
        ];
        let allowed = [format!("bind-v6only,{proto},{port}")];
        let steps: Vec<String> = denied.iter().chain(allowed.iter()).cloned().collect();
        let mut seen = Vec::new();
        let r = attempt_with("escape", &steps, policy, |_| seen = own_on_port(port));
        for st in &denied {
            r.denied(st);
        }
        for st in &allowed {
            r.allowed(st);
        }
        // Only the V6ONLY socket exists, on [::].
        assert_eq!(seen.len(), 1, "{seen:?}\n{}", r.stdout);
        assert_eq!(
            seen[0].1.ip(),
            IpAddr::V6(Ipv6Addr::UNSPECIFIED),
            "{seen:?}"
        );
        // The IPv4 side of the port was never taken by the guest.
        assert!(TcpListener::bind(("127.0.0.1", port)).is_ok() || proto == "udp");
    }
}

#[test]
fn an_ipv6_wildcard_rule_does_not_grant_ipv4() {
    let port = free_port();
    let policy = Policy::deny_all()
        .allow_bind(&format!("[::]:{port}"))
        .unwrap();
    let denied = [
        format!("bind-dual,tcp,{port}"),
        format!("bind,tcp,0.0.0.0,{port}"),
    ];
    let allowed = [format!("bind-v6only,udp,{port}")];
    let steps: Vec<String> = denied.iter().chain(allowed.iter()).cloned().collect();
    let mut seen = Vec::new();
    let r = attempt_with("escape", &steps, policy, |_| seen = own_on_port(port));
    for st in &denied {
        r.denied(st);
    }
    for st in &allowed {
        r.allowed(st);
    }
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].0, "udp6");
    assert!(r.audit.contains("IPV6_V6ONLY"), "{}", r.audit);
}

#[test]
fn a_deny_of_the_wildcard_refuses_wildcard_binds_only() {
    let port = free_port();
    let policy = Policy::deny_all()
        .allow_bind("*:*")
        .unwrap()
        .deny_bind("0.0.0.0:*")
        .unwrap();
    let steps = [
        format!("bind,udp,0.0.0.0,{port}"),
        format!("bind,udp,127.0.0.1,{port}"),
    ];
    let mut seen = Vec::new();
    let r = attempt_with("escape", &steps, policy, |_| seen = own_on_port(port));
    r.denied(&steps[0]);
    r.allowed(&steps[1]);
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].1.ip(), IpAddr::from([127, 0, 0, 1]));
}

#[test]
fn implicit_binds_by_listen_are_judged_as_wildcard_binds() {
    if !alone("escape::implicit_binds_by_listen_are_judged_as_wildcard_binds") {
        return;
    }
    let policy = Policy::deny_all()
        .allow_bind("127.0.0.1:*")
        .unwrap()
        .allow_bind("[::1]:*")
        .unwrap();
    let steps = s(&["listen-unbound,4", "listen-unbound,6"]);
    let mut seen = Vec::new();
    let r = attempt_with("escape", &steps, policy, |_| seen = own_sockets());
    for st in &steps {
        r.denied(st);
    }
    // No listening socket (state 0A) of this process on a wildcard address.
    assert!(
        !seen
            .iter()
            .any(|(t, a, st)| t.starts_with("tcp") && *st == 0x0A && a.ip().is_unspecified()),
        "{seen:?}"
    );
}

#[test]
fn port_sharing_options_cannot_hijack_a_host_service() {
    // A host service that allows port sharing itself.
    let svc = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::DGRAM, None).unwrap();
    svc.set_reuse_address(true).unwrap();
    svc.set_reuse_port(true).unwrap();
    svc.bind(&SocketAddr::from(([127, 0, 0, 1], 0)).into())
        .unwrap();
    svc.set_nonblocking(true).unwrap();
    let svc: UdpSocket = svc.into();
    let port = svc.local_addr().unwrap().port();
    let policy = Policy::deny_all()
        .allow_bind(&format!("127.0.0.1:{port}"))
        .unwrap();
    let steps = [
        format!("reuse,udp,addr,127.0.0.1,{port}"),
        format!("reuse,udp,port,127.0.0.1,{port}"),
        format!("reuse,tcp,port,127.0.0.1,{port}"),
    ];
    let mut seen = Vec::new();
    let r = attempt_with("escape", &steps, policy, |_| {
        seen = own_on_port(port);
        let c = UdpSocket::bind("127.0.0.1:0").unwrap();
        c.send_to(b"for the service", ("127.0.0.1", port)).unwrap();
    });
    for st in &steps {
        r.denied(st);
    }
    // Only the service's own socket is on the port, and it got the datagram.
    assert_eq!(seen.len(), 1, "{seen:?}");
    let mut b = [0u8; 64];
    let got = retry(200, Duration::from_millis(10), || {
        svc.recv_from(&mut b).ok()
    });
    assert!(got.is_some());
    // SO_REUSEADDR on TCP (restart after TIME_WAIT) stays allowed.
    let p2 = free_port();
    let st = format!("reuse,tcp,addr,127.0.0.1,{p2}");
    let r = attempt(
        "escape",
        std::slice::from_ref(&st),
        Policy::deny_all()
            .allow_bind(&format!("127.0.0.1:{p2}"))
            .unwrap(),
    );
    r.allowed(&st);
}

#[test]
fn guarded_options_families_and_raw_sockets_are_off_unless_granted() {
    if !alone("escape::guarded_options_families_and_raw_sockets_are_off_unless_granted") {
        return;
    }
    let steps = s(&[
        "opt,SO_MARK",
        "opt,SO_PRIORITY",
        "opt,IP_TOS",
        "opt,SO_BINDTODEVICE",
        "opt,IP_TRANSPARENT",
        "opt,IP_FREEBIND",
        "raw,1",
        "raw,255",
        "family,17,3",
        "family,16,2",
        "family,40,1",
    ]);
    let mut seen = Vec::new();
    let r = attempt_with("escape", &steps, Policy::deny_all(), |_| {
        seen = own_sockets()
    });
    for st in &steps {
        r.denied(st);
    }
    // No raw or packet socket of this process exists.
    assert!(
        !seen
            .iter()
            .any(|(t, _, _)| t.starts_with("raw") || t == "packet"),
        "{seen:?}"
    );
    // The host decided each (audit records, outside the guest).
    assert!(
        r.audit.contains("\"use\":\"option\",\"transport\":null,\"subject\":\"setting option SO_MARK\",\"allowed\":false,\"enforced\":true"),
        "{}",
        r.audit
    );
    assert!(
        r.audit.contains("allow with policy.allow_raw(\\\"255\\\")"),
        "{}",
        r.audit
    );
    assert!(
        r.audit
            .contains("allow with policy.allow_family(\\\"packet\\\")"),
        "{}",
        r.audit
    );
    // Granted, the same calls go through to the kernel.
    let granted = Policy::deny_all()
        .allow_option("SO_PRIORITY")
        .unwrap()
        .allow_option("IP_TOS")
        .unwrap()
        .allow_raw("icmp")
        .unwrap();
    let steps = s(&["opt,SO_PRIORITY", "opt,IP_TOS", "raw,1"]);
    let mut seen = Vec::new();
    let r = attempt_with("escape", &steps, granted, |_| seen = own_sockets());
    for st in &steps {
        r.allowed(st);
    }
    assert!(seen.iter().any(|(t, _, _)| t == "raw"), "{seen:?}");
}

fn igmp_has(group_hex_le: &str) -> bool {
    std::fs::read_to_string("/proc/net/igmp")
        .unwrap_or_default()
        .contains(group_hex_le)
}

#[test]
fn multicast_joins_need_a_join_rule() {
    if !alone("escape::multicast_joins_need_a_join_rule") {
        return;
    }
    // 239.7.7.7 in /proc/net/igmp's little-endian hex.
    let hex = "070707EF";
    let mut during = false;
    let st = "join,239.7.7.7".to_string();
    let r = attempt_with(
        "escape",
        std::slice::from_ref(&st),
        Policy::deny_all(),
        |_| during = igmp_has(hex),
    );
    r.denied(&st);
    assert!(!during, "the group was joined");
    let p = Policy::deny_all()
        .allow_join("udp://239.0.0.0/8:*")
        .unwrap();
    let r = attempt_with("escape", std::slice::from_ref(&st), p, |_| {
        during = igmp_has(hex)
    });
    r.allowed(&st);
    assert!(during, "the allowed join did not reach the kernel");
}

#[test]
fn accept_closes_denied_peers_and_keeps_waiting() {
    accept_filter("");
}

#[test]
fn accept_closes_denied_peers_in_blocking_mode() {
    accept_filter(",block");
}

#[test]
fn accept_closes_denied_peers_async() {
    ASYNC.with(|a| a.set(true));
    accept_filter("");
}

fn accept_filter(mode: &str) {
    let port = free_port();
    let policy = Policy::deny_all()
        .allow_bind(&format!("127.0.0.1:{port}"))
        .unwrap()
        .allow_accept("127.0.0.1:*")
        .unwrap();
    let steps = [format!("accept,127.0.0.1,{port},1{mode}")];
    let mut denied_got = Vec::new();
    let mut allowed_got = Vec::new();
    let r = attempt_live("escape", &steps, policy, |out| {
        assert!(wait_for(out, "listening", GUEST_LIMIT));
        let connect_from = |src: [u8; 4]| {
            let s =
                socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
            s.bind(&SocketAddr::from((src, 0)).into()).unwrap();
            s.connect(&SocketAddr::from(([127, 0, 0, 1], port)).into())
                .unwrap();
            s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            let mut t: TcpStream = s.into();
            let mut got = Vec::new();
            let _ = t.read_to_end(&mut got);
            got
        };
        // The denied peer first: closed without a word; then the allowed.
        denied_got = connect_from([127, 0, 0, 2]);
        allowed_got = connect_from([127, 0, 0, 1]);
    });
    assert_eq!(denied_got, b"", "the denied peer reached the guest");
    assert_eq!(allowed_got, b"welcome");
    assert!(r.line(&steps[0]).ends_with("ok 127.0.0.1"), "{}", r.stdout);
    assert!(
        r.audit
            .contains("\"use\":\"accept\",\"transport\":\"tcp\",\"subject\":\"127.0.0.2:"),
        "{}",
        r.audit
    );
}

#[test]
fn udp_servers_drop_denied_peers_and_reply_only_to_who_wrote() {
    udp_filter("");
}

#[test]
fn udp_servers_drop_denied_peers_async() {
    ASYNC.with(|a| a.set(true));
    udp_filter("");
}

#[test]
fn udp_servers_drop_denied_peers_when_peeking() {
    udp_filter(",peek");
}

fn udp_filter(mode: &str) {
    let port = free_port();
    let policy = Policy::deny_all()
        .allow_bind(&format!("udp://127.0.0.1:{port}"))
        .unwrap()
        .allow_recv_from("udp://127.0.0.1:*")
        .unwrap()
        .allow_udp_reply(true);
    let bystander = Observer::udp("127.0.0.1:0");
    let bp = bystander.port();
    let steps = [
        format!("serve-udp,127.0.0.1,{port},1{mode}"),
        format!("sendto-bound,127.0.0.1,{bp}"),
    ];
    let mut intruder_got = None;
    let mut friend_got = None;
    let r = attempt_live("escape", &steps, policy, |out| {
        assert!(wait_for(out, "listening", GUEST_LIMIT));
        let intruder = UdpSocket::bind("127.0.0.2:0").unwrap();
        let friend = UdpSocket::bind("127.0.0.1:0").unwrap();
        intruder.send_to(b"let me in", ("127.0.0.1", port)).unwrap();
        // Bounded wait so the intruder's datagram is queued first.
        std::thread::sleep(Duration::from_millis(50));
        friend.send_to(b"hello", ("127.0.0.1", port)).unwrap();
        for (s, slot) in [(&friend, &mut friend_got), (&intruder, &mut intruder_got)] {
            s.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
            let mut b = [0u8; 16];
            *slot = s.recv_from(&mut b).ok().map(|(n, _)| b[..n].to_vec());
        }
    });
    assert_eq!(friend_got.as_deref(), Some(&b"echo"[..]), "{}", r.stdout);
    assert_eq!(intruder_got, None, "the intruder got an answer");
    if !mode.is_empty() {
        assert!(r.stdout.contains("peeked 127.0.0.1\n"), "{}", r.stdout);
        assert!(!r.stdout.contains("peeked 127.0.0.2"), "{}", r.stdout);
    }
    assert!(r.line(&steps[0]).ends_with("ok 127.0.0.1"), "{}", r.stdout);
    r.denied(&steps[1]);
    assert_eq!(bystander.count(), 0);
    assert!(
        r.audit
            .contains("\"use\":\"recv-from\",\"transport\":\"udp\",\"subject\":\"127.0.0.2:"),
        "{}",
        r.audit
    );
}

#[test]
fn the_socket_limit_holds() {
    let st = "sockets,10".to_string();
    let mut p = Policy::deny_all();
    p.limits.max_sockets = 3;
    let r = attempt("escape", std::slice::from_ref(&st), p);
    // Three opened, the fourth refused before socket(2).
    assert!(
        r.line(&st).contains("ok 3 then OSError: [Errno 24]"),
        "{}",
        r.stdout
    );
}

#[test]
fn names_need_a_resolve_rule() {
    let st = "resolve,example.com".to_string();
    let r = attempt("escape", std::slice::from_ref(&st), Policy::deny_all());
    // A name the policy does not let the guest resolve fails as an unknown
    // name does (netdb.rs: `gaierror` EAI_NONAME, which Python programs
    // handle); the host's own audit shows it was the policy.
    let l = r.line(&st);
    assert!(l.contains("gaierror: [Errno -2]"), "{l}");
    assert!(
        r.audit.contains("\"use\":\"resolve\"")
            && r.audit.contains("\"subject\":\"\\\"example.com\\\"\"")
            && r.audit.contains("\"allowed\":false"),
        "{}",
        r.audit
    );
}

#[test]
fn std_net_guests_are_held_to_the_same_rules() {
    let obs = Observer::dual(true, 0);
    let p = obs.port();
    let uobs = Observer::dual(false, 0);
    let up = uobs.port();
    let policy = all_but_loopback().allow_wasi_sockets(true);
    // wasi:sockets itself refuses unspecified destinations (InvalidInput);
    // the rest are the policy's.
    let refused = [format!("connect,0.0.0.0:{p}"), format!("connect,[::]:{p}")];
    let denied = [
        format!("connect,127.0.0.2:{p}"),
        format!("connect,[::1]:{p}"),
        format!("connect,127.0.0.1:{p}"),
        format!("sendto,127.0.0.1:{up}"),
        format!("sendto,127.0.0.3:{up}"),
    ];
    let steps: Vec<String> = refused.iter().chain(denied.iter()).cloned().collect();
    let r = attempt("std_net_escape", &steps, policy);
    for st in &denied {
        r.denied(st);
    }
    for st in &refused {
        assert!(r.line(st).contains(": error"), "{}", r.stdout);
    }
    assert_eq!(obs.count() + uobs.count(), 0, "{}", r.stdout);

    // Binds: a wildcard bind with a loopback address denied.
    let port = free_port();
    let policy = Policy::deny_all()
        .allow_bind(&format!("*:{port}"))
        .unwrap()
        .deny_bind(&format!("127.0.0.1:{port}"))
        .unwrap()
        .allow_wasi_sockets(true);
    let steps = [
        format!("bind,tcp,0.0.0.0:{port}"),
        format!("bind,udp,0.0.0.0:{port}"),
        format!("bind,tcp,127.0.0.1:{port}"),
    ];
    let mut seen = Vec::new();
    let r = attempt_with("std_net_escape", &steps, policy, |_| {
        seen = own_on_port(port)
    });
    for st in &steps {
        r.denied(st);
    }
    assert!(seen.is_empty(), "{seen:?}");
}

#[test]
fn std_net_udp_servers_drop_denied_peers() {
    let port = free_port();
    let policy = Policy::deny_all()
        .allow_bind(&format!("udp://127.0.0.1:{port}"))
        .unwrap()
        .allow_recv_from("udp://127.0.0.1:*")
        .unwrap()
        .allow_wasi_sockets(true);
    let st = format!("serve-udp,127.0.0.1:{port},1");
    let r = attempt_live("std_net_escape", std::slice::from_ref(&st), policy, |out| {
        assert!(wait_for(out, "listening", GUEST_LIMIT));
        let intruder = UdpSocket::bind("127.0.0.2:0").unwrap();
        intruder.send_to(b"x", ("127.0.0.1", port)).unwrap();
        std::thread::sleep(Duration::from_millis(50));
        let friend = UdpSocket::bind("127.0.0.1:0").unwrap();
        friend.send_to(b"x", ("127.0.0.1", port)).unwrap();
    });
    assert!(r.line(&st).ends_with("ok 127.0.0.1"), "{}", r.stdout);
    assert!(
        r.audit
            .contains("\"source\":\"wasi-sockets\",\"use\":\"recv-from\""),
        "{}",
        r.audit
    );
}

#[test]
fn the_socket_limit_counts_std_net_sockets() {
    let mut p = Policy::deny_all()
        .allow_bind("udp://127.0.0.1:*")
        .unwrap()
        .allow_wasi_sockets(true);
    p.limits.max_sockets = 3;
    let st = "sockets,10".to_string();
    let r = attempt("std_net_escape", std::slice::from_ref(&st), p.clone());
    assert!(r.line(&st).contains("ok 3 then"), "{}", r.stdout);
    // wasock and wasi:sockets sockets share the one limit.
    let r = attempt("escape", &s(&["sockets,10"]), p);
    assert!(
        r.line("sockets,10")
            .contains("ok 3 then OSError: [Errno 24]"),
        "{}",
        r.stdout
    );
}

#[test]
fn hostname_rules_admit_only_what_a_lookup_returned() {
    // `localhost` resolves from the hosts file: no DNS server is asked.
    let obs = Observer::dual(true, 0);
    let p = obs.port();
    let by_name = format!("connect-name,localhost:{p}");
    let by_addr = format!("connect,127.0.0.1:{p}");
    // Allowed by name, after a lookup of that name.
    let allowed = Policy::deny_all()
        .allow_resolve("localhost")
        .unwrap()
        .allow_connect(&format!("tcp://localhost:{p}"))
        .unwrap()
        .allow_wasi_sockets(true);
    let r = attempt(
        "std_net_escape",
        std::slice::from_ref(&by_name),
        allowed.clone(),
    );
    r.allowed(&by_name);
    assert_eq!(obs.count(), 1, "{}", r.stdout);
    assert!(r.audit.contains("\"use\":\"resolve\""), "{}", r.audit);
    // The same address without a lookup: the name rule does not admit it.
    let r = attempt("std_net_escape", std::slice::from_ref(&by_addr), allowed);
    r.denied(&by_addr);
    // A lookup of an allowed name whose rule is for another name.
    let other = Policy::deny_all()
        .allow_resolve("localhost")
        .unwrap()
        .allow_connect(&format!("tcp://db.example:{p}"))
        .unwrap()
        .allow_wasi_sockets(true);
    let r = attempt("std_net_escape", std::slice::from_ref(&by_name), other);
    r.denied(&by_name);
    // A name a deny-resolve rule names is not looked up at all, though a
    // connect rule naming it implies its lookup (issue 22 item 3).
    let unresolvable = Policy::deny_all()
        .deny_resolve("localhost")
        .unwrap()
        .allow_connect(&format!("tcp://localhost:{p}"))
        .unwrap()
        .allow_wasi_sockets(true);
    let r = attempt(
        "std_net_escape",
        std::slice::from_ref(&by_name),
        unresolvable,
    );
    r.denied(&by_name);
    assert!(
        r.audit
            .contains("resolve \\\"localhost\\\" denied by policy"),
        "{}",
        r.audit
    );
    assert_eq!(obs.count(), 0);
}

// ---------------------------------------------------------------------------
// Findings of the security review (each fails without its fix).

#[test]
fn unspecified_from_a_v4_mapped_socket_is_judged_as_ipv4() {
    v4_mapped_unspecified();
}

#[test]
fn unspecified_from_a_v4_mapped_socket_is_judged_as_ipv4_async() {
    ASYNC.with(|a| a.set(true));
    v4_mapped_unspecified();
}

fn v4_mapped_unspecified() {
    // An IPv6 socket bound to ::ffff:127.0.0.1 (or ::ffff:0.0.0.0) that
    // connects to `::` reaches 127.0.0.1: the kernel treats the socket as
    // IPv4. A rule for [::1] must not let it reach a v4-only listener.
    for tcp in [true, false] {
        let obs = if tcp {
            Observer::tcp("127.0.0.1:0")
        } else {
            Observer::udp("127.0.0.1:0")
        };
        let p = obs.port();
        let verb = if tcp { "connect-from" } else { "udp-from" };
        let base = Policy::deny_all()
            .allow_bind("127.0.0.1:0")
            .unwrap()
            .allow_bind("0.0.0.0:0")
            .unwrap();
        let steps = vec![
            format!("{verb},::ffff:127.0.0.1,::,{p}"),
            format!("{verb},::ffff:0.0.0.0,::,{p}"),
        ];
        let policy = base.clone().allow_connect(&format!("[::1]:{p}")).unwrap();
        let r = attempt("escape", &steps, policy);
        for st in &steps {
            r.denied(st);
        }
        assert_eq!(obs.count(), 0, "{}", r.stdout);
        // Precise, not closed: allowed when 127.0.0.1 is.
        let policy = base.allow_connect(&format!("127.0.0.1:{p}")).unwrap();
        let r = attempt("escape", &steps, policy);
        for st in &steps {
            r.allowed(st);
        }
        assert_eq!(obs.count(), steps.len(), "{}", r.stdout);
    }
}

#[test]
fn tcp_fast_open_is_judged_as_a_connect() {
    let obs = Observer::tcp("127.0.0.1:0");
    let p = obs.port();
    let st = format!("fastopen,127.0.0.1,{p}");
    // A send-to rule does not open TCP connections.
    let policy = Policy::deny_all()
        .allow_send_to(&format!("tcp://127.0.0.1:{p}"))
        .unwrap();
    let r = attempt("escape", std::slice::from_ref(&st), policy);
    r.denied(&st);
    assert_eq!(obs.count(), 0, "{}", r.stdout);
    assert!(r.audit.contains("\"use\":\"connect\""), "{}", r.audit);
    // A connect rule does, and the connection rate limit counts it.
    let mut policy = Policy::deny_all()
        .allow_connect(&format!("tcp://127.0.0.1:{p}"))
        .unwrap();
    policy.limits.connections_per_second = Some(1);
    let steps = vec![st.clone(), st.clone()];
    let r = attempt("escape", &steps, policy);
    assert!(r.stdout.contains(&format!("{st}: ok 1")), "{}", r.stdout);
    assert!(
        r.stdout.contains(&format!("{st}: OSError")) || r.stdout.contains("PermissionError"),
        "the second fast-open connect was not rate limited: {}",
        r.stdout
    );
    assert_eq!(obs.count(), 1, "{}", r.stdout);
}

#[test]
fn a_connected_udp_socket_obeys_deny_send_to() {
    let obs = Observer::udp("127.0.0.1:0");
    let p = obs.port();
    let st = format!("udp-connect,127.0.0.1,{p}");
    let policy = Policy::deny_all()
        .allow_connect(&format!("udp://127.0.0.1:{p}"))
        .unwrap()
        .deny_send_to(&format!("udp://127.0.0.1:{p}"))
        .unwrap();
    let r = attempt("escape", std::slice::from_ref(&st), policy);
    r.denied(&st);
    assert_eq!(obs.count(), 0, "{}", r.stdout);
    assert!(
        r.audit
            .contains(&format!("denied by rule deny-send-to udp://127.0.0.1:{p}")),
        "{}",
        r.audit
    );
    // Without the deny rule the connect implies the sends.
    let policy = Policy::deny_all()
        .allow_connect(&format!("udp://127.0.0.1:{p}"))
        .unwrap();
    let r = attempt("escape", std::slice::from_ref(&st), policy);
    r.allowed(&st);
    assert_eq!(obs.count(), 1, "{}", r.stdout);
}

#[test]
fn tcp_congestion_is_a_guarded_option() {
    // The host is root: without the guard the guest would set an algorithm
    // outside tcp_allowed_congestion_control.
    let st = "opt,TCP_CONGESTION".to_string();
    let r = attempt("escape", std::slice::from_ref(&st), Policy::deny_all());
    r.denied(&st);
    assert!(
        r.audit.contains(
            "\"subject\":\"setting option TCP_CONGESTION\",\"allowed\":false,\"enforced\":true"
        ),
        "{}",
        r.audit
    );
    let granted = Policy::deny_all().allow_option("TCP_CONGESTION").unwrap();
    let r = attempt("escape", std::slice::from_ref(&st), granted);
    r.allowed(&st);
}

#[test]
fn tos_control_messages_need_the_option_grant() {
    for v6 in [false, true] {
        let (obs, h) = if v6 {
            (Observer::udp("[::1]:0"), "::1")
        } else {
            (Observer::udp("127.0.0.1:0"), "127.0.0.1")
        };
        let p = obs.port();
        let st = format!("tos-msg,{h},{p}");
        let policy = Policy::deny_all()
            .allow_send_to(&format!("udp://{}:{p}", if v6 { "[::1]" } else { h }))
            .unwrap();
        let r = attempt("escape", std::slice::from_ref(&st), policy.clone());
        r.denied(&st);
        assert_eq!(obs.count(), 0, "{}", r.stdout);
        let key = if v6 { "IPV6_TCLASS" } else { "IP_TOS" };
        assert!(
            r.audit
                .contains(&format!("sending a {key} control message")),
            "{}",
            r.audit
        );
        let r = attempt(
            "escape",
            std::slice::from_ref(&st),
            policy.allow_option(key).unwrap(),
        );
        r.allowed(&st);
        assert_eq!(obs.count(), 1, "{}", r.stdout);
    }
}

#[test]
fn pktinfo_can_neither_choose_the_interface_nor_spoof_the_source() {
    for v6 in [false, true] {
        let (obs, h, bracket, other) = if v6 {
            (Observer::udp("[::1]:0"), "::1", "[::1]", "::1")
        } else {
            (
                Observer::udp("127.0.0.1:0"),
                "127.0.0.1",
                "127.0.0.1",
                "127.0.0.5",
            )
        };
        let p = obs.port();
        let any = if v6 { "::" } else { "0.0.0.0" };
        let iface = format!("pktinfo,{h},{p},1,{any}");
        let spoof = format!("pktinfo,{h},{p},0,{other}");
        let plain = format!("pktinfo,{h},{p},0,{any}");
        let policy = Policy::deny_all()
            .allow_send_to(&format!("udp://{bracket}:{p}"))
            .unwrap();
        let steps = vec![iface.clone(), spoof.clone(), plain.clone()];
        let r = attempt("escape", &steps, policy);
        r.denied(&iface);
        // A source address is a bind the policy did not allow.
        r.denied(&spoof);
        r.allowed(&plain);
        assert_eq!(obs.count(), 1, "{}", r.stdout);
        assert!(r.audit.contains("\"use\":\"bind\""), "{}", r.audit);
    }
}

#[test]
fn a_loopback_deny_covers_the_other_familys_loopback() {
    // A dual-stack [::] listener receives 127.0.0.1 and ::1 alike.
    for tcp in [true, false] {
        let obs = Observer::dual(tcp, 0);
        let p = obs.port();
        let verb = if tcp { "connect" } else { "sendto" };
        for (deny, dest) in [("127.0.0.0/8", "::1"), ("[::1]", "127.0.0.1")] {
            let policy = Policy::deny_all()
                .allow_connect("*:*")
                .unwrap()
                .deny_connect(&format!("{deny}:{p}"))
                .unwrap();
            let st = format!("{verb},{dest},{p}");
            let r = attempt("escape", std::slice::from_ref(&st), policy);
            r.denied(&st);
            assert_eq!(obs.count(), 0, "{}", r.stdout);
        }
        // Another port stays reachable (precise, not closed).
        let policy = Policy::deny_all()
            .allow_connect("*:*")
            .unwrap()
            .deny_connect(&format!("127.0.0.0/8:{}", p.wrapping_add(1).max(1)))
            .unwrap();
        let st = format!("{verb},::1,{p}");
        let r = attempt("escape", std::slice::from_ref(&st), policy);
        r.allowed(&st);
        assert_eq!(obs.count(), 1, "{}", r.stdout);
    }
}

/// Runs `test` (its path in this binary) again in a child process inside a
/// network namespace of its own (`unshare -n`; we are root) after `setup`
/// (a shell script). Returns `true` in that child; in the parent, checks
/// that the child ran the test and passed, and returns `false`.
fn in_netns(test: &str, setup: &str) -> bool {
    in_namespace_with(test, "-n", setup, &[])
}

#[test]
fn a_loopback_deny_covers_multicast_that_loops_back() {
    // In a namespace of its own, multicast routes through lo: a member on
    // this host receives what the guest sends to the group.
    if !in_netns(
        "escape::a_loopback_deny_covers_multicast_that_loops_back",
        "ip link set lo up; ip link set lo multicast on; ip route add 224.0.0.0/4 dev lo",
    ) {
        return;
    }
    let obs = Observer::udp("0.0.0.0:0");
    let p = obs.port();
    if let Observer::Udp(u) = &obs {
        u.join_multicast_v4(&"239.1.2.3".parse().unwrap(), &"127.0.0.1".parse().unwrap())
            .unwrap();
    }
    let st = format!("sendto,239.1.2.3,{p}");
    let policy = Policy::deny_all()
        .allow_send_to("udp://*:*")
        .unwrap()
        .deny_send_to(&format!("udp://127.0.0.1:{p}"))
        .unwrap();
    let r = attempt("escape", std::slice::from_ref(&st), policy);
    r.denied(&st);
    assert_eq!(obs.count(), 0, "{}", r.stdout);
    assert!(r.audit.contains("is multicast"), "{}", r.audit);
    // Without the deny rule it arrives: the observer sees the group.
    let policy = Policy::deny_all().allow_send_to("udp://*:*").unwrap();
    let r = attempt("escape", std::slice::from_ref(&st), policy);
    r.allowed(&st);
    let n = retry(100, std::time::Duration::from_millis(10), || {
        let n = obs.count();
        (n > 0).then_some(n)
    });
    assert_eq!(n, Some(1), "{}", r.stdout);
}

/// An address given to an interface after the guest's first destination
/// check (so after the host read its table of this host's addresses) is
/// judged as this host's: a connect to it is judged as loopback too and
/// refused by a deny rule naming loopback. IPv4, IPv6, IPv6 link-local
/// with the interface's scope id, and an AnyIP `local` route; the native
/// listener sees nothing. In a
/// namespace of the test's own (the addresses exist nowhere else).
#[test]
fn an_address_added_after_start_is_judged_as_this_hosts() {
    if !in_netns(
        "escape::an_address_added_after_start_is_judged_as_this_hosts",
        "ip link set lo up; ip link add d0 type veth peer name d1; \
         ip link set d0 up; ip link set d1 up",
    ) {
        return;
    }
    let obs = Observer::dual(true, 0);
    let p = obs.port();
    let q = free_port();
    // (/sys/class/net is the parent namespace's: ask ip.)
    let link = std::process::Command::new("ip")
        .args(["-o", "link", "show", "d0"])
        .output()
        .unwrap();
    let ifindex = String::from_utf8_lossy(&link.stdout)
        .split(':')
        .next()
        .unwrap()
        .trim()
        .to_string();
    let policy = |deny: bool| {
        let p0 = Policy::deny_all()
            .allow_connect("tcp://*:*")
            .unwrap()
            .allow_bind(&format!("udp://127.0.0.1:{q}"))
            .unwrap()
            .allow_recv_from("udp://127.0.0.1:*")
            .unwrap();
        if deny {
            p0.deny_connect(&format!("tcp://127.0.0.1:{p}"))
                .unwrap()
                .deny_connect(&format!("tcp://[::1]:{p}"))
                .unwrap()
        } else {
            p0
        }
    };
    let targets = [
        format!("connect,10.77.0.1,{p}"),
        format!("connect,fd77::1,{p}"),
        format!("connect,fe80::77,{p},{ifindex}"),
        // An AnyIP range (a `local` route): delivered here too.
        format!("connect,10.78.3.4,{p}"),
    ];
    // The first connect (to an address no one has) makes the host read its
    // table; the guest then waits for a datagram while the test adds the
    // addresses.
    let mut steps = vec![
        format!("connect,10.77.0.9,{p}"),
        format!("serve-udp,127.0.0.1,{q},1"),
    ];
    steps.extend(targets.iter().cloned());
    let r = attempt_live("escape", &steps, policy(true), |out| {
        assert!(wait_for(out, "listening", GUEST_LIMIT));
        let sh = "ip addr add 10.77.0.1/32 dev d0 && \
                  ip -6 addr add fd77::1/128 dev d0 nodad && \
                  ip -6 addr add fe80::77/128 dev d0 nodad && \
                  ip route add local 10.78.0.0/16 dev lo";
        let st = std::process::Command::new("sh")
            .args(["-c", sh])
            .status()
            .unwrap();
        assert!(st.success());
        UdpSocket::bind("127.0.0.1:0")
            .unwrap()
            .send_to(b"go", ("127.0.0.1", q))
            .unwrap();
    });
    assert!(r.line(&steps[1]).ends_with("ok 127.0.0.1"), "{}", r.stdout);
    for t in &targets {
        r.denied(t);
    }
    assert_eq!(obs.count(), 0, "{}", r.stdout);
    assert!(r.audit.contains("is this host's"), "{}", r.audit);
    // Without the deny rule each arrives: the addresses are live and
    // delivered to this host's listener.
    let r = attempt("escape", &targets, policy(false));
    for t in &targets {
        r.allowed(t);
    }
    assert_eq!(obs.count(), targets.len(), "{}", r.stdout);
}

#[test]
fn the_socket_limit_holds_for_wasi_sockets_seen_from_outside() {
    if !alone("escape::the_socket_limit_holds_for_wasi_sockets_seen_from_outside") {
        return;
    }
    let mut p = Policy::deny_all()
        .allow_bind("udp://127.0.0.1:*")
        .unwrap()
        .allow_wasi_sockets(true);
    p.limits.max_sockets = 4;
    // Four UDP sockets, one closed to make room for the hold step's.
    let steps = s(&["sockets,50", "drop-one"]);
    let before = own_sockets().iter().filter(|(t, _, _)| t == "udp").count();
    let mut seen = Vec::new();
    let r = attempt_with("std_net_escape", &steps, p, |_| seen = own_sockets());
    assert!(r.line("sockets,50").contains("ok 4 then"), "{}", r.stdout);
    let udp = seen.iter().filter(|(t, _, _)| t == "udp").count() - before;
    assert_eq!(udp, 3, "{seen:?}");
}

#[test]
fn sockets_in_flight_count_against_the_socket_limit() {
    // In a namespace of its own, /proc/net/udp lists only this test's
    // sockets, including those queued in an AF_UNIX socket (in flight: in
    // no process's descriptor table).
    if !in_netns(
        "escape::sockets_in_flight_count_against_the_socket_limit",
        "ip link set lo up",
    ) {
        return;
    }
    let udp = || {
        std::fs::read_to_string("/proc/net/udp")
            .unwrap()
            .lines()
            .count()
            - 1
    };
    let mut p = Policy::deny_all()
        .allow_bind("udp://127.0.0.1:*")
        .unwrap()
        .allow_fd_passing(true);
    p.limits.max_sockets = 6;
    let st = "pass-fds,50".to_string();
    let mut seen = 0;
    let r = attempt_with("escape", std::slice::from_ref(&st), p, |_| seen = udp());
    assert!(
        r.line(&st).contains("then OSError: [Errno 24]"),
        "{}",
        r.stdout
    );
    assert!(
        seen > 0 && seen <= 6,
        "{seen} UDP sockets alive\n{}",
        r.stdout
    );
}

#[test]
fn a_flood_of_denied_datagrams_is_not_logged_one_by_one() {
    let port = free_port();
    let policy = Policy::deny_all()
        .allow_bind(&format!("udp://127.0.0.1:{port}"))
        .unwrap()
        .allow_recv_from("udp://127.0.0.1:*")
        .unwrap();
    let steps = [format!("serve-udp,127.0.0.1,{port},1")];
    const FLOOD: usize = 150;
    let r = attempt_live("escape", &steps, policy, |out| {
        assert!(wait_for(out, "listening", GUEST_LIMIT));
        let intruder = UdpSocket::bind("127.0.0.2:0").unwrap();
        for _ in 0..FLOOD {
            intruder.send_to(b"x", ("127.0.0.1", port)).unwrap();
        }
        UdpSocket::bind("127.0.0.1:0")
            .unwrap()
            .send_to(b"hello", ("127.0.0.1", port))
            .unwrap();
    });
    // The friend's datagram, queued behind the flood, was received: every
    // queued intruder datagram was read and dropped before it.
    assert!(r.line(&steps[0]).ends_with("ok 127.0.0.1"), "{}", r.stdout);
    let denied = r
        .audit
        .lines()
        .filter(|l| l.contains("\"use\":\"recv-from\"") && l.contains("\"allowed\":false"))
        .count();
    assert!(denied >= 1, "{}", r.audit);
    assert!(
        denied < FLOOD / 2,
        "{denied} audit records for a flood of {FLOOD}"
    );
}

/// Reading SO_PEERPIDFD would make the kernel install a pidfd in the host
/// on every call (the fuzz runner found the leak): it is refused, and the
/// host process holds no more descriptors after 200 tries.
#[test]
fn so_peerpidfd_is_refused_and_leaks_nothing() {
    if !alone("escape::so_peerpidfd_is_refused_and_leaks_nothing") {
        return;
    }
    let fds = || std::fs::read_dir("/proc/self/fd").unwrap().count();
    let step = "peerpidfd,200".to_string();
    // Warm-up: the first run opens what the process keeps (engine, caches).
    attempt("escape", std::slice::from_ref(&step), Policy::deny_all());
    let before = fds();
    let r = attempt("escape", std::slice::from_ref(&step), Policy::deny_all());
    r.denied(&step);
    assert_eq!(fds(), before, "descriptors leaked");
}

/// TCP_ULP (raw path): a root host would autoload the kernel module
/// `tcp-ulp-<name>` for a name it does not know, so it needs a grant.
#[test]
fn tcp_ulp_is_a_guarded_option() {
    let st = "opt,TCP_ULP".to_string();
    let r = attempt("escape", std::slice::from_ref(&st), Policy::deny_all());
    r.denied(&st);
    // Granted, the kernel answers (an unconnected socket cannot take the
    // tls ULP), not the policy.
    let granted = Policy::deny_all().allow_option("TCP_ULP").unwrap();
    let r = attempt("escape", std::slice::from_ref(&st), granted);
    let l = r.line(&st);
    assert!(!l.contains("PermissionError"), "{l}");
}

/// NAT64 and IPv4-compatible spellings of loopback are judged as the IPv4
/// address they carry. In a network namespace of the test's own: were the
/// policy ever to let one through, the kernel would route it off the host,
/// and no test may send traffic there.
#[test]
fn nat64_and_compatible_forms_of_loopback_are_denied() {
    if !in_netns(
        "escape::nat64_and_compatible_forms_of_loopback_are_denied",
        "ip link set lo up",
    ) {
        return;
    }
    for tcp in [true, false] {
        let obs = Observer::dual(tcp, 0);
        let p = obs.port();
        let verb = if tcp { "connect" } else { "sendto" };
        let steps: Vec<String> = ["64:ff9b::7f00:1", "::127.0.0.1"]
            .iter()
            .map(|d| format!("{verb},{d},{p}"))
            .collect();
        let r = attempt("escape", &steps, all_but_loopback());
        for st in &steps {
            r.denied(st);
        }
        assert_eq!(obs.count(), 0, "the observer saw traffic:\n{}", r.stdout);
    }
}
