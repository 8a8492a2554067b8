//! Escapes past the guest's interface view and its flows, judged from
//! outside (tests/guests/src/bin/sec_escape.rs is the guest): the kernel's
//! own tables (/proc/net/packet, /proc/net/netlink) show which sockets this
//! process holds and what they receive, and the audit shows what was
//! decided.

use crate::support::*;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasock_host::run::{GuestConfig, Output};
use wasock_host::{InterfaceView, Policy, Recorder};

/// Runs the `sec_escape` guest with `steps` under `policy` and interface
/// view `view`; it ends in a `hold` step, during which `during` looks at
/// the kernel's tables.
fn run_held(
    steps: &[&str],
    policy: Policy,
    view: InterfaceView,
    during: impl FnOnce(&str),
) -> GuestRun {
    let control = TcpListener::bind("127.0.0.1:0").unwrap();
    let cport = control.local_addr().unwrap().port();
    let policy = policy
        .allow_connect(&format!("tcp://127.0.0.1:{cport}"))
        .unwrap();
    let out = MemoryOutputPipe::new(1 << 20);
    let err = MemoryOutputPipe::new(1 << 20);
    let audit = Audit::default();
    let config = GuestConfig {
        args: std::iter::once("sec_escape".to_string())
            .chain(steps.iter().map(|s| s.to_string()))
            .chain(std::iter::once(format!("hold,{cport}")))
            .collect(),
        env: Vec::new(),
        output: Output::Capture(out.clone(), err),
        policy: Arc::new(policy),
        recorder: Some(Arc::new(Recorder::new().with_audit(audit.clone()))),
        interfaces: view,
        ..Default::default()
    };
    let component = component("sec_escape");
    let h = std::thread::spawn(move || {
        bounded("sec_escape", GUEST_LIMIT, move || {
            run_config(engine(), &component, &config, false)
        })
    });
    control.set_nonblocking(true).unwrap();
    let conn = retry(3000, Duration::from_millis(10), || control.accept().ok())
        .unwrap_or_else(|| panic!("the guest never reached its hold step:\n{}", read(&out)));
    during(&read(&out));
    drop(conn);
    let code = h.join().unwrap();
    let stdout = read(&out);
    assert_eq!(code, Ok(0), "{stdout}");
    let audit = audit.text();
    GuestRun {
        stdout,
        stderr: String::new(),
        audit,
    }
}

/// The socket inodes this process holds.
fn own_inodes() -> std::collections::HashSet<String> {
    let mut inodes = std::collections::HashSet::new();
    for e in std::fs::read_dir("/proc/self/fd").unwrap().flatten() {
        if let Ok(t) = std::fs::read_link(e.path()) {
            let t = t.to_string_lossy().into_owned();
            if let Some(i) = t.strip_prefix("socket:[").and_then(|t| t.strip_suffix(']')) {
                inodes.insert(i.to_string());
            }
        }
    }
    inodes
}

/// This process's packet sockets: (protocol, interface index, running)
/// from /proc/net/packet. Running means the kernel hands it frames.
fn own_packet_sockets() -> Vec<(u16, u32, bool)> {
    let inodes = own_inodes();
    let text = std::fs::read_to_string("/proc/net/packet").unwrap();
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() >= 9 && inodes.contains(f[8])).then(|| {
                (
                    u16::from_str_radix(f[3], 16).unwrap(),
                    f[4].parse().unwrap(),
                    f[5] == "1",
                )
            })
        })
        .collect()
}

/// Runs `test` again inside a network namespace of its own with `lo` and a
/// veth pair `d0`/`d1` (interfaces the guest's view hides).
fn in_netns(test: &str) -> bool {
    in_namespace_with(
        test,
        "-n",
        "ip link set lo up; ip link add d0 type veth peer name d1; \
         ip link set d0 up; ip link set d1 up",
        &[],
    )
}

fn only_lo() -> InterfaceView {
    InterfaceView::Only(vec!["lo".into()])
}

