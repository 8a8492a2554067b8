//! No import circles between the modules of the host library, the `wasock`
//! CLI and the guest crate (docs/architecture.md, "Layers").
//!
//! The test reads the sources, not the compiler's view: for every module
//! (a file, or an inline `mod name { … }`) it collects the modules its code
//! names — `use` lines and qualified paths starting with `crate::`,
//! `super::`, `self::`, or a child module's name — following `pub use`
//! re-exports to the module that defines the item. A `pub use` is a
//! façade, not a dependency, so it adds no edge of its own. A private
//! child module (`mod name;`) is part of its parent: its uses of the
//! parent's items are not edges (nothing outside the parent can name it,
//! so no circle through other modules hides behind that). Any strongly
//! connected component of more than one module is a circle, and the test
//! fails naming each module in it and the line of each import that closes
//! it.
//!
//! `WASOCK_LAYERS=1 cargo test -p wasock-host --test layers -- --nocapture`
//! prints every crate's import graph.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Path, // `::`
    Punct(char),
}

/// Tokens with their line numbers; comments dropped, strings kept (a
/// `#[path = "…"]` attribute needs them), lifetimes and char literals dropped.
fn tokenize(src: &str) -> Vec<(Tok, usize)> {
    let b: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line) = (0, 1);
    while i < b.len() {
        let c = b[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c == '/' && b.get(i + 1) == Some(&'/') {
            while i < b.len() && b[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && b.get(i + 1) == Some(&'*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == '/' && b.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if b[i] == '*' && b.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if b[i] == '\n' {
                        line += 1;
                    }
                    i += 1;
                }
            }
        } else if c == 'r' && matches!(b.get(i + 1), Some('#') | Some('"')) && {
            let mut j = i + 1;
            while b.get(j) == Some(&'#') {
                j += 1;
            }
            b.get(j) == Some(&'"')
        } {
            // Raw string r#"…"#.
            let mut j = i + 1;
            let mut hashes = 0;
            while b[j] == '#' {
                hashes += 1;
                j += 1;
            }
            j += 1;
            let start = j;
            let start_line = line;
            loop {
                if j >= b.len() {
                    break;
                }
                if b[j] == '"' && (0..hashes).all(|k| b.get(j + 1 + k) == Some(&'#')) {
                    break;
                }
                if b[j] == '\n' {
                    line += 1;
                }
                j += 1;
            }
            let s: String = b[start..j.min(b.len())].iter().collect();
            out.push((Tok::Str(s), start_line));
            i = j + 1 + hashes;
        } else if c == '"' || (c == 'b' && b.get(i + 1) == Some(&'"')) {
            let mut j = if c == 'b' { i + 2 } else { i + 1 };
            let start = j;
            let start_line = line;
            while j < b.len() && b[j] != '"' {
                if b[j] == '\\' {
                    j += 1;
                }
                if j < b.len() && b[j] == '\n' {
                    line += 1;
                }
                j += 1;
            }
            let s: String = b[start..j.min(b.len())].iter().collect();
            out.push((Tok::Str(s), start_line));
            i = j + 1;
        } else if c == '\'' {
            // A char literal ('x', '\n', '\u{..}') or a lifetime ('a).
            if b.get(i + 1) == Some(&'\\') {
                let mut j = i + 2;
                while j < b.len() && b[j] != '\'' {
                    j += 1;
                }
                i = j + 1;
            } else if b.get(i + 2) == Some(&'\'') {
                i += 3;
            } else {
                i += 1;
                while i < b.len() && (b[i].is_alphanumeric() || b[i] == '_') {
                    i += 1;
                }
            }
        } else if c.is_alphanumeric() || c == '_' || c == '$' {
            let start = i;
            i += 1;
            while i < b.len() && (b[i].is_alphanumeric() || b[i] == '_') {
                i += 1;
            }
            let mut s: String = b[start..i].iter().collect();
            if s == "$crate" {
                s = "crate".into();
            }
            out.push((Tok::Ident(s), line));
        } else if c == ':' && b.get(i + 1) == Some(&':') {
            out.push((Tok::Path, line));
            i += 2;
        } else {
            out.push((Tok::Punct(c), line));
            i += 1;
        }
    }
    out
}

