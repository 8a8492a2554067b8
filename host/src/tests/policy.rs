//! Unit tests of the policy engine.

use super::*;
use crate::types::types::{AddressFamily, SocketType};
use std::net::SocketAddr;

fn sa(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

#[test]
fn deny_by_default() {
    let p = Policy::default();
    assert!(!p.permits(Use::Connect, Transport::Tcp, sa("127.0.0.1:80")));
    assert!(!p.permits(Use::Bind, Transport::Udp, sa("[::1]:80")));
}

#[test]
fn ports_ranges_prefixes_and_transports() {
    let p = Policy::default()
        .allow_connect("tcp://10.0.0.0/8:443")
        .unwrap()
        .allow_bind("udp://[::1]:5000-5100")
        .unwrap();
    assert!(p.permits(Use::Connect, Transport::Tcp, sa("10.1.2.3:443")));
    assert!(!p.permits(Use::Connect, Transport::Udp, sa("10.1.2.3:443")));
    assert!(!p.permits(Use::Connect, Transport::Tcp, sa("11.1.2.3:443")));
    assert!(!p.permits(Use::Connect, Transport::Tcp, sa("10.1.2.3:444")));
    assert!(!p.permits(Use::Bind, Transport::Tcp, sa("10.1.2.3:443")));
    assert!(p.permits(Use::Bind, Transport::Udp, sa("[::1]:5050")));
    assert!(!p.permits(Use::Bind, Transport::Udp, sa("[::1]:5101")));
}

#[test]
fn mapped_addresses_are_judged_as_ipv4() {
    let p = Policy::default().allow_connect("127.0.0.1:80").unwrap();
    assert!(p.permits(Use::Connect, Transport::Tcp, sa("[::ffff:127.0.0.1]:80")));
    let p = Policy::default()
        .allow_connect("*:*")
        .unwrap()
        .deny(Use::Connect, "10.0.0.0/8:*".parse().unwrap());
    assert!(!p.permits(Use::Connect, Transport::Tcp, sa("[::ffff:10.0.0.1]:80")));
    assert!(p.permits(Use::Connect, Transport::Tcp, sa("[::1]:80")));
}

#[test]
fn bad_targets_are_errors() {
    for t in [
        "",
        "127.0.0.1",
        "127.0.0.1:70000",
        "1.2.3.4/33:1",
        "ftp://1.2.3.4:1",
        "x y:1",
        "127.0.0.1/8:1",
        "::1:80",
        "[::1]/129:1",
        "*.:1",
        "ftp://x:1",
        "1.1.1.1:9-3",
    ] {
        assert!(t.parse::<Target>().is_err(), "{t}");
    }
    assert_eq!(
        "tcp://[::1]:1-2".parse::<Target>().unwrap().to_string(),
        "tcp://[::1]:1-2"
    );
    let e = "127.0.0.1/8:*".parse::<Target>().unwrap_err().to_string();
    assert!(
        e.contains("host bits set") && e.contains("did you mean 127.0.0.0/8?"),
        "{e}"
    );
    assert_eq!(
        "[::ffff:10.0.0.0]/104:1"
            .parse::<Target>()
            .unwrap()
            .to_string(),
        "10.0.0.0/8:1"
    );
    assert_eq!(
        "udp://API.Example.com.:53"
            .parse::<Target>()
            .unwrap()
            .to_string(),
        "udp://api.example.com:53"
    );
}

#[test]
fn toml() {
    let p = Policy::from_toml(
        "[network]\nallow-connect = [\"127.0.0.1:1-10\"]\ndeny-connect = [\"127.0.0.1:5\"]\n[limits]\nmax-sockets = 3\n",
    )
    .unwrap();
    assert!(p.permits(Use::Connect, Transport::Udp, sa("127.0.0.1:4")));
    assert!(!p.permits(Use::Connect, Transport::Udp, sa("127.0.0.1:5")));
    assert_eq!(p.limits.max_sockets, 3);
    assert!(Policy::from_toml("[network]\nallow-everything = true\n").is_err());
}

fn dest(s: &str) -> Destination {
    Destination::remote(sa(s))
}

fn none() -> Resolutions {
    Resolutions::default()
}

#[test]
fn unspecified_destinations_are_judged_as_loopback() {
    let p = Policy::default()
        .allow_connect("*:*")
        .unwrap()
        .deny_connect("127.0.0.0/8:*")
        .unwrap()
        .deny_connect("[::1]:*")
        .unwrap();
    for a in [
        "0.0.0.0:80",
        "[::]:80",
        "[::ffff:0.0.0.0]:80",
        "127.0.0.2:80",
    ] {
        let d = p.decide_destination(Use::Connect, Transport::Tcp, dest(a), &none(), false);
        assert!(!d.allowed, "{a}");
        assert!(
            d.detail().contains("denied by rule deny-connect"),
            "{}",
            d.detail()
        );
    }
    // Allowed loopback allows the unspecified address…
    let p = Policy::default().allow_connect("127.0.0.1:80").unwrap();
    let d = p.decide_destination(
        Use::Connect,
        Transport::Tcp,
        dest("0.0.0.0:80"),
        &none(),
        false,
    );
    assert!(d.allowed);
    // …unless a deny names the unspecified address itself.
    let p = p.deny_connect("0.0.0.0:*").unwrap();
    let d = p.decide_destination(
        Use::Connect,
        Transport::Tcp,
        dest("0.0.0.0:80"),
        &none(),
        false,
    );
    assert!(!d.allowed);
    // A host address is judged as loopback too.
    let p = Policy::default().allow_connect("10.0.0.0/8:*").unwrap();
    let mut d10 = dest("10.1.2.3:22");
    assert!(
        p.decide_destination(Use::Connect, Transport::Tcp, d10, &none(), false)
            .allowed
    );
    d10.host_local = true;
    let d = p.decide_destination(Use::Connect, Transport::Tcp, d10, &none(), false);
    assert!(!d.allowed);
    assert!(
        d.detail()
            .contains("allow with policy.allow_str(Use::Connect, \"tcp://127.0.0.1:22\")"),
        "{}",
        d.detail()
    );
}

#[test]
fn denials_name_the_rule_or_the_flag() {
    let p = Policy::default()
        .allow_connect("*:*")
        .unwrap()
        .deny_connect("tcp://127.0.0.0/8:*")
        .unwrap();
    let d = p.decide_destination(
        Use::Connect,
        Transport::Tcp,
        dest("127.0.0.1:80"),
        &none(),
        false,
    );
    assert_eq!(
        d.detail(),
        "connect to 127.0.0.1:80 (tcp) denied by policy: denied by rule deny-connect tcp://127.0.0.0/8:*"
    );
    let p = Policy::default();
    let d = p.decide_destination(
        Use::Connect,
        Transport::Tcp,
        dest("10.1.2.3:22"),
        &none(),
        false,
    );
    assert_eq!(
        d.detail(),
        "connect to 10.1.2.3:22 (tcp) denied by policy: no rule allows it; allow with policy.allow_str(Use::Connect, \"tcp://10.1.2.3:22\")"
    );
    let e = p.check_resolve("example.com").unwrap_err().to_string();
    assert!(e.contains("resolve \"example.com\" denied by policy: no rule allows it; allow with policy.allow_resolve(\"example.com\")"), "{e}");
    // The CLI's policies name its flags instead (issue 17 item 6).
    let cli = Policy::default().hint_style(crate::policy::HintStyle::Cli);
    let d = cli.decide_destination(
        Use::Connect,
        Transport::Tcp,
        dest("10.1.2.3:22"),
        &none(),
        false,
    );
    assert!(
        d.detail()
            .ends_with("; allow with --allow-connect tcp://10.1.2.3:22"),
        "{}",
        d.detail()
    );
    let e = cli.check_resolve("example.com").unwrap_err().to_string();
    assert!(e.contains("allow with --allow-resolve example.com"), "{e}");
    let e = cli.check_option("SO_MARK").unwrap_err().to_string();
    assert!(e.contains("allow with --allow-option SO_MARK"), "{e}");
    let e = p.check_option("SO_MARK").unwrap_err().to_string();
    assert!(
        e.contains("allow with policy.allow_option(\"SO_MARK\")"),
        "{e}"
    );
    let e = p
        .check_family(AddressFamily::Inet, SocketType::Raw, 1)
        .unwrap_err()
        .to_string();
    assert!(e.contains("allow with policy.allow_raw(\"1\")"), "{e}");
    let e = p
        .check_family(AddressFamily::Netlink, SocketType::Dgram, 0)
        .unwrap_err()
        .to_string();
    assert!(e.contains("policy.allow_netlink(\"route\")"), "{e}");
    assert!(p
        .check_family(AddressFamily::Unix, SocketType::Stream, 0)
        .is_ok());
    assert!(p.check_option("SO_MARK").is_err());
    assert!(p.check_option("TCP_NODELAY").is_ok());
    assert_eq!(option_key("SoBindtodevice"), "SO_BINDTODEVICE");
    assert_eq!(option_key("Ipv6V6only"), "IPV6_V6ONLY");
    assert_eq!(option_key("ip-tos"), "IP_TOS");
    let p = p
        .allow_option("so-mark")
        .unwrap()
        .allow_raw("icmp")
        .unwrap();
    assert!(p.check_option("SoMark").is_ok());
    assert!(p
        .check_family(AddressFamily::Inet, SocketType::Raw, 1)
        .is_ok());
    assert!(p
        .check_family(AddressFamily::Inet, SocketType::Raw, 6)
        .is_err());
    assert!(Policy::default().allow_option("TCP_NODELAY").is_err());
}

#[test]
fn wildcard_binds_need_every_address() {
    let p = Policy::default()
        .allow_bind("*:8080")
        .unwrap()
        .deny_bind("127.0.0.1:8080")
        .unwrap();
    let d = p.decide_local(Use::Bind, Transport::Tcp, sa("0.0.0.0:8080"), false);
    assert!(!d.allowed, "{}", d.detail());
    assert!(d.detail().contains("deny-bind 127.0.0.1:8080"));
    // The IPv6 wildcard alone does not receive IPv4.
    assert!(
        p.decide_local(Use::Bind, Transport::Tcp, sa("[::]:8080"), false)
            .allowed
    );
    // Dual-stack does.
    assert!(
        !p.decide_local(Use::Bind, Transport::Tcp, sa("[::]:8080"), true)
            .allowed
    );
    // A specific allowed address is not a wildcard.
    let p = Policy::default().allow_bind("127.0.0.1:*").unwrap();
    assert!(
        p.decide_local(Use::Bind, Transport::Tcp, sa("127.0.0.1:1"), false)
            .allowed
    );
    assert!(
        !p.decide_local(Use::Bind, Transport::Tcp, sa("0.0.0.0:1"), false)
            .allowed
    );
    // The wildcard granted explicitly.
    let p = Policy::default().allow_bind("[::]:80").unwrap();
    assert!(
        p.decide_local(Use::Bind, Transport::Tcp, sa("[::]:80"), false)
            .allowed
    );
    let d = p.decide_local(Use::Bind, Transport::Tcp, sa("[::]:80"), true);
    assert!(!d.allowed);
    assert!(d.detail().contains("IPV6_V6ONLY"), "{}", d.detail());
    let p = p.allow_bind("0.0.0.0:80").unwrap();
    assert!(
        p.decide_local(Use::Bind, Transport::Tcp, sa("[::]:80"), true)
            .allowed
    );
    assert!(
        p.decide_local(Use::Bind, Transport::Tcp, sa("[::ffff:0.0.0.0]:80"), false)
            .allowed
    );
    let p = p.deny_bind("0.0.0.0:*").unwrap();
    assert!(
        !p.decide_local(Use::Bind, Transport::Tcp, sa("0.0.0.0:80"), false)
            .allowed
    );
    assert!(
        p.decide_local(Use::Bind, Transport::Tcp, sa("[::]:80"), false)
            .allowed
    );
}

#[test]
fn implied_rules_yield_to_explicit_ones() {
    let p = Policy::default()
        .allow_bind("udp://127.0.0.1:5000")
        .unwrap();
    assert!(p.permits(Use::Listen, Transport::Udp, sa("127.0.0.1:5000")));
    assert!(p.permits(Use::RecvFrom, Transport::Udp, sa("10.9.9.9:1")));
    assert!(!p.filters_peers(Use::RecvFrom, Transport::Udp));
    let p = p.allow_recv_from("udp://127.0.0.1:*").unwrap();
    assert!(!p.permits(Use::RecvFrom, Transport::Udp, sa("10.9.9.9:1")));
    assert!(p.permits(Use::RecvFrom, Transport::Udp, sa("127.0.0.1:9")));
    assert!(p.filters_peers(Use::RecvFrom, Transport::Udp));
    let p = Policy::default()
        .allow_connect("udp://127.0.0.1:53")
        .unwrap();
    assert!(p.permits(Use::SendTo, Transport::Udp, sa("127.0.0.1:53")));
    assert!(p.permits(Use::RecvFrom, Transport::Udp, sa("127.0.0.1:53")));
    assert!(!p.permits(Use::RecvFrom, Transport::Udp, sa("127.0.0.1:54")));
    let text = p.to_toml();
    assert!(
        text.contains("# allow-send-to udp://127.0.0.1:53 (implied by allow-connect)"),
        "{text}"
    );
    let back = Policy::from_toml(&text).unwrap();
    assert_eq!(back.rules(), p.rules());
}

#[test]
fn udp_reply_rule() {
    let p = Policy::default()
        .allow_udp_reply(true)
        .deny_send_to("10.0.0.0/8:*")
        .unwrap();
    let d = p.decide_destination(
        Use::SendTo,
        Transport::Udp,
        dest("127.0.0.1:9"),
        &none(),
        true,
    );
    assert!(d.allowed);
    let d = p.decide_destination(
        Use::SendTo,
        Transport::Udp,
        dest("127.0.0.1:9"),
        &none(),
        false,
    );
    assert!(!d.allowed);
    let d = p.decide_destination(
        Use::SendTo,
        Transport::Udp,
        dest("10.0.0.1:9"),
        &none(),
        true,
    );
    assert!(!d.allowed);
}

#[test]
fn name_rules_admit_only_what_a_lookup_returned() {
    let p = Policy::default()
        .allow_connect("tcp://*.example.com:443")
        .unwrap()
        .allow_resolve("*.example.com")
        .unwrap()
        .deny_resolve("evil.example.com")
        .unwrap();
    assert!(p.check_resolve("api.example.com").is_ok());
    assert!(p.check_resolve("API.EXAMPLE.COM.").is_ok());
    assert!(p.check_resolve("example.com").is_err());
    assert!(p.check_resolve("evil.example.com").is_err());
    assert!(p.check_resolve("example.com.evil.org").is_err());
    let mut r = Resolutions::default();
    let a = dest("127.0.0.5:443");
    assert!(
        !p.decide_destination(Use::Connect, Transport::Tcp, a, &r, false)
            .allowed
    );
    r.note("other.org", &["127.0.0.5".parse().unwrap()]);
    assert!(
        !p.decide_destination(Use::Connect, Transport::Tcp, a, &r, false)
            .allowed
    );
    r.note("api.example.com", &["127.0.0.5".parse().unwrap()]);
    assert!(
        !p.decide_destination(Use::Connect, Transport::Tcp, a, &r, false)
            .allowed,
        "127.0.0.5 is this host's: judged as 127.0.0.1 too, which no lookup returned"
    );
    let b = dest("192.0.2.7:443");
    r.note("api.example.com", &["192.0.2.7".parse().unwrap()]);
    assert!(
        p.decide_destination(Use::Connect, Transport::Tcp, b, &r, false)
            .allowed
    );
    assert!(
        !p.decide_destination(
            Use::Connect,
            Transport::Tcp,
            dest("192.0.2.7:80"),
            &r,
            false
        )
        .allowed
    );
}

#[test]
fn limits_that_could_fail_the_host_are_rejected() {
    for bad in [
        "[limits]\nmax-recv = 1099511627776\n",
        "[limits]\nmax-recv = 0\n",
        "[limits]\nmax-sockets = 0\n",
        "[limits]\nmax-backlog = -1\n",
        "[limits]\nmax-memory = 10\n",
    ] {
        let e = Policy::from_toml(bad).unwrap_err().to_string();
        assert!(
            e.contains("out of range") || e.contains("negative"),
            "{bad}: {e}"
        );
    }
}

/// A bounded property check (deterministic pseudo-random): for any
/// policy made of random rules, a destination denied literally is never
/// allowed through its unspecified or mapped spelling, and a deny rule
/// always wins over an allow rule that covers the same address.
#[test]
fn property_spellings_never_widen() {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = |n: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % n
    };
    let nets = [
        "127.0.0.0/8",
        "127.0.0.1",
        "0.0.0.0",
        "*",
        "[::1]",
        "10.0.0.0/8",
        "[::]/0",
        "0.0.0.0/0",
    ];
    for _ in 0..300 {
        let mut p = Policy::default();
        for _ in 0..(1 + next(4)) {
            let t = format!(
                "{}:{}",
                nets[next(nets.len() as u64) as usize],
                if next(2) == 0 {
                    "*".to_string()
                } else {
                    (80 + next(2)).to_string()
                }
            );
            p = if next(3) == 0 {
                p.deny_connect(&t).unwrap()
            } else {
                p.allow_connect(&t).unwrap()
            };
        }
        let port = 80 + next(2) as u16;
        let lo = p.decide_destination(
            Use::Connect,
            Transport::Tcp,
            dest(&format!("127.0.0.1:{port}")),
            &none(),
            false,
        );
        for spelled in [
            format!("0.0.0.0:{port}"),
            format!("[::ffff:127.0.0.1]:{port}"),
            format!("[::ffff:0.0.0.0]:{port}"),
            format!("127.0.0.9:{port}"),
        ] {
            let d =
                p.decide_destination(Use::Connect, Transport::Tcp, dest(&spelled), &none(), false);
            assert!(
                lo.allowed || !d.allowed,
                "{spelled} allowed while 127.0.0.1 is not: {p:?}"
            );
        }
        let lo6 = p.decide_destination(
            Use::Connect,
            Transport::Tcp,
            dest(&format!("[::1]:{port}")),
            &none(),
            false,
        );
        let d = p.decide_destination(
            Use::Connect,
            Transport::Tcp,
            dest(&format!("[::]:{port}")),
            &none(),
            false,
        );
        assert!(lo6.allowed || !d.allowed);
    }
}

