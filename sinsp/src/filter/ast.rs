//! The syntax tree of a condition, as [`parse`](super::parse) builds it.
//!
//! Every node carries the [`Span`] of the text it came from, so that the
//! compiler can point at the offending token. [`Display`](std::fmt::Display)
//! prints canonical syntax which parses back to the same tree (spans aside:
//! compare with [`Expr::without_spans`]).

use std::fmt::{self, Write as _};

/// A byte range of the source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// The range `start..end`.
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }
}

/// A boolean expression.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where it is.
    pub span: Span,
}

/// The kinds of [`Expr`].
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// `a or b or ...`: true if any child is (evaluated left to right).
    Or(Vec<Expr>),
    /// `a and b and ...`: true if every child is (evaluated left to right).
    And(Vec<Expr>),
    /// `not a`.
    Not(Box<Expr>),
    /// A comparison: `proc.name = bash`.
    Check(Box<Check>),
    /// A bare identifier: the name of a macro (see
    /// [`Definitions`](super::Definitions)).
    Macro(String),
}

/// One comparison: an operand, an operator and what it is compared with.
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    /// The left-hand side.
    pub lhs: Operand,
    /// The operator.
    pub op: Op,
    /// Where the operator is.
    pub op_span: Span,
    /// `anyof`, `allof` or `oneof` between the operator and a list.
    pub modifier: Option<Modifier>,
    /// The right-hand side.
    pub rhs: Rhs,
}

/// A comparison modifier (libs 0.25): the operator is applied to each
/// element of a list, and the results combined.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Modifier {
    /// `anyof`: at least one element matches.
    AnyOf,
    /// `allof`: every element matches.
    AllOf,
    /// `oneof`: exactly one element matches.
    OneOf,
}

impl Modifier {
    /// The modifier as written.
    pub fn as_str(self) -> &'static str {
        match self {
            Modifier::AnyOf => "anyof",
            Modifier::AllOf => "allof",
            Modifier::OneOf => "oneof",
        }
    }

    /// The modifier called `name`.
    pub fn from_name(name: &str) -> Option<Modifier> {
        [Modifier::AnyOf, Modifier::AllOf, Modifier::OneOf]
            .into_iter()
            .find(|m| m.as_str() == name)
    }

    /// Can the operator take a modifier? (`=`, `!=` and the word operators
    /// other than the list ones.)
    pub fn applies_to(op: Op) -> bool {
        !(op.is_ordering() || op.takes_list() || op == Op::Exists)
    }
}

/// Comparison operators, spelled as in the language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    /// `=` (also written `==`).
    Eq,
    /// `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
    /// `contains`: substring.
    Contains,
    /// `icontains`: ASCII case-insensitive substring.
    IContains,
    /// `bcontains`: byte substring, the operand written in hex.
    BContains,
    /// `startswith`: prefix.
    StartsWith,
    /// `bstartswith`: byte prefix, the operand written in hex.
    BStartsWith,
    /// `endswith`: suffix.
    EndsWith,
    /// `glob`: shell pattern (`fnmatch` without flags).
    Glob,
    /// `iglob`: shell pattern, ASCII case-insensitive.
    IGlob,
    /// `regex`: the whole value matches the regular expression.
    Regex,
    /// `in`: the value is in the list (for list fields: every value is).
    In,
    /// `intersects`: some value is in the list.
    Intersects,
    /// `pmatch`: the path is under one of the listed paths (by components).
    Pmatch,
    /// `exists`: the field has a value.
    Exists,
}

