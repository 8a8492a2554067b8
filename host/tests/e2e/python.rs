//! Python guests (issue 18): unmodified Python programs — the conformance
//! scenarios, the Python documentation's socket examples, asyncio,
//! socketserver, http.client / urllib and http.server, escape attempts —
//! run under wasock's Python runtime, each under a minimal policy; every
//! denial is proved by what a native observer saw.

use crate::python_cli::shared_cache;
use crate::support::*;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};
use wasmtime::component::Component;

/// `tests/python_guests/NAME`.
fn script(name: &str) -> PathBuf {
    root().join("tests/python_guests").join(name)
}

/// `wasock ARGS…` with the tests' shared cache of packaged programs.
fn wasock(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_wasock"));
    c.args(args)
        .env_remove("WASOCK_LOG")
        .env("WASOCK_CACHE_DIR", shared_cache());
    c
}

/// A Python program packaged by `wasock py build` and compiled once per
/// test process (the packaging itself is cached by content across runs).
fn packaged(program: &Path) -> Component {
    static CACHE: OnceLock<Mutex<HashMap<PathBuf, Component>>> = OnceLock::new();
    let mut map = CACHE.get_or_init(Default::default).lock().unwrap();
    map.entry(program.to_path_buf())
        .or_insert_with(|| {
            let out = root().join("target/python-guests");
            std::fs::create_dir_all(&out).unwrap();
            let wasm = out.join(format!(
                "{}.wasm",
                program.file_stem().unwrap().to_string_lossy()
            ));
            let mut c = wasock(&["py", "build"]);
            c.arg(program).arg("-o").arg(&wasm);
            let o = c.output().unwrap();
            assert!(
                o.status.success(),
                "packaging {} failed: {}",
                program.display(),
                String::from_utf8_lossy(&o.stderr)
            );
            Component::from_file(engine(), &wasm).unwrap()
        })
        .clone()
}

/// Runs a packaged Python program in the library's sync or async
/// embedding, bounded.
fn run_packaged(
    program: &Path,
    args: &[&str],
    policy: wasock_host::Policy,
    use_async: bool,
) -> Outcome {
    let component = packaged(program);
    let name = program.display().to_string();
    let (config, out, err) = config(&name, args, policy);
    let code = bounded(&name, GUEST_LIMIT, move || {
        run_config(engine(), &component, &config, use_async)
    });
    Outcome {
        code,
        stdout: String::from_utf8_lossy(&out.contents()).into_owned(),
        stderr: String::from_utf8_lossy(&err.contents()).into_owned(),
    }
}

// ------------------------------------------------------------ conformance

#[test]
fn conformance_py_as_a_python_guest_sync() {
    let got = run_packaged(
        &root().join("tests/python/conformance.py"),
        &[],
        crate::conformance::policy(),
        false,
    );
    let (matching, total) = crate::conformance::compare("Python guest, sync", &got);
    assert!(matching >= 220, "{matching} of {total}");
}

#[test]
fn conformance_py_as_a_python_guest_async() {
    let got = run_packaged(
        &root().join("tests/python/conformance.py"),
        &[],
        crate::conformance::policy(),
        true,
    );
    let (matching, total) = crate::conformance::compare("Python guest, async", &got);
    assert!(matching >= 220, "{matching} of {total}");
}

// ------------------------------------------------------------ processes

/// A `wasock run` in the background whose stdout lines are collected.
struct Running {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
    err: Arc<Mutex<String>>,
}

