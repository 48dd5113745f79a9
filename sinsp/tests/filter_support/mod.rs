//! A small synthetic world for the filter and format tests: a process tree
//! with open files and sockets (a hand-made capture metadata), and a few
//! events built with `EventBuilder`, replayed through a real `Inspector` so
//! that the state the fields read is the one the parsers build.
#![allow(dead_code)]

use std::net::{Ipv4Addr, Ipv6Addr};

use scap::event::EventBuilder;
use scap::file::metadata::{l4, FdEntry, FdInfo, ThreadEntry};
use scap::file::{MachineInfo, Metadata};
use scap::schema::codes;
use scap::{Engine, Event, Next};
use sinsp::state::Limits;
use sinsp::{Inspector, SinspEvent, SinspNext};

/// Events served from memory, in order.
pub struct VecEngine {
    events: Vec<Vec<u8>>,
    at: usize,
}

impl Engine for VecEngine {
    fn next(&mut self) -> scap::Result<Next<'_>> {
        match self.events.get(self.at) {
            Some(b) => {
                self.at += 1;
                Ok(Next::Event {
                    cpu: 1,
                    event: Event::parse(b)?,
                })
            }
            None => Ok(Next::Eof),
        }
    }

    fn stats(&self) -> scap::Result<scap::Stats> {
        Ok(scap::Stats::default())
    }

    fn name(&self) -> &'static str {
        "memory"
    }
}

fn nul_list(items: &[&str]) -> Vec<u8> {
    let mut v = Vec::new();
    for i in items {
        v.extend_from_slice(i.as_bytes());
        v.push(0);
    }
    v
}

fn thread(pid: u64, ptid: u64, comm: &str, exepath: &str, args: &[&str]) -> ThreadEntry {
    ThreadEntry {
        tid: pid,
        pid,
        ptid,
        sid: 100,
        vpgid: pid,
        comm: comm.as_bytes().to_vec(),
        exe: comm.as_bytes().to_vec(),
        exepath: exepath.as_bytes().to_vec(),
        args: nul_list(args),
        cwd: b"/root/".to_vec(),
        fdlimit: 1024,
        vtid: pid as i64,
        vpid: pid as i64,
        loginuid: u32::MAX,
        pgid: pid as i64,
        ..ThreadEntry::default()
    }
}

fn file(fd: i64, path: &str) -> FdEntry {
    FdEntry {
        fd,
        ino: 0,
        info: FdInfo::File {
            open_flags: 0,
            path: path.as_bytes().to_vec(),
            dev: 0,
        },
    }
}

/// The process tree:
///
/// ```text
/// systemd (1) ── bash (100) ── cat (200)   fds: 0 /dev/pts/0, 3 /etc/passwd,
///            │                              4 tcp 10.0.0.5:40000->93.184.216.34:443,
///            │                              5 udp [fd00::5]:5353->[fd00::1]:53
///            └─ sleep (300)                 no fds
/// ```
pub fn metadata() -> Metadata {
    let systemd = thread(1, 0, "systemd", "/usr/lib/systemd/systemd", &[]);
    let mut bash = thread(100, 1, "bash", "/usr/bin/bash", &["-i"]);
    bash.env = nul_list(&["HOME=/root", "SHELL=/bin/bash", "MY VAR=x y"]);
    bash.fds = vec![file(0, "/dev/pts/0"), file(1, "/dev/pts/0")];
    let mut cat = thread(200, 100, "cat", "/usr/bin/cat", &["/etc/passwd", "-n"]);
    cat.uid = 1000;
    cat.env = nul_list(&["HOME=/home/alice", "LANG=C"]);
    cat.fds = vec![
        file(0, "/dev/pts/0"),
        file(3, "/etc/passwd"),
        FdEntry {
            fd: 4,
            ino: 0,
            info: FdInfo::Ipv4 {
                src: Ipv4Addr::new(10, 0, 0, 5),
                dst: Ipv4Addr::new(93, 184, 216, 34),
                sport: 40000,
                dport: 443,
                l4proto: l4::TCP,
            },
        },
        FdEntry {
            fd: 5,
            ino: 0,
            info: FdInfo::Ipv6 {
                src: "fd00::5".parse::<Ipv6Addr>().unwrap(),
                dst: "fd00::1".parse::<Ipv6Addr>().unwrap(),
                sport: 5353,
                dport: 53,
                l4proto: l4::UDP,
            },
        },
    ];
    let mut sleep = thread(300, 1, "sleep", "/usr/bin/sleep", &["10"]);
    sleep.env = nul_list(&["B64=aGVsbG8=", "BAD=#!#"]);
    Metadata {
        machine: Some(MachineInfo {
            num_cpus: 2,
            memory_size_bytes: 1 << 30,
            max_pid: 1 << 22,
            hostname: "testhost".into(),
            boot_ts_epoch: 1_600_000_000_000_000_000,
            flags: 0,
            reserved3: 0,
            reserved4: 0,
        }),
        threads: vec![systemd, bash, cat, sleep],
        ..Metadata::default()
    }
}

