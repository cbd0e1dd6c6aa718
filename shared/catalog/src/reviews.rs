//! User reviews: a member's 1–5 stars and optional text about a listing their workspace installed. One per
//! user and listing (a second one replaces the first). The listing's rating (count, sum, histogram and
//! Bayesian score, on its row) is kept exact by a trigger in the transaction that writes a review (V8);
//! hidden reviews do not count.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio_postgres::{Client, Row, Transaction};

use crate::foundation::audience::Audience;
use crate::foundation::column::ReadColumn;
use crate::foundation::cursor::{self, CursorError};
use crate::foundation::error::CatalogError;
use crate::foundation::item::Creator;
use crate::foundation::item::Rating;
use crate::foundation::kind::union_all;
use crate::foundation::kind::ItemKind;
use crate::foundation::locate::visible_kind;
use crate::foundation::position::{KeyType, PositionValue};
use crate::foundation::statement::{Params, Sql, Statement};
use crate::foundation::version::Version;
use crate::foundation::window::RateLimit;
use crate::foundation::window::{count_in_window, REVIEWS};
use crate::foundation::workspace::WorkspaceId;

/// A review as the API shows it. `hidden` is shown to marketplace admins only (others never see hidden
/// reviews).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UserReview {
    pub id: i64,
    pub rating: i16,
    pub title: Option<String>,
    pub body: Option<String>,
    pub author: Creator,
    /// Always true: only a workspace that installed the listing may review it.
    pub verified_install: bool,
    pub installed_version: Version,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hidden: Option<bool>,
}

/// A review to write: `rating` 1–5, text already checked by the HTTP layer.
#[derive(Debug, Clone)]
pub struct NewReview {
    pub item_id: i64,
    pub workspace: WorkspaceId,
    pub user_id: i64,
    pub rating: i16,
    pub title: Option<String>,
    pub body: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PostedReview {
    pub review: UserReview,
    /// False when it replaced the user's earlier review of the listing.
    pub created: bool,
}

/// Writes the caller's review of a listing their workspace installed (any install, uninstalled or not),
/// replacing their earlier one. Counts against the user's review rate limit.
pub async fn post_review(
    client: &mut Client,
    review: &NewReview,
    limit: RateLimit,
) -> Result<PostedReview, CatalogError> {
    let tx = client.transaction().await?;
    let kind = visible_kind(&tx, Audience::Workspace(review.workspace), review.item_id).await?;
    let installed_version = installed_version(&tx, review).await?.ok_or(CatalogError::Forbidden(
        "Only workspaces that installed this item may review it: install it in this workspace first.",
    ))?;
    count_in_window(&tx, REVIEWS, review.user_id, limit).await?;
    // A replaced review keeps its id, its creation time and, if an admin hid it, its hiding.
    let row = Statement::new(
        "INSERT INTO user_reviews AS r (item_id, item_kind, user_id, workspace_id, installed_version, rating,
                                        title, body)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (item_id, user_id) DO UPDATE SET
             workspace_id = excluded.workspace_id, installed_version = excluded.installed_version,
             rating = excluded.rating, title = excluded.title, body = excluded.body, updated_at = now()
         RETURNING r.id, r.xmax = 0 AS created",
    )
    .bind(review.item_id)
    .bind(kind)
    .bind(review.user_id)
    .bind(review.workspace)
    .bind(&installed_version)
    .bind(i32::from(review.rating))
    .bind(&review.title)
    .bind(&review.body)
    .query_one(&tx)
    .await?;
    let created: bool = row.read("created")?;
    let review = read_review(&tx, Audience::Member(review.user_id), row.read("id")?)
        .await?
        .ok_or(CatalogError::NotFound("review"))?;
    tx.commit().await?;
    Ok(PostedReview { review, created })
}

/// The version the workspace's latest install of the listing brought (or its latest update), if it ever
/// installed it.
async fn installed_version(
    tx: &Transaction<'_>,
    review: &NewReview,
) -> Result<Option<Version>, CatalogError> {
    Statement::new(
        "SELECT installed_version::text AS installed_version FROM marketplace_installs
         WHERE workspace_id = $1 AND item_id = $2 ORDER BY installed_at DESC, id DESC LIMIT 1",
    )
    .bind(review.workspace)
    .bind(review.item_id)
    .query_opt(tx)
    .await?
    .map(|row| row.read("installed_version"))
    .transpose()
}

