//! Hostile and broken input: every failure is a typed error with the right
//! offset, never a panic, a hang or a huge allocation.

#[path = "file_helpers.rs"]
mod helpers;

use helpers::*;
use scap::file::*;
use scap::schema::codes;

/// A small valid capture: metadata and three events. Returns the bytes and
/// the offsets where each block starts (plus the end).
fn sample() -> (Vec<u8>, Vec<usize>) {
    let mut w = Writer::new(Vec::new()).unwrap();
    w.write_machine_info(&MachineInfo {
        num_cpus: 4,
        hostname: "h".into(),
        ..MachineInfo::default()
    })
    .unwrap();
    w.write_users(
        &[UserEntry {
            uid: 0,
            gid: 0,
            name: "root".into(),
            homedir: "/root".into(),
            shell: "/bin/sh".into(),
        }],
        &[GroupEntry {
            gid: 0,
            name: "root".into(),
        }],
    )
    .unwrap();
    w.write_threads(&[ThreadEntry {
        tid: 5,
        pid: 5,
        comm: b"x".to_vec(),
        fds: vec![FdEntry {
            fd: 1,
            ino: 2,
            info: FdInfo::File {
                open_flags: 1,
                path: b"/a".to_vec(),
                dev: 3,
            },
        }],
        ..ThreadEntry::default()
    }])
    .unwrap();
    for i in 0..3u64 {
        let ev = event(
            100 + i,
            5,
            codes::PPME_SYSCALL_OPENAT_2_X,
            &[
                &i64le(3),
                &i64le(-100),
                &cstr("/etc/x"),
                &u32le(1),
                &u32le(0),
                &u32le(0),
                &u64le(i),
            ],
        );
        w.write_raw_event(i as u16, &ev).unwrap();
    }
    let bytes = w.finish().unwrap();
    let mut bounds = Vec::new();
    let mut off = 0;
    while off < bytes.len() {
        bounds.push(off);
        off += u32::from_le_bytes(bytes[off + 4..off + 8].try_into().unwrap()) as usize;
    }
    bounds.push(off);
    (bytes, bounds)
}

#[test]
fn truncation_at_every_offset() {
    let (bytes, bounds) = sample();
    let first_event_block = bounds.len() - 1 - 3;
    for cut in 0..bytes.len() {
        let r = read_all(&bytes[..cut]);
        if cut == 0 {
            assert!(matches!(r, Err(FileError::Empty)), "cut {cut}: {r:?}");
        } else if cut < 8 {
            assert!(
                matches!(r, Err(FileError::NotScap { .. })),
                "cut {cut}: {r:?}"
            );
        } else if let Some(i) = bounds.iter().position(|b| *b == cut) {
            // A cut between blocks is a shorter, valid file.
            let events = r.unwrap_or_else(|e| panic!("cut {cut}: {e}"));
            assert_eq!(
                events.len(),
                i.saturating_sub(first_event_block),
                "cut {cut}"
            );
        } else {
            // Inside a block: an error naming the block that starts before
            // the cut.
            let start = *bounds.iter().rev().find(|b| **b < cut).unwrap();
            match r {
                Err(FileError::Truncated { offset, .. }) => {
                    assert_eq!(offset as usize, start, "cut {cut}")
                }
                other => panic!("cut {cut}: {other:?}"),
            }
        }
    }
}

#[test]
fn truncated_gzip_never_panics_and_fails() {
    let (plain, _) = sample();
    let mut w = Writer::new_gzip(Vec::new()).unwrap();
    let md = Reader::new(&plain[..]).unwrap().metadata().clone();
    w.write_metadata(&md).unwrap();
    let gz = w.finish().unwrap();
    assert!(read_all(&gz).is_ok());
    for cut in 0..gz.len() {
        // A gzip stream cut anywhere lacks its trailer: always an error.
        assert!(read_all(&gz[..cut]).is_err(), "cut {cut}");
    }
}

