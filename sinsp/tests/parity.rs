//! Replay parity: capture a run live while writing it to a capture file, then
//! replay the file. Every field of every event of the run must come out the
//! same both ways.

use std::collections::BTreeMap;
use std::io::Cursor;
use std::process::Command;
use std::time::{Duration, Instant};

use scap::file::snapshot::{snapshot, SnapshotOptions};
use scap::file::{FileEngine, ReaderOptions, Writer};
use scap::Config;
use sinsp::fields::{registry, ArgSpec, BoundField};
use sinsp::state::Limits;
use sinsp::{Inspector, SinspEvent, SinspNext};

/// Every field without a required argument, plus some with arguments.
fn fields() -> Vec<(String, BoundField)> {
    let mut v: Vec<(String, BoundField)> = registry()
        .fields()
        .filter(|f| f.arg != ArgSpec::Required)
        .map(|f| (f.name.to_string(), BoundField::parse(f.name).unwrap()))
        .collect();
    for extra in [
        "evt.arg[0]",
        "evt.arg[1]",
        "evt.arg.fd",
        "evt.rawarg.res",
        "thread.cgroup.memory",
        "proc.aname[1]",
        "proc.env[PATH]",
    ] {
        v.push((extra.to_string(), BoundField::parse(extra).unwrap()));
    }
    v
}

fn row(e: &SinspEvent<'_>, fields: &[(String, BoundField)]) -> BTreeMap<String, String> {
    fields
        .iter()
        .filter_map(|(n, f)| f.extract(e).map(|v| (n.clone(), v.to_string())))
        .collect()
}

/// Is the event's process `root` or one of its descendants?
fn in_run(e: &SinspEvent<'_>, root: i64) -> bool {
    e.process
        .is_some_and(|p| p.pid == root || e.state.ancestors(p).any(|a| a.pid == root))
}

#[test]
fn live_and_replayed_fields_agree() {
    let Some(engine) = scap::testing::open_live_or_skip(Config {
        syscalls: Some(
            [
                "execve", "clone", "clone3", "fork", "vfork", "procexit", "openat", "read",
                "write", "close", "socket", "connect", "bind", "accept4", "chdir", "dup2", "pipe2",
                "getppid",
            ]
            .map(String::from)
            .to_vec(),
        ),
        ..Config::default()
    }) else {
        return;
    };
    let meta = snapshot(&SnapshotOptions::default()).unwrap();
    let mut live = Inspector::with_metadata(engine, &meta, Limits::default());
    let mut writer = Writer::new(Vec::new()).unwrap();
    writer.write_metadata(&meta).unwrap();
    let fields = fields();

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let script = format!(
        "cd /tmp && ls / > /dev/null && cat /etc/hostname | wc -c > /dev/null && exec 3<>/dev/tcp/127.0.0.1/{port} && echo hi >&3 && sh -c 'exit 4'; true"
    );
    let mut child = Command::new("bash").args(["-c", &script]).spawn().unwrap();
    let root = child.id() as i64;
    let _peer = listener.accept().unwrap();

    let mut live_rows: BTreeMap<u64, BTreeMap<String, String>> = BTreeMap::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut exited = false;
    while Instant::now() < deadline && !exited {
        match live.next().unwrap() {
            SinspNext::Event(e) => {
                writer.write_event(e.cpu, &e.raw).unwrap();
                if in_run(&e, root) {
                    live_rows.insert(e.num, row(&e, &fields));
                    exited |= e.raw.tid() as i64 == root
                        && e.raw.event_type() == scap::schema::codes::PPME_PROCEXIT_1_E;
                }
            }
            SinspNext::Timeout => {}
            SinspNext::Eof => break,
        }
    }
    child.wait().unwrap();
    assert!(exited, "the run's end was seen");
    assert!(live_rows.len() > 20, "{} events", live_rows.len());

    let bytes = writer.finish().unwrap();
    let engine = FileEngine::from_reader(Cursor::new(bytes), ReaderOptions::default()).unwrap();
    let file_meta = engine.metadata().clone();
    let mut replay = Inspector::with_metadata(engine, &file_meta, Limits::default());
    let mut replay_rows = BTreeMap::new();
    while let SinspNext::Event(e) = replay.next().unwrap() {
        if live_rows.contains_key(&e.num) {
            replay_rows.insert(e.num, row(&e, &fields));
        }
    }
    assert_eq!(replay_rows.len(), live_rows.len());
    let mut compared = 0;
    for (num, l) in &live_rows {
        let r = &replay_rows[num];
        assert_eq!(l, r, "event {num} differs between live and replay");
        compared += l.len();
    }
    // A real comparison: many values per event.
    assert!(
        compared > live_rows.len() * 40,
        "{compared} values compared"
    );
    // And the run itself is in there with its meaning.
    assert!(live_rows
        .values()
        .any(|r| r.get("fd.sport") == Some(&port.to_string())));
    assert!(live_rows
        .values()
        .any(|r| r.get("evt.type").is_some_and(|t| t == "execve")
            && r.get("proc.name").is_some_and(|n| n == "ls")
            && r.get("proc.cwd").is_some_and(|c| c == "/tmp")));
}
