//! Hostile and malformed calls. Usage: bad_input
//! huge-recv|addresses|bad-handle|send-bad-handle|send-bad-range|fd-limit
use wasock::*;
use wasock_test_guests::{must, show};

mod raw {
    wit_bindgen::generate!({ path: ["../../wit", "wit/test.wit"], world: "wasock:test/raw", generate_all });
}

fn main() {
    match std::env::args().nth(1).as_deref() {
        Some("huge-recv") => {
            let l = must("socket", socket(AF_INET, SOCK_STREAM, 0));
            must("bind", l.bind(("127.0.0.1", 0)));
            must("listen", l.listen(1));
            let c = must(
                "connect",
                create_connection(must("name", l.getsockname()), None, None),
            );
            let (a, _) = must("accept", l.accept());
            must("sendall", c.sendall(b"0123456789"));
            show("recv-2^31", || a.recv(1 << 31).map(|d| d.len()));
            show("recv-usize-max", || {
                c.sendall(b"abc")?;
                a.recv(usize::MAX).map(|d| d.len())
            });
            // A datagram bigger than the cap is still capped, never allocated whole.
            show("recv-into-empty", || {
                let mut buf = [0u8; 0];
                a.recv_into(&mut buf, 0, MSG_DONTWAIT)
            });
        }
        Some("addresses") => {
            let s = must("socket", socket(AF_INET, SOCK_STREAM, 0));
            show("bad-ipv4-literal", || s.connect(("999.1.1.1", 80)));
            show("v6-address-on-v4-socket", || s.connect(("::1", 80, 0, 0)));
            show("empty-host-connect", || s.connect(("", 80)));
            show("nul-in-host", || s.connect(("127.0.0.1\0", 80)));
            show("long-host", || s.connect(("a".repeat(5000), 80)));
            show("unresolvable-name", || {
                s.connect(("no-such-host.invalid", 80))
            });
            show("unix-address-on-inet", || s.connect("/tmp/nothing"));
            show("negative-timeout", || s.settimeout(Some(-1.0)));
            show("nan-timeout", || s.settimeout(Some(f64::NAN)));
            show("huge-backlog", || s.listen(i32::MAX));
            let s6 = must("socket", socket(AF_INET6, SOCK_DGRAM, 0));
            show("v4-address-on-v6-socket", || {
                s6.sendto(b"x", ("127.0.0.1", 9))
            });
            show("bad-scope", || s6.sendto(b"x", ("::1%nosuchif", 9)));
            show("raw-socket", || socket(AF_INET, SOCK_RAW, 1).map(|_| ()));
            show("unix-socket", || {
                socket(AF_UNIX, SOCK_STREAM, 0).map(|_| ())
            });
            show("bad-protocol", || {
                socket(AF_INET, SOCK_STREAM, 99999).map(|_| ())
            });
            println!("done");
        }
        Some("bad-handle") => {
            // A handle the guest never received: the host must trap the
            // guest cleanly (never panic).
            let bogus = unsafe { raw::wasock::socket::socket::Socket::from_handle(0x7fff_fff0) };
            let r = bogus.recv(10, raw::wasock::socket::types::MsgFlags::empty());
            println!("unexpectedly returned {:?}", r.map(|d| d.len()));
        }
        Some("send-bad-handle") => {
            // The sending calls read the guest's bytes in place: a forged
            // handle must still trap before anything is sent.
            let bogus = unsafe { raw::wasock::socket::socket::Socket::from_handle(0x7fff_fff0) };
            let r = bogus.send_all(b"x", raw::wasock::socket::types::MsgFlags::empty());
            println!("unexpectedly returned {r:?}");
        }
        Some("send-bad-range") => {
            // A list that runs past the end of linear memory: the host must
            // trap the guest, never read outside it.
            let s = raw::wasock::socket::socket::Socket::open(
                raw::wasock::socket::types::AddressFamily::Inet,
                raw::wasock::socket::types::SocketType::Dgram,
                0,
            )
            .expect("open");
            // SAFETY: never dereferenced by the guest; only its address
            // and length cross to the host, which must refuse them.
            let past_end =
                unsafe { std::slice::from_raw_parts(0xffff_0000usize as *const u8, 0x2_0000) };
            let r = s.send(past_end, raw::wasock::socket::types::MsgFlags::empty());
            println!("unexpectedly returned {r:?}");
        }
        Some("latin1-bad-handle") => {
            // The Latin-1 sends read the guest's text in place too.
            let bogus = unsafe { raw::wasock::socket::socket::Socket::from_handle(0x7fff_fff0) };
            let r = raw::wasock::socket::latin1::send_all(
                &bogus,
                "x",
                raw::wasock::socket::types::MsgFlags::empty(),
            );
            println!("unexpectedly returned {r:?}");
        }
        Some(mode @ ("latin1-bad-range" | "latin1-bad-utf8")) => {
            let s = raw::wasock::socket::socket::Socket::open(
                raw::wasock::socket::types::AddressFamily::Inet,
                raw::wasock::socket::types::SocketType::Dgram,
                0,
            )
            .expect("open");
            let bad_utf8 = [b'a', 0xC3, 0x28, 0xFF];
            // Text a hostile guest in another language could pass. Never
            // read as text here: only its address and length cross to the
            // host (wit-bindgen lowers a &str as both), which must check
            // the range and the encoding, and trap.
            // SAFETY: not sound Rust (an invalid &str), and never used as
            // one; black_box keeps the compiler from reasoning about it.
            let text = unsafe {
                if mode == "latin1-bad-range" {
                    std::str::from_utf8_unchecked(std::slice::from_raw_parts(
                        0xffff_0000usize as *const u8,
                        0x2_0000,
                    ))
                } else {
                    std::str::from_utf8_unchecked(std::hint::black_box(&bad_utf8))
                }
            };
            let r = raw::wasock::socket::latin1::send_to(
                &s,
                text,
                raw::wasock::socket::types::MsgFlags::empty(),
                &raw::wasock::socket::types::SocketAddress::Inet(
                    raw::wasock::socket::types::Ipv4SocketAddress {
                        address: (127, 0, 0, 1),
                        port: 9,
                    },
                ),
            );
            println!("unexpectedly returned {r:?}");
        }
        Some("fd-limit") => {
            let mut held = Vec::new();
            for _ in 0..100 {
                match socket(AF_INET, SOCK_DGRAM, 0) {
                    Ok(s) => held.push(s),
                    Err(e) => {
                        println!("opened {} then {}", held.len(), wasock_test_guests::exc(&e));
                        break;
                    }
                }
            }
            held.clear();
            show("after-close", || socket(AF_INET, SOCK_DGRAM, 0).map(|_| ()));
        }
        other => {
            eprintln!("unknown mode {other:?}");
            std::process::exit(2);
        }
    }
}