/// One module: where it is and what it names.
#[derive(Default)]
struct Module {
    file: PathBuf,
    /// An inline `mod name { … }` inside `file`.
    inline: bool,
    children: BTreeMap<String, usize>,
    parent: Option<usize>,
    /// Declared `mod name` (not `pub`, not `pub(crate)`) in its parent:
    /// part of the parent's implementation.
    private: bool,
    /// Re-exported name → absolute path of what it names.
    aliases: HashMap<String, Vec<String>>,
    /// (absolute or relative path as written, line, from a `use` line).
    refs: Vec<(Vec<String>, usize)>,
}

struct Crate {
    root: PathBuf,
    crate_name: String,
    modules: Vec<Module>,
    names: Vec<String>,
}

fn ident(t: Option<&(Tok, usize)>) -> Option<&str> {
    match t {
        Some((Tok::Ident(s), _)) => Some(s),
        _ => None,
    }
}

/// Expands a use tree starting at `toks[*i]` into full paths, each with
/// the name it is known by here (`as` renames; `*` for a glob).
fn use_tree(
    toks: &[(Tok, usize)],
    i: &mut usize,
    prefix: Vec<String>,
    out: &mut Vec<(Vec<String>, String)>,
) {
    let mut path = prefix;
    loop {
        match toks.get(*i).map(|t| &t.0) {
            Some(Tok::Ident(s)) if s == "as" => {
                let local = ident(toks.get(*i + 1)).unwrap_or("_").to_string();
                *i += 2;
                out.push((path, local));
                return;
            }
            Some(Tok::Ident(s)) => {
                path.push(s.clone());
                *i += 1;
            }
            Some(Tok::Path) => *i += 1,
            Some(Tok::Punct('*')) => {
                *i += 1;
                out.push((path, "*".into()));
                return;
            }
            Some(Tok::Punct('{')) => {
                *i += 1;
                loop {
                    match toks.get(*i).map(|t| &t.0) {
                        Some(Tok::Punct('}')) => {
                            *i += 1;
                            return;
                        }
                        Some(Tok::Punct(',')) => *i += 1,
                        None => return,
                        _ => use_tree(toks, i, path.clone(), out),
                    }
                }
            }
            _ => {
                if path.last().map(String::as_str) == Some("self") {
                    path.pop(); // `use a::b::{self}` names `b`
                }
                let local = path.last().cloned().unwrap_or_default();
                out.push((path, local));
                return;
            }
        }
    }
}

impl Crate {
    fn load(root_file: &Path, name: &str) -> Crate {
        let mut c = Crate {
            root: root_file.parent().unwrap().to_path_buf(),
            crate_name: String::new(),
            modules: vec![],
            names: vec![],
        };
        c.add_file(root_file, None, "crate".to_string(), c.root.clone());
        c.crate_name = name.to_string();
        c
    }

    fn new_module(&mut self, file: &Path, parent: Option<usize>, name: String) -> usize {
        self.modules.push(Module {
            file: file.to_path_buf(),
            parent,
            ..Default::default()
        });
        self.names.push(name.clone());
        let id = self.modules.len() - 1;
        if let Some(p) = parent {
            let short = name.rsplit("::").next().unwrap().to_string();
            self.modules[p].children.insert(short, id);
        }
        id
    }

