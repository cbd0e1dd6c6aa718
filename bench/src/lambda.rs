//! Every function binary as Lambda runs it (through a Runtime API stand-in): cold start (process start to
//! first response, pool included), latency and peak memory over repeated invocations.

use std::collections::HashMap;
use std::net::SocketAddr;

use harness::runtime_api::{build_function_binaries, invoke_many, Outcome};
use harness::FaultProxy;
use lambda_http::http;
use marketplace_http::routes::{match_route, ROUTES};
use serde_json::{json, Map, Value};

use crate::stats::Percentiles;
use crate::Error;

const INVOCATIONS: usize = 200;
/// The profile the binaries are built with: release settings with thin LTO (quicker to build).
const PROFILE: &str = "benchmark";

#[derive(Debug, Clone)]
pub struct FunctionRun {
    pub function: &'static str,
    pub cold_start_ms: f64,
    pub latency: Percentiles,
    pub peak_rss_mib: f64,
    pub statuses: String,
    /// Round trips to PostgreSQL per invocation, the mean over all of them (the first's lookup of its
    /// caller included), counted by a proxy in front of PostgreSQL.
    pub round_trips: f64,
}

pub async fn measure(url: &str) -> Result<Vec<FunctionRun>, Error> {
    let functions: Vec<&'static str> = ROUTES.iter().map(|route| route.function).collect();
    let build = functions.clone();
    eprintln!(
        "building {} function binaries (profile {PROFILE})",
        functions.len()
    );
    let binaries =
        tokio::task::spawn_blocking(move || build_function_binaries(&build, PROFILE)).await?;

    let crate::targets::Targets {
        setup,
        workspace,
        item,
    } = crate::targets::find(url).await?;
    let install: i64 = setup
        .query_one(
            "SELECT id FROM marketplace_installs WHERE workspace_id = $1 LIMIT 1",
            &[&workspace],
        )
        .await?
        .get(0);
    let reviewed: i64 = setup
        .query_one(
            "SELECT item_id FROM marketplace_installs WHERE id = $1",
            &[&install],
        )
        .await?
        .get(0);
    let review: i64 = setup
        .query_one("SELECT min(id) FROM user_reviews", &[])
        .await?
        .get(0);
    // The install consents to the item's capabilities, as a client that read the plan would (the manifest
    // is the same in every workspace).
    let install_digest = marketplace_catalog::install_plan(&setup, workspace.into(), item)
        .await?
        .manifest
        .capabilities_digest;
    let source: i64 = setup
        .query_one(
            "INSERT INTO agents (name, owner_type, owner_id, workspace_id) VALUES ('Bench source', 'workspace', $1::uuid::text, $1::uuid) RETURNING id",
            &[&workspace],
        )
        .await?
        .get(0);
    let catalog: i64 = setup
        .query_one(
            "WITH c AS (INSERT INTO catalogs (name, owner_workspace_id) VALUES ('Bench functions', $1)
                        RETURNING id),
                  w AS (INSERT INTO catalog_workspaces (catalog_id, workspace_id) SELECT id, $1 FROM c)
             SELECT id FROM c",
            &[&workspace],
        )
        .await?
        .get(0);

    // The functions reach PostgreSQL through a proxy that counts their round trips and adds no delay.
    let (proxy, proxied) = FaultProxy::in_front_of(url).await?;

    let mut runs = Vec::new();
    for (function, binary) in functions.iter().zip(&binaries) {
        let route = ROUTES
            .iter()
            .find(|r| r.function == *function)
            .ok_or("route")?;
        let targets = RequestTargets {
            item,
            install,
            source,
            reviewed,
            review,
            install_digest: install_digest.clone(),
            catalog,
            workspace,
        };
        let (subject, path, body) = request_for(route.function, &targets);
        let event = event(route.method, &path, &body, subject, workspace)?;
        let (round_trips, result) = proxy
            .counting(invoke_many(
                binary,
                function,
                event,
                INVOCATIONS,
                &[("DATABASE_URL", &proxied)],
            ))
            .await;
        let mut statuses: HashMap<u64, usize> = HashMap::new();
        for outcome in &result.outcomes {
            let status = match outcome {
                Outcome::Response(response) => response["statusCode"].as_u64().unwrap_or(0),
                Outcome::Error(_) => 0,
            };
            *statuses.entry(status).or_default() += 1;
        }
        let mut statuses: Vec<_> = statuses.into_iter().collect();
        statuses.sort();
        let run = FunctionRun {
            function,
            cold_start_ms: result.cold_start.as_secs_f64() * 1000.0,
            latency: Percentiles::of(&result.latencies[1..]),
            peak_rss_mib: result.peak_rss_kib.unwrap_or(0) as f64 / 1024.0,
            statuses: statuses
                .iter()
                .map(|(s, n)| format!("{s}×{n}"))
                .collect::<Vec<_>>()
                .join(" "),
            round_trips: round_trips as f64 / INVOCATIONS as f64,
        };
        eprintln!(
            "{:<20} cold {:>6.1} ms  p50 {:>6.2} ms  peak RSS {:>5.1} MiB  {:>5.2} round trips  {}",
            run.function,
            run.cold_start_ms,
            run.latency.p50,
            run.peak_rss_mib,
            run.round_trips,
            run.statuses
        );
        runs.push(run);
    }
    Ok(runs)
}

