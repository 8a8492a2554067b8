//! AF_UNIX and sendmsg/recvmsg: the same scenario in CPython and in a
//! sandboxed guest, compared line by line; confinement attempts checked
//! from the host side; descriptor accounting.

use crate::support::*;
use std::path::Path;
use wasock_host::Policy;

/// A fresh directory laid out as tests/python/unix.py expects.
fn layout() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir(d.path().join("sub")).unwrap();
    std::fs::write(d.path().join("plain"), b"not a socket").unwrap();
    d
}

/// A unique abstract-name prefix for one run.
fn tag(what: &str) -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    format!(
        "wasock-{}-{what}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

fn unix_policy(dir: &Path, prefix: &str) -> Policy {
    loopback_policy()
        .unix_dir_path(dir)
        .unwrap()
        .allow_abstract(prefix)
        .allow_fd_passing(true)
        // unix.py sends IP_TOS and IPV6_TCLASS control messages.
        .allow_option("IP_TOS")
        .unwrap()
        .allow_option("IPV6_TCLASS")
        .unwrap()
}

fn compare(run: fn(&str, &[&str], Policy) -> Outcome) {
    let (pdir, gdir) = (layout(), layout());
    let (ptag, gtag) = (tag("py"), tag("guest"));
    let expected = python_in(pdir.path(), "unix.py", &[&ptag]).replace(&ptag, "TAG");
    let got = run("unix", &[&gtag], unix_policy(gdir.path(), &gtag));
    assert_eq!(got.code, Ok(0), "guest failed: {}", got.stderr);
    let got_out = got.stdout.replace(&gtag, "TAG");
    let (e, g): (Vec<_>, Vec<_>) = (expected.lines().collect(), got_out.lines().collect());
    for (i, (el, gl)) in e.iter().zip(&g).enumerate() {
        assert_eq!(gl, el, "line {} differs\nguest:\n{}", i + 1, got_out);
    }
    assert_eq!(g.len(), e.len(), "line count differs\nguest:\n{got_out}");
    assert_eq!(g.last(), Some(&"done"));
    // The guest's sockets were made inside its directory, nowhere else.
    for name in ["sock", "dg", "dg2", "sub/s2"] {
        assert!(gdir.path().join(name).exists(), "{name} not in the dir");
    }
}

#[test]
fn matches_cpython_sync() {
    compare(run_sync);
}

#[test]
fn matches_cpython_async() {
    compare(run_async);
}

// ---------------------------------------------------------------------------
// Confinement, checked from outside

/// `outer/` (the host's side) holding `granted/` (the guest's directory).
struct Dirs {
    outer: tempfile::TempDir,
}

impl Dirs {
    fn new() -> Self {
        let outer = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(outer.path().join("granted/sub")).unwrap();
        Dirs { outer }
    }
    fn outer(&self) -> &Path {
        self.outer.path()
    }
    fn granted(&self) -> std::path::PathBuf {
        self.outer.path().join("granted")
    }
    fn policy(&self) -> Policy {
        Policy::deny_all().unix_dir_path(self.granted()).unwrap()
    }
}

/// A native stream listener and datagram socket outside the grant, which
/// must see nothing.
struct Observer {
    listener: std::os::unix::net::UnixListener,
    dgram: std::os::unix::net::UnixDatagram,
}

impl Observer {
    fn outside(d: &Dirs) -> Self {
        let listener =
            std::os::unix::net::UnixListener::bind(d.outer().join("target.sock")).unwrap();
        let dgram = std::os::unix::net::UnixDatagram::bind(d.outer().join("target.dgram")).unwrap();
        listener.set_nonblocking(true).unwrap();
        dgram.set_nonblocking(true).unwrap();
        Observer { listener, dgram }
    }
    fn saw_nothing(&self) {
        let e = self
            .listener
            .accept()
            .expect_err("a connection reached the outside listener");
        assert_eq!(e.kind(), std::io::ErrorKind::WouldBlock);
        let mut b = [0u8; 16];
        let e = self
            .dgram
            .recv(&mut b)
            .expect_err("a datagram reached the outside socket");
        assert_eq!(e.kind(), std::io::ErrorKind::WouldBlock);
    }
}

fn line<'a>(o: &'a Outcome, key: &str) -> &'a str {
    o.stdout
        .lines()
        .find(|l| l.starts_with(&format!("{key}: ")))
        .unwrap_or_else(|| panic!("no {key} in:\n{}{}", o.stdout, o.stderr))
}

