//! Inbound messages in batches: what [`messages::receive`] does for one message, done for many
//! with a fixed handful of statements, so a flood of webhooks costs a few round trips per
//! batch instead of a dozen per message.
//!
//! The common cases take the batched path: a known sender with an open conversation whose
//! profile adds nothing, and a sender never seen before ([`newcomers`]), each with a message
//! that needs no download. Every other message (the first message of a later conversation, a
//! profile that fills gaps, a new sender's second message in the batch, a phone number some
//! contact already has, an echo, an attachment to fetch) goes through [`messages::receive`] one
//! by one, together with every other message of the same sender in the batch, so the two paths
//! never see the same contact. A replay, or anything else that fails the batched statements,
//! undoes them and sends their messages one by one too.

mod newcomers;

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable};

use crate::channels::Channel;
use crate::contacts::Contact;
use crate::conversations::OPEN;
use crate::db::per_backend;
use crate::group_commit::{GroupCommit, Reply, Runner};
use crate::messages::{self, Inbound, Message, INCOMING};
use crate::schema::{contact_channels, contacts, conversations, messages as messages_t};
use crate::{outbox, write_tx, DbConn, Pool, StorageError, StorageResult};

/// One inbound message and the channel it came from.
#[derive(Debug, Clone)]
pub struct Item {
    pub channel: Channel,
    pub inbound: Inbound,
}

/// A message waiting for the ingest writer, and who to tell how it went.
pub struct Pending {
    pub item: Item,
    /// Gets what became of the message once committed, or why it was not.
    pub done: Box<dyn FnOnce(StorageResult<Outcome>) + Send>,
}

/// What the ingest writer did with a message.
#[derive(Debug)]
pub enum Outcome {
    /// Stored (`None`: a replay, stored before).
    Stored(Option<Message>),
    /// Not the batched kind, and this writer leaves those to the caller
    /// ([`messages::receive`] on a connection of its own).
    Yours(Item),
}

/// The queue of inbound messages: one writer thread stores each batch with
/// [`receive_batch`] in one transaction and answers every caller after the commit.
pub type Queue = GroupCommit<Pending>;

/// Starts the ingest writer; it keeps one connection of `pool`. With `all_here`, it stores
/// every message itself: right for SQLite, which has one writer anyway. Without, it hands
/// the messages that are not the batched kind back, to be stored in parallel: right for
/// PostgreSQL, where one by one on one connection would be a queue of round trips.
pub fn start(pool: Pool, all_here: bool) -> std::io::Result<Queue> {
    let run: Runner<Pending> = if all_here { run_all } else { run_batched };
    GroupCommit::start_with(pool, "ingest", run)
}

fn run_all(conn: &mut DbConn, batch: Vec<Pending>) -> Vec<Reply> {
    run(conn, batch, true)
}

fn run_batched(conn: &mut DbConn, batch: Vec<Pending>) -> Vec<Reply> {
    run(conn, batch, false)
}

fn run(conn: &mut DbConn, batch: Vec<Pending>, all_here: bool) -> Vec<Reply> {
    let now = crate::naive(chrono::Utc::now());
    let (items, dones): (Vec<Item>, Vec<_>) = batch.into_iter().map(|p| (p.item, p.done)).unzip();
    let results = receive_batch(conn, &items, now, all_here);
    results
        .into_iter()
        .zip(items)
        .zip(dones)
        .map(|((result, item), done)| {
            let outcome = match result {
                Some(r) => r.map(Outcome::Stored),
                None => Ok(Outcome::Yours(item)),
            };
            Box::new(move |committed: StorageResult<()>| done(committed.and(outcome))) as Reply
        })
        .collect()
}