/// A packet socket bound to interface index 0, or created with a protocol
/// and never bound, receives from every interface, the hidden `d0`/`d1`
/// too: unless the guest sees every interface, the bind is refused and an
/// unbound socket receives nothing. Checked in /proc/net/packet.
#[test]
fn packet_sockets_cannot_reach_hidden_interfaces_through_index_zero() {
    if !in_netns("sec::packet_sockets_cannot_reach_hidden_interfaces_through_index_zero") {
        return;
    }
    let policy = || Policy::deny_all().allow_family("packet").unwrap();
    // Created with ETH_P_ALL, unbound: not running (the kernel would run
    // it on every interface).
    let mut seen = Vec::new();
    let r = run_held(
        &["packet,3,raw", "packet-name"],
        policy(),
        only_lo(),
        |_| seen = own_packet_sockets(),
    );
    r.allowed("packet,3,raw");
    assert_eq!(seen, vec![(0, 0, false)], "{}", r.stdout);
    // getsockname shows the protocol the guest asked for, as CPython's
    // ('', 3, 0, 0, b'') natively.
    assert_eq!(r.line("packet-name"), "packet-name: ok ('', 3, 0, 0, b'')");
    // Bound to index 0: denied, naming it; still not running.
    let steps = ["packet,3,raw", "packet-bind,,3"];
    let r = run_held(&steps, policy(), only_lo(), |_| seen = own_packet_sockets());
    r.denied_naming(steps[1], "index 0: every interface");
    assert_eq!(seen, vec![(0, 0, false)], "{}", r.stdout);
    // Bound to a visible interface with protocol 0: the socket's protocol
    // (ETH_P_ALL), on lo only.
    let steps = ["packet,3,raw", "packet-bind,lo,0"];
    let r = run_held(&steps, policy(), only_lo(), |_| seen = own_packet_sockets());
    r.allowed(steps[1]);
    assert_eq!(seen, vec![(3, 1, true)], "{}", r.stdout);
    // A hidden interface by name is unknown.
    let steps = ["packet,3,raw", "packet-bind,d0,3"];
    let r = run_held(&steps, policy(), only_lo(), |_| seen = own_packet_sockets());
    assert!(r.line(steps[1]).contains("Errno 19"), "{}", r.stdout);
    // A guest that sees every interface may use index 0, as natively.
    let steps = ["packet,3,raw", "packet-bind,,3"];
    let r = run_held(&steps, policy(), InterfaceView::Host, |_| {
        seen = own_packet_sockets()
    });
    r.allowed(steps[1]);
    assert_eq!(seen, vec![(3, 0, true)], "{}", r.stdout);
}

/// Runs `wasock run FLAGS sec_escape.wasm STEPS` (the CLI, so that the
/// flags are the user's); returns its stdout and stderr.
fn cli(flags: &[&str], steps: &[&str]) -> (String, String) {
    let _ = component("sec_escape");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_wasock"))
        .arg("run")
        .args(flags)
        .arg(guest_dir().join("sec_escape.wasm"))
        .args(steps)
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// IP_ROUTER_ALERT and IPV6_ROUTER_ALERT (a raw socket is handed packets
/// with the router alert option that pass through the host) and SO_RCVMARK
/// (each message carries the packet's firewall mark) are guarded options:
/// refused without `--allow-option NAME`, the denial naming the option and
/// the flag, and set by the kernel with it.
#[test]
fn router_alert_and_rcvmark_are_guarded_options() {
    let cases = [
        ("IP_ROUTER_ALERT", "setopt,4,raw,0,5,1"),
        ("IPV6_ROUTER_ALERT", "setopt,6,raw,41,22,1"),
        ("SO_RCVMARK", "setopt,4,udp,1,75,1"),
    ];
    let steps: Vec<&str> = cases.iter().map(|c| c.1).collect();
    let base = ["--allow-raw", "icmp,icmpv6"];
    let (out, err) = cli(&base, &steps);
    for (name, step) in cases {
        let l = out
            .lines()
            .find(|l| l.starts_with(&format!("{step}: ")))
            .unwrap_or_else(|| panic!("no line for {step}:\n{out}\n{err}"));
        assert!(
            l.contains("PermissionError: [Errno 13]")
                && l.contains(&format!("setting option {name} denied by policy"))
                && l.contains(&format!("--allow-option {name}")),
            "{l}"
        );
    }
    let mut flags = base.to_vec();
    for (name, _) in cases {
        flags.extend(["--allow-option", name]);
    }
    // Granted, the kernel answers: it sets the IPv4 ones; this kernel has
    // no IPV6_ROUTER_ALERT for ICMPv6 sockets (ENOPROTOOPT, as natively).
    let (out, err) = cli(&flags, &steps);
    for step in [steps[0], steps[2]] {
        assert!(
            out.contains(&format!("{step}: ok\n")),
            "{step}:\n{out}\n{err}"
        );
    }
    assert!(
        out.contains(&format!("{}: ok\n", steps[1]))
            || out.contains(&format!("{}: OSError: [Errno 92]", steps[1])),
        "{out}\n{err}"
    );
}

/// The protocols of this process's netlink sockets, from
/// /proc/net/netlink.
fn own_netlink_protocols() -> Vec<i32> {
    let inodes = own_inodes();
    let text = std::fs::read_to_string("/proc/net/netlink").unwrap();
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() >= 10 && inodes.contains(f[9])).then(|| f[1].parse().unwrap())
        })
        .collect()
}

