//! Netlink requests that would change the host. The host process is root,
//! and the kernel checks a netlink request against the sending process's
//! privileges, so a granted NETLINK_ROUTE socket could add routes or
//! addresses and a NETLINK_SOCK_DIAG one could destroy other processes'
//! sockets. These two grants are for reading the host's network state:
//! their writes are refused whatever the grants say, before send(2).
//! Other netlink protocols granted by name (`generic`, `netfilter`,
//! `xfrm`, `audit`, …) are not filtered: such a grant hands the guest the
//! host's authority over them, writes included.
//!
//! A netlink datagram is a sequence of messages (`struct nlmsghdr`, each
//! aligned to 4 bytes); the kernel handles them in order and stops at the
//! first malformed one. This check does not stop there: a malformed header
//! (shorter than a header, longer than what follows, or a partial header at
//! the end) refuses the whole send, so nothing this check has not read can
//! reach the kernel, whatever a later kernel makes of it.

use crate::error::SocketError;

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

/// The first message in `data` (the concatenated payload of one send to a
/// netlink socket of `protocol`) that would change the host, as its name.
fn first_change(protocol: i32, data: &[u8]) -> Option<String> {
    let mut at = 0;
    while at < data.len() {
        let Some(h) = data.get(at..at + NLMSG_HDRLEN) else {
            return Some(format!(
                "message with a partial header ({} bytes at offset {at})",
                data.len() - at
            ));
        };
        let len = u32::from_ne_bytes([h[0], h[1], h[2], h[3]]) as usize;
        let kind = u16::from_ne_bytes([h[4], h[5]]);
        if len < NLMSG_HDRLEN || len > data.len() - at {
            return Some(format!(
                "message with a malformed header (length {len} at offset {at} of {})",
                data.len()
            ));
        }
        match protocol {
            // Every rtnetlink request but RTM_GET* (type & 3 == 2 from
            // RTM_BASE) changes something.
            NETLINK_ROUTE if kind >= RTM_BASE && (kind - RTM_BASE) & 3 != 2 => {
                return Some(format!("rtnetlink message type {kind}"));
            }
            NETLINK_ROUTE if kind == RTM_GETDCB => {
                return Some(format!(
                    "rtnetlink message type {kind} (RTM_GETDCB, which also carries DCB set commands)"
                ));
            }
            NETLINK_SOCK_DIAG if kind == SOCK_DESTROY => {
                return Some("SOCK_DESTROY".into());
            }
            _ => {}
        }
        at += len.div_ceil(4) * 4;
    }
    None
}

/// Refuses a send of `buffers` on a netlink socket of `protocol` that
/// carries a request changing the host's network configuration or another
/// process's sockets.
pub(crate) fn check(protocol: i32, buffers: &[&[u8]]) -> Result<(), SocketError> {
    if protocol != NETLINK_ROUTE && protocol != NETLINK_SOCK_DIAG {
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
    match first_change(protocol, data) {
        None => Ok(()),
        Some(what) if what.starts_with("message with") => Err(SocketError::denied(format!(
            "netlink {what} (the send is refused unread: only well-formed requests that read the host's network state are allowed)"
        ))),
        Some(what) => Err(SocketError::denied(format!(
            "netlink {what} (a change to the host's network state; only requests that read it are allowed)"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            assert!(check(NETLINK_ROUTE, &[&msg(kind, 32)]).is_ok(), "{kind}");
        }
        // RTM_NEWROUTE (24), RTM_DELADDR (21), RTM_SETLINK (19) change.
        for kind in [24, 21, 19, 16] {
            assert!(check(NETLINK_ROUTE, &[&msg(kind, 32)]).is_err(), "{kind}");
        }
        // Control messages below RTM_BASE are ignored by the kernel.
        assert!(check(NETLINK_ROUTE, &[&msg(3, 16)]).is_ok());
        // RTM_GETDCB carries set commands too.
        assert!(check(NETLINK_ROUTE, &[&msg(78, 32)]).is_err());
    }

    #[test]
    fn every_message_of_a_batch_counts_across_buffers() {
        let mut batch = msg(18, 20); // padded to 20: aligned already
        batch.extend(msg(24, 17)); // RTM_NEWROUTE, 17 bytes + 3 padding
        batch.extend([0; 3]);
        assert!(check(NETLINK_ROUTE, &[&batch]).is_err());
        let (a, b) = batch.split_at(25);
        assert!(check(NETLINK_ROUTE, &[a, b]).is_err());
        // A malformed header refuses the send (issue 22 item 4): the kernel
        // would stop reading there, but nothing unread may pass.
        let mut bad = msg(18, 20);
        bad.extend(msg(24, 8));
        assert!(check(NETLINK_ROUTE, &[&bad]).is_err());
        // A batch that starts with a zero-length header, then a change.
        let mut zero = vec![0u8; 16];
        zero.extend(msg(24, 32));
        let e = check(NETLINK_ROUTE, &[&zero]).unwrap_err();
        assert!(format!("{e:?}").contains("malformed header"), "{e:?}");
        // Longer than what follows, and a partial header at the end.
        assert!(check(NETLINK_ROUTE, &[&msg(18, 64)[..32]]).is_err());
        let mut tail = msg(18, 20);
        tail.extend([1, 2, 3, 4]);
        assert!(check(NETLINK_ROUTE, &[&tail]).is_err());
        // An unpadded last message is whole.
        assert!(check(NETLINK_ROUTE, &[&msg(18, 17)]).is_ok());
        // SOCK_DIAG is read the same way.
        assert!(check(NETLINK_SOCK_DIAG, &[&[0u8; 16]]).is_err());
        // The empty send carries nothing.
        assert!(check(NETLINK_ROUTE, &[&[]]).is_ok());
    }

    #[test]
    fn sock_diag_destroy_is_refused_and_other_protocols_untouched() {
        assert!(check(NETLINK_SOCK_DIAG, &[&msg(20, 72)]).is_ok());
        assert!(check(NETLINK_SOCK_DIAG, &[&msg(21, 72)]).is_err());
        assert!(check(16, &[&msg(24, 32)]).is_ok());
    }
}
