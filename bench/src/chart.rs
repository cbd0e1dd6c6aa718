//! The picture of a run (`latency.svg`), drawn with plotters: one horizontal bar per route at the largest
//! catalog against its p50 target, grouped as reads, search and writes, with the smallest catalog's bar
//! beside it; and two small charts, the viral item's installs per second against its targets, and each
//! request's p50 with and without the injected round-trip delay.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::report::{p50_target, size_label, Results};
use crate::routes::{LatencyRow, RouteResult};
use crate::viral::{Viral, AGENT_TARGET_PER_SEC, SKILL_TARGET_PER_SEC};
use crate::Error;

const WIDTH: u32 = 1200;
const ROW: u32 = 22;
const LABEL: i32 = 300;
const LARGE: RGBColor = RGBColor(31, 119, 180);
const SMALL: RGBColor = RGBColor(158, 202, 225);
const TARGET: RGBColor = RGBColor(214, 39, 40);
const MISSED: RGBColor = RGBColor(255, 127, 14);
const GREY: RGBColor = RGBColor(120, 120, 120);

/// Which group a route's bar is drawn in.
fn group(route: &str) -> usize {
    if route.starts_with("search") || route == "list: search" {
        1
    } else if route == "install"
        || route.starts_with("install (")
        || route.starts_with("submit")
        || ["uninstall", "apply-update", "post review"].contains(&route)
    {
        2
    } else {
        0
    }
}

const GROUPS: [&str; 3] = ["Reads", "Search", "Writes"];

/// The whole picture as SVG text; empty when the run timed no route.
pub fn render(results: &Results) -> Result<String, Error> {
    let (Some(small), Some(large)) = (results.sizes.first(), results.sizes.last()) else {
        return Ok(String::new());
    };
    let mut rows: Vec<(&RouteResult, Option<&RouteResult>)> = large
        .routes
        .iter()
        .map(|route| {
            let beside = (small.size != large.size)
                .then(|| small.routes.iter().find(|r| r.name == route.name))
                .flatten();
            (route, beside)
        })
        .collect();
    rows.sort_by_key(|(route, _)| group(route.name));
    let routes_height = 60 + (rows.len() as u32 + GROUPS.len() as u32) * ROW + 40;
    let height = routes_height + 320;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE)?;
        let (top, bottom) = root.split_vertically(routes_height);
        let labels = (size_label(large.size), size_label(small.size));
        routes(&top, &rows, &labels)?;
        let (left, right) = bottom.split_horizontally(WIDTH / 2);
        viral(&left, &results.viral)?;
        let latency = results
            .sizes
            .iter()
            .rev()
            .find_map(|size| size.latency.as_ref())
            .map(|(_, rows)| rows.as_slice())
            .unwrap_or_default();
        round_trips(&right, latency)?;
        root.present()?;
    }
    Ok(svg)
}

fn text_style(size: u32, color: &RGBColor) -> TextStyle<'static> {
    ("sans-serif", size).into_font().color(color)
}

/// Bars in pixels: x of a value in ms, on a linear scale up to `max_ms`.
struct Scale {
    left: i32,
    width: i32,
    max_ms: f64,
}

impl Scale {
    fn x(&self, ms: f64) -> i32 {
        self.left + (ms.clamp(0.0, self.max_ms) / self.max_ms * f64::from(self.width)) as i32
    }
}