/// What the representative requests name.
#[derive(Clone)]
struct RequestTargets {
    /// The most installed approved agent.
    item: i64,
    /// An install in the bench member's workspace, and the item it installed.
    install: i64,
    reviewed: i64,
    /// A workspace agent to submit.
    source: i64,
    /// A review.
    review: i64,
    /// The capabilities digest of `item`'s install plan.
    install_digest: String,
    /// A private catalog the bench member's workspace owns, and that workspace.
    catalog: i64,
    workspace: uuid::Uuid,
}

/// A representative request per function: (subject, path, body).
fn request_for(function: &str, targets: &RequestTargets) -> (&'static str, String, Value) {
    let RequestTargets {
        item,
        install,
        source,
        reviewed,
        review,
        ref install_digest,
        catalog,
        workspace,
    } = *targets;
    let member = "bench-member";
    let admin = "bench-admin";
    match function {
        "get-me" => (member, "/api/marketplace/me".into(), Value::Null),
        "list-items" => (member, "/api/marketplace/items".into(), Value::Null),
        "get-item" => (
            member,
            format!("/api/marketplace/items/{item}"),
            Value::Null,
        ),
        "list-item-versions" => (
            member,
            format!("/api/marketplace/items/{item}/versions"),
            Value::Null,
        ),
        "featured-items" => (member, "/api/marketplace/featured".into(), Value::Null),
        "list-categories" => (member, "/api/marketplace/categories".into(), Value::Null),
        "marketplace-stats" => (member, "/api/marketplace/stats".into(), Value::Null),
        "install-item" => (
            member,
            format!("/api/marketplace/items/{item}/install"),
            json!({"accept_capabilities": install_digest}),
        ),
        "install-plan" => (
            member,
            format!("/api/marketplace/items/{item}/install-plan"),
            Value::Null,
        ),
        "list-installs" => (member, "/api/marketplace/installs".into(), Value::Null),
        // After apply-update in the route table: the install it updates is then uninstalled.
        "uninstall-item" => (
            member,
            format!("/api/marketplace/installs/{install}"),
            Value::Null,
        ),
        "list-updates" => (member, "/api/marketplace/updates".into(), Value::Null),
        "apply-update" => (
            member,
            format!("/api/marketplace/installs/{install}/update"),
            Value::Null,
        ),
        "submit-item" => (
            member,
            "/api/marketplace/items/submit".into(),
            json!({"item_type": "agent", "item_id": source}),
        ),
        "publish-version" => (
            member,
            format!("/api/marketplace/items/{item}/versions"),
            json!({"version": "9.0.0"}),
        ),
        "admin-queue" => (admin, "/api/marketplace/admin/queue".into(), Value::Null),
        "approve-item" => (
            admin,
            format!("/api/marketplace/items/{item}/approve"),
            Value::Null,
        ),
        "reject-item" => (
            admin,
            format!("/api/marketplace/items/{item}/reject"),
            json!({"reason": "Benchmark"}),
        ),
        "feature-item" => (
            admin,
            format!("/api/marketplace/items/{item}/feature"),
            Value::Null,
        ),
        "review-item" => (
            member,
            format!("/api/marketplace/items/{reviewed}/reviews"),
            json!({"rating": 4, "title": "Solid", "body": "Does what it says."}),
        ),
        "list-reviews" => (
            member,
            format!("/api/marketplace/items/{item}/reviews"),
            Value::Null,
        ),
        "delete-review" => (
            member,
            format!("/api/marketplace/items/{reviewed}/reviews/mine"),
            Value::Null,
        ),
        "hide-review" => (
            admin,
            format!("/api/marketplace/reviews/{review}/hide"),
            json!({"reason": "Benchmark"}),
        ),
        "unhide-review" => (
            admin,
            format!("/api/marketplace/reviews/{review}/unhide"),
            Value::Null,
        ),
        // The next item: the one the other admin routes act on stays listed.
        "mark-official" | "clear-official" => (
            admin,
            format!("/api/marketplace/items/{}/official", item + 1),
            Value::Null,
        ),
        "delist-item" => (
            admin,
            format!("/api/marketplace/items/{}", item + 1),
            Value::Null,
        ),
        "list-submissions" => (member, "/api/marketplace/submissions".into(), Value::Null),
        "withdraw-version" => (
            member,
            format!("/api/marketplace/items/{item}/versions/9.0.0/withdraw"),
            Value::Null,
        ),
        // The next item, as the official mark's routes: what the other routes act on stays installable.
        "yank-version" => (
            admin,
            format!("/api/marketplace/items/{}/versions/1.0.0/yank", item + 1),
            json!({"reason": "Benchmark"}),
        ),
        "unyank-version" => (
            admin,
            format!("/api/marketplace/items/{}/versions/1.0.0/yank", item + 1),
            Value::Null,
        ),
        "revoke-item" => (
            admin,
            format!("/api/marketplace/items/{}/revoke", item + 1),
            json!({"reason": "Benchmark", "severity": "low"}),
        ),
        "list-advisories" => (member, "/api/marketplace/advisories".into(), Value::Null),
        "moderation-log" => (
            member,
            "/api/marketplace/moderation-log".into(),
            Value::Null,
        ),
        "verify-moderation-log" => (
            member,
            "/api/marketplace/moderation-log/verify".into(),
            Value::Null,
        ),
        "create-catalog" => (
            member,
            "/api/marketplace/catalogs".into(),
            json!({"name": "Bench created"}),
        ),
        "list-catalogs" => (member, "/api/marketplace/catalogs".into(), Value::Null),
        "add-catalog-workspace" => (
            admin,
            format!("/api/marketplace/catalogs/{catalog}/workspaces/{workspace}"),
            Value::Null,
        ),
        // A workspace that is not in it: the owner workspace cannot leave.
        "remove-catalog-workspace" => (
            admin,
            format!(
                "/api/marketplace/catalogs/{catalog}/workspaces/{}",
                uuid::Uuid::nil()
            ),
            Value::Null,
        ),
        "catalog-queue" => (
            admin,
            format!("/api/marketplace/catalogs/{catalog}/queue"),
            Value::Null,
        ),
        "catalog-moderation-log" => (
            member,
            format!("/api/marketplace/catalogs/{catalog}/moderation-log"),
            Value::Null,
        ),
        other => unreachable!("no representative request for {other}"),
    }
}

