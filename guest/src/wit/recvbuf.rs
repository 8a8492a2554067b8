//! Receiving straight into the caller's buffer: `recv_into`,
//! `recvfrom_into` and `recvmsg_into` without an intermediate `Vec`.
//!
//! Under the component model a host returns received bytes as a
//! `list<u8>`, which it writes into memory it asks this guest for through
//! the guest's exported `cabi_realloc`. This module defines that export
//! (overriding the weak ones in Rust's std and wasi-libc). Before an
//! `*_into` receive, [`aimed`] aims the *next* allocation at the caller's
//! buffer, so the host's one copy of the data lands where the caller wants
//! it: no allocation, no second copy.
//!
//! An allocation of at most [`SMALL`] bytes goes to a fixed scratch area
//! instead, and is copied from there: that is where an error's text lands
//! if the receive fails (the wasock host keeps every error text within
//! [`SMALL`] bytes), so a failed receive never writes into the caller's
//! buffer, as with CPython. A small receive costs a copy of its few bytes,
//! still without an allocation.
//!
//! Why it is sound:
//! - The aim is consumed by the first allocation the host makes, whatever
//!   it is, and cleared after the call; it is taken only for a byte-aligned
//!   allocation that fits the buffer.
//! - The canonical ABI lowers a result's fields in order and always
//!   allocates a list (even an empty one), so for every receive that
//!   calls [`aimed`] the first allocation of a success is the received
//!   data (the first field of `recv`'s list, `recv-from`'s tuple and
//!   `recv-msg`'s record). The bindings then hold a `Vec` over the
//!   caller's buffer or the scratch area, which [`aimed`] recognises by
//!   its pointer and forgets (it is never grown, shrunk or dropped).
//! - On a failure the first allocation may be the error's text; [`aimed`]
//!   moves that text into fresh memory before anything could free it.
//! - Data that does not fit the buffer takes the ordinary path: allocate,
//!   then copy.
//!
//! The guest is single-threaded (wasm32-wasip2 has no threads) and a host
//! call cannot re-enter it, so one aim at a time is all there is.
//!
//! Every other allocation the host makes in the guest goes through this
//! export too, wasi-libc's own included (arguments, environment, stdin),
//! and is served by Rust's global allocator, as std's weak `cabi_realloc`
//! does. wasi-libc frees its lists with `free()`, so a guest program must
//! keep a global allocator backed by libc's malloc (Rust's default,
//! `System`, is); a program that exports a strong `cabi_realloc` of its
//! own cannot link with this crate.
#![allow(unsafe_code)]

use super::bindings::wasock::socket::errors::Error as WitError;
use std::alloc::{alloc, dealloc, handle_alloc_error, realloc, Layout};
use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

/// Where the next allocation goes (0: nowhere in particular).
static AIM: AtomicUsize = AtomicUsize::new(0);
/// How many bytes the aimed-at buffer holds.
static AIM_LEN: AtomicUsize = AtomicUsize::new(0);

/// Allocations of at most this many bytes go to [`SCRATCH`], not to the
/// caller's buffer. The wasock host caps an error's text at this size.
pub(crate) const SMALL: usize = 1024;

/// The scratch area for small aimed allocations.
struct Scratch(UnsafeCell<[u8; SMALL]>);

// SAFETY: wasm32-wasip2 guests are single-threaded; the area is written
// only by the host during an aimed call and read right after it.
unsafe impl Sync for Scratch {}

static SCRATCH: Scratch = Scratch(UnsafeCell::new([0; SMALL]));

fn scratch() -> *mut u8 {
    SCRATCH.0.get().cast()
}

/// The component model's allocator export, called by the host to place
/// arguments' and results' lists and strings in this guest's memory.
///
/// # Safety
///
/// Called only by the canonical ABI, with the contract of `realloc` in the
/// component model: `old_ptr`/`old_len`/`align` describe an earlier
/// allocation of this function (or are 0), and `align` is a power of two.
#[export_name = "cabi_realloc"]
pub unsafe extern "C" fn cabi_realloc(
    old_ptr: *mut u8,
    old_len: usize,
    align: usize,
    new_len: usize,
) -> *mut u8 {
    if old_len == 0 {
        let aim = AIM.swap(0, Relaxed);
        if aim != 0 && align == 1 && new_len <= AIM_LEN.load(Relaxed) {
            return if new_len <= SMALL {
                scratch()
            } else {
                aim as *mut u8
            };
        }
        if new_len == 0 {
            return align as *mut u8;
        }
    }
    if new_len == 0 {
        // Only ever asked to shrink to nothing by a misbehaving caller:
        // give the memory back and answer as for an empty allocation.
        if let Ok(old) = Layout::from_size_align(old_len, align) {
            // SAFETY: per the caller's contract, `old_ptr` is an
            // allocation of `old_len` bytes made here with `align`.
            unsafe { dealloc(old_ptr, old) };
        }
        return align as *mut u8;
    }
    let Ok(layout) = Layout::from_size_align(new_len, align) else {
        std::process::abort()
    };
    // SAFETY: `layout` is non-zero-sized; a non-zero `old_len` describes
    // an allocation made here with `align` (the caller's contract), so it
    // is a valid layout.
    let ptr = unsafe {
        if old_len == 0 {
            alloc(layout)
        } else {
            realloc(
                old_ptr,
                Layout::from_size_align_unchecked(old_len, align),
                new_len,
            )
        }
    };
    if ptr.is_null() {
        handle_alloc_error(layout);
    }
    ptr
}

