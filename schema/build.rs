//! Generates the event schema tables from `event-schema.json`, the project's one
//! source of truth for event codes, parameter layouts, flag tables and syscall maps.
//!
//! Two outputs, from the same parse:
//! * `schema.rs` (Rust): included by `src/lib.rs`;
//! * `ppm_schema.h` (C): event codes, parameter counts, fixed event sizes and flag
//!   values for the BPF probe. Its directory is exported as `DEP_SCAP_SCHEMA_INCLUDE`
//!   to the build scripts of crates that depend on this one (`links` in Cargo.toml).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::PathBuf;

use serde_json::Value;

/// Every parameter type the schema may use: (schema name, fixed size, doc).
/// The Rust enum `ParamType` and all fixed-size computations come from this list.
const PARAM_TYPES: &[(&str, Option<usize>, &str)] = &[
    ("PT_NONE", Some(0), "No value."),
    ("PT_INT8", Some(1), "Signed 8-bit integer."),
    ("PT_INT16", Some(2), "Signed 16-bit integer."),
    ("PT_INT32", Some(4), "Signed 32-bit integer."),
    ("PT_INT64", Some(8), "Signed 64-bit integer."),
    ("PT_UINT8", Some(1), "Unsigned 8-bit integer."),
    ("PT_UINT16", Some(2), "Unsigned 16-bit integer."),
    ("PT_UINT32", Some(4), "Unsigned 32-bit integer."),
    ("PT_UINT64", Some(8), "Unsigned 64-bit integer."),
    (
        "PT_CHARBUF",
        None,
        "NUL-terminated string (length includes the NUL).",
    ),
    (
        "PT_BYTEBUF",
        None,
        "Raw bytes; `args`, `env` and `cgroups` hold NUL-separated lists.",
    ),
    (
        "PT_ERRNO",
        Some(8),
        "Signed 64-bit return value; negative errno on failure.",
    ),
    (
        "PT_SOCKADDR",
        None,
        "Socket address: family byte then family-specific body.",
    ),
    (
        "PT_SOCKTUPLE",
        None,
        "Connection tuple: family byte then both endpoints.",
    ),
    ("PT_FD", Some(8), "Signed 64-bit file descriptor."),
    ("PT_PID", Some(8), "Signed 64-bit process or thread id."),
    (
        "PT_FDLIST",
        None,
        "u16 count then (i64 fd, i16 flags) pairs.",
    ),
    (
        "PT_FSPATH",
        None,
        "Absolute or cwd-relative file system path (NUL-terminated).",
    ),
    ("PT_SYSCALLID", Some(2), "PPM_SC syscall code (u16)."),
    ("PT_SIGTYPE", Some(1), "Signal number (u8)."),
    ("PT_RELTIME", Some(8), "Duration in nanoseconds (u64)."),
    (
        "PT_ABSTIME",
        Some(8),
        "Time since the epoch in nanoseconds (u64).",
    ),
    ("PT_PORT", Some(2), "TCP/UDP port (u16)."),
    ("PT_L4PROTO", Some(1), "Layer-4 protocol (u8)."),
    ("PT_SOCKFAMILY", Some(1), "Socket family (u8)."),
    ("PT_BOOL", Some(4), "Boolean stored as u32 0/1."),
    ("PT_IPV4ADDR", Some(4), "IPv4 address, network byte order."),
    (
        "PT_DYN",
        None,
        "One byte selecting the real type from the parameter's table, then that value.",
    ),
    ("PT_FLAGS8", Some(1), "8-bit flag set (schema values)."),
    ("PT_FLAGS16", Some(2), "16-bit flag set (schema values)."),
    ("PT_FLAGS32", Some(4), "32-bit flag set (schema values)."),
    (
        "PT_UID",
        Some(4),
        "User id (u32); 0xFFFFFFFF means no value.",
    ),
    (
        "PT_GID",
        Some(4),
        "Group id (u32); 0xFFFFFFFF means no value.",
    ),
    ("PT_DOUBLE", Some(8), "IEEE 754 double."),
    ("PT_SIGSET", Some(4), "Low 32 bits of a signal set."),
    ("PT_CHARBUFARRAY", None, "Packed NUL-terminated strings."),
    (
        "PT_CHARBUF_PAIR_ARRAY",
        None,
        "Packed NUL-terminated strings, read as key/value pairs.",
    ),
    ("PT_IPV4NET", None, "IPv4 network (address and mask)."),
    ("PT_IPV6ADDR", Some(16), "IPv6 address, network byte order."),
    ("PT_IPV6NET", None, "IPv6 network (address and mask)."),
    (
        "PT_IPADDR",
        None,
        "IPv4 or IPv6 address, told apart by length.",
    ),
    ("PT_IPNET", None, "IPv4 or IPv6 network."),
    ("PT_MODE", Some(4), "File mode bits (u32, schema values)."),
    (
        "PT_FSRELPATH",
        None,
        "Path relative to a directory fd (NUL-terminated).",
    ),
    (
        "PT_ENUMFLAGS8",
        Some(1),
        "8-bit enumeration value (schema values).",
    ),
    (
        "PT_ENUMFLAGS16",
        Some(2),
        "16-bit enumeration value (schema values).",
    ),
    (
        "PT_ENUMFLAGS32",
        Some(4),
        "32-bit enumeration value (schema values).",
    ),
    (
        "PT_FD32",
        Some(4),
        "Signed 32-bit file descriptor (iterator events).",
    ),
    ("PT_PID32", Some(4), "Signed 32-bit pid (iterator events)."),
];

