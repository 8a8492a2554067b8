//! The Python `socket` docs' SO_REUSEADDR example, made runnable:
//!
//! ```python
//! s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
//! s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
//! s.bind((HOST, PORT))
//! ```
//!
//! The server binds, listens, accepts one connection, echoes one message
//! and closes first (so the connection sits in TIME_WAIT on this port),
//! then does it all again on the same port at once: without SO_REUSEADDR
//! the second bind would fail with `[Errno 98] Address already in use`.
//!
//! Usage: `reuseaddr [HOST [PORT [ROUNDS]]]` (default `127.0.0.1 50007 2`);
//! a client must connect once per round (e.g. `echo_client`).

use std::process::ExitCode;
use wasock::{repr_bytes, socket, AF_INET, SOCK_STREAM, SOL_SOCKET, SO_REUSEADDR};
use wasock_examples::{arg, port_arg, run};

fn main() -> ExitCode {
    let host = arg(1, "127.0.0.1");
    let port = port_arg(2, 50007);
    let rounds: u32 = arg(3, "2").parse().unwrap_or(2);
    run(|| {
        for round in 1..=rounds {
            let s = socket(AF_INET, SOCK_STREAM, 0)?;
            s.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)?;
            s.bind((host.as_str(), port))?;
            s.listen(1)?;
            println!(
                "round {round}: bound {} with SO_REUSEADDR={}",
                s.getsockname()?,
                s.getsockopt(SOL_SOCKET, SO_REUSEADDR)?
            );
            let (conn, addr) = s.accept()?;
            println!("round {round}: connected by {addr}");
            let data = conn.recv(1024)?;
            conn.sendall(&data)?;
            println!("round {round}: echoed {}", repr_bytes(&data));
            // Close the connection first: the server side keeps the port in
            // TIME_WAIT, which is what SO_REUSEADDR lets the next bind ignore.
            conn.close();
            s.close();
            println!("round {round}: closed");
        }
        Ok(())
    })
}