    /// `dir`: where this file's child module files live.
    fn add_file(
        &mut self,
        file: &Path,
        parent: Option<usize>,
        name: String,
        dir: PathBuf,
    ) -> usize {
        let src =
            std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let toks = tokenize(&src);
        let id = self.new_module(file, parent, name);
        // Stack of (module, directory of its children, brace depth it opened at).
        let mut stack = vec![(id, dir, 0usize)];
        let mut depth = 0usize;
        let mut path_attr: Option<String> = None;
        let mut i = 0;
        while i < toks.len() {
            let (cur, cur_dir, _) = stack.last().unwrap().clone();
            match &toks[i].0 {
                Tok::Punct('#') => {
                    // #[path = "…"]
                    if ident(toks.get(i + 2)) == Some("path") {
                        if let Some((Tok::Str(p), _)) = toks.get(i + 4) {
                            path_attr = Some(p.clone());
                        }
                    }
                    i += 1;
                }
                Tok::Punct('{') => {
                    depth += 1;
                    i += 1;
                }
                Tok::Punct('}') => {
                    if stack.len() > 1 && stack.last().unwrap().2 == depth {
                        stack.pop();
                    }
                    depth = depth.saturating_sub(1);
                    i += 1;
                }
                Tok::Ident(k) if k == "mod" => {
                    let Some(m) = ident(toks.get(i + 1)).map(str::to_string) else {
                        i += 1;
                        continue;
                    };
                    let full = format!("{}::{m}", self.names[cur]);
                    let private = !matches!(ident(toks.get(i.wrapping_sub(1))), Some("pub"))
                        && toks.get(i.wrapping_sub(1)).map(|t| &t.0) != Some(&Tok::Punct(')'));
                    match toks.get(i + 2).map(|t| &t.0) {
                        Some(Tok::Punct(';')) => {
                            let (child_file, child_dir) = match path_attr.take() {
                                Some(p) => {
                                    let f = file.parent().unwrap().join(p);
                                    let d = f.with_extension("");
                                    (f, d)
                                }
                                None => {
                                    let flat = cur_dir.join(format!("{m}.rs"));
                                    if flat.exists() {
                                        (flat, cur_dir.join(&m))
                                    } else {
                                        (cur_dir.join(&m).join("mod.rs"), cur_dir.join(&m))
                                    }
                                }
                            };
                            let child = self.add_file(&child_file, Some(cur), full, child_dir);
                            self.modules[child].private = private;
                            i += 3;
                        }
                        Some(Tok::Punct('{')) => {
                            path_attr = None;
                            let child = self.new_module(file, Some(cur), full);
                            self.modules[child].inline = true;
                            self.modules[child].private = private;
                            depth += 1;
                            stack.push((child, cur_dir.join(&m), depth));
                            i += 3;
                        }
                        _ => i += 1,
                    }
                }
                Tok::Ident(k) if k == "use" => {
                    // `pub use` / `pub(crate) use`: a re-export.
                    let public = matches!(ident(toks.get(i.wrapping_sub(1))), Some("pub"))
                        || (i >= 4
                            && ident(toks.get(i - 4)) == Some("pub")
                            && toks[i - 1].0 == Tok::Punct(')'));
                    let line = toks[i].1;
                    let mut paths = vec![];
                    let mut j = i + 1;
                    if toks.get(j).map(|t| &t.0) == Some(&Tok::Path) {
                        j += 1;
                    }
                    use_tree(&toks, &mut j, vec![], &mut paths);
                    // A later `name::…` or `super::name` resolves through
                    // the name each path is known by here.
                    for (p, local) in &paths {
                        let named =
                            !matches!(local.as_str(), "*" | "_" | "self" | "super" | "crate");
                        if named {
                            self.modules[cur]
                                .aliases
                                .entry(local.clone())
                                .or_insert(p.clone());
                        }
                    }
                    if !public {
                        for (p, _) in paths {
                            self.modules[cur].refs.push((p, line));
                        }
                    }
                    i = j.max(i + 1);
                }
                Tok::Ident(s) if toks.get(i + 1).map(|t| &t.0) == Some(&Tok::Path) => {
                    // A qualified path in code: crate::…, super::…, self::…,
                    // or child::… (not itself the tail of a longer path).
                    let after_path = i > 0 && toks[i - 1].0 == Tok::Path;
                    let is_anchor = s == "crate" || s == "super" || s == "self";
                    let is_child = self.modules[cur].children.contains_key(s.as_str());
                    if !after_path && (is_anchor || is_child) {
                        let line = toks[i].1;
                        let mut p = vec![s.clone()];
                        let mut j = i + 1;
                        while toks.get(j).map(|t| &t.0) == Some(&Tok::Path) {
                            match ident(toks.get(j + 1)) {
                                Some(n) => p.push(n.to_string()),
                                None => break,
                            }
                            j += 2;
                        }
                        self.modules[cur].refs.push((p, line));
                        i = j;
                    } else {
                        i += 1;
                    }
                }
                _ => i += 1,
            }
        }
        id
    }

