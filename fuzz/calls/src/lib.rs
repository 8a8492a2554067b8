//! The fuzz call language: a socket call sequence as a typed value.
//!
//! The `fuzz` guest (`tests/guests/src/bin/fuzz.rs`) plays a [`Program`]
//! against the wasock host; the host-side harnesses (the property test in
//! `host/tests/e2e/fuzz.rs`, the timed runner and the `cargo fuzz` target
//! in `fuzz/`) make the input bytes, check the properties from outside, and
//! print a failing input as calls ([`Program`]'s `Display`).
//!
//! Every input is raw bytes, decoded with [`arbitrary`] ([`Program::decode`]
//! is total: any bytes are a program). The layout keeps each call in a
//! frame of its own, so that removing a frame removes exactly one call and
//! changing a frame changes only that call (what makes proptest's
//! shrinking and libFuzzer's mutations local):
//!
//! ```text
//! header: u8        bit 0: async embedding; bits 1-3 all set: forged handle
//! frame*: len: u8   (low 6 bits: 0..=63), then `len` bytes, one Call
//! ```
//!
//! A frame shorter than its call needs reads as zeros, so the empty frame
//! is each enum's first case: `Socket { family: Inet, kind: Stream, proto:
//! Zero }`. The first case of each enum is the plainest one, which is what
//! shrinking drives a call towards.
//!
//! Sockets are named by position: `sock: n` is live socket `n % count` in
//! the guest's list of open sockets, in order of creation (a closed one
//! is replaced by the last); a call naming a socket when none is open does
//! nothing.

use arbitrary::{Arbitrary, Unstructured};
use std::fmt;

/// The largest frame (one call's bytes).
pub const MAX_FRAME: usize = 63;

/// The most calls one input decodes to.
pub const MAX_CALLS: usize = 4096;

/// A forged handle: one the guest never received (the host must trap it).
pub const FORGED_HANDLE: u32 = 0x7fff_0000;

/// One socket call, with its arguments.
#[derive(Arbitrary, Debug, Clone, PartialEq)]
pub enum Call {
    /// `socket(family, type, proto)`; the new socket is made non-blocking.
    Socket {
        family: Family,
        kind: Kind,
        proto: Proto,
    },
    /// `close()`.
    Close { sock: u8 },
    /// `bind(addr)`.
    Bind { sock: u8, addr: Addr },
    /// `connect(addr)`.
    Connect { sock: u8, addr: Addr },
    /// `connect_ex(addr)`.
    ConnectEx { sock: u8, addr: Addr },
    /// `listen(backlog)`.
    Listen { sock: u8, backlog: Int },
    /// `accept()`; the new socket is made non-blocking.
    Accept { sock: u8 },
    /// `send(data, flags)`.
    Send {
        sock: u8,
        data: Payload,
        flags: Flags,
    },
    /// `sendto(data, addr)`.
    SendTo { sock: u8, data: Payload, addr: Addr },
    /// `recv(size, flags)`.
    Recv { sock: u8, size: Size, flags: Flags },
    /// `recvfrom(size, flags)`.
    RecvFrom { sock: u8, size: Size, flags: Flags },
    /// `setsockopt(level, opt, value)`.
    SetSockOpt {
        sock: u8,
        level: Level,
        opt: u8,
        value: OptVal,
    },
    /// `getsockopt(level, opt)`, then `getsockopt(level, opt, size)`.
    GetSockOpt {
        sock: u8,
        level: Level,
        opt: u8,
        size: Size,
    },
    /// `shutdown(how)`.
    Shutdown { sock: u8, how: How },
    /// `getsockname()`, then `getpeername()`.
    Names { sock: u8 },
    /// `dup()`; the copy joins the open sockets.
    Dup { sock: u8 },
    /// `socketpair(family, type)`; both join the open sockets.
    SocketPair { family: Family, kind: Kind },
    /// `select(r, w, x)` over the open sockets whose bit is set in each
    /// mask (bit `i`: socket `i`).
    Select {
        read: u16,
        write: u16,
        except: u16,
        timeout: Wait,
    },
    /// `sendmsg([data], control, flags, dest)`.
    SendMsg {
        sock: u8,
        data: Payload,
        control: Vec<Control>,
        flags: Flags,
        dest: Option<Addr>,
    },
    /// `recvmsg(size, ancsize, flags)`; sockets received with SCM_RIGHTS
    /// join the open sockets.
    RecvMsg {
        sock: u8,
        size: Size,
        ancsize: Size,
        flags: Flags,
    },
    /// `settimeout(timeout)`, `recv(size, MSG_DONTWAIT)`, then back to
    /// non-blocking.
    SetTimeout {
        sock: u8,
        timeout: Timeout,
        size: Size,
    },
    /// A call of the WIT `latin1` interface, which Python guests use: data
    /// and AF_UNIX names as text, each character standing for the byte of
    /// its value (the host refuses a character above U+00FF).
    Latin1 {
        sock: u8,
        op: Latin1Op,
        text: Text,
        flags: Flags,
    },
}

