//! What conditions mean, on synthetic events replayed through a real
//! inspector (see `filter_support`): every operator per type, missing
//! values, list, ancestor and client-or-server fields, transformers,
//! field-to-field comparisons, macros and lists, `event_types()`, and the
//! compile-time errors.

mod filter_support;

use std::collections::BTreeSet;

use filter_support::{matching, matching_filter};
use sinsp::filter::{parse, Definitions, ErrorKind, Filter};

const CAT: &[&str] = &["read_passwd", "write_tcp", "read_udp6", "read_elf"];
const PASSWD: &[&str] = &["read_passwd", "read_elf"];
const SLEEP: &[&str] = &["getppid", "close_bad"];
const ALL: &[&str] = &[
    "read_passwd",
    "write_tcp",
    "read_udp6",
    "write_tty",
    "getppid",
    "close_bad",
    "read_elf",
];

/// Asserts the events each condition matches.
fn expect(cases: &[(&str, &[&str])]) {
    for (cond, want) in cases {
        assert_eq!(matching(cond), *want, "{cond}");
    }
}

/// The error of a condition that must not compile.
fn error(cond: &str) -> sinsp::FilterError {
    match Filter::compile(cond) {
        Ok(f) => panic!("{cond} compiled: {f:?}"),
        Err(e) => e,
    }
}

#[test]
fn strings() {
    expect(&[
        ("proc.name = cat", CAT),
        ("proc.name == cat", CAT),
        ("proc.name != cat", &["write_tty", "getppid", "close_bad"]),
        ("fd.name = /etc/passwd", PASSWD),
        ("fd.name = '/etc/passwd'", PASSWD),
        ("fd.name contains passwd", PASSWD),
        ("fd.name contains PASSWD", &[]),
        ("fd.name icontains PaSsWd", PASSWD),
        ("fd.name startswith /dev", &["write_tty"]),
        ("fd.name endswith :443", &["write_tcp"]),
        ("fd.name glob '/etc/*'", PASSWD),
        ("fd.name glob '/ETC/*'", &[]),
        ("fd.name iglob '/ETC/*'", PASSWD),
        ("fd.name glob '*->*'", &["write_tcp", "read_udp6"]),
        ("fd.name glob '/etc/pass[vw]d'", PASSWD),
        ("fd.name glob '/etc/pass[!w]d'", &[]),
        ("fd.name glob '/*/pts/?'", &["write_tty"]),
        ("fd.name regex '/etc/.*'", PASSWD),
        ("fd.name regex 'etc'", &[]),
        ("fd.name regex '.*etc.*'", PASSWD),
        ("fd.name regex '[0-9.]+:[0-9]+->.*'", &["write_tcp"]),
        (
            "fd.name in (/etc/passwd, /dev/pts/0)",
            &["read_passwd", "write_tty", "read_elf"],
        ),
        ("fd.name intersects (/etc/passwd)", PASSWD),
        ("fd.name in ()", &[]),
        ("fd.name pmatch (/etc, /var/run)", PASSWD),
        ("fd.name pmatch (/et)", &[]),
        ("fd.name pmatch (/etc/passwd/x)", &[]),
        ("fd.name pmatch (/dev/*/0)", &["write_tty"]),
        (
            "proc.name < val(proc.pname)",
            &["write_tty", "getppid", "close_bad"],
        ),
        ("proc.name >= val(proc.pname)", CAT),
        ("tolower(proc.name) > 5", ALL),
        ("proc.env[HOME] = /root", &["write_tty"]),
        ("proc.env[\"MY VAR\"] = 'x y'", &["write_tty"]),
        ("proc.args = '/etc/passwd -n'", CAT),
        ("proc.args[1] = -n", CAT),
        ("evt.arg.fd = '3(<f>/etc/passwd)'", PASSWD),
        ("evt.arg[3] = 31", &["read_passwd"]),
        ("evt.arg.size = 14", &["read_elf"]),
        ("fd.l4proto = udp", &["read_udp6"]),
        ("evt.res = EBADF", &["close_bad"]),
        (
            "evt.type.is.read = 1",
            &["read_passwd", "read_udp6", "read_elf"],
        ),
    ]);
}