    /// The module a path (as written in module `from`) lands in, or None
    /// for a path outside the crate.
    fn resolve(&self, from: usize, path: &[String], hops: usize) -> Option<usize> {
        if hops > 8 || path.is_empty() {
            return None;
        }
        let mut at = match path[0].as_str() {
            "crate" => 0,
            "self" => from,
            "super" => self.modules[from].parent?,
            first => {
                if self.modules[from].children.contains_key(first) {
                    from
                } else if let Some(target) = self.modules[from].aliases.get(first) {
                    // A name this module re-exports (e.g. a `pub use` then used bare).
                    let mut full = target.clone();
                    full.extend(path[1..].iter().cloned());
                    return self.resolve(from, &full, hops + 1);
                } else {
                    return None; // std, an external crate, or a local item
                }
            }
        };
        let mut rest = if path[0] == "crate" || path[0] == "self" || path[0] == "super" {
            &path[1..]
        } else {
            path
        };
        while let Some(first) = rest.first() {
            if first == "super" {
                at = self.modules[at].parent?;
            } else if let Some(&c) = self.modules[at].children.get(first.as_str()) {
                at = c;
            } else if let Some(target) = self.modules[at].aliases.get(first.as_str()) {
                let mut full = target.clone();
                full.extend(rest[1..].iter().cloned());
                return self.resolve(at, &full, hops + 1);
            } else {
                break;
            }
            rest = &rest[1..];
        }
        Some(at)
    }

    /// Edges: (from, to) → first line that makes it.
    fn edges(&self) -> BTreeMap<(usize, usize), usize> {
        let mut e = BTreeMap::new();
        for (id, m) in self.modules.iter().enumerate() {
            for (p, line) in &m.refs {
                if let Some(to) = self.resolve(id, p, 0) {
                    // A private child is part of its parent: it may use the
                    // parent's items (no module outside can reach it, so no
                    // circle through the outside hides behind this).
                    let into_parent = m.private && m.parent == Some(to);
                    if to != id && !into_parent {
                        e.entry((id, to)).or_insert(*line);
                    }
                }
            }
        }
        e
    }

    fn display(&self, id: usize) -> String {
        let m = &self.modules[id];
        let rel = m
            .file
            .strip_prefix(&self.root)
            .unwrap_or(&m.file)
            .display()
            .to_string();
        if m.inline {
            format!("{rel}#{}", self.names[id].rsplit("::").next().unwrap())
        } else {
            rel
        }
    }
}

/// Strongly connected components (Tarjan), those with more than one module.
fn circles(n: usize, edges: &BTreeMap<(usize, usize), usize>) -> Vec<Vec<usize>> {
    let mut adj = vec![vec![]; n];
    for &(a, b) in edges.keys() {
        adj[a].push(b);
    }
    struct St {
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on: Vec<bool>,
        stack: Vec<usize>,
        next: usize,
        out: Vec<Vec<usize>>,
    }
    fn visit(v: usize, adj: &[Vec<usize>], s: &mut St) {
        s.index[v] = Some(s.next);
        s.low[v] = s.next;
        s.next += 1;
        s.stack.push(v);
        s.on[v] = true;
        for &w in &adj[v] {
            match s.index[w] {
                None => {
                    visit(w, adj, s);
                    s.low[v] = s.low[v].min(s.low[w]);
                }
                Some(iw) if s.on[w] => s.low[v] = s.low[v].min(iw),
                _ => {}
            }
        }
        if Some(s.low[v]) == s.index[v] {
            let mut comp = vec![];
            loop {
                let w = s.stack.pop().unwrap();
                s.on[w] = false;
                comp.push(w);
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                s.out.push(comp);
            }
        }
    }
    let mut s = St {
        index: vec![None; n],
        low: vec![0; n],
        on: vec![false; n],
        stack: vec![],
        next: 0,
        out: vec![],
    };
    for v in 0..n {
        if s.index[v].is_none() {
            visit(v, &adj, &mut s);
        }
    }
    s.out
}

