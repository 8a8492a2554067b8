//! The Python documentation's socket examples, ported, running sandboxed
//! against each other, against native CPython, and through the CLI.

use crate::support::*;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;
use wasock_host::Policy;

/// Runs a guest server in a thread and a guest client against it
/// (retrying while the server starts); returns (server, client) outcomes.
fn pair(server: &str, client: &str, host: &str, policy: Policy) -> (Outcome, Outcome) {
    let port = free_port().to_string();
    let (sp, pp) = (policy.clone(), port.clone());
    let (server, shost) = (server.to_string(), host.to_string());
    let server = std::thread::spawn(move || run_sync(&server, &[&shost, &pp], sp));
    // The server needs a moment to listen: a refused client is retried.
    let client = retry(100, Duration::from_millis(50), || {
        let o = run_sync(client, &[host, &port], policy.clone());
        let refused = o.stderr.contains("ConnectionRefusedError")
            || o.stdout.contains("could not open socket");
        (!refused).then_some(o)
    });
    if client.as_ref().is_none_or(|c| c.code != Ok(0)) {
        // Release a server still waiting in accept so the test ends.
        let p: u16 = port.parse().unwrap();
        let _ = std::net::TcpStream::connect((host, p));
    }
    let client = client.expect("client never got through");
    (server.join().unwrap(), client)
}

#[test]
fn ipv4_echo_server_and_client() {
    let (s, c) = pair("echo_server", "echo_client", "127.0.0.1", loopback_policy());
    assert_eq!(c.code, Ok(0), "client: {}", c.stderr);
    assert_eq!(c.stdout.trim(), "Received b'Hello, world'");
    assert_eq!(s.code, Ok(0), "server: {}", s.stderr);
    assert!(
        s.stdout.starts_with("Connected by ('127.0.0.1', "),
        "{}",
        s.stdout
    );
}

#[test]
fn dualstack_echo_server_and_client_over_ipv6_and_ipv4() {
    for host in ["::1", "127.0.0.1"] {
        let (s, c) = pair(
            "echo_server_dualstack",
            "echo_client_dualstack",
            host,
            loopback_policy(),
        );
        assert_eq!(c.code, Ok(0), "client ({host}): {}", c.stderr);
        assert!(
            c.stdout.contains("Received b'Hello, world'"),
            "{}",
            c.stdout
        );
        assert_eq!(s.code, Ok(0), "server ({host}): {}", s.stderr);
        assert!(s.stdout.contains("Connected by"), "{}", s.stdout);
    }
}

#[test]
fn reuseaddr_restart() {
    let port = free_port().to_string();
    let p = port.clone();
    let server =
        std::thread::spawn(move || run_sync("reuseaddr", &["127.0.0.1", &p], loopback_policy()));
    // Two connections: one per bind of the same port.
    for round in 0..2 {
        let got = retry(100, Duration::from_millis(50), || {
            let mut s =
                std::net::TcpStream::connect(("127.0.0.1", port.parse::<u16>().unwrap())).ok()?;
            use std::io::{Read, Write};
            s.write_all(b"ping").ok()?;
            let mut buf = [0u8; 4];
            s.read_exact(&mut buf).ok()?;
            Some(buf)
        });
        assert_eq!(got, Some(*b"ping"), "round {round}");
    }
    let s = server.join().unwrap();
    assert_eq!(s.code, Ok(0), "{}\n{}", s.stdout, s.stderr);
}

#[test]
fn guest_client_talks_to_native_python_server() {
    let mut py = Command::new("python3")
        .arg(root().join("tests/python/echo_server.py"))
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3");
    let mut lines = BufReader::new(py.stdout.take().unwrap()).lines();
    let port = lines.next().unwrap().unwrap();
    let c = run_sync("echo_client", &["127.0.0.1", &port], loopback_policy());
    assert_eq!(c.code, Ok(0), "{}", c.stderr);
    assert_eq!(c.stdout.trim(), "Received b'Hello, world'");
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(py.wait().unwrap().success());
    assert!(
        rest[0].starts_with("Connected by ('127.0.0.1', "),
        "{rest:?}"
    );
}

#[test]
fn native_python_client_talks_to_guest_server() {
    let port = free_port().to_string();
    let p = port.clone();
    let server =
        std::thread::spawn(move || run_sync("echo_server", &["127.0.0.1", &p], loopback_policy()));
    let out = python("echo_client.py", &["127.0.0.1", &port]);
    assert_eq!(out.trim(), "Received b'Hello, world'");
    let s = server.join().unwrap();
    assert_eq!(s.code, Ok(0), "{}", s.stderr);
    assert!(
        s.stdout.starts_with("Connected by ('127.0.0.1', "),
        "{}",
        s.stdout
    );
}

