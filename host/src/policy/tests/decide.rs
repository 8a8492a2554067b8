//! Decisions: destinations, local addresses, peers, names, as the kernel
//! delivers them.

use super::*;

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
