//! Field extractors with libsinsp's names, types and meanings.
//!
//! Each field is declared once, as a [`FieldDef`]: name, type, flags,
//! argument, description and extractor. The registry, the lookup of a field
//! token (`proc.aname[2]`, `evt.arg.fd`, `thread.cgroup.cpu`), the field
//! listing (`sinsp-dump -l`) and `docs/fields.md` all come from these
//! declarations; a test fails when the generated document is stale.
//!
//! ```
//! use sinsp::fields::{registry, Arg};
//! let (def, arg) = registry().lookup("proc.aname[2]").unwrap();
//! assert_eq!(def.name, "proc.aname");
//! assert_eq!(arg, Arg::Index(2));
//! ```

/// Declares one field: `field!(name, Type, "description", extractor)`, or
/// with flags and an argument spec before the description.
macro_rules! field {
    ($name:literal, $ty:ident, $desc:literal, $f:expr) => {
        $crate::fields::FieldDef {
            name: $name,
            ty: $crate::fields::FieldType::$ty,
            flags: $crate::fields::FieldFlags::empty(),
            arg: $crate::fields::ArgSpec::None,
            desc: $desc,
            extract: $f,
        }
    };
    ($name:literal, $ty:ident, $flags:expr, $arg:ident, $desc:literal, $f:expr) => {
        $crate::fields::FieldDef {
            name: $name,
            ty: $crate::fields::FieldType::$ty,
            flags: $flags,
            arg: $crate::fields::ArgSpec::$arg,
            desc: $desc,
            extract: $f,
        }
    };
}

mod container;
mod evt;
mod fd;
mod fspath;
mod proc_;
mod user;
pub mod value;

use std::sync::OnceLock;

pub use evt::rfc3339_utc;
pub use value::Value;

use crate::inspector::SinspEvent;

/// A field's type, with libsinsp's names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FieldType {
    /// Text.
    String,
    /// Signed 64-bit integer.
    Int64,
    /// Signed 32-bit integer.
    Int32,
    /// Signed 16-bit integer.
    Int16,
    /// Unsigned 64-bit integer.
    Uint64,
    /// Unsigned 32-bit integer.
    Uint32,
    /// true/false.
    Bool,
    /// Floating point.
    Double,
    /// Epoch nanoseconds.
    AbsTime,
    /// A duration in nanoseconds.
    RelTime,
    /// An IPv4 or IPv6 address.
    IpAddr,
    /// A network in CIDR notation (filters only).
    IpNet,
    /// A TCP/UDP port.
    Port,
    /// Raw bytes.
    Bytebuf,
    /// The type of the referenced event parameter.
    Dyn,
}

impl FieldType {
    /// libsinsp's name of the type.
    pub fn name(self) -> &'static str {
        match self {
            FieldType::String => "string",
            FieldType::Int64 => "int64",
            FieldType::Int32 => "int32",
            FieldType::Int16 => "int16",
            FieldType::Uint64 => "uint64",
            FieldType::Uint32 => "uint32",
            FieldType::Bool => "bool",
            FieldType::Double => "double",
            FieldType::AbsTime => "abstime",
            FieldType::RelTime => "reltime",
            FieldType::IpAddr => "ipaddr",
            FieldType::IpNet => "ipnet",
            FieldType::Port => "port",
            FieldType::Bytebuf => "bytebuf",
            FieldType::Dyn => "dyn",
        }
    }

    /// A numeric type (ordering comparisons apply).
    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            FieldType::Int64
                | FieldType::Int32
                | FieldType::Int16
                | FieldType::Uint64
                | FieldType::Uint32
                | FieldType::Double
                | FieldType::AbsTime
                | FieldType::RelTime
                | FieldType::Port
        )
    }
}

bitflags::bitflags! {
    /// Field flags (libsinsp's `EPF_*`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct FieldFlags: u32 {
        /// Usable in filters, not in output formats.
        const FILTER_ONLY = 1;
        /// Usable only in output formats.
        const PRINT_ONLY = 1 << 1;
        /// Still parsed, slated for removal.
        const DEPRECATED = 1 << 2;
        /// Extracts several values.
        const IS_LIST = 1 << 3;
        /// Cannot take part in a field-to-field comparison.
        const NO_RHS = 1 << 4;
        /// Transformers cannot wrap it.
        const NO_TRANSFORMER = 1 << 5;
    }
}