#[test]
fn exists_and_missing_values() {
    expect(&[
        (
            "fd.name exists",
            &[
                "read_passwd",
                "write_tcp",
                "read_udp6",
                "write_tty",
                "read_elf",
            ],
        ),
        ("not fd.name exists", SLEEP),
        (
            "fd.num exists",
            &[
                "read_passwd",
                "write_tcp",
                "read_udp6",
                "write_tty",
                "close_bad",
                "read_elf",
            ],
        ),
        ("fd.sip exists", &["write_tcp", "read_udp6"]),
        // The difference that matters: `!=` is false without a value, `not =` true.
        (
            "fd.name != /etc/passwd",
            &["write_tcp", "read_udp6", "write_tty"],
        ),
        (
            "not fd.name = /etc/passwd",
            &[
                "write_tcp",
                "read_udp6",
                "write_tty",
                "getppid",
                "close_bad",
            ],
        ),
    ]);
    // Without a value, every comparison is false, whatever the operator.
    let missing = [
        "fd.name = x",
        "fd.name != x",
        "fd.name contains x",
        "fd.name icontains x",
        "fd.name startswith /",
        "fd.name endswith x",
        "fd.name glob '*'",
        "fd.name iglob '*'",
        "fd.name regex '.*'",
        "fd.name in (x, y)",
        "fd.name intersects (x)",
        "fd.name pmatch (/)",
        "fd.name < val(proc.name)",
        "fd.type != file",
        "fd.sip = 1.2.3.4",
        "fd.sip != 1.2.3.4",
        "fd.ip != 1.2.3.4",
        "fd.net != 0.0.0.0/0",
        "fd.sport != 1",
        "fd.port != 1",
        "fd.sport < 65535",
        "evt.failed != true",
        "evt.failed = false",
        "evt.rawres != 0",
        "evt.buffer != x",
        "evt.buffer bcontains 00",
        "fd.types intersects (file)",
        "fd.types in (file)",
        "fd.types exists",
        "tolower(fd.name) != x",
        "len(fd.name) != 0",
        "proc.name != val(fd.name)",
        "fd.name != val(proc.name)",
        "concat(proc.name, fd.name) != x",
        "proc.env[HOME] != x",
        "b64(proc.env[BAD]) != x",
    ];
    for cond in missing {
        let hits = matching(cond);
        assert!(!hits.contains(&"getppid"), "{cond}: {hits:?}");
        let negated = matching(&format!("not ({cond})"));
        assert!(negated.contains(&"getppid"), "not ({cond}): {negated:?}");
    }
}

#[test]
fn buffers() {
    expect(&[
        ("evt.buffer contains HTTP", &["write_tcp"]),
        ("evt.buffer bcontains 2f62696e", PASSWD),
        ("evt.buffer bcontains 2F62696E", PASSWD),
        ("evt.buffer bstartswith 7f454c46", &["read_elf"]),
        ("evt.buffer startswith root", &["read_passwd"]),
        ("evt.buffer endswith \"\\n\"", &["write_tcp", "write_tty"]),
        ("evt.buffer = \"ls\\n\"", &["write_tty"]),
        (
            "evt.buffer != \"ls\\n\"",
            &["read_passwd", "write_tcp", "read_udp6", "read_elf"],
        ),
        ("evt.buffer in (\"ls\\n\", x)", &["write_tty"]),
        ("evt.buffer bcontains 8180", &["read_udp6"]),
        ("evt.buffer contains \"\\x81\\x80\"", &["read_udp6"]),
        ("evt.buffer contains \"/bin/sh\\x00\"", &["read_elf"]),
        (
            "evt.buffer bcontains ''",
            &[
                "read_passwd",
                "write_tcp",
                "read_udp6",
                "write_tty",
                "read_elf",
            ],
        ),
        ("len(evt.buffer) = 3", &["write_tty"]),
    ]);
    assert!(matches!(
        error("evt.buffer glob x").kind,
        ErrorKind::BadOperator { .. }
    ));
    assert!(matches!(
        error("evt.buffer regex x").kind,
        ErrorKind::BadOperator { .. }
    ));
    let e = error("evt.buffer bcontains 2f6");
    assert_eq!((e.pos, e.to_string().contains("even number")), (21, true));
    assert!(matches!(
        error("evt.buffer bcontains 0x2f").kind,
        ErrorKind::BadValue { .. }
    ));
    assert!(matches!(
        error("evt.buffer bstartswith zz").kind,
        ErrorKind::BadValue { .. }
    ));
    // bcontains and bstartswith are for buffers only.
    assert!(matches!(
        error("proc.name bcontains 2f").kind,
        ErrorKind::BadOperator { .. }
    ));
}

