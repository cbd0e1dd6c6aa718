//! The local API: every function's handler behind one HTTP server on 127.0.0.1, with the JWT check and
//! the API Gateway v2 event that the deployed stack would produce, over a throwaway PostgreSQL.

pub mod database;
pub mod demo;
mod dispatch;
pub mod event;
pub mod jwt;
mod reference;
pub mod server;

pub use dispatch::{dispatch, FUNCTIONS};
pub use server::LocalApi;

/// Secret for local bearer tokens when `MARKETPLACE_DEV_JWT_SECRET` is not set.
pub const DEFAULT_DEV_SECRET: &str = "local-development-secret";

/// The HS256 secret the local API verifies tokens with.
pub fn dev_secret() -> Vec<u8> {
    std::env::var("MARKETPLACE_DEV_JWT_SECRET")
        .ok()
        .filter(|secret| !secret.is_empty())
        .unwrap_or_else(|| DEFAULT_DEV_SECRET.to_owned())
        .into_bytes()
}