impl Op {
    /// Every operator.
    pub const ALL: [Op; 19] = [
        Op::Eq,
        Op::Ne,
        Op::Lt,
        Op::Le,
        Op::Gt,
        Op::Ge,
        Op::Contains,
        Op::IContains,
        Op::BContains,
        Op::StartsWith,
        Op::BStartsWith,
        Op::EndsWith,
        Op::Glob,
        Op::IGlob,
        Op::Regex,
        Op::In,
        Op::Intersects,
        Op::Pmatch,
        Op::Exists,
    ];

    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Contains => "contains",
            Op::IContains => "icontains",
            Op::BContains => "bcontains",
            Op::StartsWith => "startswith",
            Op::BStartsWith => "bstartswith",
            Op::EndsWith => "endswith",
            Op::Glob => "glob",
            Op::IGlob => "iglob",
            Op::Regex => "regex",
            Op::In => "in",
            Op::Intersects => "intersects",
            Op::Pmatch => "pmatch",
            Op::Exists => "exists",
        }
    }

    /// `<`, `<=`, `>`, `>=`: their operand is a number.
    pub fn is_ordering(self) -> bool {
        matches!(self, Op::Lt | Op::Le | Op::Gt | Op::Ge)
    }

    /// `in`, `intersects`, `pmatch`: their operand is a list.
    pub fn takes_list(self) -> bool {
        matches!(self, Op::In | Op::Intersects | Op::Pmatch)
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A value source: a field, or a transformer applied to values.
#[derive(Clone, Debug, PartialEq)]
pub enum Operand {
    /// A field: `proc.name`, `proc.aname[2]`, `evt.arg.fd`.
    Field(FieldRef),
    /// A transformer: `tolower(proc.name)`, `val(proc.pname)`.
    Transform(Transform),
}

impl Operand {
    /// Where it is.
    pub fn span(&self) -> Span {
        match self {
            Operand::Field(f) => f.span,
            Operand::Transform(t) => t.span,
        }
    }
}

/// A field reference as written.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldRef {
    /// The field-name token, dotted argument included (`evt.arg.fd`).
    pub name: String,
    /// The bracketed argument (`proc.aname[2]` → `2`), unquoted.
    pub arg: Option<String>,
    /// Where it is.
    pub span: Span,
}

/// The transformers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TransformerKind {
    /// `tolower(X)`: ASCII lower case.
    ToLower,
    /// `toupper(X)`: ASCII upper case.
    ToUpper,
    /// `b64(X)`: base64 *decoding*.
    B64,
    /// `basename(X)`: the text after the last `/`.
    Basename,
    /// `len(X)`: byte length, or number of list elements.
    Len,
    /// `join(SEP, LIST)`: the list's elements joined with SEP.
    Join,
    /// `concat(A, B, ...)`: concatenation.
    Concat,
    /// `val(F)`: the value of F (marks a field on the right-hand side).
    Val,
}

impl TransformerKind {
    /// Every transformer.
    pub const ALL: [TransformerKind; 8] = [
        TransformerKind::ToLower,
        TransformerKind::ToUpper,
        TransformerKind::B64,
        TransformerKind::Basename,
        TransformerKind::Len,
        TransformerKind::Join,
        TransformerKind::Concat,
        TransformerKind::Val,
    ];

    /// The name as written.
    pub fn as_str(self) -> &'static str {
        match self {
            TransformerKind::ToLower => "tolower",
            TransformerKind::ToUpper => "toupper",
            TransformerKind::B64 => "b64",
            TransformerKind::Basename => "basename",
            TransformerKind::Len => "len",
            TransformerKind::Join => "join",
            TransformerKind::Concat => "concat",
            TransformerKind::Val => "val",
        }
    }

    /// The transformer called `name`.
    pub fn from_name(name: &str) -> Option<TransformerKind> {
        TransformerKind::ALL
            .into_iter()
            .find(|t| t.as_str() == name)
    }
}

/// A transformer applied to its arguments.
#[derive(Clone, Debug, PartialEq)]
pub struct Transform {
    /// Which one.
    pub kind: TransformerKind,
    /// Its arguments.
    pub args: Vec<TrArg>,
    /// Where it is, name to closing parenthesis.
    pub span: Span,
}

/// An argument of a transformer.
#[derive(Clone, Debug, PartialEq)]
pub enum TrArg {
    /// A field or a nested transformer.
    Operand(Operand),
    /// A quoted string or a number.
    Literal(Literal),
    /// A parenthesised list `(a, proc.name, "x")`.
    List(Vec<TrArg>, Span),
}

