//! WIT ⇄ `std` and kernel addresses, and the WIT family and type as the
//! kernel's numbers (socket2's `Domain` and `Type`).

use crate::types::types::{
    AddressFamily, Ipv4SocketAddress, Ipv6SocketAddress, SocketAddress, SocketType,
};
use socket2::{Domain, SockAddr, Type};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

/// The socket2 domain of a family the host implements.
pub fn domain(family: AddressFamily) -> Option<Domain> {
    match family {
        AddressFamily::Unspec => None,
        other => Some(Domain::from(crate::net::families::number(other))),
    }
}

/// The socket2 type of a socket type the host implements.
pub fn socket_type(ty: SocketType) -> Option<Type> {
    match ty {
        SocketType::Stream => Some(Type::STREAM),
        SocketType::Dgram => Some(Type::DGRAM),
        SocketType::Raw => Some(Type::RAW),
        SocketType::Rdm => Some(Type::from(libc::SOCK_RDM)),
        SocketType::Seqpacket => Some(Type::SEQPACKET),
    }
}

/// `SOCK_*` number of a socket type.
pub fn socket_type_number(ty: SocketType) -> i32 {
    match ty {
        SocketType::Stream => libc::SOCK_STREAM,
        SocketType::Dgram => libc::SOCK_DGRAM,
        SocketType::Raw => libc::SOCK_RAW,
        SocketType::Rdm => libc::SOCK_RDM,
        SocketType::Seqpacket => libc::SOCK_SEQPACKET,
    }
}

/// A WIT IP socket address as a std one; `None` for other families.
pub fn to_std(addr: &SocketAddress) -> Option<SocketAddr> {
    match addr {
        SocketAddress::Inet(a) => {
            let (b0, b1, b2, b3) = a.address;
            Some(SocketAddr::V4(SocketAddrV4::new(
                Ipv4Addr::new(b0, b1, b2, b3),
                a.port,
            )))
        }
        SocketAddress::Inet6(a) => {
            let (s0, s1, s2, s3, s4, s5, s6, s7) = a.address;
            Some(SocketAddr::V6(SocketAddrV6::new(
                Ipv6Addr::new(s0, s1, s2, s3, s4, s5, s6, s7),
                a.port,
                a.flow_info,
                a.scope_id,
            )))
        }
        _ => None,
    }
}

/// A std socket address as a WIT one.
pub fn from_std(addr: SocketAddr) -> SocketAddress {
    match addr {
        SocketAddr::V4(a) => {
            let [b0, b1, b2, b3] = a.ip().octets();
            SocketAddress::Inet(Ipv4SocketAddress {
                port: a.port(),
                address: (b0, b1, b2, b3),
            })
        }
        SocketAddr::V6(a) => {
            let [s0, s1, s2, s3, s4, s5, s6, s7] = a.ip().segments();
            SocketAddress::Inet6(Ipv6SocketAddress {
                port: a.port(),
                flow_info: a.flowinfo(),
                address: (s0, s1, s2, s3, s4, s5, s6, s7),
                scope_id: a.scope_id(),
            })
        }
    }
}

/// A kernel socket address as a WIT one (`None` for unnamed or unknown).
pub fn from_sockaddr(addr: &SockAddr) -> Option<SocketAddress> {
    addr.as_socket().map(from_std)
}