#[test]
fn garbage_gzip_is_an_io_error() {
    let mut junk = vec![0x1f, 0x8b];
    let mut rng = Rng(0x1234_5678_9abc_def1);
    junk.extend((0..500).map(|_| rng.next_u64() as u8));
    match Reader::new(&junk[..]) {
        Err(FileError::Io { offset: 0, .. }) => {}
        other => panic!("{other:?}"),
    }
    // Valid gzip of something that is not a capture.
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut enc, b"hello, this is not a scap file").unwrap();
    let gz = enc.finish().unwrap();
    assert!(matches!(
        Reader::new(&gz[..]),
        Err(FileError::NotScap { found: 0x6c6c_6568 })
    ));
}

#[test]
fn bad_section_header() {
    let (mut bytes, _) = sample();
    bytes[8] ^= 0xff;
    assert!(matches!(
        Reader::new(&bytes[..]),
        Err(FileError::BadMagic { offset: 8, .. })
    ));

    let (mut bytes, _) = sample();
    // Major version 2: newer than this reader.
    bytes[12] = 2;
    assert!(matches!(
        Reader::new(&bytes[..]),
        Err(FileError::UnsupportedVersion { major: 2, minor: 2 })
    ));

    let (mut bytes, _) = sample();
    bytes[0] = 0x99;
    assert!(matches!(
        Reader::new(&bytes[..]),
        Err(FileError::NotScap { .. })
    ));

    // Byte-swapped (big-endian) magic: rejected like libscap does.
    let mut sh = shb(1, 2);
    sh[8..12].copy_from_slice(&0x1A2B_3C4Du32.to_be_bytes());
    assert!(matches!(
        Reader::new(&sh[..]),
        Err(FileError::BadMagic { .. })
    ));

    // SHB options (as editcap adds) are skipped.
    let mut body = 0x1A2B_3C4Du32.to_le_bytes().to_vec();
    body.extend_from_slice(&[1, 0, 2, 0]);
    body.extend_from_slice(&u64::MAX.to_le_bytes());
    body.extend_from_slice(&[
        1, 0, 5, 0, b'h', b'e', b'l', b'l', b'o', 0, 0, 0, 0, 0, 0, 0,
    ]);
    let mut f = block(0x0A0D_0D0A, &body);
    let ev = event(1, 2, codes::PPME_SYSCALL_CLOSE_X, &[&i64le(0), &i64le(1)]);
    f.extend(ev_block(0, &ev));
    assert_eq!(read_all(&f).unwrap(), vec![ev]);
}

#[test]
fn bad_block_lengths() {
    let (bytes, bounds) = sample();
    let mi = bounds[1];
    let ev = bounds[bounds.len() - 2];
    for (at, len) in [
        (mi, 4u32),
        (mi, 11),
        (mi, 0xFFFF_FFF0),
        (ev, 70_000),
        (ev, 0),
    ] {
        let mut b = bytes.clone();
        b[at + 4..at + 8].copy_from_slice(&len.to_le_bytes());
        let r = read_all(&b);
        match r {
            Err(FileError::BadBlockLength { offset, len: l, .. }) => {
                assert_eq!(offset as usize, at);
                assert_eq!(l, len);
            }
            other => panic!("len {len} at {at}: {other:?}"),
        }
    }
    // A length that fits the cap but not the data: truncated, and nothing
    // near that size was allocated (the body is read as it arrives).
    let mut b = bytes.clone();
    b[mi + 4..mi + 8].copy_from_slice(&(200u32 << 20).to_le_bytes());
    assert!(
        matches!(read_all(&b), Err(FileError::Truncated { offset, .. }) if offset as usize == mi)
    );
    // An unknown block claiming 4 GiB is skipped by streaming: truncated.
    let mut b = bytes[..bounds[1]].to_vec();
    b.extend_from_slice(&0x7777u32.to_le_bytes());
    b.extend_from_slice(&u32::MAX.to_le_bytes());
    b.extend_from_slice(&[0; 64]);
    assert!(matches!(
        read_all(&b),
        Err(FileError::Truncated {
            block_type: 0x7777,
            ..
        })
    ));
}

