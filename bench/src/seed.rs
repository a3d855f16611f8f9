//! Seeds a workspace for the read path straight through the database (batched inserts, one
//! transaction per table), shaped like a busy inbox: every contact has a phone identity on the
//! channel, one conversation (70 % open, 30 % closed), `messages_per_contact` messages
//! alternating in and out, the thread state the inbox reads, and a "conversation opened" item.
//! Assignments: 40 % unassigned, the rest spread over the owner and nine agents.

use chrono::{Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use storage::schema::{
    contact_activity, contact_channels, contacts, conversations, memberships, messages, users,
};
use storage::DbConn;

pub const FIRST: [&str; 40] = [
    "Ana", "Ben", "Carla", "Dev", "Elif", "Farah", "Gil", "Hana", "Ivan", "Jia", "Kofi", "Lea",
    "Mani", "Nour", "Omar", "Priya", "Quinn", "Rosa", "Sami", "Tariq", "Uma", "Vera", "Wei",
    "Ximena", "Yusuf", "Zara", "Aiko", "Bruno", "Chen", "Dara", "Emre", "Fatima", "Goran", "Hugo",
    "Ines", "Jonas", "Kiri", "Lucia", "Malik", "Nadia",
];

pub const LAST: [&str; 97] = [
    "Lima",
    "Wong",
    "Silva",
    "Okafor",
    "Tan",
    "Nguyen",
    "Garcia",
    "Rossi",
    "Muller",
    "Kowalski",
    "Ahmed",
    "Haddad",
    "Sato",
    "Kim",
    "Singh",
    "Cohen",
    "Novak",
    "Petrov",
    "Dubois",
    "Jensen",
    "Larsen",
    "Costa",
    "Pereira",
    "Santos",
    "Moreau",
    "Fischer",
    "Weber",
    "Becker",
    "Ibrahim",
    "Hassan",
    "Rahman",
    "Chowdhury",
    "Mendes",
    "Ramos",
    "Torres",
    "Flores",
    "Rivera",
    "Gomez",
    "Diaz",
    "Reyes",
    "Cruz",
    "Morales",
    "Ortiz",
    "Castro",
    "Vargas",
    "Romero",
    "Herrera",
    "Medina",
    "Aguilar",
    "Vega",
    "Lopez",
    "Ito",
    "Yamamoto",
    "Nakamura",
    "Kobayashi",
    "Suzuki",
    "Takahashi",
    "Watanabe",
    "Park",
    "Choi",
    "Jung",
    "Kang",
    "Cho",
    "Yoon",
    "Jang",
    "Lim",
    "Han",
    "Oh",
    "Seo",
    "Shin",
    "Kwon",
    "Hwang",
    "Ahn",
    "Song",
    "Yoo",
    "Hong",
    "Jeon",
    "Go",
    "Moon",
    "Yang",
    "Son",
    "Bae",
    "Baek",
    "Heo",
    "Nam",
    "Sim",
    "Noh",
    "Ha",
    "Kwak",
    "Sung",
    "Cha",
    "Joo",
    "Woo",
    "Ku",
    "Min",
    "Ryu",
    "Na",
];

/// The seeded contact number `i`'s name and phone, so the read path can search for them.
pub fn name_of(i: usize) -> (String, String) {
    (
        FIRST[i % FIRST.len()].to_string(),
        LAST[(i / FIRST.len()) % LAST.len()].to_string(),
    )
}

pub fn phone_of(i: usize) -> String {
    format!("+6013{:08}", i)
}

/// Where the seeded rows are, for the read path to pick from.
#[derive(Debug, Clone)]
pub struct Seeded {
    pub first_contact_id: i64,
    pub contacts: usize,
    pub messages: usize,
    pub seconds: f64,
}

/// Runs one batched insert on whichever backend the connection is.
macro_rules! batch_insert {
    ($conn:expr, $table:expr, $rows:expr) => {
        match $conn {
            DbConn::Sqlite(c) => diesel::insert_into($table).values($rows).execute(c),
            DbConn::Pg(c) => diesel::insert_into($table).values($rows).execute(c),
        }
    };
}

/// Seeds `n_contacts` contacts and `messages_per_contact` messages each into workspace `ws`,
/// on `channel_id`, with `owner_id` among the assignees.
pub fn seed(
    url: &str,
    ws: i64,
    owner_id: i64,
    channel_id: i64,
    n_contacts: usize,
    messages_per_contact: usize,
) -> Result<Seeded, String> {
    let started = std::time::Instant::now();
    let pool = storage::connect(url, 1).map_err(|e| e.to_string())?;
    let mut conn = storage::checkout(&pool).map_err(|e| e.to_string())?;
    let conn: &mut DbConn = &mut conn;
    let err = |e: diesel::result::Error| e.to_string();
    let max_of = |conn: &mut DbConn, which: &str| -> Result<Option<i64>, String> {
        let max: QueryResult<Option<i64>> = match which {
            "users" => users::table.select(diesel::dsl::max(users::id)).first(conn),
            "contacts" => contacts::table
                .select(diesel::dsl::max(contacts::id))
                .first(conn),
            "conversations" => conversations::table
                .select(diesel::dsl::max(conversations::id))
                .first(conn),
            "messages" => messages::table
                .select(diesel::dsl::max(messages::id))
                .first(conn),
            "contact_channels" => contact_channels::table
                .select(diesel::dsl::max(contact_channels::id))
                .first(conn),
            _ => contact_activity::table
                .select(diesel::dsl::max(contact_activity::id))
                .first(conn),
        };
        max.map_err(|e| e.to_string())
    };
    let now = storage::naive(Utc::now());
    let user0 = max_of(conn, "users")?.unwrap_or(0) + 1;
    let contact0 = max_of(conn, "contacts")?.unwrap_or(0) + 1;
    let conv0 = max_of(conn, "conversations")?.unwrap_or(0) + 1;
    let msg0 = max_of(conn, "messages")?.unwrap_or(0) + 1;
    let cc0 = max_of(conn, "contact_channels")?.unwrap_or(0) + 1;
    let act0 = max_of(conn, "contact_activity")?.unwrap_or(0) + 1;

    // Nine agents besides the owner, so "mine" is a realistic slice of the workspace.
    let mut assignees = vec![owner_id];
    storage::write_tx(conn, |conn| -> Result<(), storage::StorageError> {
        for k in 0..9i64 {
            let uid = user0 + k;
            diesel::insert_into(users::table)
                .values((
                    users::id.eq(uid),
                    users::email.eq(format!("agent{k}.w{ws}@bench.test")),
                    users::name.eq(format!("Agent {k}")),
                    users::password_hash.eq("!unusable"),
                    users::created_at.eq(now),
                    users::updated_at.eq(now),
                ))
                .execute(conn)?;
            diesel::insert_into(memberships::table)
                .values((
                    memberships::workspace_id.eq(ws),
                    memberships::user_id.eq(uid),
                    memberships::role.eq("agent"),
                    memberships::created_at.eq(now),
                    memberships::updated_at.eq(now),
                ))
                .execute(conn)?;
            assignees.push(uid);
        }
        Ok(())
    })
    .map_err(|e| e.to_string())?;

    let mpc = messages_per_contact.max(1);
    // Contacts' latest interactions spread over the last 30 days, the oldest first.
    let span = Duration::days(30).num_seconds();
    let when = |i: usize| -> NaiveDateTime {
        now - Duration::seconds(span) + Duration::seconds(span * i as i64 / n_contacts as i64)
    };
    const CHUNK: usize = 1000;
    let chunks: Vec<std::ops::Range<usize>> = (0..n_contacts)
        .step_by(CHUNK)
        .map(|s| s..(s + CHUNK).min(n_contacts))
        .collect();
    let open = |i: usize| i % 10 < 7;
    let waiting = |i: usize| open(i) && i.is_multiple_of(2);
    // The last message is incoming when the contact waits; ids are laid out per contact.
    let msg_id = |i: usize, k: usize| msg0 + (i * mpc + k) as i64;
    let incoming = |i: usize, k: usize| {
        let from_end = mpc - 1 - k;
        from_end.is_multiple_of(2) == waiting(i)
    };
    let msg_at = |i: usize, k: usize| when(i) - Duration::minutes((mpc - 1 - k) as i64);

    storage::write_tx(conn, |conn| -> Result<(), storage::StorageError> {
        for range in &chunks {
            let mut rows = Vec::with_capacity(range.len());
            for i in range.clone() {
                let (first, last) = name_of(i);
                let phone = phone_of(i);
                let assignee = if i % 5 < 2 {
                    None
                } else {
                    Some(assignees[(i / 5) % assignees.len()])
                };
                let last_incoming = (0..mpc)
                    .rev()
                    .find(|k| incoming(i, *k))
                    .map(|k| msg_id(i, k));
                rows.push((
                    contacts::id.eq(contact0 + i as i64),
                    contacts::workspace_id.eq(ws),
                    contacts::search_name.eq(format!("{first} {last}").to_lowercase()),
                    contacts::first_name.eq(first),
                    contacts::last_name.eq(Some(last)),
                    contacts::phone_digits.eq(Some(phone[1..].to_string())),
                    contacts::phone.eq(Some(phone)),
                    contacts::assignee_id.eq(assignee),
                    contacts::created_at.eq(when(i) - Duration::days(1)),
                    contacts::updated_at.eq(when(i)),
                    contacts::last_interaction_at.eq(Some(when(i))),
                    contacts::conversation_id.eq(Some(conv0 + i as i64)),
                    contacts::conversation_status.eq(Some(if open(i) { "open" } else { "closed" })),
                    contacts::last_message_id.eq(Some(msg_id(i, mpc - 1))),
                    contacts::last_incoming_message_id.eq(last_incoming),
                    contacts::waiting_since.eq(waiting(i).then(|| msg_at(i, mpc - 1))),
                    contacts::last_channel_id.eq(Some(channel_id)),
                ));
            }
            batch_insert!(conn, contacts::table, &rows)?;
        }
        Ok(())
    })
    .map_err(|e| e.to_string())?;

    storage::write_tx(conn, |conn| -> Result<(), storage::StorageError> {
        for range in &chunks {
            let mut convs = Vec::with_capacity(range.len());
            let mut idents = Vec::with_capacity(range.len());
            let mut acts = Vec::with_capacity(range.len());
            for i in range.clone() {
                let cid = contact0 + i as i64;
                let opened = msg_at(i, 0);
                let incoming_n = (0..mpc).filter(|k| incoming(i, *k)).count() as i64;
                convs.push((
                    conversations::id.eq(conv0 + i as i64),
                    conversations::workspace_id.eq(ws),
                    conversations::contact_id.eq(cid),
                    conversations::status.eq(if open(i) { "open" } else { "closed" }),
                    conversations::opened_at.eq(opened),
                    conversations::opened_source.eq("contact"),
                    conversations::closed_at.eq((!open(i)).then_some(when(i))),
                    conversations::closed_source.eq((!open(i)).then_some("user")),
                    conversations::closed_by.eq((!open(i)).then_some(owner_id)),
                    conversations::incoming_count.eq(incoming_n),
                    conversations::outgoing_count.eq(mpc as i64 - incoming_n),
                ));
                idents.push((
                    contact_channels::id.eq(cc0 + i as i64),
                    contact_channels::workspace_id.eq(ws),
                    contact_channels::contact_id.eq(cid),
                    contact_channels::channel_id.eq(channel_id),
                    contact_channels::external_id.eq(phone_of(i)),
                    contact_channels::last_incoming_at.eq(Some(when(i))),
                    contact_channels::created_at.eq(opened),
                ));
                acts.push((
                    contact_activity::id.eq(act0 + i as i64),
                    contact_activity::workspace_id.eq(ws),
                    contact_activity::contact_id.eq(cid),
                    contact_activity::kind.eq("conversation_opened"),
                    contact_activity::detail.eq(serde_json::json!({
                        "conversation_id": conv0 + i as i64, "source": "contact"
                    })
                    .to_string()),
                    contact_activity::actor_type.eq("contact"),
                    contact_activity::created_at.eq(opened),
                ));
            }
            batch_insert!(conn, conversations::table, &convs)?;
            batch_insert!(conn, contact_channels::table, &idents)?;
            batch_insert!(conn, contact_activity::table, &acts)?;
        }
        Ok(())
    })
    .map_err(|e| e.to_string())?;

    storage::write_tx(conn, |conn| -> Result<(), storage::StorageError> {
        for range in &chunks {
            let mut rows = Vec::with_capacity(range.len() * mpc);
            for i in range.clone() {
                let cid = contact0 + i as i64;
                for k in 0..mpc {
                    let inc = incoming(i, k);
                    let at = msg_at(i, k);
                    rows.push((
                        messages::id.eq(msg_id(i, k)),
                        messages::workspace_id.eq(ws),
                        messages::contact_id.eq(cid),
                        messages::conversation_id.eq(Some(conv0 + i as i64)),
                        messages::channel_id.eq(Some(channel_id)),
                        messages::direction.eq(if inc { "incoming" } else { "outgoing" }),
                        messages::sender_type.eq(if inc { "contact" } else { "user" }),
                        messages::sender_id.eq(Some(if inc { cid } else { owner_id })),
                        messages::msg_type.eq("text"),
                        messages::text.eq(Some(format!(
                            "Seeded message {k} of contact {i}: hello, is my order on its way?"
                        ))),
                        messages::status.eq(if inc { "received" } else { "delivered" }),
                        messages::provider_id.eq(Some(format!("seed-{i}-{k}"))),
                        messages::created_at.eq(at),
                        messages::updated_at.eq(at),
                    ));
                }
            }
            // SQLite takes at most 32,766 bound values per statement.
            for part in rows.chunks(2000) {
                batch_insert!(conn, messages::table, part)?;
            }
        }
        Ok(())
    })
    .map_err(|e| e.to_string())?;

    // Explicit ids leave PostgreSQL's identity sequences behind; move them past the seed so
    // the server's own inserts keep working.
    if !conn.is_sqlite() {
        use diesel::connection::SimpleConnection;
        let mut sql = String::new();
        for t in [
            "users",
            "contacts",
            "conversations",
            "messages",
            "contact_channels",
            "contact_activity",
        ] {
            sql.push_str(&format!(
                "SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT max(id) FROM {t}));"
            ));
        }
        conn.batch_execute(&sql).map_err(err)?;
        // A live database of this size has long been vacuumed and analyzed by autovacuum, and
        // its last checkpoint is behind it: do that now, or the read path would time the first
        // reads setting the fresh rows' hint bits, and autovacuum and the checkpoint running
        // beside it. (VACUUM cannot share a transaction, so each goes alone.) CHECKPOINT needs
        // a superuser or pg_checkpoint, which a role that may only create databases (CI's) is
        // not: there the read path runs without it, and says so.
        conn.batch_execute("VACUUM (ANALYZE)").map_err(err)?;
        if may_checkpoint(conn).map_err(err)? {
            conn.batch_execute("CHECKPOINT").map_err(err)?;
        } else {
            eprintln!("seed: not checkpointed (the role is neither superuser nor pg_checkpoint)");
        }
    }
    Ok(Seeded {
        first_contact_id: contact0,
        contacts: n_contacts,
        messages: n_contacts * mpc,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Whether the connected PostgreSQL role may run CHECKPOINT: a superuser, or (PostgreSQL 15+)
/// a member of `pg_checkpoint`.
fn may_checkpoint(conn: &mut DbConn) -> QueryResult<bool> {
    diesel::select(diesel::dsl::sql::<diesel::sql_types::Bool>(
        "(SELECT rolsuper FROM pg_roles WHERE rolname = current_user) \
         OR EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pg_checkpoint' \
         AND pg_has_role(current_user, oid, 'USAGE'))",
    ))
    .get_result(conn)
}
