//! Custom contact fields: a key, a name, a type and (for lists) options. Deleting a field
//! deletes its values.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::schema::contact_fields;
use crate::{outbox, write_tx, DbConn, StorageError, StorageResult};

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = contact_fields)]
pub struct ContactField {
    pub id: i64,
    pub workspace_id: i64,
    pub field_key: String,
    pub name: String,
    pub field_type: String,
    /// JSON array of the options of a list field.
    pub options: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl ContactField {
    pub fn options(&self) -> Vec<String> {
        serde_json::from_str(&self.options).unwrap_or_default()
    }
}

/// Every field of a workspace in id order (a workspace has tens, not thousands).
pub fn all(conn: &mut DbConn, workspace_id: i64) -> StorageResult<Vec<ContactField>> {
    Ok(contact_fields::table
        .filter(contact_fields::workspace_id.eq(workspace_id))
        .order(contact_fields::id.asc())
        .select(ContactField::as_select())
        .load(conn)?)
}

pub fn get(conn: &mut DbConn, workspace_id: i64, id: i64) -> StorageResult<ContactField> {
    Ok(contact_fields::table
        .filter(contact_fields::workspace_id.eq(workspace_id))
        .filter(contact_fields::id.eq(id))
        .select(ContactField::as_select())
        .first(conn)?)
}

pub fn create(
    conn: &mut DbConn,
    workspace_id: i64,
    key: &str,
    name: &str,
    field_type: &str,
    options: &[String],
    now: NaiveDateTime,
) -> StorageResult<ContactField> {
    write_tx(conn, |conn| {
        let id: i64 = diesel::insert_into(contact_fields::table)
            .values((
                contact_fields::workspace_id.eq(workspace_id),
                contact_fields::field_key.eq(key),
                contact_fields::name.eq(name),
                contact_fields::field_type.eq(field_type),
                contact_fields::options
                    .eq(serde_json::to_string(options).unwrap_or_else(|_| "[]".into())),
                contact_fields::created_at.eq(now),
                contact_fields::updated_at.eq(now),
            ))
            .returning(contact_fields::id)
            .get_result(conn)
            .map_err(|e| {
                StorageError::from(e).conflict_means("a field with this key already exists")
            })?;
        let field = get(conn, workspace_id, id)?;
        outbox::append(
            conn,
            workspace_id,
            "contact_field.created",
            ("contact_field", Some(id)),
            &field,
            now,
        )?;
        Ok(field)
    })
}

/// Renames a field or replaces a list's options; key and type never change.
pub fn update(
    conn: &mut DbConn,
    workspace_id: i64,
    id: i64,
    name: Option<&str>,
    options: Option<&[String]>,
    now: NaiveDateTime,
) -> StorageResult<ContactField> {
    write_tx(conn, |conn| {
        let field = get(conn, workspace_id, id)?;
        let options = match options {
            Some(o) => serde_json::to_string(o).unwrap_or_else(|_| "[]".into()),
            None => field.options.clone(),
        };
        diesel::update(contact_fields::table.find(id))
            .set((
                contact_fields::name.eq(name.unwrap_or(&field.name)),
                contact_fields::options.eq(options),
                contact_fields::updated_at.eq(now),
            ))
            .execute(conn)?;
        let field = get(conn, workspace_id, id)?;
        outbox::append(
            conn,
            workspace_id,
            "contact_field.updated",
            ("contact_field", Some(id)),
            &field,
            now,
        )?;
        Ok(field)
    })
}

pub fn delete(
    conn: &mut DbConn,
    workspace_id: i64,
    id: i64,
    now: NaiveDateTime,
) -> StorageResult<()> {
    write_tx(conn, |conn| {
        get(conn, workspace_id, id)?;
        // Values go with the field (ON DELETE CASCADE).
        diesel::delete(contact_fields::table.find(id)).execute(conn)?;
        outbox::append(
            conn,
            workspace_id,
            "contact_field.deleted",
            ("contact_field", Some(id)),
            &serde_json::json!({ "id": id }),
            now,
        )?;
        Ok(())
    })
}