#[test]
fn bad_trailers() {
    let (bytes, bounds) = sample();
    for w in bounds.windows(2) {
        let (start, end) = (w[0], w[1]);
        let mut b = bytes.clone();
        b[end - 1] ^= 0x40;
        match read_all(&b) {
            Err(FileError::BadTrailer {
                offset,
                len,
                trailer,
                ..
            }) => {
                assert_eq!(offset as usize, start);
                assert_eq!(len as usize, end - start);
                assert_ne!(trailer, len);
            }
            other => panic!("block at {start}: {other:?}"),
        }
    }
}

#[test]
fn malformed_metadata_entries_are_errors_with_offsets() {
    // A process list whose entry length points past the block.
    let mut pl = Vec::new();
    pl.extend(u32le(10_000));
    pl.extend(u64le(1));
    let mut f = shb(1, 2);
    let pl_at = f.len();
    f.extend(block(0x215, &pl));
    match Reader::new(&f[..]) {
        Err(FileError::Malformed {
            offset,
            block_type: 0x215,
            ..
        }) => {
            assert_eq!(offset as usize, pl_at + 8 + 4)
        }
        other => panic!("{other:?}"),
    }
    // An FD entry length smaller than its own field: no infinite loop.
    let mut fdl = u64le(1);
    fdl.extend(u32le(0));
    fdl.extend(u32le(0));
    let mut f = shb(1, 2);
    f.extend(block(0x218, &fdl));
    assert!(matches!(
        Reader::new(&f[..]),
        Err(FileError::Malformed {
            block_type: 0x218,
            ..
        })
    ));
    // A machine-info block that is too short.
    let mut f = shb(1, 2);
    f.extend(block(0x201, &[0; 40]));
    assert!(matches!(
        Reader::new(&f[..]),
        Err(FileError::Malformed {
            block_type: 0x201,
            ..
        })
    ));
    // A string running past its entry.
    let mut ul = Vec::new();
    let mut entry = vec![0u8];
    entry.extend(u32le(0));
    entry.extend(u32le(0));
    entry.extend(u16le(500));
    entry.extend(b"root");
    ul.extend(u32le(entry.len() as u32 + 4));
    ul.extend(entry);
    let mut f = shb(1, 2);
    f.extend(block(0x220, &ul));
    assert!(matches!(
        Reader::new(&f[..]),
        Err(FileError::Malformed {
            block_type: 0x220,
            ..
        })
    ));
}

