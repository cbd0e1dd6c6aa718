use std::convert::Infallible;
use std::future::Future;

use lambda_http::{service_fn, Request};

use crate::budget::within_budget;
use crate::response::HandlerResult;
use crate::state::AppState;

/// The Lambda entry point of every function: state built once, before the first request, then
/// `handler` for each request, its result (errors included) answered through the one mapping
/// ([`within_budget`]). A route function's `lib.rs` holds only its `handle`.
pub async fn run<F, Fut>(handler: F) -> Result<(), lambda_http::Error>
where
    F: Fn(&'static AppState, Request) -> Fut + Sync,
    Fut: Future<Output = HandlerResult> + Send,
{
    lambda_http::tracing::init_default_subscriber();
    let state: &'static AppState = Box::leak(Box::new(AppState::from_env().await?));
    lambda_http::run(service_fn(|req| {
        let response = within_budget(state.config.request_budget, req, |req| handler(state, req));
        async move { Ok::<_, Infallible>(response.await) }
    }))
    .await
}
