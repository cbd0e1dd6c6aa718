//! Black-box: the local API over real HTTP, with real bearer tokens.

use harness::*;
use local_api::jwt;

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

#[tokio::test]
async fn verifies_bearer_tokens_like_the_authorizer() {
    let app = TestApp::new().await;
    app.user("alice").await;
    let id = app.item(ItemKind::Agent, "Visible").insert().await;
    let addr = app.serve_http().await;
    let get = |auth: Option<String>| async move {
        let head = match auth {
            Some(auth) => format!("GET /api/marketplace/items HTTP/1.1\r\nAuthorization: {auth}"),
            None => "GET /api/marketplace/items HTTP/1.1".to_owned(),
        };
        http_request(addr, &head, b"").await
    };

    let valid = jwt::mint(TEST_JWT_SECRET, "alice", now(), 600);
    let (status, head, body) = get(Some(format!("Bearer {valid}"))).await;
    assert_eq!(status, 200, "{body}");
    assert!(head
        .to_ascii_lowercase()
        .contains("content-type: application/json"));
    let page: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(page["items"][0]["id"], id);

    let expired = jwt::mint(TEST_JWT_SECRET, "alice", now() - 7200, 3600);
    let wrong_secret = jwt::mint(b"not-the-secret", "alice", now(), 600);
    let unknown_subject = jwt::mint(TEST_JWT_SECRET, "mallory", now(), 600);
    let no_expiry = jwt::sign(
        TEST_JWT_SECRET,
        &json!({"alg": "HS256"}),
        &json!({"sub": "alice"}),
    );
    for auth in [
        None,
        Some("Bearer".to_owned()),
        Some("Bearer not.a.jwt".to_owned()),
        Some(format!("Basic {valid}")),
        Some(format!("Bearer {expired}")),
        Some(format!("Bearer {wrong_secret}")),
        Some(format!("Bearer {no_expiry}")),
    ] {
        let (status, head, body) = get(auth.clone()).await;
        assert_eq!(status, 401, "{auth:?}: {body}");
        assert!(head
            .to_ascii_lowercase()
            .contains("content-type: application/problem+json"));
        let problem: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(problem["code"], "unauthorized");
    }
    // A verified token of a subject never seen before: its user is made on first use.
    let (status, _, body) = get(Some(format!("Bearer {unknown_subject}"))).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn answers_unknown_routes_and_oversized_bodies_with_problems() {
    let app = TestApp::new().await;
    app.user("alice").await;
    let addr = app.serve_http().await;
    let token = jwt::mint(TEST_JWT_SECRET, "alice", now(), 600);

    let (status, _, body) = http_request(addr, "GET /api/marketplace/nothing HTTP/1.1", b"").await;
    assert_eq!(status, 404);
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["code"],
        "not_found"
    );

    let (status, _, body) = http_request(
        addr,
        &format!("PUT /api/marketplace/items HTTP/1.1\r\nAuthorization: Bearer {token}"),
        b"",
    )
    .await;
    assert_eq!(status, 404, "{body}");

    let big = vec![b'x'; 256 * 1024 + 1];
    let (status, _, body) = http_request(
        addr,
        &format!("GET /api/marketplace/items HTTP/1.1\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json"),
        &big,
    )
    .await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["code"],
        "payload_too_large"
    );
}

