//! Upgrades events of old layouts to the current schema, so consumers only
//! ever see current events (the role of libscap's savefile converter).
//!
//! The conversion is driven by the schema tables, not written per event:
//!
//! * **Target.** Every event code maps to the current event (neither
//!   `OLD_VERSION` nor `UNUSED`) of the same direction whose identifier has
//!   the same stem once the version suffix is dropped (`PPME_SOCKET_ACCEPT4_5_X`
//!   → stem `PPME_SOCKET_ACCEPT4` → `PPME_SOCKET_ACCEPT4_6_X`), or failing that
//!   of the same event name: e.g. `PPME_SYSCALL_EXECVE_8_X`…`_18_X` →
//!   `EXECVE_19_X`, `CLONE_11/16/17_X` → `CLONE_20_X`, `FORK_X`/`FORK_17_X` →
//!   `FORK_20_X`, `OPENAT_X` (v1) → `OPENAT_2_X`, `ACCEPT_X` → `ACCEPT_5_X`,
//!   `ACCEPT4_X`/`SOCKET_ACCEPT4_5_X` → `ACCEPT4_6_X`, `PROCEXIT_E` →
//!   `PROCEXIT_1_E`. (The stem comes first because the schema names the old
//!   accept4 events "accept".) A current event maps to itself.
//! * **Enter events** that feed a current exit event are remembered per
//!   thread (one slot per tid, replaced by the thread's next enter event,
//!   consumed by its exit). An old enter event with no current enter event of
//!   its own (most of them since libs 0.22) is *not delivered*: its
//!   parameters reach the consumer through the exit event. Enter events that
//!   are still current (open, openat, openat2, creat, connect) are delivered;
//!   old ones that have a current enter counterpart (`OPENAT_E` v1,
//!   `PROCEXIT_E`) are delivered converted to it.
//! * **Exit events** are rewritten when their code is old, or when they carry
//!   fewer parameters than the schema (pre-0.22 captures, where the exit
//!   lacked what lived in the enter event). For each parameter of the target,
//!   in order: the exit's parameter of that name, else the stored enter
//!   event's parameter of that name (only if that enter event feeds the same
//!   current exit event), else an empty (length 0, "not collected")
//!   parameter.
//!
//! What is *not* converted:
//! * parameters whose value must be computed rather than copied (libscap's
//!   converter fills some with defaults, e.g. a flags value derived from
//!   another parameter): they come out empty;
//! * parameters renamed between versions, except `bpf`'s `res_or_fd` → `fd`
//!   (the one rename in the schema's history that the name match misses);
//! * `PPME_CONTAINER_E` (the pre-JSON container event): it shares no
//!   parameter with its successor and is delivered unchanged;
//! * events with more parameters than the schema (written by a newer
//!   producer) are delivered unchanged.
//!
//! Converted events are built in a buffer owned by the converter and reused
//! from event to event.

use std::collections::HashMap;
use std::sync::OnceLock;

use scap_schema::{codes, event_info, events, EventInfo, HEADER_LEN};

use crate::event::{Event, MAX_PARAMS};

/// Parameters renamed between event versions: (old code, old name, new name).
const RENAMED: &[(u16, &str, &str)] = &[(codes::PPME_SYSCALL_BPF_X, "res_or_fd", "fd")];

/// Enter events remembered at once, at most; past this, pending enters are
/// forgotten (their exits are then converted without them).
const MAX_STORED_ENTERS: usize = 64 * 1024;
/// Bytes of remembered enter events, at most.
const MAX_STORED_BYTES: usize = 64 << 20;

struct Tables {
    /// Code → the current code it converts to.
    target: Vec<Option<u16>>,
    /// Enter code → the current exit event its parameters feed.
    exit_of: Vec<Option<u16>>,
}

fn is_current(e: &EventInfo) -> bool {
    !e.is_old_version() && !e.is_unused()
}

