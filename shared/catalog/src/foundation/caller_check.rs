//! The caller lookup carried on a read's first statement, so that a read is one round trip.
//!
//! A read route builds its statements for the caller it expects (the one the function saw last under this
//! subject). [`CallerCheck`] sends the first of them wrapped with the caller's lookup — and the caller's role
//! in the workspace the route names — so both are read in one round trip and one snapshot:
//!
//! ```sql
//! WITH _c AS MATERIALIZED (SELECT … FROM users WHERE auth_subject = $s)
//! SELECT _c.*, d.* FROM _c LEFT JOIN LATERAL (SELECT 1 AS _cown, o.* FROM (<the statement>) o) d ON true
//! ```
//!
//! `MATERIALIZED` reads the caller once: inlined, its columns (the catalog check a subplan) would be
//! computed again for every row of the statement. One row per row of the statement (in its order: the one-row `_c` drives a nested loop over it), or one
//! row without `_cown` when it has none, or none when no user has the subject. The caller's columns are named
//! `_c…`, clear of any statement's. The route then compares [`Checked::caller`] with the caller it expected;
//! on any difference it discards what it read and reads again for the caller it found.

use std::sync::Mutex;

use tokio_postgres::types::Type;
use tokio_postgres::Row;

use crate::foundation::accounts::User;
use crate::foundation::column::ReadColumn;
use crate::foundation::error::CatalogError;
use crate::foundation::statement::{marked_rows, Sql, StatementError, TypedParams};
use crate::foundation::workspace::{WorkspaceId, WorkspaceRole};

/// The column marking the rows of the statement the check wraps (not [`OWN_ROW`]: a statement may stand
/// behind a gate of its own).
///
/// [`OWN_ROW`]: crate::foundation::statement::OWN_ROW
const CHECKED_ROW: &str = "_cown";

/// Runs statements on `db`, the first one with the caller's lookup folded in.
pub struct CallerCheck<'a, C> {
    db: &'a C,
    state: Mutex<State>,
}

enum State {
    /// The lookup still rides on the next statement.
    Pending {
        subject: String,
        workspace: Option<WorkspaceId>,
    },
    Done(Checked),
    /// Nothing to check: statements pass through as they are.
    Off,
}

/// What the first statement found of the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// `None`: no user has the subject.
    pub caller: Option<User>,
    /// The caller's role in the workspace checked, if any and a member.
    pub role: Option<WorkspaceRole>,
}

impl<'a, C: Sql> CallerCheck<'a, C> {
    /// Checks the caller of `subject` (and their role in `workspace`) on the first statement run through it.
    pub fn new(db: &'a C, subject: &str, workspace: Option<WorkspaceId>) -> Self {
        Self::with(
            db,
            State::Pending {
                subject: subject.to_owned(),
                workspace,
            },
        )
    }

    /// Runs every statement as it is.
    pub fn off(db: &'a C) -> Self {
        Self::with(db, State::Off)
    }

    fn with(db: &'a C, state: State) -> Self {
        Self {
            db,
            state: Mutex::new(state),
        }
    }

    /// What the check found; `None` when it was off or no statement ran.
    pub fn checked(&self) -> Option<Checked> {
        match &*self.state.lock().expect("never poisoned") {
            State::Done(checked) => Some(checked.clone()),
            State::Pending { .. } | State::Off => None,
        }
    }

    /// The pending lookup, taken by the statement about to run.
    fn take_pending(&self) -> Option<(String, Option<WorkspaceId>)> {
        let mut state = self.state.lock().expect("never poisoned");
        match std::mem::replace(&mut *state, State::Off) {
            State::Pending { subject, workspace } => Some((subject, workspace)),
            other => {
                *state = other;
                None
            }
        }
    }

    fn record(&self, checked: Checked) {
        *self.state.lock().expect("never poisoned") = State::Done(checked);
    }
}

/// The statement wrapped with the caller's lookup; `subject` and `workspace` are the placeholders after the
/// statement's own `taken`.
fn wrapped(sql: &str, taken: usize, workspace: bool) -> String {
    let subject = taken + 1;
    let role = if workspace {
        format!(
            "(SELECT role FROM workspace_members WHERE workspace_id=${} AND user_id=users.id)",
            taken + 2
        )
    } else {
        "NULL::text".to_owned()
    };
    format!(
        "WITH _c AS MATERIALIZED(SELECT id _ci,display_name _cn,system_role='admin' _ca,\
         EXISTS(SELECT FROM catalog_viewers WHERE u=users.id) _ck,{role} _cr \
         FROM users WHERE auth_subject=${subject})\
         SELECT _c.*,d.* FROM _c LEFT JOIN LATERAL(SELECT 1 {CHECKED_ROW},o.* FROM({sql})o)d ON true"
    )
}

fn checked_from(rows: &[Row]) -> Result<Checked, CatalogError> {
    let Some(row) = rows.first() else {
        return Ok(Checked {
            caller: None,
            role: None,
        });
    };
    Ok(Checked {
        caller: Some(User {
            id: row.read("_ci")?,
            display_name: row.read("_cn")?,
            is_admin: row.read("_ca")?,
            in_catalogs: row.read("_ck")?,
        }),
        role: row.read("_cr")?,
    })
}

impl<C: Sql> Sql for CallerCheck<'_, C> {
    async fn rows(&self, sql: &str, params: &TypedParams<'_>) -> Result<Vec<Row>, StatementError> {
        let Some((subject, workspace)) = self.take_pending() else {
            return self.db.rows(sql, params).await;
        };
        let mut typed = params.to_vec();
        typed.push((&subject, Type::TEXT));
        if let Some(workspace) = &workspace {
            typed.push((workspace, Type::UUID));
        }
        let rows = self
            .db
            .rows(&wrapped(sql, params.len(), workspace.is_some()), &typed)
            .await?;
        let checked =
            checked_from(&rows).map_err(|error| StatementError::Unexpected(error.to_string()))?;
        self.record(checked);
        Ok(marked_rows(rows, CHECKED_ROW))
    }

    async fn changes(&self, sql: &str, params: &TypedParams<'_>) -> Result<u64, StatementError> {
        self.db.changes(sql, params).await
    }
}
