//! Falco's event schema as data: event codes, parameter names and types, flag and
//! enumeration tables, PPM_SC codes and the native syscall maps of x86_64 and aarch64.
//!
//! Everything here is generated at build time from `event-schema.json` (schema 4.5.1,
//! falcosecurity/libs `48dfd53`). The same build script writes `ppm_schema.h` for the
//! BPF probe, so the probe and the Rust decoder cannot disagree on a code or a size.
//!
//! ```
//! use scap_schema::{codes, event_info, ParamType};
//! let open = event_info(codes::PPME_SYSCALL_OPENAT_2_X).unwrap();
//! assert_eq!(open.name, "openat");
//! assert_eq!(open.params[0].name, "fd");
//! assert_eq!(open.params[0].ty, ParamType::Fd);
//! ```

include!(concat!(env!("OUT_DIR"), "/schema.rs"));

/// Length of the event header on the wire: ts(8) tid(8) len(4) type(2) nparams(4).
pub const HEADER_LEN: usize = 26;

/// Largest event the probe emits or a reader accepts, header included.
pub const MAX_EVENT_SIZE: usize = 64 * 1024;

/// Description of one event type.
#[derive(Debug)]
pub struct EventInfo {
    /// The event type code (`PPME_*` value).
    pub code: u16,
    /// The `PPME_*` identifier.
    pub ident: &'static str,
    /// The event's name, shared by its enter and exit codes (e.g. `openat`).
    pub name: &'static str,
    /// What the event is about.
    pub category: Category,
    /// Where the event comes from.
    pub source: Source,
    /// Event flags.
    pub flags: EventFlags,
    /// Parameters in wire order.
    pub params: &'static [ParamInfo],
    /// Total size in bytes when every parameter has a fixed size.
    pub fixed_size: Option<usize>,
}

impl EventInfo {
    /// Even codes are enter events, odd codes exit events.
    pub fn is_enter(&self) -> bool {
        self.code & 1 == 0
    }

    /// Parameter lengths are u32 instead of u16 for these events.
    pub fn is_large_payload(&self) -> bool {
        self.flags.contains(EventFlags::LARGE_PAYLOAD)
    }

    /// Kept only to read old captures.
    pub fn is_old_version(&self) -> bool {
        self.flags.contains(EventFlags::OLD_VERSION)
    }

    /// A placeholder code that no producer emits.
    pub fn is_unused(&self) -> bool {
        self.flags.contains(EventFlags::UNUSED)
    }

    /// Size of one entry of the parameter-length array.
    pub fn param_len_size(&self) -> usize {
        if self.is_large_payload() {
            4
        } else {
            2
        }
    }

    /// Index of the parameter called `name`.
    pub fn param_index(&self, name: &str) -> Option<usize> {
        self.params.iter().position(|p| p.name == name)
    }
}

/// Description of one event parameter.
#[derive(Debug)]
pub struct ParamInfo {
    /// Parameter name (e.g. `fd`, `name`, `flags`).
    pub name: &'static str,
    /// Wire type.
    pub ty: ParamType,
    /// Print format.
    pub format: PrintFormat,
    /// Value table for flags, enumerations and dynamic parameters.
    pub table: Option<&'static ValueTable>,
}

/// What kind of values a [`ValueTable`] holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableKind {
    /// Bit flags: a value is a set of the table's entries.
    Flags,
    /// An enumeration: a value is one entry.
    Enum,
    /// The alternatives of a dynamic (`PT_DYN`) parameter.
    Dyn,
}

/// One alternative type of a dynamic parameter.
#[derive(Debug, PartialEq)]
pub struct DynAlternative {
    /// Selector byte on the wire.
    pub index: u8,
    /// The selector's name (`PPM_..._IDX_...`).
    pub name: &'static str,
    /// The value's type.
    pub ty: ParamType,
    /// The value's print format.
    pub format: PrintFormat,
}

/// A flag, enumeration or dynamic-parameter table of the schema.
#[derive(Debug, PartialEq)]
pub struct ValueTable {
    /// Which table this is.
    pub id: TableId,
    /// The table's name in the schema (e.g. `file_flags`).
    pub name: &'static str,
    /// Flags, enumeration or dynamic alternatives.
    pub kind: TableKind,
    /// `(name, value)` pairs in the schema's order (empty for dynamic tables).
    pub values: &'static [(&'static str, u32)],
    /// Alternatives of a dynamic parameter (empty otherwise).
    pub dyn_alternatives: &'static [DynAlternative],
}

impl ValueTable {
    /// The first name whose value is exactly `value`.
    pub fn name_of(&self, value: u32) -> Option<&'static str> {
        self.values
            .iter()
            .find(|(_, v)| *v == value)
            .map(|(n, _)| *n)
    }

    /// The value called `name`.
    pub fn value_of(&self, name: &str) -> Option<u32> {
        self.values
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
    }

    /// For flag tables: the names of the single-bit entries set in `value`, in table order.
    pub fn flag_names(&self, value: u32) -> impl Iterator<Item = &'static str> + '_ {
        self.values
            .iter()
            .filter(move |(_, v)| *v != 0 && v.is_power_of_two() && value & v == *v)
            .map(|(n, _)| *n)
    }

    /// For dynamic tables: the alternative selected by `index`.
    pub fn dyn_alternative(&self, index: u8) -> Option<&'static DynAlternative> {
        self.dyn_alternatives.iter().find(|a| a.index == index)
    }
}

