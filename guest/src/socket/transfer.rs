//! Sending and receiving data: `send*`, `recv*` (the `*_into` forms
//! straight into the caller's buffer), `sendfile`, and `Read` / `Write`
//! for `&Socket`.

use super::object::Socket;
use crate::convert::{self, Address};
use crate::error::{Error, Result};
use crate::wit::recvbuf;
use std::io;

impl Socket {
    /// Sends data: send(2) (WIT `socket.send`). Returns the number of bytes
    /// sent, which may be fewer than given.
    pub fn send(&self, data: &[u8]) -> Result<usize> {
        self.send_flags(data, 0)
    }

    /// `send(data, flags)`: send(2) with `MSG_*` flags (WIT `socket.send`).
    pub fn send_flags(&self, data: &[u8], flags: i32) -> Result<usize> {
        let n = convert::wit(self.inner.send(data, convert::msg_flags_to_wit(flags)))?;
        Ok(n as usize)
    }

    /// Sends all of `data`, calling send(2) until done (WIT
    /// `socket.send-all`). In timeout mode the timeout bounds the whole
    /// call.
    pub fn sendall(&self, data: &[u8]) -> Result<()> {
        self.sendall_flags(data, 0)
    }

    /// `sendall(data, flags)`: send(2) until done, with `MSG_*` flags (WIT
    /// `socket.send-all`).
    pub fn sendall_flags(&self, data: &[u8], flags: i32) -> Result<()> {
        convert::wit(self.inner.send_all(data, convert::msg_flags_to_wit(flags)))
    }

    /// Sends a datagram to an address: sendto(2) (WIT `socket.send-to`).
    /// The host may refuse the destination (`PermissionError`, errno 13).
    pub fn sendto(&self, data: &[u8], address: impl Into<Address>) -> Result<usize> {
        self.sendto_flags(data, 0, address)
    }

    /// `sendto(data, flags, address)`: sendto(2) with `MSG_*` flags (WIT
    /// `socket.send-to`).
    pub fn sendto_flags(
        &self,
        data: &[u8],
        flags: i32,
        address: impl Into<Address>,
    ) -> Result<usize> {
        let addr = self.addr(address, "sendto")?;
        let n = convert::wit(
            self.inner
                .send_to(data, convert::msg_flags_to_wit(flags), &addr),
        )?;
        Ok(n as usize)
    }

    /// Receives at most `bufsize` bytes: recv(2) (WIT `socket.recv`). An
    /// empty result means the peer closed (streams). `bufsize` 0 returns
    /// `b''` at once without a system call, as in CPython (a datagram stays
    /// queued).
    pub fn recv(&self, bufsize: usize) -> Result<Vec<u8>> {
        self.recv_flags(bufsize, 0)
    }

    /// `recv(bufsize, flags)`: recv(2) with `MSG_*` flags (WIT
    /// `socket.recv`).
    pub fn recv_flags(&self, bufsize: usize, flags: i32) -> Result<Vec<u8>> {
        convert::wit(
            self.inner
                .recv(bufsize as u64, convert::msg_flags_to_wit(flags)),
        )
    }

    /// Receives into `buf`: recv(2) (WIT `socket.recv`). `nbytes` 0 means
    /// `buf.len()`; more than `buf.len()` is
    /// `ValueError('buffer too small for requested bytes')`. Returns the
    /// number of bytes received; an empty `buf` returns 0 at once without
    /// receiving, as in CPython.
    ///
    /// The host writes the data straight into `buf` (see the crate's
    /// `recvbuf` module): no intermediate `Vec`.
    pub fn recv_into(&self, buf: &mut [u8], nbytes: usize, flags: i32) -> Result<usize> {
        let n = into_len(buf.len(), nbytes)?;
        let flags = convert::msg_flags_to_wit(flags);
        let (got, ()) = convert::wit(recvbuf::aimed(
            &mut buf[..n],
            || self.inner.recv(n as u64, flags),
            |data| (data, ()),
        ))?;
        Ok(got)
    }

    /// Receives data and the sender's address: recvfrom(2) (WIT
    /// `socket.recv-from`). The address is [`Address::None`] where CPython
    /// returns `None` (the kernel reported none: connected streams, unnamed
    /// unix peers); a datagram socket of an IP family always gets its
    /// sender's.
    pub fn recvfrom(&self, bufsize: usize) -> Result<(Vec<u8>, Address)> {
        self.recvfrom_flags(bufsize, 0)
    }

