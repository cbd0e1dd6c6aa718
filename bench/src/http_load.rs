//! Throughput of the local API over HTTP, measured with `hey` (a real load generator, another process).

use std::sync::Arc;

use local_api::{jwt, LocalApi};
use marketplace_db::{pool_from_url, PoolSettings};
use marketplace_http::{AppState, Config};
use tokio::net::TcpListener;

use crate::Error;

const CONCURRENCY: usize = 8;

/// The search storm: 64 clients searching common words while one more reads an item's detail.
#[derive(Debug, Clone)]
pub struct Storm {
    pub seconds: u64,
    pub searches_per_sec: f64,
    pub search_p99_ms: f64,
    pub search_non_2xx: u64,
    pub detail: Throughput,
}

/// Clients of the storm, per common word searched.
const STORM_WORDS: [&str; 4] = ["email", "review", "report", "deploy"];
const STORM_CLIENTS_PER_WORD: usize = 16;
const STORM_SECONDS: u64 = 20;

#[derive(Debug, Clone)]
pub struct Throughput {
    pub name: &'static str,
    pub requests_per_sec: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub non_2xx: u64,
}

/// The digest every repeated install of `item` into `workspace` consents to: its plan once a first install
/// (consenting to its own plan) made the copies later installs reuse.
async fn repeat_install_digest(
    addr: std::net::SocketAddr,
    token: &str,
    workspace: uuid::Uuid,
    item: i64,
) -> Result<String, Error> {
    let first = plan_digest(addr, token, item, workspace).await?;
    let head = format!(
        "POST /api/marketplace/items/{item}/install HTTP/1.1\r\n\
         Authorization: Bearer {token}\r\nX-Workspace-ID: {workspace}\r\nAccept-Capabilities: {first}"
    );
    let (status, _, body) = harness::http_request(addr, &head, b"").await;
    if status != 201 {
        return Err(format!("the first install answered {status}: {body}").into());
    }
    plan_digest(addr, token, item, workspace).await
}

/// The digest of listing `id`'s install plan in a fresh workspace (every fresh workspace gets the same
/// plan): what each viral install consents to.
pub(crate) async fn plan_digest(
    addr: std::net::SocketAddr,
    token: &str,
    id: i64,
    workspace: uuid::Uuid,
) -> Result<String, Error> {
    let head = format!(
        "GET /api/marketplace/items/{id}/install-plan HTTP/1.1\r\n\
         Authorization: Bearer {token}\r\nX-Workspace-ID: {workspace}"
    );
    let (status, _, body) = harness::http_request(addr, &head, b"").await;
    if status != 200 {
        return Err(format!("install-plan answered {status}: {body}").into());
    }
    let plan: serde_json::Value = serde_json::from_str(&body)?;
    Ok(plan["capabilities_digest"]
        .as_str()
        .ok_or("the plan has no capabilities_digest")?
        .to_owned())
}

