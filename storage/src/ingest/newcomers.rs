//! Senders seen for the first time, in a batch: what [`messages::receive`] does for a new
//! contact's first message (create the contact and its identity, open a conversation, record
//! both in the activity history and the outbox), done for many with one statement each.
//!
//! The new rows' ids are taken before they are inserted, so every row is matched to its item
//! by id, never by the order in which RETURNING happens to give them back.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::{Fast, Item};
use crate::contacts::{ActorRef, Contact, ContactDetail, NewActivity, NewContact};
use crate::conversations::{opened_detail, Conversation, NewConversation};
use crate::db::per_backend;
use crate::messages;
use crate::schema::{contact_activity, contact_channels, contacts, conversations};
use crate::{outbox, DbConn, StorageError, StorageResult};

/// What a contact is as an actor, and the source of a conversation its message opens (as
/// [`messages::receive`] says them).
const SOURCE: &str = "contact";

/// Creates each item's contact, identity and open conversation; every item is the only one of
/// its sender in the batch. Returns the items as batched messages of those conversations, and
/// the creation's events, which go before those of the messages.
pub(super) fn create(
    conn: &mut DbConn,
    items: &[Item],
    newcomers: &[usize],
    now: NaiveDateTime,
) -> StorageResult<(Vec<Fast>, Vec<outbox::Append>)> {
    if newcomers.is_empty() {
        return Ok((vec![], vec![]));
    }
    let ids = next_ids(conn, newcomers.len())?;

    let rows: Vec<ContactRow> = newcomers
        .iter()
        .zip(&ids)
        .map(|(&i, ids)| ContactRow {
            id: ids.contact,
            row: NewContact::new(
                items[i].channel.workspace_id,
                messages::newcomer(&items[i].inbound),
                now,
            ),
        })
        .collect();
    let q = diesel::insert_into(contacts::table)
        .values(&rows)
        // `Contact`'s fields are in the table's column order.
        .returning(contacts::all_columns);
    let created: Vec<Contact> = per_backend!(conn, |c| q.get_results(c))?;
    let mut contacts_by_id: HashMap<i64, Contact> =
        created.into_iter().map(|c| (c.id, c)).collect();

    let identities: Vec<IdentityRow> = newcomers
        .iter()
        .zip(&ids)
        .map(|(&i, ids)| IdentityRow {
            workspace_id: items[i].channel.workspace_id,
            contact_id: ids.contact,
            channel_id: items[i].channel.id,
            external_id: &items[i].inbound.external_id,
            last_incoming_at: Some(now),
            created_at: now,
        })
        .collect();
    let q = diesel::insert_into(contact_channels::table).values(&identities);
    per_backend!(conn, |c| q.execute(c))?;

    let opened: Vec<ConversationRow> = newcomers
        .iter()
        .zip(&ids)
        .map(|(&i, ids)| ConversationRow {
            id: ids.conversation,
            row: NewConversation::new(
                items[i].channel.workspace_id,
                ids.contact,
                SOURCE,
                sender(ids.contact),
                now,
            ),
        })
        .collect();
    let q = diesel::insert_into(conversations::table)
        .values(&opened)
        // `Conversation`'s fields are in the table's column order.
        .returning(conversations::all_columns);
    let conversations: Vec<Conversation> = per_backend!(conn, |c| q.get_results(c))?;
    let mut conversations_by_id: HashMap<i64, Conversation> =
        conversations.into_iter().map(|c| (c.id, c)).collect();

    // The history, as one by one: "created" by the contact, then "conversation_opened".
    let created_rows = ids.iter().zip(newcomers).map(|(ids, &i)| {
        let (ws, contact) = (items[i].channel.workspace_id, ids.contact);
        let actor = ActorRef {
            kind: SOURCE,
            id: None,
        };
        NewActivity::new(ws, contact, "created", &serde_json::json!({}), actor, now)
    });
    let opened_rows = ids.iter().zip(newcomers).map(|(ids, &i)| {
        let (ws, contact) = (items[i].channel.workspace_id, ids.contact);
        let detail = opened_detail(ids.conversation, SOURCE);
        NewActivity::new(
            ws,
            contact,
            "conversation_opened",
            &detail,
            sender(contact),
            now,
        )
    });
    let activity: Vec<NewActivity> = created_rows.chain(opened_rows).collect();
    let q = diesel::insert_into(contact_activity::table).values(&activity);
    per_backend!(conn, |c| q.execute(c))?;

    let mut fast = Vec::with_capacity(newcomers.len());
    let mut contact_events = Vec::with_capacity(newcomers.len());
    let mut opened_events = Vec::with_capacity(newcomers.len());
    for (&item, ids) in newcomers.iter().zip(&ids) {
        let missing = || StorageError::Setup("a new contact's row was not returned".into());
        let contact = contacts_by_id.remove(&ids.contact).ok_or_else(missing)?;
        let conversation = conversations_by_id
            .remove(&ids.conversation)
            .ok_or_else(missing)?;
        let subject = ("contact", Some(contact.id));
        opened_events.push(outbox::Append {
            workspace_id: contact.workspace_id,
            event_type: "conversation.opened",
            subject,
            payload: outbox::payload_of(&conversation),
        });
        let detail = ContactDetail::bare(contact);
        contact_events.push(outbox::Append {
            workspace_id: detail.contact.workspace_id,
            event_type: "contact.created",
            subject,
            payload: outbox::payload_of(&detail),
        });
        fast.push(Fast {
            item,
            contact: detail.contact,
            identity_id: None,
            conversation_id: conversation.id,
            opened: true,
        });
    }
    // Each contact's events in the order one by one gives them: created, then opened.
    contact_events.extend(opened_events);
    Ok((fast, contact_events))
}

