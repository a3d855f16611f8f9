//! Merging two contacts that are one person, and finding candidates (same e-mail or phone).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use domain::closing::ClosingNote;

use crate::contacts::{self, ActorRef, Contact, ContactChange, ContactDetail, Visibility};
use crate::conversations::{self, Closing};
use crate::schema::{
    comments, contact_activity, contact_channels, contact_field_values, contact_reads,
    contact_tags, contacts as c, conversations as conv_t, messages, notifications, tags,
};
use crate::{outbox, write_tx, DbConn, StorageError, StorageResult};

/// Folds `secondary` into `primary`: the primary keeps its values and takes the secondary's
/// channels, messages, conversations, notes, history, tags and the fields it lacks; the
/// secondary's open conversation is closed with source `merge`, then the secondary is gone.
pub fn merge(
    conn: &mut DbConn,
    workspace_id: i64,
    primary_id: i64,
    secondary_id: i64,
    actor: ActorRef,
    now: NaiveDateTime,
) -> StorageResult<ContactDetail> {
    if primary_id == secondary_id {
        return Err(domain::Invalid::one("secondary", "must differ from primary").into());
    }
    write_tx(conn, |conn| {
        let primary = contacts::get(conn, workspace_id, primary_id)?;
        let secondary = contacts::get(conn, workspace_id, secondary_id)?;
        if conversations::open_of(conn, secondary.id)?.is_some() {
            let closing = Closing {
                source: "merge".into(),
                note: ClosingNote::default(),
                unassign: false,
            };
            conversations::close_in(conn, &secondary, &closing, actor, now)?;
        }
        let secondary = contacts::get(conn, workspace_id, secondary_id)?;
        let (p, s) = (primary.id, secondary.id);
        diesel::update(contact_channels::table.filter(contact_channels::contact_id.eq(s)))
            .set(contact_channels::contact_id.eq(p))
            .execute(conn)?;
        diesel::update(messages::table.filter(messages::contact_id.eq(s)))
            .set(messages::contact_id.eq(p))
            .execute(conn)?;
        diesel::update(conv_t::table.filter(conv_t::contact_id.eq(s)))
            .set(conv_t::contact_id.eq(p))
            .execute(conn)?;
        diesel::update(comments::table.filter(comments::contact_id.eq(s)))
            .set(comments::contact_id.eq(p))
            .execute(conn)?;
        diesel::update(contact_activity::table.filter(contact_activity::contact_id.eq(s)))
            .set(contact_activity::contact_id.eq(p))
            .execute(conn)?;
        diesel::update(notifications::table.filter(notifications::contact_id.eq(s)))
            .set(notifications::contact_id.eq(p))
            .execute(conn)?;
        diesel::delete(contact_reads::table.filter(contact_reads::contact_id.eq(s)))
            .execute(conn)?;

        // Tags and custom values the primary lacks.
        let tag_names: Vec<String> = contact_tags::table
            .inner_join(tags::table)
            .filter(contact_tags::contact_id.eq(s))
            .select(tags::name)
            .load(conn)?;
        let have_fields: Vec<i64> = contact_field_values::table
            .filter(contact_field_values::contact_id.eq(p))
            .select(contact_field_values::field_id)
            .load(conn)?;
        diesel::update(
            contact_field_values::table
                .filter(contact_field_values::contact_id.eq(s))
                .filter(contact_field_values::field_id.ne_all(have_fields)),
        )
        .set(contact_field_values::contact_id.eq(p))
        .execute(conn)?;

        // Standard fields the primary lacks.
        let take = |mine: &Option<String>, theirs: &Option<String>| {
            (mine.is_none() && theirs.is_some()).then(|| theirs.clone())
        };
        let change = ContactChange {
            first_name: None,
            last_name: take(&primary.last_name, &secondary.last_name),
            email: take(&primary.email, &secondary.email),
            phone: take(&primary.phone, &secondary.phone),
            language: take(&primary.language, &secondary.language),
            country: take(&primary.country, &secondary.country),
            profile_pic: take(&primary.profile_pic, &secondary.profile_pic),
        };

        diesel::delete(c::table.find(s)).execute(conn)?;
        contacts::record(
            conn,
            &primary,
            "merged",
            serde_json::json!({
                "secondary_id": s,
                "secondary_name": format!("{} {}", secondary.first_name, secondary.last_name.clone().unwrap_or_default()).trim(),
            }),
            actor,
            now,
        )?;
        contacts::update(conn, workspace_id, p, change, &[], actor, now)?;
        if !tag_names.is_empty() {
            contacts::change_tags(conn, workspace_id, p, &tag_names, true, actor, now)?;
        }
        if primary.assignee_id.is_none() && secondary.assignee_id.is_some() {
            contacts::set_assignee(conn, workspace_id, p, secondary.assignee_id, actor, now)?;
        }
        refresh_thread(conn, &primary, &secondary)?;
        let fresh = contacts::get(conn, workspace_id, p)?;
        let detail = contacts::details(conn, vec![fresh])?.remove(0);
        outbox::append(
            conn,
            workspace_id,
            "contact.merged",
            ("contact", Some(p)),
            &serde_json::json!({"primary_id": p, "secondary_id": s, "contact": &detail}),
            now,
        )?;
        outbox::append(
            conn,
            workspace_id,
            "contact.deleted",
            ("contact", Some(s)),
            &serde_json::json!({"id": s, "merged_into": p}),
            now,
        )?;
        Ok(detail)
    })
}

