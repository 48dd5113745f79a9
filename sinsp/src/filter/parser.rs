//! The condition parser: text → [`Expr`], built with nom.
//!
//! One function per precedence level (`or_expr` → `and_expr` → `not_expr`
//! → `atom`), lexemes from nom's combinators, and errors that name the
//! position of the offending text. Once a construct is recognised every
//! error is a `Failure`, so nothing backtracks into a misleading message.

use std::cell::Cell;

use nom::branch::alt;
use nom::bytes::complete::{tag_no_case, take_while, take_while1};
use nom::character::complete::{char, digit0, digit1, hex_digit1, one_of, satisfy};
use nom::combinator::opt;
use nom::multi::many1_count;
use nom::{Err, IResult, Parser as _};

use super::ast::{
    ends_bare, is_blank, Check, Expr, ExprKind, FieldRef, Literal, Modifier, Op, Operand, Rhs,
    Span, TrArg, Transform, TransformerKind,
};
use super::error::{ErrorKind, FilterError};

/// Nesting limit for parentheses, `not (...)`, lists and transformers.
pub const MAX_DEPTH: usize = 100;

/// A parse error: where (the rest of the input) and what.
#[derive(Debug)]
pub(crate) struct PErr<'s> {
    rest: &'s str,
    kind: ErrorKind,
}

impl<'s> nom::error::ParseError<&'s str> for PErr<'s> {
    fn from_error_kind(input: &'s str, _: nom::error::ErrorKind) -> Self {
        PErr {
            rest: input,
            kind: ErrorKind::Expected("valid syntax".into()),
        }
    }

    fn append(_: &'s str, _: nom::error::ErrorKind, other: Self) -> Self {
        other
    }
}

type R<'s, T> = IResult<&'s str, T, PErr<'s>>;

fn fail<'s, T>(rest: &'s str, kind: ErrorKind) -> R<'s, T> {
    Err(Err::Failure(PErr { rest, kind }))
}

fn expected<'s, T>(rest: &'s str, what: impl Into<String>) -> R<'s, T> {
    fail(rest, ErrorKind::Expected(what.into()))
}

/// Skips whitespace.
fn ws(i: &str) -> &str {
    i.trim_start_matches(is_blank)
}

/// The text `parser` consumed at the start of `i` (what `recognize` does;
/// computed from the rest, which is what the parser vouches for).
fn consumed<'s, O>(
    mut parser: impl nom::Parser<&'s str, Output = O, Error = PErr<'s>>,
) -> impl FnMut(&'s str) -> R<'s, &'s str> {
    move |i| {
        let (r, _) = parser.parse(i)?;
        Ok((r, &i[..i.len() - r.len()]))
    }
}

/// `[a-zA-Z][a-zA-Z0-9_]*`
fn ident(i: &str) -> R<'_, &str> {
    consumed((
        satisfy(|c| c.is_ascii_alphabetic()),
        take_while(|c: char| c.is_ascii_alphanumeric() || c == '_'),
    ))(i)
}

/// `ident ("." ident)+`: a field name always has a dot.
fn field_name(i: &str) -> R<'_, &str> {
    consumed((ident, many1_count((char('.'), ident))))(i)
}

/// Hex `0x..`, or decimal `[+-]?digits[.digits][(e|E)(+|-)digits]`.
fn number(i: &str) -> R<'_, &str> {
    consumed(alt((
        consumed((tag_no_case("0x"), hex_digit1)),
        consumed((
            opt(one_of("+-")),
            digit1,
            opt((char('.'), digit0)),
            opt((one_of("eE"), one_of("+-"), digit1)),
        )),
    )))(i)
}

/// Length of the number at the start of `s`, if one is there.
pub(crate) fn number_len(s: &str) -> Option<usize> {
    number(s).ok().map(|(r, n)| {
        debug_assert_eq!(s.len() - r.len(), n.len());
        n.len()
    })
}