/// A netlink grant is per protocol: the `netlink` family grant opens
/// NETLINK_ROUTE only; NETLINK_SOCK_DIAG (every socket of the host) and
/// NETLINK_KOBJECT_UEVENT need their own grant, and without it the kernel
/// never sees the socket (/proc/net/netlink). The CLI flag grants one, and
/// learn mode writes it.
#[test]
fn netlink_grants_are_per_protocol_seen_from_outside() {
    let steps = ["netlink,4", "netlink,15", "netlink,0"];
    let mut seen = Vec::new();
    let family = Policy::deny_all().allow_family("netlink").unwrap();
    let r = run_held(&steps, family, InterfaceView::Hidden, |_| {
        seen = own_netlink_protocols()
    });
    r.denied_naming(steps[0], "allow with policy.allow_netlink(\"sock_diag\")");
    r.denied_naming(
        steps[1],
        "allow with policy.allow_netlink(\"kobject_uevent\")",
    );
    r.allowed(steps[2]);
    assert!(!seen.contains(&4) && !seen.contains(&15), "{seen:?}");
    assert!(seen.contains(&0), "{seen:?}");
    assert!(
        r.audit.contains("netlink raw socket (protocol 4)"),
        "{}",
        r.audit
    );

    let diag = Policy::deny_all().allow_netlink("sock_diag").unwrap();
    let r = run_held(&steps[..1], diag, InterfaceView::Hidden, |_| {
        seen = own_netlink_protocols()
    });
    r.allowed(steps[0]);
    assert!(seen.contains(&4), "{seen:?}");

    let (out, err) = cli(&["--allow-netlink", "sock_diag"], &steps[..2]);
    assert!(out.contains("netlink,4: ok\n"), "{out}\n{err}");
    assert!(out.contains("netlink,15: PermissionError"), "{out}\n{err}");
    let learned = tempfile::NamedTempFile::new().unwrap();
    let learn = learned.path().to_str().unwrap();
    let (out, err) = cli(&["--learn", learn], &steps[..1]);
    assert!(out.contains("netlink,4: ok\n"), "{out}\n{err}");
    let text = std::fs::read_to_string(learned.path()).unwrap();
    assert!(text.contains("netlink = [\"sock_diag\"]"), "{text}");
    assert!(!text.contains("allow = [\"netlink\"]"), "{text}");
}

/// A granted NETLINK_ROUTE socket reads the host's network state but
/// cannot change it: the host is root, and the kernel would take an
/// RTM_NEWADDR from it. Checked from outside in a namespace of the test's
/// own: the address never appears on `lo`.
#[test]
fn netlink_route_requests_that_change_the_host_are_refused() {
    if !in_netns("sec::netlink_route_requests_that_change_the_host_are_refused") {
        return;
    }
    let add = "netlink-newaddr,1,10.99.0.1";
    let steps = [add, "netlink-getlink"];
    let policy = Policy::deny_all().allow_family("netlink").unwrap();
    let mut addrs = String::new();
    let r = run_held(&steps, policy, InterfaceView::Hidden, |_| {
        let o = std::process::Command::new("ip")
            .args(["-4", "addr", "show", "dev", "lo"])
            .output()
            .unwrap();
        addrs = String::from_utf8_lossy(&o.stdout).into_owned();
    });
    assert!(addrs.contains("127.0.0.1"), "{addrs}");
    assert!(
        !addrs.contains("10.99.0.1"),
        "the guest added an address:\n{addrs}"
    );
    r.denied_naming(add, "netlink rtnetlink message type 20");
    r.allowed("netlink-getlink");
}

