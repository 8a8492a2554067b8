//! Shared glue for the example programs: argument handling and Python-style
//! error reporting.

use std::process::ExitCode;

/// `argv[i]` if given, else `default`.
pub fn arg(i: usize, default: &str) -> String {
    std::env::args()
        .nth(i)
        .unwrap_or_else(|| default.to_owned())
}

/// `argv[i]` parsed as a port, else `default`.
pub fn port_arg(i: usize, default: u16) -> u16 {
    match std::env::args().nth(i) {
        Some(p) => p.parse().unwrap_or_else(|_| {
            eprintln!("ValueError: invalid port {p:?}");
            std::process::exit(1)
        }),
        None => default,
    }
}

/// Runs an example body: on error prints the last line of the traceback
/// Python would print (`ConnectionRefusedError: [Errno 111] Connection
/// refused`) to stderr and exits with status 1.
pub fn run(body: impl FnOnce() -> wasock::Result<()>) -> ExitCode {
    match body() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}: {}", e.kind().qualified_name(), e);
            ExitCode::FAILURE
        }
    }
}
