//! The condition parser: valid and invalid conditions (with the position and
//! the message of each error), precedence, spans, string escapes, the depth
//! limit, and the round trip parse(display(ast)) == ast over hand-written
//! and generated trees.

use sinsp::filter::ast::{
    Check, Expr, ExprKind, FieldRef, Literal, Modifier, Op, Operand, Rhs, Span, TrArg, Transform,
    TransformerKind,
};
use sinsp::filter::{parse, ErrorKind, MAX_DEPTH};

/// Conditions the parser must accept (many do not compile: unknown fields
/// and types are the compiler's business).
const VALID: &[&str] = &[
    "proc.name = bash",
    "proc.name == bash",
    "proc.name=bash",
    "proc.name != bash",
    "proc.pid < 5",
    "proc.pid <= 5",
    "proc.pid > -5",
    "proc.pid >= +5",
    "proc.pid < 1.5e+3",
    "proc.pid > 0x1F",
    "fd.name contains passwd",
    "fd.name icontains PASSWD",
    "evt.buffer bcontains 2f62696e",
    "fd.name startswith /etc",
    "evt.buffer bstartswith 7f454c46",
    "fd.name endswith .txt",
    "fd.name glob '/etc/*'",
    "fd.name iglob /ETC/*",
    "fd.name regex '.*passwd'",
    "evt.type in (open, openat)",
    "evt.type in(open,close)",
    "fd.types intersects (ipv4, ipv6)",
    "fd.name pmatch (/var/run, /etc)",
    "fd.name exists",
    "proc.name in ()",
    "proc.name in ( a , \"b c\" , 3 )",
    "proc.name in shell_binaries",
    "not proc.name = bash",
    "not(proc.name = bash)",
    "not not proc.name = bash",
    "not (not proc.name = bash)",
    "proc.name = bash and(fd.name = x or fd.name = y)",
    "proc.name = bash or(fd.name = x)",
    "(proc.name = a)",
    "((proc.name = a))",
    "proc.name = a and fd.name = b and evt.type = c",
    "proc.name = a or fd.name = b and evt.type = c",
    "(proc.name = a or fd.name = b) and evt.type = c",
    "proc.name = \"a b\" or proc.name = 'c d'",
    "proc.name = \"it's\"",
    "proc.name = 'say \"hi\"'",
    "proc.name = \"\\t\\n\\r\\b\\f\\\\\\/\\x41\"",
    "proc.name = \"\\ \"",
    "fd.name = /etc/passwd",
    "fd.sip = 10.0.0.1",
    "fd.sip = ::1",
    "fd.net = 10.0.0.0/8",
    "proc.env[HOME] = /root",
    "proc.env[\"MY VAR\"] = y",
    "proc.env['MY VAR'] = y",
    "evt.arg.fd = 3",
    "evt.arg[1] = x",
    "proc.aname[2] in (bash, sh)",
    "thread.cgroup.cpuacct = /",
    "tolower(proc.name) = bash",
    "toupper(proc.name) = BASH",
    "b64(evt.arg.data) contains x",
    "basename(fd.name) = passwd",
    "len(basename(fd.name)) > 10",
    "len(fd.types) >= 2",
    "tolower(proc.name) = tolower(proc.pname)",
    "proc.name = val(proc.pname)",
    "proc.name != val(proc.pname)",
    "proc.pid > val(proc.ppid)",
    "proc.name in val(proc.pname)",
    "concat(proc.name, \"-\", proc.pname) = bash-systemd",
    "join(\",\", fd.types) = file",
    "concat(proc.name, 42) = x",
    "concat((proc.name, \"x\"), proc.pname) = x",
    "my_macro",
    "my_macro and not other_macro",
    "not my_macro or (a_macro)",
    "proc.name = not",
    "proc.name = and",
    "proc.name = exists",
    "proc.name = tolower",
    "proc.name = a&&b",
    "proc.name = x\tand\nfd.name = y",
    "\n proc.name = x \n",
    "proc.name = x\u{8}and fd.name = y",
    "fd.name exists and not fd.name = /dev/null",
    "evt.type = execve and proc.is_exe_upper_layer = true",
    "proc.name = ünïcödé",
    "proc.name = 'ünï cödé'",
    "proc.name = \"\\xff\\x00\"",
    "fd.name startswith anyof (/etc, /usr)",
    "fd.name = allof (a, b)",
    "proc.name != oneof (a, 'b c')",
    "proc.name contains anyof shell_binaries",
    "proc.name = anyof",
    "proc.name = anyof and proc.pid exists",
];

