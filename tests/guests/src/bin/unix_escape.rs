//! Attempts to leave the AF_UNIX grant; the host test checks from outside
//! that none reached anything. Usage: unix_escape SCENARIO [ARG]
//! (dotdot | absolute PATH | symlink | swap | abstract NAME | no-grant |
//! rebind PATH | recv-ip-fds |
//! fd-passing-denied | forged-rights | recv-fds N | trap-holding)
use wasock::*;
use wasock_test_guests::{must, show};

mod raw {
    wit_bindgen::generate!({ path: ["../../wit", "wit/test.wit"], world: "wasock:test/raw-ancillary", generate_all });
}

fn stream() -> Socket {
    must("socket", socket(AF_UNIX, SOCK_STREAM, 0))
}

fn dgram() -> Socket {
    must("socket", socket(AF_UNIX, SOCK_DGRAM, 0))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = args.get(2).cloned().unwrap_or_default();
    match args.get(1).map(String::as_str) {
        Some("dotdot") => {
            show("connect-up", || stream().connect("../target.sock"));
            show("connect-sub-up", || {
                stream().connect("sub/../../target.sock")
            });
            show("bind-up", || stream().bind("../evil.sock"));
            show("sendto-up", || dgram().sendto(b"x", "../target.dgram"));
            show("bind-dotdot", || stream().bind(".."));
        }
        Some("absolute") => {
            show("connect-absolute", || {
                stream().connect(format!("{arg}/target.sock").as_str())
            });
            show("bind-absolute", || {
                stream().bind(format!("{arg}/abs.sock").as_str())
            });
        }
        Some("symlink") => {
            show("connect-link-to-socket", || stream().connect("lsock"));
            show("connect-through-dir-link", || {
                stream().connect("ldir/target.sock")
            });
            show("bind-through-dir-link", || stream().bind("ldir/new.sock"));
            show("sendto-link", || dgram().sendto(b"x", "ldgram"));
            show("bind-over-link", || stream().bind("lsock"));
            show("connect-inner-link", || stream().connect("inner-link"));
        }
        Some("swap") => {
            let s = stream();
            show("connect-before", || s.connect("sw.sock"));
            show("wait-for-swap", || s.recv(10));
            show("connect-after", || stream().connect("sw.sock"));
        }
        Some("abstract") => {
            let mut name = vec![0u8];
            name.extend_from_slice(arg.as_bytes());
            show("connect-abstract", || stream().connect(name.as_slice()));
            show("sendto-abstract", || dgram().sendto(b"x", name.as_slice()));
            show("bind-abstract", || stream().bind(name.as_slice()));
            show("autobind", || dgram().bind(""));
        }
        Some("no-grant") => {
            show("connect-path", || stream().connect("x.sock"));
            show("bind-path", || stream().bind("x.sock"));
            show("socketpair", || {
                socketpair(AF_UNIX, SOCK_STREAM, 0).map(|_| ())
            });
        }
        Some("rebind") => {
            // Bind, close, bind the same path again: the socket file stays.
            let first = stream();
            show("bind-first", || first.bind(arg.as_str()));
            drop(first);
            match stream().bind(arg.as_str()) {
                Ok(()) => println!("bind-again: ok"),
                Err(e) => println!(
                    "bind-again: {} | {}",
                    wasock_test_guests::exc(&e),
                    e.detail()
                ),
            }
        }
        Some("fd-passing-denied") => {
            let (a, _b) = must("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0));
            let (c, _d) = must("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0));
            show("send-fds", || send_fds(&a, &[b"x"], &[&c], 0, None));
        }
        Some("credentials") => {
            let (a, b) = must("socketpair", socketpair(AF_UNIX, SOCK_DGRAM, 0));
            must("passcred", b.setsockopt(SOL_SOCKET, SO_PASSCRED, 1));
            let own = must("peercred", b.getsockopt_bytes(SOL_SOCKET, SO_PEERCRED, 12));
            let cred = |data: Vec<u8>| Ancillary::Raw {
                level: SOL_SOCKET,
                type_: SCM_CREDENTIALS,
                data,
            };
            show("send-own", || {
                a.sendmsg(&[b"own"], &[cred(own.clone())], 0, None)
            });
            show("received-own", || {
                let (d, anc, _, _) = b.recvmsg(10, CMSG_SPACE(12), 0)?;
                let same = anc
                    .iter()
                    .any(|c| matches!(c, Ancillary::Raw { data, .. } if *data == own));
                Ok((d, same))
            });
            let mut spoof = own.clone();
            spoof[0..4].copy_from_slice(&1i32.to_ne_bytes());
            show("send-other-pid", || {
                a.sendmsg(&[b"pid"], &[cred(spoof)], 0, None)
            });
            let mut spoof = own.clone();
            spoof[4..8].copy_from_slice(&12345u32.to_ne_bytes());
            show("send-other-uid", || {
                a.sendmsg(&[b"uid"], &[cred(spoof)], 0, None)
            });
            show("nothing-sent", || b.recv_flags(10, MSG_DONTWAIT));
        }
        Some("credentials-to") => {
            // To a native receiver at cred.sock (in the grant): the host's
            // own credentials pass, others are refused before sending.
            let a = dgram();
            let (x, _y) = must("socketpair", socketpair(AF_UNIX, SOCK_DGRAM, 0));
            let own = must("peercred", x.getsockopt_bytes(SOL_SOCKET, SO_PEERCRED, 12));
            let cred = |data: Vec<u8>| Ancillary::Raw {
                level: SOL_SOCKET,
                type_: SCM_CREDENTIALS,
                data,
            };
            let to = || Some("cred.sock".into());
            show("send-own", || {
                a.sendmsg(&[b"own"], &[cred(own.clone())], 0, to())
            });
            let mut spoof = own.clone();
            spoof[0..4].copy_from_slice(&1i32.to_ne_bytes());
            show("send-other-pid", || {
                a.sendmsg(&[b"pid"], &[cred(spoof)], 0, to())
            });
            let mut spoof = own.clone();
            spoof[4..8].copy_from_slice(&12345u32.to_ne_bytes());
            show("send-other-uid", || {
                a.sendmsg(&[b"uid"], &[cred(spoof)], 0, to())
            });
            let mut spoof = own.clone();
            spoof[8..12].copy_from_slice(&12345u32.to_ne_bytes());
            show("send-other-gid", || {
                a.sendmsg(&[b"gid"], &[cred(spoof)], 0, to())
            });
        }
        Some("sizes") => {
            // Guest-chosen sizes and counts: capped or refused, never
            // allocated as asked.
            let (a, b) = must("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0));
            must("send", a.send(b"abc"));
            show("recvmsg-huge", || {
                b.recvmsg(usize::MAX, usize::MAX, 0).map(|m| m.0)
            });
            let empty: Vec<&[u8]> = vec![b""; 2000];
            show("sendmsg-many-buffers", || a.sendmsg(&empty, &[], 0, None));
            let tos = || Ancillary::Raw {
                level: SOL_SOCKET,
                type_: SCM_CREDENTIALS,
                data: vec![0; 12],
            };
            let many: Vec<Ancillary> = (0..100).map(|_| tos()).collect();
            show("sendmsg-many-cmsgs", || a.sendmsg(&[b"x"], &many, 0, None));
            let (c, _d) = must("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0));
            let fds: Vec<&Socket> = vec![&c; 254];
            show("send-254-fds", || send_fds(&a, &[b"x"], &fds, 0, None));
            let fds: Vec<&Socket> = vec![&c; 253];
            show("send-253-fds", || send_fds(&a, &[b"x"], &fds, 0, None));
            show("recv-253-fds", || {
                recv_fds(&b, 10, 253, 0).map(|r| r.1.len())
            });
        }
        Some("full-backlog") => {
            let first = stream();
            show("first", || first.connect("full.sock"));
            let second = stream();
            show("second", || second.connect("full.sock"));
            let third = stream();
            must("settimeout", third.settimeout(Some(0.0)));
            show("third-nonblocking", || third.connect("full.sock"));
        }
        Some("pktinfo-interface") => {
            let rx = must("socket", socket(AF_INET, SOCK_DGRAM, 0));
            must("bind", rx.bind(("127.0.0.1", 0)));
            let addr = must("getsockname", rx.getsockname());
            let tx = must("socket", socket(AF_INET, SOCK_DGRAM, 0));
            let info = |ifindex: i32| {
                let mut d = ifindex.to_ne_bytes().to_vec();
                d.extend_from_slice(&[0; 8]);
                Ancillary::Raw {
                    level: IPPROTO_IP,
                    type_: 8,
                    data: d,
                }
            };
            show("pktinfo-any-interface", || {
                tx.sendmsg(&[b"a"], &[info(0)], 0, Some(addr.clone()))
            });
            show("pktinfo-interface-1", || {
                tx.sendmsg(&[b"b"], &[info(1)], 0, Some(addr.clone()))
            });
            show("received", || rx.recv(10));
            show("nothing-more", || rx.recv_flags(10, MSG_DONTWAIT));
        }
        Some("forged-rights") => {
            // A handle the guest does not hold, passed with SCM_RIGHTS on a
            // connection to the host's listener: the guest must trap before
            // anything is sent.
            let s = stream();
            must("connect", s.connect("fd.sock"));
            let conn =
                unsafe { raw::wasock::socket::socket::Socket::from_handle(s.fileno() as u32) };
            let bogus = unsafe { raw::wasock::socket::socket::Socket::from_handle(0x7fff_fff0) };
            let rights = raw::wasock::socket::ancillary::SendControlMessage::Rights(vec![&bogus]);
            let r = raw::wasock::socket::ancillary::send_msg(
                &conn,
                &[b"forged".to_vec()],
                &[rights],
                raw::wasock::socket::types::MsgFlags::empty(),
                None,
            );
            println!("unexpectedly returned {r:?}");
        }
        Some("recv-fds") => {
            // The host's peer sends sockets and a regular file.
            let s = stream();
            must("connect", s.connect("fd.sock"));
            let n: usize = arg.parse().unwrap_or(4);
            show("recv-fds", || {
                let (data, socks, flags, _) = recv_fds(&s, 100, n, 0)?;
                let works: Vec<bool> = socks.iter().map(|x| x.send(b"hi").is_ok()).collect();
                println!(
                    "kinds: {:?}",
                    socks
                        .iter()
                        .map(|x| (x.family(), x.type_()))
                        .collect::<Vec<_>>()
                );
                println!("usable: {works:?}");
                Ok((data, flags & MSG_CTRUNC))
            });
        }
        Some("recv-ip-fds") => {
            // tests/python/fd_peer_ip.py sends a connected UDP and a
            // connected TCP socket, then connects its copy of the UDP one
            // elsewhere when asked.
            let s = stream();
            must("connect", s.connect("fd.sock"));
            let (_, socks, flags, _) = must("recv_fds", recv_fds(&s, 100, 4, 0));
            println!(
                "kinds: {:?} ctrunc {}",
                socks
                    .iter()
                    .map(|x| (x.family(), x.type_()))
                    .collect::<Vec<_>>(),
                flags & MSG_CTRUNC
            );
            let sends = |socks: &[Socket]| -> Vec<String> {
                socks
                    .iter()
                    .map(|x| match x.send(b"hi") {
                        Ok(_) => "ok".to_string(),
                        Err(e) => e.kind().name().to_string(),
                    })
                    .collect()
            };
            println!("sends: {:?}", sends(&socks));
            must("go", s.sendall(b"go"));
            must("done", s.recv(10));
            println!("sends-after: {:?}", sends(&socks));
        }
        Some("trap-holding") => {
            let (a, b) = must("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0));
            let pairs: Vec<(Socket, Socket)> = (0..4)
                .map(|_| must("socketpair", socketpair(AF_UNIX, SOCK_DGRAM, 0)))
                .collect();
            let send: Vec<&Socket> = pairs.iter().map(|p| &p.0).collect();
            must("send_fds", send_fds(&a, &[b"x"], &send, 0, None));
            let (_, got, _, _) = must("recv_fds", recv_fds(&b, 10, 8, 0));
            println!("holding {}", got.len());
            // Trap while holding them (and a truncated one in flight).
            must("send_fds", send_fds(&a, &[b"y"], &send, 0, None));
            std::process::abort();
        }
        _ => {
            eprintln!("unknown scenario");
            std::process::exit(2);
        }
    }
    println!("done");
}
