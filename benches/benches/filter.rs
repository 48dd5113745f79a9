//! The filter language on the bundled sample capture:
//!
//! * `filter/compile/<rule>`: compiling a typical Falco condition;
//! * `filter/replay/*`: the capture replayed from memory through an
//!   inspector (the state is real), with nothing more (`inspector_only`),
//!   with the condition evaluated on every event (`match_x1`), and
//!   evaluated 16 times on every event (`match_x16`). The evaluation cost
//!   per event is `(match_x16 - inspector_only) / 16`, which the
//!   repetition makes large against the replay's noise;
//! * `filter/format`: rendering a Falco output line for one event.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use scap::file::Metadata;
use scap_benches::{load_sample, Events, VecEngine};
use sinsp::state::Limits;
use sinsp::{Filter, Formatter, Inspector, SinspEvent, SinspNext};

/// A spawned-process rule in Falco's style: the event-type gate, a
/// 30-name `in` list, parent exclusions, a `startswith`, an `or` group and
/// some cheap tail checks — 10 checks in all.
pub const SPAWN_RULE: &str = "evt.type in (execve, execveat) and evt.rawres = 0 \
and proc.name in (bash, sh, dash, zsh, ksh, csh, tcsh, fish, busybox, python, python3, perl, ruby, \
node, php, lua, nc, ncat, netcat, socat, curl, wget, ssh, scp, sftp, telnet, base64, xxd, \
dropped, patched) \
and not proc.pname in (systemd, containerd-shim, runc, dockerd, sshd, cron, crond, anacron, \
supervisord, tini) \
and (proc.exepath startswith /tmp/ or proc.is_exe_upper_layer = true or proc.is_exe_from_memfd = true) \
and not user.name = nobody \
and not proc.cmdline contains \"--version\"";

/// An open rule that reaches its fd checks on many more events: read
/// access to files under sensitive directories by unexpected programs.
pub const OPEN_RULE: &str = "evt.type in (open, openat, openat2) and evt.rawres >= 0 \
and evt.is_open_read = true \
and fd.name pmatch (/etc, /root/.ssh, /var/lib/docker) \
and not fd.name startswith /etc/ld.so \
and not proc.name in (bash, sh, dash, zsh, sudo, su, login, sshd, systemd, cron, python3, \
perl, ruby, node, java, dockerd, containerd, runc, kubelet, cat, less, more, sed, awk, head, tail, \
id, whoami, find, stat) \
and not proc.pname in (systemd, containerd-shim) \
and not fd.name glob '/etc/*.conf'";

/// Replays the capture, calling `per_event` on each event; returns a value
/// that depends on every call.
fn replay<'a>(
    meta: &Metadata,
    evs: &'a Events,
    mut per_event: impl FnMut(&SinspEvent<'_>) -> u64,
) -> (Inspector<VecEngine<'a>>, u64) {
    let mut insp = Inspector::with_metadata(VecEngine::new(evs), meta, Limits::default());
    let mut acc = 0u64;
    while let SinspNext::Event(e) = insp.next().expect("event") {
        acc = acc.wrapping_add(per_event(&e));
    }
    (insp, acc)
}

fn bench(c: &mut Criterion) {
    let (meta, evs) = load_sample();
    let n = evs.index.len() as u64;

    let mut g = c.benchmark_group("filter/compile");
    for (name, rule) in [("spawn_rule", SPAWN_RULE), ("open_rule", OPEN_RULE)] {
        g.bench_function(name, |b| {
            b.iter(|| Filter::compile(black_box(rule)).expect("compiles"))
        });
    }
    g.finish();

    for (name, rule) in [("spawn_rule", SPAWN_RULE), ("open_rule", OPEN_RULE)] {
        let f = Filter::compile(rule).expect("compiles");
        // How far the events get into the condition.
        let (_, hits) = replay(&meta, &evs, |e| u64::from(f.matches(e)));
        println!("{name}: {hits} of {n} events match");

        let mut g = c.benchmark_group(format!("filter/replay/{name}"));
        g.throughput(Throughput::Elements(n));
        g.bench_function("inspector_only", |b| {
            b.iter_batched(
                || (),
                |()| {
                    let (insp, acc) = replay(&meta, &evs, |e| u64::from(e.fd.is_some()));
                    black_box(acc);
                    insp
                },
                BatchSize::LargeInput,
            )
        });
        g.bench_function("match_x1", |b| {
            b.iter_batched(
                || (),
                |()| {
                    let (insp, acc) = replay(&meta, &evs, |e| u64::from(f.matches(black_box(e))));
                    black_box(acc);
                    insp
                },
                BatchSize::LargeInput,
            )
        });
        g.bench_function("match_x16", |b| {
            b.iter_batched(
                || (),
                |()| {
                    let (insp, acc) = replay(&meta, &evs, |e| {
                        let mut k = 0;
                        for _ in 0..16 {
                            k += u64::from(f.matches(black_box(e)));
                        }
                        k
                    });
                    black_box(acc);
                    insp
                },
                BatchSize::LargeInput,
            )
        });
        g.finish();
    }

    // One Falco output line for an openat event of the workload's shell.
    let fmt = Formatter::new(
        "*%evt.time: Warning Sensitive file opened for reading (file=%fd.name user=%user.name \
         process=%proc.name proc_exepath=%proc.exepath parent=%proc.pname command=%proc.cmdline \
         container_id=%container.id)",
    )
    .expect("format");
    let mut insp = Inspector::with_metadata(
        VecEngine {
            events: &evs,
            at: 0,
        },
        &meta,
        Limits::default(),
    );
    let mut g = c.benchmark_group("filter/format");
    g.throughput(Throughput::Elements(1));
    loop {
        match insp.next().expect("event") {
            SinspNext::Event(e)
                if e.raw.event_type() == scap::schema::codes::PPME_SYSCALL_OPENAT_2_X
                    && e.fd.is_some() =>
            {
                let mut out = String::with_capacity(512);
                g.bench_function("falco_line", |b| {
                    b.iter(|| {
                        out.clear();
                        black_box(fmt.format(black_box(&e), &mut out))
                    })
                });
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
