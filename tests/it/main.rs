//! Integration tests: real handlers, real PostgreSQL (one throwaway cluster for the whole run).

mod auth;
mod browse;
mod detail;
mod http;
mod install;
mod listing;
mod moderation;
mod publishing;
mod updates;
