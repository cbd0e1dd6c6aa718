//! Every request's time budget: a handler that has not answered within it is abandoned, and the client is
//! told to retry (503 with `Retry-After`); see `request_scope.rs` for what becomes of its connection.

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

use lambda_http::http::HeaderValue;
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};

use crate::error::ApiError;
use crate::request_scope::{RequestScope, REQUEST_ID_HEADER};
use crate::response::{respond, HandlerResult};

/// Runs `handler` for `req` within `budget` and answers its result through the one mapping ([`respond`]):
/// past the budget, 503 with `Retry-After`. Every answer carries the request id and is logged with its
/// status and latency.
pub async fn within_budget<F, Fut>(budget: Duration, req: Request, handler: F) -> Response<Body>
where
    F: FnOnce(Request) -> Fut,
    Fut: Future<Output = HandlerResult>,
{
    let started = Instant::now();
    let scope = RequestScope::new(request_id(&req), &route(&req));
    let span = scope.span().clone();
    let mut request = Running {
        handler: Box::pin(scope.run(handler(req))),
        scope: scope.clone(),
        answered: false,
    };
    let mut response = tokio::select! {
        result = &mut request.handler => {
            request.answered = true;
            scope.sync(|| respond(result))
        }
        () = tokio::time::sleep(budget) => {
            tracing::warn!(parent: &span, budget_ms = budget.as_millis(), "abandoned: over its time budget");
            scope.sync(|| ApiError::service_unavailable(1).into_response())
        }
    };
    if let Ok(id) = HeaderValue::from_str(scope.id()) {
        response.headers_mut().insert(REQUEST_ID_HEADER, id);
    }
    tracing::info!(
        parent: &span,
        status = response.status().as_u16(),
        latency_ms = started.elapsed().as_secs_f64() * 1000.0,
        "answered"
    );
    response
}

/// Lambda's request id when running in Lambda; otherwise the API Gateway event's (the local API makes one).
fn request_id(req: &Request) -> String {
    if let Some(context) = req.lambda_context_ref() {
        if !context.request_id.is_empty() {
            return context.request_id.clone();
        }
    }
    match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(context)) => {
            context.request_id.clone().unwrap_or_default()
        }
        _ => String::new(),
    }
}

/// The route key, such as `GET /api/marketplace/items/{id}`.
fn route(req: &Request) -> String {
    match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(context)) => {
            context.route_key.clone().unwrap_or_default()
        }
        _ => String::new(),
    }
}

/// A running handler. Dropped before it answered, it marks the request abandoned first, then drops the
/// handler (and with it the request's connection, which sees the mark).
struct Running<F> {
    handler: Pin<Box<F>>,
    scope: RequestScope,
    answered: bool,
}

impl<F> Drop for Running<F> {
    fn drop(&mut self) {
        if !self.answered {
            self.scope.abandon();
        }
    }
}
