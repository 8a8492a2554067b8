//! The guest side of tests/python/options.py: every case of
//! tests/python/options_cases.txt (given as arguments) run through
//! setsockopt / getsockopt, then socket ioctls, printed the same way.
//! Usage: options CASE...
use std::collections::HashMap;
use wasock::*;
use wasock_test_guests::{exc, must, Repr};

fn make(kind: &str, kept: &mut Vec<Socket>) -> Result<Socket> {
    Ok(match kind {
        "t4" => socket(AF_INET, SOCK_STREAM, 0)?,
        "t6" => socket(AF_INET6, SOCK_STREAM, 0)?,
        "u4" => socket(AF_INET, SOCK_DGRAM, 0)?,
        "u6" => socket(AF_INET6, SOCK_DGRAM, 0)?,
        "l4" => socket(AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE)?,
        "m4" => socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP)?,
        "c4" => {
            let srv = socket(AF_INET, SOCK_STREAM, 0)?;
            srv.bind(("127.0.0.1", 0))?;
            srv.listen_default()?;
            let c = socket(AF_INET, SOCK_STREAM, 0)?;
            c.connect(srv.getsockname()?)?;
            let (a, _) = srv.accept()?;
            kept.push(srv);
            kept.push(a);
            c
        }
        other => panic!("unknown socket kind {other}"),
    })
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

fn run(s: &Socket, level: i32, opt: i32, action: &str, arg: &str) -> Result<String> {
    Ok(match action {
        "g" => s.getsockopt(level, opt)?.repr(),
        "gb" => s.getsockopt_bytes(level, opt, arg.parse().unwrap())?.repr(),
        "gl" => s
            .getsockopt_bytes(level, opt, arg.parse().unwrap())?
            .len()
            .to_string(),
        "s" => {
            s.setsockopt(level, opt, arg.parse::<i32>().unwrap())?;
            format!("set; {}", s.getsockopt(level, opt)?.repr())
        }
        "n" => {
            s.setsockopt(level, opt, arg.parse::<i32>().unwrap())?;
            "set".into()
        }
        "sb" => {
            let b = hex(arg);
            s.setsockopt(level, opt, b.clone())?;
            format!("set; {}", s.getsockopt_bytes(level, opt, b.len())?.repr())
        }
        "sn" => {
            s.setsockopt(level, opt, OptValue::Null(arg.parse().unwrap()))?;
            "set".into()
        }
        other => panic!("unknown action {other}"),
    })
}

/// `--authority`: tries the options that widen authority on a listening
/// socket, prints each outcome and `listening PORT`, then waits for one
/// connection (the host test inspects the socket from outside meanwhile).
fn authority() {
    let s = must("socket", socket(AF_INET, SOCK_STREAM, 0));
    let tries: [(&str, i32, i32, OptValue); 6] = [
        ("SO_MARK", SOL_SOCKET, SO_MARK, OptValue::Int(5)),
        ("SO_PRIORITY", SOL_SOCKET, SO_PRIORITY, OptValue::Int(6)),
        (
            "SO_BINDTOIFINDEX",
            SOL_SOCKET,
            SO_BINDTOIFINDEX,
            OptValue::Int(1),
        ),
        (
            "SO_BINDTODEVICE",
            SOL_SOCKET,
            SO_BINDTODEVICE,
            OptValue::Bytes(b"lo".to_vec()),
        ),
        ("SO_RCVBUFFORCE", SOL_SOCKET, 33, OptValue::Int(1 << 22)),
        (
            "SO_ATTACH_FILTER",
            SOL_SOCKET,
            26,
            OptValue::Bytes(vec![0; 16]),
        ),
    ];
    for (name, level, opt, v) in tries {
        match s.setsockopt(level, opt, v) {
            Ok(()) => println!("{name}: set"),
            Err(e) => println!("{name}: {}", exc(&e)),
        }
    }
    must("bind", s.bind(("127.0.0.1", 0)));
    must("listen", s.listen_default());
    let port = match must("name", s.getsockname()) {
        Address::Inet(_, p) => p,
        other => panic!("{other:?}"),
    };
    println!("listening {port}");
    must("accept", s.accept());
    println!("done");
}