impl Running {
    fn start(mut c: Command) -> Running {
        let mut child = c
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let err = Arc::new(Mutex::new(String::new()));
        let out = child.stdout.take().unwrap();
        let l2 = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                l2.lock().unwrap().push(line);
            }
        });
        let mut e = child.stderr.take().unwrap();
        let e2 = err.clone();
        std::thread::spawn(move || {
            let mut s = String::new();
            let _ = e.read_to_string(&mut s);
            e2.lock().unwrap().push_str(&s);
        });
        Running { child, lines, err }
    }

    /// Waits (bounded) for a line containing `needle`.
    fn wait_for(&mut self, needle: &str) {
        let start = Instant::now();
        while start.elapsed() < GUEST_LIMIT {
            if self
                .lines
                .lock()
                .unwrap()
                .iter()
                .any(|l| l.contains(needle))
            {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                std::thread::sleep(Duration::from_millis(100));
                panic!(
                    "the guest ended ({status}) before printing {needle:?}: {:?}\n{}",
                    self.lines.lock().unwrap(),
                    self.err.lock().unwrap()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("no {needle:?} within {GUEST_LIMIT:?}");
    }

    /// Waits (bounded) for the end: (status, stdout, stderr).
    fn finish(mut self) -> (Option<i32>, String, String) {
        let start = Instant::now();
        let status = loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                break s;
            }
            if start.elapsed() > GUEST_LIMIT {
                let _ = self.child.kill();
                panic!("the guest did not end within {GUEST_LIMIT:?}");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        std::thread::sleep(Duration::from_millis(100));
        let out = self.lines.lock().unwrap().join("\n");
        let err = self.err.lock().unwrap().clone();
        (status.code(), out, err)
    }
}

/// A native listener that must see nothing (nonblocking), and its port.
fn observer() -> (TcpListener, u16) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.set_nonblocking(true).unwrap();
    let p = l.local_addr().unwrap().port();
    (l, p)
}

fn accepted(l: &TcpListener) -> usize {
    std::iter::from_fn(|| l.accept().ok()).count()
}

// ------------------------------------------------------------ asyncio

#[test]
fn asyncio_echo_server_serves_20_concurrent_clients_and_a_denied_connect_reaches_nothing() {
    let port = free_port();
    let (obs, denied) = observer();
    let bind = format!("tcp://127.0.0.1:{port}");
    let mut g = Running::start({
        let mut c = wasock(&["run", "--allow-bind", &bind]);
        c.arg(script("asyncio_echo.py"))
            .args([port.to_string(), "20".into(), denied.to_string()]);
        c
    });
    g.wait_for("ready");
    // 20 native clients at once: all connect first, then all talk.
    let mut conns: Vec<TcpStream> = (0..20)
        .map(|_| TcpStream::connect(("127.0.0.1", port)).unwrap())
        .collect();
    for (i, c) in conns.iter_mut().enumerate() {
        c.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        writeln!(c, "client {i}").unwrap();
    }
    for (i, c) in conns.iter_mut().enumerate() {
        let mut s = String::new();
        c.read_to_string(&mut s).unwrap();
        assert_eq!(s, format!("CLIENT {i}\n"));
    }
    let (code, out, err) = g.finish();
    assert_eq!(code, Some(0), "{out}\n{err}");
    assert!(out.contains("served 20"), "{out}");
    assert!(
        out.contains("denied connect: PermissionError EACCES"),
        "{out}"
    );
    assert!(out.contains("sock_recv: b'over a socketpair'"), "{out}");
    assert_eq!(accepted(&obs), 0, "the denied destination saw a connection");
}

// ------------------------------------------------------------ socketserver

#[test]
fn socketserver_tcp_and_udp_answer_native_clients() {
    // TCP
    let port = free_port();
    let bind = format!("tcp://127.0.0.1:{port}");
    let mut g = Running::start({
        let mut c = wasock(&["run", "--allow-bind", &bind]);
        c.arg(script("socketserver_echo.py"))
            .args(["tcp", &port.to_string(), "3"]);
        c
    });
    g.wait_for("ready");
    for i in 0..3 {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        writeln!(s, "tcp {i}").unwrap();
        let mut got = String::new();
        s.read_to_string(&mut got).unwrap();
        assert_eq!(got, format!("TCP {i}\n"));
    }
    let (code, out, err) = g.finish();
    assert_eq!(code, Some(0), "{out}\n{err}");
    // UDP: replies go back to the native peer (the bind rule implies
    // recv-from any peer; the UDP reply rule lets it answer them).
    let port = free_port();
    let bind = format!("udp://127.0.0.1:{port}");
    let mut g = Running::start({
        let mut c = wasock(&["run", "--allow-bind", &bind, "--allow-udp-reply"]);
        c.arg(script("socketserver_echo.py"))
            .args(["udp", &port.to_string(), "3"]);
        c
    });
    g.wait_for("ready");
    let u = UdpSocket::bind("127.0.0.1:0").unwrap();
    u.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    for i in 0..3 {
        u.send_to(format!("udp {i}").as_bytes(), ("127.0.0.1", port))
            .unwrap();
        let mut buf = [0u8; 64];
        let (n, _) = u.recv_from(&mut buf).unwrap();
        assert_eq!(&buf[..n], format!("UDP {i}").as_bytes());
    }
    let (code, out, err) = g.finish();
    assert_eq!(code, Some(0), "{out}\n{err}");
    assert!(out.contains("handled 3"), "{out}");
}

// ------------------------------------------------------------ http

#[test]
fn http_client_and_urllib_fetch_from_a_native_http_server_and_a_denied_url_reaches_nothing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("hello.txt"), "hello from native\n").unwrap();
    let port = free_port();
    let mut server = Command::new("python3")
        .args([
            "-m",
            "http.server",
            "--bind",
            "127.0.0.1",
            &port.to_string(),
        ])
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let up = retry(200, Duration::from_millis(50), || {
        TcpStream::connect(("127.0.0.1", port)).ok()
    });
    assert!(up.is_some(), "the native http.server did not start");
    drop(up);
    let (obs, denied) = observer();
    let connect = format!("tcp://127.0.0.1:{port}");
    let g = Running::start({
        let mut c = wasock(&["run", "--allow-connect", &connect]);
        c.arg(script("http_get.py"))
            .args([port.to_string(), denied.to_string()]);
        c
    });
    let (code, out, err) = g.finish();
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(code, Some(0), "{out}\n{err}");
    assert!(
        out.contains("http.client: 200 b'hello from native\\n'"),
        "{out}"
    );
    assert!(out.contains("urllib: 200 b'hello from native\\n'"), "{out}");
    assert!(out.contains("denied: PermissionError EACCES"), "{out}");
    assert_eq!(
        accepted(&obs),
        0,
        "the denied URL's server saw a connection"
    );
}

