//! Unit tests of the policy engine, by concern.

use super::*;
use crate::types::types::{AddressFamily, SocketType};
use std::net::SocketAddr;

mod decide;
mod grants;
mod syntax;

pub(super) fn sa(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

pub(super) fn dest(s: &str) -> Destination {
    Destination::remote(sa(s))
}

pub(super) fn none() -> Resolutions {
    Resolutions::default()
}
