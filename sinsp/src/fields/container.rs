//! `container.*`: the container a process runs in, from its cgroups. Names
//! and images need a runtime socket and are not provided.

use super::{FieldDef, Value};

pub(super) static FIELDS: &[FieldDef] = &[
    field!("container.id", String, "The container's 12-character id, or `host`.", |e, _| {
        Some(Value::str(e.process?.container.as_ref().map_or("host", |c| c.id())))
    }),
    field!("container.full_id", String, "The container's full 64-character id, or `host`.", |e, _| {
        Some(Value::str(e.process?.container.as_ref().map_or("host", |c| c.full_id.as_str())))
    }),
    field!("container.type", String, "The runtime: docker, containerd, cri-o, podman; absent for host processes.", |e, _| {
        Some(Value::str(e.process?.container.as_ref()?.kind.as_str()))
    }),
    field!("container.start_ts", Uint64, "When the container started, epoch ns: the start of its pid namespace's init (proc.pidns_init_start_ts).", |e, _| {
        let p = e.process?;
        p.container.as_ref()?;
        (p.pidns_init_start_ts != 0).then_some(Value::U64(p.pidns_init_start_ts))
    }),
    field!("container.duration", RelTime, "ns since container.start_ts.", |e, _| {
        let p = e.process?;
        p.container.as_ref()?;
        (p.pidns_init_start_ts != 0).then(|| Value::RelTime(e.raw.ts().saturating_sub(p.pidns_init_start_ts)))
    }),
];
