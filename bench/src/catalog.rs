//! A realistic catalog, loaded with COPY: `size` marketplace items spread over the five kinds (skewed install
//! counts, 20 categories, tags, one to three approved versions each, tools and a skill on every agent),
//! the tools cache, the users the routes run as, two reviews per item spread Zipf-like (the most installed
//! agent has 50k at 1M items) and skewed trending counts. One item in [`PRIVATE_EVERY`] is private, spread
//! over [`CATALOGS`] catalogs; `bench-insider` is a member of three of them, `bench-member` of none.

use std::fmt::Write as _;
use std::time::Instant;

use bytes::Bytes;
use futures::SinkExt;
use indicatif::{ProgressBar, ProgressStyle};
use marketplace_catalog::ItemKind;
use tokio_postgres::{Client, NoTls};

use crate::Error;

/// The load's figures, for the report.
#[derive(Debug, Clone, Copy, Default)]
pub struct Load {
    pub seconds: f64,
    pub rows: u64,
}

const CATEGORIES: [&str; 20] = [
    "Customer Support",
    "Sales",
    "Marketing",
    "DevOps",
    "Engineering",
    "Data",
    "Finance",
    "HR",
    "Legal",
    "Productivity",
    "Research",
    "Security",
    "Design",
    "Education",
    "Healthcare",
    "Operations",
    "Writing",
    "Analytics",
    "Communication",
    "Project Management",
];
const WORDS: [&str; 32] = [
    "ticket",
    "invoice",
    "deploy",
    "review",
    "summary",
    "lead",
    "meeting",
    "report",
    "incident",
    "email",
    "calendar",
    "contract",
    "onboarding",
    "forecast",
    "budget",
    "release",
    "survey",
    "feedback",
    "roadmap",
    "pipeline",
    "dashboard",
    "translation",
    "compliance",
    "outreach",
    "backlog",
    "interview",
    "newsletter",
    "inventory",
    "refund",
    "alert",
    "campaign",
    "renewal",
];
const APPS: [&str; 20] = [
    "gmail",
    "slack",
    "github",
    "jira",
    "notion",
    "googlecalendar",
    "googledrive",
    "hubspot",
    "salesforce",
    "zendesk",
    "linear",
    "stripe",
    "pagerduty",
    "datadog",
    "tavily",
    "asana",
    "trello",
    "discord",
    "dropbox",
    "intercom",
];
/// One in this many descriptions carries the phrase the search scenario looks for.
pub const SEARCH_PHRASE: &str = "quarterly audit";
const SEARCH_EVERY: u64 = 2000;

/// Private catalogs, each owned by a workspace of its own.
pub const CATALOGS: u64 = 1000;
/// One item in this many is private to one of the catalogs.
pub const PRIVATE_EVERY: u64 = 10;
/// The catalogs `bench-insider` is a member of (through their owner workspaces).
const INSIDER_CATALOGS: u64 = 3;

/// A cheap, deterministic hash for spreading values.
fn mix(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^ (x >> 33)
}

/// Id ranges: kind `k` holds ids `k * per_kind + 1 ..= (k + 1) * per_kind`.
pub fn id_range(kind_index: usize, per_kind: u64) -> std::ops::RangeInclusive<u64> {
    kind_index as u64 * per_kind + 1..=(kind_index as u64 + 1) * per_kind
}

pub async fn build(url: &str, size: usize) -> Result<Load, Error> {
    let started = Instant::now();
    let (mut client, connection) = tokio_postgres::connect(url, NoTls).await?;
    tokio::spawn(connection);
    marketplace_db::migrate(&mut client).await?;
    // A bulk load waits for its locks: migrate left the session's lock bound at 1 s, and a table autovacuum
    // started on holds its lock until the deadlock check cancels it, about as long.
    client
        .batch_execute(
            "SET maintenance_work_mem = '512MB'; SET synchronous_commit = off; SET lock_timeout = 0",
        )
        .await?;
    seed_people_and_apps(&client).await?;

    let per_kind = (size / ItemKind::ALL.len()) as u64;
    let bar = ProgressBar::new(size as u64);
    bar.set_style(
        ProgressStyle::with_template(
            "{msg:>18} [{bar:40}] {pos}/{len} items ({per_sec}, eta {eta})",
        )
        .expect("a valid template")
        .progress_chars("=> "),
    );
    let mut rows = 0;
    for (k, kind) in ItemKind::ALL.into_iter().enumerate() {
        bar.set_message(kind.table());
        let table = kind.table();
        client
            .batch_execute(&format!("ALTER TABLE {table} DISABLE TRIGGER USER"))
            .await?;
        rows += copy_items(&client, kind, id_range(k, per_kind), &bar).await?;
        client
            .batch_execute(&format!("ALTER TABLE {table} ENABLE TRIGGER USER"))
            .await?;
    }
    bar.finish_with_message("items");
    rows += copy_relations(&client, per_kind).await?;
    rows += load_reviews(&client, size).await?;
    client
        .batch_execute(&format!(
            "SELECT setval('item_id_seq', {}); SELECT marketplace_counts_rebuild();
             SELECT marketplace_pin_unreviewed();",
            per_kind * ItemKind::ALL.len() as u64
        ))
        .await?;
    client.batch_execute("VACUUM ANALYZE").await?;
    let load = Load {
        seconds: started.elapsed().as_secs_f64(),
        rows,
    };
    eprintln!("loaded {rows} rows in {:.1} s", load.seconds);
    Ok(load)
}

