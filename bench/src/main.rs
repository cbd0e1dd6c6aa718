//! The benchmark: builds catalogs of 10k, 100k and 1M marketplace items, then measures every route through
//! the real handlers (p50/p95/p99 and the SQL floor under each), the local API's throughput over HTTP with
//! `hey`, and each function binary's cold start and peak memory as Lambda runs it. Writes
//! `bench/results.md`, `bench/latency.svg` and the plans of the listing and search statements at the largest
//! size in `bench/explain/`.
//!
//! `cargo run --profile benchmark -p marketplace-bench -- [--sizes 10000,100000,1000000] [--samples 300]
//!     [--http-seconds 10] [--routes-only | --http-only] [--out DIR]`
//!
//! `--http-only` measures the HTTP phase (hey, the search storm and the viral item) alone against an existing
//! catalog (`DATABASE_URL`'s server) and prints it, writing nothing.

mod catalog;
mod chart;
mod http_load;
mod lambda;
mod report;
mod routes;
mod server;
mod stats;
mod targets;
mod viral;

use std::path::PathBuf;
use std::time::Instant;

type Error = Box<dyn std::error::Error + Send + Sync>;

struct Args {
    sizes: Vec<usize>,
    samples: usize,
    http_seconds: u64,
    /// Skip the HTTP and function-binary phases (for quick runs).
    routes_only: bool,
    /// Only the HTTP phase, against the existing catalog of the largest size; prints, writes nothing.
    http_only: bool,
    out: PathBuf,
}

impl Args {
    fn parse() -> Result<Self, Error> {
        let mut args = Self {
            sizes: vec![10_000, 100_000, 1_000_000],
            samples: 300,
            http_seconds: 10,
            routes_only: false,
            http_only: false,
            out: PathBuf::from(env!("CARGO_MANIFEST_DIR")),
        };
        let mut raw = std::env::args().skip(1);
        while let Some(flag) = raw.next() {
            if flag == "--routes-only" {
                args.routes_only = true;
                continue;
            }
            if flag == "--http-only" {
                args.http_only = true;
                continue;
            }
            let value = raw.next().ok_or(format!("{flag} needs a value"))?;
            match flag.as_str() {
                "--sizes" => {
                    args.sizes = value.split(',').map(str::parse).collect::<Result<_, _>>()?;
                }
                "--samples" => args.samples = value.parse()?,
                "--http-seconds" => args.http_seconds = value.parse()?,
                "--out" => args.out = value.into(),
                _ => return Err(format!("unknown option {flag}").into()),
            }
        }
        args.sizes.sort_unstable();
        Ok(args)
    }
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let args = Args::parse()?;
    let started = Instant::now();
    let server = server::Server::start().await?;
    if args.http_only {
        let size = args.sizes.last().ok_or("no sizes")?;
        let url = server.database_url(&format!("bench_{size}"));
        http_load::measure(&url, args.http_seconds).await?;
        viral::measure(&url, args.http_seconds).await?;
        return Ok(());
    }
    let mut results = report::Results::default();
    let mut largest = None;
    let largest_size = args.sizes.last().copied();
    for &size in &args.sizes {
        eprintln!("\n== catalog of {size} items");
        // BENCH_REUSE=1 with DATABASE_URL: time an existing catalog again (a quick rerun after a change).
        let (url, load) = if std::env::var("BENCH_REUSE").is_ok_and(|v| v == "1") {
            (
                server.database_url(&format!("bench_{size}")),
                catalog::Load::default(),
            )
        } else {
            let url = server.create_database(&format!("bench_{size}")).await?;
            let load = catalog::build(&url, size).await?;
            (url, load)
        };
        let explain_dir = args.out.join("explain");
        let explain = (Some(size) == largest_size).then_some(explain_dir.as_path());
        let (routes, latency) = routes::measure(&url, size, args.samples, explain).await?;
        results.sizes.push(report::SizeResult {
            size,
            load,
            routes,
            latency,
        });
        largest = Some(url);
    }
    let url = largest.ok_or("no sizes")?;
    if args.routes_only {
        results.total_secs = started.elapsed().as_secs_f64();
        write(&args.out, &results)?;
        return Ok(());
    }
    eprintln!(
        "\n== HTTP throughput of the local API (hey, {} s per route)",
        args.http_seconds
    );
    let (http, storm) = http_load::measure(&url, args.http_seconds).await?;
    results.http = http;
    results.storm = Some(storm);
    eprintln!(
        "\n== the viral item: one listing installed into fresh workspaces by 1 and 16 clients ({} s each)",
        args.http_seconds
    );
    results.viral = viral::measure(&url, args.http_seconds).await?;
    eprintln!("\n== function binaries under the Lambda Runtime API");
    results.lambda = lambda::measure(&url).await?;
    results.total_secs = started.elapsed().as_secs_f64();
    write(&args.out, &results)?;
    eprintln!(
        "\nwrote {} and {}",
        args.out.join("results.md").display(),
        args.out.join("latency.svg").display()
    );
    Ok(())
}

/// The results (`results.md`) and their picture (`latency.svg`).
fn write(dir: &std::path::Path, results: &report::Results) -> Result<(), Error> {
    report::write(dir, results)?;
    std::fs::write(dir.join("latency.svg"), chart::render(results)?)?;
    Ok(())
}
