//! The statement log the pinning check reads (scripts/check-pinning.py, run by CI after the tests). With
//! `MARKETPLACE_STATEMENT_LOG=<dir>` the throwaway PostgreSQL logs every statement there (csvlog), the
//! handlers' connections name themselves `marketplace-handlers` (fixtures and migrations do not), and each
//! request a test sends is written to `<dir>/requests.jsonl` with its test database, route function and
//! time window, so that the check names the route of any statement that would pin an RDS Proxy session.
//! Without the variable nothing is logged.

use std::io::Write;
use std::path::PathBuf;

use chrono::{DateTime, Utc};

/// What the handlers' connections are called in `pg_stat_activity` and the log.
pub const HANDLERS: &str = "marketplace-handlers";

fn directory() -> Option<PathBuf> {
    std::env::var_os("MARKETPLACE_STATEMENT_LOG").map(PathBuf::from)
}

/// The server settings that log every statement into the directory, when one is set.
pub(crate) fn server_settings() -> Vec<(String, String)> {
    let Some(dir) = directory() else {
        return Vec::new();
    };
    std::fs::create_dir_all(&dir).expect("create the statement log directory");
    // The server may run as another OS user (postgres, when the tests run as root).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777))
            .expect("open the statement log directory to the server");
    }
    [
        ("logging_collector", "on"),
        ("log_destination", "csvlog"),
        ("log_directory", dir.to_str().expect("a UTF-8 path")),
        ("log_filename", "statements-%Y%m%d%H%M%S.log"),
        ("log_file_mode", "0644"),
        ("log_statement", "all"),
        ("log_rotation_size", "0"),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_owned(), value.to_owned()))
    .collect()
}

/// `url` with the handlers' application name.
pub fn handlers_url(url: &str) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}application_name={HANDLERS}")
}

pub(crate) fn now() -> DateTime<Utc> {
    Utc::now()
}

/// Appends the request's window to `requests.jsonl`, when statements are logged.
pub(crate) fn record_request(database_url: &str, function: &str, started: DateTime<Utc>) {
    let Some(dir) = directory() else {
        return;
    };
    let database = database_url
        .rsplit('/')
        .next()
        .and_then(|tail| tail.split('?').next())
        .unwrap_or_default();
    let line = serde_json::json!({
        "database": database,
        "route": function,
        "start": started.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        "end": now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
    });
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("requests.jsonl"))
        .expect("open requests.jsonl");
    // One write per line, so that lines of concurrent tests never interleave.
    file.write_all(format!("{line}\n").as_bytes())
        .expect("write requests.jsonl");
}
