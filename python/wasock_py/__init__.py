"""wasock's Python runtime: CPython's `_socket` and `select`, written in
Python over the wasock WIT bindings componentize-py generates, so that
the standard library's `socket`, `selectors`, `asyncio`, `socketserver`
and `http` modules run unchanged in a sandboxed guest.

Modules: `_socket` (sockets, options, ancillary data, name resolution),
`select` (select and poll), `_address` (addresses), `_errors`
(exceptions), `_constants` (generated from the Rust guest's table),
`bootstrap` (installing all this, and running the program).
"""