/// Event categories (the non-source part of `category`).
const CATEGORIES: &[(&str, &str)] = &[
    ("EC_UNKNOWN", "Unknown"),
    ("EC_OTHER", "Other"),
    ("EC_FILE", "File"),
    ("EC_NET", "Net"),
    ("EC_IPC", "Ipc"),
    ("EC_MEMORY", "Memory"),
    ("EC_PROCESS", "Process"),
    ("EC_SLEEP", "Sleep"),
    ("EC_SYSTEM", "System"),
    ("EC_SIGNAL", "Signal"),
    ("EC_USER", "User"),
    ("EC_TIME", "Time"),
    ("EC_PROCESSING", "Processing"),
    ("EC_IO_READ", "IoRead"),
    ("EC_IO_WRITE", "IoWrite"),
    ("EC_IO_OTHER", "IoOther"),
    ("EC_WAIT", "Wait"),
    ("EC_SCHEDULER", "Scheduler"),
    ("EC_INTERNAL", "Internal"),
];

/// Event sources (the other part of `category`).
const SOURCES: &[(&str, &str)] = &[
    ("EC_SYSCALL", "Syscall"),
    ("EC_TRACEPOINT", "Tracepoint"),
    ("EC_PLUGIN", "Plugin"),
    ("EC_METAEVENT", "Meta"),
    ("EC_ITER", "Iterator"),
];

/// Event flags, in bit order.
const EVENT_FLAGS: &[&str] = &[
    "EF_CREATES_FD",
    "EF_DESTROYS_FD",
    "EF_USES_FD",
    "EF_READS_FROM_FD",
    "EF_WRITES_TO_FD",
    "EF_MODIFIES_STATE",
    "EF_UNUSED",
    "EF_WAITS",
    "EF_SKIPPARSERESET",
    "EF_OLD_VERSION",
    "EF_DROP_SIMPLE_CONS",
    "EF_LARGE_PAYLOAD",
    "EF_CONVERTER_MANAGED",
    "EF_TMP_CONVERTER_MANAGED",
];

const FORMATS: &[(&str, &str)] = &[
    ("PF_NA", "Na"),
    ("PF_DEC", "Dec"),
    ("PF_HEX", "Hex"),
    ("PF_10_PADDED_DEC", "PaddedDec"),
    ("PF_ID", "Id"),
    ("PF_DIR", "Dir"),
    ("PF_OCT", "Oct"),
];

