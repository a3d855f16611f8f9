//! Private notes on a contact: never sent to the contact; mentioned members are notified.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::contacts::{self, ActorRef};
use crate::schema::comments;
use crate::{notifications, outbox, write_tx, DbConn, StorageResult};

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = comments)]
pub struct Comment {
    pub id: i64,
    pub workspace_id: i64,
    pub contact_id: i64,
    pub author_type: String,
    pub author_id: Option<i64>,
    pub text: String,
    /// JSON array of user ids.
    pub mentions: String,
    pub created_at: NaiveDateTime,
}

impl Comment {
    pub fn mentioned(&self) -> Vec<i64> {
        serde_json::from_str(&self.mentions).unwrap_or_default()
    }
}

/// Adds a note and notifies each mentioned member (but not the author).
pub fn create(
    conn: &mut DbConn,
    workspace_id: i64,
    contact_id: i64,
    text: &str,
    mentions: &[i64],
    author: ActorRef,
    now: NaiveDateTime,
) -> StorageResult<Comment> {
    write_tx(conn, |conn| {
        let contact = contacts::get(conn, workspace_id, contact_id)?;
        let id: i64 = diesel::insert_into(comments::table)
            .values((
                comments::workspace_id.eq(workspace_id),
                comments::contact_id.eq(contact.id),
                comments::author_type.eq(author.kind),
                comments::author_id.eq(author.id),
                comments::text.eq(text),
                comments::mentions.eq(serde_json::to_string(mentions).unwrap_or_default()),
                comments::created_at.eq(now),
            ))
            .returning(comments::id)
            .get_result(conn)?;
        let c: Comment = comments::table
            .find(id)
            .select(Comment::as_select())
            .first(conn)?;
        outbox::append(
            conn,
            workspace_id,
            "comment.created",
            ("contact", Some(contact.id)),
            &c,
            now,
        )?;
        let name = format!(
            "{} {}",
            contact.first_name,
            contact.last_name.clone().unwrap_or_default()
        );
        for user in mentions {
            if author.kind == "user" && author.id == Some(*user) {
                continue;
            }
            notifications::create(
                conn,
                workspace_id,
                *user,
                "mentioned",
                Some(contact.id),
                author,
                &serde_json::json!({"comment_id": c.id, "contact_name": name.trim(), "text": text}),
                now,
            )?;
        }
        Ok(c)
    })
}
