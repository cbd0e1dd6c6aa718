//! Throughput of the local API over HTTP, measured with `hey` (a real load generator, another process).

use std::sync::Arc;

use local_api::{jwt, LocalApi};
use marketplace_db::{pool_from_url, PoolSettings};
use marketplace_http::{AppState, Config};
use tokio::net::TcpListener;

use crate::Error;

const CONCURRENCY: usize = 8;

#[derive(Debug, Clone)]
pub struct Throughput {
    pub name: &'static str,
    pub requests_per_sec: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub non_2xx: u64,
}

pub async fn measure(url: &str, seconds: u64) -> Result<Vec<Throughput>, Error> {
    let crate::targets::Targets {
        workspace, item, ..
    } = crate::targets::find(url).await?;

    let secret = b"bench-secret".to_vec();
    let api = Arc::new(LocalApi {
        state: AppState::new(
            pool_from_url(url, PoolSettings::LAMBDA.with_max_size(CONCURRENCY))?,
            Config::default(),
        ),
        jwt_secret: secret.clone(),
        jwt: jwt::Configuration::default(),
    });
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}/api/marketplace", listener.local_addr()?);
    let server = tokio::spawn(api.serve(listener, std::future::pending()));
    let token = jwt::mint(
        &secret,
        "bench-member",
        chrono::Utc::now().timestamp(),
        3600,
    );

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
            vec!["-H".into(), format!("X-Workspace-ID: {workspace}")],
        ),
    ];
    let mut results = Vec::new();
    for (name, method, target, extra) in cases {
        let output = tokio::process::Command::new("hey")
            .args([
                "-z",
                &format!("{seconds}s"),
                "-c",
                &CONCURRENCY.to_string(),
                "-m",
                method,
            ])
            .args(["-H", &format!("Authorization: Bearer {token}")])
            .args(&extra)
            .arg(&target)
            .output()
            .await
            .map_err(|e| {
                format!("hey is needed for the HTTP benchmark (apt-get install hey): {e}")
            })?;
        let report = String::from_utf8_lossy(&output.stdout).into_owned();
        let result = Throughput {
            name,
            requests_per_sec: field(&report, "Requests/sec:").unwrap_or(0.0),
            p50_ms: percentile(&report, "50%").unwrap_or(0.0) * 1000.0,
            p99_ms: percentile(&report, "99%").unwrap_or(0.0) * 1000.0,
            non_2xx: non_2xx(&report),
        };
        eprintln!(
            "{:<26} {:>8.0} req/s  p50 {:>6.2} ms  p99 {:>6.2} ms  non-2xx {}",
            result.name, result.requests_per_sec, result.p50_ms, result.p99_ms, result.non_2xx
        );
        results.push(result);
    }
    server.abort();
    Ok(results)
}

fn field(report: &str, label: &str) -> Option<f64> {
    report
        .lines()
        .find_map(|line| line.trim().strip_prefix(label))
        .and_then(|v| v.trim().parse().ok())
}

/// `  50% in 0.0031 secs` → 0.0031
fn percentile(report: &str, label: &str) -> Option<f64> {
    report
        .lines()
        .find_map(|line| {
            line.trim()
                .strip_prefix(label)
                .and_then(|rest| rest.trim().strip_prefix("in "))
        })
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|v| v.parse().ok())
}

/// Responses whose status is not 2xx, from the `[404] 12 responses` lines of the status code distribution.
fn non_2xx(report: &str) -> u64 {
    report
        .lines()
        .filter_map(|line| {
            let line = line.trim();
            let status = line.strip_prefix('[')?.split(']').next()?;
            let count = line.split_whitespace().nth(1)?.parse::<u64>().ok()?;
            (!status.starts_with('2')).then_some(count)
        })
        .sum()
}
