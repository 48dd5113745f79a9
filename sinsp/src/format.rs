//! Output formats: `"%evt.time %proc.name (%proc.pid) opened %fd.name"`.
//!
//! ```ebnf
//! format = [ "*" ], { text | token } ;
//! token  = "%", [ width ], ( field | transformer | val_expr ) ;   (* longest valid parse *)
//! width  = digit, { digit } ;
//! ```
//!
//! At each `%` the formatter takes the **longest** text that is a valid
//! field or transformer expression (the condition language's syntax, see
//! [`filter`](crate::filter)): `%proc.name:` ends at the `:`, `%fd.name)`
//! before the `)`, and `%proc.namex` is `proc.name` followed by `x`, as in
//! libsinsp, which trims characters from the end until the token compiles.
//!
//! * `%NNfield`: the value is padded with spaces, or truncated, to NN
//!   characters.
//! * A leading `*` makes missing values print as `<NA>`; without it, a
//!   missing value makes [`Formatter::format`] return false (Falco always
//!   adds the `*`).
//! * Filter-only fields (`fd.ip`, `fd.net`, ...) cannot be printed.
//!
//! ```
//! use sinsp::format::Formatter;
//!
//! let f = Formatter::new("*%proc.name[%proc.pid]: %20fd.name %tolower(evt.type)")?;
//! assert_eq!(
//!     f.fields().collect::<Vec<_>>(),
//!     ["proc.name", "proc.pid", "fd.name", "tolower(evt.type)"]
//! );
//! assert!(Formatter::new("%fd.ip").is_err());
//! # Ok::<(), sinsp::format::FormatError>(())
//! ```

use std::fmt::{self, Write as _};

use crate::fields::Value;
use crate::filter::{
    compile_operand, parse_operand_prefix, ErrorKind, FilterError, OperandC, Place, Purpose,
};
use crate::inspector::SinspEvent;

/// Why a format string was rejected: the condition language's error, with
/// the position in the format string.
pub type FormatError = FilterError;

/// The longest token text tried when looking for the longest valid parse.
const MAX_TOKEN: usize = 256;

/// A compiled output format.
pub struct Formatter {
    parts: Vec<Part>,
    /// `*` prefix: missing values print `<NA>`.
    na: bool,
}

enum Part {
    Text(String),
    Token(Token),
}

struct Token {
    /// The token's text without `%` and width: the JSON key.
    key: String,
    operand: OperandC,
    width: Option<usize>,
    /// `evt.time` & co.: the raw timestamp in JSON.
    time: bool,
}

impl fmt::Debug for Formatter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Formatter")
            .field("na", &self.na)
            .field("fields", &self.fields().collect::<Vec<_>>())
            .finish()
    }
}

/// The operand at `fmt[at..]`: the longest prefix that parses and
/// compiles, with its length.
fn longest(fmt: &str, at: usize) -> Result<(OperandC, usize), FormatError> {
    let tail = &fmt[at..];
    let place = Place {
        purpose: Purpose::Format,
        transformed: false,
    };
    let compile = |end: usize| -> Result<OperandC, FormatError> {
        let (op, used) = parse_operand_prefix(fmt, &tail[..end], at)?;
        if used != end {
            return Err(FilterError::new(
                fmt,
                at + used,
                ErrorKind::Expected("the end of the token".into()),
            ));
        }
        compile_operand(&op, fmt, place).map(|(o, _)| o)
    };
    // The greedy parse first: in a sane format it is the answer.
    let first_err = match parse_operand_prefix(fmt, tail, at) {
        Ok((op, used)) => match compile_operand(&op, fmt, place) {
            Ok((o, _)) => return Ok((o, used)),
            Err(e) => e,
        },
        Err(e) => e,
    };
    if !tail.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return Err(FilterError::new(
            fmt,
            at,
            ErrorKind::Expected("a field or a transformer after '%'".into()),
        ));
    }
    // Then shorter and shorter prefixes that can end a token.
    let mut limit = tail.len().min(MAX_TOKEN);
    while !tail.is_char_boundary(limit) {
        limit -= 1;
    }
    let ends = tail[..limit]
        .char_indices()
        .filter(|&(_, c)| c.is_ascii_alphanumeric() || matches!(c, '_' | ')' | ']'))
        .map(|(i, c)| i + c.len_utf8())
        .collect::<Vec<_>>();
    for &end in ends.iter().rev() {
        if let Ok(o) = compile(end) {
            return Ok((o, end));
        }
    }
    Err(first_err)
}

