//! The Python `socket` docs' second "Echo server program" (IPv4 and
//! IPv6), ported:
//!
//! ```python
//! HOST = None               # Symbolic name meaning all available interfaces
//! PORT = 50007              # Arbitrary non-privileged port
//! s = None
//! for res in socket.getaddrinfo(HOST, PORT, socket.AF_UNSPEC,
//!                               socket.SOCK_STREAM, 0, socket.AI_PASSIVE):
//!     af, socktype, proto, canonname, sa = res
//!     try:
//!         s = socket.socket(af, socktype, proto)
//!     except OSError as msg:
//!         s = None
//!         continue
//!     try:
//!         s.bind(sa)
//!         s.listen(1)
//!     except OSError as msg:
//!         s.close()
//!         s = None
//!         continue
//!     break
//! if s is None:
//!     print('could not open socket')
//!     sys.exit(1)
//! conn, addr = s.accept()
//! with conn:
//!     print('Connected by', addr)
//!     while True:
//!         data = conn.recv(1024)
//!         if not data: break
//!         conn.send(data)
//! ```
//!
//! Usage: `echo_server_dualstack [HOST [PORT]]` (default: no host, i.e.
//! all interfaces, port 50007; an empty HOST also means none).

use std::process::ExitCode;
use wasock::{getaddrinfo, socket, Socket, AF_UNSPEC, AI_PASSIVE, SOCK_STREAM};
use wasock_examples::{arg, port_arg, run};

fn main() -> ExitCode {
    let host = arg(1, ""); // Symbolic name meaning all available interfaces
    let host = (!host.is_empty()).then_some(host);
    let port = port_arg(2, 50007).to_string(); // Arbitrary non-privileged port
    run(|| {
        let mut s: Option<Socket> = None;
        for res in getaddrinfo(
            host.as_deref(),
            Some(&port),
            AF_UNSPEC,
            SOCK_STREAM,
            0,
            AI_PASSIVE,
        )? {
            let sock = match socket(res.family, res.type_, res.proto) {
                Ok(sock) => sock,
                Err(_msg) => continue,
            };
            if let Err(_msg) = sock.bind(&res.sockaddr).and_then(|()| sock.listen(1)) {
                sock.close();
                continue;
            }
            s = Some(sock);
            break;
        }
        let Some(s) = s else {
            println!("could not open socket");
            std::process::exit(1);
        };
        let (conn, addr) = s.accept()?;
        println!("Connected by {addr}");
        loop {
            let data = conn.recv(1024)?;
            if data.is_empty() {
                break;
            }
            conn.send(&data)?;
        }
        Ok(())
    })
}
