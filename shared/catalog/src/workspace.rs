use std::fmt;
use std::str::FromStr;

use serde::Serialize;
use uuid::Uuid;

/// A workspace id, as given in the `X-Workspace-ID` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct WorkspaceId(Uuid);

impl WorkspaceId {
    pub fn parse(value: &str) -> Result<Self, InvalidWorkspaceId> {
        value.parse()
    }

    pub fn as_uuid(&self) -> &Uuid {
        &self.0
    }
}

impl From<Uuid> for WorkspaceId {
    fn from(id: Uuid) -> Self {
        Self(id)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be a UUID")]
pub struct InvalidWorkspaceId;

impl FromStr for WorkspaceId {
    type Err = InvalidWorkspaceId;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        // Only the canonical hyphenated form: a header is not the place for braces or URNs.
        if value.len() != 36 {
            return Err(InvalidWorkspaceId);
        }
        Uuid::parse_str(value)
            .map(Self)
            .map_err(|_| InvalidWorkspaceId)
    }
}

impl fmt::Display for WorkspaceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A member's role in a workspace. Owners, admins and editors may change it; viewers may only read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkspaceRole {
    Owner,
    Admin,
    Editor,
    Viewer,
}

impl WorkspaceRole {
    pub fn can_write(self) -> bool {
        !matches!(self, Self::Viewer)
    }

    pub(crate) fn from_db(value: &str) -> Option<Self> {
        match value {
            "owner" => Some(Self::Owner),
            "admin" => Some(Self::Admin),
            "editor" => Some(Self::Editor),
            "viewer" => Some(Self::Viewer),
            _ => None,
        }
    }
}
