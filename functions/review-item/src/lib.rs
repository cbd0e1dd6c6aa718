//! `POST /api/marketplace/items/{id}/reviews`: the caller's review of a listing their workspace installed;
//! a second one replaces the first.

use marketplace_catalog::{limits, NewReview};
use marketplace_http::{
    json, path_id, workspace_session, Access, AppState, HandlerResult, JsonFields, Request,
    StatusCode,
};

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> HandlerResult {
    let (mut session, workspace) = workspace_session(state, &req, Access::Read).await?;
    let item_id = path_id(&req, "id")?;
    let mut body = JsonFields::required(&req)?;
    let rating = body.required_integer("rating", limits::RATING_STARS);
    let title = body.prose("title", limits::REVIEW_TITLE_CHARS);
    let text = body.prose("body", limits::REVIEW_BODY_CHARS);
    let review = body.finish_with(|| {
        Some(NewReview {
            item_id,
            workspace: workspace.id,
            user_id: session.caller.user.id,
            rating: i16::try_from(rating?).ok()?,
            title,
            body: text,
        })
    })?;
    let posted = marketplace_catalog::post_review(
        session.db.client_mut(),
        &review,
        state.config.review_limit,
    )
    .await?;
    let status = if posted.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(json(status, &posted.review))
}