#[test]
fn a_guest_http_server_answers_native_urllib() {
    let port = free_port();
    let bind = format!("tcp://127.0.0.1:{port}");
    let mut g = Running::start({
        let mut c = wasock(&["run", "--allow-bind", &bind]);
        c.arg(script("http_serve.py"))
            .args([port.to_string(), "2".into()]);
        c
    });
    g.wait_for("ready");
    let fetched = python_native(&format!(
        "import urllib.request\n\
         for p in ('/a', '/b'):\n\
         \x20   with urllib.request.urlopen('http://127.0.0.1:{port}' + p, timeout=30) as f:\n\
         \x20       print(f.status, f.read().decode().strip())\n"
    ));
    assert_eq!(
        fetched,
        "200 guest says hello to /a\n200 guest says hello to /b\n"
    );
    let (code, out, err) = g.finish();
    assert_eq!(code, Some(0), "{out}\n{err}");
}

/// Runs Python code natively; its stdout.
fn python_native(code: &str) -> String {
    let o = Command::new("python3")
        .arg("-c")
        .arg(code)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

// ------------------------------------------------------------ errnos

/// Portable errno checks see in a Python guest what they see natively:
/// `e.errno == errno.ECONNREFUSED`, `connect_ex` against
/// `errno.EINPROGRESS`, `SO_ERROR`, socket.py's own check in `makefile`
/// reads, the class `OSError(SO_ERROR value)` picks (asyncio's connect)
/// and asyncio's connection error. The guest's errors carry its
/// platform's (WASI's) number for each name, as its `errno` module does,
/// so the script prints the same names, classes and truths in both.
#[test]
fn portable_errno_checks_see_in_a_guest_what_they_see_natively() {
    let port = free_port();
    let program = script("errno_idioms.py");
    let native = Command::new("python3")
        .arg(&program)
        .arg(port.to_string())
        .output()
        .unwrap();
    assert!(
        native.status.success(),
        "{}",
        String::from_utf8_lossy(&native.stderr)
    );
    let allow = format!("tcp://127.0.0.1:{port}");
    let guest = wasock(&["run", "--allow-connect", &allow])
        .arg(&program)
        .arg(port.to_string())
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&guest.stdout);
    assert_eq!(
        guest.status.code(),
        Some(0),
        "{out}\n{}",
        String::from_utf8_lossy(&guest.stderr)
    );
    assert_eq!(out, String::from_utf8_lossy(&native.stdout));
    assert_eq!(out.lines().count(), 9, "{out}");
}

