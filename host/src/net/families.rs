//! The families beyond inet, inet6 and unix: their `AF_*` numbers and
//! their addresses (`struct sockaddr_nl`, `sockaddr_ll`, `sockaddr_can`,
//! `sockaddr_alg`, `sockaddr_vm`, `sockaddr_tipc`, `sockaddr_qrtr`, the
//! Bluetooth ones) to and from their WIT cases, laid out as on 64-bit
//! Linux.
//!
//! Creating a socket of one of these families needs the policy's grant of
//! the family by name (`Policy::check_family`); the grant covers every
//! address of the family (the policy's address rules speak of IP
//! addresses). Interface names in packet and CAN addresses go through the
//! embedder's `InterfaceView`: a hidden interface is unknown (ENODEV), as
//! one that does not exist.

use crate::ctx::InterfaceView;
use crate::sys;
use crate::types::errors::ErrorCode;
use crate::types::types::{
    AddressFamily, AlgAddress, BluetoothAddress, CanAddress, NetlinkAddress, PacketAddress,
    QipcrtrAddress, SocketAddress, TipcAddress, VsockAddress,
};
use crate::types::{SocketError, SocketResult};
use socket2::SockAddr;

/// The `AF_*` number of a family.
pub fn number(f: AddressFamily) -> i32 {
    use AddressFamily as F;
    match f {
        F::Unspec => 0,
        F::Unix => 1,
        F::Inet => 2,
        F::Ax25 => 3,
        F::Ipx => 4,
        F::Appletalk => 5,
        F::Netrom => 6,
        F::Bridge => 7,
        F::Atmpvc => 8,
        F::X25 => 9,
        F::Inet6 => 10,
        F::Rose => 11,
        F::Decnet => 12,
        F::Netbeui => 13,
        F::Security => 14,
        F::Key => 15,
        F::Netlink => 16,
        F::Packet => 17,
        F::Ash => 18,
        F::Econet => 19,
        F::Atmsvc => 20,
        F::Rds => 21,
        F::Sna => 22,
        F::Irda => 23,
        F::Pppox => 24,
        F::Wanpipe => 25,
        F::Llc => 26,
        F::Can => 29,
        F::Tipc => 30,
        F::Bluetooth => 31,
        F::Alg => 38,
        F::Vsock => 40,
        F::Qipcrtr => 42,
    }
}

fn invalid(what: &str) -> SocketError {
    SocketError::invalid(what.to_string())
}

fn no_device(name: &str) -> SocketError {
    SocketError::new(
        ErrorCode::Other(libc::ENODEV),
        format!(
            "no interface {:?} is visible to the guest",
            crate::types::shorten(name)
        ),
    )
}

/// The index of an interface the guest may see. No name is index 0, which
/// packet and CAN sockets read as *every* interface, hidden ones included:
/// only a guest that sees all of the host's interfaces
/// ([`InterfaceView::Host`]) may use it.
fn ifindex(view: &InterfaceView, name: &str) -> SocketResult<i32> {
    if name.is_empty() {
        if *view != InterfaceView::Host {
            return Err(SocketError::denied(
                "an address with no interface (index 0: every interface, \
                 including those hidden from the guest)",
            ));
        }
        return Ok(0);
    }
    if !view.shows(name) {
        return Err(no_device(name));
    }
    let i = sys::if_nametoindex(name).ok_or_else(|| no_device(name))?;
    i32::try_from(i).map_err(|_| no_device(name))
}

/// The name of interface `index` as the guest sees it (`""` for 0 or a
/// hidden one).
fn ifname(view: &InterfaceView, index: i32) -> String {
    if index <= 0 {
        return String::new();
    }
    match sys::if_indextoname(index as u32) {
        Some(n) if view.shows(&n) => n,
        _ => String::new(),
    }
}

