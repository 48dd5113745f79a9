//! The compiled form of a condition and its evaluation.
//!
//! A [`Node`] tree mirrors the boolean structure; each leaf is a check whose
//! constants were parsed at compile time into the form the operator needs
//! (a hash set, a path trie, a compiled regex, a substring finder...).
//! Evaluation extracts the left-hand side, borrowing strings from the event
//! or the tables, and compares without allocating.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};
use std::net::IpAddr;

use memchr::memmem;

use super::ast::{Modifier, Op};
use super::glob::{fnmatch, path_prefix, PathSet};
use super::operand::OperandC;
use super::values::Cidr;
use crate::fields::{BoundField, Value};
use crate::inspector::SinspEvent;

/// A compiled boolean expression.
pub(crate) enum Node {
    And(Box<[Node]>),
    Or(Box<[Node]>),
    Not(Box<Node>),
    Check(Box<CheckC>),
    EvtType(Box<EvtTypeC>),
}

impl Node {
    /// Left to right, with short-circuit.
    pub(crate) fn eval(&self, e: &SinspEvent<'_>) -> bool {
        match self {
            Node::And(v) => v.iter().all(|n| n.eval(e)),
            Node::Or(v) => v.iter().any(|n| n.eval(e)),
            Node::Not(n) => !n.eval(e),
            Node::Check(c) => c.eval(e),
            Node::EvtType(c) => c.eval(e),
        }
    }
}

/// How a left-hand side that yields several values is compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Multi {
    /// Any value matching is enough (ancestor fields without an index).
    Any,
    /// List fields (`fd.types`): `in` needs every value in the set,
    /// `intersects` one.
    List,
    /// Client-or-server fields (`fd.ip`, `fd.port`, `fd.net`): `!=` needs
    /// every value to differ, the other operators one to match.
    Endpoints,
}

/// One comparison.
pub(crate) struct CheckC {
    pub(crate) lhs: OperandC,
    pub(crate) mode: Multi,
    pub(crate) op: Op,
    /// `!=`: the test is the one of `=`, inverted per value.
    pub(crate) negate: bool,
    pub(crate) test: Test,
}

/// What a value is tested against.
pub(crate) enum Test {
    Exists,
    Str(StrTest),
    Int(IntTest),
    Double(DoubleTest),
    Ip(IpTest),
    Net(Box<[Cidr]>),
    /// Field-to-field: the right-hand side is extracted per event.
    Field(OperandC),
    /// `anyof`/`allof`/`oneof`: one test per list element.
    Mod(Modifier, Box<[Test]>),
}

impl CheckC {
    #[inline]
    fn eval(&self, e: &SinspEvent<'_>) -> bool {
        // No value: false whatever the operator (only `exists` says so).
        // An empty list is no value either.
        let v = match self.lhs.eval(e) {
            None => return false,
            Some(Value::List(items)) if items.is_empty() => return false,
            Some(v) => v,
        };
        match &self.test {
            Test::Exists => true,
            Test::Field(rhs) => match rhs.eval(e) {
                Some(r) => self.combine(&v, |x| dyn_test(self.op, x, &r) != self.negate),
                None => false,
            },
            t => self.combine(&v, |x| t.test(x, self.negate)),
        }
    }

    #[inline]
    fn combine(&self, v: &Value<'_>, f: impl Fn(&Value<'_>) -> bool) -> bool {
        match v {
            Value::List(items) => match self.mode {
                Multi::List if self.op == Op::In => !items.is_empty() && items.iter().all(f),
                Multi::Endpoints if self.negate => items.iter().all(f),
                _ => items.iter().any(f),
            },
            v => f(v),
        }
    }
}

/// The bytes of a text or buffer value.
#[inline]
fn bytes_of<'v>(v: &'v Value<'_>) -> Option<&'v [u8]> {
    match v {
        Value::Str(s) => Some(s.as_bytes()),
        Value::Bytes(b) => Some(b),
        _ => None,
    }
}

fn as_f64(v: &Value<'_>) -> Option<f64> {
    match v {
        Value::Double(d) => Some(*d),
        v => v.as_i128().map(|i| i as f64),
    }
}

impl Test {
    /// The test for one value; `negate` for `!=`.
    #[inline]
    fn test(&self, v: &Value<'_>, negate: bool) -> bool {
        let Test::Mod(m, tests) = self else {
            return self.base(v) != negate;
        };
        let mut n = 0usize;
        for t in tests.iter() {
            let hit = t.test(v, negate);
            match (m, hit) {
                (Modifier::AnyOf, true) => return true,
                (Modifier::AllOf, false) => return false,
                (Modifier::OneOf, true) if n == 1 => return false,
                _ => n += usize::from(hit),
            }
        }
        match m {
            Modifier::AnyOf => false,
            Modifier::AllOf => true,
            Modifier::OneOf => n == 1,
        }
    }

