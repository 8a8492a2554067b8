//! The AF_UNIX grant: a directory capability for filesystem socket paths,
//! prefixes of the Linux abstract namespace, and descriptor passing.
//!
//! Deny by default: with no grant a guest can still create AF_UNIX sockets
//! and use them through `socketpair()` and autobind (`bind('')`), but it
//! can name no path, no abstract name, and pass no descriptors.

use super::{Policy, Use};
use crate::types::SocketError;
use std::fmt;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What a guest may do with AF_UNIX names and SCM_RIGHTS.
#[derive(Clone, Default)]
pub struct UnixGrant {
    dir: Option<GrantedDir>,
    abstract_prefixes: Vec<Vec<u8>>,
    /// Abstract names granted exactly (not as prefixes).
    abstract_names: Vec<Vec<u8>>,
    denied_abstract: Vec<Vec<u8>>,
    fd_passing: bool,
}

/// The directory guest paths resolve in: held open, never re-resolved.
#[derive(Clone)]
struct GrantedDir {
    fd: Arc<OwnedFd>,
    /// Where the kernel says the directory is (used only to show guests
    /// the peers' addresses relative to it).
    host_path: Option<PathBuf>,
}

impl fmt::Debug for UnixGrant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnixGrant")
            .field("dir", &self.dir.as_ref().map(|d| &d.host_path))
            .field(
                "abstract_prefixes",
                &self
                    .abstract_prefixes
                    .iter()
                    .map(|p| String::from_utf8_lossy(p))
                    .collect::<Vec<_>>(),
            )
            .field(
                "abstract_names",
                &self
                    .abstract_names
                    .iter()
                    .map(|p| String::from_utf8_lossy(p))
                    .collect::<Vec<_>>(),
            )
            .field("fd_passing", &self.fd_passing)
            .finish()
    }
}

impl UnixGrant {
    /// The granted directory, if any.
    pub fn dir(&self) -> Option<BorrowedFd<'_>> {
        self.dir.as_ref().map(|d| d.fd.as_fd())
    }

    /// Where the granted directory is on the host (for display only).
    pub fn dir_host_path(&self) -> Option<&Path> {
        self.dir.as_ref().and_then(|d| d.host_path.as_deref())
    }

    /// Whether an abstract name (without its leading NUL) is granted: by
    /// a prefix, or exactly; and no denied prefix covers it.
    pub fn permits_abstract(&self, name: &[u8]) -> bool {
        (self.abstract_prefixes.iter().any(|p| name.starts_with(p))
            || self.abstract_names.iter().any(|n| n == name))
            && !self.denied_abstract.iter().any(|p| name.starts_with(p))
    }

    /// Checks `use_` of an abstract name; the error names it.
    pub fn check_abstract(&self, use_: Use, name: &[u8]) -> Result<(), SocketError> {
        if self.permits_abstract(name) {
            return Ok(());
        }
        let shown = crate::types::shorten(&String::from_utf8_lossy(name)).into_owned();
        Err(SocketError::denied(format_args!(
            "{use_} to abstract AF_UNIX name {shown:?} (no allow-abstract prefix or allow-abstract-name matches it)"
        )))
    }

    /// The granted prefixes of abstract names.
    pub fn abstract_prefixes(&self) -> &[Vec<u8>] {
        &self.abstract_prefixes
    }

    /// The abstract names granted exactly.
    pub fn abstract_names(&self) -> &[Vec<u8>] {
        &self.abstract_names
    }

    /// The denied prefixes of abstract names.
    pub fn denied_abstract_prefixes(&self) -> &[Vec<u8>] {
        &self.denied_abstract
    }

    /// Whether sockets may be passed with SCM_RIGHTS.
    pub fn fd_passing(&self) -> bool {
        self.fd_passing
    }
}

impl Policy {
    /// Grants a directory for AF_UNIX paths: guest paths are relative to
    /// it and resolve only beneath it. Takes any open directory
    /// (`cap_std::fs::Dir`, `std::fs::File`, an `OwnedFd`); the policy
    /// keeps the descriptor and never resolves a host path again.
    pub fn unix_dir(mut self, dir: impl Into<OwnedFd>) -> Self {
        let fd: OwnedFd = dir.into();
        let host_path = crate::sys::fd_path(fd.as_raw_fd()).ok();
        self.unix.dir = Some(GrantedDir {
            fd: Arc::new(fd),
            host_path,
        });
        self
    }

    /// Opens `path` once (a directory) and grants it as [`Policy::unix_dir`].
    pub fn unix_dir_path(self, path: impl AsRef<Path>) -> std::io::Result<Self> {
        let path = path.as_ref();
        let fd = crate::sys::open_dir(path).map_err(|e| {
            std::io::Error::new(
                e.kind(),
                format!("opening AF_UNIX directory {}: {e}", path.display()),
            )
        })?;
        Ok(self.unix_dir(fd))
    }

    /// Grants binding and connecting to abstract AF_UNIX names that start
    /// with `prefix` (without the leading NUL; empty grants every name).
    pub fn allow_abstract(mut self, prefix: impl AsRef<[u8]>) -> Self {
        self.unix.abstract_prefixes.push(prefix.as_ref().to_vec());
        self
    }

    /// Grants binding and connecting to the abstract AF_UNIX name `name`
    /// exactly (without the leading NUL): `app` does not admit `app-admin`.
    /// What learn mode writes.
    pub fn allow_abstract_name(mut self, name: impl AsRef<[u8]>) -> Self {
        let name = name.as_ref().to_vec();
        if !self.unix.abstract_names.contains(&name) {
            self.unix.abstract_names.push(name);
        }
        self
    }

