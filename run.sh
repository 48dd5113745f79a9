#!/usr/bin/env bash
# The main job: build, then capture live for a few seconds with scap-open and
# print the statistics. Where live capture is impossible (no root, no BTF, an
# old kernel) it says why and replays the bundled sample capture instead.
# Extra arguments go to scap-open (e.g. ./run.sh --duration 10 --json).
set -euo pipefail
cd "$(dirname "$0")"
. scripts/deps.sh
ensure_deps
cargo build --release --quiet -p scap-examples
bin=target/release/scap-open
if "$bin" --check >/dev/null 2>&1; then
    args=("$@")
    [ ${#args[@]} -eq 0 ] && args=(--duration 5)
    exec "$bin" "${args[@]}"
fi
echo "live capture is not possible here:" >&2
"$bin" --check >&2 || true
sample=samples/sample.scap
if [ -f "$sample" ]; then
    echo "replaying the bundled sample capture $sample instead" >&2
    exec "$bin" -r "$sample" "$@"
fi
echo "and the bundled sample capture ($sample) is not available in this build" >&2
exit 2