/// Deletes the caller's review of a listing.
pub async fn delete_review(
    client: &mut Client,
    user_id: i64,
    item_id: i64,
) -> Result<(), CatalogError> {
    let tx = client.transaction().await?;
    visible_kind(&tx, Audience::Member(user_id), item_id).await?;
    // A hidden review stays, hidden, so that deleting and posting again cannot undo an admin's hide: the
    // author no longer sees it, and a new post replaces it and stays hidden.
    let found = Statement::new(
        "WITH mine AS (SELECT id, hidden_at FROM user_reviews WHERE item_id = $1 AND user_id = $2 FOR UPDATE),
              deleted AS (DELETE FROM user_reviews r USING mine
                          WHERE r.id = mine.id AND mine.hidden_at IS NULL RETURNING r.id)
         SELECT count(*) AS found FROM mine",
    )
    .bind(item_id)
    .bind(user_id)
    .query_one(&tx)
    .await?
    .read::<i64>("found")?;
    if found == 0 {
        return Err(CatalogError::NotFound("review"));
    }
    tx.commit().await?;
    Ok(())
}

/// Hides a review (with the admin's reason) or shows it again; either is recorded in `admin_actions`.
/// A review of a delisted listing is not found.
pub async fn set_review_hidden(
    client: &mut Client,
    admin_id: i64,
    review_id: i64,
    hide: Option<&str>,
) -> Result<UserReview, CatalogError> {
    let tx = client.transaction().await?;
    let row = Statement::new(
        "SELECT item_id, item_kind::text AS item_kind FROM user_reviews WHERE id = $1 FOR UPDATE",
    )
    .bind(review_id)
    .query_opt(&tx)
    .await?
    .ok_or(CatalogError::NotFound("review"))?;
    let item_id: i64 = row.read("item_id")?;
    let kind: ItemKind = row.read("item_kind")?;
    match visible_kind(&tx, Audience::MarketplaceAdmin, item_id).await {
        Ok(listed) if listed == kind => {}
        Ok(_) | Err(CatalogError::NotFound(_)) => return Err(CatalogError::NotFound("review")),
        Err(error) => return Err(error),
    }
    Statement::new(
        "UPDATE user_reviews SET hidden_at = CASE WHEN $2 THEN coalesce(hidden_at, now()) END WHERE id = $1",
    )
    .bind(review_id)
    .bind(hide.is_some())
    .execute(&tx)
    .await?;
    let action = if hide.is_some() {
        "hide_review"
    } else {
        "unhide_review"
    };
    Statement::new(
        "INSERT INTO admin_actions (admin_id, action, item_id, item_kind, reason, review_id)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(admin_id)
    .bind(action)
    .bind(item_id)
    .bind(kind)
    .bind(hide)
    .bind(review_id)
    .execute(&tx)
    .await?;
    let review = read_review(&tx, Audience::MarketplaceAdmin, review_id)
        .await?
        .ok_or(CatalogError::NotFound("review"))?;
    tx.commit().await?;
    Ok(review)
}

/// The prior of the Bayesian averages behind `sort=rating`: `weight` ratings at `mean`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RatingPrior {
    pub weight: f64,
    pub mean: f64,
}

/// Makes the prior's mean the global mean of the visible ratings and re-scores every rated listing with it
/// (`rating_prior_refresh()`, V8). Maintenance: it rewrites each rated listing's row.
pub async fn refresh_rating_prior(db: &impl Sql) -> Result<RatingPrior, CatalogError> {
    Statement::new("SELECT rating_prior_refresh()")
        .execute(db)
        .await?;
    // A statement reads the snapshot it started with: the refreshed prior is read by the next one.
    let row = Statement::new("SELECT weight, mean FROM rating_prior")
        .query_one(db)
        .await?;
    Ok(RatingPrior {
        weight: row.read("weight")?,
        mean: row.read("mean")?,
    })
}

/// The order of a page of reviews. Every order ends in the most recently written first, then `id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReviewSort {
    /// Most recently written (or replaced) first.
    #[default]
    Newest,
    /// Most stars first.
    RatingHigh,
    /// Fewest stars first.
    RatingLow,
}

impl ReviewSort {
    pub const ALL: [Self; 3] = [Self::Newest, Self::RatingHigh, Self::RatingLow];

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|sort| sort.as_str() == value)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Newest => "newest",
            Self::RatingHigh => "rating_high",
            Self::RatingLow => "rating_low",
        }
    }

    /// The keys over a review row `r`, all descending, matching one index of V8 each (after `item_id`).
    fn keys(self) -> &'static str {
        match self {
            Self::Newest => "r.updated_at, r.id",
            Self::RatingHigh => "r.rating, r.updated_at, r.id",
            Self::RatingLow => "-r.rating, r.updated_at, r.id",
        }
    }
}