/// Stores each item as [`messages::receive`] would: `Some(message)` when stored, `None` for a
/// replay, or its own error. Runs inside the caller's write transaction; results are in the
/// order of `items`. Items that are not the batched kind are stored one by one, or, without
/// `all_here`, left alone (`None`).
pub fn receive_batch(
    conn: &mut DbConn,
    items: &[Item],
    now: NaiveDateTime,
    all_here: bool,
) -> Vec<Option<StorageResult<Option<Message>>>> {
    let mut results: Vec<Option<StorageResult<Option<Message>>>> =
        std::iter::repeat_with(|| None).take(items.len()).collect();
    // In a savepoint: on PostgreSQL a failed statement would otherwise spoil the transaction
    // that the one-by-one path still needs. Nothing batched then: every item goes one by one.
    let plan = write_tx(conn, |conn| plan(conn, items)).unwrap_or_default();
    if !plan.fast.is_empty() || !plan.newcomers.is_empty() {
        // Its own savepoint: a failure undoes the batched statements only.
        match write_tx(conn, |conn| store_fast(conn, items, &plan, now)) {
            Ok(stored) => {
                for (i, m) in stored {
                    results[i] = Some(Ok(Some(m)));
                }
            }
            Err(e) => log::debug!("batched ingest fell back to one by one: {e}"),
        }
    }
    if all_here {
        for (done, item) in results.iter_mut().zip(items) {
            if done.is_none() {
                *done = Some(messages::receive(conn, &item.channel, &item.inbound, now));
            }
        }
    }
    results
}

/// A message of the batched path: its item, the sender and the open conversation.
struct Fast {
    item: usize,
    contact: Contact,
    /// The sender's identity, to mark its latest message (None: created with the mark).
    identity_id: Option<i64>,
    conversation_id: i64,
    /// Whether the batch opened the conversation (the contact then points at it).
    opened: bool,
}

/// The items of the batched path: of known senders, and of new ones.
#[derive(Default)]
struct Plan {
    fast: Vec<Fast>,
    newcomers: Vec<usize>,
}

/// Which items take the batched path. A sender with any item that cannot, takes the other
/// path with all its items.
fn plan(conn: &mut DbConn, items: &[Item]) -> StorageResult<Plan> {
    let channel_ids: Vec<i64> = unique(items.iter().map(|i| i.channel.id));
    let external_ids: Vec<&str> = unique(items.iter().map(|i| i.inbound.external_id.as_str()));
    // Every pair of the two lists, of which the batch's pairs are kept.
    let known: HashMap<(i64, String), (i64, Contact)> = contact_channels::table
        .inner_join(contacts::table)
        .filter(contact_channels::channel_id.eq_any(&channel_ids))
        .filter(contact_channels::external_id.eq_any(&external_ids))
        .select((
            contact_channels::channel_id,
            contact_channels::external_id,
            contact_channels::id,
            Contact::as_select(),
        ))
        .load::<(i64, String, i64, Contact)>(conn)?
        .into_iter()
        .map(|(ch, ext, identity, c)| ((ch, ext), (identity, c)))
        .collect();
    let key = |i: &Item| (i.channel.id, i.inbound.external_id.clone());
    let mut per_sender: HashMap<(i64, String), usize> = HashMap::new();
    for item in items {
        *per_sender.entry(key(item)).or_default() += 1;
    }
    let mut one_by_one: HashSet<(i64, String)> = HashSet::new();
    let mut newcomers = vec![];
    for (i, item) in items.iter().enumerate() {
        let ev = &item.inbound;
        let plain = !ev.echo && !ev.body.needs_fetch();
        let batched = match known.get(&key(item)) {
            Some((_, contact)) => {
                plain
                    && item.channel.workspace_id == contact.workspace_id
                    && contact.open_conversation_id().is_some()
                    && messages::profile_gaps(contact, &ev.profile).is_none()
            }
            None => {
                let alone = per_sender[&key(item)] == 1;
                if plain && alone {
                    newcomers.push(i);
                }
                continue;
            }
        };
        if !batched {
            one_by_one.insert(key(item));
        }
    }
    without_known_phones(conn, items, &mut newcomers)?;
    let mut fast = vec![];
    for (i, item) in items.iter().enumerate() {
        let k = key(item);
        if one_by_one.contains(&k) {
            continue;
        }
        // A new sender is in `newcomers`, or left to go one by one.
        let Some((identity_id, contact)) = known.get(&k).cloned() else {
            continue;
        };
        let conversation_id = contact.open_conversation_id().unwrap_or_default();
        fast.push(Fast {
            item: i,
            contact,
            identity_id: Some(identity_id),
            conversation_id,
            opened: false,
        });
    }
    Ok(Plan { fast, newcomers })
}

