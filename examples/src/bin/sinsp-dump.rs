//! sinsp-dump: a sysdig-like event dumper over the crates.
//!
//! ```text
//! sinsp-dump [-r FILE] [-w FILE] [-j] [-p FORMAT] [-n N] [-M SECONDS] [-s SNAPLEN] [-l] [FILTER...]
//! ```
//!
//! Events come from the live probe, or from a capture file with `-r`; the
//! inspector gives them meaning (process, fd, user, container); the filter
//! (the trailing arguments, in the Falco language) picks the ones to show; the
//! format (`-p`, or sysdig's default line) prints them, as JSON with `-j`.
//!
//! Live, the probe only captures the syscalls the filter's `evt.type` terms
//! name, plus the ones the state tables learn from: `evt.type = getppid`
//! costs the rest of the machine nothing.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Parser;
use scap::file::{snapshot, Writer};
use scap::schema::Arch;
use scap::{Config, Engine};
use sinsp::filter::Filter;
use sinsp::format::Formatter;
use sinsp::state::Limits;
use sinsp::{Inspector, SinspNext};

/// sysdig's default line: number, time, cpu, process (thread), direction,
/// type, arguments. `*`: print even when a field is missing.
const DEFAULT_FORMAT: &str =
    "*%evt.num %evt.time %evt.cpu %proc.name (%thread.tid) %evt.dir %evt.type %evt.info";

/// Where the bundled sample lives, for the hint when live capture is not possible.
const SAMPLE: &str = "samples/sample.scap";

