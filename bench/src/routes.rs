//! Every route, timed through its real handler with a one-connection pool (as in Lambda), next to its SQL
//! floor: the very statements the route runs, timed on the same connection.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use lambda_http::http;
use marketplace_catalog::statements::*;
use marketplace_catalog::{
    Audience, ItemKind, ListQuery, RateLimit, ReviewCursor, ReviewQuery, ReviewSort, Sort,
    WorkspaceId,
};
use marketplace_db::{pool_from_url, PoolSettings};
use marketplace_http::routes::match_route;
use marketplace_http::{AppState, Config};
use serde_json::{Map, Value};
use tokio_postgres::{GenericClient, NoTls};

use crate::catalog::SEARCH_PHRASE;
use crate::stats::Percentiles;
use crate::Error;

const MEMBER: &str = "bench-member";
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

/// One request to a route, as API Gateway would hand it over.
struct Call {
    method: &'static str,
    uri: String,
    workspace: Option<uuid::Uuid>,
    body: Option<Value>,
}

impl Call {
    fn get(uri: impl Into<String>) -> Self {
        Self {
            method: "GET",
            uri: uri.into(),
            workspace: None,
            body: None,
        }
    }

    fn post(uri: impl Into<String>, workspace: uuid::Uuid) -> Self {
        Self {
            method: "POST",
            uri: uri.into(),
            workspace: Some(workspace),
            body: None,
        }
    }

    fn with_body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    fn delete(uri: impl Into<String>, workspace: uuid::Uuid) -> Self {
        Self {
            method: "DELETE",
            uri: uri.into(),
            workspace: Some(workspace),
            body: None,
        }
    }

    fn in_workspace(mut self, workspace: uuid::Uuid) -> Self {
        self.workspace = Some(workspace);
        self
    }

    /// Runs the route's handler; returns the time it took and the response body.
    async fn run(&self, state: &AppState) -> Result<(Duration, Value), Error> {
        let mut builder = http::Request::builder().method(self.method).uri(&self.uri);
        if let Some(workspace) = self.workspace {
            builder = builder.header("x-workspace-id", workspace.to_string());
        }
        let body = match &self.body {
            Some(body) => {
                builder = builder.header("content-type", "application/json");
                body.to_string().into_bytes()
            }
            None => Vec::new(),
        };
        let (parts, ()) = builder.body(())?.into_parts();
        let (route, params) = match_route(self.method, parts.uri.path()).ok_or("no route")?;
        let mut claims = Map::new();
        claims.insert("sub".into(), MEMBER.into());
        let peer: SocketAddr = "127.0.0.1:9".parse()?;
        let req = local_api::event::lambda_request(&parts, &body, route, params, claims, peer)?;
        let started = Instant::now();
        let response = local_api::dispatch(route.function, state, req)
            .await
            .ok_or("no handler")?;
        let elapsed = started.elapsed();
        let status = response.status();
        let body = match response.into_body() {
            lambda_http::Body::Text(text) => serde_json::from_str(&text).unwrap_or(Value::Null),
            _ => Value::Null,
        };
        if !status.is_success() {
            return Err(format!("{} {} answered {status}: {body}", self.method, self.uri).into());
        }
        Ok((elapsed, body))
    }
}

