//! Conversations: opened by a contact's message, a user, the API or automation; closed with a
//! closing note; at most one open per contact (the database enforces it too). Each change
//! keeps the contact's thread state, the activity history and the outbox in step.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use domain::closing::ClosingNote;
use serde::Serialize;

use crate::contacts::{self, ActorRef, Contact};
use crate::schema::{contacts as contacts_t, conversations};
use crate::{outbox, write_tx, DbConn, StorageError, StorageResult};

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = conversations)]
pub struct Conversation {
    pub id: i64,
    pub workspace_id: i64,
    pub contact_id: i64,
    pub status: String,
    pub opened_at: NaiveDateTime,
    pub opened_source: String,
    pub opened_by: Option<i64>,
    pub closed_at: Option<NaiveDateTime>,
    pub closed_source: Option<String>,
    pub closed_by: Option<i64>,
    pub category: Option<String>,
    pub summary: Option<String>,
    pub assignee_id: Option<i64>,
    pub first_response_at: Option<NaiveDateTime>,
    pub first_response_by: Option<i64>,
    pub first_response_seconds: Option<i64>,
    pub resolution_seconds: Option<i64>,
    pub incoming_count: i64,
    pub outgoing_count: i64,
    /// The web page a web chat conversation started on, and the page that led there.
    pub source_url: Option<String>,
    pub source_referrer: Option<String>,
}

pub const OPEN: &str = "open";
pub const CLOSED: &str = "closed";

pub fn get(conn: &mut DbConn, workspace_id: i64, id: i64) -> StorageResult<Conversation> {
    Ok(conversations::table
        .find(id)
        .filter(conversations::workspace_id.eq(workspace_id))
        .select(Conversation::as_select())
        .get_result(conn)?)
}

/// The contact's open conversation, if any.
pub fn open_of(conn: &mut DbConn, contact_id: i64) -> StorageResult<Option<Conversation>> {
    Ok(conversations::table
        .filter(conversations::contact_id.eq(contact_id))
        .filter(conversations::status.eq(OPEN))
        .select(Conversation::as_select())
        .first(conn)
        .optional()?)
}

/// Conversations by id (for views of many threads at once).
pub fn many(conn: &mut DbConn, ids: &[i64]) -> StorageResult<Vec<Conversation>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    Ok(conversations::table
        .filter(conversations::id.eq_any(ids))
        .select(Conversation::as_select())
        .load(conn)?)
}

/// A contact's conversations, newest first, `limit` below `before_id`.
pub fn of_contact(
    conn: &mut DbConn,
    contact_id: i64,
    before_id: i64,
    limit: i64,
) -> StorageResult<crate::Page<Conversation>> {
    let rows = conversations::table
        .filter(conversations::contact_id.eq(contact_id))
        .filter(conversations::id.lt(before_id))
        .order(conversations::id.desc())
        .limit(limit + 1)
        .select(Conversation::as_select())
        .load(conn)?;
    Ok(crate::Page::from_rows(rows, limit, |c: &Conversation| c.id))
}

/// The user behind an action, if a user did it (opened_by, closed_by).
fn user_of(actor: ActorRef) -> Option<i64> {
    (actor.kind == "user").then_some(actor.id).flatten()
}

/// Opens a conversation inside the caller's transaction, which found none open; if one was
/// opened meanwhile, the one-open-conversation index makes this a Conflict.
pub fn open_in(
    conn: &mut DbConn,
    contact: &Contact,
    source: &str,
    actor: ActorRef,
    now: NaiveDateTime,
) -> StorageResult<Conversation> {
    let c = open_leaving_contact(conn, contact, source, actor, now)?;
    diesel::update(contacts_t::table.find(contact.id))
        .set((points_at(&c), contacts_t::last_interaction_at.eq(now)))
        .execute(conn)?;
    Ok(c)
}

/// The contact's columns that point at its open conversation `c`, for the caller to set.
pub(crate) fn points_at(
    c: &Conversation,
) -> (
    diesel::dsl::Eq<contacts_t::conversation_id, Option<i64>>,
    diesel::dsl::Eq<contacts_t::conversation_status, &'static str>,
) {
    (
        contacts_t::conversation_id.eq(Some(c.id)),
        contacts_t::conversation_status.eq(OPEN),
    )
}

/// A conversation's row as it opens: what [`open_leaving_contact`] inserts, and the batched
/// ingest for many at once.
#[derive(Insertable)]
#[diesel(table_name = conversations, treat_none_as_null = true)]
pub(crate) struct NewConversation<'a> {
    workspace_id: i64,
    contact_id: i64,
    status: &'static str,
    opened_at: NaiveDateTime,
    opened_source: &'a str,
    opened_by: Option<i64>,
}

impl<'a> NewConversation<'a> {
    pub(crate) fn new(
        workspace_id: i64,
        contact_id: i64,
        source: &'a str,
        actor: ActorRef,
        now: NaiveDateTime,
    ) -> Self {
        NewConversation {
            workspace_id,
            contact_id,
            status: OPEN,
            opened_at: now,
            opened_source: source,
            opened_by: user_of(actor),
        }
    }
}

