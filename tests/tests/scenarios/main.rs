//! Black-box scenarios over HTTP, each on SQLite and on PostgreSQL.

mod attachments;
mod auth;
mod categories;
mod contacts;
mod custom_inboxes;
mod events;
mod files;
mod inbox_loop;
mod inbox_views;
mod jobs;
mod members;
mod notifications;
mod plumbing;
mod schema;
mod smoke;
mod snippets;
mod tokens;
mod workspace;