/// The statements under a read route, run on `db` as the handler runs them; returns the time they took.
async fn floor(
    db: &impl GenericClient,
    scenario: &Read,
    member: i64,
    workspace: WorkspaceId,
) -> Result<Duration, Error> {
    let started = Instant::now();
    user_by_subject_statement(MEMBER).query(db).await?;
    match scenario {
        Read::List(query) => {
            let rows = listing_statement(Audience::Member, query).query(db).await?;
            enrich(db, &rows).await?;
            let found_nothing = rows
                .iter()
                .all(|row| row.get::<_, Option<i64>>("id").is_none());
            if let (Some(term), true) = (&query.search, found_nothing) {
                suggestions_statement(Audience::Member, &ItemKind::ALL, term)
                    .query(db)
                    .await?;
            }
        }
        Read::Detail(id) => {
            let rows = detail_statement(Audience::Member, *id).query(db).await?;
            enrich(db, &rows).await?;
            let kind: &str = rows.first().ok_or("no item")?.get("kind");
            if let Some(dependencies) =
                dependencies_statement(Audience::Member, ItemKind::parse(kind)?, *id)
            {
                dependencies.query(db).await?;
            }
        }
        Read::Versions(id) => {
            visible_kind_statement(Audience::Member, *id)
                .query(db)
                .await?;
            approved_versions_statement(*id).query(db).await?;
        }
        Read::Reviews(id, query) => {
            rating_summary_statement(Audience::Member, *id)
                .query(db)
                .await?;
            reviews_page_statement(Audience::Member, *id, query)
                .query(db)
                .await?;
        }
        Read::Stats => {
            stats_statement().query(db).await?;
        }
        Read::Categories => {
            categories_statement(None).query(db).await?;
        }
        Read::Installs(cursor) => {
            workspace_role_statement(workspace, member)
                .query(db)
                .await?;
            let cursor = cursor
                .as_deref()
                .map(|token| {
                    marketplace_catalog::InstallCursor::parse(
                        token,
                        marketplace_catalog::InstallList::Installs,
                        workspace,
                    )
                })
                .transpose()?;
            installs_page_statement(workspace, cursor, 51)
                .query(db)
                .await?;
        }
        Read::Updates => {
            workspace_role_statement(workspace, member)
                .query(db)
                .await?;
            let rows = installs_statement(workspace, None, 51).query(db).await?;
            let updated: Vec<i64> = rows
                .iter()
                .filter(|row| {
                    row.get::<_, &str>("installed_version") != row.get::<_, &str>("latest_version")
                })
                .map(|row| row.get("item_id"))
                .collect();
            changelogs_statement(updated).query(db).await?;
        }
    }
    Ok(started.elapsed())
}

async fn enrich(db: &impl GenericClient, rows: &[tokio_postgres::Row]) -> Result<(), Error> {
    let agents: Vec<i64> = rows
        .iter()
        .filter(|row| row.get::<_, Option<&str>>("kind") == Some("agent"))
        .filter_map(|row| row.get::<_, Option<i64>>("id"))
        .collect();
    if !agents.is_empty() {
        agent_enrichment_statement(Audience::Member, agents)
            .query(db)
            .await?;
    }
    Ok(())
}

enum Read {
    List(ListQuery),
    Detail(i64),
    Versions(i64),
    Reviews(i64, ReviewQuery),
    Stats,
    Categories,
    Updates,
    /// A page of `GET /installs` after this cursor.
    Installs(Option<String>),
}

