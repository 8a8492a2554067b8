//! Ends as argv[1] says, for the CLI's exit-status and error-text tests:
//!
//! - `panic`: a Rust panic (a trap);
//! - `exit3`: `std::process::exit(3)`;
//! - `denied PORT`: `main` returns the error of a connect the policy
//!   refuses, as a Rust program's `main` returns errors;
//! - `connect-ex PORT`: prints what `connect_ex` returns;
//! - `env NAME`: prints the environment variable (or `<unset>`).
use wasock::{socket, AF_INET, SOCK_STREAM};

fn main() -> wasock::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |i: usize| args.get(i).map(String::as_str).unwrap_or("");
    let port = || arg(2).parse::<u16>().unwrap_or(1);
    match arg(1) {
        "panic" => panic!("the guest panics on purpose"),
        "exit3" => std::process::exit(3),
        "denied" => {
            let s = socket(AF_INET, SOCK_STREAM, 0)?;
            s.connect(("127.0.0.1", port()))?;
        }
        "connect-ex" => {
            let s = socket(AF_INET, SOCK_STREAM, 0)?;
            println!("connect_ex {}", s.connect_ex(("127.0.0.1", port()))?);
        }
        "env" => println!(
            "{}",
            std::env::var(arg(2)).unwrap_or_else(|_| "<unset>".into())
        ),
        other => println!("unknown mode {other:?}"),
    }
    Ok(())
}
