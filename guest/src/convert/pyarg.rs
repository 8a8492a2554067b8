//! An address argument as CPython's `getsockaddrarg` sees it: the Python
//! object an [`Address`] stands for, and `PyArg_ParseTuple` over its
//! items.

use super::address::{address_from_wit, bdaddr_text, Address};
use crate::error::{Error, ErrorKind, Result};
use crate::wit;
use crate::wit::types::SocketAddress as WitAddress;

/// A Python value as CPython's `getsockaddrarg` sees an address argument:
/// an [`Address`] is the Python object it stands for (`Inet` the tuple
/// `(str, int)`, `Unix` a `str`, `Other` its family's tuple, `None`).
#[derive(Debug, Clone)]
pub(super) enum Py {
    Str(String),
    Bytes(Vec<u8>),
    Int(i128),
    Tuple(Vec<Py>),
    None,
}

impl Py {
    /// `type(x).__name__`.
    pub(super) fn type_name(&self) -> &'static str {
        match self {
            Py::Str(_) => "str",
            Py::Bytes(_) => "bytes",
            Py::Int(_) => "int",
            Py::Tuple(_) => "tuple",
            Py::None => "NoneType",
        }
    }

    fn int(v: impl Into<i128>) -> Py {
        Py::Int(v.into())
    }

    fn str(s: &str) -> Py {
        Py::Str(s.to_string())
    }

    fn bdaddr(b: &(u8, u8, u8, u8, u8, u8)) -> Py {
        Py::Str(bdaddr_text(*b))
    }
}

/// The Python object an [`Address`] stands for.
pub(super) fn py_of_address(addr: &Address) -> Py {
    use wit::types::{BluetoothAddress as B, CanAddress as C};
    match addr {
        Address::Inet(host, port) => Py::Tuple(vec![Py::str(host), Py::int(*port)]),
        Address::Inet6(host, port, flow, scope) => Py::Tuple(vec![
            Py::str(host),
            Py::int(*port),
            Py::int(*flow),
            Py::int(*scope),
        ]),
        Address::Unix(path) => Py::Str(String::from_utf8_lossy(path).into_owned()),
        Address::None => Py::None,
        Address::Other(raw) => match &raw.0 {
            WitAddress::Inet(_) | WitAddress::Inet6(_) | WitAddress::Unix(_) => {
                py_of_address(&address_from_wit(raw.0.clone()))
            }
            WitAddress::Netlink(a) => Py::Tuple(vec![Py::int(a.pid), Py::int(a.groups)]),
            WitAddress::Packet(a) => Py::Tuple(vec![
                Py::str(&a.interface),
                Py::int(a.protocol),
                Py::int(a.packet_type),
                Py::int(a.hardware_type),
                Py::Bytes(a.hardware_address.clone()),
            ]),
            WitAddress::Can(C::Raw(i)) => Py::Tuple(vec![Py::str(i)]),
            WitAddress::Can(C::Isotp((i, rx, tx))) => {
                Py::Tuple(vec![Py::str(i), Py::int(*rx), Py::int(*tx)])
            }
            WitAddress::Can(C::J1939((i, name, pgn, a))) => {
                Py::Tuple(vec![Py::str(i), Py::int(*name), Py::int(*pgn), Py::int(*a)])
            }
            WitAddress::Alg(a) if a.feat == 0 && a.mask == 0 => {
                Py::Tuple(vec![Py::str(&a.algorithm_type), Py::str(&a.name)])
            }
            WitAddress::Alg(a) => Py::Tuple(vec![
                Py::str(&a.algorithm_type),
                Py::str(&a.name),
                Py::int(a.feat),
                Py::int(a.mask),
            ]),
            WitAddress::Vsock(a) => Py::Tuple(vec![Py::int(a.cid), Py::int(a.port)]),
            WitAddress::Tipc(a) => Py::Tuple(vec![
                Py::int(a.address_type),
                Py::int(a.v1),
                Py::int(a.v2),
                Py::int(a.v3),
                Py::int(a.scope),
            ]),
            WitAddress::Qipcrtr(a) => Py::Tuple(vec![Py::int(a.node), Py::int(a.port)]),
            WitAddress::Bluetooth(B::L2cap((b, psm))) => {
                Py::Tuple(vec![Py::bdaddr(b), Py::int(*psm)])
            }
            WitAddress::Bluetooth(B::Rfcomm((b, ch))) => {
                Py::Tuple(vec![Py::bdaddr(b), Py::int(*ch)])
            }
            WitAddress::Bluetooth(B::Hci(dev)) => Py::Tuple(vec![Py::int(*dev)]),
            WitAddress::Bluetooth(B::Sco(b)) => Py::bdaddr(b),
        },
    }
}

/// A value `PyArg_ParseTuple` produced.
#[derive(Debug, Clone)]
pub(super) enum Arg {
    Int(i128),
    Text(Vec<u8>),
}

impl Arg {
    pub(super) fn int(&self) -> i128 {
        match self {
            Arg::Int(v) => *v,
            Arg::Text(_) => 0,
        }
    }

    pub(super) fn text(&self) -> String {
        match self {
            Arg::Text(t) => String::from_utf8_lossy(t).into_owned(),
            Arg::Int(_) => String::new(),
        }
    }
}

pub(super) fn type_error(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::TypeError, message)
}

