use lambda_http::{Body, Request, Response};
use marketplace_http::AppState;

/// Runs the handler of the function named `function`, as its Lambda would. `None` for an unknown name.
pub async fn dispatch(function: &str, state: &AppState, req: Request) -> Option<Response<Body>> {
    Some(match function {
        "list-items" => list_items::handle(state, req).await,
        "get-item" => get_item::handle(state, req).await,
        "list-item-versions" => list_item_versions::handle(state, req).await,
        "featured-items" => featured_items::handle(state, req).await,
        "list-categories" => list_categories::handle(state, req).await,
        "marketplace-stats" => marketplace_stats::handle(state, req).await,
        _ => return None,
    })
}

/// Whether [`dispatch`] knows the function (checked against the route table by a test).
pub fn has_handler(function: &str) -> bool {
    matches!(
        function,
        "list-items"
            | "get-item"
            | "list-item-versions"
            | "featured-items"
            | "list-categories"
            | "marketplace-stats"
    )
}