/// Who sends a new contact's first message (and so opens its conversation).
fn sender(contact_id: i64) -> ActorRef<'static> {
    ActorRef {
        kind: SOURCE,
        id: Some(contact_id),
    }
}

/// The ids a new contact and its first conversation get.
#[derive(QueryableByName)]
struct NextIds {
    #[diesel(sql_type = BigInt)]
    contact: i64,
    #[diesel(sql_type = BigInt)]
    conversation: i64,
}

/// `n` pairs of ids for new contacts and conversations, taken before the rows are inserted.
fn next_ids(conn: &mut DbConn, n: usize) -> StorageResult<Vec<NextIds>> {
    match conn {
        DbConn::Pg(c) => Ok(diesel::sql_query(
            "SELECT nextval(pg_get_serial_sequence('contacts', 'id')) AS contact, \
             nextval(pg_get_serial_sequence('conversations', 'id')) AS conversation \
             FROM generate_series(1, $1)",
        )
        .bind::<BigInt, _>(n as i64)
        .load(c)?),
        DbConn::Sqlite(c) => {
            // What SQLite itself would hand out: one past the largest id. The write
            // transaction this runs in keeps every other writer out until it commits.
            let last: NextIds = diesel::sql_query(
                "SELECT COALESCE(MAX(id), 0) AS contact, \
                 (SELECT COALESCE(MAX(id), 0) FROM conversations) AS conversation \
                 FROM contacts",
            )
            .get_result(c)?;
            Ok((1..=n as i64)
                .map(|i| NextIds {
                    contact: last.contact + i,
                    conversation: last.conversation + i,
                })
                .collect())
        }
    }
}

#[derive(Insertable)]
#[diesel(table_name = contacts)]
struct ContactRow {
    id: i64,
    #[diesel(embed)]
    row: NewContact,
}

#[derive(Insertable)]
#[diesel(table_name = contact_channels, treat_none_as_null = true)]
struct IdentityRow<'a> {
    workspace_id: i64,
    contact_id: i64,
    channel_id: i64,
    external_id: &'a str,
    last_incoming_at: Option<NaiveDateTime>,
    created_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = conversations)]
struct ConversationRow {
    id: i64,
    #[diesel(embed)]
    row: NewConversation<'static>,
}
