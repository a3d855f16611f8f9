//! Black-box scenarios over HTTP, each on SQLite and on PostgreSQL.

mod auth;
mod contacts;
mod events;
mod files;
mod jobs;
mod members;
mod plumbing;
mod schema;
mod smoke;
mod snippets;
mod tokens;
mod workspace;
