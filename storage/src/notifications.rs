//! In-app notifications of one member: assignments and mentions. Each is also an outbox event
//! (`notification.created`) whose subject is the user, so only they receive it live.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::contacts::ActorRef;
use crate::schema::notifications;
use crate::{outbox, DbConn, Page, StorageResult};

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = notifications)]
pub struct Notification {
    pub id: i64,
    pub workspace_id: i64,
    pub user_id: i64,
    pub kind: String,
    pub contact_id: Option<i64>,
    pub actor_type: String,
    pub actor_id: Option<i64>,
    pub detail: String,
    pub read_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

/// Notifies `user_id`; call it inside the transaction that made the change.
#[allow(clippy::too_many_arguments)]
pub fn create(
    conn: &mut DbConn,
    workspace_id: i64,
    user_id: i64,
    kind: &str,
    contact_id: Option<i64>,
    actor: ActorRef,
    detail: &serde_json::Value,
    now: NaiveDateTime,
) -> StorageResult<Notification> {
    let id: i64 = diesel::insert_into(notifications::table)
        .values((
            notifications::workspace_id.eq(workspace_id),
            notifications::user_id.eq(user_id),
            notifications::kind.eq(kind),
            notifications::contact_id.eq(contact_id),
            notifications::actor_type.eq(actor.kind),
            notifications::actor_id.eq(actor.id),
            notifications::detail.eq(detail.to_string()),
            notifications::created_at.eq(now),
        ))
        .returning(notifications::id)
        .get_result(conn)?;
    let n: Notification = notifications::table
        .find(id)
        .select(Notification::as_select())
        .first(conn)?;
    outbox::append(
        conn,
        workspace_id,
        "notification.created",
        ("user", Some(user_id)),
        &n,
        now,
    )?;
    Ok(n)
}

/// A user's notifications, newest first, `limit` below `before_id`.
pub fn list(
    conn: &mut DbConn,
    workspace_id: i64,
    user_id: i64,
    unread_only: bool,
    before_id: i64,
    limit: i64,
) -> StorageResult<Page<Notification>> {
    let mut q = notifications::table
        .filter(notifications::workspace_id.eq(workspace_id))
        .filter(notifications::user_id.eq(user_id))
        .filter(notifications::id.lt(before_id))
        .into_boxed();
    if unread_only {
        q = q.filter(notifications::read_at.is_null());
    }
    let rows = q
        .order(notifications::id.desc())
        .limit(limit + 1)
        .select(Notification::as_select())
        .load(conn)?;
    Ok(Page::from_rows(rows, limit, |n: &Notification| n.id))
}

/// How many of a user's notifications are unread.
pub fn unread_count(conn: &mut DbConn, workspace_id: i64, user_id: i64) -> StorageResult<i64> {
    Ok(notifications::table
        .filter(notifications::workspace_id.eq(workspace_id))
        .filter(notifications::user_id.eq(user_id))
        .filter(notifications::read_at.is_null())
        .count()
        .get_result(conn)?)
}

/// Marks the given notifications (or all, with `None`) read; returns how many changed.
pub fn mark_read(
    conn: &mut DbConn,
    workspace_id: i64,
    user_id: i64,
    ids: Option<&[i64]>,
    now: NaiveDateTime,
) -> StorageResult<usize> {
    let base = notifications::table
        .filter(notifications::workspace_id.eq(workspace_id))
        .filter(notifications::user_id.eq(user_id))
        .filter(notifications::read_at.is_null());
    let n = match ids {
        Some(ids) => diesel::update(base.filter(notifications::id.eq_any(ids)))
            .set(notifications::read_at.eq(now))
            .execute(conn)?,
        None => diesel::update(base)
            .set(notifications::read_at.eq(now))
            .execute(conn)?,
    };
    Ok(n)
}
