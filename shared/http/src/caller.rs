use lambda_http::request::RequestContext;
use lambda_http::{Request, RequestExt};
use marketplace_catalog::accounts::{self, User};
use marketplace_catalog::Audience;
use tokio_postgres::GenericClient;

use crate::ApiError;

/// The authenticated user making the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub user: User,
}

impl Caller {
    /// The user named by the `sub` claim that API Gateway's JWT authorizer verified (locally: the local API).
    /// No claims, or a subject with no user row, is a 401.
    pub async fn authenticate(req: &Request, db: &impl GenericClient) -> Result<Self, ApiError> {
        let subject = subject_claim(req)
            .ok_or_else(|| ApiError::unauthorized("A valid bearer token is required."))?;
        let user = accounts::user_by_subject(db, subject)
            .await?
            .ok_or_else(|| ApiError::unauthorized("The token's subject is not a known user."))?;
        Ok(Self { user })
    }

    pub fn audience(&self) -> Audience {
        Audience::new(self.user.is_admin)
    }

    pub fn require_admin(&self) -> Result<(), ApiError> {
        if self.user.is_admin {
            Ok(())
        } else {
            Err(ApiError::forbidden("Only marketplace admins may do this."))
        }
    }
}

fn subject_claim(req: &Request) -> Option<&str> {
    let RequestContext::ApiGatewayV2(context) = req.request_context_ref()? else {
        return None;
    };
    let subject = context
        .authorizer
        .as_ref()?
        .jwt
        .as_ref()?
        .claims
        .get("sub")?;
    // A subject the users table cannot hold (a NUL, say) names no user: 401, never a database error.
    Some(subject.as_str()).filter(|s| !s.is_empty() && !s.contains('\0'))
}
