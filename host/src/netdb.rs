//! Name resolution. This host resolves only what needs no network and
//! reveals nothing about the host: numeric addresses, the wildcard
//! (`AI_PASSIVE` with no host), and `localhost`. Any other name is denied
//! by the policy until resolve rules exist.

use crate::bindings::errors::ErrorCode;
use crate::bindings::types::{
    AddressFamily, AddressInfo, AddressInfoFlags, AddressInfoHints, HostEntry, IpAddress,
    NameInfoFlags, SocketAddress, SocketType,
};
use crate::ctx::WasockCtxView;
use crate::error::{SocketError, SocketResult};
use crate::sys;
use crate::wait::Wait;
use std::net::IpAddr;

fn ai_flags(f: AddressInfoFlags) -> i32 {
    [
        (AddressInfoFlags::PASSIVE, libc::AI_PASSIVE),
        (AddressInfoFlags::CANONNAME, libc::AI_CANONNAME),
        (AddressInfoFlags::NUMERICHOST, libc::AI_NUMERICHOST),
        (AddressInfoFlags::V4MAPPED, libc::AI_V4MAPPED),
        (AddressInfoFlags::ALL, libc::AI_ALL),
        (AddressInfoFlags::ADDRCONFIG, libc::AI_ADDRCONFIG),
        (AddressInfoFlags::NUMERICSERV, libc::AI_NUMERICSERV),
    ]
    .iter()
    .filter(|(w, _)| f.contains(*w))
    .fold(0, |acc, (_, b)| acc | b)
}

fn is_local_name(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost") || host.eq_ignore_ascii_case("localhost.")
}

fn family_of(n: i32) -> Option<AddressFamily> {
    match n {
        libc::AF_INET => Some(AddressFamily::Inet),
        libc::AF_INET6 => Some(AddressFamily::Inet6),
        _ => None,
    }
}

fn type_of(n: i32) -> Option<SocketType> {
    match n {
        libc::SOCK_STREAM => Some(SocketType::Stream),
        libc::SOCK_DGRAM => Some(SocketType::Dgram),
        libc::SOCK_RAW => Some(SocketType::Raw),
        libc::SOCK_SEQPACKET => Some(SocketType::Seqpacket),
        libc::SOCK_RDM => Some(SocketType::Rdm),
        _ => None,
    }
}

fn resolve_error(eai: i32) -> SocketError {
    SocketError::new(ErrorCode::Resolve(eai), "")
}

