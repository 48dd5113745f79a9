//! Users and groups, from the host's /etc/passwd and /etc/group (live) or the
//! capture's user list (replay).

use scap::file::{GroupEntry, UserEntry};

use super::IdMap;

/// A user account.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserInfo {
    /// Login name.
    pub name: String,
    /// Home directory.
    pub homedir: String,
    /// Login shell.
    pub shell: String,
}

/// A group.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GroupInfo {
    /// Group name.
    pub name: String,
}

/// The user and group tables.
#[derive(Clone, Debug, Default)]
pub struct Users {
    users: IdMap<u32, UserInfo>,
    groups: IdMap<u32, GroupInfo>,
}

impl Users {
    /// Tables from user and group entries.
    pub fn from_entries(users: &[UserEntry], groups: &[GroupEntry]) -> Users {
        let mut t = Users::default();
        for u in users {
            t.users.entry(u.uid).or_insert_with(|| UserInfo {
                name: u.name.clone(),
                homedir: u.homedir.clone(),
                shell: u.shell.clone(),
            });
        }
        for g in groups {
            t.groups.entry(g.gid).or_insert_with(|| GroupInfo {
                name: g.name.clone(),
            });
        }
        t
    }

    /// The user `uid`.
    pub fn user(&self, uid: u32) -> Option<&UserInfo> {
        self.users.get(&uid)
    }

    /// The group `gid`.
    pub fn group(&self, gid: u32) -> Option<&GroupInfo> {
        self.groups.get(&gid)
    }

    /// Number of users.
    pub fn user_count(&self) -> usize {
        self.users.len()
    }

    /// Number of groups.
    pub fn group_count(&self) -> usize {
        self.groups.len()
    }
}