fn check(c: &Crate) -> Vec<String> {
    let edges = c.edges();
    if std::env::var_os("WASOCK_LAYERS").is_some() {
        println!("== {}", c.crate_name);
        let mut by_from: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for &(a, b) in edges.keys() {
            by_from
                .entry(c.display(a))
                .or_default()
                .insert(c.display(b));
        }
        for (a, bs) in by_from {
            println!("{a} -> {}", bs.into_iter().collect::<Vec<_>>().join(", "));
        }
    }
    let mut out = vec![];
    for comp in circles(c.modules.len(), &edges) {
        let set: BTreeSet<usize> = comp.iter().copied().collect();
        let mut lines = vec![format!(
            "import circle in {}: {}",
            c.crate_name,
            comp.iter()
                .map(|&m| c.display(m))
                .collect::<Vec<_>>()
                .join(" ⇄ ")
        )];
        for (&(a, b), line) in &edges {
            if set.contains(&a) && set.contains(&b) {
                lines.push(format!(
                    "    {}:{line} imports {}",
                    c.display(a),
                    c.display(b)
                ));
            }
        }
        out.push(lines.join("\n"));
    }
    out
}

fn crates() -> Vec<Crate> {
    let host = Path::new(env!("CARGO_MANIFEST_DIR"));
    vec![
        Crate::load(&host.join("src/lib.rs"), "wasock_host"),
        Crate::load(&host.join("src/main.rs"), "wasock (CLI)"),
        Crate::load(&host.join("../guest/src/lib.rs"), "wasock (guest)"),
    ]
}

#[test]
fn no_import_circles() {
    let found: Vec<String> = crates().iter().flat_map(check).collect();
    assert!(found.is_empty(), "{}", found.join("\n"));
}

/// The checker itself: it sees a circle through a re-export, a child
/// module's bare path and `super::`, and none in a layered tree.
#[test]
fn the_checker_finds_a_circle_and_passes_a_layered_tree() {
    let dir = tempfile::tempdir().unwrap();
    let w = |p: &str, s: &str| {
        let f = dir.path().join(p);
        std::fs::create_dir_all(f.parent().unwrap()).unwrap();
        std::fs::write(f, s).unwrap();
    };
    w("lib.rs", "mod a;\nmod b;\nmod c;\npub use c::Thing;\n");
    w("a.rs", "use crate::b::B;\n");
    w("b.rs", "pub struct B(crate::Thing);\n");
    w("c/mod.rs", "mod d;\npub struct Thing;\nfn f() { d::g() }\n");
    w(
        "c/d.rs",
        "// use crate::a;\npub fn g() { let _ = \"crate::a::x\"; }\n",
    );
    let layered = Crate::load(&dir.path().join("lib.rs"), "layered");
    assert_eq!(check(&layered), Vec::<String>::new());

    w("c/d.rs", "pub fn g() { crate::a::f() }\n");
    let circled = Crate::load(&dir.path().join("lib.rs"), "circled");
    let found = check(&circled);
    assert_eq!(found.len(), 1, "{found:?}");
    for m in ["a.rs", "b.rs", "c/mod.rs", "c/d.rs"] {
        assert!(found[0].contains(m), "{m} missing from {}", found[0]);
    }

    // super:: from a private child into its parent, which imports the
    // child: one unit. A public child is a module of its own.
    w("c/d.rs", "pub fn g() { super::Thing; }\n");
    w("c/mod.rs", "mod d;\npub struct Thing;\nuse d::g;\n");
    let private = Crate::load(&dir.path().join("lib.rs"), "private");
    assert_eq!(check(&private), Vec::<String>::new());
    w("c/mod.rs", "pub mod d;\npub struct Thing;\nuse d::g;\n");
    let public = Crate::load(&dir.path().join("lib.rs"), "public");
    assert_eq!(check(&public).len(), 1);
}
