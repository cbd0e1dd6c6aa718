//! The SQL floor of a read route: the very statements its handler runs, timed on the same connection.

use std::time::{Duration, Instant};

use marketplace_catalog::statements::*;
use marketplace_catalog::Sql;
use marketplace_catalog::{Audience, ItemKind, ListQuery, LogBook, ReviewQuery, WorkspaceId};

use super::MEMBER;
use crate::Error;

/// The statements under a read route, run on `db` as the handler runs them; returns the time they took.
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
    user_by_subject_statement(subject).query(db).await?;
    match scenario {
        Read::List(query) | Read::ListAs(_, query) => {
            let rows = listing_statement(audience, query).query(db).await?;
            enrich(db, audience, &rows).await?;
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
            let rows = detail_statement(audience, *id).query(db).await?;
            enrich(db, audience, &rows).await?;
            let kind: &str = rows.first().ok_or("no item")?.get("kind");
            if let Some(dependencies) =
                dependencies_statement(audience, ItemKind::parse(kind)?, *id)
            {
                dependencies.query(db).await?;
            }
        }
        Read::Versions(id) => {
            visible_kind_statement(audience, *id).query(db).await?;
            approved_versions_statement(*id).query(db).await?;
        }
        Read::Reviews(id, query) => {
            rating_summary_statement(audience, *id).query(db).await?;
            reviews_page_statement(audience, *id, query)
                .query(db)
                .await?;
        }
        Read::Stats => {
            stats_statement().query(db).await?;
        }
        Read::Categories => {
            categories_statement(None).query(db).await?;
        }
        Read::Installs(cursor) => {
            workspace_role_statement(workspace, member)
                .query(db)
                .await?;
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
            workspace_role_statement(workspace, member)
                .query(db)
                .await?;
            submissions_statement(workspace, None, 51).query(db).await?;
        }
        Read::Advisories => {
            workspace_role_statement(workspace, member)
                .query(db)
                .await?;
            advisories_statement(workspace, None, 51).query(db).await?;
        }
        Read::ModerationLog => {
            moderation_log_statement(LogBook::Public, None, 51)
                .query(db)
                .await?;
        }
        Read::Updates => {
            workspace_role_statement(workspace, member)
                .query(db)
                .await?;
            let rows = installs_statement(workspace, None, 51).query(db).await?;
            let updated: Vec<i64> = rows
                .iter()
                .filter(|row| {
                    row.get::<_, &str>("installed_version") != row.get::<_, &str>("latest_version")
                })
                .map(|row| row.get("item_id"))
                .collect();
            changelogs_statement(updated).query(db).await?;
        }
    }
    Ok(started.elapsed())
}

pub(super) async fn enrich(
    db: &impl Sql,
    audience: Audience,
    rows: &[tokio_postgres::Row],
) -> Result<(), Error> {
    let agents: Vec<i64> = rows
        .iter()
        .filter(|row| row.get::<_, Option<&str>>("kind") == Some("agent"))
        .filter_map(|row| row.get::<_, Option<i64>>("id"))
        .collect();
    if !agents.is_empty() {
        agent_enrichment_statement(audience, agents)
            .query(db)
            .await?;
    }
    Ok(())
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
