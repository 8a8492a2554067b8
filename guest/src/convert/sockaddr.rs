//! CPython's `getsockaddrarg`: a Python address for a socket of a given
//! family as the WIT address, with CPython's checks and messages.

use super::address::Address;
use super::ip::{inet_address, resolve_host};
use super::pyarg::{parse_tuple, py_of_address, tuple_items, type_error, Arg, Py};
use crate::constants::*;
use crate::error::{Error, ErrorKind, Result};
use crate::wit;
use crate::wit::types::{IpAddress, SocketAddress as WitAddress, UnixAddress};

#[cfg(test)]
mod tests;

/// A CAN interface name as CPython checks it (`PyUnicode_FSConverter`,
/// then shorter than IFNAMSIZ).
fn can_interface(name: &Arg) -> Result<String> {
    if let Arg::Text(t) = name {
        if t.len() >= 16 {
            return Err(Error::os_msg("AF_CAN interface name too long"));
        }
    }
    Ok(name.text())
}

/// A Bluetooth address as CPython's `setbdaddr` reads it
/// (`"XX:XX:XX:XX:XX:XX"`, hex).
fn parse_bdaddr(text: &str) -> Result<(u8, u8, u8, u8, u8, u8)> {
    let parts: Vec<&str> = text.split(':').collect();
    let bytes: Option<Vec<u8>> = parts
        .iter()
        .map(|p| {
            (!p.is_empty() && p.len() <= 2)
                .then(|| u8::from_str_radix(p, 16).ok())
                .flatten()
        })
        .collect();
    match bytes.as_deref() {
        Some(&[a, b, c, d, e, f]) => Ok((a, b, c, d, e, f)),
        _ => Err(Error::os_msg("bad bluetooth address")),
    }
}

