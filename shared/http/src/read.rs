//! How a read route runs in one round trip: its statements are built for the caller this function instance
//! saw last under the token's subject, and the first of them carries the caller's lookup
//! ([`CallerCheck`]). When the lookup finds someone else (an admin right granted or revoked, a workspace
//! joined to a catalog), what was read is discarded and read again for the caller found: two round trips,
//! once per change. A subject the instance has not seen yet is looked up first, as before.
//!
//! A handler reads with [`read!`](crate::read!):
//!
//! ```text
//! let session = state.read_session(&req).await?;
//! let page = read!(session, |db, caller| list_items(db, caller.audience(), &query));
//! ```

use std::sync::Mutex;

use lambda_http::Request;
use marketplace_catalog::{CallerCheck, WorkspaceId, WorkspaceRole};

use crate::caller::{subject, Caller};
use crate::error::ApiError;
use crate::request_scope::RequestScope;
use crate::state::{AppState, Db};
use crate::workspace::{allow, named_workspace, Access, WorkspaceAccess};

/// What a read runs its statements on.
pub type Reader<'a> = CallerCheck<'a, tokio_postgres::Client>;

/// A read route's connection and the caller its statements are built for.
pub struct ReadSession<'s> {
    state: &'s AppState,
    req: &'s Request,
    db: Db,
    workspace: Option<(WorkspaceId, Access)>,
    expected: Mutex<Expected>,
}

struct Expected {
    caller: Caller,
    /// The caller came from the hints: the next attempt's first statement checks it.
    unchecked: bool,
}

/// One run of a read: the statements' client and the caller they are built for.
pub struct Attempt<'a> {
    pub db: Reader<'a>,
    pub caller: Caller,
    checking: bool,
}

/// Runs a read (`$body`, a future using `$db` and `$caller`) on a [`ReadSession`], again for the caller found
/// when its check finds someone else than `$caller`; evaluates to the read's value or returns its error.
#[macro_export]
macro_rules! read {
    ($session:expr, |$db:ident, $caller:ident| $body:expr) => {
        loop {
            let attempt = $session.attempt();
            let outcome = {
                let $db = &attempt.db;
                let $caller = &attempt.caller;
                $body.await
            };
            if let Some(done) = $session.settle(attempt, outcome).await? {
                break done;
            }
        }
    };
}

impl AppState {
    /// A read route's start: a connection and the caller (looked up now only when this instance has not seen
    /// the token's subject). No token is a 401.
    pub async fn read_session<'s>(&'s self, req: &'s Request) -> Result<ReadSession<'s>, ApiError> {
        let subject = subject(req)?;
        let db = self.db().await?;
        let (caller, unchecked) = match self.callers.get(subject) {
            Some(user) => (Caller { user }, true),
            None => {
                let caller = Caller::authenticate(req, &*db, self.config.user_provisioning).await?;
                self.callers.remember(subject, &caller.user);
                (caller, false)
            }
        };
        Ok(ReadSession::new(self, req, db, caller, None, unchecked))
    }

    /// [`AppState::read_session`] for a workspace route: the caller's role in the workspace named by
    /// `X-Workspace-ID` is read with the first statement, and checked before anything read is answered.
    pub async fn read_workspace_session<'s>(
        &'s self,
        req: &'s Request,
        access: Access,
    ) -> Result<(ReadSession<'s>, WorkspaceAccess), ApiError> {
        let (subject, id) = named_workspace(self, req).await?;
        let db = self.db().await?;
        let workspace = Some((id, access));
        let session = match self.callers.get(subject) {
            Some(user) => ReadSession::new(self, req, db, Caller { user }, workspace, true),
            None => {
                let (caller, role) =
                    Caller::authenticate_in(req, &*db, self.config.user_provisioning, id).await?;
                self.callers.remember(subject, &caller.user);
                RequestScope::record_user(caller.user.id);
                allow(role, access)?;
                ReadSession::new(self, req, db, caller, workspace, false)
            }
        };
        Ok((session, WorkspaceAccess { id }))
    }
}

impl<'s> ReadSession<'s> {
    fn new(
        state: &'s AppState,
        req: &'s Request,
        db: Db,
        caller: Caller,
        workspace: Option<(WorkspaceId, Access)>,
        unchecked: bool,
    ) -> Self {
        if !unchecked {
            RequestScope::record_user(caller.user.id);
        }
        Self {
            state,
            req,
            db,
            workspace,
            expected: Mutex::new(Expected { caller, unchecked }),
        }
    }

    /// The next run of the read: the first carries the caller check, when the caller is unchecked.
    pub fn attempt(&self) -> Attempt<'_> {
        let mut expected = self.expected.lock().expect("never poisoned");
        let checking = std::mem::replace(&mut expected.unchecked, false);
        let db = match (checking, subject(self.req)) {
            (true, Ok(subject)) => {
                CallerCheck::new(&*self.db, subject, self.workspace.map(|(id, _)| id))
            }
            _ => CallerCheck::off(&*self.db),
        };
        Attempt {
            db,
            caller: expected.caller.clone(),
            checking,
        }
    }

    /// What a run's `outcome` answers: itself when its caller was the right one (and, on a workspace route,
    /// the caller's role allows the access), `None` when the read must run again for the caller found.
    pub async fn settle<T, E: Into<ApiError>>(
        &self,
        attempt: Attempt<'_>,
        outcome: Result<T, E>,
    ) -> Result<Option<T>, ApiError> {
        if !attempt.checking {
            return outcome.map(Some).map_err(Into::into);
        }
        let found = attempt
            .db
            .checked()
            .and_then(|checked| checked.caller.map(|user| (Caller { user }, checked.role)));
        let (found, role) = match found {
            Some(found) => found,
            // No statement ran, or no user has the subject now: looked up as a first request would be.
            None => self.look_up().await?,
        };
        RequestScope::record_user(found.user.id);
        if let Some((_, access)) = self.workspace {
            allow(role, access)?;
        }
        if found == attempt.caller {
            return outcome.map(Some).map_err(Into::into);
        }
        self.state.callers.remember(subject(self.req)?, &found.user);
        self.expected.lock().expect("never poisoned").caller = found;
        Ok(None)
    }

    /// The caller as a request that knew nothing would find them (made on first use when provisioning).
    async fn look_up(&self) -> Result<(Caller, Option<WorkspaceRole>), ApiError> {
        let provision = self.state.config.user_provisioning;
        match self.workspace {
            Some((id, _)) => Caller::authenticate_in(self.req, &*self.db, provision, id).await,
            None => Ok((
                Caller::authenticate(self.req, &*self.db, provision).await?,
                None,
            )),
        }
    }
}
