//! End-to-end tests: real guest components (built for wasm32-wasip2) run
//! under the wasock host over real loopback sockets.

mod support;

mod behaviour;
mod embedding;
mod escape;
mod examples;
mod families;
mod hostile;
mod multicast;
mod netdb;
mod options;
mod policy;
mod unix;
