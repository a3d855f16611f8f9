//! Black-box scenarios over HTTP, each on SQLite and on PostgreSQL.

mod attachments;
mod auth;
mod categories;
mod channels;
mod contacts;
mod conversations;
mod custom_inboxes;
mod events;
mod files;
mod inbox;
mod inbox_loop;
mod inbox_views;
mod jobs;
mod members;
mod merge;
mod notes;
mod notifications;
mod plumbing;
mod schema;
mod sending;
mod smoke;
mod snippets;
mod support;
mod tokens;
mod webhooks;
mod workspace;
