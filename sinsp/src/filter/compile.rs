//! Compilation: resolves fields, expands macros and lists, checks operators
//! against types, and parses constants once.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashSet};
use std::sync::OnceLock;

use memchr::memmem;

use super::ast::{Check, Expr, ExprKind, Modifier, Op, Rhs, Span};
use super::check::{CheckC, DoubleTest, EvtTypeC, IntTest, IpTest, Node, StrSet, StrTest, Test};
use super::error::{ErrorKind, FilterError};
use super::glob::PathSet;
use super::operand::{compile_operand, Class, OperandC, Place, Purpose, StaticTy};
use super::parser::{parse_condition, MAX_DEPTH};
use super::values::{parse_bool, parse_double, parse_hex, parse_int, parse_ip, parse_port, Cidr};
use super::{Definitions, Macro};
use crate::fields::BoundField;

/// The event types a (sub)condition can be true for; None: any.
pub(crate) type Types = Option<BTreeSet<String>>;

/// Every name `evt.type` can take: event names, syscall names of the
/// architectures we know, PPM_SC names.
fn event_type_names() -> &'static HashSet<&'static str> {
    static NAMES: OnceLock<HashSet<&'static str>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut s: HashSet<&'static str> = scap::schema::events().iter().map(|e| e.name).collect();
        s.remove("unknown");
        for arch in [scap::schema::Arch::X86_64, scap::schema::Arch::Aarch64] {
            s.extend(arch.syscalls().iter().map(|e| e.name));
        }
        s.extend(scap::schema::PPM_SC.iter().map(|e| e.1));
        s
    })
}

/// One constant of a right-hand side, with where it came from.
struct Item<'a> {
    value: Cow<'a, [u8]>,
    span: Span,
}

pub(crate) struct Compiler<'d> {
    defs: &'d Definitions,
    /// Macros being expanded, outermost first.
    stack: Vec<String>,
    depth: usize,
}

/// Nesting limit of the compiled tree (macros included).
const MAX_COMPILE_DEPTH: usize = 4 * MAX_DEPTH;

