//! The Python `socket` docs' second "Echo client program" (IPv4 and
//! IPv6), ported:
//!
//! ```python
//! HOST = 'daring.domain.name'    # The remote host
//! PORT = 50007              # The same port as used by the server
//! s = None
//! for res in socket.getaddrinfo(HOST, PORT, socket.AF_UNSPEC, socket.SOCK_STREAM):
//!     af, socktype, proto, canonname, sa = res
//!     try:
//!         s = socket.socket(af, socktype, proto)
//!     except OSError as msg:
//!         s = None
//!         continue
//!     try:
//!         s.connect(sa)
//!     except OSError as msg:
//!         s.close()
//!         s = None
//!         continue
//!     break
//! if s is None:
//!     print('could not open socket')
//!     sys.exit(1)
//! with s:
//!     s.sendall(b'Hello, world')
//!     data = s.recv(1024)
//! print('Received', repr(data))
//! ```
//!
//! Usage: `echo_client_dualstack [HOST [PORT]]` (default `localhost 50007`).

use std::process::ExitCode;
use wasock::{getaddrinfo, repr_bytes, socket, Socket, AF_UNSPEC, SOCK_STREAM};
use wasock_examples::{arg, port_arg, run};

fn main() -> ExitCode {
    let host = arg(1, "localhost"); // The remote host
    let port = port_arg(2, 50007).to_string(); // The same port as used by the server
    run(|| {
        let mut s: Option<Socket> = None;
        for res in getaddrinfo(Some(&host), Some(&port), AF_UNSPEC, SOCK_STREAM, 0, 0)? {
            let sock = match socket(res.family, res.type_, res.proto) {
                Ok(sock) => sock,
                Err(_msg) => continue,
            };
            if let Err(_msg) = sock.connect(&res.sockaddr) {
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
        let data = {
            s.sendall(b"Hello, world")?;
            let data = s.recv(1024)?;
            s.close();
            data
        };
        println!("Received {}", repr_bytes(&data));
        Ok(())
    })
}
