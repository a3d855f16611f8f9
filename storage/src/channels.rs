//! Channels of a workspace and the identities contacts have on them.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::schema::{channels, contact_channels};
use crate::{outbox, write_tx, DbConn, StorageResult};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = channels)]
pub struct Channel {
    pub id: i64,
    pub workspace_id: i64,
    pub kind: String,
    pub name: String,
    /// JSON settings that may be shown.
    pub config: String,
    /// The encrypted secret; never shown.
    pub secret: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// A web_chat channel's public key, named by the embed snippet.
    pub public_key: Option<String>,
}

/// What events say about a channel: never its secret.
#[derive(Debug, Serialize)]
struct ChannelEvent<'a> {
    id: i64,
    kind: &'a str,
    name: &'a str,
}

fn event(conn: &mut DbConn, c: &Channel, kind: &str, now: NaiveDateTime) -> StorageResult<()> {
    outbox::append(
        conn,
        c.workspace_id,
        kind,
        ("channel", Some(c.id)),
        &ChannelEvent {
            id: c.id,
            kind: &c.kind,
            name: &c.name,
        },
        now,
    )
    .map(|_| ())
}

pub fn create(
    conn: &mut DbConn,
    workspace_id: i64,
    kind: &str,
    name: &str,
    config: &serde_json::Value,
    secret: Option<&str>,
    now: NaiveDateTime,
) -> StorageResult<Channel> {
    write_tx(conn, |conn| {
        let id: i64 = diesel::insert_into(channels::table)
            .values((
                channels::workspace_id.eq(workspace_id),
                channels::kind.eq(kind),
                channels::name.eq(name),
                channels::config.eq(config.to_string()),
                channels::secret.eq(secret),
                channels::created_at.eq(now),
                channels::updated_at.eq(now),
            ))
            .returning(channels::id)
            .get_result(conn)?;
        let c = get(conn, workspace_id, id)?;
        event(conn, &c, "channel.created", now)?;
        Ok(c)
    })
}

/// A channel of the workspace, or NotFound.
pub fn get(conn: &mut DbConn, workspace_id: i64, id: i64) -> StorageResult<Channel> {
    Ok(channels::table
        .filter(channels::workspace_id.eq(workspace_id))
        .filter(channels::id.eq(id))
        .select(Channel::as_select())
        .first(conn)?)
}

/// Whether the workspace has a channel with this id.
pub fn exists(conn: &mut DbConn, workspace_id: i64, id: i64) -> StorageResult<bool> {
    let n: i64 = channels::table
        .filter(channels::workspace_id.eq(workspace_id))
        .filter(channels::id.eq(id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// A channel by id alone: for provider webhooks, which carry no workspace.
pub fn find(conn: &mut DbConn, id: i64) -> StorageResult<Channel> {
    Ok(channels::table
        .find(id)
        .select(Channel::as_select())
        .first(conn)?)
}

pub fn list(conn: &mut DbConn, workspace_id: i64) -> StorageResult<Vec<Channel>> {
    Ok(channels::table
        .filter(channels::workspace_id.eq(workspace_id))
        .order(channels::id.asc())
        .select(Channel::as_select())
        .load(conn)?)
}

/// Changes name, settings and (when given) the secret.
pub fn update(
    conn: &mut DbConn,
    workspace_id: i64,
    id: i64,
    name: &str,
    config: &serde_json::Value,
    secret: Option<&str>,
    now: NaiveDateTime,
) -> StorageResult<Channel> {
    write_tx(conn, |conn| {
        get(conn, workspace_id, id)?;
        diesel::update(channels::table.find(id))
            .set((
                channels::name.eq(name),
                channels::config.eq(config.to_string()),
                channels::updated_at.eq(now),
            ))
            .execute(conn)?;
        if let Some(s) = secret {
            diesel::update(channels::table.find(id))
                .set(channels::secret.eq(s))
                .execute(conn)?;
        }
        let c = get(conn, workspace_id, id)?;
        event(conn, &c, "channel.updated", now)?;
        Ok(c)
    })
}

/// Deletes a channel and its contact identities; messages keep their history without it.
pub fn delete(
    conn: &mut DbConn,
    workspace_id: i64,
    id: i64,
    now: NaiveDateTime,
) -> StorageResult<()> {
    write_tx(conn, |conn| {
        let c = get(conn, workspace_id, id)?;
        diesel::delete(channels::table.find(id)).execute(conn)?;
        event(conn, &c, "channel.deleted", now)
    })
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = contact_channels)]
pub struct ContactChannel {
    pub id: i64,
    pub workspace_id: i64,
    pub contact_id: i64,
    pub channel_id: i64,
    pub external_id: String,
    pub last_incoming_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

/// A contact's identities with their channels, in the order they were added.
pub fn of_contact(
    conn: &mut DbConn,
    contact_id: i64,
) -> StorageResult<Vec<(ContactChannel, Channel)>> {
    Ok(contact_channels::table
        .inner_join(channels::table)
        .filter(contact_channels::contact_id.eq(contact_id))
        .order(contact_channels::id.asc())
        .select((ContactChannel::as_select(), Channel::as_select()))
        .load(conn)?)
}

/// The identity of `external_id` on a channel, if known.
pub fn identity(
    conn: &mut DbConn,
    channel_id: i64,
    external_id: &str,
) -> StorageResult<Option<ContactChannel>> {
    Ok(contact_channels::table
        .filter(contact_channels::channel_id.eq(channel_id))
        .filter(contact_channels::external_id.eq(external_id))
        .select(ContactChannel::as_select())
        .first(conn)
        .optional()?)
}

/// Records that a contact is `external_id` on a channel (the caller checked it is free).
pub fn link(
    conn: &mut DbConn,
    workspace_id: i64,
    contact_id: i64,
    channel_id: i64,
    external_id: &str,
    now: NaiveDateTime,
) -> StorageResult<ContactChannel> {
    Ok(diesel::insert_into(contact_channels::table)
        .values((
            contact_channels::workspace_id.eq(workspace_id),
            contact_channels::contact_id.eq(contact_id),
            contact_channels::channel_id.eq(channel_id),
            contact_channels::external_id.eq(external_id),
            contact_channels::created_at.eq(now),
        ))
        // `ContactChannel`'s fields are in the table's column order.
        .returning(contact_channels::all_columns)
        .get_result(conn)?)
}