/// The protocol socket(2) gets for a new socket. A packet socket created
/// with a protocol receives that protocol from *every* interface at once
/// (the kernel registers it with no interface, as a bind to index 0
/// would): unless the guest sees every interface, it is created with
/// protocol 0 (receiving nothing) and the protocol is applied when the
/// guest binds it to an interface it sees ([`with_socket_protocol`]).
pub fn kernel_protocol(view: &InterfaceView, family: AddressFamily, protocol: i32) -> i32 {
    if family == AddressFamily::Packet && *view != InterfaceView::Host {
        0
    } else {
        protocol
    }
}

/// A packet address with protocol 0 means the socket's own protocol to the
/// kernel (packet_bind(2)); for a socket created with protocol 0 in its
/// stead ([`kernel_protocol`]) the guest's protocol is put in.
pub fn with_socket_protocol(
    family: AddressFamily,
    protocol: i32,
    address: &SocketAddress,
) -> std::borrow::Cow<'_, SocketAddress> {
    match address {
        SocketAddress::Packet(p)
            if family == AddressFamily::Packet && p.protocol == 0 && protocol != 0 =>
        {
            let mut p = p.clone();
            // socket(2) took it in network byte order; the WIT form is in
            // host order.
            p.protocol = u16::from_be(protocol as u16);
            std::borrow::Cow::Owned(SocketAddress::Packet(p))
        }
        a => std::borrow::Cow::Borrowed(a),
    }
}

fn put(b: &mut [u8], at: usize, v: &[u8]) {
    b[at..at + v.len()].copy_from_slice(v);
}

/// `bdaddr_t` is stored least significant byte first.
fn bdaddr_le(a: (u8, u8, u8, u8, u8, u8)) -> [u8; 6] {
    [a.5, a.4, a.3, a.2, a.1, a.0]
}

fn bdaddr_from(b: &[u8]) -> (u8, u8, u8, u8, u8, u8) {
    (b[5], b[4], b[3], b[2], b[1], b[0])
}

