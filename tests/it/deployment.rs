//! What deploys must agree: the route table, template.yaml, the function crates, the OpenAPI document and
//! the local API; and the migrate function.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use harness::*;
use marketplace_db::{pool_from_url, PoolSettings};
use marketplace_http::routes::ROUTES;
use yaml_rust2::{Yaml, YamlLoader};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is inside the repo")
        .to_path_buf()
}

fn load_yaml(file: &str) -> Yaml {
    let text =
        std::fs::read_to_string(repo_root().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
    YamlLoader::load_from_str(&text)
        .unwrap_or_else(|e| panic!("{file}: {e}"))
        .remove(0)
}

type Route = (String, String, String);

fn route_table() -> BTreeSet<Route> {
    ROUTES
        .iter()
        .map(|r| {
            (
                r.method.to_owned(),
                r.path.to_owned(),
                r.function.to_owned(),
            )
        })
        .collect()
}

/// (method, path, binary) of every function resource with an HttpApi event, and the binaries without one.
fn template_routes(file: &str) -> (BTreeSet<Route>, BTreeSet<String>) {
    let template = load_yaml(file);
    let mut routes = BTreeSet::new();
    let mut unrouted = BTreeSet::new();
    for (_, resource) in template["Resources"].as_hash().expect("Resources") {
        if resource["Type"].as_str() != Some("AWS::Serverless::Function") {
            continue;
        }
        assert_eq!(
            resource["Metadata"]["BuildMethod"].as_str(),
            Some("rust-cargolambda")
        );
        let binary = resource["Metadata"]["BuildProperties"]["Binary"]
            .as_str()
            .expect("Binary")
            .to_owned();
        let events = resource["Properties"]["Events"].as_hash();
        match events {
            None => {
                unrouted.insert(binary);
            }
            Some(events) => {
                for (_, event) in events {
                    assert_eq!(event["Type"].as_str(), Some("HttpApi"));
                    let properties = &event["Properties"];
                    routes.insert((
                        properties["Method"].as_str().expect("Method").to_owned(),
                        properties["Path"].as_str().expect("Path").to_owned(),
                        binary.clone(),
                    ));
                }
            }
        }
    }
    (routes, unrouted)
}

fn openapi_routes() -> BTreeSet<Route> {
    let openapi = load_yaml("openapi.yaml");
    assert_eq!(openapi["openapi"].as_str(), Some("3.1.0"));
    let mut routes = BTreeSet::new();
    for (path, operations) in openapi["paths"].as_hash().expect("paths") {
        for (method, operation) in operations.as_hash().expect("operations") {
            routes.insert((
                method.as_str().unwrap().to_uppercase(),
                path.as_str().unwrap().to_owned(),
                operation["operationId"]
                    .as_str()
                    .expect("operationId")
                    .to_owned(),
            ));
        }
    }
    routes
}

fn function_crates() -> BTreeSet<String> {
    std::fs::read_dir(repo_root().join("functions"))
        .expect("functions/")
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect()
}

#[test]
fn routes_template_functions_openapi_and_local_api_agree() {
    let routes = route_table();
    let (template, unrouted) = template_routes("template.yaml");
    assert_eq!(template, routes, "template.yaml vs the route table");
    assert!(
        unrouted.is_empty(),
        "template.yaml: every function has a route"
    );
    let (migrate_routes, unrouted) = template_routes("template-migrate.yaml");
    assert!(
        migrate_routes.is_empty(),
        "template-migrate.yaml has no route"
    );
    assert_eq!(
        unrouted,
        BTreeSet::from(["migrate".to_owned()]),
        "template-migrate.yaml holds migrate, alone"
    );
    assert_eq!(openapi_routes(), routes, "openapi.yaml vs the route table");

    let routed: BTreeSet<String> = routes
        .iter()
        .map(|(_, _, function)| function.clone())
        .collect();
    let mut expected_crates = routed.clone();
    expected_crates.extend(unrouted);
    assert_eq!(
        function_crates(),
        expected_crates,
        "functions/ vs the route table"
    );
    assert_eq!(
        local_api::FUNCTIONS
            .iter()
            .map(|f| f.to_string())
            .collect::<BTreeSet<_>>(),
        routed
    );

    for function in expected_crates {
        let main = std::fs::read_to_string(
            repo_root()
                .join("functions")
                .join(&function)
                .join("src/main.rs"),
        )
        .unwrap();
        assert!(
            main.lines().count() <= 20,
            "{function}/src/main.rs stays thin"
        );
        let manifest = std::fs::read_to_string(
            repo_root()
                .join("functions")
                .join(&function)
                .join("Cargo.toml"),
        )
        .unwrap();
        assert!(
            manifest.contains(&format!("name = \"{function}\"")),
            "{function}: the crate is named for its function"
        );
    }
}

/// Every function of both templates: (logical id, binary, its properties) and the template's resources.
fn template_functions(file: &str) -> Vec<(String, String, Yaml, Yaml)> {
    let template = load_yaml(file);
    let resources = template["Resources"].clone();
    resources
        .as_hash()
        .expect("Resources")
        .iter()
        .filter(|(_, r)| r["Type"].as_str() == Some("AWS::Serverless::Function"))
        .map(|(id, r)| {
            (
                id.as_str().unwrap().to_owned(),
                r["Metadata"]["BuildProperties"]["Binary"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
                r["Properties"].clone(),
                resources.clone(),
            )
        })
        .collect()
}

/// The text of `FunctionName`; YAML short-form tags (`!Sub`, `!Ref`) are dropped by the parser, so only
/// their argument is left.
fn function_name(properties: &Yaml) -> String {
    properties["FunctionName"]
        .as_str()
        .expect("FunctionName")
        .to_owned()
}

#[test]
fn functions_have_stable_names_log_groups_with_retention_and_migrate_runs_alone() {
    let mut checked = 0;
    for file in ["template.yaml", "template-migrate.yaml"] {
        for (id, binary, properties, resources) in template_functions(file) {
            checked += 1;
            // `cargo lambda deploy --binary-name <binary> <stack>-<binary>` updates the deployed function.
            let expected = if binary == "migrate" {
                // template-migrate.yaml's stack is named <service stack>-migrate.
                "AWS::StackName".to_owned()
            } else {
                format!("${{AWS::StackName}}-{binary}")
            };
            assert_eq!(function_name(&properties), expected, "{file} {id}");
            let group = properties["LoggingConfig"]["LogGroup"]
                .as_str()
                .unwrap_or_else(|| panic!("{file} {id}: LoggingConfig.LogGroup"));
            let group = &resources[group];
            assert_eq!(group["Type"].as_str(), Some("AWS::Logs::LogGroup"), "{id}");
            assert_eq!(
                group["Properties"]["RetentionInDays"].as_str(),
                Some("LogRetentionDays"),
                "{file} {id}"
            );
            let log_group_name = group["Properties"]["LogGroupName"].as_str().unwrap();
            let expected_group = if binary == "migrate" {
                "/aws/lambda/${AWS::StackName}".to_owned()
            } else {
                format!("/aws/lambda/${{AWS::StackName}}-{binary}")
            };
            assert_eq!(
                log_group_name, expected_group,
                "{file} {id}: the group Lambda would use for the function's name"
            );
            let reserved = properties["ReservedConcurrentExecutions"].as_i64();
            if binary == "migrate" {
                assert_eq!(reserved, Some(1), "migrations run one at a time");
                assert_eq!(properties["Timeout"].as_i64(), Some(300));
            } else {
                assert_eq!(
                    reserved, None,
                    "{id}: route concurrency is the operator's choice"
                );
            }
        }
    }
    assert_eq!(
        checked,
        ROUTES.len() + 1,
        "every route function and migrate"
    );
}

#[tokio::test]
async fn the_migrate_function_applies_migrations_once_and_can_seed_the_llm_catalog() {
    let url = empty_database().await;
    let pool = pool_from_url(&url, PoolSettings::LAMBDA).unwrap();
    let first = migrate::handle(&pool, json!({})).await.unwrap();
    let migrations = std::fs::read_dir(repo_root().join("migrations"))
        .unwrap()
        .filter(|entry| {
            entry
                .as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".sql")
        })
        .count();
    assert_eq!(first.applied.len(), migrations);
    assert!(first.llm_catalog.is_none());
    assert!(first.rating_prior.is_none(), "refreshed only when asked");

    let second = migrate::handle(&pool, json!({"seed_llm_catalog": true}))
        .await
        .unwrap();
    assert!(second.applied.is_empty(), "nothing twice");
    let catalog = second.llm_catalog.expect("seeded");
    assert!(catalog.inserted >= 10);
    let third = migrate::handle(&pool, json!({"seed_llm_catalog": true}))
        .await
        .unwrap();
    assert_eq!(third.llm_catalog.unwrap().inserted, 0);
}

/// The bounds `openapi.yaml` states for a string schema: (minLength or 0, maxLength).
fn stated_length(schema: &Yaml) -> (usize, usize) {
    let bound = |key: &str| schema[key].as_i64().map(|n| n as usize);
    (
        bound("minLength").unwrap_or(0),
        bound("maxLength").expect("maxLength"),
    )
}

#[test]
fn openapi_states_the_field_limits_the_handlers_check() {
    use marketplace_catalog::limits;
    let openapi = load_yaml("openapi.yaml");
    let paths = &openapi["paths"];
    let body = |path: &str| {
        paths[path]["post"]["requestBody"]["content"]["application/json"]["schema"]["properties"]
            .clone()
    };
    let range = |r: std::ops::RangeInclusive<usize>| (*r.start(), *r.end());

    let submit = body("/api/marketplace/items/submit");
    for (field, limit) in [
        ("name", limits::NAME_CHARS),
        ("description", limits::DESCRIPTION_CHARS),
        ("category", limits::CATEGORY_CHARS),
        ("icon", limits::ICON_CHARS),
        ("changelog", limits::CHANGELOG_CHARS),
    ] {
        assert_eq!(
            stated_length(&submit[field]),
            range(limit),
            "submit: {field}"
        );
    }
    assert_eq!(
        submit["tags"]["maxItems"].as_i64(),
        Some(limits::MAX_TAGS as i64)
    );
    assert_eq!(
        stated_length(&submit["tags"]["items"]),
        range(limits::TAG_CHARS)
    );
    assert_eq!(
        stated_length(&body("/api/marketplace/items/{id}/versions")["changelog"]),
        range(limits::CHANGELOG_CHARS)
    );
    assert_eq!(
        stated_length(&body("/api/marketplace/items/{id}/reject")["reason"]),
        range(limits::REASON_CHARS)
    );
    let review = body("/api/marketplace/items/{id}/reviews");
    assert_eq!(
        stated_length(&review["title"]),
        range(limits::REVIEW_TITLE_CHARS)
    );
    assert_eq!(
        stated_length(&review["body"]),
        range(limits::REVIEW_BODY_CHARS)
    );
    assert_eq!(
        (
            review["rating"]["minimum"].as_i64(),
            review["rating"]["maximum"].as_i64()
        ),
        (
            Some(*limits::RATING_STARS.start()),
            Some(*limits::RATING_STARS.end())
        )
    );
    assert_eq!(
        stated_length(&body("/api/marketplace/reviews/{review_id}/hide")["reason"]),
        range(limits::REASON_CHARS)
    );

    let listing = paths["/api/marketplace/items"]["get"]["parameters"]
        .as_vec()
        .expect("list-items parameters");
    let query = |name: &str| {
        listing
            .iter()
            .find(|p| p["name"].as_str() == Some(name))
            .map(|p| stated_length(&p["schema"]))
    };
    assert_eq!(query("category"), Some(range(limits::CATEGORY_CHARS)));
    assert_eq!(query("search"), Some(range(limits::SEARCH_CHARS)));
}

/// The public browse routes, which read nothing a caller has just written themselves: they may read from
/// the proxy's read-only endpoint. Every other route stays on the writer.
const BROWSE: [&str; 6] = [
    "list-items",
    "get-item",
    "list-item-versions",
    "featured-items",
    "list-categories",
    "marketplace-stats",
];

#[test]
fn only_the_browse_routes_may_read_from_the_read_only_endpoint() {
    let mut browse = Vec::new();
    for (id, binary, properties, _) in template_functions("template.yaml") {
        let host = &properties["Environment"]["Variables"]["DB_HOST"];
        if BROWSE.contains(&binary.as_str()) {
            // `!If [HasReadOnlyEndpoint, !Ref DbReadOnlyProxyEndpoint, !Ref DbProxyEndpoint]`, tags dropped.
            let choice: Vec<&str> = host
                .as_vec()
                .unwrap_or_else(|| panic!("{id}: DB_HOST chooses the read-only endpoint"))
                .iter()
                .filter_map(Yaml::as_str)
                .collect();
            assert_eq!(
                choice,
                [
                    "HasReadOnlyEndpoint",
                    "DbReadOnlyProxyEndpoint",
                    "DbProxyEndpoint"
                ],
                "{id}"
            );
            browse.push(binary);
        } else {
            assert!(host.is_badvalue(), "{id} ({binary}) stays on the writer");
        }
    }
    browse.sort();
    let mut expected = BROWSE.map(str::to_owned).to_vec();
    expected.sort();
    assert_eq!(browse, expected);
    for function in BROWSE {
        let route = marketplace_http::routes::ROUTES
            .iter()
            .find(|r| r.function == function)
            .unwrap();
        assert_eq!(route.method, "GET", "{function} only reads");
    }
}

#[tokio::test]
async fn a_migration_that_waits_for_a_table_lock_gives_up_within_a_second_and_tries_again() {
    let url = empty_database().await;
    let pool = pool_from_url(&url, PoolSettings::LAMBDA).unwrap();
    migrate::handle(&pool, json!({})).await.unwrap();
    // Another session holds the migrations' own table, as a long transaction would hold an item table.
    let (admin, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    admin
        .batch_execute("BEGIN; LOCK TABLE refinery_schema_history IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let migrating = tokio::spawn(async move { migrate::handle(&pool, json!({})).await });
    tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;
    // The migrate run gave up its wait after lock_timeout (1 s) and pauses before its next attempt, rather
    // than queueing every later statement on the table behind it for as long as the lock is held.
    let waiting: i64 = admin
        .query_one(
            "SELECT count(*) FROM pg_locks
             WHERE relation = 'refinery_schema_history'::regclass AND NOT granted",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(waiting, 0, "the migrate run is not queued on the lock");
    admin.batch_execute("COMMIT").await.unwrap();
    let report = migrating.await.unwrap().expect("done on a later attempt");
    assert!(report.applied.is_empty());
    assert!(
        started.elapsed() >= std::time::Duration::from_secs(2),
        "it waited, gave up, paused, retried"
    );
}
