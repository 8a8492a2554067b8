//! The benchmark client over Rust's `std::net`. Compiled natively it is
//! the "native Rust" variant; compiled for wasm32-wasip2 it is the
//! "wasi:sockets guest" variant. `bench/client.py` (CPython) and
//! `bench/guests/src/bin/bench_wasock.rs` do the same work.
//!
//! Arguments: WORKLOAD HOST PORT N SIZE; returns the workload's result
//! (see `bench/client.py` for the definitions).

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream, UdpSocket};
use std::time::{Duration, Instant};

/// A stream to the server: TCP, or AF_UNIX when `host` is a path ending in
/// `.sock` (native only: wasi:sockets has no AF_UNIX).
enum Conn {
    Tcp(TcpStream),
    #[cfg(unix)]
    Unix(std::os::unix::net::UnixStream),
}

impl Conn {
    fn connect(host: &str, port: u16, nodelay: bool) -> std::io::Result<Conn> {
        if host.ends_with(".sock") {
            #[cfg(unix)]
            return std::os::unix::net::UnixStream::connect(host).map(Conn::Unix);
            #[cfg(not(unix))]
            return Err(std::io::ErrorKind::Unsupported.into());
        }
        let s = TcpStream::connect((host, port))?;
        if nodelay {
            let _ = s.set_nodelay(true); // unsupported over wasi:sockets
        }
        Ok(Conn::Tcp(s))
    }

    fn shutdown_write(&self) -> std::io::Result<()> {
        match self {
            Conn::Tcp(s) => s.shutdown(Shutdown::Write),
            #[cfg(unix)]
            Conn::Unix(s) => s.shutdown(Shutdown::Write),
        }
    }
}

impl Read for Conn {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Conn::Tcp(s) => s.read(buf),
            #[cfg(unix)]
            Conn::Unix(s) => s.read(buf),
        }
    }
}

impl Write for Conn {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Conn::Tcp(s) => s.write(buf),
            #[cfg(unix)]
            Conn::Unix(s) => s.write(buf),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Runs one workload; the error is a message.
pub fn run(args: &[String]) -> Result<f64, String> {
    let [workload, host, port, n, size] = args else {
        return Err("usage: WORKLOAD HOST PORT N SIZE".into());
    };
    let port: u16 = port.parse().map_err(|e| format!("port: {e}"))?;
    let n: u64 = n.parse().map_err(|e| format!("n: {e}"))?;
    let size: usize = size.parse().map_err(|e| format!("size: {e}"))?;
    let addr = (host.as_str(), port);
    let e = |e: std::io::Error| e.to_string();
    match workload.as_str() {
        "pingpong" => {
            let mut s = Conn::connect(host, port, true).map_err(e)?;
            let out = vec![b'x'; size];
            let mut back = vec![0u8; size];
            let t = Instant::now();
            for _ in 0..n {
                s.write_all(&out).map_err(e)?;
                s.read_exact(&mut back).map_err(e)?;
            }
            Ok(t.elapsed().as_secs_f64() / n as f64 * 1e6)
        }
        "bulk-up" => {
            let mut s = Conn::connect(host, port, false).map_err(e)?;
            let chunk = vec![b'x'; size];
            let t = Instant::now();
            let mut left = n as usize;
            while left > 0 {
                let k = left.min(size);
                s.write_all(&chunk[..k]).map_err(e)?;
                left -= k;
            }
            s.shutdown_write().map_err(e)?;
            let mut ack = [0u8; 1];
            s.read_exact(&mut ack).map_err(e)?;
            Ok(n as f64 / (1 << 20) as f64 / t.elapsed().as_secs_f64())
        }
        "bulk-down" => {
            let mut s = Conn::connect(host, port, false).map_err(e)?;
            let mut buf = vec![0u8; size];
            let t = Instant::now();
            s.write_all(&n.to_be_bytes()).map_err(e)?;
            let mut got = 0u64;
            while got < n {
                let k = s.read(&mut buf).map_err(e)?;
                if k == 0 {
                    return Err("early EOF".into());
                }
                got += k as u64;
            }
            Ok(n as f64 / (1 << 20) as f64 / t.elapsed().as_secs_f64())
        }
        "connect" => {
            let t = Instant::now();
            for _ in 0..n {
                drop(TcpStream::connect(addr).map_err(e)?);
            }
            Ok(n as f64 / t.elapsed().as_secs_f64())
        }
        "udp" => {
            let local = if host.contains(':') {
                "[::]:0"
            } else {
                "0.0.0.0:0"
            };
            let s = UdpSocket::bind(local).map_err(e)?;
            s.connect(addr).map_err(e)?;
            let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
            let out = vec![b'x'; size];
            let mut back = vec![0u8; 65536];
            let t = Instant::now();
            for _ in 0..n {
                s.send(&out).map_err(e)?;
                let _ = s.recv(&mut back); // a lost datagram times out and counts
            }
            Ok(n as f64 / t.elapsed().as_secs_f64())
        }
        #[cfg(unix)]
        "udp-pktinfo" => pktinfo::run(host, port, n, size).map_err(e),
        other => Err(format!("unknown workload {other}")),
    }
}

/// The `udp-pktinfo` workload natively: what CPython's `recvmsg` with
/// IP_PKTINFO does, with libc (std has neither the option nor recvmsg).
#[cfg(unix)]
pub(crate) mod pktinfo {
    use std::net::{Ipv4Addr, UdpSocket};
    use std::os::fd::{AsRawFd, RawFd};
    use std::time::{Duration, Instant};

