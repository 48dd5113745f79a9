//! The state layer on the bundled sample capture:
//!
//! * `sinsp/parse_and_update`: the inspector's work per event (thread and
//!   process lookup, parsers, fd resolution), fed from memory so that file
//!   reading is not counted;
//! * `sinsp/extract/<field>`: extracting typical fields from one event.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use scap::Event;
use scap_benches::{load_sample, Events, VecEngine};
use sinsp::fields::BoundField;
use sinsp::state::Limits;
use sinsp::{Inspector, SinspNext};

fn bench(c: &mut Criterion) {
    let (meta, evs) = load_sample();
    let mut g = c.benchmark_group("sinsp");
    g.throughput(Throughput::Elements(evs.index.len() as u64));
    g.bench_function("parse_and_update", |b| {
        b.iter_batched(
            || Inspector::with_metadata(VecEngine::new(&evs), &meta, Limits::default()),
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
        let mut p = Events::default();
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
                p.push(cpu, &e);
            }
        }
        p
    };
    g.throughput(Throughput::Elements(plain.index.len() as u64));
    g.bench_function("parse_and_update_plain_events", |b| {
        b.iter_batched(
            || Inspector::with_metadata(VecEngine::new(&plain), &meta, Limits::default()),
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