/// `kw` followed by whitespace or `(` (or the end, so that a dangling
/// keyword is reported as such).
fn keyword<'s>(i: &'s str, kw: &str) -> Option<&'s str> {
    let r = i.strip_prefix(kw)?;
    (r.is_empty() || r.starts_with(|c: char| is_blank(c) || c == '(')).then_some(r)
}

/// The parser's state: where the parsed text sits in its source, and the
/// current nesting depth.
pub(crate) struct P {
    /// Length of the text being parsed.
    len: usize,
    /// Offset of that text in the source that errors and spans refer to.
    base: usize,
    depth: Cell<usize>,
}

/// Decrements the depth when a nested construct ends.
struct Deeper<'a>(&'a Cell<usize>);

impl Drop for Deeper<'_> {
    fn drop(&mut self) {
        self.0.set(self.0.get() - 1);
    }
}

impl P {
    fn new(text: &str, base: usize) -> P {
        P {
            len: text.len(),
            base,
            depth: Cell::new(0),
        }
    }

    fn pos(&self, rest: &str) -> usize {
        self.base + self.len - rest.len()
    }

    fn span(&self, from: &str, to: &str) -> Span {
        Span::new(self.pos(from), self.pos(to))
    }

    fn to_error(&self, src: &str, e: PErr<'_>) -> FilterError {
        FilterError::new(src, self.pos(e.rest), e.kind)
    }