    /// setsockopt(IPPROTO_IP, IP_PKTINFO, 1).
    pub(crate) fn enable(fd: RawFd) -> std::io::Result<()> {
        let on: libc::c_int = 1;
        // SAFETY: a valid descriptor and a c_int option value.
        let r = unsafe {
            libc::setsockopt(
                fd,
                libc::IPPROTO_IP,
                libc::IP_PKTINFO,
                (&on as *const libc::c_int).cast(),
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            )
        };
        if r != 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(())
    }

    /// One recvmsg(2) into `back`; the datagram's destination address
    /// (network byte order) from its IP_PKTINFO message, if it had one.
    pub(crate) fn recv(fd: RawFd, back: &mut [u8]) -> std::io::Result<Option<u32>> {
        // u64s: CMSG_SPACE(sizeof(in_pktinfo)) bytes, aligned for cmsghdr.
        let mut control = [0u64; 8];
        let mut iov = libc::iovec {
            iov_base: back.as_mut_ptr().cast(),
            iov_len: back.len(),
        };
        // SAFETY: zeroed msghdr is valid; the pointers below outlive
        // the call.
        let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control.as_mut_ptr().cast();
        msg.msg_controllen = std::mem::size_of_val(&control);
        // SAFETY: msg describes live buffers of the stated sizes.
        let got = unsafe { libc::recvmsg(fd, &mut msg, 0) };
        if got < 0 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: the kernel filled msg's control buffer; CMSG_* walk
        // it within msg_controllen.
        Ok(unsafe {
            let c = libc::CMSG_FIRSTHDR(&msg);
            if c.is_null()
                || (*c).cmsg_level != libc::IPPROTO_IP
                || (*c).cmsg_type != libc::IP_PKTINFO
            {
                None
            } else {
                let info = libc::CMSG_DATA(c)
                    .cast::<libc::in_pktinfo>()
                    .read_unaligned();
                Some(info.ipi_addr.s_addr)
            }
        })
    }

    pub fn run(host: &str, port: u16, n: u64, size: usize) -> std::io::Result<f64> {
        let ip: Ipv4Addr = host
            .parse()
            .map_err(|_| std::io::Error::other("an IPv4 host"))?;
        let s = UdpSocket::bind("0.0.0.0:0")?;
        s.set_read_timeout(Some(Duration::from_secs(2)))?;
        let fd = s.as_raw_fd();
        enable(fd)?;
        let out = vec![b'x'; size];
        let mut back = vec![0u8; 65536];
        let want = u32::from(ip).to_be();
        let mut lost = 0;
        let t = Instant::now();
        for _ in 0..n {
            s.send_to(&out, (ip, port))?;
            let dst = match recv(fd, &mut back) {
                Ok(dst) => dst,
                Err(err) if err.kind() == std::io::ErrorKind::WouldBlock => {
                    lost += 1;
                    continue;
                }
                Err(err) => return Err(err),
            };
            if dst != Some(want) {
                return Err(std::io::Error::other("no IP_PKTINFO"));
            }
        }
        if lost > 0 {
            eprintln!("udp-pktinfo: {lost} of {n} datagrams lost");
        }
        Ok(n as f64 / t.elapsed().as_secs_f64())
    }
}