#[test]
fn valid_conditions_parse_and_round_trip() {
    for src in VALID {
        let e = parse(src).unwrap_or_else(|e| panic!("{src:?}: {e}"));
        let printed = e.to_string();
        let again =
            parse(&printed).unwrap_or_else(|err| panic!("{src:?} printed as {printed:?}: {err}"));
        assert_eq!(
            again.without_spans(),
            e.without_spans(),
            "{src:?} printed as {printed:?}"
        );
        // Printing is canonical: printing again gives the same text.
        assert_eq!(again.to_string(), printed);
    }
}

/// (condition, error position, message)
const INVALID: &[(&str, usize, &str)] = &[
    ("", 0, "expected a condition"),
    ("   ", 3, "expected a condition"),
    ("proc.name =", 11, "expected a value after '='"),
    ("proc.name = ", 12, "expected a value after '='"),
    ("proc.name != (a)", 13, "expected a value after '!='"),
    ("proc.name", 9, "expected an operator"),
    ("proc.name bash", 10, "expected an operator"),
    ("proc.name containsbash", 10, "expected an operator"),
    (
        "proc.name contains\"x\"",
        18,
        "expected whitespace after 'contains'",
    ),
    (
        "proc.name contains",
        18,
        "expected a value after 'contains'",
    ),
    (
        "proc.name = bash and",
        20,
        "expected a condition after 'and'",
    ),
    (
        "proc.name = bash or ",
        20,
        "expected a condition after 'or'",
    ),
    ("proc.name = bash and and x", 21, "expected a condition"),
    ("not", 3, "expected a condition after 'not'"),
    ("not ", 4, "expected a condition after 'not'"),
    ("(proc.name = bash", 17, "expected ')', 'and' or 'or'"),
    ("(", 1, "expected a condition after '('"),
    (
        "proc.name = bash)",
        16,
        "expected 'and', 'or' or the end of the condition",
    ),
    (
        "proc.name exists x",
        17,
        "expected 'and', 'or' or the end of the condition",
    ),
    (
        "proc.name = a b",
        14,
        "expected 'and', 'or' or the end of the condition",
    ),
    (
        "proc.name = bash && fd.name = x",
        17,
        "'&&' is not an operator of this language; write 'and'",
    ),
    (
        "proc.name = bash || fd.name = x",
        17,
        "'||' is not an operator of this language; write 'or'",
    ),
    (
        "proc.name = bash AND fd.name = x",
        17,
        "'AND' is not an operator of this language; write 'and'",
    ),
    (
        "proc.name = bash OR fd.name = x",
        17,
        "'OR' is not an operator of this language; write 'or'",
    ),
    (
        "proc.name = bash Or(fd.name = x)",
        17,
        "'Or' is not an operator of this language; write 'or'",
    ),
    (
        "(proc.name = bash AND fd.name = x)",
        18,
        "'AND' is not an operator of this language; write 'and'",
    ),
    (
        "NOT proc.name = bash",
        0,
        "'NOT' is not an operator of this language; write 'not'",
    ),
    (
        "!proc.name = bash",
        0,
        "'!' is not an operator of this language; write 'not'",
    ),
    ("proc.name in", 12, "expected a list after 'in'"),
    ("proc.name in ", 13, "expected a list after 'in'"),
    ("proc.name in (a, b", 18, "expected ',' or ')' in the list"),
    ("proc.name in (a b)", 16, "expected ',' or ')' in the list"),
    ("proc.name in (a,)", 16, "expected a list item"),
    ("proc.name in (,)", 14, "expected a list item"),
    ("proc.name in and", 13, "expected a list after 'in'"),
    (
        "proc.name pmatch \"/x\"",
        17,
        "expected a list after 'pmatch'",
    ),
    ("proc.pid > abc", 11, "expected a number after '>'"),
    ("proc.pid <= \"5\"", 12, "expected a number after '<='"),
    ("proc.name = 'abc", 12, "unterminated string"),
    ("proc.name = \"abc\\\"", 12, "unterminated string"),
    (
        "proc.name = \"a\\qb\"",
        14,
        "unsupported string escape sequence '\\q'",
    ),
    (
        "proc.name = 'a\\\"b'",
        14,
        "unsupported string escape sequence '\\\"'",
    ),
    (
        "proc.name = \"a\\'b\"",
        14,
        "unsupported string escape sequence '\\''",
    ),
    (
        "proc.name = \"\\x4\"",
        13,
        "unsupported string escape sequence '\\x'",
    ),
    (
        "proc.name = \"\\xzz\"",
        13,
        "unsupported string escape sequence '\\x'",
    ),
    (
        "proc.name = \"\\u0041\"",
        13,
        "unsupported string escape sequence '\\u'",
    ),
    ("proc.aname[2", 12, "expected ']' after the field argument"),
    (
        "proc.aname[] = x",
        11,
        "expected a field argument after '['",
    ),
    ("proc.env[\"x] = y", 9, "unterminated string"),
    ("foo(proc.name) = x", 0, "unknown transformer 'foo'"),
    (
        "val(proc.name) = x",
        0,
        "expected a field or a transformer (val() only goes on the right-hand side)",
    ),
    (
        "tolower(proc.name = x",
        18,
        "expected ',' or ')' after a transformer argument",
    ),
    ("tolower() = x", 8, "expected a transformer argument"),
    ("tolower(bare) = x", 8, "expected a field name"),
    (
        "proc.name = val(tolower(proc.pname))",
        16,
        "expected a field name",
    ),
    (
        "proc.name = val(proc.pname",
        26,
        "expected ')' after the field of val()",
    ),
    (
        "len(val(proc.name)) = 1",
        4,
        "expected a field or a transformer (val() only goes on the right-hand side)",
    ),
    (
        "proc = bash",
        5,
        "expected 'and', 'or' or the end of the condition",
    ),
    (
        "5 = 5",
        0,
        "expected a condition: a field, a macro name, 'not' or '('",
    ),
    (
        "= bash",
        0,
        "expected a condition: a field, a macro name, 'not' or '('",
    ),
    (
        "proc.name = bash and = x",
        21,
        "expected a condition: a field, a macro name, 'not' or '('",
    ),
];