/// What argument a field takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgSpec {
    /// None.
    None,
    /// Optional `[N]` index.
    OptionalIndex,
    /// Optional `[KEY]` (or `[N]`).
    OptionalKey,
    /// Required, as `[ARG]` or `.ARG`.
    Required,
    /// Optional `.src` / `.dst` suffix.
    OptionalDotted,
}

/// A field's argument, as parsed from the token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Arg {
    /// No argument.
    None,
    /// A number, `[2]`.
    Index(i64),
    /// A name, `[HOME]` or `.fd`.
    Key(String),
}

impl Arg {
    /// The argument as a name, also when it is a number.
    pub fn key(&self) -> Option<String> {
        match self {
            Arg::None => None,
            Arg::Index(i) => Some(i.to_string()),
            Arg::Key(k) => Some(k.clone()),
        }
    }
}

/// Extracts a field's value from an event (None: not available for it).
pub type Extractor = for<'a> fn(&SinspEvent<'a>, &Arg) -> Option<Value<'a>>;

/// One field, declared once.
pub struct FieldDef {
    /// Name, e.g. `proc.name`.
    pub name: &'static str,
    /// Type.
    pub ty: FieldType,
    /// Flags.
    pub flags: FieldFlags,
    /// Argument.
    pub arg: ArgSpec,
    /// What it means.
    pub desc: &'static str,
    /// How to get it.
    pub extract: Extractor,
}

impl std::fmt::Debug for FieldDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FieldDef")
            .field("name", &self.name)
            .field("ty", &self.ty)
            .finish()
    }
}

/// A field class (the part before the first dot, mostly).
pub struct FieldClass {
    /// Name shown in listings.
    pub name: &'static str,
    /// What it covers.
    pub desc: &'static str,
    /// Its fields.
    pub fields: &'static [FieldDef],
}

/// Why a field token was not accepted.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    /// No field has this name.
    #[error("unknown field `{0}`")]
    Unknown(String),
    /// The field needs an argument.
    #[error("field `{0}` needs an argument")]
    ArgRequired(&'static str),
    /// The field takes no argument, or not this one.
    #[error("field `{field}` does not take the argument `{arg}`")]
    BadArg {
        /// The field.
        field: &'static str,
        /// The argument given.
        arg: String,
    },
}

/// All fields, by class.
pub struct Registry {
    classes: Vec<FieldClass>,
}

impl Registry {
    /// The classes in lookup order.
    pub fn classes(&self) -> &[FieldClass] {
        &self.classes
    }

    /// Every field.
    pub fn fields(&self) -> impl Iterator<Item = &'static FieldDef> + '_ {
        self.classes.iter().flat_map(|c| c.fields.iter())
    }

