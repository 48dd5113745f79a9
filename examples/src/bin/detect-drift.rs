//! detect-drift: a small detector, written as a tutorial for building on the
//! crates. It watches every program start and raises a Falco-shaped JSON
//! alert, one per line, when the program's executable
//!
//! * lives in the upper (writable) layer of an overlay filesystem: it was
//!   written into a container after the image was built ("drift");
//! * is an anonymous memfd: the program never touched the disk ("fileless");
//! * changed only seconds before the process started ("dropped and run").
//!
//! ```text
//! detect-drift [-r FILE] [-M SECONDS] [--within SECONDS]
//! ```

use std::collections::BTreeSet;
use std::io::Write;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Parser;
use serde_json::json;
use sinsp::filter::{Definitions, Filter};
use sinsp::format::Formatter;
use sinsp::{Inspector, SinspNext};

#[derive(Parser)]
#[command(
    about = "Alert on executables from overlay upper layers, memfds, or freshly written files"
)]
struct Args {
    /// Replay this capture file instead of watching live.
    #[arg(short = 'r', value_name = "FILE")]
    read: Option<std::path::PathBuf>,
    /// Stop after this many seconds.
    #[arg(short = 'M', value_name = "SECONDS")]
    seconds: Option<f64>,
    /// "Freshly written": the executable changed at most this long before
    /// its process started.
    #[arg(long, default_value_t = 10)]
    within: u64,
}

/// A rule: a name, a priority, a condition and an output, as in Falco.
struct Rule {
    name: &'static str,
    priority: &'static str,
    condition: String,
    output: String,
}

// Step 1: the rules, in the Falco language. `spawned_process` is a macro, as
// in Falco's rule files; the conditions refer to it by name.
fn rules(within_s: u64) -> Vec<Rule> {
    // What every alert says about the process.
    const CONTEXT: &str = "exe=%proc.exepath cmdline=%proc.cmdline pid=%proc.pid \
                           ppid=%proc.ppid user=%user.name container=%container.id";
    vec![
        Rule {
            name: "Drop and execute new binary in container",
            priority: "Critical",
            condition: "spawned_process and proc.is_exe_upper_layer = true".into(),
            output: format!("Executable from an overlay upper layer run ({CONTEXT})"),
        },
        Rule {
            name: "Fileless execution via memfd_create",
            priority: "Critical",
            condition: "spawned_process and proc.is_exe_from_memfd = true".into(),
            output: format!("Program run from a memfd ({CONTEXT})"),
        },
        Rule {
            name: "Executable created or modified just before it ran",
            priority: "Warning",
            // 0 means "not known" (a process the capture saw start only
            // through /proc), as in libsinsp.
            condition: format!(
                "spawned_process and proc.is_exe_from_memfd = false \
                 and proc.exe_ino.ctime_duration_proc_start > 0 \
                 and proc.exe_ino.ctime_duration_proc_start < {}",
                within_s * 1_000_000_000
            ),
            output: format!(
                "Freshly written executable run \
                 (changed_ns_before_start=%proc.exe_ino.ctime_duration_proc_start {CONTEXT})"
            ),
        },
    ]
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();

    // Step 2: compile each condition and output once, up front: errors point
    // at the position in the condition.
    let mut defs = Definitions::default();
    defs.add_macro(
        "spawned_process",
        // A failed exec (a shell or compiler searching PATH) spawns nothing.
        "evt.type in (execve, execveat) and evt.dir = < and evt.arg.res = 0",
    );
    let mut compiled = Vec::new();
    for r in rules(args.within) {
        let filter = Filter::compile_with(&r.condition, &defs)
            .with_context(|| format!("rule {:?}", r.name))?;
        let output = Formatter::new(&r.output)?;
        compiled.push((r, filter, output));
    }

    // Step 3: open a source. Live, the probe captures only what the rules
    // look at plus what the process table needs.
    if let Some(path) = &args.read {
        let insp = Inspector::open_file(path)?;
        return watch(insp, &compiled, args.seconds);
    }
    let support = scap::kernel_support();
    if !support.can_capture() {
        anyhow::bail!(
            "live capture is not possible here ({}); try -r samples/sample.scap",
            support.missing().join("; ")
        );
    }
    let arch = scap::schema::Arch::native().context("unsupported architecture")?;
    // The event types any rule can match (None if one can match any type).
    let wanted = compiled
        .iter()
        .try_fold(BTreeSet::new(), |mut all, (_, f, _)| {
            all.extend(f.event_types()?);
            Some(all)
        });
    let config = scap::Config {
        syscalls: sinsp::parse::syscall_set(arch, wanted.as_ref()),
        ..scap::Config::default()
    };
    let insp = Inspector::live(config).context("starting the live capture")?;
    eprintln!("detect-drift: watching ({} rules)", compiled.len());
    watch(insp, &compiled, args.seconds)
}

// Step 4: the loop. Every event goes through every rule; a match becomes one
// JSON line in Falco's alert shape.
fn watch<E: scap::Engine>(
    mut insp: Inspector<E>,
    rules: &[(Rule, Filter, Formatter)],
    seconds: Option<f64>,
) -> anyhow::Result<()> {
    let deadline = seconds.map(|s| Instant::now() + Duration::from_secs_f64(s));
    let mut out = std::io::stdout().lock();
    let mut text = String::new();
    while deadline.is_none_or(|d| Instant::now() < d) {
        let ev = match insp.next()? {
            SinspNext::Event(ev) => ev,
            SinspNext::Timeout => continue,
            SinspNext::Eof => break,
        };
        for (rule, filter, output) in rules {
            if !filter.matches(&ev) {
                continue;
            }
            text.clear();
            output.format(&ev, &mut text);
            let time = sinsp::fields::rfc3339_utc(ev.raw.ts());
            let alert = json!({
                "time": time,
                "rule": rule.name,
                "priority": rule.priority,
                "output": format!("{}: {} {}", time, rule.priority, text),
                "output_fields": output.to_json(&ev),
            });
            writeln!(out, "{alert}")?;
            out.flush()?;
        }
    }
    Ok(())
}
