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
//! - `packet-name`: getsockname() of the last packet socket.
//! - `netlink,PROTO`: socket(AF_NETLINK, SOCK_RAW, PROTO), bound to port
//!   id 0 (the kernel picks one), kept.
//! - `setopt,4|6,udp|raw,LEVEL,NAME,VALUE`: setsockopt of an int on a
//!   fresh socket (raw: ICMP / ICMPv6).
//! - `netlink-newaddr,IFINDEX,A.B.C.D`: an RTM_NEWADDR request adding
//!   A.B.C.D/32 to interface IFINDEX on a NETLINK_ROUTE socket (send, then
//!   the kernel's acknowledgement: `ok errno N`).
//! - `netlink-getlink`: an RTM_GETLINK dump request; `ok` once a reply
//!   arrives.
//! - `genl,FAMILY,SEQ`: on a NETLINK_GENERIC socket, look FAMILY up
//!   through nlctrl, then send it a GET dump with sequence number SEQ.
//! - `netlink-send,HEX`: the bytes HEX, as they are, in one send on a
//!   NETLINK_ROUTE socket (`ok N`: N bytes sent).
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
            "packet-name" => {
                let s = packet.as_ref().ok_or_else(|| Error::from_errno(9))?;
                Ok(s.getsockname()?.to_string())
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
            "netlink-newaddr" => {
                let s = socket(AF_NETLINK, SOCK_RAW, 0)?;
                s.settimeout(Some(5.0))?;
                // nlmsghdr, ifaddrmsg, IFA_LOCAL and IFA_ADDRESS.
                let mut m = Vec::new();
                m.extend(40u32.to_ne_bytes());
                m.extend(20u16.to_ne_bytes()); // RTM_NEWADDR
                m.extend((1u16 | 4 | 0x200 | 0x400).to_ne_bytes()); // REQUEST|ACK|EXCL|CREATE
                m.extend(1u32.to_ne_bytes()); // sequence
                m.extend(0u32.to_ne_bytes()); // port id
                m.extend([AF_INET as u8, 32, 0, 0]);
                m.extend((num(1) as u32).to_ne_bytes());
                let ip = inet_aton(f[2])?;
                for attr in [2u16, 1] {
                    m.extend(8u16.to_ne_bytes());
                    m.extend(attr.to_ne_bytes());
                    m.extend(&ip);
                }
                s.send(&m)?;
                let ack = s.recv(4096)?;
                let errno = ack
                    .get(16..20)
                    .map(|e| -i32::from_ne_bytes([e[0], e[1], e[2], e[3]]))
                    .unwrap_or(-1);
                Ok(format!("errno {errno}"))
            }
            "netlink-getlink" => {
                let s = socket(AF_NETLINK, SOCK_RAW, 0)?;
                s.settimeout(Some(5.0))?;
                let mut m = Vec::new();
                m.extend(32u32.to_ne_bytes());
                m.extend(18u16.to_ne_bytes()); // RTM_GETLINK
                m.extend((1u16 | 0x300).to_ne_bytes()); // REQUEST|DUMP
                m.extend([0u8; 8]);
                m.extend([0u8; 16]); // ifinfomsg
                s.send(&m)?;
                s.recv(65536)?;
                Ok(String::new())
            }
            "netlink-send" => {
                let hex = f.get(1).copied().unwrap_or("");
                let bytes: Vec<u8> = (0..hex.len() / 2)
                    .filter_map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok())
                    .collect();
                let s = socket(AF_NETLINK, SOCK_RAW, 0)?;
                Ok(s.send(&bytes)?.to_string())
            }
            "genl" => {
                // Look the family up through nlctrl, then send it a GET
                // dump (command 1) with sequence number SEQ.
                let name = f.get(1).copied().unwrap_or("");
                let seq: u32 = f.get(2).and_then(|v| v.parse().ok()).unwrap_or(0);
                let s = socket(AF_NETLINK, SOCK_RAW, 16)?;
                s.settimeout(Some(2.0))?;
                let mut attr = name.as_bytes().to_vec();
                attr.push(0);
                let alen = 4 + attr.len();
                attr.resize(alen.div_ceil(4) * 4 - 4, 0);
                let len = 16 + 4 + 4 + attr.len();
                let mut m = Vec::new();
                m.extend((len as u32).to_ne_bytes());
                m.extend(0x10u16.to_ne_bytes());
                m.extend(1u16.to_ne_bytes());
                m.extend(1u32.to_ne_bytes());
                m.extend(0u32.to_ne_bytes());
                m.extend([3u8, 1, 0, 0]);
                m.extend((alen as u16).to_ne_bytes());
                m.extend(2u16.to_ne_bytes());
                m.extend(&attr);
                s.send(&m)?;
                let reply = s.recv(8192)?;
                let mut at = 20;
                let mut id = None;
                while at + 4 <= reply.len() {
                    let l = u16::from_ne_bytes([reply[at], reply[at + 1]]) as usize;
                    let t = u16::from_ne_bytes([reply[at + 2], reply[at + 3]]);
                    if l < 4 {
                        break;
                    }
                    if t == 1 && at + 6 <= reply.len() {
                        id = Some(u16::from_ne_bytes([reply[at + 4], reply[at + 5]]));
                    }
                    at += l.div_ceil(4) * 4;
                }
                let Some(id) = id else {
                    return Ok("no such family".to_string());
                };
                let mut g = Vec::new();
                g.extend(20u32.to_ne_bytes());
                g.extend(id.to_ne_bytes());
                g.extend(0x301u16.to_ne_bytes());
                g.extend(seq.to_ne_bytes());
                g.extend(0u32.to_ne_bytes());
                g.extend([1u8, 1, 0, 0]);
                Ok(format!("sent {}", s.send(&g)?))
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