    fn deeper<'s>(&self, at: &'s str) -> Result<Deeper<'_>, Err<PErr<'s>>> {
        let d = self.depth.get() + 1;
        if d > MAX_DEPTH {
            return Err(Err::Failure(PErr {
                rest: at,
                kind: ErrorKind::TooDeep(MAX_DEPTH),
            }));
        }
        self.depth.set(d);
        Ok(Deeper(&self.depth))
    }

    // -----------------------------------------------------------------------
    // Boolean structure.

    fn condition<'s>(&self, i: &'s str) -> R<'s, Expr> {
        let i = ws(i);
        if i.is_empty() {
            return expected(i, "a condition");
        }
        let (r, e) = self.or_expr(i)?;
        let r = ws(r);
        if !r.is_empty() {
            return trailing(r, "'and', 'or' or the end of the condition");
        }
        Ok((r, e))
    }

    /// `or` binds less tightly than `and`.
    fn or_expr<'s>(&self, i: &'s str) -> R<'s, Expr> {
        self.nary(i, "or", P::and_expr, ExprKind::Or)
    }

    fn and_expr<'s>(&self, i: &'s str) -> R<'s, Expr> {
        self.nary(i, "and", P::not_expr, ExprKind::And)
    }

    /// `next { kw next }`, one n-ary node.
    fn nary<'s>(
        &self,
        i: &'s str,
        kw: &str,
        next: fn(&P, &'s str) -> R<'s, Expr>,
        make: fn(Vec<Expr>) -> ExprKind,
    ) -> R<'s, Expr> {
        let start = i;
        let (mut i, first) = next(self, i)?;
        let mut items = vec![first];
        loop {
            let j = ws(i);
            let Some(k) = keyword(j, kw) else { break };
            let k = ws(k);
            if k.is_empty() {
                return expected(k, format!("a condition after '{kw}'"));
            }
            let (r, e) = next(self, k)?;
            items.push(e);
            i = r;
        }
        if items.len() == 1 {
            return Ok((i, items.pop().expect("one item")));
        }
        Ok((
            i,
            Expr {
                kind: make(items),
                span: self.span(start, i),
            },
        ))
    }

    /// `{ not } atom`; `not not x` is `x`.
    fn not_expr<'s>(&self, i: &'s str) -> R<'s, Expr> {
        let start = i;
        let mut negate = false;
        let mut i = i;
        while let Some(r) = keyword(i, "not") {
            negate = !negate;
            i = ws(r);
        }
        if i.is_empty() {
            return expected(i, "a condition after 'not'");
        }
        let (r, e) = self.atom(i)?;
        if !negate {
            return Ok((r, e));
        }
        Ok((
            r,
            Expr {
                kind: ExprKind::Not(Box::new(e)),
                span: self.span(start, r),
            },
        ))
    }

    /// `( or_expr )`, a check, or a macro name.
    fn atom<'s>(&self, i: &'s str) -> R<'s, Expr> {
        let start = i;
        if let Some(r) = i.strip_prefix('(') {
            let _d = self.deeper(i)?;
            let r = ws(r);
            if r.is_empty() {
                return expected(r, "a condition after '('");
            }
            let (r, e) = self.or_expr(r)?;
            let r = ws(r);
            let Some(r) = r.strip_prefix(')') else {
                return trailing(r, "')', 'and' or 'or'");
            };
            return Ok((r, e));
        }
        if i.starts_with('!') {
            return fail(
                i,
                ErrorKind::Typo {
                    found: "!".into(),
                    hint: "not",
                },
            );
        }
        let Ok((after, word)) = ident(i) else {
            return expected(i, "a condition: a field, a macro name, 'not' or '('");
        };
        let transformer = TransformerKind::from_name(word);
        if after.starts_with('.')
            || (after.starts_with('(') && transformer.is_some_and(|t| t != TransformerKind::Val))
        {
            let (r, lhs) = self.operand(i, false)?;
            let (r, (op, op_span, modifier, rhs)) = self.check_rest(r)?;
            return Ok((
                r,
                Expr {
                    kind: ExprKind::Check(Box::new(Check {
                        lhs,
                        op,
                        op_span,
                        modifier,
                        rhs,
                    })),
                    span: self.span(start, r),
                },
            ));
        }
        if after.starts_with('(') {
            return match transformer {
                Some(_) => expected(
                    i,
                    "a field or a transformer (val() only goes on the right-hand side)",
                ),
                None => fail(i, ErrorKind::UnknownTransformer(word.into())),
            };
        }
        if matches!(word, "and" | "or" | "not") {
            return expected(i, "a condition");
        }
        for (kw, hint) in [("not", "not"), ("and", "and"), ("or", "or")] {
            if word.eq_ignore_ascii_case(kw) && (after.is_empty() || after.starts_with(is_blank)) {
                return fail(
                    i,
                    ErrorKind::Typo {
                        found: word.into(),
                        hint,
                    },
                );
            }
        }
        Ok((
            after,
            Expr {
                kind: ExprKind::Macro(word.to_string()),
                span: self.span(start, after),
            },
        ))
    }

    // -----------------------------------------------------------------------
    // Checks.

    /// What follows the left-hand side: operator, modifier and right-hand
    /// side.
    fn check_rest<'s>(&self, i: &'s str) -> R<'s, (Op, Span, Option<Modifier>, Rhs)> {
        let j = ws(i);
        let (r, op) = operator(j)?;
        let op_span = self.span(j, r);
        if Modifier::applies_to(op) {
            if let Some((r, m, rhs)) = self.modified(r)? {
                return Ok((r, (op, op_span, Some(m), rhs)));
            }
        }
        let (r, rhs) = self.rhs(r, op)?;
        Ok((r, (op, op_span, None, rhs)))
    }

    /// `blank modifier blank list`, when that is what follows: the word is
    /// a modifier only before a list (or a list name), else it is a value.
    fn modified<'s>(&self, r: &'s str) -> Result<Option<(&'s str, Modifier, Rhs)>, Err<PErr<'s>>> {
        let k = ws(r);
        let Ok((after, word)) = ident(k) else {
            return Ok(None);
        };
        let Some(m) = Modifier::from_name(word) else {
            return Ok(None);
        };
        if k.len() == r.len() || !after.starts_with(is_blank) {
            return Ok(None);
        }
        let l = ws(after);
        if l.starts_with('(') {
            let (rest, (items, span)) = self.list(l)?;
            return Ok(Some((rest, m, Rhs::List(items, span))));
        }
        match ident(l) {
            Ok((rest, name))
                if !matches!(name, "and" | "or" | "not") && !rest.starts_with(['.', '[', '(']) =>
            {
                Ok(Some((
                    rest,
                    m,
                    Rhs::ListRef(name.to_string(), self.span(l, rest)),
                )))
            }
            _ => Ok(None),
        }
    }

    /// The right-hand side of `op`, after it.
    fn rhs<'s>(&self, r: &'s str, op: Op) -> R<'s, Rhs> {
        let k = ws(r);
        match op {
            Op::Exists => Ok((r, Rhs::None)),
            _ if op.is_ordering() => {
                if let Some(n) = number_len(k) {
                    let (lit, rest) = k.split_at(n);
                    return Ok((rest, Rhs::Value(self.bare(lit, rest))));
                }
                if !self.starts_rhs_expr(k) {
                    return expected(k, format!("a number after '{op}'"));
                }
                let (r, o) = self.operand(k, true)?;
                Ok((r, Rhs::Operand(o)))
            }
            _ if op.takes_list() => {
                if k.starts_with('(') {
                    let (r, (items, span)) = self.list(k)?;
                    return Ok((r, Rhs::List(items, span)));
                }
                if self.starts_rhs_expr(k) {
                    let (r, o) = self.operand(k, true)?;
                    return Ok((r, Rhs::Operand(o)));
                }
                match ident(k) {
                    Ok((r, w)) if !matches!(w, "and" | "or" | "not") => {
                        Ok((r, Rhs::ListRef(w.to_string(), self.span(k, r))))
                    }
                    _ => expected(k, format!("a list after '{op}'")),
                }
            }
            _ => {
                if self.starts_rhs_expr(k) {
                    let (r, o) = self.operand(k, true)?;
                    return Ok((r, Rhs::Operand(o)));
                }
                match self.value(k)? {
                    Some((r, lit)) => Ok((r, Rhs::Value(lit))),
                    None => expected(k, format!("a value after '{op}'")),
                }
            }
        }
    }

    /// `val(` or a transformer name with `(`.
    fn starts_rhs_expr(&self, i: &str) -> bool {
        matches!(ident(i), Ok((r, w)) if r.starts_with('(') && TransformerKind::from_name(w).is_some())
    }

    fn bare<'s>(&self, text: &'s str, rest: &'s str) -> Literal {
        Literal {
            value: text.as_bytes().to_vec(),
            quoted: false,
            span: Span::new(self.pos(rest) - text.len(), self.pos(rest)),
        }
    }

    /// A quoted or bare value, or None when neither starts here.
    fn value<'s>(&self, i: &'s str) -> Result<Option<(&'s str, Literal)>, Err<PErr<'s>>> {
        if i.starts_with(['"', '\'']) {
            let (r, v) = self.quoted(i)?;
            return Ok(Some((
                r,
                Literal {
                    value: v,
                    quoted: true,
                    span: self.span(i, r),
                },
            )));
        }
        let bare: R<'s, &'s str> = take_while1(|c: char| !ends_bare(c)).parse(i);
        Ok(bare.ok().map(|(r, text)| (r, self.bare(text, r))))
    }

    /// `( [value {, value}] )`
    fn list<'s>(&self, i: &'s str) -> R<'s, (Vec<Literal>, Span)> {
        let _d = self.deeper(i)?;
        let mut r = ws(&i[1..]);
        let mut items = Vec::new();
        if let Some(x) = r.strip_prefix(')') {
            return Ok((x, (items, self.span(i, x))));
        }
        loop {
            let Some((r2, lit)) = self.value(r)? else {
                return expected(r, "a list item (a bare or quoted value)");
            };
            items.push(lit);
            r = ws(r2);
            if let Some(x) = r.strip_prefix(',') {
                r = ws(x);
            } else if let Some(x) = r.strip_prefix(')') {
                return Ok((x, (items, self.span(i, x))));
            } else {
                return expected(r, "',' or ')' in the list");
            }
        }
    }

    // -----------------------------------------------------------------------
    // Operands.

    /// A field or a transformer (`val()` only when `allow_val`).
    fn operand<'s>(&self, i: &'s str, allow_val: bool) -> R<'s, Operand> {
        let Ok((after, word)) = ident(i) else {
            return expected(i, "a field");
        };
        if after.starts_with('(') {
            return match TransformerKind::from_name(word) {
                Some(TransformerKind::Val) if !allow_val => expected(
                    i,
                    "a field or a transformer (val() only goes on the right-hand side)",
                ),
                Some(k) => self.transform(i, k, after),
                None => fail(i, ErrorKind::UnknownTransformer(word.into())),
            };
        }
        let (r, f) = self.field(i)?;
        Ok((r, Operand::Field(f)))
    }

    /// `name[.name]+ [ "[" arg "]" ]`
    fn field<'s>(&self, i: &'s str) -> R<'s, FieldRef> {
        let Ok((r, name)) = field_name(i) else {
            return expected(i, "a field name (like proc.name)");
        };
        let (r, arg) = match r.strip_prefix('[') {
            None => (r, None),
            Some(a) => {
                let (a2, arg) = if a.starts_with(['"', '\'']) {
                    let (a2, v) = self.quoted(a)?;
                    (a2, String::from_utf8_lossy(&v).into_owned())
                } else {
                    let bare: R<'s, &'s str> = take_while1(|c: char| {
                        !(is_blank(c) || matches!(c, '[' | ']' | '"' | '\''))
                    })
                    .parse(a);
                    match bare {
                        Ok((a2, s)) => (a2, s.to_string()),
                        Err(_) => return expected(a, "a field argument after '['"),
                    }
                };
                let Some(r) = a2.strip_prefix(']') else {
                    return expected(a2, "']' after the field argument");
                };
                (r, Some(arg))
            }
        };
        Ok((
            r,
            FieldRef {
                name: name.to_string(),
                arg,
                span: self.span(i, r),
            },
        ))
    }

    /// `name( arg {, arg} )`; `after` is the text after the name.
    fn transform<'s>(&self, i: &'s str, kind: TransformerKind, after: &'s str) -> R<'s, Operand> {
        let _d = self.deeper(i)?;
        let mut r = ws(&after[1..]);
        let mut args = Vec::new();
        if kind == TransformerKind::Val {
            let (r2, f) = self.field(r)?;
            args.push(TrArg::Operand(Operand::Field(f)));
            r = ws(r2);
        } else {
            loop {
                let (r2, a) = self.tr_arg(r, true)?;
                args.push(a);
                r = ws(r2);
                match r.strip_prefix(',') {
                    Some(x) => r = ws(x),
                    None => break,
                }
            }
        }
        let Some(r) = r.strip_prefix(')') else {
            return expected(
                r,
                if kind == TransformerKind::Val {
                    "')' after the field of val()"
                } else {
                    "',' or ')' after a transformer argument"
                },
            );
        };
        Ok((
            r,
            Operand::Transform(Transform {
                kind,
                args,
                span: self.span(i, r),
            }),
        ))
    }

    /// A transformer argument: field, transformer, quoted string, number,
    /// or (when `lists`) a parenthesised list of those.
    fn tr_arg<'s>(&self, i: &'s str, lists: bool) -> R<'s, TrArg> {
        if i.starts_with(['"', '\'']) {
            let (r, v) = self.quoted(i)?;
            return Ok((
                r,
                TrArg::Literal(Literal {
                    value: v,
                    quoted: true,
                    span: self.span(i, r),
                }),
            ));
        }
        if let Some(n) = number_len(i) {
            let (lit, r) = i.split_at(n);
            return Ok((r, TrArg::Literal(self.bare(lit, r))));
        }
        if lists && i.starts_with('(') {
            let _d = self.deeper(i)?;
            let mut r = ws(&i[1..]);
            let mut items = Vec::new();
            if let Some(x) = r.strip_prefix(')') {
                return Ok((x, TrArg::List(items, self.span(i, x))));
            }
            loop {
                let (r2, a) = self.tr_arg(r, false)?;
                items.push(a);
                r = ws(r2);
                if let Some(x) = r.strip_prefix(',') {
                    r = ws(x);
                } else if let Some(x) = r.strip_prefix(')') {
                    return Ok((x, TrArg::List(items, self.span(i, x))));
                } else {
                    return expected(r, "',' or ')' in the list");
                }
            }
        }
        if ident(i).is_ok() {
            let (r, o) = self.operand(i, false)?;
            return Ok((r, TrArg::Operand(o)));
        }
        expected(
            i,
            "a transformer argument: a field, a transformer, a quoted string or a number",
        )
    }

    // -----------------------------------------------------------------------
    // Strings.

    /// A quoted string, unescaped.
    fn quoted<'s>(&self, i: &'s str) -> R<'s, Vec<u8>> {
        let q = i.as_bytes()[0];
        let body = &i[1..];
        let mut escaped = false;
        let mut end = None;
        for (k, b) in body.bytes().enumerate() {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == q {
                end = Some(k);
                break;
            }
        }
        let Some(end) = end else {
            return fail(i, ErrorKind::UnterminatedString);
        };
        let v = unescape(body, end, q)?;
        Ok((&body[end + 1..], v))
    }
}

