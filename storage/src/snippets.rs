//! Snippets: saved replies with a name unique in the workspace, text that may hold dynamic
//! variables, and files from the library to send with them.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::schema::snippets;
use crate::{outbox, write_tx, DbConn, Page, StorageError, StorageResult};

const NAME_TAKEN: &str = "a snippet with this name already exists";

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = snippets)]
pub struct Snippet {
    pub id: i64,
    pub workspace_id: i64,
    pub name: String,
    pub content: String,
    /// JSON array of file ids; read it with [`Snippet::file_ids`].
    pub file_ids: String,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Snippet {
    pub fn file_ids(&self) -> Vec<i64> {
        serde_json::from_str(&self.file_ids).unwrap_or_default()
    }
}

/// A snippet as events carry it: `file_ids` as an array.
#[derive(Serialize)]
struct Payload<'a> {
    id: i64,
    workspace_id: i64,
    name: &'a str,
    content: &'a str,
    file_ids: Vec<i64>,
    created_by: Option<i64>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

impl Serialize for Snippet {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Payload {
            id: self.id,
            workspace_id: self.workspace_id,
            name: &self.name,
            content: &self.content,
            file_ids: self.file_ids(),
            created_by: self.created_by,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
        .serialize(s)
    }
}

fn ids_json(ids: &[i64]) -> String {
    serde_json::to_string(ids).unwrap_or_else(|_| "[]".into())
}

/// Refuses, naming `file_ids`, any id that is not a file of the workspace.
fn check_files(conn: &mut DbConn, workspace_id: i64, ids: &[i64]) -> StorageResult<()> {
    let found: Vec<i64> = crate::files::get_many(conn, workspace_id, ids)?
        .into_iter()
        .map(|f| f.id)
        .collect();
    let missing: Vec<String> = ids
        .iter()
        .filter(|id| !found.contains(id))
        .map(i64::to_string)
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(domain::Invalid::one(
            "file_ids",
            format!("not files of this workspace: {}", missing.join(", ")),
        )
        .into())
    }
}

fn emit(
    conn: &mut DbConn,
    snippet: &Snippet,
    event_type: &str,
    now: NaiveDateTime,
) -> StorageResult<()> {
    outbox::append(
        conn,
        snippet.workspace_id,
        event_type,
        ("snippet", Some(snippet.id)),
        snippet,
        now,
    )
}

/// The workspace's snippets in id order, `limit` after `after_id`.
pub fn list(
    conn: &mut DbConn,
    workspace_id: i64,
    after_id: i64,
    limit: i64,
) -> StorageResult<Page<Snippet>> {
    let rows = snippets::table
        .filter(snippets::workspace_id.eq(workspace_id))
        .filter(snippets::id.gt(after_id))
        .order(snippets::id.asc())
        .limit(limit + 1)
        .select(Snippet::as_select())
        .load(conn)?;
    Ok(Page::from_rows(rows, limit, |s: &Snippet| s.id))
}

pub fn get(conn: &mut DbConn, workspace_id: i64, id: i64) -> StorageResult<Snippet> {
    Ok(snippets::table
        .filter(snippets::workspace_id.eq(workspace_id))
        .filter(snippets::id.eq(id))
        .select(Snippet::as_select())
        .first(conn)?)
}

/// Creates a snippet; `file_ids` must be files of the workspace (checked in the transaction,
/// so a file deleted meanwhile cannot slip in). Emits `snippet.created`.
pub fn create(
    conn: &mut DbConn,
    workspace_id: i64,
    name: &str,
    content: &str,
    file_ids: &[i64],
    created_by: Option<i64>,
    now: NaiveDateTime,
) -> StorageResult<Snippet> {
    write_tx(conn, |conn| {
        check_files(conn, workspace_id, file_ids)?;
        let id: i64 = diesel::insert_into(snippets::table)
            .values((
                snippets::workspace_id.eq(workspace_id),
                snippets::name.eq(name),
                snippets::content.eq(content),
                snippets::file_ids.eq(ids_json(file_ids)),
                snippets::created_by.eq(created_by),
                snippets::created_at.eq(now),
                snippets::updated_at.eq(now),
            ))
            .returning(snippets::id)
            .get_result(conn)
            .map_err(|e| StorageError::from(e).conflict_means(NAME_TAKEN))?;
        let snippet = get(conn, workspace_id, id)?;
        emit(conn, &snippet, "snippet.created", now)?;
        Ok(snippet)
    })
}

/// What a snippet update changes; `None` keeps the current value.
#[derive(Debug, Clone, Default)]
pub struct SnippetChange {
    pub name: Option<String>,
    pub content: Option<String>,
    pub file_ids: Option<Vec<i64>>,
}

/// Applies a change; emits `snippet.updated`.
pub fn update(
    conn: &mut DbConn,
    workspace_id: i64,
    id: i64,
    change: SnippetChange,
    now: NaiveDateTime,
) -> StorageResult<Snippet> {
    write_tx(conn, |conn| {
        let current = get(conn, workspace_id, id)?;
        let file_ids = match &change.file_ids {
            Some(ids) => {
                check_files(conn, workspace_id, ids)?;
                ids_json(ids)
            }
            None => current.file_ids.clone(),
        };
        diesel::update(snippets::table.find(id))
            .set((
                snippets::name.eq(change.name.as_deref().unwrap_or(&current.name)),
                snippets::content.eq(change.content.as_deref().unwrap_or(&current.content)),
                snippets::file_ids.eq(file_ids),
                snippets::updated_at.eq(now),
            ))
            .execute(conn)
            .map_err(|e| StorageError::from(e).conflict_means(NAME_TAKEN))?;
        let snippet = get(conn, workspace_id, id)?;
        emit(conn, &snippet, "snippet.updated", now)?;
        Ok(snippet)
    })
}

/// Deletes a snippet; emits `snippet.deleted`.
pub fn delete(
    conn: &mut DbConn,
    workspace_id: i64,
    id: i64,
    now: NaiveDateTime,
) -> StorageResult<()> {
    write_tx(conn, |conn| {
        let snippet = get(conn, workspace_id, id)?;
        diesel::delete(snippets::table.find(id)).execute(conn)?;
        emit(conn, &snippet, "snippet.deleted", now)
    })
}

/// Takes a deleted file out of a snippet (inside the file deletion's transaction); emits
/// `snippet.updated` when the snippet offered it.
pub(crate) fn drop_file(
    conn: &mut DbConn,
    workspace_id: i64,
    id: i64,
    file_id: i64,
    now: NaiveDateTime,
) -> StorageResult<()> {
    let current = get(conn, workspace_id, id)?;
    let ids = current.file_ids();
    if !ids.contains(&file_id) {
        return Ok(());
    }
    let kept: Vec<i64> = ids.into_iter().filter(|f| *f != file_id).collect();
    diesel::update(snippets::table.find(id))
        .set((
            snippets::file_ids.eq(ids_json(&kept)),
            snippets::updated_at.eq(now),
        ))
        .execute(conn)?;
    let snippet = get(conn, workspace_id, id)?;
    emit(conn, &snippet, "snippet.updated", now)
}
