use lambda_http::http::{header, StatusCode};
use lambda_http::{Body, Response};
use serde::Serialize;

use crate::error::ApiError;

pub type HandlerResult = Result<Response<Body>, ApiError>;

/// A JSON response.
pub fn json(status: StatusCode, body: &impl Serialize) -> Response<Body> {
    match serde_json::to_string(body) {
        Ok(text) => Response::builder()
            .status(status)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::Text(text))
            .expect("status and headers are valid"),
        Err(error) => {
            tracing::error!(%error, "response did not serialise");
            ApiError::internal().into_response()
        }
    }
}

/// A 204: done, nothing to say.
pub fn no_content() -> Response<Body> {
    Response::builder()
        .status(StatusCode::NO_CONTENT)
        .body(Body::Empty)
        .expect("a status alone is a valid response")
}

/// The response for a handler's outcome, errors included: a Lambda handler never returns `Err`, which
/// API Gateway would turn into a bare 500.
pub fn respond(result: HandlerResult) -> Response<Body> {
    result.unwrap_or_else(ApiError::into_response)
}
