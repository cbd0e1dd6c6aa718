//! Integration tests: real handlers, real PostgreSQL (one throwaway cluster for the whole run).

mod auth;
mod boundary;
mod browse;
mod credentials;
mod cursors;
mod database_setup;
mod dependencies;
mod deployment;
mod detail;
mod faults;
mod hostile;
mod http;
mod identity;
mod install;
mod install_plans;
mod listing;
mod moderation;
mod observability;
mod publishing;
mod reviews;
mod runtime_api;
mod search;
mod soak;
mod trust;
mod updates;
mod viral;
