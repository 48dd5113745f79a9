//! scap-open: capture raw events and report throughput and drops, like
//! Falco's libscap example of the same name. No parsing beyond counting: it
//! measures the capture path itself.
//!
//! ```text
//! scap-open [--syscalls a,b,c] [--duration S] [--events N] [--buffer BYTES] [--json] [-w FILE]
//! scap-open -r FILE [--json]
//! ```
//!
//! `-w` records the capture into a `.scap` file (gzip when the name ends in
//! `.gz`), starting with a /proc snapshot so the file is self-contained; `-r`
//! reads one and reports the same statistics.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Parser;
use scap::event::Event;
use scap::file::{snapshot, FileEngine, Writer};
use scap::schema::{self, codes};
use scap::{Config, Engine, LiveEngine, Next, Stats};
use serde_json::{json, Map, Value};

#[derive(Parser, Debug)]
#[command(
    version,
    about = "Capture raw events with the eBPF probe and report throughput and drops"
)]
struct Args {
    /// Comma-separated native syscall names to capture (plus `procexit`);
    /// default: every syscall and process exits.
    #[arg(long, value_delimiter = ',')]
    syscalls: Option<Vec<String>>,
    /// Stop after this many seconds.
    #[arg(long)]
    duration: Option<f64>,
    /// Stop after this many events.
    #[arg(long)]
    events: Option<u64>,
    /// Bytes per per-CPU ring (power of two, multiple of the page size).
    #[arg(long, default_value_t = scap::config::DEFAULT_RING_BYTES)]
    buffer: usize,
    /// Max bytes of I/O data captured per event.
    #[arg(long, default_value_t = scap::config::DEFAULT_SNAPLEN)]
    snaplen: u32,
    /// Print the final statistics as one JSON object on stdout (the
    /// per-second lines go to stderr).
    #[arg(long)]
    json: bool,
    /// No per-second lines.
    #[arg(long, short)]
    quiet: bool,
    /// Print every event (decoded parameters) to stderr.
    #[arg(long)]
    print: bool,
    /// Report what the running kernel supports and exit (status 0 when live
    /// capture is possible, 2 otherwise).
    #[arg(long)]
    check: bool,
    /// Read events from this capture file instead of capturing live.
    #[arg(
        short = 'r',
        long = "read",
        value_name = "FILE",
        conflicts_with = "write"
    )]
    read: Option<std::path::PathBuf>,
    /// Also write the captured events to this capture file (gzip if it ends in .gz).
    #[arg(short = 'w', long = "write", value_name = "FILE")]
    write: Option<std::path::PathBuf>,
}

static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    STOP.store(true, Ordering::Relaxed);
}

fn install_signal_handlers() {
    for sig in [libc::SIGINT, libc::SIGTERM] {
        // SAFETY: on_signal only stores to an atomic, which is
        // async-signal-safe; the handler has the signature signal() expects.
        unsafe {
            libc::signal(sig, on_signal as *const () as libc::sighandler_t);
        }
    }
}

/// Per-syscall counts without hashing: by event type, and for generic
/// events by the syscall they stand for.
struct Counts {
    by_type: Vec<u64>,
    generic_by_sc: Vec<u64>,
}

impl Counts {
    fn new() -> Counts {
        Counts {
            by_type: vec![0; schema::events().len()],
            generic_by_sc: vec![0; 1 << 16],
        }
    }

    #[inline]
    fn add(&mut self, ev: &Event<'_>) {
        let ty = ev.event_type();
        if ty == codes::PPME_GENERIC_X {
            if let Ok(b) = ev.param_bytes(0) {
                if b.len() == 2 {
                    self.generic_by_sc[u16::from_le_bytes([b[0], b[1]]) as usize] += 1;
                    return;
                }
            }
        }
        if let Some(c) = self.by_type.get_mut(ty as usize) {
            *c += 1;
        }
    }

    fn to_json(&self) -> Value {
        let mut v: Vec<(String, u64)> = Vec::new();
        for (ty, n) in self.by_type.iter().enumerate() {
            if *n > 0 {
                let info = schema::event_info(ty as u16);
                let name = info.map_or("unknown", |i| i.name);
                let dir = if ty & 1 == 0 { "enter" } else { "exit" };
                v.push((format!("{name}__{dir}"), *n));
            }
        }
        for (sc, n) in self.generic_by_sc.iter().enumerate() {
            if *n > 0 {
                let name = schema::ppm_sc_name(sc as u16).unwrap_or("unknown");
                v.push((format!("{name}__exit"), *n));
            }
        }
        let mut m = Map::new();
        for (k, n) in v {
            let total = m.get(&k).and_then(Value::as_u64).unwrap_or(0) + n;
            m.insert(k, json!(total));
        }
        Value::Object(m)
    }
}