/// CPython's `PyArg_ParseTuple(items, format)` for the format units
/// `getsockaddrarg` uses: `I`/`H`/`k`/`K` (masked unsigned), `i`
/// (signed int), `B` (unsigned byte), `s` (str), `y` (`y*`, bytes), `F`
/// (`O&` with `PyUnicode_FSConverter`), `N` (`O&` with the host-name
/// converter), `|` (the rest optional). `message` is the text after `;`
/// (replaces the count and format-mismatch errors), `fname` the name after
/// `:`.
pub(super) fn parse_tuple(
    items: &[Py],
    format: &str,
    message: Option<&str>,
    fname: Option<&str>,
) -> Result<Vec<Arg>> {
    let codes: Vec<char> = format.chars().filter(|&c| c != '|').collect();
    let min = format.find('|').unwrap_or(format.len());
    let max = codes.len();
    let len = items.len();
    if len < min || len > max {
        if let Some(m) = message {
            return Err(type_error(m));
        }
        let n = if len < min { min } else { max };
        return Err(type_error(format!(
            "{}{} takes {} {n} argument{} ({len} given)",
            fname.unwrap_or("function"),
            if fname.is_some() { "()" } else { "" },
            if min == max {
                "exactly"
            } else if len < min {
                "at least"
            } else {
                "at most"
            },
            if n == 1 { "" } else { "s" },
        )));
    }
    // `converterr`: a mismatch the format unit reports by name.
    let mismatch = |i: usize, expected: &str, got: &Py| match message {
        Some(m) => type_error(m),
        None => type_error(format!(
            "{}argument {} must be {expected}, not {}",
            fname.map(|f| format!("{f}() ")).unwrap_or_default(),
            i + 1,
            got.type_name()
        )),
    };
    // `PyNumber_Index`'s error, raised by the integer units themselves.
    let not_int = |got: &Py| {
        type_error(format!(
            "'{}' object cannot be interpreted as an integer",
            got.type_name()
        ))
    };
    let mut out = Vec::with_capacity(len);
    for (i, (item, code)) in items.iter().zip(&codes).enumerate() {
        let arg = match (code, item) {
            ('I', Py::Int(v)) => Arg::Int(v & 0xffff_ffff),
            ('H', Py::Int(v)) => Arg::Int(v & 0xffff),
            ('k' | 'K', Py::Int(v)) => Arg::Int(v & 0xffff_ffff_ffff_ffff),
            ('i', Py::Int(v)) if *v > i128::from(i32::MAX) => {
                return Err(Error::overflow("signed integer is greater than maximum"))
            }
            ('i', Py::Int(v)) if *v < i128::from(i32::MIN) => {
                return Err(Error::overflow("signed integer is less than minimum"))
            }
            ('i', Py::Int(v)) => Arg::Int(*v),
            ('B', Py::Int(v)) if *v < 0 => {
                return Err(Error::overflow(
                    "unsigned byte integer is less than minimum",
                ))
            }
            ('B', Py::Int(v)) if *v > 255 => {
                return Err(Error::overflow(
                    "unsigned byte integer is greater than maximum",
                ))
            }
            ('B', Py::Int(v)) => Arg::Int(*v),
            ('I' | 'H' | 'i' | 'B', other) => return Err(not_int(other)),
            ('k' | 'K', other) => return Err(mismatch(i, "int", other)),
            ('s', Py::Str(t)) if t.contains('\0') => {
                return Err(Error::value("embedded null character"))
            }
            ('s', Py::Str(t)) => Arg::Text(t.as_bytes().to_vec()),
            ('s', other) => return Err(mismatch(i, "str", other)),
            ('y', Py::Bytes(b)) => Arg::Text(b.clone()),
            ('y', other) => return Err(mismatch(i, "bytes-like object", other)),
            ('F', Py::Str(t)) if t.contains('\0') => {
                return Err(Error::value("embedded null byte"))
            }
            ('F', Py::Bytes(b)) if b.contains(&0) => {
                return Err(Error::value("embedded null byte"))
            }
            ('F', Py::Str(t)) => Arg::Text(t.as_bytes().to_vec()),
            ('F', Py::Bytes(b)) => Arg::Text(b.clone()),
            ('F', other) => {
                return Err(type_error(format!(
                    "expected str, bytes or os.PathLike object, not {}",
                    other.type_name()
                )))
            }
            ('N', Py::Str(t)) if t.contains('\0') => {
                return Err(type_error("host name must not contain null character"))
            }
            ('N', Py::Bytes(b)) if b.contains(&0) => {
                return Err(type_error("host name must not contain null character"))
            }
            ('N', Py::Str(t)) => Arg::Text(t.as_bytes().to_vec()),
            ('N', Py::Bytes(b)) => Arg::Text(b.clone()),
            ('N', other) => {
                return Err(type_error(format!(
                    "str, bytes or bytearray expected, not {}",
                    other.type_name()
                )))
            }
            (c, _) => unreachable!("format unit {c}"),
        };
        out.push(arg);
    }
    Ok(out)
}

/// CPython's `TypeError` for an address that is not a tuple:
/// `"{caller}(): AF_X address must be tuple, not T"` (`getsockaddrarg: …`
/// for AF_VSOCK and AF_QIPCRTR, whose messages name no caller).
pub(super) fn tuple_items<'a>(
    py: &'a Py,
    family: &str,
    caller: &str,
    named_caller: bool,
) -> Result<&'a [Py]> {
    match py {
        Py::Tuple(items) => Ok(items),
        other => Err(type_error(format!(
            "{}: {family} address must be tuple, not {}",
            if named_caller {
                format!("{caller}()")
            } else {
                "getsockaddrarg".to_string()
            },
            other.type_name()
        ))),
    }
}