#[test]
fn cli_runs_server_and_client_with_policy_flags() {
    let wasock = env!("CARGO_BIN_EXE_wasock");
    let _ = component("echo_server"); // makes sure the guests are built
    let port = free_port().to_string();
    let target = format!("127.0.0.1:{port}");
    let server = Command::new(wasock)
        .args(["run", "--allow-bind", &target])
        .arg(guest_dir().join("echo_server.wasm"))
        .args(["127.0.0.1", &port])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let client = retry(100, Duration::from_millis(50), || {
        let o = Command::new(wasock)
            .args([
                "run",
                "--async",
                "--allow-connect",
                &format!("tcp://{target}"),
            ])
            .arg(guest_dir().join("echo_client.wasm"))
            .args(["127.0.0.1", &port])
            .output()
            .unwrap();
        let refused = String::from_utf8_lossy(&o.stderr).contains("ConnectionRefusedError");
        (!refused).then_some(o)
    })
    .unwrap();
    assert!(
        client.status.success(),
        "{}",
        String::from_utf8_lossy(&client.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&client.stdout).trim(),
        "Received b'Hello, world'"
    );
    let server = server.wait_with_output().unwrap();
    assert!(
        server.status.success(),
        "{}",
        String::from_utf8_lossy(&server.stderr)
    );
    assert!(String::from_utf8_lossy(&server.stdout).starts_with("Connected by ('127.0.0.1', "));
}

#[test]
fn cli_policy_file() {
    let wasock = env!("CARGO_BIN_EXE_wasock");
    let _ = component("echo_client");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("policy.toml");
    // Allows only a port nobody listens on: the client must be denied.
    std::fs::write(&file, "[network]\nallow-connect = [\"127.0.0.1:1\"]\n").unwrap();
    let o = Command::new(wasock)
        .args(["run", "--policy"])
        .arg(&file)
        .arg(guest_dir().join("echo_client.wasm"))
        .args(["127.0.0.1", "9"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(err.contains("PermissionError: [Errno 13]"), "{err}");
    assert!(
        err.contains("connect to 127.0.0.1:9 (tcp) denied by policy"),
        "{err}"
    );
    let o = Command::new(wasock)
        .args(["run", "--allow-connect", "not-a-target"])
        .arg(guest_dir().join("echo_client.wasm"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("invalid policy target"));
}

/// Runs an example with the host's interfaces visible to it.
fn run_with_interfaces(name: &str, args: &[&str], policy: Policy) -> Outcome {
    let component = component(name);
    let (mut cfg, out, err) = config(name, args, policy);
    cfg.interfaces = wasock_host::InterfaceView::Host;
    let code = bounded(name, GUEST_LIMIT, move || {
        run_config(engine(), &component, &cfg, false)
    });
    Outcome {
        code,
        stdout: read(&out),
        stderr: read(&err),
    }
}

/// The raw sniffer (Linux form: a packet socket on `lo`) captures the
/// datagram it sends itself, under a policy granting the packet family;
/// without the grant socket() is denied, naming the family.
#[test]
fn raw_sniffer_captures_its_own_datagram() {
    let port = free_port();
    let p = port.to_string();
    let send = || {
        loopback_policy()
            .allow_send_to(&format!("127.0.0.1:{port}"))
            .unwrap()
    };
    let got = run_with_interfaces("raw_sniffer", &[&p], send().allow_family("packet").unwrap());
    assert_eq!(got.code, Ok(0), "{}", got.stderr);
    let line = got.stdout.trim();
    assert!(line.starts_with("Captured "), "{line}");
    assert!(line.contains(" from ('lo', 2048, "), "{line}");
    assert!(
        line.ends_with(&format!(
            "IPv4 UDP 127.0.0.1 -> 127.0.0.1:{port} payload b'sniff me'"
        )),
        "{line}"
    );

    let denied = run_with_interfaces("raw_sniffer", &[&p], send());
    assert_eq!(denied.code, Ok(1));
    assert!(
        denied.stderr.starts_with(
            "PermissionError: [Errno 13] Permission denied: creating a packet raw socket"
        ) && denied.stderr.contains("policy.allow_family(\"packet\")"),
        "{}",
        denied.stderr
    );
}

/// The CAN example fails at socket() exactly as CPython does on this
/// kernel (errno 97), under a policy granting the family; without the
/// grant the policy's denial names it.
#[test]
fn can_example_fails_as_cpython() {
    let py = Command::new("python3")
        .args([
            "-c",
            "import socket\ns = socket.socket(socket.AF_CAN, socket.SOCK_RAW, socket.CAN_RAW)\ns.bind(('vcan0',))",
        ])
        .output()
        .unwrap();
    let py_err = String::from_utf8_lossy(&py.stderr);
    let last = py_err.lines().last().unwrap_or("").to_string();
    let got = run_with_interfaces(
        "can_raw",
        &["vcan0", "1"],
        Policy::deny_all().allow_family("can").unwrap(),
    );
    if py.status.success() {
        // A kernel with vcan0: nothing to compare here (the example would
        // wait for frames).
        return;
    }
    assert_eq!(got.code, Ok(1), "{}", got.stdout);
    assert_eq!(got.stderr.trim(), last);
    assert_eq!(
        last,
        "OSError: [Errno 97] Address family not supported by protocol"
    );
    let denied = run_with_interfaces("can_raw", &["vcan0", "1"], Policy::deny_all());
    assert!(
        denied
            .stderr
            .contains("the can family is off unless granted"),
        "{}",
        denied.stderr
    );
}