#[test]
fn integers() {
    expect(&[
        ("proc.pid = 200", CAT),
        ("proc.pid != 200", &["write_tty", "getppid", "close_bad"]),
        (
            "proc.pid > 100",
            &[
                "read_passwd",
                "write_tcp",
                "read_udp6",
                "getppid",
                "close_bad",
                "read_elf",
            ],
        ),
        ("proc.pid >= 100", ALL),
        ("proc.pid < 200", &["write_tty"]),
        (
            "proc.pid <= 200",
            &[
                "read_passwd",
                "write_tcp",
                "read_udp6",
                "write_tty",
                "read_elf",
            ],
        ),
        (
            "proc.pid > +199",
            &[
                "read_passwd",
                "write_tcp",
                "read_udp6",
                "getppid",
                "close_bad",
                "read_elf",
            ],
        ),
        ("proc.pid > -1", ALL),
        (
            "proc.pid in (100, 300)",
            &["write_tty", "getppid", "close_bad"],
        ),
        ("proc.pid intersects (100)", &["write_tty"]),
        ("evt.rawres < 0", &["close_bad"]),
        ("evt.rawres = -9", &["close_bad"]),
        (
            "evt.rawres >= 0",
            &[
                "read_passwd",
                "write_tcp",
                "read_udp6",
                "write_tty",
                "read_elf",
            ],
        ),
        ("user.uid = 1000", CAT),
        ("evt.rawarg.fd = 3", PASSWD),
        ("evt.rawarg.res < 0", &["close_bad"]),
        ("evt.rawarg.size > 20", &["read_passwd"]),
        ("evt.cpu = 1", ALL),
        ("evt.num = 2", &["write_tcp"]),
        ("evt.rawtime > 1704067200000000000", ALL),
    ]);
    // Decimal only: hex and floats are refused for integer fields.
    for (cond, pos) in [
        ("proc.pid = 0x10", 11),
        ("proc.pid > 0x10", 11),
        ("proc.pid = 1.5", 11),
        ("proc.pid > 1e+3", 11),
        ("proc.pid = abc", 11),
        ("proc.pid in (1, two)", 16),
        ("user.uid = -1", 11),
        ("evt.cpu = 40000", 10),
        ("user.uid = 4294967296", 11),
    ] {
        let e = error(cond);
        assert!(matches!(e.kind, ErrorKind::BadValue { .. }), "{cond}: {e}");
        assert_eq!(e.pos, pos, "{cond}: {e}");
    }
    assert_eq!(
        error("proc.pid = 0x10").to_string(),
        "at 11: '0x10' is not a valid int64 for proc.pid: expected a decimal integer"
    );
    for cond in [
        "proc.pid contains 1",
        "proc.pid glob 1",
        "proc.pid pmatch (1)",
        "proc.pid regex 1",
    ] {
        assert!(
            matches!(error(cond).kind, ErrorKind::BadOperator { .. }),
            "{cond}"
        );
    }
    assert_eq!(
        error("proc.name = bash and proc.pid contains 3").to_string(),
        "at 30: operator 'contains' cannot be used on proc.pid (type int64)"
    );
}

#[test]
fn doubles() {
    // 4 fds of 1024 for cat, 2 for bash.
    expect(&[
        ("proc.fdusage > 0.003", CAT),
        (
            "proc.fdusage < 0.003",
            &["write_tty", "getppid", "close_bad"],
        ),
        ("proc.fdusage = 0", SLEEP),
    ]);
    assert!(matches!(
        error("proc.fdusage = x").kind,
        ErrorKind::BadValue { .. }
    ));
}

#[test]
fn bools() {
    expect(&[
        ("evt.failed = true", &["close_bad"]),
        (
            "evt.failed = false",
            &[
                "read_passwd",
                "write_tcp",
                "read_udp6",
                "write_tty",
                "read_elf",
            ],
        ),
        (
            "evt.failed != true",
            &[
                "read_passwd",
                "write_tcp",
                "read_udp6",
                "write_tty",
                "read_elf",
            ],
        ),
        ("evt.failed in (true)", &["close_bad"]),
        ("thread.ismain = true", ALL),
        ("proc.is_exe_upper_layer = true", &[]),
    ]);
    for cond in [
        "evt.failed = yes",
        "evt.failed = 1",
        "evt.failed = TRUE",
        "evt.failed in (true, no)",
    ] {
        assert!(
            matches!(error(cond).kind, ErrorKind::BadValue { .. }),
            "{cond}"
        );
    }
    assert!(matches!(
        error("evt.failed > 0").kind,
        ErrorKind::BadOperator { .. }
    ));
    assert!(matches!(
        error("evt.failed contains t").kind,
        ErrorKind::BadOperator { .. }
    ));
}

