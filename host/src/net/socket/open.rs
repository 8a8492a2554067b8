//! Making sockets: open (socket(2) behind the policy's family check and
//! the socket limit), dup, and socketpair (AF_UNIX pairs from the kernel,
//! IP pairs made on loopback).

use super::HostSocket;
use crate::ctx::WasockCtxView;
use crate::net::wait::Wait;
use crate::sys::{self};
use crate::types::errors::ErrorCode;
use crate::types::names;
use crate::types::types::{AddressFamily, SocketType};
use crate::types::{SocketError, SocketResult};
use std::sync::Arc;
use wasmtime::component::Resource;

impl WasockCtxView<'_> {
    /// socket(2).
    pub(crate) async fn open<W: Wait>(
        &mut self,
        family: AddressFamily,
        socket_type: SocketType,
        protocol: i32,
    ) -> SocketResult<Resource<HostSocket>> {
        {
            let d = self.ctx.policy.decide_family(family, socket_type, protocol);
            let fam = || crate::policy::debug_name(family).to_ascii_lowercase();
            let subject = || {
                format!(
                    "{} {} socket (protocol {protocol})",
                    fam(),
                    crate::policy::debug_name(socket_type).to_ascii_lowercase()
                )
            };
            let (proto, name);
            let learn = match (family, socket_type) {
                (AddressFamily::Inet | AddressFamily::Inet6, SocketType::Raw) => {
                    proto = protocol.to_string();
                    Some(("raw", proto.as_str()))
                }
                (AddressFamily::Inet | AddressFamily::Inet6 | AddressFamily::Unix, _) => None,
                (AddressFamily::Netlink, _) => {
                    proto = protocol.to_string();
                    Some(("netlink", proto.as_str()))
                }
                _ => {
                    name = fam();
                    Some(("family", name.as_str()))
                }
            };
            self.ctx.decide_grant("create", subject, d, learn)?;
        }
        let domain = crate::net::address::domain(family).ok_or_else(|| {
            SocketError::new(
                ErrorCode::AddressFamilyNotSupported,
                format!(
                    "address family {} is not supported by this host",
                    names::family(family)
                ),
            )
        })?;
        let ty = crate::net::address::socket_type(socket_type).ok_or_else(|| {
            SocketError::new(
                ErrorCode::SocketTypeNotSupported,
                format!(
                    "socket type {} is not supported for {}",
                    names::socket_type(socket_type),
                    names::family(family)
                ),
            )
        })?;
        // Any protocol number goes to the kernel, which judges it as for
        // CPython (IPPROTO_MPTCP is 262; AF_PACKET takes an Ethernet type
        // in network byte order): EPROTONOSUPPORT or EINVAL from socket(2).
        self.reserve()?;
        let nonblocking = !W::BLOCKING_FD;
        let sock = sys::open(
            domain,
            ty,
            crate::net::families::kernel_protocol(&self.ctx.interfaces, family, protocol),
            nonblocking,
        )?;
        self.push(HostSocket::new(
            sock,
            family,
            socket_type,
            protocol,
            nonblocking,
        ))
    }

    /// fcntl(F_DUPFD_CLOEXEC).
    pub(crate) async fn dup<W: Wait>(
        &mut self,
        r: Resource<HostSocket>,
    ) -> SocketResult<Resource<HostSocket>> {
        self.reserve()?;
        let s = self.sock(&r)?;
        let mut copy = HostSocket::new(
            s.sock.try_clone()?,
            s.family,
            s.socket_type,
            s.protocol,
            true,
        );
        copy.timeout = s.timeout;
        copy.unix = s.unix.clone();
        copy.nonblocking = Arc::clone(&s.nonblocking);
        self.push(copy)
    }

    /// socketpair(2): AF_UNIX only on Linux (other families fail in the
    /// kernel). Needs no grant: the pair reaches nothing but itself.
    pub(crate) async fn socketpair<W: Wait>(
        &mut self,
        family: AddressFamily,
        socket_type: SocketType,
        protocol: i32,
    ) -> SocketResult<(Resource<HostSocket>, Resource<HostSocket>)> {
        if matches!(family, AddressFamily::Inet | AddressFamily::Inet6) {
            return Err(inet_socketpair(family, socket_type, protocol));
        }
        if family != AddressFamily::Unix {
            return Err(SocketError::new(
                ErrorCode::AddressFamilyNotSupported,
                format!("socketpair is not supported for {}", names::family(family)),
            ));
        }
        let ty = match socket_type {
            SocketType::Raw => {
                return Err(SocketError::denied(format_args!(
                    "creating a raw {} socket",
                    names::family(family)
                )))
            }
            other => crate::net::address::socket_type(other).ok_or_else(|| {
                SocketError::new(
                    ErrorCode::SocketTypeNotSupported,
                    format!(
                        "socket type {} is not supported for {}",
                        names::socket_type(other),
                        names::family(family)
                    ),
                )
            })?,
        };
        let max = self.ctx.policy.limits.max_sockets;
        let wasi = if self.ctx.policy.wasi_sockets_allowed() {
            crate::ctx::wasi_sockets_in(self.table)
        } else {
            0
        };
        if self.ctx.open_sockets + self.ctx.sent_sockets + wasi + 2 > max {
            return Err(SocketError::new(
                ErrorCode::TooManyFiles,
                format!("the policy's limit of {max} open sockets is reached"),
            ));
        }
        let nonblocking = !W::BLOCKING_FD;
        let domain = crate::net::address::domain(family).ok_or_else(|| {
            SocketError::new(ErrorCode::AddressFamilyNotSupported, "AF_UNIX (socketpair)")
        })?;
        let (a, b) = sys::socketpair(domain, ty, protocol, nonblocking)?;
        let a = self.push(HostSocket::new(
            a,
            family,
            socket_type,
            protocol,
            nonblocking,
        ))?;
        let b = self.push(HostSocket::new(
            b,
            family,
            socket_type,
            protocol,
            nonblocking,
        ))?;
        Ok((a, b))
    }
}

/// The error socketpair(2) gives for an IP family, as the kernel reports
/// it: it creates both sockets (checking type and protocol as socket(2)
/// does: EINVAL, EPROTONOSUPPORT, ESOCKTNOSUPPORT) and then refuses with
/// EOPNOTSUPP, since no IP protocol pairs sockets. Nothing outlives the
/// call. Raw sockets are refused by the policy before the kernel is asked,
/// as `open` refuses them.
fn inet_socketpair(family: AddressFamily, socket_type: SocketType, protocol: i32) -> SocketError {
    if socket_type == SocketType::Raw {
        return SocketError::denied(format_args!(
            "creating a raw {} socket",
            names::family(family)
        ));
    }
    let Some(domain) = crate::net::address::domain(family) else {
        return SocketError::new(ErrorCode::AddressFamilyNotSupported, "");
    };
    match sys::socketpair_raw_type(
        domain,
        crate::net::address::socket_type_number(socket_type),
        protocol,
    ) {
        Err(e) => e.into(),
        // No IP protocol has socketpair; both sockets close here.
        Ok(_) => SocketError::new(ErrorCode::NotSupported, "socketpair"),
    }
}
