//! Netlink requests that would change the host, and generic netlink
//! messages to families the policy does not grant. The host process is root,
//! and the kernel checks a netlink request against the sending process's
//! privileges, so a granted NETLINK_ROUTE socket could add routes or
//! addresses and a NETLINK_SOCK_DIAG one could destroy other processes'
//! sockets. These two grants are for reading the host's network state:
//! their writes are refused whatever the grants say, before send(2).
//! NETLINK_GENERIC granted per family (`allow_genl`): every message must
//! address a granted family (its `nlmsg_type` is the family's id, which
//! the host maps to the family's name by asking nlctrl at each send, so
//! that an id reassigned after a module reload is judged by its current
//! name) or be one of nlctrl's read-only lookups (CTRL_CMD_GETFAMILY,
//! CTRL_CMD_GETPOLICY); a granted family carries the host's authority
//! over it. Other netlink protocols granted by name (`generic` whole,
//! `netfilter`, `xfrm`, `audit`, …) are not filtered: such a grant hands
//! the guest the host's authority over them, writes included.
//!
//! A netlink datagram is a sequence of messages (`struct nlmsghdr`, each
//! aligned to 4 bytes); the kernel handles them in order and stops at the
//! first malformed one. This check reads every message and refuses a send
//! in which any header is malformed (a length below the header's 16 bytes
//! or past the end of the send, or a partial header at the end): what it
//! cannot read is not passed on, whether or not this kernel would stop
//! there.

use crate::policy::{FamilyGrants, Policy};
use crate::types::SocketError;
use std::collections::HashMap;

const NETLINK_ROUTE: i32 = 0;
const NETLINK_SOCK_DIAG: i32 = 4;
/// rtnetlink's first message type (`RTM_BASE`); smaller types are control
/// messages the kernel ignores.
const RTM_BASE: u16 = 16;
/// `SOCK_DESTROY`: closes another socket on the host (CAP_NET_ADMIN).
const SOCK_DESTROY: u16 = 21;
/// `RTM_GETDCB`: a GET by its type, but since Linux 5.11 the kernel also
/// runs DCB *set* commands carried in it (`dcbnl`), so it is refused too.
const RTM_GETDCB: u16 = 78;
const NLMSG_HDRLEN: usize = 16;

/// Why a send is refused.
enum Refused {
    /// A message that would change the host, by name.
    Change(String),
    /// A header the guard cannot read past, described.
    Malformed(String),
    /// A generic netlink family the policy does not grant (its name, or
    /// its id when it has none).
    Family(String),
}

/// nlctrl's id (GENL_ID_CTRL) and its read-only commands.
const GENL_ID_CTRL: u16 = 0x10;
const CTRL_CMD_GETFAMILY: u8 = 3;
const CTRL_CMD_GETPOLICY: u8 = 10;
const CTRL_ATTR_FAMILY_ID: u16 = 1;
const CTRL_ATTR_FAMILY_NAME: u16 = 2;
const GENL_HDRLEN: usize = 4;

/// Calls `f` with the type and bytes of each message in `data` (a netlink
/// send's payload), in order; the first refusal `f` returns, or the
/// first malformed header.
fn each_message(data: &[u8], mut f: impl FnMut(u16, &[u8]) -> Option<Refused>) -> Option<Refused> {
    let mut at = 0;
    while at < data.len() {
        let Some(h) = data.get(at..at + NLMSG_HDRLEN) else {
            return Some(Refused::Malformed(format!(
                "at byte {at} ({} bytes, less than a 16-byte header)",
                data.len() - at
            )));
        };
        let len = u32::from_ne_bytes([h[0], h[1], h[2], h[3]]) as usize;
        let kind = u16::from_ne_bytes([h[4], h[5]]);
        if len < NLMSG_HDRLEN || len > data.len() - at {
            return Some(Refused::Malformed(format!(
                "at byte {at} (length {len}, with {} bytes left)",
                data.len() - at
            )));
        }
        if let Some(r) = f(kind, &data[at..at + len]) {
            return Some(r);
        }
        at += len.div_ceil(4) * 4;
    }
    None
}