fn routes(
    area: &DrawingArea<SVGBackend<'_>, Shift>,
    rows: &[(&RouteResult, Option<&RouteResult>)],
    (large, small): &(String, String),
) -> Result<(), Error> {
    let black = text_style(13, &BLACK);
    let sizes = if large == small {
        format!("p50 per route at {large}")
    } else {
        format!("p50 per route at {large} (dark) and {small} (light)")
    };
    area.draw(&Text::new(
        format!("{sizes}, ms; red: the p50 target, orange: missed"),
        (10, 10),
        text_style(16, &BLACK),
    ))?;
    let scale = Scale {
        left: LABEL,
        width: WIDTH as i32 - LABEL - 80,
        max_ms: 30.0,
    };
    let axis_y = 36;
    for ms in [0.0, 5.0, 10.0, 15.0, 20.0, 25.0, 30.0] {
        let x = scale.x(ms);
        area.draw(&Text::new(
            format!("{ms:.0}"),
            (x - 6, axis_y - 14),
            text_style(11, &GREY),
        ))?;
        area.draw(&PathElement::new(
            vec![
                (x, axis_y),
                (
                    x,
                    axis_y + ((rows.len() + GROUPS.len()) as i32) * ROW as i32,
                ),
            ],
            GREY.mix(0.25),
        ))?;
    }
    let mut y = axis_y + 6;
    let mut current = usize::MAX;
    for (route, beside) in rows {
        if group(route.name) != current {
            current = group(route.name);
            area.draw(&Text::new(
                GROUPS[current],
                (10, y + 4),
                text_style(14, &BLACK),
            ))?;
            y += ROW as i32;
        }
        let target = p50_target(route.name);
        let met = target.is_none_or(|target| route.route.p50 <= target);
        area.draw(&Text::new(route.name, (24, y + 4), black.clone()))?;
        let bar = |from: i32, to: i32, ms: f64, color: RGBColor| {
            Rectangle::new(
                [(scale.left, from), (scale.x(ms).max(scale.left + 1), to)],
                color.filled(),
            )
        };
        area.draw(&bar(
            y + 2,
            y + 11,
            route.route.p50,
            if met { LARGE } else { MISSED },
        ))?;
        if let Some(beside) = beside {
            area.draw(&bar(y + 12, y + 18, beside.route.p50, SMALL))?;
        }
        let value = if route.route.p50 > scale.max_ms {
            format!("{:.1} (off scale)", route.route.p50)
        } else {
            format!("{:.2}", route.route.p50)
        };
        area.draw(&Text::new(
            value,
            (scale.x(route.route.p50) + 6, y + 3),
            text_style(11, &BLACK),
        ))?;
        if let Some(target) = target {
            let x = scale.x(target);
            area.draw(&PathElement::new(
                vec![(x, y), (x, y + 20)],
                TARGET.stroke_width(2),
            ))?;
        }
        y += ROW as i32;
    }
    Ok(())
}

fn viral(area: &DrawingArea<SVGBackend<'_>, Shift>, viral: &[Viral]) -> Result<(), Error> {
    area.draw(&Text::new(
        "The viral item: installs/s by 1 and 16 clients (red: target)",
        (10, 10),
        text_style(15, &BLACK),
    ))?;
    if viral.is_empty() {
        area.draw(&Text::new(
            "not measured in this run",
            (10, 40),
            text_style(13, &GREY),
        ))?;
        return Ok(());
    }
    let max = viral
        .iter()
        .map(|v| v.installs_per_sec)
        .fold(SKILL_TARGET_PER_SEC, f64::max)
        * 1.1;
    let scale = Scale {
        left: 10,
        width: (WIDTH / 2) as i32 - 10 - 90,
        max_ms: max,
    };
    // Each row: its label on a line of its own, then its bar. Only the many-client runs have a target; a
    // one-client run is what they must not be slower than.
    let mut y = 40;
    for v in viral {
        let target = (v.clients > 1).then(|| {
            if v.listing.starts_with("skill") {
                SKILL_TARGET_PER_SEC
            } else {
                AGENT_TARGET_PER_SEC
            }
        });
        area.draw(&Text::new(
            format!(
                "{}, {} client{}",
                v.listing,
                v.clients,
                if v.clients == 1 { "" } else { "s" }
            ),
            (10, y),
            text_style(12, &BLACK),
        ))?;
        let bar = y + 16;
        let color = match target {
            Some(target) if v.installs_per_sec < target => MISSED,
            _ => LARGE,
        };
        area.draw(&Rectangle::new(
            [
                (scale.left, bar),
                (scale.x(v.installs_per_sec).max(scale.left + 1), bar + 14),
            ],
            color.filled(),
        ))?;
        area.draw(&Text::new(
            format!("{:.0}/s", v.installs_per_sec),
            (scale.x(v.installs_per_sec) + 6, bar + 1),
            text_style(11, &BLACK),
        ))?;
        if let Some(target) = target {
            let x = scale.x(target);
            area.draw(&PathElement::new(
                vec![(x, bar - 2), (x, bar + 16)],
                TARGET.stroke_width(2),
            ))?;
        }
        y += 40;
    }
    Ok(())
}

