//! In-app notifications of one member: assignments and mentions. Each is also an outbox event
//! (`notification.created`) whose subject is the user, so only they receive it live; marking
//! them read is `notification.read` for that user's other open tabs.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::contacts::ActorRef;
use crate::schema::notifications;
use crate::{outbox, write_tx, DbConn, Page, StorageResult};

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

impl Notification {
    /// The detail as JSON (an empty object if the stored text is somehow not JSON).
    pub fn detail_json(&self) -> serde_json::Value {
        serde_json::from_str(&self.detail)
            .unwrap_or_else(|_| serde_json::Value::Object(Default::default()))
    }

    /// What its event carries: the notification as the API shows it.
    fn payload(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.id,
            "user_id": self.user_id,
            "kind": self.kind,
            "contact_id": self.contact_id,
            "actor": {"type": self.actor_type, "id": self.actor_id},
            "detail": self.detail_json(),
            "read": self.read_at.is_some(),
            "read_at": self.read_at.map(crate::utc),
            "created_at": crate::utc(self.created_at),
        })
    }
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
        &n.payload(),
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

/// Marks the given notifications (or all, with `None`) read; returns how many changed. Ids
/// that are not the user's unread notifications are passed over.
pub fn mark_read(
    conn: &mut DbConn,
    workspace_id: i64,
    user_id: i64,
    ids: Option<&[i64]>,
    now: NaiveDateTime,
) -> StorageResult<usize> {
    write_tx(conn, |conn| {
        let mut unread = notifications::table
            .filter(notifications::workspace_id.eq(workspace_id))
            .filter(notifications::user_id.eq(user_id))
            .filter(notifications::read_at.is_null())
            .into_boxed();
        if let Some(ids) = ids {
            unread = unread.filter(notifications::id.eq_any(ids.to_vec()));
        }
        let changing: Vec<i64> = unread.select(notifications::id).load(conn)?;
        if changing.is_empty() {
            return Ok(0);
        }
        let n = diesel::update(notifications::table.filter(notifications::id.eq_any(&changing)))
            .set(notifications::read_at.eq(now))
            .execute(conn)?;
        let left = unread_count(conn, workspace_id, user_id)?;
        outbox::append(
            conn,
            workspace_id,
            "notification.read",
            ("user", Some(user_id)),
            &serde_json::json!({"ids": changing, "unread_count": left}),
            now,
        )?;
        Ok(n)
    })
}
