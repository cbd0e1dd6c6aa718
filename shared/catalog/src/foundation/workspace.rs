use std::fmt;
use std::str::FromStr;

use serde::Serialize;
use uuid::Uuid;

use bytes::BytesMut;
use tokio_postgres::types::{to_sql_checked, IsNull, ToSql, Type};

use crate::foundation::statement::Param;
use crate::foundation::text_column::text_column;

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

impl ToSql for WorkspaceId {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        self.0.to_sql(ty, out)
    }

    fn accepts(ty: &Type) -> bool {
        <Uuid as ToSql>::accepts(ty)
    }

    to_sql_checked!();
}

impl Param for WorkspaceId {
    const TYPE: Type = Type::UUID;
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

    pub const ALL: [WorkspaceRole; 4] = [Self::Owner, Self::Admin, Self::Editor, Self::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Admin => "admin",
            Self::Editor => "editor",
            Self::Viewer => "viewer",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be one of owner, admin, editor, viewer")]
pub struct UnknownRole;

impl FromStr for WorkspaceRole {
    type Err = UnknownRole;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|role| role.as_str() == value)
            .ok_or(UnknownRole)
    }
}

text_column!(WorkspaceRole, |role| role.as_str());