/// What the timed routes run against: the handlers' state, a setup connection, the bench member, their
/// workspaces (one kept apart for the floors of writes) and the most installed items.
struct Bench {
    state: AppState,
    setup: tokio_postgres::Client,
    member: i64,
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
) -> Result<Vec<RouteResult>, Error> {
    let bench = Bench::prepare(url).await?;
    let workspace = bench.workspaces[0];
    let mut scenarios = read_scenarios(workspace);
    scenarios.extend(search_scenarios(&bench.exact_name));
    scenarios.extend(bench.cursor_scenarios().await?);
    if let Some(dir) = explain_dir {
        explain(&bench, &scenarios, dir).await?;
        // BENCH_EXPLAIN_ONLY=1: the plans, nothing timed (to check a change of plan quickly).
        if std::env::var("BENCH_EXPLAIN_ONLY").is_ok_and(|v| v == "1") {
            return Ok(Vec::new());
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
    Ok(results)
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
                "SELECT name FROM agents WHERE is_approved ORDER BY id
                 OFFSET least(1234, (SELECT count(*) - 1 FROM agents WHERE is_approved)) LIMIT 1",
                &[],
            )
            .await?
            .get("name");
        Ok(Self {
            state,
            setup,
            member,
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
        for i in 0..INSTALLS_PER_WORKSPACE {
            let mut db = self.state.pool.get().await?;
            let started = Instant::now();
            self.caller_floor(&**db).await?;
            let request = marketplace_catalog::InstallRequest {
                item_id: self.popular[i % self.popular.len()],
                workspace: self.floor_workspace.into(),
                user_id: self.member,
                idempotency_key: None,
            };
            let outcome = marketplace_catalog::install_item(&mut db, &request).await?;
            times.push(started.elapsed());
            install_ids.push(outcome.response.install_id);
        }
        Ok((times, install_ids))
    }

    /// What every workspace route runs first: the caller's lookup and membership.
    async fn caller_floor(&self, db: &impl GenericClient) -> Result<(), Error> {
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
            let started = Instant::now();
            self.caller_floor(&**db).await?;
            let workspace = self.floor_workspace.into();
            marketplace_catalog::apply_update(&mut db, workspace, *install_id, false).await?;
            apply_floor.push(started.elapsed());
        }
        Ok(RouteResult {
            name: "apply-update",
            route: Percentiles::of(&apply_times),
            floor: Some(Percentiles::of(&apply_floor)),
            samples: apply_times.len(),
        })
    }
}

impl Bench {
    /// The first and a deep page (past 80 % of them, by cursor) of the most reviewed item's reviews.
    async fn measure_review_pages(&self, samples: usize) -> Result<Vec<RouteResult>, Error> {
        let row = self
            .setup
            .query_one(
                "SELECT item_id, count(*) AS reviews FROM user_reviews GROUP BY item_id
                 ORDER BY count(*) DESC, item_id LIMIT 1",
                &[],
            )
            .await?;
        let (item, reviews): (i64, i64) = (row.get("item_id"), row.get("reviews"));
        let path = format!("/api/marketplace/items/{item}/reviews");
        let first = ReviewQuery {
            sort: ReviewSort::Newest,
            limit: 20,
            cursor: None,
        };
        let (first_call, first_read) = (Call::get(path.clone()), Read::Reviews(item, first));
        let mut results = vec![
            time_read(
                &self.state,
                "reviews: first page",
                |_| &first_call,
                |_| &first_read,
                samples,
                self.member,
                self.workspaces[0].into(),
            )
            .await?,
        ];
        // Walk (at most 100 at a time) to a cursor past 80 % of the reviews.
        let step = (reviews / 10).clamp(1, 100);
        let mut cursor = String::new();
        let mut walked = 0;
        while walked < reviews * 4 / 5 {
            let mut uri = format!("{path}?limit={step}");
            if !cursor.is_empty() {
                uri.push_str(&format!("&cursor={cursor}"));
            }
            let (_, body) = Call::get(uri).run(&self.state).await?;
            walked += step;
            cursor = body["next_cursor"]
                .as_str()
                .ok_or("a next page")?
                .to_owned();
        }
        let deep = ReviewQuery {
            cursor: Some(ReviewCursor::parse(&cursor, item, first.sort)?),
            ..first
        };
        let deep_call = Call::get(format!("{path}?cursor={cursor}"));
        let deep_read = Read::Reviews(item, deep);
        results.push(
            time_read(
                &self.state,
                "reviews: deep cursor",
                |_| &deep_call,
                |_| &deep_read,
                samples,
                self.member,
                self.workspaces[0].into(),
            )
            .await?,
        );
        eprintln!("reviews pages of item {item} ({reviews} reviews, deep page after {walked})");
        Ok(results)
    }

    /// New reviews of installed items through the handler, and through the domain call from the floor
    /// workspace (other items, so both insert).
    async fn measure_post_reviews(
        &self,
        first_installs: &[Installed],
    ) -> Result<RouteResult, Error> {
        let body = serde_json::json!({"rating": 4, "title": "Solid", "body": "Does what it says.\nWould install again."});
        let mut route = Vec::new();
        for installed in first_installs.iter().take(REVIEWS_POSTED) {
            let (elapsed, _) = Call::post(
                format!("/api/marketplace/items/{}/reviews", installed.item),
                self.workspaces[0],
            )
            .with_body(body.clone())
            .run(&self.state)
            .await?;
            route.push(elapsed);
        }
        let mut floor_times = Vec::new();
        for item in self
            .popular
            .iter()
            .skip(REVIEWS_POSTED)
            .take(REVIEWS_POSTED)
        {
            let mut db = self.state.pool.get().await?;
            let started = Instant::now();
            self.caller_floor(&**db).await?;
            let review = marketplace_catalog::NewReview {
                item_id: *item,
                workspace: self.floor_workspace.into(),
                user_id: self.member,
                rating: 4,
                title: Some("Solid".into()),
                body: Some("Does what it says.".into()),
            };
            marketplace_catalog::post_review(&mut db, &review, self.state.config.review_limit)
                .await?;
            floor_times.push(started.elapsed());
        }
        Ok(RouteResult {
            name: "post review",
            route: Percentiles::of(&route),
            floor: Some(Percentiles::of(&floor_times)),
            samples: route.len(),
        })
    }
}

/// A recipe recommending three agents, each running on its own LLM: what the dependency cases install.
const DEPENDENCY_AGENTS: usize = 3;

impl Bench {
    /// `GET /installs` of the workspace with 500 installs: its first page, and the page after 400.
    async fn measure_installed_list(&self, samples: usize) -> Result<Vec<RouteResult>, Error> {
        let workspace = self.workspaces[0];
        let mut cursor: Option<String> = None;
        for _ in 0..4 {
            let uri = match &cursor {
                Some(cursor) => format!("/api/marketplace/installs?limit=100&cursor={cursor}"),
                None => "/api/marketplace/installs?limit=100".to_owned(),
            };
            let (_, body) = Call::get(uri)
                .in_workspace(workspace)
                .run(&self.state)
                .await?;
            cursor = Some(
                body["next_cursor"]
                    .as_str()
                    .ok_or("no next page")?
                    .to_owned(),
            );
        }
        let deep = cursor.ok_or("no cursor")?;
        let cases = [
            (
                "installs: first page",
                Call::get("/api/marketplace/installs"),
                Read::Installs(None),
            ),
            (
                "installs: cursor at 400",
                Call::get(format!("/api/marketplace/installs?cursor={deep}")),
                Read::Installs(Some(deep.clone())),
            ),
        ];
        let mut results = Vec::new();
        for (name, call, read) in cases {
            let call = call.in_workspace(workspace);
            results.push(
                time_read(
                    &self.state,
                    name,
                    |_| &call,
                    |_| &read,
                    samples,
                    self.member,
                    workspace.into(),
                )
                .await?,
            );
        }
        Ok(results)
    }

    /// The install plan and the install of a recipe whose three agents each bring an LLM (seven copies, seven
    /// install records), each into a workspace that has none of them yet.
    async fn measure_dependency_installs(&self, samples: usize) -> Result<Vec<RouteResult>, Error> {
        let recipe = self.dependency_recipe().await?;
        let mut plans = Vec::with_capacity(samples);
        let mut installs = Vec::with_capacity(samples);
        for i in 0..WARMUP + samples {
            let workspace = self.new_workspace(&format!("Bench deps {i}")).await?;
            let (plan_time, plan) =
                Call::get(format!("/api/marketplace/items/{recipe}/install-plan"))
                    .in_workspace(workspace)
                    .run(&self.state)
                    .await?;
            let (install_time, body) = Call::post(
                format!("/api/marketplace/items/{recipe}/install"),
                workspace,
            )
            .run(&self.state)
            .await?;
            let cloned = body["dependencies"].as_array().map_or(0, Vec::len);
            if cloned != 2 * DEPENDENCY_AGENTS || plan["steps"].as_array().map_or(0, Vec::len) != 7
            {
                return Err(format!("the recipe brought {cloned} dependencies: {body}").into());
            }
            if i >= WARMUP {
                plans.push(plan_time);
                installs.push(install_time);
            }
        }
        Ok(vec![
            RouteResult {
                name: "install-plan (recipe, 3 agents, 3 LLMs)",
                route: Percentiles::of(&plans),
                floor: None,
                samples,
            },
            RouteResult {
                name: "install (recipe, 3 agents, 3 LLMs)",
                route: Percentiles::of(&installs),
                floor: None,
                samples,
            },
        ])
    }

    async fn dependency_recipe(&self) -> Result<i64, Error> {
        let mut agents = Vec::new();
        for i in 0..DEPENDENCY_AGENTS {
            let model = format!("bench-dependency-llm-{i}");
            self.setup
                .execute(
                    "INSERT INTO llm_models (name, owner_type, is_approved, is_official, provider, model_id)
                     VALUES ($1, 'marketplace', true, true, 'bench', $1)",
                    &[&model],
                )
                .await?;
            let agent = format!("Bench Dependency Agent {i}");
            self.setup
                .execute(
                    "INSERT INTO agents (name, owner_type, is_approved, model_config, original_creator_id)
                     VALUES ($1, 'marketplace', true, jsonb_build_object('model', $2::text), 1)",
                    &[&agent, &model],
                )
                .await?;
            agents.push(agent);
        }
        let steps: Value = agents
            .iter()
            .map(|name| serde_json::json!({"name": name, "agent_name": name}))
            .collect();
        let recipe: i64 = self
            .setup
            .query_one(
                "INSERT INTO workflow_templates (name, owner_type, is_approved, recommended_agents, steps,
                                                original_creator_id)
                 VALUES ('Bench Dependency Recipe', 'marketplace', true, to_jsonb($1::text[]), $2, 1)
                 RETURNING id",
                &[&agents, &steps],
            )
            .await?
            .get("id");
        // Loaded, not reviewed: pinned as approval pins (the agents' LLMs are official, the recipe's agents
        // the same publisher's).
        self.setup
            .execute(
                "SELECT marketplace_pin_dependencies(t.id, marketplace_resolve_dependencies('agent',
                            jsonb_build_object('model_config', t.model_config), t.original_creator_id))
                 FROM agents t WHERE t.name = ANY($1) AND t.owner_type = 'marketplace'",
                &[&agents],
            )
            .await?;
        self.setup
            .execute(
                "SELECT marketplace_pin_dependencies(t.id, marketplace_resolve_dependencies('recipe',
                            jsonb_build_object('recommended_agents', t.recommended_agents),
                            t.original_creator_id))
                 FROM workflow_templates t WHERE t.id = $1",
                &[&recipe],
            )
            .await?;
        Ok(recipe)
    }

    async fn new_workspace(&self, name: &str) -> Result<uuid::Uuid, Error> {
        let id: uuid::Uuid = self
            .setup
            .query_one(
                "INSERT INTO workspaces (name) VALUES ($1) RETURNING id",
                &[&name],
            )
            .await?
            .get("id");
        self.setup
            .execute(
                "INSERT INTO workspace_members VALUES ($1, $2, 'owner')",
                &[&id, &self.member],
            )
            .await?;
        Ok(id)
    }

    /// Submissions of new workspace agents as listings: the credential scan of their content and fields, the
    /// dependency resolution and the pending version, each a fresh item with a realistic configuration.
    async fn measure_submissions(&self, samples: usize) -> Result<RouteResult, Error> {
        let mut times = Vec::with_capacity(samples);
        for i in 0..WARMUP + samples {
            let source: i64 = self
                .setup
                .query_one(
                    "INSERT INTO agents (name, owner_type, owner_id, workspace_id, configuration, model_config)
                     VALUES ($1, 'workspace', $2::uuid::text, $2, $3, $4) RETURNING id",
                    &[
                        &format!("Bench Submission {i} {}", uuid::Uuid::new_v4()),
                        &self.workspaces[0],
                        &serde_json::json!({
                            "prompt": "You triage support tickets. Never ask customers for passwords or API keys;                                        point them to https://support.example.com/reset instead. Reply within 120 words.",
                            "headers": ["Accept: application/json", "X-Client: marketplace"],
                            "api_key": "sk-workspace-own-key-0123456789abcdef",
                            "max_tokens": 800,
                            "steps": [{"tool": "gmail", "action": "send"}, {"tool": "slack", "channel": "#support"}],
                        }),
                        &serde_json::json!({"model": "gpt-4.1", "temperature": 0.2}),
                    ],
                )
                .await?
                .get("id");
            let (elapsed, _) = Call::post("/api/marketplace/items/submit", self.workspaces[0])
                .with_body(serde_json::json!({
                    "item_type": "agent", "item_id": source, "category": "Support",
                    "tags": ["support", "triage"], "changelog": "First release."
                }))
                .run(&self.state)
                .await?;
            if i >= WARMUP {
                times.push(elapsed);
            }
        }
        Ok(RouteResult {
            name: "submit (agent)",
            route: Percentiles::of(&times),
            floor: None,
            samples: times.len(),
        })
    }

    /// Uninstalls of the first workspace's installs (the last of the cases: it deletes their copies).
    async fn measure_uninstalls(&self, first_installs: &[Installed]) -> Result<RouteResult, Error> {
        let mut times = Vec::new();
        for installed in first_installs.iter().rev().take(UPDATED_ITEMS) {
            let (elapsed, _) = Call::delete(
                format!("/api/marketplace/installs/{}", installed.install_id),
                self.workspaces[0],
            )
            .run(&self.state)
            .await?;
            times.push(elapsed);
        }
        Ok(RouteResult {
            name: "uninstall",
            route: Percentiles::of(&times),
            floor: None,
            samples: times.len(),
        })
    }
}