#[test]
fn every_parse_error_says_why() {
    for (t, why) in [
        ("127.0.0.1", "missing :PORTS"),
        ("ftp://1.2.3.4:1", "unknown scheme"),
        ("1.2.3.4:x", "bad port"),
        ("1.2.3.4:70000", "bad port"),
        ("1.2.3.4:9-3", "empty port range"),
        ("1.2.3.4/33:1", "prefix too long"),
        ("1.2.3.4/x:1", "bad prefix"),
        ("::1:80", "an IPv6 address goes in brackets"),
        ("[x]:1", "bad address"),
        ("a b:1", "bad address or host name"),
        (":1", "missing host"),
        ("10.1.0.0/8:1", "host bits set"),
    ] {
        let e = t.parse::<Target>().unwrap_err().to_string();
        assert!(e.contains(why), "{t}: {e}");
        assert!(e.contains("expected [tcp://|udp://|raw://]HOST"), "{e}");
    }
    for (r, ok) in [
        ("*", true),
        ("*.a.b", true),
        ("a", true),
        ("a..b", false),
        ("", false),
        ("a b", false),
    ] {
        assert_eq!(Policy::default().allow_resolve(r).is_ok(), ok, "{r}");
    }
    assert!(Policy::default().allow_raw("icmp").is_ok());
    assert!(Policy::default().allow_raw("256").is_err());
    assert!(Policy::default().allow_family("net link").is_err());
    for u in Use::ALL {
        assert_eq!(u.name().parse::<Use>().unwrap(), u);
    }
    assert!("all".parse::<Use>().is_err());
}

