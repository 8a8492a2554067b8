//! Grants beyond TCP/UDP: families, protocols, netlink, options.

use super::*;

/// Every grant has its deny, which wins whatever the order, and survives
/// printing the policy and reading it back.
#[test]
fn grants_have_denies_that_win() {
    use crate::types::types::{AddressFamily as F, SocketType as T};
    let both = |p: Policy| {
        let again = Policy::from_toml(&p.to_toml()).unwrap();
        [p, again]
    };
    let allow_then_deny = Policy::deny_all()
        .allow_option("SO_MARK")
        .unwrap()
        .deny_option("so-mark")
        .unwrap()
        .allow_raw("*")
        .unwrap()
        .deny_raw("icmp")
        .unwrap()
        .allow_family("packet")
        .unwrap()
        .deny_family("PACKET")
        .unwrap()
        .allow_abstract("app-")
        .deny_abstract("app-secret");
    let deny_then_allow = Policy::deny_all()
        .deny_option("SO_MARK")
        .unwrap()
        .allow_option("SO_MARK")
        .unwrap()
        .deny_family("netlink")
        .unwrap()
        .allow_family("netlink")
        .unwrap();
    for p in both(allow_then_deny) {
        assert!(p.check_option("SO_MARK").is_err());
        assert!(p.check_family(F::Inet, T::Raw, 1).is_err());
        assert!(p.check_family(F::Inet, T::Raw, 58).is_ok());
        assert!(p.check_family(F::Packet, T::Raw, 768).is_err());
        assert!(p.unix().permits_abstract(b"app-1"));
        assert!(!p.unix().permits_abstract(b"app-secret-2"));
        assert_eq!(p.granted_options().count(), 0);
    }
    for p in both(deny_then_allow) {
        assert!(p.check_option("SO_MARK").is_err());
        assert!(p.check_family(F::Netlink, T::Raw, 0).is_err());
    }
    assert!(Policy::deny_all().deny_option("TCP_NODELAY").is_err());
    assert!(Policy::deny_all().deny_raw("nope").is_err());
}

/// A netlink grant is per protocol: the `netlink` family grant is
/// NETLINK_ROUTE only; sock_diag, audit, uevent and the rest need their
/// own grant; denials (of a protocol, or of the family) win; denials name
/// the flag; the grants print and read back.
#[test]
fn netlink_grants_are_per_protocol() {
    use crate::types::types::{AddressFamily as F, SocketType as T};
    let family = Policy::deny_all().allow_family("netlink").unwrap();
    assert!(family.check_family(F::Netlink, T::Raw, 0).is_ok());
    assert!(family.check_family(F::Netlink, T::Dgram, 0).is_ok());
    for proto in [4, 9, 15, 16, 31] {
        let e = family.check_family(F::Netlink, T::Raw, proto).unwrap_err();
        let name = crate::policy::netlink_protocol_name(proto);
        let want = if proto == 16 {
            "allow with policy.allow_genl(\"FAMILY\") (or policy.allow_netlink(\"generic\")"
                .to_string()
        } else {
            format!("allow with policy.allow_netlink(\"{name}\")")
        };
        assert!(e.to_string().contains(&want), "{e}");
    }
    // Generic netlink per family: a family grant creates the socket; the
    // families are judged per message (netlink_guard).
    let genl = Policy::deny_all().allow_genl("ethtool").unwrap();
    assert!(genl.check_family(F::Netlink, T::Raw, 16).is_ok());
    assert!(genl.grants.genl_filtered());
    assert!(genl.grants.genl_family_granted("ethtool"));
    assert!(!genl.grants.genl_family_granted("nl80211"));
    let whole = Policy::deny_all().allow_netlink("generic").unwrap();
    assert!(!whole.grants.genl_filtered());
    let whole = whole.deny_genl("wireguard").unwrap();
    assert!(whole.grants.genl_filtered());
    assert!(!whole.grants.genl_family_granted("wireguard"));
    assert!(whole.grants.genl_family_granted("devlink"));
    assert!(Policy::deny_all().allow_genl("").is_err());
    assert!(Policy::deny_all()
        .allow_genl("a-very-long-family-name")
        .is_err());
    let t = genl.to_toml();
    assert!(t.contains("genl = [\"ethtool\"]"), "{t}");
    assert!(Policy::from_toml(&t)
        .unwrap()
        .grants
        .genl
        .contains("ethtool"));
    let diag = Policy::deny_all().allow_netlink("sock_diag").unwrap();
    assert!(diag.check_family(F::Netlink, T::Raw, 4).is_ok());
    assert!(diag.check_family(F::Netlink, T::Raw, 0).is_err());
    let all = Policy::deny_all()
        .allow_netlink("*")
        .unwrap()
        .deny_netlink("netlink_audit")
        .unwrap();
    for p in [all.clone(), Policy::from_toml(&all.to_toml()).unwrap()] {
        assert!(p.check_family(F::Netlink, T::Raw, 15).is_ok());
        assert!(p.check_family(F::Netlink, T::Raw, 9).is_err());
    }
    let denied = Policy::deny_all()
        .allow_netlink("*")
        .unwrap()
        .deny_family("netlink")
        .unwrap();
    assert!(denied.check_family(F::Netlink, T::Raw, 0).is_err());
    assert_eq!(
        crate::policy::netlink_protocol_number("KOBJECT_UEVENT"),
        Some(15)
    );
    for bad in ["32", "-1", "nope", ""] {
        assert!(Policy::deny_all().allow_netlink(bad).is_err(), "{bad}");
    }
    assert!(
        all.to_toml().contains("netlink = [\"*\"]"),
        "{}",
        all.to_toml()
    );
    assert!(all.to_toml().contains("deny-netlink = [\"audit\"]"));
}