/// Leaves out the new senders whose id is a phone number that a contact of the workspace
/// already has, or that a new sender before it in the batch brings: one by one, after the
/// batch, the identity joins that contact instead of making a second one.
fn without_known_phones(
    conn: &mut DbConn,
    items: &[Item],
    newcomers: &mut Vec<usize>,
) -> StorageResult<()> {
    let by_phone: Vec<&Item> = newcomers
        .iter()
        .map(|&i| &items[i])
        .filter(|i| i.inbound.external_is_phone)
        .collect();
    if by_phone.is_empty() {
        return Ok(());
    }
    let workspaces: Vec<i64> = unique(by_phone.iter().map(|i| i.channel.workspace_id));
    let phones: Vec<&str> = unique(by_phone.iter().map(|i| i.inbound.external_id.as_str()));
    let mut taken: HashSet<(i64, String)> = contacts::table
        .filter(contacts::workspace_id.eq_any(&workspaces))
        .filter(contacts::phone.eq_any(&phones))
        .select((contacts::workspace_id, contacts::phone.assume_not_null()))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    newcomers.retain(|&i| {
        let item = &items[i];
        let Some(phone) = messages::newcomer_phone(&item.inbound) else {
            return true;
        };
        let k = (item.channel.workspace_id, phone.to_string());
        if item.inbound.external_is_phone && taken.contains(&k) {
            return false;
        }
        taken.insert(k);
        true
    });
    Ok(())
}

fn unique<T: Eq + std::hash::Hash + Copy>(it: impl Iterator<Item = T>) -> Vec<T> {
    let mut seen = HashSet::new();
    it.filter(|x| seen.insert(*x)).collect()
}

#[derive(Insertable)]
#[diesel(table_name = messages_t, treat_none_as_null = true)]
struct NewMessage<'a> {
    workspace_id: i64,
    contact_id: i64,
    conversation_id: Option<i64>,
    channel_id: Option<i64>,
    direction: &'a str,
    sender_type: &'a str,
    sender_id: Option<i64>,
    msg_type: &'a str,
    text: Option<&'a str>,
    file_id: Option<i64>,
    attachment: Option<String>,
    template: Option<String>,
    status: &'a str,
    provider_id: Option<&'a str>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// The batched statements: the messages, the conversations' and contacts' counters and
/// pointers, the identities' last-incoming time, and the events. Returns (item, message).
fn store_fast(
    conn: &mut DbConn,
    items: &[Item],
    plan: &Plan,
    now: NaiveDateTime,
) -> StorageResult<Vec<(usize, Message)>> {
    let (opened, mut events) = newcomers::create(conn, items, &plan.newcomers, now)?;
    let fast: Vec<&Fast> = plan.fast.iter().chain(&opened).collect();

    // Conversations: one statement per distinct increment (nearly always just +1). Counted
    // before the messages take their ids, which locks the conversations: a message of the
    // same conversation stored concurrently (one by one, on PostgreSQL) commits wholly
    // before or after these, so each contact ends up pointing at its newest message.
    let mut per_conversation: HashMap<i64, i64> = HashMap::new();
    for f in &fast {
        *per_conversation.entry(f.conversation_id).or_default() += 1;
    }
    let mut by_count: HashMap<i64, Vec<i64>> = HashMap::new();
    for (id, n) in per_conversation {
        by_count.entry(n).or_default().push(id);
    }
    for (n, ids) in by_count {
        diesel::update(conversations::table.filter(conversations::id.eq_any(ids)))
            .set(conversations::incoming_count.eq(conversations::incoming_count + n))
            .execute(conn)?;
    }

    let now = messages::stamp(now);
    let rows: Vec<NewMessage> = fast
        .iter()
        .map(|f| {
            let ev = &items[f.item].inbound;
            NewMessage {
                workspace_id: f.contact.workspace_id,
                contact_id: f.contact.id,
                conversation_id: Some(f.conversation_id),
                channel_id: Some(items[f.item].channel.id),
                direction: INCOMING,
                sender_type: "contact",
                sender_id: Some(f.contact.id),
                msg_type: &ev.body.msg_type,
                text: ev.body.text.as_deref(),
                file_id: ev.body.file_id,
                attachment: ev.body.attachment.as_ref().map(|a| a.to_string()),
                template: ev.body.template.as_ref().map(|t| t.to_string()),
                status: domain::messages::MessageStatus::Received.as_str(),
                provider_id: Some(&ev.provider_id),
                created_at: now,
                updated_at: now,
            }
        })
        .collect();
    let q = diesel::insert_into(messages_t::table)
        .values(&rows)
        // The fields of `Message` are in the table's column order.
        .returning(messages_t::all_columns);
    let inserted: Vec<Message> = per_backend!(conn, |c| q.get_results(c))?;
    // RETURNING promises no order: match rows back by (channel, provider id), which is unique.
    let mut by_key: HashMap<(Option<i64>, Option<String>), Message> = inserted
        .into_iter()
        .map(|m| ((m.channel_id, m.provider_id.clone()), m))
        .collect();
    let mut stored = Vec::with_capacity(fast.len());
    for f in &fast {
        let item = &items[f.item];
        let k = (
            Some(item.channel.id),
            Some(item.inbound.provider_id.clone()),
        );
        let m = by_key
            .remove(&k)
            .ok_or_else(|| StorageError::Setup("a batched message was not returned".into()))?;
        stored.push((f.item, m));
    }

    // Contacts: each points at its newest message of the batch.
    let mut latest: HashMap<i64, Latest> = HashMap::new();
    for (f, (_, m)) in fast.iter().zip(&stored) {
        let newest = Latest {
            message_id: m.id,
            channel_id: items[f.item].channel.id,
            opened: f.opened.then_some(f.conversation_id),
        };
        let e = latest.entry(f.contact.id).or_insert(newest);
        if m.id >= e.message_id {
            *e = newest;
        }
    }
    update_contacts(conn, &latest, now)?;

    let identity_ids = unique(fast.iter().filter_map(|f| f.identity_id));
    if !identity_ids.is_empty() {
        diesel::update(contact_channels::table.filter(contact_channels::id.eq_any(identity_ids)))
            .set(contact_channels::last_incoming_at.eq(now))
            .execute(conn)?;
    }

    events.extend(fast.iter().zip(&stored).map(|(f, (_, m))| outbox::Append {
        workspace_id: f.contact.workspace_id,
        event_type: "message.created",
        subject: ("contact", Some(f.contact.id)),
        payload: outbox::payload_of(m),
    }));
    outbox::append_many(conn, &events, now)?;
    Ok(stored)
}

