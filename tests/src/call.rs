use std::net::SocketAddr;

use lambda_http::http::{self, HeaderMap};
use marketplace_http::routes::match_route;
use serde_json::{Map, Value};

use crate::TestApp;

/// A request to one route, sent through the route table, the API Gateway v2 event and the real handler,
/// with the claims the JWT authorizer would pass on.
#[must_use]
#[derive(Clone)]
pub struct Call<'a> {
    app: &'a TestApp,
    method: &'static str,
    uri: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    claims: Map<String, Value>,
    /// Whether a request refused for want of consent to its capabilities is sent again with the digest the
    /// refusal names, as a client that shows the installer the manifest and gets a yes would.
    consents: bool,
}

/// A handler's response, with the body parsed as JSON when it is JSON.
#[derive(Debug)]
pub struct TestResponse {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
    pub json: Value,
}

impl TestResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts the status, showing the body when it differs.
    #[track_caller]
    pub fn assert_status(&self, status: u16) -> &Self {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.text
        );
        self
    }

    /// Asserts an RFC 9457 problem with this status and code.
    #[track_caller]
    pub fn assert_problem(&self, status: u16, code: &str) -> &Self {
        self.assert_status(status);
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json")
        );
        assert_eq!(self.json["status"], status, "{}", self.text);
        assert_eq!(self.json["code"], code, "{}", self.text);
        assert!(
            self.json["title"].is_string() && self.json["detail"].is_string(),
            "{}",
            self.text
        );
        self
    }

    /// The body as the contract's type `T` (`crate::contract_types`).
    #[track_caller]
    pub fn body<T: serde::de::DeserializeOwned>(&self) -> T {
        serde_json::from_value(self.json.clone()).unwrap_or_else(|error| {
            panic!("the body is not the expected type: {error}; {}", self.text)
        })
    }

    /// The fields named in a validation problem's `errors`.
    pub fn error_fields(&self) -> Vec<String> {
        self.json["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .map(|e| e["field"].as_str().unwrap_or("").to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl TestApp {
    pub fn get(&self, uri: impl Into<String>) -> Call<'_> {
        self.call("GET", uri)
    }

    pub fn post(&self, uri: impl Into<String>) -> Call<'_> {
        self.call("POST", uri)
    }

    pub fn delete(&self, uri: impl Into<String>) -> Call<'_> {
        self.call("DELETE", uri)
    }

    pub fn put(&self, uri: impl Into<String>) -> Call<'_> {
        self.call("PUT", uri)
    }

    fn call(&self, method: &'static str, uri: impl Into<String>) -> Call<'_> {
        Call {
            app: self,
            method,
            uri: uri.into(),
            headers: Vec::new(),
            body: Vec::new(),
            claims: Map::new(),
            consents: true,
        }
    }
}

impl Call<'_> {
    /// Sends the request as the user with this auth subject.
    pub fn as_user(self, subject: &str) -> Self {
        self.claim("sub", subject)
    }

    /// Adds a claim the JWT authorizer passes on (`name`, `email`, …).
    pub fn claim(mut self, name: &str, value: &str) -> Self {
        self.claims.insert(name.to_owned(), value.into());
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn workspace(self, id: impl ToString) -> Self {
        self.header("x-workspace-id", &id.to_string())
    }

    pub fn json(mut self, body: &Value) -> Self {
        self.body = body.to_string().into_bytes();
        self.header("content-type", "application/json")
    }

    pub fn raw_body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    /// Sends a refusal for want of consent (`capabilities_consent_required`) back to the test instead of
    /// consenting to what it names.
    pub fn without_consent(mut self) -> Self {
        self.consents = false;
        self
    }

    pub async fn send(self) -> TestResponse {
        let consents = self.consents
            && !self
                .headers
                .iter()
                .any(|(name, _)| name.eq_ignore_ascii_case("accept-capabilities"));
        let again = consents.then(|| self.clone());
        let response = self.send_once().await;
        match again {
            Some(call)
                if response.status == 409
                    && response.json["code"] == "capabilities_consent_required" =>
            {
                let digest = response.json["capabilities_digest"]
                    .as_str()
                    .expect("a consent refusal names the digest")
                    .to_owned();
                call.header("accept-capabilities", &digest)
                    .send_once()
                    .await
            }
            _ => response,
        }
    }

    async fn send_once(self) -> TestResponse {
        let mut builder = http::Request::builder().method(self.method).uri(&self.uri);
        for (name, value) in &self.headers {
            builder = builder.header(name, value);
        }
        let (parts, ()) = builder.body(()).expect("a valid request").into_parts();
        let (route, params) = match_route(self.method, parts.uri.path())
            .unwrap_or_else(|| panic!("no route for {} {}", self.method, self.uri));
        let claims = self.claims;
        let peer: SocketAddr = "127.0.0.1:9".parse().expect("a literal address");
        let req = local_api::event::lambda_request(&parts, &self.body, route, params, claims, peer)
            .expect("a valid API Gateway event");
        let started = crate::statement_log::now();
        let response = local_api::dispatch(route.function, &self.app.state, req)
            .await
            .expect("every route has a handler");
        crate::statement_log::record_request(&self.app.url, route.function, started);
        let (parts, body) = response.into_parts();
        let text = match body {
            lambda_http::Body::Text(text) => text,
            lambda_http::Body::Binary(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            _ => String::new(),
        };
        let response = TestResponse {
            status: parts.status.as_u16(),
            headers: parts.headers,
            json: serde_json::from_str(&text).unwrap_or(Value::Null),
            text,
        };
        crate::contract::check(route.method, route.path, &response);
        response
    }
}
