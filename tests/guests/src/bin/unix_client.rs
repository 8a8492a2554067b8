//! An AF_UNIX stream client: connects to PATH (relative to the directory
//! the host granted), sends MESSAGE, prints the reply as Python's `repr`.
//! Exits 1 with the error when a call fails (a policy denial included).
//! Usage: `unix_client PATH MESSAGE`.
use std::process::ExitCode;
use wasock::*;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (path, message) = match args.as_slice() {
        [_, p, m] => (p.clone(), m.clone()),
        _ => {
            eprintln!("usage: unix_client PATH MESSAGE");
            return ExitCode::from(2);
        }
    };
    let exchange = || -> Result<Vec<u8>> {
        let s = socket(AF_UNIX, SOCK_STREAM, 0)?;
        s.connect(path.as_str())?;
        s.sendall(message.as_bytes())?;
        s.recv(1024)
    };
    match exchange() {
        Ok(reply) => {
            println!("Received {}", repr_bytes(&reply));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("unix_client: {e}");
            ExitCode::FAILURE
        }
    }
}
