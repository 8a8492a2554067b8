//! Exits with the status in argv[1] through wasi:cli's `exit-with-code`
//! (wasi:cli 0.2.12), which carries the code itself (Rust's
//! `std::process::exit` reports only success or failure).
mod wasi_exit {
    wit_bindgen::generate!({
        path: [],
        inline: r#"
            package wasi:cli@0.2.12;
            interface exit {
                exit: func(status: result);
                exit-with-code: func(status-code: u8);
            }
            world exits {
                import exit;
            }
        "#,
    });
}

fn main() {
    let code = std::env::args()
        .nth(1)
        .and_then(|a| a.parse::<u8>().ok())
        .unwrap_or(3);
    wasi_exit::wasi::cli::exit::exit_with_code(code);
}