/// CPython's `getsockaddrarg` for the families whose addresses are tuples
/// (all but AF_UNIX; AF_INET and AF_INET6 when the address is not an
/// [`Address::Inet`] / [`Address::Inet6`]): the argument's shape checked
/// as CPython checks it, with its exception and message, then the WIT
/// address.
fn tuple_address_to_wit(
    addr: &Address,
    family: i32,
    proto: i32,
    caller: &str,
) -> Result<WitAddress> {
    use wit::types::{BluetoothAddress as B, CanAddress as C};
    let py = py_of_address(addr);
    match family {
        AF_INET | AF_INET6 => {
            let v6 = family == AF_INET6;
            let name = if v6 { "AF_INET6" } else { "AF_INET" };
            let items = tuple_items(&py, name, caller, true)?;
            let (format, message) = if v6 {
                (
                    "Ni|II",
                    "AF_INET6 address must be a tuple (host, port[, flowinfo[, scopeid]])",
                )
            } else {
                ("Ni", "AF_INET address must be a pair (host, port)")
            };
            let port_range = || Error::overflow(format!("{caller}(): port must be 0-65535."));
            let args = parse_tuple(items, format, Some(message), None).map_err(|e| {
                if e.kind() == ErrorKind::OverflowError {
                    port_range()
                } else {
                    e
                }
            })?;
            let host = args[0].text();
            let port = u16::try_from(args[1].int()).map_err(|_| port_range())?;
            let (flow, scope) = (
                args.get(2).map_or(0, Arg::int) as u32,
                args.get(3).map_or(0, Arg::int) as u32,
            );
            let a = if v6 {
                Address::Inet6(host, port, flow, scope)
            } else {
                Address::Inet(host, port)
            };
            address_to_wit(&a, family, proto, caller)
        }
        AF_NETLINK => {
            let items = tuple_items(&py, "AF_NETLINK", caller, true)?;
            let a = parse_tuple(
                items,
                "II",
                Some("AF_NETLINK address must be a pair (pid, groups)"),
                None,
            )?;
            Ok(WitAddress::Netlink(wit::types::NetlinkAddress {
                pid: a[0].int() as u32,
                groups: a[1].int() as u32,
            }))
        }
        AF_PACKET => {
            let items = tuple_items(&py, "AF_PACKET", caller, true)?;
            let a = parse_tuple(
                items,
                "si|iiy",
                Some("AF_PACKET address must be a tuple of two to five elements"),
                None,
            )
            .map_err(|e| {
                if e.kind() == ErrorKind::OverflowError {
                    Error::overflow(format!("{caller}(): address argument out of range"))
                } else {
                    e
                }
            })?;
            let hardware_address = match a.get(4) {
                Some(Arg::Text(b)) => b.clone(),
                _ => Vec::new(),
            };
            if hardware_address.len() > 8 {
                return Err(Error::value("Hardware address must be 8 bytes or less"));
            }
            let protocol = u16::try_from(a[1].int())
                .map_err(|_| Error::overflow(format!("{caller}(): proto must be 0-65535.")))?;
            Ok(WitAddress::Packet(wit::types::PacketAddress {
                interface: a[0].text(),
                protocol,
                packet_type: a.get(2).map_or(PACKET_HOST as i128, Arg::int) as u8,
                hardware_type: a.get(3).map_or(0, Arg::int) as u16,
                hardware_address,
            }))
        }
        AF_VSOCK | AF_QIPCRTR => {
            let name = if family == AF_VSOCK {
                "AF_VSOCK"
            } else {
                "AF_QIPCRTR"
            };
            let items = tuple_items(&py, name, caller, false)?;
            let a = parse_tuple(items, "II", None, Some("getsockaddrarg"))?;
            let (x, y) = (a[0].int() as u32, a[1].int() as u32);
            Ok(if family == AF_VSOCK {
                WitAddress::Vsock(wit::types::VsockAddress { cid: x, port: y })
            } else {
                WitAddress::Qipcrtr(wit::types::QipcrtrAddress { node: x, port: y })
            })
        }
        AF_TIPC => {
            let items = tuple_items(&py, "AF_TIPC", caller, true)?;
            let a = parse_tuple(
                items,
                "IIII|I",
                Some("AF_TIPC address must be a tuple (addr_type, v1, v2, v3[, scope])"),
                None,
            )?;
            let address_type = a[0].int();
            if !(1..=3).contains(&address_type) {
                return Err(type_error("Invalid address type"));
            }
            Ok(WitAddress::Tipc(wit::types::TipcAddress {
                address_type: address_type as u8,
                v1: a[1].int() as u32,
                v2: a[2].int() as u32,
                v3: a[3].int() as u32,
                scope: a.get(4).map_or(TIPC_CLUSTER_SCOPE as i128, Arg::int) as u8,
            }))
        }
        AF_CAN => match proto {
            CAN_RAW | CAN_BCM => {
                let items = tuple_items(&py, "AF_CAN", caller, true)?;
                let a = parse_tuple(
                    items,
                    "F",
                    Some("AF_CAN address must be a tuple (interface, )"),
                    None,
                )?;
                Ok(WitAddress::Can(C::Raw(can_interface(&a[0])?)))
            }
            // CPython parses these without checking for a tuple first (a
            // non-tuple is its SystemError); the tuple check stands in.
            CAN_ISOTP => {
                let items = tuple_items(&py, "AF_CAN", caller, true)?;
                let a = parse_tuple(items, "Fkk", None, None)?;
                Ok(WitAddress::Can(C::Isotp((
                    can_interface(&a[0])?,
                    a[1].int() as u32,
                    a[2].int() as u32,
                ))))
            }
            CAN_J1939 => {
                let items = tuple_items(&py, "AF_CAN", caller, true)?;
                let a = parse_tuple(items, "FKIB", None, None)?;
                Ok(WitAddress::Can(C::J1939((
                    can_interface(&a[0])?,
                    a[1].int() as u64,
                    a[2].int() as u32,
                    a[3].int() as u8,
                ))))
            }
            _ => Err(Error::os_msg(format!(
                "{caller}(): unsupported CAN protocol"
            ))),
        },
        AF_ALG => {
            let items = tuple_items(&py, "AF_ALG", caller, true)?;
            let a = parse_tuple(
                items,
                "ss|HH",
                Some("AF_ALG address must be a tuple (type, name[, feat[, mask]])"),
                None,
            )?;
            let (algorithm_type, name) = (a[0].text(), a[1].text());
            if algorithm_type.len() >= 14 {
                return Err(Error::value("AF_ALG type too long."));
            }
            if name.len() >= 64 {
                return Err(Error::value("AF_ALG name too long."));
            }
            Ok(WitAddress::Alg(wit::types::AlgAddress {
                algorithm_type,
                name,
                feat: a.get(2).map_or(0, Arg::int) as u32,
                mask: a.get(3).map_or(0, Arg::int) as u32,
            }))
        }
        AF_BLUETOOTH => {
            // CPython's Linux parsing (this machine's CPython is built
            // without Bluetooth): any mismatch is "wrong format".
            let wrong = || Error::os_msg(format!("{caller}(): wrong format"));
            let items = |py: &Py| match py {
                Py::Tuple(items) => Ok(items.clone()),
                _ => Err(wrong()),
            };
            let bt = match proto {
                BTPROTO_L2CAP => {
                    let a = parse_tuple(&items(&py)?, "sH|HB", None, None).map_err(|_| wrong())?;
                    B::L2cap((parse_bdaddr(&a[0].text())?, a[1].int() as u16))
                }
                BTPROTO_RFCOMM => {
                    let a = parse_tuple(&items(&py)?, "sB", None, None).map_err(|_| wrong())?;
                    B::Rfcomm((parse_bdaddr(&a[0].text())?, a[1].int() as u8))
                }
                BTPROTO_HCI => {
                    let dev = match &py {
                        Py::Int(v) => *v,
                        other => parse_tuple(&items(other)?, "H|H", None, None)
                            .map_err(|_| wrong())?[0]
                            .int(),
                    };
                    B::Hci(dev as u16)
                }
                BTPROTO_SCO => match &py {
                    Py::Str(t) => B::Sco(parse_bdaddr(t)?),
                    Py::Bytes(b) => B::Sco(parse_bdaddr(&String::from_utf8_lossy(b))?),
                    _ => return Err(wrong()),
                },
                _ => {
                    return Err(Error::os_msg(format!(
                        "{caller}(): unknown Bluetooth protocol"
                    )))
                }
            };
            Ok(WitAddress::Bluetooth(bt))
        }
        _ => Err(Error::os_msg(format!("{caller}(): bad family"))),
    }
}

