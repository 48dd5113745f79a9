//! Operands: fields and transformers, compiled against the registry and
//! evaluated per event.

use std::borrow::Cow;

use super::ast::{FieldRef, Operand, TrArg, TransformerKind};
use super::check::Multi;
use super::error::{ErrorKind, FilterError};
use super::values::b64_decode;
use crate::fields::{registry, Arg, BoundField, FieldError, FieldFlags, FieldType, Value};
use crate::inspector::SinspEvent;

/// What an operand is used for: the flags that apply differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Purpose {
    /// A condition: print-only fields are refused.
    Filter,
    /// An output format: filter-only fields are refused.
    Format,
}

/// How constants are read for a type, and which operators apply.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Class {
    Str,
    Bytes,
    Int { min: i128, max: i128 },
    Double,
    Bool,
    Ip,
    Net,
    Port,
}

impl Class {
    pub(crate) fn of(ty: FieldType) -> Class {
        let int = |min: i128, max: i128| Class::Int { min, max };
        match ty {
            FieldType::String => Class::Str,
            FieldType::Bytebuf => Class::Bytes,
            FieldType::Int64 => int(i64::MIN.into(), i64::MAX.into()),
            FieldType::Int32 => int(i32::MIN.into(), i32::MAX.into()),
            FieldType::Int16 => int(i16::MIN.into(), i16::MAX.into()),
            FieldType::Uint64 | FieldType::AbsTime | FieldType::RelTime => int(0, u64::MAX.into()),
            FieldType::Uint32 => int(0, u32::MAX.into()),
            FieldType::Double => Class::Double,
            FieldType::Bool => Class::Bool,
            FieldType::IpAddr => Class::Ip,
            FieldType::IpNet => Class::Net,
            FieldType::Port => Class::Port,
            // Resolved from the parameter; text when that fails.
            FieldType::Dyn => Class::Str,
        }
    }
}

/// The static type of an operand.
#[derive(Clone, Debug)]
pub(crate) struct StaticTy {
    /// The type's name (`string`, `uint64`, ...).
    pub(crate) name: &'static str,
    pub(crate) class: Class,
    /// Several values (list fields, transformers of them).
    pub(crate) list: bool,
    pub(crate) mode: Multi,
    /// The plain field, when the operand is one.
    pub(crate) field: Option<&'static str>,
    /// A `no-rhs` field inside the operand.
    pub(crate) no_rhs: Option<&'static str>,
}

impl StaticTy {
    pub(crate) fn label(&self) -> String {
        if self.list {
            format!("list of {}", self.name)
        } else {
            self.name.to_string()
        }
    }
}

/// A compiled operand.
pub(crate) enum OperandC {
    Field(BoundField),
    Tr(Box<TrC>),
}

/// A compiled transformer.
pub(crate) struct TrC {
    kind: TransformerKind,
    args: Vec<TrArgC>,
}

enum TrArgC {
    Op(OperandC),
    Lit(Box<[u8]>),
}

impl OperandC {
    /// The value for `e`, if it has one.
    #[inline]
    pub(crate) fn eval<'a>(&self, e: &SinspEvent<'a>) -> Option<Value<'a>> {
        match self {
            OperandC::Field(f) => f.extract(e),
            OperandC::Tr(t) => t.eval(e),
        }
    }

    /// The plain field, if the operand is one.
    pub(crate) fn as_field(&self) -> Option<&BoundField> {
        match self {
            OperandC::Field(f) => Some(f),
            OperandC::Tr(_) => None,
        }
    }
}

/// Applies `f` to a text or buffer value, or to each element of a list.
fn map_text<'a>(
    v: Value<'a>,
    f: &impl Fn(Cow<'a, [u8]>) -> Option<Value<'a>>,
) -> Option<Value<'a>> {
    match v {
        Value::Str(Cow::Borrowed(s)) => f(Cow::Borrowed(s.as_bytes())),
        Value::Str(Cow::Owned(s)) => f(Cow::Owned(s.into_bytes())),
        Value::Bytes(b) => f(b),
        Value::List(items) => Some(Value::List(
            items.into_iter().filter_map(|x| map_text(x, f)).collect(),
        )),
        _ => None,
    }
}

