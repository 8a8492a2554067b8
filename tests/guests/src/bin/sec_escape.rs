//! More of the escape battery (host/tests/e2e/escape.rs): families and
//! options whose reach goes past the guest's interfaces or flows. One step
//! per argument; prints `STEP: ok …` or `STEP: <Exception>: <message>`. The
//! host test judges each attempt from outside (/proc/net/packet,
//! /proc/net/netlink, the audit), not by these lines.
//!
//! Steps (fields separated by `,`):
//! - `packet,PROTO,raw|dgram`: socket(AF_PACKET, type, htons(PROTO)), kept.
//! - `packet-bind,IFNAME,PROTO`: bind the last packet socket to
//!   `(IFNAME, PROTO)` (an empty IFNAME is interface index 0).
//! - `netlink,PROTO`: socket(AF_NETLINK, SOCK_RAW, PROTO), bound to port
//!   id 0 (the kernel picks one), kept.
//! - `setopt,4|6,udp|raw,LEVEL,NAME,VALUE`: setsockopt of an int on a
//!   fresh socket (raw: ICMP / ICMPv6).
//! - `hold,PORT`: connect to 127.0.0.1:PORT and wait until it closes (the
//!   test looks at the kernel's socket tables meanwhile).
use wasock::*;
use wasock_test_guests::exc;

fn main() {
    let mut kept: Vec<Socket> = Vec::new();
    let mut packet: Option<Socket> = None;
    for step in std::env::args().skip(1) {
        let f: Vec<&str> = step.split(',').collect();
        let num = |i: usize| f.get(i).and_then(|p| p.parse::<i32>().ok()).unwrap_or(0);
        let r: Result<String> = (|| match f[0] {
            "packet" => {
                let ty = if f.get(2) == Some(&"dgram") {
                    SOCK_DGRAM
                } else {
                    SOCK_RAW
                };
                let s = socket(AF_PACKET, ty, i32::from(htons(num(1) as u16)))?;
                packet = Some(s);
                Ok(String::new())
            }
            "packet-bind" => {
                let s = packet.as_ref().ok_or_else(|| Error::from_errno(9))?;
                s.bind(Address::packet(f[1], num(2) as u16, 0, 0, b""))?;
                Ok(String::new())
            }
            "netlink" => {
                let s = socket(AF_NETLINK, SOCK_RAW, num(1))?;
                // Bound (the kernel picks the port id), so that the
                // kernel's table (/proc/net/netlink) lists it.
                s.bind(Address::netlink(0, 0))?;
                kept.push(s);
                Ok(String::new())
            }
            "setopt" => {
                let v6 = f.get(1) == Some(&"6");
                let (family, icmp) = if v6 { (AF_INET6, 58) } else { (AF_INET, 1) };
                let s = if f.get(2) == Some(&"raw") {
                    socket(family, SOCK_RAW, icmp)?
                } else {
                    socket(family, SOCK_DGRAM, 0)?
                };
                s.setsockopt(num(3), num(4), num(5))?;
                Ok(String::new())
            }
            "hold" => {
                let s = socket(AF_INET, SOCK_STREAM, 0)?;
                s.connect(("127.0.0.1", num(1) as u16))?;
                s.settimeout(Some(30.0))?;
                let _ = s.recv(1);
                Ok(String::new())
            }
            other => Ok(format!("unknown step {other}")),
        })();
        match r {
            Ok(v) if v.is_empty() => println!("{step}: ok"),
            Ok(v) => println!("{step}: ok {v}"),
            Err(e) => println!("{step}: {}", exc(&e)),
        }
    }
    drop(packet);
    drop(kept);
}
