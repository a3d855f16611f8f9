//! The inbox: one row per contact thread, read from the thread state kept on `contacts`
//! (indexed by workspace, status, assignee and last interaction), with per-user read marks.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::contacts::{self, AssigneeFilter, ContactDetail, ListFilter, Visibility};
use crate::conversations::{self, Conversation};
use crate::messages::Message;
use crate::schema::{contact_channels, contact_reads, contacts as c, memberships, messages as m};
use crate::{DbConn, StorageResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Open,
    Closed,
    All,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    /// Latest interaction first.
    Newest,
    Oldest,
    /// Threads awaiting an answer, the longest waiting first.
    WaitingLongest,
}

#[derive(Debug, Clone)]
pub struct Filter {
    pub status: Status,
    pub assignee: Option<AssigneeFilter>,
    pub team: Option<i64>,
    pub channel: Option<i64>,
    /// Tag and search terms, as the contact list takes them.
    pub contacts: ListFilter,
    pub sort: Sort,
}

/// Where the previous page ended: the sort time and the contact id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub at: NaiveDateTime,
    pub id: i64,
}

pub struct Row {
    pub contact: ContactDetail,
    pub conversation: Option<Conversation>,
    pub last_message: Option<Message>,
    pub unread: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub all: i64,
    pub mine: i64,
    pub unassigned: i64,
}

type Boxed<'a> = c::BoxedQuery<'a, crate::db::MultiBackend>;

/// The contacts with a thread that the filter and visibility let through.
fn scoped<'a>(
    conn: &mut DbConn,
    workspace_id: i64,
    f: &'a Filter,
    visibility: &Visibility,
) -> StorageResult<Boxed<'a>> {
    let mut q = c::table
        .filter(c::workspace_id.eq(workspace_id))
        .filter(c::conversation_status.is_not_null())
        .into_boxed();
    q = match f.status {
        Status::Open => q.filter(c::conversation_status.eq(conversations::OPEN)),
        Status::Closed => q.filter(c::conversation_status.eq(conversations::CLOSED)),
        Status::All => q,
    };
    match f.assignee {
        Some(AssigneeFilter::Unassigned) => q = q.filter(c::assignee_id.is_null()),
        Some(AssigneeFilter::User(u)) => q = q.filter(c::assignee_id.eq(u)),
        None => {}
    }
    if let Some(team) = f.team {
        let members: Vec<i64> = memberships::table
            .filter(memberships::workspace_id.eq(workspace_id))
            .filter(memberships::team_id.eq(team))
            .select(memberships::user_id)
            .load(conn)?;
        q = q.filter(c::assignee_id.eq_any(members));
    }
    if let Some(channel) = f.channel {
        let on_channel = contact_channels::table
            .filter(contact_channels::channel_id.eq(channel))
            .select(contact_channels::contact_id);
        q = q.filter(c::id.eq_any(on_channel));
    }
    if let Visibility::AssignedTo(ids) = visibility {
        q = q.filter(c::assignee_id.eq_any(ids.clone()));
    }
    let sqlite = conn.is_sqlite();
    Ok(contacts::apply_filter(q, &f.contacts, workspace_id, sqlite))
}