/// The kernel address for `addr` on a socket of `family`, or EAFNOSUPPORT
/// when the address is of another family (as the kernel answers).
pub fn to_sockaddr(
    view: &InterfaceView,
    family: AddressFamily,
    addr: &SocketAddress,
) -> SocketResult<SockAddr> {
    let mut b: Vec<u8>;
    let fam = (number(family) as u16).to_ne_bytes();
    match (family, addr) {
        (AddressFamily::Netlink, SocketAddress::Netlink(NetlinkAddress { pid, groups })) => {
            b = vec![0; 12];
            put(&mut b, 4, &pid.to_ne_bytes());
            put(&mut b, 8, &groups.to_ne_bytes());
        }
        (AddressFamily::Packet, SocketAddress::Packet(p)) => {
            if p.hardware_address.len() > 8 {
                return Err(invalid("hardware address too long (at most 8 bytes)"));
            }
            b = vec![0; 20];
            put(&mut b, 2, &p.protocol.to_be_bytes());
            put(&mut b, 4, &ifindex(view, &p.interface)?.to_ne_bytes());
            put(&mut b, 8, &p.hardware_type.to_ne_bytes());
            b[10] = p.packet_type;
            b[11] = p.hardware_address.len() as u8;
            put(&mut b, 12, &p.hardware_address);
        }
        (AddressFamily::Can, SocketAddress::Can(c)) => {
            b = vec![0; 24];
            let name = match c {
                CanAddress::Raw(i) => i,
                CanAddress::Isotp((i, rx, tx)) => {
                    put(&mut b, 8, &rx.to_ne_bytes());
                    put(&mut b, 12, &tx.to_ne_bytes());
                    i
                }
                CanAddress::J1939((i, name, pgn, a)) => {
                    put(&mut b, 8, &name.to_ne_bytes());
                    put(&mut b, 16, &pgn.to_ne_bytes());
                    b[20] = *a;
                    i
                }
            };
            put(&mut b, 4, &ifindex(view, name)?.to_ne_bytes());
        }
        (AddressFamily::Alg, SocketAddress::Alg(a)) => {
            // salg_type[14], salg_name[64]; both NUL-terminated.
            if a.algorithm_type.len() >= 14 {
                return Err(invalid("type too long"));
            }
            if a.name.len() >= 64 {
                return Err(invalid("name too long"));
            }
            b = vec![0; 88];
            put(&mut b, 2, a.algorithm_type.as_bytes());
            put(&mut b, 16, &a.feat.to_ne_bytes());
            put(&mut b, 20, &a.mask.to_ne_bytes());
            put(&mut b, 24, a.name.as_bytes());
        }
        (AddressFamily::Vsock, SocketAddress::Vsock(VsockAddress { cid, port })) => {
            b = vec![0; 16];
            put(&mut b, 4, &port.to_ne_bytes());
            put(&mut b, 8, &cid.to_ne_bytes());
        }
        (AddressFamily::Tipc, SocketAddress::Tipc(t)) => {
            b = vec![0; 16];
            b[2] = t.address_type;
            b[3] = t.scope;
            put(&mut b, 4, &t.v1.to_ne_bytes());
            put(&mut b, 8, &t.v2.to_ne_bytes());
            put(&mut b, 12, &t.v3.to_ne_bytes());
        }
        (AddressFamily::Qipcrtr, SocketAddress::Qipcrtr(QipcrtrAddress { node, port })) => {
            b = vec![0; 12];
            put(&mut b, 4, &node.to_ne_bytes());
            put(&mut b, 8, &port.to_ne_bytes());
        }
        (AddressFamily::Bluetooth, SocketAddress::Bluetooth(bt)) => match bt {
            BluetoothAddress::L2cap((a, psm)) => {
                b = vec![0; 14];
                put(&mut b, 2, &psm.to_le_bytes());
                put(&mut b, 4, &bdaddr_le(*a));
            }
            BluetoothAddress::Rfcomm((a, ch)) => {
                b = vec![0; 10];
                put(&mut b, 2, &bdaddr_le(*a));
                b[8] = *ch;
            }
            BluetoothAddress::Hci(dev) => {
                b = vec![0; 6];
                put(&mut b, 2, &dev.to_ne_bytes());
            }
            BluetoothAddress::Sco(a) => {
                b = vec![0; 8];
                put(&mut b, 2, &bdaddr_le(*a));
            }
        },
        _ => {
            return Err(SocketError::new(
                ErrorCode::AddressFamilyNotSupported,
                format!("address family does not match the socket's ({family:?})"),
            ))
        }
    }
    put(&mut b, 0, &fam);
    Ok(sys::sockaddr_from_bytes(&b)?)
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    b.get(at..at + 2)
        .map_or(0, |s| u16::from_ne_bytes([s[0], s[1]]))
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4)
        .map_or(0, |s| u32::from_ne_bytes([s[0], s[1], s[2], s[3]]))
}

fn text_at(b: &[u8], at: usize, len: usize) -> String {
    let s = b.get(at..(at + len).min(b.len())).unwrap_or(&[]);
    let end = s.iter().position(|&c| c == 0).unwrap_or(s.len());
    String::from_utf8_lossy(&s[..end]).into_owned()
}

