//! Multicast and broadcast between guests, in a network namespace the test
//! creates (its loopback with multicast on, and a veth pair for IPv6),
//! judged from outside:
//! a native receiver counts datagrams, /proc/net/igmp shows the groups.

use crate::support::*;
use std::net::{Ipv4Addr, UdpSocket};
use std::time::Duration;
use wasock_host::Policy;

/// Runs `test` again in a child process inside a fresh network namespace
/// whose loopback is up and carries 224.0.0.0/4. True in the child.
fn in_netns(test: &str) -> bool {
    // IPv4 multicast over the loopback; IPv6 over a veth pair (mc0, with an
    // address of the namespace's own, mc1 its peer).
    let setup = "ip link set lo up multicast on && ip route add 224.0.0.0/4 dev lo \
                  && ip link add mc0 type veth peer name mc1 \
                  && ip -6 addr add fd00::1/64 dev mc0 nodad \
                  && ip link set mc0 up && ip link set mc1 up";
    in_namespace_with(test, "-n", setup, &[])
}

const GROUP: &str = "239.1.2.3";

/// Whether /proc/net/igmp (this namespace) lists GROUP.
fn group_joined() -> bool {
    let igmp = std::fs::read_to_string("/proc/net/igmp").unwrap();
    // Little-endian hex of 239.1.2.3.
    igmp.contains("030201EF")
}

fn receiver_policy(join: bool) -> Policy {
    let p = loopback_policy().allow_bind("239.0.0.0/8:*").unwrap();
    if join {
        p.allow_join("239.0.0.0/8:*").unwrap()
    } else {
        p
    }
}

fn sender_policy(send: bool) -> Policy {
    let p = loopback_policy();
    if send {
        p.allow_connect("239.1.2.3:*")
            .unwrap()
            .allow_send_to("239.1.2.3:*")
            .unwrap()
    } else {
        p
    }
}

/// A native socket joined to GROUP on loopback, bound to `port` (0: any).
fn native_member(port: u16) -> UdpSocket {
    let s = UdpSocket::bind((GROUP, port)).unwrap();
    s.join_multicast_v4(&GROUP.parse().unwrap(), &Ipv4Addr::LOCALHOST)
        .unwrap();
    s.set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    s
}

/// One guest joins, another sends through loopback with
/// IP_MULTICAST_LOOP: the datagram arrives; while the receiver waits,
/// the namespace's /proc/net/igmp shows its membership.
#[test]
fn multicast_between_two_guests() {
    if !in_netns("multicast::multicast_between_two_guests") {
        return;
    }
    let component = component("multicast");
    let (cfg, out, err) = config("multicast", &["recv", GROUP], receiver_policy(true));
    let recv = std::thread::spawn(move || run_config(engine(), &component, &cfg, false));
    assert!(wait_for(&out, "joined ", GUEST_LIMIT), "{}", read(&err));
    assert!(group_joined(), "the kernel shows no membership");
    let port = read(&out)
        .lines()
        .find_map(|l| l.strip_prefix("joined "))
        .unwrap()
        .trim()
        .to_string();
    let sent = run_async("multicast", &["send", GROUP, &port], sender_policy(true));
    assert_eq!(sent.code, Ok(0), "{}", sent.stderr);
    assert!(
        sent.stdout
            .contains("if Ok([127, 0, 0, 1]) loop Ok(1) ttl Ok(1)\nsent 11"),
        "{}",
        sent.stdout
    );
    let code = bounded("receiver", GUEST_LIMIT, move || recv.join().unwrap());
    assert_eq!(code, Ok(0), "{}", read(&err));
    assert!(read(&out).contains("got hello group"), "{}", read(&out));
}