/// Text when valid UTF-8, bytes otherwise.
fn text_or_bytes(b: Cow<'_, [u8]>) -> Value<'_> {
    match b {
        Cow::Borrowed(x) => match std::str::from_utf8(x) {
            Ok(s) => Value::Str(Cow::Borrowed(s)),
            Err(_) => Value::Bytes(Cow::Borrowed(x)),
        },
        Cow::Owned(x) => match String::from_utf8(x) {
            Ok(s) => Value::Str(Cow::Owned(s)),
            Err(e) => Value::Bytes(Cow::Owned(e.into_bytes())),
        },
    }
}

fn recase(b: Cow<'_, [u8]>, upper: bool) -> Cow<'_, [u8]> {
    let needs = b.iter().any(|c| {
        if upper {
            c.is_ascii_lowercase()
        } else {
            c.is_ascii_uppercase()
        }
    });
    if !needs {
        return b;
    }
    let mut v = b.into_owned();
    if upper {
        v.make_ascii_uppercase();
    } else {
        v.make_ascii_lowercase();
    }
    Cow::Owned(v)
}

fn basename(b: Cow<'_, [u8]>) -> Cow<'_, [u8]> {
    match b.iter().rposition(|&c| c == b'/') {
        None => b,
        Some(k) => match b {
            Cow::Borrowed(x) => Cow::Borrowed(&x[k + 1..]),
            Cow::Owned(x) => Cow::Owned(x[k + 1..].to_vec()),
        },
    }
}

/// A value's text, for `join` and `concat`.
fn push_text(out: &mut Vec<u8>, v: &Value<'_>) {
    match v {
        Value::Str(s) => out.extend_from_slice(s.as_bytes()),
        Value::Bytes(b) => out.extend_from_slice(b),
        v => out.extend_from_slice(v.to_string().as_bytes()),
    }
}

impl TrC {
    fn eval<'a>(&self, e: &SinspEvent<'a>) -> Option<Value<'a>> {
        let first = |e: &SinspEvent<'a>| match self.args.first() {
            Some(TrArgC::Op(o)) => o.eval(e),
            _ => None,
        };
        match self.kind {
            TransformerKind::Val => first(e),
            TransformerKind::ToLower => {
                map_text(first(e)?, &|b| Some(text_or_bytes(recase(b, false))))
            }
            TransformerKind::ToUpper => {
                map_text(first(e)?, &|b| Some(text_or_bytes(recase(b, true))))
            }
            TransformerKind::Basename => map_text(first(e)?, &|b| Some(text_or_bytes(basename(b)))),
            TransformerKind::B64 => map_text(first(e)?, &|b| {
                b64_decode(&b).map(|d| text_or_bytes(Cow::Owned(d)))
            }),
            TransformerKind::Len => match first(e)? {
                Value::Str(s) => Some(Value::U64(s.len() as u64)),
                Value::Bytes(b) => Some(Value::U64(b.len() as u64)),
                Value::List(v) => Some(Value::U64(v.len() as u64)),
                _ => None,
            },
            TransformerKind::Join => {
                let (Some(TrArgC::Lit(sep)), Some(TrArgC::Op(list))) =
                    (self.args.first(), self.args.get(1))
                else {
                    return None;
                };
                let mut out = Vec::new();
                match list.eval(e)? {
                    Value::List(items) => {
                        for (i, x) in items.iter().enumerate() {
                            if i > 0 {
                                out.extend_from_slice(sep);
                            }
                            push_text(&mut out, x);
                        }
                    }
                    v => push_text(&mut out, &v),
                }
                Some(text_or_bytes(Cow::Owned(out)))
            }
            TransformerKind::Concat => {
                let mut out = Vec::new();
                for a in &self.args {
                    match a {
                        TrArgC::Lit(b) => out.extend_from_slice(b),
                        TrArgC::Op(o) => push_text(&mut out, &o.eval(e)?),
                    }
                }
                Some(text_or_bytes(Cow::Owned(out)))
            }
        }
    }
}

/// Where in a comparison an operand sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Place {
    pub(crate) purpose: Purpose,
    /// Inside a transformer (other than `val`).
    pub(crate) transformed: bool,
}

