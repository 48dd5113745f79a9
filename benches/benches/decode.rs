//! Event decoding: header validation, then every parameter decoded into a
//! typed value, for the events that dominate real traffic.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use scap::event::{Event, EventBuilder};
use scap::schema::codes;

fn events() -> Vec<(&'static str, Vec<u8>)> {
    let generic = EventBuilder::new(codes::PPME_GENERIC_X, 1, 2)
        .u16(41)
        .u16(110)
        .build();
    let openat = EventBuilder::new(codes::PPME_SYSCALL_OPENAT_2_X, 1, 2)
        .u64(3)
        .u64(-100i64 as u64)
        .str("/etc/ld.so.cache")
        .u32(1 | 4096)
        .u32(0)
        .u32(0x800001)
        .u64(1234567)
        .build();
    let mut tuple = vec![2u8];
    tuple.extend_from_slice(&[127, 0, 0, 1, 0x10, 0x9c, 127, 0, 0, 1, 0x50, 0]);
    let connect = EventBuilder::new(codes::PPME_SOCKET_CONNECT_X, 1, 2)
        .u64(0)
        .raw(&tuple)
        .u64(5)
        .raw(&[2, 127, 0, 0, 1, 0x50, 0])
        .build();
    let mut exec = EventBuilder::new(codes::PPME_SYSCALL_EXECVE_19_X, 1, 2)
        .u64(0)
        .str("ls")
        .raw(b"-l\0--color=auto\0/tmp\0")
        .u64(100)
        .u64(100)
        .u64(99)
        .str("/home/user")
        .u64(1024)
        .u64(0)
        .u64(120)
        .u32(5000)
        .u32(2000)
        .u32(0)
        .str("ls")
        .raw(b"cpuset=/\0memory=/user.slice\0unified=/user.slice/user-1000.slice\0")
        .raw(b"HOME=/home/user\0PATH=/usr/bin:/bin\0LANG=C.UTF-8\0TERM=xterm\0");
    for v in [34816u32, 0, 1000] {
        exec = exec.u32(v);
    }
    exec = exec.u64(1000).u32(1);
    for v in [
        0u64,
        0x1ff,
        0x1ff,
        777,
        1_700_000_000_000_000_000,
        1_700_000_000_000_000_000,
    ] {
        exec = exec.u64(v);
    }
    let exec = exec
        .u32(1000)
        .str("/usr/bin/ls")
        .u64(1000)
        .u32(1000)
        .str("/usr/bin/ls")
        .build();
    vec![
        ("generic", generic),
        ("openat", openat),
        ("connect", connect),
        ("execve", exec),
    ]
}

fn decode_all(buf: &[u8]) -> usize {
    let e = Event::parse(buf).expect("valid event");
    let mut n = 0;
    for p in e.params() {
        if p.value().is_ok() {
            n += 1;
        }
    }
    n
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("decode");
    g.throughput(Throughput::Elements(1));
    for (name, buf) in events() {
        g.bench_function(format!("parse_header/{name}"), |b| {
            b.iter(|| Event::parse(black_box(&buf)).map(|e| e.event_type()))
        });
        g.bench_function(format!("parse_and_decode_all/{name}"), |b| {
            b.iter(|| decode_all(black_box(&buf)))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
