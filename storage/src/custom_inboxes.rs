//! Custom inboxes: saved inbox filters, personal (`owner_id` set: only that member sees it)
//! or shared with the whole workspace (`owner_id` NULL).
//!
//! A personal inbox's events have the owner as subject (`("user", owner_id)`), so the event
//! stream delivers them to that member alone; a shared inbox's events have the inbox itself
//! as subject and reach everyone.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::MultiBackend;
use crate::schema::custom_inboxes as inboxes;
use crate::{outbox, write_tx, DbConn, Page, StorageResult};

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = inboxes)]
pub struct CustomInbox {
    pub id: i64,
    pub workspace_id: i64,
    pub name: String,
    /// The member it belongs to; `None` when shared.
    pub owner_id: Option<i64>,
    /// The filters as JSON text.
    pub filters: String,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl CustomInbox {
    pub fn shared(&self) -> bool {
        self.owner_id.is_none()
    }

    /// The filters as JSON (an empty object if the stored text is somehow not JSON).
    pub fn filters_json(&self) -> serde_json::Value {
        serde_json::from_str(&self.filters)
            .unwrap_or_else(|_| serde_json::Value::Object(Default::default()))
    }

    /// What its events carry: the inbox as the API shows it.
    fn payload(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.id,
            "name": self.name,
            "shared": self.shared(),
            "owner_id": self.owner_id,
            "filters": self.filters_json(),
            "created_by": self.created_by,
            "created_at": crate::utc(self.created_at),
            "updated_at": crate::utc(self.updated_at),
        })
    }

    /// Personal inboxes' events go to their owner only; shared ones' to everyone.
    fn subject(&self) -> (&'static str, Option<i64>) {
        match self.owner_id {
            Some(owner) => ("user", Some(owner)),
            None => ("custom_inbox", Some(self.id)),
        }
    }
}

/// The inboxes `viewer` may see: shared ones and, for a member, their own personal ones.
/// `viewer` is `None` for an API token, which sees shared inboxes only.
fn visible(workspace_id: i64, viewer: Option<i64>) -> inboxes::BoxedQuery<'static, MultiBackend> {
    let q = inboxes::table
        .filter(inboxes::workspace_id.eq(workspace_id))
        .into_boxed();
    match viewer {
        Some(user) => q.filter(inboxes::owner_id.is_null().or(inboxes::owner_id.eq(user))),
        None => q.filter(inboxes::owner_id.is_null()),
    }
}

/// One inbox `viewer` may see; another member's personal inbox is "not found".
pub fn get(
    conn: &mut DbConn,
    workspace_id: i64,
    id: i64,
    viewer: Option<i64>,
) -> StorageResult<CustomInbox> {
    Ok(visible(workspace_id, viewer)
        .filter(inboxes::id.eq(id))
        .select(CustomInbox::as_select())
        .first(conn)?)
}

/// The inboxes `viewer` may see, in id order.
pub fn list(
    conn: &mut DbConn,
    workspace_id: i64,
    viewer: Option<i64>,
    after_id: i64,
    limit: i64,
) -> StorageResult<Page<CustomInbox>> {
    let rows = visible(workspace_id, viewer)
        .filter(inboxes::id.gt(after_id))
        .order(inboxes::id.asc())
        .limit(limit + 1)
        .select(CustomInbox::as_select())
        .load(conn)?;
    Ok(Page::from_rows(rows, limit, |i: &CustomInbox| i.id))
}

/// Saves an inbox: personal to `owner_id`, or shared when `None`. `filters` is JSON text.
pub fn create(
    conn: &mut DbConn,
    workspace_id: i64,
    name: &str,
    owner_id: Option<i64>,
    filters: &str,
    created_by: Option<i64>,
    now: NaiveDateTime,
) -> StorageResult<CustomInbox> {
    write_tx(conn, |conn| {
        let id: i64 = diesel::insert_into(inboxes::table)
            .values((
                inboxes::workspace_id.eq(workspace_id),
                inboxes::name.eq(name),
                inboxes::owner_id.eq(owner_id),
                inboxes::filters.eq(filters),
                inboxes::created_by.eq(created_by),
                inboxes::created_at.eq(now),
                inboxes::updated_at.eq(now),
            ))
            .returning(inboxes::id)
            .get_result(conn)?;
        let inbox = get(conn, workspace_id, id, owner_id)?;
        outbox::append(
            conn,
            workspace_id,
            "custom_inbox.created",
            inbox.subject(),
            &inbox.payload(),
            now,
        )?;
        Ok(inbox)
    })
}

/// Renames an inbox or replaces its filters; whether it is shared never changes.
pub fn update(
    conn: &mut DbConn,
    workspace_id: i64,
    id: i64,
    viewer: Option<i64>,
    name: Option<&str>,
    filters: Option<&str>,
    now: NaiveDateTime,
) -> StorageResult<CustomInbox> {
    write_tx(conn, |conn| {
        let current = get(conn, workspace_id, id, viewer)?;
        diesel::update(inboxes::table.find(id))
            .set((
                inboxes::name.eq(name.unwrap_or(&current.name)),
                inboxes::filters.eq(filters.unwrap_or(&current.filters)),
                inboxes::updated_at.eq(now),
            ))
            .execute(conn)?;
        let inbox = get(conn, workspace_id, id, viewer)?;
        outbox::append(
            conn,
            workspace_id,
            "custom_inbox.updated",
            inbox.subject(),
            &inbox.payload(),
            now,
        )?;
        Ok(inbox)
    })
}

pub fn delete(
    conn: &mut DbConn,
    workspace_id: i64,
    id: i64,
    viewer: Option<i64>,
    now: NaiveDateTime,
) -> StorageResult<()> {
    write_tx(conn, |conn| {
        let inbox = get(conn, workspace_id, id, viewer)?;
        diesel::delete(inboxes::table.find(id)).execute(conn)?;
        outbox::append(
            conn,
            workspace_id,
            "custom_inbox.deleted",
            inbox.subject(),
            &serde_json::json!({ "id": id, "shared": inbox.shared(), "owner_id": inbox.owner_id }),
            now,
        )?;
        Ok(())
    })
}