/// The text type of a parameter called `name` (for `evt.rawarg.NAME`): the
/// first event that has such a parameter decides.
fn rawarg_class(name: &str) -> Option<(Class, &'static str)> {
    use scap::schema::ParamType as P;
    let p = scap::schema::events()
        .iter()
        .flat_map(|e| e.params.iter())
        .find(|p| p.name == name)?;
    Some(match p.ty {
        P::Charbuf | P::Fspath | P::Bytebuf | P::Charbufarray | P::CharbufPairArray => {
            (Class::Str, "string")
        }
        P::Int8 | P::Int16 | P::Int32 | P::Int64 | P::Errno | P::Fd | P::Pid => (
            Class::Int {
                min: i64::MIN.into(),
                max: i64::MAX.into(),
            },
            "int64",
        ),
        P::Uint8
        | P::Uint16
        | P::Uint32
        | P::Uint64
        | P::Syscallid
        | P::Sigtype
        | P::Reltime
        | P::Abstime
        | P::Port
        | P::L4proto
        | P::Sockfamily
        | P::Bool
        | P::Flags8
        | P::Flags16
        | P::Flags32
        | P::Uid
        | P::Gid => (
            Class::Int {
                min: i64::MIN.into(),
                max: u64::MAX.into(),
            },
            "uint64",
        ),
        _ => (Class::Str, "string"),
    })
}

fn field_error(token: &str, e: FieldError) -> ErrorKind {
    match e {
        FieldError::Unknown(_) => ErrorKind::UnknownField(token.to_string()),
        FieldError::ArgRequired(f) => ErrorKind::BadFieldArg {
            field: f.to_string(),
            reason: "an argument is required".into(),
        },
        FieldError::BadArg { field, arg } => ErrorKind::BadFieldArg {
            field: field.to_string(),
            reason: format!("does not take the argument '{arg}'"),
        },
    }
}

/// Compiles a field reference.
pub(crate) fn compile_field(
    f: &FieldRef,
    src: &str,
    place: Place,
) -> Result<(OperandC, StaticTy), FilterError> {
    let err = |kind| FilterError::new(src, f.span.start, kind);
    let token: Cow<'_, str> = match &f.arg {
        None => Cow::Borrowed(&f.name),
        Some(a) => Cow::Owned(format!("{}[{a}]", f.name)),
    };
    let (def, arg) = registry()
        .lookup(&token)
        .map_err(|e| err(field_error(&token, e)))?;
    match place.purpose {
        Purpose::Filter if def.flags.contains(FieldFlags::PRINT_ONLY) => {
            return Err(err(ErrorKind::PrintOnly(def.name.into())))
        }
        Purpose::Format if def.flags.contains(FieldFlags::FILTER_ONLY) => {
            return Err(err(ErrorKind::FilterOnly(def.name.into())))
        }
        _ => {}
    }
    if place.transformed && def.flags.contains(FieldFlags::NO_TRANSFORMER) {
        return Err(err(ErrorKind::NoTransformer(def.name.into())));
    }
    let (class, name) = if def.ty == FieldType::Dyn {
        let key = arg.key().unwrap_or_default();
        match &arg {
            Arg::Key(_) => rawarg_class(&key).ok_or_else(|| {
                err(ErrorKind::BadFieldArg {
                    field: def.name.into(),
                    reason: format!("no event has a parameter called '{key}'"),
                })
            })?,
            _ => {
                return Err(err(ErrorKind::BadFieldArg {
                    field: def.name.into(),
                    reason: format!("takes a parameter name: {}.NAME", def.name),
                }))
            }
        }
    } else {
        (Class::of(def.ty), def.ty.name())
    };
    let list = def.flags.contains(FieldFlags::IS_LIST);
    let mode = if list {
        Multi::List
    } else if def.flags.contains(FieldFlags::FILTER_ONLY)
        && matches!(
            def.ty,
            FieldType::IpAddr | FieldType::IpNet | FieldType::Port
        )
    {
        Multi::Endpoints
    } else {
        Multi::Any
    };
    let ty = StaticTy {
        name,
        class,
        list,
        mode,
        field: Some(def.name),
        no_rhs: def.flags.contains(FieldFlags::NO_RHS).then_some(def.name),
    };
    Ok((OperandC::Field(BoundField { def, arg }), ty))
}

