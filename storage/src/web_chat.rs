//! The website chat widget: channels found by their public key, anonymous visitors (a hashed
//! token each), a visitor's contact (made when first needed), inbound visitor messages through
//! the same path as every channel's, the welcome greeting, and a visitor's own history.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use domain::messages::MessageStatus;
use serde::Serialize;

use crate::channels::{self, Channel};
use crate::contacts::{self, ActorRef, Contact, ContactChange};
use crate::messages::{self, Body, Inbound, Message, OUTGOING};
use crate::schema::{
    channels as channels_t, contacts as contacts_t, conversations as conv_t, memberships,
    messages as messages_t, users, web_chat_visitors as visitors,
};
use crate::{conversations, outbox, write_tx, DbConn, Page, StorageResult};

pub const KIND: &str = "web_chat";

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = visitors)]
pub struct Visitor {
    pub id: i64,
    pub workspace_id: i64,
    pub channel_id: i64,
    /// The visitor's identity on the channel (`contact_channels.external_id`).
    pub external_id: String,
    #[serde(skip)]
    pub token_hash: String,
    pub page_url: Option<String>,
    pub referrer: Option<String>,
    pub welcomed_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
}

/// Creates a web_chat channel with its public key, in one transaction.
pub fn create_channel(
    conn: &mut DbConn,
    workspace_id: i64,
    name: &str,
    config: &serde_json::Value,
    public_key: &str,
    now: NaiveDateTime,
) -> StorageResult<Channel> {
    write_tx(conn, |conn| {
        let c = channels::create(conn, workspace_id, KIND, name, config, None, now)?;
        diesel::update(channels_t::table.find(c.id))
            .set(channels_t::public_key.eq(public_key))
            .execute(conn)?;
        channels::get(conn, workspace_id, c.id)
    })
}

/// The web_chat channel with this public key, or NotFound.
pub fn channel_by_key(conn: &mut DbConn, public_key: &str) -> StorageResult<Channel> {
    Ok(channels_t::table
        .filter(channels_t::public_key.eq(public_key))
        .filter(channels_t::kind.eq(KIND))
        .select(Channel::as_select())
        .first(conn)?)
}

/// A new anonymous visitor of a channel.
pub fn create_visitor(
    conn: &mut DbConn,
    channel: &Channel,
    external_id: &str,
    token_hash: &str,
    page_url: Option<&str>,
    referrer: Option<&str>,
    now: NaiveDateTime,
) -> StorageResult<Visitor> {
    let id: i64 = diesel::insert_into(visitors::table)
        .values((
            visitors::workspace_id.eq(channel.workspace_id),
            visitors::channel_id.eq(channel.id),
            visitors::external_id.eq(external_id),
            visitors::token_hash.eq(token_hash),
            visitors::page_url.eq(page_url),
            visitors::referrer.eq(referrer),
            visitors::created_at.eq(now),
            visitors::last_seen_at.eq(now),
        ))
        .returning(visitors::id)
        .get_result(conn)?;
    Ok(visitors::table
        .find(id)
        .select(Visitor::as_select())
        .first(conn)?)
}

/// The visitor of `channel_id` whose token hashes to `token_hash`, if any.
pub fn visitor_by_token(
    conn: &mut DbConn,
    channel_id: i64,
    token_hash: &str,
) -> StorageResult<Option<Visitor>> {
    Ok(visitors::table
        .filter(visitors::token_hash.eq(token_hash))
        .filter(visitors::channel_id.eq(channel_id))
        .select(Visitor::as_select())
        .first(conn)
        .optional()?)
}

/// Records a session start: the page the visitor is on now and the referrer, when told.
pub fn touch(
    conn: &mut DbConn,
    visitor_id: i64,
    page_url: Option<&str>,
    referrer: Option<&str>,
    now: NaiveDateTime,
) -> StorageResult<Visitor> {
    diesel::update(visitors::table.find(visitor_id))
        .set(visitors::last_seen_at.eq(now))
        .execute(conn)?;
    if page_url.is_some() {
        diesel::update(visitors::table.find(visitor_id))
            .set((
                visitors::page_url.eq(page_url),
                visitors::referrer.eq(referrer),
            ))
            .execute(conn)?;
    }
    Ok(visitors::table
        .find(visitor_id)
        .select(Visitor::as_select())
        .first(conn)?)
}

