//! Python `repr()` of bytes and str, for addresses and the examples.

use std::fmt::Write;

/// Python's `repr(bytes)`: `repr_bytes(b"Hello, world")` is
/// `b'Hello, world'`, `repr_bytes(b"\0abc")` is `b'\x00abc'`.
///
/// Single quotes unless the bytes contain `'` and no `"`; `\t`, `\n`,
/// `\r`, `\\` and the quote escaped; other bytes outside 0x20..0x7f as
/// `\xNN`.
pub fn repr_bytes(data: &[u8]) -> String {
    let quote = if data.contains(&b'\'') && !data.contains(&b'"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(data.len() + 3);
    out.push('b');
    out.push(quote);
    for &b in data {
        match b {
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\\' => out.push_str("\\\\"),
            _ if b as char == quote => {
                out.push('\\');
                out.push(quote);
            }
            0x20..=0x7e => out.push(b as char),
            _ => {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
    }
    out.push(quote);
    out
}

/// Python's `repr(str)` of a string decoded from bytes the way CPython
/// decodes file-system paths (UTF-8 with `surrogateescape`: an undecodable
/// byte `0xNN` shows as `\udcNN`).
pub(crate) fn repr_str_bytes(data: &[u8]) -> String {
    // Decode into chars, mapping undecodable bytes to lone surrogates
    // (represented here as their escape text directly).
    enum Piece {
        Char(char),
        Surrogate(u8),
    }
    let mut pieces = Vec::with_capacity(data.len());
    let mut rest = data;
    while !rest.is_empty() {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                pieces.extend(s.chars().map(Piece::Char));
                break;
            }
            Err(e) => {
                let valid = e.valid_up_to();
                let s = std::str::from_utf8(&rest[..valid]).unwrap_or_default();
                pieces.extend(s.chars().map(Piece::Char));
                let bad = e.error_len().unwrap_or(rest.len() - valid);
                for &b in &rest[valid..valid + bad] {
                    pieces.push(Piece::Surrogate(b));
                }
                rest = &rest[valid + bad..];
            }
        }
    }
    let has_single = pieces.iter().any(|p| matches!(p, Piece::Char('\'')));
    let has_double = pieces.iter().any(|p| matches!(p, Piece::Char('"')));
    let quote = if has_single && !has_double { '"' } else { '\'' };
    let mut out = String::with_capacity(data.len() + 2);
    out.push(quote);
    for p in pieces {
        match p {
            Piece::Surrogate(b) => {
                let _ = write!(out, "\\udc{b:02x}");
            }
            Piece::Char(c) => match c {
                '\t' => out.push_str("\\t"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\\' => out.push_str("\\\\"),
                c if c == quote => {
                    out.push('\\');
                    out.push(c);
                }
                c if (c as u32) < 0x20 || (0x7f..0xa0).contains(&(c as u32)) => {
                    let _ = write!(out, "\\x{:02x}", c as u32);
                }
                c => out.push(c),
            },
        }
    }
    out.push(quote);
    out
}

/// Python's `repr(str)`.
pub(crate) fn repr_str(s: &str) -> String {
    repr_str_bytes(s.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_repr_matches_python() {
        assert_eq!(repr_bytes(b"Hello, world"), "b'Hello, world'");
        assert_eq!(
            repr_bytes(b"\x00abc'\"\\\t\n\r\x7f\x80\xff"),
            r#"b'\x00abc\'"\\\t\n\r\x7f\x80\xff'"#
        );
        assert_eq!(repr_bytes(b"it's"), r#"b"it's""#);
        assert_eq!(repr_bytes(b"say \"hi\""), r#"b'say "hi"'"#);
        assert_eq!(repr_bytes(b""), "b''");
    }

    #[test]
    fn str_repr_matches_python() {
        assert_eq!(repr_str("/tmp/x"), "'/tmp/x'");
        assert_eq!(repr_str("it's"), "\"it's\"");
        assert_eq!(repr_str("a\u{1}b"), "'a\\x01b'");
        assert_eq!(repr_str("héllo"), "'héllo'");
        assert_eq!(repr_str_bytes(b"a\xffb"), "'a\\udcffb'");
    }
}
