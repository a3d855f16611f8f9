//! IS-Messenger persistence: one diesel code path over SQLite and PostgreSQL, the event
//! outbox, the durable job queue, and the queries the API needs. Speaks domain types.

pub mod accounts;
pub mod api_tokens;
pub mod categories;
pub mod channels;
pub mod comments;
pub mod contact_fields;
pub mod contacts;
pub mod conversations;
pub mod custom_inboxes;
pub mod db;
pub mod error;
pub mod files;
pub mod group_commit;
pub mod idempotency;
pub mod inbox;
pub mod ingest;
pub mod invitations;
pub mod jobs;
pub mod merge;
pub mod messages;
pub mod notifications;
pub mod outbox;
pub mod schema;
mod search;
pub mod sessions;
pub mod snippets;
pub mod tags;
pub mod teams;
pub mod timeline;
pub mod web_chat;

pub use db::{checkout, connect, migrate, write_tx, DbConn, DbUrl, Pool, PooledConn};
pub use error::{StorageError, StorageResult};

use chrono::{DateTime, NaiveDateTime, Utc};

/// Columns hold UTC as a naive timestamp on both backends, to the microsecond: PostgreSQL
/// keeps no more, and SQLite compares timestamps as text, so both must hold the same value
/// for keyset cursors (which carry microseconds) to compare right.
pub fn naive(t: DateTime<Utc>) -> NaiveDateTime {
    use chrono::SubsecRound;
    t.naive_utc().trunc_subsecs(6)
}

pub fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

/// A page of rows in id order and the id to continue after, if there is more.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_after: Option<i64>,
}

impl<T> Page<T> {
    /// Builds a page from `limit + 1` fetched rows: the extra row only says there is more.
    pub fn from_rows(mut rows: Vec<T>, limit: i64, id_of: impl Fn(&T) -> i64) -> Self {
        let more = rows.len() as i64 > limit;
        rows.truncate(limit.max(0) as usize);
        let next_after = if more { rows.last().map(&id_of) } else { None };
        Page {
            items: rows,
            next_after,
        }
    }
}
