//! End-to-end tests: real guest components (built for wasm32-wasip2) run
//! under the wasock host over real loopback sockets.

mod support;

mod behaviour;
mod embedding;
mod escape;
mod examples;
mod hostile;
mod limits;
mod policy;
mod policy_cli;
