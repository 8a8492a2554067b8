//! The `latin1` interface: the sending calls with their data as Latin-1
//! text (each character U+0000..U+00FF is one byte), for guest
//! toolchains whose strings are cheaper than their byte lists.
//!
//! componentize-py 0.25 copies every `list<u8>` argument of an imported
//! call into memory it never frees; its strings are freed when the call
//! returns. wasock's Python runtime therefore sends through these calls
//! (docs/architecture.md, "Python guests").
//!
//! Each call decodes the text and runs the core's `list<u8>` call with the
//! bytes, so policy, limits and errors are exactly those of the byte
//! calls. Text that is all ASCII is its own bytes: no copy is made (and
//! `zerocopy.rs` sends it from the guest's memory).

use crate::ctx::WasockCtxView;
use crate::net::socket::HostSocket;
use crate::types::types::{MsgFlags, SocketAddress, UnixAddress};
use crate::types::{SocketError, SocketResult};
use crate::wit::bindings::{async_io, sync_io};
use std::borrow::Cow;
use wasmtime::component::Resource;

type Sock = Resource<HostSocket>;

/// The bytes Latin-1 `text` stands for: each character U+0000..U+00FF is
/// the byte of that value. All-ASCII text is returned as it lies.
///
/// Errors: `invalid` for a character above U+00FF, naming it and where it
/// falls in the data.
pub(crate) fn decode(text: &str) -> SocketResult<Cow<'_, [u8]>> {
    decode_of(text, "data")
}

/// [`decode`], naming `what` the text is in its error ("data", "AF_UNIX
/// address").
fn decode_of<'a>(text: &'a str, what: &str) -> SocketResult<Cow<'a, [u8]>> {
    let b = text.as_bytes();
    // All ASCII (text protocols): one word-at-a-time check, no copy.
    if b.is_ascii() {
        return Ok(Cow::Borrowed(b));
    }
    let first = ascii_prefix(b);
    // At most one byte per byte of UTF-8; fewer for each two-byte character.
    let mut out = Vec::with_capacity(b.len());
    out.extend_from_slice(&b[..first]);
    let mut i = first;
    while i < b.len() {
        let lead = b[i];
        if lead < 0x80 {
            // A run of ASCII, copied at once.
            let end = i + ascii_prefix(&b[i..]);
            out.extend_from_slice(&b[i..end]);
            i = end;
            continue;
        }
        // U+0080..U+00FF is 0xC2 or 0xC3 and one continuation byte; `text`
        // is valid UTF-8, so the continuation byte is there.
        match (lead, b.get(i + 1)) {
            (0xC2 | 0xC3, Some(&cont)) => {
                out.push(((lead & 0x03) << 6) | (cont & 0x3F));
                i += 2;
            }
            _ => {
                let c = text
                    .get(i..)
                    .and_then(|t| t.chars().next())
                    .unwrap_or(char::REPLACEMENT_CHARACTER);
                return Err(SocketError::invalid(format!(
                    "the {what} is not Latin-1 text: character U+{:04X} (at byte {} of the {what}) is above U+00FF",
                    u32::from(c),
                    out.len()
                )));
            }
        }
    }
    Ok(Cow::Owned(out))
}

/// How many bytes `b` starts with that are ASCII. Checks 32 bytes at a
/// time with `<[u8]>::is_ascii` (word at a time), since a byte loop that
/// may stop early is not vectorised: scanning 64 KiB of ASCII a byte at a
/// time (2 GB/s in a micro-benchmark here, against 13.5 GB/s in chunks and
/// 60 GB/s for one `is_ascii` over all of it) was a third of a Python
/// guest's bulk-send profile.
fn ascii_prefix(b: &[u8]) -> usize {
    const CHUNK: usize = 32;
    let mut n = 0;
    for chunk in b.chunks(CHUNK) {
        if chunk.is_ascii() {
            n += chunk.len();
        } else {
            return n + chunk.iter().position(|&x| x >= 0x80).unwrap_or(chunk.len());
        }
    }
    n
}

