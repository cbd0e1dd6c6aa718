//! The results as Markdown (`results.md`) and a chart of p50 latency against catalog size (`latency.svg`).

use std::fmt::Write as _;
use std::path::Path;

use crate::catalog::Load;
use crate::http_load::{Storm, Throughput};
use crate::lambda::FunctionRun;
use crate::routes::RouteResult;
use crate::routes::{LatencyRow, RoundTripCost, DELAY};
use crate::viral::{Viral, AGENT_TARGET_PER_SEC, SKILL_TARGET_PER_SEC};
use crate::Error;

#[derive(Debug, Default)]
pub struct Results {
    pub sizes: Vec<SizeResult>,
    pub http: Vec<Throughput>,
    pub storm: Option<Storm>,
    pub viral: Vec<Viral>,
    pub lambda: Vec<FunctionRun>,
    pub total_secs: f64,
}

#[derive(Debug)]
pub struct SizeResult {
    pub size: usize,
    pub load: Load,
    pub routes: Vec<RouteResult>,
    /// The round trips with and without a delay (the largest size only).
    pub latency: Option<(RoundTripCost, Vec<LatencyRow>)>,
}

/// The p50 target at the largest size, in ms.
fn p50_target(route: &str) -> Option<f64> {
    match route {
        name if name.starts_with("search") || name == "list: search" => Some(25.0),
        name if name.starts_with("cursor") => Some(5.0),
        "install" | "updates (500 installs)" | "post review" => Some(10.0),
        "install (recipe, 3 agents, 3 LLMs)" => Some(20.0),
        "submit (agent)" => Some(25.0),
        "install-plan (recipe, 3 agents, 3 LLMs)"
        | "uninstall"
        | "installs: first page"
        | "installs: cursor at 400" => Some(10.0),
        "apply-update" => None,
        name if name.starts_with("list")
            || name.starts_with("reviews")
            || name.starts_with("featured")
            || ["detail", "stats", "categories", "versions"].contains(&name) =>
        {
            Some(5.0)
        }
        _ => None,
    }
}

/// The p99 target at the largest size, in ms.
fn p99_target(route: &str) -> Option<f64> {
    match route {
        name if name.starts_with("search") || name == "list: search" => Some(60.0),
        name if name.starts_with("cursor") => Some(10.0),
        _ => None,
    }
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "met"
    } else {
        "**missed**"
    }
}

pub fn write(dir: &Path, results: &Results) -> Result<(), Error> {
    std::fs::write(dir.join("results.md"), markdown(results)?)?;
    std::fs::write(dir.join("latency.svg"), chart(results)?)?;
    Ok(())
}

fn size_label(size: usize) -> String {
    match size {
        s if s >= 1_000_000 && s % 1_000_000 == 0 => format!("{}M", s / 1_000_000),
        s if s >= 1_000 && s % 1_000 == 0 => format!("{}k", s / 1_000),
        s => s.to_string(),
    }
}

