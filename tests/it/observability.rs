//! Every answer names its request: `X-Request-Id`, a problem's `instance`, and the request's log lines with
//! its route, status, latency, caller and workspace — never its token.

use std::io::Write;
use std::sync::{Arc, Mutex};

use harness::*;

/// Log output captured for the current thread (tokio's test runtime polls everything on it).
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn every_answer_carries_its_request_id_and_its_log_lines_say_who_asked_what() {
    let app = TestApp::new().await;
    let workspace = app.workspace_with_members("acme").await;
    let item = app.item(ItemKind::Skill, "Skill").insert().await;
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter("info")
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let installed = app
        .as_user("acme-owner")
        .in_workspace(workspace)
        .install(item)
        .await;
    installed.assert_status(201);
    let refused = app.as_user("acme-owner").item(item + 1000).await;
    refused.assert_problem(404, "not_found");

    let install_id = installed
        .header("x-request-id")
        .expect("a request id")
        .to_owned();
    let refused_id = refused
        .header("x-request-id")
        .expect("a request id")
        .to_owned();
    assert!(!install_id.is_empty() && install_id != refused_id);
    assert_eq!(
        refused.json["instance"],
        format!("urn:request:{refused_id}")
    );

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let answered: Vec<&str> = logs.lines().filter(|l| l.contains("answered")).collect();
    assert_eq!(answered.len(), 2, "{logs}");
    let owner = app
        .count("SELECT id FROM users WHERE auth_subject = 'acme-owner'")
        .await;
    let install_line = answered
        .iter()
        .find(|l| l.contains(&install_id))
        .unwrap_or_else(|| panic!("no log line names {install_id}: {logs}"));
    for field in [
        "route=POST /api/marketplace/items/{id}/install".to_owned(),
        format!("user_id={owner}"),
        format!("workspace={workspace}"),
        "status=201".to_owned(),
        "latency_ms=".to_owned(),
    ] {
        assert!(install_line.contains(&field), "{field} in {install_line}");
    }
    assert!(answered
        .iter()
        .any(|l| l.contains(&refused_id) && l.contains("status=404")));
    assert!(
        !logs.to_lowercase().contains("bearer"),
        "no token is logged"
    );
}

#[tokio::test]
async fn the_local_api_names_the_requests_it_refuses_itself() {
    let app = TestApp::new().await;
    let addr = app.serve_http().await;
    let (status, head, body) = http_request(addr, "GET /api/marketplace/items HTTP/1.1", b"").await;
    assert_eq!(status, 401);
    let id = head
        .lines()
        .find_map(|line| {
            line.to_ascii_lowercase()
                .strip_prefix("x-request-id: ")
                .map(str::to_owned)
        })
        .expect("an X-Request-Id header");
    let problem: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(problem["instance"], format!("urn:request:{id}"));
}