#[test]
fn invalid_conditions_name_the_position() {
    for &(src, pos, msg) in INVALID {
        match parse(src) {
            Ok(e) => panic!("{src:?} parsed as {e}"),
            Err(e) => {
                assert_eq!(e.pos, pos, "{src:?}: {e}");
                assert!(
                    e.message().starts_with(msg),
                    "{src:?}: got {:?}, expected {msg:?}",
                    e.message()
                );
                assert_eq!(e.to_string(), format!("at {pos}: {}", e.message()));
            }
        }
    }
}

#[test]
fn errors_in_multiline_conditions_give_line_and_column() {
    let src = "proc.name = bash and\n  fd.name =";
    let e = parse(src).unwrap_err();
    assert_eq!((e.pos, e.line, e.col), (32, 2, 12));
    assert_eq!(e.to_string(), "at 32 (2:12): expected a value after '='");
    // Columns count characters, not bytes.
    let e = parse("proc.name = 'é' and\n\té = x").unwrap_err();
    assert_eq!((e.line, e.col), (2, 2));
}

#[test]
fn depth_is_limited() {
    let ok = format!(
        "{}a.b exists{}",
        "(".repeat(MAX_DEPTH),
        ")".repeat(MAX_DEPTH)
    );
    assert!(parse(&ok).is_ok());
    let deep = format!(
        "{}a.b exists{}",
        "(".repeat(MAX_DEPTH + 1),
        ")".repeat(MAX_DEPTH + 1)
    );
    let e = parse(&deep).unwrap_err();
    assert_eq!(e.kind, ErrorKind::TooDeep(MAX_DEPTH));
    assert_eq!(e.pos, MAX_DEPTH);
    let nots = format!(
        "{}a.b exists{}",
        "not (".repeat(MAX_DEPTH + 1),
        ")".repeat(MAX_DEPTH + 1)
    );
    assert_eq!(
        parse(&nots).unwrap_err().kind,
        ErrorKind::TooDeep(MAX_DEPTH)
    );
    let tr = format!(
        "{}a.b{} = x",
        "tolower(".repeat(MAX_DEPTH + 1),
        ")".repeat(MAX_DEPTH + 1)
    );
    assert_eq!(parse(&tr).unwrap_err().kind, ErrorKind::TooDeep(MAX_DEPTH));
    // A long flat chain is not deep, and `not` repeated is toggled.
    let flat = vec!["a.b exists"; 5000].join(" and ");
    assert!(parse(&flat).is_ok());
    let many_nots = format!("{}a.b exists", "not ".repeat(10_001));
    assert!(matches!(parse(&many_nots).unwrap().kind, ExprKind::Not(_)));
    // Unbalanced garbage neither panics nor recurses without bound.
    let _ = parse(&"(".repeat(100_000));
    let _ = parse(&"tolower(".repeat(100_000));
}