/// The detail of a contact's `conversation_opened` activity entry.
pub(crate) fn opened_detail(conversation_id: i64, source: &str) -> serde_json::Value {
    serde_json::json!({"conversation_id": conversation_id, "source": source})
}

/// [`open_in`] without updating the contact, for a caller that updates it anyway (an inbound
/// message): one update of the contact instead of two, each of which rewrites its entries in
/// every index of `contacts`. The caller must set [`points_at`] and the contact's
/// `last_interaction_at` in the same transaction.
pub(crate) fn open_leaving_contact(
    conn: &mut DbConn,
    contact: &Contact,
    source: &str,
    actor: ActorRef,
    now: NaiveDateTime,
) -> StorageResult<Conversation> {
    let c: Conversation = diesel::insert_into(conversations::table)
        .values(NewConversation::new(
            contact.workspace_id,
            contact.id,
            source,
            actor,
            now,
        ))
        // `Conversation`'s fields are in the table's column order.
        .returning(conversations::all_columns)
        .get_result(conn)?;
    let id = c.id;
    contacts::record(
        conn,
        contact,
        "conversation_opened",
        opened_detail(id, source),
        actor,
        now,
    )?;
    outbox::append(
        conn,
        contact.workspace_id,
        "conversation.opened",
        ("contact", Some(contact.id)),
        &c,
        now,
    )?;
    Ok(c)
}

/// Opens a conversation for a contact (409 when one is open).
pub fn open(
    conn: &mut DbConn,
    workspace_id: i64,
    contact_id: i64,
    source: &str,
    actor: ActorRef,
    now: NaiveDateTime,
) -> StorageResult<Conversation> {
    write_tx(conn, |conn| {
        let contact = contacts::get(conn, workspace_id, contact_id)?;
        if open_of(conn, contact.id)?.is_some() {
            return Err(StorageError::Conflict(
                "the contact already has an open conversation".into(),
            ));
        }
        open_in(conn, &contact, source, actor, now)
    })
}

/// How a conversation is being closed.
#[derive(Debug, Clone)]
pub struct Closing {
    pub source: String,
    pub note: ClosingNote,
    /// Unassign the contact too (the legacy workspace toggle, for manual closes).
    pub unassign: bool,
}

/// Closes the contact's open conversation inside the caller's transaction; Conflict when
/// none is open.
pub fn close_in(
    conn: &mut DbConn,
    contact: &Contact,
    closing: &Closing,
    actor: ActorRef,
    now: NaiveDateTime,
) -> StorageResult<Conversation> {
    let Some(open) = open_of(conn, contact.id)? else {
        return Err(StorageError::Conflict(
            "the contact has no open conversation".into(),
        ));
    };
    let resolution = (now - open.opened_at).num_seconds().max(0);
    // Only if still open: two racing closes must not both record one.
    let closed = diesel::update(
        conversations::table
            .find(open.id)
            .filter(conversations::status.eq(OPEN)),
    )
    .set((
        conversations::status.eq(CLOSED),
        conversations::closed_at.eq(now),
        conversations::closed_source.eq(&closing.source),
        conversations::closed_by.eq(user_of(actor)),
        conversations::category.eq(&closing.note.category),
        conversations::summary.eq(&closing.note.summary),
        conversations::assignee_id.eq(contact.assignee_id),
        conversations::resolution_seconds.eq(resolution),
    ))
    .execute(conn)?;
    if closed == 0 {
        return Err(StorageError::Conflict(
            "the contact has no open conversation".into(),
        ));
    }
    diesel::update(contacts_t::table.find(contact.id))
        .set((
            contacts_t::conversation_status.eq(CLOSED),
            contacts_t::waiting_since.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    contacts::record(
        conn,
        contact,
        "conversation_closed",
        serde_json::json!({
            "conversation_id": open.id,
            "source": closing.source,
            "category": closing.note.category,
            "summary": closing.note.summary,
        }),
        actor,
        now,
    )?;
    let c = get(conn, contact.workspace_id, open.id)?;
    outbox::append(
        conn,
        contact.workspace_id,
        "conversation.closed",
        ("contact", Some(contact.id)),
        &c,
        now,
    )?;
    if closing.unassign && contact.assignee_id.is_some() {
        contacts::set_assignee(conn, contact.workspace_id, contact.id, None, actor, now)?;
    }
    Ok(c)
}

/// Closes a contact's open conversation (409 when none is open).
pub fn close(
    conn: &mut DbConn,
    workspace_id: i64,
    contact_id: i64,
    closing: &Closing,
    actor: ActorRef,
    now: NaiveDateTime,
) -> StorageResult<Conversation> {
    write_tx(conn, |conn| {
        let contact = contacts::get(conn, workspace_id, contact_id)?;
        close_in(conn, &contact, closing, actor, now)
    })
}