// ------------------------------------------------------------ escapes

#[test]
fn escape_attempts_from_python_are_denied_as_observed_from_outside() {
    let (obs, port) = observer();
    let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
    udp.set_nonblocking(true).unwrap();
    let uport = udp.local_addr().unwrap().port();
    let wild = free_port();
    let dir = tempfile::tempdir().unwrap();
    let grant = dir.path().join("grant");
    std::fs::create_dir(&grant).unwrap();
    let o = wasock(&["run", "--unix-dir", grant.to_str().unwrap()])
        .arg(script("escape.py"))
        .args([
            format!("connect,{port}"),
            format!("sendto,{uport}"),
            format!("wildcard-bind,{wild}"),
            "unix-escape,../outside.sock".into(),
            "unix-escape,inside.sock".into(),
            "forged-fd,999".into(),
            "forged-fd,-1".into(),
            "thread".into(),
            "ssl".into(),
        ])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{out}\n{err}");
    // What the guest was told (errnos in the guest's own numbering, WASI's:
    // EACCES is 2 there, EBADF 8, as its `errno` module says).
    for step in [
        format!("connect,{port}: PermissionError: [Errno 2] Permission denied: connect to 127.0.0.1:{port} (tcp)"),
        format!("sendto,{uport}: PermissionError: [Errno 2]"),
        format!("wildcard-bind,{wild}: PermissionError: [Errno 2]"),
        "unix-escape,../outside.sock: PermissionError: [Errno 2]".into(),
        "unix-escape,inside.sock: ok 'inside.sock'".into(),
        "forged-fd,999: OSError: [Errno 8] Bad file descriptor".into(),
        "forged-fd,-1: ValueError: negative file descriptor".into(),
        "thread: RuntimeError: can't start new thread: a wasock Python guest is a WebAssembly component with one thread".into(),
        "ssl: ImportError: ssl is not available in a wasock Python guest".into(),
    ] {
        assert!(out.contains(&step), "missing {step:?} in:\n{out}");
    }
    // What native observers saw.
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(accepted(&obs), 0, "the denied connect arrived");
    let mut buf = [0u8; 16];
    assert!(
        udp.recv_from(&mut buf).is_err(),
        "the denied datagram arrived"
    );
    assert!(
        !dir.path().join("outside.sock").exists(),
        "a socket was bound outside the grant"
    );
    assert!(
        grant.join("inside.sock").exists(),
        "the allowed bind made no socket file"
    );
    let ss = Command::new("ss").args(["-Htln"]).output().unwrap();
    assert!(
        !String::from_utf8_lossy(&ss.stdout).contains(&format!(":{wild} ")),
        "a wildcard listener exists"
    );
}

