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
use sha2::{Digest as _, Sha256};
use std::hash::{Hash as _, Hasher as _};
use std::io::{IsTerminal as _, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use wasmtime::component::Component;
use wasmtime::Engine;

include!(concat!(env!("OUT_DIR"), "/python_files.rs"));

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

/// The cache directory for Python components (created, owner-only).
fn cache_dir() -> anyhow::Result<PathBuf> {
    let base = if let Some(d) = std::env::var_os("WASOCK_CACHE_DIR") {
        PathBuf::from(d)
    } else if let Some(d) = std::env::var_os("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
        PathBuf::from(d).join("wasock")
    } else if let Some(home) = std::env::var_os("HOME").filter(|d| !d.is_empty()) {
        PathBuf::from(home).join(".cache/wasock")
    } else {
        bail!("no cache directory for packaged Python programs: set WASOCK_CACHE_DIR or HOME");
    };
    let dir = base.join("python");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    use std::os::unix::fs::PermissionsExt as _;
    let _ = std::fs::set_permissions(&base, std::fs::Permissions::from_mode(0o700));
    Ok(dir)
}

/// Writes `bytes` to `path` through a temporary file and a rename, so a
/// concurrent run never reads half a file.
fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))
}

/// What one Python guest bundles: files by their path in the packaging
/// directory, and the key naming it in the cache.
struct Bundle {
    /// The program as given (for messages).
    program: PathBuf,
    /// (path in the packaging directory, source on disk).
    files: Vec<(String, PathBuf)>,
    /// Packaging-directory names of the `--python-path` directories.
    path_dirs: Vec<String>,
    /// The `--python-path` directories as given.
    path_hosts: Vec<String>,
    /// Hex SHA-256 of everything bundled.
    key: String,
}

impl Bundle {
    /// Collects the program, its sibling modules and packages, and the
    /// `--python-path` directories, and hashes them with the runtime.
    fn new(program: &Path, python_path: &[PathBuf]) -> anyhow::Result<Bundle> {
        if PYTHON_FILES.iter().all(|(n, _)| *n != "rt/wasock_main.py") {
            bail!("this wasock was built without its Python runtime (python/ in the source tree)");
        }
        let meta = std::fs::metadata(program)
            .with_context(|| format!("{}: cannot read the program", program.display()))?;
        if !meta.is_file() {
            bail!("{}: not a file", program.display());
        }
        let name = program
            .file_name()
            .and_then(|n| n.to_str())
            .context("the program's file name is not UTF-8")?;
        let dir = match program.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let mut files = Vec::new();
        let mut budget = Budget::default();
        // The program's directory: its modules and packages (directories
        // with an __init__.py), as CPython finds them beside a script.
        for entry in read_dir_sorted(&dir)? {
            let path = entry;
            let Some(fname) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            if path.is_file() && fname.ends_with(".py") {
                budget.add(&path)?;
                files.push((format!("app/{fname}"), path.clone()));
            } else if path.is_dir() && path.join("__init__.py").is_file() {
                collect_tree(
                    &path,
                    &format!("app/{fname}"),
                    &mut files,
                    &mut budget,
                    true,
                )?;
            }
        }
        if !files.iter().any(|(n, _)| *n == format!("app/{name}")) {
            // A program not ending in .py is still the program.
            budget.add(program)?;
            files.push((format!("app/{name}"), program.to_path_buf()));
        }
        let mut path_dirs = Vec::new();
        let mut path_hosts = Vec::new();
        for (i, d) in python_path.iter().enumerate() {
            let abs = std::path::absolute(d).unwrap_or_else(|_| d.clone());
            path_hosts.push(abs.to_string_lossy().into_owned());
            if !d.is_dir() {
                bail!("--python-path {}: not a directory", d.display());
            }
            let pname = format!("path{i}");
            collect_tree(d, &pname, &mut files, &mut budget, false)?;
            path_dirs.push(pname);
        }
        files.sort();
        let mut h = Sha256::new();
        h.update(b"wasock python guest\0");
        h.update(env!("CARGO_PKG_VERSION").as_bytes());
        h.update(b"\0");
        h.update(name.as_bytes());
        h.update(b"\0");
        for (n, bytes) in PYTHON_FILES {
            hash_file(&mut h, n, bytes);
        }
        for (n, path) in &files {
            let bytes =
                std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
            hash_file(&mut h, n, &bytes);
        }
        for d in path_dirs.iter().chain(&path_hosts) {
            h.update(d.as_bytes());
            h.update(b"\0");
        }
        // Names in tracebacks follow the program's absolute path.
        h.update(
            std::path::absolute(program)
                .unwrap_or_else(|_| program.to_path_buf())
                .as_os_str()
                .as_encoded_bytes(),
        );
        let key = h
            .finalize()
            .iter()
            .take(16)
            .map(|b| format!("{b:02x}"))
            .collect();
        Ok(Bundle {
            program: program.to_path_buf(),
            files,
            path_dirs,
            path_hosts,
            key,
        })
    }