    /// Denies abstract AF_UNIX names that start with `prefix`, whatever
    /// grants them (empty denies every name).
    pub fn deny_abstract(mut self, prefix: impl AsRef<[u8]>) -> Self {
        self.unix.denied_abstract.push(prefix.as_ref().to_vec());
        self
    }

    /// Lets the guest pass sockets with SCM_RIGHTS, and receive them (off
    /// by default: received descriptors are then closed and MSG_CTRUNC
    /// reported).
    pub fn allow_fd_passing(mut self, yes: bool) -> Self {
        self.unix.fd_passing = yes;
        self
    }

    /// This policy with `other`'s directory for AF_UNIX paths (or none, if
    /// `other` has none): what a learnt policy keeps of the policy it was
    /// learnt under, since a directory is granted, never learnt.
    pub fn with_unix_dir_of(mut self, other: &Policy) -> Self {
        self.unix.dir = other.unix.dir.clone();
        self
    }

    /// The policy learn mode runs under: [`Policy::allow_everything`] (and
    /// every abstract name and SCM_RIGHTS), keeping this policy's limits
    /// and AF_UNIX directory; wasi:sockets only when the limits can hold
    /// for it ([`Policy::unenforceable`]).
    pub fn for_learning(&self) -> Policy {
        let mut p = Policy::allow_everything()
            .with_unix_dir_of(self)
            .allow_abstract("")
            .allow_fd_passing(true);
        p.limits = self.limits.clone();
        if p.unenforceable().is_some() {
            p = p.allow_wasi_sockets(false);
        }
        p
    }

    /// The AF_UNIX grant.
    pub fn unix(&self) -> &UnixGrant {
        &self.unix
    }
}

/// `[unix]` of a policy file:
///
/// ```toml
/// [unix]
/// dir = "/run/myapp"              # guest paths resolve beneath it
/// allow-abstract = ["myapp-"]     # abstract names with these prefixes
/// fd-passing = false              # SCM_RIGHTS
/// ```
#[cfg(feature = "policy-file")]
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct UnixSection {
    /// The directory granted for AF_UNIX paths.
    pub dir: Option<PathBuf>,
    /// Granted prefixes of abstract names.
    #[serde(default)]
    pub allow_abstract: Vec<String>,
    /// Abstract names granted exactly.
    #[serde(default)]
    pub allow_abstract_name: Vec<String>,
    /// Denied prefixes of abstract names, whatever grants them.
    #[serde(default)]
    pub deny_abstract: Vec<String>,
    /// Whether SCM_RIGHTS is allowed.
    #[serde(default)]
    pub fd_passing: bool,
}

#[cfg(feature = "policy-file")]
impl UnixSection {
    /// Adds this section's grants to `p`.
    pub fn apply(self, mut p: Policy) -> anyhow::Result<Policy> {
        if let Some(d) = self.dir {
            p = p.unix_dir_path(&d)?;
        }
        for a in self.allow_abstract {
            p = p.allow_abstract(a);
        }
        for a in self.allow_abstract_name {
            p = p.allow_abstract_name(a);
        }
        for a in self.deny_abstract {
            p = p.deny_abstract(a);
        }
        let passing = self.fd_passing || p.unix.fd_passing;
        Ok(p.allow_fd_passing(passing))
    }
}

#[cfg(all(test, feature = "policy-file"))]
mod tests {
    use super::*;

    #[test]
    fn toml_section() {
        let d = tempfile::tempdir().unwrap();
        let text = format!(
            "[unix]\ndir = {:?}\nallow-abstract = [\"app-\"]\nfd-passing = true\n",
            d.path().to_str().unwrap()
        );
        let p = Policy::from_toml(&text).unwrap();
        assert!(p.unix().dir().is_some());
        assert!(p.unix().permits_abstract(b"app-1"));
        assert!(!p.unix().permits_abstract(b"other"));
        assert!(p.unix().fd_passing());
        let none = Policy::from_toml("").unwrap();
        assert!(none.unix().dir().is_none() && !none.unix().fd_passing());
        assert!(!none.unix().permits_abstract(b""));
        assert!(Policy::from_toml("[unix]\ndir = \"/no/such/dir\"\n").is_err());
        assert!(Policy::from_toml("[unix]\nbogus = 1\n").is_err());
        // Exact names admit no longer name.
        let exact = Policy::from_toml("[unix]\nallow-abstract-name = [\"app\"]\n").unwrap();
        assert!(exact.unix().permits_abstract(b"app"));
        assert!(!exact.unix().permits_abstract(b"app-admin"));
        assert!(!exact.unix().permits_abstract(b"ap"));
        assert!(exact.to_toml().contains("allow-abstract-name = [\"app\"]"));
        // A relative directory needs a file to be relative to.
        let e = Policy::from_toml("[unix]\ndir = \"sockets\"\n").unwrap_err();
        assert!(e.to_string().contains("is relative"), "{e}");
        std::fs::create_dir(d.path().join("sockets")).unwrap();
        let file = d.path().join("p.toml");
        std::fs::write(&file, "[unix]\ndir = \"sockets\"\n").unwrap();
        let p = Policy::from_toml_file(&file).unwrap();
        assert_eq!(
            p.unix().dir_host_path(),
            Some(d.path().join("sockets").as_path())
        );
    }
}
