//! The policy: deny by default, with denials that name what was denied and
//! make no system call.

use crate::support::*;
use std::net::TcpListener;
use wasock_host::Policy;

#[test]
fn echo_client_with_no_flags_is_denied_and_server_sees_nothing() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let c = run_sync("echo_client", &["127.0.0.1", &port], Policy::deny_all());
    assert_eq!(c.code, Ok(1), "{c:?}");
    assert!(
        c.stderr.contains("PermissionError: [Errno 13]"),
        "{}",
        c.stderr
    );
    assert!(
        c.stderr.contains(&format!(
            "connect to 127.0.0.1:{port} (tcp) denied by policy"
        )),
        "{}",
        c.stderr
    );
    // No connection ever reached the server.
    let e = listener.accept().unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::WouldBlock);
}

#[test]
fn server_without_bind_permission_is_denied() {
    let port = free_port().to_string();
    let allow_other = Policy::deny_all().allow_bind("127.0.0.1:1-1023").unwrap();
    let s = run_sync("echo_server", &["127.0.0.1", &port], allow_other);
    assert_eq!(s.code, Ok(1), "{s:?}");
    assert!(
        s.stderr
            .contains(&format!("bind to 127.0.0.1:{port} (tcp) denied by policy")),
        "{}",
        s.stderr
    );
    // The port was never bound by the guest.
    assert!(std::net::TcpListener::bind(("127.0.0.1", port.parse::<u16>().unwrap())).is_ok());
}

#[test]
fn port_ranges_and_deny_rules() {
    let port: u16 = free_port();
    let range = format!(
        "127.0.0.1:{}-{}",
        port.saturating_sub(5),
        port.saturating_add(5)
    );
    let allowed = loopback_policy().allow_bind(&range).unwrap();
    let (pstr, p2) = (port.to_string(), port);
    let server =
        std::thread::spawn(move || run_sync("echo_server", &["127.0.0.1", &pstr], allowed));
    let denied = loopback_policy().deny(
        wasock_host::Use::Connect,
        format!("127.0.0.1:{p2}").parse().unwrap(),
    );
    let c = run_sync("echo_client", &["127.0.0.1", &port.to_string()], denied);
    assert_eq!(c.code, Ok(1));
    assert!(c.stderr.contains("denied by policy"), "{}", c.stderr);
    // Now let a native client finish the server's one connection.
    let ok = retry(100, std::time::Duration::from_millis(50), || {
        std::net::TcpStream::connect(("127.0.0.1", port)).ok()
    });
    drop(ok);
    let s = server.join().unwrap();
    assert_eq!(s.code, Ok(0), "{}", s.stderr);
}

/// A native one-shot echo server on loopback; returns its port.
fn native_echo_once() -> (u16, std::thread::JoinHandle<bool>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let h = std::thread::spawn(move || {
        use std::io::{Read, Write};
        // Bounded: at most 2 s of waiting for a client.
        let got = retry(200, std::time::Duration::from_millis(10), || {
            listener.accept().ok()
        });
        match got {
            Some((mut s, _)) => {
                s.set_nonblocking(false).unwrap();
                let mut buf = [0u8; 4];
                s.read_exact(&mut buf).is_ok() && s.write_all(&buf).is_ok()
            }
            None => false,
        }
    });
    (port, h)
}

#[test]
fn wasi_sockets_are_denied_unless_the_policy_enables_them() {
    // Even with wasock rules that allow the address, std::net is off.
    let (port, server) = native_echo_once();
    let target = format!("127.0.0.1:{port}");
    let o = run_sync("std_net_client", &[&target], loopback_policy());
    assert_eq!(o.code, Ok(1), "{o:?}");
    assert!(o.stdout.starts_with("error"), "{}", o.stdout);
    assert!(!server.join().unwrap(), "the server must see no connection");

    // Enabled, it is governed by the same rules: a denied port fails…
    let (port, server) = native_echo_once();
    let target = format!("127.0.0.1:{port}");
    let other = Policy::deny_all()
        .allow_connect("127.0.0.1:1")
        .unwrap()
        .allow_wasi_sockets(true);
    let o = run_sync("std_net_client", &[&target], other);
    assert_eq!(o.code, Ok(1), "{o:?}");
    assert!(!server.join().unwrap(), "the server must see no connection");

    // …and an allowed one works.
    let (port, server) = native_echo_once();
    let target = format!("127.0.0.1:{port}");
    let allowed = Policy::deny_all()
        .allow_connect(&target)
        .unwrap()
        .allow_wasi_sockets(true);
    let o = run_sync("std_net_client", &[&target], allowed);
    assert_eq!(o.code, Ok(0), "{o:?}");
    assert_eq!(o.stdout.trim(), "reply ping");
    assert!(server.join().unwrap());
}

#[test]
fn a_socket_judged_once_per_destination_is_judged_again_for_a_new_one() {
    // No recorder: the host remembers the last allowed destination per
    // socket; a different one must still be judged.
    let a = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let b = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let (pa, pb) = (
        a.local_addr().unwrap().port(),
        b.local_addr().unwrap().port(),
    );
    let policy = Policy::deny_all()
        .allow_connect(&format!("udp://127.0.0.1:{pa}"))
        .unwrap();
    let step = format!("sendto-seq,127.0.0.1,{pa},127.0.0.1,{pb}");
    let o = run_sync("escape", &[&step], policy);
    assert!(
        o.stdout
            .contains(&format!("{step}: ok ok ok PermissionError ok")),
        "{o:?}"
    );
    let count = |s: &std::net::UdpSocket| {
        s.set_nonblocking(true).unwrap();
        let mut n = 0;
        let mut buf = [0u8; 8];
        while s.recv_from(&mut buf).is_ok() {
            n += 1;
        }
        n
    };
    assert_eq!(count(&a), 3);
    assert_eq!(count(&b), 0);
}
