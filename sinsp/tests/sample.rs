//! The state layer on the bundled sample capture (samples/sample.scap, see
//! samples/README.md for what its workload did).

use sinsp::fields::BoundField;
use sinsp::{Inspector, SinspNext};

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../samples/sample.scap");

/// `fields` of every execve exit event whose proc.name is `name`.
fn execs_of(name: &str, fields: &[&str]) -> Vec<Vec<String>> {
    let bound: Vec<BoundField> = fields
        .iter()
        .map(|f| BoundField::parse(f).unwrap())
        .collect();
    let pname = BoundField::parse("proc.name").unwrap();
    let mut insp = Inspector::open_file(SAMPLE).unwrap();
    let mut rows = Vec::new();
    loop {
        match insp.next().unwrap() {
            SinspNext::Event(e) => {
                if e.raw.event_type() == scap::schema::codes::PPME_SYSCALL_EXECVE_19_X
                    && pname.extract(&e).is_some_and(|v| v.to_string() == name)
                {
                    rows.push(
                        bound
                            .iter()
                            .map(|f| f.extract(&e).map_or("<NA>".into(), |v| v.to_string()))
                            .collect(),
                    );
                }
            }
            SinspNext::Timeout => {}
            SinspNext::Eof => break,
        }
    }
    rows
}

#[test]
fn an_exec_without_arguments_or_environment_drops_the_old_ones() {
    // `"$tmp/work/fresh"`: no arguments; the shell's are gone.
    let fresh = execs_of("fresh", &["proc.cmdline", "proc.args"]);
    assert_eq!(fresh, [["fresh".to_string(), String::new()]]);
    // python3 execve(fd, ["fileless"], {}): no arguments, no environment.
    let fileless = execs_of("memfd:sample-fi", &["proc.cmdline", "proc.env"]);
    assert_eq!(fileless, [["memfd:sample-fi".to_string(), String::new()]]);
    // An exec with arguments keeps them all.
    let cat = execs_of("cat", &["proc.cmdline"]);
    assert!(cat.iter().any(|r| r[0] == "cat notes.txt"), "{cat:?}");
}
