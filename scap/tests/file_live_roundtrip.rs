//! Live capture → capture file → read back: the events come back byte for
//! byte, with their CPUs, and the /proc snapshot written first comes back too.

mod common;

use std::time::{Duration, Instant};

use scap::file::{snapshot, FileEngine, ReaderOptions, Writer};
use scap::{Config, Engine, Next};

#[test]
fn live_events_survive_a_capture_file_byte_for_byte() {
    let Some(mut engine) = common::open_live(Config {
        syscalls: Some(
            [
                "openat", "read", "write", "close", "execve", "clone", "procexit",
            ]
            .map(String::from)
            .to_vec(),
        ),
        ..Config::default()
    }) else {
        return;
    };
    let meta = snapshot::snapshot(&snapshot::SnapshotOptions::default()).unwrap();
    let mut w = Writer::new_gzip(Vec::new()).unwrap();
    w.write_metadata(&meta).unwrap();
    // Some activity of our own children while we record.
    let child = std::process::Command::new("sh")
        .args([
            "-c",
            "for i in 1 2 3; do cat /etc/hostname > /dev/null; done",
        ])
        .spawn()
        .unwrap();
    let mut captured: Vec<(u16, Vec<u8>)> = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(2);
    let mut child = Some(child);
    while Instant::now() < deadline {
        if let Some(c) = child.as_mut() {
            if c.try_wait().unwrap().is_some() {
                child = None;
            }
        }
        if let Next::Event { cpu, event } = engine.next().unwrap() {
            w.write_event(cpu, &event).unwrap();
            captured.push((cpu, event.as_bytes().to_vec()));
        }
    }
    assert!(captured.len() > 10, "{} events", captured.len());
    let bytes = w.finish().unwrap();

    let mut file =
        FileEngine::from_reader(std::io::Cursor::new(bytes), ReaderOptions::default()).unwrap();
    assert_eq!(file.metadata().threads.len(), meta.threads.len());
    assert_eq!(
        file.metadata().threads,
        meta.threads,
        "the process list with its fds round-trips"
    );
    let mut read = Vec::new();
    loop {
        match file.next().unwrap() {
            Next::Event { cpu, event } => read.push((cpu, event.as_bytes().to_vec())),
            Next::Timeout => {}
            Next::Eof => break,
        }
    }
    assert_eq!(read.len(), captured.len());
    assert!(read == captured, "events differ after the round trip");
}