/// Compiles an operand: a field or a transformer.
pub(crate) fn compile_operand(
    o: &Operand,
    src: &str,
    place: Place,
) -> Result<(OperandC, StaticTy), FilterError> {
    let t = match o {
        Operand::Field(f) => return compile_field(f, src, place),
        Operand::Transform(t) => t,
    };
    let name = t.kind.as_str();
    let bad = |reason: String| {
        FilterError::new(
            src,
            t.span.start,
            ErrorKind::BadTransformer { name, reason },
        )
    };
    let inner = Place {
        purpose: place.purpose,
        transformed: t.kind != TransformerKind::Val || place.transformed,
    };
    // The single operand argument of the one-argument transformers.
    let single = || -> Result<(OperandC, StaticTy), FilterError> {
        match t.args.as_slice() {
            [TrArg::Operand(o)] => compile_operand(o, src, inner),
            [_] => Err(bad("takes a field or a transformer".into())),
            _ => Err(bad(format!("takes one argument, not {}", t.args.len()))),
        }
    };
    let tr = |args: Vec<TrArgC>, ty: StaticTy| {
        Ok((OperandC::Tr(Box::new(TrC { kind: t.kind, args })), ty))
    };
    match t.kind {
        TransformerKind::Val => {
            let (o, mut ty) = single()?;
            ty.field = None;
            tr(vec![TrArgC::Op(o)], ty)
        }
        TransformerKind::ToLower | TransformerKind::ToUpper | TransformerKind::Basename => {
            let (o, mut ty) = single()?;
            if ty.class != Class::Str {
                return Err(bad(format!("takes a string, not {}", ty.label())));
            }
            ty.field = None;
            tr(vec![TrArgC::Op(o)], ty)
        }
        TransformerKind::B64 => {
            let (o, mut ty) = single()?;
            if !matches!(ty.class, Class::Str | Class::Bytes) {
                return Err(bad(format!(
                    "takes a string or a buffer, not {}",
                    ty.label()
                )));
            }
            ty.field = None;
            tr(vec![TrArgC::Op(o)], ty)
        }
        TransformerKind::Len => {
            let (o, ty) = single()?;
            if !ty.list && !matches!(ty.class, Class::Str | Class::Bytes) {
                return Err(bad(format!(
                    "takes a string, a buffer or a list, not {}",
                    ty.label()
                )));
            }
            let out = StaticTy {
                name: FieldType::Uint64.name(),
                class: Class::of(FieldType::Uint64),
                list: false,
                mode: Multi::Any,
                field: None,
                no_rhs: ty.no_rhs,
            };
            tr(vec![TrArgC::Op(o)], out)
        }
        TransformerKind::Join => {
            let [TrArg::Literal(sep), TrArg::Operand(list)] = t.args.as_slice() else {
                return Err(bad(
                    "takes a quoted separator and a list: join(\",\", fd.types)".into(),
                ));
            };
            let (o, ty) = compile_operand(list, src, inner)?;
            if ty.class != Class::Str {
                return Err(bad(format!("joins strings, not {}", ty.label())));
            }
            let out = string_ty(ty.no_rhs);
            tr(
                vec![TrArgC::Lit(sep.value.clone().into()), TrArgC::Op(o)],
                out,
            )
        }
        TransformerKind::Concat => {
            if t.args.len() < 2 {
                return Err(bad("takes at least two arguments".into()));
            }
            let mut args = Vec::with_capacity(t.args.len());
            let mut no_rhs = None;
            for a in &t.args {
                match a {
                    TrArg::Literal(l) => args.push(TrArgC::Lit(l.value.clone().into())),
                    TrArg::Operand(o) => {
                        let (o, ty) = compile_operand(o, src, inner)?;
                        if ty.class != Class::Str || ty.list {
                            return Err(bad(format!("concatenates strings, not {}", ty.label())));
                        }
                        no_rhs = no_rhs.or(ty.no_rhs);
                        args.push(TrArgC::Op(o));
                    }
                    TrArg::List(..) => return Err(bad("does not take a list".into())),
                }
            }
            tr(args, string_ty(no_rhs))
        }
    }
}

fn string_ty(no_rhs: Option<&'static str>) -> StaticTy {
    StaticTy {
        name: FieldType::String.name(),
        class: Class::Str,
        list: false,
        mode: Multi::Any,
        field: None,
        no_rhs,
    }
}