/// The right-hand side of a check.
#[derive(Clone, Debug, PartialEq)]
pub enum Rhs {
    /// Nothing (`exists`).
    None,
    /// One value: `bash`, `"a b"`, `1000`.
    Value(Literal),
    /// A literal list: `(a, "b c", 3)`.
    List(Vec<Literal>, Span),
    /// A list by name (`in shell_binaries`), expanded from
    /// [`Definitions`](super::Definitions).
    ListRef(String, Span),
    /// A field or transformer: a field-to-field comparison.
    Operand(Operand),
}

/// A constant as written: a bare word, a quoted string or a number. The
/// compiler gives it a type from the field it is compared with.
#[derive(Clone, Debug, PartialEq)]
pub struct Literal {
    /// The value, escapes resolved (`\xHH` can make it non-UTF-8).
    pub value: Vec<u8>,
    /// It was quoted.
    pub quoted: bool,
    /// Where it is, quotes included.
    pub span: Span,
}

impl Literal {
    /// The value as text (invalid UTF-8 replaced).
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.value)
    }
}

// ---------------------------------------------------------------------------
// Span-free comparison.

impl Expr {
    /// A copy with every span zeroed: two trees that differ only in where
    /// their text was are then equal.
    pub fn without_spans(&self) -> Expr {
        let mut e = self.clone();
        e.clear_spans();
        e
    }

    fn clear_spans(&mut self) {
        self.span = Span::default();
        match &mut self.kind {
            ExprKind::Or(v) | ExprKind::And(v) => v.iter_mut().for_each(Expr::clear_spans),
            ExprKind::Not(e) => e.clear_spans(),
            ExprKind::Check(c) => {
                c.op_span = Span::default();
                c.lhs.clear_spans();
                match &mut c.rhs {
                    Rhs::None => {}
                    Rhs::Value(l) => l.span = Span::default(),
                    Rhs::List(v, s) => {
                        *s = Span::default();
                        v.iter_mut().for_each(|l| l.span = Span::default());
                    }
                    Rhs::ListRef(_, s) => *s = Span::default(),
                    Rhs::Operand(o) => o.clear_spans(),
                }
            }
            ExprKind::Macro(_) => {}
        }
    }
}

impl Operand {
    fn clear_spans(&mut self) {
        match self {
            Operand::Field(f) => f.span = Span::default(),
            Operand::Transform(t) => {
                t.span = Span::default();
                t.args.iter_mut().for_each(TrArg::clear_spans);
            }
        }
    }
}

impl TrArg {
    fn clear_spans(&mut self) {
        match self {
            TrArg::Operand(o) => o.clear_spans(),
            TrArg::Literal(l) => l.span = Span::default(),
            TrArg::List(v, s) => {
                *s = Span::default();
                v.iter_mut().for_each(TrArg::clear_spans);
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Canonical printing.

/// Characters that end a bare value.
pub(crate) fn ends_bare(c: char) -> bool {
    is_blank(c) || matches!(c, '(' | ')' | '"' | '\'' | '=' | ',')
}

/// Whitespace of the language: space, tab, backspace, CR, LF.
pub(crate) fn is_blank(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\x08' | '\r' | '\n')
}

/// Writes `bytes` as a double-quoted string that unescapes to them.
pub(crate) fn write_quoted(f: &mut impl fmt::Write, bytes: &[u8]) -> fmt::Result {
    f.write_char('"')?;
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '"' => f.write_str("\\\"")?,
                '\\' => f.write_str("\\\\")?,
                '\n' => f.write_str("\\n")?,
                '\r' => f.write_str("\\r")?,
                '\t' => f.write_str("\\t")?,
                '\x08' => f.write_str("\\b")?,
                '\x0c' => f.write_str("\\f")?,
                c if c.is_control() => {
                    let mut buf = [0u8; 4];
                    for b in c.encode_utf8(&mut buf).bytes() {
                        write!(f, "\\x{b:02x}")?;
                    }
                }
                c => f.write_char(c)?,
            }
        }
        for b in chunk.invalid() {
            write!(f, "\\x{b:02x}")?;
        }
    }
    f.write_char('"')
}

/// Is `bytes` printable as a bare value (what the lexer reads as one)?
fn bare_ok(bytes: &[u8]) -> bool {
    match std::str::from_utf8(bytes) {
        Ok(s) => !s.is_empty() && !s.chars().any(ends_bare),
        Err(_) => false,
    }
}

/// Is `s` lexed as a number (hex or decimal) in its entirety?
pub(crate) fn is_number(s: &str) -> bool {
    crate::filter::parser::number_len(s) == Some(s.len())
}

impl fmt::Display for Literal {
    /// Bare when it was bare (and can be), quoted otherwise.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.quoted && bare_ok(&self.value) {
            // A bare value is text by construction.
            f.write_str(&String::from_utf8_lossy(&self.value))
        } else {
            write_quoted(f, &self.value)
        }
    }
}

