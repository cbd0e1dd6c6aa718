//! Faults between the service and PostgreSQL: lock waits, abandoned requests, killed connections, an
//! unreachable or blackholed database, and connections closed while idle. Every request answers within its
//! bound, with 503 and `Retry-After` where a retry can help, and the next request after recovery succeeds
//! without restarting anything.

use std::time::{Duration, Instant};

use harness::*;
use marketplace_http::Config;

/// Short bounds so that each fault shows within a second or two.
fn config() -> Config {
    Config {
        request_budget: Duration::from_millis(2500),
        ..Config::default()
    }
}

fn settings(max_size: usize) -> PoolSettings {
    with_lock_bound(max_size, Duration::from_millis(800))
}

fn with_lock_bound(max_size: usize, lock: Duration) -> PoolSettings {
    PoolSettings {
        max_size,
        wait_timeout: Duration::from_millis(1000),
        create_timeout: Duration::from_millis(1000),
        recycle_timeout: Duration::from_millis(500),
        session_limits: Some(SessionLimits {
            statement: lock * 2,
            lock,
            ..SessionLimits::SERVING
        }),
        ..PoolSettings::LAMBDA
    }
}

#[track_caller]
fn assert_unavailable(response: &TestResponse) {
    response.assert_problem(503, "service_unavailable");
    let retry_after: u64 = response
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .expect("a Retry-After in seconds");
    assert!(retry_after >= 1);
}

/// A connection of the test's own that holds a row lock on the item until it is dropped.
async fn lock_item(app: &TestApp, table: &str, id: i64) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(&app.url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    client
        .batch_execute(&format!(
            "BEGIN; SELECT 1 FROM {table} WHERE id = {id} FOR UPDATE"
        ))
        .await
        .unwrap();
    client
}

#[tokio::test]
async fn a_statement_waiting_on_a_lock_answers_503_within_the_lock_bound() {
    let app = TestApp::with_settings(config(), settings(2)).await;
    let workspace = app.workspace_with_members("acme").await;
    let item = app.item(ItemKind::Skill, "Hot").insert().await;
    let _lock = lock_item(&app, "skills", item).await;

    let started = Instant::now();
    let response = app
        .as_user("acme-owner")
        .in_workspace(workspace)
        .install(item)
        .await;
    let took = started.elapsed();
    assert_unavailable(&response);
    assert!(took < Duration::from_secs(2), "answered after {took:?}");
    assert_eq!(
        app.count("SELECT count(*) FROM marketplace_installs").await,
        0
    );
}

