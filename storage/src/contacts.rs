//! Contacts: their standard fields, custom field values, tags, assignee and activity history,
//! with search and the visibility limits of restricted agents.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::per_backend;
use crate::schema::{
    channels, contact_activity, contact_channels, contact_field_values, contact_fields,
    contact_tags, contacts, memberships, tags, users,
};
use crate::{outbox, write_tx, DbConn, Page, StorageError, StorageResult};

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = contacts)]
pub struct Contact {
    pub id: i64,
    pub workspace_id: i64,
    pub first_name: String,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub language: Option<String>,
    pub country: Option<String>,
    pub profile_pic: Option<String>,
    pub assignee_id: Option<i64>,
    #[serde(skip)]
    pub search_name: String,
    #[serde(skip)]
    pub phone_digits: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub last_interaction_at: Option<NaiveDateTime>,
    /// The latest conversation and its status (`open`/`closed`; None: never had one).
    pub conversation_id: Option<i64>,
    pub conversation_status: Option<String>,
    pub last_message_id: Option<i64>,
    pub last_incoming_message_id: Option<i64>,
    /// Since when the contact waits for an answer.
    pub waiting_since: Option<NaiveDateTime>,
    /// The channel the contact last wrote on.
    pub last_channel_id: Option<i64>,
}

impl Contact {
    /// The open conversation, as the contact row names it (its latest, if open).
    pub fn open_conversation_id(&self) -> Option<i64> {
        self.conversation_id
            .filter(|_| self.conversation_status.as_deref() == Some(crate::conversations::OPEN))
    }
}

/// A contact with everything its API view shows.
#[derive(Debug, Clone, Serialize)]
pub struct ContactDetail {
    #[serde(flatten)]
    pub contact: Contact,
    pub tags: Vec<String>,
    pub fields: BTreeMap<String, String>,
    pub assignee_name: Option<String>,
    /// The contact's identities on channels.
    #[serde(skip)]
    pub channels: Vec<(crate::channels::ContactChannel, crate::channels::Channel)>,
    #[serde(skip)]
    pub open_conversation: Option<crate::conversations::Conversation>,
}

impl ContactDetail {
    /// A contact just created, with nothing attached yet.
    pub(crate) fn bare(contact: Contact) -> Self {
        ContactDetail {
            contact,
            tags: vec![],
            fields: BTreeMap::new(),
            assignee_name: None,
            channels: vec![],
            open_conversation: None,
        }
    }
}

/// How a route names a contact: `123`, `id:123`, `email:…`, `phone:+…`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContactRef {
    Id(i64),
    Email(String),
    Phone(String),
}

/// Which contacts a caller may see: all, or only those assigned to one of these users.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Visibility {
    All,
    AssignedTo(Vec<i64>),
}

/// Who made a change, for the activity history.
#[derive(Debug, Clone, Copy)]
pub struct ActorRef<'a> {
    pub kind: &'a str,
    pub id: Option<i64>,
}

/// The users whose contacts an agent with `contact_visibility` may see.
pub fn visibility_of(
    conn: &mut DbConn,
    workspace_id: i64,
    user_id: i64,
    mode: &str,
) -> StorageResult<Visibility> {
    match mode {
        "assigned" => Ok(Visibility::AssignedTo(vec![user_id])),
        "team" => {
            let team: Option<i64> = memberships::table
                .filter(memberships::workspace_id.eq(workspace_id))
                .filter(memberships::user_id.eq(user_id))
                .select(memberships::team_id)
                .first(conn)?;
            let mut ids = match team {
                Some(t) => memberships::table
                    .filter(memberships::team_id.eq(t))
                    .select(memberships::user_id)
                    .load::<i64>(conn)?,
                None => vec![],
            };
            if !ids.contains(&user_id) {
                ids.push(user_id);
            }
            Ok(Visibility::AssignedTo(ids))
        }
        _ => Ok(Visibility::All),
    }
}

