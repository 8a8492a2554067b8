//! The socket's file object: `makefile` and [`SocketFile`].

use super::object::Socket;
use super::transfer::copy_into;
use crate::error::{Error, Result};
use std::io;

impl Socket {
    /// A file object on the socket: Python's
    /// `makefile(mode, buffering)`, borrowing the socket.
    ///
    /// `mode` holds `r` (read), `w` (write) and `b` (binary) in any order,
    /// as in Python (`'r'` is Python's default, `'rwb'` reads and writes);
    /// any other letter is `ValueError("invalid mode 'x' (only r, w, b
    /// allowed)")`. Text mode (no `b`) is the same byte stream; read text
    /// with [`io::BufRead::read_line`] / [`io::BufRead::lines`] (UTF-8, as
    /// Python's default encoding here).
    ///
    /// `buffering`: `None` is Python's default (8192 bytes, buffers reads
    /// and writes); `Some(0)` is unbuffered (binary only, else
    /// `ValueError('unbuffered streams must be binary')`): each read is one
    /// recv(2) and each write one send(2); `Some(n)` buffers `n` bytes. A
    /// read into an empty buffer returns 0 at once and receives nothing,
    /// as in CPython (a datagram stays queued).
    /// Buffered writes go out on [`io::Write::flush`], when the buffer is
    /// full, and when the file is dropped (as Python's `close()` flushes).
    ///
    /// Reads are recv(2) (WIT `socket.recv`), writes send(2) (WIT
    /// `socket.send` / `socket.send-all`). Once a read has timed out
    /// (`TimeoutError`), every later read that needs the socket fails with
    /// `OSError('cannot read from timed out object')`, as in CPython. A
    /// read on a file without `r` (or a write without `w`) fails with
    /// `io.UnsupportedOperation`. The `io::Error`s convert back into
    /// [`Error`] with `?` or `Error::from`.
    pub fn makefile(&self, mode: &str, buffering: Option<usize>) -> Result<SocketFile<'_>> {
        if !mode.chars().all(|c| matches!(c, 'r' | 'w' | 'b')) {
            return Err(Error::value(format!(
                "invalid mode {} (only r, w, b allowed)",
                crate::pure::text::repr_str(mode)
            )));
        }
        let binary = mode.contains('b');
        // As Python: a mode without "r" or "w" reads.
        let writing = mode.contains('w');
        let reading = mode.contains('r') || !writing;
        let size = match buffering {
            Some(0) if !binary => {
                return Err(Error::value("unbuffered streams must be binary"));
            }
            Some(n) => n,
            None => FILE_BUFFER,
        };
        // Python's object: a `SocketIO` (unbuffered), a `BufferedReader` /
        // `BufferedWriter` (whose mode is the raw `SocketIO`'s), a
        // `BufferedRWPair` (neither mode nor name), or a `TextIOWrapper`
        // (the mode as given; the name of the buffer under it).
        let raw_mode = format!(
            "{}{}b",
            if reading { "r" } else { "" },
            if writing { "w" } else { "" }
        );
        let pair = reading && writing && size > 0;
        let (py_mode, named) = match (binary, pair) {
            (true, true) => (None, false),
            (true, false) => (Some(raw_mode), true),
            (false, _) => (Some(mode.to_string()), !pair),
        };
        Ok(SocketFile {
            sock: self,
            reading,
            writing,
            binary,
            py_mode,
            named,
            size,
            buf: Vec::new(),
            pos: 0,
            out: Vec::new(),
            timed_out: false,
        })
    }
}

/// What [`Socket::makefile`] returns: Python's socket file object (a
/// `BufferedReader`, `BufferedWriter`, `BufferedRWPair` or `TextIOWrapper`
/// over `SocketIO`, by mode), as [`io::Read`], [`io::BufRead`] and
/// [`io::Write`].
#[derive(Debug)]
pub struct SocketFile<'a> {
    sock: &'a Socket,
    reading: bool,
    writing: bool,
    binary: bool,
    /// Python's `f.mode`, `None` where the object has none.
    py_mode: Option<String>,
    /// Whether Python's object has a `name`.
    named: bool,
    /// Buffer size for reads and writes; 0 unbuffered.
    size: usize,
    buf: Vec<u8>,
    pos: usize,
    out: Vec<u8>,
    /// A read timed out: later reads fail (CPython's `_timeout_occurred`).
    timed_out: bool,
}

/// The default buffer size of [`SocketFile`] (Python's
/// `io.DEFAULT_BUFFER_SIZE`).
const FILE_BUFFER: usize = 8192;

