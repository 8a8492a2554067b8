//! The generated `Host` traits, implemented for [`WasockCtxView`]: thin
//! forwards to the core in [`crate::net::socket`], [`crate::wit::options`] and
//! [`crate::netdb`], once per flavour.

use crate::ctx::WasockCtxView;
use crate::net::socket::HostSocket;
use crate::net::wait::{race_wall_time, run_ready, within_wall_time, Blocking, Reactor};
use crate::types::errors::Error;
use crate::types::types::{
    AddressFamily, AddressInfo, AddressInfoHints, HostEntry, IpAddress, MsgFlags, NameInfoFlags,
    OptionName, OptionValue, ShutdownHow, SocketAddress, SocketType,
};
use crate::types::{SocketError, SocketResult};
use crate::wit::bindings::{async_io, errors, options, sync_io, types};
use wasmtime::component::Resource;

/// Implements one generated trait in both flavours: `async` methods that
/// await the core with [`Reactor`], and sync methods that run it with
/// [`Blocking`].
///
/// Methods listed under `never_wait` are plain functions in both flavours
/// (they make at most one non-blocking system call), which spares the
/// async flavour a boxed future and a fiber hop per call.
macro_rules! both_flavours {
    ($iface:ident :: $tr:ident {
        may_wait: { $(fn $name:ident($($arg:ident : $ty:ty),*) -> $ret:ty;)* }
        never_wait: { $(fn $sname:ident($($sarg:ident : $sty:ty),*) -> $sret:ty;)* }
    }) => {
        impl async_io::wasock::socket::$iface::$tr for WasockCtxView<'_> {
            $(
                async fn $name(&mut self, $($arg: $ty),*) -> $ret {
                    let d = self.ctx.deadline;
                    race_wall_time(d, self.$name::<Reactor>($($arg),*)).await
                }
            )*
            $(
                fn $sname(&mut self, $($sarg: $sty),*) -> $sret {
                    // Never pending; `Reactor` still picks the async
                    // flavour's descriptor mode (for `open`).
                    run_ready(self.$sname::<Reactor>($($sarg),*))
                }
            )*
        }
        impl sync_io::wasock::socket::$iface::$tr for WasockCtxView<'_> {
            $(
                fn $name(&mut self, $($arg: $ty),*) -> $ret {
                    let d = self.ctx.deadline;
                    within_wall_time(d, || run_ready(self.$name::<Blocking>($($arg),*)))
                }
            )*
            $(
                fn $sname(&mut self, $($sarg: $sty),*) -> $sret {
                    run_ready(self.$sname::<Blocking>($($sarg),*))
                }
            )*
        }
    };
}

type Sock = Resource<HostSocket>;

both_flavours!(socket::HostSocket {
    may_wait: {
        fn accept(s: Sock) -> SocketResult<(Sock, SocketAddress)>;
        fn connect(s: Sock, address: SocketAddress) -> SocketResult<()>;
        fn send(s: Sock, data: Vec<u8>, flags: MsgFlags) -> SocketResult<u64>;
        fn send_all(s: Sock, data: Vec<u8>, flags: MsgFlags) -> SocketResult<()>;
        fn send_to(s: Sock, data: Vec<u8>, flags: MsgFlags, address: SocketAddress) -> SocketResult<u64>;
        fn recv(s: Sock, max_len: u64, flags: MsgFlags) -> SocketResult<Vec<u8>>;
        fn recv_from(s: Sock, max_len: u64, flags: MsgFlags) -> SocketResult<(Vec<u8>, Option<SocketAddress>)>;
    }
    never_wait: {
        fn open(family: AddressFamily, socket_type: SocketType, protocol: i32) -> SocketResult<Sock>;
        fn bind(s: Sock, address: SocketAddress) -> SocketResult<()>;
        fn listen(s: Sock, backlog: i32) -> SocketResult<()>;
        fn shutdown(s: Sock, how: ShutdownHow) -> SocketResult<()>;
        fn local_address(s: Sock) -> SocketResult<SocketAddress>;
        fn remote_address(s: Sock) -> SocketResult<SocketAddress>;
        fn set_timeout(s: Sock, timeout: Option<u64>) -> wasmtime::Result<()>;
        fn timeout(s: Sock) -> wasmtime::Result<Option<u64>>;
        fn dup(s: Sock) -> SocketResult<Sock>;
        fn family(s: Sock) -> wasmtime::Result<AddressFamily>;
        fn socket_type(s: Sock) -> wasmtime::Result<SocketType>;
        fn protocol(s: Sock) -> wasmtime::Result<i32>;
        fn drop(s: Sock) -> wasmtime::Result<()>;
    }
});

both_flavours!(socket::Host {
    may_wait: {}
    never_wait: {
        fn socketpair(family: AddressFamily, socket_type: SocketType, protocol: i32) -> SocketResult<(Sock, Sock)>;
    }
});

both_flavours!(netdb::Host {
    may_wait: {
    fn getaddrinfo(host: Option<String>, service: Option<String>, hints: AddressInfoHints) -> SocketResult<Vec<AddressInfo>>;
    fn getnameinfo(address: SocketAddress, flags: NameInfoFlags) -> SocketResult<(String, String)>;
    fn gethostbyname(name: String) -> SocketResult<HostEntry>;
    fn gethostbyaddr(address: IpAddress) -> SocketResult<HostEntry>;
    fn gethostname() -> SocketResult<String>;
    fn getservbyname(name: String, protocol: Option<String>) -> SocketResult<u16>;
    fn getservbyport(port: u16, protocol: Option<String>) -> SocketResult<String>;
    fn getprotobyname(name: String) -> SocketResult<i32>;
    fn if_nameindex() -> SocketResult<Vec<(u32, String)>>;
    fn if_nametoindex(name: String) -> SocketResult<u32>;
    fn if_indextoname(index: u32) -> SocketResult<String>;
    }
    never_wait: {}
});

