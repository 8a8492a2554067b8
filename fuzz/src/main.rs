//! The fuzz runner: random inputs (seeded random bytes, decoded with
//! `arbitrary` into call sequences, see `fuzz/calls`) played by the `fuzz`
//! guest against the wasock host, sync and async embeddings, for a fixed
//! time, checking after every input the properties of the harness
//! (`src/lib.rs`): no host panic, no descriptor leak, never more sockets
//! than the policy's limit, nothing at the native observers on the denied
//! ports.
//!
//! On a failure the input is saved (`failure-<seed>.bin` in the output
//! directory), minimised (frame by frame, bounded) and saved again
//! (`failure-<seed>-min.bin`), and the minimised input is printed as calls
//! with the guest's trace of it; exits 1. The input being run is always in
//! `current.bin` too, for a failure that kills the process.
//!
//! Usage: `wasock-fuzz [--seconds N] [--calls N] [--seed N] [--wasm PATH]
//! [--out DIR] [--no-minimise]`; `wasock-fuzz --replay FILE` runs one
//! saved input again (printed as calls, with its trace; exits 1 if it
//! fails); `wasock-fuzz --minimise FILE` minimises a failing input (a
//! runner's or libFuzzer's) into `FILE.min`. Defaults: 10 s, 1000 calls per input, from seed 1, the guest at
//! `$CARGO_TARGET_DIR` (default `target`) + `/wasm32-wasip2/release/fuzz.wasm`,
//! output in `$CARGO_TARGET_DIR/fuzz`.
//!
//! libFuzzer-free (the CI toolchain is stable): a seed replays an input
//! exactly. The coverage-guided form is the `cargo fuzz` target in
//! `fuzz/libfuzzer` (docs/fuzzing.md).

use std::path::PathBuf;
use std::time::{Duration, Instant};
use wasock_fuzz::calls::Program;
use wasock_fuzz::{minimise, open_fds, Bytes, Harness};

fn fail(msg: &str) -> ! {
    eprintln!("wasock-fuzz: FAILED: {msg}");
    std::process::exit(1)
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or_default()
}

fn save(path: &PathBuf, data: &[u8]) {
    if let Err(e) = std::fs::write(path, data) {
        eprintln!("wasock-fuzz: cannot write {}: {e}", path.display());
    }
}

fn main() {
    let mut seconds = 10u64;
    let mut calls = 1000usize;
    let mut seed = 1u64;
    let mut replay = None;
    let mut shrink = None;
    let mut minimising = true;
    let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
    let mut wasm = format!("{target}/wasm32-wasip2/release/fuzz.wasm");
    let mut out = PathBuf::from(&target).join("fuzz");
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || {
            args.next()
                .unwrap_or_else(|| fail(&format!("{a} needs a value")))
        };
        match a.as_str() {
            "--seconds" => seconds = val().parse().unwrap_or_else(|_| fail("--seconds")),
            "--calls" | "--steps" => calls = val().parse().unwrap_or_else(|_| fail("--calls")),
            "--seed" => seed = val().parse().unwrap_or_else(|_| fail("--seed")),
            "--wasm" => wasm = val(),
            "--out" => out = PathBuf::from(val()),
            "--replay" => replay = Some(val()),
            "--minimise" => shrink = Some(val()),
            "--no-minimise" => minimising = false,
            other => fail(&format!("unknown argument {other}")),
        }
    }
    let harness = Harness::from_file(&wasm).unwrap_or_else(|e| fail(&e));

    if let Some(file) = shrink {
        let input = std::fs::read(&file).unwrap_or_else(|e| fail(&format!("{file}: {e}")));
        if let Err(why) = harness.check(&input) {
            eprintln!(
                "wasock-fuzz: {file} fails: {}; minimising…",
                first_line(&why)
            );
            let small = minimise(
                &input,
                |i| harness.check(i).is_err(),
                4000,
                Duration::from_secs(120),
            );
            let path = PathBuf::from(format!("{file}.min"));
            save(&path, &small);
            let why = harness.check(&small).err().unwrap_or(why);
            println!("{}\n{}", first_line(&why), harness.report(&small));
            println!("wasock-fuzz: saved to {}", path.display());
        } else {
            println!("wasock-fuzz: {file} passes: nothing to minimise");
        }
        return;
    }

    if let Some(file) = replay {
        let input = std::fs::read(&file).unwrap_or_else(|e| fail(&format!("{file}: {e}")));
        let result = harness.check(&input);
        println!("{}", harness.report(&input));
        match result {
            Ok(seen) => println!("wasock-fuzz: {file} passes ({seen:?})"),
            Err(e) => fail(&format!("{file}: {e}")),
        }
        return;
    }

    if let Err(e) = std::fs::create_dir_all(&out) {
        fail(&format!("{}: {e}", out.display()));
    }
    let current = out.join("current.bin");
    let start = Instant::now();
    let first = seed;
    let mut sequences = 0u64;
    let mut most_open = 0;
    while start.elapsed() < Duration::from_secs(seconds) {
        let input = Bytes::new(seed).input(calls);
        save(&current, &input);
        match harness.check(&input) {
            Ok(seen) => most_open = most_open.max(seen.max_open),
            Err(why) => {
                let saved = out.join(format!("failure-{seed}.bin"));
                save(&saved, &input);
                eprintln!(
                    "wasock-fuzz: seed {seed} failed: {why}\n(input saved to {}; minimising…)",
                    saved.display()
                );
                let small = if minimising {
                    minimise(
                        &input,
                        |i| harness.check(i).is_err(),
                        4000,
                        Duration::from_secs(120),
                    )
                } else {
                    input.clone()
                };
                let min_path = out.join(format!("failure-{seed}-min.bin"));
                save(&min_path, &small);
                let why = harness.check(&small).err().unwrap_or(why);
                eprintln!(
                    "wasock-fuzz: the shortest failing input found ({} calls, from {}): {}\n{}\nreplay: wasock-fuzz --replay {}",
                    Program::decode(&small).calls.len(),
                    Program::decode(&input).calls.len(),
                    first_line(&why),
                    harness.report(&small),
                    min_path.display()
                );
                fail(&format!("seed {seed}"));
            }
        }
        seed += 1;
        sequences += 1;
    }
    let _ = std::fs::remove_file(&current);
    println!(
        "wasock-fuzz: {sequences} sequences of {calls} calls (seeds {first} to {}), {:.1} s: no panic, no leak ({} fds), limit held (at most {most_open} open), nothing denied arrived",
        seed - 1,
        start.elapsed().as_secs_f64(),
        open_fds()
    );
}
