//! The guest side of tests/python/unix.py: AF_UNIX (socketpair, paths in
//! the granted directory, autobind, abstract names) and sendmsg/recvmsg
//! with ancillary data, printed the same way. Usage: unix NAME
use wasock::*;
use wasock_test_guests::{must, show, Repr};

/// A value already written as Python's repr.
struct Py(String);

impl Repr for Py {
    fn repr(&self) -> String {
        self.0.clone()
    }
}

const IP_PKTINFO: i32 = 8;
const IP_RECVTTL: i32 = 12;
const SO_TIMESTAMPNS: i32 = 35;

fn peercred(s: &Socket) -> Result<Py> {
    let b = s.getsockopt_bytes(SOL_SOCKET, SO_PEERCRED, 12)?;
    let w = |i: usize| i32::from_ne_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
    Ok(Py(format!("({}, {}, {})", (w(0) > 0).repr(), w(4), w(8))))
}

fn unix_stream() -> Socket {
    must("socket", socket(AF_UNIX, SOCK_STREAM, 0))
}

fn anc_shapes(anc: &[Ancillary]) -> String {
    let items: Vec<String> = anc
        .iter()
        .map(|a| match a {
            Ancillary::Raw { level, type_, data } => format!("({level}, {type_}, {})", data.len()),
            Ancillary::Rights(s) => format!("({SOL_SOCKET}, {SCM_RIGHTS}, {})", 4 * s.len()),
        })
        .collect();
    format!("[{}]", items.join(", "))
}

fn print_cmsgs(anc: &[Ancillary]) {
    let mut raw: Vec<(i32, i32, Vec<u8>)> = anc
        .iter()
        .filter_map(|a| match a {
            Ancillary::Raw { level, type_, data } => Some((*level, *type_, data.clone())),
            Ancillary::Rights(_) => None,
        })
        .collect();
    raw.sort();
    for (l, t, d) in raw {
        let hex: String = d.iter().map(|b| format!("{b:02x}")).collect();
        println!("cmsg {l} {t} {hex}");
    }
}

