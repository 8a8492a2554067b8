//! Byte-order and textual address conversions (`htons`, `inet_pton`, …)
//! and the `CMSG_*` size helpers. Pure functions: no host calls.

use crate::constants::{AF_INET, AF_INET6};
use crate::error::{Error, Result};
use std::net::{Ipv4Addr, Ipv6Addr};

/// `htons(3)`: host to network byte order, 16 bits.
pub fn htons(x: u16) -> u16 {
    x.to_be()
}

/// `ntohs(3)`: network to host byte order, 16 bits.
pub fn ntohs(x: u16) -> u16 {
    u16::from_be(x)
}

/// `htonl(3)`: host to network byte order, 32 bits.
pub fn htonl(x: u32) -> u32 {
    x.to_be()
}

/// `ntohl(3)`: network to host byte order, 32 bits.
pub fn ntohl(x: u32) -> u32 {
    u32::from_be(x)
}

/// `inet_aton(3)`: an IPv4 address in any form glibc accepts (`"127.1"`,
/// `"0x7f.1"`, `"0377.0.0.1"`, `"4294967295"`…) as 4 bytes in network
/// order.
///
/// Errors: `OSError("illegal IP address string passed to inet_aton")`.
pub fn inet_aton(s: &str) -> Result<Vec<u8>> {
    parse_inet_aton(s)
        .map(|a| a.to_vec())
        .ok_or_else(|| Error::os_msg("illegal IP address string passed to inet_aton"))
}

/// glibc's `inet_aton` parser.
pub(crate) fn parse_inet_aton(s: &str) -> Option<[u8; 4]> {
    let bytes = s.as_bytes();
    let mut pos = 0;
    let mut parts: Vec<u64> = Vec::with_capacity(4);
    loop {
        // Each part must start with a digit (strtoul would accept more).
        if pos >= bytes.len() || !bytes[pos].is_ascii_digit() {
            return None;
        }
        let (val, used) = strtoul0(&bytes[pos..])?;
        pos += used;
        if val > 0xffff_ffff {
            return None;
        }
        if pos < bytes.len() && bytes[pos] == b'.' {
            if parts.len() >= 3 || val > 0xff {
                return None;
            }
            parts.push(val);
            pos += 1;
        } else {
            parts.push(val);
            break;
        }
    }
    if pos < bytes.len() && !bytes[pos].is_ascii_whitespace() && bytes[pos] != 0x0b {
        return None;
    }
    let last = *parts.last()?;
    let max: u64 = match parts.len() {
        1 => 0xffff_ffff,
        2 => 0xff_ffff,
        3 => 0xffff,
        _ => 0xff,
    };
    if last > max {
        return None;
    }
    let mut value: u32 = last as u32;
    for (i, &p) in parts[..parts.len() - 1].iter().enumerate() {
        value |= (p as u32) << (24 - 8 * i);
    }
    Some(value.to_be_bytes())
}

/// `strtoul(s, &end, 0)` on a string starting with a digit: returns the
/// value and the number of bytes used.
fn strtoul0(s: &[u8]) -> Option<(u64, usize)> {
    let (base, start) = if s.len() >= 2 && s[0] == b'0' && (s[1] == b'x' || s[1] == b'X') {
        if s.len() > 2 && s[2].is_ascii_hexdigit() {
            (16, 2)
        } else {
            // "0x" without hex digits: strtoul parses just the "0".
            return Some((0, 1));
        }
    } else if s[0] == b'0' {
        (8, 0)
    } else {
        (10, 0)
    };
    let mut val: u64 = 0;
    let mut i = start;
    while i < s.len() {
        let d = match (s[i] as char).to_digit(base) {
            Some(d) => d as u64,
            None => break,
        };
        val = val.checked_mul(base as u64)?.checked_add(d)?;
        if val > u64::from(u32::MAX) * 16 {
            return None;
        }
        i += 1;
    }
    Some((val, i))
}

