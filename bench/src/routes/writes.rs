//! The write routes and the reads that need a workspace of their own: reviews, installed lists,
//! installs with dependencies, submissions and uninstalls.

use std::time::Instant;

use marketplace_catalog::{ReviewCursor, ReviewQuery, ReviewSort};
use serde_json::Value;

use super::call::Call;
use super::floor::Read;
use super::scenarios::time_read;
use super::{Bench, Installed, RouteResult, REVIEWS_POSTED, UPDATED_ITEMS, WARMUP};
use crate::stats::Percentiles;
use crate::Error;

impl Bench {
    /// The first and a deep page (past 80 % of them, by cursor) of the most reviewed item's reviews.
    pub(super) async fn measure_review_pages(
        &self,
        samples: usize,
    ) -> Result<Vec<RouteResult>, Error> {
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
    pub(super) async fn measure_post_reviews(
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
pub(super) const DEPENDENCY_AGENTS: usize = 3;

impl Bench {
    /// `GET /installs` of the workspace with 500 installs: its first page, and the page after 400.
    pub(super) async fn measure_installed_list(
        &self,
        samples: usize,
    ) -> Result<Vec<RouteResult>, Error> {
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
    pub(super) async fn measure_dependency_installs(
        &self,
        samples: usize,
    ) -> Result<Vec<RouteResult>, Error> {
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

    pub(super) async fn dependency_recipe(&self) -> Result<i64, Error> {
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

    pub(super) async fn new_workspace(&self, name: &str) -> Result<uuid::Uuid, Error> {
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
    pub(super) async fn measure_submissions(&self, samples: usize) -> Result<RouteResult, Error> {
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
    pub(super) async fn measure_uninstalls(
        &self,
        first_installs: &[Installed],
    ) -> Result<RouteResult, Error> {
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