/// The 1000 most installed approved items of every kind.
async fn most_installed(setup: &tokio_postgres::Client) -> Result<Vec<i64>, Error> {
    Ok(setup
        .query(
            "SELECT id FROM (SELECT id, install_count FROM agents WHERE is_approved
                             UNION ALL SELECT id, install_count FROM workflow_templates WHERE is_approved
                             UNION ALL SELECT id, install_count FROM skills WHERE is_approved
                             UNION ALL SELECT id, install_count FROM llm_models WHERE is_approved
                             UNION ALL SELECT id, install_count FROM tools WHERE is_approved) items
             ORDER BY install_count DESC, id LIMIT 1000",
            &[],
        )
        .await?
        .iter()
        .map(|row| row.get("id"))
        .collect())
}

/// The read routes timed with one request each, and the statements under them.
fn read_scenarios(workspace: uuid::Uuid) -> Vec<(&'static str, Call, Read)> {
    fn query(edit: impl FnOnce(&mut ListQuery)) -> ListQuery {
        let mut query = ListQuery::default();
        edit(&mut query);
        query
    }
    let search = SEARCH_PHRASE.replace(' ', "%20");
    let lists = [
        ("list: default", "/items".to_owned(), query(|_| {})),
        (
            "list: by kind",
            "/items?type=agent".into(),
            query(|q| q.kind = Some(ItemKind::Agent)),
        ),
        (
            "list: by category",
            "/items?category=DevOps".into(),
            query(|q| q.category = Some("DevOps".into())),
        ),
        (
            "list: featured",
            "/items?featured=true".into(),
            query(|q| q.featured = Some(true)),
        ),
        (
            "list: search",
            format!("/items?search={search}"),
            query(|q| q.search = Some(SEARCH_PHRASE.into())),
        ),
        (
            "list: offset 10000",
            "/items?offset=10000&sort=newest".into(),
            query(|q| (q.offset, q.sort) = (10_000, Sort::Newest)),
        ),
        (
            "list: sort=workspaces",
            "/items?sort=workspaces".into(),
            query(|q| q.sort = Sort::Workspaces),
        ),
        (
            "featured",
            "/featured".into(),
            query(|q| (q.featured, q.limit) = (Some(true), 8)),
        ),
        (
            "list: rating",
            "/items?sort=rating".into(),
            query(|q| q.sort = Sort::Rating),
        ),
        (
            "list: trending",
            "/items?sort=trending".into(),
            query(|q| q.sort = Sort::Trending),
        ),
        (
            "featured: trending",
            "/featured?trending=true".into(),
            query(|q| (q.sort, q.limit) = (Sort::Trending, 8)),
        ),
    ];
    let others = [
        ("stats", "/stats", Read::Stats),
        ("categories", "/categories", Read::Categories),
        ("updates (500 installs)", "/updates", Read::Updates),
    ];
    let lists = lists.into_iter().map(|(name, path, query)| {
        (
            name,
            Call::get(format!("/api/marketplace{path}")),
            Read::List(query),
        )
    });
    let others = others.into_iter().map(|(name, path, read)| {
        let call = Call::get(format!("/api/marketplace{path}"));
        let call = match read {
            Read::Updates => call.in_workspace(workspace),
            _ => call,
        };
        (name, call, read)
    });
    lists.chain(others).collect()
}