/// `inet_ntoa(3)`: 4 bytes to dotted-quad text.
///
/// Errors: `OSError("packed IP wrong length for inet_ntoa")`.
pub fn inet_ntoa(packed: &[u8]) -> Result<String> {
    let a: [u8; 4] = packed
        .try_into()
        .map_err(|_| Error::os_msg("packed IP wrong length for inet_ntoa"))?;
    Ok(Ipv4Addr::from(a).to_string())
}

/// `inet_pton(3)`: text to packed bytes for `AF_INET` (4 bytes, strict
/// dotted quad) or `AF_INET6` (16 bytes).
///
/// Errors: `OSError(97)` for another family;
/// `OSError("illegal IP address string passed to inet_pton")`.
pub fn inet_pton(family: i32, s: &str) -> Result<Vec<u8>> {
    let illegal = || Error::os_msg("illegal IP address string passed to inet_pton");
    match family {
        AF_INET => parse_ipv4(s).map(|a| a.to_vec()).ok_or_else(illegal),
        AF_INET6 => parse_ipv6(s)
            .map(|a| Ipv6Addr::from(a).octets().to_vec())
            .ok_or_else(illegal),
        _ => Err(Error::from_errno(97)),
    }
}

/// `inet_ntop(3)`: packed bytes to text, formatted as glibc does
/// (`::ffff:127.0.0.1`, `::127.0.0.1`, `2001:db8::1:0:0:1`).
///
/// Errors: `ValueError("unknown address family N")`;
/// `ValueError("invalid length of packed IP address string")`.
pub fn inet_ntop(family: i32, packed: &[u8]) -> Result<String> {
    let bad_len = || Error::value("invalid length of packed IP address string");
    match family {
        AF_INET => {
            let a: [u8; 4] = packed.try_into().map_err(|_| bad_len())?;
            Ok(Ipv4Addr::from(a).to_string())
        }
        AF_INET6 => {
            let a: [u8; 16] = packed.try_into().map_err(|_| bad_len())?;
            Ok(format_ipv6(&Ipv6Addr::from(a).segments()))
        }
        _ => Err(Error::value(format!("unknown address family {family}"))),
    }
}

/// `inet_pton(AF_INET)`: exactly four decimal octets, no leading zeros.
pub(crate) fn parse_ipv4(s: &str) -> Option<[u8; 4]> {
    let mut out = [0u8; 4];
    let mut n = 0;
    for part in s.split('.') {
        if n == 4 || part.is_empty() || part.len() > 3 || !part.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        if part.len() > 1 && part.starts_with('0') {
            return None;
        }
        out[n] = part.parse::<u8>().ok()?;
        n += 1;
    }
    (n == 4).then_some(out)
}

/// `inet_pton(AF_INET6)` as glibc parses it: eight groups of 1–4 hex
/// digits, one `::`, an optional trailing dotted quad.
pub(crate) fn parse_ipv6(s: &str) -> Option<[u16; 8]> {
    if s.is_empty() {
        return None;
    }
    let (head, tail) = match s.find("::") {
        Some(i) => (&s[..i], Some(&s[i + 2..])),
        None => (s, None),
    };
    fn groups(part: &str, allow_v4: bool) -> Option<Vec<u16>> {
        let mut out = Vec::new();
        if part.is_empty() {
            return Some(out);
        }
        let pieces: Vec<&str> = part.split(':').collect();
        for (i, p) in pieces.iter().enumerate() {
            let last = i + 1 == pieces.len();
            if last && allow_v4 && p.contains('.') {
                let v4 = parse_ipv4(p)?;
                out.push(u16::from_be_bytes([v4[0], v4[1]]));
                out.push(u16::from_be_bytes([v4[2], v4[3]]));
            } else {
                if p.is_empty() || p.len() > 4 || !p.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return None;
                }
                out.push(u16::from_str_radix(p, 16).ok()?);
            }
        }
        Some(out)
    }
    let mut out = [0u16; 8];
    match tail {
        None => {
            let g = groups(head, true)?;
            if g.len() != 8 {
                return None;
            }
            out.copy_from_slice(&g);
        }
        Some(tail) => {
            if tail.contains("::") {
                return None;
            }
            let h = groups(head, false)?;
            let t = groups(tail, true)?;
            if h.len() + t.len() > 7 {
                return None;
            }
            out[..h.len()].copy_from_slice(&h);
            out[8 - t.len()..].copy_from_slice(&t);
        }
    }
    Some(out)
}

