//! Messages: received from channels (deduplicated on the provider's id), sent by users,
//! the API or automation (pending until the channel answers), and their delivery statuses.
//! Every message keeps its conversation's counts and metrics and the contact's thread state.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use domain::messages::{advances, MessageStatus};
use serde::Serialize;

use crate::channels::{self, Channel};
use crate::contacts::{self, ActorRef, Contact, ContactChange};
use crate::conversations::{self, Conversation};
use crate::schema::{contact_channels, contacts as contacts_t, conversations as conv_t, messages};
use crate::{jobs, outbox, write_tx, DbConn, StorageError, StorageResult};

diesel::define_sql_function! {
    /// The first of two times that is not NULL.
    fn coalesce(
        x: diesel::sql_types::Nullable<diesel::sql_types::Timestamp>,
        y: diesel::sql_types::Timestamp,
    ) -> diesel::sql_types::Nullable<diesel::sql_types::Timestamp>;
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = messages)]
pub struct Message {
    pub id: i64,
    pub workspace_id: i64,
    pub contact_id: i64,
    pub conversation_id: Option<i64>,
    pub channel_id: Option<i64>,
    pub direction: String,
    pub sender_type: String,
    pub sender_id: Option<i64>,
    pub msg_type: String,
    pub text: Option<String>,
    pub file_id: Option<i64>,
    /// JSON: `{type, url?, name?, mime?, size?, voice?, error?}`.
    pub attachment: Option<String>,
    /// JSON of a WhatsApp template.
    pub template: Option<String>,
    pub status: String,
    pub error: Option<String>,
    pub provider_id: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub const INCOMING: &str = "incoming";
pub const OUTGOING: &str = "outgoing";
/// The job that delivers an outgoing message through its channel.
pub const SEND_JOB: &str = "channel.send";
/// Attempts of a send before the message is failed.
pub const SEND_ATTEMPTS: i32 = 6;
/// The job that fetches a received attachment into the file store.
pub const FETCH_JOB: &str = "attachment.fetch";

pub fn get(conn: &mut DbConn, workspace_id: i64, id: i64) -> StorageResult<Message> {
    Ok(messages::table
        .filter(messages::workspace_id.eq(workspace_id))
        .filter(messages::id.eq(id))
        .select(Message::as_select())
        .first(conn)?)
}

/// The body of a message, whatever its direction.
#[derive(Debug, Clone, Default)]
pub struct Body {
    pub msg_type: String,
    pub text: Option<String>,
    pub file_id: Option<i64>,
    pub attachment: Option<serde_json::Value>,
    pub template: Option<serde_json::Value>,
}

impl Body {
    /// An attachment the channel only linked to: a job downloads it into storage.
    pub fn needs_fetch(&self) -> bool {
        self.attachment.is_some() && self.file_id.is_none() && self.msg_type == "attachment"
    }
}

/// Profile a channel tells about a contact; fills only what the contact lacks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Profile {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub language: Option<String>,
    pub country: Option<String>,
    pub profile_pic: Option<String>,
}

/// One message event from a channel.
#[derive(Debug, Clone)]
pub struct Inbound {
    pub channel_id: i64,
    /// The contact's id on the channel (already validated for the channel's id type).
    pub external_id: String,
    /// Whether the external id is a phone number (then it also finds contacts by phone).
    pub external_is_phone: bool,
    pub provider_id: String,
    /// `true` for a message the business sent from outside the platform (an echo).
    pub echo: bool,
    pub body: Body,
    pub profile: Profile,
}