/// Recomputes the primary's thread state from the history it now holds.
fn refresh_thread(conn: &mut DbConn, primary: &Contact, secondary: &Contact) -> StorageResult<()> {
    let p = primary.id;
    let latest: Option<(i64, String)> = conv_t::table
        .filter(conv_t::contact_id.eq(p))
        .order((conv_t::status.desc(), conv_t::id.desc())) // 'open' sorts after 'closed'
        .select((conv_t::id, conv_t::status))
        .first(conn)
        .optional()?;
    let last: Option<(i64, String, NaiveDateTime, Option<i64>)> = messages::table
        .filter(messages::contact_id.eq(p))
        .order(messages::id.desc())
        .select((
            messages::id,
            messages::direction,
            messages::created_at,
            messages::channel_id,
        ))
        .first(conn)
        .optional()?;
    let last_incoming: Option<(i64, Option<i64>)> = messages::table
        .filter(messages::contact_id.eq(p))
        .filter(messages::direction.eq(crate::messages::INCOMING))
        .order(messages::id.desc())
        .select((messages::id, messages::channel_id))
        .first(conn)
        .optional()?;
    let waiting = match &last {
        Some((_, dir, _, _)) if dir == crate::messages::INCOMING => {
            match (primary.waiting_since, secondary.waiting_since) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            }
        }
        _ => None,
    };
    let interaction = match (primary.last_interaction_at, secondary.last_interaction_at) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    diesel::update(c::table.find(p))
        .set((
            c::conversation_id.eq(latest.as_ref().map(|l| l.0)),
            c::conversation_status.eq(latest.map(|l| l.1)),
            c::last_message_id.eq(last.as_ref().map(|l| l.0)),
            c::last_incoming_message_id.eq(last_incoming.map(|l| l.0)),
            c::last_channel_id.eq(last_incoming.and_then(|l| l.1)),
            c::waiting_since.eq(waiting),
            c::last_interaction_at.eq(interaction),
        ))
        .execute(conn)?;
    Ok(())
}

/// Pairs of visible contacts sharing an e-mail or phone number, oldest first, at most `limit`.
pub fn suggestions(
    conn: &mut DbConn,
    workspace_id: i64,
    visibility: &Visibility,
    limit: i64,
) -> StorageResult<Vec<(ContactDetail, ContactDetail, &'static str)>> {
    let other = diesel::alias!(c as other);
    let mut q = c::table
        .inner_join(
            other.on(other
                .field(c::workspace_id)
                .eq(c::workspace_id)
                .and(other.field(c::id).gt(c::id))
                .and(
                    other
                        .field(c::email)
                        .eq(c::email)
                        .or(other.field(c::phone).eq(c::phone)),
                )),
        )
        .filter(c::workspace_id.eq(workspace_id))
        .into_boxed();
    if let Visibility::AssignedTo(ids) = visibility {
        q = q
            .filter(c::assignee_id.eq_any(ids.clone()))
            .filter(other.field(c::assignee_id).eq_any(ids.clone()));
    }
    let pairs: Vec<(i64, i64)> = q
        .order((c::id.asc(), other.field(c::id).asc()))
        .limit(limit)
        .select((c::id, other.field(c::id)))
        .load(conn)?;
    let mut ids: Vec<i64> = pairs.iter().flat_map(|(a, b)| [*a, *b]).collect();
    ids.sort_unstable();
    ids.dedup();
    let list: Vec<Contact> = c::table
        .filter(c::id.eq_any(&ids))
        .select(Contact::as_select())
        .load(conn)?;
    let details = contacts::details(conn, list)?;
    let find = |id: i64| {
        details
            .iter()
            .find(|d| d.contact.id == id)
            .cloned()
            .ok_or(StorageError::NotFound)
    };
    pairs
        .into_iter()
        .map(|(a, b)| {
            let (a, b) = (find(a)?, find(b)?);
            let reason = if a.contact.email.is_some() && a.contact.email == b.contact.email {
                "email"
            } else {
                "phone"
            };
            Ok((a, b, reason))
        })
        .collect()
}