fn markdown(results: &Results) -> Result<String, Error> {
    let mut md = String::new();
    writeln!(md, "# Benchmark results\n")?;
    writeln!(
        md,
        "Machine: {} cores, PostgreSQL on loopback. Routes run through their real handlers with a one-connection \
         pool, as in Lambda; the floor is the same SQL statements timed on the same connection (install and \
         apply-update: the domain call, which runs exactly the route's statements). Whole run: {:.0} s. \
         Rerun: `cargo run --profile benchmark -p marketplace-bench`.\n",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        results.total_secs
    )?;
    writeln!(
        md,
        "## Catalogs\n\n| items | rows loaded | load time |\n|---:|---:|---:|"
    )?;
    for size in &results.sizes {
        writeln!(
            md,
            "| {} | {} | {:.1} s |",
            size_label(size.size),
            size.load.rows,
            size.load.seconds
        )?;
    }

    for size in &results.sizes {
        writeln!(
            md,
            "\n## {} items\n\n| route | p50 ms | p95 ms | p99 ms | floor p50 ms | route / floor | samples |\n|---|---:|---:|---:|---:|---:|---:|",
            size_label(size.size)
        )?;
        for r in &size.routes {
            let (floor, ratio) = match r.floor {
                Some(f) => (
                    format!("{:.2}", f.p50),
                    format!("{:.2}", r.route.p50 / f.p50.max(1e-9)),
                ),
                None => ("-".into(), "-".into()),
            };
            writeln!(
                md,
                "| {} | {:.2} | {:.2} | {:.2} | {floor} | {ratio} | {} |",
                r.name, r.route.p50, r.route.p95, r.route.p99, r.samples
            )?;
        }
    }

    if let (Some(first), Some(last)) = (results.sizes.first(), results.sizes.last()) {
        writeln!(
            md,
            "\n## Targets\n\n| route | p50 at {big} (target) | p99 at {big} (target) | growth {big}/{small} (target) | route/floor (≤ 1.5) |\n|---|---|---|---|---|",
            big = size_label(last.size),
            small = size_label(first.size)
        )?;
        for r in &last.routes {
            let target = p50_target(r.name);
            let at_largest = match target {
                Some(t) => format!(
                    "{:.2} ms (≤ {t}) {}",
                    r.route.p50,
                    verdict(r.route.p50 <= t)
                ),
                None => format!("{:.2} ms", r.route.p50),
            };
            let p99 = match p99_target(r.name) {
                Some(t) => format!(
                    "{:.2} ms (≤ {t}) {}",
                    r.route.p99,
                    verdict(r.route.p99 <= t)
                ),
                None => format!("{:.2} ms", r.route.p99),
            };
            let growth =
                first
                    .routes
                    .iter()
                    .find(|s| s.name == r.name)
                    .map_or("-".into(), |small| {
                        let growth = r.route.p50 / small.route.p50.max(1e-9);
                        format!("{growth:.2}× (≤ 2×) {}", verdict(growth <= 2.0))
                    });
            let overhead = r.floor.map_or("-".into(), |f| {
                let ratio = r.route.p50 / f.p50.max(1e-9);
                format!("{ratio:.2} {}", verdict(ratio <= 1.5))
            });
            writeln!(
                md,
                "| {} | {at_largest} | {p99} | {growth} | {overhead} |",
                r.name
            )?;
        }
        for order in ["popular", "name"] {
            let page = |n: &str| {
                last.routes
                    .iter()
                    .find(|r| r.name == format!("cursor: {order} p{n}"))
                    .map(|r| r.route.p50)
            };
            if let (Some(first_page), Some(deep)) = (page("1"), page("2000")) {
                let ratio = deep / first_page.max(1e-9);
                writeln!(
                    md,
                    "\nCursor, {order} order: page 2000 / page 1 at {big} = {ratio:.2}× (≤ 1.5×) {}",
                    verdict(ratio <= 1.5),
                    big = size_label(last.size)
                )?;
            }
        }
    }

    for size in &results.sizes {
        let Some((cost, rows)) = &size.latency else {
            continue;
        };
        writeln!(
            md,
            "\n## Round trips ({}, through the handlers)\n\nEach request straight to PostgreSQL, then through a proxy \
             that adds {} ms each way (RDS Proxy in another availability zone; its timer rounds up, so a round trip \
             through it measured {:.2} ms against {:.2} ms straight, `SELECT 1`). Round trips counted by that proxy \
             (`Sync` and `Query` messages).\n\n\
             | request | round trips | p50 ms | p50 ms delayed | p99 ms | p99 ms delayed |\n|---|---:|---:|---:|---:|---:|",
            size_label(size.size),
            DELAY.as_millis(),
            cost.delayed_ms,
            cost.direct_ms,
        )?;
        for row in rows {
            writeln!(
                md,
                "| {} | {:.1} | {:.2} | {:.2} | {:.2} | {:.2} |",
                row.name,
                row.round_trips,
                row.direct.p50,
                row.delayed.p50,
                row.direct.p99,
                row.delayed.p99
            )?;
        }
    }
    if !results.http.is_empty() {
        writeln!(
            md,
            "\n## Local API over HTTP (hey, 8 connections, largest catalog)\n\n| request | req/s | p50 ms | p99 ms | non-2xx |\n|---|---:|---:|---:|---:|"
        )?;
        for t in &results.http {
            writeln!(
                md,
                "| {} | {:.0} | {:.2} | {:.2} | {} |",
                t.name, t.requests_per_sec, t.p50_ms, t.p99_ms, t.non_2xx
            )?;
        }
    }
    if let Some(storm) = &results.storm {
        writeln!(
            md,
            "\n## Search storm over HTTP (largest catalog)\n\n64 clients search common words (email, review, report, \
             deploy; 16 each) for {} s while one more client reads `GET /items/{{id}}`; the local API has 8 \
             connections.\n\n| | req/s | p50 ms | p99 ms | non-2xx (503s) |\n|---|---:|---:|---:|---:|\n\
             | searches | {:.0} | | {:.2} (worst word) | {} {} |\n| detail reader | {:.0} | {:.2} | {:.2} | {} {} |",
            storm.seconds,
            storm.searches_per_sec,
            storm.search_p99_ms,
            storm.search_non_2xx,
            verdict(storm.search_non_2xx == 0),
            storm.detail.requests_per_sec,
            storm.detail.p50_ms,
            storm.detail.p99_ms,
            storm.detail.non_2xx,
            verdict(storm.detail.non_2xx == 0),
        )?;
    }
    if !results.viral.is_empty() {
        writeln!(
            md,
            "\n## The viral item over HTTP (largest catalog)\n\nOne listing installed by 1 and by 16 clients at once, \
             each install into a fresh workspace; the local API has one connection per client. Targets at 16 \
             clients: ≥ {SKILL_TARGET_PER_SEC:.0}/s for a skill, ≥ {AGENT_TARGET_PER_SEC:.0}/s for an agent with \
             an LLM dependency, and never slower than 1 client.\n\n\
             | listing | clients | installs/s | p50 ms | p99 ms | non-2xx | counted exactly | |\n|---|---:|---:|---:|---:|---:|---|---|"
        )?;
        for v in &results.viral {
            let one = results
                .viral
                .iter()
                .find(|o| o.listing == v.listing && o.clients == 1)
                .map_or(0.0, |o| o.installs_per_sec);
            let target = if v.listing.starts_with("skill") {
                SKILL_TARGET_PER_SEC
            } else {
                AGENT_TARGET_PER_SEC
            };
            let verdict_text = if v.clients == 1 {
                String::new()
            } else {
                verdict(
                    v.installs_per_sec >= target
                        && v.installs_per_sec >= one
                        && v.non_2xx == 0
                        && v.counted_exactly,
                )
                .to_string()
            };
            writeln!(
                md,
                "| {} | {} | {:.0} | {:.2} | {:.2} | {} | {} | {} |",
                v.listing,
                v.clients,
                v.installs_per_sec,
                v.p50_ms,
                v.p99_ms,
                v.non_2xx,
                if v.counted_exactly { "yes" } else { "**no**" },
                verdict_text
            )?;
        }
    }
    if !results.lambda.is_empty() {
        writeln!(
            md,
            "\n## Function binaries under the Lambda Runtime API (largest catalog, 200 invocations each)\n\n\
             Cold start = process start to first response served, pool and first connection included.\n\n\
             | function | cold start ms | p50 ms | p99 ms | peak RSS MiB (≤ 64) | statuses |\n|---|---:|---:|---:|---:|---|"
        )?;
        for f in &results.lambda {
            writeln!(
                md,
                "| {} | {:.1} | {:.2} | {:.2} | {:.1} {} | {} |",
                f.function,
                f.cold_start_ms,
                f.latency.p50,
                f.latency.p99,
                f.peak_rss_mib,
                verdict(f.peak_rss_mib <= 64.0),
                f.statuses
            )?;
        }
    }
    writeln!(md, "\n![p50 latency by catalog size](latency.svg)")?;
    Ok(md)
}

