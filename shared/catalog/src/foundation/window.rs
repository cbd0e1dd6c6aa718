//! Per-user rate limits: a fixed window per user, counted in the writing transaction (so a failed write is
//! not counted).

use tokio_postgres::Transaction;

use crate::foundation::column::ReadColumn;
use crate::foundation::error::CatalogError;
use crate::foundation::statement::Statement;

/// How many writes of one sort (submissions, or reviews) a user may make per window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub submissions: i32,
    pub window_secs: i64,
}

impl Default for RateLimit {
    fn default() -> Self {
        Self {
            submissions: 20,
            window_secs: 3600,
        }
    }
}

/// A window table and its counter column.
pub(crate) struct Window {
    table: &'static str,
    counter: &'static str,
}

/// New listings and new versions (`submission_windows`, V5).
pub(crate) const SUBMISSIONS: Window = Window {
    table: "submission_windows",
    counter: "submissions",
};

/// User reviews, new or replacing (`review_windows`, V8).
pub(crate) const REVIEWS: Window = Window {
    table: "review_windows",
    counter: "reviews",
};

/// Counts one write in the user's current window; over the limit is an error that says when the window ends.
pub(crate) async fn count_in_window(
    tx: &Transaction<'_>,
    window: Window,
    user_id: i64,
    limit: RateLimit,
) -> Result<(), CatalogError> {
    let Window { table, counter } = window;
    let row = Statement::new(format!(
        "INSERT INTO {table} AS w (user_id, started_at, {counter}) VALUES ($1, now(), 1)
         ON CONFLICT (user_id) DO UPDATE SET
             started_at = CASE WHEN w.started_at <= now() - make_interval(secs => $2) THEN now()
                               ELSE w.started_at END,
             {counter} = CASE WHEN w.started_at <= now() - make_interval(secs => $2) THEN 1
                              ELSE w.{counter} + 1 END
         RETURNING w.{counter} AS counted,
                   ceil(extract(epoch FROM w.started_at + make_interval(secs => $2) - now()))::bigint
                       AS retry_after_secs"
    ))
    .bind(user_id)
    .bind(limit.window_secs as f64)
    .query_one(tx)
    .await?;
    let counted: i32 = row.read("counted")?;
    if counted > limit.submissions {
        let retry_after_secs = row.read::<i64>("retry_after_secs")?.max(1) as u64;
        return Err(CatalogError::RateLimited { retry_after_secs });
    }
    Ok(())
}