#[test]
fn an_uncaught_exception_prints_pythons_traceback_and_exits_1() {
    let o = wasock(&["run"])
        .arg(script("escape.py"))
        .arg("raise")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    let native = Command::new("python3")
        .arg(script("escape.py"))
        .arg("raise")
        .output()
        .unwrap();
    assert_eq!(native.status.code(), Some(1));
    // The same traceback, line for line, as native CPython's (3.14 adds
    // carets under some lines, which 3.11 does not print: compared without
    // them).
    let strip = |s: &str| -> Vec<String> {
        s.lines()
            .filter(|l| !l.trim().chars().all(|c| c == '^' || c == '~'))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(strip(&err), strip(&String::from_utf8_lossy(&native.stderr)));
}

// ------------------------------------------------------------ the docs' examples

/// `/etc/hosts` for the examples' namespace: the docs' client connects to
/// `daring.cs.uni.edu`, which there is this namespace's loopback.
fn example_hosts() -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    writeln!(
        f,
        "127.0.0.1 localhost\n::1 localhost\n127.0.0.1 daring.cs.uni.edu\n::1 daring.cs.uni.edu"
    )
    .unwrap();
    f
}

fn docs(name: &str) -> String {
    script(&format!("docs/{name}")).display().to_string()
}

/// Waits (bounded by the guest limit: a guest server's first run packages
/// it, tens of seconds on a loaded machine) until something listens on TCP
/// port 50007 in this namespace.
fn wait_listening() {
    let up = retry(2400, Duration::from_millis(50), || {
        let ss = Command::new("ss").args(["-Htln"]).output().ok()?;
        String::from_utf8_lossy(&ss.stdout)
            .contains(":50007 ")
            .then_some(())
    });
    assert!(up.is_some(), "nothing listens on 50007");
}

/// The server side of an example pair: a guest (under `policy` flags) or
/// native CPython.
fn example_server(name: &str, guest: bool, policy: &[&str]) -> Running {
    let c = if guest {
        let mut c = wasock(&["run"]);
        c.args(policy).arg(docs(name));
        c
    } else {
        let mut c = Command::new("python3");
        c.arg(docs(name));
        c
    };
    let r = Running::start(c);
    wait_listening();
    r
}

fn example_client(name: &str, guest: bool) -> (Option<i32>, String, String) {
    let c = if guest {
        let mut c = wasock(&[
            "run",
            "--allow-resolve",
            "daring.cs.uni.edu",
            "--allow-connect",
            "tcp://127.0.0.1:50007,tcp://[::1]:50007",
        ]);
        c.arg(docs(name));
        c
    } else {
        let mut c = Command::new("python3");
        c.arg(docs(name));
        c
    };
    Running::start(c).finish()
}