/// Which `latin1` call, with its address; `text` is the data sent (or,
/// for `BindUnix` and `ConnectUnix`, unused).
#[derive(Arbitrary, Debug, Clone, PartialEq)]
pub enum Latin1Op {
    /// `send(text, flags)`.
    Send,
    /// `send-all(text, flags)`.
    SendAll,
    /// `send-to(text, flags, addr)` (an IP address; other cases send
    /// nothing).
    SendTo(Addr),
    /// `send-msg([text, text], [], flags, addr)`.
    SendMsg(Option<Addr>),
    /// `bind-unix(name)`.
    BindUnix(UnixName),
    /// `connect-unix(name)`.
    ConnectUnix(UnixName),
    /// `send-to-unix(text, flags, name)`.
    SendToUnix(UnixName),
    /// `send-msg-unix([text], [], flags, name)`.
    SendMsgUnix(UnixName),
}

/// A `latin1` AF_UNIX name.
#[derive(Arbitrary, Debug, Clone, PartialEq)]
pub enum UnixName {
    /// A path name (relative to the granted directory, or not).
    Pathname(Text),
    /// A Linux abstract name.
    Abstract(Text),
    /// Unnamed (a bind autobinds).
    Unnamed,
}

/// Text for the `latin1` interface.
#[derive(Arbitrary, Debug, Clone, PartialEq)]
pub enum Text {
    /// Bytes, each as the character of its value (what Python's runtime
    /// passes).
    Latin1(Vec<u8>),
    /// Any characters, above U+00FF too.
    Any(String),
    /// `n × 64` letters `x`: long names and sends.
    Long(u8),
}

impl Text {
    /// The text itself.
    pub fn text(&self) -> String {
        match self {
            Text::Latin1(b) => b.iter().map(|&c| char::from(c)).collect(),
            Text::Any(s) => s.clone(),
            Text::Long(n) => "x".repeat(usize::from(*n) * 64),
        }
    }
}

impl Call {
    /// The socket this call works on (by position), if any.
    pub fn sock(&self) -> Option<u8> {
        use Call::*;
        match self {
            Socket { .. } | SocketPair { .. } | Select { .. } => None,
            Close { sock }
            | Bind { sock, .. }
            | Connect { sock, .. }
            | ConnectEx { sock, .. }
            | Listen { sock, .. }
            | Accept { sock }
            | Send { sock, .. }
            | SendTo { sock, .. }
            | Recv { sock, .. }
            | RecvFrom { sock, .. }
            | SetSockOpt { sock, .. }
            | GetSockOpt { sock, .. }
            | Shutdown { sock, .. }
            | Names { sock }
            | Dup { sock }
            | SendMsg { sock, .. }
            | RecvMsg { sock, .. }
            | SetTimeout { sock, .. }
            | Latin1 { sock, .. } => Some(*sock),
        }
    }

    /// The address this call sends to or connects to, if any.
    pub fn destination(&self) -> Option<&Addr> {
        match self {
            Call::Connect { addr, .. } | Call::ConnectEx { addr, .. } => Some(addr),
            Call::SendTo { addr, .. } => Some(addr),
            Call::SendMsg { dest, .. } => dest.as_ref(),
            Call::Latin1 {
                op: Latin1Op::SendTo(addr),
                ..
            } => Some(addr),
            Call::Latin1 {
                op: Latin1Op::SendMsg(dest),
                ..
            } => dest.as_ref(),
            _ => None,
        }
    }
}

/// An address family.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Inet,
    Inet6,
    Unix,
    Netlink,
    Packet,
    Vsock,
    /// Any number (`AF_UNSPEC`, families the host refuses, nonsense).
    Other(i32),
}

/// A socket type.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Stream,
    Dgram,
    SeqPacket,
    Raw,
    /// `SOCK_STREAM | SOCK_NONBLOCK`.
    StreamNonblock,
    /// Any number.
    Other(i32),
}

