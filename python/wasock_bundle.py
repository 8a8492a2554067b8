"""What a packaged Python guest can import at run time.

componentize-py builds a component by importing the app module in CPython
and keeping the interpreter's memory. The directories given to it (the
standard library, wasock's runtime, the program's directory, the
``--python-path`` directories) exist only while it builds: a guest has no
file system of its own, so a module that was not imported while building
cannot be found when the program runs.

``prepare`` runs while the component is built (``_wasock_entry``, written by
``wasock run`` / ``wasock py build``, calls it). It compiles, without
running them:

- the program and every module it imports, found by ``modulefinder``
  (statically: ``import`` statements, transitively, standard library
  included);
- every module of the program's own directory and of the ``--python-path``
  directories (directories marked with a ``__wasock_bundle__`` file), so a
  module imported by name at run time is there too;
- the ``encodings`` package (codecs are looked up by name).

The code objects stay in memory, served by a finder on ``sys.meta_path``,
and the sources go into ``linecache`` so that tracebacks show lines as
CPython's do. Nothing is imported (executed) here: the program's modules
run when the program imports them, as natively. A syntax error in any of
the program's own files fails the build with Python's message.

A module imported only dynamically (``importlib.import_module`` with a
computed name) from the standard library is missing unless something
imports it statically: import it in the program (``import x``) to bundle it.
"""

import importlib.abc
import importlib.machinery
import importlib.util
import linecache
import modulefinder
import os
import sys

MARKER = "__wasock_bundle__"


class BundleFinder(importlib.abc.MetaPathFinder, importlib.abc.InspectLoader):
    """Serves compiled modules kept in memory (after the path finders
    found nothing, which at run time is always)."""

    def __init__(self):
        # name -> (filename, is_package, code)
        self.modules = {}

    def add(self, name, filename, is_package, code):
        self.modules[name] = (filename, is_package, code)

    def find_spec(self, name, path=None, target=None):
        entry = self.modules.get(name)
        if entry is None:
            return None
        filename, is_package, _ = entry
        spec = importlib.util.spec_from_loader(
            name, self, origin=filename, is_package=is_package
        )
        spec.has_location = True
        if is_package:
            spec.submodule_search_locations = [os.path.dirname(filename)]
        return spec

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        code = self.get_code(module.__name__)
        module.__file__ = self.modules[module.__name__][0]
        exec(code, module.__dict__)

    def get_code(self, fullname):
        entry = self.modules.get(fullname)
        if entry is None:
            raise ImportError(f"No module named {fullname!r}", name=fullname)
        return entry[2]

    def is_package(self, fullname):
        entry = self.modules.get(fullname)
        if entry is None:
            raise ImportError(f"No module named {fullname!r}", name=fullname)
        return entry[1]

    def get_source(self, fullname):
        entry = self.modules.get(fullname)
        if entry is None:
            return None
        lines = linecache.cache.get(entry[0])
        return "".join(lines[2]) if lines else None

    def get_filename(self, fullname):
        entry = self.modules.get(fullname)
        if entry is None:
            raise ImportError(f"No module named {fullname!r}", name=fullname)
        return entry[0]


FINDER = BundleFinder()


def _keep_source(filename, source):
    """Puts a file's lines where tracebacks look for them; an mtime of
    None means linecache never checks the (absent) file again."""
    lines = source.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    linecache.cache[filename] = (len(source), None, lines, filename)


def _compile_file(name, filename, is_package, strict, shown=None):
    """Compiles one module's file into the finder, named ``shown`` (its
    path on the host) in code objects and tracebacks."""
    try:
        with open(filename, "rb") as f:
            raw = f.read()
    except OSError:
        return
    source = importlib.util.decode_source(raw)
    shown = shown or filename
    try:
        code = compile(source, shown, "exec", dont_inherit=True)
    except SyntaxError:
        if strict:
            raise
        return
    FINDER.add(name, shown, is_package, code)
    _keep_source(shown, source)


def _bundle_dirs():
    """The program's directory and the --python-path directories: (where
    the build sees it, its absolute path on the host)."""
    out = []
    for d in sys.path:
        try:
            with open(os.path.join(d, MARKER), encoding="utf-8") as f:
                out.append((d, f.read()))
        except (OSError, TypeError, ValueError):
            pass
    return out


def _walk_dir(root):
    """(module name, file, is_package, path relative to ``root``) for every
    module below ``root``."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(
            d for d in dirnames if d != "__pycache__" and not d.startswith(".")
        )
        rel = os.path.relpath(dirpath, root)
        parts = [] if rel == "." else rel.split(os.sep)
        if parts and not all(p.isidentifier() for p in parts):
            continue
        for fn in sorted(filenames):
            if not fn.endswith(".py"):
                continue
            stem = fn[:-3]
            path = os.path.join(dirpath, fn)
            relpath = os.path.join(*parts, fn) if parts else fn
            if stem == "__init__":
                if parts:
                    yield ".".join(parts), path, True, relpath
            else:
                yield ".".join(parts + [stem]), path, False, relpath


def prepare(module, script):
    """Bundles the program ``module`` (file ``script`` in the program's
    directory) and everything it imports; see the module docs."""
    dirs = _bundle_dirs()
    main_file = None
    # The program's own files: every module, compiled; a syntax error in
    # one of them is the program's error, shown now.
    for d, host in dirs:
        for name, path, is_package, rel in _walk_dir(d):
            if name == "_wasock_entry" or name in FINDER.modules:
                continue
            _compile_file(name, path, is_package, True, os.path.join(host, rel))
            if main_file is None and rel == script:
                main_file = path
    if main_file is None:
        raise ImportError(f"No module named {module!r}", name=module)
    # What they import, statically, from wherever it comes.
    finder = modulefinder.ModuleFinder(path=list(sys.path), excludes=["_wasock_entry"])
    finder.run_script(main_file)
    for d, _ in dirs:
        for name, _, _, _ in _walk_dir(d):
            if name not in finder.modules and name != "_wasock_entry":
                try:
                    finder.import_hook(name)
                except Exception:
                    pass
    try:
        finder.import_hook("encodings", None, ["*"])
    except Exception:
        pass
    for name, m in sorted(finder.modules.items()):
        if name == "__main__" or name in FINDER.modules:
            continue
        filename = getattr(m, "__file__", None)
        if not filename or not filename.endswith(".py"):
            continue
        _compile_file(name, filename, m.__path__ is not None, False)
    if FINDER not in sys.meta_path:
        sys.meta_path.append(FINDER)