    /// The field called exactly `name` (no argument).
    pub fn get(&self, name: &str) -> Option<&'static FieldDef> {
        self.fields().find(|f| f.name == name)
    }

    /// Resolves a field token: the longest field name that the token starts
    /// with at a boundary, then its argument (`[ARG]`, or `.ARG` for fields
    /// that take one). The whole token must be consumed.
    pub fn lookup(&self, token: &str) -> Result<(&'static FieldDef, Arg), FieldError> {
        let mut best: Option<&'static FieldDef> = None;
        for f in self.fields() {
            if let Some(rest) = token.strip_prefix(f.name) {
                let boundary = rest.is_empty()
                    || rest.starts_with('[')
                    || (rest.starts_with('.') && f.arg != ArgSpec::None);
                if boundary && best.is_none_or(|b| f.name.len() > b.name.len()) {
                    best = Some(f);
                }
            }
        }
        let def = best.ok_or_else(|| FieldError::Unknown(token.to_string()))?;
        let rest = &token[def.name.len()..];
        let raw = if let Some(inner) = rest.strip_prefix('[') {
            let inner = inner
                .strip_suffix(']')
                .ok_or_else(|| FieldError::Unknown(token.to_string()))?;
            Some(inner.trim_matches(|c| c == '"' || c == '\''))
        } else {
            rest.strip_prefix('.')
        };
        let arg = match raw {
            None | Some("") => Arg::None,
            Some(s) => match s.parse::<i64>() {
                Ok(n) => Arg::Index(n),
                Err(_) => Arg::Key(s.to_string()),
            },
        };
        match (def.arg, &arg) {
            (ArgSpec::None, Arg::None) => {}
            (ArgSpec::None, a) => {
                return Err(FieldError::BadArg {
                    field: def.name,
                    arg: a.key().unwrap_or_default(),
                })
            }
            (ArgSpec::Required, Arg::None) => return Err(FieldError::ArgRequired(def.name)),
            (ArgSpec::OptionalIndex, Arg::Key(k)) => {
                return Err(FieldError::BadArg {
                    field: def.name,
                    arg: k.clone(),
                })
            }
            (ArgSpec::OptionalDotted, Arg::Key(k)) if k != "src" && k != "dst" => {
                return Err(FieldError::BadArg {
                    field: def.name,
                    arg: k.clone(),
                })
            }
            _ => {}
        }
        Ok((def, arg))
    }

    /// The field listing as markdown: the content of `docs/fields.md`.
    pub fn markdown(&self) -> String {
        use std::fmt::Write as _;
        let mut s = String::new();
        let total: usize = self.classes.iter().map(|c| c.fields.len()).sum();
        let _ = writeln!(
            s,
            "# Fields\n\n<!-- Generated from the field declarations in sinsp/src/fields/ by `sinsp::fields::registry().markdown()`; a test fails when this file is stale. Regenerate with `SINSP_BLESS=1 cargo test -p sinsp fields_doc`. -->\n\n{total} fields, with libsinsp's names, types and meanings. A field without a value for an event (`fd.name` on an event without an fd) makes every comparison false and prints as `<NA>`.\n"
        );
        for c in &self.classes {
            let _ = writeln!(s, "## {}\n\n{}\n", c.name, c.desc);
            let _ = writeln!(
                s,
                "| field | type | argument | flags | description |\n|---|---|---|---|---|"
            );
            for f in c.fields {
                let arg = match f.arg {
                    ArgSpec::None => "",
                    ArgSpec::OptionalIndex => "optional `[N]`",
                    ArgSpec::OptionalKey => "optional `[KEY]`",
                    ArgSpec::Required => "required",
                    ArgSpec::OptionalDotted => "optional `.src`/`.dst`",
                };
                let mut flags = Vec::new();
                for (flag, name) in [
                    (FieldFlags::FILTER_ONLY, "filter-only"),
                    (FieldFlags::PRINT_ONLY, "print-only"),
                    (FieldFlags::DEPRECATED, "deprecated"),
                    (FieldFlags::IS_LIST, "list"),
                    (FieldFlags::NO_RHS, "no-rhs"),
                    (FieldFlags::NO_TRANSFORMER, "no-transformer"),
                ] {
                    if f.flags.contains(flag) {
                        flags.push(name);
                    }
                }
                let _ = writeln!(
                    s,
                    "| `{}` | {} | {} | {} | {} |",
                    f.name,
                    f.ty.name(),
                    arg,
                    flags.join(", "),
                    f.desc.replace('|', "\\|")
                );
            }
            s.push('\n');
        }
        s
    }

    /// The field listing as plain text (`sinsp-dump -l`).
    pub fn text(&self) -> String {
        use std::fmt::Write as _;
        let mut s = String::new();
        for c in &self.classes {
            let _ = writeln!(
                s,
                "-------------------------------------------------------\nField Class: {} ({})\n",
                c.name, c.desc
            );
            for f in c.fields {
                let _ = writeln!(s, "{:<44} {:<8} {}", f.name, f.ty.name(), f.desc);
            }
            s.push('\n');
        }
        s
    }
}

/// The registry of every field.
pub fn registry() -> &'static Registry {
    static R: OnceLock<Registry> = OnceLock::new();
    R.get_or_init(|| Registry {
        classes: vec![
            FieldClass {
                name: "evt",
                desc: "Event fields: every event, then syscall events",
                fields: evt::FIELDS,
            },
            FieldClass {
                name: "process",
                desc: "proc.* and thread.*: the thread, its process and ancestors",
                fields: proc_::FIELDS,
            },
            FieldClass {
                name: "user",
                desc: "The user and login user of the process",
                fields: user::USER_FIELDS,
            },
            FieldClass {
                name: "group",
                desc: "The group of the process",
                fields: user::GROUP_FIELDS,
            },
            FieldClass {
                name: "fd",
                desc: "The file descriptor the event uses: files, sockets, pipes, ...",
                fields: fd::FIELDS,
            },
            FieldClass {
                name: "fs.path",
                desc: "The path a path-taking syscall acts on",
                fields: fspath::FIELDS,
            },
            FieldClass {
                name: "container",
                desc: "The container of the process, from its cgroups (no runtime socket needed)",
                fields: container::FIELDS,
            },
        ],
    })
}

