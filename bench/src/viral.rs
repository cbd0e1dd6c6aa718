//! The viral item: one listing installed by N clients at once, each install into a workspace of its own, over
//! HTTP against the local API (in this process, like a Lambda per client, one connection each): a skill, and
//! an agent that brings its LLM. 16 clients must be at least as fast as 1.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio_postgres::{Client, NoTls};
use uuid::Uuid;

use crate::http_load::LocalServer;
use crate::targets::pulled_back;
use crate::Error;

/// The client counts measured, each against the same listing.
pub const CLIENTS: [usize; 2] = [1, 16];

/// Targets over HTTP at 16 clients (issue 23).
pub const SKILL_TARGET_PER_SEC: f64 = 800.0;
pub const AGENT_TARGET_PER_SEC: f64 = 400.0;

#[derive(Debug, Clone)]
pub struct Viral {
    pub listing: &'static str,
    pub clients: usize,
    pub installs_per_sec: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub non_2xx: u64,
    pub installs: u64,
    /// The listing's `install_count` grew by exactly `installs` once the clients stopped.
    pub counted_exactly: bool,
}

pub async fn measure(url: &str, seconds: u64) -> Result<Vec<Viral>, Error> {
    let (setup, connection) = tokio_postgres::connect(url, NoTls).await?;
    tokio::spawn(connection);
    let skill: i64 = setup
        .query_one(
            &format!(
                "SELECT s.id FROM skills s
                 WHERE s.owner_type = 'marketplace' AND s.is_approved AND s.delisted_at IS NULL
                   AND s.catalog_id IS NULL AND NOT EXISTS ({})
                 ORDER BY s.install_count DESC, s.id LIMIT 1",
                pulled_back("s")
            ),
            &[],
        )
        .await?
        .get(0);
    let agent: i64 = setup
        .query_opt(
            &format!(
                "SELECT d.listing_id FROM listing_dependencies d JOIN agents a ON a.id = d.listing_id
                 WHERE a.owner_type = 'marketplace' AND a.is_approved AND a.delisted_at IS NULL
                   AND a.catalog_id IS NULL AND NOT EXISTS ({})
                 GROUP BY d.listing_id HAVING bool_and(d.dependency_kind = 'llm') AND count(*) = 1
                 ORDER BY d.listing_id LIMIT 1",
                pulled_back("a")
            ),
            &[],
        )
        .await?
        .ok_or("an agent pinned to one LLM (the route phase pins them)")?
        .get(0);
    let member: i64 = setup
        .query_one(
            "SELECT id FROM users WHERE auth_subject = 'bench-member'",
            &[],
        )
        .await?
        .get(0);

    let clients = *CLIENTS.iter().max().expect("client counts");
    let local = LocalServer::start(url, clients).await?;
    let (addr, token) = (local.addr, local.token.clone());

    let mut results = Vec::new();
    for (listing, id) in [
        ("skill, no dependency", skill),
        ("agent with an LLM dependency", agent),
    ] {
        for clients in CLIENTS {
            // More workspaces than the fastest rate seen could use, each installed into once.
            let workspaces = new_workspaces(&setup, member, 2_000 * seconds as usize).await?;
            let before = install_count(&setup, id).await?;
            let result = run(addr, &token, id, workspaces, clients, seconds).await?;
            let counted_exactly =
                install_count(&setup, id).await? - before == result.installs as i64;
            let result = Viral {
                listing,
                counted_exactly,
                ..result
            };
            eprintln!(
                "viral {:<30} {:>2} clients {:>6.0} installs/s  p50 {:>6.2} ms  p99 {:>7.2} ms  non-2xx {}  counted exactly: {}",
                result.listing,
                result.clients,
                result.installs_per_sec,
                result.p50_ms,
                result.p99_ms,
                result.non_2xx,
                result.counted_exactly
            );
            results.push(result);
        }
    }
    local.task.abort();
    Ok(results)
}

/// The listing's `install_count` (whatever its kind: ids are unique across the item tables).
async fn install_count(setup: &Client, id: i64) -> Result<i64, Error> {
    Ok(setup
        .query_one(
            "SELECT install_count::bigint FROM item_rows WHERE id = $1",
            &[&id],
        )
        .await?
        .get(0))
}

/// `count` new workspaces with `member` as their owner, in one statement.
async fn new_workspaces(setup: &Client, member: i64, count: usize) -> Result<Vec<Uuid>, Error> {
    let row = setup
        .query_one(
            "WITH made AS (
                 INSERT INTO workspaces (name)
                 SELECT 'viral ' || gen_random_uuid() FROM generate_series(1, $1::integer)
                 RETURNING id),
             joined AS (INSERT INTO workspace_members SELECT id, $2, 'owner' FROM made)
             SELECT array_agg(id) FROM made",
            &[&(count as i32), &member],
        )
        .await?;
    Ok(row.get(0))
}

/// `clients` clients installing listing `id` for `seconds`, each install into the next unused workspace.
async fn run(
    addr: SocketAddr,
    token: &str,
    id: i64,
    workspaces: Vec<Uuid>,
    clients: usize,
    seconds: u64,
) -> Result<Viral, Error> {
    let digest = crate::http_load::plan_digest(addr, token, id, workspaces[0]).await?;
    let workspaces = Arc::new(workspaces);
    let next = Arc::new(AtomicUsize::new(0));
    let answers = Arc::new(Mutex::new(Vec::new()));
    let started = Instant::now();
    let until = started + Duration::from_secs(seconds);
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let (workspaces, next, answers) = (workspaces.clone(), next.clone(), answers.clone());
            let token = token.to_owned();
            let digest = digest.clone();
            tokio::spawn(async move {
                let mut mine = Vec::new();
                while Instant::now() < until {
                    let Some(workspace) = workspaces.get(next.fetch_add(1, Ordering::Relaxed))
                    else {
                        break;
                    };
                    let head = format!(
                        "POST /api/marketplace/items/{id}/install HTTP/1.1\r\n\
                         Authorization: Bearer {token}\r\nX-Workspace-ID: {workspace}\r\n\
                         Accept-Capabilities: {digest}"
                    );
                    let sent = Instant::now();
                    let (status, _, _) = harness::http_request(addr, &head, b"").await;
                    mine.push((sent.elapsed().as_secs_f64() * 1000.0, status));
                }
                answers.lock().expect("answers").extend(mine);
            })
        })
        .collect();
    for task in tasks {
        task.await?;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let answers = std::mem::take(&mut *answers.lock().expect("answers"));
    let mut latencies: Vec<f64> = answers.iter().map(|(ms, _)| *ms).collect();
    latencies.sort_by(f64::total_cmp);
    let quantile = |p: f64| {
        let rank = ((p * latencies.len() as f64).ceil() as usize).clamp(1, latencies.len().max(1));
        latencies.get(rank - 1).copied().unwrap_or(0.0)
    };
    let non_2xx = answers
        .iter()
        .filter(|(_, status)| !(200..300).contains(status))
        .count() as u64;
    Ok(Viral {
        listing: "",
        clients,
        installs_per_sec: (answers.len() as u64 - non_2xx) as f64 / elapsed,
        p50_ms: quantile(0.50),
        p99_ms: quantile(0.99),
        non_2xx,
        installs: answers.len() as u64 - non_2xx,
        counted_exactly: false,
    })
}