#[test]
fn the_docs_echo_pairs_run_unmodified_against_each_other_and_native_peers() {
    let hosts = example_hosts();
    if !in_namespace_with(
        "python::the_docs_echo_pairs_run_unmodified_against_each_other_and_native_peers",
        "-mn",
        "ip link set lo up; mount --bind \"$1\" /etc/hosts",
        &[hosts.path().as_os_str()],
    ) {
        return;
    }
    let v4 = ["--allow-bind", "tcp://0.0.0.0:50007"];
    let dual = ["--allow-bind", "tcp://0.0.0.0:50007,tcp://[::]:50007"];
    for (server, client, policy) in [
        ("echo_server.py", "echo_client.py", &v4),
        (
            "echo_server_dualstack.py",
            "echo_client_dualstack.py",
            &dual,
        ),
    ] {
        for (guest_server, guest_client) in [(true, true), (false, true), (true, false)] {
            let s = example_server(server, guest_server, policy);
            let (code, out, err) = example_client(client, guest_client);
            assert_eq!(
                code,
                Some(0),
                "{client} (guest {guest_client}): {out}\n{err}"
            );
            assert_eq!(out, "Received b'Hello, world'", "{err}");
            let (code, out, err) = s.finish();
            assert_eq!(
                code,
                Some(0),
                "{server} (guest {guest_server}): {out}\n{err}"
            );
            assert!(out.starts_with("Connected by ('"), "{out}");
        }
    }
    // The SO_REUSEADDR example binds where a connection just closed.
    for guest in [true, false] {
        let (code, out, err) = if guest {
            Running::start({
                let mut c = wasock(&["run", "--allow-bind", "tcp://0.0.0.0:50007"]);
                c.arg(docs("reuseaddr.py"));
                c
            })
            .finish()
        } else {
            Running::start({
                let mut c = Command::new("python3");
                c.arg(docs("reuseaddr.py"));
                c
            })
            .finish()
        };
        assert_eq!(code, Some(0), "reuseaddr (guest {guest}): {out}\n{err}");
    }
    // Denied: the IPv4 client under a policy without the connect rule; a
    // native server waits and sees nobody.
    let l = TcpListener::bind("127.0.0.1:50007").unwrap();
    l.set_nonblocking(true).unwrap();
    let (code, _, err) = Running::start({
        let mut c = wasock(&["run", "--allow-resolve", "daring.cs.uni.edu"]);
        c.arg(docs("echo_client.py"));
        c
    })
    .finish();
    assert_eq!(code, Some(1), "{err}");
    // EACCES, in the guest's (WASI's) numbering.
    assert!(err.contains("PermissionError: [Errno 2]"), "{err}");
    assert_eq!(accepted(&l), 0);
}

#[test]
fn the_raw_sniffer_and_can_examples_fail_as_natively() {
    for (name, grant) in [
        ("raw_sniffer.py", ["--allow-raw", "*"]),
        ("can_raw.py", ["--allow-family", "can"]),
    ] {
        let native = Command::new("python3").arg(docs(name)).output().unwrap();
        let o = wasock(&["run"])
            .args(grant)
            .arg(docs(name))
            .output()
            .unwrap();
        // The exception line, without its errno number: the guest's is its
        // platform's (WASI's) number for the same name; the class and
        // glibc's text say which errno it is.
        let last = |b: &[u8]| {
            let line = String::from_utf8_lossy(b)
                .lines()
                .last()
                .unwrap_or("")
                .to_string();
            match (line.find("[Errno "), line.find("] ")) {
                (Some(a), Some(z)) if a < z => format!("{}{}", &line[..a], &line[z + 2..]),
                _ => line,
            }
        };
        assert_eq!(o.status.code(), native.status.code(), "{name}");
        assert_eq!(last(&o.stderr), last(&native.stderr), "{name}");
    }
}

#[test]
fn the_constants_table_is_generated_from_the_rust_guests() {
    let o = Command::new("python3")
        .arg(root().join("scripts/python-constants.py"))
        .arg("--check")
        .status()
        .unwrap();
    assert!(
        o.success(),
        "python/wasock_py/_constants.py is stale: run scripts/python-constants.py"
    );
}