/// Stores one message, counted on its conversation (if any) by direction. The count comes
/// first: it locks the conversation before the message takes its id, and the message's time
/// is read after that lock ([`stamp`]), so concurrent messages of one conversation commit in
/// id order with times in that order too, and the contact ends up pointing at the newest
/// (PostgreSQL; SQLite has one writer anyway). Callers use the returned `created_at` for
/// what they update beside it.
#[allow(clippy::too_many_arguments)]
pub(crate) fn insert(
    conn: &mut DbConn,
    contact: &Contact,
    conversation_id: Option<i64>,
    channel_id: Option<i64>,
    direction: &str,
    sender: ActorRef,
    body: &Body,
    status: MessageStatus,
    provider_id: Option<&str>,
    now: NaiveDateTime,
) -> StorageResult<Message> {
    if let Some(id) = conversation_id {
        let conversation = diesel::update(conv_t::table.find(id));
        if direction == INCOMING {
            conversation
                .set(conv_t::incoming_count.eq(conv_t::incoming_count + 1))
                .execute(conn)?;
        } else {
            conversation
                .set(conv_t::outgoing_count.eq(conv_t::outgoing_count + 1))
                .execute(conn)?;
        }
    }
    let now = stamp(now);
    let message = diesel::insert_into(messages::table)
        .values((
            messages::workspace_id.eq(contact.workspace_id),
            messages::contact_id.eq(contact.id),
            messages::conversation_id.eq(conversation_id),
            messages::channel_id.eq(channel_id),
            messages::direction.eq(direction),
            messages::sender_type.eq(sender.kind),
            messages::sender_id.eq(sender.id),
            messages::msg_type.eq(&body.msg_type),
            messages::text.eq(&body.text),
            messages::file_id.eq(body.file_id),
            messages::attachment.eq(body.attachment.as_ref().map(|a| a.to_string())),
            messages::template.eq(body.template.as_ref().map(|t| t.to_string())),
            messages::status.eq(status.as_str()),
            messages::provider_id.eq(provider_id),
            messages::created_at.eq(now),
            messages::updated_at.eq(now),
        ))
        // The fields of `Message` are in the table's column order.
        .returning(messages::all_columns)
        .get_result::<Message>(conn)?;
    Ok(message)
}

/// Finds the contact a channel identity belongs to, or creates it (and the identity).
fn contact_for(
    conn: &mut DbConn,
    channel: &Channel,
    ev: &Inbound,
    now: NaiveDateTime,
) -> StorageResult<Contact> {
    // The known sender, contact and identity in one statement.
    let known = contact_channels::table
        .inner_join(contacts_t::table)
        .filter(contact_channels::channel_id.eq(channel.id))
        .filter(contact_channels::external_id.eq(&ev.external_id))
        .select(Contact::as_select())
        .get_result(conn)
        .optional()?;
    if let Some(contact) = known {
        return Ok(contact);
    }
    // A phone identity joins the contact who already has that number, if there is one.
    let existing = if ev.external_is_phone {
        contacts_t::table
            .filter(contacts_t::workspace_id.eq(channel.workspace_id))
            .filter(contacts_t::phone.eq(&ev.external_id))
            .order(contacts_t::id.asc())
            .select(contacts_t::id)
            .first::<i64>(conn)
            .optional()?
    } else {
        None
    };
    let contact = match existing {
        Some(id) => contacts::get(conn, channel.workspace_id, id)?,
        None => {
            let change = newcomer(ev);
            let actor = ActorRef {
                kind: "contact",
                id: None,
            };
            contacts::create_in(conn, channel.workspace_id, change, &[], &[], actor, now)?.contact
        }
    };
    channels::link(
        conn,
        channel.workspace_id,
        contact.id,
        channel.id,
        &ev.external_id,
        now,
    )?;
    Ok(contact)
}

/// The contact a message from an unknown sender creates: named by the channel's profile, or
/// by its id there; a phone identity is also the contact's phone.
pub(crate) fn newcomer(ev: &Inbound) -> ContactChange {
    let p = &ev.profile;
    ContactChange {
        first_name: Some(
            p.first_name
                .clone()
                .unwrap_or_else(|| ev.external_id.clone()),
        ),
        last_name: Some(p.last_name.clone()),
        email: Some(p.email.clone()),
        phone: Some(newcomer_phone(ev).map(str::to_owned)),
        language: Some(p.language.clone()),
        country: Some(p.country.clone()),
        profile_pic: Some(p.profile_pic.clone()),
    }
}

/// The phone of the contact [`newcomer`] makes: the sender's id on a phone channel, otherwise
/// the profile's.
pub(crate) fn newcomer_phone(ev: &Inbound) -> Option<&str> {
    if ev.external_is_phone {
        Some(&ev.external_id)
    } else {
        ev.profile.phone.as_deref()
    }
}