/// Without a `join` rule the guest's join is denied and the kernel never
/// sees the membership; without a rule for the group, its datagram never
/// reaches a native member.
#[test]
fn multicast_denied_without_rules() {
    if !in_netns("multicast::multicast_denied_without_rules") {
        return;
    }
    let got = run_sync("multicast", &["recv", GROUP], receiver_policy(false));
    assert!(
        got.stdout.contains("join: PermissionError") && got.stdout.contains("denied by policy"),
        "{}",
        got.stdout
    );
    assert!(!group_joined(), "a denied join reached the kernel");

    let member = native_member(0);
    let port = member.local_addr().unwrap().port().to_string();
    let sent = run_sync("multicast", &["send", GROUP, &port], sender_policy(false));
    assert!(
        sent.stdout.contains("send: PermissionError"),
        "{}",
        sent.stdout
    );
    let mut buf = [0u8; 64];
    assert!(
        member.recv_from(&mut buf).is_err(),
        "a denied datagram arrived"
    );
    // The observer works: the allowed sender's datagram arrives.
    let sent = run_sync("multicast", &["send", GROUP, &port], sender_policy(true));
    assert!(sent.stdout.contains("sent 11"), "{}", sent.stdout);
    let (n, _) = member.recv_from(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"hello group");
}

/// Broadcast to 127.255.255.255: the kernel wants SO_BROADCAST (EACCES
/// without it, as CPython gets), and the policy wants a rule covering the
/// broadcast address (127.0.0.1:* does not). A native socket bound to the
/// wildcard counts what arrives.
#[test]
fn broadcast_needs_flag_and_rule() {
    if !in_netns("multicast::broadcast_needs_flag_and_rule") {
        return;
    }
    let observer = UdpSocket::bind(("0.0.0.0", 0)).unwrap();
    observer
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let port = observer.local_addr().unwrap().port().to_string();
    let mut buf = [0u8; 64];

    // Sending to 127.0.0.1 is allowed; the broadcast address is not.
    let base = || loopback_policy().allow_send_to("127.0.0.1:*").unwrap();
    let denied = run_sync("multicast", &["broadcast", &port], base());
    assert!(
        denied
            .stdout
            .contains("with SO_BROADCAST: PermissionError: [Errno 13] Permission denied: ")
            && denied.stdout.contains("send to 127.255.255.255:")
            && denied.stdout.contains("denied by policy"),
        "{}",
        denied.stdout
    );
    assert!(
        observer.recv_from(&mut buf).is_err(),
        "a denied broadcast arrived"
    );

    let allowed = base()
        .allow_connect("127.255.255.255:*")
        .unwrap()
        .allow_send_to("127.255.255.255:*")
        .unwrap();
    let got = run_async("multicast", &["broadcast", &port], allowed);
    assert_eq!(
        got.stdout,
        "without SO_BROADCAST: PermissionError: [Errno 13] Permission denied\nwith SO_BROADCAST: sent 9\n"
    );
    let (n, _) = observer.recv_from(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"hello all");
    assert!(
        observer.recv_from(&mut buf).is_err(),
        "the unflagged send arrived"
    );
}

/// A source-specific join (IP_ADD_SOURCE_MEMBERSHIP, the raw path) is
/// decided by the `join` rules for its group: denied, the kernel never
/// lists the group; allowed, it does while the guest holds it.
#[test]
fn source_specific_join_follows_join_rules() {
    if !in_netns("multicast::source_specific_join_follows_join_rules") {
        return;
    }
    let ssm = "232.1.1.1";
    let listed = || {
        std::fs::read_to_string("/proc/net/igmp")
            .unwrap()
            .contains("010101E8")
    };
    let denied = run_sync(
        "multicast",
        &["join-source", ssm, "127.0.0.1"],
        loopback_policy(),
    );
    assert!(
        denied.stdout.contains("join: PermissionError") && denied.stdout.contains("232.1.1.1"),
        "{}",
        denied.stdout
    );
    assert!(
        !listed(),
        "a denied source-specific join reached the kernel"
    );

    let policy = loopback_policy().allow_join("232.0.0.0/8:*").unwrap();
    let component = component("multicast");
    let (cfg, out, err) = config("multicast", &["join-source", ssm, "127.0.0.1"], policy);
    let guest = std::thread::spawn(move || run_config(engine(), &component, &cfg, false));
    assert!(wait_for(&out, "join", GUEST_LIMIT), "{}", read(&err));
    let port: u16 = read(&out)
        .lines()
        .find_map(|l| l.strip_prefix("joined "))
        .unwrap_or_else(|| panic!("{}", read(&out)))
        .trim()
        .parse()
        .unwrap();
    assert!(listed(), "the kernel shows no membership");
    // Release the guest with a unicast datagram.
    let tx = UdpSocket::bind(("127.0.0.1", 0)).unwrap();
    tx.send_to(b"x", ("127.0.0.1", port)).unwrap();
    let code = bounded("join-source", GUEST_LIMIT, move || guest.join().unwrap());
    assert_eq!(code, Ok(0), "{}", read(&err));
}

