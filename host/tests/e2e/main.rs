//! End-to-end tests: real guest components (built for wasm32-wasip2) run
//! under the wasock host over real loopback sockets.

mod support;

mod behaviour;
mod cli;
mod compat;
mod conformance;
mod edges;
mod embedding;
mod embedding_examples;
mod escape;
mod examples;
mod families;
mod fuzz;
mod hostile;
mod limits;
mod multicast;
mod netdb;
mod options;
mod policy;
mod policy_cli;
mod python;
mod python_cli;
mod recv_direct;
mod reliability;
mod sec;
mod soak;
mod std_io;
mod unix;
