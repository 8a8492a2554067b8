//! Multicast and broadcast from a guest. Usage:
//! `multicast recv GROUP` joins GROUP on the loopback interface, prints
//! `joined PORT` and then the first datagram it receives (10 s timeout);
//! `multicast send GROUP PORT` sends one datagram to GROUP:PORT through
//! the loopback interface with IP_MULTICAST_LOOP on;
//! `recv6 GROUP IFNAME` / `send6 GROUP PORT IFNAME` do the same over IPv6
//! on interface IFNAME;
//! `multicast join-source GROUP SOURCE` joins GROUP for SOURCE only
//! (IP_ADD_SOURCE_MEMBERSHIP) on a socket bound to 127.0.0.1, prints
//! `joined PORT`, and holds it until a datagram arrives (10 s at most);
//! `multicast broadcast PORT` sends to 127.255.255.255:PORT, first without
//! SO_BROADCAST, then with it.
use wasock::*;
use wasock_test_guests::{exc, must};

fn octets(a: &str) -> Vec<u8> {
    a.split('.').map(|p| p.parse::<u8>().unwrap()).collect()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let lo = octets("127.0.0.1");
    match args[1].as_str() {
        "recv" => {
            let group = &args[2];
            let s = must("socket", socket(AF_INET, SOCK_DGRAM, 0));
            must("bind", s.bind((group.as_str(), 0)));
            let mut mreq = octets(group);
            mreq.extend_from_slice(&lo);
            match s.setsockopt(IPPROTO_IP, IP_ADD_MEMBERSHIP, mreq) {
                Ok(()) => {}
                Err(e) => {
                    println!("join: {}", exc(&e));
                    return;
                }
            }
            let port = match must("name", s.getsockname()) {
                Address::Inet(_, p) => p,
                other => panic!("{other:?}"),
            };
            println!("joined {port}");
            must("timeout", s.settimeout(Some(10.0)));
            match s.recvfrom(100) {
                Ok((d, _)) => println!("got {}", String::from_utf8_lossy(&d)),
                Err(e) => println!("recv: {}", exc(&e)),
            }
        }
        "recv6" => {
            let (group, ifname) = (&args[2], &args[3]);
            let index = must("if_nametoindex", if_nametoindex(ifname));
            let s = must("socket", socket(AF_INET6, SOCK_DGRAM, 0));
            must("bind", s.bind((group.as_str(), 0, 0, 0)));
            let mut mreq = must("inet_pton", inet_pton(AF_INET6, group));
            mreq.extend_from_slice(&index.to_ne_bytes());
            if let Err(e) = s.setsockopt(IPPROTO_IPV6, IPV6_JOIN_GROUP, mreq) {
                println!("join: {}", exc(&e));
                return;
            }
            let port = must("name", s.getsockname()).port().unwrap_or(0);
            println!("joined {port}");
            must("timeout", s.settimeout(Some(10.0)));
            match s.recvfrom(100) {
                Ok((d, _)) => println!("got {}", String::from_utf8_lossy(&d)),
                Err(e) => println!("recv: {}", exc(&e)),
            }
        }
        "send6" => {
            let (group, port, ifname) = (&args[2], args[3].parse::<u16>().unwrap(), &args[4]);
            let index = must("if_nametoindex", if_nametoindex(ifname));
            let s = must("socket", socket(AF_INET6, SOCK_DGRAM, 0));
            must(
                "if",
                s.setsockopt(IPPROTO_IPV6, IPV6_MULTICAST_IF, index as i32),
            );
            must("loop", s.setsockopt(IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 1));
            must("hops", s.setsockopt(IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 1));
            println!(
                "if {:?} loop {:?} hops {:?}",
                s.getsockopt(IPPROTO_IPV6, IPV6_MULTICAST_IF)
                    .map(|i| i as u32 == index),
                s.getsockopt(IPPROTO_IPV6, IPV6_MULTICAST_LOOP),
                s.getsockopt(IPPROTO_IPV6, IPV6_MULTICAST_HOPS)
            );
            match s.sendto(b"hello group6", (group.as_str(), port, 0, 0)) {
                Ok(n) => println!("sent {n}"),
                Err(e) => println!("send: {}", exc(&e)),
            }
        }
        "join-source" => {
            // IP_ADD_SOURCE_MEMBERSHIP: group, interface, source.
            let (group, source) = (&args[2], &args[3]);
            let s = must("socket", socket(AF_INET, SOCK_DGRAM, 0));
            must("bind", s.bind(("127.0.0.1", 0)));
            let port = must("name", s.getsockname()).port().unwrap_or(0);
            let mut mreq = octets(group);
            mreq.extend_from_slice(&lo);
            mreq.extend_from_slice(&octets(source));
            match s.setsockopt(IPPROTO_IP, IP_ADD_SOURCE_MEMBERSHIP, mreq) {
                Ok(()) => println!("joined {port}"),
                Err(e) => {
                    println!("join: {}", exc(&e));
                    return;
                }
            }
            // Hold the membership until the test has looked.
            must("wait", s.settimeout(Some(10.0)));
            let _ = s.recv(10);
        }
        "send" => {
            let (group, port) = (&args[2], args[3].parse::<u16>().unwrap());
            let s = must("socket", socket(AF_INET, SOCK_DGRAM, 0));
            must("if", s.setsockopt(IPPROTO_IP, IP_MULTICAST_IF, lo.clone()));
            must("loop", s.setsockopt(IPPROTO_IP, IP_MULTICAST_LOOP, 1));
            must("ttl", s.setsockopt(IPPROTO_IP, IP_MULTICAST_TTL, 1));
            println!(
                "if {:?} loop {:?} ttl {:?}",
                s.getsockopt_bytes(IPPROTO_IP, IP_MULTICAST_IF, 4),
                s.getsockopt(IPPROTO_IP, IP_MULTICAST_LOOP),
                s.getsockopt(IPPROTO_IP, IP_MULTICAST_TTL)
            );
            match s.sendto(b"hello group", (group.as_str(), port)) {
                Ok(n) => println!("sent {n}"),
                Err(e) => println!("send: {}", exc(&e)),
            }
        }
        "broadcast" => {
            let port = args[2].parse::<u16>().unwrap();
            let s = must("socket", socket(AF_INET, SOCK_DGRAM, 0));
            let to = ("127.255.255.255", port);
            match s.sendto(b"no flag", to) {
                Ok(n) => println!("without SO_BROADCAST: sent {n}"),
                Err(e) => println!("without SO_BROADCAST: {}", exc(&e)),
            }
            must("flag", s.setsockopt(SOL_SOCKET, SO_BROADCAST, 1));
            match s.sendto(b"hello all", to) {
                Ok(n) => println!("with SO_BROADCAST: sent {n}"),
                Err(e) => println!("with SO_BROADCAST: {}", exc(&e)),
            }
        }
        other => panic!("unknown mode {other}"),
    }
}