impl<'d> Compiler<'d> {
    pub(crate) fn new(defs: &'d Definitions) -> Compiler<'d> {
        Compiler {
            defs,
            stack: Vec::new(),
            depth: 0,
        }
    }

    /// Compiles `e`, whose spans refer to `src`.
    pub(crate) fn expr(&mut self, e: &Expr, src: &str) -> Result<(Node, Types), FilterError> {
        self.depth += 1;
        let r = if self.depth > MAX_COMPILE_DEPTH {
            Err(FilterError::new(
                src,
                e.span.start,
                ErrorKind::TooDeep(MAX_DEPTH),
            ))
        } else {
            self.expr_inner(e, src)
        };
        self.depth -= 1;
        r
    }

    fn expr_inner(&mut self, e: &Expr, src: &str) -> Result<(Node, Types), FilterError> {
        match &e.kind {
            ExprKind::And(v) => {
                let mut nodes = Vec::with_capacity(v.len());
                let mut types: Types = None;
                for x in v {
                    let (n, t) = self.expr(x, src)?;
                    nodes.push(n);
                    types = match (types, t) {
                        (None, t) => t,
                        (t, None) => t,
                        (Some(a), Some(b)) => Some(a.intersection(&b).cloned().collect()),
                    };
                }
                Ok((Node::And(nodes.into()), types))
            }
            ExprKind::Or(v) => {
                let mut nodes = Vec::with_capacity(v.len());
                let mut types: Types = Some(BTreeSet::new());
                for x in v {
                    let (n, t) = self.expr(x, src)?;
                    nodes.push(n);
                    types = match (types, t) {
                        (Some(mut a), Some(b)) => {
                            a.extend(b);
                            Some(a)
                        }
                        _ => None,
                    };
                }
                Ok((Node::Or(nodes.into()), types))
            }
            ExprKind::Not(x) => {
                let (n, _) = self.expr(x, src)?;
                Ok((Node::Not(Box::new(n)), None))
            }
            ExprKind::Check(c) => self.check(c, src),
            ExprKind::Macro(name) => self.expand_macro(name, e.span, src),
        }
    }

    fn expand_macro(
        &mut self,
        name: &str,
        span: Span,
        src: &str,
    ) -> Result<(Node, Types), FilterError> {
        let at = |kind| FilterError::new(src, span.start, kind);
        let Some(m) = self.defs.macros.get(name) else {
            return Err(at(ErrorKind::UnknownMacro(name.into())));
        };
        if self.stack.iter().any(|s| s == name) {
            let mut path = self.stack.clone();
            path.push(name.into());
            return Err(at(ErrorKind::Cycle(path)));
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err(at(ErrorKind::TooDeep(MAX_DEPTH)));
        }
        let in_macro = |inner: FilterError| {
            at(ErrorKind::InMacro {
                name: name.into(),
                inner: Box::new(inner),
            })
        };
        let parsed;
        let (ast, text) = match m {
            Macro::Text(t) => {
                parsed = parse_condition(t).map_err(in_macro)?;
                (&parsed, t.as_str())
            }
            Macro::Ast(a) => (a, ""),
        };
        self.stack.push(name.into());
        let r = self.expr(ast, text);
        self.stack.pop();
        r.map_err(in_macro)
    }

    // -----------------------------------------------------------------------
    // Checks.

    fn check(&mut self, c: &Check, src: &str) -> Result<(Node, Types), FilterError> {
        let place = Place {
            purpose: Purpose::Filter,
            transformed: false,
        };
        let (lhs, lty) = compile_operand(&c.lhs, src, place)?;
        let op = c.op;
        if !allowed(op, &lty) {
            return Err(FilterError::new(
                src,
                c.op_span.start,
                ErrorKind::BadOperator {
                    op: op.as_str(),
                    what: c.lhs.to_string(),
                    ty: lty.label(),
                },
            ));
        }
        let negate = op == Op::Ne;

        // Field-to-field.
        if let Rhs::Operand(o) = &c.rhs {
            if let Some(f) = lty.no_rhs {
                return Err(FilterError::new(
                    src,
                    c.lhs.span().start,
                    ErrorKind::NoRhs(f.into()),
                ));
            }
            if op == Op::Regex {
                return Err(FilterError::new(
                    src,
                    c.op_span.start,
                    ErrorKind::BadOperator {
                        op: op.as_str(),
                        what: "a field-to-field comparison".into(),
                        ty: lty.label(),
                    },
                ));
            }
            let (rhs, rty) = compile_operand(o, src, place)?;
            if let Some(f) = rty.no_rhs {
                return Err(FilterError::new(
                    src,
                    o.span().start,
                    ErrorKind::NoRhs(f.into()),
                ));
            }
            if lty.label() != rty.label() {
                return Err(FilterError::new(
                    src,
                    o.span().start,
                    ErrorKind::TypeMismatch {
                        lhs: lty.label(),
                        rhs: rty.label(),
                    },
                ));
            }
            return Ok((self.node(lhs, &lty, op, negate, Test::Field(rhs)), None));
        }

        let items = self.items(&c.rhs, src)?;
        let evt_type = matches!(lty.field, Some("evt.type" | "syscall.type"))
            && matches!(op, Op::Eq | Op::Ne | Op::In | Op::Intersects);
        let mut types = None;
        if evt_type {
            let known = event_type_names();
            for it in &items {
                let name = String::from_utf8_lossy(&it.value);
                if !known.contains(&*name) {
                    return Err(FilterError::new(
                        src,
                        it.span.start,
                        ErrorKind::UnknownEventType(name.into_owned()),
                    ));
                }
            }
            if op != Op::Ne {
                types = Some(
                    items
                        .iter()
                        .map(|it| String::from_utf8_lossy(&it.value).into_owned())
                        .collect(),
                );
            }
        }
        // `= anyof` is `in`, `!= allof` is `not in`: a set.
        let as_set = matches!(
            (op, c.modifier),
            (Op::Eq, Some(Modifier::AnyOf)) | (Op::Ne, Some(Modifier::AllOf))
        );
        if lty.field == Some("evt.type") && evt_type && (c.modifier.is_none() || as_set) {
            let f = lhs.as_field().expect("a plain field").clone();
            return Ok((
                Node::EvtType(Box::new(evt_type_check(&items, negate, f))),
                types,
            ));
        }
        let what = c.lhs.to_string();
        let test = match c.modifier {
            None => constant_test(c.op_span.end, op, &lty, &what, &items, src)?,
            Some(_) if as_set => constant_test(c.op_span.end, Op::In, &lty, &what, &items, src)?,
            Some(m) => Test::Mod(
                m,
                items
                    .chunks(1)
                    .map(|one| constant_test(c.op_span.end, op, &lty, &what, one, src))
                    .collect::<Result<Vec<_>, _>>()?
                    .into(),
            ),
        };
        Ok((self.node(lhs, &lty, op, negate, test), types))
    }

    fn node(&self, lhs: OperandC, lty: &StaticTy, op: Op, negate: bool, test: Test) -> Node {
        Node::Check(Box::new(CheckC {
            lhs,
            mode: lty.mode,
            op,
            negate,
            test,
        }))
    }

    /// The constants of a right-hand side, lists expanded.
    fn items<'a>(&self, rhs: &'a Rhs, src: &str) -> Result<Vec<Item<'a>>, FilterError> {
        let mut out = Vec::new();
        match rhs {
            Rhs::None | Rhs::Operand(_) => {}
            Rhs::Value(l) => out.push(Item {
                value: Cow::Borrowed(&l.value),
                span: l.span,
            }),
            Rhs::List(v, _) => {
                for l in v {
                    let name = std::str::from_utf8(&l.value).ok();
                    match name.filter(|n| !l.quoted && self.defs.lists.contains_key(*n)) {
                        Some(n) => self.expand_list(n, l.span, src, &mut Vec::new(), &mut out)?,
                        None => out.push(Item {
                            value: Cow::Borrowed(&l.value),
                            span: l.span,
                        }),
                    }
                }
            }
            Rhs::ListRef(name, span) => {
                if !self.defs.lists.contains_key(name) {
                    return Err(FilterError::new(
                        src,
                        span.start,
                        ErrorKind::UnknownList(name.clone()),
                    ));
                }
                self.expand_list(name, *span, src, &mut Vec::new(), &mut out)?;
            }
        }
        Ok(out)
    }

    /// The items of list `name`; items that name lists are expanded too.
    fn expand_list<'a>(
        &self,
        name: &str,
        span: Span,
        src: &str,
        path: &mut Vec<String>,
        out: &mut Vec<Item<'a>>,
    ) -> Result<(), FilterError> {
        if path.iter().any(|p| p == name) || path.len() > MAX_DEPTH {
            let mut p = path.clone();
            p.push(name.into());
            return Err(FilterError::new(src, span.start, ErrorKind::Cycle(p)));
        }
        path.push(name.into());
        for it in &self.defs.lists[name] {
            if self.defs.lists.contains_key(it) {
                self.expand_list(it, span, src, path, out)?;
            } else {
                out.push(Item {
                    value: Cow::Owned(it.as_bytes().to_vec()),
                    span,
                });
            }
        }
        path.pop();
        Ok(())
    }
}