#[test]
fn addresses_networks_and_ports() {
    expect(&[
        ("fd.sip = 93.184.216.34", &["write_tcp"]),
        ("fd.sip = fd00::1", &["read_udp6"]),
        ("fd.sip = 'fd00:0::1'", &["read_udp6"]),
        ("fd.cip in (10.0.0.5, fd00::5)", &["write_tcp", "read_udp6"]),
        ("fd.sip != 93.184.216.34", &["read_udp6"]),
        ("fd.lip = 10.0.0.5", &["write_tcp"]),
        // Client or server.
        ("fd.ip = 10.0.0.5", &["write_tcp"]),
        ("fd.ip = 93.184.216.34", &["write_tcp"]),
        ("fd.ip in (1.1.1.1, fd00::1)", &["read_udp6"]),
        ("fd.ip != 10.0.0.5", &["read_udp6"]),
        ("fd.ip != 1.2.3.4", &["write_tcp", "read_udp6"]),
        ("fd.net = 10.0.0.0/8", &["write_tcp"]),
        ("fd.net = 93.184.0.0/16", &["write_tcp"]),
        ("fd.net != 10.0.0.0/8", &["read_udp6"]),
        ("fd.net in (192.168.0.0/16, fd00::/8)", &["read_udp6"]),
        ("fd.snet = fd00::/8", &["read_udp6"]),
        ("fd.cnet = 10.0.0.0/24", &["write_tcp"]),
        ("fd.cnet = 10.0.1.0/24", &[]),
        ("fd.lnet = 10.0.0.0/8", &["write_tcp"]),
        ("fd.rnet = 0.0.0.0/0", &["write_tcp"]),
        ("fd.sport = 443", &["write_tcp"]),
        ("fd.sport > 100", &["write_tcp"]),
        ("fd.sport < 100", &["read_udp6"]),
        ("fd.sport in (53, 443)", &["write_tcp", "read_udp6"]),
        ("fd.cport = 40000", &["write_tcp"]),
        ("fd.port = 40000", &["write_tcp"]),
        ("fd.port = 443", &["write_tcp"]),
        ("fd.port != 443", &["read_udp6"]),
        ("fd.port in (53)", &["read_udp6"]),
    ]);
    // Service names, as getservbyname resolves them from /etc/services.
    if std::fs::read_to_string("/etc/services").is_ok_and(|s| s.contains("https")) {
        expect(&[
            ("fd.sport = https", &["write_tcp"]),
            ("fd.sport in (domain, https)", &["write_tcp", "read_udp6"]),
        ]);
    }
    for cond in [
        "fd.sip = 10.0.0.300",
        "fd.sip = 10.0.0.0/8",
        "fd.sip = host",
        "fd.net = 10.0.0.0/40",
        "fd.net = 10.0.0/8",
        "fd.sport = nosuchservice",
        "fd.sport = 70000",
        "fd.sport = -1",
    ] {
        assert!(
            matches!(error(cond).kind, ErrorKind::BadValue { .. }),
            "{cond}"
        );
    }
    for cond in [
        "fd.sip contains 10",
        "fd.sip > 1",
        "fd.net startswith 10",
        "fd.sport contains 4",
    ] {
        assert!(
            matches!(error(cond).kind, ErrorKind::BadOperator { .. }),
            "{cond}"
        );
    }
}

#[test]
fn list_fields() {
    expect(&[
        // Every value in the set.
        (
            "fd.types in (file, ipv4, ipv6)",
            &[
                "read_passwd",
                "write_tcp",
                "read_udp6",
                "write_tty",
                "read_elf",
            ],
        ),
        ("fd.types in (file, ipv4)", &["write_tty"]),
        // Any value in the set.
        ("fd.types intersects (ipv6)", CAT),
        ("fd.types intersects (pipe, unix)", &[]),
        // A process without fds has no value.
        (
            "fd.types exists",
            &[
                "read_passwd",
                "write_tcp",
                "read_udp6",
                "write_tty",
                "read_elf",
            ],
        ),
        ("fd.types[3] in (file)", CAT),
        ("fd.types[4] intersects (ipv4)", CAT),
        ("len(fd.types) = 3", CAT),
        ("len(fd.types) = 1", &["write_tty"]),
        ("toupper(fd.types) intersects (IPV4)", CAT),
    ]);
    for cond in [
        "fd.types = file",
        "fd.types != file",
        "fd.types contains file",
        "fd.types pmatch (/)",
    ] {
        let e = error(cond);
        assert!(
            matches!(e.kind, ErrorKind::BadOperator { .. }),
            "{cond}: {e}"
        );
        assert_eq!(e.pos, 9, "{cond}");
    }
}

#[test]
fn ancestor_fields() {
    // cat → bash → systemd; bash → systemd; sleep → systemd.
    expect(&[
        ("proc.aname = bash", CAT),
        ("proc.aname = systemd", ALL),
        ("proc.aname != systemd", CAT),
        ("proc.aname in (bash, zsh)", CAT),
        ("proc.aname contains sys", ALL),
        ("proc.aname glob 'b*'", CAT),
        ("proc.aname[0] = cat", CAT),
        ("proc.aname[1] = bash", CAT),
        ("proc.aname[2] = systemd", CAT),
        (
            "proc.aname[1] = systemd",
            &["write_tty", "getppid", "close_bad"],
        ),
        ("proc.aname[3] exists", &[]),
        ("proc.apid = 100", CAT),
        ("proc.apid = 1", ALL),
        ("proc.aexepath endswith /bash", CAT),
    ]);
    // Ancestor fields cannot be transformed or compared with fields.
    assert!(matches!(
        error("tolower(proc.aname) = x").kind,
        ErrorKind::NoTransformer(_)
    ));
    assert!(matches!(
        error("proc.name = val(proc.aname)").kind,
        ErrorKind::NoRhs(_)
    ));
    assert!(matches!(
        error("proc.aname = val(proc.name)").kind,
        ErrorKind::NoRhs(_)
    ));
}

