//! The real function binaries, run as Lambda runs them: API Gateway v2 events in through the Runtime API,
//! responses out, against a real database.

use harness::runtime_api::{build_function_binaries, fixture, invoke, Outcome};
use harness::*;

const FIXTURE_WORKSPACE: &str = "7f1d3c2a-5b6e-4f80-9a1b-2c3d4e5f6a7b";

fn response(outcome: Outcome) -> (u16, Value) {
    match outcome {
        Outcome::Response(response) => {
            let status = response["statusCode"].as_u64().expect("statusCode") as u16;
            let body = response["body"]
                .as_str()
                .map_or(Value::Null, |b| serde_json::from_str(b).expect("JSON body"));
            (status, body)
        }
        Outcome::Error(error) => panic!("the function reported an error: {error}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_detail_and_install_binaries_answer_api_gateway_events() {
    let functions = ["list-items", "get-item", "install-item"];
    let binaries = tokio::task::spawn_blocking(move || build_function_binaries(&functions, "dev"))
        .await
        .unwrap();

    let app = TestApp::new().await;
    let agent = app
        .item(ItemKind::Agent, "Fixture Agent")
        .installs(3)
        .insert()
        .await;
    assert_eq!(agent, 1, "the fixtures name item 1");
    let user = app.user("fixture-user").await;
    app.exec(&format!(
        "INSERT INTO workspaces (id, name) VALUES ('{FIXTURE_WORKSPACE}', 'Fixture')"
    ))
    .await;
    app.member(FIXTURE_WORKSPACE.parse().unwrap(), user, "editor")
        .await;
    let env = [("DATABASE_URL", app.url.as_str())];

    let (status, body) =
        response(invoke(&binaries[0], functions[0], fixture("list-items"), &env).await);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["total"], 1);
    assert_eq!(body["limit"], 5);
    assert_eq!(body["items"][0]["name"], "Fixture Agent");

    let (status, body) =
        response(invoke(&binaries[1], functions[1], fixture("get-item"), &env).await);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["id"], 1);
    assert!(body["content"].is_object() && body["dependencies"].is_object());

    let (status, body) =
        response(invoke(&binaries[2], functions[2], fixture("install-item"), &env).await);
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["item"]["id"], 1);
    assert_eq!(body["installed"]["name"], "Fixture Agent");
    let (status, replayed) =
        response(invoke(&binaries[2], functions[2], fixture("install-item"), &env).await);
    assert_eq!(
        (status, &replayed),
        (200, &body),
        "the fixture's Idempotency-Key replays"
    );

    let mut anonymous = fixture("get-item");
    anonymous["requestContext"]["authorizer"] = Value::Null;
    let (status, body) = response(invoke(&binaries[1], functions[1], anonymous, &env).await);
    assert_eq!((status, body["code"].as_str()), (401, Some("unauthorized")));
}
