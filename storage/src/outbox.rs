//! The event outbox: every change anyone outside its transaction may care about is appended
//! here in that same transaction; SSE, webhooks and workflows read it by increasing id.

use std::cell::Cell;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::per_backend;
use crate::schema::events;
use crate::{DbConn, StorageResult};

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = events)]
pub struct Event {
    pub id: i64,
    pub workspace_id: i64,
    pub event_type: String,
    pub subject_type: String,
    pub subject_id: Option<i64>,
    pub payload: String,
    pub created_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = events, treat_none_as_null = true)]
struct NewEvent<'a> {
    workspace_id: i64,
    event_type: &'a str,
    subject_type: &'a str,
    subject_id: Option<i64>,
    payload: &'a str,
    created_at: NaiveDateTime,
}

/// An event's payload as stored: its JSON (`null` should it not serialize).
pub(crate) fn payload_of(payload: &impl Serialize) -> String {
    serde_json::to_string(payload).unwrap_or_else(|_| "null".into())
}

thread_local! {
    /// Whether this thread appended an event since [`take_appended`] last asked.
    static APPENDED: Cell<bool> = const { Cell::new(false) };
}

/// Whether the calling thread appended events since it last asked (and forgets it): a caller
/// that ran database work on this thread tells from it whether a tailer has something to read.
/// (A rolled-back append counts too; a needless look at the outbox is harmless.)
pub fn take_appended() -> bool {
    APPENDED.with(|a| a.replace(false))
}

/// Appends one event; call it inside the transaction that makes the change.
pub fn append(
    conn: &mut DbConn,
    workspace_id: i64,
    event_type: &str,
    subject: (&str, Option<i64>),
    payload: &impl Serialize,
    now: NaiveDateTime,
) -> StorageResult<()> {
    let payload = payload_of(payload);
    diesel::insert_into(events::table)
        .values(NewEvent {
            workspace_id,
            event_type,
            subject_type: subject.0,
            subject_id: subject.1,
            payload: &payload,
            created_at: now,
        })
        .execute(conn)?;
    APPENDED.with(|a| a.set(true));
    Ok(())
}

/// An event to append with [`append_many`], its payload already JSON ([`payload_of`]).
pub struct Append {
    pub workspace_id: i64,
    pub event_type: &'static str,
    pub subject: (&'static str, Option<i64>),
    pub payload: String,
}

/// Appends many events in one statement, in the given order.
pub fn append_many(conn: &mut DbConn, list: &[Append], now: NaiveDateTime) -> StorageResult<()> {
    if list.is_empty() {
        return Ok(());
    }
    let rows: Vec<NewEvent> = list
        .iter()
        .map(|a| NewEvent {
            workspace_id: a.workspace_id,
            event_type: a.event_type,
            subject_type: a.subject.0,
            subject_id: a.subject.1,
            payload: &a.payload,
            created_at: now,
        })
        .collect();
    let q = diesel::insert_into(events::table).values(&rows);
    per_backend!(conn, |c| q.execute(c))?;
    APPENDED.with(|a| a.set(true));
    Ok(())
}

/// Events of every workspace after `after_id`, oldest first: what a node's tailer reads.
pub fn after(conn: &mut DbConn, after_id: i64, limit: i64) -> StorageResult<Vec<Event>> {
    Ok(events::table
        .filter(events::id.gt(after_id))
        .order(events::id.asc())
        .limit(limit)
        .select(Event::as_select())
        .load(conn)?)
}

/// One workspace's events in `(after_id, up_to]`, oldest first: what a resuming client missed.
pub fn range_for_workspace(
    conn: &mut DbConn,
    workspace_id: i64,
    after_id: i64,
    up_to: i64,
    limit: i64,
) -> StorageResult<Vec<Event>> {
    Ok(events::table
        .filter(events::workspace_id.eq(workspace_id))
        .filter(events::id.gt(after_id))
        .filter(events::id.le(up_to))
        .order(events::id.asc())
        .limit(limit)
        .select(Event::as_select())
        .load(conn)?)
}

/// Ids of one workspace's events after `after_id` (at most `limit`, oldest first): what a
/// fresh stream leaves out as committed before its client came.
pub fn ids_after_for_workspace(
    conn: &mut DbConn,
    workspace_id: i64,
    after_id: i64,
    limit: i64,
) -> StorageResult<Vec<i64>> {
    Ok(events::table
        .filter(events::workspace_id.eq(workspace_id))
        .filter(events::id.gt(after_id))
        .order(events::id.asc())
        .limit(limit)
        .select(events::id)
        .load(conn)?)
}

/// The newest event id, 0 for an empty outbox.
pub fn last_id(conn: &mut DbConn) -> StorageResult<i64> {
    Ok(events::table
        .select(diesel::dsl::max(events::id))
        .first::<Option<i64>>(conn)?
        .unwrap_or(0))
}

/// The newest event id of one workspace, 0 for none.
pub fn last_of_workspace(conn: &mut DbConn, workspace_id: i64) -> StorageResult<i64> {
    Ok(events::table
        .filter(events::workspace_id.eq(workspace_id))
        .select(diesel::dsl::max(events::id))
        .first::<Option<i64>>(conn)?
        .unwrap_or(0))
}
