//! The SQL of every listing and search the benchmark times and the tests page through, on file in
//! `shared/catalog/snapshots/listing/`: a change to a query shows in review as a diff of SQL. A statement
//! that differs from its file fails; `UPDATE_SNAPSHOTS=1 cargo test -p marketplace-catalog` rewrites the
//! files. Every statement also stays under RDS Proxy's pinning size.

use std::path::PathBuf;

use super::shapes::listing_shapes;
use super::{listing_statement, ListQuery};
use crate::browse::search::suggestions_statement;
use crate::foundation::audience::Audience;
use crate::foundation::kind::ItemKind;

/// A statement longer than this pins an RDS Proxy session (AWS, "Avoiding pinning").
const PINNING_BYTES: usize = 16_384;

fn directory() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("snapshots/listing")
}

/// The statement as its file holds it: the parameters' types, then the SQL.
fn rendered(audience: Audience, query: &ListQuery) -> (String, usize) {
    let statement = listing_statement(audience, query);
    let sql = statement.sql();
    (format!("-- {} bytes\n{sql}\n", sql.len()), sql.len())
}

#[test]
fn every_listing_statement_matches_its_snapshot_and_stays_under_the_pinning_size() {
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let directory = directory();
    std::fs::create_dir_all(&directory).unwrap();
    let mut failures = Vec::new();
    let mut files = vec![];
    let mut shapes: Vec<(String, String)> = Vec::new();
    let mut cases = listing_shapes();
    cases.push(("suggestions".into(), Audience::Member, ListQuery::default()));
    for (name, audience, query) in &cases {
        let (text, bytes) = if name == "suggestions" {
            let statement = suggestions_statement(*audience, &ItemKind::ALL, "emial");
            let sql = statement.sql();
            (format!("-- {} bytes\n{sql}\n", sql.len()), sql.len())
        } else {
            rendered(*audience, query)
        };
        if bytes > PINNING_BYTES {
            failures.push(format!(
                "{name}: {bytes} bytes, over {PINNING_BYTES} (pins the proxy)"
            ));
        }
        if let Some((other, _)) = shapes.iter().find(|(_, shape)| *shape == text) {
            failures.push(format!(
                "{name}: the same statement as {other}; one case a shape"
            ));
        }
        shapes.push((name.clone(), text.clone()));
        let file = directory.join(format!("{name}.sql"));
        files.push(file.clone());
        let on_file = std::fs::read_to_string(&file).unwrap_or_default();
        if on_file != text {
            if update {
                std::fs::write(&file, &text).unwrap();
            } else {
                failures.push(format!("{name}: differs from {}", file.display()));
            }
        }
    }
    for entry in std::fs::read_dir(&directory).unwrap() {
        let path = entry.unwrap().path();
        if !files.contains(&path) {
            if update {
                std::fs::remove_file(&path).unwrap();
            } else {
                failures.push(format!("{} has no case", path.display()));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{}\n(a deliberate change: UPDATE_SNAPSHOTS=1 cargo test -p marketplace-catalog, then review the diff)",
        failures.join("\n")
    );
}