/// A protocol number.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proto {
    Zero,
    Tcp,
    Udp,
    Icmp,
    Other(i32),
}

/// A socket address. The ports are the harness's: `Allowed` has a native
/// listener and the policy allows connecting to it; `DeniedTcp` and
/// `DeniedUdp` have native observers and the policy denies them.
#[derive(Arbitrary, Debug, Clone, PartialEq)]
pub enum Addr {
    /// Python's `(host, port)`.
    Inet { host: Host, port: Port },
    /// Python's `(host, port, flowinfo, scope_id)`.
    Inet6 {
        host: Host,
        port: Port,
        flowinfo: u32,
        scope_id: u32,
    },
    /// `b"fuzz-path"` (a relative path: a bind would create it).
    UnixPath,
    /// `b"\0" + name`: a Linux abstract name.
    UnixAbstract(Vec<u8>),
    /// A 200-byte path (longer than `sun_path`).
    UnixLong,
    /// `b""`: unnamed (a bind autobinds).
    UnixUnnamed,
    /// `(pid, groups)`.
    Netlink { pid: u32, groups: u32 },
    /// `(cid, port)`: the local CID (1) or `VMADDR_CID_ANY`.
    Vsock { any_cid: bool, port: u32 },
    /// Python's `None`.
    Nothing,
}

impl Addr {
    /// The port, for the IP cases.
    pub fn port(&self) -> Option<Port> {
        match self {
            Addr::Inet { port, .. } | Addr::Inet6 { port, .. } => Some(*port),
            _ => None,
        }
    }
}

/// The host part of an IP address (all loopback, wildcard, or names that
/// never resolve outside the machine).
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Host {
    /// `127.0.0.1`
    Loopback,
    /// `::1`
    Loopback6,
    /// `127.0.0.2`
    Loopback2,
    /// `127.0.0.<n>`
    LoopbackN(u8),
    /// `::ffff:127.0.0.1`
    Mapped,
    /// `0.0.0.0`
    Any4,
    /// `::`
    Any6,
    /// `""` (the wildcard, Python's `INADDR_ANY`)
    Empty,
    /// `<broadcast>`
    Broadcast,
    /// `localhost`
    Localhost,
    /// `not a host` (the policy denies resolving it)
    NotAHost,
    /// `127.1` (an address `inet_aton` takes, `inet_pton` does not)
    Short,
    /// `::1%<n>` (a scope on the host)
    Scoped(u8),
    /// `[::1]` (brackets, as in a URL)
    Bracketed,
    /// `1.2.3.4.5`
    Malformed,
}

impl Host {
    /// The host as Python writes it.
    pub fn text(&self) -> String {
        match self {
            Host::Loopback => "127.0.0.1".into(),
            Host::Loopback6 => "::1".into(),
            Host::Loopback2 => "127.0.0.2".into(),
            Host::LoopbackN(n) => format!("127.0.0.{n}"),
            Host::Mapped => "::ffff:127.0.0.1".into(),
            Host::Any4 => "0.0.0.0".into(),
            Host::Any6 => "::".into(),
            Host::Empty => "".into(),
            Host::Broadcast => "<broadcast>".into(),
            Host::Localhost => "localhost".into(),
            Host::NotAHost => "not a host".into(),
            Host::Short => "127.1".into(),
            Host::Scoped(n) => format!("::1%{n}"),
            Host::Bracketed => "[::1]".into(),
            Host::Malformed => "1.2.3.4.5".into(),
        }
    }
}

/// A port: the harness's three, or fixed others.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Port {
    Allowed,
    DeniedTcp,
    DeniedUdp,
    Zero,
    /// 80
    Http,
}

/// An integer argument (backlog, option value).
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Int {
    Small(u8),
    /// `-n`
    Negative(u8),
    Max,
    Min,
    /// 65535
    U16Max,
    /// 65536
    U16Over,
    Any(i32),
}

impl Int {
    pub fn value(&self) -> i32 {
        match *self {
            Int::Small(n) => i32::from(n),
            Int::Negative(n) => -i32::from(n),
            Int::Max => i32::MAX,
            Int::Min => i32::MIN,
            Int::U16Max => 65535,
            Int::U16Over => 65536,
            Int::Any(n) => n,
        }
    }
}

/// A buffer size (receive, option, control buffer).
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    Zero,
    One,
    Seven,
    Hundred,
    Page,
    /// 65536
    K64,
    /// 70000
    K70,
    /// 1 MiB
    Mega,
    /// 2^31
    Huge,
    /// `usize::MAX`
    Max,
    Small(u16),
}