const SYSCALL_FLAGS: &[(&str, u32)] = &[
    ("UF_NONE", 0),
    ("UF_USED", 1),
    ("UF_NEVER_DROP", 2),
    ("UF_ALWAYS_DROP", 4),
];

/// Header size of an event on the wire: ts(8) tid(8) len(4) type(2) nparams(4).
const HEADER_LEN: usize = 26;

fn camel(snake: &str) -> String {
    snake
        .split('_')
        .filter(|s| !s.is_empty())
        .map(|s| {
            let mut c = s.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + &c.as_str().to_ascii_lowercase(),
                None => String::new(),
            }
        })
        .collect()
}

fn type_variant(pt: &str) -> String {
    camel(pt.trim_start_matches("PT_"))
}

fn tokens(s: &str) -> Vec<String> {
    s.split('|')
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect()
}

fn fail(msg: String) -> ! {
    panic!("event-schema.json: {msg}");
}

struct Param {
    name: String,
    ty: String,
    format: String,
    table: Option<String>,
}

struct Event {
    id: u64,
    code: String,
    name: String,
    category: String,
    source: Option<String>,
    flags: Vec<String>,
    params: Vec<Param>,
}

enum TableKind {
    Flags,
    Enum,
    Dyn,
    Unused,
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let json_path = manifest.join("event-schema.json");
    println!("cargo:rerun-if-changed={}", json_path.display());
    println!("cargo:rerun-if-changed=build.rs");
    let text = std::fs::read_to_string(&json_path).expect("read event-schema.json");
    let root: Value = serde_json::from_str(&text).expect("parse event-schema.json");

    let type_names: BTreeSet<&str> = PARAM_TYPES.iter().map(|t| t.0).collect();
    let size_of = |ty: &str| PARAM_TYPES.iter().find(|t| t.0 == ty).and_then(|t| t.1);

    // ---- events ----
    let mut events = Vec::new();
    for (i, e) in root["events"]
        .as_array()
        .expect("events")
        .iter()
        .enumerate()
    {
        let id = e["id"].as_u64().expect("id");
        if id != i as u64 {
            fail(format!(
                "event {i} has id {id}: events must be dense and ordered"
            ));
        }
        let mut category = "EC_UNKNOWN".to_string();
        let mut source = None;
        for t in tokens(e["category"].as_str().unwrap_or("")) {
            if SOURCES.iter().any(|s| s.0 == t) {
                source = Some(t);
            } else if CATEGORIES.iter().any(|c| c.0 == t) {
                category = t;
            } else {
                fail(format!("event {id}: unknown category token {t}"));
            }
        }
        let mut flags = Vec::new();
        for t in tokens(e["flags"].as_str().unwrap_or("")) {
            if t == "EF_NONE" {
                continue;
            }
            if !EVENT_FLAGS.contains(&t.as_str()) {
                fail(format!("event {id}: unknown flag {t}"));
            }
            flags.push(t);
        }
        let mut params = Vec::new();
        for p in e["params"].as_array().expect("params") {
            let ty = p["type"].as_str().expect("type").to_string();
            if !type_names.contains(ty.as_str()) {
                fail(format!("event {id}: unknown parameter type {ty}"));
            }
            let format = p["format"].as_str().unwrap_or("PF_NA").to_string();
            if !FORMATS.iter().any(|f| f.0 == format) {
                fail(format!("event {id}: unknown format {format}"));
            }
            params.push(Param {
                name: p["name"].as_str().expect("name").to_string(),
                ty,
                format,
                table: p["table"].as_str().map(str::to_string),
            });
        }
        events.push(Event {
            id,
            code: e["code"].as_str().expect("code").to_string(),
            name: e["name"].as_str().expect("name").to_string(),
            category,
            source,
            flags,
            params,
        });
    }