pub async fn measure(url: &str, seconds: u64) -> Result<(Vec<Throughput>, Storm), Error> {
    let crate::targets::Targets {
        workspace, item, ..
    } = crate::targets::find(url).await?;

    let local = LocalServer::start(url, CONCURRENCY).await?;
    let base = format!("http://{}/api/marketplace", local.addr);
    let token = &local.token;
    let consent = repeat_install_digest(local.addr, token, workspace, item).await?;

    let cases: [(&'static str, &str, String, Vec<String>); 3] = [
        ("GET /items", "GET", format!("{base}/items"), vec![]),
        (
            "GET /items/{id}",
            "GET",
            format!("{base}/items/{item}"),
            vec![],
        ),
        (
            "POST /items/{id}/install",
            "POST",
            format!("{base}/items/{item}/install"),
            vec![
                "-H".into(),
                format!("X-Workspace-ID: {workspace}"),
                "-H".into(),
                format!("Accept-Capabilities: {consent}"),
            ],
        ),
    ];
    let auth = format!("Authorization: Bearer {token}");
    let mut results = Vec::new();
    for (name, method, target, extra) in cases {
        let mut args = vec![
            "-m".to_owned(),
            method.to_owned(),
            "-H".into(),
            auth.clone(),
        ];
        args.extend(extra);
        let result = hey(name, seconds, CONCURRENCY, &args, &target).await?;
        eprintln!(
            "{:<26} {:>8.0} req/s  p50 {:>6.2} ms  p99 {:>6.2} ms  non-2xx {}",
            result.name, result.requests_per_sec, result.p50_ms, result.p99_ms, result.non_2xx
        );
        results.push(result);
    }

    eprintln!(
        "search storm: {} clients searching common words for {STORM_SECONDS} s, one reading a detail",
        STORM_WORDS.len() * STORM_CLIENTS_PER_WORD
    );
    let headers = vec!["-H".to_owned(), auth.clone()];
    let searches = STORM_WORDS.map(|word| {
        let target = format!("{base}/items?search={word}");
        let headers = headers.clone();
        tokio::spawn(async move {
            hey(
                "search",
                STORM_SECONDS,
                STORM_CLIENTS_PER_WORD,
                &headers,
                &target,
            )
            .await
        })
    });
    let detail = hey(
        "GET /items/{id} during the storm",
        STORM_SECONDS,
        1,
        &headers,
        &format!("{base}/items/{item}"),
    )
    .await?;
    let mut storm = Storm {
        seconds: STORM_SECONDS,
        searches_per_sec: 0.0,
        search_p99_ms: 0.0,
        search_non_2xx: 0,
        detail,
    };
    for search in searches {
        let search = search.await??;
        storm.searches_per_sec += search.requests_per_sec;
        storm.search_p99_ms = storm.search_p99_ms.max(search.p99_ms);
        storm.search_non_2xx += search.non_2xx;
    }
    eprintln!(
        "storm: {:.0} searches/s, search p99 {:.1} ms, non-2xx {}; detail p50 {:.2} ms p99 {:.2} ms non-2xx {}",
        storm.searches_per_sec,
        storm.search_p99_ms,
        storm.search_non_2xx,
        storm.detail.p50_ms,
        storm.detail.p99_ms,
        storm.detail.non_2xx
    );
    local.task.abort();
    Ok((results, storm))
}

/// The local API over `url`'s catalog with a pool of `connections`, serving on a free loopback port, and a
/// token of the bench member.
pub struct LocalServer {
    pub addr: std::net::SocketAddr,
    pub token: String,
    pub task: tokio::task::JoinHandle<()>,
}

impl LocalServer {
    pub async fn start(url: &str, connections: usize) -> Result<Self, Error> {
        let secret = b"bench-secret".to_vec();
        let api = Arc::new(LocalApi {
            state: AppState::new(
                pool_from_url(url, PoolSettings::LAMBDA.with_max_size(connections))?,
                Config::default(),
            ),
            jwt_secret: secret.clone(),
            jwt: jwt::Configuration::default(),
        });
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let task = tokio::spawn(async move {
            let _ = api.serve(listener, std::future::pending()).await;
        });
        let token = jwt::mint(
            &secret,
            "bench-member",
            chrono::Utc::now().timestamp(),
            3600,
        );
        Ok(Self { addr, token, task })
    }
}

/// Runs `hey` for `seconds` with `clients` connections against `target`.
async fn hey(
    name: &'static str,
    seconds: u64,
    clients: usize,
    args: &[String],
    target: &str,
) -> Result<Throughput, Error> {
    let output = tokio::process::Command::new("hey")
        .args([
            "-z",
            &format!("{seconds}s"),
            "-c",
            &clients.to_string(),
            "-o",
            "csv",
        ])
        .args(args)
        .arg(target)
        .output()
        .await
        .map_err(|e| format!("hey is needed for the HTTP benchmark (apt-get install hey): {e}"))?;
    let responses = responses(&String::from_utf8_lossy(&output.stdout));
    let mut latencies: Vec<f64> = responses.iter().map(|(secs, _)| secs * 1000.0).collect();
    latencies.sort_by(f64::total_cmp);
    Ok(Throughput {
        name,
        requests_per_sec: responses.len() as f64 / seconds as f64,
        p50_ms: nearest_rank(&latencies, 0.50),
        p99_ms: nearest_rank(&latencies, 0.99),
        non_2xx: responses
            .iter()
            .filter(|(_, status)| !(200..300).contains(status))
            .count() as u64,
    })
}

/// Each response of hey's CSV report (`response-time,…,status-code,offset`): its latency in seconds and
/// its status. hey's own summary leaves out percentiles it has too few requests for.
fn responses(csv: &str) -> Vec<(f64, u16)> {
    csv.lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split(',').collect();
            let latency = fields.first()?.parse().ok()?;
            let status = fields.get(6)?.parse().ok()?;
            Some((latency, status))
        })
        .collect()
}

/// The `p` quantile of sorted `values` by nearest rank; 0 for none.
fn nearest_rank(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (p * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}