#[test]
fn transformers() {
    expect(&[
        ("tolower(proc.name) = cat", CAT),
        ("toupper(proc.name) = CAT", CAT),
        ("toupper(proc.name) = cat", &[]),
        ("tolower(fd.name) = /etc/passwd", PASSWD),
        ("basename(fd.name) = passwd", PASSWD),
        ("basename(proc.exepath) = bash", &["write_tty"]),
        ("toupper(basename(proc.exepath)) = CAT", CAT),
        ("len(proc.name) = 5", SLEEP),
        ("len(basename(fd.name)) > 5", CAT),
        ("len(basename(fd.name)) = 1", &["write_tty"]),
        ("b64(proc.env[B64]) = hello", SLEEP),
        ("b64(proc.env[BAD]) exists", &[]),
        ("concat(proc.name, \"-\", proc.pname) = cat-bash", CAT),
        ("concat(proc.name, 42) = cat42", CAT),
        ("join(\",\", fd.types) = 'file,ipv4,ipv6'", CAT),
        ("tolower(proc.name) in (CAT, cat)", CAT),
        ("tolower(proc.name) exists", ALL),
    ]);
    for (cond, pos) in [
        ("tolower(proc.pid) = 1", 0),
        ("len(proc.pid) = 1", 0),
        ("b64(proc.pid) = 1", 0),
        ("tolower(proc.name, proc.pname) = 1", 0),
        ("tolower(\"x\") = 1", 0),
        ("concat(proc.name) = x", 0),
        ("concat(proc.name, proc.pid) = x", 0),
        ("concat(fd.types, proc.name) = x", 0),
        ("join(proc.name, fd.types) = x", 0),
        ("proc.name = basename(proc.pid)", 12),
    ] {
        let e = error(cond);
        assert!(
            matches!(e.kind, ErrorKind::BadTransformer { .. }),
            "{cond}: {e}"
        );
        assert_eq!(e.pos, pos, "{cond}: {e}");
    }
    assert!(matches!(
        error("len(proc.name) contains 1").kind,
        ErrorKind::BadOperator { .. }
    ));
    assert!(matches!(
        error("tolower(evt.rawarg.fd) = 1").kind,
        ErrorKind::NoTransformer(_)
    ));
}

#[test]
fn field_to_field() {
    expect(&[
        ("proc.name = val(proc.pname)", &[]),
        ("proc.name != val(proc.pname)", ALL),
        ("proc.pid > val(proc.ppid)", ALL),
        (
            "user.uid = val(group.gid)",
            &["write_tty", "getppid", "close_bad"],
        ),
        ("tolower(proc.name) = tolower(proc.name)", ALL),
        ("toupper(proc.name) = toupper(proc.pname)", &[]),
        ("fd.name startswith val(proc.cwd)", &[]),
        ("proc.exepath endswith val(proc.name)", ALL),
        ("proc.exepath contains val(proc.pname)", &[]),
        ("proc.exepath glob concat(\"*/\", proc.name)", ALL),
        ("proc.name in val(proc.name)", ALL),
        ("fd.cip != val(fd.sip)", &["write_tcp", "read_udp6"]),
        ("len(proc.name) < len(proc.pname)", ALL),
        ("len(proc.name) > len(proc.pname)", &[]),
    ]);
    let e = error("proc.name = val(proc.pid)");
    assert_eq!(
        e.to_string(),
        "at 12: cannot compare string with int64: both sides must have the same type"
    );
    assert!(matches!(
        error("proc.pid = val(user.uid)").kind,
        ErrorKind::TypeMismatch { .. }
    ));
    assert!(matches!(
        error("fd.types intersects val(proc.name)").kind,
        ErrorKind::NoRhs(_)
    ));
    assert!(matches!(
        error("fd.name = val(fd.ip)").kind,
        ErrorKind::NoRhs(_)
    ));
    assert!(matches!(
        error("proc.name regex val(proc.pname)").kind,
        ErrorKind::BadOperator { .. }
    ));
    assert!(matches!(
        error("proc.name = val(proc.nosuch)").kind,
        ErrorKind::UnknownField(_)
    ));
}

