//! deploy/database-setup.sql, run with the real psql as a non-superuser "master" that has CREATEROLE and
//! CREATEDB (as RDS's master user has), then: the migrate function as the owner role, and the routes' reads
//! and writes as the app role, with the app role's settings in effect and no DDL allowed to it.

use std::path::{Path, PathBuf};
use std::process::Command;

use harness::*;
use marketplace_db::pool_from_url;
use marketplace_http::{AppState, Config};
use tokio_postgres::error::SqlState;
use tokio_postgres::NoTls;

fn setup_sql() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/database-setup.sql")
}

fn psql() -> PathBuf {
    throwaway_pg::find_bin_dir()
        .map(|dir| dir.join("psql"))
        .ok()
        .filter(|path| path.exists())
        .unwrap_or_else(|| PathBuf::from("psql"))
}

async fn connect(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, NoTls)
        .await
        .unwrap_or_else(|e| panic!("connect to {url}: {e}"));
    tokio::spawn(connection);
    client
}

/// The names one run of the setup uses; roles are cluster-wide, so they are unique to this test run.
struct Names {
    master: String,
    owner: String,
    app: String,
    db: String,
    host: String,
    port: u16,
}

impl Names {
    fn url(&self, role: &str, db: &str) -> String {
        format!("postgres://{role}@{}:{}/{db}", self.host, self.port)
    }

    /// Runs the setup file with psql, connected over TCP as the master.
    fn run_setup(&self) {
        let output = Command::new(psql())
            .args(["--no-psqlrc", "--quiet", "-v", "ON_ERROR_STOP=1"])
            .args(["-v", &format!("db={}", self.db)])
            .args(["-v", &format!("owner_role={}", self.owner)])
            .args(["-v", &format!("app_role={}", self.app)])
            .args(["-f", setup_sql().to_str().unwrap()])
            .arg(format!(
                "host={} port={} dbname=postgres user={}",
                self.host, self.port, self.master
            ))
            .output()
            .expect("run psql (it comes with PostgreSQL's client package)");
        assert!(
            output.status.success(),
            "psql failed: {}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            !stderr.contains("WARNING"),
            "every grant and revoke took effect: {stderr}"
        );
    }
}

#[track_caller]
fn assert_denied(result: Result<u64, tokio_postgres::Error>, what: &str) {
    let error = result.expect_err(what);
    assert_eq!(
        error.code(),
        Some(&SqlState::INSUFFICIENT_PRIVILEGE),
        "{what}: {error}"
    );
}

