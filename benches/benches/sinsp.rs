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

/// Events served from one contiguous buffer, in order, as a ring or a file
/// buffer would hold them: an engine that costs next to nothing.
struct VecEngine<'a> {
    events: &'a Events,
    at: usize,
}

/// (cpu, offset) of each event in `bytes`.
struct Events {
    bytes: Vec<u8>,
    index: Vec<(u16, usize)>,
}

impl Engine for VecEngine<'_> {
    #[inline]
    fn next(&mut self) -> scap::Result<Next<'_>> {
        match self.events.index.get(self.at) {
            Some(&(cpu, off)) => {
                self.at += 1;
                Ok(Next::Event {
                    cpu,
                    event: Event::parse(&self.events.bytes[off..])?,
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

fn load() -> (Metadata, Events) {
    let mut f = FileEngine::open(SAMPLE).expect("sample");
    let meta = f.metadata().clone();
    let mut evs = Events {
        bytes: Vec::new(),
        index: Vec::new(),
    };
    while let Next::Event { cpu, event } = f.next().expect("event") {
        evs.index.push((cpu, evs.bytes.len()));
        evs.bytes.extend_from_slice(event.as_bytes());
    }
    (meta, evs)
}

fn bench(c: &mut Criterion) {
    let (meta, evs) = load();
    let mut g = c.benchmark_group("sinsp");
    g.throughput(Throughput::Elements(evs.index.len() as u64));
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
                black_box(n);
                // Dropped outside the measurement.
                insp
            },
            BatchSize::LargeInput,
        )
    });
    // The same capture without the events that change state (clone, exec,
    // exit, open, close, socket, ...): what a plain event costs.
    let plain = {
        let mut p = Events {
            bytes: Vec::new(),
            index: Vec::new(),
        };
        for &(cpu, off) in &evs.index {
            let e = Event::parse(&evs.bytes[off..]).expect("event");
            let changes = e.info().is_some_and(|i| {
                i.flags.intersects(
                    scap::schema::EventFlags::MODIFIES_STATE
                        | scap::schema::EventFlags::CREATES_FD
                        | scap::schema::EventFlags::DESTROYS_FD,
                )
            }) || e.event_type() == scap::schema::codes::PPME_PROCEXIT_1_E;
            if !changes {
                p.index.push((cpu, p.bytes.len()));
                p.bytes.extend_from_slice(e.as_bytes());
            }
        }
        p
    };
    g.throughput(Throughput::Elements(plain.index.len() as u64));
    g.bench_function("parse_and_update_plain_events", |b| {
        b.iter_batched(
            || {
                Inspector::with_metadata(
                    VecEngine {
                        events: &plain,
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
                black_box(n);
                insp
            },
            BatchSize::LargeInput,
        )
    });
    println!("plain events: {} of {}", plain.index.len(), evs.index.len());
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