/// `nlmsghdr` bytes (native byte order) as hex, for `netlink-send`.
fn nlmsg(len: u32, kind: u16, flags: u16, seq: u32, body: &[u8]) -> String {
    let mut m = Vec::new();
    m.extend(len.to_ne_bytes());
    m.extend(kind.to_ne_bytes());
    m.extend(flags.to_ne_bytes());
    m.extend(seq.to_ne_bytes());
    m.extend(0u32.to_ne_bytes());
    m.extend(body);
    m.iter().map(|b| format!("{b:02x}")).collect()
}

/// `wasock run POLICY… sec_escape.wasm STEPS…` under strace(1), which
/// records the `wasock` process's sendto(2)/sendmsg(2) calls: (guest
/// stdout, stderr, the trace).
fn traced_sends(
    policy: &[&str],
    steps: &[impl AsRef<std::ffi::OsStr>],
) -> (String, String, String) {
    let trace = tempfile::NamedTempFile::new().unwrap();
    let o = std::process::Command::new("strace")
        .args([
            "-f",
            "-qq",
            "-e",
            "trace=sendto,sendmsg",
            "-e",
            "signal=none",
        ])
        .arg("-o")
        .arg(trace.path())
        .arg(env!("CARGO_BIN_EXE_wasock"))
        .arg("run")
        .args(policy)
        .arg(guest_dir().join("sec_escape.wasm"))
        .args(steps)
        .output()
        .expect("strace(1) is needed for this test");
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
        std::fs::read_to_string(trace.path()).unwrap(),
    )
}

/// A netlink batch whose first header is malformed (length 0) carries an
/// RTM_NEWADDR behind it: the write guard refuses the whole send instead
/// of letting it pass unread (this kernel would stop at the bad header,
/// another might not). Seen from outside by strace(1) on the `wasock`
/// process: the batch never reaches sendto(2), while a well-formed
/// RTM_GETLINK request of the same guest does.
#[test]
fn netlink_batches_with_malformed_headers_never_reach_the_kernel() {
    let _ = component("sec_escape");
    let newaddr_body: Vec<u8> = [2u8, 32, 0, 0]
        .into_iter()
        .chain(1u32.to_ne_bytes())
        .chain([8, 0, 2, 0, 10, 99, 0, 7, 8, 0, 1, 0, 10, 99, 0, 7])
        .collect();
    let request = 1 | 4 | 0x200 | 0x400; // REQUEST|ACK|EXCL|CREATE
    let batches = [
        // A zero-length header, then RTM_NEWADDR.
        nlmsg(0, 18, 1, 0x5741_5301, &[]) + &nlmsg(40, 20, request, 0x5741_5302, &newaddr_body),
        // A length past the end of the send.
        nlmsg(4096, 18, 1, 0x5741_5303, &[0; 16]),
        // A good RTM_GETLINK, then a partial header.
        nlmsg(32, 18, 0x301, 0x5741_5304, &[0; 16]) + "0000000012000100",
    ];
    let good = nlmsg(32, 18, 0x301, 0x5741_5305, &[0; 16]);
    let steps: Vec<String> = batches
        .iter()
        .chain(std::iter::once(&good))
        .map(|b| format!("netlink-send,{b}"))
        .collect();
    let (out, err, sends) = traced_sends(&["--allow-family", "netlink"], &steps);
    // The well-formed request reached the kernel (so the trace sees the
    // guest's sends); none of the malformed batches did.
    assert!(
        sends.contains(&format!("nlmsg_seq={}", 0x5741_5305u32)),
        "{sends}"
    );
    for seq in [0x5741_5301u32, 0x5741_5302, 0x5741_5303, 0x5741_5304] {
        assert!(
            !sends.contains(&format!("nlmsg_seq={seq}")),
            "a malformed batch reached sendto(2):\n{sends}"
        );
    }
    assert!(!sends.contains("nlmsg_len=0,"), "{sends}");
    // The guest was told why, naming where the header is.
    for (step, at) in steps
        .iter()
        .zip(["byte 0 (length 0", "byte 0 (length 4096", "byte 32 ("])
    {
        let l = out
            .lines()
            .find(|l| l.starts_with(&format!("{step}: ")))
            .unwrap_or_else(|| panic!("no line for {step}:\n{out}\n{err}"));
        assert!(
            l.contains("PermissionError") && l.contains(&format!("malformed header at {at}")),
            "{l}"
        );
    }
    assert!(
        out.contains(&format!("{}: ok 32\n", steps[3])),
        "{out}\n{err}"
    );
}

