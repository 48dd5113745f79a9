//! The strace witness's parts: reading strace's output, comparing one event
//! with one call, and what each syscall's parameters must be.

pub mod checks;
pub mod cmp;
pub mod strace;
