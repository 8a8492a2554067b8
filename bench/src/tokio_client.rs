//! The benchmark client over tokio: the "native Rust async" variant. The
//! same workloads as [`crate::std_client`], on the current-thread runtime
//! the wasock async rows use, so the two columns differ only by the guest:
//! both wait for readiness through tokio's reactor (epoll), where the
//! blocking clients wait inside the system call. It is the reference for
//! what an event-driven embedding can cost at best on this machine.
//!
//! Arguments: WORKLOAD HOST PORT N SIZE, as the other clients.

use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket, UnixStream};

/// How long a UDP receive waits before the datagram counts as lost (the
/// blocking clients' read timeout).
const UDP_WAIT: Duration = Duration::from_secs(2);

/// TCP, or AF_UNIX when `host` is a path ending in `.sock`.
async fn connect(host: &str, port: u16, nodelay: bool) -> std::io::Result<Box<dyn Stream>> {
    if host.ends_with(".sock") {
        return Ok(Box::new(UnixStream::connect(host).await?));
    }
    let s = TcpStream::connect((host, port)).await?;
    if nodelay {
        s.set_nodelay(true)?;
    }
    Ok(Box::new(s))
}

/// A connected stream of either family.
trait Stream: AsyncRead + AsyncWrite + Unpin {}
impl<T: AsyncRead + AsyncWrite + Unpin> Stream for T {}

/// Runs one workload on `rt`; the error is a message.
pub fn run(rt: &tokio::runtime::Runtime, args: &[String]) -> Result<f64, String> {
    let [workload, host, port, n, size] = args else {
        return Err("usage: WORKLOAD HOST PORT N SIZE".into());
    };
    let port: u16 = port.parse().map_err(|e| format!("port: {e}"))?;
    let n: u64 = n.parse().map_err(|e| format!("n: {e}"))?;
    let size: usize = size.parse().map_err(|e| format!("size: {e}"))?;
    rt.block_on(workload_async(workload, host, port, n, size))
        .map_err(|e| e.to_string())
}

async fn workload_async(
    workload: &str,
    host: &str,
    port: u16,
    n: u64,
    size: usize,
) -> std::io::Result<f64> {
    match workload {
        "pingpong" => {
            let mut s = connect(host, port, true).await?;
            let out = vec![b'x'; size];
            let mut back = vec![0u8; size];
            let t = Instant::now();
            for _ in 0..n {
                s.write_all(&out).await?;
                s.read_exact(&mut back).await?;
            }
            Ok(t.elapsed().as_secs_f64() / n as f64 * 1e6)
        }
        "bulk-up" => {
            let mut s = connect(host, port, false).await?;
            let chunk = vec![b'x'; size];
            let t = Instant::now();
            let mut left = n as usize;
            while left > 0 {
                let k = left.min(size);
                s.write_all(&chunk[..k]).await?;
                left -= k;
            }
            s.shutdown().await?;
            let mut ack = [0u8; 1];
            s.read_exact(&mut ack).await?;
            Ok(n as f64 / (1 << 20) as f64 / t.elapsed().as_secs_f64())
        }
        "bulk-down" => {
            let mut s = connect(host, port, false).await?;
            let mut buf = vec![0u8; size];
            let t = Instant::now();
            s.write_all(&n.to_be_bytes()).await?;
            let mut got = 0u64;
            while got < n {
                let k = s.read(&mut buf).await?;
                if k == 0 {
                    return Err(std::io::Error::other("early EOF"));
                }
                got += k as u64;
            }
            Ok(n as f64 / (1 << 20) as f64 / t.elapsed().as_secs_f64())
        }
        "connect" => {
            let t = Instant::now();
            for _ in 0..n {
                drop(TcpStream::connect((host, port)).await?);
            }
            Ok(n as f64 / t.elapsed().as_secs_f64())
        }
        "udp" => {
            let local = if host.contains(':') {
                "[::]:0"
            } else {
                "0.0.0.0:0"
            };
            let s = UdpSocket::bind(local).await?;
            s.connect((host, port)).await?;
            let out = vec![b'x'; size];
            let mut back = vec![0u8; 65536];
            let t = Instant::now();
            for _ in 0..n {
                s.send(&out).await?;
                // A lost datagram times out and counts.
                if let Ok(got) = tokio::time::timeout(UDP_WAIT, s.recv(&mut back)).await {
                    got?;
                }
            }
            Ok(n as f64 / t.elapsed().as_secs_f64())
        }
        "udp-pktinfo" => {
            use std::os::fd::AsRawFd;
            let ip: std::net::Ipv4Addr = host
                .parse()
                .map_err(|_| std::io::Error::other("an IPv4 host"))?;
            let s = UdpSocket::bind("0.0.0.0:0").await?;
            let fd = s.as_raw_fd();
            crate::std_client::pktinfo::enable(fd)?;
            let out = vec![b'x'; size];
            let mut back = vec![0u8; 65536];
            let want = u32::from(ip).to_be();
            let t = Instant::now();
            for _ in 0..n {
                s.send_to(&out, (ip, port)).await?;
                let read = s.async_io(tokio::io::Interest::READABLE, || {
                    crate::std_client::pktinfo::recv(fd, &mut back)
                });
                // A lost datagram times out and counts.
                if let Ok(dst) = tokio::time::timeout(UDP_WAIT, read).await {
                    if dst? != Some(want) {
                        return Err(std::io::Error::other("no IP_PKTINFO"));
                    }
                }
            }
            Ok(n as f64 / t.elapsed().as_secs_f64())
        }
        other => Err(std::io::Error::other(format!("unknown workload {other}"))),
    }
}