/// One row of a native syscall table.
#[derive(Debug)]
pub struct SyscallEntry {
    /// Native syscall number.
    pub nr: u16,
    /// Native name.
    pub name: &'static str,
    /// PPM_SC code.
    pub ppm_sc: u16,
    /// Enter event code (0 when the syscall has no dedicated event).
    pub enter_event: u16,
    /// Exit event code (0 when the syscall has no dedicated event: it is then
    /// reported as the generic event).
    pub exit_event: u16,
    /// `UF_*` flags.
    pub flags: SyscallFlags,
}

/// Architectures with a native syscall map in the schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arch {
    /// x86_64.
    X86_64,
    /// aarch64 (arm64).
    Aarch64,
}

impl Arch {
    /// The architecture this library was compiled for, if the schema knows it.
    pub const fn native() -> Option<Arch> {
        if cfg!(target_arch = "x86_64") {
            Some(Arch::X86_64)
        } else if cfg!(target_arch = "aarch64") {
            Some(Arch::Aarch64)
        } else {
            None
        }
    }

    /// The native syscall table of this architecture, sorted by number.
    pub fn syscalls(self) -> &'static [SyscallEntry] {
        match self {
            Arch::X86_64 => SYSCALLS_X86_64,
            Arch::Aarch64 => SYSCALLS_AARCH64,
        }
    }

    /// The entry of native syscall `nr`.
    pub fn syscall(self, nr: u16) -> Option<&'static SyscallEntry> {
        let t = self.syscalls();
        t.binary_search_by_key(&nr, |e| e.nr).ok().map(|i| &t[i])
    }

    /// The entry of the native syscall called `name`.
    pub fn syscall_by_name(self, name: &str) -> Option<&'static SyscallEntry> {
        self.syscalls().iter().find(|e| e.name == name)
    }
}

/// All event types, indexed by code.
pub fn events() -> &'static [EventInfo] {
    &EVENTS
}

/// The description of event type `code`.
pub fn event_info(code: u16) -> Option<&'static EventInfo> {
    EVENTS.get(code as usize)
}

/// The name of PPM_SC code `code`.
pub fn ppm_sc_name(code: u16) -> Option<&'static str> {
    PPM_SC
        .binary_search_by_key(&code, |e| e.0)
        .ok()
        .map(|i| PPM_SC[i].1)
}

/// The PPM_SC code called `name`.
pub fn ppm_sc_code(name: &str) -> Option<u16> {
    PPM_SC.iter().find(|e| e.1 == name).map(|e| e.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_table_is_dense_and_matches_codes() {
        assert_eq!(events().len(), 454);
        for (i, e) in events().iter().enumerate() {
            assert_eq!(e.code as usize, i);
        }
        assert_eq!(codes::PPME_SYSCALL_EXECVE_19_X, 293);
        assert_eq!(event_info(293).unwrap().params.len(), 31);
    }

    #[test]
    fn fixed_sizes_follow_the_wire_format() {
        // generic: header + 2 u16 lengths + u16 id + u16 native id
        assert_eq!(
            event_info(codes::PPME_GENERIC_X).unwrap().fixed_size,
            Some(26 + 4 + 4)
        );
        // procexit: 2 errno + sigtype + u8 + pid
        assert_eq!(
            event_info(codes::PPME_PROCEXIT_1_E).unwrap().fixed_size,
            Some(26 + 10 + 8 + 8 + 1 + 1 + 8)
        );
        assert_eq!(
            event_info(codes::PPME_SYSCALL_OPEN_X).unwrap().fixed_size,
            None
        );
    }

    #[test]
    fn tables_are_typed() {
        let flags = event_info(codes::PPME_SYSCALL_OPENAT_2_X).unwrap().params[3]
            .table
            .unwrap();
        assert_eq!(flags.name, "file_flags");
        assert_eq!(flags.kind, TableKind::Flags);
        match flags.id.typed(4 | 2) {
            Some(TypedValue::FileFlags(f)) => {
                assert!(f.contains(flags::FileFlags::O_CREAT | flags::FileFlags::O_WRONLY))
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(enums::SocketFamilies(10).name(), Some("AF_INET6"));
        let names: Vec<_> = tables::FILE_FLAGS.flag_names(4 | 1024).collect();
        assert_eq!(names, ["O_DIRECTORY", "O_CREAT"]);
    }

    #[test]
    fn syscall_maps() {
        let e = Arch::X86_64.syscall(257).unwrap();
        assert_eq!(e.name, "openat");
        assert_eq!(e.exit_event, codes::PPME_SYSCALL_OPENAT_2_X);
        assert_eq!(Arch::Aarch64.syscall_by_name("openat").unwrap().nr, 56);
        assert_eq!(
            ppm_sc_name(ppm_sc_code("getppid").unwrap()),
            Some("getppid")
        );
    }
}
