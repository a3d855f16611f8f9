//! Closing-note categories of a workspace. Conversations store a category's name, not its
//! id, so deleting a category leaves closed conversations as they were.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::schema::closing_note_categories as cats;
use crate::{outbox, write_tx, DbConn, Page, StorageError, StorageResult};

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = cats)]
pub struct Category {
    pub id: i64,
    pub workspace_id: i64,
    pub name: String,
    pub description: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

fn clash(name: &str) -> StorageError {
    StorageError::Conflict(format!(
        "a closing-note category named \"{name}\" already exists"
    ))
}

pub fn get(conn: &mut DbConn, workspace_id: i64, id: i64) -> StorageResult<Category> {
    Ok(cats::table
        .filter(cats::workspace_id.eq(workspace_id))
        .filter(cats::id.eq(id))
        .select(Category::as_select())
        .first(conn)?)
}

/// Whether the workspace has a category of exactly this name (what closing a conversation
/// with a category checks).
pub fn exists(conn: &mut DbConn, workspace_id: i64, name: &str) -> StorageResult<bool> {
    let n: i64 = cats::table
        .filter(cats::workspace_id.eq(workspace_id))
        .filter(cats::name.eq(name))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

pub fn list(
    conn: &mut DbConn,
    workspace_id: i64,
    after_id: i64,
    limit: i64,
) -> StorageResult<Page<Category>> {
    let rows = cats::table
        .filter(cats::workspace_id.eq(workspace_id))
        .filter(cats::id.gt(after_id))
        .order(cats::id.asc())
        .limit(limit + 1)
        .select(Category::as_select())
        .load(conn)?;
    Ok(Page::from_rows(rows, limit, |c: &Category| c.id))
}

/// Creates a category; 409 naming the existing one when the name clashes (any case).
pub fn create(
    conn: &mut DbConn,
    workspace_id: i64,
    name: &str,
    description: &str,
    now: NaiveDateTime,
) -> StorageResult<Category> {
    write_tx(conn, |conn| {
        // A workspace has tens of categories: compare them all without regard to case.
        let names: Vec<String> = cats::table
            .filter(cats::workspace_id.eq(workspace_id))
            .select(cats::name)
            .load(conn)?;
        if let Some(taken) = names
            .iter()
            .find(|n| domain::categories::names_clash(n, name))
        {
            return Err(clash(taken));
        }
        let id: i64 = diesel::insert_into(cats::table)
            .values((
                cats::workspace_id.eq(workspace_id),
                cats::name.eq(name),
                cats::description.eq(description),
                cats::created_at.eq(now),
                cats::updated_at.eq(now),
            ))
            .returning(cats::id)
            .get_result(conn)
            .map_err(|e| StorageError::from(e).conflict_means(&clash(name).to_string()))?;
        let category = get(conn, workspace_id, id)?;
        outbox::append(
            conn,
            workspace_id,
            "closing_note_category.created",
            ("closing_note_category", Some(id)),
            &category,
            now,
        )?;
        Ok(category)
    })
}

/// Changes a category's description (its name never changes).
pub fn update(
    conn: &mut DbConn,
    workspace_id: i64,
    id: i64,
    description: Option<&str>,
    now: NaiveDateTime,
) -> StorageResult<Category> {
    write_tx(conn, |conn| {
        let current = get(conn, workspace_id, id)?;
        diesel::update(cats::table.find(id))
            .set((
                cats::description.eq(description.unwrap_or(&current.description)),
                cats::updated_at.eq(now),
            ))
            .execute(conn)?;
        let category = get(conn, workspace_id, id)?;
        outbox::append(
            conn,
            workspace_id,
            "closing_note_category.updated",
            ("closing_note_category", Some(id)),
            &category,
            now,
        )?;
        Ok(category)
    })
}

/// Deletes a category; conversations closed with it keep its name.
pub fn delete(
    conn: &mut DbConn,
    workspace_id: i64,
    id: i64,
    now: NaiveDateTime,
) -> StorageResult<()> {
    write_tx(conn, |conn| {
        let category = get(conn, workspace_id, id)?;
        diesel::delete(cats::table.find(id)).execute(conn)?;
        outbox::append(
            conn,
            workspace_id,
            "closing_note_category.deleted",
            ("closing_note_category", Some(id)),
            &serde_json::json!({ "id": id, "name": category.name }),
            now,
        )?;
        Ok(())
    })
}