async fn seed_people_and_apps(client: &Client) -> Result<(), Error> {
    let mut apps = String::new();
    for (i, slug) in APPS.iter().enumerate() {
        let auth = if i % 4 == 3 { "[]" } else { "[\"OAUTH2\"]" };
        write!(
            apps,
            "('{slug}', '{name}', '{name}', 'https://logos.example.com/{slug}.svg', '{auth}'),",
            name = capitalise(slug)
        )?;
    }
    apps.pop();
    client
        .batch_execute(&format!(
            "INSERT INTO composio_apps_cache (app_slug, app_name, display_name, logo_url, auth_schemes) VALUES {apps};
             INSERT INTO users (auth_subject, display_name, email, system_role)
             SELECT 'publisher-' || g, 'Publisher ' || g, 'publisher' || g || '@example.com', 'user'
             FROM generate_series(1, 200) g;
             INSERT INTO users (auth_subject, display_name, system_role) VALUES
                 ('bench-admin', 'Bench Admin', 'admin'), ('bench-member', 'Bench Member', 'user'),
                 ('bench-insider', 'Bench Insider', 'user');
             WITH owners AS (
                 INSERT INTO workspaces (name)
                 SELECT 'Catalog owner ' || lpad(g::text, 4, '0') FROM generate_series(1, {CATALOGS}) g
                 RETURNING id, name),
             made AS (
                 INSERT INTO catalogs (id, name, owner_workspace_id)
                 SELECT substr(name, 15)::bigint, 'Team catalog ' || substr(name, 15), id FROM owners
                 RETURNING id, owner_workspace_id)
             INSERT INTO catalog_workspaces (catalog_id, workspace_id) SELECT id, owner_workspace_id FROM made;
             SELECT setval(pg_get_serial_sequence('catalogs', 'id'), {CATALOGS});
             INSERT INTO workspace_members (workspace_id, user_id, role)
             SELECT c.owner_workspace_id, u.id, 'editor' FROM catalogs c, users u
             WHERE c.id <= {INSIDER_CATALOGS} AND u.auth_subject = 'bench-insider';"
        ))
        .await?;
    Ok(())
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Text-format COPY field escaping (our values never hold tabs or newlines, but JSON may hold backslashes).
fn field(value: &str) -> String {
    value.replace('\\', "\\\\")
}

async fn copy_items(
    client: &Client,
    kind: ItemKind,
    ids: std::ops::RangeInclusive<u64>,
    bar: &ProgressBar,
) -> Result<u64, Error> {
    let own_columns = match kind {
        ItemKind::Agent => "agent_type, configuration, model_config",
        ItemKind::Recipe => "definition, steps, required_tools, recommended_agents",
        ItemKind::Skill => "skill_type, content",
        ItemKind::Llm => "provider, model_id, context_window, max_output_tokens, capabilities",
        ItemKind::Tool => "app_slug, config",
    };
    let sink = client
        .copy_in(&format!(
            "COPY {} (id, name, description, owner_type, is_approved, is_featured, install_count, \
             trending_installs, original_creator_id, marketplace_category, marketplace_icon, tags, version, \
             created_at, updated_at, catalog_id, {own_columns}) FROM STDIN",
            kind.table()
        ))
        .await?;
    futures::pin_mut!(sink);
    let total = *ids.end() - *ids.start() + 1;
    let now = chrono::Utc::now();
    let timestamp = |minutes_ago: u64| {
        (now - chrono::Duration::minutes(minutes_ago as i64))
            .format("%Y-%m-%d %H:%M:%S%.6f+00")
            .to_string()
    };
    let mut buffer = String::with_capacity(1 << 20);
    let mut written = 0;
    for id in ids {
        let h = mix(id);
        let word = |shift: u32| WORDS[((h >> shift) % WORDS.len() as u64) as usize];
        let name = format!("{} {} {}", capitalise(word(0)), capitalise(word(8)), id);
        let mut description = format!(
            "Helps teams with {} and {} for {} work.",
            word(16),
            word(24),
            word(32)
        );
        if h.is_multiple_of(SEARCH_EVERY) {
            description.push_str(" Built for the ");
            description.push_str(SEARCH_PHRASE);
            description.push('.');
        }
        // Zipf-like popularity: a few items are installed a lot, most rarely.
        let rank = (mix(id ^ 0x5eed) % total) + 1;
        let installs = (2_000_000.0 / (rank as f64).powf(1.1)) as u64;
        // Recent installs from distinct workspaces: a Zipf-like order of its own, most items at 0.
        let trending_rank = (mix(id ^ 0x7e4d) % total) + 1;
        let trending = (5_000.0 / trending_rank as f64) as u64;
        let category = CATEGORIES[((h >> 40) % 100).min(99) as usize % CATEGORIES.len()];
        let approved = id % 50 != 0;
        let featured = approved && id % 997 == 0;
        let minor = id % 3;
        let spread = mix(id ^ 0xca7a_1065);
        let catalog = if spread.is_multiple_of(PRIVATE_EVERY) {
            (1 + (spread / PRIVATE_EVERY) % CATALOGS).to_string()
        } else {
            "\\N".to_owned()
        };
        let created_minutes = total * 3 - (id % total) * 3;
        let own = match kind {
            ItemKind::Agent => format!(
                "assistant\t{{\"temperature\": 0.{}, \"system_prompt\": \"You help with {}.\", \"api_key\": \"sk-{}\"}}\t{{\"model\": \"gpt-4.1\"}}",
                h % 10,
                word(16),
                h % 100_000
            ),
            ItemKind::Recipe => format!(
                "{{\"trigger\": \"{0}.created\"}}\t[{{\"name\": \"collect\"}}, {{\"name\": \"{0}\"}}, {{\"name\": \"notify\"}}]\t[\"{1}\", \"{2}\"]\t[]",
                word(16),
                APPS[(h % 20) as usize],
                APPS[((h >> 8) % 20) as usize]
            ),
            ItemKind::Skill => format!("prompt\tSummarise the {} and list the next steps.", word(16)),
            ItemKind::Llm => format!(
                "provider-{}\tmodel-{id}\t{}\t{}\t[\"chat\", \"tools\"]",
                h % 12,
                32_000 << (h % 5),
                4096 << (h % 3)
            ),
            ItemKind::Tool => format!("{}\t{{\"scopes\": [\"read\"]}}", APPS[(h % 20) as usize]),
        };
        writeln!(
            buffer,
            "{id}\t{name}\t{description}\tmarketplace\t{approved}\t{featured}\t{installs}\t{trending}\t{creator}\t{category}\t🤖\t[\"{tag1}\", \"{tag2}\"]\t1.{minor}.0\t{created}\t{updated}\t{catalog}\t{own}",
            creator = 1 + h % 200,
            tag1 = word(16),
            tag2 = word(24),
            created = timestamp(created_minutes),
            updated = timestamp(created_minutes / 2),
            own = field(&own),
        )?;
        written += 1;
        if buffer.len() > 1 << 20 {
            sink.send(Bytes::from(std::mem::take(&mut buffer))).await?;
            bar.inc(written);
            written = 0;
        }
    }
    sink.send(Bytes::from(buffer)).await?;
    bar.inc(written);
    Ok(sink.finish().await?)
}

/// Versions for every item, tools and a skill on every agent.
async fn copy_relations(client: &Client, per_kind: u64) -> Result<u64, Error> {
    let started = Instant::now();
    let mut rows = 0;
    for (k, kind) in ItemKind::ALL.into_iter().enumerate() {
        let range = id_range(k, per_kind);
        rows += client
            .execute(
                &format!(
                    "INSERT INTO item_versions (item_id, item_kind, version, changelog, content, status, submitted_by,
                                                submitted_at, reviewed_at, published_at)
                     SELECT t.id, '{kind}', '1.' || m || '.0', 'Release 1.' || m || '.0 of ' || t.name, '{{}}',
                            'approved', t.original_creator_id, t.created_at + make_interval(days => m),
                            t.created_at + make_interval(days => m), t.created_at + make_interval(days => m)
                     FROM {table} t, generate_series(0, 2) m
                     WHERE t.id BETWEEN {start} AND {end} AND m <= split_part(t.version::text, '.', 2)::int",
                    kind = kind.as_str(),
                    table = kind.table(),
                    start = range.start(),
                    end = range.end(),
                ),
                &[],
            )
            .await?;
    }
    let agents = id_range(0, per_kind);
    let skills = id_range(2, per_kind);
    rows += client
        .execute(
            &format!(
                "INSERT INTO agent_tools (agent_id, app_slug)
                 SELECT a, (ARRAY{apps:?})[1 + ((a * 7 + n) % 20)] FROM generate_series({start}, {end}) a,
                        generate_series(0, 1) n
                 ON CONFLICT DO NOTHING",
                apps = APPS,
                start = agents.start(),
                end = agents.end(),
            )
            .replace('"', "'"),
            &[],
        )
        .await?;
    rows += client
        .execute(
            &format!(
                "INSERT INTO agent_skills (agent_id, skill_id)
                 SELECT a, {skill_start} + (a * 31) % {per_kind} FROM generate_series({start}, {end}) a",
                skill_start = skills.start(),
                start = agents.start(),
                end = agents.end(),
            ),
            &[],
        )
        .await?;
    eprintln!(
        "versions, tools and skills: {rows} rows in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(rows)
}

/// Reviews of the most reviewed item at 1M items; other sizes scale it.
const TOP_REVIEWS_AT_1M: f64 = 50_000.0;
/// Reviews of the item at rank r of its kind (by installs): REVIEWS_AT_RANK_1 / r at 1M items, so the whole
/// catalog holds about two reviews per item.
const REVIEWS_AT_RANK_1: f64 = 31_000.0;

/// Reviews spread Zipf-like over each kind's items by install rank (the most installed agent gets the most),
/// written by as many reviewers as the most reviewed item needs, with mostly good ratings; then the
/// ratings on the item rows, as the trigger would have kept them, and the prior's mean.
async fn load_reviews(client: &Client, size: usize) -> Result<u64, Error> {
    let started = Instant::now();
    let scale = size as f64 / 1_000_000.0;
    let top = (TOP_REVIEWS_AT_1M * scale).max(50.0) as i64;
    let at_rank_1 = REVIEWS_AT_RANK_1 * scale;
    client
        .execute(
            "INSERT INTO users (auth_subject, display_name)
             SELECT 'reviewer-' || g, 'Reviewer ' || g FROM generate_series(1, $1::bigint) g",
            &[&top],
        )
        .await?;
    let first_reviewer: i64 = client
        .query_one(
            "SELECT min(id) FROM users WHERE auth_subject LIKE 'reviewer-%'",
            &[],
        )
        .await?
        .get(0);
    client
        .batch_execute("ALTER TABLE user_reviews DISABLE TRIGGER USER")
        .await?;
    let mut rows = 0;
    for kind in ItemKind::ALL {
        let most = if kind == ItemKind::Agent {
            format!("{top}")
        } else {
            format!("{at_rank_1}")
        };
        rows += client
            .execute(
                &format!(
                    "WITH ranked AS (
                         SELECT id, row_number() OVER (ORDER BY install_count DESC, id) AS rank
                         FROM {table} WHERE owner_type = 'marketplace' AND is_approved)
                     INSERT INTO user_reviews (item_id, item_kind, user_id, installed_version, rating, title, body,
                                               created_at, updated_at)
                     SELECT r.id, '{kind}', {first_reviewer} + (r.id * 7919 + j) % {top},
                            '1.0.0', (ARRAY[5, 4, 5, 3, 5, 4, 1, 5, 2, 4])[1 + (r.id * 31 + j * 17) % 10],
                            'Review ' || j, 'Used it for a while; it does what it says.',
                            now() - make_interval(mins => ((r.id * 13 + j * 7) % 500000)::int),
                            now() - make_interval(mins => ((r.id * 13 + j * 7) % 500000)::int)
                     FROM ranked r,
                          generate_series(1, CASE WHEN r.rank = 1 THEN {most}::bigint
                                                  ELSE floor({at_rank_1} / r.rank)::bigint END) j",
                    table = kind.table(),
                    kind = kind.as_str(),
                ),
                &[],
            )
            .await?;
    }
    client
        .batch_execute(
            "ALTER TABLE user_reviews ENABLE TRIGGER USER;
             SELECT user_ratings_rebuild(); SELECT rating_prior_refresh();",
        )
        .await?;
    eprintln!(
        "reviews: {rows} rows in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(rows)
}