/// The contact a visitor is, if they have one yet (found through the channel identity, so a
/// merge or a deletion of the contact is followed).
pub fn contact_of(conn: &mut DbConn, visitor: &Visitor) -> StorageResult<Option<i64>> {
    Ok(channels::identity(conn, visitor.channel_id, &visitor.external_id)?.map(|i| i.contact_id))
}

/// The contact a visitor is, if they have one yet.
pub fn contact_row(conn: &mut DbConn, visitor: &Visitor) -> StorageResult<Option<Contact>> {
    match contact_of(conn, visitor)? {
        Some(id) => contacts::get(conn, visitor.workspace_id, id).map(Some),
        None => Ok(None),
    }
}

/// The name a visitor's contact gets until they leave theirs.
pub fn placeholder_name(visitor: &Visitor) -> String {
    let short: String = visitor
        .external_id
        .trim_start_matches("wv_")
        .chars()
        .take(6)
        .collect();
    format!("Visitor {short}")
}

/// The visitor's contact, created (with its identity on the channel) when they have none.
/// Call inside a write transaction.
fn ensure_contact_in(
    conn: &mut DbConn,
    channel: &Channel,
    visitor: &Visitor,
    now: NaiveDateTime,
) -> StorageResult<Contact> {
    if let Some(id) = contact_of(conn, visitor)? {
        return contacts::get(conn, channel.workspace_id, id);
    }
    let change = ContactChange {
        first_name: Some(placeholder_name(visitor)),
        ..ContactChange::default()
    };
    let actor = ActorRef {
        kind: "contact",
        id: None,
    };
    let created = contacts::create(conn, channel.workspace_id, change, &[], &[], actor, now)?;
    channels::link(
        conn,
        channel.workspace_id,
        created.contact.id,
        channel.id,
        &visitor.external_id,
        now,
    )?;
    contacts::get(conn, channel.workspace_id, created.contact.id)
}

/// The visitor's contact, made now if needed.
pub fn ensure_contact(
    conn: &mut DbConn,
    channel: &Channel,
    visitor: &Visitor,
    now: NaiveDateTime,
) -> StorageResult<Contact> {
    again_on_conflict(|| write_tx(conn, |conn| ensure_contact_in(conn, channel, visitor, now)))
}

/// Runs `f`, and once more if it lost a race on a unique index (two first requests of one
/// visitor both making its contact): the second try sees the winner's rows.
fn again_on_conflict<T>(mut f: impl FnMut() -> StorageResult<T>) -> StorageResult<T> {
    match f() {
        Err(crate::StorageError::Conflict(_)) => f(),
        other => other,
    }
}

/// Sets where the conversation started, unless already known.
fn record_source(conn: &mut DbConn, conversation_id: i64, visitor: &Visitor) -> StorageResult<()> {
    if visitor.page_url.is_none() {
        return Ok(());
    }
    diesel::update(
        conv_t::table
            .find(conversation_id)
            .filter(conv_t::source_url.is_null()),
    )
    .set((
        conv_t::source_url.eq(&visitor.page_url),
        conv_t::source_referrer.eq(&visitor.referrer),
    ))
    .execute(conn)?;
    Ok(())
}

/// What came of a visitor's message.
#[derive(Debug, Clone)]
pub enum Received {
    /// Stored now.
    New(Message),
    /// The same client message id was stored before: that message.
    Repeat(Message),
}

/// Stores a visitor's message through the channels' inbound path (deduplicated on
/// `provider_id`), and records the page of a conversation it opened.
pub fn receive(
    conn: &mut DbConn,
    channel: &Channel,
    visitor: &Visitor,
    provider_id: &str,
    body: Body,
    now: NaiveDateTime,
) -> StorageResult<Received> {
    again_on_conflict(|| {
        write_tx(conn, |conn| {
            // The contact is made here (not by the inbound path) so it gets the visitor's name.
            ensure_contact_in(conn, channel, visitor, now)?;
            let inbound = Inbound {
                channel_id: channel.id,
                external_id: visitor.external_id.clone(),
                external_is_phone: false,
                provider_id: provider_id.to_string(),
                echo: false,
                body: body.clone(),
                profile: messages::Profile::default(),
            };
            match messages::receive(conn, channel, &inbound, now)? {
                Some(m) => {
                    if let Some(c) = m.conversation_id {
                        record_source(conn, c, visitor)?;
                    }
                    Ok(Received::New(m))
                }
                None => messages::by_provider_id(conn, channel.id, provider_id)?
                    .map(Received::Repeat)
                    .ok_or(crate::StorageError::NotFound),
            }
        })
    })
}