/// Issue 17 item 3 for Python guests: a UDP client whose reply the policy
/// drops gets `TimeoutError('timed out (… dropped …)')` naming the policy
/// and the narrowest rule, not a bare `timed out`; the request itself
/// reached a native server.
#[test]
fn a_filtered_reply_times_out_in_python_naming_the_policy() {
    let s = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(60)))
        .unwrap();
    let port = s.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let mut buf = [0u8; 16];
        let (_, from) = s.recv_from(&mut buf).ok()?;
        s.send_to(b"echo", from).ok()
    });
    let step = format!("udp-ask,{port}");
    let o = wasock(&["run", "--allow-send-to", &format!("udp://127.0.0.1:{port}")])
        .arg(script("escape.py"))
        .arg(&step)
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        server.join().unwrap().is_some(),
        "the request did not arrive: {out}"
    );
    assert!(
        out.contains(&format!(
            "{step}: TimeoutError: timed out (1 datagram from peers the policy denies was dropped while waiting"
        )) && out.contains(&format!("--allow-recv-from udp://127.0.0.1:{port}")),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// The data `tests/python_guests/send_loop.py` sends in each message.
fn send_loop_message() -> Vec<u8> {
    (0..=255u8).cycle().take(256 * 234).collect()
}

/// Runs `send_loop.py MODE PORT COUNT` under a 128 MiB memory limit.
fn send_loop(mode: &str, allow: &str, port: u16, count: usize) -> std::process::Output {
    wasock(&[
        "run",
        allow,
        &format!(
            "{}://127.0.0.1:{port}",
            if allow == "--allow-send-to" {
                "udp"
            } else {
                "tcp"
            }
        ),
        "--max-memory",
        "134217728",
    ])
    .arg(script("send_loop.py"))
    .args([mode.to_string(), port.to_string(), count.to_string()])
    .output()
    .unwrap()
}

/// A Python guest that sends 180 MB with each sending call (`sendto`,
/// `sendmsg`, `send`, `sendall`) stays under a 128 MiB memory limit: what
/// it sent is not kept. Every byte value is sent, and a native receiver
/// checks each byte that arrives.
///
/// componentize-py 0.25.1 never frees a `list<u8>` argument of an
/// imported call; the Python runtime sends through the `latin1`
/// interface, whose string arguments it frees (docs/architecture.md,
/// "Python guests"). Before that, this guest died of `MemoryError` or a
/// trap after about 128 MiB.
#[test]
fn a_python_guest_that_sends_does_not_grow() {
    const COUNT: usize = 3000;
    let message = send_loop_message();
    for mode in ["sendto", "sendmsg"] {
        let rx = UdpSocket::bind("127.0.0.1:0").unwrap();
        rx.set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        let port = rx.local_addr().unwrap().port();
        let expected = message.clone();
        let counter = std::thread::spawn(move || {
            let mut buf = vec![0u8; 65536];
            let (mut n, mut wrong) = (0u32, 0u32);
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(300) {
                match rx.recv(&mut buf) {
                    Ok(len) if buf[..len] == expected[..] => n += 1,
                    Ok(_) => wrong += 1,
                    Err(_) if n + wrong > 0 => break,
                    Err(_) => {}
                }
            }
            (n, wrong)
        });
        let o = send_loop(mode, "--allow-send-to", port, COUNT);
        let (arrived, wrong) = counter.join().unwrap();
        assert_sent(mode, &o, COUNT);
        // Loopback may drop datagrams when the receiver falls behind; none
        // may arrive altered.
        assert!(
            arrived > 0 && wrong == 0,
            "{mode}: {arrived} intact, {wrong} altered"
        );
    }
    for mode in ["send", "sendall"] {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        // Three messages in a row: any read (at most 64 KiB) starting
        // anywhere in a message is a slice of it.
        let expected = message.repeat(3);
        let period = message.len();
        let reader = std::thread::spawn(move || {
            let (mut c, _) = listener.accept().unwrap();
            c.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
            let mut buf = vec![0u8; 1 << 16];
            let (mut total, mut intact) = (0usize, true);
            loop {
                match c.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(len) => {
                        let at = total % period;
                        intact &= buf[..len] == expected[at..at + len];
                        total += len;
                    }
                }
            }
            (total, intact)
        });
        let o = send_loop(mode, "--allow-connect", port, COUNT);
        let (total, intact) = reader.join().unwrap();
        assert_sent(mode, &o, COUNT);
        assert_eq!(total, COUNT * message.len(), "{mode}: bytes received");
        assert!(intact, "{mode}: the bytes received differ from those sent");
    }
}

