//! One request to a route, as API Gateway would hand it over, run through its real handler.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use lambda_http::http;
use marketplace_http::routes::match_route;
use marketplace_http::AppState;
use serde_json::{Map, Value};

use super::MEMBER;
use crate::Error;

/// One request to a route, as API Gateway would hand it over.
pub(super) struct Call {
    pub(super) method: &'static str,
    pub(super) uri: String,
    pub(super) workspace: Option<uuid::Uuid>,
    pub(super) body: Option<Value>,
    /// The capabilities digest sent as `Accept-Capabilities`.
    pub(super) consent: Option<String>,
    /// Whose token it carries.
    pub(super) subject: &'static str,
    /// The `Idempotency-Key` it sends.
    pub(super) key: Option<&'static str>,
}

impl Call {
    pub(super) fn get(uri: impl Into<String>) -> Self {
        Self {
            method: "GET",
            uri: uri.into(),
            workspace: None,
            body: None,
            consent: None,
            subject: MEMBER,
            key: None,
        }
    }

    pub(super) fn post(uri: impl Into<String>, workspace: uuid::Uuid) -> Self {
        Self {
            method: "POST",
            uri: uri.into(),
            workspace: Some(workspace),
            body: None,
            consent: None,
            subject: MEMBER,
            key: None,
        }
    }

    /// Consents to the capabilities of this digest up front (no refused first attempt).
    pub(super) fn consenting(mut self, digest: String) -> Self {
        self.consent = Some(digest);
        self
    }

    /// Sends this `Idempotency-Key`.
    pub(super) fn keyed(mut self, key: &'static str) -> Self {
        self.key = Some(key);
        self
    }

    pub(super) fn with_body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    pub(super) fn delete(uri: impl Into<String>, workspace: uuid::Uuid) -> Self {
        Self {
            method: "DELETE",
            uri: uri.into(),
            workspace: Some(workspace),
            body: None,
            consent: None,
            subject: MEMBER,
            key: None,
        }
    }

    /// The same request from another user.
    pub(super) fn sent_by(mut self, subject: &'static str) -> Self {
        self.subject = subject;
        self
    }

    pub(super) fn in_workspace(mut self, workspace: uuid::Uuid) -> Self {
        self.workspace = Some(workspace);
        self
    }

    /// Runs the route's handler; returns the time it took and the response body. A request refused for want
    /// of consent to its capabilities is sent again with the digest the refusal names (as a client that
    /// read the plan would send it), and that request is the one timed.
    pub(super) async fn run(&self, state: &AppState) -> Result<(Duration, Value), Error> {
        match self.run_once(state, self.consent.as_deref()).await? {
            Answer::ConsentRequired(digest) => match self.run_once(state, Some(&digest)).await? {
                Answer::Done(elapsed, body) => Ok((elapsed, body)),
                Answer::ConsentRequired(_) => Err("consent refused twice".into()),
            },
            Answer::Done(elapsed, body) => Ok((elapsed, body)),
        }
    }

    async fn run_once(&self, state: &AppState, consent: Option<&str>) -> Result<Answer, Error> {
        let mut builder = http::Request::builder().method(self.method).uri(&self.uri);
        if let Some(digest) = consent {
            builder = builder.header("accept-capabilities", digest);
        }
        if let Some(workspace) = self.workspace {
            builder = builder.header("x-workspace-id", workspace.to_string());
        }
        if let Some(key) = self.key {
            builder = builder.header("idempotency-key", key);
        }
        let body = match &self.body {
            Some(body) => {
                builder = builder.header("content-type", "application/json");
                body.to_string().into_bytes()
            }
            None => Vec::new(),
        };
        let (parts, ()) = builder.body(())?.into_parts();
        let (route, params) = match_route(self.method, parts.uri.path()).ok_or("no route")?;
        let mut claims = Map::new();
        claims.insert("sub".into(), self.subject.into());
        let peer: SocketAddr = "127.0.0.1:9".parse()?;
        let req = local_api::event::lambda_request(&parts, &body, route, params, claims, peer)?;
        let started = Instant::now();
        let response = local_api::dispatch(route.function, state, req)
            .await
            .ok_or("no handler")?;
        let elapsed = started.elapsed();
        let status = response.status();
        let body = match response.into_body() {
            lambda_http::Body::Text(text) => serde_json::from_str(&text).unwrap_or(Value::Null),
            _ => Value::Null,
        };
        if status.as_u16() == 409 && body["code"] == "capabilities_consent_required" {
            let digest = body["capabilities_digest"].as_str().ok_or("no digest")?;
            return Ok(Answer::ConsentRequired(digest.to_owned()));
        }
        if !status.is_success() {
            return Err(format!("{} {} answered {status}: {body}", self.method, self.uri).into());
        }
        Ok(Answer::Done(elapsed, body))
    }
}

enum Answer {
    Done(Duration, Value),
    /// Refused until the caller consents to the capabilities of this digest.
    ConsentRequired(String),
}
