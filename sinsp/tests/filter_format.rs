//! Output formats: tokens, the longest valid parse, widths, `*` and
//! `<NA>`, errors, and JSON.

mod filter_support;

use filter_support::{run, T0};
use serde_json::json;
use sinsp::filter::ErrorKind;
use sinsp::Formatter;

/// The formatted line for each event (None: suppressed).
fn lines(fmt: &str) -> Vec<(String, Option<String>)> {
    let f = Formatter::new(fmt).unwrap_or_else(|e| panic!("{fmt}: {e}"));
    run(|label, e| (label.to_string(), f.format_to_string(e)))
}

fn line(fmt: &str, label: &str) -> Option<String> {
    lines(fmt)
        .into_iter()
        .find(|(l, _)| l == label)
        .expect("label")
        .1
}

#[test]
fn tokens_and_text() {
    assert_eq!(
        line("%proc.name (%proc.pid) read %fd.name", "read_passwd").as_deref(),
        Some("cat (200) read /etc/passwd")
    );
    for (fmt, want) in [
        ("%proc.name:", "cat:"),
        ("(%fd.name)", "(/etc/passwd)"),
        ("%proc.name,%proc.pname", "cat,bash"),
        // libsinsp trims until the token compiles: proc.name, then "x".
        ("%proc.namex", "catx"),
        ("%proc.name.", "cat."),
        ("%proc.name[", "cat["),
        ("%evt.arg.fd", "3(<f>/etc/passwd)"),
        ("%evt.arg[3]", "31"),
        ("%proc.aname[1]/%proc.aname[2]", "bash/systemd"),
        ("%proc.env[HOME]", "/home/alice"),
        ("%proc.env[\"LANG\"]", "C"),
        ("%tolower(proc.name)", "cat"),
        ("%toupper(basename(proc.exepath))!", "CAT!"),
        ("%val(proc.name)", "cat"),
        ("%len(fd.name)", "11"),
        ("%concat(proc.name, \"@\", proc.pname)", "cat@bash"),
        ("%fd.types", "file ipv4 ipv6"),
        ("%evt.failed %user.uid %thread.ismain", "false 1000 true"),
        ("no tokens at all", "no tokens at all"),
        ("", ""),
        ("100% sure: %proc.name", ""),
    ] {
        if fmt.starts_with("100%") {
            assert!(Formatter::new(fmt).is_err(), "{fmt}");
            continue;
        }
        assert_eq!(line(fmt, "read_passwd").as_deref(), Some(want), "{fmt}");
    }
    assert_eq!(
        line("%fd.sip:%fd.sport", "write_tcp").as_deref(),
        Some("93.184.216.34:443")
    );
    assert_eq!(line("%fd.sip", "read_udp6").as_deref(), Some("fd00::1"));
    assert_eq!(line("%evt.type", "getppid").as_deref(), Some("getppid"));
    assert_eq!(
        line("%evt.rawtime", "read_passwd"),
        Some((T0 + 1000).to_string())
    );
    assert_eq!(
        line("%evt.time.iso8601", "read_passwd").as_deref(),
        Some("2024-01-01T00:00:00.000001000+0000")
    );
}

#[test]
fn missing_values_suppress_or_print_na() {
    // Without '*': no line for an event without an fd.
    let plain = lines("%proc.name %fd.name");
    let got: Vec<_> = plain
        .iter()
        .map(|(l, s)| (l.as_str(), s.as_deref()))
        .collect();
    assert_eq!(got[4], ("getppid", None));
    assert_eq!(got[5], ("close_bad", None));
    assert_eq!(got[0], ("read_passwd", Some("cat /etc/passwd")));
    // With '*': <NA>.
    assert_eq!(
        line("*%proc.name %fd.name", "getppid").as_deref(),
        Some("sleep <NA>")
    );
    assert_eq!(line("*%fd.types", "getppid").as_deref(), Some("<NA>"));
    assert_eq!(line("*", "getppid").as_deref(), Some(""));
    assert_eq!(line("**%proc.name", "getppid").as_deref(), Some("*sleep"));
    // A refused line leaves the buffer as it was.
    let f = Formatter::new("%proc.name %fd.name").unwrap();
    let kept = run(|label, e| {
        let mut out = String::from("prefix:");
        let ok = f.format(e, &mut out);
        (label.to_string(), ok, out)
    });
    assert_eq!(
        kept[0],
        ("read_passwd".into(), true, "prefix:cat /etc/passwd".into())
    );
    assert_eq!(kept[4], ("getppid".into(), false, "prefix:".into()));
}