/// [`decode`] for an owned string: all-ASCII text becomes its bytes
/// without a copy.
fn decode_owned(text: String) -> SocketResult<Vec<u8>> {
    decode_owned_of(text, "data")
}

/// [`decode_owned`], naming `what` the text is in its error.
fn decode_owned_of(text: String, what: &str) -> SocketResult<Vec<u8>> {
    if text.is_ascii() {
        return Ok(text.into_bytes());
    }
    decode_of(&text, what).map(Cow::into_owned)
}

/// An AF_UNIX address from its name as Latin-1 text.
fn unix_address(name: UnixText) -> SocketResult<SocketAddress> {
    let bytes = |t: String| decode_owned_of(t, "AF_UNIX address");
    Ok(SocketAddress::Unix(match name {
        UnixText::Pathname(t) => UnixAddress::Pathname(bytes(t)?),
        UnixText::Abstract(t) => UnixAddress::Abstract(bytes(t)?),
        UnixText::Unnamed => UnixAddress::Unnamed,
    }))
}

/// The generated `unix-name` of either flavour, as one type.
enum UnixText {
    Pathname(String),
    Abstract(String),
    Unnamed,
}

/// Implements the generated `latin1::Host` trait of one flavour: each call
/// decodes its text and hands the bytes to the same flavour's byte call
/// (`socket.send`…, `ancillary.send-msg`), which adds the wall-time limit
/// and waits as that flavour does.
macro_rules! latin1_host {
    ($flavour:ident $(, $asy:tt $aw:tt)?) => {
        impl From<$flavour::wasock::socket::latin1::UnixName> for UnixText {
            fn from(n: $flavour::wasock::socket::latin1::UnixName) -> UnixText {
                use $flavour::wasock::socket::latin1::UnixName;
                match n {
                    UnixName::Pathname(t) => UnixText::Pathname(t),
                    UnixName::Abstract(t) => UnixText::Abstract(t),
                    UnixName::Unnamed => UnixText::Unnamed,
                }
            }
        }

        impl $flavour::wasock::socket::latin1::Host for WasockCtxView<'_> {
            // bind(2) never waits: a plain function in both flavours.
            fn bind_unix(
                &mut self,
                s: Sock,
                address: $flavour::wasock::socket::latin1::UnixName,
            ) -> SocketResult<()> {
                let address = unix_address(address.into())?;
                $flavour::wasock::socket::socket::HostSocket::bind(self, s, address)
            }

            $($asy)? fn connect_unix(
                &mut self,
                s: Sock,
                address: $flavour::wasock::socket::latin1::UnixName,
            ) -> SocketResult<()> {
                let address = unix_address(address.into())?;
                $flavour::wasock::socket::socket::HostSocket::connect(self, s, address)$(.$aw)?
            }

            $($asy)? fn send_to_unix(
                &mut self,
                s: Sock,
                data: String,
                flags: MsgFlags,
                address: $flavour::wasock::socket::latin1::UnixName,
            ) -> SocketResult<u64> {
                let address = unix_address(address.into())?;
                $flavour::wasock::socket::latin1::Host::send_to(self, s, data, flags, address)$(.$aw)?
            }

            $($asy)? fn send_msg_unix(
                &mut self,
                s: Sock,
                buffers: Vec<String>,
                control: Vec<$flavour::wasock::socket::ancillary::SendControlMessage>,
                flags: MsgFlags,
                address: $flavour::wasock::socket::latin1::UnixName,
            ) -> SocketResult<u64> {
                let address = unix_address(address.into())?;
                $flavour::wasock::socket::latin1::Host::send_msg(self, s, buffers, control, flags, Some(address))$(.$aw)?
            }

            $($asy)? fn send(&mut self, s: Sock, data: String, flags: MsgFlags) -> SocketResult<u64> {
                let data = decode_owned(data)?;
                $flavour::wasock::socket::socket::HostSocket::send(self, s, data, flags)$(.$aw)?
            }

            $($asy)? fn send_all(&mut self, s: Sock, data: String, flags: MsgFlags) -> SocketResult<()> {
                let data = decode_owned(data)?;
                $flavour::wasock::socket::socket::HostSocket::send_all(self, s, data, flags)$(.$aw)?
            }

            $($asy)? fn send_to(
                &mut self,
                s: Sock,
                data: String,
                flags: MsgFlags,
                address: SocketAddress,
            ) -> SocketResult<u64> {
                let data = decode_owned(data)?;
                $flavour::wasock::socket::socket::HostSocket::send_to(self, s, data, flags, address)$(.$aw)?
            }

            $($asy)? fn send_msg(
                &mut self,
                s: Sock,
                buffers: Vec<String>,
                control: Vec<$flavour::wasock::socket::ancillary::SendControlMessage>,
                flags: MsgFlags,
                address: Option<SocketAddress>,
            ) -> SocketResult<u64> {
                let buffers = buffers
                    .into_iter()
                    .map(decode_owned)
                    .collect::<SocketResult<Vec<_>>>()?;
                $flavour::wasock::socket::ancillary::Host::send_msg(self, s, buffers, control, flags, address)$(.$aw)?
            }
        }
    };
}

