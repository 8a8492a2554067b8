//! Socket options and ioctls: `setsockopt`, `getsockopt`, `ioctl`.

use super::object::Socket;
use crate::convert::{self, OptValue};
use crate::error::{Error, Result};
use crate::wit;
use wit::options::RawOptionValue;

impl Socket {
    /// Sets an option: setsockopt(2).
    ///
    /// `(level, optname)` is mapped onto the typed WIT option where there
    /// is one (WIT `options.set-option`); any other pair goes to the
    /// host's checked raw path (WIT `options.set-raw-option`), which passes
    /// the options on its allow-list and answers the rest with
    /// `OSError(92, 'Protocol not available')`. An int value is a C `int`
    /// (a 64-bit one on AF_VSOCK sockets, as CPython passes it); bytes are
    /// the packed C structure (`struct linger`, `struct timeval`,
    /// `struct ip_mreq(n)`, `struct ipv6_mreq`, an interface name…),
    /// checked for length as the kernel does; [`OptValue::Null`] is
    /// Python's `setsockopt(level, optname, None, optlen)`.
    pub fn setsockopt(&self, level: i32, optname: i32, value: impl Into<OptValue>) -> Result<()> {
        let value = value.into();
        if let Ok((name, kind)) = convert::option_to_wit(level, optname) {
            let value = convert::option_value_to_wit(level, kind, &value)?;
            return convert::wit(wit::options::set_option(&self.inner, name, &value));
        }
        let raw = match value {
            OptValue::Int(i) if self.family == crate::constants::AF_VSOCK => {
                RawOptionValue::Bytes((i as i64).to_ne_bytes().to_vec())
            }
            OptValue::Int(i) => RawOptionValue::Bytes(i.to_ne_bytes().to_vec()),
            OptValue::Bytes(b) => RawOptionValue::Bytes(b),
            OptValue::Null(n) => RawOptionValue::Null(n),
        };
        convert::wit(wit::options::set_raw_option(
            &self.inner,
            level,
            optname,
            &raw,
        ))
    }

    /// Reads an option as an int: getsockopt(2) with an `int` buffer (WIT
    /// `options.get-option`, or `options.get-raw-option` for options
    /// without a typed name). Structures give their first `int`, as the
    /// kernel writes it (SO_LINGER gives `l_onoff`).
    pub fn getsockopt(&self, level: i32, optname: i32) -> Result<i32> {
        if let Ok((name, _)) = convert::option_to_wit(level, optname) {
            let value = convert::wit(wit::options::get_option(&self.inner, name))?;
            return convert::option_value_int(name, &value);
        }
        // CPython reads a 64-bit value on AF_VSOCK sockets.
        let len = if self.family == crate::constants::AF_VSOCK {
            8
        } else {
            4
        };
        let mut b = convert::wit(wit::options::get_raw_option(
            &self.inner,
            level,
            optname,
            len,
        ))?;
        b.resize(8, 0);
        Ok(i32::from_ne_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// Reads an option as bytes: getsockopt(2) with a `buflen`-byte buffer
    /// (WIT `options.get-option`, packed as the C structure on 64-bit
    /// Linux and cut to `buflen`, or `options.get-raw-option`, which gives
    /// what the kernel wrote). `buflen` 0 gives the int form's 4 bytes;
    /// more than 1024 (or negative) is
    /// `OSError('getsockopt buflen out of range')`.
    pub fn getsockopt_bytes(&self, level: i32, optname: i32, buflen: usize) -> Result<Vec<u8>> {
        if buflen == 0 {
            return Ok(self.getsockopt(level, optname)?.to_ne_bytes().to_vec());
        }
        if buflen > 1024 {
            return Err(Error::new(
                crate::error::ErrorKind::OSError,
                "getsockopt buflen out of range",
            ));
        }
        if let Ok((name, _)) = convert::option_to_wit(level, optname) {
            if name == wit::types::OptionName::SoBindtodevice && buflen < 16 {
                // The kernel wants room for IFNAMSIZ bytes.
                return Err(Error::from_errno(22));
            }
            let value = convert::wit(wit::options::get_option(&self.inner, name))?;
            let mut bytes = convert::option_value_bytes(name, &value);
            bytes.truncate(buflen);
            return Ok(bytes);
        }
        convert::wit(wit::options::get_raw_option(
            &self.inner,
            level,
            optname,
            buflen as u32,
        ))
    }

    /// `fcntl.ioctl(sock, request, arg)` with a bytes `arg`: ioctl(2) (WIT
    /// `options.ioctl`) for FIONREAD/SIOCINQ, SIOCOUTQ, SIOCOUTQNSD,
    /// SIOCATMARK (an `int`), SIOCGSTAMP (`struct timeval`) and
    /// SIOCGSTAMPNS (`struct timespec`), and the interface queries
    /// SIOCGIFNAME, SIOCGIFINDEX, SIOCGIFFLAGS, SIOCGIFADDR, SIOCGIFNETMASK,
    /// SIOCGIFBRDADDR, SIOCGIFDSTADDR, SIOCGIFMTU, SIOCGIFHWADDR (a
    /// `struct ifreq`; WIT `options.interface-ioctl`, only for interfaces
    /// the embedder shows). Returns `arg` with the result
    /// written over its start, at `arg`'s length, as `fcntl.ioctl` returns
    /// a copy of its buffer. Any other request is
    /// `OSError(25, 'Inappropriate ioctl for device')`.
    pub fn ioctl(&self, request: u64, arg: &[u8]) -> Result<Vec<u8>> {
        use wit::options::{IoctlRequest as R, IoctlValue as V};
        let req = match request {
            crate::constants::FIONREAD => R::Inq,
            crate::constants::SIOCOUTQ => R::Outq,
            crate::constants::SIOCOUTQNSD => R::OutqNsd,
            crate::constants::SIOCATMARK => R::Atmark,
            crate::constants::SIOCGSTAMP => R::Stamp,
            crate::constants::SIOCGSTAMPNS => R::StampNs,
            0x8910..=0x8933 => {
                // SIOCGIF*: a `struct ifreq` in and out (the host answers
                // the requests it offers, for interfaces the guest sees).
                let mut ifreq = arg.to_vec();
                ifreq.resize(40, 0);
                let out = convert::wit(wit::options::interface_ioctl(
                    &self.inner,
                    request as u32,
                    &ifreq,
                ))?;
                let mut buf = arg.to_vec();
                let n = buf.len().min(out.len());
                buf[..n].copy_from_slice(&out[..n]);
                return Ok(buf);
            }
            _ => return Err(Error::from_errno(25)),
        };
        let written = match convert::wit(wit::options::ioctl(&self.inner, req))? {
            V::Int(i) => i.to_ne_bytes().to_vec(),
            V::Time((sec, nanos)) => {
                let frac = if req == R::Stamp { nanos / 1000 } else { nanos };
                let mut v = sec.to_ne_bytes().to_vec();
                v.extend_from_slice(&i64::from(frac).to_ne_bytes());
                v
            }
        };
        let mut buf = arg.to_vec();
        if buf.len() < written.len() {
            buf.resize(written.len(), 0);
        }
        buf[..written.len()].copy_from_slice(&written);
        buf.truncate(arg.len());
        Ok(buf)
    }
}