#[test]
fn every_toml_key_round_trips() {
    let text = r#"
[network]
allow-bind = ["udp://127.0.0.1:5000"]
deny-bind = ["0.0.0.0:*"]
allow-listen = ["127.0.0.1:80"]
deny-listen = ["127.0.0.1:81"]
allow-accept = ["127.0.0.0/8:*"]
deny-accept = ["127.0.0.2:*"]
allow-connect = ["tcp://api.example.com:443"]
deny-connect = ["[::1]:*"]
allow-send-to = ["udp://[::1]:53"]
deny-send-to = ["udp://[::1]:54"]
allow-recv-from = ["udp://[::1]:*"]
deny-recv-from = ["udp://127.0.0.9:*"]
allow-join = ["udp://239.0.0.0/8:*"]
deny-join = ["udp://239.1.0.0/16:*"]
allow-resolve = ["*.example.com"]
deny-resolve = ["bad.example.com"]
udp-reply = true
wasi-sockets = true
audit-only = true
[families]
raw = ["icmp", "*"]
allow = ["netlink"]
netlink = ["sock_diag", "NETLINK_GENERIC", "31"]
deny-netlink = ["audit"]
[options]
allow = ["so-mark", "IP_TOS"]
[limits]
max-sockets = 9
max-recv = 4096
max-backlog = 8
connections-per-second = 3
max-memory = 1048576
"#;
    let p = Policy::from_toml(text).unwrap();
    assert!(p.udp_reply() && p.wasi_sockets_allowed() && p.is_audit_only());
    assert_eq!(p.limits.connections_per_second, Some(3));
    assert_eq!(
        p.granted_options().collect::<Vec<_>>(),
        ["IP_TOS", "SO_MARK"]
    );
    let back = Policy::from_toml(&p.to_toml()).unwrap();
    assert_eq!(back.rules(), p.rules());
    assert_eq!(back.resolve_rules(), p.resolve_rules());
    assert_eq!(back.limits, p.limits);
    assert_eq!(back.grants, p.grants);
    assert_eq!(back.to_toml(), p.to_toml());
    // wall-time-ms, which cannot go with wasi-sockets (issue 22), in a
    // policy of its own.
    let p = Policy::from_toml("[limits]\nwall-time-ms = 1000\n").unwrap();
    assert_eq!(p.limits.wall_time, Some(std::time::Duration::from_secs(1)));
    assert_eq!(Policy::from_toml(&p.to_toml()).unwrap().limits, p.limits);
    let both = "[network]\nwasi-sockets = true\n[limits]\nwall-time-ms = 1000\n";
    assert!(Policy::from_toml(both)
        .unwrap_err()
        .to_string()
        .contains("wall-time-ms cannot stop"));
}