fn denied(o: &Outcome, key: &str) {
    let l = line(o, key);
    assert!(
        l.contains("PermissionError") && l.contains("denied by policy"),
        "{l}"
    );
}

#[test]
fn dot_dot_and_absolute_paths_are_refused() {
    let d = Dirs::new();
    let obs = Observer::outside(&d);
    let o = run_sync("unix_escape", &["dotdot"], d.policy());
    assert_eq!(o.code, Ok(0), "{}", o.stderr);
    for k in [
        "connect-up",
        "connect-sub-up",
        "bind-up",
        "sendto-up",
        "bind-dotdot",
    ] {
        denied(&o, k);
    }
    assert!(line(&o, "connect-up").contains("leads outside the granted directory"));
    let outer = d.outer().to_str().unwrap().to_string();
    let o = run_sync("unix_escape", &["absolute", &outer], d.policy());
    assert_eq!(o.code, Ok(0), "{}", o.stderr);
    denied(&o, "connect-absolute");
    denied(&o, "bind-absolute");
    assert!(line(&o, "bind-absolute").contains("absolute AF_UNIX path"));
    obs.saw_nothing();
    assert!(!d.outer().join("evil.sock").exists());
    assert!(!d.outer().join("abs.sock").exists());
}

#[test]
fn symlinks_out_are_refused_and_inside_followed() {
    use std::os::unix::fs::symlink;
    let d = Dirs::new();
    let obs = Observer::outside(&d);
    let g = d.granted();
    symlink(d.outer().join("target.sock"), g.join("lsock")).unwrap();
    symlink(d.outer(), g.join("ldir")).unwrap();
    symlink(d.outer().join("target.dgram"), g.join("ldgram")).unwrap();
    let inner = std::os::unix::net::UnixListener::bind(g.join("in.sock")).unwrap();
    inner.set_nonblocking(true).unwrap();
    symlink("in.sock", g.join("inner-link")).unwrap();
    for run in [run_sync, run_async] {
        let o = run("unix_escape", &["symlink"], d.policy());
        assert_eq!(o.code, Ok(0), "{}", o.stderr);
        for k in [
            "connect-link-to-socket",
            "connect-through-dir-link",
            "bind-through-dir-link",
            "sendto-link",
        ] {
            denied(&o, k);
        }
        assert!(
            line(&o, "bind-over-link").contains("[Errno 98]"),
            "{}",
            o.stdout
        );
        assert!(
            line(&o, "connect-inner-link").contains("ok None"),
            "{}",
            o.stdout
        );
        assert!(
            inner.accept().is_ok(),
            "the inside listener saw no connection"
        );
        obs.saw_nothing();
        assert!(!d.outer().join("new.sock").exists());
    }
}

#[test]
fn path_swapped_for_a_symlink_between_calls_is_refused() {
    use std::io::Write;
    let d = Dirs::new();
    let obs = Observer::outside(&d);
    let g = d.granted();
    let inside = std::os::unix::net::UnixListener::bind(g.join("sw.sock")).unwrap();
    let (outer, granted) = (d.outer().to_path_buf(), g.clone());
    let swapper = std::thread::spawn(move || {
        let (mut conn, _) = inside.accept().unwrap();
        std::fs::rename(granted.join("sw.sock"), granted.join("sw.orig")).unwrap();
        std::os::unix::fs::symlink(outer.join("target.sock"), granted.join("sw.sock")).unwrap();
        conn.write_all(b"go").unwrap();
        conn
    });
    let o = run_sync("unix_escape", &["swap"], d.policy());
    let _conn = swapper.join().unwrap();
    assert_eq!(o.code, Ok(0), "{}", o.stderr);
    assert!(
        line(&o, "connect-before").contains("ok None"),
        "{}",
        o.stdout
    );
    assert!(line(&o, "wait-for-swap").contains("b'go'"), "{}", o.stdout);
    denied(&o, "connect-after");
    obs.saw_nothing();
}