/// What a contact's row is to point at after the batch.
#[derive(Clone, Copy)]
struct Latest {
    message_id: i64,
    channel_id: i64,
    /// The conversation the batch opened for it, if any.
    opened: Option<i64>,
}

/// The same change as a single incoming message makes, for many contacts in one statement
/// (`UPDATE … FROM (VALUES …)`, which both SQLite and PostgreSQL speak; only the placeholders
/// differ).
fn update_contacts(
    conn: &mut DbConn,
    latest: &HashMap<i64, Latest>,
    now: NaiveDateTime,
) -> StorageResult<()> {
    if latest.is_empty() {
        return Ok(());
    }
    let pg = matches!(conn, DbConn::Pg(_));
    // $1 and $2 are `now`; the VALUES rows follow.
    let (now_1, now_2) = if pg { ("$1", "$2") } else { ("?", "?") };
    let mut n = 2;
    let mut next = || {
        n += 1;
        if pg {
            format!("CAST(${n} AS BIGINT)")
        } else {
            "?".to_string()
        }
    };
    let values: Vec<String> = latest
        .iter()
        .map(|_| format!("({}, {}, {}, {})", next(), next(), next(), next()))
        .collect();
    // A conversation the batch opened becomes the contact's (column 4; NULL: unchanged).
    let sql = format!(
        "UPDATE contacts SET last_message_id = v.column2, last_incoming_message_id = v.column2, \
         last_interaction_at = {now_1}, last_channel_id = v.column3, \
         waiting_since = COALESCE(waiting_since, {now_2}), \
         conversation_id = COALESCE(v.column4, contacts.conversation_id), \
         conversation_status = CASE WHEN v.column4 IS NULL \
         THEN contacts.conversation_status ELSE '{OPEN}' END \
         FROM (VALUES {}) AS v WHERE contacts.id = v.column1",
        values.join(", ")
    );
    let mut q = diesel::sql_query(sql)
        .into_boxed::<<DbConn as diesel::Connection>::Backend>()
        .bind::<diesel::sql_types::Timestamp, _>(now)
        .bind::<diesel::sql_types::Timestamp, _>(now);
    for (contact_id, l) in latest {
        q = q
            .bind::<BigInt, _>(*contact_id)
            .bind::<BigInt, _>(l.message_id)
            .bind::<BigInt, _>(l.channel_id)
            .bind::<Nullable<BigInt>, _>(l.opened);
    }
    q.execute(conn)?;
    Ok(())
}
