//! The `wasock` command line tool's parts (the binary crate only; the
//! library knows nothing of them): `run` (logging, loading a component
//! with hints, guest environment, exit statuses, `wasock compile`),
//! `policy_flags` (the policy flags of `wasock run` and `wasock policy
//! check`) and `python` (Python programs and the `wasock py` cache).
//!
//! May import the library (`wasock_host`), and `python` may import `run`;
//! `main.rs` composes them.

pub mod policy_flags;
pub mod python;
pub mod run;
