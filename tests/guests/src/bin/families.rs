//! The guest side of tests/python/families.py: netlink interface dump,
//! packet and vsock socket names, raw ICMP echo to 127.0.0.1, and the
//! families this kernel lacks, printed the same way. Usage: families [ID]
//! (the ICMP echo identifier, hex; 0x4242 by default, as the script).
use wasock::*;
use wasock_test_guests::{exc, must, show, Repr};

/// A value already written as Python's repr.
struct Py(String);

impl Repr for Py {
    fn repr(&self) -> String {
        self.0.clone()
    }
}

fn triple(s: &Socket) -> Py {
    Py(format!("({}, {}, {})", s.family(), s.type_(), s.proto()))
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_ne_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_ne_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn checksum(b: &[u8]) -> u16 {
    let mut sum: u32 = 0;
    for c in b.chunks(2) {
        let w = if c.len() == 2 {
            u16::from_be_bytes([c[0], c[1]])
        } else {
            u16::from_be_bytes([c[0], 0])
        };
        sum += u32::from(w);
    }
    sum = (sum >> 16) + (sum & 0xffff);
    sum += sum >> 16;
    !(sum as u16)
}

fn main() {
    let missing: [(&str, i32, i32, i32); 9] = [
        ("can-raw", AF_CAN, SOCK_RAW, CAN_RAW),
        ("can-isotp", AF_CAN, SOCK_DGRAM, CAN_ISOTP),
        ("can-j1939", AF_CAN, SOCK_DGRAM, CAN_J1939),
        ("alg", AF_ALG, SOCK_SEQPACKET, 0),
        ("tipc", AF_TIPC, SOCK_RDM, 0),
        ("qipcrtr", AF_QIPCRTR, SOCK_DGRAM, 0),
        ("bluetooth", 31, SOCK_STREAM, 3),
        ("key", AF_KEY, SOCK_RAW, 2),
        ("rds", AF_RDS, SOCK_SEQPACKET, 0),
    ];
    for (name, f, t, p) in missing {
        show(&format!("socket {name}"), || {
            socket(f, t, p).map(|s| triple(&s))
        });
    }

    // Interface queries
    let q = must("socket", socket(AF_INET, SOCK_DGRAM, 0));
    let queries: [(&str, u64, &str); 7] = [
        ("SIOCGIFINDEX", SIOCGIFINDEX, "lo"),
        ("SIOCGIFFLAGS", SIOCGIFFLAGS, "lo"),
        ("SIOCGIFADDR", SIOCGIFADDR, "lo"),
        ("SIOCGIFNETMASK", SIOCGIFNETMASK, "lo"),
        ("SIOCGIFMTU", SIOCGIFMTU, "lo"),
        ("SIOCGIFHWADDR", SIOCGIFHWADDR, "lo"),
        ("SIOCGIFINDEX", SIOCGIFINDEX, "nosuchif0"),
    ];
    for (rname, req, name) in queries {
        let mut ifreq = vec![0u8; 40];
        ifreq[..name.len()].copy_from_slice(name.as_bytes());
        show(&format!("ifreq {rname} {name}"), || q.ioctl(req, &ifreq));
    }
    let mut ifreq = vec![0u8; 40];
    ifreq[16..20].copy_from_slice(&1i32.to_ne_bytes());
    show("ifreq SIOCGIFNAME 1", || q.ioctl(SIOCGIFNAME, &ifreq));
    q.close();

    // Netlink
    let nl = must("netlink", socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE));
    show("netlink family", || Ok(triple(&nl)));
    show("netlink bind", || nl.bind(Address::netlink(0, 0)));
    show("netlink name", || {
        let a = nl.getsockname()?.to_string();
        let inner = a.trim_matches(|c| c == '(' || c == ')');
        let (pid, groups) = inner.split_once(", ").unwrap();
        Ok(Py(format!(
            "({}, {groups})",
            (pid.parse::<u32>().unwrap() > 0).repr()
        )))
    });
    let mut req = Vec::new();
    req.extend_from_slice(&32u32.to_ne_bytes());
    req.extend_from_slice(&18u16.to_ne_bytes());
    req.extend_from_slice(&0x301u16.to_ne_bytes());
    req.extend_from_slice(&1u32.to_ne_bytes());
    req.extend_from_slice(&0u32.to_ne_bytes());
    req.extend_from_slice(&[0u8; 16]);
    show("netlink send", || nl.send(&req));
    let mut names = Vec::new();
    let mut done = false;
    for _ in 0..100 {
        if done {
            break;
        }
        let data = must("netlink recv", nl.recv(65536));
        let mut off = 0;
        while off + 16 <= data.len() {
            let (mlen, mtype) = (u32_at(&data, off) as usize, u16_at(&data, off + 4));
            if mtype == 3 {
                done = true;
                break;
            }
            if mtype == 16 {
                let mut a = off + 32;
                while a + 4 <= off + mlen {
                    let (alen, atype) = (u16_at(&data, a) as usize, u16_at(&data, a + 2));
                    if alen < 4 {
                        break;
                    }
                    if atype == 3 {
                        let raw = &data[a + 4..a + alen];
                        let end = raw.iter().position(|&c| c == 0).unwrap_or(raw.len());
                        names.push(String::from_utf8_lossy(&raw[..end]).into_owned());
                    }
                    a += (alen + 3) & !3;
                }
            }
            if mlen == 0 {
                break;
            }
            off += (mlen + 3) & !3;
        }
    }
    names.sort();
    let list: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
    println!("netlink interfaces: [{}]", list.join(", "));
    nl.close();

    // Packet
    let pk = must(
        "packet",
        socket(AF_PACKET, SOCK_RAW, i32::from(htons(0x0003))),
    );
    show("packet family", || Ok(triple(&pk)));
    show("packet name", || pk.getsockname());
    show("packet bind", || {
        pk.bind(Address::packet("lo", 0x0003, 0, 0, b""))
    });
    show("packet name bound", || pk.getsockname());
    show("packet bind unknown", || {
        pk.bind(Address::packet("nosuchif0", 0x0003, 0, 0, b""))
    });
    pk.close();
    let pd = must(
        "packet",
        socket(AF_PACKET, SOCK_DGRAM, i32::from(htons(0x0800))),
    );
    show("packet dgram name", || pd.getsockname());
    pd.close();

    // Vsock
    let vs = must("vsock", socket(AF_VSOCK, SOCK_STREAM, 0));
    show("vsock family", || Ok(triple(&vs)));
    show("vsock name", || vs.getsockname());
    show("vsock local cid", || {
        vs.ioctl(IOCTL_VM_SOCKETS_GET_LOCAL_CID as u64, &[0; 4])
    });
    vs.close();

    show("mptcp", || {
        let s = socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP)?;
        let p = s.getsockopt(SOL_SOCKET, SO_PROTOCOL)?;
        Ok(Py(format!(
            "({}, {}, {}, {p})",
            s.family(),
            s.type_(),
            s.proto()
        )))
    });

    // Raw ICMP echo to 127.0.0.1
    let ic = must("icmp", socket(AF_INET, SOCK_RAW, IPPROTO_ICMP));
    show("icmp family", || Ok(triple(&ic)));
    // The echo's identifier: the first argument (hex), else 0x4242.
    let id = std::env::args()
        .nth(1)
        .map_or(0x4242, |a| u16::from_str_radix(&a, 16).unwrap());
    let mut body = id.to_be_bytes().to_vec();
    body.extend_from_slice(&[0, 1]);
    body.extend_from_slice(b"wasock-ping");
    let mut pkt = vec![8, 0, 0, 0];
    pkt.extend_from_slice(&body);
    let c = checksum(&pkt);
    pkt[2..4].copy_from_slice(&c.to_be_bytes());
    show("icmp sendto", || ic.sendto(&pkt, ("127.0.0.1", 0)));
    must("timeout", ic.settimeout(Some(10.0)));
    for _ in 0..10 {
        let (data, addr) = match ic.recvfrom(2048) {
            Ok(v) => v,
            Err(e) => {
                println!("icmp recv: {}", exc(&e));
                break;
            }
        };
        let ihl = usize::from(data[0] & 15) * 4;
        let (t, c) = (data[ihl], data[ihl + 1]);
        let ident = u16::from_be_bytes([data[ihl + 4], data[ihl + 5]]);
        if t == 0 && ident == id {
            println!(
                "icmp reply: type {t} code {c} from {} payload {}",
                addr.repr(),
                data[ihl + 8..].to_vec().repr()
            );
            break;
        }
    }
    ic.close();
    println!("done");
}