impl async_io::wasock::socket::poll::Host for WasockCtxView<'_> {
    async fn poll(
        &mut self,
        requests: Vec<async_io::wasock::socket::poll::PollRequest>,
        timeout: Option<u64>,
    ) -> SocketResult<Vec<types::Readiness>> {
        let requests = requests
            .into_iter()
            .map(|r| (r.socket, r.interest))
            .collect();
        let d = self.ctx.deadline;
        race_wall_time(d, self.poll::<Reactor>(requests, timeout)).await
    }
}

impl sync_io::wasock::socket::poll::Host for WasockCtxView<'_> {
    fn poll(
        &mut self,
        requests: Vec<sync_io::wasock::socket::poll::PollRequest>,
        timeout: Option<u64>,
    ) -> SocketResult<Vec<types::Readiness>> {
        let requests = requests
            .into_iter()
            .map(|r| (r.socket, r.interest))
            .collect();
        let d = self.ctx.deadline;
        within_wall_time(d, || run_ready(self.poll::<Blocking>(requests, timeout)))
    }
}

impl async_io::wasock::socket::ancillary::Host for WasockCtxView<'_> {
    async fn send_msg(
        &mut self,
        s: Sock,
        buffers: Vec<Vec<u8>>,
        control: Vec<async_io::wasock::socket::ancillary::SendControlMessage>,
        flags: MsgFlags,
        address: Option<SocketAddress>,
    ) -> SocketResult<u64> {
        let control = control.into_iter().map(Into::into).collect();
        let d = self.ctx.deadline;
        race_wall_time(
            d,
            self.send_msg::<Reactor>(s, buffers, control, flags, address),
        )
        .await
    }

    async fn recv_msg(
        &mut self,
        s: Sock,
        max_len: u64,
        max_control_len: u64,
        flags: MsgFlags,
    ) -> SocketResult<async_io::wasock::socket::ancillary::ReceivedMessage> {
        let d = self.ctx.deadline;
        race_wall_time(
            d,
            self.recv_msg::<Reactor>(s, max_len, max_control_len, flags),
        )
        .await
        .map(Into::into)
    }
}

impl sync_io::wasock::socket::ancillary::Host for WasockCtxView<'_> {
    fn send_msg(
        &mut self,
        s: Sock,
        buffers: Vec<Vec<u8>>,
        control: Vec<sync_io::wasock::socket::ancillary::SendControlMessage>,
        flags: MsgFlags,
        address: Option<SocketAddress>,
    ) -> SocketResult<u64> {
        let control = control.into_iter().map(Into::into).collect();
        let d = self.ctx.deadline;
        within_wall_time(d, || {
            run_ready(self.send_msg::<Blocking>(s, buffers, control, flags, address))
        })
    }

    fn recv_msg(
        &mut self,
        s: Sock,
        max_len: u64,
        max_control_len: u64,
        flags: MsgFlags,
    ) -> SocketResult<sync_io::wasock::socket::ancillary::ReceivedMessage> {
        let d = self.ctx.deadline;
        within_wall_time(d, || {
            run_ready(self.recv_msg::<Blocking>(s, max_len, max_control_len, flags))
        })
        .map(Into::into)
    }
}

impl types::Host for WasockCtxView<'_> {}

impl errors::Host for WasockCtxView<'_> {
    fn convert_error(&mut self, err: SocketError) -> wasmtime::Result<Error> {
        match err {
            SocketError::Guest(e) => Ok(e),
            SocketError::Trap(t) => Err(t),
        }
    }
}

impl options::Host for WasockCtxView<'_> {
    fn get_option(&mut self, s: Sock, name: OptionName) -> SocketResult<OptionValue> {
        let sock = self.table.get(&s)?;
        crate::wit::options::get(sock, name)
    }

    fn set_option(&mut self, s: Sock, name: OptionName, value: OptionValue) -> SocketResult<()> {
        let sock = self.table.get(&s)?;
        crate::wit::options::set(self.ctx, sock, name, value)
    }

    fn get_raw_option(
        &mut self,
        s: Sock,
        level: i32,
        name: i32,
        buffer_length: u32,
    ) -> SocketResult<Vec<u8>> {
        let sock = self.table.get(&s)?;
        crate::wit::rawopt::get(sock, level, name, buffer_length)
    }

    fn set_raw_option(
        &mut self,
        s: Sock,
        level: i32,
        name: i32,
        value: options::RawOptionValue,
    ) -> SocketResult<()> {
        let sock = self.table.get(&s)?;
        crate::wit::rawopt::set(self.ctx, sock, level, name, value)
    }

    fn ioctl(
        &mut self,
        s: Sock,
        request: options::IoctlRequest,
    ) -> SocketResult<options::IoctlValue> {
        let sock = self.table.get(&s)?;
        crate::wit::rawopt::ioctl(sock, request)
    }

    fn interface_ioctl(&mut self, s: Sock, request: u32, ifreq: Vec<u8>) -> SocketResult<Vec<u8>> {
        let sock = self.table.get(&s)?;
        crate::wit::rawopt::interface_ioctl(self.ctx, sock, request, &ifreq)
    }

    fn unknown_option(&mut self, s: Sock, level: i32, write: bool) -> SocketResult<()> {
        let sock = self.table.get(&s)?;
        crate::wit::options::unknown(sock, level, write)
    }
}