/// CPython's `getsockaddrarg`: a Python address for a socket of `family`
/// (and protocol `proto`, which selects the CAN and Bluetooth address
/// forms) as the WIT address, resolving names as CPython does, and
/// raising what CPython raises for an address of the wrong shape for the
/// family. `caller` names the method for error messages (`"connect"`,
/// `"bind"`, …).
pub(crate) fn address_to_wit(
    addr: &Address,
    family: i32,
    proto: i32,
    caller: &str,
) -> Result<WitAddress> {
    match (family, addr) {
        (AF_INET, Address::Inet(host, port)) => {
            let ip = resolve_host(host, AF_INET)?;
            match ip {
                IpAddress::Ipv4(_) => inet_address(ip, *port, 0, 0),
                IpAddress::Ipv6(_) => Err(Error::gai(-9)),
            }
        }
        (AF_INET6, Address::Inet(host, port)) => address_to_wit(
            &Address::Inet6(host.clone(), *port, 0, 0),
            family,
            proto,
            caller,
        ),
        (AF_INET6, Address::Inet6(host, port, flow, scope)) => {
            if *flow > 0xfffff {
                return Err(Error::overflow(format!(
                    "{caller}(): flowinfo must be 0-1048575."
                )));
            }
            match resolve_host(host, AF_INET6)? {
                ip @ IpAddress::Ipv6(_) => inet_address(ip, *port, *flow, *scope),
                IpAddress::Ipv4(_) => Err(Error::gai(-9)),
            }
        }
        (AF_UNIX, Address::Unix(path)) => unix_to_wit(path),
        (AF_UNIX, other) => Err(type_error(format!(
            "a bytes-like object is required, not '{}'",
            py_of_address(other).type_name()
        ))),
        (_, other) => tuple_address_to_wit(other, family, proto, caller),
    }
}

/// An `AF_UNIX` path as the WIT address, with CPython's length checks.
fn unix_to_wit(path: &[u8]) -> Result<WitAddress> {
    const SUN_PATH: usize = 108;
    let too_long = || Error::os_msg("AF_UNIX path too long");
    match path.first() {
        None => Ok(WitAddress::Unix(UnixAddress::Unnamed)),
        Some(0) => {
            if path.len() > SUN_PATH {
                return Err(too_long());
            }
            Ok(WitAddress::Unix(UnixAddress::Abstract(path[1..].to_vec())))
        }
        Some(_) => {
            if path.len() >= SUN_PATH {
                return Err(too_long());
            }
            if path.contains(&0) {
                return Err(Error::value("embedded null byte"));
            }
            Ok(WitAddress::Unix(UnixAddress::Pathname(path.to_vec())))
        }
    }
}
