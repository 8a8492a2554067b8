//! The guest side of tests/python/compat.py: the same steps, printed the
//! same way (socket file objects, descriptors, `repr`, addresses of the
//! wrong shape). Usage: compat 4|6 TAG
use std::io::{self, Read, Write};
use std::thread::sleep;
use std::time::Duration;
use wasock::*;
use wasock_test_guests::{must, show, Repr};

/// An `io` result as the wasock result it carries.
fn io<T>(r: io::Result<T>) -> Result<T> {
    r.map_err(Error::from)
}

/// Python's `f.read(n)` on a raw file: one read of at most `n` bytes.
fn read_n(f: &mut SocketFile<'_>, n: usize) -> Result<Vec<u8>> {
    let mut buf = vec![0u8; n];
    let got = io(f.read(&mut buf))?;
    buf.truncate(got);
    Ok(buf)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let v6 = args.get(1).map(String::as_str) == Some("6");
    let tag = args.get(2).cloned().unwrap_or_default();
    let f = if v6 { AF_INET6 } else { AF_INET };
    let h = if v6 { "::1" } else { "127.0.0.1" };
    let ms = |n| sleep(Duration::from_millis(n));
    let pyrepr = |s: &Socket, ports: &[u16]| {
        let mut r = s.repr().replace(&format!("fd={},", s.fileno()), "fd=FD,");
        for (i, p) in ports.iter().enumerate() {
            r = r.replace(&p.to_string(), &format!("PORT{i}"));
        }
        r.replace(&tag, "TAG")
    };

    let listener = must("socket", socket(f, SOCK_STREAM, 0));
    must("bind", listener.bind((h, 0)));
    must("listen", listener.listen_default());
    let lport = must("getsockname", listener.getsockname())
        .port()
        .unwrap_or(0);
    let pair = || {
        let c = must("socket", socket(f, SOCK_STREAM, 0));
        must("connect", c.connect((h, lport)));
        let (s, _) = must("accept", listener.accept());
        (c, s)
    };

    // -- makefile: zero-length reads make no receive
    let (c, s) = pair();
    must("settimeout", s.settimeout(Some(2.0)));
    {
        let mut file = must("makefile", s.makefile("rb", Some(0)));
        show("rb0-empty-read-no-data", || io(file.read(&mut [])));
        must("sendall", c.sendall(b"abc"));
        ms(50);
        show("rb0-read-3", || read_n(&mut file, 3));
        show("rb0-empty-read-after-data", || io(file.read(&mut [])));
        must("sendall", c.sendall(b"de"));
        show("rb0-read-rest", || read_n(&mut file, 10));
        must("setblocking", s.setblocking(false));
        show("rb0-empty-read-nonblocking", || io(file.read(&mut [])));
        must("setblocking", s.setblocking(true));
        let mut fb = must("makefile", s.makefile("rb", None));
        show("rb-empty-read", || io(fb.read(&mut [])));
        must("settimeout", s.settimeout(Some(0.1)));
        show("rb0-read-timeout", || read_n(&mut file, 1));
        show("rb0-empty-read-after-timeout", || io(file.read(&mut [])));
        show("rb-read-timeout", || read_n(&mut fb, 1));
        show("rb-empty-read-after-timeout", || io(fb.read(&mut [])));
    }
    show("wb-empty-read", || {
        io(s.makefile("wb", None)?.read(&mut []))
    });
    show("wb0-empty-read", || {
        io(s.makefile("wb", Some(0))?.read(&mut []))
    });
    show("rb0-write", || io(s.makefile("rb", Some(0))?.write(b"x")));
    drop((c, s));

    // A datagram stays queued through a zero-length read.
    let u1 = must("socket", socket(f, SOCK_DGRAM, 0));
    must("bind", u1.bind((h, 0)));
    let u2 = must("socket", socket(f, SOCK_DGRAM, 0));
    must(
        "sendto",
        u2.sendto(b"dgram", must("name", u1.getsockname())),
    );
    ms(50);
    must("settimeout", u1.settimeout(Some(1.0)));
    show("udp-rb0-empty-read", || {
        io(u1.makefile("rb", Some(0))?.read(&mut []))
    });
    show("udp-recv-after", || u1.recv(100));
    drop((u1, u2));

    // -- makefile: mode and name
    let (c, s) = pair();
    for mode in ["r", "rb", "w", "wb", "rw", "rwb", "b", "br", ""] {
        for buffering in [None, Some(0), Some(100)] {
            let b = buffering.map_or("None".to_string(), |n: usize| n.to_string());
            match s.makefile(mode, buffering) {
                Ok(file) => println!(
                    "makefile '{mode}' {b}: mode {} name {}",
                    file.mode().map(str::to_string).repr(),
                    file.name().map(|n| n == s.fileno()).repr()
                ),
                Err(e) => println!("makefile '{mode}' {b}: {}: {e}", e.kind().name()),
            }
        }
    }

    // -- descriptors
    show("inheritable-accepted", || Ok(s.get_inheritable()));
    show("inheritable-connected", || Ok(c.get_inheritable()));
    show("socket-fileno-negative", || {
        Socket::from_fileno(-1).map(|_| ())
    });
    show("socket-fileno-minus-5", || {
        Socket::from_fileno(-5).map(|_| ())
    });
    show("fromfd-negative", || {
        fromfd(-1, f, SOCK_STREAM, 0).map(|_| ())
    });
    // fromfd duplicates an open socket: closing either leaves the other open.
    let d = must("fromfd", fromfd(s.fileno(), f, SOCK_STREAM, 0));
    show("fromfd-new-descriptor", || Ok(d.fileno() != s.fileno()));
    println!(
        "fromfd-family-type: ok ({}, {}, {})",
        d.family(),
        d.type_(),
        d.proto()
    );
    d.close();
    show("fromfd-close-dup-original-sends", || s.send(b"1"));
    show("fromfd-close-dup-peer-gets", || c.recv(10));
    let d = must("fromfd", fromfd(s.fileno(), f, SOCK_STREAM, 0));
    s.close();
    show("fromfd-close-original-dup-sends", || d.send(b"2"));
    show("fromfd-close-original-peer-gets", || c.recv(10));
    // Inheritable: per descriptor, False for every socket Python creates.
    show("inheritable-new", || Ok(d.get_inheritable()));
    show("inheritable-set", || {
        Ok((d.set_inheritable(true), d.get_inheritable()))
    });
    show("inheritable-dup", || Ok(d.dup()?.get_inheritable()));
    show("inheritable-fromfd", || {
        Ok(fromfd(d.fileno(), f, SOCK_STREAM, 0)?.get_inheritable())
    });
    show("inheritable-original-kept", || Ok(d.get_inheritable()));
    let fd = d.detach();
    let d = must("from_fileno", Socket::from_fileno(fd));
    show("inheritable-detach-fileno", || Ok(d.get_inheritable()));
    show("inheritable-clear", || {
        Ok((d.set_inheritable(false), d.get_inheritable()))
    });
    let (x, y) = must("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0));
    show("inheritable-socketpair", || {
        Ok((x.get_inheritable(), y.get_inheritable()))
    });
    drop((x, y, d, c));

    // -- repr
    let t = must("socket", socket(f, SOCK_STREAM, 0));
    println!("repr-unbound: {}", pyrepr(&t, &[]));
    drop(t);
    let (c, s) = pair();
    let cport = must("name", c.getsockname()).port().unwrap_or(0);
    println!("repr-listener: {}", pyrepr(&listener, &[lport]));
    println!("repr-client: {}", pyrepr(&c, &[lport, cport]));
    println!("repr-accepted: {}", pyrepr(&s, &[lport, cport]));
    show("str-is-repr", || Ok(c.to_string() == c.repr()));
    drop((c, s));
    let u = must("socket", socket(f, SOCK_DGRAM, 0));
    println!("repr-udp: {}", pyrepr(&u, &[]));
    must("bind", u.bind((h, 0)));
    let uport = must("name", u.getsockname()).port().unwrap_or(0);
    println!("repr-udp-bound: {}", pyrepr(&u, &[uport]));
    drop(u);
    let un = must("socket", socket(AF_UNIX, SOCK_STREAM, 0));
    println!("repr-unix-unbound: {}", pyrepr(&un, &[]));
    let name = format!("\0wasock-compat-{tag}");
    must("bind", un.bind(name.as_bytes()));
    println!("repr-unix-abstract: {}", pyrepr(&un, &[]));
    drop(un);
    let nb = must("socket", socket(f, SOCK_STREAM | SOCK_NONBLOCK, 0));
    println!("repr-nonblocking: {}", pyrepr(&nb, &[]));
    drop(nb);

    // -- addresses of the wrong shape for the family
    let shapes: [(&str, Address); 7] = [
        ("str", Address::from("/tmp/x")),
        ("inet", Address::from(("127.0.0.1", 80))),
        ("inet6", Address::from(("::1", 80, 0, 0))),
        ("none", Address::None),
        ("netlink", Address::netlink(0, 0)),
        ("packet", Address::packet("lo", 0, 0, 0, b"")),
        ("vsock", Address::vsock(1, 2)),
    ];
    for (fname, (fam, ty)) in [
        ("netlink", (AF_NETLINK, SOCK_RAW)),
        ("packet", (AF_PACKET, SOCK_RAW)),
        ("vsock", (AF_VSOCK, SOCK_STREAM)),
        ("inet", (f, SOCK_DGRAM)),
    ] {
        let s = must("socket", socket(fam, ty, 0));
        for call in ["bind", "connect", "sendto"] {
            for (sname, addr) in &shapes {
                let reaches_kernel = (fname == "vsock"
                    && call == "connect"
                    && matches!(*sname, "netlink" | "vsock"))
                    || (fname == "inet" && matches!(*sname, "inet" | "inet6"))
                    || (fname == "netlink"
                        && matches!(*sname, "netlink" | "vsock")
                        && call != "bind");
                if reaches_kernel {
                    continue;
                }
                let name = format!("{fname} {call} {sname}");
                match call {
                    "bind" => show(&name, || s.bind(addr)),
                    "connect" => show(&name, || s.connect(addr)),
                    _ => show(&name, || s.sendto(b"", addr)),
                }
            }
        }
    }
    show("packet bind inet-shaped", || {
        socket(AF_PACKET, SOCK_RAW, 0)?.bind(("nosuchif0", 80))
    });
    println!("done");
}
