//! Real conditions over the bundled sample capture (samples/README.md says
//! what its workload did). Each condition's matches are counted twice: by
//! the compiled filter, and by a hand-written predicate over the extracted
//! fields; the two must agree, and the workload's own events must be found
//! exactly.

use sinsp::fields::{BoundField, Value};
use sinsp::{Definitions, Filter, Formatter, Inspector, SinspEvent, SinspNext};

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../samples/sample.scap");

struct Fields {
    evt_type: BoundField,
    name: BoundField,
    fd_name: BoundField,
    sport: BoundField,
    upper: BoundField,
    lower: BoundField,
    memfd: BoundField,
    buffer: BoundField,
    types: BoundField,
    aname: BoundField,
    pname: BoundField,
}

fn get(f: &BoundField, e: &SinspEvent<'_>) -> Option<String> {
    f.extract(e).map(|v| v.to_string())
}

type Pred = fn(&Fields, &SinspEvent<'_>) -> bool;

fn is_true(f: &BoundField, e: &SinspEvent<'_>) -> bool {
    f.extract(e) == Some(Value::Bool(true))
}

fn list_has(f: &BoundField, e: &SinspEvent<'_>, x: &str) -> bool {
    matches!(f.extract(e), Some(Value::List(v)) if v.iter().any(|i| i.as_str() == Some(x)))
}

/// (condition, the same by hand, the count when the workload fixes it)
fn cases() -> Vec<(&'static str, Pred, Option<usize>)> {
    vec![
        (
            "evt.type = execve and proc.is_exe_upper_layer = true",
            |f, e| get(&f.evt_type, e).as_deref() == Some("execve") && is_true(&f.upper, e),
            // `dropped` and `patched`.
            Some(2),
        ),
        (
            "evt.type = execve and proc.is_exe_lower_layer = true",
            |f, e| get(&f.evt_type, e).as_deref() == Some("execve") && is_true(&f.lower, e),
            // `from-image`.
            Some(1),
        ),
        (
            "evt.type = execve and proc.is_exe_from_memfd = true",
            |f, e| get(&f.evt_type, e).as_deref() == Some("execve") && is_true(&f.memfd, e),
            Some(1),
        ),
        (
            "evt.type in (connect, accept, accept4) and fd.sport = 18080",
            |f, e| {
                matches!(
                    get(&f.evt_type, e).as_deref(),
                    Some("connect" | "accept" | "accept4")
                ) && f.sport.extract(e) == Some(Value::Port(18080))
            },
            // The client's connect and the server's accept4.
            Some(2),
        ),
        (
            "evt.type = openat and fd.name endswith /work/notes.txt",
            |f, e| {
                get(&f.evt_type, e).as_deref() == Some("openat")
                    && get(&f.fd_name, e).is_some_and(|n| n.ends_with("/work/notes.txt"))
            },
            // The shell writes it, cat reads it.
            Some(2),
        ),
        (
            "fd.name pmatch (/etc, /usr/lib)",
            |f, e| {
                get(&f.fd_name, e).is_some_and(|n| {
                    ["/etc", "/usr/lib"]
                        .iter()
                        .any(|p| n == *p || n.starts_with(&format!("{p}/")))
                })
            },
            None,
        ),
        (
            "fd.name glob '/proc/*'",
            |f, e| get(&f.fd_name, e).is_some_and(|n| n.starts_with("/proc/")),
            None,
        ),
        (
            "not fd.name exists",
            |f, e| f.fd_name.extract(e).is_none(),
            None,
        ),
        (
            "evt.buffer bcontains 2f62696e",
            |f, e| matches!(f.buffer.extract(e), Some(Value::Bytes(b)) if b.windows(4).any(|w| w == b"/bin")),
            None,
        ),
        (
            "fd.types intersects (ipv4)",
            |f, e| list_has(&f.types, e, "ipv4"),
            None,
        ),
        (
            "proc.aname = bash",
            |f, e| list_has(&f.aname, e, "bash"),
            None,
        ),
        (
            "evt.type in (execve, execveat) and proc.pname = bash and not proc.name in (bash, sh)",
            |f, e| {
                matches!(get(&f.evt_type, e).as_deref(), Some("execve" | "execveat"))
                    && get(&f.pname, e).as_deref() == Some("bash")
                    && !matches!(get(&f.name, e).as_deref(), Some("bash" | "sh"))
            },
            None,
        ),
    ]
}

fn replay(mut f: impl FnMut(&SinspEvent<'_>)) -> usize {
    let mut insp = Inspector::open_file(SAMPLE).expect("the sample opens");
    let mut n = 0;
    loop {
        match insp.next().expect("event") {
            SinspNext::Event(e) => {
                n += 1;
                f(&e);
            }
            SinspNext::Timeout => continue,
            SinspNext::Eof => return n,
        }
    }
}

#[test]
fn conditions_on_the_sample_agree_with_hand_written_predicates() {
    let fields = Fields {
        evt_type: BoundField::parse("evt.type").unwrap(),
        name: BoundField::parse("proc.name").unwrap(),
        fd_name: BoundField::parse("fd.name").unwrap(),
        sport: BoundField::parse("fd.sport").unwrap(),
        upper: BoundField::parse("proc.is_exe_upper_layer").unwrap(),
        lower: BoundField::parse("proc.is_exe_lower_layer").unwrap(),
        memfd: BoundField::parse("proc.is_exe_from_memfd").unwrap(),
        buffer: BoundField::parse("evt.buffer").unwrap(),
        types: BoundField::parse("fd.types").unwrap(),
        aname: BoundField::parse("proc.aname").unwrap(),
        pname: BoundField::parse("proc.pname").unwrap(),
    };
    let cases = cases();
    let filters: Vec<Filter> = cases
        .iter()
        .map(|(c, _, _)| Filter::compile(c).unwrap_or_else(|e| panic!("{c}: {e}")))
        .collect();
    let mut by_filter = vec![0usize; cases.len()];
    let mut by_hand = vec![0usize; cases.len()];
    let mut upper_names = Vec::new();
    let total = replay(|e| {
        for (i, (f, (_, pred, _))) in filters.iter().zip(&cases).enumerate() {
            let hit = f.matches(e);
            assert_eq!(hit, pred(&fields, e), "{} on event {}", cases[i].0, e.num);
            by_filter[i] += usize::from(hit);
            by_hand[i] += usize::from(pred(&fields, e));
            if i == 0 && hit {
                upper_names.push(get(&fields.name, e).unwrap());
            }
        }
    });
    assert_eq!(total, 22_560);
    for (i, (c, _, want)) in cases.iter().enumerate() {
        assert_eq!(by_filter[i], by_hand[i], "{c}");
        if let Some(n) = want {
            assert_eq!(by_filter[i], *n, "{c}");
        }
        // Every general condition is meaningful here: it matches something.
        assert!(by_filter[i] > 0, "{c}");
    }
    assert_eq!(upper_names, ["dropped", "patched"]);
}

#[test]
fn a_falco_style_rule_with_macros_lists_and_output() {
    let mut d = Definitions::new();
    d.add_macro(
        "spawned_process",
        "evt.type in (execve, execveat) and evt.rawres = 0",
    )
    .add_macro(
        "container_drift",
        "proc.is_exe_upper_layer = true or proc.is_exe_from_memfd = true",
    )
    .add_list("known_drop_binaries", ["nothing_known"]);
    let rule = Filter::compile_with(
        "spawned_process and container_drift and not proc.name in (known_drop_binaries)",
        &d,
    )
    .unwrap();
    assert_eq!(
        rule.event_types(),
        Some(["execve".to_string(), "execveat".to_string()].into())
    );
    let out = Formatter::new(
        "*Drift detected (proc.name=%proc.name proc.exepath=%proc.exepath parent=%proc.pname upper=%proc.is_exe_upper_layer memfd=%proc.is_exe_from_memfd)",
    )
    .unwrap();
    let mut lines = Vec::new();
    replay(|e| {
        if rule.matches(e) {
            let mut s = String::new();
            assert!(out.format(e, &mut s));
            lines.push((s, out.to_json(e)));
        }
    });
    assert_eq!(lines.len(), 3, "{lines:#?}");
    let names: Vec<_> = lines
        .iter()
        .map(|(_, j)| j["proc.name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["dropped", "patched", "memfd:sample-fi"]);
    assert!(
        lines[0].0.starts_with("Drift detected (proc.name=dropped "),
        "{}",
        lines[0].0
    );
    assert_eq!(
        lines[2].1["proc.is_exe_from_memfd"],
        serde_json::json!(true)
    );
}

#[test]
fn event_type_checks_agree_with_the_field_on_every_event() {
    // Every name the sample's events report, generic syscalls included.
    let field = BoundField::parse("evt.type").unwrap();
    let mut names = std::collections::BTreeSet::new();
    replay(|e| {
        names.insert(get(&field, e).unwrap());
    });
    assert!(names.contains("openat") && names.len() > 20, "{names:?}");
    let checks: Vec<(String, Filter, Filter)> = names
        .iter()
        .map(|n| {
            (
                n.clone(),
                Filter::compile(&format!("evt.type = {n}")).unwrap(),
                Filter::compile(&format!("evt.type != {n}")).unwrap(),
            )
        })
        .collect();
    let half: Vec<&str> = names.iter().step_by(2).map(String::as_str).collect();
    let set = Filter::compile(&format!("evt.type in ({})", half.join(", "))).unwrap();
    replay(|e| {
        let t = get(&field, e).unwrap();
        for (n, eq, ne) in &checks {
            assert_eq!(eq.matches(e), &t == n, "evt.type = {n} on {t}");
            assert_eq!(ne.matches(e), &t != n, "evt.type != {n} on {t}");
        }
        assert_eq!(set.matches(e), half.contains(&t.as_str()), "{t}");
    });
}