/// Which operators apply to which types.
fn allowed(op: Op, ty: &StaticTy) -> bool {
    use Op::*;
    if ty.list {
        return matches!(op, In | Intersects | Exists);
    }
    match ty.class {
        Class::Int { .. } | Class::Double | Class::Port => {
            matches!(op, Eq | Ne | Lt | Le | Gt | Ge | In | Intersects | Exists)
        }
        Class::Bool | Class::Ip | Class::Net => matches!(op, Eq | Ne | In | Intersects | Exists),
        Class::Str => !matches!(op, BContains | BStartsWith),
        Class::Bytes => matches!(
            op,
            Eq | Ne
                | Contains
                | BContains
                | StartsWith
                | BStartsWith
                | EndsWith
                | In
                | Intersects
                | Exists
        ),
    }
}

fn evt_type_check(items: &[Item<'_>], negate: bool, field: BoundField) -> EvtTypeC {
    let names = StrSet::new(items.iter().map(|i| &*i.value));
    let set = |bits: &mut Vec<u64>, i: usize| {
        if bits.len() <= i >> 6 {
            bits.resize((i >> 6) + 1, 0);
        }
        bits[i >> 6] |= 1 << (i & 63);
    };
    let events = scap::schema::events();
    let mut bits = vec![0u64; events.len().div_ceil(64)];
    for e in events {
        if names.contains(e.name.as_bytes()) {
            set(&mut bits, usize::from(e.code));
        }
    }
    let (mut sc_bits, mut sc_known) = (Vec::new(), Vec::new());
    for &(code, name) in scap::schema::PPM_SC {
        set(&mut sc_known, usize::from(code));
        if names.contains(name.as_bytes()) {
            set(&mut sc_bits, usize::from(code));
        }
    }
    EvtTypeC {
        bits: bits.into(),
        sc_bits: sc_bits.into(),
        sc_known: sc_known.into(),
        names,
        negate,
        field,
    }
}

/// Parses the constants for the operator and the left-hand side's type.
fn constant_test(
    at: usize,
    op: Op,
    ty: &StaticTy,
    what: &str,
    items: &[Item<'_>],
    src: &str,
) -> Result<Test, FilterError> {
    let bad = |it: &Item<'_>, ty: &'static str, reason: &'static str| {
        FilterError::new(
            src,
            it.span.start,
            ErrorKind::BadValue {
                value: String::from_utf8_lossy(&it.value).into_owned(),
                ty,
                what: what.into(),
                reason,
            },
        )
    };
    let text = |it: &Item<'_>| String::from_utf8_lossy(&it.value).into_owned();
    if op == Op::Exists {
        return Ok(Test::Exists);
    }
    let set = matches!(op, Op::In | Op::Intersects);
    // The parser gives one value to these operators; a hand-built tree
    // (a macro given as a tree) may not.
    if !set && op != Op::Pmatch && items.len() != 1 {
        return Err(FilterError::new(
            src,
            at,
            ErrorKind::Expected(format!("one value after '{op}'")),
        ));
    }
    let one = || &items[0];
    Ok(match ty.class {
        Class::Str | Class::Bytes => Test::Str(match op {
            Op::Eq | Op::Ne => StrTest::Eq(one().value.as_ref().into()),
            Op::Lt | Op::Le | Op::Gt | Op::Ge => StrTest::Ord(op, one().value.as_ref().into()),
            Op::Contains => {
                StrTest::Contains(Box::new(memmem::Finder::new(&one().value).into_owned()))
            }
            Op::IContains => StrTest::IContains(one().value.to_ascii_lowercase().into()),
            Op::BContains => {
                let v = parse_hex(&one().value).map_err(|r| bad(one(), "hex string", r))?;
                StrTest::Contains(Box::new(memmem::Finder::new(&v).into_owned()))
            }
            Op::StartsWith => StrTest::StartsWith(one().value.as_ref().into()),
            Op::BStartsWith => StrTest::StartsWith(
                parse_hex(&one().value)
                    .map_err(|r| bad(one(), "hex string", r))?
                    .into(),
            ),
            Op::EndsWith => StrTest::EndsWith(one().value.as_ref().into()),
            Op::Glob | Op::IGlob => StrTest::Glob {
                pattern: one().value.as_ref().into(),
                casefold: op == Op::IGlob,
            },
            Op::Regex => {
                let it = one();
                let pat = std::str::from_utf8(&it.value)
                    .map_err(|_| bad(it, "regular expression", "not UTF-8"))?;
                let re = regex::RegexBuilder::new(&format!(r"\A(?:{pat})\z"))
                    .size_limit(1 << 22)
                    .build()
                    .map_err(|e| {
                        FilterError::new(src, it.span.start, ErrorKind::BadRegex(e.to_string()))
                    })?;
                StrTest::Regex(re)
            }
            Op::In | Op::Intersects => StrTest::Set(StrSet::new(items.iter().map(|i| &*i.value))),
            Op::Pmatch => {
                let mut p = PathSet::default();
                for it in items {
                    p.insert(&it.value);
                }
                StrTest::Pmatch(p)
            }
            Op::Exists => unreachable!("handled above"),
        }),
        Class::Int { .. } | Class::Port | Class::Bool => {
            let parse = |it: &Item<'_>| -> Result<i128, FilterError> {
                let s = text(it);
                match ty.class {
                    Class::Int { min, max } => {
                        parse_int(&s, min, max).map_err(|r| bad(it, ty.name, r))
                    }
                    Class::Port => parse_port(&s)
                        .map(i128::from)
                        .map_err(|r| bad(it, "port", r)),
                    _ => parse_bool(&s)
                        .map(i128::from)
                        .map_err(|r| bad(it, "bool", r)),
                }
            };
            if set {
                let mut v = items.iter().map(parse).collect::<Result<Vec<_>, _>>()?;
                v.sort_unstable();
                v.dedup();
                Test::Int(IntTest::Set(v.into()))
            } else {
                Test::Int(IntTest::Cmp(op, parse(one())?))
            }
        }
        Class::Double => {
            let parse = |it: &Item<'_>| parse_double(&text(it)).map_err(|r| bad(it, "double", r));
            if set {
                Test::Double(DoubleTest::Set(
                    items
                        .iter()
                        .map(parse)
                        .collect::<Result<Vec<_>, _>>()?
                        .into(),
                ))
            } else {
                Test::Double(DoubleTest::Cmp(op, parse(one())?))
            }
        }
        Class::Ip => {
            let parse = |it: &Item<'_>| parse_ip(&text(it)).map_err(|r| bad(it, "IP address", r));
            if set {
                Test::Ip(IpTest::Set(
                    items
                        .iter()
                        .map(parse)
                        .collect::<Result<Vec<_>, _>>()?
                        .into(),
                ))
            } else {
                Test::Ip(IpTest::Eq(parse(one())?))
            }
        }
        Class::Net => Test::Net(
            items
                .iter()
                .map(|it| Cidr::parse(&text(it)).map_err(|r| bad(it, "network", r)))
                .collect::<Result<Vec<_>, _>>()?
                .into(),
        ),
    })
}
