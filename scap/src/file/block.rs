//! Block type ids and their classification, including the legacy
//! `0x80xxABCD` pre-release ids that libscap still accepts.

/// Section header block.
pub const SHB: u32 = 0x0A0D_0D0A;
/// The SHB magic number (byte-order detection).
pub const SHB_MAGIC: u32 = 0x1A2B_3C4D;
/// Major version written and the highest one read.
pub const CURRENT_MAJOR: u16 = 1;
/// Minor version written.
pub const CURRENT_MINOR: u16 = 2;

/// Machine info.
pub const MI: u32 = 0x201;
/// Machine info, pre-release id.
pub const MI_LEGACY: u32 = 0x8002_ABCD;

/// Process list, version 1.
pub const PL_V1: u32 = 0x202;
/// Process list, version 1, pre-release id.
pub const PL_V1_LEGACY: u32 = 0x8000_ABCD;
/// Process list, version 2.
pub const PL_V2: u32 = 0x207;
/// Process list, version 2, pre-release id.
pub const PL_V2_LEGACY: u32 = 0x8013_ABCD;
/// Process list, version 3.
pub const PL_V3: u32 = 0x209;
/// Process list, version 3, pre-release id.
pub const PL_V3_LEGACY: u32 = 0x8014_ABCD;
/// Process list, version 4.
pub const PL_V4: u32 = 0x210;
/// Process list, version 5.
pub const PL_V5: u32 = 0x211;
/// Process list, version 6.
pub const PL_V6: u32 = 0x212;
/// Process list, version 7.
pub const PL_V7: u32 = 0x213;
/// Process list, version 8.
pub const PL_V8: u32 = 0x214;
/// Process list, version 9 (current).
pub const PL_V9: u32 = 0x215;

/// FD list, version 1.
pub const FDL_V1: u32 = 0x203;
/// FD list, version 1, pre-release id.
pub const FDL_V1_LEGACY: u32 = 0x8001_ABCD;
/// FD list, version 2 (current).
pub const FDL_V2: u32 = 0x218;

/// Event, version 1 (22-byte header without nparams).
pub const EV_V1: u32 = 0x204;
/// Event, version 1, pre-release id.
pub const EV_V1_LEGACY: u32 = 0x8010_ABCD;
/// Event, version 2 (current).
pub const EV_V2: u32 = 0x216;
/// Event, version 2, large payload.
pub const EV_V2_LARGE: u32 = 0x221;
/// Event with dump flags, version 1.
pub const EVF_V1: u32 = 0x208;
/// Event with dump flags, version 2.
pub const EVF_V2: u32 = 0x217;
/// Event with dump flags, version 2, large payload.
pub const EVF_V2_LARGE: u32 = 0x222;

/// Interface list, version 1.
pub const IL_V1: u32 = 0x205;
/// Interface list, version 1, pre-release id.
pub const IL_V1_LEGACY: u32 = 0x8011_ABCD;
/// Interface list, version 2 (current).
pub const IL_V2: u32 = 0x219;

/// User list, version 1.
pub const UL_V1: u32 = 0x206;
/// User list, version 1, pre-release id.
pub const UL_V1_LEGACY: u32 = 0x8012_ABCD;
/// User list, version 2 (current).
pub const UL_V2: u32 = 0x220;

/// What a block id means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockKind {
    /// Section header.
    SectionHeader,
    /// Machine info.
    MachineInfo,
    /// Process list of the given version (1..=9).
    ProcessList(u8),
    /// FD list of the given version (1 or 2).
    FdList(u8),
    /// Interface list of the given version (1 or 2).
    InterfaceList(u8),
    /// User list of the given version (1 or 2).
    UserList(u8),
    /// An event block.
    Event(EventBlock),
    /// Anything else: skipped by length.
    Unknown,
}

/// The layout of an event block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventBlock {
    /// 1 (no `nparams` in the event header) or 2.
    pub version: u8,
    /// A `u32` of dump flags follows the cpu id.
    pub has_flags: bool,
    /// The large-payload variant (no 64 KiB limit).
    pub large: bool,
}

impl BlockKind {
    /// Classifies a block id.
    #[inline]
    pub fn of(block_type: u32) -> BlockKind {
        // Nearly every block of a capture is a current event block.
        if block_type == EV_V2 {
            return BlockKind::Event(EventBlock {
                version: 2,
                has_flags: false,
                large: false,
            });
        }
        let ev = |version, has_flags, large| {
            BlockKind::Event(EventBlock {
                version,
                has_flags,
                large,
            })
        };
        match block_type {
            SHB => BlockKind::SectionHeader,
            MI | MI_LEGACY => BlockKind::MachineInfo,
            PL_V1 | PL_V1_LEGACY => BlockKind::ProcessList(1),
            PL_V2 | PL_V2_LEGACY => BlockKind::ProcessList(2),
            PL_V3 | PL_V3_LEGACY => BlockKind::ProcessList(3),
            PL_V4 => BlockKind::ProcessList(4),
            PL_V5 => BlockKind::ProcessList(5),
            PL_V6 => BlockKind::ProcessList(6),
            PL_V7 => BlockKind::ProcessList(7),
            PL_V8 => BlockKind::ProcessList(8),
            PL_V9 => BlockKind::ProcessList(9),
            FDL_V1 | FDL_V1_LEGACY => BlockKind::FdList(1),
            FDL_V2 => BlockKind::FdList(2),
            IL_V1 | IL_V1_LEGACY => BlockKind::InterfaceList(1),
            IL_V2 => BlockKind::InterfaceList(2),
            UL_V1 | UL_V1_LEGACY => BlockKind::UserList(1),
            UL_V2 => BlockKind::UserList(2),
            EV_V1 | EV_V1_LEGACY => ev(1, false, false),
            EV_V2 => ev(2, false, false),
            EV_V2_LARGE => ev(2, false, true),
            EVF_V1 => ev(1, true, false),
            EVF_V2 => ev(2, true, false),
            EVF_V2_LARGE => ev(2, true, true),
            _ => BlockKind::Unknown,
        }
    }
}

/// A short human-readable name of a block id, for error messages.
pub fn block_name(block_type: u32) -> &'static str {
    match BlockKind::of(block_type) {
        BlockKind::SectionHeader => "section header",
        BlockKind::MachineInfo => "machine info",
        BlockKind::ProcessList(_) => "process list",
        BlockKind::FdList(_) => "fd list",
        BlockKind::InterfaceList(_) => "interface list",
        BlockKind::UserList(_) => "user list",
        BlockKind::Event(_) => "event",
        BlockKind::Unknown if block_type == 0 => "(header)",
        BlockKind::Unknown => "unknown",
    }
}
