//! The guest side of tests/python/edges.py: the same steps, printed the
//! same way. Usage: edges 4|6
use std::io::{BufRead, Read, Write};
use std::thread::sleep;
use std::time::Duration;
use wasock::*;
use wasock_test_guests::{must, show, Repr};

/// A `str` printed as Python's `repr()` prints it.
struct Text(String);

impl Repr for Text {
    fn repr(&self) -> String {
        let mut s = String::from("'");
        for c in self.0.chars() {
            match c {
                '\n' => s.push_str("\\n"),
                '\\' => s.push_str("\\\\"),
                '\'' => s.push_str("\\'"),
                c => s.push(c),
            }
        }
        s.push('\'');
        s
    }
}

/// Python's `f.read(10)` on a socket file, for the steps that fail.
fn read10(file: &mut SocketFile<'_>) -> wasock::Result<Vec<u8>> {
    let mut b = [0; 10];
    let n = file.read(&mut b)?;
    Ok(b[..n].to_vec())
}

fn main() {
    let v6 = std::env::args().nth(1).as_deref() == Some("6");
    let f = if v6 { AF_INET6 } else { AF_INET };
    let h = if v6 { "::1" } else { "127.0.0.1" };
    let pause = || sleep(Duration::from_millis(50));

    let listener = must("socket", socket(f, SOCK_STREAM, 0));
    must("bind", listener.bind((h, 0)));
    must("listen", listener.listen_default());
    let client = must("socket", socket(f, SOCK_STREAM, 0));
    must(
        "connect",
        client.connect(must("name", listener.getsockname())),
    );
    let (conn, _) = must("accept", listener.accept());

    show("recv0", || conn.recv(0));
    show("recv0-waitall", || conn.recv_flags(0, MSG_WAITALL));
    show("recv-into-empty", || conn.recv_into(&mut [], 0, 0));
    show("recv-into-empty-nbytes0", || conn.recv_into(&mut [], 0, 0));
    must("settimeout", conn.settimeout(Some(30.0)));
    show("recv0-timeout-mode", || conn.recv(0));
    must("setblocking", conn.setblocking(false));
    show("recv0-nonblocking", || conn.recv(0));
    must("setblocking", conn.setblocking(true));
    let unconnected = must("socket", socket(f, SOCK_STREAM, 0));
    show("recv0-unconnected", || unconnected.recv(0));
    unconnected.close();
    must("send", client.send(b"abc"));
    pause();
    show("recv0-data-pending", || conn.recv(0));
    show("recvfrom0-data-pending", || conn.recvfrom(0));
    show("recvfrom-into-empty-data-pending", || {
        conn.recvfrom_into(&mut [], 0, 0)
    });
    show("recv-after-zero-length", || conn.recv(10));

    let u1 = must("socket", socket(f, SOCK_DGRAM, 0));
    must("bind", u1.bind((h, 0)));
    let u2 = must("socket", socket(f, SOCK_DGRAM, 0));
    must("bind", u2.bind((h, 0)));
    let to = must("name", u1.getsockname());
    let from = must("name", u2.getsockname());
    show("udp-recv0-empty-queue", || u1.recv(0));
    show("udp-recv-into-empty-queue", || u1.recv_into(&mut [], 0, 0));
    must("sendto", u2.sendto(b"first", to.clone()));
    must("sendto", u2.sendto(b"second", to.clone()));
    pause();
    show("udp-recv0-leaves-datagram", || u1.recv(0));
    show("udp-recv-into-empty-leaves-datagram", || {
        u1.recv_into(&mut [], 0, 0)
    });
    show("udp-recv-first", || u1.recv(100));
    show("udp-recvfrom0-consumes", || {
        let (d, a) = u1.recvfrom(0)?;
        Ok((d, a == from))
    });
    must("sendto", u2.sendto(b"third", to.clone()));
    must("sendto", u2.sendto(b"fourth", to.clone()));
    pause();
    show("udp-recvfrom-into-empty-consumes", || {
        let (n, a) = u1.recvfrom_into(&mut [], 0, 0)?;
        Ok((n, a == from))
    });
    show("udp-recv-fourth", || u1.recv(100));

    show("getsockopt-unknown-level", || conn.getsockopt(12345, 1));
    show("getsockopt-unknown-level-bytes", || {
        conn.getsockopt_bytes(12345, 1, 16)
    });
    show("getsockopt-negative-level", || conn.getsockopt(-1, 1));
    show("setsockopt-unknown-level", || conn.setsockopt(12345, 1, 1));
    show("getsockopt-unknown-option", || {
        conn.getsockopt(SOL_SOCKET, 9999)
    });
    show("setsockopt-unknown-option", || {
        conn.setsockopt(SOL_SOCKET, 9999, 1)
    });
    show("getsockopt-tcp-level-on-udp", || {
        u1.getsockopt(IPPROTO_TCP, TCP_NODELAY)
    });
    show("getsockopt-unknown-level-udp", || u1.getsockopt(12345, 1));
    show("socketpair-ip", || {
        socketpair(f, SOCK_STREAM, 0).map(|_| ())
    });
    show("socketpair-ip-dgram", || {
        socketpair(f, SOCK_DGRAM, 0).map(|_| ())
    });
    show("socketpair-ip-bad-protocol", || {
        socketpair(f, SOCK_STREAM, IPPROTO_UDP).map(|_| ())
    });
    show("socketpair-ip-bad-type", || {
        socketpair(f, SOCK_SEQPACKET, 0).map(|_| ())
    });
    u1.close();
    u2.close();

    show("recv-into-nbytes-too-big", || {
        conn.recv_into(&mut [0; 3], 5, 0)
    });
    show("recvfrom-into-nbytes-too-big", || {
        conn.recvfrom_into(&mut [0; 3], 5, 0).map(|(n, _)| n)
    });

    show("makefile-bad-mode", || conn.makefile("x", None).map(|_| ()));
    show("makefile-unbuffered-text", || {
        conn.makefile("r", Some(0)).map(|_| ())
    });
    let mut w = must("makefile", conn.makefile("wb", None));
    show("makefile-wb-read", || {
        let mut b = [0; 1];
        let n = w.read(&mut b)?;
        Ok(b[..n].to_vec())
    });
    let mut r = must("makefile", client.makefile("rb", None));
    show("makefile-rb-write", || Ok(r.write(b"x")?));
    show("makefile-wb-write-buffered", || Ok(w.write(b"buffered\n")?));
    show("makefile-before-flush", || {
        client.recv_flags(100, MSG_DONTWAIT)
    });
    show("makefile-flush", || Ok(w.flush()?));
    show("makefile-readline", || {
        let mut line = Vec::new();
        r.read_until(b'\n', &mut line)?;
        Ok(line)
    });
    drop(w);
    let mut wu = must("makefile", conn.makefile("wb", Some(0)));
    show("makefile-unbuffered-write", || Ok(wu.write(b"now\n")?));
    pause();
    show("makefile-unbuffered-arrived", || {
        client.recv_flags(100, MSG_DONTWAIT)
    });
    drop(wu);
    must("settimeout", conn.settimeout(Some(0.1)));
    let mut file = must("makefile", conn.makefile("rb", None));
    show("makefile-read-timeout", || read10(&mut file));
    show("makefile-read-after-timeout", || read10(&mut file));
    show("makefile-readline-after-timeout", || {
        let mut line = Vec::new();
        file.read_until(b'\n', &mut line)?;
        Ok(line)
    });
    must("send", client.send(b"line\n"));
    pause();
    show("makefile-new-file-reads", || {
        let mut line = Vec::new();
        conn.makefile("rb", None)?.read_until(b'\n', &mut line)?;
        Ok(line)
    });
    let mut t = must("makefile", client.makefile("rw", None));
    show("makefile-text-write", || {
        t.write_all(b"text\n")?;
        Ok(5usize)
    });
    show("makefile-text-flush", || Ok(t.flush()?));
    show("makefile-text-readline", || {
        let mut line = String::new();
        conn.makefile("r", None)?.read_line(&mut line)?;
        Ok(Text(line))
    });
    must("setdefaulttimeout", setdefaulttimeout(Some(2.5)));
    let at = must("name", listener.getsockname());
    show("create-connection-default-timeout", || {
        Ok(create_connection(at.clone(), None, None)?.gettimeout())
    });
    show("create-connection-blocking", || {
        Ok(create_connection(at.clone(), Timeout::Blocking, None)?.gettimeout())
    });
    show("create-connection-timeout", || {
        Ok(create_connection(at.clone(), 0.5, None)?.gettimeout())
    });
    must("setdefaulttimeout", setdefaulttimeout(None));
    println!("done");
}