/// glibc's `inet_ntop(AF_INET6)`: the first longest run (≥ 2) of zero
/// groups becomes `::`; `::a.b.c.d` and `::ffff:a.b.c.d` for IPv4-compatible
/// and IPv4-mapped addresses.
pub(crate) fn format_ipv6(w: &[u16; 8]) -> String {
    // Find the best run of zeros.
    let (mut best_base, mut best_len) = (None::<usize>, 0usize);
    let mut i = 0;
    while i < 8 {
        if w[i] == 0 {
            let start = i;
            while i < 8 && w[i] == 0 {
                i += 1;
            }
            let len = i - start;
            if len > best_len {
                best_base = Some(start);
                best_len = len;
            }
        } else {
            i += 1;
        }
    }
    if best_len < 2 {
        best_base = None;
    }
    let mut out = String::with_capacity(40);
    let mut i = 0;
    while i < 8 {
        if let Some(b) = best_base {
            if i >= b && i < b + best_len {
                if i == b {
                    out.push(':');
                }
                i += 1;
                continue;
            }
        }
        if i != 0 {
            out.push(':');
        }
        if i == 6 && best_base == Some(0) && (best_len == 6 || (best_len == 5 && w[5] == 0xffff)) {
            let [a, b] = w[6].to_be_bytes();
            let [c, d] = w[7].to_be_bytes();
            out.push_str(&format!("{a}.{b}.{c}.{d}"));
            return out;
        }
        out.push_str(&format!("{:x}", w[i]));
        i += 1;
    }
    if best_base.is_some_and(|b| b + best_len == 8) {
        out.push(':');
    }
    out
}

/// The size of `struct cmsghdr` on 64-bit Linux.
const CMSG_HDR: usize = 16;

/// `CMSG_LEN(n)`: the `cmsg_len` of a control message carrying `n` data
/// bytes (64-bit Linux layout: `16 + n`).
#[allow(non_snake_case)]
pub fn CMSG_LEN(n: usize) -> usize {
    CMSG_HDR + n
}

