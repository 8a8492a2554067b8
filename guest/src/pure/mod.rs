//! Pure functions, with no WIT and no host call: Python's `repr` of text
//! and bytes (`text`), byte order, the IPv4/IPv6 text forms and the
//! `CMSG_*` sizes (`inet`), and Python's `idna` codec for host names
//! (`idna`). It sits just above the bottom layer: it may import `error`
//! and `constants`, nothing else.

pub(crate) mod idna;
pub(crate) mod inet;
pub(crate) mod text;