/// The identifier without direction and version: `PPME_SOCKET_ACCEPT4_5_X` →
/// `PPME_SOCKET_ACCEPT4`. Versions of one event share it.
fn stem(ident: &str) -> &str {
    let s = ident
        .strip_suffix("_E")
        .or_else(|| ident.strip_suffix("_X"))
        .unwrap_or(ident);
    match s.rsplit_once('_') {
        Some((head, v)) if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) => head,
        _ => s,
    }
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let mut by_stem: HashMap<(&str, bool), u16> = HashMap::new();
        let mut by_name: HashMap<(&str, bool), u16> = HashMap::new();
        for e in events().iter().filter(|e| is_current(e)) {
            by_stem
                .entry((stem(e.ident), e.is_enter()))
                .or_insert(e.code);
            by_name.entry((e.name, e.is_enter())).or_insert(e.code);
        }
        // The versions of an event share the identifier's stem; the schema
        // also names some old versions after a sibling (the old accept4
        // events are called "accept"), so the stem is tried first and the
        // name second.
        let lookup = |e: &EventInfo, enter: bool| {
            by_stem
                .get(&(stem(e.ident), enter))
                .or_else(|| by_name.get(&(e.name, enter)))
                .copied()
        };
        let target = events()
            .iter()
            .map(|e| {
                if e.is_unused() {
                    return None;
                }
                if is_current(e) {
                    return Some(e.code);
                }
                let t = lookup(e, e.is_enter())?;
                let tinfo = event_info(t)?;
                // An old event that shares no parameter with its successor
                // is a different thing under the same name: leave it alone.
                let shares = e.params.is_empty()
                    || e.params
                        .iter()
                        .any(|p| tinfo.param_index(renamed(e.code, p.name)).is_some());
                shares.then_some(t)
            })
            .collect();
        let exit_of = events()
            .iter()
            .map(|e| {
                if e.is_enter() && !e.is_unused() {
                    lookup(e, false)
                } else {
                    None
                }
            })
            .collect();
        Tables { target, exit_of }
    })
}

fn renamed(code: u16, name: &'static str) -> &'static str {
    RENAMED
        .iter()
        .find(|(c, old, _)| *c == code && *old == name)
        .map_or(name, |(_, _, new)| new)
}

/// The index of the parameter of `info` (of event `code`) that carries the
/// current parameter called `name`.
fn source_index(code: u16, info: &EventInfo, name: &str) -> Option<usize> {
    info.params
        .iter()
        .position(|p| renamed(code, p.name) == name)
}

/// The current exit event whose missing parameters enter event `code`
/// supplies.
fn exit_of(code: u16) -> Option<u16> {
    tables().exit_of.get(usize::from(code)).copied().flatten()
}

/// The current event code that `code` converts to (itself when current).
/// `None` for unused codes and for old events with no current successor.
pub fn current_code(code: u16) -> Option<u16> {
    tables().target.get(usize::from(code)).copied().flatten()
}

/// What [`Converter::process`] decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Deliver the event unchanged.
    Pass,
    /// Deliver [`Converter::converted`] instead.
    Converted,
    /// Deliver nothing: an old enter event, kept for its exit.
    Consumed,
}

#[derive(Default)]
struct Slot {
    /// The slot holds an enter event not yet consumed.
    valid: bool,
    bytes: Vec<u8>,
}

/// Rewrites old event layouts into current ones (see the module docs).
#[derive(Default)]
pub struct Converter {
    enters: HashMap<u64, Slot>,
    stored_bytes: usize,
    out: Vec<u8>,
    converted: u64,
    consumed: u64,
}

impl Converter {
    /// A converter with no pending enter events.
    pub fn new() -> Converter {
        Converter::default()
    }

    /// Events rewritten so far.
    pub fn converted_count(&self) -> u64 {
        self.converted
    }

    /// Old enter events absorbed (not delivered) so far.
    pub fn consumed_count(&self) -> u64 {
        self.consumed
    }

    /// The last converted event's bytes.
    pub(crate) fn converted(&self) -> &[u8] {
        &self.out
    }

    /// Forgets every pending enter event.
    pub fn reset(&mut self) {
        self.enters.clear();
        self.stored_bytes = 0;
    }

    /// Looks at one event and decides what to deliver.
    pub(crate) fn process(&mut self, ev: &Event<'_>) -> Outcome {
        let code = ev.event_type();
        let Some(info) = ev.info() else {
            return Outcome::Pass;
        };
        let t = tables();
        let target = current_code(code);
        if ev.is_enter() {
            if t.exit_of
                .get(usize::from(code))
                .copied()
                .flatten()
                .is_some()
            {
                self.store(ev);
            }
            return match target {
                None if info.is_old_version() => {
                    self.consumed += 1;
                    Outcome::Consumed
                }
                None => Outcome::Pass,
                Some(tc) => self.maybe_build(ev, tc, None),
            };
        }
        let enter = self.take_enter(ev.tid());
        let Some(tc) = target else {
            return Outcome::Pass;
        };
        // The slot is consumed either way; parse it only if it is needed.
        let enter_bytes = enter.then(|| self.enters.get(&ev.tid())).flatten();
        let enter_ev = enter_bytes
            .and_then(|s| Event::parse(&s.bytes).ok())
            .filter(|e| exit_of(e.event_type()) == Some(tc));
        let outcome = Self::decide(ev, tc).then(|| {
            build(&mut self.out, ev, tc, enter_ev.as_ref());
        });
        match outcome {
            Some(()) => {
                self.converted += 1;
                Outcome::Converted
            }
            None => Outcome::Pass,
        }
    }

