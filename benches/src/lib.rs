//! Benchmarks live in `benches/`; this crate has no library code. Run them
//! with `cargo bench -p scap-benches`.
