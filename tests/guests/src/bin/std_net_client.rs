//! A guest that uses Rust's `std::net` (wasi:sockets, not wasock): connects
//! to argv[1] (`host:port`), sends `ping`, prints the reply. The host's
//! policy governs it too.
use std::io::{Read, Write};
use std::net::TcpStream;

fn main() {
    let target = std::env::args().nth(1).unwrap_or_default();
    match TcpStream::connect(&target) {
        Ok(mut s) => {
            s.write_all(b"ping").unwrap();
            let mut buf = [0u8; 4];
            s.read_exact(&mut buf).unwrap();
            println!("reply {}", String::from_utf8_lossy(&buf));
        }
        Err(e) => {
            println!("error {:?}", e.kind());
            std::process::exit(1);
        }
    }
}
