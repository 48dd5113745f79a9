//! `fs.path.*`: the path a path-taking syscall acts on, with or without an fd.

use super::{FieldDef, Value};
use crate::inspector::SinspEvent;
use crate::state::{join_path, normalize_path};

/// The parameter holding the path, and the one holding its directory fd.
fn names(e: &SinspEvent<'_>, which: Which) -> Option<(&'static str, Option<&'static str>)> {
    let info = e.raw.info()?;
    let has = |n: &str| info.param_index(n).is_some();
    Some(match which {
        Which::Name => {
            if has("name") && !has("newpath") {
                ("name", has("dirfd").then_some("dirfd"))
            } else if has("path") {
                ("path", has("dirfd").then_some("dirfd"))
            } else if has("pathname") {
                ("pathname", has("dirfd").then_some("dirfd"))
            } else if has("filename") && info.name != "execve" {
                ("filename", has("dirfd").then_some("dirfd"))
            } else {
                return None;
            }
        }
        Which::Source => {
            if has("oldpath") {
                (
                    "oldpath",
                    ["olddirfd", "olddir"].into_iter().find(|n| has(n)),
                )
            } else if has("target") {
                ("target", None)
            } else {
                return None;
            }
        }
        Which::Target => {
            if has("newpath") {
                (
                    "newpath",
                    ["newdirfd", "newdir"].into_iter().find(|n| has(n)),
                )
            } else if has("linkpath") {
                ("linkpath", has("linkdirfd").then_some("linkdirfd"))
            } else {
                return None;
            }
        }
    })
}

#[derive(Clone, Copy)]
enum Which {
    Name,
    Source,
    Target,
}

fn raw<'a>(e: &SinspEvent<'a>, which: Which) -> Option<&'a [u8]> {
    let (name, _) = names(e, which)?;
    let p = e.raw.param_by_name(name).ok()?;
    let v = p.value().ok()?.as_bytes()?;
    (!v.is_empty()).then_some(v)
}

fn absolute(e: &SinspEvent<'_>, which: Which) -> Option<String> {
    let (_, dirfd) = names(e, which)?;
    let path = String::from_utf8_lossy(raw(e, which)?).into_owned();
    if path.starts_with('/') {
        return Some(normalize_path(&path));
    }
    let p = e.process?;
    let dir = dirfd
        .and_then(|d| e.raw.param_by_name(d).ok()?.value().ok()?.as_i64())
        .filter(|d| *d != -100);
    Some(match dir {
        Some(d) => join_path(&p.fds.get(d)?.name, &path),
        None => join_path(&p.cwd, &path),
    })
}

fn lossy(b: &[u8]) -> Value<'_> {
    Value::Str(String::from_utf8_lossy(b))
}

pub(super) static FIELDS: &[FieldDef] = &[
    field!("fs.path.name", String, "The path a path-taking syscall acts on (open, creat, mkdir, unlink, ...), made absolute with the cwd or the dirfd.", |e, _| absolute(e, Which::Name).map(Value::string)),
    field!("fs.path.nameraw", String, "That path exactly as the syscall received it.", |e, _| raw(e, Which::Name).map(lossy)),
    field!("fs.path.source", String, "For two-path syscalls (rename, link, symlink), the source path, made absolute.", |e, _| absolute(e, Which::Source).map(Value::string)),
    field!("fs.path.sourceraw", String, "The source path as received.", |e, _| raw(e, Which::Source).map(lossy)),
    field!("fs.path.target", String, "For two-path syscalls, the target path, made absolute.", |e, _| absolute(e, Which::Target).map(Value::string)),
    field!("fs.path.targetraw", String, "The target path as received.", |e, _| raw(e, Which::Target).map(lossy)),
];