    // ---- tables: classify by how parameters use them ----
    let tables = root["tables"].as_object().expect("tables");
    let mut usage: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for e in &events {
        for p in &e.params {
            if let Some(t) = &p.table {
                if !tables.contains_key(t) {
                    fail(format!("event {}: unknown table {t}", e.id));
                }
                usage.entry(t.clone()).or_default().insert(p.ty.clone());
            }
        }
    }
    let kind_of = |name: &str| -> TableKind {
        match usage.get(name) {
            None => {
                if name.ends_with("_flags") {
                    TableKind::Flags
                } else {
                    TableKind::Unused
                }
            }
            Some(tys) => {
                if tys.iter().all(|t| t == "PT_DYN") {
                    TableKind::Dyn
                } else if tys.iter().all(|t| t.starts_with("PT_ENUMFLAGS")) {
                    TableKind::Enum
                } else if tys
                    .iter()
                    .all(|t| t.starts_with("PT_FLAGS") || t == "PT_MODE")
                {
                    TableKind::Flags
                } else {
                    fail(format!("table {name} used with mixed types {tys:?}"))
                }
            }
        }
    };

    let mut rs = String::new();
    let mut h = String::new();
    writeln!(
        rs,
        "// @generated by schema/build.rs from event-schema.json. Do not edit."
    )
    .unwrap();
    writeln!(
        h,
        "/* @generated by schema/build.rs from event-schema.json. Do not edit. */"
    )
    .unwrap();
    writeln!(h, "#ifndef __PPM_SCHEMA_H__\n#define __PPM_SCHEMA_H__\n").unwrap();
    writeln!(h, "#define PPM_EVENT_MAX {}", events.len()).unwrap();
    writeln!(h, "#define PPM_HEADER_LEN {HEADER_LEN}\n").unwrap();

    // ParamType enum
    writeln!(
        rs,
        "/// The type of an event parameter, as the schema names it (`PT_*`)."
    )
    .unwrap();
    writeln!(rs, "#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]\n#[non_exhaustive]\npub enum ParamType {{").unwrap();
    for (name, _, doc) in PARAM_TYPES {
        writeln!(rs, "    /// `{name}`: {doc}\n    {},", type_variant(name)).unwrap();
    }
    writeln!(rs, "}}\n\nimpl ParamType {{").unwrap();
    writeln!(
        rs,
        "    /// Size in bytes of a value of this type, or `None` if it varies."
    )
    .unwrap();
    writeln!(
        rs,
        "    pub const fn fixed_size(self) -> Option<usize> {{\n        match self {{"
    )
    .unwrap();
    for (name, size, _) in PARAM_TYPES {
        let s = match size {
            Some(n) => format!("Some({n})"),
            None => "None".to_string(),
        };
        writeln!(rs, "            ParamType::{} => {s},", type_variant(name)).unwrap();
    }
    writeln!(rs, "        }}\n    }}\n").unwrap();
    writeln!(rs, "    /// The schema's name of this type (`PT_...`).").unwrap();
    writeln!(
        rs,
        "    pub const fn schema_name(self) -> &'static str {{\n        match self {{"
    )
    .unwrap();
    for (name, _, _) in PARAM_TYPES {
        writeln!(
            rs,
            "            ParamType::{} => \"{name}\",",
            type_variant(name)
        )
        .unwrap();
    }
    writeln!(rs, "        }}\n    }}\n}}\n").unwrap();