/// The time a message is stored at, read once its conversation is locked (its counter
/// updated): messages of one conversation then carry times in the order they commit and
/// take ids, whatever clock reading their requests started with, so the contact's newest
/// message is also the timeline's. [`insert`] applies it; the batched ingest too.
pub(crate) fn stamp(not_before: NaiveDateTime) -> NaiveDateTime {
    not_before.max(crate::naive(chrono::Utc::now()))
}

/// Fills the contact's empty standard fields from the channel's profile; true if it did.
fn fill_profile(
    conn: &mut DbConn,
    contact: &Contact,
    p: &Profile,
    now: NaiveDateTime,
) -> StorageResult<bool> {
    let Some(change) = profile_gaps(contact, p) else {
        return Ok(false);
    };
    let actor = ActorRef {
        kind: "contact",
        id: None,
    };
    contacts::update(
        conn,
        contact.workspace_id,
        contact.id,
        change,
        &[],
        actor,
        now,
    )
    .map(|_| true)
}

/// What of the profile fills fields the contact lacks; None when nothing would change.
pub(crate) fn profile_gaps(contact: &Contact, p: &Profile) -> Option<ContactChange> {
    let gap = |have: &Option<String>, offer: &Option<String>| {
        if have.is_none() && offer.is_some() {
            Some(offer.clone())
        } else {
            None
        }
    };
    let change = ContactChange {
        first_name: None,
        last_name: gap(&contact.last_name, &p.last_name),
        email: gap(&contact.email, &p.email),
        phone: gap(&contact.phone, &p.phone),
        language: gap(&contact.language, &p.language),
        country: gap(&contact.country, &p.country),
        profile_pic: gap(&contact.profile_pic, &p.profile_pic),
    };
    let nothing = change.last_name.is_none()
        && change.email.is_none()
        && change.phone.is_none()
        && change.language.is_none()
        && change.country.is_none()
        && change.profile_pic.is_none();
    (!nothing).then_some(change)
}

/// Stores a message event from a channel. `None` when its provider id was seen before on
/// this channel (a provider retry): nothing is stored twice.
pub fn receive(
    conn: &mut DbConn,
    channel: &Channel,
    ev: &Inbound,
    now: NaiveDateTime,
) -> StorageResult<Option<Message>> {
    // A concurrent delivery of the same event (or the first two messages of a new contact)
    // may collide on a unique index; the second try then sees the winner's rows.
    // The first try leaves spotting a replay to the unique index on (channel, provider id),
    // which saves a query per message; a replay, or any other lost race, makes it a Conflict
    // (and rolls it back), and the second try looks first.
    let mut replay_check = false;
    once_more_on_conflict(|| {
        let check = std::mem::replace(&mut replay_check, true);
        write_tx(conn, |conn| receive_once(conn, channel, ev, now, check))
    })
}

/// Runs `f`, and once more if it lost a race on a unique index.
fn once_more_on_conflict<T>(mut f: impl FnMut() -> StorageResult<T>) -> StorageResult<T> {
    match f() {
        Err(StorageError::Conflict(_)) => f(),
        other => other,
    }
}

