//! Write → read round trips: events come back byte-identical, with their cpu
//! and dump flags, in the right block variant; every metadata block comes
//! back equal.

#[path = "file_helpers.rs"]
mod helpers;

use std::net::{Ipv4Addr, Ipv6Addr};

use helpers::*;
use scap::file::metadata::{l4, thread_flags};
use scap::file::*;
use scap::schema::codes;
use scap::{Engine, Event, Next};

fn sample_events() -> Vec<(u16, DumpFlags, Vec<u8>)> {
    let openat = event(
        1_000,
        42,
        codes::PPME_SYSCALL_OPENAT_2_X,
        &[
            &i64le(3),
            &i64le(-100),
            &cstr("/etc/passwd"),
            &u32le(1),
            &u32le(0),
            &u32le(0x0080_0001),
            &u64le(1234),
        ],
    );
    let procexit = event(
        2_000,
        42,
        codes::PPME_PROCEXIT_1_E,
        &[&i64le(0), &i64le(0), &[0], &[0], &i64le(1)],
    );
    // A large-payload event bigger than 64 KiB: needs the _LARGE block.
    let big = vec![0xAB; 100_000];
    let plugin = event(3_000, 7, codes::PPME_PLUGINEVENT_E, &[&u32le(999), &big]);
    let close = event(
        4_000,
        43,
        codes::PPME_SYSCALL_CLOSE_X,
        &[&i64le(0), &i64le(3)],
    );
    let small_plugin = event(5_000, 7, codes::PPME_PLUGINEVENT_E, &[&u32le(1), b"x"]);
    vec![
        (0, DumpFlags::empty(), openat),
        (1, DumpFlags::empty(), procexit),
        (3, DumpFlags::empty(), plugin),
        (2, DumpFlags::STATE_ONLY, close),
        (65535, DumpFlags::STATE_ONLY, small_plugin),
    ]
}

fn write_events(gzip: bool) -> Vec<u8> {
    let mut w = if gzip {
        Writer::new_gzip(Vec::new()).unwrap()
    } else {
        Writer::new(Vec::new()).unwrap()
    };
    for (cpu, flags, raw) in sample_events() {
        let ev = Event::parse(&raw).unwrap();
        w.write_event_with_flags(cpu, flags, &ev).unwrap();
    }
    assert_eq!(w.events_written(), 5);
    w.finish().unwrap()
}

/// The (type, offset) of every block of a plain capture.
fn blocks(bytes: &[u8]) -> Vec<(u32, usize)> {
    let mut out = Vec::new();
    let mut off = 0;
    while off + 8 <= bytes.len() {
        let ty = u32::from_le_bytes(bytes[off..off + 4].try_into().unwrap());
        let len = u32::from_le_bytes(bytes[off + 4..off + 8].try_into().unwrap()) as usize;
        out.push((ty, off));
        off += len;
    }
    assert_eq!(off, bytes.len());
    out
}

#[test]
fn events_round_trip_byte_identical() {
    for gzip in [false, true] {
        let bytes = write_events(gzip);
        assert_eq!(bytes.starts_with(&[0x1f, 0x8b]), gzip);
        let mut r = Reader::new(&bytes[..]).unwrap();
        assert_eq!(r.is_gzip(), gzip);
        assert_eq!(r.section_header(), SectionHeader { major: 1, minor: 2 });
        assert_eq!(r.metadata(), &Metadata::default());
        let mut got = Vec::new();
        while let Some(e) = r.next_event().unwrap() {
            got.push((e.cpu, e.flags, e.event.as_bytes().to_vec()));
        }
        assert_eq!(got, sample_events());
        let c = r.counters();
        assert_eq!(c.events, 5);
        assert_eq!(c.event_blocks, 5);
        assert_eq!(c.converted, 0);
        assert_eq!(
            c.event_bytes,
            sample_events()
                .iter()
                .map(|e| e.2.len() as u64)
                .sum::<u64>()
        );
    }
}

