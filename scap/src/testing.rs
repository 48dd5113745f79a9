//! Support for test suites that need the live probe, here and in the crates
//! built on this one.
//!
//! Live tests must run for real where they can and must not pass silently
//! where they cannot: on a developer machine without root they skip, saying
//! why; in CI, which sets `SCAP_REQUIRE_LIVE=1`, a probe that cannot load is a
//! test failure.

use crate::{Config, LiveEngine};

/// The environment variable under which live tests must run.
pub const REQUIRE_LIVE: &str = "SCAP_REQUIRE_LIVE";

/// Is live capture required (`SCAP_REQUIRE_LIVE=1`)?
pub fn live_required() -> bool {
    std::env::var(REQUIRE_LIVE).is_ok_and(|v| v == "1")
}

/// Opens a live engine, or returns None (after saying why on stderr) when
/// live capture is impossible here and not required.
///
/// # Panics
///
/// When the probe cannot be opened and [`live_required`].
pub fn open_live_or_skip(config: Config) -> Option<LiveEngine> {
    match LiveEngine::open(config) {
        Ok(e) => Some(e),
        Err(e) => {
            if live_required() {
                panic!("{REQUIRE_LIVE}=1 but the probe could not be opened: {e}");
            }
            // SAFETY: geteuid has no preconditions.
            let root = unsafe { libc::geteuid() } == 0;
            eprintln!(
                "SKIPPED (live capture unavailable{}; set {REQUIRE_LIVE}=1 to make this a failure): {e}",
                if root { "" } else { ", not root" }
            );
            None
        }
    }
}
