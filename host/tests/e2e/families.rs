//! The families beyond inet/inet6/unix: the same scenario in CPython and a
//! guest granted them (netlink dump, packet and vsock names, raw ICMP echo
//! to 127.0.0.1, errno 97 for the families this kernel lacks), and the
//! denials without grants, judged from outside.

use crate::support::*;
use std::time::Duration;
use wasock_host::{InterfaceView, Policy};

fn granted() -> Policy {
    let mut p = loopback_policy()
        .allow_send_to("127.0.0.1:*")
        .unwrap()
        .allow_raw("icmp")
        .unwrap();
    for f in [
        "netlink",
        "packet",
        "vsock",
        "can",
        "alg",
        "tipc",
        "qipcrtr",
        "bluetooth",
        "key",
        "rds",
    ] {
        p = p.allow_family(f).unwrap();
    }
    p
}

/// Runs `guest` with the host's interfaces visible.
fn run_visible(guest: &str, args: &[&str], policy: Policy) -> Outcome {
    let component = component(guest);
    let (mut cfg, out, err) = config(guest, args, policy);
    cfg.interfaces = InterfaceView::Host;
    let code = bounded(guest, GUEST_LIMIT, move || {
        run_config(engine(), &component, &cfg, false)
    });
    Outcome {
        code,
        stdout: read(&out),
        stderr: read(&err),
    }
}

#[test]
fn families_match_cpython() {
    let expected = python("families.py", &[]);
    let got = run_visible("families", &[], granted());
    assert_eq!(got.code, Ok(0), "guest failed: {}", got.stderr);
    let (e, g): (Vec<_>, Vec<_>) = (expected.lines().collect(), got.stdout.lines().collect());
    for (i, (el, gl)) in e.iter().zip(&g).enumerate() {
        assert_eq!(gl, el, "line {} differs\nguest:\n{}", i + 1, got.stdout);
    }
    assert_eq!(
        g.len(),
        e.len(),
        "line count differs\nguest:\n{}",
        got.stdout
    );
    assert_eq!(g.last(), Some(&"done"));
}

/// Without grants, every family beyond inet/inet6/unix (and raw IP) is
/// refused before socket(2), the denial naming the family; the guest's
/// ICMP echo request never reaches a native raw ICMP observer, which does
/// see the granted run's.
#[test]
fn families_denied_without_grants() {
    let observer = socket2::Socket::new(
        socket2::Domain::IPV4,
        socket2::Type::RAW,
        Some(socket2::Protocol::ICMPV4),
    )
    .unwrap();
    observer
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    // An identifier of this run's own, so that other tests' echoes do not count.
    let id = (std::process::id() as u16) | 0x8000;
    let hex = format!("{id:04x}");
    let echoes = |obs: &socket2::Socket| {
        let mut n = 0;
        let mut buf = [0u8; 2048];
        while let Ok(len) = std::io::Read::read(&mut &*obs, &mut buf) {
            let data = &buf[..len];
            let ihl = usize::from(data[0] & 15) * 4;
            if data.len() > ihl + 8 && data[ihl] == 8 && data[ihl + 4..ihl + 6] == id.to_be_bytes()
            {
                n += 1;
            }
        }
        n
    };
    let denied = run_visible(
        "families",
        &[&hex],
        loopback_policy().allow_send_to("127.0.0.1:*").unwrap(),
    );
    assert_eq!(echoes(&observer), 0, "a denied guest's ICMP arrived");
    for (what, family) in [
        ("socket can-raw", "can"),
        ("socket alg", "alg"),
        ("socket tipc", "tipc"),
        ("socket qipcrtr", "qipcrtr"),
        ("socket bluetooth", "bluetooth"),
    ] {
        let line = denied.stdout.lines().find(|l| l.starts_with(what)).unwrap();
        assert!(
            line.contains("PermissionError")
                && line.contains(&format!("the {family} family is off")),
            "{line}"
        );
    }
    // The first family it cannot create ends the run (must() exits);
    // netlink is that one, named in the denial.
    assert_ne!(denied.code, Ok(0), "{}", denied.stdout);
    assert!(denied.stderr.contains("netlink"), "{}", denied.stderr);

    let only_raw = loopback_policy()
        .allow_send_to("127.0.0.1:*")
        .unwrap()
        .allow_family("netlink")
        .unwrap()
        .allow_family("packet")
        .unwrap()
        .allow_family("vsock")
        .unwrap();
    let no_icmp = run_visible("families", &[&hex], only_raw);
    assert_ne!(no_icmp.code, Ok(0), "{}", no_icmp.stdout);
    assert!(
        no_icmp.stderr.contains("policy.allow_raw(\"1\")"),
        "{}",
        no_icmp.stderr
    );
    assert_eq!(echoes(&observer), 0, "a denied guest's ICMP arrived");

    let ok = run_visible("families", &[&hex], granted());
    assert_eq!(ok.code, Ok(0), "{}", ok.stderr);
    assert!(echoes(&observer) >= 1, "the observer saw no granted echo");
}

/// Interface queries answer only for interfaces the embedder shows: with
/// the default (hidden) view, `lo` is unknown (ENODEV), as one that does
/// not exist, and SIOCGIFNAME of its index finds nothing.
#[test]
fn interface_queries_follow_the_interface_view() {
    let got = run_sync("families", &[], loopback_policy());
    for l in [
        "ifreq SIOCGIFINDEX lo: OSError: [Errno 19] No such device",
        "ifreq SIOCGIFADDR lo: OSError: [Errno 19] No such device",
        "ifreq SIOCGIFNAME 1: OSError: [Errno 19] No such device",
    ] {
        assert!(got.stdout.contains(l), "{l}\n{}", got.stdout);
    }
}