#[test]
fn writer_picks_block_variants() {
    let bytes = write_events(false);
    let types: Vec<u32> = blocks(&bytes).iter().map(|b| b.0).collect();
    // SHB, EV V2, EV V2, EV V2 LARGE, EVF V2, EVF V2 LARGE.
    assert_eq!(types, vec![0x0A0D_0D0A, 0x216, 0x216, 0x221, 0x217, 0x222]);
    // Every block is 4-aligned and its trailer repeats its length.
    for (_, off) in blocks(&bytes) {
        let len = u32::from_le_bytes(bytes[off + 4..off + 8].try_into().unwrap()) as usize;
        assert_eq!(len % 4, 0);
        assert_eq!(&bytes[off + len - 4..off + len], &bytes[off + 4..off + 8]);
    }
    // The section header is format 1.2 with the magic.
    assert_eq!(&bytes[8..16], &[0x4D, 0x3C, 0x2B, 0x1A, 1, 0, 2, 0]);
}

#[test]
fn large_dump_flag_selects_the_large_block_without_being_stored() {
    let raw = event(1, 1, codes::PPME_SYSCALL_CLOSE_X, &[&i64le(0), &i64le(5)]);
    let ev = Event::parse(&raw).unwrap();
    let mut w = Writer::new(Vec::new()).unwrap();
    w.write_event_with_flags(0, DumpFlags::LARGE, &ev).unwrap();
    w.write_event_with_flags(0, DumpFlags::LARGE | DumpFlags::STATE_ONLY, &ev)
        .unwrap();
    let bytes = w.finish().unwrap();
    let types: Vec<u32> = blocks(&bytes).iter().map(|b| b.0).collect();
    assert_eq!(types, vec![0x0A0D_0D0A, 0x221, 0x222]);
    let mut r = Reader::new(&bytes[..]).unwrap();
    assert_eq!(r.next_event().unwrap().unwrap().flags, DumpFlags::empty());
    assert_eq!(
        r.next_event().unwrap().unwrap().flags,
        DumpFlags::STATE_ONLY
    );
    assert!(r.next_event().unwrap().is_none());
}

fn fd(fd: i64, ino: u64, info: FdInfo) -> FdEntry {
    FdEntry { fd, ino, info }
}

fn named(kind: NamedFdKind, name: &str) -> FdInfo {
    FdInfo::Named {
        kind,
        name: name.as_bytes().to_vec(),
    }
}