#[test]
fn event_type_checks() {
    expect(&[
        ("evt.type = read", &["read_passwd", "read_udp6", "read_elf"]),
        ("evt.type = getppid", &["getppid"]),
        ("evt.type in (getppid, close)", &["getppid", "close_bad"]),
        (
            "evt.type != read",
            &["write_tcp", "write_tty", "getppid", "close_bad"],
        ),
        ("evt.type = syscall", &[]),
        (
            "evt.type contains rea",
            &["read_passwd", "read_udp6", "read_elf"],
        ),
        ("evt.type startswith get", &["getppid"]),
        ("syscall.type = getppid", &["getppid"]),
        (
            "syscall.type in (read, write)",
            &[
                "read_passwd",
                "write_tcp",
                "read_udp6",
                "write_tty",
                "read_elf",
            ],
        ),
        ("tolower(evt.type) = getppid", &["getppid"]),
    ]);
    let e = error("evt.type = opne");
    assert_eq!(e.to_string(), "at 11: unknown event type 'opne'");
    assert_eq!(error("evt.type in (read, nosuch)").pos, 19);
    assert_eq!(error("evt.type != nosuch").pos, 12);
    assert!(matches!(
        error("syscall.type = nosuch").kind,
        ErrorKind::UnknownEventType(_)
    ));
    // Any event, syscall or PPM_SC name is known.
    for name in [
        "open", "openat", "execve", "clone3", "procexit", "switch", "getppid", "syscall",
    ] {
        Filter::compile(&format!("evt.type = {name}")).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

fn types(cond: &str) -> Option<Vec<&'static str>> {
    let f = Filter::compile_with(cond, &defs()).unwrap_or_else(|e| panic!("{cond}: {e}"));
    f.event_types().map(|s| {
        s.into_iter()
            .map(|n| &*Box::leak(n.into_boxed_str()))
            .collect()
    })
}

#[test]
fn event_types_of_conditions() {
    assert_eq!(types("evt.type = open"), Some(vec!["open"]));
    assert_eq!(
        types("evt.type in (openat, open) and proc.name = bash"),
        Some(vec!["open", "openat"])
    );
    assert_eq!(
        types("evt.type = open or evt.type = execve"),
        Some(vec!["execve", "open"])
    );
    assert_eq!(types("evt.type = open or proc.name = bash"), None);
    assert_eq!(
        types("evt.type in (open, openat) and evt.type in (openat, execve)"),
        Some(vec!["openat"])
    );
    assert_eq!(types("evt.type = open and evt.type = close"), Some(vec![]));
    assert_eq!(
        types("evt.type = open and not evt.type = close"),
        Some(vec!["open"])
    );
    assert_eq!(types("not evt.type = open"), None);
    assert_eq!(types("evt.type != open"), None);
    assert_eq!(types("evt.type contains open"), None);
    assert_eq!(types("tolower(evt.type) = open"), None);
    assert_eq!(types("proc.name = bash"), None);
    assert_eq!(types("syscall.type = getppid"), Some(vec!["getppid"]));
    assert_eq!(
        types("evt.type in (shell_syscalls)"),
        Some(vec!["execve", "execveat"])
    );
    assert_eq!(
        types("evt.type in shell_syscalls"),
        Some(vec!["execve", "execveat"])
    );
    assert_eq!(
        types("spawned_process and proc.name = x"),
        Some(vec!["execve", "execveat"])
    );
    assert_eq!(
        types("(spawned_process or evt.type = open) and proc.name exists"),
        Some(vec!["execve", "execveat", "open"])
    );
    assert_eq!(types("spawned_process or proc.name = x"), None);
    // The filter agrees with its event types on every event.
    let f = Filter::compile("evt.type in (read, getppid) and proc.name exists").unwrap();
    let set: BTreeSet<String> = f.event_types().unwrap();
    let names = filter_support::run(|_, e| {
        let t = sinsp::fields::BoundField::parse("evt.type").unwrap();
        (f.matches(e), t.extract(e).unwrap().to_string())
    });
    for (hit, name) in names {
        if hit {
            assert!(set.contains(&name), "{name}");
        }
    }
}

fn defs() -> Definitions {
    let mut d = Definitions::new();
    d.add_macro("is_cat", "proc.name = cat")
        .add_macro("reads", "evt.type = read")
        .add_macro("cat_reads", "is_cat and reads")
        .add_macro("in_shell", "proc.name in shells")
        .add_macro("spawned_process", "evt.type in (execve, execveat)")
        .add_macro("as_ast", parse("proc.pid = 300").unwrap())
        .add_list("shells", ["bash", "zsh", "sh"])
        .add_list("all_procs", ["shells", "cat"])
        .add_list("shell_syscalls", ["execve", "execveat"])
        .add_list("etc_dirs", ["/etc", "/var/run"]);
    d
}

fn matching_with(cond: &str, d: &Definitions) -> Vec<&'static str> {
    let f = Filter::compile_with(cond, d).unwrap_or_else(|e| panic!("{cond}: {e}"));
    matching_filter(&f)
}

fn error_with(cond: &str, d: &Definitions) -> sinsp::FilterError {
    match Filter::compile_with(cond, d) {
        Ok(f) => panic!("{cond} compiled: {f:?}"),
        Err(e) => e,
    }
}

