//! Black-box scenarios over HTTP, each on SQLite and on PostgreSQL.

mod auth;
mod contacts;
mod events;
mod inbox_loop;
mod jobs;
mod members;
mod plumbing;
mod schema;
mod smoke;
mod tokens;
mod workspace;
