//! The strace witness: the workload (`examples/src/bin/syscall-workload.rs`)
//! runs under strace and under the probe at the same time, and every call of
//! every witnessed syscall (`scap::config::WITNESSED`) is compared: strace's
//! account of the call against the probe's event, parameter by parameter
//! (return values, fds, paths, flags converted to the schema's values, modes,
//! addresses, ports, sizes, data, argv and environments, signals). Calls are
//! matched by thread, syscall and order, in the workload and the children it
//! makes; the clone family's child-side events, the enter events (open,
//! openat, openat2, creat, connect) and signal deliveries are compared too.
//!
//! It prints, per syscall, the calls checked, the parameters compared, those
//! strace cannot show, and the mismatches; it fails on any mismatch, on a
//! call one side has and the other lacks, on a witnessed syscall that was not
//! checked, and on dropped events. Live and root: it skips without them, and
//! fails under SCAP_REQUIRE_LIVE=1 (CI), where strace must be installed too.

mod witness_support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use scap::config::{ENTER_PROGRAMS, FILLERS, PROCEXIT, SIGNALDELIVER, TOCTOU, WITNESSED};
use scap::schema::{codes, Arch};
use scap::{Config, Engine, Event, Next};
use witness_support::checks;
use witness_support::cmp::{Cmp, Outcome, SNAPLEN};
use witness_support::strace::{self, Call};

/// Builds the workload with the profile this test was built with, in the
/// same target directory, and returns its path.
fn build_workload() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable");
    // target/<profile>/deps/witness-<hash>
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("the test runs from target/<profile>/deps");
    let target_dir = profile_dir.parent().expect("target dir");
    let mut cmd = Command::new(env!("CARGO"));
    cmd.args([
        "build",
        "--quiet",
        "-p",
        "scap-examples",
        "--bin",
        "syscall-workload",
    ])
    .current_dir(env!("CARGO_MANIFEST_DIR"))
    .env("CARGO_TARGET_DIR", target_dir);
    if profile_dir.file_name().is_some_and(|n| n == "release") {
        cmd.arg("--release");
    }
    let status = cmd.status().expect("run cargo to build the workload");
    assert!(status.success(), "building syscall-workload failed");
    let bin = profile_dir.join("syscall-workload");
    assert!(bin.exists(), "{} not built", bin.display());
    bin
}

fn have_strace() -> bool {
    Command::new("strace")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The witnessed syscalls this architecture has.
fn witnessed(arch: Arch) -> Vec<&'static str> {
    WITNESSED
        .iter()
        .copied()
        .filter(|n| arch.syscall_by_name(n).is_some())
        .collect()
}

/// The clone family.
const CLONES: [&str; 4] = ["clone", "clone3", "fork", "vfork"];

/// The stream of successful execs (execve and execveat alike).
const EXEC: &str = "(exec)";

/// Which syscall (and whether enter) an event code belongs to.
fn event_syscall(code: u16) -> Option<(&'static str, bool)> {
    FILLERS
        .iter()
        .find(|f| f.2 == code)
        .map(|f| (f.0, false))
        .or_else(|| {
            ENTER_PROGRAMS
                .iter()
                .find(|f| f.2 == code)
                .map(|f| (f.0, true))
        })
}

#[derive(Default)]
struct Tally {
    calls: usize,
    events: usize,
    compared: usize,
    skipped: BTreeMap<String, &'static str>,
    mismatches: Vec<String>,
}

impl Tally {
    fn add(&mut self, o: Outcome, what: &str) {
        self.compared += o.compared;
        for (p, why) in o.skipped {
            self.skipped.insert(p, why);
        }
        for m in o.mismatches {
            self.mismatches.push(format!("{what}: {m}"));
        }
    }
}