#[test]
fn widths_pad_and_truncate() {
    for (fmt, label, want) in [
        ("%10proc.name|", "read_passwd", "cat       |"),
        ("%2proc.name|", "read_passwd", "ca|"),
        ("%3fd.name|", "write_tty", "/de|"),
        ("%0proc.name|", "read_passwd", "|"),
        ("*%6fd.name|", "getppid", "<NA>  |"),
        ("*%2fd.name|", "getppid", "<N|"),
        ("%5tolower(proc.name)|", "read_passwd", "cat  |"),
        ("%05proc.pid|", "read_passwd", "200  |"),
    ] {
        assert_eq!(line(fmt, label).as_deref(), Some(want), "{fmt}");
    }
}

#[test]
fn format_errors() {
    for (fmt, pos, what) in [
        ("%", 1, "expected a field or a transformer after '%'"),
        ("abc %12", 7, "expected a field or a transformer after '%'"),
        ("%%", 1, "expected a field or a transformer after '%'"),
        (
            "%(proc.name)",
            1,
            "expected a field or a transformer after '%'",
        ),
        ("x %5 y", 4, "expected a field or a transformer after '%'"),
        (
            "%fd.ip",
            1,
            "field 'fd.ip' can only be used in conditions, not printed",
        ),
        (
            "*%fd.net",
            2,
            "field 'fd.net' can only be used in conditions, not printed",
        ),
        ("%proc.nmae", 1, "unknown field 'proc.nmae'"),
        ("%nosuch(proc.name)", 1, "unknown transformer 'nosuch'"),
        (
            "%tolower(proc.pid)",
            1,
            "tolower(): takes a string, not int64",
        ),
        (
            "%tolower(proc.aname)",
            9,
            "field 'proc.aname' cannot be wrapped by a transformer",
        ),
        (
            "%99999999999999999999proc.name",
            1,
            "expected a width up to 65536",
        ),
    ] {
        let e = Formatter::new(fmt).expect_err(fmt);
        assert_eq!(e.pos, pos, "{fmt}: {e}");
        assert_eq!(e.message(), what, "{fmt}");
    }
    assert!(matches!(
        Formatter::new("%fd.port").unwrap_err().kind,
        ErrorKind::FilterOnly(_)
    ));
}

#[test]
fn json_has_one_key_per_token() {
    let f = Formatter::new(
        "*%evt.time %proc.name (%proc.pid) %10fd.name %evt.failed %fd.sip %fd.sport \
         %tolower(proc.name) %fd.types %evt.buffer %evt.arg.fd %evt.rawtime %proc.fdusage",
    )
    .unwrap();
    assert_eq!(
        f.fields().collect::<Vec<_>>(),
        [
            "evt.time",
            "proc.name",
            "proc.pid",
            "fd.name",
            "evt.failed",
            "fd.sip",
            "fd.sport",
            "tolower(proc.name)",
            "fd.types",
            "evt.buffer",
            "evt.arg.fd",
            "evt.rawtime",
            "proc.fdusage"
        ]
    );
    let out = run(|label, e| (label.to_string(), serde_json::Value::Object(f.to_json(e))));
    assert_eq!(
        out[1].1,
        json!({
            "evt.time": T0 + 2000,
            "proc.name": "cat",
            "proc.pid": 200,
            "fd.name": "10.0.0.5:40000->93.184.216.34:443",
            "evt.failed": false,
            "fd.sip": "93.184.216.34",
            "fd.sport": 443,
            "tolower(proc.name)": "cat",
            "fd.types": ["file", "ipv4", "ipv6"],
            "evt.buffer": "GET / HTTP/1.1.\n",
            "evt.arg.fd": "4(<4>10.0.0.5:40000->93.184.216.34:443)",
            "evt.rawtime": T0 + 2000,
            "proc.fdusage": 4.0 / 1024.0,
        })
    );
    // Missing values are null.
    let getppid = &out[4].1;
    assert_eq!(getppid["proc.name"], json!("sleep"));
    for k in [
        "fd.name",
        "evt.failed",
        "fd.sip",
        "fd.sport",
        "fd.types",
        "evt.buffer",
        "evt.arg.fd",
    ] {
        assert_eq!(getppid[k], serde_json::Value::Null, "{k}");
    }
    assert_eq!(getppid["evt.time"], json!(T0 + 5000));
}

#[test]
fn long_tokens_with_multibyte_characters() {
    // The search for the longest valid token stops at a character boundary.
    let fmt = format!("%proc.{}ទ", "m".repeat(249));
    assert!(Formatter::new(&fmt).is_err());
    let fmt = format!("%proc.name{}ទ", "m".repeat(245));
    assert!(Formatter::new(&fmt).is_ok());
}