    /// The program's directory, absolute as CPython makes a script's
    /// path (since 3.9 `__file__` and tracebacks name the script by its
    /// absolute path; symbolic links are not resolved).
    fn program_dir(&self) -> String {
        let abs = std::path::absolute(&self.program).unwrap_or_else(|_| self.program.clone());
        abs.parent()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    /// The program's module name and file name.
    fn entry(&self) -> (String, String) {
        let file = self
            .program
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("main.py")
            .to_string();
        let module = file.strip_suffix(".py").unwrap_or(&file).to_string();
        (module, file)
    }

    /// The packaged component in the cache (packaging it now if it is not
    /// there yet).
    fn packaged(&self, cache: &Path) -> anyhow::Result<PathBuf> {
        let out = cache.join(format!("{}.wasm", self.key));
        if out.is_file() {
            return Ok(out);
        }
        let stage = tempfile::Builder::new()
            .prefix("stage-")
            .tempdir_in(cache)
            .context("creating a packaging directory")?;
        let root = stage.path();
        for (n, bytes) in PYTHON_FILES {
            write_new(&root.join(n), bytes)?;
        }
        for (n, path) in &self.files {
            let dest = root.join(n);
            if let Some(p) = dest.parent() {
                std::fs::create_dir_all(p)?;
            }
            std::fs::copy(path, &dest).with_context(|| format!("copying {}", path.display()))?;
        }
        let (module, file) = self.entry();
        // The program's directory and the --python-path ones are marked,
        // so that the runtime finds them while the component is built.
        // Each marker holds the directory's path as given, which the
        // bundled files are named by (in tracebacks, `__file__`).
        write_new(
            &root.join("app/__wasock_bundle__"),
            self.program_dir().as_bytes(),
        )?;
        for (d, host) in self.path_dirs.iter().zip(&self.path_hosts) {
            write_new(&root.join(d).join("__wasock_bundle__"), host.as_bytes())?;
        }
        write_new(
            &root.join("app/_wasock_entry.py"),
            format!(
                "# Written by wasock: the program this component runs, bundled with\n\
                 # what it imports (wasock_bundle) while the component is built.\n\
                 MODULE = {}\nSCRIPT = {}\n\n\
                 import wasock_bundle\n\
                 wasock_bundle.prepare(MODULE, SCRIPT)\n",
                py_str(&module),
                py_str(&file)
            )
            .as_bytes(),
        )?;
        let tool = componentize_py()?;
        check_version(&tool);
        let built = root.join("out.wasm");
        let mut cmd = Command::new(&tool);
        cmd.arg("-d")
            .arg(root.join("wit"))
            .args(["-w", "guest", "componentize"])
            .arg("-p")
            .arg(root.join("rt"))
            .arg("-p")
            .arg(root.join("app"));
        for d in &self.path_dirs {
            cmd.arg("-p").arg(root.join(d));
        }
        cmd.arg("wasock_main").arg("-o").arg(&built);
        run_tool(cmd, &self.program)?;
        std::fs::rename(&built, &out).with_context(|| format!("writing {}", out.display()))?;
        Ok(out)
    }
}

/// Counts what a bundle takes from the disk, within [`MAX_FILES`] and
/// [`MAX_BYTES`].
#[derive(Default)]
struct Budget {
    files: usize,
    bytes: u64,
}

impl Budget {
    fn add(&mut self, path: &Path) -> anyhow::Result<()> {
        self.files += 1;
        self.bytes += std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        if self.files > MAX_FILES || self.bytes > MAX_BYTES {
            bail!(
                "too much to bundle with the Python program (more than {MAX_FILES} files or {} MiB, at {}): \
                 keep the program in a directory of its own, and its packages in --python-path directories",
                MAX_BYTES >> 20,
                path.display()
            );
        }
        Ok(())
    }
}

/// The entries of a directory, sorted by name.
fn read_dir_sorted(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    v.sort();
    Ok(v)
}

/// Every file below `dir` (only `.py` files when `only_py`), skipping
/// `__pycache__` and hidden entries; symbolic links are followed.
fn collect_tree(
    dir: &Path,
    prefix: &str,
    files: &mut Vec<(String, PathBuf)>,
    budget: &mut Budget,
    only_py: bool,
) -> anyhow::Result<()> {
    for path in read_dir_sorted(dir)? {
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if name.starts_with('.') || name == "__pycache__" {
            continue;
        }
        let inner = format!("{prefix}/{name}");
        if path.is_dir() {
            collect_tree(&path, &inner, files, budget, only_py)?;
        } else if path.is_file() && (!only_py || name.ends_with(".py")) && !name.ends_with(".pyc") {
            budget.add(&path)?;
            files.push((inner, path));
        }
    }
    Ok(())
}

/// Feeds one named file to the bundle's hash.
fn hash_file(h: &mut Sha256, name: &str, bytes: &[u8]) {
    h.update(name.as_bytes());
    h.update(b"\0");
    h.update((bytes.len() as u64).to_le_bytes());
    h.update(bytes);
}

/// Writes a file, creating its directory.
fn write_new(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p).with_context(|| format!("creating {}", p.display()))?;
    }
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

/// A Python string literal for `s`.
fn py_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
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