impl Size {
    pub fn value(&self) -> usize {
        match *self {
            Size::Zero => 0,
            Size::One => 1,
            Size::Seven => 7,
            Size::Hundred => 100,
            Size::Page => 4096,
            Size::K64 => 65536,
            Size::K70 => 70000,
            Size::Mega => 1 << 20,
            Size::Huge => 1 << 31,
            Size::Max => usize::MAX,
            Size::Small(n) => usize::from(n),
        }
    }
}

/// Bytes to send (data, control data, option values): literal bytes, or
/// a long run of one byte.
#[derive(Arbitrary, Debug, Clone, PartialEq, Eq)]
pub enum Payload {
    Bytes(Vec<u8>),
    Fill { byte: u8, len: Len },
}

impl Payload {
    pub fn bytes(&self) -> Vec<u8> {
        match self {
            Payload::Bytes(b) => b.clone(),
            Payload::Fill { byte, len } => vec![*byte; len.value()],
        }
    }
}

/// The length of a [`Payload::Fill`].
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Len {
    Zero,
    One,
    Hundred,
    /// 5000
    K5,
    /// 65536
    K64,
    /// 200000
    K200,
}

impl Len {
    pub fn value(&self) -> usize {
        match self {
            Len::Zero => 0,
            Len::One => 1,
            Len::Hundred => 100,
            Len::K5 => 5000,
            Len::K64 => 65536,
            Len::K200 => 200_000,
        }
    }
}

/// Message flags (`MSG_*`).
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flags {
    None,
    Peek,
    DontWait,
    Oob,
    Trunc,
    WaitAll,
    PeekTrunc,
    /// Any bits.
    Bits(i32),
}

/// An option or control message level.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Socket,
    Tcp,
    Ip,
    Ipv6,
    Udp,
    Other(i32),
}

/// A `setsockopt` value.
#[derive(Arbitrary, Debug, Clone, PartialEq, Eq)]
pub enum OptVal {
    Int(Int),
    /// A packed structure or string (short, or a long run of one byte).
    Bytes(Payload),
    /// Python's `setsockopt(level, opt, None, optlen)`.
    Null(u32),
}

/// `shutdown`'s `how`.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    Read,
    Write,
    Both,
    Other(i32),
}

/// A `select` timeout (never long).
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// 0 s: poll.
    Zero,
    /// 1 ms.
    Milli,
    /// -1 (a ValueError).
    Negative,
    /// NaN (a ValueError).
    NaN,
}

/// A socket timeout (`settimeout`).
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timeout {
    Zero,
    /// 1 ms.
    Milli,
    /// 10 ms.
    TenMillis,
    /// -1 (a ValueError).
    Negative,
    NaN,
    /// 1e300
    Huge,
    Infinite,
}

impl Timeout {
    pub fn value(&self) -> f64 {
        match self {
            Timeout::Zero => 0.0,
            Timeout::Milli => 0.001,
            Timeout::TenMillis => 0.01,
            Timeout::Negative => -1.0,
            Timeout::NaN => f64::NAN,
            Timeout::Huge => 1e300,
            Timeout::Infinite => f64::INFINITY,
        }
    }
}

/// One `sendmsg` control message.
#[derive(Arbitrary, Debug, Clone, PartialEq, Eq)]
pub enum Control {
    /// `(level, type, data)`: any bytes, or a long run of one byte.
    Raw {
        level: Level,
        kind: u8,
        data: Payload,
    },
    /// SCM_RIGHTS with copies (`dup`) of the open sockets whose bit is set.
    Rights(u16),
}

/// Which wasmtime embedding runs the guest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Embedding {
    Sync,
    Async,
}

/// A whole input: the embedding, the calls, and whether a call with a
/// forged handle follows them.
#[derive(Debug, Clone, PartialEq)]
pub struct Program {
    pub embedding: Embedding,
    pub forge: bool,
    pub calls: Vec<Call>,
}

/// The header bit that picks the async embedding.
pub const ASYNC: u8 = 0b0001;
/// The header bits that, all set, ask for a forged handle at the end.
pub const FORGE: u8 = 0b1110;
const FRAME_LEN: u8 = MAX_FRAME as u8;

impl Program {
    /// Decodes any bytes (total: nothing is rejected; at most
    /// [`MAX_CALLS`] calls).
    pub fn decode(data: &[u8]) -> Program {
        let (header, frames) = frames(data);
        let calls = frames.into_iter().map(decode_call).collect();
        Program {
            embedding: if header & ASYNC != 0 {
                Embedding::Async
            } else {
                Embedding::Sync
            },
            forge: header & FORGE == FORGE,
            calls,
        }
    }
}