impl WasockCtxView<'_> {
    /// getaddrinfo(3), for numeric hosts, the wildcard and `localhost`.
    pub(crate) async fn getaddrinfo<W: Wait>(
        &mut self,
        host: Option<String>,
        service: Option<String>,
        hints: AddressInfoHints,
    ) -> SocketResult<Vec<AddressInfo>> {
        let mut flags = ai_flags(hints.flags);
        match host.as_deref() {
            None => {}
            Some(h) if is_local_name(h) => {}
            Some(h) if h.parse::<IpAddr>().is_ok() || h.contains('%') => {
                flags |= libc::AI_NUMERICHOST
            }
            Some(h) => {
                // A name that needs DNS: refuse unless the host is numeric
                // by glibc's rules (e.g. "127.1"), which needs no lookup.
                if sys::getaddrinfo(Some(h), None, 0, 0, 0, libc::AI_NUMERICHOST).is_err() {
                    return Err(SocketError::denied(format_args!(
                        "resolving {:?}",
                        crate::error::shorten(h)
                    )));
                }
                flags |= libc::AI_NUMERICHOST;
            }
        }
        let family = match hints.family {
            AddressFamily::Unspec => 0,
            AddressFamily::Inet => libc::AF_INET,
            AddressFamily::Inet6 => libc::AF_INET6,
            _ => return Err(resolve_error(libc::EAI_FAMILY)),
        };
        let socktype = hints.socket_type.map_or(0, sys::socket_type_number);
        if service.as_deref().is_some_and(|s| s.len() > 256) {
            return Err(resolve_error(libc::EAI_SERVICE));
        }
        if host.as_deref().is_some_and(|h| h.len() > 1024) {
            return Err(resolve_error(libc::EAI_NONAME));
        }
        let list = sys::getaddrinfo(
            host.as_deref(),
            service.as_deref(),
            family,
            socktype,
            hints.protocol,
            flags,
        )
        .map_err(resolve_error)?;
        Ok(list
            .into_iter()
            .filter_map(|ai| {
                Some(AddressInfo {
                    family: family_of(ai.family)?,
                    socket_type: type_of(ai.socktype)?,
                    protocol: ai.protocol,
                    canonical_name: ai.canonname,
                    address: sys::from_std(ai.addr),
                })
            })
            .collect())
    }

    /// getnameinfo(3): numeric only on this host.
    pub(crate) async fn getnameinfo<W: Wait>(
        &mut self,
        address: SocketAddress,
        flags: NameInfoFlags,
    ) -> SocketResult<(String, String)> {
        let addr = sys::to_std(&address).ok_or_else(|| resolve_error(libc::EAI_FAMILY))?;
        if !flags.contains(NameInfoFlags::NUMERICHOST) && flags.contains(NameInfoFlags::NAMEREQD) {
            return Err(SocketError::denied(format_args!(
                "reverse lookup of {}",
                addr.ip()
            )));
        }
        let host = match addr {
            std::net::SocketAddr::V6(a) if a.scope_id() != 0 => {
                format!("{}%{}", a.ip(), a.scope_id())
            }
            a => a.ip().to_string(),
        };
        Ok((host, addr.port().to_string()))
    }

    /// gethostbyname(3): not yet supported.
    pub(crate) async fn gethostbyname<W: Wait>(
        &mut self,
        _name: String,
    ) -> SocketResult<HostEntry> {
        Err(SocketError::unsupported("gethostbyname"))
    }

    /// gethostbyaddr(3): not yet supported.
    pub(crate) async fn gethostbyaddr<W: Wait>(
        &mut self,
        _address: IpAddress,
    ) -> SocketResult<HostEntry> {
        Err(SocketError::unsupported("gethostbyaddr"))
    }

    /// gethostname(2): the name the embedder chose (see
    /// [`WasockCtx::with_hostname`](crate::WasockCtx::with_hostname)).
    pub(crate) async fn gethostname<W: Wait>(&mut self) -> SocketResult<String> {
        Ok(self.ctx.hostname.clone())
    }

    /// getservbyname(3): not yet supported.
    pub(crate) async fn getservbyname<W: Wait>(
        &mut self,
        _name: String,
        _protocol: Option<String>,
    ) -> SocketResult<u16> {
        Err(SocketError::unsupported("getservbyname"))
    }

    /// getservbyport(3): not yet supported.
    pub(crate) async fn getservbyport<W: Wait>(
        &mut self,
        _port: u16,
        _protocol: Option<String>,
    ) -> SocketResult<String> {
        Err(SocketError::unsupported("getservbyport"))
    }

    /// getprotobyname(3): not yet supported.
    pub(crate) async fn getprotobyname<W: Wait>(&mut self, _name: String) -> SocketResult<i32> {
        Err(SocketError::unsupported("getprotobyname"))
    }

    /// if_nameindex(3): not yet supported.
    pub(crate) async fn if_nameindex<W: Wait>(&mut self) -> SocketResult<Vec<(u32, String)>> {
        Err(SocketError::unsupported("if_nameindex"))
    }

    /// if_nametoindex(3): not yet supported.
    pub(crate) async fn if_nametoindex<W: Wait>(&mut self, _name: String) -> SocketResult<u32> {
        Err(SocketError::unsupported("if_nametoindex"))
    }

    /// if_indextoname(3): not yet supported.
    pub(crate) async fn if_indextoname<W: Wait>(&mut self, _index: u32) -> SocketResult<String> {
        Err(SocketError::unsupported("if_indextoname"))
    }
}
