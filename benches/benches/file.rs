//! Reading a capture file: the bundled sample, decompressed once into memory
//! and rewritten uncompressed, read back through the file engine (block
//! framing, validation, event parsing), then again decoding every parameter.

use std::io::Cursor;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use scap::file::{FileEngine, ReaderOptions, Writer};
use scap::{Engine, Next};

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../samples/sample.scap");

fn plain_capture() -> (Vec<u8>, u64) {
    let mut src = FileEngine::open(SAMPLE).expect("sample");
    let mut w = Writer::new(Vec::new()).expect("writer");
    w.write_metadata(&src.metadata().clone()).expect("metadata");
    let mut n = 0;
    loop {
        match src.next().expect("sample event") {
            Next::Event { cpu, event } => {
                w.write_event(cpu, &event).expect("write");
                n += 1;
            }
            Next::Timeout => {}
            Next::Eof => break,
        }
    }
    (w.finish().expect("finish"), n)
}

fn bench(c: &mut Criterion) {
    let (bytes, n) = plain_capture();
    let mut g = c.benchmark_group("file");
    g.throughput(Throughput::Elements(n));
    g.bench_function("read_sample_events", |b| {
        b.iter(|| {
            let mut e = FileEngine::from_reader(Cursor::new(&bytes[..]), ReaderOptions::default())
                .expect("open");
            let mut count = 0u64;
            while let Next::Event { event, .. } = e.next().expect("event") {
                count += u64::from(event.event_type() & 1);
            }
            count
        })
    });
    // The same, with every parameter of every event decoded to its typed
    // value (what a dumper or a converter does).
    g.bench_function("read_and_decode_every_parameter", |b| {
        b.iter(|| {
            let mut e = FileEngine::from_reader(Cursor::new(&bytes[..]), ReaderOptions::default())
                .expect("open");
            let mut count = 0u64;
            while let Next::Event { event, .. } = e.next().expect("event") {
                for p in event.params() {
                    count += u64::from(p.value().is_ok());
                }
            }
            count
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