#[test]
fn token_bucket_arithmetic() {
    use std::time::{Duration, Instant};
    let t0 = Instant::now();
    let mut b = Bucket::full(100, t0);
    assert_eq!(b.ready_at(100, t0), None);
    b.spend(100, t0, 250); // into debt: -150
    let at = b.ready_at(100, t0).unwrap();
    assert!(at >= t0 + Duration::from_millis(1500) && at <= t0 + Duration::from_millis(1520));
    // After 1.6 s the balance is positive again.
    assert_eq!(b.ready_at(100, t0 + Duration::from_millis(1600)), None);
    // Refill never exceeds one second's worth.
    let later = t0 + Duration::from_secs(100);
    let mut b = Bucket::full(100, t0);
    b.spend(100, later, 100);
    assert!(b.ready_at(100, later).is_some());
}

#[test]
fn learned_targets_allow_the_same_use_again() {
    let all = Policy::allow_everything();
    let r = none();
    let cases: Vec<(Use, Decision)> = vec![
        (
            Use::Connect,
            all.decide_destination(Use::Connect, Transport::Tcp, dest("0.0.0.0:80"), &r, false),
        ),
        (
            Use::SendTo,
            all.decide_destination(Use::SendTo, Transport::Udp, dest("127.0.0.7:53"), &r, false),
        ),
        (
            Use::Bind,
            all.decide_local(Use::Bind, Transport::Tcp, sa("[::]:8080"), true),
        ),
        (
            Use::Bind,
            all.decide_local(Use::Bind, Transport::Udp, sa("127.0.0.1:0"), false),
        ),
        (
            Use::Accept,
            all.decide_peer(Use::Accept, Transport::Tcp, sa("127.0.0.1:5555"), &r),
        ),
    ];
    for (u, d) in cases {
        assert!(d.allowed);
        let mut p = Policy::deny_all();
        for t in &d.learn {
            p = p.allow_exact(u, t.clone());
        }
        let again = match u {
            Use::Connect => p.decide_destination(u, Transport::Tcp, dest("0.0.0.0:80"), &r, false),
            Use::SendTo => p.decide_destination(u, Transport::Udp, dest("127.0.0.7:53"), &r, false),
            Use::Accept => p.decide_peer(u, Transport::Tcp, sa("127.0.0.1:6666"), &r),
            _ if d.subject.starts_with('[') => {
                p.decide_local(u, Transport::Tcp, sa("[::]:8080"), true)
            }
            _ => p.decide_local(u, Transport::Udp, sa("127.0.0.1:0"), false),
        };
        assert!(again.allowed, "{}: {:?}", again.detail(), d.learn);
    }
}

