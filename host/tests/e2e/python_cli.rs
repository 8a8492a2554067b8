//! `wasock run app.py` and `wasock py build`: packaging, what is bundled,
//! the cache, and errors at packaging time. (What the Python runtime does
//! with sockets is `python.rs`'s.)

use crate::cli::run;
use crate::support::*;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The cache the tests share: each program is packaged once per run of
/// the tests (and kept between runs, keyed by content).
pub fn shared_cache() -> PathBuf {
    root().join("target/python-cache")
}

/// `wasock ARGS…` with the shared cache (or `cache`).
fn wasock(args: &[&str], cache: Option<&Path>) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_wasock"));
    c.args(args).env_remove("WASOCK_LOG").env(
        "WASOCK_CACHE_DIR",
        cache.map_or_else(shared_cache, Path::to_path_buf),
    );
    c
}

/// Writes `files` (path, text) below `dir`.
fn write(dir: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

/// A program that imports a module beside it, a package beside it, a
/// package from `--python-path`, a standard-library module and, by a
/// computed name, a module beside it; prints its argv.
fn program(dir: &Path, lib: &Path) {
    write(
        dir,
        &[
            (
                "app.py",
                "import sys, json, importlib\nimport helper\nfrom pkg import sub\nimport extlib\n\
                 dyn = importlib.import_module('dyn' + 'amic')\n\
                 print(json.dumps([sys.argv, helper.X, sub.Y, extlib.Z, dyn.W]))\n",
            ),
            ("helper.py", "X = 'helper'\n"),
            ("dynamic.py", "W = 'dynamic'\n"),
            ("pkg/__init__.py", ""),
            ("pkg/sub.py", "Y = 'sub'\n"),
            ("notes.txt", "not Python\n"),
        ],
    );
    write(lib, &[("extlib/__init__.py", "Z = 'extlib'\n")]);
}

#[test]
fn a_program_runs_with_its_modules_and_every_argument_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let lib = tempfile::tempdir().unwrap();
    program(dir.path(), lib.path());
    let app = dir.path().join("app.py");
    let (code, out, err) = run(wasock(
        &[
            "run",
            "--python-path",
            lib.path().to_str().unwrap(),
            app.to_str().unwrap(),
            "one",
            "--allow-connect",
            "tcp://127.0.0.1:1",
            "--",
        ],
        None,
    ));
    assert_eq!(code, Some(0), "{out}\n{err}");
    let expected = format!(
        "[[\"{}\", \"one\", \"--allow-connect\", \"tcp://127.0.0.1:1\", \"--\"], \"helper\", \"sub\", \"extlib\", \"dynamic\"]\n",
        app.display()
    );
    assert_eq!(out, expected, "{err}");
}

/// The cache's files (names), sorted.
fn cached(cache: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(cache.join("python"))
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !n.starts_with("stage-"))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

#[test]
fn an_unchanged_program_starts_from_the_cache_and_a_changed_module_is_packaged_again() {
    let dir = tempfile::tempdir().unwrap();
    let lib = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    program(dir.path(), lib.path());
    let app = dir.path().join("app.py");
    let args = [
        "run",
        "--python-path",
        lib.path().to_str().unwrap(),
        app.to_str().unwrap(),
    ];
    let (code, first, err) = run(wasock(&args, Some(cache.path())));
    assert_eq!(code, Some(0), "{err}");
    let files = cached(cache.path());
    // One packaged component and its compiled form.
    assert_eq!(files.len(), 2, "{files:?}");
    assert!(files.iter().any(|f| f.ends_with(".cwasm")), "{files:?}");
    let compiled = cache
        .path()
        .join("python")
        .join(files.iter().find(|f| f.ends_with(".cwasm")).unwrap());
    let stamp = std::fs::metadata(&compiled).unwrap().modified().unwrap();
    // Again: nothing new is made, the compiled file is not rewritten.
    let (code, again, err) = run(wasock(&args, Some(cache.path())));
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(again, first);
    assert_eq!(cached(cache.path()), files);
    assert_eq!(
        std::fs::metadata(&compiled).unwrap().modified().unwrap(),
        stamp
    );
    // A module beside the program changes: packaged again, and the run
    // shows the new module.
    write(dir.path(), &[("helper.py", "X = 'changed'\n")]);
    let (code, out, err) = run(wasock(&args, Some(cache.path())));
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("\"changed\""), "{out}");
    assert_eq!(cached(cache.path()).len(), 4, "{:?}", cached(cache.path()));
    // So does a file of a --python-path package.
    write(lib.path(), &[("extlib/__init__.py", "Z = 'changed too'\n")]);
    let (code, out, err) = run(wasock(&args, Some(cache.path())));
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("\"changed too\""), "{out}");
    assert_eq!(cached(cache.path()).len(), 6);
}

#[test]
fn py_build_writes_a_component_that_runs_as_one() {
    let dir = tempfile::tempdir().unwrap();
    let lib = tempfile::tempdir().unwrap();
    program(dir.path(), lib.path());
    let app = dir.path().join("app.py");
    let out_wasm = dir.path().join("app.wasm");
    let (code, out, err) = run(wasock(
        &[
            "py",
            "build",
            "--python-path",
            lib.path().to_str().unwrap(),
            app.to_str().unwrap(),
            "-o",
            out_wasm.to_str().unwrap(),
        ],
        None,
    ));
    assert_eq!(code, Some(0), "{out}\n{err}");
    let bytes = std::fs::read(&out_wasm).unwrap();
    assert_eq!(&bytes[..4], b"\0asm");
    // Moved away from its sources, it still runs: everything is inside.
    let moved = tempfile::tempdir().unwrap();
    let moved_wasm = moved.path().join("plugin.wasm");
    std::fs::rename(&out_wasm, &moved_wasm).unwrap();
    drop(dir);
    drop(lib);
    let (code, out, err) = run(wasock(&["run", moved_wasm.to_str().unwrap(), "x"], None));
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("\"helper\", \"sub\", \"extlib\", \"dynamic\""),
        "{out}"
    );
    assert!(out.contains("\"x\""), "{out}");
}

#[test]
fn a_syntax_error_is_shown_as_python_shows_it_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &[("bad.py", "import sys\nprint('x'\n")]);
    let mut c = wasock(&["run", "bad.py"], None);
    c.current_dir(dir.path());
    let (code, out, err) = run(c);
    assert_eq!(code, Some(1), "{out}\n{err}");
    // CPython's own text for the same file.
    let native = Command::new("python3")
        .arg("bad.py")
        .current_dir(dir.path())
        .output()
        .unwrap();
    let native = String::from_utf8_lossy(&native.stderr);
    assert!(
        err.starts_with(native.as_ref()),
        "wasock said:\n{err}\nCPython said:\n{native}"
    );
    assert!(!err.contains("Stack backtrace"), "{err}");
    assert!(!err.contains("componentize-py\", line"), "{err}");
}

#[test]
fn a_missing_program_or_python_path_is_a_clear_error() {
    let (code, _, err) = run(wasock(&["run", "/nonexistent/app.py"], None));
    assert_eq!(code, Some(1));
    assert!(
        err.contains("/nonexistent/app.py: cannot read the program"),
        "{err}"
    );
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &[("app.py", "print(1)\n")]);
    let app = dir.path().join("app.py");
    let (code, _, err) = run(wasock(
        &[
            "run",
            "--python-path",
            "/nonexistent",
            app.to_str().unwrap(),
        ],
        None,
    ));
    assert_eq!(code, Some(1));
    assert!(
        err.contains("--python-path /nonexistent: not a directory"),
        "{err}"
    );
}
