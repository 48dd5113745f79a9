//! The Falco filter (condition) language.
//!
//! ```ebnf
//! filter        = ws, or_expr, ws ;
//! or_expr       = and_expr, { ws, "or", (blank | &"("), ws, and_expr } ;
//! and_expr      = not_expr, { ws, "and", (blank | &"("), ws, not_expr } ;
//! not_expr      = { "not", (blank | &"("), ws }, atom ;        (* "not not x" is x *)
//! atom          = "(", ws, or_expr, ws, ")"
//!               | operand, ws, condition
//!               | identifier ;                                (* a macro *)
//!
//! operand       = field | transformer ;
//! field         = field_name, [ "[", field_arg, "]" ] ;
//! transformer   = tr_name, "(", ws, tr_arg, { ws, ",", ws, tr_arg }, ws, ")" ;
//! tr_name       = "tolower" | "toupper" | "b64" | "basename" | "len" | "join" | "concat" ;
//! tr_arg        = transformer | field | quoted | number | tr_list ;
//! tr_list       = "(", ws, [ tr_item, { ws, ",", ws, tr_item } ], ws, ")" ;
//! tr_item       = transformer | field | quoted | number ;
//! val_expr      = "val(", ws, field, ws, ")" ;
//!
//! condition     = "exists"
//!               | num_op, ws, ( number | rhs_expr )
//!               | str_op, blank, modifier, blank, ( list | identifier )
//!               | str_op, ws, ( rhs_expr | quoted | bare )
//!               | list_op, ws, ( list | identifier | rhs_expr ) ;
//! modifier      = "anyof" | "allof" | "oneof" ;         (* only before a list *)
//! rhs_expr      = val_expr | transformer ;                    (* field-to-field *)
//! num_op        = "<=" | "<" | ">=" | ">" ;
//! str_op        = "==" | "=" | "!=" | word_op ;
//! word_op       = ( "contains" | "icontains" | "bcontains" | "startswith"
//!                 | "bstartswith" | "endswith" | "glob" | "iglob" | "regex" ), &blank ;
//! list_op       = ( "intersects" | "in" | "pmatch" ), &(blank | "(" ) ;
//! list          = "(", ws, [ value, { ws, ",", ws, value } ], ws, ")" ;
//! value         = quoted | bare ;
//!
//! field_name    = ident, ".", ident, { ".", ident } ;
//! identifier    = ident ;
//! ident         = letter, { letter | digit | "_" } ;
//! field_arg     = quoted | { ? any char except blank, "[", "]", '"', "'" ? }- ;
//! bare          = { ? any char except blank, "(", ")", '"', "'", "=", "," ? }- ;
//! quoted        = '"', { char | escape }, '"' | "'", { char | escape }, "'" ;
//! escape        = "\b" | "\f" | "\n" | "\r" | "\t" | "\\" | "\/" | "\x", hex, hex
//!               | '\"' (in "...") | "\'" (in '...') | "\ " (one backslash) ;
//! number        = ( "0x" | "0X" ), hexdigit, { hexdigit }
//!               | [ "+" | "-" ], digit, { digit }, [ ".", { digit } ],
//!                 [ ("e" | "E"), ("+" | "-"), digit, { digit } ] ;
//! blank         = ( " " | "\t" | "\b" | "\r" | "\n" ), { " " | "\t" | "\b" | "\r" | "\n" } ;
//! ws            = [ blank ] ;
//! ```
//!
//! Precedence is `not` > `and` > `or`; `and` and `or` are n-ary and
//! evaluate left to right with short-circuit. Keywords are lower case.
//! Parentheses, lists and transformers nest at most 100 deep.
//!
//! # Two phases
//!
//! [`parse`] turns text into an [`ast::Expr`] (spans on every node;
//! `Display` prints canonical syntax that parses back to the same tree).
//! [`Filter::compile`] then resolves fields against the
//! [registry](crate::fields::registry), expands macros and lists
//! ([`Definitions`]), checks each operator against its field's type and
//! parses the constants once: numbers, addresses and networks, ports
//! (service names too), hash sets for `in`, a component trie for `pmatch`,
//! regexes, glob patterns, hex strings for `bcontains`.
//!
//! # Semantics
//!
//! * A check whose left-hand field has no value for the event is **false**,
//!   whatever the operator (`!=` included); only `exists` tells. So
//!   `not fd.name = x` and `fd.name != x` differ on events without an fd.
//! * List fields (`fd.types`): `in` needs every value in the set,
//!   `intersects` one. Ancestor fields without an index (`proc.aname`)
//!   match when any ancestor does. The client-or-server fields (`fd.ip`,
//!   `fd.port`, `fd.net`) match when either end does, and `!=` when both
//!   differ.
//! * Field-to-field comparisons wrap the right-hand side:
//!   `proc.name = val(proc.pname)`; both sides must have the same type.
//! * Modifiers (libs 0.25) apply the operator to each list element:
//!   `fd.name startswith anyof (/etc, /usr)` (one matches), `allof` (all
//!   do), `oneof` (exactly one does).
//!
//! ```
//! use sinsp::filter::Filter;
//!
//! let f = Filter::compile("evt.type in (execve, execveat) and proc.pname = bash")?;
//! assert_eq!(
//!     f.event_types(),
//!     Some(["execve".to_string(), "execveat".to_string()].into())
//! );
//! let e = Filter::compile("proc.nmae = bash").unwrap_err();
//! assert_eq!(e.to_string(), "at 0: unknown field 'proc.nmae'");
//! # Ok::<(), sinsp::filter::FilterError>(())
//! ```