/// Search classes (docs/architecture.md, "Search"): one and two characters, the commonest word of the
/// catalog (in ~15% of items), a rare word, a typo that finds nothing (so suggestions run), an exact name.
fn search_scenarios(exact_name: &str) -> Vec<(&'static str, Call, Read)> {
    let cases = [
        ("search: 1 char", "e".to_owned()),
        ("search: 2 chars", "re".into()),
        ("search: common word", "email".into()),
        ("search: rare word", "quarterly".into()),
        ("search: no match", "Emial Reprot".into()),
        ("search: exact name", exact_name.to_owned()),
    ];
    let mut scenarios: Vec<_> = cases
        .into_iter()
        .map(|(name, term)| {
            let uri = format!("/api/marketplace/items?search={}", term.replace(' ', "%20"));
            let query = ListQuery {
                search: Some(term),
                sort: Sort::Relevance,
                ..ListQuery::default()
            };
            (name, Call::get(uri), Read::List(query))
        })
        .collect();
    scenarios.push((
        "search: common, newest",
        Call::get("/api/marketplace/items?search=email&sort=newest"),
        Read::List(ListQuery {
            search: Some("email".into()),
            sort: Sort::Newest,
            ..ListQuery::default()
        }),
    ));
    scenarios
}

/// Writes `EXPLAIN (ANALYZE, BUFFERS)` of each listing scenario's statements to `dir/<scenario>.txt`.
async fn explain(
    bench: &Bench,
    scenarios: &[(&'static str, Call, Read)],
    dir: &std::path::Path,
) -> Result<(), Error> {
    std::fs::create_dir_all(dir)?;
    let db = bench.state.pool.get().await?;
    for (name, call, read) in scenarios {
        let Read::List(query) = read else { continue };
        eprintln!("explain: {name}");
        let mut text = format!("-- {name}: GET {}\n", call.uri);
        let statement = listing_statement(Audience::Member, query);
        text.push_str(&statement.explain(&**db).await?);
        let found_nothing = statement
            .query(&**db)
            .await?
            .iter()
            .all(|row| row.get::<_, Option<i64>>("id").is_none());
        if let (Some(term), true) = (&query.search, found_nothing) {
            text.push_str("\n\n-- suggestions (run because the search found nothing)\n");
            let suggestions = suggestions_statement(Audience::Member, &ItemKind::ALL, term);
            text.push_str(&suggestions.explain(&**db).await?);
        }
        text.push('\n');
        let file: String = name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect::<String>()
            .split('-')
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join("-");
        std::fs::write(dir.join(format!("{file}.txt")), text)?;
    }
    Ok(())
}

/// Rows a cursor page holds in the cursor scenarios.
const CURSOR_PAGE: i64 = 20;

impl Bench {
    /// Cursor pages 1, 200 and 2000 of the default and name orders (where the catalog is that deep), each
    /// reached by following cursors from the first page.
    async fn cursor_scenarios(&self) -> Result<Vec<(&'static str, Call, Read)>, Error> {
        let orders: [(Sort, &str, [&'static str; 3]); 2] = [
            (
                Sort::Popular,
                "popular",
                [
                    "cursor: popular p1",
                    "cursor: popular p200",
                    "cursor: popular p2000",
                ],
            ),
            (
                Sort::Name,
                "name",
                ["cursor: name p1", "cursor: name p200", "cursor: name p2000"],
            ),
        ];
        let mut scenarios = Vec::new();
        for (sort, sort_name, names) in orders {
            let query = ListQuery {
                sort,
                limit: CURSOR_PAGE,
                ..ListQuery::default()
            };
            let base = format!("/api/marketplace/items?sort={sort_name}&limit={CURSOR_PAGE}");
            let mut cursor: Option<String> = None;
            let mut page = 1;
            for (target, name) in [1, 200, 2000].into_iter().zip(names) {
                while page < target {
                    let uri = match &cursor {
                        Some(cursor) => format!("{base}&cursor={cursor}"),
                        None => base.clone(),
                    };
                    let (_, body) = Call::get(uri).run(&self.state).await?;
                    cursor = body["next_cursor"].as_str().map(str::to_owned);
                    page += 1;
                    if cursor.is_none() {
                        break;
                    }
                }
                if page < target {
                    break;
                }
                let (uri, after) = match &cursor {
                    Some(token) => (
                        format!("{base}&cursor={token}"),
                        Some(query.position(token).map_err(|e| e.to_string())?),
                    ),
                    None => (base.clone(), None),
                };
                let query = ListQuery {
                    after,
                    ..query.clone()
                };
                scenarios.push((name, Call::get(uri), Read::List(query)));
            }
        }
        Ok(scenarios)
    }
}

/// Alternates the route and its floor, `samples` times each after a warm-up.
async fn time_read<'a>(
    state: &AppState,
    name: &'static str,
    call: impl Fn(usize) -> &'a Call,
    read: impl Fn(usize) -> &'a Read,
    samples: usize,
    member: i64,
    workspace: WorkspaceId,
) -> Result<RouteResult, Error> {
    let mut route = Vec::with_capacity(samples);
    let mut floor_times = Vec::with_capacity(samples);
    for i in 0..WARMUP + samples {
        let (elapsed, _) = call(i).run(state).await?;
        let db = state.pool.get().await?;
        let floor_elapsed = floor(&**db, read(i), member, workspace).await?;
        if i >= WARMUP {
            route.push(elapsed);
            floor_times.push(floor_elapsed);
        }
    }
    Ok(RouteResult {
        name,
        route: Percentiles::of(&route),
        floor: Some(Percentiles::of(&floor_times)),
        samples,
    })
}