#[derive(Parser, Debug)]
#[command(
    version,
    about = "Print system events, live or from a capture file, filtered with the Falco language",
    after_help = "Examples:\n  sinsp-dump evt.type=openat and proc.name=cat\n  sinsp-dump -r samples/sample.scap -j -p \"%evt.num %evt.type %proc.name %fd.name\" \"evt.type in (openat, execve)\"\n  sinsp-dump -l"
)]
struct Args {
    /// Read events from this capture file instead of capturing live.
    #[arg(short = 'r', long = "read", value_name = "FILE")]
    read: Option<PathBuf>,
    /// Write the events that pass the filter (plus those the state tables
    /// need) to this capture file (gzip if the name ends in .gz).
    #[arg(short = 'w', long = "write", value_name = "FILE")]
    write: Option<PathBuf>,
    /// Print events as JSON objects, one per line, keyed by field name.
    #[arg(short = 'j', long = "json")]
    json: bool,
    /// Output format: `%field` tokens and literal text; a leading `*` prints
    /// events whose fields are missing too (as `<NA>`).
    #[arg(short = 'p', long = "print", value_name = "FORMAT")]
    format: Option<String>,
    /// Stop after printing this many events.
    #[arg(short = 'n', long = "numevents", value_name = "N")]
    count: Option<u64>,
    /// Stop after this many seconds.
    #[arg(short = 'M', value_name = "SECONDS")]
    seconds: Option<f64>,
    /// Bytes of I/O data captured per event (live).
    #[arg(short = 's', long = "snaplen", default_value_t = scap::config::DEFAULT_SNAPLEN)]
    snaplen: u32,
    /// List the fields usable in filters and formats, and exit.
    #[arg(short = 'l', long = "list")]
    list: bool,
    /// No summary on stderr at the end.
    #[arg(short = 'q', long = "quiet")]
    quiet: bool,
    /// The filter, in the Falco language (the arguments are joined with spaces).
    #[arg(
        value_name = "FILTER",
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    filter: Vec<String>,
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

/// Where kept events go.
type FileWriter = Writer<Box<dyn Write>>;

fn open_writer(path: &Path, meta: &scap::file::Metadata) -> anyhow::Result<FileWriter> {
    let f = std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let out: Box<dyn Write> = Box::new(BufWriter::with_capacity(1 << 20, f));
    let mut w = if path.extension().is_some_and(|e| e == "gz") {
        Writer::new_gzip(out)?
    } else {
        Writer::new(out)?
    };
    w.write_metadata(meta)?;
    Ok(w)
}

/// What the loop saw.
#[derive(Default)]
struct Totals {
    read: u64,
    shown: u64,
    written: u64,
}

/// Reads, filters, prints and writes until the source ends, `-n` events were
/// shown, `-M` seconds passed or a signal came.
fn run<E: Engine>(
    inspector: &mut Inspector<E>,
    args: &Args,
    filter: Option<&Filter>,
    formatter: &Formatter,
    mut writer: Option<&mut FileWriter>,
) -> anyhow::Result<Totals> {
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(64 << 10, stdout.lock());
    let deadline = args
        .seconds
        .map(|s| Instant::now() + Duration::from_secs_f64(s));
    let mut t = Totals::default();
    let mut line = String::with_capacity(256);
    loop {
        if STOP.load(Ordering::Relaxed) || deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
        let ev = match inspector.next().context("reading events")? {
            SinspNext::Event(ev) => ev,
            SinspNext::Timeout => {
                // Nothing to read: let what was printed reach the reader.
                out.flush()?;
                continue;
            }
            SinspNext::Eof => break,
        };
        t.read += 1;
        let pass = filter.is_none_or(|f| f.matches(&ev));
        if let Some(w) = writer.as_deref_mut() {
            if pass || sinsp::parse::is_state_event(ev.raw.event_type()) {
                w.write_event(ev.cpu, &ev.raw)?;
                t.written += 1;
            }
        }
        if !pass {
            continue;
        }
        if args.json {
            // As an io::Error, so that a closed pipe is recognised as one.
            serde_json::to_writer(&mut out, &formatter.to_json(&ev))
                .map_err(std::io::Error::from)?;
            out.write_all(b"\n")?;
        } else {
            line.clear();
            if !formatter.format(&ev, &mut line) {
                continue;
            }
            line.push('\n');
            out.write_all(line.as_bytes())?;
        }
        t.shown += 1;
        if args.count.is_some_and(|n| t.shown >= n) {
            break;
        }
    }
    out.flush()?;
    Ok(t)
}

/// Explains why live capture cannot run here and how to use a capture instead.
fn cannot_capture(missing: &[String]) -> std::process::ExitCode {
    eprintln!("sinsp-dump: live capture is not possible on this machine:");
    for m in missing {
        eprintln!("  - {m}");
    }
    eprintln!(
        "Read a capture file instead, e.g. the bundled sample:\n  sinsp-dump -r {SAMPLE} [FILTER]"
    );
    std::process::ExitCode::from(2)
}

/// The text with a caret under byte `pos` (single-line text only).
fn caret(text: &str, pos: usize) -> String {
    let col = text.get(..pos).map_or(0, |s| s.chars().count());
    format!("  {text}\n  {}^", " ".repeat(col))
}

fn main() -> std::process::ExitCode {
    match dump() {
        Ok(code) => code,
        Err(e) => {
            // `sinsp-dump ... | head` closing the pipe is a normal way to stop.
            let broken_pipe = e
                .chain()
                .filter_map(|c| c.downcast_ref::<std::io::Error>())
                .any(|io| io.kind() == std::io::ErrorKind::BrokenPipe);
            if broken_pipe {
                return std::process::ExitCode::SUCCESS;
            }
            eprintln!("sinsp-dump: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn dump() -> anyhow::Result<std::process::ExitCode> {
    let args = Args::parse();
    if args.list {
        print!("{}", sinsp::fields::registry().text());
        return Ok(std::process::ExitCode::SUCCESS);
    }
    let text = args.filter.join(" ");
    let filter = if text.trim().is_empty() {
        None
    } else {
        match Filter::compile(&text) {
            Ok(f) => Some(f),
            Err(e) if text.contains('\n') => anyhow::bail!("filter: {e}"),
            Err(e) => anyhow::bail!("filter: {e}\n{}", caret(&text, e.pos)),
        }
    };
    let format = args.format.as_deref().unwrap_or(DEFAULT_FORMAT);
    let formatter = match Formatter::new(format) {
        Ok(f) => f,
        Err(e) => anyhow::bail!("format: {e}\n{}", caret(format, e.pos)),
    };
    install_signal_handlers();

    let (totals, drops) = if let Some(path) = &args.read {
        let mut insp =
            Inspector::open_file(path).with_context(|| format!("opening {}", path.display()))?;
        let mut writer = match &args.write {
            Some(p) => Some(open_writer(p, insp.engine().metadata())?),
            None => None,
        };
        let t = run(
            &mut insp,
            &args,
            filter.as_ref(),
            &formatter,
            writer.as_mut(),
        )?;
        if let Some(w) = writer {
            w.finish().context("finishing the capture file")?;
        }
        (t, None)
    } else {
        let support = scap::kernel_support();
        if !support.can_capture() {
            return Ok(cannot_capture(&support.missing()));
        }
        let config = Config {
            syscalls: Arch::native().and_then(|arch| {
                sinsp::parse::syscall_set(arch, filter.as_ref()?.event_types().as_ref())
            }),
            snaplen: args.snaplen,
            ..Config::default()
        };
        let selected = match &config.syscalls {
            Some(v) => v.len(),
            None => Arch::native().map_or(0, |a| a.syscalls().len()),
        };
        let engine = scap::LiveEngine::open(config).context("opening the live capture")?;
        if !args.quiet {
            eprintln!("sinsp-dump: capturing live ({selected} syscalls)");
        }
        // The snapshot follows the attach, so nothing falls between the two.
        let meta =
            snapshot::snapshot(&snapshot::SnapshotOptions::default()).context("reading /proc")?;
        let mut writer = match &args.write {
            Some(p) => Some(open_writer(p, &meta)?),
            None => None,
        };
        let mut insp = Inspector::with_metadata(engine, &meta, Limits::default());
        let t = run(
            &mut insp,
            &args,
            filter.as_ref(),
            &formatter,
            writer.as_mut(),
        )?;
        if let Some(w) = writer {
            w.finish().context("finishing the capture file")?;
        }
        let stats = insp.engine().stats().context("reading statistics")?;
        (t, Some(stats.drops()))
    };
    if !args.quiet {
        let mut s = format!("{} events read, {} shown", totals.read, totals.shown);
        if args.write.is_some() {
            s += &format!(", {} written", totals.written);
        }
        if let Some(d) = drops {
            s += &format!(", {d} dropped by the kernel");
        }
        eprintln!("{s}");
    }
    Ok(std::process::ExitCode::SUCCESS)
}
