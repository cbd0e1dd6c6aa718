//! Round trips made visible: requests to each route run through the real handlers twice, straight to
//! PostgreSQL and through a proxy that adds a fixed delay each way (like RDS Proxy in another availability
//! zone), with the round trips of each request counted by that proxy.

use std::time::Duration;

use harness::{FaultProxy, Mode};
use marketplace_db::{pool_from_url, PoolSettings};
use marketplace_http::AppState;

use super::call::Call;
use super::{Bench, WARMUP};
use crate::stats::Percentiles;
use crate::Error;

/// The delay added each way.
pub const DELAY: Duration = Duration::from_millis(1);

/// What one round trip costs, measured with `SELECT 1` on one connection: p50 straight and through the
/// delaying proxy (the proxy's timer rounds each delay up to the next millisecond tick, so a delayed round
/// trip costs more than twice the delay).
#[derive(Debug, Clone, Copy, Default)]
pub struct RoundTripCost {
    pub direct_ms: f64,
    pub delayed_ms: f64,
}

/// One request's figures, without and with the delay.
#[derive(Debug, Clone)]
pub struct LatencyRow {
    pub name: &'static str,
    pub round_trips: f64,
    pub direct: Percentiles,
    pub delayed: Percentiles,
}

impl Bench {
    /// Each case `samples` times straight to `url` and through a delaying proxy in front of it.
    pub(super) async fn measure_latency(
        &self,
        url: &str,
        samples: usize,
    ) -> Result<(RoundTripCost, Vec<LatencyRow>), Error> {
        let (proxy, proxied) = FaultProxy::in_front_of(url).await?;
        let delayed = AppState::new(
            pool_from_url(&proxied, PoolSettings::LAMBDA)?,
            self.state.config,
        );
        proxy.set_mode(Mode::Latency(DELAY));
        let cost = RoundTripCost {
            direct_ms: select_one(url).await?,
            delayed_ms: select_one(&proxied).await?,
        };
        eprintln!(
            "a round trip (SELECT 1): {:.2} ms straight, {:.2} ms through the proxy",
            cost.direct_ms, cost.delayed_ms
        );

        let workspace = self.workspaces[0];
        let item = self.popular[0];
        let reads: Vec<(&'static str, Call)> = vec![
            ("GET /items", Call::get("/api/marketplace/items")),
            (
                "GET /items?search=email",
                Call::get("/api/marketplace/items?search=email"),
            ),
            (
                "GET /items/{id}",
                Call::get(format!("/api/marketplace/items/{item}")),
            ),
            ("GET /featured", Call::get("/api/marketplace/featured")),
            ("GET /stats", Call::get("/api/marketplace/stats")),
            (
                "GET /installs",
                Call::get("/api/marketplace/installs").in_workspace(workspace),
            ),
            (
                "GET /updates",
                Call::get("/api/marketplace/updates").in_workspace(workspace),
            ),
            (
                "GET /items/{id}/install-plan",
                Call::get(format!("/api/marketplace/items/{item}/install-plan"))
                    .in_workspace(workspace),
            ),
        ];
        let mut rows = Vec::new();
        for (name, call) in &reads {
            let (direct, _) = self.time(&self.state, None, samples, |_| call).await?;
            let (delayed, trips) = self.time(&delayed, Some(&proxy), samples, |_| call).await?;
            rows.push(LatencyRow {
                name,
                round_trips: trips,
                direct,
                delayed,
            });
        }
        let skill = self.listing("skills", false).await?;
        for (name, listing, key) in [
            ("POST /items/{skill}/install", skill, None),
            (
                "POST /items/{skill}/install (Idempotency-Key)",
                skill,
                Some("latency"),
            ),
            (
                "POST /items/{agent}/install (+ its LLM)",
                self.listing("agents", true).await?,
                None,
            ),
        ] {
            let path = format!("/api/marketplace/items/{listing}/install");
            let mut calls = Vec::new();
            for n in 0..2 * (WARMUP + samples) {
                let fresh = self.new_workspace(&format!("Latency {name} {n}")).await?;
                // Every fresh workspace gets the same plan: the digest the installer consented to.
                let db = self.state.pool.get().await?;
                let plan = marketplace_catalog::install_plan(&**db, fresh.into(), listing).await?;
                let call =
                    Call::post(path.clone(), fresh).consenting(plan.manifest.capabilities_digest);
                calls.push(match key {
                    Some(key) => call.keyed(key),
                    None => call,
                });
            }
            let (first, second) = calls.split_at(WARMUP + samples);
            let (direct, _) = self.time(&self.state, None, samples, |i| &first[i]).await?;
            let (delayed, trips) = self
                .time(&delayed, Some(&proxy), samples, |i| &second[i])
                .await?;
            rows.push(LatencyRow {
                name,
                round_trips: trips,
                direct,
                delayed,
            });
        }
        for row in &rows {
            eprintln!(
                "{:<40} {:>5.1} round trips  p50 {:>7.2} → {:>7.2} ms  p99 {:>7.2} → {:>7.2} ms",
                row.name,
                row.round_trips,
                row.direct.p50,
                row.delayed.p50,
                row.direct.p99,
                row.delayed.p99
            );
        }
        Ok((cost, rows))
    }

    /// `WARMUP` untimed then `samples` timed runs of `call(i)` on `state`; with `proxy`, the round trips per
    /// timed request it counted.
    async fn time<'c>(
        &self,
        state: &AppState,
        proxy: Option<&FaultProxy>,
        samples: usize,
        call: impl Fn(usize) -> &'c Call,
    ) -> Result<(Percentiles, f64), Error> {
        for i in 0..WARMUP {
            call(i).run(state).await?;
        }
        let before = proxy.map_or(0, |proxy| proxy.stats().round_trips);
        let mut times = Vec::with_capacity(samples);
        for i in WARMUP..WARMUP + samples {
            times.push(call(i).run(state).await?.0);
        }
        let trips = proxy.map_or(0, |proxy| proxy.stats().round_trips) - before;
        Ok((Percentiles::of(&times), trips as f64 / samples as f64))
    }

    /// A listed, approved listing of `table`; with `with_llm`, one whose version pinned exactly one LLM.
    async fn listing(&self, table: &str, with_llm: bool) -> Result<i64, Error> {
        let pinned = if with_llm {
            "AND t.id IN (SELECT listing_id FROM listing_dependencies GROUP BY listing_id
                          HAVING bool_and(dependency_kind = 'llm') AND count(*) = 1)"
        } else {
            ""
        };
        let row = self
            .setup
            .query_one(
                &format!(
                    "SELECT t.id FROM {table} t
                     WHERE t.owner_type = 'marketplace' AND t.is_approved AND t.delisted_at IS NULL
                       AND t.catalog_id IS NULL {pinned}
                     ORDER BY t.id LIMIT 1"
                ),
                &[],
            )
            .await?;
        Ok(row.get(0))
    }
}

/// The p50 of `SELECT 1` on a connection to `url`, in ms.
async fn select_one(url: &str) -> Result<f64, Error> {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
    tokio::spawn(connection);
    let mut times = Vec::new();
    for _ in 0..200 {
        let started = std::time::Instant::now();
        client.simple_query("SELECT 1").await?;
        times.push(started.elapsed());
    }
    Ok(Percentiles::of(&times).p50)
}