fn event(
    method: &str,
    path: &str,
    body: &Value,
    subject: &str,
    workspace: uuid::Uuid,
) -> Result<Value, Error> {
    let mut builder = http::Request::builder()
        .method(method)
        .uri(path)
        .header("x-workspace-id", workspace.to_string());
    if !body.is_null() {
        builder = builder.header("content-type", "application/json");
    }
    let (parts, ()) = builder.body(())?.into_parts();
    let (route, params) = match_route(method, path).ok_or("no route")?;
    let mut claims = Map::new();
    claims.insert("sub".into(), subject.into());
    let body = if body.is_null() {
        Vec::new()
    } else {
        body.to_string().into_bytes()
    };
    let peer: SocketAddr = "127.0.0.1:9".parse()?;
    Ok(local_api::event::api_gateway_event(
        &parts, &body, route, params, claims, peer,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_function_gets_a_request_its_own_route_takes() {
        let targets = RequestTargets {
            item: 10,
            install: 20,
            reviewed: 30,
            source: 40,
            review: 50,
            install_digest: "a".repeat(64),
            catalog: 60,
            workspace: uuid::Uuid::nil(),
        };
        for route in ROUTES {
            let (_, path, _) = request_for(route.function, &targets);
            let (matched, _) = match_route(route.method, &path)
                .unwrap_or_else(|| panic!("{} {path}: no route", route.method));
            assert_eq!(matched.function, route.function, "{} {path}", route.method);
        }
    }
}
