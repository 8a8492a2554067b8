//! Name and service resolution: Python's `getaddrinfo`, `gethostbyname`,
//! … over the WIT `netdb` interface. Host names go through Python's `idna`
//! codec first, as in CPython. Name resolution is a layer beside the
//! socket object: it may import `convert`, `wit`, `pure`, `error` and
//! `constants`, never `socket` or the helpers above it.

use crate::constants::{AF_INET, AF_UNSPEC};
use crate::convert::{self, AddrInfo, Address};
use crate::error::{Error, Result};
use crate::wit::netdb as wit;

/// Python's `port` argument of [`getaddrinfo`]: an int (`80`), a service
/// name or number as text (`"http"`, `"80"`, `Some("http")`), or nothing
/// (`Port::None`; a bare `None` needs its type, e.g. `None::<&str>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Port {
    /// No service: Python's `None`.
    None,
    /// A port number: Python's int, passed on as its decimal text, as
    /// CPython does.
    Number(i64),
    /// A service name or number as text.
    Service(String),
}

impl Port {
    /// The service text getaddrinfo(3) receives.
    fn text(self) -> Option<String> {
        match self {
            Port::None => None,
            Port::Number(n) => Some(n.to_string()),
            Port::Service(s) => Some(s),
        }
    }
}

impl From<u16> for Port {
    fn from(n: u16) -> Port {
        Port::Number(n.into())
    }
}

impl From<i32> for Port {
    fn from(n: i32) -> Port {
        Port::Number(n.into())
    }
}

impl From<&str> for Port {
    fn from(s: &str) -> Port {
        Port::Service(s.to_string())
    }
}

impl From<String> for Port {
    fn from(s: String) -> Port {
        Port::Service(s)
    }
}

impl From<Option<&str>> for Port {
    fn from(s: Option<&str>) -> Port {
        s.map_or(Port::None, Port::from)
    }
}

impl From<Option<&String>> for Port {
    fn from(s: Option<&String>) -> Port {
        s.map_or(Port::None, |s| Port::from(s.as_str()))
    }
}

/// Resolves a host and service: getaddrinfo(3) (WIT `netdb.getaddrinfo`).
///
/// `port` is Python's port argument: an int (`80`), text (`"50007"`,
/// `"http"`, or `Some("http")`), or `None` (see [`Port`]). With `type_` 0
/// the host returns one entry per
/// (address, socket type), in the resolver's order. An unknown family is
/// `gaierror(-6)`, an unknown type `gaierror(-7)`, unknown flag bits
/// `gaierror(-1)`.
pub fn getaddrinfo(
    host: Option<&str>,
    port: impl Into<Port>,
    family: i32,
    type_: i32,
    proto: i32,
    flags: i32,
) -> Result<Vec<AddrInfo>> {
    let hints = convert::hints_to_wit(family, type_, proto, flags)?;
    let host = host.map(crate::pure::idna::encode).transpose()?;
    let port = port.into().text();
    let list = convert::wit(wit::getaddrinfo(host.as_deref(), port.as_deref(), hints))?;
    Ok(list.into_iter().map(convert::addrinfo_from_wit).collect())
}

/// Host and service names for an address: getnameinfo(3) (WIT
/// `netdb.getnameinfo`). The host must be numeric (CPython resolves it with
/// `AI_NUMERICHOST`; a name is `gaierror(-2)`).
pub fn getnameinfo(sockaddr: impl Into<Address>, flags: i32) -> Result<(String, String)> {
    let addr = convert::nameinfo_address(&sockaddr.into())?;
    convert::wit(wit::getnameinfo(&addr, convert::ni_flags_to_wit(flags)))
}

/// The IPv4 address of a host as text: CPython resolves it with
/// getaddrinfo(3) for `AF_INET` (WIT `netdb.getaddrinfo`; numeric
/// addresses, `""` and `"<broadcast>"` need no host call).
pub fn gethostbyname(name: &str) -> Result<String> {
    let name = crate::pure::idna::encode(name)?;
    Ok(convert::ip_text(&convert::resolve_host(&name, AF_INET)?))
}

