//! `send`, `send-all` and `send-to` without copying the guest's bytes.
//!
//! The generated bindings lift a `list<u8>` argument into a fresh `Vec<u8>`
//! (an allocation and a copy of every byte, 12% of a bulk sender's CPU in a
//! profile) before the host passes it to send(2), which copies it once more
//! into the kernel. These definitions replace the generated ones for the
//! three sending calls: they take the list as a [`WasmList`] and hand
//! send(2) the bytes where they lie in the guest's linear memory.
//!
//! The same three calls of the `latin1` interface take their text as a
//! [`WasmStr`]: all-ASCII text is sent from where it lies too, other text
//! is decoded once (`latin1.rs`) instead of being copied into a `String`
//! first.

use crate::ctx::WasockView;
use crate::net::socket::HostSocket;
use crate::net::wait::{run_ready, Blocking, Reactor};
use crate::types::errors::Error;
use crate::types::types::{MsgFlags, SocketAddress};
use crate::types::{SocketError, SocketResult};
use std::borrow::Cow;
use wasmtime::component::{Linker, LinkerInstance, Resource, WasmList, WasmStr};
use wasmtime::StoreContextMut;

/// The WIT instance the sending calls belong to.
const INSTANCE: &str = "wasock:socket/socket@0.1.0";
/// The WIT instance of their Latin-1 counterparts.
const LATIN1: &str = "wasock:socket/latin1@0.1.0";

type Sock = Resource<HostSocket>;
type Ret<T> = wasmtime::Result<(Result<T, Error>,)>;

/// The guest's bytes in place, detached from the borrow of the store so
/// that the store's data (the socket table) can be borrowed mutably beside
/// them.
///
/// # Safety
///
/// The slice must not outlive the host call that received `list`. For the
/// whole of that call the call holds the store exclusively (its
/// `StoreContextMut`): no guest code runs, so the guest's memory is neither
/// written, grown nor freed. The memory is owned by the store but is not
/// part of its data `T`, so borrowing `T` mutably does not alias it.
unsafe fn guest_bytes<'a, T: 'static>(
    store: &StoreContextMut<'_, T>,
    list: &WasmList<u8>,
) -> SocketResult<&'a [u8]> {
    // Lifting the `WasmList` checked that the range lies in the memory.
    let bytes = list.as_le_slice(store);
    // SAFETY: per this function's contract.
    Ok(unsafe { std::slice::from_raw_parts(bytes.as_ptr(), bytes.len()) })
}

/// The bytes the guest's Latin-1 text stands for: in place when it is all
/// ASCII, else decoded (`latin1::decode`).
///
/// # Safety
///
/// As [`guest_bytes`].
unsafe fn guest_latin1<'a, T: 'static>(
    store: &StoreContextMut<'_, T>,
    text: &WasmStr,
) -> SocketResult<Cow<'a, [u8]>> {
    // Checks that the text lies in the memory and is valid in its encoding
    // (UTF-8 text is borrowed; other encodings are transcoded).
    match text.to_str(store).map_err(SocketError::Trap)? {
        Cow::Borrowed(t) => {
            // SAFETY: per this function's contract.
            let t: &'a str = unsafe {
                std::str::from_utf8_unchecked(std::slice::from_raw_parts(t.as_ptr(), t.len()))
            };
            super::latin1::decode(t)
        }
        Cow::Owned(t) => super::latin1::decode(&t).map(|b| Cow::Owned(b.into_owned())),
    }
}

/// A core result as the WIT result, or a trap.
fn wit<T>(r: SocketResult<T>) -> Ret<T> {
    match r {
        Ok(v) => Ok((Ok(v),)),
        Err(SocketError::Guest(e)) => Ok((Err(e),)),
        Err(SocketError::Trap(t)) => Err(t),
    }
}

