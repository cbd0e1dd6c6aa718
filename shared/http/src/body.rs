use lambda_http::http::header;
use lambda_http::{Body, Request};
use serde::de::DeserializeOwned;

use crate::ApiError;

/// Largest request body accepted (API.md: 256 KiB).
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// The request's JSON body, required.
pub fn json_body<T: DeserializeOwned>(req: &Request) -> Result<T, ApiError> {
    optional_json_body(req)?.ok_or_else(|| ApiError::bad_request("A JSON body is required."))
}

/// The request's JSON body, or `None` when there is none.
pub fn optional_json_body<T: DeserializeOwned>(req: &Request) -> Result<Option<T>, ApiError> {
    let bytes: &[u8] = match req.body() {
        Body::Empty => return Ok(None),
        Body::Text(text) => text.as_bytes(),
        Body::Binary(bytes) => bytes,
        _ => return Err(ApiError::bad_request("Unreadable request body.")),
    };
    if bytes.len() > MAX_BODY_BYTES {
        return Err(ApiError::payload_too_large(format!(
            "The request body is over {} KiB.",
            MAX_BODY_BYTES / 1024
        )));
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    let media_type = content_type.split(';').next().unwrap_or("").trim();
    if !(media_type.eq_ignore_ascii_case("application/json") || media_type.ends_with("+json")) {
        return Err(ApiError::unsupported_media_type(
            "Send the body as application/json.",
        ));
    }
    serde_json::from_slice(bytes).map(Some).map_err(|error| {
        ApiError::bad_request(format!("The body is not valid JSON here: {error}."))
    })
}
