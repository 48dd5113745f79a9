//! sinsp-dump end to end: the binary, run as a user would, on the bundled
//! sample and live. Its output is checked against the capture read
//! independently, at the raw-event level.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use scap::file::FileEngine;
use scap::{Engine, Event, Next};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_sinsp-dump");
const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../samples/sample.scap");

fn dump(args: &[&str]) -> Output {
    let out = Command::new(BIN)
        .args(args)
        .output()
        .expect("sinsp-dump runs");
    assert!(
        out.status.success(),
        "sinsp-dump {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn json_lines(out: &Output) -> Vec<serde_json::Map<String, Value>> {
    String::from_utf8(out.stdout.clone())
        .expect("utf-8 output")
        .lines()
        .map(|l| match serde_json::from_str(l) {
            Ok(Value::Object(m)) => m,
            other => panic!("not a JSON object: {l:?} ({other:?})"),
        })
        .collect()
}

/// Every raw event of the sample, in order (so event number n is `[n - 1]`).
fn raw_sample() -> Vec<Vec<u8>> {
    let mut engine = FileEngine::open(SAMPLE).unwrap();
    let mut v = Vec::new();
    loop {
        match engine.next().unwrap() {
            Next::Event { event, .. } => v.push(event.as_bytes().to_vec()),
            Next::Timeout => {}
            Next::Eof => break,
        }
    }
    v
}

fn text_param(e: &Event<'_>, name: &'static str) -> String {
    let b = e.param_by_name(name).unwrap().bytes;
    String::from_utf8_lossy(b.strip_suffix(&[0]).unwrap_or(b)).into_owned()
}

fn as_num(v: &Value) -> u64 {
    match v {
        Value::Number(n) => n.as_u64().unwrap(),
        Value::String(s) => s.parse().unwrap(),
        _ => panic!("evt.num is {v:?}"),
    }
}

#[test]
fn json_with_a_format_on_the_sample_matches_the_capture_field_by_field() {
    let out = dump(&[
        "-r",
        SAMPLE,
        "-j",
        "-p",
        "%evt.num %evt.type %proc.name %fd.name",
        "evt.type in (openat, execve)",
    ]);
    let rows = json_lines(&out);
    let raw = raw_sample();
    let expected: Vec<usize> = raw
        .iter()
        .enumerate()
        .filter(|(_, b)| matches!(Event::parse(b).unwrap().name(), "openat" | "execve"))
        .map(|(i, _)| i + 1)
        .collect();
    assert_eq!(rows.len(), expected.len(), "one line per matching event");
    let keys: BTreeSet<&str> = ["evt.num", "evt.type", "proc.name", "fd.name"].into();
    let mut fresh = false;
    let mut notes = false;
    for (row, &num) in rows.iter().zip(&expected) {
        assert_eq!(
            row.keys().map(String::as_str).collect::<BTreeSet<_>>(),
            keys
        );
        assert_eq!(as_num(&row["evt.num"]), num as u64);
        let ev = Event::parse(&raw[num - 1]).unwrap();
        assert_eq!(row["evt.type"], ev.name());
        let pname = row["proc.name"].as_str().unwrap_or("");
        match ev.name() {
            "execve" => {
                // After an exec the process is named after what it runs.
                assert_eq!(pname, text_param(&ev, "comm"), "event {num}");
                fresh |= pname == "fresh";
            }
            _ => {
                // A successful open names the fd after the (absolute) path.
                let res = ev.param_by_name("fd").unwrap().value().unwrap();
                let path = text_param(&ev, "name");
                if res.as_i64().is_some_and(|fd| fd >= 0) && path.starts_with('/') {
                    // (normalized: no trailing slash)
                    let path = if path.len() > 1 {
                        path.trim_end_matches('/')
                    } else {
                        &path
                    };
                    assert_eq!(row["fd.name"], path, "event {num}");
                }
                // A relative one is resolved against the cwd.
                let fd_name = row["fd.name"].as_str().unwrap_or("");
                if pname == "bash" && fd_name.ends_with("/work/notes.txt") {
                    notes = true;
                    assert_eq!(path, "notes.txt", "event {num}");
                }
            }
        }
    }
    assert!(fresh, "the sample's freshly written binary runs in it");
    assert!(notes, "the sample's shell opens notes.txt");
}

#[test]
fn default_line_is_sysdig_like() {
    let out = dump(&[
        "-r",
        SAMPLE,
        "-n",
        "5",
        "evt.type = execve and proc.name = fresh",
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1, "{text}");
    // number, time, cpu, process (tid), direction, type, info
    let f: Vec<&str> = lines[0].split_whitespace().collect();
    assert!(f[0].parse::<u64>().is_ok(), "{}", lines[0]);
    assert!(
        f[1].len() == 18 && f[1].as_bytes()[2] == b':',
        "HH:MM:SS.nnnnnnnnn: {}",
        lines[0]
    );
    assert!(f[2].parse::<u16>().is_ok());
    assert_eq!(f[3], "fresh");
    assert!(f[4].starts_with('(') && f[4].ends_with(')'));
    assert_eq!((f[5], f[6]), ("<", "execve"));
    assert!(lines[0].contains("res=0"), "{}", lines[0]);
    // Buffers (args, env, cgroups) as sysdig prints them: the NULs between
    // items as '.', nothing that would reach a terminal raw.
    assert!(
        lines[0].contains(" env=") && lines[0].contains(" cgroups=cpuset=/."),
        "{}",
        lines[0]
    );
    assert!(!lines[0].bytes().any(|b| b < 0x20), "{:?}", lines[0]);
}

#[test]
fn a_reader_that_stops_early_ends_the_dump_quietly() {
    // `sinsp-dump ... | head -1`, for the text and the JSON output.
    for json in [false, true] {
        let mut args = vec!["-r", SAMPLE];
        if json {
            args.push("-j");
        }
        let mut child = Command::new(BIN)
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        // The pipe is closed here, long before the 22,560 events are out.
        let out = child.wait_with_output().unwrap();
        assert!(!first.is_empty());
        assert!(
            out.status.success() && out.stderr.is_empty(),
            "json={json}: {:?} {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn counts_and_limits() {
    let out = dump(&[
        "-r",
        SAMPLE,
        "-n",
        "3",
        "-p",
        "%evt.num",
        "evt.type = openat",
    ]);
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().count(), 3);
    let out = dump(&[
        "-r",
        SAMPLE,
        "-q",
        "-p",
        "%evt.num",
        "evt.type = kexec_load",
    ]);
    assert!(out.stdout.is_empty());
}

#[test]
fn lists_fields_with_types_and_descriptions() {
    let out = dump(&["-l"]);
    let text = String::from_utf8(out.stdout).unwrap();
    for name in [
        "proc.is_exe_upper_layer",
        "proc.exe_ino.ctime_duration_pidns_start",
        "fd.name",
        "evt.type",
    ] {
        let line = text
            .lines()
            .find(|l| l.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("{name} is not listed"));
        assert!(line.split_whitespace().count() > 2, "{line}");
    }
    assert!(text.lines().count() >= sinsp::fields::registry().fields().count());
}

#[test]
fn a_bad_filter_says_where_and_what() {
    let out = Command::new(BIN)
        .args(["-r", SAMPLE, "proc.name = bash and (evt.type = openat"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("filter"), "{err}");
    assert!(err.contains("37") || err.contains("')'"), "{err}");
    // An event type no syscall has is a mistake, not an empty result.
    let out = Command::new(BIN)
        .args(["-r", SAMPLE, "evt.type = nosuchsyscall"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("at 11") && err.contains("nosuchsyscall"),
        "{err}"
    );
    let out = Command::new(BIN)
        .args(["-r", SAMPLE, "proc.nosuch = 1"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("proc.nosuch"));
}

#[test]
fn writes_what_passes_plus_what_state_needs_and_replays_it() {
    let dir = std::env::temp_dir().join(format!("sinsp-dump-w-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("fresh.scap");
    let f = file.to_str().unwrap();
    dump(&["-r", SAMPLE, "-q", "-w", f, "proc.name = fresh"]);
    let written = {
        let mut e = FileEngine::open(&file).unwrap();
        let mut n = 0;
        while let Next::Event { .. } = e.next().unwrap() {
            n += 1;
        }
        n
    };
    assert!(written > 0 && written < raw_sample().len(), "{written}");
    // The smaller file still knows the process: its exec and its state.
    let out = dump(&[
        "-r",
        f,
        "-j",
        "-p",
        "%proc.name %proc.exepath %proc.pname",
        "evt.type = execve and proc.name = fresh",
    ]);
    let rows = json_lines(&out);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(rows[0]["proc.exepath"]
        .as_str()
        .unwrap()
        .ends_with("/work/fresh"));
    assert_eq!(rows[0]["proc.pname"], "bash");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Live: a narrow filter captures a child's open, and the probe is given a
/// narrow syscall set.
#[test]
fn live_capture_of_a_child() {
    if !scap::kernel_support().can_capture() {
        assert!(
            !scap::testing::live_required(),
            "live capture required but impossible: {:?}",
            scap::kernel_support().missing()
        );
        eprintln!("SKIPPED: live capture unavailable");
        return;
    }
    let marker = format!("/tmp/sinsp-dump-live-{}", std::process::id());
    let mut child = Command::new(BIN)
        .args([
            "-j",
            "-M",
            "20",
            "-n",
            "1",
            "-p",
            "%proc.pid %proc.name %evt.type %fd.name",
        ])
        .arg(format!("evt.type = openat and fd.name = {marker}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    err.read_line(&mut line).unwrap();
    assert!(line.contains("capturing"), "{line}");
    let n: usize = line
        .split_whitespace()
        .find_map(|w| w.trim_start_matches('(').parse().ok())
        .expect("the number of syscalls");
    let all = scap::schema::Arch::native().unwrap().syscalls().len();
    assert!(
        n * 4 < all,
        "a narrow filter selects few of the {all} syscalls: {line}"
    );
    let start = Instant::now();
    let opener = Command::new("touch").arg(&marker).spawn().unwrap();
    let pid = opener.id();
    let mut opener = opener;
    opener.wait().unwrap();
    let out = child.wait_with_output().unwrap();
    let _ = std::fs::remove_file(&marker);
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "did not see the open"
    );
    let rows = json_lines(&out);
    assert_eq!(rows.len(), 1, "{rows:?}");
    let row = &rows[0];
    assert_eq!(as_num(&row["proc.pid"]), u64::from(pid));
    assert_eq!(row["proc.name"].as_str(), Some("touch"));
    assert_eq!(row["fd.name"].as_str(), Some(marker.as_str()));
}
