//! storm-bench: the live throughput harness. Runs syscall storms with and
//! without a capture running (scap-open in another process, as a user would),
//! alternating so that drift on a shared machine hits both sides, and prints
//! medians as a markdown table (the source of docs/benchmarks.md).
//!
//! ```text
//! storm-bench [--runs N] [--seconds S]
//! ```
//! Needs root (the probe) and the release binaries next to it.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::thread::sleep;
use std::time::Duration;

use anyhow::{bail, Context};
use clap::Parser;
use serde_json::Value;

#[derive(Parser, Debug)]
#[command(about = "Measure the cost of capturing with syscall storms")]
struct Args {
    /// Alternating runs per scenario (medians are reported).
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Seconds per storm.
    #[arg(long, default_value_t = 3.0)]
    seconds: f64,
}

fn bin(name: &str) -> anyhow::Result<PathBuf> {
    let me = std::env::current_exe()?;
    let p = me.with_file_name(name);
    if !p.exists() {
        bail!(
            "{} not found: build with `cargo build --release -p scap-examples`",
            p.display()
        );
    }
    Ok(p)
}

fn storm(mode: &str, seconds: f64, threads: usize) -> anyhow::Result<Value> {
    let out = Command::new(bin("syscall-storm")?)
        .args([
            mode,
            "--json",
            "--duration",
            &seconds.to_string(),
            "--threads",
            &threads.to_string(),
        ])
        .output()
        .context("running syscall-storm")?;
    Ok(serde_json::from_slice(&out.stdout)?)
}

/// Runs a storm while scap-open captures `syscalls` (None: everything).
fn captured(
    mode: &str,
    seconds: f64,
    threads: usize,
    syscalls: Option<&str>,
) -> anyhow::Result<(Value, Value)> {
    let mut cmd = Command::new(bin("scap-open")?);
    cmd.args([
        "--json",
        "--quiet",
        "--duration",
        &(seconds + 2.5).to_string(),
    ]);
    if let Some(s) = syscalls {
        cmd.args(["--syscalls", s]);
    }
    let child = cmd
        .stdout(Stdio::piped())
        .spawn()
        .context("starting scap-open")?;
    // Let the probe load and attach before the storm starts.
    sleep(Duration::from_millis(1500));
    let s = storm(mode, seconds, threads)?;
    let out = child.wait_with_output()?;
    if !out.status.success() {
        bail!("scap-open failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok((s, serde_json::from_slice(&out.stdout)?))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn ns(v: &Value) -> f64 {
    v["ns_per_syscall_per_thread"].as_f64().unwrap_or(f64::NAN)
}

struct Row {
    name: String,
    base: f64,
    with: f64,
    added: f64,
    consumer_ns: f64,
    events_per_s: f64,
    drops: u64,
}

fn scenario(
    args: &Args,
    name: &str,
    mode: &str,
    threads: usize,
    syscalls: Option<&str>,
) -> anyhow::Result<Row> {
    let (mut base, mut with, mut added, mut cons, mut eps) =
        (vec![], vec![], vec![], vec![], vec![]);
    let mut drops = 0;
    for _ in 0..args.runs {
        let b = ns(&storm(mode, args.seconds, threads)?);
        let (s, cap) = captured(mode, args.seconds, threads, syscalls)?;
        let w = ns(&s);
        base.push(b);
        with.push(w);
        added.push(w - b);
        cons.push(cap["consumer_ns_per_event"].as_f64().unwrap_or(f64::NAN));
        eps.push(s["per_second"].as_f64().unwrap_or(0.0));
        drops += cap["drops"].as_u64().unwrap_or(0);
    }
    Ok(Row {
        name: name.to_string(),
        base: median(base),
        with: median(with),
        added: median(added),
        consumer_ns: median(cons),
        events_per_s: median(eps),
        drops,
    })
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let rows = [
        scenario(&args, "getppid, every syscall captured", "getppid", 1, None)?,
        scenario(
            &args,
            "getppid, not in the interesting set",
            "getppid",
            1,
            Some("open_by_handle_at"),
        )?,
        scenario(
            &args,
            "openat+close, every syscall captured",
            "openat",
            1,
            None,
        )?,
        scenario(
            &args,
            "getppid on both cores, every syscall captured",
            "getppid",
            2,
            None,
        )?,
    ];
    println!(
        "| scenario | ns/syscall without | ns/syscall with | added ns/syscall | storm syscalls/s with capture | consumer ns/event | drops (all runs) |"
    );
    println!("|---|---|---|---|---|---|---|");
    for r in &rows {
        println!(
            "| {} | {:.0} | {:.0} | {:.0} | {:.0} | {:.1} | {} |",
            r.name, r.base, r.with, r.added, r.events_per_s, r.consumer_ns, r.drops
        );
    }
    println!(
        "\n{} alternating runs of {} s per scenario; medians.",
        args.runs, args.seconds
    );
    Ok(())
}