#[test]
fn macros_and_lists() {
    let d = defs();
    for (cond, want) in [
        ("cat_reads", &["read_passwd", "read_udp6", "read_elf"][..]),
        ("reads and not is_cat", &[]),
        ("not cat_reads and is_cat", &["write_tcp"]),
        ("(is_cat)", CAT),
        ("in_shell", &["write_tty"]),
        ("as_ast", SLEEP),
        (
            "proc.name in (shells, sleep)",
            &["write_tty", "getppid", "close_bad"],
        ),
        (
            "proc.name in all_procs",
            &[
                "read_passwd",
                "write_tcp",
                "read_udp6",
                "write_tty",
                "read_elf",
            ],
        ),
        ("proc.name in (\"shells\")", &[]),
        ("proc.name in ('bash')", &["write_tty"]),
        ("proc.pname in shells", CAT),
        ("proc.pname intersects shells", CAT),
        ("fd.name pmatch etc_dirs", PASSWD),
        (
            "fd.name pmatch (etc_dirs, /dev)",
            &["read_passwd", "write_tty", "read_elf"],
        ),
    ] {
        assert_eq!(matching_with(cond, &d), want, "{cond}");
    }

    // Errors: unknown names, with their position.
    let e = error_with("proc.name = x and nosuch", &d);
    assert_eq!(
        e.to_string(),
        "at 18: unknown macro 'nosuch' (a field name has a dot)"
    );
    let e = error_with("proc.name in nosuch", &d);
    assert_eq!(
        (e.pos, e.kind.clone()),
        (13, ErrorKind::UnknownList("nosuch".into()))
    );
    // Without definitions, identifiers are errors too.
    assert!(matches!(error("shells").kind, ErrorKind::UnknownMacro(_)));
    assert!(matches!(
        error("proc.name in shells").kind,
        ErrorKind::UnknownList(_)
    ));

    // An error inside a macro names the macro, where it is used, and the
    // position inside it.
    let mut d2 = defs();
    d2.add_macro("bad", "proc.nmae = x")
        .add_macro("broken", "proc.name =");
    let e = error_with("proc.name = y or bad", &d2);
    assert_eq!(e.pos, 17);
    assert_eq!(
        e.to_string(),
        "at 17: in macro 'bad': at 0: unknown field 'proc.nmae'"
    );
    let e = error_with("broken", &d2);
    assert_eq!(
        e.to_string(),
        "at 0: in macro 'broken': at 11: expected a value after '='"
    );
    // Macro values are typed where they are used.
    d2.add_macro("pid_is_x", "proc.pid = x");
    assert!(matches!(
        error_with("pid_is_x", &d2).kind,
        ErrorKind::InMacro { ref inner, .. } if matches!(inner.kind, ErrorKind::BadValue { .. })
    ));
}

#[test]
fn cycles_are_errors() {
    let mut d = defs();
    d.add_macro("a", "b or proc.name = x")
        .add_macro("b", "not a")
        .add_macro("self", "proc.name = x and self")
        .add_list("l1", ["x", "l2"])
        .add_list("l2", ["l1"]);
    let e = error_with("a", &d);
    let text = e.to_string();
    assert!(text.contains("'a' refers to itself: a -> b -> a"), "{text}");
    assert!(error_with("self", &d).to_string().contains("self -> self"));
    let e = error_with("proc.name in l1", &d);
    assert!(
        matches!(e.kind, ErrorKind::Cycle(ref p) if p == &["l1", "l2", "l1"]),
        "{e}"
    );
    // A long chain of macros is refused, not a stack overflow.
    let mut chain = Definitions::new();
    for i in 0..2000 {
        chain.add_macro(format!("m{i}"), format!("m{}", i + 1));
    }
    chain.add_macro("m2000", "proc.name = x");
    let e = error_with("m0", &chain);
    assert!(e.to_string().contains("nested too deeply"), "{e}");
    let mut short = Definitions::new();
    for i in 0..50 {
        short.add_macro(format!("m{i}"), format!("m{}", i + 1));
    }
    short.add_macro("m50", "proc.name = cat");
    assert_eq!(matching_with("m0", &short), CAT);
}

#[test]
fn the_deepest_parsable_condition_compiles() {
    // 100 levels of parentheses, each adding an `or`, an `and` and a `not`.
    let mut cond = String::from("proc.name = cat");
    for i in 0..sinsp::filter::MAX_DEPTH {
        cond = if i % 2 == 0 {
            format!("proc.pid > 0 and not (fd.name = x or ({cond}))")
        } else {
            format!("not (proc.pid < 0) and ({cond} or fd.name = y)")
        };
        if cond.matches('(').count() > sinsp::filter::MAX_DEPTH {
            break;
        }
    }
    let f = Filter::compile(&cond).unwrap_or_else(|e| panic!("{e}"));
    let _ = matching_filter(&f);
}

#[test]
fn field_errors() {
    let e = error("proc.nmae = bash");
    assert_eq!(e.to_string(), "at 0: unknown field 'proc.nmae'");
    let e = error("proc.name = x and fd.nmae = y");
    assert_eq!(
        (e.pos, e.kind.clone()),
        (18, ErrorKind::UnknownField("fd.nmae".into()))
    );
    assert!(matches!(
        error("proc.name[2] = x").kind,
        ErrorKind::BadFieldArg { .. }
    ));
    assert!(matches!(
        error("proc.aname[x] = y").kind,
        ErrorKind::BadFieldArg { .. }
    ));
    assert!(matches!(
        error("evt.arg = x").kind,
        ErrorKind::BadFieldArg { .. }
    ));
    assert!(matches!(
        error("evt.rawarg.nosuch = x").kind,
        ErrorKind::BadFieldArg { .. }
    ));
    assert!(matches!(
        error("evt.abspath.x = y").kind,
        ErrorKind::BadFieldArg { .. }
    ));
    // Filter-only fields are fine in conditions.
    Filter::compile("fd.ip = 1.2.3.4 and fd.port = 80 and fd.net = 10.0.0.0/8").unwrap();
}

