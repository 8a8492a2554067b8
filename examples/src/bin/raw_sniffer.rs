//! The Python `socket` docs' raw-socket sniffer, in its Linux form. The
//! docs' example is for Windows (`SIO_RCVALL`); on Linux the same idea is a
//! packet socket:
//!
//! ```python
//! ETH_P_ALL = 3
//! # a packet socket for every protocol, on the loopback interface
//! s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
//! s.bind(('lo', ETH_P_ALL))
//! # make some traffic to capture: a datagram to ourselves
//! u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
//! u.sendto(b'sniff me', ('127.0.0.1', PORT))
//! # receive packets until ours shows up
//! while True:
//!     frame, addr = s.recvfrom(65565)
//!     ...  # Ethernet + IPv4 + UDP headers, then the payload
//! ```
//!
//! Usage: `raw_sniffer [PORT]` (default 50007). Needs a policy granting the
//! `packet` family, sending to 127.0.0.1:PORT, and the `lo` interface
//! visible.

use std::process::ExitCode;
use wasock::{htons, repr_bytes, socket, Address, AF_INET, AF_PACKET, SOCK_DGRAM, SOCK_RAW};
use wasock_examples::{port_arg, run};

const ETH_P_ALL: u16 = 3;

fn main() -> ExitCode {
    let port = port_arg(1, 50007);
    run(|| {
        // A packet socket for every protocol, on the loopback interface.
        let s = socket(AF_PACKET, SOCK_RAW, i32::from(htons(ETH_P_ALL)))?;
        s.bind(Address::packet("lo", ETH_P_ALL, 0, 0, b""))?;
        s.settimeout(Some(10.0))?;
        // Make some traffic to capture: a datagram to ourselves.
        let u = socket(AF_INET, SOCK_DGRAM, 0)?;
        u.sendto(b"sniff me", ("127.0.0.1", port))?;
        // Receive packets until ours shows up (at most 100).
        for _ in 0..100 {
            let (frame, addr) = s.recvfrom(65565)?;
            // Ethernet header (14 bytes; all zero on loopback), then IPv4.
            if frame.len() < 14 + 20 + 8 || frame[12..14] != [0x08, 0x00] {
                continue;
            }
            let ip = &frame[14..];
            let ihl = usize::from(ip[0] & 15) * 4;
            if ip[9] != 17 || ip.len() < ihl + 8 {
                continue;
            }
            let udp = &ip[ihl..];
            let dport = u16::from_be_bytes([udp[2], udp[3]]);
            if dport != port {
                continue;
            }
            println!(
                "Captured {} bytes from {}: IPv4 UDP {}.{}.{}.{} -> {}.{}.{}.{}:{} payload {}",
                frame.len(),
                addr,
                ip[12],
                ip[13],
                ip[14],
                ip[15],
                ip[16],
                ip[17],
                ip[18],
                ip[19],
                dport,
                repr_bytes(&udp[8..])
            );
            return Ok(());
        }
        println!("nothing captured");
        Ok(())
    })
}