/// Runs one receive (`call`) with its data aimed at `buf`, then places the
/// data: returns how many bytes are in `buf` now and the rest of the
/// result (`split` takes the data out of it). Data that did not go
/// straight into `buf` (it did not fit) is copied, truncated to `buf`.
pub(crate) fn aimed<T, R>(
    buf: &mut [u8],
    call: impl FnOnce() -> Result<T, WitError>,
    split: impl FnOnce(T) -> (Vec<u8>, R),
) -> Result<(usize, R), WitError> {
    let ptr = buf.as_mut_ptr();
    AIM_LEN.store(buf.len(), Relaxed);
    AIM.store(ptr as usize, Relaxed);
    let result = call();
    AIM.store(0, Relaxed);
    match result {
        Ok(value) => {
            let (data, rest) = split(value);
            let at = data.as_ptr();
            let n = data.len().min(buf.len());
            if at == ptr.cast_const() {
                // The host wrote the data into `buf` itself.
            } else {
                buf[..n].copy_from_slice(&data[..n]);
            }
            if at == ptr.cast_const() || at == scratch().cast_const() {
                // The `Vec` only borrows `buf` or the scratch area: it
                // must never free it.
                std::mem::forget(data);
            }
            Ok((n, rest))
        }
        Err(mut e) => {
            let at = e.detail.as_ptr();
            if at == ptr.cast_const() || at == scratch().cast_const() {
                let owned = e.detail.as_str().to_owned();
                std::mem::forget(std::mem::replace(&mut e.detail, owned));
            }
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    //! The mechanism, with the host's part played as the canonical ABI
    //! plays it: allocate through `cabi_realloc`, write, and hand the
    //! bindings a `Vec`/`String` over that memory. (The real host path is
    //! tested end to end by `host/tests/e2e/recv_direct.rs`.)
    use super::super::bindings::wasock::socket::errors::ErrorCode;
    use super::*;
    use std::sync::{Mutex, MutexGuard};

    /// The aim is process-wide (a wasm guest has one thread); the test
    /// harness has several, so these tests take turns.
    fn one_at_a_time() -> MutexGuard<'static, ()> {
        static TURN: Mutex<()> = Mutex::new(());
        TURN.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// What the bindings build from the host's `list<u8>` of `bytes`.
    fn lowered(bytes: &[u8]) -> Vec<u8> {
        // SAFETY: as the canonical ABI does: memory from `cabi_realloc`,
        // fully written, taken over by a `Vec` of exactly that length.
        unsafe {
            let p = cabi_realloc(std::ptr::null_mut(), 0, 1, bytes.len());
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), p, bytes.len());
            Vec::from_raw_parts(p, bytes.len(), bytes.len())
        }
    }

    #[test]
    fn large_data_lands_in_the_buffer_itself() {
        let _turn = one_at_a_time();
        let mut buf = vec![0u8; 4096];
        let start = buf.as_ptr();
        let mut seen = std::ptr::null();
        let (n, ()) = aimed(
            &mut buf,
            || {
                let v = lowered(&[7u8; 3000]);
                seen = v.as_ptr();
                Ok(v)
            },
            |v| (v, ()),
        )
        .unwrap();
        assert_eq!(n, 3000);
        assert_eq!(seen, start);
        assert!(buf[..3000].iter().all(|&b| b == 7));
        assert!(buf[3000..].iter().all(|&b| b == 0));
    }

    #[test]
    fn small_data_is_copied_from_the_scratch_area() {
        let _turn = one_at_a_time();
        let mut buf = vec![0u8; 4096];
        let (n, ()) = aimed(&mut buf, || Ok(lowered(b"hello")), |v| (v, ())).unwrap();
        assert_eq!(&buf[..n], b"hello");
    }

    #[test]
    fn an_error_text_never_lands_in_the_buffer() {
        let _turn = one_at_a_time();
        let mut buf = b"keep this".to_vec();
        buf.resize(4096, b'.');
        let r: Result<(usize, ()), WitError> = aimed(
            &mut buf,
            || {
                let text = lowered(b"a detail from the host");
                Err(WitError {
                    code: ErrorCode::Invalid,
                    detail: String::from_utf8(text).unwrap(),
                })
            },
            |v: Vec<u8>| (v, ()),
        );
        let e = r.unwrap_err();
        assert_eq!(e.detail, "a detail from the host");
        assert!(buf.starts_with(b"keep this...."));
        // The next aimed receive still works, and the error text survives
        // it (it was moved out of the scratch area).
        let (n, ()) = aimed(&mut buf, || Ok(lowered(b"next")), |v| (v, ())).unwrap();
        assert_eq!(&buf[..n], b"next");
        assert_eq!(e.detail, "a detail from the host");
    }

    #[test]
    fn the_aim_is_spent_by_the_first_allocation() {
        let _turn = one_at_a_time();
        let mut buf = vec![0u8; 4096];
        let (n, other) = aimed(
            &mut buf,
            || Ok((lowered(&[1u8; 2000]), lowered(&[2u8; 2000]))),
            |pair| pair,
        )
        .unwrap();
        assert_eq!(n, 2000);
        assert_ne!(other.as_ptr(), buf.as_ptr());
        assert!(other.iter().all(|&b| b == 2));
        assert!(buf[..2000].iter().all(|&b| b == 1));
    }
}
