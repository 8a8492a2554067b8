//! Python's `idna` codec (IDNA 2003, RFC 3490) for host names: CPython
//! encodes every `str` host with it before resolving, so `bücher.example`
//! is looked up (and judged by the policy) as `xn--bcher-kva.example`.
//!
//! Nameprep is approximated: characters that RFC 3454 table B.1 maps to
//! nothing are dropped, letters are lower-cased (with `ß` → `ss` and final
//! `ς` → `σ`, as table B.2 folds them); Unicode normalisation (NFKC) and
//! the prohibited-character checks are not applied.

use crate::error::{Error, ErrorKind, Result};

/// CPython's `UnicodeError` (a `ValueError`) from the codec.
fn codec_error(why: &str) -> Error {
    Error::new(
        ErrorKind::ValueError,
        format!("encoding with 'idna' codec failed (UnicodeError: {why})"),
    )
}

/// A label that is empty or longer than 63 bytes.
fn label_error() -> Error {
    codec_error("label empty or too long")
}

/// `host.encode("idna")`, as text (what CPython's getaddrinfo,
/// gethostbyname(_ex) and gethostbyaddr pass on). ASCII names are only checked (no label
/// empty except a final one, none of 64 bytes or more), not changed.
pub(crate) fn encode(host: &str) -> Result<String> {
    if host.is_ascii() {
        let labels: Vec<&str> = host.split('.').collect();
        let (last, rest) = labels.split_last().unwrap_or((&"", &[]));
        if rest.iter().any(|l| l.is_empty() || l.len() >= 64) {
            return Err(label_error());
        }
        if last.len() >= 64 {
            return Err(codec_error("label too long"));
        }
        return Ok(host.to_string());
    }
    let mut labels: Vec<&str> = host
        .split(['.', '\u{3002}', '\u{ff0e}', '\u{ff61}'])
        .collect();
    let trailing_dot = labels.len() > 1 && labels.last() == Some(&"");
    if trailing_dot {
        labels.pop();
    }
    let mut out = Vec::with_capacity(labels.len());
    for label in labels {
        out.push(to_ascii(label)?);
    }
    let mut s = out.join(".");
    if trailing_dot {
        s.push('.');
    }
    Ok(s)
}

/// What CPython's address arguments (connect, bind, sendto…) pass on:
/// ASCII hosts as they are, others through the codec.
pub(crate) fn encode_non_ascii(host: &str) -> Result<std::borrow::Cow<'_, str>> {
    if host.is_ascii() {
        Ok(host.into())
    } else {
        encode(host).map(Into::into)
    }
}

/// RFC 3490 ToASCII of one label.
fn to_ascii(label: &str) -> Result<String> {
    let checked = |l: String| {
        if l.is_empty() || l.len() >= 64 {
            Err(label_error())
        } else {
            Ok(l)
        }
    };
    if label.is_ascii() {
        return checked(label.to_string());
    }
    let prepped = nameprep(label);
    if prepped.is_ascii() {
        return checked(prepped);
    }
    if prepped.starts_with("xn--") {
        return Err(codec_error("Label starts with ACE prefix"));
    }
    checked(format!("xn--{}", punycode(&prepped)))
}

/// Nameprep, approximated (see the module docs).
fn nameprep(label: &str) -> String {
    let mut out = String::with_capacity(label.len());
    for c in label.chars() {
        match c {
            '\u{ad}'
            | '\u{34f}'
            | '\u{1806}'
            | '\u{180b}'..='\u{180d}'
            | '\u{200b}'..='\u{200d}'
            | '\u{2060}'
            | '\u{fe00}'..='\u{fe0f}'
            | '\u{feff}' => {}
            'ß' => out.push_str("ss"),
            'ς' => out.push('σ'),
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// RFC 3492 Punycode encoding of a label (Python's `punycode` codec: the
/// basic code points, `-` if there were any, then the deltas).
fn punycode(input: &str) -> String {
    const BASE: u32 = 36;
    const TMIN: u32 = 1;
    const TMAX: u32 = 26;
    const SKEW: u32 = 38;
    const DAMP: u32 = 700;
    fn adapt(mut delta: u32, points: u32, first: bool) -> u32 {
        delta = if first { delta / DAMP } else { delta / 2 };
        delta += delta / points;
        let mut k = 0;
        while delta > ((BASE - TMIN) * TMAX) / 2 {
            delta /= BASE - TMIN;
            k += BASE;
        }
        k + (BASE - TMIN + 1) * delta / (delta + SKEW)
    }
    fn digit(d: u32) -> char {
        char::from(if d < 26 {
            b'a' + d as u8
        } else {
            b'0' + (d - 26) as u8
        })
    }
    let cps: Vec<u32> = input.chars().map(u32::from).collect();
    let mut out: String = input.chars().filter(char::is_ascii).collect();
    let basic = out.len() as u32;
    if basic > 0 {
        out.push('-');
    }
    let (mut n, mut delta, mut bias, mut h) = (128u32, 0u32, 72u32, basic);
    // A label is at most a few hundred code points here (the caller
    // rejects long ones afterwards), so these sums stay small; saturate
    // anyway rather than overflow.
    while (h as usize) < cps.len() {
        let m = cps.iter().copied().filter(|&c| c >= n).min().unwrap_or(n);
        delta = delta.saturating_add((m - n).saturating_mul(h + 1));
        n = m;
        for &c in &cps {
            if c < n {
                delta = delta.saturating_add(1);
            }
            if c == n {
                let mut q = delta;
                let mut k = BASE;
                loop {
                    let t = if k <= bias {
                        TMIN
                    } else if k >= bias + TMAX {
                        TMAX
                    } else {
                        k - bias
                    };
                    if q < t {
                        break;
                    }
                    out.push(digit(t + (q - t) % (BASE - t)));
                    q = (q - t) / (BASE - t);
                    k += BASE;
                }
                out.push(digit(q));
                bias = adapt(delta, h + 1, h == basic);
                delta = 0;
                h += 1;
            }
        }
        delta = delta.saturating_add(1);
        n += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expected values from CPython's `str.encode("idna")`.
    #[test]
    fn matches_cpython() {
        for (name, want) in [
            ("bücher.example", "xn--bcher-kva.example"),
            ("münchen.de", "xn--mnchen-3ya.de"),
            ("例え.テスト", "xn--r8jz45g.xn--zckzah"),
            ("BÜCHER.example", "xn--bcher-kva.example"),
            ("straße.de", "strasse.de"),
            ("a.b.", "a.b."),
            ("xn--abc.com", "xn--abc.com"),
            ("ÄÖÜ", "xn--4ca0bs"),
            ("пример.испытание", "xn--e1afmkfd.xn--80akhbyknj4f"),
            ("API.Example.TEST", "API.Example.TEST"),
        ] {
            assert_eq!(encode(name).unwrap(), want, "{name}");
        }
        for bad in ["a..b", ".a", &"x".repeat(64), &"ü".repeat(60), "bücher..x"] {
            assert!(encode(bad).is_err(), "{bad}");
        }
        assert_eq!(encode("a.").unwrap(), "a.");
    }
}