/// Where a page of reviews starts: just after the review with these keys, in its order. Opaque to clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewCursor {
    pub sort: ReviewSort,
    rating: i16,
    updated_at: DateTime<Utc>,
    id: i64,
}

impl ReviewCursor {
    fn after(sort: ReviewSort, review: &UserReview) -> Self {
        Self {
            sort,
            rating: review.rating,
            updated_at: review.updated_at,
            id: review.id,
        }
    }

    fn scope(item_id: i64, sort: ReviewSort) -> String {
        format!("reviews\n{item_id}\n{}", sort.as_str())
    }

    /// The signed token of this position among item `item_id`'s reviews.
    pub fn encode(&self, item_id: i64) -> String {
        cursor::encode(
            &Self::scope(item_id, self.sort),
            &[
                self.rating.into(),
                self.updated_at.timestamp_micros().into(),
                self.id.into(),
            ],
        )
    }

    /// A token this route issued for item `item_id`'s reviews in `sort` order, or why not.
    pub fn parse(token: &str, item_id: i64, sort: ReviewSort) -> Result<Self, CursorError> {
        const POSITION: [KeyType; 3] = [KeyType::Integer, KeyType::Timestamp, KeyType::Integer];
        match cursor::decode(token, &Self::scope(item_id, sort), &POSITION)?[..] {
            [PositionValue::Integer(rating), PositionValue::Integer(micros), PositionValue::Integer(id)]
                if (1..=5).contains(&rating) && id > 0 =>
            {
                Ok(Self {
                    sort,
                    rating: rating as i16,
                    updated_at: DateTime::from_timestamp_micros(micros)
                        .ok_or(CursorError::Malformed)?,
                    id,
                })
            }
            _ => Err(CursorError::Malformed),
        }
    }
}

/// A validated request for a page of a listing's reviews.
#[derive(Debug, Clone, Copy)]
pub struct ReviewQuery {
    pub sort: ReviewSort,
    pub limit: i64,
    /// Made for `sort` (the HTTP layer checks it).
    pub cursor: Option<ReviewCursor>,
}

/// A listing's rating in full: what summaries show, and how many reviews gave each number of stars.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RatingSummary {
    pub average: Option<f64>,
    pub count: i64,
    /// `"1"` … `"5"`.
    pub histogram: BTreeMap<String, i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReviewPage {
    pub reviews: Vec<UserReview>,
    pub summary: RatingSummary,
    pub next_cursor: Option<String>,
}

/// A page of the reviews of a listing this audience may see. Admins see hidden reviews too, marked.
pub async fn list_reviews(
    db: &impl Sql,
    audience: Audience,
    item_id: i64,
    query: &ReviewQuery,
) -> Result<ReviewPage, CatalogError> {
    let rows = reviews_statement(audience, item_id, query)
        .query(db)
        .await?;
    let summary = RatingSummary::from_row(rows.first().ok_or(CatalogError::NotFound("item"))?)?;
    let mut reviews = rows
        .iter()
        .filter(|row| matches!(row.read::<Option<i64>>("id"), Ok(Some(_))))
        .map(|row| UserReview::from_row(row, audience))
        .collect::<Result<Vec<_>, _>>()?;
    let next_cursor = if reviews.len() as i64 > query.limit {
        reviews.truncate(query.limit as usize);
        reviews
            .last()
            .map(|last| ReviewCursor::after(query.sort, last).encode(item_id))
    } else {
        None
    };
    Ok(ReviewPage {
        reviews,
        summary,
        next_cursor,
    })
}