/// Resolves the escapes of a quoted string's body, `body[..end]` (quoted
/// with `q`). `body` runs to the end of the input, so errors can point into
/// it.
fn unescape(body: &str, end: usize, q: u8) -> Result<Vec<u8>, Err<PErr<'_>>> {
    let b = &body.as_bytes()[..end];
    let mut out = Vec::with_capacity(b.len());
    let mut k = 0;
    while k < b.len() {
        if b[k] != b'\\' {
            out.push(b[k]);
            k += 1;
            continue;
        }
        let next = b.get(k + 1).copied();
        let (byte, used) = match next {
            Some(b'b') => (0x08, 2),
            Some(b'f') => (0x0c, 2),
            Some(b'n') => (b'\n', 2),
            Some(b'r') => (b'\r', 2),
            Some(b't') => (b'\t', 2),
            Some(b'\\') => (b'\\', 2),
            Some(b'/') => (b'/', 2),
            Some(b'"') if q == b'"' => (b'"', 2),
            Some(b'\'') if q == b'\'' => (b'\'', 2),
            // The compatibility quirk: `\ ` is one backslash.
            Some(b' ') => (b'\\', 2),
            Some(b'x') => {
                let hex = b.get(k + 2..k + 4).and_then(|h| {
                    let h = std::str::from_utf8(h).ok()?;
                    if h.bytes().all(|c| c.is_ascii_hexdigit()) {
                        u8::from_str_radix(h, 16).ok()
                    } else {
                        None
                    }
                });
                match hex {
                    Some(v) => (v, 4),
                    None => return Err(bad_escape(body, k)),
                }
            }
            _ => return Err(bad_escape(body, k)),
        };
        out.push(byte);
        k += used;
    }
    Ok(out)
}