#[tokio::test]
async fn the_setup_sql_makes_an_owner_for_migrations_and_an_app_role_that_serves_without_ddl() {
    if std::env::var_os("DATABASE_URL").is_some() {
        // Its roles log in without a password, which only the throwaway cluster (trust auth) allows.
        eprintln!("skipped: runs on the throwaway cluster only, not on DATABASE_URL's server");
        return;
    }
    let superuser_url = server_url("postgres").await;
    let parsed: tokio_postgres::Config = superuser_url.parse().unwrap();
    let host = match &parsed.get_hosts()[0] {
        tokio_postgres::config::Host::Tcp(host) => host.clone(),
        #[allow(unreachable_patterns)]
        other => panic!("the test server is reached over TCP, not {other:?}"),
    };
    let suffix = std::process::id();
    let names = Names {
        master: format!("setup_master_{suffix}"),
        owner: format!("setup_owner_{suffix}"),
        app: format!("setup_app_{suffix}"),
        db: format!("setup_db_{suffix}"),
        host,
        port: parsed.get_ports()[0],
    };
    let superuser = connect(&superuser_url).await;
    // Like RDS's master user: not a superuser, may create roles and databases.
    superuser
        .batch_execute(&format!(
            "CREATE ROLE {} LOGIN NOSUPERUSER CREATEROLE CREATEDB",
            names.master
        ))
        .await
        .unwrap();

    names.run_setup();
    names.run_setup(); // a second run changes nothing and fails on nothing

    let owner_of_db: String = superuser
        .query_one(
            "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = $1",
            &[&names.db],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(owner_of_db, names.owner);
    for role in [&names.owner, &names.app] {
        let attributes: (bool, bool, bool) = superuser
            .query_one(
                "SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = $1",
                &[role],
            )
            .await
            .map(|row| (row.get(0), row.get(1), row.get(2)))
            .unwrap();
        assert_eq!(attributes, (false, false, false), "{role}");
    }

    // The migrate function, as the owner: every migration (pg_trgm, DOMAINs, functions, triggers, ALTER
    // DATABASE ... SET) and the LLM catalog.
    let owner_url = names.url(&names.owner, &names.db);
    let owner_pool =
        pool_from_url(&owner_url, PoolSettings::LAMBDA.with_session_limits(None)).unwrap();
    let report = migrate::handle(&owner_pool, json!({"seed_llm_catalog": true}))
        .await
        .expect("migrate as the owner role");
    let migrations = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".sql")
        })
        .count();
    assert_eq!(report.applied.len(), migrations);
    assert!(report.llm_catalog.unwrap().inserted >= 10);
    let owner = connect(&owner_url).await;
    let owner_timeout: String = owner
        .query_one("SHOW statement_timeout", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(owner_timeout, "0", "no role settings for the owner");
    drop(owner);
    owner_pool.close();

    // The app role, as the route functions connect through RDS Proxy: no startup options, so the bounds
    // come from its role settings alone.
    let app_url = names.url(&names.app, &names.db);
    let app_client = connect(&app_url).await;
    for (setting, value) in [
        ("statement_timeout", "3s"),
        ("lock_timeout", "2s"),
        ("idle_in_transaction_session_timeout", "5s"),
        ("client_connection_check_interval", "1s"),
    ] {
        let shown: String = app_client
            .query_one(&format!("SHOW {setting}"), &[])
            .await
            .unwrap()
            .get(0);
        assert_eq!(shown, value, "{setting}");
    }
    // Planner settings of V4, set by the owner on the database.
    let jit: String = app_client.query_one("SHOW jit", &[]).await.unwrap().get(0);
    assert_eq!(jit, "off");

    // No DDL, no TRUNCATE, no temporary tables.
    assert_denied(
        app_client.execute("DROP TABLE agents", &[]).await,
        "DROP TABLE",
    );
    assert_denied(
        app_client
            .execute("CREATE TABLE intruder (id int)", &[])
            .await,
        "CREATE TABLE",
    );
    assert_denied(
        app_client
            .execute("ALTER TABLE agents ADD COLUMN intruder int", &[])
            .await,
        "ALTER TABLE",
    );
    assert_denied(app_client.execute("TRUNCATE agents", &[]).await, "TRUNCATE");
    // The public moderation log is append-only for the service: no UPDATE, DELETE or TRUNCATE.
    for statement in [
        "UPDATE moderation_log SET hash = prev_hash",
        "DELETE FROM moderation_log",
        "TRUNCATE moderation_log",
    ] {
        assert_denied(app_client.execute(statement, &[]).await, statement);
    }
    let privileges: (bool, bool, bool) = app_client
        .query_one(
            "SELECT has_table_privilege('moderation_log', 'INSERT'),
                    has_table_privilege('moderation_log', 'UPDATE'),
                    has_table_privilege('moderation_log', 'DELETE')",
            &[],
        )
        .await
        .map(|row| (row.get(0), row.get(1), row.get(2)))
        .unwrap();
    assert_eq!(
        privileges,
        (true, false, false),
        "the app role may only append"
    );
    assert_denied(
        app_client
            .execute("CREATE TEMPORARY TABLE scratch (id int)", &[])
            .await,
        "CREATE TEMPORARY TABLE",
    );
    assert_denied(
        app_client.execute("CREATE SCHEMA intruder", &[]).await,
        "CREATE SCHEMA",
    );
    drop(app_client);

    // Reads and writes through the real handlers as the app role; fixtures are inserted as the superuser.
    let pool = pool_from_url(
        &app_url,
        PoolSettings::LAMBDA
            .with_max_size(2)
            .with_session_limits(None),
    )
    .unwrap();
    let app = TestApp::over(
        AppState::new(pool, Config::default()),
        connect(&server_url(&names.db).await).await,
        app_url,
    );
    let acme = app.workspace_with_members("acme").await;
    let globex = app.workspace_with_members("globex").await;
    app.admin("boss").await;
    let agent = app
        .item(ItemKind::Agent, "Sales Assistant")
        .category("Sales")
        .versions(&["1.0.0"])
        .insert()
        .await;

    app.as_user("acme-viewer")
        .list_items("")
        .await
        .assert_status(200);
    // A search reads through V16's view and search functions, which the app role reaches by the default
    // privileges the setup grants.
    for query in [
        "search=assistant&sort=relevance",
        "search=sales&sort=newest",
        "search=as",
        "type=agent",
    ] {
        let page = app.as_user("acme-viewer").list_items(query).await;
        page.assert_status(200);
        assert!(page.body::<ItemPage>().ids().contains(&agent), "{query}");
    }
    app.as_user("acme-viewer")
        .item(agent)
        .await
        .assert_status(200);
    app.as_user("acme-viewer").stats().await.assert_status(200);
    let install = app
        .post(install_path(agent))
        .as_user("acme-editor")
        .workspace(acme)
        .header("idempotency-key", "setup-1")
        .send()
        .await;
    install.assert_status(201);
    app.as_user("acme-editor")
        .in_workspace(acme)
        .updates("")
        .await
        .assert_status(200);

    let own = app
        .item(ItemKind::Skill, "Deploy Watcher")
        .in_workspace(globex)
        .insert()
        .await;
    let submitted = app
        .as_user("globex-owner")
        .in_workspace(globex)
        .submit(
            &json!({"item_type": "skill", "item_id": own, "category": "DevOps",
                      "changelog": "First release."}),
        )
        .await;
    submitted.assert_status(201);
    let listing = submitted.body::<Pending>().item_id;
    app.as_user("boss").queue("").await.assert_status(200);
    app.as_user("boss")
        .approve(listing, None)
        .await
        .assert_status(200);
    let listed = app
        .get("/api/marketplace/items?type=skill")
        .as_user("acme-viewer")
        .send()
        .await;
    listed.assert_status(200);
    assert_eq!(listed.json["total"], 1, "{}", listed.text);
    assert_eq!(
        app.count("SELECT count(*) FROM admin_actions").await,
        1,
        "the approval was logged"
    );

    // Clean up: the roles are cluster-wide.
    drop(app);
    for statement in [
        format!("DROP DATABASE {} WITH (FORCE)", names.db),
        format!("DROP ROLE {}", names.app),
        format!("DROP ROLE {}", names.owner),
        format!("DROP ROLE {}", names.master),
    ] {
        superuser.batch_execute(&statement).await.unwrap();
    }
}
