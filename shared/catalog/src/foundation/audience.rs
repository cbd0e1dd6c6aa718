/// Whose eyes a marketplace query serves. Unapproved items exist only for marketplace admins; delisted and
/// workspace-owned rows exist for nobody.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Any signed-in user.
    Member,
    /// A user whose `users.system_role` is `admin` (not a workspace's admin).
    MarketplaceAdmin,
}

impl Audience {
    pub fn new(is_admin: bool) -> Self {
        if is_admin {
            Self::MarketplaceAdmin
        } else {
            Self::Member
        }
    }

    pub fn is_admin(self) -> bool {
        self == Self::MarketplaceAdmin
    }

    /// The predicate on an item row named `alias` that makes it visible in the marketplace to this audience.
    pub(crate) fn listed(self, alias: &str) -> String {
        let mut predicate =
            format!("{alias}.owner_type = 'marketplace' AND {alias}.delisted_at IS NULL");
        if self == Self::Member {
            predicate.push_str(&format!(" AND {alias}.is_approved"));
        }
        predicate
    }
}
