//! Control messages (sendmsg / recvmsg ancillary data): the typed WIT
//! messages as Python's `(level, type, data)`, packed as on 64-bit Linux,
//! and back. SCM_RIGHTS carries sockets, which this layer does not know:
//! the socket layer wraps the received WIT sockets and hands over the WIT
//! sockets to send.

use super::ip::{ipv6_bytes, ipv6_from_bytes, ipv6_tuple};
use super::option::{einval, in_addr, ne_i32, ne_u32, option_value_bytes};
use super::option::{SOL_IPV6_, SOL_IP_, SOL_UDP_};
use crate::constants::*;
use crate::error::Result;
use crate::wit;
use crate::wit::ancillary::{RecvControlMessage, SendControlMessage};
use crate::wit::socket::Socket as WitSocket;
use crate::wit::types::{OptionName, OptionValue};

const SCM_TIMESTAMP_: i32 = 29;
const SCM_TIMESTAMPNS_: i32 = 35;
const IP_PKTINFO_: i32 = 8;
const IP_TTL_: i32 = 2;
const IP_TOS_: i32 = 1;
const IPV6_PKTINFO_: i32 = 50;
const IPV6_HOPLIMIT_: i32 = 52;
const IPV6_TCLASS_: i32 = 67;
const UDP_SEGMENT_: i32 = 103;
const UDP_GRO_: i32 = 104;

/// A received WIT control message as Python's `(level, type, data)`
/// tuple, made with `raw` (or the received sockets, for SCM_RIGHTS, made
/// with `rights`: the caller wraps them as socket objects).
pub(crate) fn recv_cmsg_from_wit<T>(
    msg: RecvControlMessage,
    rights: impl FnOnce(Vec<WitSocket>) -> T,
    raw: impl FnOnce(i32, i32, Vec<u8>) -> T,
) -> T {
    match msg {
        RecvControlMessage::Rights(socks) => rights(socks),
        RecvControlMessage::Credentials(c) => raw(
            SOL_SOCKET,
            SCM_CREDENTIALS,
            option_value_bytes(OptionName::SoPeercred, &OptionValue::Credentials(c)),
        ),
        RecvControlMessage::Ipv4PacketInfo(p) => {
            let mut v = (p.interface_index as i32).to_ne_bytes().to_vec();
            let l = p.local_address;
            let d = p.destination_address;
            v.extend_from_slice(&[l.0, l.1, l.2, l.3, d.0, d.1, d.2, d.3]);
            raw(SOL_IP_, IP_PKTINFO_, v)
        }
        RecvControlMessage::Ipv6PacketInfo(p) => {
            let mut v = ipv6_bytes(p.address).to_vec();
            v.extend_from_slice(&p.interface_index.to_ne_bytes());
            raw(SOL_IPV6_, IPV6_PKTINFO_, v)
        }
        RecvControlMessage::Ipv4Ttl(t) => raw(SOL_IP_, IP_TTL_, (t as i32).to_ne_bytes().to_vec()),
        RecvControlMessage::Ipv4Tos(t) => raw(SOL_IP_, IP_TOS_, vec![t]),
        RecvControlMessage::Ipv6HopLimit(h) => {
            raw(SOL_IPV6_, IPV6_HOPLIMIT_, h.to_ne_bytes().to_vec())
        }
        RecvControlMessage::Ipv6TrafficClass(c) => {
            raw(SOL_IPV6_, IPV6_TCLASS_, c.to_ne_bytes().to_vec())
        }
        RecvControlMessage::Timestamp(t) => {
            let mut v = t.seconds.to_ne_bytes().to_vec();
            v.extend_from_slice(&(i64::from(t.nanoseconds) / 1000).to_ne_bytes());
            raw(SOL_SOCKET, SCM_TIMESTAMP_, v)
        }
        RecvControlMessage::TimestampNs(t) => {
            let mut v = t.seconds.to_ne_bytes().to_vec();
            v.extend_from_slice(&i64::from(t.nanoseconds).to_ne_bytes());
            raw(SOL_SOCKET, SCM_TIMESTAMPNS_, v)
        }
        RecvControlMessage::UdpGro(s) => {
            raw(SOL_UDP_, UDP_GRO_, i32::from(s).to_ne_bytes().to_vec())
        }
        RecvControlMessage::Unknown(m) => raw(m.level, m.message_type, m.data),
    }
}