/// The header and the frames of an input (at most [`MAX_CALLS`] frames;
/// the last may be cut short by the end of the input).
pub fn frames(data: &[u8]) -> (u8, Vec<&[u8]>) {
    let mut u = Unstructured::new(data);
    let header = u8::arbitrary(&mut u).unwrap_or(0);
    let mut frames = Vec::new();
    while !u.is_empty() && frames.len() < MAX_CALLS {
        let len = usize::from(u8::arbitrary(&mut u).unwrap_or(0) & FRAME_LEN);
        frames.push(u.bytes(len.min(u.len())).unwrap_or_default());
    }
    (header, frames)
}

/// One frame's call (a frame too short for its call reads as zeros).
pub fn decode_call(frame: &[u8]) -> Call {
    let mut u = Unstructured::new(frame);
    Call::arbitrary(&mut u).unwrap_or_else(|_| {
        let zeros = [0u8; 2 * MAX_FRAME];
        Call::arbitrary(&mut Unstructured::new(&zeros)).expect("zeros decode")
    })
}

/// The input bytes for `header` and `frames` (each at most [`MAX_FRAME`]
/// bytes; longer ones are cut): `Program::decode(&encode(h, f))` has one
/// call per frame, `decode_call(f[i])`.
pub fn encode<F: AsRef<[u8]>>(header: u8, frames: &[F]) -> Vec<u8> {
    let mut out = vec![header];
    for f in frames {
        let f = f.as_ref();
        let f = &f[..f.len().min(MAX_FRAME)];
        out.push(f.len() as u8);
        out.extend_from_slice(f);
    }
    out
}

impl fmt::Display for Program {
    /// One call a line, numbered, after a line naming the embedding and
    /// the forged handle.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} calls, {:?} embedding{}",
            self.calls.len(),
            self.embedding,
            if self.forge {
                ", then a call with a forged handle"
            } else {
                ""
            }
        )?;
        for (i, c) in self.calls.iter().enumerate() {
            writeln!(f, "  {i:3}: {c:?}")?;
        }
        Ok(())
    }
}

/// Lower-case hex, how the harnesses pass an input to the guest (an
/// argument) and print it.
pub fn to_hex(data: &[u8]) -> String {
    data.iter().map(|b| format!("{b:02x}")).collect()
}

/// The bytes of [`to_hex`]'s text (`None` if it is not hex).
pub fn from_hex(text: &str) -> Option<Vec<u8>> {
    let t = text.trim().as_bytes();
    if !t.len().is_multiple_of(2) {
        return None;
    }
    let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    t.chunks(2)
        .map(|p| Some(digit(p[0])? << 4 | digit(p[1])?))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_frame_is_the_plainest_socket() {
        assert_eq!(
            decode_call(&[]),
            Call::Socket {
                family: Family::Inet,
                kind: Kind::Stream,
                proto: Proto::Zero
            }
        );
    }

    #[test]
    fn frames_decode_one_call_each() {
        let frames: Vec<Vec<u8>> = (0..50u8)
            .map(|i| (0..i % 40).map(|j| i.wrapping_mul(37) ^ j).collect())
            .collect();
        let p = Program::decode(&encode(0b1111, &frames));
        assert_eq!(p.calls.len(), frames.len());
        assert!(p.forge);
        assert_eq!(p.embedding, Embedding::Async);
        for (c, f) in p.calls.iter().zip(&frames) {
            assert_eq!(*c, decode_call(f));
        }
        let data = encode(3, &frames);
        let (h, back) = self::frames(&data);
        assert_eq!(h, 3);
        assert_eq!(back, frames);
    }

    #[test]
    fn any_bytes_decode() {
        let mut x = 1u32;
        for n in 0..200 {
            let data: Vec<u8> = (0..n * 7)
                .map(|_| {
                    x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                    (x >> 16) as u8
                })
                .collect();
            let p = Program::decode(&data);
            assert!(p.calls.len() <= data.len());
        }
    }

    #[test]
    fn hex_round_trips() {
        let d = vec![0, 1, 0xab, 0xff];
        assert_eq!(to_hex(&d), "0001abff");
        assert_eq!(from_hex("0001abff"), Some(d));
        assert_eq!(from_hex("0g"), None);
        assert_eq!(from_hex("abc"), None);
    }
}