    // Category / Source / PrintFormat enums
    writeln!(
        rs,
        "/// What an event is about (the category part of the schema's `EC_*` value)."
    )
    .unwrap();
    writeln!(
        rs,
        "#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]\npub enum Category {{"
    )
    .unwrap();
    for (c, v) in CATEGORIES {
        writeln!(rs, "    /// `{c}`\n    {v},").unwrap();
    }
    writeln!(rs, "}}\n").unwrap();
    writeln!(
        rs,
        "/// Where an event comes from (the source part of the schema's `EC_*` value)."
    )
    .unwrap();
    writeln!(
        rs,
        "#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]\npub enum Source {{"
    )
    .unwrap();
    writeln!(rs, "    /// No source given.\n    None,").unwrap();
    for (c, v) in SOURCES {
        writeln!(rs, "    /// `{c}`\n    {v},").unwrap();
    }
    writeln!(rs, "}}\n").unwrap();
    writeln!(rs, "/// How a parameter is meant to be printed (`PF_*`).").unwrap();
    writeln!(
        rs,
        "#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]\npub enum PrintFormat {{"
    )
    .unwrap();
    for (c, v) in FORMATS {
        writeln!(rs, "    /// `{c}`\n    {v},").unwrap();
    }
    writeln!(rs, "}}\n").unwrap();

    // EventFlags
    writeln!(rs, "bitflags::bitflags! {{").unwrap();
    writeln!(rs, "    /// Event flags (`EF_*`).").unwrap();
    writeln!(
        rs,
        "    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]\n    pub struct EventFlags: u32 {{"
    )
    .unwrap();
    for (i, f) in EVENT_FLAGS.iter().enumerate() {
        writeln!(
            rs,
            "        /// `{f}`\n        const {} = 1 << {i};",
            f.trim_start_matches("EF_")
        )
        .unwrap();
    }
    writeln!(rs, "    }}\n}}\n").unwrap();

    // SyscallFlags
    writeln!(rs, "bitflags::bitflags! {{").unwrap();
    writeln!(rs, "    /// Syscall table flags (`UF_*`).").unwrap();
    writeln!(rs, "    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]\n    pub struct SyscallFlags: u8 {{").unwrap();
    for (f, v) in SYSCALL_FLAGS.iter().filter(|f| f.1 != 0) {
        writeln!(
            rs,
            "        /// `{f}`\n        const {} = {v};",
            f.trim_start_matches("UF_")
        )
        .unwrap();
    }
    writeln!(rs, "    }}\n}}\n").unwrap();

    // ---- value tables ----
    let mut table_names: Vec<&String> = tables.keys().collect();
    table_names.sort();
    writeln!(rs, "/// Identifies one of the schema's value tables.").unwrap();
    writeln!(
        rs,
        "#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]\npub enum TableId {{"
    )
    .unwrap();
    for t in &table_names {
        writeln!(rs, "    /// `{t}`\n    {},", camel(t)).unwrap();
    }
    writeln!(rs, "}}\n").unwrap();