#[test]
fn nat64_and_compatible_addresses_are_judged_as_their_ipv4() {
    let p = Policy::default()
        .allow_connect("*:*")
        .unwrap()
        .deny_connect("10.0.0.0/8:*")
        .unwrap()
        .deny_connect("127.0.0.0/8:*")
        .unwrap();
    for a in [
        "[64:ff9b::a00:1]:80",
        "[64:ff9b:1::a00:1]:80",
        "[::10.0.0.1]:80",
        "[64:ff9b::7f00:1]:80",
        "[::127.0.0.1]:80",
    ] {
        let d = p.decide_destination(Use::Connect, Transport::Tcp, dest(a), &none(), false);
        assert!(!d.allowed, "{a}");
    }
    assert!(
        p.decide_destination(
            Use::Connect,
            Transport::Tcp,
            dest("[64:ff9b::808:808]:80"),
            &none(),
            false
        )
        .allowed
    );
    assert!(
        p.decide_destination(
            Use::Connect,
            Transport::Tcp,
            dest("[2001:db8::1]:80"),
            &none(),
            false
        )
        .allowed
    );
    // Allowing the IPv6 form alone does not allow its IPv4 address.
    let p = Policy::default().allow_connect("[64:ff9b::]/96:*").unwrap();
    assert!(
        !p.decide_destination(
            Use::Connect,
            Transport::Tcp,
            dest("[64:ff9b::a00:1]:80"),
            &none(),
            false
        )
        .allowed
    );
}

