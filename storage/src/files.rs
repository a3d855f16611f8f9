//! The file library's rows: what a stored file is called, its sniffed type, size, hash and
//! where its bytes are. The bytes themselves are the api's file store's business.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::schema::{files, snippets};
use crate::{outbox, write_tx, DbConn, Page, StorageResult};

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = files)]
pub struct File {
    pub id: i64,
    pub workspace_id: i64,
    /// Sanitised: no path, no control characters.
    pub name: String,
    /// Sniffed from the content, never the client's word.
    pub mime: String,
    pub size: i64,
    /// Where the bytes are, relative to the file store's root; never shown.
    #[serde(skip)]
    pub storage_key: String,
    pub sha256: String,
    /// `upload` (file library) or `inbound` (received from a contact).
    pub source: String,
    pub uploaded_by: Option<i64>,
    pub created_at: NaiveDateTime,
}

/// Records a file whose bytes are already stored; emits `file.created`.
#[allow(clippy::too_many_arguments)]
pub fn create(
    conn: &mut DbConn,
    workspace_id: i64,
    name: &str,
    mime: &str,
    size: i64,
    storage_key: &str,
    sha256: &str,
    source: &str,
    uploaded_by: Option<i64>,
    now: NaiveDateTime,
) -> StorageResult<File> {
    write_tx(conn, |conn| {
        let id: i64 = diesel::insert_into(files::table)
            .values((
                files::workspace_id.eq(workspace_id),
                files::name.eq(name),
                files::mime.eq(mime),
                files::size.eq(size),
                files::storage_key.eq(storage_key),
                files::sha256.eq(sha256),
                files::source.eq(source),
                files::uploaded_by.eq(uploaded_by),
                files::created_at.eq(now),
            ))
            .returning(files::id)
            .get_result(conn)?;
        let file = get(conn, workspace_id, id)?;
        outbox::append(
            conn,
            workspace_id,
            "file.created",
            ("file", Some(id)),
            &file,
            now,
        )?;
        Ok(file)
    })
}

/// A file of the workspace; another workspace's is not found.
pub fn get(conn: &mut DbConn, workspace_id: i64, id: i64) -> StorageResult<File> {
    Ok(files::table
        .filter(files::workspace_id.eq(workspace_id))
        .filter(files::id.eq(id))
        .select(File::as_select())
        .first(conn)?)
}

/// A file by id alone, for signed media links: their signature names the workspace, and the
/// caller checks it against the row's.
pub fn find(conn: &mut DbConn, id: i64) -> StorageResult<File> {
    Ok(files::table
        .find(id)
        .select(File::as_select())
        .first(conn)?)
}

/// Those of `ids` that are files of the workspace, in id order (unknown ids are left out).
pub fn get_many(conn: &mut DbConn, workspace_id: i64, ids: &[i64]) -> StorageResult<Vec<File>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    Ok(files::table
        .filter(files::workspace_id.eq(workspace_id))
        .filter(files::id.eq_any(ids))
        .order(files::id.asc())
        .select(File::as_select())
        .load(conn)?)
}

/// The workspace's files in id order, optionally of one source, `limit` after `after_id`.
pub fn list(
    conn: &mut DbConn,
    workspace_id: i64,
    source: Option<&str>,
    after_id: i64,
    limit: i64,
) -> StorageResult<Page<File>> {
    let mut q = files::table
        .filter(files::workspace_id.eq(workspace_id))
        .filter(files::id.gt(after_id))
        .into_boxed();
    if let Some(source) = source {
        q = q.filter(files::source.eq(source.to_string()));
    }
    let rows = q
        .order(files::id.asc())
        .limit(limit + 1)
        .select(File::as_select())
        .load(conn)?;
    Ok(Page::from_rows(rows, limit, |f: &File| f.id))
}

/// Deletes the row, takes the file out of every snippet that offered it, and emits
/// `file.deleted` (and `snippet.updated` for each such snippet). Returns the row, so the
/// caller can remove the bytes once the transaction has committed.
pub fn delete(
    conn: &mut DbConn,
    workspace_id: i64,
    id: i64,
    now: NaiveDateTime,
) -> StorageResult<File> {
    write_tx(conn, |conn| {
        let file = get(conn, workspace_id, id)?;
        diesel::delete(files::table.find(id)).execute(conn)?;
        let offering: Vec<i64> = snippets::table
            .filter(snippets::workspace_id.eq(workspace_id))
            .filter(snippets::file_ids.like(format!("%{id}%")))
            .select(snippets::id)
            .load(conn)?;
        for snippet_id in offering {
            crate::snippets::drop_file(conn, workspace_id, snippet_id, id, now)?;
        }
        outbox::append(
            conn,
            workspace_id,
            "file.deleted",
            ("file", Some(id)),
            &file,
            now,
        )?;
        Ok(file)
    })
}