    /// `recvfrom(bufsize, flags)`: recvfrom(2) with `MSG_*` flags (WIT
    /// `socket.recv-from`).
    pub fn recvfrom_flags(&self, bufsize: usize, flags: i32) -> Result<(Vec<u8>, Address)> {
        let (data, addr) = convert::wit(
            self.inner
                .recv_from(bufsize as u64, convert::msg_flags_to_wit(flags)),
        )?;
        Ok((data, convert::maybe_address_from_wit(addr)))
    }

    /// Receives into `buf` with the sender's address: recvfrom(2) (WIT
    /// `socket.recv-from`). `nbytes` 0 means `buf.len()`; more than
    /// `buf.len()` is `ValueError('nbytes is greater than the length of the
    /// buffer')` (CPython's message, which differs from `recv_into`'s). An
    /// empty buffer still calls recvfrom(2), as CPython does: it waits for
    /// data and consumes a datagram.
    pub fn recvfrom_into(
        &self,
        buf: &mut [u8],
        nbytes: usize,
        flags: i32,
    ) -> Result<(usize, Address)> {
        if nbytes > buf.len() {
            return Err(Error::value(
                "nbytes is greater than the length of the buffer",
            ));
        }
        let n = into_len(buf.len(), nbytes)?;
        let flags = convert::msg_flags_to_wit(flags);
        let (got, addr) = convert::wit(recvbuf::aimed(
            &mut buf[..n],
            || self.inner.recv_from(n as u64, flags),
            |pair| pair,
        ))?;
        Ok((got, convert::maybe_address_from_wit(addr)))
    }

    /// Python's `sendfile(file, offset, count)`, by CPython's send(2)
    /// fallback (WIT `socket.send`): reads `file` from `offset` in blocks
    /// of at most 8192 bytes and sends each whole, until `count` bytes or
    /// end of file. Returns the bytes sent and leaves the file positioned
    /// just after them. Only stream-like sockets (`type & SOCK_STREAM`);
    /// non-blocking sockets and `count` 0 are `ValueError`, as in CPython.
    pub fn sendfile<F: io::Read + io::Seek>(
        &self,
        file: &mut F,
        offset: u64,
        count: Option<u64>,
    ) -> Result<u64> {
        if self.type_ & crate::constants::SOCK_STREAM == 0 {
            return Err(Error::value("only SOCK_STREAM type sockets are supported"));
        }
        if count == Some(0) {
            return Err(Error::value("count must be a positive integer (got 0)"));
        }
        if self.timeout.get() == Some(0.0) {
            return Err(Error::value("non-blocking sockets are not supported"));
        }
        let io_err = |e: io::Error| match Error::io_errno(&e) {
            Some(n) => Error::from_errno(n),
            None => Error::os_msg(e.to_string()),
        };
        if offset != 0 {
            file.seek(io::SeekFrom::Start(offset)).map_err(io_err)?;
        }
        let mut total: u64 = 0;
        let mut block = vec![0u8; 8192];
        let result = (|| -> Result<u64> {
            loop {
                let want = match count {
                    Some(c) => (c - total).min(8192) as usize,
                    None => 8192,
                };
                if want == 0 {
                    return Ok(total);
                }
                let n = file.read(&mut block[..want]).map_err(io_err)?;
                if n == 0 {
                    return Ok(total);
                }
                let mut data = &block[..n];
                while !data.is_empty() {
                    match self.send(data) {
                        Ok(sent) => {
                            total += sent as u64;
                            data = &data[sent..];
                        }
                        Err(e) if e.kind() == crate::error::ErrorKind::BlockingIOError => continue,
                        Err(e) => return Err(e),
                    }
                }
            }
        })();
        if total > 0 {
            file.seek(io::SeekFrom::Start(offset + total))
                .map_err(io_err)?;
        }
        result
    }
}

fn into_len(buflen: usize, nbytes: usize) -> Result<usize> {
    if nbytes == 0 {
        Ok(buflen)
    } else if nbytes > buflen {
        Err(Error::value("buffer too small for requested bytes"))
    } else {
        Ok(nbytes)
    }
}

pub(super) fn copy_into(buf: &mut [u8], data: &[u8]) -> usize {
    let n = data.len().min(buf.len());
    buf[..n].copy_from_slice(&data[..n]);
    n
}

impl io::Read for &Socket {
    /// recv(2) (WIT `socket.recv`), straight into `out`.
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        Ok(self.recv_into(out, 0, 0)?)
    }
}

impl io::Write for &Socket {
    /// send(2) (WIT `socket.send`).
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        Ok(self.send(data)?)
    }

    /// Nothing is buffered.
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