fn bad_escape(raw: &str, k: usize) -> Err<PErr<'_>> {
    let seq: String = raw[k..].chars().take(2).collect();
    Err::Failure(PErr {
        rest: &raw[k..],
        kind: ErrorKind::BadEscape(seq),
    })
}

/// An operator: symbols first, then words (`==` before `=`, `<=` before
/// `<`); a word operator is followed by whitespace (the list operators may
/// touch their `(`).
fn operator(j: &str) -> R<'_, Op> {
    for (s, op) in [
        ("==", Op::Eq),
        ("=", Op::Eq),
        ("!=", Op::Ne),
        ("<=", Op::Le),
        ("<", Op::Lt),
        (">=", Op::Ge),
        (">", Op::Gt),
    ] {
        if let Some(r) = j.strip_prefix(s) {
            return Ok((r, op));
        }
    }
    if let Ok((r, w)) = ident(j) {
        let op = Op::ALL
            .into_iter()
            .find(|o| o.as_str() == w && o.as_str().as_bytes()[0].is_ascii_alphabetic());
        if let Some(op) = op {
            let next = r.chars().next();
            let ok = match op {
                Op::Exists => true,
                Op::In | Op::Intersects | Op::Pmatch => {
                    next.is_none_or(|c| is_blank(c) || c == '(')
                }
                _ => next.is_none_or(is_blank),
            };
            if ok {
                return Ok((r, op));
            }
            return expected(r, format!("whitespace after '{w}'"));
        }
    }
    if j.starts_with("&&") || j.starts_with("||") {
        return expected(j, "an operator");
    }
    expected(
        j,
        "an operator (=, !=, <, <=, >, >=, contains, icontains, bcontains, startswith, \
         bstartswith, endswith, glob, iglob, regex, in, intersects, pmatch, exists)",
    )
}

