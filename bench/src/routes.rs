//! Every route, timed through its real handler with a one-connection pool (as in Lambda), next to its SQL
//! floor: the very statements the route runs, timed on the same connection.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use marketplace_catalog::statements::*;
use marketplace_catalog::Sql;
use marketplace_catalog::{ItemKind, RateLimit};
use marketplace_db::{pool_from_url, PoolSettings};
use marketplace_http::{AppState, Config};
use tokio_postgres::NoTls;

use crate::stats::Percentiles;
use crate::Error;

mod call;
mod floor;
mod latency;
mod pull_back;
mod scenarios;
mod writes;

pub use latency::{LatencyRow, RoundTripCost, DELAY};

use call::Call;
use floor::{Read, Viewer};
use scenarios::{
    catalog_member_scenarios, explain, most_installed, read_scenarios, search_scenarios, time_read,
};

const MEMBER: &str = "bench-member";
/// A member of three private catalogs (bench/src/catalog.rs); the bench member is in none.
const INSIDER: &str = "bench-insider";
const WORKSPACES: usize = 10;
const INSTALLS_IN_FIRST_WORKSPACE: usize = 500;
const INSTALLS_PER_WORKSPACE: usize = 300;
const UPDATED_ITEMS: usize = 100;
const WARMUP: usize = 20;
/// Reviews posted through the handler (and through the domain call, for the floor).
const REVIEWS_POSTED: usize = 100;

#[derive(Debug, Clone)]
pub struct RouteResult {
    pub name: &'static str,
    pub route: Percentiles,
    pub floor: Option<Percentiles>,
    pub samples: usize,
}

/// What the timed routes run against: the handlers' state, a setup connection, the bench member, their
/// workspaces (one kept apart for the floors of writes) and the most installed items.
struct Bench {
    state: AppState,
    setup: tokio_postgres::Client,
    member: i64,
    insider: Viewer,
    workspaces: Vec<uuid::Uuid>,
    floor_workspace: uuid::Uuid,
    popular: Vec<i64>,
    /// The name of one listed agent, as a user would type it to find that item.
    exact_name: String,
}

/// An install in the first workspace: its id, the item and the item's kind.
struct Installed {
    install_id: i64,
    item: i64,
    kind: String,
}

/// Times every route at this catalog size; with `explain_dir`, first writes the plans of the listing and
/// search scenarios there.
pub async fn measure(
    url: &str,
    size: usize,
    samples: usize,
    explain_dir: Option<&std::path::Path>,
) -> Result<(Vec<RouteResult>, Option<(RoundTripCost, Vec<LatencyRow>)>), Error> {
    let bench = Bench::prepare(url).await?;
    let workspace = bench.workspaces[0];
    let mut scenarios = read_scenarios(workspace);
    scenarios.extend(search_scenarios(&bench.exact_name));
    scenarios.extend(catalog_member_scenarios(bench.insider));
    scenarios.extend(bench.cursor_scenarios().await?);
    if let Some(dir) = explain_dir {
        explain(&bench, &scenarios, dir).await?;
        // BENCH_EXPLAIN_ONLY=1: the plans, nothing timed (to check a change of plan quickly).
        if std::env::var("BENCH_EXPLAIN_ONLY").is_ok_and(|v| v == "1") {
            return Ok((Vec::new(), None));
        }
    }
    let (install, first_installs, floor_installs) = bench.measure_installs().await?;
    let mut results = vec![install];
    bench.approve_new_versions(&first_installs).await?;
    for (name, call, read) in scenarios {
        results.push(
            time_read(
                &bench.state,
                name,
                |_| &call,
                |_| &read,
                samples,
                bench.member,
                workspace.into(),
            )
            .await?,
        );
    }
    results.push(
        bench
            .measure_item_reads("detail", "", Read::Detail, samples)
            .await?,
    );
    results.push(
        bench
            .measure_item_reads("versions", "/versions", Read::Versions, samples)
            .await?,
    );
    results.push(
        bench
            .measure_apply_updates(&first_installs, &floor_installs)
            .await?,
    );
    results.extend(bench.measure_review_pages(samples).await?);
    results.push(bench.measure_post_reviews(&first_installs).await?);
    results.extend(bench.measure_installed_list(samples).await?);
    results.extend(bench.measure_dependency_installs(samples).await?);
    results.push(bench.measure_uninstalls(&first_installs).await?);
    results.push(bench.measure_submissions(samples).await?);
    // The round trips with and without a delay, at the largest size (where the plans are written).
    let latency = match explain_dir {
        Some(_) => Some(bench.measure_latency(url, samples).await?),
        None => None,
    };
    // Last: it revokes listings the routes above install.
    results.extend(
        bench
            .measure_pull_back_lists(&first_installs, samples)
            .await?,
    );
    for result in &results {
        eprintln!(
            "{size:>8} {:<24} p50 {:>7.2} ms  p95 {:>7.2}  p99 {:>7.2}  floor p50 {}",
            result.name,
            result.route.p50,
            result.route.p95,
            result.route.p99,
            result.floor.map_or("-".into(), |f| format!("{:.2}", f.p50))
        );
    }
    Ok((results, latency))
}

