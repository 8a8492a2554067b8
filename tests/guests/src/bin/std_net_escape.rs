//! The escape battery for `std::net` guests (wasi:sockets): one attempt per
//! argument, printing `STEP: ok` or `STEP: error KIND`. The host test
//! judges each attempt by what native observers saw.
//!
//! Steps: `connect-name,HOST:PORT` (TCP connect by name: the lookup goes
//! through wasi:sockets too); `connect,ADDR` (TCP connect to `host:port` or `[v6]:port`, send
//! `x`); `sendto,ADDR` (UDP from an unbound socket); `bind,tcp|udp,ADDR`
//! (bind, and listen for tcp; kept until the end); `serve-udp,ADDR,N`
//! (bind, receive N datagrams, print the senders);
//! `sockets,N` (bind N UDP sockets to 127.0.0.1:0, print how many opened);
//! `hold,PORT` (connect to 127.0.0.1:PORT, wait until it closes);
//! `drop-one` (close the last socket `sockets` opened).
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::time::Duration;

fn main() {
    let mut kept_tcp = Vec::new();
    let mut kept_udp = Vec::new();
    for step in std::env::args().skip(1) {
        let f: Vec<&str> = step.split(',').collect();
        let a = |i: usize| -> std::io::Result<SocketAddr> {
            f.get(i)
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| std::io::Error::other("bad address"))
        };
        let r: std::io::Result<String> = (|| match f[0] {
            "connect" => {
                let mut s = TcpStream::connect_timeout(&a(1)?, Duration::from_secs(2))?;
                s.write_all(b"x")?;
                Ok(String::new())
            }
            "connect-name" => {
                let mut s = TcpStream::connect(f.get(1).copied().unwrap_or(""))?;
                s.write_all(b"x")?;
                Ok(String::new())
            }
            "sendto" => {
                let to = a(1)?;
                let any: SocketAddr = if to.is_ipv4() { "0.0.0.0:0" } else { "[::]:0" }
                    .parse()
                    .unwrap();
                let s = UdpSocket::bind(any)?;
                s.send_to(b"x", to)?;
                Ok(String::new())
            }
            "bind" => {
                if f[1] == "tcp" {
                    kept_tcp.push(TcpListener::bind(a(2)?)?);
                } else {
                    kept_udp.push(UdpSocket::bind(a(2)?)?);
                }
                Ok(String::new())
            }
            "serve-udp" => {
                let s = UdpSocket::bind(a(1)?)?;
                println!("listening");
                let n: usize = f.get(2).and_then(|n| n.parse().ok()).unwrap_or(1);
                let mut peers = Vec::new();
                let mut buf = [0u8; 64];
                for _ in 0..n {
                    match s.recv_from(&mut buf) {
                        Ok((_, from)) => peers.push(from.ip().to_string()),
                        Err(e) => peers.push(format!("{:?}", e.kind())),
                    }
                }
                Ok(peers.join(" "))
            }
            "sockets" => {
                let n: usize = f.get(1).and_then(|n| n.parse().ok()).unwrap_or(1);
                for i in 0..n {
                    match UdpSocket::bind("127.0.0.1:0") {
                        Ok(s) => kept_udp.push(s),
                        Err(e) => return Ok(format!("{i} then {:?}", e.kind())),
                    }
                }
                Ok(n.to_string())
            }
            "drop-one" => {
                kept_udp.pop();
                Ok(String::new())
            }
            "hold" => {
                let port: u16 = f.get(1).and_then(|p| p.parse().ok()).unwrap_or(0);
                let mut s = TcpStream::connect(("127.0.0.1", port))?;
                let mut b = [0u8; 1];
                let _ = s.read(&mut b);
                Ok(String::new())
            }
            other => Ok(format!("unknown step {other}")),
        })();
        match r {
            Ok(v) if v.is_empty() => println!("{step}: ok"),
            Ok(v) => println!("{step}: ok {v}"),
            Err(e) => println!("{step}: error {:?}", e.kind()),
        }
    }
}