/// IPv6: one guest joins ff05::1:3 on mc0 (IPV6_JOIN_GROUP), another sends
/// to it with IPV6_MULTICAST_IF / LOOP / HOPS: the datagram arrives; the
/// namespace's /proc/net/igmp6 lists the group while the receiver waits.
#[test]
fn ipv6_multicast_between_two_guests() {
    if !in_netns("multicast::ipv6_multicast_between_two_guests") {
        return;
    }
    let group = "ff05::1:3";
    let listed = || {
        std::fs::read_to_string("/proc/net/igmp6")
            .unwrap()
            .lines()
            .any(|l| l.contains("mc0") && l.contains("ff050000000000000000000000010003"))
    };
    let recv_policy = loopback_policy()
        .allow_bind("[ff05::1:3]:*")
        .unwrap()
        .allow_join("[ff05::1:3]:*")
        .unwrap();
    let guest = component("multicast");
    let (mut cfg, out, err) = config("multicast", &["recv6", group, "mc0"], recv_policy);
    cfg.interfaces = wasock_host::InterfaceView::Only(vec!["mc0".into()]);
    let recv = std::thread::spawn(move || run_config(engine(), &guest, &cfg, false));
    assert!(wait_for(&out, "join", GUEST_LIMIT), "{}", read(&err));
    let port = read(&out)
        .lines()
        .find_map(|l| l.strip_prefix("joined "))
        .unwrap_or_else(|| panic!("{}", read(&out)))
        .trim()
        .to_string();
    assert!(listed(), "the kernel shows no membership");
    let send_policy = loopback_policy()
        .allow_connect("[ff05::1:3]:*")
        .unwrap()
        .allow_send_to("[ff05::1:3]:*")
        .unwrap();
    let guest = component("multicast");
    let (mut cfg, sout, serr) = config("multicast", &["send6", group, &port, "mc0"], send_policy);
    cfg.interfaces = wasock_host::InterfaceView::Only(vec!["mc0".into()]);
    let code = bounded("sender", GUEST_LIMIT, move || {
        run_config(engine(), &guest, &cfg, false)
    });
    assert_eq!(code, Ok(0), "{}", read(&serr));
    assert!(
        read(&sout).contains("if Ok(true) loop Ok(1) hops Ok(1)\nsent 12"),
        "{}",
        read(&sout)
    );
    let code = bounded("receiver", GUEST_LIMIT, move || recv.join().unwrap());
    assert_eq!(code, Ok(0), "{}", read(&err));
    assert!(read(&out).contains("got hello group6"), "{}", read(&out));

    // Without a join rule the kernel never sees the membership.
    let guest = component("multicast");
    let (mut cfg, dout, derr) = config(
        "multicast",
        &["recv6", group, "mc0"],
        loopback_policy().allow_bind("[ff05::1:3]:*").unwrap(),
    );
    cfg.interfaces = wasock_host::InterfaceView::Only(vec!["mc0".into()]);
    let code = bounded("denied receiver", GUEST_LIMIT, move || {
        run_config(engine(), &guest, &cfg, false)
    });
    assert_eq!(code, Ok(0), "{}", read(&derr));
    assert!(
        read(&dout).contains("join: PermissionError") && read(&dout).contains("ff05::1:3"),
        "{}",
        read(&dout)
    );
    assert!(!listed());
}