#[test]
fn bad_events_are_reported_and_skipped() {
    let good = event(1, 2, codes::PPME_SYSCALL_CLOSE_X, &[&i64le(0), &i64le(1)]);
    let mut lying = good.clone();
    lying[16..20].copy_from_slice(&5000u32.to_le_bytes()); // len past the block
    let mut too_many = good.clone();
    too_many[22..26].copy_from_slice(&1000u32.to_le_bytes()); // nparams
    let mut overflow = good.clone();
    overflow[26..28].copy_from_slice(&60000u16.to_le_bytes()); // a param length
    let mut f = shb(1, 2);
    let mut offsets = Vec::new();
    for ev in [
        &good,
        &lying,
        &good,
        &too_many,
        &overflow,
        &good[..10].to_vec(),
        &good,
    ] {
        offsets.push(f.len());
        f.extend(ev_block(0, ev));
    }
    let mut r = Reader::new(&f[..]).unwrap();
    let mut outcome = Vec::new();
    loop {
        match r.next_event() {
            Ok(Some(e)) => outcome.push(Ok(e.event.as_bytes().to_vec())),
            Ok(None) => break,
            Err(FileError::BadEvent { offset, .. }) => outcome.push(Err(offset as usize)),
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(
        outcome,
        vec![
            Ok(good.clone()),
            Err(offsets[1]),
            Ok(good.clone()),
            Err(offsets[3]),
            Err(offsets[4]),
            Err(offsets[5]),
            Ok(good.clone()),
        ]
    );
}

#[test]
fn unknown_blocks_and_event_types_are_skipped() {
    let good = event(1, 2, codes::PPME_SYSCALL_CLOSE_X, &[&i64le(0), &i64le(1)]);
    let future = event(2, 2, 600, &[&u64le(1)]);
    let mut f = shb(1, 2);
    f.extend(block(0x5555, b"metadata from the future"));
    f.extend(ev_block(0, &future));
    f.extend(ev_block(0, &good));
    f.extend(block(0x6666, b"!"));
    f.extend(ev_block(1, &good));
    let mut r = Reader::new(&f[..]).unwrap();
    let mut n = 0;
    while let Some(e) = r.next_event().unwrap() {
        assert_eq!(e.event.as_bytes(), &good[..]);
        n += 1;
    }
    assert_eq!(n, 2);
    let c = r.counters();
    assert_eq!(c.unknown_blocks, 2);
    assert_eq!(c.unknown_types, 1);
    assert_eq!(c.event_blocks, 3);
}

#[test]
fn metadata_among_events_is_an_unexpected_block() {
    let good = event(1, 2, codes::PPME_SYSCALL_CLOSE_X, &[&i64le(0), &i64le(1)]);
    let mut f = shb(1, 2);
    f.extend(ev_block(0, &good));
    let at = f.len();
    f.extend(shb(1, 2)); // a concatenated second capture
    f.extend(ev_block(0, &good));
    let mut r = Reader::new(&f[..]).unwrap();
    assert!(r.next_event().unwrap().is_some());
    match r.next_event() {
        Err(FileError::UnexpectedBlock { offset, block_type }) => {
            assert_eq!(offset as usize, at);
            assert_eq!(block_type, 0x0A0D_0D0A);
        }
        other => panic!("{other:?}"),
    }
    // The block was consumed: reading goes on.
    assert!(r.next_event().unwrap().is_some());
    assert!(r.next_event().unwrap().is_none());
}

#[test]
fn fatal_errors_end_the_stream() {
    let (mut bytes, bounds) = sample();
    let ev2 = bounds[bounds.len() - 3];
    bytes[ev2 + 4..ev2 + 8].copy_from_slice(&3u32.to_le_bytes());
    let mut r = Reader::new(&bytes[..]).unwrap();
    assert!(r.next_event().unwrap().is_some());
    assert!(matches!(
        r.next_event(),
        Err(FileError::BadBlockLength { .. })
    ));
    assert!(r.next_event().unwrap().is_none());
    assert!(r.next_event().unwrap().is_none());
}

#[test]
fn random_mutations_never_panic() {
    let (bytes, _) = sample();
    let mut gzw = Writer::new_gzip(Vec::new()).unwrap();
    let md = Reader::new(&bytes[..]).unwrap().metadata().clone();
    gzw.write_metadata(&md).unwrap();
    let gz = gzw.finish().unwrap();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut errors = 0;
    for round in 0..3000 {
        let mut b = if round % 5 == 0 {
            gz.clone()
        } else {
            bytes.clone()
        };
        for _ in 0..1 + rng.below(4) {
            let at = rng.below(b.len());
            match rng.below(4) {
                0 => b[at] ^= 1 << rng.below(8),
                1 => b[at] = rng.next_u64() as u8,
                2 => {
                    // Plant a large length where a length might be.
                    let v = (rng.next_u64() as u32).to_le_bytes();
                    let end = (at + 4).min(b.len());
                    b[at..end].copy_from_slice(&v[..end - at]);
                }
                _ => b.truncate(at.max(1)),
            }
        }
        let (_, e) = read_lenient(&b);
        errors += e;
    }
    // The mutations do break things (and the reader notices).
    assert!(errors > 1000, "{errors}");
}
