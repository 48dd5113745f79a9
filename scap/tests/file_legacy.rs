//! Old block versions and ids, crafted byte by byte from the format
//! description: process lists V1–V9 (with the libs 0.10 field-order quirk
//! and entry-length-driven optional fields), FD/interface/user lists V1, the
//! `0x80xxABCD` pre-release ids, and V1 event blocks (22-byte header, no
//! `nparams`) upgraded in place.

#[path = "file_helpers.rs"]
mod helpers;

use std::net::Ipv4Addr;

use helpers::*;
use scap::file::metadata::l4;
use scap::file::*;
use scap::schema::codes;

/// One process-list entry of version `v` (V1–V8 layout, no entry length).
fn pl_fields(v: u8, tid: u64) -> Vec<u8> {
    let mut e = Vec::new();
    e.extend(u64le(tid));
    e.extend(u64le(tid + 1));
    e.extend(u64le(tid + 2));
    if v >= 6 {
        e.extend(u64le(13));
    }
    if v >= 8 {
        e.extend(u64le(14));
    }
    e.extend(str16(b"comm"));
    e.extend(str16(b"exe"));
    if v >= 7 {
        e.extend(str16(b"/usr/bin/exe"));
    }
    e.extend(str16(b"a1\0a2\0"));
    e.extend(str16(b"/cwd"));
    e.extend(u64le(100));
    e.extend(u32le(1));
    e.extend(u32le(2));
    e.extend(u32le(3));
    if v >= 2 {
        for x in [4u32, 5, 6] {
            e.extend(u32le(x));
        }
        e.extend(u64le(7));
        e.extend(u64le(8));
    }
    if v >= 3 {
        e.extend(str16(b"E=1\0"));
    }
    if v >= 4 {
        e.extend(i64le(20));
        e.extend(i64le(21));
        e.extend(str16(b"cpu=/\0"));
    }
    if v >= 5 {
        e.extend(str16(b"/root"));
    }
    e
}

fn with_len(mut fields: Vec<u8>) -> Vec<u8> {
    let mut e = u32le(fields.len() as u32 + 4);
    e.append(&mut fields);
    e
}

fn read_md(blocks: &[Vec<u8>]) -> Metadata {
    let mut f = shb(1, 0);
    for b in blocks {
        f.extend_from_slice(b);
    }
    let r = Reader::new(&f[..]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.section_header().minor, 0);
    r.metadata().clone()
}

#[test]
fn process_lists_v1_to_v8() {
    let ids = [
        (1, 0x202),
        (1, 0x8000_ABCD),
        (2, 0x207),
        (2, 0x8013_ABCD),
        (3, 0x209),
        (3, 0x8014_ABCD),
        (4, 0x210),
        (5, 0x211),
        (6, 0x212),
        (7, 0x213),
        (8, 0x214),
    ];
    for (v, id) in ids {
        let mut body = pl_fields(v, 100);
        body.extend(pl_fields(v, 200));
        let md = read_md(&[block(id, &body)]);
        assert_eq!(md.threads.len(), 2, "v{v}");
        let t = &md.threads[0];
        assert_eq!((t.tid, t.pid, t.ptid), (100, 101, 102), "v{v}");
        assert_eq!(md.threads[1].tid, 200);
        assert_eq!(t.comm, b"comm");
        assert_eq!(t.exe, b"exe");
        assert_eq!(t.args().collect::<Vec<_>>(), vec![&b"a1"[..], b"a2"]);
        assert_eq!(t.cwd, b"/cwd");
        assert_eq!((t.fdlimit, t.flags, t.uid, t.gid), (100, 1, 2, 3));
        assert_eq!(t.sid, if v >= 6 { 13 } else { 0 }, "v{v}");
        assert_eq!(t.vpgid, if v >= 8 { 14 } else { 0 }, "v{v}");
        assert_eq!(t.exepath.is_empty(), v < 7, "v{v}");
        assert_eq!(t.vmsize_kb, if v >= 2 { 4 } else { 0 });
        assert_eq!(t.pfminor, if v >= 2 { 8 } else { 0 });
        assert_eq!(t.env.is_empty(), v < 3);
        // Without vtid/vpid the host ids stand in.
        assert_eq!((t.vtid, t.vpid), if v >= 4 { (20, 21) } else { (100, 101) });
        assert_eq!(t.cgroups.is_empty(), v < 4);
        assert_eq!(t.root.is_empty(), v < 5);
        assert_eq!(t.loginuid, u32::MAX);
        assert_eq!(t.pgid, -1);
    }
}

