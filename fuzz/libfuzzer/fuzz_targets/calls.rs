//! libFuzzer target: each input is played by the `fuzz` guest against the
//! wasock host (the harness in `fuzz/src/lib.rs`, shared with the timed
//! runner and the property test), and every property is checked after
//! it; a broken one panics with the input as calls and the guest's trace
//! of it, which libFuzzer records as a crash.
//!
//! The guest is `$WASOCK_FUZZ_WASM`, or `$CARGO_TARGET_DIR` (default
//! `target`) + `/wasm32-wasip2/release/fuzz.wasm`, built beforehand. The
//! input type prints as calls (`cargo fuzz fmt`), and an artifact is an
//! input the runner replays (`wasock-fuzz --replay FILE`). See
//! docs/fuzzing.md.
#![no_main]

use libfuzzer_sys::arbitrary::{self, Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use wasock_fuzz::calls::Program;
use wasock_fuzz::Harness;

/// The raw input; shown as its calls.
struct Input(Vec<u8>);

impl<'a> Arbitrary<'a> for Input {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(Input(u.bytes(u.len())?.to_vec()))
    }

    fn arbitrary_take_rest(u: Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(Input(u.take_rest().to_vec()))
    }
}

impl std::fmt::Debug for Input {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", Program::decode(&self.0))
    }
}

fn harness() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(|| {
        let wasm = std::env::var("WASOCK_FUZZ_WASM").unwrap_or_else(|_| {
            let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
            format!("{target}/wasm32-wasip2/release/fuzz.wasm")
        });
        Harness::from_file(&wasm).unwrap_or_else(|e| panic!("fuzz harness: {e}"))
    })
}

fuzz_target!(|input: Input| {
    let h = harness();
    if let Err(why) = h.check(&input.0) {
        panic!("{why}\n\nthe input as calls:\n{}", h.report(&input.0));
    }
});
