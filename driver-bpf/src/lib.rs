//! The CO-RE eBPF probe, embedded as a libbpf-rs skeleton.
//!
//! Where an event is born: `src/bpf/probe.bpf.c` hooks `tp_btf/sys_exit` and
//! the scheduler's exec, fork and exit tracepoints, and writes exit-only events
//! in Falco's wire format into one BPF ring buffer per CPU. The `scap` crate
//! loads, configures and reads it; this crate only owns the object.

#[allow(
    clippy::all,
    missing_docs,
    unsafe_op_in_unsafe_fn,
    clippy::undocumented_unsafe_blocks
)]
mod skel {
    include!(concat!(env!("OUT_DIR"), "/probe.skel.rs"));
}

pub use skel::*;