/// The name of the generic netlink family with id `id` now, asked of
/// nlctrl (CTRL_CMD_GETFAMILY by CTRL_ATTR_FAMILY_ID); `None` when no
/// family has it (or nlctrl does not answer within a second).
fn genl_family_name(id: u16) -> Option<String> {
    use socket2::{Domain, Protocol, Socket, Type};
    use std::io::Read;
    let sock = Socket::new(
        Domain::from(libc::AF_NETLINK),
        Type::RAW,
        Some(Protocol::from(crate::policy::NETLINK_GENERIC)),
    )
    .ok()?;
    sock.set_read_timeout(Some(std::time::Duration::from_secs(1)))
        .ok()?;
    let mut m = Vec::with_capacity(28);
    m.extend(28u32.to_ne_bytes());
    m.extend(GENL_ID_CTRL.to_ne_bytes());
    m.extend((libc::NLM_F_REQUEST as u16).to_ne_bytes());
    m.extend(1u32.to_ne_bytes());
    m.extend(0u32.to_ne_bytes());
    m.extend([CTRL_CMD_GETFAMILY, 1, 0, 0]);
    m.extend(6u16.to_ne_bytes());
    m.extend(CTRL_ATTR_FAMILY_ID.to_ne_bytes());
    m.extend(id.to_ne_bytes());
    m.extend([0, 0]);
    sock.send(&m).ok()?;
    let mut buf = [0u8; 8192];
    let n = (&sock).read(&mut buf).ok()?;
    let reply = buf.get(..n)?;
    let kind = u16::from_ne_bytes([*reply.get(4)?, *reply.get(5)?]);
    if kind != GENL_ID_CTRL {
        return None;
    }
    let len = (u32::from_ne_bytes(reply.get(..4)?.try_into().ok()?) as usize).min(n);
    let mut at = NLMSG_HDRLEN + GENL_HDRLEN;
    while at + 4 <= len {
        let alen = u16::from_ne_bytes([reply[at], reply[at + 1]]) as usize;
        let atype = u16::from_ne_bytes([reply[at + 2], reply[at + 3]]) & 0x3fff;
        if alen < 4 || at + alen > len {
            return None;
        }
        if atype == CTRL_ATTR_FAMILY_NAME {
            let v = &reply[at + 4..at + alen];
            let v = v.split(|b| *b == 0).next().unwrap_or(v);
            return String::from_utf8(v.to_vec()).ok();
        }
        at += alen.div_ceil(4) * 4;
    }
    None
}

/// Checks each message of a send on a NETLINK_GENERIC socket against the
/// generic netlink grants (when `filter`), and reports every family it
/// addresses to `used` (`nlctrl` for its lookups), for learn mode.
fn genl_refused(
    grants: &FamilyGrants,
    filter: bool,
    data: &[u8],
    used: &mut dyn FnMut(&str),
) -> Option<Refused> {
    let mut names: HashMap<u16, Option<String>> = HashMap::new();
    each_message(data, |kind, msg| {
        if kind < RTM_BASE {
            // NLMSG_NOOP, NLMSG_ERROR, NLMSG_DONE…: control messages.
            return None;
        }
        if kind == GENL_ID_CTRL {
            let Some(&cmd) = msg.get(NLMSG_HDRLEN) else {
                return Some(Refused::Malformed(format!(
                    "(an nlctrl message of {} bytes, without its generic header)",
                    msg.len()
                )));
            };
            if cmd != CTRL_CMD_GETFAMILY && cmd != CTRL_CMD_GETPOLICY {
                return filter.then(|| {
                    Refused::Change(format!(
                        "nlctrl command {cmd} (only its lookups, CTRL_CMD_GETFAMILY and CTRL_CMD_GETPOLICY, are allowed)"
                    ))
                });
            }
            used("nlctrl");
            return None;
        }
        let name = names.entry(kind).or_insert_with(|| genl_family_name(kind));
        match name {
            Some(n) => {
                used(n);
                (filter && !grants.genl_family_granted(n)).then(|| Refused::Family(n.clone()))
            }
            None => filter.then(|| Refused::Family(format!("with id {kind} (no such family)"))),
        }
    })
}