/// Text above U+00FF given to the `latin1` interface is refused with
/// EINVAL naming the character, and nothing reaches the destination (a
/// native receiver sees only the next, valid, datagram, decoded to the
/// bytes its characters stand for).
#[test]
fn latin1_text_above_u00ff_is_refused_and_sends_nothing() {
    let rx = UdpSocket::bind("127.0.0.1:0").unwrap();
    rx.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let port = rx.local_addr().unwrap().port();
    let o = wasock(&["run", "--allow-send-to", &format!("udp://127.0.0.1:{port}")])
        .arg(script("latin1_text.py"))
        .arg(port.to_string())
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success()
            && out.contains("errno EINVAL Invalid argument | the data is not Latin-1 text: character U+20AC (at byte 8 of the data) is above U+00FF")
            && out.contains("sent 7"),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let mut buf = [0u8; 64];
    let n = rx.recv(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"caf\xe9 \xff\x00");
    rx.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    assert!(rx.recv(&mut buf).is_err(), "a second datagram arrived");
}

/// A Python guest making the everyday socket calls (`call_loop.py`:
/// sendall, send, recv, recv_into, select, poll, sendto, recvfrom,
/// sendmsg, recvmsg with IP_PKTINFO, setsockopt, getsockopt, getsockname,
/// socket and close) 12,000 times, with 1,000-byte messages, runs within
/// 4 MiB more than the memory it starts with. The guest starts with free
/// heap (between 12 and 36 MiB here), so this catches what grows by tens
/// of MiB: the runtime before `latin1`, which kept the data of every send
/// (48 MB here), fails it (checked); componentize-py 0.25.1 keeps every
/// byte-list argument ("Python guests" in docs/architecture.md).
#[test]
fn a_python_guest_making_every_day_calls_does_not_grow() {
    const COUNT: usize = 12_000;
    let policy = [
        "run",
        "--allow-bind",
        "udp://127.0.0.1:0",
        "--allow-send-to",
        "udp://127.0.0.1:1-65535",
    ];
    runs_within_4_mib_of_its_start(&policy, "call_loop.py", COUNT);
}

/// Runs `name` with the argument `count` under `policy`, with a memory
/// limit 4 MiB above what the guest starts with, and asserts it ended
/// normally after printing `done COUNT`.
fn runs_within_4_mib_of_its_start(policy: &[&str], name: &str, count: usize) {
    let pages = starting_pages(policy, name);
    let limit = pages * 65536 + 4 * 1024 * 1024;
    let o = wasock(policy)
        .args(["--max-memory", &limit.to_string()])
        .arg(script(name))
        .arg(count.to_string())
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success() && out.contains(&format!("done {count}")),
        "limit {limit} ({pages} pages + 4 MiB): {out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// The memory (64 KiB pages) a Python guest running `name` starts with,
/// from the error a 1 MiB limit gives ("memory minimum size of N pages
/// exceeds memory limits").
fn starting_pages(policy: &[&str], name: &str) -> u64 {
    let o = wasock(policy)
        .args(["--max-memory", "1048576"])
        .arg(script(name))
        .arg("0")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    err.split("memory minimum size of ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no minimum size in: {err}"))
}

/// A Python guest naming AF_UNIX paths in connect, sendto and sendmsg
/// (`unix_call_loop.py`: 106-byte paths, 100,000 rounds) runs within 4 MiB
/// more than the memory it starts with: the runtime passes these names as
/// Latin-1 text (`latin1`'s `-unix` calls). The runtime before, which
/// passed them in the byte-list address, kept each path (about 48 MB over
/// the rounds) and trapped in componentize-py's allocator (checked).
#[test]
fn a_python_guest_naming_unix_paths_does_not_grow() {
    const COUNT: usize = 100_000;
    let dir = tempfile::tempdir().unwrap();
    let policy = ["run", "--unix-dir", dir.path().to_str().unwrap()];
    runs_within_4_mib_of_its_start(&policy, "unix_call_loop.py", COUNT);
}

/// `send_loop.py` in `mode` ran to the end and said it sent `count`
/// messages.
fn assert_sent(mode: &str, o: &std::process::Output, count: usize) {
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success() && out.contains(&format!("sent {count}")),
        "{mode}: {out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
}