impl Bench {
    async fn prepare(url: &str) -> Result<Self, Error> {
        let (setup, connection) = tokio_postgres::connect(url, NoTls).await?;
        tokio::spawn(connection);
        // The bench member posts hundreds of reviews and submissions: no rate limit in the way.
        let unlimited = RateLimit {
            submissions: 1_000_000,
            window_secs: 3600,
        };
        let config = Config {
            review_limit: unlimited,
            submission_limit: unlimited,
            ..Config::default()
        };
        let state = AppState::new(pool_from_url(url, PoolSettings::LAMBDA)?, config);
        let member: i64 = setup
            .query_one("SELECT id FROM users WHERE auth_subject = $1", &[&MEMBER])
            .await?
            .get("id");
        let insider = Viewer {
            subject: INSIDER,
            id: setup
                .query_one("SELECT id FROM users WHERE auth_subject = $1", &[&INSIDER])
                .await?
                .get("id"),
        };
        let mut workspaces = Vec::new();
        for i in 0..=WORKSPACES {
            let id: uuid::Uuid = setup
                .query_one(
                    "INSERT INTO workspaces (name) VALUES ($1) RETURNING id",
                    &[&format!("Bench {i}")],
                )
                .await?
                .get("id");
            setup
                .execute(
                    "INSERT INTO workspace_members VALUES ($1, $2, 'owner')",
                    &[&id, &member],
                )
                .await?;
            workspaces.push(id);
        }
        let floor_workspace = workspaces.pop().ok_or("no workspace")?;
        let popular = most_installed(&setup).await?;
        let exact_name: String = setup
            .query_one(
                "SELECT name FROM agents WHERE is_approved AND catalog_id IS NULL ORDER BY id
                 OFFSET least(1234, (SELECT count(*) - 1 FROM agents WHERE is_approved AND catalog_id IS NULL))
                 LIMIT 1",
                &[],
            )
            .await?
            .get("name");
        Ok(Self {
            state,
            setup,
            member,
            insider,
            workspaces,
            floor_workspace,
            popular,
            exact_name,
        })
    }

    /// Hundreds of installs per workspace through the handler, then installs of the same items into the
    /// floor workspace through the domain call (the same statements without the HTTP layer).
    async fn measure_installs(&self) -> Result<(RouteResult, Vec<Installed>, Vec<i64>), Error> {
        eprintln!(
            "installing {} items across {WORKSPACES} workspaces",
            INSTALLS_IN_FIRST_WORKSPACE + (WORKSPACES - 1) * INSTALLS_PER_WORKSPACE
        );
        let mut install_times = Vec::new();
        let mut first_installs = Vec::new();
        for (w, workspace) in self.workspaces.iter().enumerate() {
            let count = if w == 0 {
                INSTALLS_IN_FIRST_WORKSPACE
            } else {
                INSTALLS_PER_WORKSPACE
            };
            for i in 0..count {
                let item = self.popular[(w * 37 + i) % self.popular.len()];
                let (elapsed, body) =
                    Call::post(format!("/api/marketplace/items/{item}/install"), *workspace)
                        .run(&self.state)
                        .await?;
                install_times.push(elapsed);
                if w == 0 {
                    first_installs.push(Installed {
                        install_id: body["install_id"].as_i64().ok_or("install_id")?,
                        item,
                        kind: body["item"]["type"].as_str().unwrap_or("").to_owned(),
                    });
                }
            }
        }
        let (install_floor, floor_installs) = self.install_floor().await?;
        let result = RouteResult {
            name: "install",
            route: Percentiles::of(&install_times),
            floor: Some(Percentiles::of(&install_floor)),
            samples: install_times.len(),
        };
        Ok((result, first_installs, floor_installs))
    }

    async fn install_floor(&self) -> Result<(Vec<Duration>, Vec<i64>), Error> {
        let mut times = Vec::new();
        let mut install_ids = Vec::new();
        // The kinds the route's instance remembers, remembered the same way.
        let mut kinds = std::collections::HashMap::new();
        for i in 0..INSTALLS_PER_WORKSPACE {
            let mut db = self.state.pool.get().await?;
            let item_id = self.popular[i % self.popular.len()];
            // The installer read the plan and consented to it before the install is timed.
            let plan =
                marketplace_catalog::install_plan(&**db, self.floor_workspace.into(), item_id)
                    .await?;
            let started = Instant::now();
            self.caller_floor(&**db).await?;
            let request = marketplace_catalog::InstallRequest {
                item_id,
                workspace: self.floor_workspace.into(),
                user_id: self.member,
                idempotency_key: None,
                accept_capabilities: Some(plan.manifest.capabilities_digest),
                kind: kinds.get(&item_id).copied(),
                confirm_caller: None,
            };
            let outcome = marketplace_catalog::install_item(&mut db, &request).await?;
            times.push(started.elapsed());
            kinds.insert(item_id, outcome.response.installation.item.kind);
            install_ids.push(outcome.response.install_id);
        }
        Ok((times, install_ids))
    }

