//! Containers, recognised from cgroup paths alone: no runtime socket needed.
//!
//! Each runtime names the cgroup of a container after its 64-hex id, in a
//! few shapes (systemd and cgroupfs drivers, cgroup v1 and v2):
//!
//! | runtime | shapes |
//! |---|---|
//! | docker | `/docker/<id>`, `/system.slice/docker-<id>.scope` |
//! | containerd / CRI | `/kubepods/.../<id>`, `.../cri-containerd-<id>.scope`, `/containerd/<id>` |
//! | cri-o | `.../crio-<id>.scope`, `/crio-<id>` (and `crio-conmon-<id>` for its monitor) |
//! | podman / libpod | `.../libpod-<id>.scope`, `/libpod-<id>`, `/machine.slice/libpod-<id>.scope/container` |
//!
//! A path matches when one of its components is such a name; the innermost
//! match wins (a container nested in a pod cgroup names itself last).

/// A container runtime recognised from a cgroup path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ContainerType {
    /// Docker.
    Docker,
    /// containerd, directly or through CRI (Kubernetes).
    Containerd,
    /// CRI-O.
    CriO,
    /// Podman / libpod.
    Podman,
}

impl ContainerType {
    /// The name libsinsp uses for `container.type`.
    pub fn as_str(self) -> &'static str {
        match self {
            ContainerType::Docker => "docker",
            ContainerType::Containerd => "containerd",
            ContainerType::CriO => "cri-o",
            ContainerType::Podman => "podman",
        }
    }
}

/// A container: its full id and runtime.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ContainerInfo {
    /// The full 64-hex id.
    pub full_id: String,
    /// The runtime.
    pub kind: ContainerType,
}

impl ContainerInfo {
    /// The 12-character short id (`container.id`).
    pub fn id(&self) -> &str {
        &self.full_id[..12.min(self.full_id.len())]
    }
}

fn is_hex64(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

/// Recognises one path component.
fn component(c: &str, parent: Option<&str>, kube: bool) -> Option<ContainerInfo> {
    let scoped = |prefix: &str| {
        c.strip_prefix(prefix)
            .map(|rest| rest.strip_suffix(".scope").unwrap_or(rest))
            .filter(|id| is_hex64(id))
    };
    let (id, kind) = if let Some(id) = scoped("docker-") {
        (id, ContainerType::Docker)
    } else if let Some(id) = scoped("cri-containerd-") {
        (id, ContainerType::Containerd)
    } else if let Some(id) = scoped("crio-conmon-") {
        (id, ContainerType::CriO)
    } else if let Some(id) = scoped("crio-") {
        (id, ContainerType::CriO)
    } else if let Some(id) = scoped("libpod-conmon-") {
        (id, ContainerType::Podman)
    } else if let Some(id) = scoped("libpod-") {
        (id, ContainerType::Podman)
    } else if is_hex64(c) {
        // A bare id: its parent or the hierarchy says which runtime.
        let kind = match parent {
            Some("docker") => ContainerType::Docker,
            Some("containerd") => ContainerType::Containerd,
            _ if kube => ContainerType::Containerd,
            _ => return None,
        };
        (c, kind)
    } else {
        return None;
    };
    Some(ContainerInfo {
        full_id: id.to_string(),
        kind,
    })
}

/// The container a cgroup path belongs to, if any.
pub fn from_cgroup_path(path: &str) -> Option<ContainerInfo> {
    let mut found = None;
    let mut parent: Option<&str> = None;
    let mut kube = false;
    for c in path.split('/').filter(|c| !c.is_empty()) {
        if c.starts_with("kubepods") {
            kube = true;
        }
        if let Some(info) = component(c, parent, kube) {
            found = Some(info);
        }
        parent = Some(c);
    }
    found
}

/// The container of a task from its `subsys=path` cgroup list (as the probe
/// and capture files give it): the first path that names one.
pub fn from_cgroups<'a>(cgroups: impl IntoIterator<Item = &'a str>) -> Option<ContainerInfo> {
    cgroups.into_iter().find_map(|entry| {
        let path = entry.split_once('=').map_or(entry, |(_, p)| p);
        from_cgroup_path(path)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "3f4c6a1b2d8e9f00112233445566778899aabbccddeeff001122334455667788";

    #[test]
    fn every_runtime_shape() {
        let cases = [
            (format!("/docker/{ID}"), ContainerType::Docker),
            (format!("/system.slice/docker-{ID}.scope"), ContainerType::Docker),
            (format!("/test.slice/docker-{ID}.scope"), ContainerType::Docker),
            (
                format!("/kubepods/besteffort/pod12345678-aaaa-bbbb-cccc-1234567890ab/{ID}"),
                ContainerType::Containerd,
            ),
            (
                format!("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1.slice/cri-containerd-{ID}.scope"),
                ContainerType::Containerd,
            ),
            (format!("/containerd/{ID}"), ContainerType::Containerd),
            (
                format!("/kubepods.slice/kubepods-pod1.slice/crio-{ID}.scope"),
                ContainerType::CriO,
            ),
            (format!("/crio-{ID}"), ContainerType::CriO),
            (format!("/machine.slice/libpod-{ID}.scope/container"), ContainerType::Podman),
            (format!("/libpod_parent/libpod-{ID}"), ContainerType::Podman),
        ];
        for (path, kind) in cases {
            let c = from_cgroup_path(&path).unwrap_or_else(|| panic!("{path}"));
            assert_eq!(c.kind, kind, "{path}");
            assert_eq!(c.full_id, ID);
            assert_eq!(c.id(), &ID[..12]);
        }
    }

    #[test]
    fn host_paths_are_not_containers() {
        for path in [
            "/",
            "/user.slice/user-1000.slice/session-2.scope",
            "/system.slice/docker.service",
            "/docker",
            "/system.slice/docker-abc.scope",
            &format!("/somewhere/{ID}"),
            &format!("/docker/{}", ID.to_uppercase()),
        ] {
            assert_eq!(from_cgroup_path(path), None, "{path}");
        }
    }

    #[test]
    fn first_entry_naming_a_container_wins() {
        let list = [
            "cpuset=/".to_string(),
            "memory=/user.slice".to_string(),
            format!("unified=/test.slice/docker-{ID}.scope"),
        ];
        let c = from_cgroups(list.iter().map(String::as_str)).unwrap();
        assert_eq!(c.kind, ContainerType::Docker);
        assert_eq!(from_cgroups(["cpu=/", "unified=/"]), None);
    }
}
