//! Structures that carry a credential whoever issued it: JWTs, private key blocks, authorisation schemes,
//! URLs and connection strings with a password.

use regex::Captures;

use super::{random_value, Rule, Specificity};
use crate::randomness::{base64_decode, is_placeholder};

/// `scheme://user:password@host`. The user stops at the first `:` and holds no `/`; the password runs to the
/// *last* `@` that a host name follows, so a password may hold `/`, `:` or `@` (`https://ci:pa/ss@host`).
const USERINFO_URL: &str = r#"\b([A-Za-z][A-Za-z0-9+.\-]{1,30})://([^\s/?#@:"'<>\\]*):([^\s"'<>\\]+)@(?:[A-Za-z0-9_\-]+(?:\.[A-Za-z0-9_\-]+)*|\[[0-9A-Fa-f:.]+\])(?:[:/?#\s"'<>\\,;)]|$)"#;

/// Schemes of databases and message brokers: a URL with a password under one is a connection string.
const DATABASE_SCHEMES: [&str; 24] = [
    "postgres",
    "postgresql",
    "mysql",
    "mariadb",
    "mongodb",
    "mongodb+srv",
    "redis",
    "rediss",
    "amqp",
    "amqps",
    "mssql",
    "sqlserver",
    "clickhouse",
    "cockroachdb",
    "couchdb",
    "neo4j",
    "neo4j+s",
    "bolt",
    "cassandra",
    "oracle",
    "snowflake",
    "nats",
    "mqtt",
    "kafka",
];

pub(super) static RULES: &[Rule] = &[
    // JSON Web Token (RFC 7519): base64url header `eyJ…` (`{"`), `.`, payload `eyJ…`, `.`, signature.
    Rule::new(
        "jwt",
        &["eyj"],
        r"\b(eyJ[A-Za-z0-9_\-]{10,})\.eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{16,}",
        Specificity::Structure,
    )
    .accepting(jwt_header),
    // PEM private key (RFC 7468; PKCS#1 `RSA`, SEC 1 `EC`, `DSA`, PKCS#8 plain or `ENCRYPTED`, `OPENSSH`):
    // the BEGIN line and, within 200 characters, a run of 40 base64 characters of its body.
    Rule::new(
        "pem-private-key",
        &["private key"],
        r"-----BEGIN (?:(?:RSA|EC|DSA|OPENSSH|ENCRYPTED) )?PRIVATE KEY-----(?s:.){0,200}?[A-Za-z0-9+/=]{40}",
        Specificity::Structure,
    ),
    // OpenPGP private key block (RFC 4880 ASCII armor), with a run of its body.
    Rule::new(
        "pgp-private-key",
        &["pgp private key"],
        r"-----BEGIN PGP PRIVATE KEY BLOCK-----(?s:.){0,300}?[A-Za-z0-9+/=]{40}",
        Specificity::Structure,
    ),
    // `Bearer <token>` (RFC 6750), with a random-looking token of 16+ characters: not `Bearer <token>`,
    // `Bearer {{token}}` or `Bearer YOUR_TOKEN`.
    Rule::new(
        "bearer-token",
        &["bearer"],
        r"(?i)\bbearer\s+([A-Za-z0-9\-._~+/]{16,}=*)",
        Specificity::Header,
    )
    .accepting(random_value),
    // `Basic <base64 of user:password>` (RFC 7617), taken when it decodes to that.
    Rule::new(
        "basic-auth",
        &["basic"],
        r"(?i)\bbasic\s+([A-Za-z0-9+/]{8,}={0,2})(?:[^A-Za-z0-9+/=]|$)",
        Specificity::Header,
    )
    .accepting(basic_credentials),
    // A URL with a password in its userinfo (RFC 3986 §3.2.1), other than a database's.
    Rule::new(
        "url-credentials",
        &["://"],
        USERINFO_URL,
        Specificity::Structure,
    )
    .accepting(url_password),
    // A database or broker URL with a password: `postgres://app:…@db/prod`, `mongodb+srv://…`, `redis://:…@`.
    Rule::new(
        "database-connection-string",
        &["://"],
        USERINFO_URL,
        Specificity::Structure,
    )
    .accepting(database_password),
    // A `key=value;` connection string with `Password=` or `Pwd=` (ADO.NET, ODBC, JDBC properties).
    Rule::new(
        "connection-string-password",
        &["password", "pwd"],
        r#"(?i)(?:;\s*(?:password|pwd)\s*=\s*([^;"'\s]+)|(?:^|[\s"'])(?:password|pwd)\s*=\s*([^;"'\s]+)\s*;)"#,
        Specificity::Structure,
    )
    .accepting(connection_string_password),
];

/// The first part decodes to a JSON object header.
fn jwt_header(captures: &Captures) -> bool {
    base64_decode(&captures[1]).is_some_and(|header| header.starts_with(b"{\""))
}

/// Decodes to printable `user:password` with a password that is not a placeholder.
fn basic_credentials(captures: &Captures) -> bool {
    let Some(decoded) = base64_decode(&captures[1]) else {
        return false;
    };
    let Ok(text) = String::from_utf8(decoded) else {
        return false;
    };
    text.chars().all(|c| c.is_ascii_graphic() || c == ' ')
        && text
            .split_once(':')
            .is_some_and(|(_, password)| !password.is_empty() && !is_placeholder(password))
}

fn url_password(captures: &Captures) -> bool {
    !is_database(&captures[1]) && is_password(&captures[2], &captures[3])
}

fn database_password(captures: &Captures) -> bool {
    is_database(&captures[1]) && is_password(&captures[2], &captures[3])
}

fn is_database(scheme: &str) -> bool {
    let scheme = scheme.to_ascii_lowercase();
    DATABASE_SCHEMES.contains(&scheme.as_str())
}

/// A password, not a port with a path after it (`host:8080/@user`), a placeholder (`user:password@`) or a
/// documented default that repeats the user (`guest:guest@`, `postgres:postgres@`).
fn is_password(user: &str, password: &str) -> bool {
    let port_and_path = password.split_once('/').is_some_and(|(port, _)| {
        (1..=5).contains(&port.len()) && port.bytes().all(|b| b.is_ascii_digit())
    });
    !port_and_path && !is_placeholder(password) && password != user
}

fn connection_string_password(captures: &Captures) -> bool {
    captures
        .get(1)
        .or_else(|| captures.get(2))
        .is_some_and(|password| !is_placeholder(password.as_str()))
}
