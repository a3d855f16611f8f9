//! A contact's timeline: messages, private notes and conversation/assignment activity merged
//! newest first. Each source is read with the same keyset bound and merged in memory, so a
//! page costs three indexed queries however long the history.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::comments::Comment;
use crate::contacts::Activity;
use crate::messages::Message;
use crate::schema::{comments, contact_activity, messages};
use crate::{DbConn, StorageResult};

/// Activity kinds that belong in the thread (field and tag edits stay in the history).
pub const THREAD_ACTIVITY: [&str; 4] = [
    "conversation_opened",
    "conversation_closed",
    "assigned",
    "unassigned",
];

#[derive(Debug, Clone)]
pub enum Item {
    Message(Message),
    Comment(Comment),
    Activity(Activity),
}

/// Position of an item in the merged order: time, then source rank, then id (all descending).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Key {
    pub at: NaiveDateTime,
    pub rank: i64,
    pub id: i64,
}

const MESSAGE: i64 = 2;
const COMMENT: i64 = 1;
const ACTIVITY: i64 = 0;

impl Item {
    pub fn key(&self) -> Key {
        match self {
            Item::Message(m) => Key {
                at: m.created_at,
                rank: MESSAGE,
                id: m.id,
            },
            Item::Comment(c) => Key {
                at: c.created_at,
                rank: COMMENT,
                id: c.id,
            },
            Item::Activity(a) => Key {
                at: a.created_at,
                rank: ACTIVITY,
                id: a.id,
            },
        }
    }
}

/// Rows of one source strictly after `cursor` in the newest-first order.
macro_rules! page_of {
    ($conn:expr, $table:ident, $select:ty, $contact:expr, $rank:expr, $cursor:expr, $limit:expr $(, kind in $kinds:expr)?) => {{
        let mut q = $table::table
            .filter($table::contact_id.eq($contact))
            .into_boxed();
        $(q = q.filter($table::kind.eq_any($kinds));)?
        if let Some(c) = $cursor {
            q = if $rank < c.rank {
                q.filter($table::created_at.le(c.at))
            } else if $rank > c.rank {
                q.filter($table::created_at.lt(c.at))
            } else {
                q.filter(
                    $table::created_at
                        .lt(c.at)
                        .or($table::created_at.eq(c.at).and($table::id.lt(c.id))),
                )
            };
        }
        q.order(($table::created_at.desc(), $table::id.desc()))
            .limit($limit)
            .select(<$select>::as_select())
            .load::<$select>($conn)?
    }};
}

/// Up to `limit` items after `cursor` (None: from the newest), and the key to continue from.
pub fn page(
    conn: &mut DbConn,
    contact_id: i64,
    cursor: Option<Key>,
    limit: i64,
) -> StorageResult<(Vec<Item>, Option<Key>)> {
    let n = limit + 1;
    let mut items: Vec<Item> = vec![];
    items.extend(
        page_of!(conn, messages, Message, contact_id, MESSAGE, cursor, n)
            .into_iter()
            .map(Item::Message),
    );
    items.extend(
        page_of!(conn, comments, Comment, contact_id, COMMENT, cursor, n)
            .into_iter()
            .map(Item::Comment),
    );
    items.extend(
        page_of!(conn, contact_activity, Activity, contact_id, ACTIVITY, cursor, n, kind in THREAD_ACTIVITY)
            .into_iter()
            .map(Item::Activity),
    );
    items.sort_by_key(|i| std::cmp::Reverse(i.key()));
    let more = items.len() as i64 > limit;
    items.truncate(limit.max(0) as usize);
    let next = if more {
        items.last().map(Item::key)
    } else {
        None
    };
    Ok((items, next))
}