/// Finds a contact the caller may see; anything else is "not found". E-mails and phones are
/// not unique, so the visibility limit is part of the lookup, not checked after it.
pub fn resolve(
    conn: &mut DbConn,
    workspace_id: i64,
    r: &ContactRef,
    v: &Visibility,
) -> StorageResult<Contact> {
    let mut q = contacts::table
        .filter(contacts::workspace_id.eq(workspace_id))
        .into_boxed();
    q = match r {
        ContactRef::Id(id) => q.filter(contacts::id.eq(*id)),
        ContactRef::Email(e) => q.filter(contacts::email.eq(e.clone())),
        ContactRef::Phone(p) => q.filter(contacts::phone.eq(p.clone())),
    };
    if let Visibility::AssignedTo(ids) = v {
        q = q.filter(contacts::assignee_id.eq_any(ids.clone()));
    }
    Ok(q.order(contacts::id.asc())
        .select(Contact::as_select())
        .first(conn)?)
}

/// Whether a contact is visible within `v` (false once it is gone).
pub fn is_visible(
    conn: &mut DbConn,
    workspace_id: i64,
    id: i64,
    v: &Visibility,
) -> StorageResult<bool> {
    match resolve(conn, workspace_id, &ContactRef::Id(id), v) {
        Ok(_) => Ok(true),
        Err(StorageError::NotFound) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Standard fields of a new or changed contact, already normalised by the caller.
/// `None` leaves a field as it is; `Some(None)` clears it (not allowed for `first_name`).
#[derive(Debug, Default, Clone)]
pub struct ContactChange {
    pub first_name: Option<String>,
    pub last_name: Option<Option<String>>,
    pub email: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    pub language: Option<Option<String>>,
    pub country: Option<Option<String>>,
    pub profile_pic: Option<Option<String>>,
}

/// A new contact's row: what [`create_in`] inserts, and the batched ingest for many at once.
#[derive(Insertable)]
#[diesel(table_name = contacts, treat_none_as_null = true)]
pub(crate) struct NewContact {
    workspace_id: i64,
    search_name: String,
    phone_digits: Option<String>,
    first_name: String,
    last_name: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    language: Option<String>,
    country: Option<String>,
    profile_pic: Option<String>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

impl NewContact {
    pub(crate) fn new(workspace_id: i64, change: ContactChange, now: NaiveDateTime) -> Self {
        let first_name = change.first_name.unwrap_or_default();
        let last_name = change.last_name.flatten();
        let phone = change.phone.flatten();
        NewContact {
            workspace_id,
            search_name: search_name(&first_name, last_name.as_deref()),
            phone_digits: digits(phone.as_deref()),
            first_name,
            last_name,
            email: change.email.flatten(),
            phone,
            language: change.language.flatten(),
            country: change.country.flatten(),
            profile_pic: change.profile_pic.flatten(),
            created_at: now,
            updated_at: now,
        }
    }
}

fn search_name(first: &str, last: Option<&str>) -> String {
    format!("{} {}", first, last.unwrap_or_default())
        .trim()
        .to_lowercase()
}

fn digits(phone: Option<&str>) -> Option<String> {
    phone.map(|p| p.chars().filter(char::is_ascii_digit).collect())
}

pub(crate) fn record(
    conn: &mut DbConn,
    c: &Contact,
    kind: &str,
    detail: serde_json::Value,
    actor: ActorRef,
    now: NaiveDateTime,
) -> StorageResult<()> {
    diesel::insert_into(contact_activity::table)
        .values(NewActivity::new(
            c.workspace_id,
            c.id,
            kind,
            &detail,
            actor,
            now,
        ))
        .execute(conn)?;
    Ok(())
}

/// An activity entry's row: what [`record`] inserts, and the batched ingest for many at once.
#[derive(Insertable)]
#[diesel(table_name = contact_activity, treat_none_as_null = true)]
pub(crate) struct NewActivity<'a> {
    workspace_id: i64,
    contact_id: i64,
    kind: &'a str,
    detail: String,
    actor_type: &'a str,
    actor_id: Option<i64>,
    created_at: NaiveDateTime,
}

impl<'a> NewActivity<'a> {
    pub(crate) fn new(
        workspace_id: i64,
        contact_id: i64,
        kind: &'a str,
        detail: &serde_json::Value,
        actor: ActorRef<'a>,
        now: NaiveDateTime,
    ) -> Self {
        NewActivity {
            workspace_id,
            contact_id,
            kind,
            detail: detail.to_string(),
            actor_type: actor.kind,
            actor_id: actor.id,
            created_at: now,
        }
    }
}

pub(crate) fn get(conn: &mut DbConn, workspace_id: i64, id: i64) -> StorageResult<Contact> {
    // A fixed statement (no ORDER BY / LIMIT): prepared once per connection, one index probe.
    Ok(contacts::table
        .find(id)
        .filter(contacts::workspace_id.eq(workspace_id))
        .select(Contact::as_select())
        .get_result(conn)?)
}

/// A checked custom field value for a contact; `value: None` clears it.
#[derive(Debug, Clone)]
pub struct FieldValue {
    pub field_id: i64,
    /// The field's key, for the activity history.
    pub key: String,
    pub value: Option<String>,
}

/// Sets custom field values and records each change.
fn set_fields(
    conn: &mut DbConn,
    c: &Contact,
    values: &[FieldValue],
    actor: ActorRef,
    now: NaiveDateTime,
) -> StorageResult<bool> {
    let mut changed = false;
    for FieldValue {
        field_id,
        key,
        value,
    } in values
    {
        let current: Option<String> = contact_field_values::table
            .filter(contact_field_values::contact_id.eq(c.id))
            .filter(contact_field_values::field_id.eq(field_id))
            .select(contact_field_values::value)
            .first(conn)
            .optional()?;
        if current == *value {
            continue;
        }
        diesel::delete(
            contact_field_values::table
                .filter(contact_field_values::contact_id.eq(c.id))
                .filter(contact_field_values::field_id.eq(field_id)),
        )
        .execute(conn)?;
        if let Some(v) = value {
            diesel::insert_into(contact_field_values::table)
                .values((
                    contact_field_values::workspace_id.eq(c.workspace_id),
                    contact_field_values::contact_id.eq(c.id),
                    contact_field_values::field_id.eq(field_id),
                    contact_field_values::value.eq(v),
                ))
                .execute(conn)?;
        }
        record(
            conn,
            c,
            "field_changed",
            serde_json::json!({"field": key, "from": current, "to": value}),
            actor,
            now,
        )?;
        changed = true;
    }
    Ok(changed)
}

/// Adds tags (created in the workspace when new); returns the names actually added.
fn add_tags_to(
    conn: &mut DbConn,
    c: &Contact,
    names: &[String],
    actor: ActorRef,
    now: NaiveDateTime,
) -> StorageResult<Vec<String>> {
    let mut added = vec![];
    for tag in crate::tags::ensure(conn, c.workspace_id, names, now)? {
        let has: i64 = contact_tags::table
            .filter(contact_tags::contact_id.eq(c.id))
            .filter(contact_tags::tag_id.eq(tag.id))
            .count()
            .get_result(conn)?;
        if has == 0 {
            diesel::insert_into(contact_tags::table)
                .values((
                    contact_tags::workspace_id.eq(c.workspace_id),
                    contact_tags::contact_id.eq(c.id),
                    contact_tags::tag_id.eq(tag.id),
                    contact_tags::created_at.eq(now),
                ))
                .execute(conn)?;
            record(
                conn,
                c,
                "tag_added",
                serde_json::json!({"tag": tag.name}),
                actor,
                now,
            )?;
            added.push(tag.name);
        }
    }
    Ok(added)
}

/// Creates a contact with its custom values and tags.
pub fn create(
    conn: &mut DbConn,
    workspace_id: i64,
    change: ContactChange,
    fields: &[FieldValue],
    tag_names: &[String],
    actor: ActorRef,
    now: NaiveDateTime,
) -> StorageResult<ContactDetail> {
    write_tx(conn, |conn| {
        create_in(conn, workspace_id, change, fields, tag_names, actor, now)
    })
}

/// [`create`] inside the caller's transaction (no savepoint of its own: a failure here fails
/// the caller's whole transaction, as it should for a contact made by an inbound message).
pub(crate) fn create_in(
    conn: &mut DbConn,
    workspace_id: i64,
    change: ContactChange,
    fields: &[FieldValue],
    tag_names: &[String],
    actor: ActorRef,
    now: NaiveDateTime,
) -> StorageResult<ContactDetail> {
    let contact: Contact = diesel::insert_into(contacts::table)
        .values(NewContact::new(workspace_id, change, now))
        // `Contact`'s fields are in the table's column order.
        .returning(contacts::all_columns)
        .get_result(conn)?;
    let id = contact.id;
    record(conn, &contact, "created", serde_json::json!({}), actor, now)?;
    let detail = if fields.is_empty() && tag_names.is_empty() {
        // Nothing else is attached yet (contacts from inbound messages): no need to ask.
        ContactDetail::bare(contact)
    } else {
        set_fields(conn, &contact, fields, actor, now)?;
        add_tags_to(conn, &contact, tag_names, actor, now)?;
        details(conn, vec![contact])?.remove(0)
    };
    outbox::append(
        conn,
        workspace_id,
        "contact.created",
        ("contact", Some(id)),
        &detail,
        now,
    )?;
    Ok(detail)
}

/// Applies a change of standard and custom fields, recording what changed.
pub fn update(
    conn: &mut DbConn,
    workspace_id: i64,
    id: i64,
    change: ContactChange,
    fields: &[FieldValue],
    actor: ActorRef,
    now: NaiveDateTime,
) -> StorageResult<ContactDetail> {
    write_tx(conn, |conn| {
        let before = get(conn, workspace_id, id)?;
        let first = change
            .first_name
            .clone()
            .unwrap_or(before.first_name.clone());
        let pick =
            |new: Option<Option<String>>, old: &Option<String>| new.unwrap_or_else(|| old.clone());
        let last = pick(change.last_name, &before.last_name);
        let email = pick(change.email, &before.email);
        let phone = pick(change.phone, &before.phone);
        let language = pick(change.language, &before.language);
        let country = pick(change.country, &before.country);
        let profile_pic = pick(change.profile_pic, &before.profile_pic);
        let standard = [
            (
                "first_name",
                Some(before.first_name.clone()),
                Some(first.clone()),
            ),
            ("last_name", before.last_name.clone(), last.clone()),
            ("email", before.email.clone(), email.clone()),
            ("phone", before.phone.clone(), phone.clone()),
            ("language", before.language.clone(), language.clone()),
            ("country", before.country.clone(), country.clone()),
            (
                "profile_pic",
                before.profile_pic.clone(),
                profile_pic.clone(),
            ),
        ];
        let mut changed = false;
        for (field, from, to) in standard {
            if from != to {
                record(
                    conn,
                    &before,
                    "field_changed",
                    serde_json::json!({"field": field, "from": from, "to": to}),
                    actor,
                    now,
                )?;
                changed = true;
            }
        }
        diesel::update(contacts::table.find(id))
            .set((
                contacts::search_name.eq(search_name(&first, last.as_deref())),
                contacts::phone_digits.eq(digits(phone.as_deref())),
                contacts::first_name.eq(first),
                contacts::last_name.eq(last),
                contacts::email.eq(email),
                contacts::phone.eq(phone),
                contacts::language.eq(language),
                contacts::country.eq(country),
                contacts::profile_pic.eq(profile_pic),
                contacts::updated_at.eq(now),
            ))
            .execute(conn)?;
        changed |= set_fields(conn, &before, fields, actor, now)?;
        let fresh = get(conn, workspace_id, id)?;
        let detail = details(conn, vec![fresh])?.remove(0);
        if changed {
            outbox::append(
                conn,
                workspace_id,
                "contact.updated",
                ("contact", Some(id)),
                &detail,
                now,
            )?;
        }
        Ok(detail)
    })
}

/// Adds or removes tags; emits `contact.tag.updated` when something changed.
pub fn change_tags(
    conn: &mut DbConn,
    workspace_id: i64,
    id: i64,
    names: &[String],
    add: bool,
    actor: ActorRef,
    now: NaiveDateTime,
) -> StorageResult<ContactDetail> {
    write_tx(conn, |conn| {
        let contact = get(conn, workspace_id, id)?;
        let changed = if add {
            add_tags_to(conn, &contact, names, actor, now)?
        } else {
            let mut removed = vec![];
            for name in names {
                if let Some(tag) = crate::tags::find(conn, workspace_id, name)? {
                    let n = diesel::delete(
                        contact_tags::table
                            .filter(contact_tags::contact_id.eq(id))
                            .filter(contact_tags::tag_id.eq(tag.id)),
                    )
                    .execute(conn)?;
                    if n > 0 {
                        record(
                            conn,
                            &contact,
                            "tag_removed",
                            serde_json::json!({"tag": tag.name}),
                            actor,
                            now,
                        )?;
                        removed.push(tag.name);
                    }
                }
            }
            removed
        };
        let detail = details(conn, vec![contact])?.remove(0);
        if !changed.is_empty() {
            let payload = serde_json::json!({
                "contact_id": id,
                "added": if add { changed.clone() } else { vec![] },
                "removed": if add { vec![] } else { changed.clone() },
                "tags": detail.tags,
            });
            outbox::append(
                conn,
                workspace_id,
                "contact.tag.updated",
                ("contact", Some(id)),
                &payload,
                now,
            )?;
        }
        Ok(detail)
    })
}

/// Assigns the contact to a member of the workspace, or unassigns it (`None`).
pub fn set_assignee(
    conn: &mut DbConn,
    workspace_id: i64,
    id: i64,
    assignee: Option<i64>,
    actor: ActorRef,
    now: NaiveDateTime,
) -> StorageResult<ContactDetail> {
    write_tx(conn, |conn| {
        let contact = get(conn, workspace_id, id)?;
        if let Some(user_id) = assignee {
            if !crate::accounts::is_member(conn, workspace_id, user_id)? {
                return Err(
                    domain::Invalid::one("user_id", "is not a member of this workspace").into(),
                );
            }
        }
        if contact.assignee_id == assignee {
            return Ok(details(conn, vec![contact])?.remove(0));
        }
        diesel::update(contacts::table.find(id))
            .set((
                contacts::assignee_id.eq(assignee),
                contacts::updated_at.eq(now),
            ))
            .execute(conn)?;
        announce_assignment(conn, &contact, assignee, actor, now)
    })
}

/// After `contact`'s assignee changed to `to`: the history entry, the event, and a
/// notification for the new assignee unless they took the contact themselves.
fn announce_assignment(
    conn: &mut DbConn,
    contact: &Contact,
    to: Option<i64>,
    actor: ActorRef,
    now: NaiveDateTime,
) -> StorageResult<ContactDetail> {
    let (workspace_id, id, from) = (contact.workspace_id, contact.id, contact.assignee_id);
    let kind = if to.is_some() {
        "assigned"
    } else {
        "unassigned"
    };
    record(
        conn,
        contact,
        kind,
        serde_json::json!({"from": from, "to": to}),
        actor,
        now,
    )?;
    let fresh = get(conn, workspace_id, id)?;
    let detail = details(conn, vec![fresh])?.remove(0);
    let payload = serde_json::json!({"contact_id": id, "from": from, "to": to, "contact": &detail});
    outbox::append(
        conn,
        workspace_id,
        "contact.assignee.updated",
        ("contact", Some(id)),
        &payload,
        now,
    )?;
    if let Some(user_id) = to {
        if !(actor.kind == "user" && actor.id == Some(user_id)) {
            let c = &detail.contact;
            let name = format!(
                "{} {}",
                c.first_name,
                c.last_name.as_deref().unwrap_or_default()
            );
            crate::notifications::create(
                conn,
                workspace_id,
                user_id,
                "assigned",
                Some(id),
                actor,
                &serde_json::json!({"contact_name": name.trim()}),
                now,
            )?;
        }
    }
    Ok(detail)
}

/// Assigns an unassigned contact to `user_id` (a replier taking the thread); does nothing
/// if someone else took it meanwhile. Returns whether it assigned.
pub fn assign_if_unassigned(
    conn: &mut DbConn,
    workspace_id: i64,
    id: i64,
    user_id: i64,
    actor: ActorRef,
    now: NaiveDateTime,
) -> StorageResult<bool> {
    write_tx(conn, |conn| {
        let contact = get(conn, workspace_id, id)?;
        let taken = diesel::update(
            contacts::table
                .find(id)
                .filter(contacts::assignee_id.is_null()),
        )
        .set((
            contacts::assignee_id.eq(user_id),
            contacts::updated_at.eq(now),
        ))
        .execute(conn)?;
        if taken == 0 {
            return Ok(false);
        }
        announce_assignment(conn, &contact, Some(user_id), actor, now)?;
        Ok(true)
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
        diesel::delete(contacts::table.find(id)).execute(conn)?;
        outbox::append(
            conn,
            workspace_id,
            "contact.deleted",
            ("contact", Some(id)),
            &serde_json::json!({"id": id}),
            now,
        )?;
        Ok(())
    })
}

/// Tags, custom values, assignee names, identities and open conversations of many contacts,
/// in a fixed handful of queries however many contacts there are.
pub fn details(conn: &mut DbConn, list: Vec<Contact>) -> StorageResult<Vec<ContactDetail>> {
    let ids: Vec<i64> = list.iter().map(|c| c.id).collect();
    // Tags (no key) and field values in one statement; tags keep the order they were added in.
    let tag_rows = contact_tags::table
        .inner_join(tags::table)
        .filter(contact_tags::contact_id.eq_any(&ids))
        .select((
            contact_tags::contact_id,
            contact_tags::id,
            None::<String>.into_sql::<diesel::sql_types::Nullable<diesel::sql_types::Text>>(),
            tags::name,
        ));
    let field_rows = contact_field_values::table
        .inner_join(contact_fields::table)
        .filter(contact_field_values::contact_id.eq_any(&ids))
        .select((
            contact_field_values::contact_id,
            contact_field_values::id,
            contact_fields::field_key.nullable(),
            contact_field_values::value,
        ));
    let both = tag_rows.union_all(field_rows);
    let mut rows: Vec<(i64, i64, Option<String>, String)> = per_backend!(conn, |c| both.load(c))?;
    rows.sort_unstable_by_key(|(_, id, key, _)| (key.is_some(), *id));
    let mut tags_of: HashMap<i64, Vec<String>> = HashMap::new();
    let mut fields_of: HashMap<i64, BTreeMap<String, String>> = HashMap::new();
    for (contact_id, _, key, value) in rows {
        match key {
            None => tags_of.entry(contact_id).or_default().push(value),
            Some(key) => {
                fields_of.entry(contact_id).or_default().insert(key, value);
            }
        }
    }
    let assignee_ids: Vec<i64> = list.iter().filter_map(|c| c.assignee_id).collect();
    let names: HashMap<i64, String> = if assignee_ids.is_empty() {
        HashMap::new()
    } else {
        users::table
            .filter(users::id.eq_any(&assignee_ids))
            .select((users::id, users::name))
            .load::<(i64, String)>(conn)?
            .into_iter()
            .collect()
    };
    let mut channels_of: HashMap<i64, Vec<_>> = HashMap::new();
    for (identity, channel) in contact_channels::table
        .inner_join(channels::table)
        .filter(contact_channels::contact_id.eq_any(&ids))
        .order(contact_channels::id.asc())
        .select((
            crate::channels::ContactChannel::as_select(),
            crate::channels::Channel::as_select(),
        ))
        .load::<(crate::channels::ContactChannel, crate::channels::Channel)>(conn)?
    {
        channels_of
            .entry(identity.contact_id)
            .or_default()
            .push((identity, channel));
    }
    let open_ids: Vec<i64> = list
        .iter()
        .filter_map(Contact::open_conversation_id)
        .collect();
    let mut open_of: HashMap<i64, crate::conversations::Conversation> =
        crate::conversations::many(conn, &open_ids)?
            .into_iter()
            .map(|c| (c.contact_id, c))
            .collect();
    Ok(list
        .into_iter()
        .map(|c| ContactDetail {
            channels: channels_of.remove(&c.id).unwrap_or_default(),
            open_conversation: open_of.remove(&c.id),
            tags: tags_of.remove(&c.id).unwrap_or_default(),
            fields: fields_of.remove(&c.id).unwrap_or_default(),
            assignee_name: c.assignee_id.and_then(|a| names.get(&a).cloned()),
            contact: c,
        })
        .collect())
}

/// `?assignee=` of the contact list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssigneeFilter {
    Unassigned,
    User(i64),
}

/// What the contact list is narrowed to.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Lower-cased text matched within names.
    pub name_like: Option<String>,
    /// Digits matched within phone numbers.
    pub phone_digits: Option<String>,
    pub email: Option<String>,
    pub id: Option<i64>,
    pub tag: Option<String>,
    pub assignee: Option<AssigneeFilter>,
}

