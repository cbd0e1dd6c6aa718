//! Every route needs an authenticated caller who is a known user.

use harness::*;
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
async fn every_route_refuses_a_subject_with_no_user() {
    let app = TestApp::new().await;
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
