//! Errors of parsing and compiling conditions and output formats.

use std::fmt;

/// Why a condition (or an output format) was rejected, and where.
///
/// `Display` gives `at POS: WHAT` (`at 14: expected a value after '='`),
/// with `(LINE:COL)` after the position when the text has several lines.
#[derive(Clone, Debug, PartialEq)]
pub struct FilterError {
    /// Byte offset in the text.
    pub pos: usize,
    /// Line of `pos`, from 1.
    pub line: usize,
    /// Column of `pos` in characters, from 1.
    pub col: usize,
    /// The text has more than one line (so `Display` shows line:col).
    multiline: bool,
    /// What is wrong.
    pub kind: ErrorKind,
}

impl FilterError {
    /// An error at byte `pos` of `src`.
    pub fn new(src: &str, pos: usize, kind: ErrorKind) -> FilterError {
        // Line and column of the position, clamped to the text (a tree
        // built by hand has spans into no text) and to a character boundary.
        let mut p = pos.min(src.len());
        while !src.is_char_boundary(p) {
            p -= 1;
        }
        let before = &src[..p];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = src[line_start..p].chars().count() + 1;
        FilterError {
            pos,
            line,
            col,
            multiline: src.contains('\n'),
            kind,
        }
    }

    /// The message without the position.
    pub fn message(&self) -> String {
        self.kind.to_string()
    }
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.multiline {
            write!(
                f,
                "at {} ({}:{}): {}",
                self.pos, self.line, self.col, self.kind
            )
        } else {
            write!(f, "at {}: {}", self.pos, self.kind)
        }
    }
}

impl std::error::Error for FilterError {}

/// What is wrong with a condition or a format.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Something else was expected here: "expected a value after '='".
    #[error("expected {0}")]
    Expected(String),
    /// `&&`, `||`, `AND`, `OR`, `NOT` or `!` where a keyword belongs.
    #[error("'{found}' is not an operator of this language; write '{hint}'")]
    Typo {
        /// What was written.
        found: String,
        /// What to write instead.
        hint: &'static str,
    },
    /// A quoted string without its closing quote.
    #[error("unterminated string")]
    UnterminatedString,
    /// An escape sequence the language does not have.
    #[error("unsupported string escape sequence '{0}'")]
    BadEscape(String),
    /// Parentheses, `not` or transformers nested deeper than the limit.
    #[error("nested too deeply (the limit is {0} levels)")]
    TooDeep(usize),
    /// A function-like name that is not a transformer.
    #[error("unknown transformer '{0}'")]
    UnknownTransformer(String),
    /// A transformer applied to the wrong arguments.
    #[error("{name}(): {reason}")]
    BadTransformer {
        /// The transformer.
        name: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// No field has this name.
    #[error("unknown field '{0}'")]
    UnknownField(String),
    /// The field exists but not with this argument.
    #[error("field '{field}': {reason}")]
    BadFieldArg {
        /// The field.
        field: String,
        /// What is wrong.
        reason: String,
    },
    /// A print-only field in a condition.
    #[error("field '{0}' can only be printed, not used in a condition")]
    PrintOnly(String),
    /// A filter-only field in an output format.
    #[error("field '{0}' can only be used in conditions, not printed")]
    FilterOnly(String),
    /// A `no-rhs` field in a field-to-field comparison.
    #[error("field '{0}' cannot take part in a field-to-field comparison")]
    NoRhs(String),
    /// A `no-transformer` field inside a transformer.
    #[error("field '{0}' cannot be wrapped by a transformer")]
    NoTransformer(String),
    /// The operator does not apply to this type.
    #[error("operator '{op}' cannot be used on {what} (type {ty})")]
    BadOperator {
        /// The operator.
        op: &'static str,
        /// The field or expression.
        what: String,
        /// Its type.
        ty: String,
    },
    /// A constant that does not fit the type it is compared with.
    #[error("'{value}' is not a valid {ty} for {what}{}", if .reason.is_empty() { String::new() } else { format!(": {}", .reason) })]
    BadValue {
        /// The constant.
        value: String,
        /// The type it must have.
        ty: &'static str,
        /// The field or expression.
        what: String,
        /// Why, when there is more to say.
        reason: &'static str,
    },
    /// `evt.type = NAME` where no event or syscall is called NAME.
    #[error("unknown event type '{0}'")]
    UnknownEventType(String),
    /// An identifier that names no macro.
    #[error("unknown macro '{0}' (a field name has a dot)")]
    UnknownMacro(String),
    /// A list name that names no list.
    #[error("unknown list '{0}'")]
    UnknownList(String),
    /// Macros (or lists) that refer to themselves.
    #[error("'{}' refers to itself: {}", .0.last().map_or("", String::as_str), .0.join(" -> "))]
    Cycle(Vec<String>),
    /// An error inside a macro's condition.
    #[error("in macro '{name}': {inner}")]
    InMacro {
        /// The macro.
        name: String,
        /// The error, positioned in the macro's text.
        inner: Box<FilterError>,
    },
    /// A regular expression that does not compile.
    #[error("invalid regular expression: {0}")]
    BadRegex(String),
    /// The two sides of a field-to-field comparison differ in type.
    #[error("cannot compare {lhs} with {rhs}: both sides must have the same type")]
    TypeMismatch {
        /// Type of the left-hand side.
        lhs: String,
        /// Type of the right-hand side.
        rhs: String,
    },
}
