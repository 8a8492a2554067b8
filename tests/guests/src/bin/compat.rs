//! The guest side of tests/python/compat.py: the same steps, printed the
//! same way (socket file objects, descriptors, addresses of the wrong
//! shape). Usage: compat 4|6 TAG
use std::io::{self, Read, Write};
use std::thread::sleep;
use std::time::Duration;
use wasock::*;
use wasock_test_guests::{must, show};

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
    let f = if v6 { AF_INET6 } else { AF_INET };
    let h = if v6 { "::1" } else { "127.0.0.1" };
    let ms = |n| sleep(Duration::from_millis(n));

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

    // -- descriptors
    show("socket-fileno-negative", || {
        Socket::from_fileno(-1).map(|_| ())
    });
    show("socket-fileno-minus-5", || {
        Socket::from_fileno(-5).map(|_| ())
    });
    show("fromfd-negative", || {
        fromfd(-1, f, SOCK_STREAM, 0).map(|_| ())
    });

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
