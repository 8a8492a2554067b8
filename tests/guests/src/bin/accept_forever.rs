//! Binds 127.0.0.1 on a free port, prints `listening PORT`, and blocks in
//! accept (used to load an async host with waiting guests).
use wasock::*;
use wasock_test_guests::must;

fn main() {
    let s = must("socket", socket(AF_INET, SOCK_STREAM, 0));
    must("bind", s.bind(("127.0.0.1", 0)));
    must("listen", s.listen(1));
    let port = must("getsockname", s.getsockname()).port().unwrap_or(0);
    println!("listening {port}");
    let (_conn, addr) = must("accept", s.accept());
    println!("accepted {addr}");
}