impl fmt::Display for FieldRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        if let Some(a) = &self.arg {
            let bare = !a.is_empty()
                && !a
                    .chars()
                    .any(|c| is_blank(c) || c.is_control() || matches!(c, '[' | ']' | '"' | '\''));
            f.write_char('[')?;
            if bare {
                f.write_str(a)?;
            } else {
                write_quoted(f, a.as_bytes())?;
            }
            f.write_char(']')?;
        }
        Ok(())
    }
}

impl fmt::Display for Operand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operand::Field(x) => x.fmt(f),
            Operand::Transform(t) => t.fmt(f),
        }
    }
}

impl fmt::Display for Transform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}(", self.kind.as_str())?;
        for (i, a) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            a.fmt(f)?;
        }
        f.write_char(')')
    }
}

impl fmt::Display for TrArg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrArg::Operand(o) => o.fmt(f),
            // Transformer arguments are quoted strings or numbers.
            TrArg::Literal(l) => match std::str::from_utf8(&l.value) {
                Ok(s) if !l.quoted && is_number(s) => f.write_str(s),
                _ => write_quoted(f, &l.value),
            },
            TrArg::List(v, _) => {
                f.write_char('(')?;
                for (i, a) in v.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    a.fmt(f)?;
                }
                f.write_char(')')
            }
        }
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.lhs, self.op)?;
        if let Some(m) = self.modifier {
            write!(f, " {}", m.as_str())?;
        }
        match &self.rhs {
            Rhs::None => Ok(()),
            Rhs::Value(l) => {
                // After `<` & co. only numbers are lexed.
                if self.op.is_ordering() && !l.quoted {
                    write!(f, " {}", l.text())
                } else {
                    write!(f, " {l}")
                }
            }
            Rhs::List(v, _) => {
                f.write_str(" (")?;
                for (i, l) in v.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    l.fmt(f)?;
                }
                f.write_char(')')
            }
            Rhs::ListRef(name, _) => write!(f, " {name}"),
            // A bare field on the right is a string: a field operand needs val().
            Rhs::Operand(Operand::Field(x)) => write!(f, " val({x})"),
            Rhs::Operand(o) => write!(f, " {o}"),
        }
    }
}

impl fmt::Display for Expr {
    /// Canonical syntax: one space around operators and keywords, `=` for
    /// `==`, parentheses only where the tree needs them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Or(v) => join(f, v, " or ", |e| matches!(e.kind, ExprKind::Or(_))),
            ExprKind::And(v) => join(f, v, " and ", |e| {
                matches!(e.kind, ExprKind::Or(_) | ExprKind::And(_))
            }),
            ExprKind::Not(e) => match e.kind {
                ExprKind::Or(_) | ExprKind::And(_) | ExprKind::Not(_) => write!(f, "not ({e})"),
                _ => write!(f, "not {e}"),
            },
            ExprKind::Check(c) => c.fmt(f),
            ExprKind::Macro(name) => f.write_str(name),
        }
    }
}

fn join(
    f: &mut fmt::Formatter<'_>,
    v: &[Expr],
    sep: &str,
    needs_parens: impl Fn(&Expr) -> bool,
) -> fmt::Result {
    for (i, e) in v.iter().enumerate() {
        if i > 0 {
            f.write_str(sep)?;
        }
        if needs_parens(e) {
            write!(f, "({e})")?;
        } else {
            write!(f, "{e}")?;
        }
    }
    Ok(())
}