/// Every grant has its deny, which wins whatever the order, and survives
/// printing the policy and reading it back.
#[test]
fn grants_have_denies_that_win() {
    use crate::types::types::{AddressFamily as F, SocketType as T};
    let both = |p: Policy| {
        let again = Policy::from_toml(&p.to_toml()).unwrap();
        [p, again]
    };
    let allow_then_deny = Policy::deny_all()
        .allow_option("SO_MARK")
        .unwrap()
        .deny_option("so-mark")
        .unwrap()
        .allow_raw("*")
        .unwrap()
        .deny_raw("icmp")
        .unwrap()
        .allow_family("packet")
        .unwrap()
        .deny_family("PACKET")
        .unwrap()
        .allow_abstract("app-")
        .deny_abstract("app-secret");
    let deny_then_allow = Policy::deny_all()
        .deny_option("SO_MARK")
        .unwrap()
        .allow_option("SO_MARK")
        .unwrap()
        .deny_family("netlink")
        .unwrap()
        .allow_family("netlink")
        .unwrap();
    for p in both(allow_then_deny) {
        assert!(p.check_option("SO_MARK").is_err());
        assert!(p.check_family(F::Inet, T::Raw, 1).is_err());
        assert!(p.check_family(F::Inet, T::Raw, 58).is_ok());
        assert!(p.check_family(F::Packet, T::Raw, 768).is_err());
        assert!(p.unix().permits_abstract(b"app-1"));
        assert!(!p.unix().permits_abstract(b"app-secret-2"));
        assert_eq!(p.granted_options().count(), 0);
    }
    for p in both(deny_then_allow) {
        assert!(p.check_option("SO_MARK").is_err());
        assert!(p.check_family(F::Netlink, T::Raw, 0).is_err());
    }
    assert!(Policy::deny_all().deny_option("TCP_NODELAY").is_err());
    assert!(Policy::deny_all().deny_raw("nope").is_err());
}

