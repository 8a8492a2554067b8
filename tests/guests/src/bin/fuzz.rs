//! Arbitrary call sequences against the host, for the fuzz property test
//! (host/tests/e2e/fuzz.rs) and the fuzz runner (fuzz/): a seeded
//! generator picks calls and arguments (wrong states, huge and zero sizes,
//! odd families, bad addresses and option values, select, sendmsg with
//! arbitrary control data). Every socket is non-blocking or has a short
//! timeout, so no call waits long. Usage:
//! `fuzz <seed> <steps> <allowed-port> <denied-tcp-port> <denied-udp-port> [forge]`;
//! prints `max-open <n>` and `steps <n> done`; with `forge` the last call
//! uses a handle the guest never received (the host must trap it).
use wasock::*;

mod raw {
    wit_bindgen::generate!({ path: ["../../wit", "wit/test.wit"], world: "wasock:test/raw", generate_all });
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<T: Clone>(&mut self, v: &[T]) -> T {
        v[self.below(v.len())].clone()
    }
    fn int(&mut self) -> i32 {
        match self.below(4) {
            0 => self.next() as i32,
            1 => self.below(64) as i32,
            2 => -(self.below(4) as i32),
            _ => self.pick(&[i32::MAX, i32::MIN, 255, 256, 65535, 65536]),
        }
    }
    fn size(&mut self) -> usize {
        self.pick(&[
            0,
            1,
            7,
            100,
            4096,
            65536,
            70000,
            1 << 20,
            1 << 31,
            usize::MAX,
        ])
    }
    fn bytes(&mut self) -> Vec<u8> {
        let n = self.pick(&[0usize, 1, 4, 8, 16, 100, 5000]);
        (0..n).map(|_| self.next() as u8).collect()
    }
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let num = |i: usize| a.get(i).and_then(|s| s.parse::<u64>().ok()).unwrap_or(1);
    let mut rng = Rng(num(1).max(1).wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let steps = num(2) as usize;
    let (allowed, denied_tcp, denied_udp) = (num(3) as u16, num(4) as u16, num(5) as u16);
    let forge = a.get(6).map(String::as_str) == Some("forge");

    let addrs: Vec<Address> = vec![
        ("127.0.0.1", allowed).into(),
        ("127.0.0.1", 0).into(),
        ("127.0.0.1", denied_tcp).into(),
        ("127.0.0.1", denied_udp).into(),
        ("127.0.0.2", denied_tcp).into(),
        ("127.0.0.2", denied_udp).into(),
        ("::1", allowed).into(),
        ("::1", denied_tcp).into(),
        ("::ffff:127.0.0.1", denied_tcp).into(),
        ("::ffff:127.0.0.1", denied_udp).into(),
        ("0.0.0.0", denied_udp).into(),
        ("", 0).into(),
        ("::", denied_tcp).into(),
        ("not a host", 80).into(),
        Address::Unix(b"fuzz-path".to_vec()),
        Address::Unix(b"\0fuzz-abstract".to_vec()),
        Address::Unix(vec![b'x'; 200]),
        Address::netlink(0, 0),
        Address::vsock(1, 1),
    ];
    let families = [
        AF_INET, AF_INET6, AF_UNIX, AF_NETLINK, AF_PACKET, AF_VSOCK, 12345, -1,
    ];
    let types = [
        SOCK_STREAM,
        SOCK_DGRAM,
        SOCK_SEQPACKET,
        SOCK_RAW,
        SOCK_STREAM | SOCK_NONBLOCK,
        99,
    ];
    let levels = [
        SOL_SOCKET,
        IPPROTO_TCP,
        IPPROTO_IP,
        IPPROTO_IPV6,
        IPPROTO_UDP,
        9999,
        -1,
    ];
    let flags = [
        0,
        MSG_PEEK,
        MSG_DONTWAIT,
        MSG_OOB,
        MSG_TRUNC,
        MSG_WAITALL,
        MSG_PEEK | MSG_TRUNC,
    ];
    let timeouts = [
        Some(0.0),
        Some(0.001),
        Some(0.01),
        Some(-1.0),
        Some(f64::NAN),
        Some(1e300),
    ];

    let mut pool: Vec<Socket> = Vec::new();
    let mut max_open = 0;
    for _ in 0..steps {
        let op = rng.below(20);
        if op == 0 || pool.is_empty() {
            let (f, t) = (rng.pick(&families), rng.pick(&types));
            let any = rng.int();
            let p = rng.pick(&[0, 6, 17, 1, any]);
            if let Ok(s) = socket(f, t, p) {
                let _ = s.settimeout(Some(0.0));
                pool.push(s);
            }
            max_open = max_open.max(pool.len());
            continue;
        }
        let i = rng.below(pool.len());
        if op == 1 {
            pool.swap_remove(i).close();
            continue;
        }
        let mut fresh = Vec::new();
        let s = &pool[i];
        let addr = rng.pick(&addrs);
        match op {
            2 => drop(s.bind(addr)),
            3 => drop(s.connect(addr)),
            4 => drop(s.connect_ex(addr)),
            5 => drop(s.listen(rng.int())),
            6 => {
                if let Ok((c, _)) = s.accept() {
                    let _ = c.settimeout(Some(0.0));
                    fresh.push(c);
                }
            }
            7 => {
                let n = rng.pick(&[0usize, 1, 100, 65536, 200_000]);
                drop(s.send_flags(&vec![7u8; n], rng.pick(&flags)));
            }
            8 => drop(s.sendto(&rng.bytes(), addr)),
            9 => drop(s.recv_flags(rng.size(), rng.pick(&flags))),
            10 => drop(s.recvfrom_flags(rng.size(), rng.pick(&flags))),
            11 => {
                let (l, o) = (rng.pick(&levels), rng.below(80) as i32);
                if rng.below(2) == 0 {
                    drop(s.setsockopt(l, o, rng.int()));
                } else {
                    drop(s.setsockopt(l, o, rng.bytes()));
                }
            }
            12 => {
                let (l, o) = (rng.pick(&levels), rng.below(80) as i32);
                drop(s.getsockopt(l, o));
                drop(s.getsockopt_bytes(l, o, rng.size()));
            }
            13 => drop(s.shutdown(rng.pick(&[0, 1, 2, 7, -1]))),
            14 => {
                drop(s.getsockname());
                drop(s.getpeername());
            }
            15 => {
                if let Ok(d) = s.dup() {
                    fresh.push(d);
                }
            }
            16 => {
                if let Ok((x, y)) = socketpair(rng.pick(&families), rng.pick(&types), 0) {
                    let _ = x.settimeout(Some(0.0));
                    let _ = y.settimeout(Some(0.0));
                    fresh.push(x);
                    fresh.push(y);
                }
            }
            17 => {
                let r: Vec<&Socket> = pool.iter().filter(|_| rng.below(2) == 0).collect();
                let w: Vec<&Socket> = pool.iter().rev().take(3).collect();
                drop(select(&r, &w, &r, Some(0.0)));
            }
            18 => {
                let anc = vec![Ancillary::Raw {
                    level: rng.pick(&levels),
                    type_: rng.below(40) as i32,
                    data: rng.bytes(),
                }];
                let dest = if rng.below(2) == 0 { Some(addr) } else { None };
                drop(s.sendmsg(&[&rng.bytes()], &anc, rng.pick(&flags), dest));
                drop(s.recvmsg(rng.size(), rng.size(), rng.pick(&flags)));
            }
            _ => {
                let t = rng.pick(&timeouts);
                drop(s.settimeout(t));
                drop(s.recv_flags(rng.size(), MSG_DONTWAIT));
                let _ = s.settimeout(Some(0.0));
            }
        }
        pool.extend(fresh);
        max_open = max_open.max(pool.len());
    }
    println!("max-open {max_open}");
    println!("steps {steps} done");
    if forge {
        let bogus = unsafe { raw::wasock::socket::socket::Socket::from_handle(0x7fff_0000) };
        let r = bogus.recv(u64::MAX, raw::wasock::socket::types::MsgFlags::empty());
        println!("forged handle returned {:?}", r.map(|d| d.len()));
    }
}