/// `CMSG_SPACE(n)`: the buffer space a control message with `n` data bytes
/// takes, padding included (64-bit Linux layout: `16 + align8(n)`).
#[allow(non_snake_case)]
pub fn CMSG_SPACE(n: usize) -> usize {
    CMSG_HDR + n.div_ceil(8) * 8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_order() {
        assert_eq!(htons(1), 256);
        assert_eq!(ntohs(256), 1);
        assert_eq!(htonl(1), 0x0100_0000);
        assert_eq!(ntohl(0x0100_0000), 1);
    }

    #[test]
    fn aton_matches_glibc() {
        let ok = [
            ("1", [0, 0, 0, 1]),
            ("1.2", [1, 0, 0, 2]),
            ("0x7f.1", [127, 0, 0, 1]),
            ("127.1", [127, 0, 0, 1]),
            ("1.2.3", [1, 2, 0, 3]),
            ("1.2.3.4 ", [1, 2, 3, 4]),
            ("1.2.3.4 junk", [1, 2, 3, 4]),
            ("0377.0.0.1", [255, 0, 0, 1]),
            ("4294967295", [255, 255, 255, 255]),
        ];
        for (s, want) in ok {
            assert_eq!(inet_aton(s).unwrap(), want.to_vec(), "{s}");
        }
        for s in [
            " 1.2.3.4",
            "08.1.1.1",
            "",
            "300.1.1.1",
            "1.2.3.4.5",
            "1..2",
            "0x",
        ] {
            let e = inet_aton(s).unwrap_err();
            assert_eq!(
                e.to_string(),
                "illegal IP address string passed to inet_aton"
            );
        }
    }

    #[test]
    fn pton_ntop() {
        assert_eq!(inet_pton(AF_INET, "1.2.3.4").unwrap(), vec![1, 2, 3, 4]);
        for bad in ["01.2.3.4", "1.2.3.256", "1.2.3.4 ", "1.2.3"] {
            assert!(inet_pton(AF_INET, bad).is_err(), "{bad}");
        }
        let hex = |s: &str| {
            let v = inet_pton(AF_INET6, s).unwrap();
            v.iter().map(|b| format!("{b:02x}")).collect::<String>()
        };
        assert_eq!(hex("::1:2:3:4:5:6:7"), "00000001000200030004000500060007");
        assert_eq!(hex("1:2:3:4:5:6:7::"), "00010002000300040005000600070000");
        assert_eq!(hex("::"), "00000000000000000000000000000000");
        assert_eq!(hex("::1.2.3.4"), "00000000000000000000000001020304");
        assert_eq!(hex("1::1.2.3.4"), "00010000000000000000000001020304");
        assert_eq!(hex("ABCD::"), "abcd0000000000000000000000000000");
        assert_eq!(hex("::ffff:1.2.3.4"), "00000000000000000000ffff01020304");
        for bad in [
            "::ffff:01.2.3.4",
            "1::2::3",
            "12345::",
            "fe80::1%1",
            ":1::",
            "1:2:3:4:5:6:7:8:9",
            "",
        ] {
            assert!(inet_pton(AF_INET6, bad).is_err(), "{bad}");
        }
        assert_eq!(inet_pton(3, "x").unwrap_err().errno(), Some(97));
        let cases = [
            ("00000000000000000000000000000001", "::1"),
            ("20010db8000000000001000000000001", "2001:db8::1:0:0:1"),
            ("20010db8000000010000000000000001", "2001:db8:0:1::1"),
            ("00010000000000000000000000000000", "1::"),
            ("0000000000000000ffff000000000000", "::ffff:0:0:0"),
            ("00000000000000000000000000010000", "::0.1.0.0"),
            ("0000000000000000000000000000ffff", "::ffff"),
            ("00000000000000000000ffff00000000", "::ffff:0.0.0.0"),
            ("0000000000000000000000010000ffff", "::1:0:ffff"),
            ("00000000000000000000ffff7f000001", "::ffff:127.0.0.1"),
            ("0000000000000000000000007f000001", "::127.0.0.1"),
            ("00000000000000000000000000000000", "::"),
        ];
        for (h, want) in cases {
            let bytes: Vec<u8> = (0..16)
                .map(|i| u8::from_str_radix(&h[2 * i..2 * i + 2], 16).unwrap())
                .collect();
            assert_eq!(inet_ntop(AF_INET6, &bytes).unwrap(), want);
        }
        assert_eq!(
            inet_ntop(AF_INET, b"123").unwrap_err().to_string(),
            "invalid length of packed IP address string"
        );
        assert_eq!(
            inet_ntop(3, b"x").unwrap_err().to_string(),
            "unknown address family 3"
        );
        assert_eq!(inet_ntoa(&[127, 0, 0, 1]).unwrap(), "127.0.0.1");
        assert!(inet_ntoa(b"12345").is_err());
    }

    #[test]
    fn cmsg_sizes() {
        assert_eq!(CMSG_LEN(4), 20);
        assert_eq!(CMSG_SPACE(4), 24);
        assert_eq!(CMSG_LEN(0), 16);
        assert_eq!(CMSG_SPACE(0), 16);
    }
}
