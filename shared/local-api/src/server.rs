//! The HTTP side of the local API: route, authenticate, build the event, call the function, answer.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use marketplace_http::routes::match_route;
use marketplace_http::{body_too_large, ApiError, AppState, MAX_BODY_BYTES, REQUEST_ID_HEADER};
use tokio::net::TcpListener;

use crate::{dispatch, event, jwt, reference};

/// API Gateway HTTP API's limit on the request line and header values together ("Total combined size of
/// request line and header values", AWS quotas), in bytes; over it, 431.
pub const MAX_HEAD_BYTES: usize = 10_240;

/// How much of a request hyper buffers while reading its head. Well above [`MAX_HEAD_BYTES`], so that a large
/// head reaches [`LocalApi::answer`] and gets the problem+json 431 (a head bigger still gets hyper's own bare
/// 431).
const MAX_BUF_BYTES: usize = 4 * 1024 * 1024;

/// How many header fields hyper reads before giving up with its own bare 431: far more than fit in
/// [`MAX_HEAD_BYTES`], so that a head of many small fields gets the problem+json 431 too.
const MAX_HEADER_FIELDS: usize = 4096;

/// Everything the local API needs to answer a request.
pub struct LocalApi {
    pub state: AppState,
    /// The HS256 secret of bearer tokens.
    pub jwt_secret: Vec<u8>,
    /// The issuer and audience bearer tokens must name.
    pub jwt: jwt::Configuration,
}

impl LocalApi {
    /// Serves connections from `listener` until `shutdown` completes.
    pub async fn serve(self: Arc<Self>, listener: TcpListener, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            let (stream, peer) = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok(accepted) => accepted,
                    Err(error) => {
                        tracing::warn!(%error, "accept failed");
                        continue;
                    }
                },
                () = &mut shutdown => return,
            };
            let api = Arc::clone(&self);
            tokio::spawn(async move {
                let service = service_fn(move |req| {
                    let api = Arc::clone(&api);
                    async move { Ok::<_, Infallible>(api.answer(req, peer).await) }
                });
                if let Err(error) = http1::Builder::new()
                    .max_buf_size(MAX_BUF_BYTES)
                    .max_headers(MAX_HEADER_FIELDS)
                    .serve_connection(TokioIo::new(stream), service)
                    .await
                {
                    tracing::debug!(%error, "connection closed with an error");
                }
            });
        }
    }

    /// One request, as API Gateway and the function together would answer it.
    pub async fn answer(&self, req: Request<Incoming>, peer: SocketAddr) -> Response<Full<Bytes>> {
        let started = Instant::now();
        let method = req.method().clone();
        let path = req.uri().path().to_owned();
        let response = match self.route(req, peer).await {
            Ok(response) => response,
            // Answered before any function ran (no route, no token, headers too large), as API Gateway
            // would: with a request id of its own.
            Err(error) => error.into_response_for(Some(&uuid::Uuid::new_v4().to_string())),
        };
        let request_id = response
            .headers()
            .get(REQUEST_ID_HEADER)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("")
            .to_owned();
        tracing::info!(
            %request_id, %method, %path, status = response.status().as_u16(),
            ms = started.elapsed().as_secs_f64() * 1000.0, "request"
        );
        let (parts, body) = response.into_parts();
        let bytes = match body {
            lambda_http::Body::Empty => Bytes::new(),
            lambda_http::Body::Text(text) => Bytes::from(text),
            lambda_http::Body::Binary(bytes) => Bytes::from(bytes),
            _ => Bytes::new(),
        };
        Response::from_parts(parts, Full::new(bytes))
    }

    async fn route(
        &self,
        req: Request<Incoming>,
        peer: SocketAddr,
    ) -> Result<lambda_http::Response<lambda_http::Body>, ApiError> {
        check_head_size(&req)?;
        if let Some(document) = reference::document(req.method().as_str(), req.uri().path()) {
            return Ok(document);
        }
        let (route, path_parameters) = match_route(req.method().as_str(), req.uri().path())
            .ok_or_else(|| ApiError::not_found("No such route."))?;
        let claims = self.authorize(&req)?;
        let (parts, body) = req.into_parts();
        let body = Limited::new(body, MAX_BODY_BYTES)
            .collect()
            .await
            .map_err(|_| body_too_large())?
            .to_bytes();
        let lambda_req = event::lambda_request(&parts, &body, route, path_parameters, claims, peer)
            .map_err(|error| {
                tracing::error!(%error, "could not build the API Gateway event");
                ApiError::internal()
            })?;
        dispatch(route.function, &self.state, lambda_req)
            .await
            .ok_or_else(|| {
                tracing::error!(function = route.function, "route has no handler");
                ApiError::internal()
            })
    }

    /// The JWT authorizer: a valid HS256 bearer token, or 401.
    fn authorize(
        &self,
        req: &Request<Incoming>,
    ) -> Result<serde_json::Map<String, serde_json::Value>, ApiError> {
        let token = req
            .headers()
            .get(hyper::header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| {
                value
                    .strip_prefix("Bearer ")
                    .or_else(|| value.strip_prefix("bearer "))
            })
            .ok_or_else(|| ApiError::unauthorized("A bearer token is required."))?;
        jwt::verify(
            &self.jwt_secret,
            &self.jwt,
            token.trim(),
            chrono::Utc::now().timestamp(),
        )
        .map_err(|error| ApiError::unauthorized(format!("Invalid bearer token: {error}.")))
    }
}

/// API Gateway's check on the head: the request line and the header values together within
/// [`MAX_HEAD_BYTES`] (header names, separators and line ends are not counted, as the quota words it).
fn check_head_size<B>(req: &Request<B>) -> Result<(), ApiError> {
    let target = match req.uri().path_and_query() {
        Some(origin_form) => origin_form.as_str().len(),
        None => req.uri().to_string().len(),
    };
    let version = format!("{:?}", req.version()).len();
    let request_line = req.method().as_str().len() + 1 + target + 1 + version;
    let header_values: usize = req.headers().values().map(|value| value.len()).sum();
    if request_line + header_values > MAX_HEAD_BYTES {
        return Err(ApiError::headers_too_large(format!(
            "The request line and headers must total at most {MAX_HEAD_BYTES} bytes."
        )));
    }
    Ok(())
}