latin1_host!(async_io, async await);
latin1_host!(sync_io);

#[cfg(test)]
mod tests {
    use super::decode;
    use std::borrow::Cow;

    #[test]
    fn every_byte_round_trips() {
        let bytes: Vec<u8> = (0..=255u8).chain((0..=255u8).rev()).collect();
        let text: String = bytes.iter().map(|&b| char::from(b)).collect();
        assert_eq!(decode(&text).unwrap().as_ref(), bytes.as_slice());
    }

    #[test]
    fn runs_of_every_length_decode() {
        // ASCII runs shorter and longer than the scan's chunk, between
        // two-byte characters, at both ends.
        for run in [0usize, 1, 31, 32, 33, 64, 100] {
            let mut bytes = vec![b'a'; run];
            bytes.extend([0xe9, 0x80, 0xff]);
            bytes.extend(std::iter::repeat_n(b'z', run));
            bytes.push(0xa0);
            let text: String = bytes.iter().map(|&b| char::from(b)).collect();
            assert_eq!(
                decode(&text).unwrap().as_ref(),
                bytes.as_slice(),
                "run {run}"
            );
        }
    }

    #[test]
    fn ascii_is_borrowed() {
        assert!(matches!(
            decode("GET / HTTP/1.1\r\n"),
            Ok(Cow::Borrowed(b"GET / HTTP/1.1\r\n"))
        ));
        assert!(matches!(decode(""), Ok(Cow::Borrowed(b""))));
    }

    #[test]
    fn a_unix_name_decodes_and_names_its_errors() {
        use super::{unix_address, UnixText};
        use crate::types::types::{SocketAddress, UnixAddress};
        let a = unix_address(UnixText::Pathname("s\u{ff}.sock".into())).unwrap();
        assert!(matches!(
            a,
            SocketAddress::Unix(UnixAddress::Pathname(p)) if p == b"s\xff.sock"
        ));
        let a = unix_address(UnixText::Abstract("x".into())).unwrap();
        assert!(matches!(a, SocketAddress::Unix(UnixAddress::Abstract(p)) if p == b"x"));
        let e = unix_address(UnixText::Pathname("a\u{100}".into()))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("AF_UNIX address is not Latin-1") && e.contains("U+0100"),
            "{e}"
        );
    }

    #[test]
    fn a_character_above_latin1_is_named() {
        let e = decode("ab\u{e9}c\u{20ac}").unwrap_err().to_string();
        assert!(e.contains("U+20AC") && e.contains("at byte 4"), "{e}");
        let e = decode("\u{1F600}").unwrap_err().to_string();
        assert!(e.contains("U+1F600") && e.contains("at byte 0"), "{e}");
    }
}