/// `(hostname, aliaslist, ipaddrlist)` for a host: gethostbyname_r(3)
/// (WIT `netdb.gethostbyname`), after checking that the name resolves as
/// CPython does (so an unknown name is `gaierror`).
pub fn gethostbyname_ex(name: &str) -> Result<(String, Vec<String>, Vec<String>)> {
    let name = crate::pure::idna::encode(name)?;
    convert::resolve_host(&name, AF_INET)?;
    convert::wit(wit::gethostbyname(&name)).map(convert::host_entry_from_wit)
}

/// `(hostname, aliaslist, ipaddrlist)` for an address: gethostbyaddr(3)
/// (WIT `netdb.gethostbyaddr`). A name is first resolved, as CPython does.
pub fn gethostbyaddr(ip: &str) -> Result<(String, Vec<String>, Vec<String>)> {
    let ip = crate::pure::idna::encode(ip)?;
    let addr = convert::resolve_host(&ip, AF_UNSPEC)?;
    convert::wit(wit::gethostbyaddr(addr)).map(convert::host_entry_from_wit)
}

/// The host name the embedder presents: gethostname(2) (WIT
/// `netdb.gethostname`).
pub fn gethostname() -> Result<String> {
    convert::wit(wit::gethostname())
}

/// A fully qualified name for `name`, Python's `getfqdn`: `name` (or, if
/// empty or `0.0.0.0`, [`gethostname`]) is looked up with
/// [`gethostbyaddr`]; the first of its name and aliases that contains a dot
/// is returned, else its name; `name` itself when the lookup fails.
pub fn getfqdn(name: &str) -> String {
    let mut name = name.trim().to_string();
    if name.is_empty() || name == "0.0.0.0" {
        name = gethostname().unwrap_or_default();
    }
    match gethostbyaddr(&name) {
        Ok((hostname, aliases, _)) => std::iter::once(&hostname)
            .chain(aliases.iter())
            .find(|n| n.contains('.'))
            .unwrap_or(&hostname)
            .clone(),
        Err(_) => name,
    }
}

/// Maps a lookup failure onto CPython's errno-less message, keeping
/// policy denials and ENOSYS / EOPNOTSUPP from a host without the call.
fn not_found(e: crate::wit::errors::Error, msg: &str) -> Error {
    let e = convert::error_from_wit(e);
    match e.errno() {
        // Denials, and a host that lacks the call, are reported as such.
        _ if e.is_policy_denial() => e,
        Some(38 | 95) => e,
        _ => Error::os_msg(msg).with_detail(e.detail().to_owned()),
    }
}

/// The port of a service: getservbyname(3) (WIT `netdb.getservbyname`).
/// Unknown: `OSError('service/proto not found')`.
pub fn getservbyname(name: &str, proto: Option<&str>) -> Result<u16> {
    wit::getservbyname(name, proto).map_err(|e| not_found(e, "service/proto not found"))
}

/// The service name of a port: getservbyport(3) (WIT
/// `netdb.getservbyport`). Unknown: `OSError('port/proto not found')`.
pub fn getservbyport(port: u16, proto: Option<&str>) -> Result<String> {
    wit::getservbyport(port, proto).map_err(|e| not_found(e, "port/proto not found"))
}

/// A protocol number: getprotobyname(3) (WIT `netdb.getprotobyname`).
/// Unknown: `OSError('protocol not found')`.
pub fn getprotobyname(name: &str) -> Result<i32> {
    wit::getprotobyname(name).map_err(|e| not_found(e, "protocol not found"))
}

/// The interfaces as `(index, name)`: if_nameindex(3) (WIT
/// `netdb.if-nameindex`).
pub fn if_nameindex() -> Result<Vec<(u32, String)>> {
    convert::wit(wit::if_nameindex())
}

/// An interface's index: if_nametoindex(3) (WIT `netdb.if-nametoindex`).
/// Unknown: `OSError('no interface with this name')`.
pub fn if_nametoindex(name: &str) -> Result<u32> {
    wit::if_nametoindex(name).map_err(|e| not_found(e, "no interface with this name"))
}

/// An interface's name: if_indextoname(3) (WIT `netdb.if-indextoname`).
/// Unknown: `OSError(6, 'No such device or address')`.
pub fn if_indextoname(index: u32) -> Result<String> {
    convert::wit(wit::if_indextoname(index))
}