    let mut flag_types = Vec::new();
    let mut enum_types = Vec::new();
    writeln!(
        rs,
        "/// The value tables (flags, enumerations, dynamic-parameter alternatives)."
    )
    .unwrap();
    writeln!(rs, "pub mod tables {{\n    use super::*;").unwrap();
    for t in &table_names {
        // A name may repeat within a table (prctl_options lists PR_MCE_KILL twice):
        // keep its first occurrence.
        let mut seen = BTreeSet::new();
        let vals: Vec<Value> = tables[t.as_str()]
            .as_array()
            .expect("table array")
            .iter()
            .filter(|v| match v.as_array() {
                Some(pair) => seen.insert(pair[0].as_str().unwrap_or("").to_string()),
                None => true,
            })
            .cloned()
            .collect();
        let kind = kind_of(t);
        let kind_s = match kind {
            TableKind::Flags => "Flags",
            TableKind::Enum => "Enum",
            TableKind::Dyn => "Dyn",
            TableKind::Unused => "Enum",
        };
        let upper = t.to_ascii_uppercase();
        let mut values = String::new();
        let mut dyns = String::new();
        for v in &vals {
            if let Some(pair) = v.as_array() {
                let n = pair[0].as_str().expect("table name");
                let x = pair[1].as_u64().expect("table value");
                write!(values, "(\"{n}\", {x}), ").unwrap();
                writeln!(h, "#define PPM_{upper}_{n} {x}U").unwrap();
            } else {
                let idx = v["index"].as_u64().expect("dyn index");
                let iname = v["index_name"].as_str().expect("dyn index_name");
                let ty = v["type"].as_str().expect("dyn type");
                let fmt = v["format"].as_str().expect("dyn format");
                let fmtv = FORMATS
                    .iter()
                    .find(|f| f.0 == fmt)
                    .map(|f| f.1)
                    .unwrap_or_else(|| fail(format!("format {fmt}")));
                write!(
                    dyns,
                    "DynAlternative {{ index: {idx}, name: \"{iname}\", ty: ParamType::{}, format: PrintFormat::{fmtv} }}, ",
                    type_variant(ty)
                )
                .unwrap();
                writeln!(h, "#define PPM_{upper}_{iname} {idx}U").unwrap();
            }
        }
        writeln!(
            rs,
            "    /// The `{t}` table.\n    pub static {upper}: ValueTable = ValueTable {{ id: TableId::{}, name: \"{t}\", kind: TableKind::{kind_s}, values: &[{values}], dyn_alternatives: &[{dyns}] }};",
            camel(t)
        )
        .unwrap();
        match kind {
            TableKind::Flags => flag_types.push((t.to_string(), vals.clone())),
            TableKind::Enum | TableKind::Unused => enum_types.push((t.to_string(), vals.clone())),
            TableKind::Dyn => {}
        }
    }
    writeln!(rs, "    /// Every table, sorted by name.").unwrap();
    write!(rs, "    pub static ALL: &[&ValueTable] = &[").unwrap();
    for t in &table_names {
        write!(rs, "&{}, ", t.to_ascii_uppercase()).unwrap();
    }
    writeln!(rs, "];\n}}\n").unwrap();
    writeln!(rs, "impl TableId {{\n    /// The table itself.\n    pub fn table(self) -> &'static ValueTable {{\n        match self {{").unwrap();
    for t in &table_names {
        writeln!(
            rs,
            "            TableId::{} => &tables::{},",
            camel(t),
            t.to_ascii_uppercase()
        )
        .unwrap();
    }
    writeln!(rs, "        }}\n    }}\n}}\n").unwrap();