/// Base time of the events: 2024-01-01T00:00:00Z.
pub const T0: u64 = 1_704_067_200_000_000_000;

fn io(code: u16, n: u64, tid: u64, fd: i64, data: &[u8]) -> Vec<u8> {
    EventBuilder::new(code, T0 + n * 1000, tid)
        .u64(data.len() as u64)
        .raw(data)
        .u64(fd as u64)
        .u32(data.len() as u32)
        .build()
}

/// The events, with a label each.
pub fn events() -> Vec<(&'static str, Vec<u8>)> {
    let getppid = scap::schema::ppm_sc_code("getppid").expect("getppid has a PPM_SC code");
    vec![
        // cat reads /etc/passwd.
        (
            "read_passwd",
            io(
                codes::PPME_SYSCALL_READ_X,
                1,
                200,
                3,
                b"root:x:0:0:root:/root:/bin/bash",
            ),
        ),
        // cat writes to its TCP socket.
        (
            "write_tcp",
            io(
                codes::PPME_SYSCALL_WRITE_X,
                2,
                200,
                4,
                b"GET / HTTP/1.1\r\n",
            ),
        ),
        // cat reads from its UDP/IPv6 socket.
        (
            "read_udp6",
            io(codes::PPME_SYSCALL_READ_X, 3, 200, 5, b"\x12\x34\x81\x80"),
        ),
        // bash writes to the terminal.
        (
            "write_tty",
            io(codes::PPME_SYSCALL_WRITE_X, 4, 100, 1, b"ls\n"),
        ),
        // sleep calls getppid: the generic event, no fd.
        (
            "getppid",
            EventBuilder::new(codes::PPME_GENERIC_X, T0 + 5000, 300)
                .u16(getppid)
                .u16(110)
                .build(),
        ),
        // sleep closes an fd it does not have.
        (
            "close_bad",
            EventBuilder::new(codes::PPME_SYSCALL_CLOSE_X, T0 + 6000, 300)
                .u64(-9i64 as u64)
                .u64(9)
                .build(),
        ),
        // cat reads a binary.
        (
            "read_elf",
            io(
                codes::PPME_SYSCALL_READ_X,
                7,
                200,
                3,
                b"\x7fELF\x02\x01/bin/sh\x00",
            ),
        ),
    ]
}

/// Runs every event through an inspector, calling `f` on each.
pub fn run<T>(mut f: impl FnMut(&str, &SinspEvent<'_>) -> T) -> Vec<T> {
    let evs = events();
    let labels: Vec<&str> = evs.iter().map(|(l, _)| *l).collect();
    let engine = VecEngine {
        events: evs.into_iter().map(|(_, b)| b).collect(),
        at: 0,
    };
    let mut insp = Inspector::with_metadata(engine, &metadata(), Limits::default());
    let mut out = Vec::new();
    let mut k = 0;
    loop {
        match insp.next().expect("event") {
            SinspNext::Event(e) => {
                out.push(f(labels[k], &e));
                k += 1;
            }
            SinspNext::Timeout => continue,
            SinspNext::Eof => break,
        }
    }
    assert_eq!(k, labels.len(), "every event came out");
    out
}

/// The labels of the events that `cond` matches.
pub fn matching(cond: &str) -> Vec<&'static str> {
    let f = sinsp::Filter::compile(cond).unwrap_or_else(|e| panic!("{cond}: {e}"));
    matching_filter(&f)
}

/// The labels of the events that `f` matches.
pub fn matching_filter(f: &sinsp::Filter) -> Vec<&'static str> {
    let labels: Vec<&'static str> = events().iter().map(|(l, _)| *l).collect();
    let hits = run(|_, e| f.matches(e));
    labels
        .into_iter()
        .zip(hits)
        .filter_map(|(l, h)| h.then_some(l))
        .collect()
}
