//! End-to-end tests: real guest components (built for wasm32-wasip2) run
//! under the wasock host over real loopback sockets.

mod support;

mod behaviour;
mod conformance;
mod embedding;
mod escape;
mod examples;
mod fuzz;
mod hostile;
mod netdb;
mod policy;
mod reliability;
mod soak;
mod unix;