/// Python's `(level, type, data)` as the typed WIT control message to
/// send, with the kernel's length rules (EINVAL for a bad length or a
/// message the host cannot carry). Sockets to pass with SCM_RIGHTS are
/// the caller's to put in a `rights` message.
pub(crate) fn send_cmsg_to_wit<'a>(
    level: i32,
    type_: i32,
    data: &[u8],
) -> Result<SendControlMessage<'a>> {
    let int = |d: &[u8]| -> Result<i32> {
        if d.len() == 4 {
            Ok(ne_i32(d))
        } else {
            Err(einval())
        }
    };
    Ok(match (level, type_) {
        (SOL_SOCKET, SCM_CREDENTIALS) => {
            if data.len() != 12 {
                return Err(einval());
            }
            SendControlMessage::Credentials(wit::types::Credentials {
                pid: ne_i32(&data[0..4]),
                uid: ne_u32(&data[4..8]),
                gid: ne_u32(&data[8..12]),
            })
        }
        (SOL_SOCKET, SCM_RIGHTS) => {
            // Raw descriptor numbers cannot cross the boundary: pass
            // sockets with `Ancillary::Rights`.
            return Err(einval()
                .with_detail("SCM_RIGHTS needs Ancillary::Rights with Socket values".into()));
        }
        (SOL_IP_, IP_PKTINFO_) => {
            if data.len() != 12 {
                return Err(einval());
            }
            SendControlMessage::Ipv4PacketInfo(wit::types::Ipv4PacketInfo {
                interface_index: ne_i32(&data[0..4]) as u32,
                local_address: in_addr(&data[4..8]),
                destination_address: in_addr(&data[8..12]),
            })
        }
        (SOL_IP_, IP_TTL_) => {
            let t = int(data)?;
            if !(1..=255).contains(&t) {
                return Err(einval());
            }
            SendControlMessage::Ipv4Ttl(t as u8)
        }
        (SOL_IP_, IP_TOS_) => {
            let t = if data.len() == 1 {
                data[0] as i32
            } else {
                int(data)?
            };
            if !(0..=255).contains(&t) {
                return Err(einval());
            }
            SendControlMessage::Ipv4Tos(t as u8)
        }
        (SOL_IPV6_, IPV6_PKTINFO_) => {
            if data.len() != 20 {
                return Err(einval());
            }
            SendControlMessage::Ipv6PacketInfo(wit::types::Ipv6PacketInfo {
                address: ipv6_tuple(ipv6_from_bytes(&data[0..16])),
                interface_index: ne_u32(&data[16..20]),
            })
        }
        (SOL_IPV6_, IPV6_HOPLIMIT_) => SendControlMessage::Ipv6HopLimit(int(data)?),
        (SOL_IPV6_, IPV6_TCLASS_) => SendControlMessage::Ipv6TrafficClass(int(data)?),
        (SOL_UDP_, UDP_SEGMENT_) => {
            if data.len() != 2 {
                return Err(einval());
            }
            SendControlMessage::UdpSegment(u16::from_ne_bytes([data[0], data[1]]))
        }
        _ => return Err(einval()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_messages() {
        let m = recv_cmsg_from_wit(
            RecvControlMessage::Ipv4Tos(0x10),
            |_| None,
            |level, type_, data| Some((level, type_, data)),
        );
        assert_eq!(m, Some((IPPROTO_IP, IP_TOS, vec![0x10])));
        let data = 5i32.to_ne_bytes();
        assert!(matches!(
            send_cmsg_to_wit(IPPROTO_IPV6, IPV6_TCLASS, &data).unwrap(),
            SendControlMessage::Ipv6TrafficClass(5)
        ));
        assert_eq!(send_cmsg_to_wit(999, 1, &[]).unwrap_err().errno(), Some(22));
    }
}
