//! `user.*` and `group.*`: who the process runs as.

use super::{FieldDef, Value};

pub(super) static USER_FIELDS: &[FieldDef] = &[
    field!(
        "user.uid",
        Uint32,
        "Effective user id of the process.",
        |e, _| Some(Value::U64(u64::from(e.process?.uid)))
    ),
    field!(
        "user.name",
        String,
        "User name of user.uid (`root` for uid 0 even without an entry).",
        |e, _| {
            let uid = e.process?.uid;
            match e.state.users.user(uid) {
                Some(u) => Some(Value::str(&u.name)),
                None if uid == 0 => Some(Value::str("root")),
                None => None,
            }
        }
    ),
    field!(
        "user.homedir",
        String,
        "Home directory of the user.",
        |e, _| Some(Value::str(&e.state.users.user(e.process?.uid)?.homedir))
    ),
    field!("user.shell", String, "Login shell of the user.", |e, _| {
        Some(Value::str(&e.state.users.user(e.process?.uid)?.shell))
    }),
    field!(
        "user.loginuid",
        Int64,
        "Audit login uid; -1 when unset.",
        |e, _| {
            let l = e.process?.loginuid;
            Some(Value::I64(if l == u32::MAX { -1 } else { i64::from(l) }))
        }
    ),
    field!(
        "user.loginname",
        String,
        "User name of the login uid.",
        |e, _| {
            let l = e.process?.loginuid;
            if l == u32::MAX {
                return None;
            }
            match e.state.users.user(l) {
                Some(u) => Some(Value::str(&u.name)),
                None if l == 0 => Some(Value::str("root")),
                None => None,
            }
        }
    ),
];

pub(super) static GROUP_FIELDS: &[FieldDef] = &[
    field!(
        "group.gid",
        Uint32,
        "Effective group id of the process.",
        |e, _| Some(Value::U64(u64::from(e.process?.gid)))
    ),
    field!("group.name", String, "Group name of group.gid.", |e, _| {
        let gid = e.process?.gid;
        match e.state.users.group(gid) {
            Some(g) => Some(Value::str(&g.name)),
            None if gid == 0 => Some(Value::str("root")),
            None => None,
        }
    }),
];