/// The error for unexpected text where `what` was expected, recognising
/// the usual keyword typos.
fn trailing<'s, T>(r: &'s str, what: &str) -> R<'s, T> {
    for (typo, hint) in [("&&", "and"), ("||", "or")] {
        if r.starts_with(typo) {
            return fail(
                r,
                ErrorKind::Typo {
                    found: typo.into(),
                    hint,
                },
            );
        }
    }
    if let Ok((after, w)) = ident(r) {
        for hint in ["and", "or", "not"] {
            if w.eq_ignore_ascii_case(hint)
                && w != hint
                && after.starts_with(|c: char| is_blank(c) || c == '(')
            {
                return fail(
                    r,
                    ErrorKind::Typo {
                        found: w.into(),
                        hint,
                    },
                );
            }
        }
    }
    expected(r, what)
}

/// Parses a whole condition.
pub(crate) fn parse_condition(src: &str) -> Result<Expr, FilterError> {
    let p = P::new(src, 0);
    match p.condition(src) {
        Ok((_, e)) => Ok(e),
        Err(Err::Error(e) | Err::Failure(e)) => Err(p.to_error(src, e)),
        Err(Err::Incomplete(_)) => Err(FilterError::new(
            src,
            src.len(),
            ErrorKind::Expected("more input".into()),
        )),
    }
}