#[test]
fn filters_are_shareable() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Filter>();
    send_sync::<sinsp::Formatter>();
}

#[test]
fn comparison_modifiers() {
    expect(&[
        (
            "fd.name startswith anyof (/etc, /dev)",
            &["read_passwd", "write_tty", "read_elf"],
        ),
        ("fd.name startswith allof (/etc, /et)", PASSWD),
        ("fd.name startswith allof (/etc, /dev)", &[]),
        ("fd.name startswith oneof (/etc, /e, /dev)", &["write_tty"]),
        ("fd.name contains oneof (pass, wd)", &[]),
        ("fd.name contains oneof (pass, xyz)", PASSWD),
        (
            "proc.name = anyof (cat, bash)",
            &[
                "read_passwd",
                "write_tcp",
                "read_udp6",
                "write_tty",
                "read_elf",
            ],
        ),
        ("proc.name = allof (cat, bash)", &[]),
        ("proc.name = allof (cat, cat)", CAT),
        ("proc.name = oneof (cat, cat)", &[]),
        ("proc.name != allof (cat, bash)", SLEEP),
        ("proc.name != anyof (cat, bash)", ALL),
        (
            "proc.name != oneof (cat, bash)",
            &[
                "read_passwd",
                "write_tcp",
                "read_udp6",
                "write_tty",
                "read_elf",
            ],
        ),
        ("proc.name = anyof ()", &[]),
        ("proc.name = allof ()", ALL),
        (
            "proc.pid = anyof (100, 300)",
            &["write_tty", "getppid", "close_bad"],
        ),
        (
            "fd.sip = anyof (93.184.216.34, fd00::1)",
            &["write_tcp", "read_udp6"],
        ),
        (
            "fd.name glob anyof ('/etc/*', '*->*')",
            &["read_passwd", "write_tcp", "read_udp6", "read_elf"],
        ),
        (
            "evt.type = anyof (getppid, close)",
            &["getppid", "close_bad"],
        ),
        (
            "evt.type != allof (getppid, close)",
            &[
                "read_passwd",
                "write_tcp",
                "read_udp6",
                "write_tty",
                "read_elf",
            ],
        ),
        (
            "evt.type startswith anyof (get, clo)",
            &["getppid", "close_bad"],
        ),
        // Missing values stay false.
        (
            "fd.name != allof (a, b)",
            &[
                "read_passwd",
                "write_tcp",
                "read_udp6",
                "write_tty",
                "read_elf",
            ],
        ),
    ]);
    let d = defs();
    assert_eq!(
        matching_with("proc.name = anyof shells", &d),
        &["write_tty"]
    );
    assert_eq!(
        matching_with("proc.pname startswith anyof (shells, sys)", &d),
        &[
            "read_passwd",
            "write_tcp",
            "read_udp6",
            "write_tty",
            "getppid",
            "close_bad",
            "read_elf"
        ]
    );
    assert_eq!(
        types("evt.type = anyof (open, close)"),
        Some(vec!["close", "open"])
    );
    assert_eq!(types("evt.type != allof (open, close)"), None);
    assert!(matches!(
        error("evt.type = anyof (open, nosuch)").kind,
        ErrorKind::UnknownEventType(_)
    ));
    assert!(matches!(
        error("proc.pid = anyof (1, x)").kind,
        ErrorKind::BadValue { .. }
    ));
    assert!(matches!(
        error("proc.pid contains anyof (1)").kind,
        ErrorKind::BadOperator { .. }
    ));
    assert_eq!(error("proc.pid = anyof (1, x)").pos, 21);
}

#[test]
fn raw_arguments_are_typed_by_their_parameter() {
    assert!(matches!(
        error("evt.rawarg[0] = 1").kind,
        ErrorKind::BadFieldArg { .. }
    ));
    assert!(matches!(
        error("evt.rawarg.fd = x").kind,
        ErrorKind::BadValue { .. }
    ));
    assert!(matches!(
        error("evt.rawarg.fd contains 1").kind,
        ErrorKind::BadOperator { .. }
    ));
    expect(&[("evt.rawarg.data contains HTTP", &["write_tcp"])]);
}

#[test]
fn macros_given_as_trees_are_checked_too() {
    use sinsp::filter::ast::{Check, Expr, ExprKind, FieldRef, Op, Operand, Rhs, Span};
    let tree = |op, rhs| Expr {
        kind: ExprKind::Check(Box::new(Check {
            lhs: Operand::Field(FieldRef {
                name: "proc.name".into(),
                arg: None,
                span: Span::default(),
            }),
            op,
            op_span: Span::default(),
            modifier: None,
            rhs,
        })),
        span: Span::default(),
    };
    for (op, rhs) in [
        (Op::Eq, Rhs::None),
        (Op::Contains, Rhs::List(vec![], Span::default())),
        (Op::Lt, Rhs::None),
    ] {
        let mut d = Definitions::new();
        d.add_macro("m", tree(op, rhs));
        let e = error_with("m", &d);
        assert!(e.to_string().contains("expected one value"), "{e}");
    }
}