/// The WIT form of a kernel address of one of these families (`None` for
/// another family or a truncated address). `protocol` is the socket's (for
/// CAN and Bluetooth, whose address shape depends on it).
pub fn from_sockaddr(view: &InterfaceView, a: &SockAddr, protocol: i32) -> Option<SocketAddress> {
    let b = sys::sockaddr_bytes(a);
    if b.len() < 2 {
        return None;
    }
    let need = |n: usize| (b.len() >= n).then_some(());
    Some(match i32::from(u16_at(b, 0)) {
        16 => {
            need(12)?;
            SocketAddress::Netlink(NetlinkAddress {
                pid: u32_at(b, 4),
                groups: u32_at(b, 8),
            })
        }
        17 => {
            need(12)?;
            let halen = usize::from(b[11]).min(8).min(b.len().saturating_sub(12));
            SocketAddress::Packet(PacketAddress {
                interface: ifname(view, u32_at(b, 4) as i32),
                protocol: u16::from_be_bytes([b[2], b[3]]),
                packet_type: b[10],
                hardware_type: u16_at(b, 8),
                hardware_address: b[12..12 + halen].to_vec(),
            })
        }
        29 => {
            need(8)?;
            let name = ifname(view, u32_at(b, 4) as i32);
            SocketAddress::Can(match protocol {
                6 => CanAddress::Isotp((name, u32_at(b, 8), u32_at(b, 12))),
                7 => {
                    need(21)?;
                    let mut n = [0u8; 8];
                    n.copy_from_slice(&b[8..16]);
                    CanAddress::J1939((name, u64::from_ne_bytes(n), u32_at(b, 16), b[20]))
                }
                _ => CanAddress::Raw(name),
            })
        }
        38 => {
            need(24)?;
            SocketAddress::Alg(AlgAddress {
                algorithm_type: text_at(b, 2, 14),
                name: text_at(b, 24, 64),
                feat: u32_at(b, 16),
                mask: u32_at(b, 20),
            })
        }
        40 => {
            need(12)?;
            SocketAddress::Vsock(VsockAddress {
                port: u32_at(b, 4),
                cid: u32_at(b, 8),
            })
        }
        30 => {
            need(16)?;
            SocketAddress::Tipc(TipcAddress {
                address_type: b[2],
                scope: b[3],
                v1: u32_at(b, 4),
                v2: u32_at(b, 8),
                v3: u32_at(b, 12),
            })
        }
        42 => {
            need(12)?;
            SocketAddress::Qipcrtr(QipcrtrAddress {
                node: u32_at(b, 4),
                port: u32_at(b, 8),
            })
        }
        31 => SocketAddress::Bluetooth(match protocol {
            0 => {
                need(10)?;
                BluetoothAddress::L2cap((bdaddr_from(&b[4..10]), u16::from_le_bytes([b[2], b[3]])))
            }
            1 => BluetoothAddress::Hci(u16_at(b, 2)),
            2 => {
                need(8)?;
                BluetoothAddress::Sco(bdaddr_from(&b[2..8]))
            }
            _ => {
                need(9)?;
                BluetoothAddress::Rfcomm((bdaddr_from(&b[2..8]), b[8]))
            }
        }),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::types::PacketAddress;

    fn round_trip(family: AddressFamily, protocol: i32, a: SocketAddress) {
        let view = InterfaceView::Host;
        let k = to_sockaddr(&view, family, &a).unwrap();
        assert_eq!(
            format!("{:?}", from_sockaddr(&view, &k, protocol)),
            format!("{:?}", Some(a))
        );
    }

    #[test]
    fn addresses_round_trip() {
        round_trip(
            AddressFamily::Netlink,
            0,
            SocketAddress::Netlink(NetlinkAddress { pid: 42, groups: 5 }),
        );
        round_trip(
            AddressFamily::Vsock,
            0,
            SocketAddress::Vsock(VsockAddress { cid: 3, port: 1234 }),
        );
        round_trip(
            AddressFamily::Packet,
            0,
            SocketAddress::Packet(PacketAddress {
                interface: "lo".into(),
                protocol: 0x0800,
                packet_type: 4,
                hardware_type: 772,
                hardware_address: vec![1, 2, 3, 4, 5, 6],
            }),
        );
        round_trip(
            AddressFamily::Alg,
            0,
            SocketAddress::Alg(AlgAddress {
                algorithm_type: "hash".into(),
                name: "sha256".into(),
                feat: 1,
                mask: 2,
            }),
        );
        round_trip(
            AddressFamily::Tipc,
            0,
            SocketAddress::Tipc(TipcAddress {
                address_type: 2,
                v1: 1,
                v2: 2,
                v3: 3,
                scope: 2,
            }),
        );
        round_trip(
            AddressFamily::Qipcrtr,
            0,
            SocketAddress::Qipcrtr(QipcrtrAddress { node: 7, port: 9 }),
        );
        round_trip(
            AddressFamily::Can,
            6,
            SocketAddress::Can(CanAddress::Isotp(("lo".into(), 0x123, 0x456))),
        );
        round_trip(
            AddressFamily::Can,
            7,
            SocketAddress::Can(CanAddress::J1939(("lo".into(), 99, 0x1ff00, 0x80))),
        );
        let bd = (1, 2, 3, 4, 5, 6);
        round_trip(
            AddressFamily::Bluetooth,
            0,
            SocketAddress::Bluetooth(BluetoothAddress::L2cap((bd, 0x1001))),
        );
        round_trip(
            AddressFamily::Bluetooth,
            3,
            SocketAddress::Bluetooth(BluetoothAddress::Rfcomm((bd, 5))),
        );
        round_trip(
            AddressFamily::Bluetooth,
            1,
            SocketAddress::Bluetooth(BluetoothAddress::Hci(0)),
        );
        round_trip(
            AddressFamily::Bluetooth,
            2,
            SocketAddress::Bluetooth(BluetoothAddress::Sco(bd)),
        );
    }

    #[test]
    fn index_zero_needs_every_interface_visible() {
        let packet = SocketAddress::Packet(PacketAddress {
            interface: String::new(),
            protocol: 3,
            packet_type: 0,
            hardware_type: 0,
            hardware_address: vec![],
        });
        let cans = [
            SocketAddress::Can(CanAddress::Raw(String::new())),
            SocketAddress::Can(CanAddress::Isotp((String::new(), 1, 2))),
            SocketAddress::Can(CanAddress::J1939((String::new(), 0, 0, 0))),
        ];
        let cases = std::iter::once((AddressFamily::Packet, &packet))
            .chain(cans.iter().map(|c| (AddressFamily::Can, c)));
        for (family, a) in cases {
            for view in [
                InterfaceView::Hidden,
                InterfaceView::Only(vec!["lo".into()]),
            ] {
                let e = to_sockaddr(&view, family, a).unwrap_err();
                assert!(
                    format!("{e:?}").contains("index 0: every interface"),
                    "{e:?}"
                );
                assert!(matches!(e.code(), Some(ErrorCode::PolicyDenied)));
            }
            assert!(to_sockaddr(&InterfaceView::Host, family, a).is_ok());
        }
    }

    #[test]
    fn bad_addresses_are_errors() {
        let view = InterfaceView::Hidden;
        // Another family's address.
        let e = to_sockaddr(
            &view,
            AddressFamily::Netlink,
            &SocketAddress::Vsock(VsockAddress { cid: 1, port: 1 }),
        );
        assert!(e.is_err());
        // A hidden interface is unknown.
        let e = to_sockaddr(
            &view,
            AddressFamily::Can,
            &SocketAddress::Can(CanAddress::Raw("lo".into())),
        );
        assert!(format!("{e:?}").contains("no interface"), "{e:?}");
        // Over-long names.
        let e = to_sockaddr(
            &view,
            AddressFamily::Alg,
            &SocketAddress::Alg(AlgAddress {
                algorithm_type: "x".repeat(14),
                name: "y".into(),
                feat: 0,
                mask: 0,
            }),
        );
        assert!(e.is_err());
        // Truncated kernel addresses give nothing rather than panicking.
        for fam in [16u16, 17, 29, 30, 31, 38, 40, 42] {
            for len in 2..8 {
                let mut b = vec![0u8; len];
                b[..2].copy_from_slice(&fam.to_ne_bytes());
                let a = sys::sockaddr_from_bytes(&b).unwrap();
                for proto in 0..8 {
                    let _ = from_sockaddr(&view, &a, proto);
                }
            }
        }
    }
}