#[test]
fn abstract_names_outside_the_grant_are_refused() {
    use std::os::linux::net::SocketAddrExt;
    use std::os::unix::net::{SocketAddr, UnixDatagram, UnixListener};
    let outside = tag("outside");
    let addr = SocketAddr::from_abstract_name(outside.as_bytes()).unwrap();
    let l = UnixListener::bind_addr(&addr).unwrap();
    l.set_nonblocking(true).unwrap();
    let dg = UnixDatagram::bind_addr(&addr).unwrap();
    dg.set_nonblocking(true).unwrap();
    let policy = Policy::deny_all().allow_abstract(tag("inside"));
    let o = run_sync("unix_escape", &["abstract", &outside], policy);
    assert_eq!(o.code, Ok(0), "{}", o.stderr);
    for k in ["connect-abstract", "sendto-abstract", "bind-abstract"] {
        denied(&o, k);
    }
    assert!(line(&o, "autobind").contains("ok None"));
    assert_eq!(
        l.accept().unwrap_err().kind(),
        std::io::ErrorKind::WouldBlock
    );
    assert_eq!(
        dg.recv(&mut [0u8; 8]).unwrap_err().kind(),
        std::io::ErrorKind::WouldBlock
    );
}

#[test]
fn without_a_grant_only_socketpair_works() {
    let o = run_sync("unix_escape", &["no-grant"], Policy::deny_all());
    assert_eq!(o.code, Ok(0), "{}", o.stderr);
    denied(&o, "connect-path");
    denied(&o, "bind-path");
    assert!(line(&o, "connect-path").contains("no directory is granted"));
    assert!(line(&o, "socketpair").contains("ok None"));
    let d = Dirs::new();
    let o = run_sync("unix_escape", &["fd-passing-denied"], d.policy());
    assert_eq!(o.code, Ok(0), "{}", o.stderr);
    denied(&o, "send-fds");
}

#[test]
fn only_the_hosts_own_credentials_can_be_sent() {
    let o = run_sync("unix_escape", &["credentials"], Policy::deny_all());
    assert_eq!(o.code, Ok(0), "{}", o.stderr);
    assert!(line(&o, "send-own").contains("ok 3"), "{}", o.stdout);
    assert!(
        line(&o, "received-own").contains("ok (b'own', True)"),
        "{}",
        o.stdout
    );
    denied(&o, "send-other-pid");
    denied(&o, "send-other-uid");
    assert!(
        line(&o, "nothing-sent").contains("BlockingIOError"),
        "{}",
        o.stdout
    );
}

#[test]
fn guest_sizes_are_capped_or_refused() {
    let mut p = Policy::deny_all().allow_fd_passing(true);
    // 253 sockets passed count for the instance's life, and the 253
    // received are new ones.
    p.limits.max_sockets = 600;
    let o = run_sync("unix_escape", &["sizes"], p);
    assert_eq!(o.code, Ok(0), "{}", o.stderr);
    assert!(
        line(&o, "recvmsg-huge").contains("ok b'abc'"),
        "{}",
        o.stdout
    );
    assert!(
        line(&o, "sendmsg-many-buffers").contains("[Errno 90]"),
        "{}",
        o.stdout
    );
    assert!(
        line(&o, "sendmsg-many-cmsgs").contains("[Errno 22]"),
        "{}",
        o.stdout
    );
    assert!(
        line(&o, "send-254-fds").contains("[Errno 22]"),
        "{}",
        o.stdout
    );
    assert!(line(&o, "send-253-fds").contains("ok 1"), "{}", o.stdout);
    assert!(line(&o, "recv-253-fds").contains("ok 253"), "{}", o.stdout);
}

