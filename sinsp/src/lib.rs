//! sinsp: turns raw events into meaning.
//!
//! The path of an event continues here after `scap`: parsers update tables
//! (threads, fds, containers, users), field extractors read them, filters
//! decide. This crate grows with the state issue; today it only re-exports
//! the raw layer it builds on.

pub use scap;