/// Issue 20 item 6: generic netlink is granted per family. With
/// `--allow-genl ethtool`, a message to ethtool reaches the kernel and
/// one to tcp_metrics does not (strace(1) on the `wasock` process sees
/// the first's sequence number in a sendto(2), never the second's); a
/// whole `generic` grant with `--deny-genl tcp_metrics` refuses that one
/// family; learn mode writes the families used, not `generic`.
#[test]
fn generic_netlink_is_granted_per_family_seen_from_outside() {
    let _ = component("sec_escape");
    let traced = |policy: &[&str], steps: &[&str]| {
        let (out, _, sends) = traced_sends(policy, steps);
        (out, sends)
    };
    let sent = |sends: &str, seq: u32| sends.contains(&format!("nlmsg_seq={seq}"));
    let (out, sends) = traced(
        &["--allow-genl", "ethtool"],
        &["genl,ethtool,5741001", "genl,tcp_metrics,5741002"],
    );
    assert!(out.contains("genl,ethtool,5741001: ok sent 20"), "{out}");
    assert!(
        out.contains("genl,tcp_metrics,5741002: PermissionError: [Errno 13]")
            && out.contains("allow with --allow-genl tcp_metrics"),
        "{out}"
    );
    assert!(sent(&sends, 5741001), "{sends}");
    assert!(
        !sent(&sends, 5741002),
        "a denied family's message was sent:\n{sends}"
    );

    let (out, sends) = traced(
        &["--allow-netlink", "generic", "--deny-genl", "tcp_metrics"],
        &["genl,ethtool,5741003", "genl,tcp_metrics,5741004"],
    );
    assert!(out.contains("genl,ethtool,5741003: ok sent 20"), "{out}");
    assert!(
        out.contains("genl,tcp_metrics,5741004: PermissionError"),
        "{out}"
    );
    assert!(sent(&sends, 5741003) && !sent(&sends, 5741004), "{sends}");

    // Without a grant the socket is not created.
    let (out, _) = traced(&[], &["genl,ethtool,5741005"]);
    assert!(
        out.contains("genl,ethtool,5741005: PermissionError")
            && out.contains("--allow-genl FAMILY"),
        "{out}"
    );

    // Learn mode learns the family, not the whole protocol.
    let dir = tempfile::tempdir().unwrap();
    let learnt = dir.path().join("learnt.toml");
    let learn = learnt.to_str().unwrap();
    let (out, _) = traced(&["--learn", learn], &["genl,ethtool,5741006"]);
    assert!(out.contains("ok sent 20"), "{out}");
    let policy = std::fs::read_to_string(&learnt).unwrap();
    assert!(
        policy.contains("genl = [\"ethtool\", \"nlctrl\"]"),
        "{policy}"
    );
    assert!(!policy.contains("netlink = [\"generic\"]"), "{policy}");
    let (out, sends) = traced(
        &["--policy", learn],
        &["genl,ethtool,5741007", "genl,tcp_metrics,5741008"],
    );
    assert!(out.contains("genl,ethtool,5741007: ok sent 20"), "{out}");
    assert!(sent(&sends, 5741007) && !sent(&sends, 5741008), "{sends}");
}