/// Metadata exercising every block, field and FD type.
pub fn sample_metadata() -> Metadata {
    let all_fds = vec![
        fd(
            0,
            11,
            FdInfo::File {
                open_flags: 1 | 4096,
                path: b"/etc/hosts".to_vec(),
                dev: (8 << 20) | 1,
            },
        ),
        fd(1, 12, named(NamedFdKind::Directory, "/tmp")),
        fd(
            2,
            13,
            FdInfo::Ipv4 {
                src: Ipv4Addr::new(10, 0, 0, 1),
                dst: Ipv4Addr::new(93, 184, 216, 34),
                sport: 40000,
                dport: 443,
                l4proto: l4::TCP,
            },
        ),
        fd(
            3,
            14,
            FdInfo::Ipv4Server {
                ip: Ipv4Addr::LOCALHOST,
                port: 8080,
                l4proto: l4::TCP,
            },
        ),
        fd(
            4,
            15,
            FdInfo::Ipv6 {
                src: Ipv6Addr::LOCALHOST,
                dst: "2001:db8::3".parse().unwrap(),
                sport: 54405,
                dport: 1234,
                l4proto: l4::TCP,
            },
        ),
        fd(
            5,
            16,
            FdInfo::Ipv6Server {
                ip: Ipv6Addr::UNSPECIFIED,
                port: 53,
                l4proto: l4::UDP,
            },
        ),
        fd(
            6,
            17,
            FdInfo::Unix {
                source: 0xffff_8880_1234_5678,
                dest: 0xffff_8880_8765_4321,
                path: b"/run/systemd/notify".to_vec(),
            },
        ),
        fd(7, 18, named(NamedFdKind::Fifo, "pipe:[18]")),
        fd(8, 19, named(NamedFdKind::Memfd, "/memfd:jit (deleted)")),
        fd(9, 20, named(NamedFdKind::Event, "anon_inode:[eventfd]")),
        fd(
            10,
            21,
            named(NamedFdKind::Signalfd, "anon_inode:[signalfd]"),
        ),
        fd(
            11,
            22,
            named(NamedFdKind::Eventpoll, "anon_inode:[eventpoll]"),
        ),
        fd(12, 23, named(NamedFdKind::Inotify, "anon_inode:inotify")),
        fd(13, 24, named(NamedFdKind::Timerfd, "anon_inode:[timerfd]")),
        fd(14, 25, named(NamedFdKind::Netlink, "")),
        fd(15, 26, named(NamedFdKind::Bpf, "anon_inode:bpf-map")),
        fd(
            16,
            27,
            named(NamedFdKind::Userfaultfd, "anon_inode:[userfaultfd]"),
        ),
        fd(17, 28, named(NamedFdKind::IoUring, "anon_inode:[io_uring]")),
        fd(18, 29, named(NamedFdKind::Pidfd, "anon_inode:[pidfd]")),
        fd(19, 30, named(NamedFdKind::Unsupported, "net:[4026531840]")),
        fd(20, 31, named(NamedFdKind::File, "/legacy/file")),
        fd(
            21,
            32,
            FdInfo::Unknown {
                fd_type: 99,
                data: vec![1, 2, 3],
            },
        ),
    ];
    let main = ThreadEntry {
        tid: 1000,
        pid: 1000,
        ptid: 1,
        sid: 999,
        vpgid: 7,
        comm: b"server".to_vec(),
        exe: b"./server".to_vec(),
        exepath: b"/usr/local/bin/server".to_vec(),
        args: b"--port\x008080\x00".to_vec(),
        cwd: b"/srv".to_vec(),
        fdlimit: 1024,
        flags: thread_flags::CHILD_IN_PIDNS,
        uid: 1001,
        gid: 1002,
        vmsize_kb: 12345,
        vmrss_kb: 2345,
        vmswap_kb: 3,
        pfmajor: 4,
        pfminor: 5,
        env: b"PATH=/bin\x00HOME=/srv\x00".to_vec(),
        vtid: 1,
        vpid: 1,
        cgroups: b"cpu=/docker/abc\x00memory=/docker/abc\x00".to_vec(),
        root: b"/var/lib/docker/overlay/merged".to_vec(),
        pidns_init_start_ts: 1_700_000_000_000_000_000,
        tty: 34816,
        loginuid: 1001,
        exe_writable: true,
        cap_inheritable: 1,
        cap_permitted: 0x1ff_ffff_ffff,
        cap_effective: 0x1ff_ffff_fff0,
        exe_upper_layer: true,
        exe_ino: 424242,
        exe_ino_ctime: 1_690_000_000_000_000_001,
        exe_ino_mtime: 1_690_000_000_000_000_002,
        exe_from_memfd: true,
        exe_lower_layer: true,
        pgid: 1000,
        fds: all_fds,
    };
    let thread = ThreadEntry {
        tid: 1001,
        flags: thread_flags::CLONE_THREAD | thread_flags::CLONE_FILES,
        vtid: 2,
        fds: Vec::new(),
        ..main.clone()
    };
    let other = ThreadEntry {
        tid: 2000,
        pid: 2000,
        comm: "naïve\u{1F600}".as_bytes().to_vec(),
        exe: vec![0xff, 0xfe, b'x'],
        fds: vec![fd(
            3,
            1,
            FdInfo::File {
                open_flags: 2,
                path: vec![b'/', 0xff],
                dev: 0,
            },
        )],
        ..ThreadEntry::default()
    };
    Metadata {
        machine: Some(MachineInfo {
            num_cpus: 8,
            memory_size_bytes: 16 << 30,
            max_pid: 4_194_304,
            hostname: "build-host.example".into(),
            boot_ts_epoch: 1_700_000_000_000_000_000,
            flags: 0,
            reserved3: 3,
            reserved4: 4,
        }),
        interfaces: vec![
            InterfaceEntry {
                name: "lo".into(),
                addrs: InterfaceAddrs::V4 {
                    addr: Ipv4Addr::LOCALHOST,
                    netmask: Ipv4Addr::new(255, 0, 0, 0),
                    broadcast: Ipv4Addr::LOCALHOST,
                },
                link_speed: Some(0),
            },
            InterfaceEntry {
                name: "eth0".into(),
                addrs: InterfaceAddrs::V4 {
                    addr: Ipv4Addr::new(10, 0, 2, 15),
                    netmask: Ipv4Addr::new(255, 255, 255, 0),
                    broadcast: Ipv4Addr::new(10, 0, 2, 255),
                },
                link_speed: None,
            },
            InterfaceEntry {
                name: "lo".into(),
                addrs: InterfaceAddrs::V6 {
                    addr: Ipv6Addr::LOCALHOST,
                    netmask: Ipv6Addr::from(u128::MAX),
                    broadcast: Ipv6Addr::UNSPECIFIED,
                },
                link_speed: Some(10_000),
            },
            InterfaceEntry {
                name: "eth0".into(),
                addrs: InterfaceAddrs::V6 {
                    addr: "fe80::a00:27ff:fe19:228f".parse().unwrap(),
                    netmask: "ffff:ffff:ffff:ffff::".parse().unwrap(),
                    broadcast: Ipv6Addr::UNSPECIFIED,
                },
                link_speed: None,
            },
        ],
        users: vec![
            UserEntry {
                uid: 0,
                gid: 0,
                name: "root".into(),
                homedir: "/root".into(),
                shell: "/bin/bash".into(),
            },
            UserEntry {
                uid: 65534,
                gid: 65534,
                name: "nobody".into(),
                homedir: "/nonexistent".into(),
                shell: "/usr/sbin/nologin".into(),
            },
        ],
        groups: vec![
            GroupEntry {
                gid: 0,
                name: "root".into(),
            },
            GroupEntry {
                gid: 27,
                name: "sudo".into(),
            },
        ],
        threads: vec![main, thread, other],
    }
}

