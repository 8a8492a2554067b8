//! The benchmark client over `std::net` (wasi:sockets), as a guest.
#[path = "../../../src/std_client.rs"]
mod std_client;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match std_client::run(&args) {
        Ok(v) => println!("result {v}"),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
