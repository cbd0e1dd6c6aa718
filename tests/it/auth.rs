//! Every route needs an authenticated caller who is a known user.

use harness::*;
use local_api::jwt;
use marketplace_http::routes::ROUTES;

fn concrete(path: &str) -> String {
    path.replace("{id}", "1").replace("{install_id}", "1")
}

#[tokio::test]
async fn every_route_refuses_a_request_without_claims() {
    let app = TestApp::new().await;
    for route in ROUTES {
        let response = match route.method {
            "GET" => app.get(concrete(route.path)),
            "POST" => app.post(concrete(route.path)),
            _ => app.delete(concrete(route.path)),
        }
        .send()
        .await;
        response.assert_problem(401, "unauthorized");
    }
}

#[tokio::test]
async fn without_provisioning_every_route_refuses_a_subject_with_no_user() {
    let app = TestApp::with_config(marketplace_http::Config {
        user_provisioning: false,
        ..marketplace_http::Config::default()
    })
    .await;
    app.user("someone-else").await;
    for route in ROUTES {
        let response = match route.method {
            "GET" => app.get(concrete(route.path)),
            "POST" => app.post(concrete(route.path)),
            _ => app.delete(concrete(route.path)),
        }
        .as_user("stranger")
        .send()
        .await;
        response.assert_problem(401, "unauthorized");
    }
}

#[test]
fn every_route_has_a_handler_in_the_local_api() {
    for route in ROUTES {
        assert!(local_api::FUNCTIONS.contains(&route.function), "{route:?}");
    }
}

/// A GET of the item list over HTTP with `token` as the bearer token: the status, and the problem's `code`.
async fn get_items(addr: std::net::SocketAddr, token: &str) -> (u16, Value) {
    let head = format!("GET /api/marketplace/items HTTP/1.1\r\nAuthorization: Bearer {token}");
    let (status, head, body) = http_request(addr, &head, b"").await;
    if status == 401 {
        assert!(
            head.to_ascii_lowercase()
                .contains("content-type: application/problem+json"),
            "{head}"
        );
    }
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_local_authorizer_refuses_what_api_gateways_refuses() {
    let app = TestApp::new().await;
    app.user("alice").await;
    let addr = app.serve_http().await;
    let now = chrono::Utc::now().timestamp();
    let header = json!({"alg": "HS256", "typ": "JWT"});
    let token = |changes: Value| {
        let mut claims = json!({
            "sub": "alice", "iss": jwt::DEFAULT_ISSUER, "aud": jwt::DEFAULT_AUDIENCE,
            "iat": now, "nbf": now, "exp": now + 600,
        });
        for (name, value) in changes.as_object().unwrap() {
            if value.is_null() {
                claims.as_object_mut().unwrap().remove(name);
            } else {
                claims[name] = value.clone();
            }
        }
        jwt::sign(TEST_JWT_SECRET, &header, &claims)
    };

    let (status, body) = get_items(addr, &token(json!({}))).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = get_items(addr, &token(json!({"aud": ["other", "marketplace"]}))).await;
    assert_eq!(status, 200, "an audience list holding ours: {body}");

    for (why, changes) in [
        ("iat in the future", json!({"iat": now + 3600})),
        ("nbf in the future", json!({"nbf": now + 3600})),
        ("nbf a string", json!({"nbf": now.to_string()})),
        ("iat a string", json!({"iat": now.to_string()})),
        ("exp a string", json!({"exp": (now + 600).to_string()})),
        ("expired", json!({"exp": now - 3600})),
        ("no exp", json!({"exp": null})),
        (
            "another issuer",
            json!({"iss": "https://elsewhere.example"}),
        ),
        ("no issuer", json!({"iss": null})),
        ("another audience", json!({"aud": "another-api"})),
        ("no audience", json!({"aud": null})),
    ] {
        let (status, body) = get_items(addr, &token(changes)).await;
        assert_eq!(status, 401, "{why}: {body}");
        assert_eq!(body["code"], "unauthorized", "{why}");
    }

    // `alg: none` with our claims and no signature, and a token signed with another secret.
    let good = token(json!({}));
    let claims = good.split('.').nth(1).unwrap();
    let none = jwt::sign(TEST_JWT_SECRET, &json!({"alg": "none"}), &json!({}));
    let none_header = none.split('.').next().unwrap();
    for (why, forged) in [
        ("alg none", format!("{none_header}.{claims}.")),
        (
            "another secret",
            jwt::mint(b"another-secret", "alice", now, 600),
        ),
    ] {
        let (status, body) = get_items(addr, &forged).await;
        assert_eq!(status, 401, "{why}: {body}");
        assert_eq!(body["code"], "unauthorized", "{why}");
    }
}

#[tokio::test]
async fn tokens_name_the_issuer_and_audience_the_authorizer_is_configured_with() {
    let app = TestApp::new().await;
    app.user("alice").await;
    let configured = jwt::Configuration {
        issuer: "https://issuer.example".into(),
        audience: "marketplace-staging".into(),
    };
    let addr = app.serve_http_with(configured.clone()).await;
    let now = chrono::Utc::now().timestamp();

    let (status, body) = get_items(
        addr,
        &jwt::mint_for(&configured, TEST_JWT_SECRET, "alice", now, 600),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = get_items(addr, &jwt::mint(TEST_JWT_SECRET, "alice", now, 600)).await;
    assert_eq!(status, 401, "the default issuer and audience: {body}");
    assert_eq!(body["code"], "unauthorized");
}