/// A netlink grant is per protocol: the `netlink` family grant is
/// NETLINK_ROUTE only; sock_diag, audit, uevent and the rest need their
/// own grant; denials (of a protocol, or of the family) win; denials name
/// the flag; the grants print and read back.
#[test]
fn netlink_grants_are_per_protocol() {
    use crate::types::types::{AddressFamily as F, SocketType as T};
    let family = Policy::deny_all().allow_family("netlink").unwrap();
    assert!(family.check_family(F::Netlink, T::Raw, 0).is_ok());
    assert!(family.check_family(F::Netlink, T::Dgram, 0).is_ok());
    for proto in [4, 9, 15, 16, 31] {
        let e = family.check_family(F::Netlink, T::Raw, proto).unwrap_err();
        let name = crate::policy::netlink_protocol_name(proto);
        let want = if proto == 16 {
            "allow with policy.allow_genl(\"FAMILY\") (or policy.allow_netlink(\"generic\")"
                .to_string()
        } else {
            format!("allow with policy.allow_netlink(\"{name}\")")
        };
        assert!(e.to_string().contains(&want), "{e}");
    }
    // Generic netlink per family: a family grant creates the socket; the
    // families are judged per message (netlink_guard).
    let genl = Policy::deny_all().allow_genl("ethtool").unwrap();
    assert!(genl.check_family(F::Netlink, T::Raw, 16).is_ok());
    assert!(genl.grants.genl_filtered());
    assert!(genl.grants.genl_family_granted("ethtool"));
    assert!(!genl.grants.genl_family_granted("nl80211"));
    let whole = Policy::deny_all().allow_netlink("generic").unwrap();
    assert!(!whole.grants.genl_filtered());
    let whole = whole.deny_genl("wireguard").unwrap();
    assert!(whole.grants.genl_filtered());
    assert!(!whole.grants.genl_family_granted("wireguard"));
    assert!(whole.grants.genl_family_granted("devlink"));
    assert!(Policy::deny_all().allow_genl("").is_err());
    assert!(Policy::deny_all()
        .allow_genl("a-very-long-family-name")
        .is_err());
    let t = genl.to_toml();
    assert!(t.contains("genl = [\"ethtool\"]"), "{t}");
    assert!(Policy::from_toml(&t)
        .unwrap()
        .grants
        .genl
        .contains("ethtool"));
    let diag = Policy::deny_all().allow_netlink("sock_diag").unwrap();
    assert!(diag.check_family(F::Netlink, T::Raw, 4).is_ok());
    assert!(diag.check_family(F::Netlink, T::Raw, 0).is_err());
    let all = Policy::deny_all()
        .allow_netlink("*")
        .unwrap()
        .deny_netlink("netlink_audit")
        .unwrap();
    for p in [all.clone(), Policy::from_toml(&all.to_toml()).unwrap()] {
        assert!(p.check_family(F::Netlink, T::Raw, 15).is_ok());
        assert!(p.check_family(F::Netlink, T::Raw, 9).is_err());
    }
    let denied = Policy::deny_all()
        .allow_netlink("*")
        .unwrap()
        .deny_family("netlink")
        .unwrap();
    assert!(denied.check_family(F::Netlink, T::Raw, 0).is_err());
    assert_eq!(
        crate::policy::netlink_protocol_number("KOBJECT_UEVENT"),
        Some(15)
    );
    for bad in ["32", "-1", "nope", ""] {
        assert!(Policy::deny_all().allow_netlink(bad).is_err(), "{bad}");
    }
    assert!(
        all.to_toml().contains("netlink = [\"*\"]"),
        "{}",
        all.to_toml()
    );
    assert!(all.to_toml().contains("deny-netlink = [\"audit\"]"));
}