/// A connect to a listener whose backlog is full waits in blocking mode
/// (in the async embedding too, where the descriptor is non-blocking) and
/// fails at once with EAGAIN in non-blocking mode, as in CPython.
#[test]
fn connect_waits_for_a_full_backlog_in_blocking_mode() {
    use socket2::{Domain, SockAddr, Socket, Type};
    for run in ["sync", "async"] {
        let d = Dirs::new();
        let l = Socket::new(Domain::UNIX, Type::STREAM, None).unwrap();
        l.bind(&SockAddr::unix(d.granted().join("full.sock")).unwrap())
            .unwrap();
        l.listen(0).unwrap();
        let (cfg, out, err) = config("unix_escape", &["full-backlog"], d.policy());
        let component = component("unix_escape");
        let guest = std::thread::spawn(move || {
            if run == "sync" {
                let linker = wasock_host::run::sync_linker(engine()).unwrap();
                wasock_host::run::run_sync(&linker, &component, &cfg).map_err(|e| e.to_string())
            } else {
                let rt = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async {
                    let linker = wasock_host::run::async_linker(engine()).unwrap();
                    wasock_host::run::run_async(&linker, &component, &cfg)
                        .await
                        .map_err(|e| e.to_string())
                })
            }
        });
        assert!(
            wait_for(&out, "first: ok None", GUEST_LIMIT),
            "{}",
            read(&err)
        );
        // Give the second connect time to find the backlog full, then
        // make room: it must complete rather than fail.
        std::thread::sleep(std::time::Duration::from_millis(200));
        assert!(!read(&out).contains("second:"), "{run}: {}", read(&out));
        let _a = l.accept().unwrap();
        assert!(wait_for(&out, "done", GUEST_LIMIT), "{}", read(&err));
        assert_eq!(guest.join().unwrap(), Ok(0));
        let o = read(&out);
        assert!(o.contains("second: ok None"), "{run}: {o}");
        assert!(
            o.contains("third-nonblocking: BlockingIOError: [Errno 11]"),
            "{run}: {o}"
        );
    }
}

#[test]
fn pktinfo_cannot_choose_the_outgoing_interface() {
    let o = run_sync("unix_escape", &["pktinfo-interface"], loopback_policy());
    assert_eq!(o.code, Ok(0), "{}", o.stderr);
    assert!(
        line(&o, "pktinfo-any-interface").contains("ok 1"),
        "{}",
        o.stdout
    );
    denied(&o, "pktinfo-interface-1");
    assert!(line(&o, "received").contains("ok b'a'"), "{}", o.stdout);
    assert!(
        line(&o, "nothing-more").contains("BlockingIOError"),
        "{}",
        o.stdout
    );
}

#[test]
fn forged_rights_trap_before_sending() {
    use std::io::Read;
    let d = Dirs::new();
    let l = std::os::unix::net::UnixListener::bind(d.granted().join("fd.sock")).unwrap();
    let o = run_sync(
        "unix_escape",
        &["forged-rights"],
        d.policy().allow_fd_passing(true),
    );
    let err = o.code.expect_err("a forged handle must trap");
    assert!(err.contains("handle") || err.contains("resource"), "{err}");
    assert!(!o.stdout.contains("unexpectedly"));
    // The guest connected, then trapped: its peer reads end of stream,
    // nothing sent.
    let (mut conn, _) = l.accept().unwrap();
    let mut buf = Vec::new();
    conn.read_to_end(&mut buf).unwrap();
    assert!(buf.is_empty(), "{buf:?}");
}

/// Starts the native peer `tests/python/SCRIPT` (listening on `fd.sock`
/// in the granted directory, with `args` after the path), waits for its
/// `ready`, runs the guest (`run`), and returns the guest's outcome and
/// the rest of the peer's report.
fn with_python_peer(
    d: &Dirs,
    script: &str,
    args: &[String],
    run: impl FnOnce() -> Outcome,
) -> (Outcome, String) {
    use std::io::BufRead;
    let mut peer = std::process::Command::new("python3")
        .arg(root().join("tests/python").join(script))
        .arg(d.granted().join("fd.sock"))
        .args(args)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = std::io::BufReader::new(peer.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    assert_eq!(first.trim(), "ready");
    let o = run();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut out, &mut rest).unwrap();
    peer.wait().unwrap();
    (o, rest)
}

