//! End-to-end tests: real guest components (built for wasm32-wasip2) run
//! under the wasock host over real loopback sockets.

mod support;

mod behaviour;
mod cli;
mod edges;
mod embedding;
mod embedding_examples;
mod escape;
mod examples;
mod hostile;
mod limits;
mod netdb;
mod policy;
mod policy_cli;
mod unix;