/// One page of threads and the cursor of the next.
pub fn list(
    conn: &mut DbConn,
    workspace_id: i64,
    user_id: Option<i64>,
    f: &Filter,
    visibility: &Visibility,
    after: Option<Cursor>,
    limit: i64,
) -> StorageResult<(Vec<Row>, Option<Cursor>)> {
    let mut q = scoped(conn, workspace_id, f, visibility)?;
    let descending = f.sort == Sort::Newest;
    // The same keyset logic over whichever time column the sort uses.
    macro_rules! keyset {
        ($time:expr) => {{
            q = q.filter($time.is_not_null());
            if let Some(cur) = after {
                q = if descending {
                    q.filter(
                        $time
                            .lt(cur.at)
                            .or($time.eq(cur.at).and(c::id.lt(cur.id)))
                            .assume_not_null(),
                    )
                } else {
                    q.filter(
                        $time
                            .gt(cur.at)
                            .or($time.eq(cur.at).and(c::id.gt(cur.id)))
                            .assume_not_null(),
                    )
                };
            }
            q = if descending {
                q.order(($time.desc(), c::id.desc()))
            } else {
                q.order(($time.asc(), c::id.asc()))
            };
        }};
    }
    match f.sort {
        Sort::WaitingLongest => keyset!(c::waiting_since),
        _ => keyset!(c::last_interaction_at),
    }
    let mut rows: Vec<contacts::Contact> = q
        .limit(limit + 1)
        .select(contacts::Contact::as_select())
        .load(conn)?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit.max(0) as usize);
    let next = if more {
        rows.last().and_then(|r| {
            let at = match f.sort {
                Sort::WaitingLongest => r.waiting_since,
                _ => r.last_interaction_at,
            };
            at.map(|at| Cursor { at, id: r.id })
        })
    } else {
        None
    };
    // Open conversations come with the contact details; only closed ones are loaded here.
    let conversation_ids: Vec<i64> = rows
        .iter()
        .filter(|r| r.conversation_status.as_deref() == Some(conversations::CLOSED))
        .filter_map(|r| r.conversation_id)
        .collect();
    let message_ids: Vec<i64> = rows.iter().filter_map(|r| r.last_message_id).collect();
    let mut conversations: HashMap<i64, Conversation> =
        conversations::many(conn, &conversation_ids)?
            .into_iter()
            .map(|x| (x.id, x))
            .collect();
    // The last messages and the caller's read marks of their threads in one statement. A
    // thread without messages has nothing unread, so no mark of it is missed.
    let mut last: HashMap<i64, Message> = HashMap::new();
    let mut read: HashMap<i64, i64> = HashMap::new();
    if !message_ids.is_empty() {
        let marks = contact_reads::table.on(contact_reads::contact_id
            .eq(m::contact_id)
            .and(contact_reads::user_id.nullable().eq(user_id)));
        for (message, mark) in m::table
            .left_join(marks)
            .filter(m::id.eq_any(&message_ids))
            .select((
                Message::as_select(),
                contact_reads::last_read_message_id.nullable(),
            ))
            .load::<(Message, Option<i64>)>(conn)?
        {
            if let Some(mark) = mark {
                read.insert(message.contact_id, mark);
            }
            last.insert(message.id, message);
        }
    }
    let details = contacts::details(conn, rows)?;
    let out = details
        .into_iter()
        .map(|d| {
            let contact = &d.contact;
            let unread = user_id.is_some()
                && match contact.last_incoming_message_id {
                    Some(m) => m > read.get(&contact.id).copied().unwrap_or(0),
                    None => false,
                };
            Row {
                conversation: contact
                    .conversation_id
                    .and_then(|id| conversations.remove(&id))
                    .or_else(|| d.open_conversation.clone()),
                last_message: contact.last_message_id.and_then(|id| last.remove(&id)),
                unread,
                contact: d,
            }
        })
        .collect();
    Ok((out, next))
}

/// Open threads in the default views, within the caller's visibility.
pub fn counts(
    conn: &mut DbConn,
    workspace_id: i64,
    user_id: Option<i64>,
    visibility: &Visibility,
) -> StorageResult<Counts> {
    let open = |conn: &mut DbConn, assignee: Option<AssigneeFilter>| -> StorageResult<i64> {
        let mut q = c::table
            .filter(c::workspace_id.eq(workspace_id))
            .filter(c::conversation_status.eq(conversations::OPEN))
            .into_boxed();
        match assignee {
            Some(AssigneeFilter::Unassigned) => q = q.filter(c::assignee_id.is_null()),
            Some(AssigneeFilter::User(u)) => q = q.filter(c::assignee_id.eq(u)),
            None => {}
        }
        if let Visibility::AssignedTo(ids) = visibility {
            q = q.filter(c::assignee_id.eq_any(ids.clone()));
        }
        Ok(q.count().get_result(conn)?)
    };
    Ok(Counts {
        all: open(conn, None)?,
        mine: match user_id {
            Some(u) => open(conn, Some(AssigneeFilter::User(u)))?,
            None => 0,
        },
        unassigned: open(conn, Some(AssigneeFilter::Unassigned))?,
    })
}

/// Marks the contact's thread read up to its latest message for `user_id`.
pub fn mark_read(
    conn: &mut DbConn,
    workspace_id: i64,
    user_id: i64,
    contact_id: i64,
    now: NaiveDateTime,
) -> StorageResult<i64> {
    crate::write_tx(conn, |conn| {
        let contact = contacts::get(conn, workspace_id, contact_id)?;
        let upto = contact.last_message_id.unwrap_or(0);
        let updated = diesel::update(
            contact_reads::table
                .filter(contact_reads::user_id.eq(user_id))
                .filter(contact_reads::contact_id.eq(contact_id)),
        )
        .set((
            contact_reads::last_read_message_id.eq(upto),
            contact_reads::read_at.eq(now),
        ))
        .execute(conn)?;
        if updated == 0 {
            diesel::insert_into(contact_reads::table)
                .values((
                    contact_reads::workspace_id.eq(workspace_id),
                    contact_reads::user_id.eq(user_id),
                    contact_reads::contact_id.eq(contact_id),
                    contact_reads::last_read_message_id.eq(upto),
                    contact_reads::read_at.eq(now),
                ))
                .execute(conn)?;
        }
        crate::outbox::append(
            conn,
            workspace_id,
            "inbox.read",
            ("user", Some(user_id)),
            &serde_json::json!({"contact_id": contact_id, "last_read_message_id": upto}),
            now,
        )?;
        Ok(upto)
    })
}