#[tokio::test]
async fn passes_query_strings_and_path_parameters_through_the_event() {
    let app = TestApp::new().await;
    app.user("alice").await;
    let id = app
        .item(ItemKind::Skill, "50% off")
        .category("Deals & Offers")
        .insert()
        .await;
    app.item(ItemKind::Skill, "Other")
        .category("Misc")
        .insert()
        .await;
    let addr = app.serve_http().await;
    let token = jwt::mint(TEST_JWT_SECRET, "alice", now(), 600);

    let (status, _, body) = http_request(
        addr,
        &format!("GET /api/marketplace/items?category=deals%20%26%20offers&search=50%25 HTTP/1.1\r\nAuthorization: Bearer {token}"),
        b"",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let page: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"][0]["id"], id);

    let (status, _, body) = http_request(
        addr,
        &format!("GET /api/marketplace/items/{id} HTTP/1.1\r\nAuthorization: Bearer {token}"),
        b"",
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

fn problem(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|_| panic!("a JSON problem, not {body:?}"))
}

fn fields(problem: &Value) -> Vec<&str> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|error| error["field"].as_str().unwrap())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn answers_a_head_over_api_gateways_limit_with_a_problem() {
    let app = TestApp::new().await;
    app.user("alice").await;
    let addr = app.serve_http().await;
    let token = jwt::mint(TEST_JWT_SECRET, "alice", now(), 600);
    let get = |padding: usize| {
        let head = format!(
            "GET /api/marketplace/items HTTP/1.1\r\nAuthorization: Bearer {token}\r\nX-Padding: {}",
            "p".repeat(padding)
        );
        async move { http_request(addr, &head, b"").await }
    };

    // One 1 MB header: far over API Gateway's 10,240 bytes, within what hyper buffers.
    let (status, head, body) = get(1024 * 1024).await;
    assert_eq!(status, 431, "{body}");
    assert!(head
        .to_ascii_lowercase()
        .contains("content-type: application/problem+json"));
    assert_eq!(problem(&body)["code"], "headers_too_large");

    // The limit counts the request line and the header values (http_request adds Host, Connection and
    // Content-Length): exactly 10,240 bytes pass, one more does not.
    let request_line = "GET /api/marketplace/items HTTP/1.1".len();
    let values = format!("Bearer {token}").len() + addr.to_string().len() + "close".len() + 1;
    let padding = 10_240 - request_line - values;
    let (status, _, body) = get(padding).await;
    assert_eq!(status, 200, "{body}");
    let (status, _, body) = get(padding + 1).await;
    assert_eq!(status, 431, "{body}");
    assert_eq!(problem(&body)["code"], "headers_too_large");

    // Many small header fields (far over hyper's default of 100) that together pass the limit: the same
    // problem, with a request id.
    let fields: String = (0..1500)
        .map(|n| format!("\r\nX-F{n}: vvvvvvvvvv"))
        .collect();
    let head =
        format!("GET /api/marketplace/items HTTP/1.1\r\nAuthorization: Bearer {token}{fields}");
    let (status, head, body) = http_request(addr, &head, b"").await;
    assert_eq!(status, 431, "{body}");
    assert_eq!(problem(&body)["code"], "headers_too_large");
    assert!(
        head.to_ascii_lowercase().contains("x-request-id:"),
        "{head}"
    );
}

#[tokio::test]
async fn refuses_path_ids_that_are_not_canonical_digits() {
    let app = TestApp::new().await;
    app.user("alice").await;
    let id = app.item(ItemKind::Agent, "Visible").insert().await;
    let addr = app.serve_http().await;
    let token = jwt::mint(TEST_JWT_SECRET, "alice", now(), 600);
    let get = |raw: String| {
        let head =
            format!("GET /api/marketplace/items/{raw} HTTP/1.1\r\nAuthorization: Bearer {token}");
        async move { http_request(addr, &head, b"").await }
    };

    let (status, _, body) = get(id.to_string()).await;
    assert_eq!(status, 200, "{body}");
    for raw in [
        format!("+{id}"),
        format!("0{id}"),
        format!("-{id}"),
        "0".to_owned(),
        "9223372036854775808".to_owned(),
        format!("{id}.0"),
    ] {
        let (status, _, body) = get(raw.clone()).await;
        assert_eq!(status, 400, "{raw}: {body}");
        let problem = problem(&body);
        assert_eq!(problem["code"], "bad_request", "{raw}");
        assert_eq!(fields(&problem), vec!["id"], "{raw}");
    }
}

#[tokio::test]
async fn refuses_a_known_query_parameter_given_twice() {
    let app = TestApp::new().await;
    app.user("alice").await;
    app.item(ItemKind::Agent, "Visible").insert().await;
    let addr = app.serve_http().await;
    let token = jwt::mint(TEST_JWT_SECRET, "alice", now(), 600);
    let get = |query: &str| {
        let head =
            format!("GET /api/marketplace/items?{query} HTTP/1.1\r\nAuthorization: Bearer {token}");
        async move { http_request(addr, &head, b"").await }
    };

    for query in [
        "limit=5&limit=50",
        "limit=5&limit=5",
        "%6Cimit=5&limit=50",
        "limit=5&search=a&limit=50",
    ] {
        let (status, _, body) = get(query).await;
        assert_eq!(status, 400, "{query}: {body}");
        let problem = problem(&body);
        assert_eq!(fields(&problem), vec!["limit"], "{query}");
        assert_eq!(problem["errors"][0]["message"], "must be given once");
    }
    // Unknown parameters are ignored, repeated or not.
    let (status, _, body) = get("limit=5&utm=a&utm=b").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(problem(&body)["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn hands_header_values_that_are_not_ascii_to_the_handler() {
    let app = TestApp::new().await;
    let workspace = app.workspace_with_members("acme").await;
    let item = app.item(ItemKind::Skill, "Once").insert().await;
    let addr = app.serve_http().await;
    let token = jwt::mint(TEST_JWT_SECRET, "acme-owner", now(), 600);
    let install = |key: &str| {
        let head = format!(
            "POST /api/marketplace/items/{item}/install HTTP/1.1\r\nAuthorization: Bearer {token}\r\nX-Workspace-ID: {workspace}\r\nIdempotency-Key: {key}"
        );
        async move { http_request(addr, &head, b"").await }
    };

    // UTF-8 bytes in the value: once dropped by the local API, so the install went ahead with no key.
    let (status, _, body) = install("clé-1").await;
    assert_eq!(status, 400, "{body}");
    let problem = problem(&body);
    assert_eq!(problem["code"], "bad_request");
    assert_eq!(fields(&problem), vec!["Idempotency-Key"]);
    assert_eq!(
        app.count("SELECT count(*) FROM marketplace_installs").await,
        0
    );

    let (status, _, body) = install("key-1").await;
    assert_eq!(status, 201, "{body}");
}

#[tokio::test]
async fn serves_the_api_description_and_its_rendered_reference_without_a_token() {
    let app = TestApp::new().await;
    let addr = app.serve_http().await;
    for (path, content_type, file) in [
        (
            "/openapi.yaml",
            "application/yaml",
            include_str!("../../openapi.yaml"),
        ),
        (
            "/docs",
            "text/html; charset=utf-8",
            include_str!("../../docs/reference.html"),
        ),
    ] {
        let (status, head, body) = http_request(addr, &format!("GET {path} HTTP/1.1"), b"").await;
        assert_eq!(status, 200, "{path}");
        assert!(
            head.to_ascii_lowercase()
                .contains(&format!("content-type: {content_type}")),
            "{path}: {head}"
        );
        assert!(body == file, "{path} serves the committed file");
    }
    let (status, _, _) = http_request(addr, "POST /docs HTTP/1.1", b"").await;
    assert_eq!(status, 404);
}
