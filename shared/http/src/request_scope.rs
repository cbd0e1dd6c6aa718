//! What surrounds every request's handler: its identity and what becomes of its connection (its time
//! budget: `budget.rs`).
//!
//! - Identity: the request id (Lambda's deployed, the local API's otherwise) goes out in `X-Request-Id` and
//!   in every problem's `instance`, and every log line of the request carries it with the route, and, once
//!   known, the caller's user id and the workspace — never a token or a configuration value.
//! - Connection: a request abandoned for any reason (the budget, or a client that went away) never hands its
//!   connection back to the pool, as a statement may still be running on it; nor does a request whose
//!   connection failed, which the pool could hand out again before noticing it is closed.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tracing::Instrument;

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
    pub(crate) fn new(id: String, route: &str) -> Self {
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

    pub(crate) fn id(&self) -> &str {
        &self.0.id
    }

    pub(crate) fn span(&self) -> &tracing::Span {
        &self.0.span
    }

    /// Runs `future` as this request: within its scope and its span.
    pub(crate) fn run<F: Future>(&self, future: F) -> impl Future<Output = F::Output> {
        SCOPE.scope(self.clone(), future.instrument(self.0.span.clone()))
    }

    /// Runs `f` as this request, synchronously.
    pub(crate) fn sync<R>(&self, f: impl FnOnce() -> R) -> R {
        SCOPE.sync_scope(self.clone(), f)
    }

    pub(crate) fn abandon(&self) {
        self.0.abandoned.store(true, Ordering::Release);
    }
}
