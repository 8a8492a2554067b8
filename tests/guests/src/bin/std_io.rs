//! `std::io` over wasock sockets (`impl Read/Write for &Socket`,
//! `SocketFile`): the `io::ErrorKind` of each socket error, as code built
//! on `Read`/`Write` sees it, and the Linux errno kept with it. Prints one
//! line per step; the host test (host/tests/e2e/std_io.rs) compares them
//! with the expected text. Usage: std_io 4|6
use std::io::{self, BufRead, BufReader, Read, Write};
use std::thread::sleep;
use std::time::Duration;
use wasock::*;
use wasock_test_guests::must;

/// `kind=<io::ErrorKind> errno=<Linux errno> <Display>` of an `io` result.
fn io_line<T: std::fmt::Debug>(r: io::Result<T>) -> String {
    match r {
        Ok(v) => format!("ok {v:?}"),
        Err(e) => format!("kind={:?} errno={:?} {e}", e.kind(), Error::io_errno(&e)),
    }
}

fn main() {
    let v6 = std::env::args().nth(1).as_deref() == Some("6");
    let f = if v6 { AF_INET6 } else { AF_INET };
    let h = if v6 { "::1" } else { "127.0.0.1" };
    let ms = |n| sleep(Duration::from_millis(n));

    let listener = must("socket", socket(f, SOCK_STREAM, 0));
    must("bind", listener.bind((h, 0)));
    must("listen", listener.listen(4));
    let addr = must("getsockname", listener.getsockname());
    let pair = || {
        let c = must("socket", socket(f, SOCK_STREAM, 0));
        must("connect", c.connect(&addr));
        let (s, _) = must("accept", listener.accept());
        (c, s)
    };

    // Non-blocking read with nothing to read: EAGAIN is WouldBlock.
    let (c, s) = pair();
    must("setblocking", s.setblocking(false));
    let mut buf = [0u8; 16];
    println!("nonblocking-read: {}", io_line((&s).read(&mut buf)));
    // The socket's own timeout: TimedOut, no errno.
    must("settimeout", s.settimeout(Some(0.1)));
    println!("timeout-read: {}", io_line((&s).read(&mut buf)));
    must("setblocking", s.setblocking(true));

    // read_exact across several sends, then at end of stream.
    for part in [&b"hel"[..], b"lo ", b"world"] {
        must("sendall", c.sendall(part));
        ms(20);
    }
    let mut exact = [0u8; 11];
    println!(
        "read-exact: {}",
        io_line(
            (&s).read_exact(&mut exact)
                .map(|_| String::from_utf8_lossy(&exact).into_owned())
        )
    );
    // BufReader lines over the raw socket.
    must("sendall", c.sendall(b"one\ntwo\n"));
    let mut lines = BufReader::new(&s);
    let mut line = String::new();
    println!(
        "bufreader-line-1: {}",
        io_line(lines.read_line(&mut line).map(|_| line.clone()))
    );
    line.clear();
    println!(
        "bufreader-line-2: {}",
        io_line(lines.read_line(&mut line).map(|_| line.clone()))
    );
    must("sendall", c.sendall(b"abc"));
    must("shutdown", c.shutdown(SHUT_WR));
    let mut short = [0u8; 8];
    println!("read-exact-eof: {}", io_line((&s).read_exact(&mut short)));
    // The file object: same kinds.
    let mut file = must("makefile", s.makefile("rb", Some(0)));
    println!("file-read-eof: {}", io_line(file.read(&mut buf)));
    drop(file);
    // Writing to a peer that has closed: EPIPE is BrokenPipe (after the
    // first send draws the peer's RST). Bounded: at most 20 writes.
    drop(c);
    ms(50);
    let mut last = String::from("no error");
    for _ in 0..20 {
        if let Err(e) = (&s).write_all(b"x") {
            last = io_line::<()>(Err(e));
            break;
        }
        ms(20);
    }
    println!("write-after-peer-closed: {last}");
    drop(s);

    // A reset: the peer closes with unread data (or SO_LINGER 0): the
    // reader sees ECONNRESET as ConnectionReset.
    let (c, s) = pair();
    must(
        "linger",
        s.setsockopt(SOL_SOCKET, SO_LINGER, &[1, 0, 0, 0, 0, 0, 0, 0][..]),
    );
    drop(s);
    ms(50);
    println!("reset-read: {}", io_line((&c).read(&mut buf)));
    drop(c);

    // Refused (not a Read/Write call, but the same conversion): the error
    // a `?` into io::Result gives.
    let dead = {
        let t = must("socket", socket(f, SOCK_STREAM, 0));
        must("bind", t.bind((h, 0)));
        must("getsockname", t.getsockname())
    };
    let r = socket(f, SOCK_STREAM, 0).and_then(|t| t.connect(&dead));
    println!("refused: {}", io_line(r.map_err(io::Error::from)));

    // Kinds std itself acts on: EINTR is retried by read_exact / write_all.
    let e = io::Error::from(Error::from_errno(4));
    println!("eintr: kind={:?} errno={:?}", e.kind(), Error::io_errno(&e));
    // A Read that fails once with EINTR, then gives data: read_exact
    // retries it as std does with Interrupted.
    struct Once<'a>(bool, &'a Socket);
    impl Read for Once<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            if !self.0 {
                self.0 = true;
                return Err(Error::from_errno(4).into());
            }
            self.1.read(out)
        }
    }
    let (c, s) = pair();
    must("sendall", c.sendall(b"data"));
    let mut four = [0u8; 4];
    println!(
        "read-exact-retries-eintr: {}",
        io_line(Once(false, &s).read_exact(&mut four).map(|_| four))
    );
    drop((c, s));

    // The standard library's own errors (WASI numbering) come back as
    // Linux errnos.
    let e = std::fs::File::open("/no/such/file").unwrap_err();
    let back = Error::from(e);
    println!(
        "std-fs-error: {} errno={:?}",
        back.kind().name(),
        back.errno()
    );
    println!("done");
}
