use lambda_http::request::RequestContext;
use lambda_http::{Request, RequestExt};
use marketplace_catalog::accounts::{self, User};
use marketplace_catalog::Sql;
use marketplace_catalog::{Audience, WorkspaceId, WorkspaceRole};

use crate::error::ApiError;

/// The authenticated user making the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub user: User,
}

impl Caller {
    /// The user named by the `sub` claim that API Gateway's JWT authorizer verified (locally: the local API).
    /// No claims is a 401. A subject with no user row is made a user on first use when `provision` (its
    /// display name from the token's `name`, `preferred_username` or `nickname`, never its e-mail), and is
    /// a 401 otherwise.
    pub async fn authenticate(
        req: &Request,
        db: &impl Sql,
        provision: bool,
    ) -> Result<Self, ApiError> {
        let subject = subject(req)?;
        let user = match accounts::user_by_subject(db, subject).await? {
            Some(user) => user,
            None => first_use(req, db, subject, provision).await?,
        };
        Ok(Self { user })
    }

    /// [`Caller::authenticate`] and the caller's role in `workspace` (`None`: not a member), in one statement.
    /// A user made on first use is a member of nothing yet.
    pub async fn authenticate_in(
        req: &Request,
        db: &impl Sql,
        provision: bool,
        workspace: WorkspaceId,
    ) -> Result<(Self, Option<WorkspaceRole>), ApiError> {
        let subject = subject(req)?;
        match accounts::user_in_workspace(db, subject, workspace).await? {
            Some((user, role)) => Ok((Self { user }, role)),
            None => Ok((
                Self {
                    user: first_use(req, db, subject, provision).await?,
                },
                None,
            )),
        }
    }

    pub fn audience(&self) -> Audience {
        Audience::user(self.user.id, self.user.is_admin, self.user.in_catalogs)
    }

    /// What the caller sees as a member, also when a marketplace admin: approved listings only.
    pub fn member_audience(&self) -> Audience {
        Audience::user(self.user.id, false, self.user.in_catalogs)
    }

    pub fn require_admin(&self) -> Result<(), ApiError> {
        if self.user.is_admin {
            Ok(())
        } else {
            Err(ApiError::forbidden("Only marketplace admins may do this."))
        }
    }
}

/// The token's subject; none (or one the users table cannot hold, a NUL say) is a 401, never a database error.
pub(crate) fn subject(req: &Request) -> Result<&str, ApiError> {
    claim(req, "sub")
        .filter(|subject| !subject.contains('\0'))
        .ok_or_else(|| ApiError::unauthorized("A valid bearer token is required."))
}

/// A subject with no user row: made a user when `provision`, else a 401.
async fn first_use(
    req: &Request,
    db: &impl Sql,
    subject: &str,
    provision: bool,
) -> Result<User, ApiError> {
    if !provision {
        return Err(ApiError::unauthorized(
            "The token's subject is not a known user.",
        ));
    }
    Ok(accounts::provision_user(db, subject, &display_name(req)).await?)
}

/// A non-empty string claim the JWT authorizer passed on. A subject the users table cannot hold (a NUL, say)
/// names nobody: 401, never a database error.
fn claim<'r>(req: &'r Request, name: &str) -> Option<&'r str> {
    let RequestContext::ApiGatewayV2(context) = req.request_context_ref()? else {
        return None;
    };
    let value = context
        .authorizer
        .as_ref()?
        .jwt
        .as_ref()?
        .claims
        .get(name)?;
    Some(value.as_str()).filter(|value| !value.is_empty())
}

/// The longest display name a provisioned user gets (the column allows more; a name is for people).
const DISPLAY_NAME_CHARS: usize = 100;

/// A new user's display name: the first of the token's `name`, `preferred_username` and `nickname` that
/// holds something visible, on one line and cut to [`DISPLAY_NAME_CHARS`]; "New user" without any. Never the
/// e-mail address.
fn display_name(req: &Request) -> String {
    ["name", "preferred_username", "nickname"]
        .into_iter()
        .filter_map(|name| claim(req, name))
        .map(|value| {
            let one_line: String = value
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            one_line
                .trim()
                .chars()
                .take(DISPLAY_NAME_CHARS)
                .collect::<String>()
        })
        .find(|name| !name.is_empty() && !name.contains('@'))
        .unwrap_or_else(|| "New user".to_owned())
}
