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
        Some(format!("Bearer {unknown_subject}")),
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