/// Posts the channel's greeting to a visitor once (`welcome_event`): makes their contact,
/// opens a conversation (source `welcome_event`) unless one is open, and stores the greeting
/// as a message from the business, already sent. `None` when this visitor was welcomed before.
pub fn welcome(
    conn: &mut DbConn,
    channel: &Channel,
    visitor: &Visitor,
    greeting: &str,
    now: NaiveDateTime,
) -> StorageResult<Option<Message>> {
    again_on_conflict(|| {
        write_tx(conn, |conn| {
            // Claim the welcome first: of two racing first loads only one posts it.
            let claimed = diesel::update(
                visitors::table
                    .find(visitor.id)
                    .filter(visitors::welcomed_at.is_null()),
            )
            .set(visitors::welcomed_at.eq(now))
            .execute(conn)?;
            if claimed == 0 {
                return Ok(None);
            }
            let contact = ensure_contact_in(conn, channel, visitor, now)?;
            let actor = ActorRef {
                kind: "system",
                id: None,
            };
            let conversation = match conversations::open_of(conn, contact.id)? {
                Some(c) => c,
                None => conversations::open_in(conn, &contact, "welcome_event", actor, now)?,
            };
            record_source(conn, conversation.id, visitor)?;
            let body = Body {
                msg_type: "text".into(),
                text: Some(greeting.to_string()),
                ..Body::default()
            };
            let m = messages::insert(
                conn,
                &contact,
                Some(conversation.id),
                Some(channel.id),
                OUTGOING,
                actor,
                &body,
                MessageStatus::Sent,
                None,
                now,
            )?;
            let now = m.created_at;
            diesel::update(contacts_t::table.find(contact.id))
                .set((
                    contacts_t::last_message_id.eq(m.id),
                    contacts_t::last_interaction_at.eq(now),
                ))
                .execute(conn)?;
            outbox::append(
                conn,
                channel.workspace_id,
                "message.created",
                ("contact", Some(contact.id)),
                &m,
                now,
            )?;
            Ok(Some(m))
        })
    })
}

/// A visitor's messages on one channel, newest first, `limit` below `before_id`. Only
/// messages: never private notes or activity, and nothing of the contact's other channels.
pub fn history(
    conn: &mut DbConn,
    workspace_id: i64,
    contact_id: i64,
    channel_id: i64,
    before_id: i64,
    limit: i64,
) -> StorageResult<Page<Message>> {
    let rows = messages_t::table
        .filter(messages_t::workspace_id.eq(workspace_id))
        .filter(messages_t::contact_id.eq(contact_id))
        .filter(messages_t::channel_id.eq(channel_id))
        .filter(messages_t::id.lt(before_id))
        .order(messages_t::id.desc())
        .limit(limit + 1)
        .select(Message::as_select())
        .load(conn)?;
    Ok(Page::from_rows(rows, limit, |m: &Message| m.id))
}

/// The business's messages to a visitor on one channel, up to `up_to`, not yet read (at most
/// `limit`, newest first).
pub fn unread_replies(
    conn: &mut DbConn,
    workspace_id: i64,
    contact_id: i64,
    channel_id: i64,
    up_to: i64,
    limit: i64,
) -> StorageResult<Vec<i64>> {
    Ok(messages_t::table
        .filter(messages_t::workspace_id.eq(workspace_id))
        .filter(messages_t::contact_id.eq(contact_id))
        .filter(messages_t::channel_id.eq(channel_id))
        .filter(messages_t::direction.eq(OUTGOING))
        .filter(messages_t::status.eq_any(["pending", "sent", "delivered"]))
        .filter(messages_t::id.le(up_to))
        .order(messages_t::id.desc())
        .limit(limit)
        .select(messages_t::id)
        .load(conn)?)
}

/// Whether any member of the workspace is `online`.
pub fn anyone_online(conn: &mut DbConn, workspace_id: i64) -> StorageResult<bool> {
    let n: i64 = memberships::table
        .filter(memberships::workspace_id.eq(workspace_id))
        .filter(memberships::status.eq("online"))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Names of users, by id.
pub fn user_names(conn: &mut DbConn, ids: &[i64]) -> StorageResult<Vec<(i64, String)>> {
    Ok(users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::name))
        .load(conn)?)
}