#[test]
fn metadata_round_trips_equal() {
    let md = sample_metadata();
    for gzip in [false, true] {
        let mut w = if gzip {
            Writer::new_gzip(Vec::new()).unwrap()
        } else {
            Writer::new(Vec::new()).unwrap()
        };
        w.write_metadata(&md).unwrap();
        let ev = event(
            9,
            1000,
            codes::PPME_SYSCALL_CLOSE_X,
            &[&i64le(0), &i64le(3)],
        );
        w.write_raw_event(1, &ev).unwrap();
        let bytes = w.finish().unwrap();
        let mut r = Reader::new(&bytes[..]).unwrap();
        assert_eq!(r.metadata(), &md);
        // The event after the metadata is still read.
        assert_eq!(r.next_event().unwrap().unwrap().event.as_bytes(), &ev[..]);
        assert!(r.next_event().unwrap().is_none());
    }
}

#[test]
fn metadata_blocks_are_written_in_libscap_order() {
    let mut w = Writer::new(Vec::new()).unwrap();
    w.write_metadata(&sample_metadata()).unwrap();
    let bytes = w.finish().unwrap();
    let types: Vec<u32> = blocks(&bytes).iter().map(|b| b.0).collect();
    // SHB, MI, IL V2, UL V2, PL V9, then one FDL V2 per thread with FDs.
    assert_eq!(
        types,
        vec![0x0A0D_0D0A, 0x201, 0x219, 0x220, 0x215, 0x218, 0x218]
    );
    // The machine-info block is 8 + 180 + 4 bytes, as in libscap's files.
    assert_eq!(&bytes[28 + 4..28 + 8], &192u32.to_le_bytes());
}

