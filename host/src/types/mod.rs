//! The WIT vocabulary: the data types of the `types` and `errors`
//! interfaces, generated once, the host's error type ([`SocketError`],
//! with the one `io::Error → error-code` conversion), and the C names of
//! the enums' cases.
//!
//! The bottom layer: every other module speaks these types, and this one
//! imports nothing of the crate. The generated bindings (`crate::wit`)
//! take their `types` and `errors` from here (bindgen's `with`), so the
//! socket core never needs the bindings, which name the socket core's
//! `HostSocket`. `SocketError` lives here, not beside the socket core,
//! because the generated `errors` interface names it (trappable errors).

#[allow(missing_docs)]
mod generated {
    wasmtime::component::bindgen!({
        path: "../wit",
        inline: "
            package wasock:vocabulary;
            world vocabulary {
                import wasock:socket/types@0.1.0;
                import wasock:socket/errors@0.1.0;
            }
        ",
        trappable_error_type: { "wasock:socket/errors.error" => crate::types::SocketError },
    });
}

mod error;
pub mod names;

pub use error::*;

pub use generated::wasock::socket::errors;
pub use generated::wasock::socket::types;
