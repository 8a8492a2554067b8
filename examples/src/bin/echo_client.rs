//! The Python `socket` docs' IPv4 "Echo client program", ported:
//!
//! ```python
//! HOST = 'daring.domain.name'    # The remote host
//! PORT = 50007              # The same port as used by the server
//! with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
//!     s.connect((HOST, PORT))
//!     s.sendall(b'Hello, world')
//!     data = s.recv(1024)
//! print('Received', repr(data))
//! ```
//!
//! Usage: `echo_client [HOST [PORT]]` (default `127.0.0.1 50007`).

use std::process::ExitCode;
use wasock::{repr_bytes, socket, AF_INET, SOCK_STREAM};
use wasock_examples::{arg, port_arg, run};

fn main() -> ExitCode {
    let host = arg(1, "127.0.0.1"); // The remote host
    let port = port_arg(2, 50007); // The same port as used by the server
    run(|| {
        let data = {
            let s = socket(AF_INET, SOCK_STREAM, 0)?;
            s.connect((host.as_str(), port))?;
            s.sendall(b"Hello, world")?;
            s.recv(1024)?
        };
        println!("Received {}", repr_bytes(&data));
        Ok(())
    })
}