impl SocketFile<'_> {
    /// The socket this file reads and writes.
    pub fn socket(&self) -> &Socket {
        self.sock
    }

    /// Whether the mode has `r` (Python's `readable()`).
    pub fn readable(&self) -> bool {
        self.reading
    }

    /// Whether the mode has `w` (Python's `writable()`).
    pub fn writable(&self) -> bool {
        self.writing
    }

    /// Whether the mode has `b`.
    pub fn is_binary(&self) -> bool {
        self.binary
    }

    /// Python's `f.mode`: the mode as given for a text file (`'r'`, `'w'`,
    /// `'rw'`, `''`…); `'rb'`, `'wb'` or `'rwb'` (the raw `SocketIO`'s)
    /// for a binary one; `None` where Python's object has no `mode` (the
    /// `BufferedRWPair` of a buffered `'rwb'` file).
    pub fn mode(&self) -> Option<&str> {
        self.py_mode.as_deref()
    }

    /// Python's `f.name`: the socket's [`Socket::fileno`]; `None` where
    /// Python's object has no `name` (the `BufferedRWPair` of a buffered
    /// file that reads and writes, and a text file over one).
    pub fn name(&self) -> Option<i32> {
        self.named.then(|| self.sock.fileno())
    }

    /// One recv(2) of at most `n` bytes, as CPython's `SocketIO.readinto`.
    fn recv(&mut self, n: usize) -> io::Result<Vec<u8>> {
        self.reading_with(|sock| sock.recv(n))
    }

    /// recv(2) straight into `out` (see [`Socket::recv_into`]).
    fn recv_into(&mut self, out: &mut [u8]) -> io::Result<usize> {
        self.reading_with(|sock| sock.recv_into(out, 0, 0))
    }

    /// Runs one receive as Python's `SocketIO.readinto` does: only on a
    /// readable file, never again after a timeout.
    fn reading_with<T>(&mut self, f: impl FnOnce(&Socket) -> Result<T>) -> io::Result<T> {
        if !self.reading {
            return Err(self.not_readable().into());
        }
        if self.timed_out {
            return Err(Error::os_msg("cannot read from timed out object").into());
        }
        match f(self.sock) {
            Err(e) if e.kind() == crate::error::ErrorKind::TimeoutError => {
                self.timed_out = true;
                Err(e.into())
            }
            r => Ok(r?),
        }
    }

    /// `io.UnsupportedOperation` for a read on a file without `r`: the raw
    /// `SocketIO`'s message when unbuffered, `BufferedWriter`'s otherwise.
    fn not_readable(&self) -> Error {
        let msg = if self.size == 0 {
            "File or stream is not readable."
        } else {
            "read"
        };
        Error::new(crate::error::ErrorKind::UnsupportedOperation, msg)
    }

    /// As [`SocketFile::not_readable`], for a write on a file without `w`.
    fn not_writable(&self) -> Error {
        let msg = if self.size == 0 {
            "File or stream is not writable."
        } else {
            "write"
        };
        Error::new(crate::error::ErrorKind::UnsupportedOperation, msg)
    }

    fn send_out(&mut self) -> io::Result<()> {
        if !self.out.is_empty() {
            let out = std::mem::take(&mut self.out);
            self.sock.sendall(&out)?;
        }
        Ok(())
    }
}

impl io::Read for SocketFile<'_> {
    /// Reads buffered data, or recv(2) (WIT `socket.recv`) when the buffer
    /// is empty (straight into `out` when it is at least the buffer's
    /// size); 0 at end of stream.
    ///
    /// An empty `out` returns 0 at once, with no system call, as CPython's
    /// `readinto` of an empty buffer does (its `recv_into` of 0 bytes
    /// makes none): unbuffered, after the same checks as any read (a file
    /// without `r`, a file whose read timed out); buffered, with none but
    /// `r`.
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            if self.size == 0 {
                return self.reading_with(|_| Ok(0));
            }
            if !self.reading {
                return Err(self.not_readable().into());
            }
            return Ok(0);
        }
        if self.pos >= self.buf.len() && out.len() >= self.size.max(1) {
            return self.recv_into(out);
        }
        let n = {
            let avail = io::BufRead::fill_buf(self)?;
            copy_into(out, avail)
        };
        io::BufRead::consume(self, n);
        Ok(n)
    }
}

impl io::BufRead for SocketFile<'_> {
    /// recv(2) (WIT `socket.recv`) of up to the buffer size (one byte when
    /// unbuffered, as Python's raw `readline`) when the buffer is empty.
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pos >= self.buf.len() {
            self.buf = self.recv(self.size.max(1))?;
            self.pos = 0;
        }
        Ok(&self.buf[self.pos..])
    }

    fn consume(&mut self, amt: usize) {
        self.pos = (self.pos + amt).min(self.buf.len());
    }
}

impl io::Write for SocketFile<'_> {
    /// Buffers `data` (sending the buffer with send(2) when it is full);
    /// unbuffered, one send(2) (WIT `socket.send`).
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if !self.writing {
            return Err(self.not_writable().into());
        }
        if self.size == 0 {
            return Ok(self.sock.send(data)?);
        }
        if self.out.len() + data.len() > self.size {
            self.send_out()?;
        }
        if data.len() >= self.size {
            self.sock.sendall(data)?;
        } else {
            self.out.extend_from_slice(data);
        }
        Ok(data.len())
    }

    /// Sends what is buffered (WIT `socket.send-all`).
    fn flush(&mut self) -> io::Result<()> {
        if !self.writing {
            return Ok(());
        }
        self.send_out()
    }
}

impl Drop for SocketFile<'_> {
    /// Sends what is still buffered, as Python's `close()` does; errors are
    /// lost, as with `BufWriter` (call `flush` to see them).
    fn drop(&mut self) {
        let _ = self.send_out();
    }
}
