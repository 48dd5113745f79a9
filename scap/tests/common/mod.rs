//! Shared by the live integration tests: open the probe or decide whether a
//! failure to do so is a skip (a developer machine without root) or a test
//! failure (CI, which sets SCAP_REQUIRE_LIVE=1: there the probe must load).
#![allow(dead_code)]

use scap::{Config, LiveEngine};

/// The environment variable under which live tests must run.
pub const REQUIRE_LIVE: &str = "SCAP_REQUIRE_LIVE";

/// Opens a live engine, or returns None (after saying why) when live capture
/// is impossible here and not required. Panics when it is required.
pub fn open_live(config: Config) -> Option<LiveEngine> {
    match LiveEngine::open(config) {
        Ok(e) => Some(e),
        Err(e) => {
            let required = std::env::var(REQUIRE_LIVE).is_ok_and(|v| v == "1");
            if required {
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
