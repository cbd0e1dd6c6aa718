//! The SQL of every listing and search the benchmark times and the tests page through, on file in
//! `shared/catalog/snapshots/listing/`: a change to a query shows in review as a diff of SQL. A statement
//! that differs from its file fails; `UPDATE_SNAPSHOTS=1 cargo test -p marketplace-catalog` rewrites the
//! files. Every statement also stays under RDS Proxy's pinning size.

use std::path::PathBuf;

use super::listing_statement;
use super::shapes::listing_shapes;
use crate::browse::search::suggestions_statement;
use crate::foundation::audience::Audience;
use crate::foundation::kind::ItemKind;
use crate::foundation::statement::Statement;

/// A statement longer than this pins an RDS Proxy session (AWS, "Avoiding pinning").
const PINNING_BYTES: usize = 16_384;

fn directory() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("snapshots/listing")
}

/// Every statement on file, by file name: each listing shape, and the suggestions a search that found
/// nothing runs.
fn statements() -> Vec<(String, Statement<'static>)> {
    let mut statements: Vec<_> = listing_shapes()
        .into_iter()
        .map(|(name, audience, query)| (name, listing_statement(audience, &query)))
        .collect();
    let suggestions = suggestions_statement(Audience::Public, &ItemKind::ALL, "emial");
    statements.push(("suggestions".into(), suggestions));
    statements
}

#[test]
fn every_listing_statement_matches_its_snapshot_and_stays_under_the_pinning_size() {
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let directory = directory();
    std::fs::create_dir_all(&directory).unwrap();
    let mut failures = Vec::new();
    let mut on_record: Vec<(PathBuf, String)> = Vec::new();
    for (name, statement) in statements() {
        let sql = statement.sql();
        if sql.len() > PINNING_BYTES {
            failures.push(format!(
                "{name}: {} bytes, over {PINNING_BYTES} (pins the proxy)",
                sql.len()
            ));
        }
        let text = format!("-- {} bytes\n{sql}\n", sql.len());
        if let Some((other, _)) = on_record.iter().find(|(_, shape)| *shape == text) {
            failures.push(format!(
                "{name}: the same statement as {}; one case a shape",
                other.display()
            ));
        }
        let file = directory.join(format!("{name}.sql"));
        if std::fs::read_to_string(&file).unwrap_or_default() != text {
            if update {
                std::fs::write(&file, &text).unwrap();
            } else {
                failures.push(format!("{name}: differs from {}", file.display()));
            }
        }
        on_record.push((file, text));
    }
    for entry in std::fs::read_dir(&directory).unwrap() {
        let path = entry.unwrap().path();
        if !on_record.iter().any(|(file, _)| *file == path) {
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
