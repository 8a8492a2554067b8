//! The bundle: what `wasock run app.py` packages (the program, its own
//! modules, `--python-path` packages, the embedded runtime), collected
//! under a size budget, named by a SHA-256 of all of it, and written to the
//! cache atomically.

use anyhow::{bail, Context as _};
use sha2::{Digest as _, Sha256};
use std::path::{Path, PathBuf};
use std::process::Command;

use super::{check_version, componentize_py, run_tool, MAX_BYTES, MAX_FILES, PYTHON_FILES};

/// The cache directory for Python components (created, owner-only).
pub(super) fn cache_dir() -> anyhow::Result<PathBuf> {
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
pub(super) fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))
}

/// What one Python guest bundles: files by their path in the packaging
/// directory, and the key naming it in the cache.
pub(super) struct Bundle {
    /// The program as given (for messages).
    pub(super) program: PathBuf,
    /// (path in the packaging directory, source on disk).
    pub(super) files: Vec<(String, PathBuf)>,
    /// Packaging-directory names of the `--python-path` directories.
    pub(super) path_dirs: Vec<String>,
    /// The `--python-path` directories as given.
    pub(super) path_hosts: Vec<String>,
    /// Hex SHA-256 of everything bundled.
    pub(super) key: String,
}

impl Bundle {
    /// Collects the program, its sibling modules and packages, and the
    /// `--python-path` directories, and hashes them with the runtime.
    pub(super) fn new(program: &Path, python_path: &[PathBuf]) -> anyhow::Result<Bundle> {
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
    pub(super) fn program_dir(&self) -> String {
        let abs = std::path::absolute(&self.program).unwrap_or_else(|_| self.program.clone());
        abs.parent()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    /// The program's module name and file name.
    pub(super) fn entry(&self) -> (String, String) {
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
    pub(super) fn packaged(&self, cache: &Path) -> anyhow::Result<PathBuf> {
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
pub(super) struct Budget {
    files: usize,
    bytes: u64,
}

impl Budget {
    pub(super) fn add(&mut self, path: &Path) -> anyhow::Result<()> {
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
pub(super) fn read_dir_sorted(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    v.sort();
    Ok(v)
}

/// Every file below `dir` (only `.py` files when `only_py`), skipping
/// `__pycache__` and hidden entries; symbolic links are followed.
pub(super) fn collect_tree(
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
pub(super) fn hash_file(h: &mut Sha256, name: &str, bytes: &[u8]) {
    h.update(name.as_bytes());
    h.update(b"\0");
    h.update((bytes.len() as u64).to_le_bytes());
    h.update(bytes);
}

/// Writes a file, creating its directory.
pub(super) fn write_new(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p).with_context(|| format!("creating {}", p.display()))?;
    }
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

/// A Python string literal for `s`.
pub(super) fn py_str(s: &str) -> String {
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
