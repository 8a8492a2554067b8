//! Embeds the Python runtime (`python/`) and the WIT it is packaged
//! against in the `wasock` binary, so that `wasock run app.py` needs no
//! file of the source tree: `$OUT_DIR/python_files.rs` lists each file as
//! (path in the packaging directory, bytes).
//!
//! Layout of that directory: `rt/` holds `python/*.py` and the
//! `python/wasock_py/` package; `wit/` holds `python/wit/world.wit`,
//! `python/wit/deps/cli/` and, under `wit/deps/wasock/`, the contract
//! (`wit/*.wit`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let root = manifest.parent().map(Path::to_path_buf).unwrap_or_default();
    let python = root.join("python");
    let contract = root.join("wit");
    println!("cargo:rerun-if-changed={}", python.display());
    println!("cargo:rerun-if-changed={}", contract.display());
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    if python.is_dir() {
        collect(&python.join("wasock_py"), "rt/wasock_py", &mut files, "py");
        // The top-level modules (wasock_main.py, wasock_bundle.py).
        if let Ok(entries) = std::fs::read_dir(&python) {
            for entry in entries.flatten() {
                let p = entry.path();
                if p.is_file() && p.extension().is_some_and(|e| e == "py") {
                    let name = entry.file_name().to_string_lossy().into_owned();
                    files.push((format!("rt/{name}"), p));
                }
            }
        }
        collect(
            &python.join("wit/deps/cli"),
            "wit/deps/cli",
            &mut files,
            "wit",
        );
        let world = python.join("wit/world.wit");
        if world.is_file() {
            files.push(("wit/world.wit".into(), world));
        }
        collect(&contract, "wit/deps/wasock", &mut files, "wit");
    }
    files.sort();
    let mut out = String::from("/// The Python runtime's files (see build.rs).\n");
    out.push_str("pub const PYTHON_FILES: &[(&str, &[u8])] = &[\n");
    for (name, path) in &files {
        let _ = writeln!(
            out,
            "    ({name:?}, include_bytes!({:?})),",
            path.display().to_string()
        );
    }
    out.push_str("];\n");
    let dest =
        PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo")).join("python_files.rs");
    std::fs::write(dest, out).expect("writing python_files.rs");
}

/// Files ending in `.ext` below `dir` (not `__pycache__`), as
/// (`prefix/relative path`, path).
fn collect(dir: &Path, prefix: &str, files: &mut Vec<(String, PathBuf)>, ext: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            if name != "__pycache__" {
                collect(&path, &format!("{prefix}/{name}"), files, ext);
            }
        } else if path.extension().is_some_and(|e| e == ext) {
            files.push((format!("{prefix}/{name}"), path));
        }
    }
}
