//! Workspace tags, unique without regard to case, and which contacts carry them.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::schema::{contact_tags, tags};
use crate::{outbox, write_tx, DbConn, Page, StorageError, StorageResult};

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = tags)]
pub struct Tag {
    pub id: i64,
    pub workspace_id: i64,
    pub name: String,
    #[serde(skip)]
    pub name_key: String,
    pub created_at: NaiveDateTime,
}

fn key(name: &str) -> String {
    name.to_lowercase()
}

pub fn list(
    conn: &mut DbConn,
    workspace_id: i64,
    after_id: i64,
    limit: i64,
) -> StorageResult<Page<Tag>> {
    let rows = tags::table
        .filter(tags::workspace_id.eq(workspace_id))
        .filter(tags::id.gt(after_id))
        .order(tags::id.asc())
        .limit(limit + 1)
        .select(Tag::as_select())
        .load(conn)?;
    Ok(Page::from_rows(rows, limit, |t: &Tag| t.id))
}

pub fn find(conn: &mut DbConn, workspace_id: i64, name: &str) -> StorageResult<Option<Tag>> {
    Ok(tags::table
        .filter(tags::workspace_id.eq(workspace_id))
        .filter(tags::name_key.eq(key(name)))
        .select(Tag::as_select())
        .first(conn)
        .optional()?)
}

/// The tags of these names, created where missing (inside the caller's transaction).
pub fn ensure(
    conn: &mut DbConn,
    workspace_id: i64,
    names: &[String],
    now: NaiveDateTime,
) -> StorageResult<Vec<Tag>> {
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        let tag = match find(conn, workspace_id, name)? {
            Some(t) => t,
            None => {
                diesel::insert_into(tags::table)
                    .values((
                        tags::workspace_id.eq(workspace_id),
                        tags::name.eq(name),
                        tags::name_key.eq(key(name)),
                        tags::created_at.eq(now),
                    ))
                    .execute(conn)?;
                find(conn, workspace_id, name)?.ok_or(StorageError::NotFound)?
            }
        };
        out.push(tag);
    }
    Ok(out)
}

pub fn create(
    conn: &mut DbConn,
    workspace_id: i64,
    name: &str,
    now: NaiveDateTime,
) -> StorageResult<Tag> {
    write_tx(conn, |conn| {
        if find(conn, workspace_id, name)?.is_some() {
            return Err(StorageError::Conflict("this tag already exists".into()));
        }
        let tag = ensure(conn, workspace_id, &[name.to_string()], now)?.remove(0);
        outbox::append(
            conn,
            workspace_id,
            "tag.created",
            ("tag", Some(tag.id)),
            &tag,
            now,
        )?;
        Ok(tag)
    })
}

/// Deletes a tag and takes it off every contact.
pub fn delete(
    conn: &mut DbConn,
    workspace_id: i64,
    name: &str,
    now: NaiveDateTime,
) -> StorageResult<()> {
    write_tx(conn, |conn| {
        let tag = find(conn, workspace_id, name)?.ok_or(StorageError::NotFound)?;
        diesel::delete(contact_tags::table.filter(contact_tags::tag_id.eq(tag.id)))
            .execute(conn)?;
        diesel::delete(tags::table.find(tag.id)).execute(conn)?;
        outbox::append(
            conn,
            workspace_id,
            "tag.deleted",
            ("tag", Some(tag.id)),
            &tag,
            now,
        )?;
        Ok(())
    })
}
