//! The API Gateway HTTP API (payload 2.0) event for a request, turned into a `lambda_http::Request` by
//! lambda_http itself, so handlers see locally exactly what they see deployed.

use std::collections::HashMap;
use std::net::SocketAddr;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hyper::http::request::Parts;
use lambda_http::aws_lambda_events::query_map::QueryMap;
use marketplace_http::routes::Route;
use serde_json::{json, Map, Value};

pub fn lambda_request(
    parts: &Parts,
    body: &[u8],
    route: &Route,
    path_parameters: HashMap<String, String>,
    claims: Map<String, Value>,
    peer: SocketAddr,
) -> Result<lambda_http::Request, serde_json::Error> {
    let event = api_gateway_event(parts, body, route, path_parameters, claims, peer);
    lambda_http::request::from_str(&event.to_string())
}

/// The HTTP API (payload 2.0) event API Gateway would send the function for this request.
pub fn api_gateway_event(
    parts: &Parts,
    body: &[u8],
    route: &Route,
    path_parameters: HashMap<String, String>,
    claims: Map<String, Value>,
    peer: SocketAddr,
) -> Value {
    let mut headers = Map::new();
    for (name, value) in &parts.headers {
        // API Gateway passes on bytes that are not visible ASCII too (the handler decides what to make of
        // them); JSON needs a string, so invalid UTF-8 becomes U+FFFD, still not ASCII to the handler.
        let value = String::from_utf8_lossy(value.as_bytes());
        // API Gateway joins repeated headers with commas.
        match headers.get_mut(name.as_str()) {
            Some(Value::String(existing)) => {
                existing.push(',');
                existing.push_str(&value);
            }
            _ => {
                headers.insert(name.as_str().to_owned(), value.into());
            }
        }
    }
    let raw_query = parts.uri.query().unwrap_or("");
    // The authorizer hands claims on as strings.
    let claims: Map<String, Value> = claims
        .into_iter()
        .map(|(name, value)| {
            let text = match value {
                Value::String(text) => text,
                other => other.to_string(),
            };
            (name, Value::String(text))
        })
        .collect();
    let (body, is_base64) = match std::str::from_utf8(body) {
        _ if body.is_empty() => (Value::Null, false),
        Ok(text) => (Value::String(text.to_owned()), false),
        Err(_) => (Value::String(STANDARD.encode(body)), true),
    };
    let now = chrono::Utc::now();
    let route_key = format!("{} {}", route.method, route.path);
    let path = parts.uri.path();
    let mut event = json!({
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": path,
        "rawQueryString": raw_query,
        "headers": headers,
        "pathParameters": path_parameters,
        "requestContext": {
            "accountId": "local",
            "apiId": "local",
            "domainName": "localhost",
            "domainPrefix": "localhost",
            "requestId": uuid::Uuid::new_v4().to_string(),
            "routeKey": route_key,
            "stage": "$default",
            "time": now.format("%d/%b/%Y:%H:%M:%S %z").to_string(),
            "timeEpoch": now.timestamp_millis(),
            "http": {
                "method": parts.method.as_str(),
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": peer.ip().to_string(),
                "userAgent": headers.get("user-agent").cloned().unwrap_or_else(|| "".into()),
            },
            "authorizer": {"jwt": {"claims": claims, "scopes": null}},
        },
        "body": body,
        "isBase64Encoded": is_base64,
    });
    if !raw_query.is_empty() {
        event["queryStringParameters"] = query_string_parameters(raw_query).into();
    }
    event
}

/// `queryStringParameters` as API Gateway fills it: decoded, a repeated parameter's values joined with commas.
/// lambda_http reads `rawQueryString` instead (every value of a repeated parameter kept), so handlers never
/// see this; it is here so that the event is the deployed one.
fn query_string_parameters(raw_query: &str) -> Map<String, Value> {
    let parsed: QueryMap = raw_query.parse().unwrap_or_default();
    let mut names: Vec<&str> = parsed.iter().map(|(name, _)| name).collect();
    names.dedup();
    names
        .into_iter()
        .map(|name| {
            let values = parsed.all(name).unwrap_or_default().join(",");
            (name.to_owned(), Value::String(values))
        })
        .collect()
}