/// Runs tests/python/fd_peer.py in the granted directory, then the guest's
/// `recv-fds` against it; returns the guest's outcome and the peer's
/// report.
fn recv_fds_from_python(policy: Policy, d: &Dirs, n: &str) -> (Outcome, String) {
    with_python_peer(d, "fd_peer.py", &[], || {
        run_sync("unix_escape", &["recv-fds", n], policy)
    })
}

#[test]
fn received_descriptors_become_sockets_or_are_closed() {
    // Granted: the socket pair end and the UDP socket arrive as sockets,
    // the regular file is closed by the host (MSG_CTRUNC).
    let d = Dirs::new();
    let (o, peer) = recv_fds_from_python(d.policy().allow_fd_passing(true), &d, "4");
    assert_eq!(o.code, Ok(0), "{}", o.stderr);
    assert!(
        o.stdout.contains("recv-fds: ok (b'fds', 8)"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("kinds: [(1, 1), (2, 2)]"), "{}", o.stdout);
    assert!(o.stdout.contains("usable: [true, false]"), "{}", o.stdout);
    assert!(peer.contains("peer got b'hi'"), "{peer}");

    // Not granted: every descriptor is closed, the data still arrives.
    let d = Dirs::new();
    let (o, peer) = recv_fds_from_python(d.policy(), &d, "4");
    assert!(
        o.stdout.contains("recv-fds: ok (b'fds', 8)"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("kinds: []"), "{}", o.stdout);
    // The host closed its copy: the peer's end sees end of stream.
    assert!(peer.contains("peer got b''"), "{peer}");

    // Past the socket limit (the guest holds one): one is adopted.
    let d = Dirs::new();
    let mut p = d.policy().allow_fd_passing(true);
    p.limits.max_sockets = 2;
    let (o, _) = recv_fds_from_python(p, &d, "4");
    assert!(
        o.stdout.contains("recv-fds: ok (b'fds', 8)"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("kinds: [(1, 1)]"), "{}", o.stdout);
}

/// Issue 22 item 1: sockets received with SCM_RIGHTS are judged as the
/// guest's own. A TCP socket the native peer connected where the policy
/// allows no connect is closed at adoption (MSG_CTRUNC; its listener
/// never gets the guest's bytes); a UDP socket connected to an allowed
/// address is kept and sends; once its sender (which shares it) connects
/// it to a denied address, the guest's next send is refused and the
/// denied port receives nothing. Sync and async.
#[test]
fn received_ip_sockets_are_judged_as_the_guests_own() {
    use std::io::Read;
    for run in [run_sync, run_async] {
        let d = Dirs::new();
        let allowed = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let later = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        for u in [&allowed, &later] {
            u.set_read_timeout(Some(std::time::Duration::from_millis(300)))
                .unwrap();
        }
        let tcp = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = |a: std::net::SocketAddr| a.port().to_string();
        let allowed_port = allowed.local_addr().unwrap().port();
        let policy = d
            .policy()
            .allow_fd_passing(true)
            .allow_connect(&format!("udp://127.0.0.1:{allowed_port}"))
            .unwrap();
        let ports = [
            &allowed.local_addr(),
            &tcp.local_addr(),
            &later.local_addr(),
        ]
        .map(|a| port(*a.as_ref().unwrap()));
        let (o, rest) = with_python_peer(&d, "fd_peer_ip.py", &ports, || {
            run("unix_escape", &["recv-ip-fds"], policy)
        });
        assert_eq!(o.code, Ok(0), "{}{}", o.stdout, o.stderr);
        // Only the UDP socket was adopted; the TCP one was closed.
        assert!(
            o.stdout.contains("kinds: [(2, 2)] ctrunc 8"),
            "{}",
            o.stdout
        );
        assert!(o.stdout.contains("sends: [\"ok\"]"), "{}", o.stdout);
        assert!(
            o.stdout.contains("sends-after: [\"PermissionError\"]"),
            "{}{}",
            o.stdout,
            o.stderr
        );
        assert!(rest.contains("peer done"), "{rest}");
        // From outside: the allowed port got the one datagram, the later
        // (denied) one nothing, and the TCP listener's connection (made by
        // the peer) never carried the guest's bytes.
        let mut buf = [0u8; 16];
        assert_eq!(allowed.recv(&mut buf).ok(), Some(2));
        assert!(allowed.recv(&mut buf).is_err(), "a second datagram arrived");
        assert!(
            later.recv(&mut buf).is_err(),
            "the denied port got a datagram"
        );
        let (mut c, _) = tcp.accept().unwrap();
        c.set_read_timeout(Some(std::time::Duration::from_secs(5)))
            .unwrap();
        let mut got = Vec::new();
        let _ = c.read_to_end(&mut got);
        assert!(got.is_empty(), "the closed TCP socket carried {got:?}");
    }
}

// ---------------------------------------------------------------------------
// Descriptor accounting

#[test]
fn no_descriptor_leaks_after_truncated_rights_or_a_trap() {
    if !alone("unix::no_descriptor_leaks_after_truncated_rights_or_a_trap") {
        return;
    }
    let scenario = || {
        for run in [run_sync, run_async] {
            let o = run(
                "unix_escape",
                &["trap-holding"],
                Policy::deny_all().allow_fd_passing(true),
            );
            assert!(o.code.is_err(), "the guest should have trapped");
            assert!(o.stdout.contains("holding 4"), "{}", o.stdout);
        }
        let g = layout();
        let t = tag("fds");
        let o = run_sync("unix", &[&t], unix_policy(g.path(), &t));
        assert_eq!(o.code, Ok(0), "{}", o.stderr);
        assert!(o
            .stdout
            .contains("rights-truncated: ok (b'2', [(1, 1, 4)], 8)"));
    };
    scenario();
    let before = open_fds();
    scenario();
    assert_no_fd_leak(before);
}

/// SCM_CREDENTIALS to a native receiver (SO_PASSCRED, outside the guest):
/// only the host process's own pid/uid/gid arrive; forged ones are refused
/// before sendmsg(2), though the host is root and the kernel would pass
/// them.
#[test]
fn forged_credentials_never_reach_a_native_receiver() {
    use std::io::BufRead;
    let d = Dirs::new();
    let path = d.granted().join("cred.sock");
    let script = "import socket, struct, sys\n\
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)\n\
        s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)\n\
        s.bind(sys.argv[1]); s.settimeout(2)\n\
        print('ready', flush=True)\n\
        for _ in range(4):\n\
        \x20   try: d, anc, fl, a = s.recvmsg(100, 256)\n\
        \x20   except socket.timeout: break\n\
        \x20   for lvl, t, data in anc:\n\
        \x20       if t == socket.SCM_CREDENTIALS: print(d.decode(), *struct.unpack('iII', data), flush=True)\n";
    let mut py = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(&path)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(py.stdout.take().unwrap()).lines();
    assert_eq!(lines.next().unwrap().unwrap(), "ready");
    let o = run_sync("unix_escape", &["credentials-to"], d.policy());
    assert_eq!(o.code, Ok(0), "{}", o.stderr);
    assert!(line(&o, "send-own").contains("ok 3"), "{}", o.stdout);
    denied(&o, "send-other-pid");
    denied(&o, "send-other-uid");
    denied(&o, "send-other-gid");
    let seen: Vec<String> = lines.map_while(Result::ok).collect();
    let _ = py.wait();
    let me = std::process::id();
    let uid = std::fs::metadata("/proc/self")
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m))
        .unwrap();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(seen[0].starts_with(&format!("own {me} {uid} ")), "{seen:?}");
}
