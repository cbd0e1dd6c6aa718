//! The API description and its rendered reference, served by the local API (no token needed): what the
//! frontend team reads while it builds against the local API.

use lambda_http::http::{header, StatusCode};
use lambda_http::{Body, Response};

/// `openapi.yaml`, as committed.
const OPENAPI: &str = include_str!("../../../openapi.yaml");
/// `docs/reference.html`: Redocly's rendering of `openapi.yaml`, self-contained (`scripts/build-reference.sh`).
const REFERENCE: &str = include_str!("../../../docs/reference.html");

/// The document for a `GET` of `path`, if it is one of them.
pub fn document(method: &str, path: &str) -> Option<Response<Body>> {
    if method != "GET" {
        return None;
    }
    let (content_type, text) = match path.trim_end_matches('/') {
        "/openapi.yaml" => ("application/yaml", OPENAPI),
        "/docs" => ("text/html; charset=utf-8", REFERENCE),
        _ => return None,
    };
    Some(
        Response::builder()
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::Text(text.to_owned()))
            .expect("status and headers are valid"),
    )
}