fn round_trips(
    area: &DrawingArea<SVGBackend<'_>, Shift>,
    rows: &[LatencyRow],
) -> Result<(), Error> {
    area.draw(&Text::new(
        "Round trips: p50 ms straight (dark) and with 1 ms each way (light)",
        (10, 10),
        text_style(15, &BLACK),
    ))?;
    if rows.is_empty() {
        area.draw(&Text::new(
            "not measured in this run",
            (10, 40),
            text_style(13, &GREY),
        ))?;
        return Ok(());
    }
    let max = rows.iter().map(|row| row.delayed.p50).fold(1.0, f64::max) * 1.1;
    let scale = Scale {
        left: 250,
        width: (WIDTH / 2) as i32 - 250 - 70,
        max_ms: max,
    };
    let mut y = 40;
    for row in rows {
        area.draw(&Text::new(
            format!("{} ({:.0} trips)", row.name, row.round_trips),
            (10, y + 2),
            text_style(11, &BLACK),
        ))?;
        area.draw(&Rectangle::new(
            [
                (scale.left, y + 1),
                (scale.x(row.direct.p50).max(scale.left + 1), y + 7),
            ],
            LARGE.filled(),
        ))?;
        area.draw(&Rectangle::new(
            [
                (scale.left, y + 8),
                (scale.x(row.delayed.p50).max(scale.left + 1), y + 14),
            ],
            SMALL.filled(),
        ))?;
        area.draw(&Text::new(
            format!("{:.1}", row.delayed.p50),
            (scale.x(row.delayed.p50) + 4, y + 4),
            text_style(10, &BLACK),
        ))?;
        y += 18;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Load;
    use crate::report::SizeResult;
    use crate::stats::Percentiles;

    fn timed(name: &'static str, p50: f64) -> RouteResult {
        RouteResult {
            name,
            route: Percentiles {
                p50,
                p95: p50,
                p99: p50,
            },
            floor: None,
            samples: 100,
        }
    }

    fn size(size: usize, routes: Vec<RouteResult>) -> SizeResult {
        SizeResult {
            size,
            load: Load {
                seconds: 1.0,
                rows: size as u64,
            },
            routes,
            latency: None,
        }
    }

    #[test]
    fn the_viral_chart_marks_targets_only_for_many_clients() {
        let run = |listing, clients, installs_per_sec| Viral {
            listing,
            clients,
            installs_per_sec,
            p50_ms: 1.0,
            p99_ms: 1.0,
            non_2xx: 0,
            installs: 1,
            counted_exactly: true,
        };
        let results = Results {
            sizes: vec![size(10_000, Vec::new())],
            viral: vec![
                run("skill, no dependency", 1, 117.0),
                run("skill, no dependency", 16, 203.0),
                run("agent with an LLM dependency", 1, 63.0),
                run("agent with an LLM dependency", 16, 450.0),
            ],
            ..Results::default()
        };
        let svg = render(&results).unwrap();
        if let Ok(path) = std::env::var("CHART_OUT") {
            std::fs::write(path, &svg).unwrap();
        }
        let red = format!(
            "stroke=\"#{:02X}{:02X}{:02X}\"",
            TARGET.0, TARGET.1, TARGET.2
        );
        assert_eq!(svg.matches(&red).count(), 2, "one target per 16-client run");
        let orange = format!("fill=\"#{:02X}{:02X}{:02X}\"", MISSED.0, MISSED.1, MISSED.2);
        assert_eq!(
            svg.matches(&orange).count(),
            1,
            "only the skill at 16 missed"
        );
        assert!(svg.contains("agent with an LLM dependency, 16 clients"));
    }

    #[test]
    fn every_route_gets_a_bar_in_its_group_and_a_missed_target_shows() {
        let results = Results {
            sizes: vec![
                size(
                    10_000,
                    vec![timed("detail", 1.0), timed("search: 1 char", 9.0)],
                ),
                size(
                    1_000_000,
                    vec![
                        timed("search: 1 char", 12.0),
                        timed("detail", 1.5),
                        timed("install", 45.0),
                        timed("installs: first page", 2.0),
                    ],
                ),
            ],
            ..Results::default()
        };
        let svg = render(&results).unwrap();
        assert!(svg.starts_with("<svg"), "{svg}");
        for text in [
            "Reads",
            "Search",
            "Writes",
            "detail",
            "search: 1 char",
            "install",
            "45.0 (off scale)",
        ] {
            assert!(svg.contains(text), "{text} missing");
        }
        assert!(svg.contains("p50 per route at 1M (dark) and 10k (light)"));
        let reads = svg.find("detail").unwrap();
        let search = svg.find("search: 1 char").unwrap();
        let writes = svg.find("\ninstall\n").unwrap();
        let list = svg.find("installs: first page").unwrap();
        assert!(reads < search && search < writes, "grouped in order");
        assert!(list < search, "a list of installs is a read");
        assert!(svg.contains("not measured in this run"));
        assert!(render(&Results::default()).unwrap().is_empty());
    }
}