/// The listing's rating from its row (five primary-key probes) when this audience may see the listing, and
/// beside it one page of reviews and one more (to tell whether another page follows), from the order's
/// index: one row per review, or one row with no review when there are none.
pub fn reviews_statement(
    audience: Audience,
    item_id: i64,
    query: &ReviewQuery,
) -> Statement<'static> {
    let keys = query.sort.keys();
    let order = keys
        .split(", ")
        .map(|key| format!("{key} DESC"))
        .collect::<Vec<_>>()
        .join(", ");
    let hidden = if audience.is_admin() {
        ""
    } else {
        " AND r.hidden_at IS NULL"
    };
    let mut params = Params::default();
    let item = params.bind(item_id);
    let limit = params.bind(query.limit + 1);
    let after = match query.cursor {
        Some(cursor) => {
            let mut bound = Vec::new();
            if cursor.sort != ReviewSort::Newest {
                let rating = match cursor.sort {
                    ReviewSort::RatingLow => -cursor.rating,
                    _ => cursor.rating,
                };
                bound.push(params.bind(i32::from(rating)).to_string());
            }
            bound.push(params.bind(cursor.updated_at).to_string());
            bound.push(params.bind(cursor.id).to_string());
            format!(" AND ({keys}) < ({})", bound.join(", "))
        }
        None => String::new(),
    };
    let probes = union_all(&ItemKind::ALL, |kind| {
        format!(
            "SELECT t.rating_sum, t.rating_count, t.rating_histogram FROM {table} t WHERE t.id = {item} AND {listed}",
            table = kind.table(),
            listed = audience.listed("t"),
        )
    });
    Statement::with_params(
        format!(
            "SELECT summary.*, page.* FROM ({probes}) summary LEFT JOIN LATERAL (
                 SELECT {REVIEW_COLUMNS}
                 FROM user_reviews r JOIN users u ON u.id = r.user_id
                 WHERE r.item_id = {item}{hidden}{after}
                 ORDER BY {order} LIMIT {limit}) page ON true"
        ),
        params,
    )
}

/// What [`UserReview::from_row`] reads, from a review `r` and its author `u`.
const REVIEW_COLUMNS: &str =
    "r.id, r.rating, r.title, r.body, r.user_id, u.display_name AS author_name, \
     r.installed_version::text AS installed_version, r.created_at, r.updated_at, \
     r.hidden_at IS NOT NULL AS hidden";

/// One review by id, as `audience` sees it.
async fn read_review(
    db: &impl Sql,
    audience: Audience,
    review_id: i64,
) -> Result<Option<UserReview>, CatalogError> {
    Statement::new(format!(
        "SELECT {REVIEW_COLUMNS} FROM user_reviews r JOIN users u ON u.id = r.user_id WHERE r.id = $1"
    ))
    .bind(review_id)
    .query_opt(db)
    .await?
    .map(|row| UserReview::from_row(&row, audience))
    .transpose()
}

impl UserReview {
    fn from_row(row: &Row, audience: Audience) -> Result<Self, CatalogError> {
        Ok(Self {
            id: row.read("id")?,
            rating: row.read("rating")?,
            title: row.read("title")?,
            body: row.read("body")?,
            author: Creator {
                id: row.read("user_id")?,
                display_name: row.read("author_name")?,
            },
            verified_install: true,
            installed_version: row.read("installed_version")?,
            created_at: row.read("created_at")?,
            updated_at: row.read("updated_at")?,
            hidden: audience
                .is_admin()
                .then(|| row.read("hidden"))
                .transpose()?,
        })
    }
}

impl RatingSummary {
    fn from_row(row: &Row) -> Result<Self, CatalogError> {
        let Rating { average, count } = Rating::from_row(row)?;
        let stars: Vec<i32> = row.read("rating_histogram")?;
        let histogram = stars
            .iter()
            .enumerate()
            .map(|(i, n)| ((i + 1).to_string(), i64::from(*n)))
            .collect();
        Ok(Self {
            average,
            count,
            histogram,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_read_back_for_their_item_and_order_only() {
        let cursor = ReviewCursor {
            sort: ReviewSort::RatingLow,
            rating: 2,
            updated_at: DateTime::from_timestamp_micros(1_764_000_000_123_456).unwrap(),
            id: 42,
        };
        let token = cursor.encode(36);
        assert_eq!(ReviewCursor::parse(&token, 36, cursor.sort), Ok(cursor));
        assert_eq!(
            ReviewCursor::parse(&token, 23, cursor.sort),
            Err(CursorError::OtherListing)
        );
        assert_eq!(
            ReviewCursor::parse(&token, 36, ReviewSort::Newest),
            Err(CursorError::OtherListing)
        );
        let six_stars = ReviewCursor {
            rating: 6,
            ..cursor
        }
        .encode(36);
        for raw in ["", "x", "bmV3ZXN0", "bmV3ZXN0LjEuMS4x.", six_stars.as_str()] {
            assert_eq!(
                ReviewCursor::parse(raw, 36, cursor.sort),
                Err(CursorError::Malformed),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn every_review_order_runs_one_way() {
        for sort in ReviewSort::ALL {
            assert_eq!(ReviewSort::parse(sort.as_str()), Some(sort));
            assert!(sort.keys().ends_with("r.updated_at, r.id"));
        }
        assert_eq!(ReviewSort::parse("oldest"), None);
    }
}