#[test]
fn interfaces_are_written_ipv4_first() {
    let mut md = sample_metadata();
    md.interfaces.reverse();
    let mut w = Writer::new(Vec::new()).unwrap();
    w.write_interfaces(&md.interfaces).unwrap();
    let bytes = w.finish().unwrap();
    let r = Reader::new(&bytes[..]).unwrap();
    let got: Vec<bool> = r
        .metadata()
        .interfaces
        .iter()
        .map(|i| matches!(i.addrs, InterfaceAddrs::V4 { .. }))
        .collect();
    assert_eq!(got, vec![true, true, false, false]);
}

#[test]
fn writer_rejects_what_the_format_cannot_hold() {
    let mut w = Writer::new(Vec::new()).unwrap();
    let long = MachineInfo {
        hostname: "h".repeat(128),
        ..MachineInfo::default()
    };
    assert!(matches!(
        w.write_machine_info(&long),
        Err(FileError::TooLong {
            what: "host name",
            ..
        })
    ));
    let t = ThreadEntry {
        env: vec![b'a'; 70_000],
        ..ThreadEntry::default()
    };
    assert!(matches!(
        w.write_threads(&[t]),
        Err(FileError::TooLong { what: "env", .. })
    ));
    assert!(matches!(
        w.write_raw_event(0, &[1, 2, 3]),
        Err(FileError::InvalidEvent(_))
    ));
    let ev = event(1, 1, codes::PPME_SYSCALL_CLOSE_X, &[&i64le(0), &i64le(3)]);
    w.write_raw_event(0, &ev).unwrap();
    assert!(matches!(
        w.write_users(&sample_metadata().users, &[]),
        Err(FileError::MetadataAfterEvents { what: "user list" })
    ));
}

#[test]
fn file_engine_replays_a_written_capture() {
    let md = sample_metadata();
    let dir = std::env::temp_dir().join(format!("scap-file-engine-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("t.scap.gz");
    let f = std::fs::File::create(&path).unwrap();
    let mut w = Writer::new_gzip(f).unwrap();
    w.write_metadata(&md).unwrap();
    for (cpu, flags, raw) in sample_events() {
        w.write_event_with_flags(cpu, flags, &Event::parse(&raw).unwrap())
            .unwrap();
    }
    w.finish().unwrap();

    let mut e = FileEngine::open(&path).unwrap();
    assert_eq!(e.name(), "file");
    assert_eq!(e.metadata(), &md);
    let mut seen = Vec::new();
    loop {
        match e.next().unwrap() {
            Next::Event { cpu, event } => {
                let bytes = event.as_bytes().to_vec();
                seen.push((cpu, e.last_flags(), bytes));
            }
            Next::Eof => break,
            Next::Timeout => panic!("a file never times out"),
        }
    }
    assert_eq!(seen, sample_events());
    // Eof is sticky.
    assert!(matches!(e.next().unwrap(), Next::Eof));
    let s = e.stats().unwrap();
    assert_eq!(s.total.events, 5);
    assert_eq!(
        s.total.bytes,
        sample_events()
            .iter()
            .map(|e| e.2.len() as u64)
            .sum::<u64>()
    );
    assert_eq!(s.drops(), 0);
    std::fs::remove_dir_all(&dir).unwrap();

    let missing = FileEngine::open(dir.join("nope.scap")).unwrap_err();
    assert!(matches!(missing, scap::Error::File(FileError::Open { .. })));
}