pub mod ast;
mod check;
mod compile;
mod error;
pub mod glob;
mod operand;
mod parser;
mod values;

use std::collections::{BTreeSet, HashMap};
use std::fmt;

pub use error::{ErrorKind, FilterError};
pub use parser::MAX_DEPTH;

pub(crate) use operand::{compile_operand, OperandC, Place, Purpose};
pub(crate) use parser::parse_operand_prefix;

use crate::inspector::SinspEvent;
use ast::Expr;
use check::Node;
use compile::Compiler;

/// Parses a condition into its syntax tree, without resolving anything.
pub fn parse(src: &str) -> Result<Expr, FilterError> {
    parser::parse_condition(src)
}

/// A macro's body.
#[derive(Clone, Debug, PartialEq)]
pub enum Macro {
    /// Condition text, parsed when used.
    Text(String),
    /// An already parsed condition.
    Ast(Expr),
}

impl From<&str> for Macro {
    fn from(s: &str) -> Macro {
        Macro::Text(s.to_string())
    }
}

impl From<String> for Macro {
    fn from(s: String) -> Macro {
        Macro::Text(s)
    }
}

impl From<Expr> for Macro {
    fn from(e: Expr) -> Macro {
        Macro::Ast(e)
    }
}

/// Named macros and lists, as a rules file defines them.
///
/// In a condition, an identifier (a name without a dot) is a macro, expanded
/// recursively (a macro that refers to itself, directly or not, is an
/// error). A list name is expanded where a list goes: after `in`,
/// `intersects` and `pmatch` (`proc.name in shells`), and as an unquoted
/// item of a literal list (`proc.name in (shells, vim)`), also inside
/// other lists.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Definitions {
    /// Macros by name.
    pub macros: HashMap<String, Macro>,
    /// Lists by name.
    pub lists: HashMap<String, Vec<String>>,
}

impl Definitions {
    /// No macros, no lists.
    pub fn new() -> Definitions {
        Definitions::default()
    }

    /// Adds (or replaces) a macro.
    pub fn add_macro(&mut self, name: impl Into<String>, body: impl Into<Macro>) -> &mut Self {
        self.macros.insert(name.into(), body.into());
        self
    }

    /// Adds (or replaces) a list.
    pub fn add_list<S: Into<String>>(
        &mut self,
        name: impl Into<String>,
        items: impl IntoIterator<Item = S>,
    ) -> &mut Self {
        self.lists
            .insert(name.into(), items.into_iter().map(Into::into).collect());
        self
    }
}

/// A compiled condition.
pub struct Filter {
    root: Node,
    ast: Expr,
    types: Option<BTreeSet<String>>,
}

impl fmt::Debug for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Filter")
            .field("condition", &self.ast.to_string())
            .field("event_types", &self.types)
            .finish()
    }
}

impl Filter {
    /// Compiles a condition that uses no macros or named lists.
    pub fn compile(src: &str) -> Result<Filter, FilterError> {
        Filter::compile_with(src, &Definitions::default())
    }

    /// Compiles a condition, expanding the macros and lists of `defs`.
    pub fn compile_with(src: &str, defs: &Definitions) -> Result<Filter, FilterError> {
        let ast = parse(src)?;
        let (root, types) = Compiler::new(defs).expr(&ast, src)?;
        Ok(Filter { root, ast, types })
    }

    /// Does the event satisfy the condition?
    #[inline]
    pub fn matches(&self, e: &SinspEvent<'_>) -> bool {
        self.root.eval(e)
    }

    /// The event types the condition can be true for, when that is a finite
    /// set: the names `evt.type` reports (for the generic event, the real
    /// syscall's name). From `evt.type`/`syscall.type` with `=`, `in` and
    /// `intersects`: `or` unites, `and` intersects, and `not`, `!=` and
    /// every other check give no restriction. None: any type.
    pub fn event_types(&self) -> Option<BTreeSet<String>> {
        self.types.clone()
    }

    /// The condition as parsed (macros not expanded).
    pub fn ast(&self) -> &Expr {
        &self.ast
    }
}
