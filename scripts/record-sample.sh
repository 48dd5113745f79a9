#!/usr/bin/env bash
# Re-records samples/sample.scap: a few seconds of a realistic mix, captured
# live by scap-open -w and gzip-compressed (the reader detects gzip by its
# magic, whatever the name). Needs root, the release build, python3 (for the
# loopback server and the memfd exec) and overlayfs.
#
# What the workload does, in order:
#   a shell in a scratch directory writes, reads and lists a file;
#   a loopback TCP server (python3) accepts one connection from a client (bash /dev/tcp);
#   an overlay mount: a binary from the lower layer runs, then one copied into
#   the upper layer, then one whose copy-up happened through a write;
#   a binary runs from a memfd (fileless);
#   a binary is written, chmod'ed and run at once.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "record-sample.sh needs root" >&2; exit 1; }
cargo build --release --quiet -p scap-examples
out="$PWD/samples/sample.scap"
tmp=$(mktemp -d /tmp/scap-sample.XXXXXX)
cleanup() { umount "$tmp/merged" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT

syscalls=execve,execveat,clone,clone3,fork,vfork,procexit,open,openat,openat2,creat,close,read,write,socket,bind,listen,connect,accept,accept4,unlink,unlinkat,mkdir,chdir,chmod,fchmodat
target/release/scap-open --quiet --duration 6 --snaplen 256 -w "$tmp/sample.scap.gz" &
capture=$!
sleep 1.5

workload() {
    mkdir -p "$tmp/work" "$tmp/lower" "$tmp/upper" "$tmp/ovlwork" "$tmp/merged"
    cd "$tmp/work"
    bash -c 'echo "hello from the sample" > notes.txt; cat notes.txt > /dev/null; ls -la > listing.txt; grep -c root /etc/passwd > /dev/null; rm listing.txt'

    # Loopback TCP: server and client.
    python3 - <<'PY' &
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 18080)); s.listen(4)
c, _ = s.accept(); c.recv(64); c.sendall(b"pong\n"); c.close(); s.close()
PY
    server=$!
    sleep 0.3
    bash -c 'exec 3<>/dev/tcp/127.0.0.1/18080; echo ping >&3; head -c 5 <&3 > /dev/null; exec 3>&-'
    wait $server

    # Overlay: lower-layer binary, upper-layer binary, copied-up binary.
    cp /bin/true "$tmp/lower/from-image"
    cp /bin/true "$tmp/lower/patched"
    mount -t overlay overlay -o "lowerdir=$tmp/lower,upperdir=$tmp/upper,workdir=$tmp/ovlwork" "$tmp/merged"
    "$tmp/merged/from-image"
    cp /bin/true "$tmp/merged/dropped"
    "$tmp/merged/dropped"
    touch "$tmp/merged/patched"
    "$tmp/merged/patched"
    umount "$tmp/merged"

    # Fileless: run /bin/true from a memfd.
    python3 -c 'import os; fd = os.memfd_create("sample-fileless"); os.write(fd, open("/bin/true","rb").read()); os.execve(fd, ["fileless"], {})'

    # Written, chmod'ed and run at once.
    cp /bin/true "$tmp/work/fresh"; chmod 755 "$tmp/work/fresh"; "$tmp/work/fresh"
}
( workload )
wait $capture
mv "$tmp/sample.scap.gz" "$out"
ls -la "$out"
target/release/scap-open -r "$out" --quiet
