//! Targets, TOML and limits: what parses, what is refused and why, and
//! what round-trips.

use super::*;

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