fn main() {
    let tag = std::env::args().nth(1).unwrap_or_default();

    // -- socketpair, every type
    for (t, tn) in [
        (SOCK_STREAM, "stream"),
        (SOCK_DGRAM, "dgram"),
        (SOCK_SEQPACKET, "seqpacket"),
    ] {
        let (a, b) = must("socketpair", socketpair(AF_UNIX, t, 0));
        show(&format!("pair-{tn}-family"), || {
            Ok((a.family() == AF_UNIX, a.type_() == t))
        });
        show(&format!("pair-{tn}-names"), || {
            Ok((a.getsockname()?, a.getpeername()?))
        });
        show(&format!("pair-{tn}-send"), || a.send(b"hello"));
        show(&format!("pair-{tn}-recvfrom"), || b.recvfrom(100));
        show(&format!("pair-{tn}-peercred"), || peercred(&b));
    }

    let (a, b) = must("socketpair", socketpair(AF_UNIX, SOCK_SEQPACKET, 0));
    must("send", a.send(b"one"));
    must("send", a.send(b"two!"));
    show("seqpacket-boundary", || Ok((b.recv(100)?, b.recv(100)?)));
    must("send", a.send(b"truncated"));
    show("seqpacket-trunc", || {
        let (d, _, f, _) = b.recvmsg(3, 0, 0)?;
        Ok((d, f))
    });
    a.close();
    show("seqpacket-eof", || b.recv(100));
    b.close();

    // -- makefile modes
    {
        use std::io::{BufRead, Write};
        let (a, b) = must("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0));
        let mut wf = must("makefile", a.makefile("wb", None));
        show("makefile-write", || {
            wf.write(b"line1\nline2\n")
                .map_err(|e| Error::new(ErrorKind::OSError, e.to_string()))
        });
        show("makefile-buffered", || b.recv_flags(100, MSG_DONTWAIT));
        show("makefile-flush", || {
            wf.flush()
                .map_err(|e| Error::new(ErrorKind::OSError, e.to_string()))
        });
        let mut rf = must("makefile", b.makefile("rb", None));
        show("makefile-readline", || {
            let (mut l1, mut l2) = (Vec::new(), Vec::new());
            let e = |e: std::io::Error| Error::new(ErrorKind::OSError, e.to_string());
            rf.read_until(b'\n', &mut l1).map_err(e)?;
            rf.read_until(b'\n', &mut l2).map_err(e)?;
            Ok((l1, l2))
        });
        let mut uf = must("makefile", a.makefile("wb", Some(0)));
        show("makefile-unbuffered", || {
            let n = uf
                .write(b"now")
                .map_err(|e| Error::new(ErrorKind::OSError, e.to_string()))?;
            Ok((n, b.recv(100)?))
        });
        for mode in ["x", "rwx"] {
            if let Err(e) = a.makefile(mode, None) {
                println!("makefile-bad-mode: {e}");
            }
        }
        if let Err(e) = a.makefile("w", Some(0)) {
            println!("makefile-text-unbuffered: {e}");
        }
        let mut wf2 = must("makefile", a.makefile("wb", None));
        must(
            "write",
            wf2.write_all(b"closed")
                .map_err(|e| Error::new(ErrorKind::OSError, e.to_string())),
        );
        drop(wf2);
        show("makefile-close-flushes", || b.recv(100));
        drop((wf, rf, uf));
    }

    // -- detach / fromfd / socket(fileno=)
    let (a, b) = must("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0));
    let fd = a.detach();
    show("detach", || Ok((fd >= 0, -1)));
    let c = must("fromfd", fromfd(fd, AF_UNIX, SOCK_STREAM, 0));
    show("fromfd", || {
        Ok(Py(format!(
            "({}, {}, {})",
            c.send(b"dup")?,
            b.recv(10)?.repr(),
            (c.family() == AF_UNIX).repr()
        )))
    });
    let d = must("from_fileno", Socket::from_fileno(fd));
    show("fileno-adopt", || {
        Ok(Py(format!(
            "({}, {}, {}, {})",
            d.send(b"orig")?,
            b.recv(10)?.repr(),
            (d.family() == AF_UNIX).repr(),
            (d.type_() == SOCK_STREAM).repr()
        )))
    });
    drop((b, c, d));
    show("fromfd-closed", || {
        fromfd(fd, AF_UNIX, SOCK_STREAM, 0).map(|_| ())
    });

    // -- filesystem paths, relative to the granted directory
    let srv = unix_stream();
    show("unbound-name", || srv.getsockname());
    show("bind", || srv.bind("sock"));
    show("bound-name", || srv.getsockname());
    show("listen", || srv.listen_default());
    let cli = unix_stream();
    show("connect", || cli.connect("sock"));
    show("client-peer", || cli.getpeername());
    show("client-name", || cli.getsockname());
    let (conn, addr) = must("accept", srv.accept());
    show("accept-addr", || Ok(addr.clone()));
    show("accepted-names", || {
        Ok((conn.getsockname()?, conn.getpeername()?))
    });
    show("stream-echo", || {
        cli.sendall(b"ping")?;
        Ok(((), conn.recv(10)?))
    });
    show("peercred", || peercred(&conn));
    show("bind-in-use", || unix_stream().bind("sock"));
    show("bind-dir", || unix_stream().bind("sub"));
    show("bind-missing-dir", || unix_stream().bind("nodir/s"));
    let s2 = unix_stream();
    show("bind-sub", || Ok((s2.bind("sub/s2")?, s2.getsockname()?)));
    show("connect-missing", || unix_stream().connect("missing"));
    show("connect-plain-file", || unix_stream().connect("plain"));
    show("connect-dir", || unix_stream().connect("sub"));
    show("connect-not-listening", || unix_stream().connect("sub/s2"));
    show("path-too-long", || {
        unix_stream().bind("x".repeat(108).as_str())
    });
    show("path-107", || {
        unix_stream().connect("y".repeat(107).as_str())
    });
    let dd = unix_stream();
    show("dot-dot-inside", || {
        Ok((dd.connect("sub/../sock")?, dd.getpeername()?))
    });
    drop((cli, conn, srv, s2, dd));

    // -- datagrams: named, autobound, unnamed senders
    let dgram = || must("socket", socket(AF_UNIX, SOCK_DGRAM, 0));
    let d = dgram();
    show("dgram-bind", || d.bind("dg"));
    let u = dgram();
    show("autobind", || u.bind(""));
    let name = must("getsockname", u.getsockname());
    show("autobind-shape", || {
        let Address::Unix(n) = &name else {
            return Ok(Py("not unix".into()));
        };
        Ok(Py(format!(
            "('bytes', {}, {})",
            n.len(),
            n[..1].to_vec().repr()
        )))
    });
    show("dgram-sendto", || u.sendto(b"from-auto", "dg"));
    show("dgram-recvfrom-auto", || {
        let (data, from) = d.recvfrom(100)?;
        Ok((data, from == name))
    });
    let v = dgram();
    show("dgram-sendto-unnamed", || v.sendto(b"anon", "dg"));
    show("dgram-recvfrom-unnamed", || d.recvfrom(100));
    let w = dgram();
    must("bind", w.bind("dg2"));
    show("dgram-sendto-named", || w.sendto(b"named", "dg"));
    show("dgram-recvfrom-named", || d.recvfrom(100));
    show("dgram-recvmsg-named", || {
        let n = w.sendto(b"m", "dg")?;
        let (data, anc, f, from) = d.recvmsg(100, 0, 0)?;
        Ok(Py(format!(
            "({n}, ({}, {}, {f}, {}))",
            data.repr(),
            anc_shapes(&anc),
            from.repr()
        )))
    });
    show("dgram-connect", || Ok((v.connect("dg")?, v.getpeername()?)));
    show("dgram-sendto-missing", || v.sendto(b"x", "nothing"));
    drop((d, u, v, w));

    // -- abstract names
    let ab = unix_stream();
    let mut aname = vec![0u8];
    aname.extend_from_slice(tag.as_bytes());
    aname.extend_from_slice(b"-abs");
    show("abstract-bind", || ab.bind(aname.as_slice()));
    show("abstract-name", || ab.getsockname());
    must("listen", ab.listen_default());
    let ac = unix_stream();
    show("abstract-connect", || ac.connect(aname.as_slice()));
    show("abstract-peer", || ac.getpeername());
    show("abstract-in-use", || unix_stream().bind(aname.as_slice()));
    let mut none = vec![0u8];
    none.extend_from_slice(tag.as_bytes());
    none.extend_from_slice(b"-none");
    show("abstract-missing", || {
        unix_stream().connect(none.as_slice())
    });
    let mut long = vec![0u8];
    long.extend_from_slice(&[b'z'; 108]);
    show("abstract-too-long", || unix_stream().bind(long.as_slice()));
    drop((ac, ab));

    // -- sendmsg / recvmsg
    show("cmsg-len", || {
        Ok(Py(format!(
            "({}, {}, {}, {}, {}, {})",
            CMSG_LEN(0),
            CMSG_LEN(4),
            CMSG_LEN(12),
            CMSG_SPACE(4),
            CMSG_SPACE(12),
            CMSG_SPACE(20)
        )))
    });
    let (a, b) = must("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0));
    show("sendmsg-buffers", || {
        a.sendmsg(&[b"ab", b"", b"cde"], &[], 0, None)
    });
    show("recvmsg", || {
        let (data, anc, f, from) = b.recvmsg(100, 0, 0)?;
        Ok(Py(format!(
            "({}, {}, {f}, {})",
            data.repr(),
            anc_shapes(&anc),
            from.repr()
        )))
    });
    must("sendall", a.sendall(b"0123456789"));
    let (mut buf1, mut buf2) = ([0u8; 4], [0u8; 3]);
    show("recvmsg-into", || {
        let (n, anc, f, from) = b.recvmsg_into(&mut [&mut buf1[..], &mut buf2[..]], 0, 0)?;
        Ok(Py(format!(
            "({n}, {}, {f}, {})",
            anc_shapes(&anc),
            from.repr()
        )))
    });
    show("recvmsg-into-bufs", || {
        Ok(Py(format!(
            "({}, {}, {})",
            buf1.to_vec().repr(),
            buf2.to_vec().repr(),
            b.recv(10)?.repr()
        )))
    });
    let (p1, p2) = must("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0));
    show("send-fds", || send_fds(&a, &[b"fd"], &[&p1], 0, None));
    let (msg, fds, flags, addr) = must("recv_fds", recv_fds(&b, 100, 4, 0));
    show("recv-fds", || {
        Ok(Py(format!(
            "({}, {}, {flags}, {})",
            msg.repr(),
            fds.len(),
            addr.repr()
        )))
    });
    let r = fds.into_iter().next();
    show("passed-socket-works", || {
        let r = r
            .as_ref()
            .ok_or_else(|| Error::new(ErrorKind::ValueError, "no socket received"))?;
        Ok((r.send(b"via-passed")?, p2.recv(100)?))
    });
    show("passed-socket-kind", || {
        let r = r
            .as_ref()
            .ok_or_else(|| Error::new(ErrorKind::ValueError, "no socket received"))?;
        Ok((r.family() == AF_UNIX, r.type_() == SOCK_STREAM))
    });
    drop(r);
    show("send-two-fds", || {
        send_fds(&a, &[b"2"], &[&p1, &p2], 0, None)
    });
    show("rights-truncated", || {
        let (msg, anc, flags, _) = b.recvmsg(100, CMSG_LEN(4), 0)?;
        Ok(Py(format!(
            "({}, {}, {flags})",
            msg.repr(),
            anc_shapes(&anc)
        )))
    });
    show("send-fds-none-room", || {
        send_fds(&a, &[b"3"], &[&p1], 0, None)
    });
    show("rights-no-room", || {
        let (_, anc, flags, _) = b.recvmsg(100, 0, 0)?;
        Ok(Py(format!("({}, {flags})", anc_shapes(&anc))))
    });
    must("setsockopt", b.setsockopt(SOL_SOCKET, SO_PASSCRED, 1));
    show("passcred", || b.getsockopt(SOL_SOCKET, SO_PASSCRED));
    must("send", a.send(b"cred"));
    show("credentials", || {
        let (msg, anc, flags, _) = b.recvmsg(100, CMSG_SPACE(12), 0)?;
        let items: Vec<String> = anc
            .iter()
            .map(|c| match c {
                Ancillary::Raw { level, type_, data } => {
                    let w = |i: usize| {
                        i32::from_ne_bytes([data[i], data[i + 1], data[i + 2], data[i + 3]])
                    };
                    format!("({level}, {type_}, {}, [{}, {}])", data.len(), w(4), w(8))
                }
                Ancillary::Rights(_) => "rights".into(),
            })
            .collect();
        Ok(Py(format!(
            "({}, [{}], {flags})",
            msg.repr(),
            items.join(", ")
        )))
    });
    let mut f = std::io::Cursor::new((0..80).flat_map(|_| 0..=255u8).collect::<Vec<u8>>());
    show("sendfile", || a.sendfile(&mut f, 100, Some(9000)));
    show("sendfile-position", || Ok(f.position()));
    let mut got = Vec::new();
    while got.len() < 9000 {
        got.extend(must("recv", b.recv(65536)));
    }
    show("sendfile-data", || {
        Ok(Py(format!(
            "({}, {}, {})",
            got.len(),
            got[..3].to_vec().repr(),
            got[got.len() - 3..].to_vec().repr()
        )))
    });
    show("sendfile-rest", || {
        Ok((a.sendfile(&mut f, 0, None)?, f.position()))
    });
    let mut rest = Vec::new();
    while rest.len() < 11380 {
        rest.extend(must("recv", b.recv(65536)));
    }
    show("sendfile-rest-len", || Ok(rest.len()));
    if let Err(e) = a.sendfile(&mut f, 0, Some(0)) {
        println!("sendfile-count-0-error: {e}");
    }
    let (dg1, dg2) = must("socketpair", socketpair(AF_UNIX, SOCK_DGRAM, 0));
    if let Err(e) = dg1.sendfile(&mut f, 0, None) {
        println!("sendfile-dgram-error: {e}");
    }
    drop((a, b, p1, p2, dg1, dg2));

    // -- ancillary data over UDP on loopback
    let rx = must("socket", socket(AF_INET, SOCK_DGRAM, 0));
    must("bind", rx.bind(("127.0.0.1", 0)));
    let port = must("getsockname", rx.getsockname()).port().unwrap_or(0);
    let tx = must("socket", socket(AF_INET, SOCK_DGRAM, 0));
    must("pktinfo", rx.setsockopt(IPPROTO_IP, IP_PKTINFO, 1));
    must("recvttl", rx.setsockopt(IPPROTO_IP, IP_RECVTTL, 1));
    must("recvtos", rx.setsockopt(IPPROTO_IP, IP_RECVTOS, 1));
    show("sendmsg-tos", || {
        let tos = Ancillary::Raw {
            level: IPPROTO_IP,
            type_: IP_TOS,
            data: vec![0x10],
        };
        tx.sendmsg(&[b"udp"], &[tos], 0, Some(("127.0.0.1", port).into()))
    });
    let (msg, anc, flags, addr) = must("recvmsg", rx.recvmsg(100, 1024, 0));
    show("udp-recvmsg", || {
        Ok(Py(format!(
            "({}, {flags}, {})",
            msg.repr(),
            addr.host().unwrap_or("").to_string().repr()
        )))
    });
    print_cmsgs(&anc);
    show("udp-trunc", || {
        let n = tx.sendto(b"long datagram", ("127.0.0.1", port))?;
        let (d, anc, f, _) = rx.recvmsg(4, 0, 0)?;
        Ok(Py(format!(
            "({n}, ({}, {}, {f}))",
            d.repr(),
            anc_shapes(&anc)
        )))
    });
    must("timestamp", rx.setsockopt(SOL_SOCKET, 29, 1));
    must("sendto", tx.sendto(b"t", ("127.0.0.1", port)));
    let (_, anc, _, _) = must("recvmsg", rx.recvmsg(100, 1024, 0));
    show("timestamp", || {
        let only: Vec<Ancillary> = anc
            .into_iter()
            .filter(|a| matches!(a, Ancillary::Raw { level, .. } if *level == SOL_SOCKET))
            .collect();
        Ok(Py(anc_shapes(&only)))
    });
    must("timestamp", rx.setsockopt(SOL_SOCKET, 29, 0));
    must("timestampns", rx.setsockopt(SOL_SOCKET, SO_TIMESTAMPNS, 1));
    must("sendto", tx.sendto(b"t", ("127.0.0.1", port)));
    let (_, anc, _, _) = must("recvmsg", rx.recvmsg(100, 1024, 0));
    show("timestampns", || {
        let only: Vec<Ancillary> = anc
            .into_iter()
            .filter(|a| matches!(a, Ancillary::Raw { level, .. } if *level == SOL_SOCKET))
            .collect();
        Ok(Py(anc_shapes(&only)))
    });
    let seg = || Ancillary::Raw {
        level: SOL_UDP,
        type_: 103,
        data: 2u16.to_ne_bytes().to_vec(),
    };
    show("udp-segment", || {
        tx.sendmsg(&[b"abcdef"], &[seg()], 0, Some(("127.0.0.1", port).into()))
    });
    show("udp-segments", || {
        let v: Vec<String> = (0..3)
            .map(|_| rx.recv(10).map(|d| d.repr()))
            .collect::<Result<_>>()?;
        Ok(Py(format!("[{}]", v.join(", "))))
    });
    must("gro", rx.setsockopt(SOL_UDP, 104, 1));
    show("udp-gro-send", || {
        tx.sendmsg(&[b"abcdef"], &[seg()], 0, Some(("127.0.0.1", port).into()))
    });
    let (msg, anc, _, _) = must("recvmsg", rx.recvmsg(100, 1024, 0));
    show("udp-gro", || Ok(msg.clone()));
    let udp: Vec<Ancillary> = anc
        .into_iter()
        .filter(|a| matches!(a, Ancillary::Raw { level, .. } if *level == SOL_UDP))
        .collect();
    print_cmsgs(&udp);
    drop((rx, tx));
    let e = must("socket", socket(AF_INET, SOCK_DGRAM, 0));
    must("recverr", e.setsockopt(IPPROTO_IP, 11, 1));
    let closed = must("socket", socket(AF_INET, SOCK_DGRAM, 0));
    must("bind", closed.bind(("127.0.0.1", 0)));
    let cport = must("getsockname", closed.getsockname())
        .port()
        .unwrap_or(0);
    drop(closed);
    show("errqueue-send", || e.sendto(b"lost", ("127.0.0.1", cport)));
    let (msg, anc, flags, addr) = must("recvmsg", e.recvmsg(100, 1024, MSG_ERRQUEUE));
    show("errqueue", || {
        Ok(Py(format!(
            "({}, {flags}, {})",
            msg.repr(),
            addr.host().unwrap_or("").to_string().repr()
        )))
    });
    print_cmsgs(&anc);
    show("errqueue-empty", || {
        e.recvmsg(100, 1024, MSG_ERRQUEUE).map(|_| Py("?".into()))
    });
    drop(e);
    let r6 = must("socket", socket(AF_INET6, SOCK_DGRAM, 0));
    must("bind", r6.bind(("::1", 0)));
    let p6 = must("getsockname", r6.getsockname()).port().unwrap_or(0);
    must(
        "recvpktinfo",
        r6.setsockopt(IPPROTO_IPV6, IPV6_RECVPKTINFO, 1),
    );
    must(
        "recvhoplimit",
        r6.setsockopt(IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1),
    );
    must(
        "recvtclass",
        r6.setsockopt(IPPROTO_IPV6, IPV6_RECVTCLASS, 1),
    );
    let t6 = must("socket", socket(AF_INET6, SOCK_DGRAM, 0));
    show("sendmsg-tclass", || {
        let tc = Ancillary::Raw {
            level: IPPROTO_IPV6,
            type_: IPV6_TCLASS,
            data: 0x20i32.to_ne_bytes().to_vec(),
        };
        t6.sendmsg(&[b"tc"], &[tc], 0, Some(("::1", p6, 0, 0).into()))
    });
    let (msg, anc, _, _) = must("recvmsg", r6.recvmsg(100, 1024, 0));
    show("udp6-tclass", || Ok(msg.clone()));
    print_cmsgs(&anc);
    show("sendmsg-hoplimit", || {
        let hl = Ancillary::Raw {
            level: IPPROTO_IPV6,
            type_: IPV6_HOPLIMIT,
            data: 7i32.to_ne_bytes().to_vec(),
        };
        t6.sendmsg(&[b"v6"], &[hl], 0, Some(("::1", p6, 0, 0).into()))
    });
    let (msg, anc, flags, addr) = must("recvmsg", r6.recvmsg(100, 1024, 0));
    show("udp6-recvmsg", || {
        Ok(Py(format!(
            "({}, {flags}, {})",
            msg.repr(),
            addr.host().unwrap_or("").to_string().repr()
        )))
    });
    print_cmsgs(&anc);
    println!("done");
}