/// CPU time (user + system) this process has used, in seconds.
fn cpu_seconds() -> f64 {
    // SAFETY: rusage is plain old data; getrusage fills it.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: ru is a valid out-pointer.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

fn stats_json(
    engine: &str,
    stats: &Stats,
    counts: &Counts,
    elapsed: Duration,
    cpu: f64,
    decode_errors: u64,
) -> Value {
    let t = &stats.total;
    let secs = elapsed.as_secs_f64();
    json!({
        "engine": engine,
        "duration_s": secs,
        "events": t.events,
        "bytes": t.bytes,
        "events_per_s": if secs > 0.0 { t.events as f64 / secs } else { 0.0 },
        "avg_event_bytes": if t.events > 0 { t.bytes as f64 / t.events as f64 } else { 0.0 },
        "attempted": t.attempted,
        "drops": stats.drops(),
        "drops_by_reason": {
            "buffer_full": t.drops_buffer,
            "max_event_size": t.drops_max_size,
            "no_ring": t.drops_no_ring,
            "probe_bug": t.drops_bug,
            "recursion_misses": stats.recursion_misses(),
        },
        "decode_errors": decode_errors,
        "consumer_cpu_s": cpu,
        "consumer_cpu_percent": if secs > 0.0 { 100.0 * cpu / secs } else { 0.0 },
        "consumer_ns_per_event": if t.events > 0 { cpu * 1e9 / t.events as f64 } else { 0.0 },
        "per_cpu": stats.cpus.iter().enumerate().map(|(cpu, c)| json!({
            "cpu": cpu, "events": c.events, "bytes": c.bytes, "attempted": c.attempted, "drops": c.drops(),
        })).collect::<Vec<_>>(),
        "programs": stats.programs.iter().map(|p| json!({
            "name": p.name, "recursion_misses": p.recursion_misses,
            "run_cnt": p.run_cnt, "run_time_ns": p.run_time_ns,
        })).collect::<Vec<_>>(),
        "per_syscall": counts.to_json(),
    })
}

fn print_text(v: &Value) {
    let g = |k: &str| v[k].clone();
    println!("---------------------- STATS ----------------------");
    println!("Elapsed: {:.3} s", g("duration_s").as_f64().unwrap_or(0.0));
    println!("Events read: {}", g("events"));
    println!(
        "Bytes read: {} (avg {:.1} B/event)",
        g("bytes"),
        g("avg_event_bytes").as_f64().unwrap_or(0.0)
    );
    println!("Events/s: {:.0}", g("events_per_s").as_f64().unwrap_or(0.0));
    println!("Kernel attempted: {}", g("attempted"));
    println!("Drops: {}", g("drops"));
    if let Some(m) = v["drops_by_reason"].as_object() {
        for (k, n) in m {
            println!("  {k}: {n}");
        }
    }
    println!("Decode errors: {}", g("decode_errors"));
    println!(
        "Consumer CPU: {:.1}% ({:.1} ns per event)",
        g("consumer_cpu_percent").as_f64().unwrap_or(0.0),
        g("consumer_ns_per_event").as_f64().unwrap_or(0.0)
    );
    println!("Per syscall:");
    if let Some(m) = v["per_syscall"].as_object() {
        for (k, n) in m {
            println!("  {k}: {n}");
        }
    }
}

fn check(json: bool) -> std::process::ExitCode {
    let s = scap::kernel_support();
    let missing = s.missing();
    if json {
        println!(
            "{}",
            json!({
                "kernel": s.release, "machine": s.machine, "btf": s.btf,
                "ringbuf": format!("{:?}", s.ringbuf), "tracing": format!("{:?}", s.tracing),
                "array_of_maps": format!("{:?}", s.array_of_maps), "privileged": s.privileged,
                "memlock": s.memlock, "memcg_accounting": s.memcg_accounting,
                "can_capture": s.can_capture(), "missing": missing,
            })
        );
    } else {
        println!("kernel {} ({})", s.release, s.machine);
        println!("  BTF ({}): {}", scap::support::VMLINUX_BTF, s.btf);
        println!("  BPF ring buffers: {:?}", s.ringbuf);
        println!("  tp_btf (tracing programs): {:?}", s.tracing);
        println!("  array of maps: {:?}", s.array_of_maps);
        println!("  privileged (root or CAP_BPF): {}", s.privileged);
        match s.memlock {
            None => println!("  RLIMIT_MEMLOCK: unlimited"),
            Some(b) => println!(
                "  RLIMIT_MEMLOCK: {b} bytes ({})",
                if s.memcg_accounting {
                    "irrelevant: BPF memory is charged to the memory cgroup"
                } else {
                    "BPF maps are charged to it"
                }
            ),
        }
        if missing.is_empty() {
            println!("live capture: possible");
        } else {
            println!("live capture: not possible; missing:");
            for m in &missing {
                println!("  - {m}");
            }
        }
    }
    if s.can_capture() {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::from(2)
    }
}

/// Where captured events also go.
type FileWriter = Writer<Box<dyn std::io::Write>>;

fn open_writer(path: &std::path::Path) -> anyhow::Result<FileWriter> {
    let f = std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let out: Box<dyn std::io::Write> = Box::new(std::io::BufWriter::with_capacity(1 << 20, f));
    let gz = path.extension().is_some_and(|e| e == "gz");
    let mut w = if gz {
        Writer::new_gzip(out)?
    } else {
        Writer::new(out)?
    };
    // The state at the start, so that the file stands on its own.
    let meta = snapshot::snapshot(&snapshot::SnapshotOptions::default())
        .context("taking the /proc snapshot")?;
    w.write_metadata(&meta)?;
    Ok(w)
}

/// The capture loop, the same for every engine.
fn run<E: Engine>(
    engine: &mut E,
    args: &Args,
    mut writer: Option<&mut FileWriter>,
) -> anyhow::Result<(u64, Counts, u64, Duration, f64)> {
    let log = |s: String| {
        if args.json {
            eprintln!("{s}");
        } else {
            println!("{s}");
        }
    };
    let start = Instant::now();
    let cpu_start = cpu_seconds();
    let deadline = args.duration.map(|d| start + Duration::from_secs_f64(d));
    let mut counts = Counts::new();
    let mut n: u64 = 0;
    let mut decode_errors = 0u64;
    let mut last_tick = start;
    let mut last_n = 0u64;
    // Checking the clock costs more than reading an event: do it every 1024.
    let mut until_check = 0u32;
    loop {
        match engine.next() {
            Ok(Next::Event { cpu, event }) => {
                n += 1;
                counts.add(&event);
                if args.print {
                    eprintln!("{event:?}");
                }
                if let Some(w) = writer.as_deref_mut() {
                    w.write_event(cpu, &event)?;
                }
                if args.events.is_some_and(|max| n >= max) {
                    break;
                }
                if until_check > 0 {
                    until_check -= 1;
                    continue;
                }
                until_check = 1024;
            }
            Ok(Next::Timeout) => {}
            Ok(Next::Eof) => break,
            Err(scap::Error::Decode(e)) => {
                decode_errors += 1;
                if decode_errors <= 5 {
                    eprintln!("malformed event: {e}");
                }
            }
            Err(e) => return Err(e).context("reading events"),
        }
        if STOP.load(Ordering::Relaxed) {
            break;
        }
        let now = Instant::now();
        if deadline.is_some_and(|d| now >= d) {
            break;
        }
        if now.duration_since(last_tick) >= Duration::from_secs(1) {
            if !args.quiet {
                let secs = now.duration_since(last_tick).as_secs_f64();
                log(format!("events/s: {:.0}", (n - last_n) as f64 / secs));
            }
            last_tick = now;
            last_n = n;
        }
    }
    Ok((
        n,
        counts,
        decode_errors,
        start.elapsed(),
        cpu_seconds() - cpu_start,
    ))
}

fn report(args: &Args, v: &Value) {
    if args.json {
        println!("{v}");
    } else {
        print_text(v);
    }
}

fn main() -> anyhow::Result<std::process::ExitCode> {
    let args = Args::parse();
    if args.check {
        return Ok(check(args.json));
    }
    install_signal_handlers();
    if let Some(path) = &args.read {
        let mut engine =
            FileEngine::open(path).with_context(|| format!("opening {}", path.display()))?;
        let (_, counts, decode_errors, elapsed, cpu) = run(&mut engine, &args, None)?;
        let stats = engine.stats()?;
        report(
            &args,
            &stats_json("file", &stats, &counts, elapsed, cpu, decode_errors),
        );
        return Ok(std::process::ExitCode::SUCCESS);
    }
    let config = Config {
        syscalls: args.syscalls.clone(),
        ring_bytes: args.buffer,
        snaplen: args.snaplen,
        ..Config::default()
    };
    let opened = Instant::now();
    let mut engine = LiveEngine::open(config).context("opening the live capture")?;
    let open_time = opened.elapsed();
    if !args.quiet {
        let msg = format!(
            "probe loaded and attached in {:.1} ms",
            open_time.as_secs_f64() * 1e3
        );
        if args.json {
            eprintln!("{msg}");
        } else {
            println!("{msg}");
        }
    }
    let mut writer = match &args.write {
        Some(p) => Some(open_writer(p)?),
        None => None,
    };
    let (_, counts, decode_errors, elapsed, cpu) = run(&mut engine, &args, writer.as_mut())?;
    let stats = engine.stats().context("reading statistics")?;
    if let Some(w) = writer {
        let events = w.events_written();
        w.finish().context("finishing the capture file")?;
        if !args.quiet {
            eprintln!(
                "wrote {events} events to {}",
                args.write
                    .as_ref()
                    .map_or(String::new(), |p| p.display().to_string())
            );
        }
    }
    report(
        &args,
        &stats_json("live", &stats, &counts, elapsed, cpu, decode_errors),
    );
    Ok(std::process::ExitCode::SUCCESS)
}