#[test]
fn strace_witness() {
    let required = scap::testing::live_required();
    if !have_strace() {
        assert!(
            !required,
            "SCAP_REQUIRE_LIVE=1 but strace is not installed (apt-get install strace)"
        );
        eprintln!("SKIPPED: strace is not installed");
        return;
    }
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 && !required {
        eprintln!(
            "SKIPPED: the witness needs root (set SCAP_REQUIRE_LIVE=1 to make this a failure)"
        );
        return;
    }
    let arch = Arch::native().expect("a supported architecture");
    let names = witnessed(arch);
    // Before the probe is attached: a build makes many of the syscalls it
    // captures.
    let bin = build_workload();

    let mut selection: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    selection.extend([
        "execve".into(),
        PROCEXIT.into(),
        SIGNALDELIVER.into(),
        TOCTOU.into(),
    ]);
    let Some(mut engine) = scap::testing::open_live_or_skip(Config {
        syscalls: Some(selection),
        snaplen: SNAPLEN as u32,
        // Everything else on the machine makes these syscalls too: room for
        // it while the witness reads, so that nothing is dropped.
        ring_bytes: 32 << 20,
        ..Config::default()
    }) else {
        return;
    };

    let dir = std::env::temp_dir().join(format!("scap-witness-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let work = dir.join("work");
    std::fs::create_dir_all(&work).unwrap();
    let out = dir.join("strace.txt");
    let mut trace_set = names.join(",");
    trace_set.push_str(",execve");
    let mut child = Command::new("strace")
        .args([
            "-f",
            "-qq",
            "-X",
            "raw",
            "-e",
            "verbose=all",
            "-e",
            "abbrev=none",
        ])
        .args(["-s", "8192", "-e", &format!("trace={trace_set}"), "-o"])
        .arg(&out)
        .arg(&bin)
        .arg(&work)
        .spawn()
        .expect("run strace");

    // Read everything until strace is gone and the rings are drained.
    let mut got: Vec<Vec<u8>> = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut status = None;
    let mut drained = 0;
    while Instant::now() < deadline {
        match engine.next().expect("engine.next") {
            Next::Event { event, .. } => got.push(event.as_bytes().to_vec()),
            Next::Timeout => {
                if status.is_none() {
                    status = child.try_wait().expect("wait for strace");
                } else {
                    drained += 1;
                    if drained >= 2 {
                        break;
                    }
                }
            }
            Next::Eof => break,
        }
    }
    let finished = status.is_some();
    if !finished {
        let _ = child.kill();
    }
    let status = child.wait().expect("wait for strace");
    assert!(finished, "strace did not finish in time");
    assert!(status.success(), "strace or the workload failed: {status}");
    let stats = engine.stats().expect("stats");
    let drops = stats.total.drops_buffer + stats.total.drops_max_size + stats.total.drops_no_ring;
    assert_eq!(
        drops, 0,
        "the probe dropped events; the comparison would be meaningless"
    );

    // strace's account of the workload and its children, from its exec on.
    let text = std::fs::read_to_string(&out).expect("strace output");
    let trace = strace::parse(&text).unwrap_or_else(|e| panic!("parsing strace output: {e}"));
    let exec = trace
        .calls
        .iter()
        .position(|c| c.name == "execve" && c.ret == Some(0))
        .expect("strace saw the workload's execve");
    let pid = trace.calls[exec].tid;
    let mut ctx = checks::Ctx::new(&trace.calls[exec], u64::from(child.id()));
    // The workload's children: what the clone family returned, recursively.
    let mut tids = vec![pid];
    for c in &trace.calls[exec + 1..] {
        if tids.contains(&c.tid) && CLONES.contains(&c.name.as_str()) {
            if let Some(child) = c.ret.filter(|r| *r > 0) {
                tids.push(child as u64);
                ctx.parent.insert(child as u64, c.tid);
            }
        }
    }
    // Calls by thread and stream: a successful exec (execve or execveat) is
    // the stream EXEC, as the probe reports both as one event type.
    let mut calls: BTreeMap<(u64, &str), Vec<&Call>> = BTreeMap::new();
    for c in &trace.calls[exec + 1..] {
        if !tids.contains(&c.tid) {
            continue;
        }
        let stream = match (c.name.as_str(), c.ret) {
            ("execve" | "execveat", Some(0)) => EXEC,
            (n, _) => n,
        };
        calls.entry((c.tid, stream)).or_default().push(c);
    }
    let signals: Vec<_> = trace.signals.iter().filter(|s| s.tid == pid).collect();

    // The probe's account of the same threads, from the workload's exec on.
    let all: Vec<Event<'_>> = got
        .iter()
        .map(|b| Event::parse(b).expect("events parse"))
        .collect();
    let res_of = |e: &Event<'_>| {
        e.param_by_name("res")
            .ok()
            .and_then(|p| p.value().ok())
            .and_then(|v| v.as_i64())
    };
    let start = all
        .iter()
        .position(|e| {
            e.tid() == pid
                && e.event_type() == codes::PPME_SYSCALL_EXECVE_19_X
                && res_of(e) == Some(0)
        })
        .expect("the probe saw the workload's execve");
    let mut exits: BTreeMap<(u64, &str), Vec<Event<'_>>> = BTreeMap::new();
    let mut enters: BTreeMap<(u64, &str), Vec<Event<'_>>> = BTreeMap::new();
    // The child side of the clone family: (child, syscall).
    // Where the child's event comes from the sched_process_fork tracepoint
    // (arm64) it is reported as clone whatever the syscall.
    let mut children: BTreeMap<u64, Vec<Event<'_>>> = BTreeMap::new();
    let mut delivered = Vec::new();
    for e in &all[start + 1..] {
        if !tids.contains(&e.tid()) {
            continue;
        }
        let code = e.event_type();
        if code == codes::PPME_SIGNALDELIVER_E {
            if e.tid() == pid {
                delivered.push(*e);
            }
        } else if let Some((name, enter)) = event_syscall(code) {
            let res = res_of(e);
            if enter {
                enters.entry((e.tid(), name)).or_default().push(*e);
            } else if code == codes::PPME_SYSCALL_EXECVE_19_X && res == Some(0) {
                exits.entry((e.tid(), EXEC)).or_default().push(*e);
            } else if CLONES.contains(&name) && res == Some(0) {
                children.entry(e.tid()).or_default().push(*e);
            } else {
                exits.entry((e.tid(), name)).or_default().push(*e);
            }
        }
    }

    // Compare, thread by thread, syscall by syscall, call by call.
    let mut report: BTreeMap<String, Tally> = BTreeMap::new();
    for name in &names {
        report.entry(name.to_string()).or_default();
    }
    let mut keys: Vec<(u64, &str)> = calls.keys().chain(exits.keys()).copied().collect();
    keys.sort_unstable();
    keys.dedup();
    for key in keys {
        let (tid, stream) = key;
        let cs = calls.get(&key).cloned().unwrap_or_default();
        let es = exits.get(&key).cloned().unwrap_or_default();
        let mut next = 0;
        for (i, call) in cs.iter().enumerate() {
            let t = report.entry(call.name.clone()).or_default();
            t.calls += 1;
            // sendmmsg and recvmmsg: one event per message moved.
            let parts = match (call.name.as_str(), call.ret) {
                ("sendmmsg" | "recvmmsg", Some(r)) if r > 0 => r as usize,
                _ => 1,
            };
            for part in 0..parts {
                let Some(ev) = es.get(next) else {
                    t.mismatches
                        .push(format!("{tid}#{i}: no event for `{}`", call.line));
                    next += 1;
                    continue;
                };
                next += 1;
                t.events += 1;
                let mut c = Cmp::new(*ev);
                checks::check(call, &mut c, part, &ctx);
                t.add(c.finish(), &format!("{tid}#{i} `{}`", call.line));
            }
        }
        if next < es.len() {
            let name = if stream == EXEC { "execve" } else { stream };
            let t = report.entry(name.to_string()).or_default();
            t.events += es.len() - next;
            t.mismatches.push(format!(
                "{tid}: {} events strace has no call for (first: {:?})",
                es.len() - next,
                es[next]
            ));
        }
        if let Some(enter_events) = enters.get(&key) {
            let t = report.entry(format!("{stream} (enter)")).or_default();
            t.calls += cs.len();
            t.events += enter_events.len();
            for (i, call) in cs.iter().enumerate() {
                match enter_events.get(i) {
                    Some(ev) => {
                        let mut c = Cmp::new(*ev);
                        checks::check_enter(call, &mut c);
                        t.add(c.finish(), &format!("{tid}#{i} `{}`", call.line));
                    }
                    None => t
                        .mismatches
                        .push(format!("{tid}#{i}: no enter event for `{}`", call.line)),
                }
            }
            if enter_events.len() > cs.len() {
                t.mismatches.push(format!(
                    "{tid}: {} enter events strace has no call for",
                    enter_events.len() - cs.len()
                ));
            }
        }
    }
    // The child side of each process the clone family made: strace prints
    // no line for it, the probe an event in the child.
    for ((tid, name), cs) in &calls {
        if !CLONES.contains(name) {
            continue;
        }
        for call in cs {
            let Some(child) = call.ret.filter(|r| *r > 0).map(|r| r as u64) else {
                continue;
            };
            let t = report.entry(name.to_string()).or_default();
            match children.remove(&child).as_deref() {
                Some([ev]) => {
                    t.events += 1;
                    let mut c = Cmp::new(*ev);
                    checks::check_child(call, &mut c, child, &ctx);
                    t.add(c.finish(), &format!("{tid} child {child} `{}`", call.line));
                }
                other => t.mismatches.push(format!(
                    "{tid}: child {child} of `{}`: {} child-side events",
                    call.line,
                    other.map_or(0, |v| v.len())
                )),
            }
        }
    }
    for (tid, es) in children {
        report
            .entry("clone".to_string())
            .or_default()
            .mismatches
            .push(format!("{tid}: {} child-side events of no call", es.len()));
    }
    {
        let t = report.entry("(signal delivery)".into()).or_default();
        t.calls = signals.len();
        t.events = delivered.len();
        for (i, s) in signals.iter().enumerate() {
            match delivered.get(i) {
                Some(ev) => {
                    let mut c = Cmp::new(*ev);
                    checks::check_signal(&s.info, pid, &mut c);
                    t.add(c.finish(), &format!("#{i} `{}`", s.line));
                }
                None => t
                    .mismatches
                    .push(format!("#{i}: no event for `{}`", s.line)),
            }
        }
        if delivered.len() > signals.len() {
            t.mismatches
                .push("signal deliveries strace did not see".into());
        }
    }

    // The report.
    let mut text = String::new();
    let mut failures = Vec::new();
    let (mut checked, mut total_calls, mut total_params) = (0, 0, 0);
    text.push_str(&format!(
        "{:<24} {:>6} {:>7} {:>9} {:>8} {:>11}\n",
        "syscall", "calls", "events", "compared", "skipped", "mismatches"
    ));
    for (name, t) in &report {
        text.push_str(&format!(
            "{:<24} {:>6} {:>7} {:>9} {:>8} {:>11}\n",
            name,
            t.calls,
            t.events,
            t.compared,
            t.skipped.len(),
            t.mismatches.len()
        ));
        total_calls += t.calls;
        total_params += t.compared;
        let is_syscall = names.contains(&name.as_str());
        if is_syscall && t.calls > 0 && t.mismatches.is_empty() {
            checked += 1;
        }
        if is_syscall && t.calls == 0 {
            failures.push(format!("{name}: the workload made no call strace saw"));
        }
        for m in &t.mismatches {
            failures.push(format!("{name}: {m}"));
        }
    }
    text.push_str(&format!(
        "\n{checked} of {} witnessed syscalls checked without a mismatch; {total_calls} calls, {total_params} parameters compared\n",
        names.len()
    ));
    for (name, t) in &report {
        for (p, why) in &t.skipped {
            text.push_str(&format!("  not compared: {name}.{p}: {why}\n"));
        }
    }
    eprintln!("{text}");
    if failures.is_empty() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    assert!(
        failures.is_empty(),
        "{} mismatches between strace and the probe (strace output kept in {}):\n{}",
        failures.len(),
        out.display(),
        failures.join("\n")
    );
}