fn check(src: &str) -> Check {
    match parse(src).unwrap().kind {
        ExprKind::Check(c) => *c,
        k => panic!("{src}: {k:?}"),
    }
}

fn lit(src: &str) -> Vec<u8> {
    match check(&format!("a.b = {src}")).rhs {
        Rhs::Value(l) => l.value,
        r => panic!("{src}: {r:?}"),
    }
}

#[test]
fn string_escapes_follow_the_reference() {
    assert_eq!(lit(r#""\t\n\r\b\f""#), b"\t\n\r\x08\x0c");
    assert_eq!(lit(r#""a\\b\/c""#), b"a\\b/c");
    assert_eq!(lit(r#""say \"hi\"""#), b"say \"hi\"");
    assert_eq!(lit(r"'it\'s'"), b"it's");
    assert_eq!(lit(r#""\x41\x7a\xff""#), b"Az\xff");
    // The compatibility quirk: backslash-space is one backslash.
    assert_eq!(lit(r#""a\ b""#), b"a\\b");
    assert_eq!(lit(r#""\ ""#), b"\\");
    // Quotes of the other kind need no escape.
    assert_eq!(lit(r#""it's""#), b"it's");
    assert_eq!(lit(r#"'a "b"'"#), b"a \"b\"");
    // Bare values are taken as written, backslashes included.
    assert_eq!(lit(r"C:\dir"), b"C:\\dir");
    assert_eq!(lit("/etc/passwd"), b"/etc/passwd");
    assert_eq!(lit("10.0.0.0/8"), b"10.0.0.0/8");
    assert_eq!(lit("a!b<c>d"), b"a!b<c>d");
    // Field arguments can be quoted.
    let c = check(r#"proc.env["MY VAR"] = x"#);
    match c.lhs {
        Operand::Field(f) => assert_eq!(f.arg.as_deref(), Some("MY VAR")),
        o => panic!("{o:?}"),
    }
}

#[test]
fn precedence_and_structure() {
    let e = parse("a.b = 1 or c.d = 2 and e.f = 3").unwrap();
    let ExprKind::Or(v) = &e.kind else {
        panic!("{e:?}")
    };
    assert_eq!(v.len(), 2);
    assert!(matches!(v[1].kind, ExprKind::And(ref w) if w.len() == 2));

    let e = parse("not a.b = 1 and c.d = 2").unwrap();
    let ExprKind::And(v) = &e.kind else {
        panic!("{e:?}")
    };
    assert!(matches!(v[0].kind, ExprKind::Not(_)));

    // n-ary, not nested.
    let e = parse("a.b exists and c.d exists and e.f exists and g.h exists").unwrap();
    assert!(matches!(e.kind, ExprKind::And(ref v) if v.len() == 4));
    let e = parse("a.b exists or c.d exists or e.f exists").unwrap();
    assert!(matches!(e.kind, ExprKind::Or(ref v) if v.len() == 3));

    // Parentheses keep their grouping.
    let e = parse("(a.b exists or c.d exists) or e.f exists").unwrap();
    let ExprKind::Or(v) = &e.kind else { panic!() };
    assert!(matches!(v[0].kind, ExprKind::Or(_)));
    assert_eq!(e.to_string(), "(a.b exists or c.d exists) or e.f exists");

    // `not` toggles.
    assert!(matches!(
        parse("not not a.b exists").unwrap().kind,
        ExprKind::Check(_)
    ));
    assert!(matches!(
        parse("not not not a.b exists").unwrap().kind,
        ExprKind::Not(_)
    ));

    // `==` is `=`.
    assert_eq!(check("a.b == c").op, Op::Eq);
    assert_eq!(parse("a.b==c").unwrap().to_string(), "a.b = c");

    // A field on the right-hand side without val() is a string.
    assert_eq!(
        check("proc.name = proc.pname").rhs,
        Rhs::Value(Literal {
            value: b"proc.pname".to_vec(),
            quoted: false,
            span: Span::new(12, 22)
        })
    );
    assert!(matches!(
        check("proc.name = val(proc.pname)").rhs,
        Rhs::Operand(_)
    ));
    assert!(matches!(
        check("proc.name in my_list").rhs,
        Rhs::ListRef(ref n, _) if n == "my_list"
    ));
    assert!(matches!(
        parse("my_macro").unwrap().kind,
        ExprKind::Macro(ref n) if n == "my_macro"
    ));
}

#[test]
fn spans_point_into_the_source() {
    let src = "fd.name = /etc and proc.aname[2] in (bash, 'sh') and tolower(proc.name) exists";
    let e = parse(src).unwrap();
    assert_eq!(e.span, Span::new(0, src.len()));
    let ExprKind::And(v) = &e.kind else { panic!() };
    let text = |s: Span| &src[s.start..s.end];
    let ExprKind::Check(c) = &v[0].kind else {
        panic!()
    };
    assert_eq!(text(v[0].span), "fd.name = /etc");
    assert_eq!(text(c.lhs.span()), "fd.name");
    assert_eq!(text(c.op_span), "=");
    let ExprKind::Check(c) = &v[1].kind else {
        panic!()
    };
    assert_eq!(text(c.lhs.span()), "proc.aname[2]");
    assert_eq!(text(c.op_span), "in");
    let Rhs::List(items, span) = &c.rhs else {
        panic!()
    };
    assert_eq!(text(*span), "(bash, 'sh')");
    assert_eq!(text(items[1].span), "'sh'");
    let ExprKind::Check(c) = &v[2].kind else {
        panic!()
    };
    assert_eq!(text(c.lhs.span()), "tolower(proc.name)");
    assert_eq!(text(c.op_span), "exists");
}

// ---------------------------------------------------------------------------
// Generated trees: parse(display(ast)) == ast.

/// xorshift64*: a small deterministic generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<T: Clone>(&mut self, s: &[T]) -> T {
        s[self.below(s.len())].clone()
    }
}

const NAMES: &[&str] = &[
    "proc.name",
    "fd.name",
    "evt.type",
    "proc.aname",
    "evt.arg.fd",
    "thread.cgroup.cpu",
    "fs.path.name",
    "x.y_1.Z9",
];
const ARGS: &[&str] = &["2", "HOME", "MY VAR", "", "a]b", "x\"y'z", "é"];
const IDENTS: &[&str] = &[
    "foo", "my_macro", "x1", "tolower", "val", "exists", "in", "NOTE", "andy",
];
const NUMBERS: &[&str] = &[
    "0", "42", "-7", "+3", "1.5", "3.", "0x1F", "0XaB", "2e+10", "6E-2",
];

fn sp() -> Span {
    Span::default()
}

fn gen_literal(r: &mut Rng) -> Literal {
    if r.below(2) == 0 {
        // Bare: anything but blanks, ( ) " ' = ,
        let alphabet: Vec<char> = "abcXYZ019/._-*?[]!<>:@+&|\\éü".chars().collect();
        let n = 1 + r.below(8);
        let s: String = (0..n).map(|_| r.pick(&alphabet)).collect();
        Literal {
            value: s.into_bytes(),
            quoted: false,
            span: sp(),
        }
    } else {
        let bytes: &[u8] = b"ab \t\n\r\x08\x0c\"'\\/(),=\x00\x7f\xff\xc3\xa9";
        let n = r.below(8);
        Literal {
            value: (0..n).map(|_| r.pick(bytes)).collect(),
            quoted: true,
            span: sp(),
        }
    }
}

fn gen_field(r: &mut Rng) -> FieldRef {
    FieldRef {
        name: r.pick(NAMES).to_string(),
        arg: (r.below(3) == 0).then(|| r.pick(ARGS).to_string()),
        span: sp(),
    }
}

fn gen_operand(r: &mut Rng, depth: usize, allow_val: bool) -> Operand {
    if depth == 0 || r.below(3) > 0 {
        return Operand::Field(gen_field(r));
    }
    let kinds: Vec<TransformerKind> = TransformerKind::ALL
        .into_iter()
        .filter(|k| allow_val || *k != TransformerKind::Val)
        .collect();
    let kind = r.pick(&kinds);
    let args = match kind {
        TransformerKind::Val => vec![TrArg::Operand(Operand::Field(gen_field(r)))],
        _ => (0..1 + r.below(3))
            .map(|_| gen_tr_arg(r, depth - 1, true))
            .collect(),
    };
    Operand::Transform(Transform {
        kind,
        args,
        span: sp(),
    })
}

fn gen_tr_arg(r: &mut Rng, depth: usize, lists: bool) -> TrArg {
    match r.below(if lists { 5 } else { 4 }) {
        0 => TrArg::Literal(Literal {
            quoted: true,
            ..gen_literal(r)
        }),
        1 => TrArg::Literal(Literal {
            value: r.pick(NUMBERS).as_bytes().to_vec(),
            quoted: false,
            span: sp(),
        }),
        4 => TrArg::List(
            (0..r.below(3))
                .map(|_| gen_tr_arg(r, depth, false))
                .collect(),
            sp(),
        ),
        _ => TrArg::Operand(gen_operand(r, depth, false)),
    }
}

fn gen_check(r: &mut Rng) -> Check {
    let op = r.pick(&Op::ALL);
    let rhs = if op == Op::Exists {
        Rhs::None
    } else if r.below(5) == 0 {
        // The parser reads a right-hand operand only as val() or a transformer.
        match gen_operand(r, 2, true) {
            Operand::Field(f) => Rhs::Operand(Operand::Transform(Transform {
                kind: TransformerKind::Val,
                args: vec![TrArg::Operand(Operand::Field(f))],
                span: sp(),
            })),
            o => Rhs::Operand(o),
        }
    } else if op.is_ordering() {
        Rhs::Value(Literal {
            value: r.pick(NUMBERS).as_bytes().to_vec(),
            quoted: false,
            span: sp(),
        })
    } else if op.takes_list() {
        if r.below(4) == 0 {
            Rhs::ListRef(r.pick(IDENTS).to_string(), sp())
        } else {
            Rhs::List((0..r.below(4)).map(|_| gen_literal(r)).collect(), sp())
        }
    } else {
        Rhs::Value(gen_literal(r))
    };
    // A modifier before a list, after the operators that take one.
    let modifier = if Modifier::applies_to(op) && r.below(4) == 0 {
        Some(r.pick(&[Modifier::AnyOf, Modifier::AllOf, Modifier::OneOf]))
    } else {
        None
    };
    let rhs = match (modifier, rhs) {
        (Some(_), _) if r.below(3) == 0 => Rhs::ListRef(r.pick(IDENTS).to_string(), sp()),
        (Some(_), _) => Rhs::List((0..r.below(4)).map(|_| gen_literal(r)).collect(), sp()),
        (None, rhs) => rhs,
    };
    Check {
        lhs: gen_operand(r, 2, false),
        op,
        op_span: sp(),
        modifier,
        rhs,
    }
}

fn gen_expr(r: &mut Rng, depth: usize) -> Expr {
    let kind = if depth == 0 || r.below(3) == 0 {
        if r.below(8) == 0 {
            ExprKind::Macro(r.pick(IDENTS).to_string())
        } else {
            ExprKind::Check(Box::new(gen_check(r)))
        }
    } else {
        match r.below(3) {
            0 => ExprKind::Or(
                (0..2 + r.below(3))
                    .map(|_| gen_expr(r, depth - 1))
                    .collect(),
            ),
            1 => ExprKind::And(
                (0..2 + r.below(3))
                    .map(|_| gen_expr(r, depth - 1))
                    .collect(),
            ),
            _ => ExprKind::Not(Box::new(gen_expr(r, depth - 1))),
        }
    };
    Expr { kind, span: sp() }
}

#[test]
fn generated_trees_round_trip_through_display() {
    let mut r = Rng(0x9e37_79b9_7f4a_7c15);
    for i in 0..5000 {
        let e = gen_expr(&mut r, 5);
        let printed = e.to_string();
        let back = parse(&printed)
            .unwrap_or_else(|err| panic!("case {i}: {printed:?} does not parse: {err}"));
        assert_eq!(back.without_spans(), e, "case {i}: {printed:?}");
        // And the spans of the reparsed tree lie within the text.
        assert!(back.span.end <= printed.len());
    }
}

#[test]
fn modifiers_only_before_a_list() {
    let c = check("fd.name startswith anyof (/etc, /usr)");
    assert_eq!((c.op, c.modifier), (Op::StartsWith, Some(Modifier::AnyOf)));
    assert!(matches!(c.rhs, Rhs::List(ref v, _) if v.len() == 2));
    let c = check("proc.name != allof my_list");
    assert_eq!(c.modifier, Some(Modifier::AllOf));
    assert!(matches!(c.rhs, Rhs::ListRef(ref n, _) if n == "my_list"));
    // Otherwise the word is a value.
    for src in ["proc.name = anyof", "proc.name = anyof and proc.pid exists"] {
        let e = parse(src).unwrap();
        let c = match &e.kind {
            ExprKind::Check(c) => c,
            ExprKind::And(v) => match &v[0].kind {
                ExprKind::Check(c) => c,
                k => panic!("{k:?}"),
            },
            k => panic!("{k:?}"),
        };
        assert_eq!(c.modifier, None, "{src}");
    }
    // The modifier and its list are separated by whitespace.
    assert!(parse("proc.name = oneof()").is_err());
    // Not after ordering or list operators.
    assert!(parse("proc.pid > anyof (1, 2)").is_err());
    assert!(matches!(
        check("proc.name in anyof").rhs,
        Rhs::ListRef(ref n, _) if n == "anyof"
    ));
}