/// A field bound to its argument: what filters and formats evaluate.
#[derive(Clone, Debug)]
pub struct BoundField {
    /// The field.
    pub def: &'static FieldDef,
    /// Its argument.
    pub arg: Arg,
}

impl BoundField {
    /// Resolves a token against the registry.
    pub fn parse(token: &str) -> Result<BoundField, FieldError> {
        let (def, arg) = registry().lookup(token)?;
        Ok(BoundField { def, arg })
    }

    /// The value for `evt`, if it has one.
    #[inline]
    pub fn extract<'a>(&self, evt: &SinspEvent<'a>) -> Option<Value<'a>> {
        (self.def.extract)(evt, &self.arg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_documented() {
        let mut names: Vec<_> = registry().fields().map(|f| f.name).collect();
        let n = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), n, "duplicate field names");
        assert!(n >= 120, "{n} fields");
        for f in registry().fields() {
            assert!(!f.desc.is_empty(), "{} has no description", f.name);
            assert!(f.name.contains('.'), "{}", f.name);
        }
    }

    #[test]
    fn lookup_takes_the_longest_name_and_parses_arguments() {
        let r = registry();
        assert_eq!(r.lookup("proc.name").unwrap().0.name, "proc.name");
        assert_eq!(r.lookup("proc.pname").unwrap().0.name, "proc.pname");
        let (d, a) = r.lookup("proc.aname[3]").unwrap();
        assert_eq!((d.name, a), ("proc.aname", Arg::Index(3)));
        let (d, a) = r.lookup("evt.arg.fd").unwrap();
        assert_eq!((d.name, a), ("evt.arg", Arg::Key("fd".into())));
        let (d, a) = r.lookup("evt.arg[1]").unwrap();
        assert_eq!((d.name, a), ("evt.arg", Arg::Index(1)));
        let (d, a) = r.lookup("proc.env[HOME]").unwrap();
        assert_eq!((d.name, a), ("proc.env", Arg::Key("HOME".into())));
        let (d, a) = r.lookup("thread.cgroup.cpuacct").unwrap();
        assert_eq!((d.name, a), ("thread.cgroup", Arg::Key("cpuacct".into())));
        assert_eq!(
            r.lookup("proc.exe_ino.ctime").unwrap().0.name,
            "proc.exe_ino.ctime"
        );
        assert_eq!(r.lookup("fd.dev.major").unwrap().0.name, "fd.dev.major");
        assert!(matches!(
            r.lookup("proc.nosuch"),
            Err(FieldError::Unknown(_))
        ));
        assert!(matches!(
            r.lookup("proc.namex"),
            Err(FieldError::Unknown(_))
        ));
        assert!(matches!(
            r.lookup("evt.arg"),
            Err(FieldError::ArgRequired("evt.arg"))
        ));
        assert!(matches!(
            r.lookup("proc.name[2]"),
            Err(FieldError::BadArg { .. })
        ));
        assert!(matches!(
            r.lookup("proc.aname[x]"),
            Err(FieldError::BadArg { .. })
        ));
    }

    #[test]
    fn alert_time_is_rfc3339_utc() {
        // 2024-01-02T03:04:05.000000007Z
        assert_eq!(
            rfc3339_utc(1_704_164_645_000_000_007),
            "2024-01-02T03:04:05.000000007Z"
        );
    }

    #[test]
    fn fields_doc() {
        let generated = registry().markdown();
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/fields.md");
        if std::env::var("SINSP_BLESS").is_ok_and(|v| v == "1") {
            std::fs::write(path, &generated).unwrap();
        }
        let current = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            current == generated,
            "docs/fields.md is stale: regenerate it with `SINSP_BLESS=1 cargo test -p sinsp fields_doc`"
        );
    }
}