fn receive_once(
    conn: &mut DbConn,
    channel: &Channel,
    ev: &Inbound,
    now: NaiveDateTime,
    replay_check: bool,
) -> StorageResult<Option<Message>> {
    if replay_check {
        let seen: i64 = messages::table
            .filter(messages::channel_id.eq(channel.id))
            .filter(messages::provider_id.eq(&ev.provider_id))
            .count()
            .get_result(conn)?;
        if seen > 0 {
            return Ok(None);
        }
    }
    let mut contact = contact_for(conn, channel, ev, now)?;
    if fill_profile(conn, &contact, &ev.profile, now)? {
        contact = contacts::get(conn, channel.workspace_id, contact.id)?;
    }
    let open = contact.open_conversation_id();
    let message = if ev.echo {
        let sender = ActorRef {
            kind: "echo",
            id: None,
        };
        let m = insert(
            conn,
            &contact,
            open,
            Some(channel.id),
            OUTGOING,
            sender,
            &ev.body,
            MessageStatus::Sent,
            Some(&ev.provider_id),
            now,
        )?;
        let now = m.created_at;
        diesel::update(contacts_t::table.find(contact.id))
            .set((
                contacts_t::last_message_id.eq(m.id),
                contacts_t::last_interaction_at.eq(now),
                contacts_t::waiting_since.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)?;
        m
    } else {
        let sender = ActorRef {
            kind: "contact",
            id: Some(contact.id),
        };
        // A first message opens a conversation; the contact's update below points at it.
        let (conversation_id, opened) = match open {
            Some(id) => (id, None),
            None => {
                let c =
                    conversations::open_leaving_contact(conn, &contact, "contact", sender, now)?;
                (c.id, Some(c))
            }
        };
        let m = insert(
            conn,
            &contact,
            Some(conversation_id),
            Some(channel.id),
            INCOMING,
            sender,
            &ev.body,
            MessageStatus::Received,
            Some(&ev.provider_id),
            now,
        )?;
        let now = m.created_at;
        let newest = (
            contacts_t::last_message_id.eq(m.id),
            contacts_t::last_incoming_message_id.eq(m.id),
            contacts_t::last_interaction_at.eq(now),
            contacts_t::last_channel_id.eq(channel.id),
            // Waiting since the first unanswered message.
            contacts_t::waiting_since.eq(coalesce(contacts_t::waiting_since, now)),
        );
        let contact_row = contacts_t::table.find(contact.id);
        match &opened {
            Some(c) => diesel::update(contact_row)
                .set((conversations::points_at(c), newest))
                .execute(conn)?,
            None => diesel::update(contact_row).set(newest).execute(conn)?,
        };
        diesel::update(
            contact_channels::table
                .filter(contact_channels::channel_id.eq(channel.id))
                .filter(contact_channels::external_id.eq(&ev.external_id)),
        )
        .set(contact_channels::last_incoming_at.eq(now))
        .execute(conn)?;
        m
    };
    if ev.body.needs_fetch() {
        jobs::enqueue(
            conn,
            jobs::NewJob {
                workspace_id: Some(channel.workspace_id),
                kind: FETCH_JOB,
                payload: serde_json::json!({"message_id": message.id}),
                run_at: now,
                max_attempts: 4,
            },
            now,
        )?;
    }
    outbox::append(
        conn,
        channel.workspace_id,
        "message.created",
        ("contact", Some(contact.id)),
        &message,
        now,
    )?;
    Ok(Some(message))
}

/// An outgoing message to queue.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub channel_id: i64,
    pub body: Body,
    /// `user`, `api`, `workflow` or `broadcast`, with the user or token id.
    pub sender: ActorRef<'static>,
    /// Where an unassigned contact goes when a person replies (the replier).
    pub assign_to: Option<i64>,
}

/// Queues a message for sending: stored `pending` with a send job, in one transaction.
/// Opens a conversation if none is open; a person's first reply sets the first-response
/// metrics; a reply to an unassigned contact assigns it to the replier.
pub fn send(
    conn: &mut DbConn,
    workspace_id: i64,
    contact_id: i64,
    out: &Outgoing,
    now: NaiveDateTime,
) -> StorageResult<Message> {
    // Racing the contact's own message may collide on the one-open-conversation index; the
    // second try then joins the conversation that won.
    once_more_on_conflict(|| send_once(conn, workspace_id, contact_id, out, now))
}

