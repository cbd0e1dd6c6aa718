//! The SQL floor of a read route: the very statements its handler runs, timed on the same connection.

use std::time::{Duration, Instant};

use marketplace_catalog::statements::*;
use marketplace_catalog::Sql;
use marketplace_catalog::{
    Audience, CallerCheck, ItemKind, ListQuery, LogBook, ReviewQuery, WorkspaceId,
};

use super::MEMBER;
use crate::Error;

/// The statements under a read route, run on `db` as the handler runs them for a caller its function has
/// seen (the first carrying the caller check); returns the time they took.
pub(super) async fn floor(
    db: &impl Sql,
    scenario: &Read,
    member: i64,
    workspace: WorkspaceId,
) -> Result<Duration, Error> {
    let started = Instant::now();
    let (subject, audience) = match scenario {
        Read::ListAs(viewer, _) => (viewer.subject, Audience::Member(viewer.id)),
        _ => (MEMBER, Audience::Member(member)),
    };
    let in_workspace = matches!(
        scenario,
        Read::Installs(_) | Read::Submissions | Read::Advisories | Read::Updates
    );
    let db = &CallerCheck::new(db, subject, in_workspace.then_some(workspace));
    match scenario {
        Read::List(query) | Read::ListAs(_, query) => {
            let rows = listing_statement(audience, query).query(db).await?;
            let found_nothing = rows
                .iter()
                .all(|row| row.get::<_, Option<i64>>("id").is_none());
            if let (Some(term), true) = (&query.search, found_nothing) {
                suggestions_statement(audience, &ItemKind::ALL, term)
                    .query(db)
                    .await?;
            }
        }
        Read::Detail(id) => {
            detail_statement(audience, *id).query(db).await?;
        }
        Read::Versions(id) => {
            versions_statement(audience, *id).query(db).await?;
        }
        Read::Reviews(id, query) => {
            reviews_statement(audience, *id, query).query(db).await?;
        }
        Read::Stats => {
            stats_statement().query(db).await?;
        }
        Read::Categories => {
            categories_statement(None).query(db).await?;
        }
        Read::Installs(cursor) => {
            let cursor = cursor
                .as_deref()
                .map(|token| {
                    marketplace_catalog::InstallCursor::parse(
                        token,
                        marketplace_catalog::InstallList::Installs,
                        workspace,
                    )
                })
                .transpose()?;
            installs_page_statement(workspace, cursor, 51)
                .query(db)
                .await?;
        }
        Read::Submissions => {
            submissions_statement(workspace, None, 51).query(db).await?;
        }
        Read::Advisories => {
            advisories_statement(workspace, None, 51).query(db).await?;
        }
        Read::ModerationLog => {
            moderation_log_statement(LogBook::Public, None, 51)
                .query(db)
                .await?;
        }
        Read::Updates => {
            installs_statement(workspace, None, 51).query(db).await?;
        }
    }
    Ok(started.elapsed())
}

/// A user the routes run as: their token's subject and their id.
#[derive(Debug, Clone, Copy)]
pub(super) struct Viewer {
    pub(super) subject: &'static str,
    pub(super) id: i64,
}

pub(super) enum Read {
    List(ListQuery),
    /// A listing as another user sees it.
    ListAs(Viewer, ListQuery),
    Detail(i64),
    Versions(i64),
    Reviews(i64, ReviewQuery),
    Stats,
    Categories,
    Updates,
    /// A page of `GET /installs` after this cursor.
    Installs(Option<String>),
    /// The first page of `GET /submissions`.
    Submissions,
    /// The first page of `GET /advisories`.
    Advisories,
    /// The first page of `GET /moderation-log`.
    ModerationLog,
}