    /// What every workspace route runs first: the caller's lookup and membership.
    async fn caller_floor(&self, db: &impl Sql) -> Result<(), Error> {
        user_by_subject_statement(MEMBER).query(db).await?;
        workspace_role_statement(self.floor_workspace.into(), self.member)
            .query(db)
            .await?;
        Ok(())
    }

    /// New approved versions for the first workspace's first installs (and so the floor's, same items).
    async fn approve_new_versions(&self, first_installs: &[Installed]) -> Result<(), Error> {
        let mut by_kind: HashMap<&str, Vec<i64>> = HashMap::new();
        for installed in first_installs.iter().take(UPDATED_ITEMS) {
            by_kind
                .entry(&installed.kind)
                .or_default()
                .push(installed.item);
        }
        for (kind, ids) in &by_kind {
            let table = ItemKind::parse(kind)?.table();
            self.setup
                .execute(
                    &format!(
                        "WITH bumped AS (UPDATE {table} SET version = '1.9.0', updated_at = now() WHERE id = ANY($1) RETURNING id)
                         INSERT INTO item_versions (item_id, item_kind, version, changelog, status, published_at)
                         SELECT id, $2::text, '1.9.0', 'Faster and smarter.', 'approved', now() FROM bumped
                         ON CONFLICT (item_id, version) DO NOTHING"
                    ),
                    &[ids, kind],
                )
                .await?;
        }
        Ok(())
    }

    /// A read of one item (`/api/marketplace/items/{id}{suffix}`), over the 200 most installed.
    async fn measure_item_reads(
        &self,
        name: &'static str,
        suffix: &str,
        read: fn(i64) -> Read,
        samples: usize,
    ) -> Result<RouteResult, Error> {
        let scenarios: Vec<(Call, Read)> = self
            .popular
            .iter()
            .take(200)
            .map(|id| {
                (
                    Call::get(format!("/api/marketplace/items/{id}{suffix}")),
                    read(*id),
                )
            })
            .collect();
        time_read(
            &self.state,
            name,
            |i| &scenarios[i % scenarios.len()].0,
            |i| &scenarios[i % scenarios.len()].1,
            samples,
            self.member,
            self.workspaces[0].into(),
        )
        .await
    }

    /// Apply-update for the installs that have one, and its floor on the floor workspace's.
    async fn measure_apply_updates(
        &self,
        first_installs: &[Installed],
        floor_installs: &[i64],
    ) -> Result<RouteResult, Error> {
        let mut apply_times = Vec::new();
        for installed in first_installs.iter().take(UPDATED_ITEMS) {
            let (elapsed, body) = Call::post(
                format!("/api/marketplace/installs/{}/update", installed.install_id),
                self.workspaces[0],
            )
            .run(&self.state)
            .await?;
            debug_assert_eq!(body["to_version"], "1.9.0");
            apply_times.push(elapsed);
        }
        let mut apply_floor = Vec::new();
        for install_id in floor_installs.iter().take(UPDATED_ITEMS) {
            let mut db = self.state.pool.get().await?;
            let workspace = self.floor_workspace.into();
            let started = Instant::now();
            self.caller_floor(&**db).await?;
            match marketplace_catalog::apply_update(&mut db, workspace, *install_id, false, None)
                .await
            {
                Ok(_) => apply_floor.push(started.elapsed()),
                // An update that widens what the copy reaches: timed again, consenting as a client that
                // read `GET /updates` would.
                Err(marketplace_catalog::CatalogError::CapabilitiesConsentRequired(manifest)) => {
                    let started = Instant::now();
                    self.caller_floor(&**db).await?;
                    let digest = Some(manifest.capabilities_digest);
                    marketplace_catalog::apply_update(
                        &mut db,
                        workspace,
                        *install_id,
                        false,
                        digest.as_deref(),
                    )
                    .await?;
                    apply_floor.push(started.elapsed());
                }
                Err(error) => return Err(error.into()),
            }
        }
        Ok(RouteResult {
            name: "apply-update",
            route: Percentiles::of(&apply_times),
            floor: Some(Percentiles::of(&apply_floor)),
            samples: apply_times.len(),
        })
    }
}
