//! The host boundary under arbitrary call sequences, as a property test
//! with shrinking. proptest generates inputs (a header byte and one frame
//! of bytes per call, see `fuzz/calls`), the `fuzz` guest decodes them with
//! `arbitrary` into calls (odd families and types, wrong states, huge and
//! zero sizes, bad addresses and option values, select, sendmsg with
//! arbitrary control data and SCM_RIGHTS, sometimes a forged handle at the
//! end; sync or async embedding) and plays them under a narrow policy. The
//! harness shared with the fuzz runner (`wasock_fuzz::Harness`) checks
//! after every input, from outside:
//! - the host never panics (the guest ends normally, or traps only at the
//!   forged handle);
//! - no descriptor leaks (`/proc/self/fd`, in a process of its own);
//! - the socket limit holds (the guest never holds more than the policy's
//!   `max-sockets`);
//! - nothing the policy denies reaches the kernel: native observers on the
//!   denied TCP and UDP ports (127.0.0.1, 127.0.0.2, ::1) see no
//!   connection and no datagram.
//!
//! On a failure proptest shrinks the input (fewer calls, plainer
//! arguments) and the test prints the shortest failing sequence as calls,
//! with the input as hex and the guest's trace of it. The fuzz runner
//! (`cargo run -p wasock-fuzz`) checks the same properties for as long as
//! asked.

use crate::support::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestError, TestRng, TestRunner};
use std::cell::Cell;
use std::fmt;
use wasock_fuzz::calls::{self, Addr, Call, Port, Program};
use wasock_fuzz::Harness;

/// Inputs per run of the property test.
const CASES: u32 = 64;
/// The most calls in one input (proptest picks 0 to this many).
const CALLS: usize = 500;
/// The fixed seed: the test plays the same inputs every time (the runner
/// explores new ones).
const SEED: [u8; 32] = *b"wasock fuzz property test seed 1";

/// An input: the bytes the guest decodes; shown as its calls.
#[derive(Clone)]
struct Input(Vec<u8>);

impl fmt::Debug for Input {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", Program::decode(&self.0))
    }
}

/// A header byte and up to `max` frames of bytes. Shrinking removes
/// frames (calls) and lowers bytes, which makes each call plainer (the
/// zero frame is `Socket { family: Inet, kind: Stream, proto: Zero }`).
fn inputs(max: usize) -> impl Strategy<Value = Input> {
    (
        any::<u8>(),
        prop::collection::vec(
            prop::collection::vec(any::<u8>(), 0..=calls::MAX_FRAME),
            0..=max,
        ),
    )
        .prop_map(|(header, frames)| Input(calls::encode(header, &frames)))
}

/// A runner for `cases` inputs from the fixed seed: shrinking bounded in
/// steps and time, nothing written to the source tree.
fn runner(cases: u32) -> TestRunner {
    let config = Config {
        cases,
        max_shrink_iters: 4000,
        max_shrink_time: 60_000,
        failure_persistence: None,
        ..Config::default()
    };
    TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &SEED))
}

fn harness() -> Harness {
    Harness::new(engine(), &component("fuzz")).expect("fuzz harness")
}

#[test]
fn arbitrary_call_sequences_keep_every_property() {
    if !alone("fuzz::arbitrary_call_sequences_keep_every_property") {
        return;
    }
    let h = harness();
    let result = runner(CASES).run(&inputs(CALLS), |input| {
        h.check(&input.0)
            .map(|_| ())
            .map_err(|why| TestCaseError::fail(why.lines().next().unwrap_or("").to_string()))
    });
    match result {
        Ok(()) => {}
        Err(TestError::Fail(why, minimal)) => panic!(
            "a property failed: {why}\nthe shortest failing sequence found: {}",
            h.report(&minimal.0)
        ),
        Err(e) => panic!("{e}"),
    }
}

/// Whether a call connects to the allowed port.
fn reaches_allowed(c: &Call) -> bool {
    matches!(c, Call::Connect { .. } | Call::ConnectEx { .. })
        && c.destination().and_then(Addr::port) == Some(Port::Allowed)
}

/// Shrinking works with the real guest and host: under a property that is
/// false on purpose ("no connection reaches the allowed listener",
/// observed natively), proptest's first failing input is a long sequence
/// and the one it reports is the few calls that open a socket and connect
/// to the allowed port.
#[test]
fn a_failure_shrinks_to_the_few_calls_that_cause_it() {
    let h = harness();
    let first_failing = Cell::new(None);
    let result = runner(CASES).run(&inputs(CALLS), |input| {
        let run = h.run(&input.0, false);
        // A handshake the kernel finishes late is not blamed on the next
        // input: a run that seems to pass is looked at again for a moment
        // (few runs pass while shrinking, so this costs little).
        let mut connections = h.allowed_connections();
        for _ in 0..10 {
            if connections > 0 {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
            connections = h.allowed_connections();
        }
        if connections == 0 {
            return Ok(());
        }
        if first_failing.get().is_none() {
            first_failing.set(Some(run.program.calls.len()));
        }
        Err(TestCaseError::fail(format!(
            "{connections} connection(s) reached the allowed listener"
        )))
    });
    let Err(TestError::Fail(_, minimal)) = result else {
        panic!("no input made a connection to the allowed port: {result:?}");
    };
    let program = Program::decode(&minimal.0);
    let first = first_failing.get().expect("a failing input was seen");
    eprintln!("shrunk from {first} calls to: {program}");
    assert!(
        program.calls.len() <= 3 && program.calls.len() < first,
        "not shrunk (the first failing input had {first} calls): {program}"
    );
    assert!(
        program.calls.iter().any(reaches_allowed),
        "the shrunk sequence does not connect to the allowed port: {program}"
    );
}