fn v9_entry(tail: &[u8]) -> Vec<u8> {
    let mut f = pl_fields(8, 1);
    f.extend_from_slice(tail);
    with_len(f)
}

#[test]
fn process_list_v9_layouts() {
    // Ends after `root`: every appended field has its default.
    let bare = v9_entry(&[]);
    // Pre-0.10: loginuid, exe_writable and the capabilities (29 bytes).
    let mut pre = Vec::new();
    pre.extend(u32le(1000));
    pre.push(1);
    pre.extend(u64le(0xA));
    pre.extend(u64le(0xB));
    pre.extend(u64le(0xC));
    let pre010 = v9_entry(&pre);
    // 0.10+: pidns_init_start_ts and tty first, then the rest, up to exe_ino
    // (ctime, mtime, memfd, lower layer and pgid absent).
    let mut cur = Vec::new();
    cur.extend(u64le(555));
    cur.extend(u32le(34816));
    cur.extend_from_slice(&pre);
    cur.push(1); // exe_upper_layer
    cur.extend(u64le(4242)); // exe_ino
    cur.extend_from_slice(&[0xEE; 3]); // part of a field: ignored
    let partial = v9_entry(&cur);
    // Everything, plus bytes from a future version.
    let mut full = cur[..cur.len() - 3].to_vec();
    full.extend(u64le(11));
    full.extend(u64le(12));
    full.push(1);
    full.push(0);
    full.extend(i64le(77));
    full.extend_from_slice(b"future fields");
    let full = v9_entry(&full);

    let mut body = Vec::new();
    for e in [&bare, &pre010, &partial, &full] {
        body.extend_from_slice(e);
    }
    let md = read_md(&[block(0x215, &body)]);
    let t = &md.threads;
    assert_eq!(t.len(), 4);

    assert_eq!(t[0].loginuid, u32::MAX);
    assert_eq!(t[0].pidns_init_start_ts, 0);
    assert!(!t[0].exe_writable);

    assert_eq!(t[1].pidns_init_start_ts, 0);
    assert_eq!(t[1].tty, 0);
    assert_eq!(t[1].loginuid, 1000);
    assert!(t[1].exe_writable);
    assert_eq!(
        (t[1].cap_inheritable, t[1].cap_permitted, t[1].cap_effective),
        (0xA, 0xB, 0xC)
    );
    assert_eq!(t[1].exe_ino, 0);

    assert_eq!(t[2].pidns_init_start_ts, 555);
    assert_eq!(t[2].tty, 34816);
    assert_eq!(t[2].loginuid, 1000);
    assert_eq!(t[2].cap_effective, 0xC);
    assert!(t[2].exe_upper_layer);
    assert_eq!(t[2].exe_ino, 4242);
    assert_eq!(t[2].exe_ino_ctime, 0);
    assert_eq!(t[2].pgid, -1);

    assert_eq!((t[3].exe_ino_ctime, t[3].exe_ino_mtime), (11, 12));
    assert!(t[3].exe_from_memfd);
    assert!(!t[3].exe_lower_layer);
    assert_eq!(t[3].pgid, 77);
}

