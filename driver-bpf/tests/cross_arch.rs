//! The probe's sources must compile for every architecture we ship, not only
//! the one we build on: compile them for x86 and arm64 with the exact
//! arguments the build script used, so a break on either shows here.

use std::process::Command;

fn compile(arch: &str) -> std::process::Output {
    let args: Vec<&str> = env!("PROBE_CLANG_ARGS").split('\x1f').collect();
    let out = std::env::temp_dir().join(format!("probe-{arch}-{}.o", std::process::id()));
    let output = Command::new("clang")
        .args(&args)
        .arg(format!("-D__TARGET_ARCH_{arch}"))
        .args([
            "-g",
            "-O2",
            "-target",
            "bpf",
            "-c",
            env!("PROBE_SOURCE"),
            "-o",
        ])
        .arg(&out)
        .output()
        .expect("run clang (install it: apt-get install clang)");
    let _ = std::fs::remove_file(&out);
    output
}

#[test]
fn probe_compiles_for_arm64() {
    let o = compile("arm64");
    assert!(
        o.status.success(),
        "arm64 compile failed:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn probe_compiles_for_x86() {
    let o = compile("x86");
    assert!(
        o.status.success(),
        "x86 compile failed:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn an_unknown_architecture_is_refused() {
    // The per-arch header must fail loudly rather than guess register names.
    let o = compile("mips");
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr)
        .contains("supports __TARGET_ARCH_x86 and __TARGET_ARCH_arm64"));
}