pub(crate) type BoxedContacts<'a> = contacts::BoxedQuery<'a, crate::db::MultiBackend>;

/// Narrows a contact query to the filter's search terms (alternatives), tag and assignee.
pub(crate) fn apply_filter<'a>(
    mut q: BoxedContacts<'a>,
    filter: &ListFilter,
    workspace_id: i64,
    sqlite: bool,
) -> BoxedContacts<'a> {
    if let Some(search) = crate::search::condition(filter, workspace_id, sqlite) {
        q = q.filter(search);
    }
    if let Some(tag) = &filter.tag {
        let tagged = contact_tags::table
            .inner_join(tags::table)
            .filter(tags::workspace_id.eq(workspace_id))
            .filter(tags::name_key.eq(tag.to_lowercase()))
            .select(contact_tags::contact_id);
        q = q.filter(contacts::id.eq_any(tagged));
    }
    match filter.assignee {
        Some(AssigneeFilter::Unassigned) => q = q.filter(contacts::assignee_id.is_null()),
        Some(AssigneeFilter::User(u)) => q = q.filter(contacts::assignee_id.eq(u)),
        None => {}
    }
    q
}

/// Contacts in id order matching the filter (search terms are alternatives), within visibility.
pub fn list(
    conn: &mut DbConn,
    workspace_id: i64,
    filter: &ListFilter,
    visibility: &Visibility,
    after_id: i64,
    limit: i64,
) -> StorageResult<Page<ContactDetail>> {
    let mut q = contacts::table
        .filter(contacts::workspace_id.eq(workspace_id))
        .filter(contacts::id.gt(after_id))
        .into_boxed();
    q = apply_filter(q, filter, workspace_id, conn.is_sqlite());
    if let Visibility::AssignedTo(ids) = visibility {
        q = q.filter(contacts::assignee_id.eq_any(ids.clone()));
    }
    let rows = q
        .order(contacts::id.asc())
        .limit(limit + 1)
        .select(Contact::as_select())
        .load(conn)?;
    let page = Page::from_rows(rows, limit, |c: &Contact| c.id);
    Ok(Page {
        items: details(conn, page.items)?,
        next_after: page.next_after,
    })
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = contact_activity)]
pub struct Activity {
    pub id: i64,
    pub workspace_id: i64,
    pub contact_id: i64,
    pub kind: String,
    pub detail: String,
    pub actor_type: String,
    pub actor_id: Option<i64>,
    pub created_at: NaiveDateTime,
}

/// A contact's history, newest first, `limit` before `before_id`.
pub fn activity(
    conn: &mut DbConn,
    contact_id: i64,
    before_id: i64,
    limit: i64,
) -> StorageResult<Page<Activity>> {
    let rows = contact_activity::table
        .filter(contact_activity::contact_id.eq(contact_id))
        .filter(contact_activity::id.lt(before_id))
        .order(contact_activity::id.desc())
        .limit(limit + 1)
        .select(Activity::as_select())
        .load(conn)?;
    Ok(Page::from_rows(rows, limit, |a: &Activity| a.id))
}
