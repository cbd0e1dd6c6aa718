//! What surrounds every request's handler: its identity, its time budget, and what becomes of its
//! connection.
//!
//! - Identity: the request id (Lambda's deployed, the local API's otherwise) goes out in `X-Request-Id` and
//!   in every problem's `instance`, and every log line of the request carries it with the route, and, once
//!   known, the caller's user id and the workspace — never a token or a configuration value.
//! - Budget: a handler that has not answered within it is abandoned and the client is told to retry (503).
//! - Connection: a request abandoned for any reason (the budget, or a client that went away) never hands its
//!   connection back to the pool, as a statement may still be running on it; nor does a request whose
//!   connection failed, which the pool could hand out again before noticing it is closed.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use lambda_http::http::HeaderValue;
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};
use tracing::Instrument;

use crate::ApiError;

/// The response header carrying the request id.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

tokio::task_local! {
    static SCOPE: RequestScope;
}

/// The request running on a task.
#[derive(Debug, Clone)]
pub(crate) struct RequestScope(Arc<Scope>);

#[derive(Debug)]
struct Scope {
    id: String,
    span: tracing::Span,
    /// The handler was dropped before it answered.
    abandoned: AtomicBool,
    /// A statement failed because the connection broke.
    connection_lost: AtomicBool,
}

impl RequestScope {
    fn new(id: String, route: &str) -> Self {
        let span = tracing::info_span!(
            "request",
            request_id = %id,
            route = %route,
            user_id = tracing::field::Empty,
            workspace = tracing::field::Empty,
        );
        Self(Arc::new(Scope {
            id,
            span,
            abandoned: AtomicBool::new(false),
            connection_lost: AtomicBool::new(false),
        }))
    }

    /// The scope of the request running on this task, if any (the benchmark calls the domain directly).
    pub(crate) fn current() -> Option<Self> {
        SCOPE.try_with(Self::clone).ok()
    }

    /// The current request's id, for a problem's `instance`.
    pub(crate) fn current_id() -> Option<String> {
        SCOPE.try_with(|scope| scope.0.id.clone()).ok()
    }

    /// Marks the current request's connection as broken.
    pub(crate) fn connection_lost() {
        let _ = SCOPE.try_with(|scope| scope.0.connection_lost.store(true, Ordering::Release));
    }

    /// Adds the authenticated caller to the current request's log lines.
    pub(crate) fn record_user(user_id: i64) {
        let _ = SCOPE.try_with(|scope| {
            scope.0.span.record("user_id", user_id);
        });
    }

    /// Adds the workspace to the current request's log lines.
    pub(crate) fn record_workspace(workspace: &impl std::fmt::Display) {
        let _ = SCOPE.try_with(|scope| {
            scope
                .0
                .span
                .record("workspace", tracing::field::display(workspace));
        });
    }

    /// Whether the request's connection must be closed rather than returned to the pool.
    pub(crate) fn must_discard_connection(&self) -> bool {
        self.0.abandoned.load(Ordering::Acquire) || self.0.connection_lost.load(Ordering::Acquire)
    }

    fn abandon(&self) {
        self.0.abandoned.store(true, Ordering::Release);
    }
}

/// Runs `handler` for `req` within `budget`: past it, answers 503 with `Retry-After`. Every answer carries
/// the request id and is logged with its status and latency.
pub async fn within_budget<F, Fut>(budget: Duration, req: Request, handler: F) -> Response<Body>
where
    F: FnOnce(Request) -> Fut,
    Fut: Future<Output = Response<Body>>,
{
    let started = Instant::now();
    let scope = RequestScope::new(request_id(&req), &route(&req));
    let span = scope.0.span.clone();
    let mut request = Running {
        handler: Box::pin(SCOPE.scope(scope.clone(), handler(req).instrument(span.clone()))),
        scope: scope.clone(),
        answered: false,
    };
    let mut response = tokio::select! {
        response = &mut request.handler => {
            request.answered = true;
            response
        }
        () = tokio::time::sleep(budget) => {
            tracing::warn!(parent: &span, budget_ms = budget.as_millis(), "abandoned: over its time budget");
            SCOPE.sync_scope(scope.clone(), || ApiError::service_unavailable(1).into_response())
        }
    };
    if let Ok(id) = HeaderValue::from_str(&scope.0.id) {
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
