//! Unit tests of the policy engine.

use super::*;

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
        "x:1",
        "1.1.1.1:9-3",
    ] {
        assert!(t.parse::<Target>().is_err(), "{t}");
    }
    assert_eq!(
        "tcp://[::1]:1-2".parse::<Target>().unwrap().to_string(),
        "tcp://[::1]/128:1-2"
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
