use crate::foundation::column::ReadColumn;
use crate::foundation::error::CatalogError;
use crate::foundation::statement::{Sql, Statement};
use crate::foundation::workspace::WorkspaceId;

/// Whose eyes a marketplace query serves: the one visibility rule (docs/architecture.md, "Private catalogs").
/// Unapproved listings exist only for marketplace admins; delisted and workspace-owned rows exist for nobody;
/// a private listing (its row names a catalog) exists only for marketplace admins and the members of a
/// workspace in its catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Public listings only: what everybody sees, whoever they are.
    Public,
    /// A signed-in user: public listings and those of every catalog one of the user's workspaces is in.
    Member(i64),
    /// A workspace installing or updating: public listings and those of the catalogs the workspace is in.
    Workspace(WorkspaceId),
    /// A user whose `users.system_role` is `admin` (not a workspace's admin).
    MarketplaceAdmin,
}

impl Audience {
    /// The audience of the user `user_id`. A user none of whose workspaces is in a catalog sees public
    /// listings alone: their reads skip the catalog lookup (and its planning).
    pub fn user(user_id: i64, is_admin: bool, in_catalogs: bool) -> Self {
        match (is_admin, in_catalogs) {
            (true, _) => Self::MarketplaceAdmin,
            (false, true) => Self::Member(user_id),
            (false, false) => Self::Public,
        }
    }

    pub fn is_admin(self) -> bool {
        self == Self::MarketplaceAdmin
    }

    /// The predicate on an item row named `alias` that makes it visible in the marketplace to this audience.
    pub(crate) fn listed(self, alias: &str) -> String {
        let mut predicate =
            format!("{alias}.owner_type = 'marketplace' AND {alias}.delisted_at IS NULL");
        if !self.is_admin() {
            predicate.push_str(&format!(
                " AND {alias}.is_approved AND {}",
                self.sees_catalog(&format!("{alias}.catalog_id"))
            ));
        }
        predicate
    }

    /// The predicate on an item row named `alias` that makes it one of private catalog `catalog`'s listings
    /// visible to this audience: [`Audience::listed`] with the catalog rule decided once for the catalog.
    pub(crate) fn listed_in_catalog(self, alias: &str, catalog: i64) -> String {
        let mut predicate = format!(
            "{alias}.owner_type = 'marketplace' AND {alias}.delisted_at IS NULL AND {alias}.catalog_id = {catalog}"
        );
        match self.catalogs() {
            Catalogs::Every => {}
            Catalogs::None => predicate.push_str(" AND false"),
            Catalogs::Of(catalogs) => predicate.push_str(&format!(
                " AND {alias}.is_approved AND {catalog} IN ({catalogs})"
            )),
        }
        predicate
    }

    /// The predicate on a catalog id `column` (NULL: public) that this audience sees listings of.
    pub(crate) fn sees_catalog(self, column: &str) -> String {
        match self.catalogs() {
            Catalogs::Every => "true".to_owned(),
            Catalogs::None => format!("{column} IS NULL"),
            Catalogs::Of(catalogs) => format!("({column} IS NULL OR {column} IN ({catalogs}))"),
        }
    }

    /// The private catalogs this audience sees. Ids are inlined in the query: a user id is an integer and a
    /// workspace id a parsed UUID, so nothing can be injected.
    pub(crate) fn catalogs(self) -> Catalogs {
        match self {
            Self::Public => Catalogs::None,
            Self::Member(user) => {
                Catalogs::Of(format!("SELECT c FROM catalog_viewers WHERE u = {user}"))
            }
            Self::Workspace(workspace) => Catalogs::Of(format!(
                "SELECT catalog_id FROM catalog_workspaces WHERE workspace_id = '{}'",
                workspace.as_uuid()
            )),
            Self::MarketplaceAdmin => Catalogs::Every,
        }
    }
}

/// Which private catalogs an audience sees listings of.
pub(crate) enum Catalogs {
    Every,
    None,
    /// Those a query (one column of catalog ids) returns.
    Of(String),
}

/// Whether catalog `catalog` exists and `audience` sees its listings.
pub(crate) async fn sees_catalog(
    db: &impl Sql,
    audience: Audience,
    catalog: i64,
) -> Result<bool, CatalogError> {
    let row = Statement::new(format!(
        "SELECT EXISTS (SELECT 1 FROM catalogs WHERE id = $1) AND {} AS sees",
        audience.sees_catalog("$1::bigint")
    ))
    .bind(catalog)
    .query_one(db)
    .await?;
    row.read("sees")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everyone_but_an_admin_sees_approved_listings_of_their_catalogs_only() {
        assert_eq!(
            Audience::Public.listed("t"),
            "t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved \
             AND t.catalog_id IS NULL"
        );
        let member = Audience::Member(7).listed("t");
        assert!(member.contains("t.catalog_id IS NULL OR t.catalog_id IN (SELECT"));
        assert!(member.ends_with("IN (SELECT c FROM catalog_viewers WHERE u = 7))"));
        let workspace = WorkspaceId::parse("0b7e3f7e-0000-4000-8000-000000000001").unwrap();
        assert!(Audience::Workspace(workspace)
            .listed("s")
            .contains("workspace_id = '0b7e3f7e-0000-4000-8000-000000000001'"));
        assert_eq!(
            Audience::MarketplaceAdmin.listed("t"),
            "t.owner_type = 'marketplace' AND t.delisted_at IS NULL"
        );
    }
}