fn send_once(
    conn: &mut DbConn,
    workspace_id: i64,
    contact_id: i64,
    out: &Outgoing,
    now: NaiveDateTime,
) -> StorageResult<Message> {
    write_tx(conn, |conn| {
        let contact = contacts::get(conn, workspace_id, contact_id)?;
        let source = if out.sender.kind == "user" {
            "user"
        } else if out.sender.kind == "workflow" {
            "workflow"
        } else {
            "api"
        };
        let conversation: Conversation = match conversations::open_of(conn, contact.id)? {
            Some(c) => c,
            None => conversations::open_in(conn, &contact, source, out.sender, now)?,
        };
        let m = insert(
            conn,
            &contact,
            Some(conversation.id),
            Some(out.channel_id),
            OUTGOING,
            out.sender,
            &out.body,
            MessageStatus::Pending,
            None,
            now,
        )?;
        let now = m.created_at;
        // The first response is the first message a person sends after the conversation opened.
        if out.sender.kind == "user" && conversation.first_response_at.is_none() {
            let seconds = (now - conversation.opened_at).num_seconds().max(0);
            diesel::update(
                conv_t::table
                    .find(conversation.id)
                    .filter(conv_t::first_response_at.is_null()),
            )
            .set((
                conv_t::first_response_at.eq(now),
                conv_t::first_response_by.eq(out.sender.id),
                conv_t::first_response_seconds.eq(seconds),
            ))
            .execute(conn)?;
        }
        diesel::update(contacts_t::table.find(contact.id))
            .set((
                contacts_t::last_message_id.eq(m.id),
                contacts_t::last_interaction_at.eq(now),
                contacts_t::waiting_since.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)?;
        jobs::enqueue(
            conn,
            jobs::NewJob {
                workspace_id: Some(workspace_id),
                kind: SEND_JOB,
                payload: serde_json::json!({"message_id": m.id}),
                run_at: now,
                max_attempts: SEND_ATTEMPTS,
            },
            now,
        )?;
        outbox::append(
            conn,
            workspace_id,
            "message.created",
            ("contact", Some(contact.id)),
            &m,
            now,
        )?;
        if let (None, Some(user)) = (contact.assignee_id, out.assign_to) {
            contacts::assign_if_unassigned(conn, workspace_id, contact.id, user, out.sender, now)?;
        }
        Ok(m)
    })
}

/// Moves a message to `status` if that is forward (see [`advances`]); records the provider
/// id and the failure reason. Returns the message when it changed.
pub fn set_status(
    conn: &mut DbConn,
    workspace_id: i64,
    id: i64,
    status: MessageStatus,
    provider_id: Option<&str>,
    error: Option<&str>,
    now: NaiveDateTime,
) -> StorageResult<Option<Message>> {
    write_tx(conn, |conn| {
        let m = get(conn, workspace_id, id)?;
        let current = MessageStatus::parse(&m.status).unwrap_or(MessageStatus::Pending);
        if !advances(current, status) {
            return Ok(None);
        }
        diesel::update(messages::table.find(id))
            .set((
                messages::status.eq(status.as_str()),
                messages::error.eq(error),
                messages::updated_at.eq(now),
            ))
            .execute(conn)?;
        if let Some(p) = provider_id {
            diesel::update(messages::table.find(id))
                .set(messages::provider_id.eq(p))
                .execute(conn)?;
        }
        let m = get(conn, workspace_id, id)?;
        outbox::append(
            conn,
            workspace_id,
            "message.updated",
            ("contact", Some(m.contact_id)),
            &m,
            now,
        )?;
        Ok(Some(m))
    })
}

/// Records the outcome of fetching a received attachment: the stored file, or why not.
pub fn attach(
    conn: &mut DbConn,
    workspace_id: i64,
    id: i64,
    file_id: Option<i64>,
    attachment: &serde_json::Value,
    now: NaiveDateTime,
) -> StorageResult<Message> {
    write_tx(conn, |conn| {
        get(conn, workspace_id, id)?;
        diesel::update(messages::table.find(id))
            .set((
                messages::file_id.eq(file_id),
                messages::attachment.eq(attachment.to_string()),
                messages::updated_at.eq(now),
            ))
            .execute(conn)?;
        let m = get(conn, workspace_id, id)?;
        outbox::append(
            conn,
            workspace_id,
            "message.updated",
            ("contact", Some(m.contact_id)),
            &m,
            now,
        )?;
        Ok(m)
    })
}

/// The outgoing message a channel knows by `provider_id`, if any.
pub fn by_provider_id(
    conn: &mut DbConn,
    channel_id: i64,
    provider_id: &str,
) -> StorageResult<Option<Message>> {
    Ok(messages::table
        .filter(messages::channel_id.eq(channel_id))
        .filter(messages::provider_id.eq(provider_id))
        .select(Message::as_select())
        .first(conn)
        .optional()?)
}
