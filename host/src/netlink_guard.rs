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
//! first malformed one. This check reads every message and refuses a send
//! in which any header is malformed (a length below the header's 16 bytes
//! or past the end of the send, or a partial header at the end): what it
//! cannot read is not passed on, whether or not this kernel would stop
//! there.

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

/// Why a send is refused.
enum Refused {
    /// A message that would change the host, by name.
    Change(String),
    /// A header the guard cannot read past, described.
    Malformed(String),
}

/// The first message in `data` (the concatenated payload of one send to a
/// netlink socket of `protocol`) that would change the host, or the first
/// malformed header.
fn first_refused(protocol: i32, data: &[u8]) -> Option<Refused> {
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
        match protocol {
            // Every rtnetlink request but RTM_GET* (type & 3 == 2 from
            // RTM_BASE) changes something.
            NETLINK_ROUTE if kind >= RTM_BASE && (kind - RTM_BASE) & 3 != 2 => {
                return Some(Refused::Change(format!("rtnetlink message type {kind}")));
            }
            NETLINK_ROUTE if kind == RTM_GETDCB => {
                return Some(Refused::Change(format!(
                    "rtnetlink message type {kind} (RTM_GETDCB, which also carries DCB set commands)"
                )));
            }
            NETLINK_SOCK_DIAG if kind == SOCK_DESTROY => {
                return Some(Refused::Change("SOCK_DESTROY".into()));
            }
            _ => {}
        }
        at += len.div_ceil(4) * 4;
    }
    None
}

/// Refuses a send of `buffers` on a netlink socket of `protocol` that
/// carries a request changing the host's network configuration or another
/// process's sockets, or a message header it cannot read past.
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
    match first_refused(protocol, data) {
        None => Ok(()),
        Some(Refused::Malformed(what)) => Err(SocketError::denied(format!(
            "netlink message with a malformed header {what} (every message of a send on this socket is read before it is sent)"
        ))),
        Some(Refused::Change(what)) => Err(SocketError::denied(format!(
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
        // The last message may go without its padding.
        let mut unpadded = msg(18, 20);
        unpadded.extend(msg(22, 17));
        assert!(check(NETLINK_ROUTE, &[&unpadded]).is_ok());
        assert!(check(NETLINK_ROUTE, &[]).is_ok());
    }

    #[test]
    fn malformed_headers_are_refused_wherever_they_are() {
        // A zero-length header first (the kernel would stop there and never
        // read the RTM_NEWADDR behind it; nor does the guard pass it on).
        let mut zero = msg(18, 16);
        zero[..4].copy_from_slice(&0u32.to_ne_bytes());
        zero.extend(msg(20, 40));
        assert!(check(NETLINK_ROUTE, &[&zero]).is_err());
        // Too short, past the end, after a good message.
        let mut short = msg(18, 20);
        short.extend(msg(24, 8));
        assert!(check(NETLINK_ROUTE, &[&short]).is_err());
        assert!(check(NETLINK_ROUTE, &[&msg(18, 64)[..32]]).is_err());
        // A partial header at the end, even of a read.
        let mut tail = msg(18, 20);
        tail.extend([0; 4]);
        assert!(check(NETLINK_ROUTE, &[&tail]).is_err());
        assert!(check(NETLINK_SOCK_DIAG, &[&[1, 2, 3][..]]).is_err());
        let e = format!("{:?}", check(NETLINK_ROUTE, &[&zero]).unwrap_err());
        assert!(e.contains("malformed header at byte 0 (length 0"), "{e}");
    }

    #[test]
    fn sock_diag_destroy_is_refused_and_other_protocols_untouched() {
        assert!(check(NETLINK_SOCK_DIAG, &[&msg(20, 72)]).is_ok());
        assert!(check(NETLINK_SOCK_DIAG, &[&msg(21, 72)]).is_err());
        assert!(check(16, &[&msg(24, 32)]).is_ok());
    }
}