/// A log-log line chart: p50 latency of each route against catalog size.
fn chart(results: &Results) -> Result<String, Error> {
    const W: f64 = 900.0;
    const H: f64 = 520.0;
    const LEFT: f64 = 70.0;
    const RIGHT: f64 = 260.0;
    const TOP: f64 = 40.0;
    const BOTTOM: f64 = 60.0;
    let sizes: Vec<f64> = results.sizes.iter().map(|s| s.size as f64).collect();
    let (Some(&min_size), Some(&max_size)) = (sizes.first(), sizes.last()) else {
        return Ok(String::new());
    };
    let all: Vec<f64> = results
        .sizes
        .iter()
        .flat_map(|s| s.routes.iter().map(|r| r.route.p50))
        .collect();
    let y_min = all
        .iter()
        .copied()
        .fold(f64::MAX, f64::min)
        .max(0.01)
        .log10()
        .floor();
    let y_max = all
        .iter()
        .copied()
        .fold(0.0, f64::max)
        .max(0.1)
        .log10()
        .ceil();
    let x = |size: f64| {
        let span = (max_size.log10() - min_size.log10()).max(1e-9);
        LEFT + (size.log10() - min_size.log10()) / span * (W - LEFT - RIGHT)
    };
    let y = |ms: f64| {
        TOP + (y_max - ms.max(1e-3).log10()) / (y_max - y_min).max(1e-9) * (H - TOP - BOTTOM)
    };
    let colors = [
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
        "#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173",
    ];
    let mut svg = String::new();
    writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="12">"#
    )?;
    writeln!(svg, r#"<rect width="100%" height="100%" fill="white"/>"#)?;
    writeln!(
        svg,
        r#"<text x="{LEFT}" y="24" font-size="15">p50 latency per route (ms, log scale) against catalog size</text>"#
    )?;
    let mut decade = y_min;
    while decade <= y_max {
        let ms = 10f64.powf(decade);
        let py = y(ms);
        writeln!(
            svg,
            r##"<line x1="{LEFT}" y1="{py:.1}" x2="{:.1}" y2="{py:.1}" stroke="#ddd"/>"##,
            W - RIGHT
        )?;
        writeln!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{ms}</text>"#,
            LEFT - 6.0,
            py + 4.0
        )?;
        decade += 1.0;
    }
    for size in &results.sizes {
        let px = x(size.size as f64);
        writeln!(
            svg,
            r##"<line x1="{px:.1}" y1="{TOP}" x2="{px:.1}" y2="{:.1}" stroke="#eee"/>"##,
            H - BOTTOM
        )?;
        writeln!(
            svg,
            r#"<text x="{px:.1}" y="{:.1}" text-anchor="middle">{} items</text>"#,
            H - BOTTOM + 20.0,
            size_label(size.size)
        )?;
    }
    let names: Vec<&str> = results
        .sizes
        .last()
        .map(|s| s.routes.iter().map(|r| r.name).collect())
        .unwrap_or_default();
    for (i, name) in names.iter().enumerate() {
        let color = colors[i % colors.len()];
        let points: Vec<String> = results
            .sizes
            .iter()
            .filter_map(|s| {
                s.routes
                    .iter()
                    .find(|r| r.name == *name)
                    .map(|r| format!("{:.1},{:.1}", x(s.size as f64), y(r.route.p50)))
            })
            .collect();
        writeln!(
            svg,
            r#"<polyline fill="none" stroke="{color}" stroke-width="2" points="{}"/>"#,
            points.join(" ")
        )?;
        for point in &points {
            let (px, py) = point.split_once(',').expect("x,y");
            writeln!(svg, r#"<circle cx="{px}" cy="{py}" r="3" fill="{color}"/>"#)?;
        }
        let ly = TOP + 10.0 + i as f64 * 18.0;
        writeln!(
            svg,
            r#"<line x1="{:.1}" y1="{ly:.1}" x2="{:.1}" y2="{ly:.1}" stroke="{color}" stroke-width="3"/>"#,
            W - RIGHT + 20.0,
            W - RIGHT + 40.0
        )?;
        writeln!(
            svg,
            r#"<text x="{:.1}" y="{:.1}">{name}</text>"#,
            W - RIGHT + 46.0,
            ly + 4.0
        )?;
    }
    writeln!(svg, "</svg>")?;
    Ok(svg)
}