/// The first message in `data` (the concatenated payload of one send to a
/// netlink socket of `protocol`) that would change the host, or the first
/// malformed header.
fn first_refused(protocol: i32, data: &[u8]) -> Option<Refused> {
    each_message(data, |kind, _| match protocol {
        // Every rtnetlink request but RTM_GET* (type & 3 == 2 from
        // RTM_BASE) changes something.
        NETLINK_ROUTE if kind >= RTM_BASE && (kind - RTM_BASE) & 3 != 2 => {
            Some(Refused::Change(format!("rtnetlink message type {kind}")))
        }
        NETLINK_ROUTE if kind == RTM_GETDCB => Some(Refused::Change(format!(
            "rtnetlink message type {kind} (RTM_GETDCB, which also carries DCB set commands)"
        ))),
        NETLINK_SOCK_DIAG if kind == SOCK_DESTROY => Some(Refused::Change("SOCK_DESTROY".into())),
        _ => None,
    })
}

/// Refuses a send of `buffers` on a netlink socket of `protocol` that
/// carries a request changing the host's network configuration or another
/// process's sockets, a message to a generic netlink family `grants` does
/// not grant, or a message header it cannot read past. `used` hears of
/// every generic netlink family addressed (learn mode); `learning` makes
/// the generic netlink messages be read even where nothing is filtered.
pub(crate) fn check(
    policy: &Policy,
    protocol: i32,
    buffers: &[&[u8]],
    learning: bool,
    used: &mut dyn FnMut(&str),
) -> Result<(), SocketError> {
    let grants = &policy.grants;
    let genl = protocol == crate::policy::NETLINK_GENERIC;
    let filter_genl = genl && grants.genl_filtered();
    if protocol != NETLINK_ROUTE
        && protocol != NETLINK_SOCK_DIAG
        && !filter_genl
        && !(genl && learning)
    {
        return Ok(());
    }
    let joined;
    let data = match buffers {
        [one] => *one,
        _ => {
            joined = buffers.concat();
            &joined
        }
    };
    let refused = if genl {
        genl_refused(grants, filter_genl, data, used)
    } else {
        first_refused(protocol, data)
    };
    match refused {
        None => Ok(()),
        Some(Refused::Malformed(what)) => Err(SocketError::denied(format!(
            "netlink message with a malformed header {what} (every message of a send on this socket is read before it is sent)"
        ))),
        Some(Refused::Change(what)) => Err(SocketError::denied(format!(
            "netlink {what} (a change to the host's network state; only requests that read it are allowed)"
        ))),
        Some(Refused::Family(name)) => Err(SocketError::denied(format!(
            "a message to generic netlink family {name} (generic netlink is granted per family; allow with {})",
            policy.hint("allow-genl", &name)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The guard with no generic netlink grant filtering (a whole
    /// `generic` grant), not learning.
    fn chk(protocol: i32, buffers: &[&[u8]]) -> Result<(), SocketError> {
        let p = Policy::deny_all().allow_netlink("generic").unwrap();
        check(&p, protocol, buffers, false, &mut |_| {})
    }

    fn msg(kind: u16, len: u32) -> Vec<u8> {
        let mut m = vec![0u8; len as usize];
        m[..4].copy_from_slice(&len.to_ne_bytes());
        m[4..6].copy_from_slice(&kind.to_ne_bytes());
        m
    }

    #[test]
    fn route_reads_pass_and_changes_are_refused() {
        // RTM_GETLINK (18), RTM_GETADDR (22), RTM_GETROUTE (26) read.
        for kind in [18, 22, 26, 30] {
            assert!(chk(NETLINK_ROUTE, &[&msg(kind, 32)]).is_ok(), "{kind}");
        }
        // RTM_NEWROUTE (24), RTM_DELADDR (21), RTM_SETLINK (19) change.
        for kind in [24, 21, 19, 16] {
            assert!(chk(NETLINK_ROUTE, &[&msg(kind, 32)]).is_err(), "{kind}");
        }
        // Control messages below RTM_BASE are ignored by the kernel.
        assert!(chk(NETLINK_ROUTE, &[&msg(3, 16)]).is_ok());
        // RTM_GETDCB carries set commands too.
        assert!(chk(NETLINK_ROUTE, &[&msg(78, 32)]).is_err());
    }

    #[test]
    fn every_message_of_a_batch_counts_across_buffers() {
        let mut batch = msg(18, 20); // padded to 20: aligned already
        batch.extend(msg(24, 17)); // RTM_NEWROUTE, 17 bytes + 3 padding
        batch.extend([0; 3]);
        assert!(chk(NETLINK_ROUTE, &[&batch]).is_err());
        let (a, b) = batch.split_at(25);
        assert!(chk(NETLINK_ROUTE, &[a, b]).is_err());
        // The last message may go without its padding.
        let mut unpadded = msg(18, 20);
        unpadded.extend(msg(22, 17));
        assert!(chk(NETLINK_ROUTE, &[&unpadded]).is_ok());
        assert!(chk(NETLINK_ROUTE, &[]).is_ok());
    }

    #[test]
    fn malformed_headers_are_refused_wherever_they_are() {
        // A zero-length header first (the kernel would stop there and never
        // read the RTM_NEWADDR behind it; nor does the guard pass it on).
        let mut zero = msg(18, 16);
        zero[..4].copy_from_slice(&0u32.to_ne_bytes());
        zero.extend(msg(20, 40));
        assert!(chk(NETLINK_ROUTE, &[&zero]).is_err());
        // Too short, past the end, after a good message.
        let mut short = msg(18, 20);
        short.extend(msg(24, 8));
        assert!(chk(NETLINK_ROUTE, &[&short]).is_err());
        assert!(chk(NETLINK_ROUTE, &[&msg(18, 64)[..32]]).is_err());
        // A partial header at the end, even of a read.
        let mut tail = msg(18, 20);
        tail.extend([0; 4]);
        assert!(chk(NETLINK_ROUTE, &[&tail]).is_err());
        assert!(chk(NETLINK_SOCK_DIAG, &[&[1, 2, 3][..]]).is_err());
        let e = format!("{:?}", chk(NETLINK_ROUTE, &[&zero]).unwrap_err());
        assert!(e.contains("malformed header at byte 0 (length 0"), "{e}");
    }

    #[test]
    fn genl_per_family_passes_nlctrl_lookups_only() {
        let p = Policy::deny_all().allow_genl("ethtool").unwrap();
        let mut used = Vec::new();
        let mut note = |n: &str| used.push(n.to_string());
        // CTRL_CMD_GETFAMILY (3) and GETPOLICY (10) to nlctrl pass.
        let mut get = msg(GENL_ID_CTRL, 20);
        get[16] = CTRL_CMD_GETFAMILY;
        assert!(check(&p, 16, &[&get], false, &mut note).is_ok());
        get[16] = CTRL_CMD_GETPOLICY;
        assert!(check(&p, 16, &[&get], false, &mut note).is_ok());
        // Any other nlctrl command is refused, and so is a message
        // without its generic header.
        get[16] = 1;
        assert!(check(&p, 16, &[&get], false, &mut note).is_err());
        assert!(check(&p, 16, &[&msg(GENL_ID_CTRL, 16)], false, &mut note).is_err());
        // Control messages pass; a whole grant filters nothing.
        assert!(check(&p, 16, &[&msg(3, 16)], false, &mut note).is_ok());
        let whole = Policy::deny_all().allow_netlink("generic").unwrap();
        get[16] = 1;
        assert!(check(&whole, 16, &[&get], false, &mut note).is_ok());
        assert_eq!(used, ["nlctrl", "nlctrl"]);
    }

    #[test]
    fn sock_diag_destroy_is_refused_and_other_protocols_untouched() {
        assert!(chk(NETLINK_SOCK_DIAG, &[&msg(20, 72)]).is_ok());
        assert!(chk(NETLINK_SOCK_DIAG, &[&msg(21, 72)]).is_err());
        assert!(chk(16, &[&msg(24, 32)]).is_ok());
    }
}