    /// The test for one value (`=` semantics for `!=`).
    #[inline]
    fn base(&self, v: &Value<'_>) -> bool {
        match self {
            Test::Str(t) => bytes_of(v).is_some_and(|b| t.test(b)),
            Test::Int(t) => v.as_i128().is_some_and(|i| t.test(i)),
            Test::Double(t) => as_f64(v).is_some_and(|d| t.test(d)),
            Test::Ip(t) => matches!(v, Value::Ip(a) if t.test(a)),
            Test::Net(nets) => matches!(v, Value::Ip(a) if nets.iter().any(|n| n.contains(a))),
            Test::Exists | Test::Field(_) | Test::Mod(..) => true,
        }
    }
}

/// Tests on text and buffers.
pub(crate) enum StrTest {
    Eq(Box<[u8]>),
    Ord(Op, Box<[u8]>),
    Contains(Box<memmem::Finder<'static>>),
    /// The needle in lower case.
    IContains(Box<[u8]>),
    StartsWith(Box<[u8]>),
    EndsWith(Box<[u8]>),
    Glob {
        pattern: Box<[u8]>,
        casefold: bool,
    },
    Regex(regex::Regex),
    Set(StrSet),
    Pmatch(PathSet),
}

impl StrTest {
    #[inline]
    fn test(&self, v: &[u8]) -> bool {
        match self {
            StrTest::Eq(x) => v == &**x,
            StrTest::Ord(op, x) => ordered(*op, v.cmp(x)),
            StrTest::Contains(f) => f.find(v).is_some(),
            StrTest::IContains(x) => icontains(v, x),
            StrTest::StartsWith(x) => v.starts_with(x),
            StrTest::EndsWith(x) => v.ends_with(x),
            StrTest::Glob { pattern, casefold } => fnmatch(pattern, v, *casefold),
            StrTest::Regex(r) => match std::str::from_utf8(v) {
                Ok(s) => r.is_match(s),
                // RE2 sees the value with invalid UTF-8 replaced.
                Err(_) => r.is_match(&String::from_utf8_lossy(v)),
            },
            StrTest::Set(s) => s.contains(v),
            StrTest::Pmatch(p) => p.matches(v),
        }
    }
}

fn ordered(op: Op, o: std::cmp::Ordering) -> bool {
    use std::cmp::Ordering::*;
    match op {
        Op::Lt => o == Less,
        Op::Le => o != Greater,
        Op::Gt => o == Greater,
        Op::Ge => o != Less,
        _ => o == Equal,
    }
}

/// ASCII case-insensitive substring; `needle` is lower case.
fn icontains(hay: &[u8], needle: &[u8]) -> bool {
    if needle.is_empty() {
        return true;
    }
    if hay.len() < needle.len() {
        return false;
    }
    hay.windows(needle.len()).any(|w| {
        w.iter()
            .zip(needle)
            .all(|(a, b)| a.to_ascii_lowercase() == *b)
    })
}

/// Tests on integers (bools are 0 and 1).
pub(crate) enum IntTest {
    Cmp(Op, i128),
    /// Sorted.
    Set(Box<[i128]>),
}

impl IntTest {
    #[inline]
    fn test(&self, v: i128) -> bool {
        match self {
            IntTest::Cmp(op, x) => ordered(*op, v.cmp(x)),
            IntTest::Set(s) => s.binary_search(&v).is_ok(),
        }
    }
}

/// Tests on floating-point values.
pub(crate) enum DoubleTest {
    Cmp(Op, f64),
    Set(Box<[f64]>),
}

impl DoubleTest {
    fn test(&self, v: f64) -> bool {
        match self {
            DoubleTest::Cmp(op, x) => v.partial_cmp(x).is_some_and(|o| ordered(*op, o)),
            DoubleTest::Set(s) => s.contains(&v),
        }
    }
}

/// Tests on addresses.
pub(crate) enum IpTest {
    Eq(IpAddr),
    Set(Box<[IpAddr]>),
}

impl IpTest {
    fn test(&self, v: &IpAddr) -> bool {
        match self {
            IpTest::Eq(a) => a == v,
            IpTest::Set(s) => s.contains(v),
        }
    }
}

/// A field-to-field comparison: both values known only now.
fn dyn_test(op: Op, l: &Value<'_>, r: &Value<'_>) -> bool {
    if let Value::List(items) = r {
        return match op {
            Op::In | Op::Intersects | Op::Pmatch => items.iter().any(|x| {
                let one = if op == Op::Pmatch { Op::Pmatch } else { Op::Eq };
                dyn_test(one, l, x)
            }),
            _ => false,
        };
    }
    if let (Some(a), Some(b)) = (bytes_of(l), bytes_of(r)) {
        return match op {
            Op::Eq | Op::Ne | Op::In | Op::Intersects => a == b,
            Op::Lt | Op::Le | Op::Gt | Op::Ge => ordered(op, a.cmp(b)),
            Op::Contains | Op::BContains => memmem::find(a, b).is_some(),
            Op::IContains => icontains(a, &b.to_ascii_lowercase()),
            Op::StartsWith | Op::BStartsWith => a.starts_with(b),
            Op::EndsWith => a.ends_with(b),
            Op::Glob => fnmatch(b, a, false),
            Op::IGlob => fnmatch(b, a, true),
            Op::Pmatch => path_prefix(b, a),
            Op::Regex | Op::Exists => false,
        };
    }
    let eq_or_ord = |o: Option<std::cmp::Ordering>| match op {
        Op::Eq | Op::Ne | Op::In | Op::Intersects => o == Some(std::cmp::Ordering::Equal),
        Op::Lt | Op::Le | Op::Gt | Op::Ge => o.is_some_and(|o| ordered(op, o)),
        _ => false,
    };
    match (l, r) {
        (Value::Ip(a), Value::Ip(b)) => eq_or_ord((a == b).then_some(std::cmp::Ordering::Equal)),
        (Value::Double(_), _) | (_, Value::Double(_)) => match (as_f64(l), as_f64(r)) {
            (Some(a), Some(b)) => eq_or_ord(a.partial_cmp(&b)),
            _ => false,
        },
        _ => match (l.as_i128(), r.as_i128()) {
            (Some(a), Some(b)) => eq_or_ord(Some(a.cmp(&b))),
            _ => false,
        },
    }
}

/// `evt.type = X`, `evt.type in (...)`, `evt.type != X`: a bit per event
/// code, so that the common case reads no parameter and compares no text.
/// The generic event's `evt.type` is the syscall it stands for (its first
/// parameter, a PPM_SC code): a second bit set, per PPM_SC code, answers
/// for it; a code without a name is `syscall`, as the field says.
pub(crate) struct EvtTypeC {
    /// By event code.
    pub(crate) bits: Box<[u64]>,
    /// By PPM_SC code, for the generic event.
    pub(crate) sc_bits: Box<[u64]>,
    /// PPM_SC codes that have a name.
    pub(crate) sc_known: Box<[u64]>,
    /// The names, for what the bit sets do not cover.
    pub(crate) names: StrSet,
    pub(crate) negate: bool,
    /// `evt.type`, for events beyond the schema's table.
    pub(crate) field: BoundField,
}

#[inline]
fn bit(set: &[u64], i: usize) -> Option<bool> {
    set.get(i >> 6).map(|w| w >> (i & 63) & 1 == 1)
}

impl EvtTypeC {
    #[inline]
    fn eval(&self, e: &SinspEvent<'_>) -> bool {
        let code = e.raw.event_type();
        let hit = if code == scap::schema::codes::PPME_GENERIC_X {
            match e.raw.param_bytes(0) {
                Ok(&[lo, hi]) => {
                    let sc = usize::from(u16::from_le_bytes([lo, hi]));
                    if bit(&self.sc_known, sc) == Some(true) {
                        bit(&self.sc_bits, sc) == Some(true)
                    } else {
                        self.names.contains(b"syscall")
                    }
                }
                _ => self.names.contains(b"syscall"),
            }
        } else {
            match bit(&self.bits, usize::from(code)) {
                Some(b) => b,
                None => match self.field.extract(e) {
                    Some(v) => bytes_of(&v).is_some_and(|b| self.names.contains(b)),
                    None => return false,
                },
            }
        };
        hit != self.negate
    }
}

/// A string set for `in`: a fast hash, and a length window checked first.
pub(crate) struct StrSet {
    min: usize,
    max: usize,
    set: HashSet<Box<[u8]>, BuildHasherDefault<FxHasher>>,
}

impl StrSet {
    pub(crate) fn new<'i>(items: impl IntoIterator<Item = &'i [u8]>) -> StrSet {
        let set: HashSet<Box<[u8]>, _> = items.into_iter().map(Box::from).collect();
        StrSet {
            min: set.iter().map(|s| s.len()).min().unwrap_or(usize::MAX),
            max: set.iter().map(|s| s.len()).max().unwrap_or(0),
            set,
        }
    }

    #[inline]
    pub(crate) fn contains(&self, v: &[u8]) -> bool {
        v.len() >= self.min && v.len() <= self.max && self.set.contains(v)
    }
}

/// A multiply-rotate hash (the Fx hash of rustc): keys are the
/// condition's own constants, so no protection from collisions is needed.
#[derive(Default)]
pub(crate) struct FxHasher(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, mut b: &[u8]) {
        while b.len() >= 8 {
            self.add(u64::from_le_bytes(b[..8].try_into().expect("8 bytes")));
            b = &b[8..];
        }
        if b.len() >= 4 {
            self.add(u64::from(u32::from_le_bytes(
                b[..4].try_into().expect("4 bytes"),
            )));
            b = &b[4..];
        }
        for &x in b {
            self.add(u64::from(x));
        }
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}
