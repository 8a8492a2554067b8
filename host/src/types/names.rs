//! C names of the WIT enums for messages and logs: a denial names
//! `SO_BINDTODEVICE` or `AF_INET6`, as a C or Python programmer writes
//! them, not the Rust type (`OptionName::SoBindtodevice`).

use super::types::{AddressFamily, OptionName, SocketType};
use std::fmt::Debug;

/// `SoBindtodevice` (the case name, with or without its `Type::` prefix)
/// as `SO_BINDTODEVICE`, behind `prefix`.
fn c_name(prefix: &str, case: &impl Debug) -> String {
    let debug = format!("{case:?}");
    let case = debug.rsplit("::").next().unwrap_or(&debug);
    let mut out = String::from(prefix);
    for (i, c) in case.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

/// `SO_BINDTODEVICE`, `TCP_NODELAY`, `IPV6_JOIN_GROUP`.
pub fn option(name: OptionName) -> String {
    c_name("", &name)
}

/// `AF_INET`, `AF_INET6`, `AF_UNIX`.
pub fn family(family: AddressFamily) -> String {
    c_name("AF_", &family)
}

/// `SOCK_STREAM`, `SOCK_RAW`.
pub fn socket_type(ty: SocketType) -> String {
    c_name("SOCK_", &ty)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_names() {
        assert_eq!(option(OptionName::SoBindtodevice), "SO_BINDTODEVICE");
        assert_eq!(option(OptionName::Ipv6V6only), "IPV6_V6ONLY");
        assert_eq!(option(OptionName::IpAddMembership), "IP_ADD_MEMBERSHIP");
        assert_eq!(option(OptionName::TcpNodelay), "TCP_NODELAY");
        assert_eq!(family(AddressFamily::Inet6), "AF_INET6");
        assert_eq!(family(AddressFamily::Unix), "AF_UNIX");
        assert_eq!(socket_type(SocketType::Raw), "SOCK_RAW");
    }
}
