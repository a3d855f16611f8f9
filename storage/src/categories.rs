//! Closing-note categories of a workspace.

use diesel::prelude::*;

use crate::schema::closing_note_categories;
use crate::{DbConn, StorageResult};

/// Whether the workspace has a category of that exact name.
pub fn exists(conn: &mut DbConn, workspace_id: i64, name: &str) -> StorageResult<bool> {
    let n: i64 = closing_note_categories::table
        .filter(closing_note_categories::workspace_id.eq(workspace_id))
        .filter(closing_note_categories::name.eq(name))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}