    // Typed flags (bitflags) and typed enums
    writeln!(
        rs,
        "/// Typed flag sets, one `bitflags` type per flag table of the schema."
    )
    .unwrap();
    writeln!(rs, "pub mod flags {{").unwrap();
    for (t, vals) in &flag_types {
        writeln!(rs, "    bitflags::bitflags! {{").unwrap();
        writeln!(
            rs,
            "        /// Flags of the schema's `{t}` table (schema values, not the kernel's)."
        )
        .unwrap();
        writeln!(rs, "        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]\n        pub struct {}: u32 {{", camel(t)).unwrap();
        for v in vals {
            let pair = v.as_array().expect("pair");
            let n = pair[0].as_str().unwrap();
            writeln!(rs, "            /// `{n}`\n            #[allow(non_upper_case_globals)]\n            const {n} = {};", pair[1]).unwrap();
        }
        writeln!(rs, "        }}\n    }}").unwrap();
    }
    writeln!(rs, "}}\n").unwrap();
    writeln!(
        rs,
        "/// Typed enumerations, one newtype per enumeration table of the schema."
    )
    .unwrap();
    writeln!(rs, "pub mod enums {{").unwrap();
    for (t, vals) in &enum_types {
        let ty = camel(t);
        writeln!(
            rs,
            "    /// A value of the schema's `{t}` table (schema values, not the kernel's)."
        )
        .unwrap();
        writeln!(
            rs,
            "    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]\n    pub struct {ty}(pub u32);"
        )
        .unwrap();
        writeln!(rs, "    #[allow(non_upper_case_globals)]\n    impl {ty} {{").unwrap();
        for v in vals {
            let pair = v.as_array().expect("pair");
            let n = pair[0].as_str().unwrap();
            writeln!(
                rs,
                "        /// `{n}`\n        pub const {n}: Self = Self({});",
                pair[1]
            )
            .unwrap();
        }
        writeln!(
            rs,
            "        /// The name of this value in the table, if it has one.\n        pub fn name(self) -> Option<&'static str> {{ super::tables::{}.name_of(self.0) }}\n    }}",
            t.to_ascii_uppercase()
        )
        .unwrap();
    }
    writeln!(rs, "}}\n").unwrap();
    writeln!(
        rs,
        "/// A flag or enumeration value decoded into its table's own Rust type."
    )
    .unwrap();
    writeln!(
        rs,
        "#[derive(Clone, Copy, Debug, PartialEq, Eq)]\n#[non_exhaustive]\npub enum TypedValue {{"
    )
    .unwrap();
    for (t, _) in &flag_types {
        writeln!(
            rs,
            "    /// From the `{t}` table.\n    {0}(flags::{0}),",
            camel(t)
        )
        .unwrap();
    }
    for (t, _) in &enum_types {
        writeln!(
            rs,
            "    /// From the `{t}` table.\n    {0}(enums::{0}),",
            camel(t)
        )
        .unwrap();
    }
    writeln!(rs, "}}\n").unwrap();
    writeln!(rs, "impl TableId {{\n    /// Wraps a raw value in this table's typed flags or enumeration (`None` for dynamic-parameter tables).").unwrap();
    writeln!(
        rs,
        "    pub fn typed(self, raw: u32) -> Option<TypedValue> {{\n        match self {{"
    )
    .unwrap();
    for (t, _) in &flag_types {
        writeln!(
            rs,
            "            TableId::{0} => Some(TypedValue::{0}(flags::{0}::from_bits_retain(raw))),",
            camel(t)
        )
        .unwrap();
    }
    for (t, _) in &enum_types {
        writeln!(
            rs,
            "            TableId::{0} => Some(TypedValue::{0}(enums::{0}(raw))),",
            camel(t)
        )
        .unwrap();
    }
    writeln!(rs, "            _ => None,\n        }}\n    }}\n}}\n").unwrap();

    // ---- event codes and event table ----
    writeln!(rs, "/// Event type codes (`PPME_*`), as `u16` constants.").unwrap();
    writeln!(rs, "pub mod codes {{").unwrap();
    for e in &events {
        writeln!(
            rs,
            "    /// `{}` ({}).\n    pub const {}: u16 = {};",
            e.code, e.name, e.code, e.id
        )
        .unwrap();
    }
    writeln!(rs, "}}\n").unwrap();

    writeln!(h, "\n/* event codes, parameter counts and (for events whose parameters are all fixed-size) total sizes */").unwrap();
    writeln!(
        rs,
        "pub(crate) static EVENTS: [EventInfo; {}] = [",
        events.len()
    )
    .unwrap();
    for e in &events {
        let cat = CATEGORIES.iter().find(|c| c.0 == e.category).unwrap().1;
        let src = e
            .source
            .as_ref()
            .map(|s| SOURCES.iter().find(|x| x.0 == s).unwrap().1)
            .unwrap_or("None");
        let flags = if e.flags.is_empty() {
            "EventFlags::empty()".to_string()
        } else {
            e.flags
                .iter()
                .map(|f| format!("EventFlags::{}", f.trim_start_matches("EF_")))
                .collect::<Vec<_>>()
                .join(".union(")
                + &")".repeat(e.flags.len() - 1)
        };
        let mut ps = String::new();
        for p in &e.params {
            let fmt = FORMATS.iter().find(|f| f.0 == p.format).unwrap().1;
            let table = match &p.table {
                Some(t) => format!("Some(&tables::{})", t.to_ascii_uppercase()),
                None => "None".to_string(),
            };
            write!(
                ps,
                "ParamInfo {{ name: \"{}\", ty: ParamType::{}, format: PrintFormat::{fmt}, table: {table} }}, ",
                p.name,
                type_variant(&p.ty)
            )
            .unwrap();
        }
        let large = e.flags.iter().any(|f| f == "EF_LARGE_PAYLOAD");
        let len_size = if large { 4 } else { 2 };
        let fixed: Option<usize> = e
            .params
            .iter()
            .map(|p| size_of(&p.ty))
            .sum::<Option<usize>>()
            .map(|s| HEADER_LEN + len_size * e.params.len() + s);
        let fixed_s = match fixed {
            Some(n) => format!("Some({n})"),
            None => "None".into(),
        };
        writeln!(
            rs,
            "    EventInfo {{ code: {}, ident: \"{}\", name: \"{}\", category: Category::{cat}, source: Source::{src}, flags: {flags}, params: &[{ps}], fixed_size: {fixed_s} }},",
            e.id, e.code, e.name
        )
        .unwrap();
        writeln!(h, "#define {} {}", e.code, e.id).unwrap();
        writeln!(h, "#define {}_NPARAMS {}", e.code, e.params.len()).unwrap();
        if let Some(n) = fixed {
            writeln!(h, "#define {}_SIZE {n}", e.code).unwrap();
        }
    }
    writeln!(rs, "];\n").unwrap();

