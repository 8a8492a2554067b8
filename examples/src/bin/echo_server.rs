//! The Python `socket` docs' IPv4 "Echo server program", ported:
//!
//! ```python
//! HOST = ''                 # Symbolic name meaning all available interfaces
//! PORT = 50007              # Arbitrary non-privileged port
//! with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
//!     s.bind((HOST, PORT))
//!     s.listen(1)
//!     conn, addr = s.accept()
//!     with conn:
//!         print('Connected by', addr)
//!         while True:
//!             data = conn.recv(1024)
//!             if not data: break
//!             conn.sendall(data)
//! ```
//!
//! Usage: `echo_server [HOST [PORT]]` (default `127.0.0.1 50007`).

use std::process::ExitCode;
use wasock::{socket, AF_INET, SOCK_STREAM};
use wasock_examples::{arg, port_arg, run};

fn main() -> ExitCode {
    let host = arg(1, "127.0.0.1"); // Symbolic name meaning the loopback interface
    let port = port_arg(2, 50007); // Arbitrary non-privileged port
    run(|| {
        let s = socket(AF_INET, SOCK_STREAM, 0)?;
        s.bind((host.as_str(), port))?;
        s.listen(1)?;
        let (conn, addr) = s.accept()?;
        println!("Connected by {addr}");
        loop {
            let data = conn.recv(1024)?;
            if data.is_empty() {
                break;
            }
            conn.sendall(&data)?;
        }
        Ok(())
    })
}