#[test]
fn abstract_names_with_quotes_and_control_characters_round_trip() {
    let p = Policy::deny_all()
        .allow_abstract(b"app\"x\\y\x01\x7f\xc3\xa9")
        .deny_abstract(b"app\tadmin");
    let text = p.to_toml();
    let back = Policy::from_toml(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(
        back.unix().abstract_prefixes(),
        p.unix().abstract_prefixes(),
        "{text}"
    );
    assert_eq!(
        back.unix().denied_abstract_prefixes(),
        p.unix().denied_abstract_prefixes()
    );
}

/// A connect or send-to rule naming a host implies looking it up (issue
/// 22 item 3); deny-resolve still wins; other names stay denied.
#[test]
fn a_rule_naming_a_host_implies_its_lookup() {
    let p = Policy::deny_all()
        .allow(Use::Connect, "tcp://api.example.com:443".parse().unwrap())
        .allow(Use::SendTo, "udp://*.svc.test:53".parse().unwrap());
    let d = p.decide_resolve("API.example.com.");
    assert!(d.allowed, "{}", d.detail());
    assert_eq!(
        d.rule.as_deref(),
        Some("allow-resolve (implied by allow-connect tcp://api.example.com:443)")
    );
    assert!(p.check_resolve("dns.svc.test").is_ok());
    assert!(p.check_resolve("svc.test").is_err());
    assert!(p.check_resolve("example.com").is_err());
    let p = p.deny_resolve("api.example.com").unwrap();
    assert!(p.check_resolve("api.example.com").is_err());
    assert!(p
        .to_toml()
        .contains("# allow-resolve *.svc.test (implied by allow-send-to udp://*.svc.test:53)"));
}
