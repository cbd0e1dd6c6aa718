//! The time bound of every request: a handler that has not answered within the budget is abandoned and the
//! client is told to retry (503). A request abandoned for any reason (the budget, or a client that went
//! away) never hands its connection back to the pool: a statement may still be running on it. Nor does a
//! request whose connection failed: the pool could hand it out again before noticing it is closed.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use lambda_http::{Body, Response};

use crate::ApiError;

tokio::task_local! {
    static SCOPE: RequestScope;
}

/// What happened to the request running on a task, as far as its connection is concerned.
#[derive(Debug, Clone, Default)]
pub(crate) struct RequestScope(Arc<Flags>);

#[derive(Debug, Default)]
struct Flags {
    /// The handler was dropped before it answered.
    abandoned: AtomicBool,
    /// A statement failed because the connection broke.
    connection_lost: AtomicBool,
}

impl RequestScope {
    /// The scope of the request running on this task, if any (the benchmark calls the domain directly).
    pub(crate) fn current() -> Option<Self> {
        SCOPE.try_with(Self::clone).ok()
    }

    /// Marks the current request's connection as broken.
    pub(crate) fn connection_lost() {
        let _ = SCOPE.try_with(|scope| scope.0.connection_lost.store(true, Ordering::Release));
    }

    /// Whether the request's connection must be closed rather than returned to the pool.
    pub(crate) fn must_discard_connection(&self) -> bool {
        self.0.abandoned.load(Ordering::Acquire) || self.0.connection_lost.load(Ordering::Acquire)
    }

    fn abandon(&self) {
        self.0.abandoned.store(true, Ordering::Release);
    }
}

/// Runs `handler` for at most `budget`; past it, answers 503 with `Retry-After`.
pub async fn within_budget(
    budget: Duration,
    handler: impl Future<Output = Response<Body>>,
) -> Response<Body> {
    let scope = RequestScope::default();
    let mut request = Request {
        handler: Box::pin(SCOPE.scope(scope.clone(), handler)),
        scope,
        answered: false,
    };
    tokio::select! {
        response = &mut request.handler => {
            request.answered = true;
            response
        }
        () = tokio::time::sleep(budget) => {
            tracing::warn!(budget_ms = budget.as_millis(), "request abandoned: over its time budget");
            ApiError::service_unavailable(1).into_response()
        }
    }
}

/// A running handler. Dropped before it answered, it marks the request abandoned first, then drops the
/// handler (and with it the request's connection, which sees the mark).
struct Request<F> {
    handler: Pin<Box<F>>,
    scope: RequestScope,
    answered: bool,
}

impl<F> Drop for Request<F> {
    fn drop(&mut self) {
        if !self.answered {
            self.scope.abandon();
        }
    }
}
