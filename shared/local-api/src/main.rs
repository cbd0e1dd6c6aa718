//! `local-api`            serve every route on 127.0.0.1 (default port 3000) over a throwaway PostgreSQL
//! `local-api token SUB`  print a bearer token for the user whose auth subject is SUB
//! `local-api seed-llm`   upsert the LLM catalog into the database at DATABASE_URL
//!
//! Tokens are HS256 with the secret `MARKETPLACE_DEV_JWT_SECRET`, issuer `MARKETPLACE_DEV_JWT_ISSUER` and
//! audience `MARKETPLACE_DEV_JWT_AUDIENCE` (defaults in `local_api::jwt`); `serve` accepts just those.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use local_api::database::{self, LocalDatabase};
use local_api::demo::DemoData;
use local_api::{dev_secret, jwt, LocalApi};
use marketplace_http::{AppState, Config};
use tokio::net::TcpListener;

type Error = database::Error;

const USAGE: &str = "usage: local-api [serve | token <subject> [--hours N] | seed-llm]";

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tokio_postgres=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        [] | ["serve"] => serve().await,
        ["token", subject] => token(subject, 24),
        ["token", subject, "--hours", hours] => match hours.parse() {
            Ok(hours) => token(subject, hours),
            Err(_) => Err(USAGE.into()),
        },
        ["seed-llm"] => seed_llm().await,
        _ => Err(USAGE.into()),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("local-api: {error}");
            ExitCode::FAILURE
        }
    }
}

fn token(subject: &str, hours: i64) -> Result<(), Error> {
    let now = chrono::Utc::now().timestamp();
    let configuration = jwt::Configuration::from_env();
    println!(
        "{}",
        jwt::mint_for(&configuration, &dev_secret(), subject, now, hours * 3600)
    );
    Ok(())
}

async fn seed_llm() -> Result<(), Error> {
    let url = std::env::var("DATABASE_URL").map_err(|_| "seed-llm needs DATABASE_URL")?;
    let (mut client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await?;
    tokio::spawn(connection);
    marketplace_db::migrate(&mut client).await?;
    let tx = client.transaction().await?;
    let entries = marketplace_catalog::llm_catalog::bundled_entries()?;
    let report = marketplace_catalog::llm_catalog::upsert(&tx, &entries).await?;
    tx.commit().await?;
    println!(
        "LLM catalog: {} inserted, {} updated, {} unchanged",
        report.inserted, report.updated, report.unchanged
    );
    Ok(())
}

async fn serve() -> Result<(), Error> {
    let addr: SocketAddr = std::env::var("LOCAL_API_ADDR")
        .unwrap_or_else(|_| "127.0.0.1:3000".into())
        .parse()
        .map_err(|_| "LOCAL_API_ADDR must be host:port, such as 127.0.0.1:3000")?;
    let listener = TcpListener::bind(addr).await?;
    let database = LocalDatabase::start().await?;
    let prepared = database::prepare(&database.url).await?;
    tracing::info!(?prepared, "database ready");

    let state = AppState::new(database.pool(16)?, Config::from_env()?);
    let api = Arc::new(LocalApi {
        state,
        jwt_secret: dev_secret(),
        jwt: jwt::Configuration::from_env(),
    });
    print_banner(addr, &database);
    api.serve(listener, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await;
    if let Some(cluster) = database.cluster {
        tokio::task::spawn_blocking(move || cluster.stop()).await?;
    }
    eprintln!("local-api: stopped");
    Ok(())
}

fn print_banner(addr: SocketAddr, database: &LocalDatabase) {
    let base = format!("http://{addr}/api/marketplace");
    let mut banner = format!(
        "\nMarketplace local API listening on {base}\nDatabase: {}{}\n\nDemo users (mint a token with `cargo run -p local-api -- token <subject>`):\n",
        database.url,
        if database.cluster.is_some() { " (throwaway; removed on Ctrl-C)" } else { "" },
    );
    if let Ok(demo) = DemoData::bundled() {
        for user in demo.users() {
            banner.push_str(&format!(
                "  {:<16} {} ({})\n",
                user.subject, user.display_name, user.role
            ));
        }
    }
    banner.push_str(&format!(
        "\nTry:\n  TOKEN=$(cargo run -q -p local-api -- token demo-owner)\n  curl -H \"Authorization: Bearer $TOKEN\" {base}/items\n"
    ));
    eprintln!("{banner}");
}
