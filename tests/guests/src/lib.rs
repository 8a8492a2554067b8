//! Shared helpers for the guest test programs: print results the way the
//! Python reference scripts in `tests/python/` print them, so that the host
//! tests can compare the two line by line.

use wasock::{AddrInfo, Address, Error};

/// Python's `repr()` of a value.
pub trait Repr {
    /// The text Python's `repr()` gives.
    fn repr(&self) -> String;
}

impl Repr for () {
    fn repr(&self) -> String {
        "None".into()
    }
}

impl Repr for bool {
    fn repr(&self) -> String {
        if *self { "True" } else { "False" }.into()
    }
}

macro_rules! int_repr {
    ($($t:ty),*) => {$(
        impl Repr for $t {
            fn repr(&self) -> String {
                self.to_string()
            }
        }
    )*};
}
int_repr!(i32, u16, u32, usize, u64);

impl Repr for f64 {
    fn repr(&self) -> String {
        format!("{self:?}")
    }
}

impl Repr for String {
    fn repr(&self) -> String {
        format!("'{self}'")
    }
}

impl Repr for Vec<u8> {
    fn repr(&self) -> String {
        wasock::repr_bytes(self)
    }
}

impl Repr for Address {
    fn repr(&self) -> String {
        self.to_string()
    }
}

impl<T: Repr> Repr for Option<T> {
    fn repr(&self) -> String {
        match self {
            Some(v) => v.repr(),
            None => "None".into(),
        }
    }
}

impl<A: Repr, B: Repr> Repr for (A, B) {
    fn repr(&self) -> String {
        format!("({}, {})", self.0.repr(), self.1.repr())
    }
}

impl Repr for AddrInfo {
    fn repr(&self) -> String {
        format!(
            "({}, {}, {}, {}, {})",
            self.family,
            self.type_,
            self.proto,
            self.canonname.repr(),
            self.sockaddr.repr()
        )
    }
}

impl<T: Repr> Repr for Vec<T>
where
    T: NotByte,
{
    fn repr(&self) -> String {
        let items: Vec<String> = self.iter().map(Repr::repr).collect();
        format!("[{}]", items.join(", "))
    }
}

/// Element types whose `Vec` prints as a Python list (not `bytes`).
pub trait NotByte {}
impl NotByte for AddrInfo {}
impl NotByte for String {}
impl NotByte for usize {}

/// Python's `type(e).__name__: str(e)`.
pub fn exc(e: &Error) -> String {
    format!("{}: {}", e.kind().name(), e)
}

/// Runs one step and prints `name: ok <repr>` or `name: <Exception>: <message>`.
pub fn show<T: Repr>(name: &str, f: impl FnOnce() -> wasock::Result<T>) {
    match f() {
        Ok(v) => println!("{name}: ok {}", v.repr()),
        Err(e) => println!("{name}: {}", exc(&e)),
    }
}

/// Unwraps a setup step, exiting with a message on failure.
pub fn must<T>(what: &str, r: wasock::Result<T>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => {
            eprintln!("{what}: {}", exc(&e));
            std::process::exit(3)
        }
    }
}
