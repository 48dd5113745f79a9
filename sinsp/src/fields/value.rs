//! Values that fields extract.

use std::borrow::Cow;
use std::fmt;
use std::net::IpAddr;

/// One extracted value. Strings and buffers borrow from the event or the
/// tables when they can, so the common fields extract without allocating.
#[derive(Clone, Debug, PartialEq)]
pub enum Value<'a> {
    /// Text.
    Str(Cow<'a, str>),
    /// Raw bytes.
    Bytes(Cow<'a, [u8]>),
    /// A signed integer.
    I64(i64),
    /// An unsigned integer.
    U64(u64),
    /// A boolean.
    Bool(bool),
    /// A floating-point number.
    Double(f64),
    /// An IP address.
    Ip(IpAddr),
    /// A port.
    Port(u16),
    /// Epoch nanoseconds.
    AbsTime(u64),
    /// A duration in nanoseconds.
    RelTime(u64),
    /// Several values (list fields, ancestor fields without an index).
    List(Vec<Value<'a>>),
}

impl<'a> Value<'a> {
    /// Borrowed text.
    #[inline]
    pub fn str(s: &'a str) -> Value<'a> {
        Value::Str(Cow::Borrowed(s))
    }

    /// Owned text.
    pub fn string(s: String) -> Value<'a> {
        Value::Str(Cow::Owned(s))
    }

    /// The value as a number, for numeric comparisons.
    pub fn as_i128(&self) -> Option<i128> {
        match *self {
            Value::I64(v) => Some(i128::from(v)),
            Value::U64(v) | Value::AbsTime(v) | Value::RelTime(v) => Some(i128::from(v)),
            Value::Port(v) => Some(i128::from(v)),
            Value::Bool(b) => Some(i128::from(b)),
            _ => None,
        }
    }

    /// The value as text, when it is text.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// An owned copy, independent of the event.
    pub fn into_owned(self) -> Value<'static> {
        match self {
            Value::Str(s) => Value::Str(Cow::Owned(s.into_owned())),
            Value::Bytes(b) => Value::Bytes(Cow::Owned(b.into_owned())),
            Value::I64(v) => Value::I64(v),
            Value::U64(v) => Value::U64(v),
            Value::Bool(v) => Value::Bool(v),
            Value::Double(v) => Value::Double(v),
            Value::Ip(v) => Value::Ip(v),
            Value::Port(v) => Value::Port(v),
            Value::AbsTime(v) => Value::AbsTime(v),
            Value::RelTime(v) => Value::RelTime(v),
            Value::List(v) => Value::List(v.into_iter().map(Value::into_owned).collect()),
        }
    }
}

impl fmt::Display for Value<'_> {
    /// The text libsinsp prints for the value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Str(s) => f.write_str(s),
            Value::Bytes(b) => {
                for chunk in b.utf8_chunks() {
                    for c in chunk.valid().chars() {
                        if c.is_control() && c != '\n' && c != '\t' {
                            f.write_str(".")?;
                        } else {
                            write!(f, "{c}")?;
                        }
                    }
                    for _ in chunk.invalid() {
                        f.write_str(".")?;
                    }
                }
                Ok(())
            }
            Value::I64(v) => write!(f, "{v}"),
            Value::U64(v) | Value::AbsTime(v) | Value::RelTime(v) => write!(f, "{v}"),
            Value::Bool(b) => f.write_str(if *b { "true" } else { "false" }),
            Value::Double(d) => write!(f, "{d}"),
            Value::Ip(ip) => write!(f, "{ip}"),
            Value::Port(p) => write!(f, "{p}"),
            Value::List(items) => {
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" ")?;
                    }
                    write!(f, "{v}")?;
                }
                Ok(())
            }
        }
    }
}
