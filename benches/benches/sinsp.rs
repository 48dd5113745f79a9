//! The state layer on the bundled sample capture:
//!
//! * `sinsp/parse_and_update`: the inspector's work per event (thread and
//!   process lookup, parsers, fd resolution), fed from memory so that file
//!   reading is not counted;
//! * `sinsp/extract/<field>`: extracting typical fields from one event.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use scap::file::{FileEngine, Metadata};
use scap::{Engine, Event, Next};
use sinsp::fields::BoundField;
use sinsp::state::Limits;
use sinsp::{Inspector, SinspNext};

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../samples/sample.scap");

/// Events served from memory, in order: an engine that costs next to nothing.
struct VecEngine<'a> {
    events: &'a [(u16, Vec<u8>)],
    at: usize,
}

impl Engine for VecEngine<'_> {
    #[inline]
    fn next(&mut self) -> scap::Result<Next<'_>> {
        match self.events.get(self.at) {
            Some((cpu, b)) => {
                self.at += 1;
                Ok(Next::Event {
                    cpu: *cpu,
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

fn load() -> (Metadata, Vec<(u16, Vec<u8>)>) {
    let mut f = FileEngine::open(SAMPLE).expect("sample");
    let meta = f.metadata().clone();
    let mut evs = Vec::new();
    while let Next::Event { cpu, event } = f.next().expect("event") {
        evs.push((cpu, event.as_bytes().to_vec()));
    }
    (meta, evs)
}

fn bench(c: &mut Criterion) {
    let (meta, evs) = load();
    let mut g = c.benchmark_group("sinsp");
    g.throughput(Throughput::Elements(evs.len() as u64));
    g.bench_function("parse_and_update", |b| {
        b.iter_batched(
            || {
                Inspector::with_metadata(
                    VecEngine {
                        events: &evs,
                        at: 0,
                    },
                    &meta,
                    Limits::default(),
                )
            },
            |mut insp| {
                let mut n = 0u64;
                while let SinspNext::Event(e) = insp.next().expect("event") {
                    n += u64::from(e.fd.is_some());
                }
                black_box(n)
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();

    // One openat event of the workload's shell, with its fd resolved.
    let mut insp = Inspector::with_metadata(
        VecEngine {
            events: &evs,
            at: 0,
        },
        &meta,
        Limits::default(),
    );
    let mut g = c.benchmark_group("sinsp/extract");
    g.throughput(Throughput::Elements(1));
    loop {
        match insp.next().expect("event") {
            SinspNext::Event(e)
                if e.raw.event_type() == scap::schema::codes::PPME_SYSCALL_OPENAT_2_X
                    && e.fd.is_some() =>
            {
                for field in [
                    "proc.name",
                    "fd.name",
                    "evt.type",
                    "proc.exepath",
                    "user.name",
                    "container.id",
                    "proc.pname",
                    "fd.directory",
                ] {
                    let f = BoundField::parse(field).expect("field");
                    assert!(f.extract(&e).is_some(), "{field} has a value");
                    g.bench_function(field, |b| b.iter(|| black_box(f.extract(black_box(&e)))));
                }
                break;
            }
            SinspNext::Eof => panic!("no openat with an fd in the sample"),
            _ => {}
        }
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