    // ---- ppm_sc codes ----
    let sc = root["ppm_sc"].as_object().expect("ppm_sc");
    let mut sc_sorted: Vec<(u64, &String)> =
        sc.iter().map(|(k, v)| (v.as_u64().unwrap(), k)).collect();
    sc_sorted.sort();
    writeln!(
        rs,
        "/// PPM_SC codes: (code, lower-case name), sorted by code."
    )
    .unwrap();
    write!(rs, "pub static PPM_SC: &[(u16, &str)] = &[").unwrap();
    writeln!(h, "\n/* PPM_SC codes */").unwrap();
    for (code, name) in &sc_sorted {
        write!(rs, "({code}, \"{name}\"), ").unwrap();
        writeln!(h, "#define PPM_SC_{} {code}", name.to_ascii_uppercase()).unwrap();
    }
    writeln!(rs, "];\n").unwrap();

    // ---- native syscall maps ----
    for (arch, ident) in [("x86_64", "X86_64"), ("aarch64", "AARCH64")] {
        let map = root["syscall_to_events"][arch]
            .as_object()
            .expect("syscall_to_events");
        let mut entries: Vec<(u64, &Value)> =
            map.iter().map(|(k, v)| (k.parse().unwrap(), v)).collect();
        entries.sort_by_key(|e| e.0);
        writeln!(
            rs,
            "/// Native {arch} syscall table, sorted by syscall number."
        )
        .unwrap();
        write!(rs, "pub static SYSCALLS_{ident}: &[SyscallEntry] = &[").unwrap();
        writeln!(h, "\n/* native {arch} syscall numbers */").unwrap();
        for (nr, v) in entries {
            let flags = v["flags_value"].as_u64().unwrap();
            writeln!(
                rs,
                "SyscallEntry {{ nr: {nr}, name: \"{}\", ppm_sc: {}, enter_event: {}, exit_event: {}, flags: SyscallFlags::from_bits_retain({flags}) }},",
                v["name"].as_str().unwrap(),
                v["ppm_sc"].as_u64().unwrap(),
                v["enter_event"].as_u64().unwrap(),
                v["exit_event"].as_u64().unwrap()
            )
            .unwrap();
            writeln!(h, "#define NR_{ident}_{} {nr}", v["name"].as_str().unwrap()).unwrap();
        }
        writeln!(rs, "];\n").unwrap();
    }
    writeln!(h, "\n#endif /* __PPM_SCHEMA_H__ */").unwrap();

    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    std::fs::write(out.join("schema.rs"), rs).unwrap();
    let inc = out.join("include");
    std::fs::create_dir_all(&inc).unwrap();
    std::fs::write(inc.join("ppm_schema.h"), h).unwrap();
    println!("cargo:include={}", inc.display());
}
