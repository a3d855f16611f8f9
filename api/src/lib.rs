//! The IS-Messenger server: HTTP routes, authentication, OpenAPI, realtime events and the
//! background job worker, over the `storage` and `domain` crates.

pub mod app;
pub mod auth;
pub mod channels;
pub mod config;
pub mod error;
pub mod extract;
pub mod filestore;
pub mod idempotency;
pub mod inbox_counts;
pub mod metrics;
pub mod outbound;
pub mod ratelimit;
pub mod realtime;
pub mod routes;
pub mod secrets;
pub mod state;
pub mod web;
pub mod worker;

pub use app::{openapi, start};
pub use config::Config;
