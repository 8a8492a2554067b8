//! The calls that move data or wait for a peer: accept, connect, send,
//! send-all, send-to, recv, recv-from. Each checks the policy right
//! before its system call and waits per the socket's mode only on EAGAIN.

use super::guard::{flood_pause, peer_allowed, recv_filtered, sent, throttle};
use super::{msg_flags, recv_flags, unspecified, HostSocket};
use crate::ctx::WasockCtxView;
use crate::net::wait::Wait;
use crate::policy::Use;
use crate::sys::{self, Interest};
use crate::types::errors::ErrorCode;
use crate::types::types::{AddressFamily, MsgFlags, SocketAddress, SocketType};
use crate::types::{SocketError, SocketResult};
use std::io;
use wasmtime::component::Resource;

impl WasockCtxView<'_> {
    /// accept4(2); the new socket is in blocking mode.
    pub(crate) async fn accept<W: Wait>(
        &mut self,
        r: Resource<HostSocket>,
    ) -> SocketResult<(Resource<HostSocket>, SocketAddress)> {
        self.reserve()?;
        let ctx = &*self.ctx;
        let s = self.table.get(&r)?;
        // With a recorder every peer is judged, so that the audit log and a
        // learnt policy have the accepts an open policy would not check.
        let filter = ctx.recorder.is_some() || ctx.policy.filters_peers(Use::Accept, s.transport());
        // A denied peer's connection is closed at once and accept keeps
        // waiting (in this call when the descriptor blocks, else through
        // the wait strategy, which honours the timeout).
        let (sock, peer) = s
            .io::<W, _>(Interest::Read, MsgFlags::empty(), || {
                let mut dropped = 0;
                loop {
                    let (c, peer) = sys::accept(&s.sock, !W::BLOCKING_FD)?;
                    if !filter || peer_allowed(ctx, s, Use::Accept, &peer) {
                        return Ok((c, peer));
                    }
                    drop(c);
                    if flood_pause(s, &mut dropped) {
                        return Err(io::Error::from(io::ErrorKind::WouldBlock));
                    }
                }
            })
            .await?;
        let (family, socket_type, protocol) = (s.family, s.socket_type, s.protocol);
        let peer = self
            .address_out(s, &peer)
            .unwrap_or_else(|| crate::net::address::from_std(unspecified(family)));
        let new = self.push(HostSocket::new(
            sock,
            family,
            socket_type,
            protocol,
            !W::BLOCKING_FD,
        ))?;
        Ok((new, peer))
    }

    /// connect(2), after the policy's `connect` check. Waits for the
    /// outcome per the mode (non-blocking mode returns `in-progress`; the
    /// guest then reads the outcome from SO_ERROR, as in Python).
    pub(crate) async fn connect<W: Wait>(
        &mut self,
        r: Resource<HostSocket>,
        address: SocketAddress,
    ) -> SocketResult<()> {
        let (s, to) = self.target(&r, &address, Use::Connect)?;
        if s.socket_type == SocketType::Stream && s.family != AddressFamily::Unix {
            self.ctx.take_connect_token()?;
        }
        if s.socket_type != SocketType::Stream && s.family != AddressFamily::Unix {
            if let Some(a) = to.addr.as_socket() {
                self.check_connected_sends(s, a)?;
            }
        }
        s.prepare::<W>()?;
        let e = match s.sock.connect(&to.addr) {
            Ok(()) => return Ok(()),
            Err(e) => e,
        };
        if s.family == AddressFamily::Unix
            && e.kind() == io::ErrorKind::WouldBlock
            && s.timeout.is_none()
        {
            return crate::net::unix::connect_when_backlog_frees::<W>(&s.sock, &to.addr).await;
        }
        let in_progress = matches!(
            e.raw_os_error(),
            Some(libc::EINPROGRESS) | Some(libc::EINTR)
        );
        if !in_progress {
            return Err(e.into());
        }
        let deadline = match s.deadline(MsgFlags::empty()) {
            Ok(d) => d,
            Err(()) => return Err(e.into()),
        };
        // Asking connect(2) again reports the outcome in one call: EALREADY
        // while the handshake runs, success (or EISCONN) once connected,
        // the pending error (e.g. ECONNREFUSED) once it failed.
        let outcome = || match s.sock.connect(&to.addr) {
            Ok(()) => Ok(()),
            Err(e) => match e.raw_os_error() {
                Some(libc::EISCONN) => Ok(()),
                Some(libc::EALREADY | libc::EINPROGRESS) => {
                    Err(io::Error::from(io::ErrorKind::WouldBlock))
                }
                _ => Err(e),
            },
        };
        // On loopback the handshake has usually ended by the time the
        // first connect(2) returns: ask once before waiting.
        match outcome() {
            Err(e) if crate::net::wait::retryable(&e) => {}
            r => return Ok(r?),
        }
        match W::retry(s, Interest::Connect, deadline, outcome).await? {
            Some(()) => Ok(()),
            None => Err(SocketError::new(ErrorCode::Timeout, "timed out")),
        }
    }

    /// send(2).
    pub(crate) async fn send<W: Wait>(
        &mut self,
        r: Resource<HostSocket>,
        data: impl AsRef<[u8]> + Send,
        flags: MsgFlags,
    ) -> SocketResult<u64> {
        let data = data.as_ref();
        let s = self.table.get(&r)?;
        self.check_payload(s, &[data])?;
        self.check_adopted_send(s)?;
        throttle::<W>(self.ctx, s, flags, None).await?;
        let f = msg_flags(flags);
        let n = s
            .io::<W, _>(Interest::Write, flags, || s.sock.send_with_flags(data, f))
            .await?;
        sent(self.ctx, n);
        Ok(n as u64)
    }

    /// send(2) until all is sent; the timeout is a deadline for the whole.
    pub(crate) async fn send_all<W: Wait>(
        &mut self,
        r: Resource<HostSocket>,
        data: impl AsRef<[u8]> + Send,
        flags: MsgFlags,
    ) -> SocketResult<()> {
        let data = data.as_ref();
        let s = self.table.get(&r)?;
        self.check_payload(s, &[data])?;
        self.check_adopted_send(s)?;
        let f = msg_flags(flags);
        let deadline = s.deadline(flags);
        let mut sent = 0;
        while sent < data.len() {
            throttle::<W>(self.ctx, s, flags, deadline.ok()).await?;
            let rest = &data[sent..];
            let mut op = || s.sock.send_with_flags(rest, f);
            let n = match deadline {
                Ok(d) => {
                    s.io_until::<W, _>(Interest::Write, flags, Some(d), &mut op)
                        .await?
                }
                Err(()) => s.io::<W, _>(Interest::Write, flags, op).await?,
            };
            self::sent(self.ctx, n);
            sent += n;
        }
        Ok(())
    }

    /// sendto(2), after the policy's `connect` check of the destination.
    pub(crate) async fn send_to<W: Wait>(
        &mut self,
        r: Resource<HostSocket>,
        data: impl AsRef<[u8]> + Send,
        flags: MsgFlags,
        address: SocketAddress,
    ) -> SocketResult<u64> {
        let data = data.as_ref();
        let use_ = self.send_use(&r)?;
        let (s, to) = self.target(&r, &address, use_)?;
        self.check_payload(s, &[data])?;
        self.fast_open(use_, flags)?;
        throttle::<W>(self.ctx, s, flags, None).await?;
        let f = msg_flags(flags);
        let n = s
            .io::<W, _>(Interest::Write, flags, || {
                s.sock.send_to_with_flags(data, &to.addr, f)
            })
            .await?;
        sent(self.ctx, n);
        Ok(n as u64)
    }

    pub(crate) fn recv_cap(&self, max_len: u64) -> usize {
        // Capped by the host's own ceiling too: a policy built in code need
        // not have been validated, and its limit must never size a buffer
        // the host cannot allocate.
        let limit = self
            .ctx
            .policy
            .limits
            .max_recv
            .min(crate::policy::Limits::MAX_RECV);
        usize::try_from(max_len).unwrap_or(usize::MAX).min(limit)
    }

    /// recv(2). MSG_WAITALL in blocking and timeout mode keeps reading
    /// until the buffer is full, the peer closes, or the time is up.
    ///
    /// A request for 0 bytes returns nothing at once without a system call,
    /// as CPython's `recv` and `recv_into` do (on Linux a zero-length
    /// recv(2) waits for data on a stream, and takes a datagram off the
    /// queue on a datagram socket).
    pub(crate) async fn recv<W: Wait>(
        &mut self,
        r: Resource<HostSocket>,
        max_len: u64,
        flags: MsgFlags,
    ) -> SocketResult<Vec<u8>> {
        let cap = self.recv_cap(max_len);
        let s = self.table.get(&r)?;
        if max_len == 0 {
            return Ok(Vec::new());
        }
        if self.filters_datagrams(s) {
            let (buf, _) = recv_filtered::<W>(&*self.ctx, s, cap, flags).await?;
            return Ok(buf);
        }
        let f = recv_flags(flags);
        let waitall = flags.contains(MsgFlags::WAITALL) && s.deadline(flags).is_ok();
        let mut buf: Vec<u8> = Vec::with_capacity(cap);
        if !waitall {
            s.io::<W, _>(Interest::Read, flags, || {
                sys::append_read(&mut buf, cap, |b| Ok((s.sock.recv_with_flags(b, f)?, ())))
            })
            .await?;
            return Ok(buf);
        }
        let deadline = s.deadline(flags).ok().flatten();
        let f = f & !libc::MSG_WAITALL;
        while buf.len() < cap {
            let want = cap - buf.len();
            let mut op =
                || sys::append_read(&mut buf, want, |b| Ok((s.sock.recv_with_flags(b, f)?, ())));
            match s
                .io_until::<W, _>(Interest::Read, flags, Some(deadline), &mut op)
                .await
            {
                Ok((0, ())) => break,
                Ok(_) => {}
                Err(e) if !buf.is_empty() && e.code().is_some() => break,
                Err(e) => return Err(e),
            }
        }
        Ok(buf)
    }

    /// recvfrom(2). A request for 0 bytes is passed on as CPython passes
    /// it: the call waits per the mode for data (a stream) or a datagram,
    /// which it consumes.
    pub(crate) async fn recv_from<W: Wait>(
        &mut self,
        r: Resource<HostSocket>,
        max_len: u64,
        flags: MsgFlags,
    ) -> SocketResult<(Vec<u8>, Option<SocketAddress>)> {
        let cap = self.recv_cap(max_len);
        let s = self.table.get(&r)?;
        if self.filters_datagrams(s) {
            let (buf, from) = recv_filtered::<W>(&*self.ctx, s, cap, flags).await?;
            return Ok((buf, self.address_out(s, &from)));
        }
        let f = recv_flags(flags);
        let mut buf: Vec<u8> = Vec::with_capacity(cap);
        let (_, from) = s
            .io::<W, _>(Interest::Read, flags, || {
                sys::append_read(&mut buf, cap, |b| s.sock.recv_from_with_flags(b, f))
            })
            .await?;
        Ok((buf, self.address_out(s, &from)))
    }
}
