#!/usr/bin/env bash
# Runs every test of the workspace. Live tests (the real probe on this
# kernel) run when possible and skip with a message otherwise; set
# SCAP_REQUIRE_LIVE=1 to make a probe that cannot load a failure (CI does).
set -euo pipefail
cd "$(dirname "$0")"
. scripts/deps.sh
ensure_deps test
cargo test --workspace "$@"
