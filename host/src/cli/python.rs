//! Python guests: `wasock run app.py` and `wasock py build`.
//!
//! A Python program becomes a command component with componentize-py
//! (CPython 3.14 compiled to WebAssembly, pre-initialised): the program,
//! its own modules beside it, the packages of `--python-path` directories
//! and wasock's Python runtime (`python/`, embedded in this binary by
//! `build.rs`: `_socket` and `select` over the wasock WIT, installed
//! before anything imports `socket`) are bundled into one component whose
//! world is `python/wit/world.wit`.
//!
//! Packaging takes seconds, so `wasock run app.py` keeps what it made in a
//! cache (`$WASOCK_CACHE_DIR`, else `$XDG_CACHE_HOME/wasock`, else
//! `~/.cache/wasock`; under `python/`): the component and its compiled
//! form, named by a SHA-256 of everything bundled (this wasock's version,
//! the runtime, the program, its modules, the `--python-path` files), so
//! a changed program or module is packaged again and an unchanged one
//! starts from the compiled file at once.
//!
//! componentize-py is found as `$WASOCK_COMPONENTIZE_PY`, else in the
//! source tree's `.venv` (where `scripts/setup.sh` installs the pinned
//! version), else on `PATH`. It is run only to package; nothing is
//! downloaded at run time.

use anyhow::{bail, Context as _};
use std::hash::{Hash as _, Hasher as _};
use std::io::{IsTerminal as _, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use wasmtime::component::Component;
use wasmtime::Engine;

include!(concat!(env!("OUT_DIR"), "/python_files.rs"));

mod bundle;
use bundle::{cache_dir, write_atomically, Bundle};

/// The componentize-py version `scripts/setup.sh` installs and the runtime
/// is written for.
pub const COMPONENTIZE_PY_VERSION: &str = "0.25.1";

/// Most files bundled from the program's directory and `--python-path`.
const MAX_FILES: usize = 20_000;
/// Most bytes bundled from them.
const MAX_BYTES: u64 = 256 << 20;

/// Options of `wasock run` for Python programs.
#[derive(clap::Args, Debug, Default)]
pub struct PythonFlags {
    /// A directory of pure-Python packages to bundle with a Python program
    /// (`wasock run app.py`); may be repeated. Its files are on the guest's
    /// `sys.path` after the program's own directory.
    #[arg(long, value_name = "DIR")]
    pub python_path: Vec<PathBuf>,
}

/// `wasock py`: Python programs as guests.
#[derive(clap::Args)]
pub struct PyArgs {
    #[command(subcommand)]
    command: PyCommand,
}

#[derive(clap::Subcommand)]
enum PyCommand {
    /// Package a Python program as a guest component (then `wasock run
    /// app.wasm`); `wasock run app.py` does this itself and caches it.
    Build {
        /// The program.
        program: PathBuf,
        /// Where to write the component.
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
        #[command(flatten)]
        flags: PythonFlags,
    },
}

/// Whether `path` names a Python program (by its `.py` ending).
pub fn is_python(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "py")
}

/// Runs `wasock py …`.
pub fn py(args: &PyArgs) -> anyhow::Result<()> {
    match &args.command {
        PyCommand::Build {
            program,
            output,
            flags,
        } => {
            let bundle = Bundle::new(program, &flags.python_path)?;
            let dir = cache_dir()?;
            let wasm = bundle.packaged(&dir)?;
            std::fs::copy(&wasm, output)
                .with_context(|| format!("writing {}", output.display()))?;
            println!("{}: packaged into {}", program.display(), output.display());
            Ok(())
        }
    }
}