fn main() {
    if std::env::args().nth(1).as_deref() == Some("--authority") {
        return authority();
    }
    let mut kept = Vec::new();
    let mut socks: HashMap<String, Option<Socket>> = HashMap::new();
    for case in std::env::args().skip(1) {
        let parts: Vec<&str> = case.split_whitespace().collect();
        let (kind, level, opt, action) = (
            parts[0],
            parts[1].parse::<i32>().unwrap(),
            parts[2].parse::<i32>().unwrap(),
            parts[3],
        );
        let arg = parts.get(4).copied().unwrap_or("");
        if !socks.contains_key(kind) {
            let s = match make(kind, &mut kept) {
                Ok(s) => Some(s),
                Err(e) => {
                    println!("open {kind}: {}", exc(&e));
                    None
                }
            };
            socks.insert(kind.to_string(), s);
        }
        let Some(s) = socks[kind].as_ref() else {
            continue;
        };
        let r = run(s, level, opt, action, arg).unwrap_or_else(|e| exc(&e));
        println!("{case}: {r}");
    }

    // ioctl on a connected pair
    let srv = must("socket", socket(AF_INET, SOCK_STREAM, 0));
    must("bind", srv.bind(("127.0.0.1", 0)));
    must("listen", srv.listen_default());
    let c = must("socket", socket(AF_INET, SOCK_STREAM, 0));
    must("connect", c.connect(must("name", srv.getsockname())));
    let (a, _) = must("accept", srv.accept());
    must("sendall", c.sendall(b"hello"));
    must("recv", a.recv_flags(1, MSG_PEEK));
    let cases: [(&str, u64, Vec<u8>); 8] = [
        ("FIONREAD", FIONREAD, vec![0; 4]),
        ("SIOCOUTQ", SIOCOUTQ, vec![0; 4]),
        ("SIOCOUTQNSD", SIOCOUTQNSD, vec![0; 4]),
        ("SIOCATMARK", SIOCATMARK, vec![0; 4]),
        ("FIONREAD-8", FIONREAD, vec![0xff; 8]),
        ("FIONREAD-2", FIONREAD, vec![0xff; 2]),
        ("SIOCGSTAMP-tcp", SIOCGSTAMP, vec![0; 16]),
        ("bogus", 0x12345, vec![0; 4]),
    ];
    for (name, req, arg) in cases {
        for (who, sock) in [("recv", &a), ("send", &c)] {
            match sock.ioctl(req, &arg) {
                Ok(b) => println!("ioctl {name} {who}: {}", b.repr()),
                Err(e) => println!("ioctl {name} {who}: {}", exc(&e)),
            }
        }
    }
    let u = must("socket", socket(AF_INET, SOCK_DGRAM, 0));
    must("bind", u.bind(("127.0.0.1", 0)));
    let v = must("socket", socket(AF_INET, SOCK_DGRAM, 0));
    if let Err(e) = u.ioctl(SIOCGSTAMP, &[0; 16]) {
        println!("ioctl SIOCGSTAMP before: {}", exc(&e));
    }
    must("sendto", v.sendto(b"abc", must("name", u.getsockname())));
    println!(
        "ioctl FIONREAD udp: {}",
        must("ioctl", u.ioctl(FIONREAD, &[0; 4])).repr()
    );
    must("recv", u.recv(10));
    let t = must("ioctl", u.ioctl(SIOCGSTAMP, &[0; 16]));
    let sec = i64::from_le_bytes(t[..8].try_into().unwrap());
    println!(
        "ioctl SIOCGSTAMP after: {} {}",
        t.len(),
        if sec > 0 { "True" } else { "False" }
    );
    println!("done");
}
