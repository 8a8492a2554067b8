//! sendmsg(2) and recvmsg(2) with ancillary data: [`Ancillary`] (which
//! carries sockets for SCM_RIGHTS, so it belongs to this layer, not to
//! `convert`), and the wrapping of received sockets.

use super::object::Socket;
use super::transfer::copy_into;
use crate::convert::{self, Address};
use crate::error::Result;
use crate::wit;
use crate::wit::recvbuf;

/// One item of Python's `ancdata` (sendmsg / recvmsg).
#[derive(Debug)]
pub enum Ancillary {
    /// Python's `(cmsg_level, cmsg_type, cmsg_data)`, with `data` packed
    /// as on 64-bit Linux (`IP_TOS` one byte, `IP_TTL` an `int`,
    /// `struct in_pktinfo`, `struct in6_pktinfo`, `struct ucred`,
    /// `struct timeval`…).
    Raw {
        /// `cmsg_level` (`SOL_SOCKET`, `IPPROTO_IP`, …).
        level: i32,
        /// `cmsg_type` (`SCM_CREDENTIALS`, `IP_TOS`, …).
        type_: i32,
        /// `cmsg_data`.
        data: Vec<u8>,
    },
    /// `(SOL_SOCKET, SCM_RIGHTS, fds)`: sockets to pass or passed. Host
    /// descriptors never reach the guest, so these are sockets, not ints.
    Rights(Vec<Socket>),
}

/// What [`Socket::recvmsg`] returns: Python's
/// `(data, ancdata, msg_flags, address)`.
pub type RecvMsg = (Vec<u8>, Vec<Ancillary>, i32, Address);

impl Socket {
    /// Sends the concatenation of `buffers` with ancillary data: sendmsg(2)
    /// (WIT `ancillary.send-msg`). `ancdata` holds Python's
    /// `(level, type, data)` items (packed as on 64-bit Linux) or sockets
    /// to pass with SCM_RIGHTS.
    pub fn sendmsg(
        &self,
        buffers: &[&[u8]],
        ancdata: &[Ancillary],
        flags: i32,
        address: Option<Address>,
    ) -> Result<usize> {
        let control = ancdata.iter().map(send_cmsg).collect::<Result<Vec<_>>>()?;
        self.sendmsg_wit(buffers, &control, flags, address)
    }

    /// sendmsg(2) with WIT control messages.
    pub(crate) fn sendmsg_wit(
        &self,
        buffers: &[&[u8]],
        control: &[wit::ancillary::SendControlMessage<'_>],
        flags: i32,
        address: Option<Address>,
    ) -> Result<usize> {
        // CPython's sendmsg takes `None` as "no address".
        let address = match address {
            Some(Address::None) | None => None,
            Some(a) => Some(self.addr(a, "sendmsg")?),
        };
        let buffers: Vec<Vec<u8>> = buffers.iter().map(|b| b.to_vec()).collect();
        let n = convert::wit(wit::ancillary::send_msg(
            &self.inner,
            &buffers,
            control,
            convert::msg_flags_to_wit(flags),
            address.as_ref(),
        ))?;
        Ok(n as usize)
    }

    /// Receives data and ancillary data: recvmsg(2) (WIT
    /// `ancillary.recv-msg`). Returns Python's
    /// `(data, ancdata, msg_flags, address)`; `ancbufsize` is the size of
    /// the control buffer (use [`crate::CMSG_SPACE`]); sockets received with
    /// SCM_RIGHTS come back as [`Ancillary::Rights`].
    pub fn recvmsg(&self, bufsize: usize, ancbufsize: usize, flags: i32) -> Result<RecvMsg> {
        let msg = convert::wit(wit::ancillary::recv_msg(
            &self.inner,
            bufsize as u64,
            ancbufsize as u64,
            convert::msg_flags_to_wit(flags),
        ))?;
        let anc = received(msg.control, flags);
        Ok((
            msg.data,
            anc,
            convert::msg_flags_from_wit(msg.flags),
            convert::maybe_address_from_wit(msg.address),
        ))
    }

    /// Python's `recvmsg_into(buffers, ancbufsize, flags)`: recvmsg(2)
    /// (WIT `ancillary.recv-msg`) of at most the buffers' total length,
    /// scattered over `buffers` in order. Returns
    /// `(nbytes, ancdata, msg_flags, address)`.
    pub fn recvmsg_into(
        &self,
        buffers: &mut [&mut [u8]],
        ancbufsize: usize,
        flags: i32,
    ) -> Result<(usize, Vec<Ancillary>, i32, Address)> {
        let total: usize = buffers.iter().map(|b| b.len()).sum();
        let int_flags = flags;
        let flags = convert::msg_flags_to_wit(flags);
        let call = || wit::ancillary::recv_msg(&self.inner, total as u64, ancbufsize as u64, flags);
        let split = |m: wit::ancillary::ReceivedMessage| (m.data, (m.control, m.flags, m.address));
        // Aimed at the first non-empty buffer: data that fits lands there
        // directly (as recvmsg(2) would fill it first); more is scattered
        // from a copy.
        let first = buffers.iter().position(|b| !b.is_empty());
        let (n, (control, msg_flags, address)) = match first {
            Some(i) if buffers[i].len() == total => {
                convert::wit(recvbuf::aimed(&mut *buffers[i], call, split))?
            }
            _ => {
                let (data, rest) = split(convert::wit(call())?);
                let mut left = &data[..];
                for b in buffers.iter_mut() {
                    let k = copy_into(b, left);
                    left = &left[k..];
                }
                (data.len() - left.len(), rest)
            }
        };
        let anc = received(control, int_flags);
        Ok((
            n,
            anc,
            convert::msg_flags_from_wit(msg_flags),
            convert::maybe_address_from_wit(address),
        ))
    }
}

/// Received control messages as Python's, the sockets of SCM_RIGHTS
/// inheritable unless `flags` has MSG_CMSG_CLOEXEC.
fn received(control: Vec<wit::ancillary::RecvControlMessage>, flags: i32) -> Vec<Ancillary> {
    let mut anc: Vec<Ancillary> = control.into_iter().map(recv_cmsg).collect();
    if flags & crate::constants::MSG_CMSG_CLOEXEC != 0 {
        for item in &mut anc {
            if let Ancillary::Rights(socks) = item {
                socks.iter().for_each(|s| s.inheritable.set(false));
            }
        }
    }
    anc
}

/// A received WIT control message as Python's: SCM_RIGHTS's sockets as
/// new socket objects ([`Socket::from_received`]), the rest as
/// `(level, type, data)`.
fn recv_cmsg(msg: wit::ancillary::RecvControlMessage) -> Ancillary {
    convert::recv_cmsg_from_wit(
        msg,
        |socks| Ancillary::Rights(socks.into_iter().map(Socket::from_received).collect()),
        |level, type_, data| Ancillary::Raw { level, type_, data },
    )
}

/// One item of `ancdata` as the WIT control message to send: the sockets
/// of [`Ancillary::Rights`] as an SCM_RIGHTS message, the rest as
/// `convert` packs Python's `(level, type, data)`.
fn send_cmsg(msg: &Ancillary) -> Result<wit::ancillary::SendControlMessage<'_>> {
    match msg {
        Ancillary::Rights(socks) => Ok(wit::ancillary::SendControlMessage::Rights(
            socks.iter().map(|s| s.wit_handle()).collect(),
        )),
        Ancillary::Raw { level, type_, data } => convert::send_cmsg_to_wit(*level, *type_, data),
    }
}