/// The component for a Python program: from the cache when nothing it
/// bundles changed, else packaged now (and cached).
pub fn component(
    engine: &Engine,
    program: &Path,
    flags: &PythonFlags,
) -> anyhow::Result<Component> {
    let bundle = Bundle::new(program, &flags.python_path)?;
    let dir = cache_dir()?;
    let compiled = dir.join(format!("{}-{}.cwasm", bundle.key, engine_key(engine)));
    if compiled.is_file() {
        // SAFETY: the file is one this function wrote (below) into the
        // user's own cache directory, for an engine of the same
        // configuration (its name carries the engine's compatibility
        // hash); wasmtime checks the header and refuses a mismatch,
        // which falls through to compiling again.
        match unsafe { Component::deserialize_file(engine, &compiled) } {
            Ok(c) => return Ok(c),
            Err(e) => tracing::info!("cached {} not usable: {e:?}", compiled.display()),
        }
    }
    let wasm = bundle.packaged(&dir)?;
    let bytes = std::fs::read(&wasm).with_context(|| format!("reading {}", wasm.display()))?;
    let code = crate::cli::run::wasmtime_err(engine.precompile_component(&bytes))
        .with_context(|| format!("compiling the packaged {}", program.display()))?;
    write_atomically(&compiled, &code)?;
    // SAFETY: as above; the bytes were just compiled by this engine.
    crate::cli::run::wasmtime_err(unsafe { Component::deserialize(engine, &code) })
}

/// A hex digest of what makes compiled code usable by `engine`.
fn engine_key(engine: &Engine) -> String {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut h);
    format!("{:016x}", h.finish())
}