    /// Whether `ev` needs rewriting into `target`.
    fn decide(ev: &Event<'_>, target: u16) -> bool {
        let want = event_info(target).map_or(0, |i| i.params.len());
        ev.event_type() != target || (ev.nparams() as usize) < want
    }

    fn maybe_build(&mut self, ev: &Event<'_>, target: u16, enter: Option<&Event<'_>>) -> Outcome {
        if Self::decide(ev, target) {
            build(&mut self.out, ev, target, enter);
            self.converted += 1;
            Outcome::Converted
        } else {
            Outcome::Pass
        }
    }

    /// Marks the tid's slot consumed; true if it held an event.
    fn take_enter(&mut self, tid: u64) -> bool {
        match self.enters.get_mut(&tid) {
            Some(s) if s.valid => {
                s.valid = false;
                true
            }
            _ => false,
        }
    }

    fn store(&mut self, ev: &Event<'_>) {
        let bytes = ev.as_bytes();
        if !self.enters.contains_key(&ev.tid())
            && (self.enters.len() >= MAX_STORED_ENTERS
                || self.stored_bytes + bytes.len() > MAX_STORED_BYTES)
        {
            // A flood of threads that never exit (or a hostile file): forget
            // the pending enters rather than grow without bound.
            self.reset();
        }
        let slot = self.enters.entry(ev.tid()).or_default();
        let before = slot.bytes.capacity();
        slot.bytes.clear();
        slot.bytes.extend_from_slice(bytes);
        slot.valid = true;
        self.stored_bytes =
            self.stored_bytes - before.min(self.stored_bytes) + slot.bytes.capacity();
    }
}