#[test]
fn fd_interface_and_user_lists_v1_with_legacy_ids() {
    // Two threads, FD lists V1 (no entry lengths) under both ids.
    let mut pl = Vec::new();
    pl.extend(pl_fields(1, 10));
    pl.extend(pl_fields(1, 20));
    let mut fdl = u64le(10);
    fdl.extend(i64le(3));
    fdl.extend(u64le(99));
    fdl.push(3); // IPv4 socket
    fdl.extend_from_slice(&[127, 0, 0, 1, 10, 0, 0, 2]);
    fdl.extend(u16le(5000));
    fdl.extend(u16le(80));
    fdl.push(l4::TCP);
    fdl.extend(i64le(4));
    fdl.extend(u64le(100));
    fdl.push(1); // legacy file: name only
    fdl.extend(str16(b"/var/log/x"));
    let mut fdl2 = u64le(20);
    fdl2.extend(i64le(0));
    fdl2.extend(u64le(1));
    fdl2.push(8); // unix
    fdl2.extend(u64le(0xAAAA));
    fdl2.extend(u64le(0xBBBB));
    fdl2.extend(str16(b"@abstract"));
    // A list for a tid missing from the process list.
    let mut fdl3 = u64le(30);
    fdl3.extend(i64le(7));
    fdl3.extend(u64le(1));
    fdl3.push(7);
    fdl3.extend(str16(b"pipe:[1]"));

    // Interface list V1: entries without a length.
    let mut il = Vec::new();
    il.extend(u16le(1));
    il.extend(u16le(2));
    il.extend_from_slice(&[127, 0, 0, 1, 255, 0, 0, 0, 127, 255, 255, 255]);
    il.extend(u64le(1000));
    il.extend_from_slice(b"lo");
    il.extend(u16le(4)); // IPv6 without link speed
    il.extend(u16le(4));
    il.extend_from_slice(&[0; 15]);
    il.push(1);
    il.extend_from_slice(&[0xff; 16]);
    il.extend_from_slice(&[0; 16]);
    il.extend_from_slice(b"eth0");

    // User list V1.
    let mut ul = vec![0u8];
    ul.extend(u32le(1000));
    ul.extend(u32le(100));
    ul.extend(str16(b"alice"));
    ul.extend(str16(b"/home/alice"));
    ul.extend(str16(b"/bin/zsh"));
    ul.push(1);
    ul.extend(u32le(100));
    ul.extend(str16(b"users"));

    let mut mi = u32le(2);
    mi.extend(u64le(1 << 30));
    mi.extend(u64le(32768));
    let mut host = b"old".to_vec();
    host.resize(128, 0);
    mi.extend(host);
    mi.extend(u64le(5));
    mi.extend([0u8; 24]);

    let md = read_md(&[
        block(0x8002_ABCD, &mi),
        block(0x8011_ABCD, &il),
        block(0x8012_ABCD, &ul),
        block(0x8000_ABCD, &pl),
        block(0x203, &fdl),
        block(0x8001_ABCD, &fdl2),
        block(0x203, &fdl3),
    ]);
    let m = md.machine.clone().unwrap();
    assert_eq!((m.num_cpus, m.max_pid, m.boot_ts_epoch), (2, 32768, 5));
    assert_eq!(m.hostname, "old");
    assert_eq!(md.interfaces.len(), 2);
    assert_eq!(md.interfaces[0].link_speed, Some(1000));
    assert_eq!(md.interfaces[1].link_speed, None);
    assert_eq!(md.interfaces[1].name, "eth0");
    match md.interfaces[1].addrs {
        InterfaceAddrs::V6 { addr, netmask, .. } => {
            assert_eq!(addr, std::net::Ipv6Addr::LOCALHOST);
            assert_eq!(u128::from(netmask), u128::MAX);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(md.users.len(), 1);
    assert_eq!(md.users[0].shell, "/bin/zsh");
    assert_eq!(md.groups[0].name, "users");
    assert_eq!(md.threads.len(), 3);
    let t10 = md.thread(10).unwrap();
    assert_eq!(
        t10.fds,
        vec![
            FdEntry {
                fd: 3,
                ino: 99,
                info: FdInfo::Ipv4 {
                    src: Ipv4Addr::LOCALHOST,
                    dst: Ipv4Addr::new(10, 0, 0, 2),
                    sport: 5000,
                    dport: 80,
                    l4proto: l4::TCP
                }
            },
            FdEntry {
                fd: 4,
                ino: 100,
                info: FdInfo::Named {
                    kind: NamedFdKind::File,
                    name: b"/var/log/x".to_vec()
                }
            }
        ]
    );
    assert_eq!(
        md.thread(20).unwrap().fds[0].info,
        FdInfo::Unix {
            source: 0xAAAA,
            dest: 0xBBBB,
            path: b"@abstract".to_vec()
        }
    );
    let orphan = md.thread(30).unwrap();
    assert_eq!(orphan.pid, 30);
    assert_eq!(orphan.fds.len(), 1);
}

#[test]
fn unknown_fd_type_in_fd_list_v1_is_an_error() {
    let mut v1 = u64le(1);
    v1.extend(i64le(3));
    v1.extend(u64le(1));
    v1.push(200);
    v1.extend_from_slice(b"????");
    let mut f = shb(1, 2);
    f.extend(block(0x203, &v1));
    assert!(matches!(
        Reader::new(&f[..]),
        Err(FileError::Malformed {
            block_type: 0x203,
            ..
        })
    ));
}

fn ev_v1_block(id: u32, cpu: u16, flags: Option<u32>, ev: &[u8]) -> Vec<u8> {
    let mut b = u16le(cpu);
    if let Some(f) = flags {
        b.extend(u32le(f));
    }
    b.extend_from_slice(ev);
    block(id, &b)
}

#[test]
fn v1_event_blocks_are_upgraded() {
    let params: [&[u8]; 2] = [&i64le(0), &i64le(7)];
    let close_v2 = event(10, 1, codes::PPME_SYSCALL_CLOSE_X, &params);
    let close_v1 = event_v1(10, 1, codes::PPME_SYSCALL_CLOSE_X, &params);
    assert_eq!(close_v1.len(), close_v2.len() - 4);
    // An old event that carried fewer parameters than today's schema:
    // nparams is inferred from the lengths (1 of the 4 of openat_2 enter).
    let short_v2 = event(11, 1, codes::PPME_SYSCALL_OPENAT_2_E, &[&i64le(-100)]);
    let short_v1 = event_v1(11, 1, codes::PPME_SYSCALL_OPENAT_2_E, &[&i64le(-100)]);
    // Notification events: old writers counted 3 bytes too many.
    let note_params: [&[u8]; 2] = [&cstr("id"), &cstr("hello")];
    let note_v2 = event(12, 1, codes::PPME_NOTIFICATION_E, &note_params);
    let mut note_v1 = event_v1(12, 1, codes::PPME_NOTIFICATION_E, &note_params);
    let bad_len = note_v1.len() as u32 + 3;
    note_v1[16..20].copy_from_slice(&bad_len.to_le_bytes());
    note_v1.extend_from_slice(&[0, 0, 0]);
    // Event bodies followed by trailing bytes (editcap comments): ignored.
    let mut commented = close_v1.clone();
    commented.extend_from_slice(b"\x01\x00\x04\x00note");

    let mut f = shb(1, 0);
    f.extend(ev_v1_block(0x204, 0, None, &close_v1));
    f.extend(ev_v1_block(0x8010_ABCD, 1, None, &short_v1));
    f.extend(ev_v1_block(0x208, 2, Some(1), &note_v1));
    f.extend(ev_v1_block(0x204, 3, None, &commented));
    let mut r = Reader::with_options(&f[..], ReaderOptions { convert: false }).unwrap();
    let mut got = Vec::new();
    while let Some(e) = r.next_event().unwrap() {
        got.push((e.cpu, e.flags, e.event.as_bytes().to_vec()));
    }
    assert_eq!(
        got,
        vec![
            (0, DumpFlags::empty(), close_v2.clone()),
            (1, DumpFlags::empty(), short_v2),
            (2, DumpFlags::STATE_ONLY, note_v2),
            (3, DumpFlags::empty(), close_v2),
        ]
    );
}

#[test]
fn v1_event_whose_lengths_fit_no_parameter_count_is_rejected() {
    let mut ev = event_v1(10, 1, codes::PPME_SYSCALL_CLOSE_X, &[&i64le(0), &i64le(7)]);
    // Declare one byte more than the parameters fill.
    ev.push(0);
    let l = ev.len() as u32;
    ev[16..20].copy_from_slice(&l.to_le_bytes());
    let mut f = shb(1, 0);
    f.extend(ev_v1_block(0x204, 0, None, &ev));
    let good = event(11, 1, codes::PPME_SYSCALL_CLOSE_X, &[&i64le(0), &i64le(8)]);
    f.extend(ev_block(0, &good));
    let mut r = Reader::new(&f[..]).unwrap();
    assert!(matches!(
        r.next_event(),
        Err(FileError::Malformed {
            block_type: 0x204,
            ..
        })
    ));
    // The bad block was consumed whole: the next one reads.
    assert_eq!(r.next_event().unwrap().unwrap().event.as_bytes(), &good[..]);
}