/// The componentize-py executable (see the module docs).
fn componentize_py() -> anyhow::Result<PathBuf> {
    if let Some(p) = std::env::var_os("WASOCK_COMPONENTIZE_PY") {
        return Ok(PathBuf::from(p));
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/componentize-py");
    if venv.is_file() {
        return Ok(venv);
    }
    if let Some(path) = std::env::var_os("PATH") {
        for d in std::env::split_paths(&path) {
            let p = d.join("componentize-py");
            if p.is_file() {
                return Ok(p);
            }
        }
    }
    bail!(
        "packaging a Python program needs componentize-py {COMPONENTIZE_PY_VERSION}: run scripts/setup.sh \
         (it installs it into the source tree's .venv), or set WASOCK_COMPONENTIZE_PY to its path"
    )
}

/// Warns when componentize-py is not the version the runtime is written
/// for.
fn check_version(tool: &Path) {
    let out = Command::new(tool).arg("--version").output();
    let text = match &out {
        Ok(o) => String::from_utf8_lossy(&o.stdout).trim().to_string(),
        Err(_) => String::new(),
    };
    if !text.ends_with(COMPONENTIZE_PY_VERSION) {
        eprintln!(
            "wasock: warning: {} is {text:?}; wasock's Python runtime is written for componentize-py {COMPONENTIZE_PY_VERSION}",
            tool.display()
        );
    }
}

/// Runs componentize-py, showing progress on a terminal; on failure, its
/// Python error text without the Rust backtrace behind it.
fn run_tool(mut cmd: Command, program: &Path) -> anyhow::Result<()> {
    let tty = std::io::stderr().is_terminal();
    let started = Instant::now();
    if tty {
        eprint!(
            "wasock: packaging {} (CPython with componentize-py)…",
            program.display()
        );
    }
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("starting {:?}", cmd.get_program()))?;
    // Read both pipes on threads so neither fills while the other is read.
    let mut out_pipe = child.stdout.take();
    let mut err_pipe = child.stderr.take();
    let out_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        if let Some(p) = out_pipe.as_mut() {
            let _ = p.read_to_end(&mut s);
        }
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        if let Some(p) = err_pipe.as_mut() {
            let _ = p.read_to_end(&mut s);
        }
        s
    });
    let status = loop {
        if let Some(s) = child.try_wait()? {
            break s;
        }
        if tty {
            eprint!(
                "\rwasock: packaging {} (CPython with componentize-py)… {}s",
                program.display(),
                started.elapsed().as_secs()
            );
            let _ = std::io::stderr().flush();
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let stdout = out_reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();
    if tty {
        eprintln!(
            "\rwasock: packaged {} in {:.1}s                ",
            program.display(),
            started.elapsed().as_secs_f64()
        );
    }
    if status.success() {
        return Ok(());
    }
    let text = String::from_utf8_lossy(&stderr);
    let mut shown = python_error(&text);
    if shown.trim().is_empty() {
        shown = String::from_utf8_lossy(&stdout).into_owned();
    }
    eprint!("{shown}");
    if !shown.ends_with('\n') {
        eprintln!();
    }
    bail!(
        "{}: packaging failed (componentize-py: {status})",
        program.display()
    )
}

/// What Python said, from componentize-py's error output: without the
/// Rust backtrace and `Caused by` after it, the frames of componentize-py's
/// launcher before it, and the frames of wasock's runtime; a traceback left
/// with no frame of the program's (a syntax error) loses its header, as
/// CPython prints it.
fn python_error(text: &str) -> String {
    let mut inner = text;
    for cut in ["\nCaused by:", "Stack backtrace:"] {
        if let Some(i) = inner.find(cut) {
            inner = &inner[..i];
        }
    }
    if let Some(i) = inner.find("AssertionError: ") {
        inner = &inner[i + "AssertionError: ".len()..];
    }
    let runtime = |l: &str| {
        l.contains("\"/0/")
            || l.contains("_wasock_entry.py\"")
            || l.contains("wasock_bundle.py\"")
            || l.contains("wasock_main.py\"")
    };
    let mut out: Vec<&str> = Vec::new();
    let mut skipping = false;
    let mut program_frames = 0;
    for line in inner.lines() {
        if line.starts_with("  File \"") {
            skipping = runtime(line);
            if !skipping && line.contains(", in ") {
                program_frames += 1;
            }
        } else if !line.starts_with("    ") {
            skipping = false;
        }
        if !skipping {
            out.push(line);
        }
    }
    if program_frames == 0 {
        out.retain(|l| *l != "Traceback (most recent call last):");
    }
    let mut s = out.join("\n").trim_end().to_string();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::bundle::py_str;
    use super::*;

    #[test]
    fn python_strings_are_quoted() {
        assert_eq!(py_str("app"), "\"app\"");
        assert_eq!(py_str("a\"b\\c\n"), "\"a\\\"b\\\\c\\x0a\"");
    }

    #[test]
    fn only_what_python_said_is_shown() {
        let t = "Traceback (most recent call last):\n  File \"/x/.venv/bin/componentize-py\", line 8, in <module>\n    sys.exit(script())\nAssertionError: Traceback (most recent call last):\n  File \"/0/wasock_main.py\", line 2, in <module>\n    import _wasock_entry\n  File \"/1/_wasock_entry.py\", line 7, in <module>\n    wasock_bundle.prepare(MODULE, SCRIPT)\n    ~~~~^^^^\n  File \"bad.py\", line 2\n    print(\"x\"\n         ^\nSyntaxError: '(' was never closed\n\n\nCaused by:\n    SyntaxError\n\nStack backtrace:\n 0: foo\n";
        assert_eq!(
            python_error(t),
            "  File \"bad.py\", line 2\n    print(\"x\"\n         ^\nSyntaxError: '(' was never closed\n"
        );
        let t = "AssertionError: Traceback (most recent call last):\n  File \"/0/wasock_main.py\", line 2, in <module>\n    x\n  File \"app.py\", line 1, in <module>\n    import nope\nModuleNotFoundError: No module named 'nope'\n";
        assert_eq!(
            python_error(t),
            "Traceback (most recent call last):\n  File \"app.py\", line 1, in <module>\n    import nope\nModuleNotFoundError: No module named 'nope'\n"
        );
    }

    #[test]
    fn the_runtime_is_embedded() {
        for f in [
            "rt/wasock_main.py",
            "rt/wasock_bundle.py",
            "rt/wasock_py/_socket.py",
            "rt/wasock_py/select.py",
            "wit/world.wit",
            "wit/deps/cli/cli.wit",
            "wit/deps/wasock/socket.wit",
        ] {
            assert!(
                PYTHON_FILES.iter().any(|(n, _)| *n == f),
                "{f} is not embedded"
            );
        }
    }
}