#[tokio::test]
async fn an_abandoned_request_does_not_hand_its_busy_connection_to_the_next() {
    // The abandoned statement would wait 3 s for its lock; the next request must not wait behind it.
    let app = TestApp::with_settings(config(), with_lock_bound(1, Duration::from_secs(3))).await;
    let workspace = app.workspace_with_members("acme").await;
    let item = app.item(ItemKind::Skill, "Hot").insert().await;
    let lock = lock_item(&app, "skills", item).await;

    // The client gives up while its install waits for the lock.
    let install = app
        .as_user("acme-owner")
        .in_workspace(workspace)
        .install(item);
    assert!(tokio::time::timeout(Duration::from_millis(300), install)
        .await
        .is_err());

    let started = Instant::now();
    let stats = app.as_user("acme-owner").stats().await;
    stats.assert_status(200);
    println!("the next request answered in {:?}", started.elapsed());
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "the next request waited {:?} behind the abandoned statement",
        started.elapsed()
    );
    // Its connection was closed, so the server ends the waiting statement at its next client check
    // (1 s), well before the 3 s lock bound would.
    let closed = Instant::now();
    while app
        .count(
            "SELECT count(*) FROM pg_stat_activity
             WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
        .await
        > 0
    {
        assert!(
            closed.elapsed() < Duration::from_millis(2500),
            "the abandoned statement still waits after {:?}",
            closed.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    println!(
        "abandoned statement ended {:?} after its request",
        closed.elapsed()
    );
    drop(lock);
    assert_eq!(
        app.count("SELECT count(*) FROM marketplace_installs").await,
        0,
        "the abandoned install was rolled back"
    );
}

#[tokio::test]
async fn a_request_over_its_budget_answers_503_in_time_and_frees_its_connection() {
    let config = Config {
        request_budget: Duration::from_millis(500),
        ..config()
    };
    // Only the budget can end this request: the lock wait alone would last 5 s.
    let app = TestApp::with_settings(config, with_lock_bound(1, Duration::from_secs(5))).await;
    let workspace = app.workspace_with_members("acme").await;
    let item = app.item(ItemKind::Skill, "Hot").insert().await;
    let lock = lock_item(&app, "skills", item).await;

    let started = Instant::now();
    let response = app
        .as_user("acme-owner")
        .in_workspace(workspace)
        .install(item)
        .await;
    assert_unavailable(&response);
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(500) && took < Duration::from_millis(2000),
        "{took:?}"
    );
    drop(lock);
    app.as_user("acme-owner")
        .in_workspace(workspace)
        .install(item)
        .await
        .assert_status(201);
}

#[tokio::test]
async fn a_killed_connection_answers_503_and_the_next_request_succeeds() {
    let app = TestApp::with_settings(config(), settings(1)).await;
    let workspace = app.workspace_with_members("acme").await;
    let item = app.item(ItemKind::Skill, "Hot").insert().await;
    let lock = lock_item(&app, "skills", item).await;

    let install = app
        .as_user("acme-owner")
        .in_workspace(workspace)
        .install(item);
    let kill = async {
        tokio::time::sleep(Duration::from_millis(200)).await;
        app.count(
            "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE datname = current_database() AND wait_event_type = 'Lock') killed",
        )
        .await
    };
    let (response, killed) = futures::join!(install, kill);
    assert_eq!(killed, 1, "the install was waiting for the lock");
    assert_unavailable(&response);
    drop(lock);

    app.as_user("acme-owner")
        .in_workspace(workspace)
        .install(item)
        .await
        .assert_status(201);
}

#[tokio::test]
async fn an_unreachable_database_answers_503_within_the_pool_bound_then_recovers() {
    let (app, proxy) = TestApp::behind_proxy(config(), settings(2)).await;
    app.user("ada").await;
    app.as_user("ada").list_items("").await.assert_status(200);

    proxy.set_mode(Mode::Refuse);
    proxy.drop_connections();
    for _ in 0..3 {
        let started = Instant::now();
        let response = app.as_user("ada").list_items("").await;
        assert_unavailable(&response);
        assert!(
            started.elapsed() < Duration::from_millis(1500),
            "{:?}",
            started.elapsed()
        );
    }

    proxy.set_mode(Mode::Pass);
    app.as_user("ada").list_items("").await.assert_status(200);
}

#[tokio::test]
async fn a_blackholed_statement_answers_503_within_the_budget_and_the_pool_recovers() {
    let (app, proxy) = TestApp::behind_proxy(config(), settings(1)).await;
    app.user("ada").await;
    app.as_user("ada").stats().await.assert_status(200);

    proxy.set_mode(Mode::Blackhole);
    let started = Instant::now();
    let response = app.as_user("ada").list_items("").await;
    assert_unavailable(&response);
    let took = started.elapsed();
    assert!(took < Duration::from_secs(4), "{took:?}");

    proxy.set_mode(Mode::Pass);
    let started = Instant::now();
    app.as_user("ada").list_items("").await.assert_status(200);
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[tokio::test]
async fn a_connection_closed_while_idle_does_not_fail_the_next_request() {
    let settings = PoolSettings {
        verify_after_idle: Duration::from_millis(50),
        ..settings(1)
    };
    let (app, proxy) = TestApp::behind_proxy(config(), settings).await;
    app.user("ada").await;
    for _ in 0..3 {
        app.as_user("ada").list_items("").await.assert_status(200);
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(proxy.close_idle(Duration::from_millis(50)), 1);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.as_user("ada").list_items("").await.assert_status(200);
    assert!(proxy.stats().accepted >= 4, "a new connection each time");
}

#[tokio::test]
async fn a_connection_idle_for_longer_than_the_proxy_allows_is_replaced_before_use() {
    let settings = PoolSettings {
        max_idle: Duration::from_millis(100),
        verify_after_idle: Duration::from_secs(3600),
        ..settings(1)
    };
    let (app, proxy) = TestApp::behind_proxy(config(), settings).await;
    app.user("ada").await;
    app.as_user("ada").stats().await.assert_status(200);
    tokio::time::sleep(Duration::from_millis(200)).await;
    app.as_user("ada").stats().await.assert_status(200);
    assert_eq!(
        proxy.stats().accepted,
        2,
        "the idle connection was not reused"
    );
}