/// Defines the three sending calls on `$inst` with `$wrap`
/// (`func_wrap_async` or `func_wrap`); `$run` turns the core call (a
/// future) into the result, per flavour.
macro_rules! sends {
    ($inst:ident, $t:ty, $wrap:ident, |$fut:ident| $run:expr) => {{
        sends!(@one $inst, $t, $wrap, $fut, $run, "[method]socket.send", send, guest_bytes,
            (s: Sock, data: WasmList<u8>, flags: MsgFlags));
        sends!(@one $inst, $t, $wrap, $fut, $run, "[method]socket.send-all", send_all, guest_bytes,
            (s: Sock, data: WasmList<u8>, flags: MsgFlags));
        sends!(@one $inst, $t, $wrap, $fut, $run, "[method]socket.send-to", send_to, guest_bytes,
            (s: Sock, data: WasmList<u8>, flags: MsgFlags, to: SocketAddress));
        Ok(())
    }};
    (latin1 $inst:ident, $t:ty, $wrap:ident, |$fut:ident| $run:expr) => {{
        sends!(@one $inst, $t, $wrap, $fut, $run, "send", send, guest_latin1,
            (s: Sock, data: WasmStr, flags: MsgFlags));
        sends!(@one $inst, $t, $wrap, $fut, $run, "send-all", send_all, guest_latin1,
            (s: Sock, data: WasmStr, flags: MsgFlags));
        sends!(@one $inst, $t, $wrap, $fut, $run, "send-to", send_to, guest_latin1,
            (s: Sock, data: WasmStr, flags: MsgFlags, to: SocketAddress));
        Ok(())
    }};
    (@one $inst:ident, $t:ty, $wrap:ident, $fut:ident, $run:expr, $name:literal, $method:ident,
     $bytes:ident, ($s:ident: $sty:ty, $data:ident: $dty:ty $(, $arg:ident: $ty:ty)*)) => {
        $inst.$wrap(
            $name,
            |mut store: StoreContextMut<'_, $t>, ($s, $data $(, $arg)*): ($sty, $dty $(, $ty)*)| {
                let $fut = async move {
                    // SAFETY: the bytes are used only within this call.
                    let $data = unsafe { $bytes(&store, &$data) }?;
                    let mut v = store.data_mut().wasock();
                    v.$method::<W>($s, $data $(, $arg)*).await
                };
                $run
            },
        )?;
    };
}

/// Replaces the sending calls of the async flavour.
pub(crate) fn add_async<T: WasockView + 'static>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    type W = Reactor;
    shadowing(linker, INSTANCE, |inst| {
        sends!(inst, T, func_wrap_async, |fut| Box::new(async move {
            wit(fut.await)
        }))
    })?;
    shadowing(linker, LATIN1, |inst| {
        sends!(latin1 inst, T, func_wrap_async, |fut| Box::new(async move {
            wit(fut.await)
        }))
    })
}

/// Replaces the sending calls of the sync flavour.
pub(crate) fn add_sync<T: WasockView + 'static>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    type W = Blocking;
    shadowing(linker, INSTANCE, |inst| {
        sends!(inst, T, func_wrap, |fut| wit(run_ready(fut)))
    })?;
    shadowing(
        linker,
        LATIN1,
        |inst| sends!(latin1 inst, T, func_wrap, |fut| wit(run_ready(fut))),
    )
}

/// Runs `define` on `instance` with shadowing allowed, so its definitions
/// replace the generated ones; shadowing is off afterwards (wasmtime's
/// default).
fn shadowing<T: 'static>(
    linker: &mut Linker<T>,
    instance: &str,
    define: impl FnOnce(&mut LinkerInstance<'_, T>) -> wasmtime::Result<()>,
) -> wasmtime::Result<()> {
    linker.allow_shadowing(true);
    let r = linker
        .instance(instance)
        .and_then(|mut inst| define(&mut inst));
    linker.allow_shadowing(false);
    r
}

#[cfg(test)]
mod tests {
    /// The replacements must name the instance the WIT package defines, or
    /// they would sit beside the generated definitions unused.
    #[test]
    fn instance_name_matches_the_wit_package() {
        let wit = include_str!("../../../wit/socket.wit");
        let package = wit
            .lines()
            .find_map(|l| l.trim().strip_prefix("package "))
            .and_then(|p| p.strip_suffix(';'))
            .expect("a package line");
        let (name, version) = package.split_once('@').expect("a versioned package");
        assert_eq!(super::INSTANCE, format!("{name}/socket@{version}"));
        assert!(include_str!("../../../wit/latin1.wit").contains("interface latin1 {"));
        assert_eq!(super::LATIN1, format!("{name}/latin1@{version}"));
    }
}