/// Writes into `out` the event `target` built from `ev` and, for the
/// parameters `ev` lacks, from `enter`.
fn build(out: &mut Vec<u8>, ev: &Event<'_>, target: u16, enter: Option<&Event<'_>>) {
    let Some(tinfo) = event_info(target) else {
        return;
    };
    let mut src: [&[u8]; MAX_PARAMS as usize] = [&[]; MAX_PARAMS as usize];
    for (slot, p) in src.iter_mut().zip(ev.params()) {
        *slot = p.bytes;
    }
    let mut esrc: [&[u8]; MAX_PARAMS as usize] = [&[]; MAX_PARAMS as usize];
    let mut enter_info = None;
    if let Some(e) = enter {
        for (slot, p) in esrc.iter_mut().zip(e.params()) {
            *slot = p.bytes;
        }
        enter_info = e.info().map(|i| (e.event_type(), e.nparams() as usize, i));
    }
    let ev_info = ev.info();
    let ls = tinfo.param_len_size();
    let max_len = if ls == 4 {
        u32::MAX as usize
    } else {
        u16::MAX as usize
    };
    let n = tinfo.params.len().min(MAX_PARAMS as usize);

    let pick = |i: usize| -> &[u8] {
        let Some(p) = tinfo.params.get(i) else {
            return &[];
        };
        let from_exit = ev_info
            .and_then(|inf| source_index(ev.event_type(), inf, p.name))
            .filter(|j| *j < ev.nparams() as usize)
            .and_then(|j| src.get(j).copied());
        let from_enter = || {
            enter_info.and_then(|(code, np, inf)| {
                source_index(code, inf, p.name)
                    .filter(|j| *j < np)
                    .and_then(|j| esrc.get(j).copied())
            })
        };
        let v = from_exit.or_else(from_enter).unwrap_or(&[]);
        if v.len() > max_len {
            &[]
        } else {
            v
        }
    };

    out.clear();
    out.extend_from_slice(&ev.ts().to_le_bytes());
    out.extend_from_slice(&ev.tid().to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes()); // len, patched below
    out.extend_from_slice(&target.to_le_bytes());
    out.extend_from_slice(&(n as u32).to_le_bytes());
    for i in 0..n {
        let l = pick(i).len();
        if ls == 4 {
            out.extend_from_slice(&(l as u32).to_le_bytes());
        } else {
            out.extend_from_slice(&(l as u16).to_le_bytes());
        }
    }
    for i in 0..n {
        out.extend_from_slice(pick(i));
    }
    let len = u32::try_from(out.len()).unwrap_or(u32::MAX);
    if let Some(l) = out.get_mut(16..20) {
        l.copy_from_slice(&len.to_le_bytes());
    }
    debug_assert!(out.len() >= HEADER_LEN);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_codes_map_to_current_events_of_the_same_name() {
        let c = |x| current_code(x);
        assert_eq!(
            c(codes::PPME_SYSCALL_EXECVE_8_X),
            Some(codes::PPME_SYSCALL_EXECVE_19_X)
        );
        assert_eq!(
            c(codes::PPME_SYSCALL_EXECVE_18_X),
            Some(codes::PPME_SYSCALL_EXECVE_19_X)
        );
        assert_eq!(
            c(codes::PPME_SYSCALL_CLONE_11_X),
            Some(codes::PPME_SYSCALL_CLONE_20_X)
        );
        assert_eq!(
            c(codes::PPME_SYSCALL_CLONE_17_X),
            Some(codes::PPME_SYSCALL_CLONE_20_X)
        );
        assert_eq!(
            c(codes::PPME_SYSCALL_OPENAT_X),
            Some(codes::PPME_SYSCALL_OPENAT_2_X)
        );
        assert_eq!(
            c(codes::PPME_SOCKET_ACCEPT_X),
            Some(codes::PPME_SOCKET_ACCEPT_5_X)
        );
        assert_eq!(
            c(codes::PPME_SOCKET_ACCEPT4_5_X),
            Some(codes::PPME_SOCKET_ACCEPT4_6_X)
        );
        assert_eq!(c(codes::PPME_PROCEXIT_E), Some(codes::PPME_PROCEXIT_1_E));
        assert_eq!(
            c(codes::PPME_SYSCALL_BPF_X),
            Some(codes::PPME_SYSCALL_BPF_2_X)
        );
        assert_eq!(
            c(codes::PPME_SYSCALL_OPENAT_2_X),
            Some(codes::PPME_SYSCALL_OPENAT_2_X)
        );
        // Old enter events without a current enter counterpart.
        assert_eq!(c(codes::PPME_SYSCALL_READ_E), None);
        assert_eq!(c(codes::PPME_SYSCALL_EXECVE_19_E), None);
        assert_eq!(c(codes::PPME_CONTAINER_E), None);
    }

    #[test]
    fn every_old_exit_has_a_current_target() {
        for e in events() {
            if e.is_old_version() && !e.is_enter() && !e.is_unused() {
                let t = current_code(e.code).and_then(event_info);
                let Some(t) = t else {
                    panic!("{} has no current target", e.ident)
                };
                assert!(!t.is_old_version() && !t.is_enter(), "{}", e.ident);
                // Same event, except the old accept4 versions named "accept".
                assert!(
                    t.name == e.name || t.ident.starts_with(stem(e.ident)),
                    "{}",
                    e.ident
                );
            }
        }
    }

    #[test]
    fn enter_events_feed_the_exit_of_their_family() {
        assert_eq!(
            exit_of(codes::PPME_SOCKET_ACCEPT4_5_E),
            Some(codes::PPME_SOCKET_ACCEPT4_6_X)
        );
        assert_eq!(
            exit_of(codes::PPME_SYSCALL_OPENAT_E),
            Some(codes::PPME_SYSCALL_OPENAT_2_X)
        );
        assert_eq!(
            exit_of(codes::PPME_SOCKET_CONNECT_E),
            Some(codes::PPME_SOCKET_CONNECT_X)
        );
        assert_eq!(
            exit_of(codes::PPME_SYSCALL_EXECVE_18_E),
            Some(codes::PPME_SYSCALL_EXECVE_19_X)
        );
        assert_eq!(exit_of(codes::PPME_SYSCALL_OPENAT_X), None);
        assert_eq!(stem("PPME_SYSCALL_EXECVE_19_X"), "PPME_SYSCALL_EXECVE");
        assert_eq!(stem("PPME_SYSCALL_OPENAT2_E"), "PPME_SYSCALL_OPENAT2");
        assert_eq!(stem("PPME_GENERIC_X"), "PPME_GENERIC");
    }
}
