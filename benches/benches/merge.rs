//! The per-CPU ring merge over in-memory rings laid out like the kernel's:
//! the cost per event as the number of rings grows from 2 to 64. Each
//! iteration drains rings holding 64 Ki events in total, interleaved by
//! timestamp so that every step changes the winning ring.
//!
//! `merge/K` is our merger; `scan/K` is the reference design (Falco's
//! libpman): every event, look at every ring's head and take the oldest.

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use scap::merge::Merger;
use scap::ring::{Head, MemRing, Ring};

const EVENTS: u64 = 64 * 1024;
const BODY: usize = 40; // a 40-byte event takes 48 bytes in the ring

fn fill(rings: &[MemRing]) {
    let k = rings.len() as u64;
    let mut rec = [0u8; BODY];
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    for ts in 0..EVENTS {
        // Random ring, global clock: realistic interleaving.
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        rec[..8].copy_from_slice(&ts.to_le_bytes());
        assert!(rings[(x % k) as usize].push(&rec, false), "ring full");
    }
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("merge");
    g.throughput(Throughput::Elements(EVENTS));
    g.measurement_time(Duration::from_secs(4));
    for k in [2usize, 4, 8, 16, 32, 64] {
        // Big enough for all events landing in one ring.
        let rings: Vec<MemRing> = (0..k).map(|_| MemRing::new(8 << 20)).collect();
        let mut merger = Merger::new(rings.iter().map(MemRing::reader).collect());
        g.bench_with_input(BenchmarkId::from_parameter(k), &k, |b, _| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    fill(&rings);
                    let start = Instant::now();
                    let mut n = 0u64;
                    let mut sum = 0u64;
                    while let Some((ring, rec)) = merger.next().expect("healthy rings") {
                        sum = sum.wrapping_add(rec[0] as u64 + ring as u64);
                        n += 1;
                    }
                    total += start.elapsed();
                    assert_eq!(n, EVENTS);
                    std::hint::black_box(sum);
                }
                total
            })
        });
    }
    g.finish();
}

/// The O(k) reference: scan every ring head for the oldest, every event.
fn scan_drain(rings: &mut [Ring]) -> (u64, u64) {
    let (mut n, mut sum) = (0u64, 0u64);
    loop {
        let mut best: Option<(u64, usize, usize)> = None;
        for (i, r) in rings.iter_mut().enumerate() {
            if let Ok(Head::Record(rec)) = r.peek() {
                let ts = u64::from_le_bytes(rec[..8].try_into().unwrap_or([0; 8]));
                if best.is_none_or(|b| ts < b.0) {
                    best = Some((ts, i, rec.len()));
                }
            }
        }
        let Some((ts, i, len)) = best else {
            return (n, sum);
        };
        sum = sum.wrapping_add(ts + i as u64);
        rings[i].advance(len);
        n += 1;
    }
}

fn bench_scan(c: &mut Criterion) {
    let mut g = c.benchmark_group("scan");
    g.throughput(Throughput::Elements(EVENTS));
    g.measurement_time(Duration::from_secs(4));
    for k in [2usize, 4, 8, 16, 32, 64] {
        let rings: Vec<MemRing> = (0..k).map(|_| MemRing::new(8 << 20)).collect();
        let mut readers: Vec<Ring> = rings.iter().map(MemRing::reader).collect();
        g.bench_with_input(BenchmarkId::from_parameter(k), &k, |b, _| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    fill(&rings);
                    let start = Instant::now();
                    let (n, sum) = scan_drain(&mut readers);
                    total += start.elapsed();
                    assert_eq!(n, EVENTS);
                    std::hint::black_box(sum);
                    for r in &mut readers {
                        r.publish();
                    }
                }
                total
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench, bench_scan);
criterion_main!(benches);
