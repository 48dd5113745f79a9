#!/usr/bin/env bash
# Makes sure the build's system dependencies are present. Sourced by run.sh,
# test.sh and .ci/run. As root on Debian/Ubuntu it installs what is missing;
# otherwise it says what to install and fails.
#
# Needed: clang (compiles the BPF probe), libelf-dev and zlib1g-dev (libbpf),
# pkg-config and make (libbpf-sys's build), and a Rust toolchain (rustup).
# `ensure_deps test` also wants what the tests run: strace (the syscall
# witness) and python3 (memfd execution, loopback servers).

deps_missing() {
    local missing=()
    if [ "${1:-}" = test ]; then
        command -v strace >/dev/null 2>&1 || missing+=(strace)
        command -v python3 >/dev/null 2>&1 || missing+=(python3)
    fi
    command -v clang >/dev/null 2>&1 || missing+=(clang)
    command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
    command -v make >/dev/null 2>&1 || missing+=(make)
    [ -e /usr/include/libelf.h ] || [ -e /usr/include/elfutils/libelf.h ] || missing+=(libelf-dev)
    [ -e /usr/include/zlib.h ] || missing+=(zlib1g-dev)
    echo "${missing[@]:-}"
}

ensure_deps() {
    local missing
    missing=$(deps_missing "${1:-}")
    if [ -n "$missing" ]; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
            echo "installing: $missing" >&2
            export DEBIAN_FRONTEND=noninteractive
            apt-get update -qq >&2 || true
            # shellcheck disable=SC2086
            apt-get install -y -qq $missing >&2
        else
            echo "missing system packages: $missing" >&2
            echo "install them, e.g.: sudo apt-get install -y $missing" >&2
            echo "(Fedora: clang elfutils-libelf-devel zlib-devel pkgconf make)" >&2
            return 1
        fi
    fi
    if ! command -v cargo >/dev/null 2>&1; then
        if [ -x "$HOME/.cargo/bin/cargo" ]; then
            export PATH="$HOME/.cargo/bin:$PATH"
        else
            echo "no Rust toolchain: install it with https://rustup.rs" >&2
            echo "  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y" >&2
            return 1
        fi
    fi
}