impl Formatter {
    /// Compiles a format string.
    pub fn new(fmt: &str) -> Result<Formatter, FormatError> {
        let na = fmt.starts_with('*');
        let mut parts = Vec::new();
        let mut text = String::new();
        let mut i = usize::from(na);
        while i < fmt.len() {
            let rest = &fmt[i..];
            let Some(k) = rest.find('%') else {
                text.push_str(rest);
                break;
            };
            text.push_str(&rest[..k]);
            let pct = i + k;
            let mut j = pct + 1;
            let digits = fmt[j..].bytes().take_while(u8::is_ascii_digit).count();
            let width = if digits > 0 {
                let w = fmt[j..j + digits]
                    .parse::<usize>()
                    .ok()
                    .filter(|w| *w <= 65536);
                Some(w.ok_or_else(|| {
                    FilterError::new(fmt, j, ErrorKind::Expected("a width up to 65536".into()))
                })?)
            } else {
                None
            };
            j += digits;
            if j >= fmt.len() {
                return Err(FilterError::new(
                    fmt,
                    j,
                    ErrorKind::Expected("a field or a transformer after '%'".into()),
                ));
            }
            let (operand, len) = longest(fmt, j)?;
            let key = fmt[j..j + len].to_string();
            let time = operand.as_field().is_some_and(|f| {
                matches!(
                    f.def.name,
                    "evt.time"
                        | "evt.time.s"
                        | "evt.time.iso8601"
                        | "evt.datetime"
                        | "evt.datetime.s"
                )
            });
            if !text.is_empty() {
                parts.push(Part::Text(std::mem::take(&mut text)));
            }
            parts.push(Part::Token(Token {
                key,
                operand,
                width,
                time,
            }));
            i = j + len;
        }
        if !text.is_empty() {
            parts.push(Part::Text(text));
        }
        Ok(Formatter { parts, na })
    }

    /// The tokens' texts (without `%` and width), in order: the JSON keys.
    pub fn fields(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Token(t) => Some(t.key.as_str()),
            Part::Text(_) => None,
        })
    }

    /// Appends the line for `e` to `out`. Returns false, leaving `out` as it
    /// was, when a value is missing and the format does not start with `*`.
    pub fn format(&self, e: &SinspEvent<'_>, out: &mut String) -> bool {
        let start = out.len();
        for p in &self.parts {
            let t = match p {
                Part::Text(s) => {
                    out.push_str(s);
                    continue;
                }
                Part::Token(t) => t,
            };
            let at = out.len();
            match t
                .operand
                .eval(e)
                .filter(|v| !matches!(v, Value::List(l) if l.is_empty()))
            {
                Some(v) => {
                    let _ = write!(out, "{v}");
                }
                None if self.na => out.push_str("<NA>"),
                None => {
                    out.truncate(start);
                    return false;
                }
            }
            if let Some(w) = t.width {
                fit(out, at, w);
            }
        }
        true
    }

    /// The line for `e` as a new string (None: a value is missing and the
    /// format does not start with `*`).
    pub fn format_to_string(&self, e: &SinspEvent<'_>) -> Option<String> {
        let mut s = String::new();
        self.format(e, &mut s).then_some(s)
    }

    /// One key per token (its text without `%` and width) with the value:
    /// numbers as JSON numbers, bools as bools, missing values as null, the
    /// `evt.time` family as the raw timestamp in ns.
    pub fn to_json(&self, e: &SinspEvent<'_>) -> serde_json::Map<String, serde_json::Value> {
        let mut m = serde_json::Map::new();
        for p in &self.parts {
            let Part::Token(t) = p else { continue };
            let v = if t.time {
                serde_json::Value::from(e.raw.ts())
            } else {
                t.operand
                    .eval(e)
                    .filter(|v| !matches!(v, Value::List(l) if l.is_empty()))
                    .map_or(serde_json::Value::Null, |v| json(&v))
            };
            m.insert(t.key.clone(), v);
        }
        m
    }
}

/// Pads with spaces, or truncates, what was written after `at` to `w`
/// characters.
fn fit(out: &mut String, at: usize, w: usize) {
    let written = &out[at..];
    match written.char_indices().nth(w) {
        Some((cut, _)) => out.truncate(at + cut),
        None => {
            let n = written.chars().count();
            out.extend(std::iter::repeat_n(' ', w - n));
        }
    }
}

fn json(v: &Value<'_>) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        Value::Str(s) => J::String(s.to_string()),
        Value::Bytes(_) | Value::Ip(_) => J::String(v.to_string()),
        Value::I64(x) => J::from(*x),
        Value::U64(x) | Value::AbsTime(x) | Value::RelTime(x) => J::from(*x),
        Value::Port(p) => J::from(*p),
        Value::Bool(b) => J::Bool(*b),
        Value::Double(d) => serde_json::Number::from_f64(*d).map_or(J::Null, J::Number),
        Value::List(items) => J::Array(items.iter().map(json).collect()),
    }
}