/// Parses the longest operand (field, transformer or `val()`) at the start
/// of `text`, which sits at byte `base` of `src`: the operand and the bytes
/// it took. For output formats.
pub(crate) fn parse_operand_prefix(
    src: &str,
    text: &str,
    base: usize,
) -> Result<(Operand, usize), FilterError> {
    let p = P::new(text, base);
    match p.operand(text, true) {
        Ok((r, o)) => Ok((o, text.len() - r.len())),
        Err(Err::Error(e) | Err::Failure(e)) => Err(p.to_error(src, e)),
        Err(Err::Incomplete(_)) => Err(FilterError::new(
            src,
            base,
            ErrorKind::Expected("a field".into()),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::number_len;

    #[test]
    fn numbers_are_lexed_whole() {
        for (s, n) in [
            ("3.", Some(2)),
            ("3.,", Some(2)),
            ("-7)", Some(2)),
            ("1.5", Some(3)),
            ("+1.25e-3x", Some(8)),
            ("2e+10", Some(5)),
            ("6E-2", Some(4)),
            ("1e5", Some(1)),
            ("0XaB", Some(4)),
            ("0xg", Some(1)),
            ("x1", None),
            ("-", None),
            (".5", None),
        ] {
            assert_eq!(number_len(s), n, "{s:?}");
        }
    }
}
