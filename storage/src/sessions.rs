//! Session credentials: rotating refresh tokens, single-use SSE tickets and login throttling.
//! Only hashes of secrets are stored; the API hashes what it receives.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::{auth_failures, event_tickets, memberships, refresh_tokens};
use crate::{write_tx, DbConn, StorageError, StorageResult};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = refresh_tokens)]
pub struct RefreshToken {
    pub id: i64,
    pub user_id: i64,
    pub workspace_id: i64,
    pub family: String,
    pub token_hash: String,
    pub expires_at: NaiveDateTime,
    pub replaced_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

pub fn insert_refresh_token(
    conn: &mut DbConn,
    user_id: i64,
    workspace_id: i64,
    family: &str,
    token_hash: &str,
    expires_at: NaiveDateTime,
    now: NaiveDateTime,
) -> StorageResult<()> {
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::user_id.eq(user_id),
            refresh_tokens::workspace_id.eq(workspace_id),
            refresh_tokens::family.eq(family),
            refresh_tokens::token_hash.eq(token_hash),
            refresh_tokens::expires_at.eq(expires_at),
            refresh_tokens::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Why a refresh token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshRefused {
    Unknown,
    Expired,
    Revoked,
    /// An already rotated token came back: someone holds a copy, so the family is revoked.
    Reused,
    NoLongerMember,
}

fn revoke_family(conn: &mut DbConn, family: &str, now: NaiveDateTime) -> StorageResult<()> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::family.eq(family))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(now))
    .execute(conn)?;
    Ok(())
}

/// Exchanges a refresh token for a new one of the same family.
/// Returns the (user, workspace) it belongs to, or why it was refused.
pub fn rotate_refresh_token(
    conn: &mut DbConn,
    token_hash: &str,
    new_hash: &str,
    new_expires_at: NaiveDateTime,
    now: NaiveDateTime,
) -> StorageResult<Result<(i64, i64), RefreshRefused>> {
    write_tx(conn, |conn| {
        let Some(token) = refresh_tokens::table
            .filter(refresh_tokens::token_hash.eq(token_hash))
            .select(RefreshToken::as_select())
            .first(conn)
            .optional()?
        else {
            return Ok(Err(RefreshRefused::Unknown));
        };
        if token.replaced_at.is_some() {
            revoke_family(conn, &token.family, now)?;
            return Ok(Err(RefreshRefused::Reused));
        }
        if token.revoked_at.is_some() {
            return Ok(Err(RefreshRefused::Revoked));
        }
        if token.expires_at <= now {
            return Ok(Err(RefreshRefused::Expired));
        }
        let member: i64 = memberships::table
            .filter(memberships::workspace_id.eq(token.workspace_id))
            .filter(memberships::user_id.eq(token.user_id))
            .count()
            .get_result(conn)?;
        if member == 0 {
            revoke_family(conn, &token.family, now)?;
            return Ok(Err(RefreshRefused::NoLongerMember));
        }
        // Conditional, so of two concurrent exchanges of one token only one wins (PostgreSQL
        // re-checks the condition after waiting for the row lock); the other is a reuse.
        let won = diesel::update(
            refresh_tokens::table
                .filter(refresh_tokens::id.eq(token.id))
                .filter(refresh_tokens::replaced_at.is_null())
                .filter(refresh_tokens::revoked_at.is_null()),
        )
        .set(refresh_tokens::replaced_at.eq(now))
        .execute(conn)?;
        if won == 0 {
            revoke_family(conn, &token.family, now)?;
            return Ok(Err(RefreshRefused::Reused));
        }
        insert_refresh_token(
            conn,
            token.user_id,
            token.workspace_id,
            &token.family,
            new_hash,
            new_expires_at,
            now,
        )?;
        Ok(Ok((token.user_id, token.workspace_id)))
    })
}

/// Logout: revokes the token's whole family. Unknown tokens are ignored.
pub fn revoke_refresh_token(
    conn: &mut DbConn,
    token_hash: &str,
    now: NaiveDateTime,
) -> StorageResult<bool> {
    write_tx(conn, |conn| {
        let family: Option<String> = refresh_tokens::table
            .filter(refresh_tokens::token_hash.eq(token_hash))
            .select(refresh_tokens::family)
            .first(conn)
            .optional()?;
        match family {
            Some(f) => revoke_family(conn, &f, now).map(|_| true),
            None => Ok(false),
        }
    })
}

/// Who an SSE ticket authenticates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TicketHolder {
    pub workspace_id: i64,
    pub user_id: Option<i64>,
    pub api_token_id: Option<i64>,
}

pub fn insert_ticket(
    conn: &mut DbConn,
    ticket_hash: &str,
    holder: TicketHolder,
    expires_at: NaiveDateTime,
) -> StorageResult<()> {
    diesel::insert_into(event_tickets::table)
        .values((
            event_tickets::ticket_hash.eq(ticket_hash),
            event_tickets::workspace_id.eq(holder.workspace_id),
            event_tickets::user_id.eq(holder.user_id),
            event_tickets::api_token_id.eq(holder.api_token_id),
            event_tickets::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Uses a ticket once: a second use, or a use after expiry, finds nothing.
pub fn consume_ticket(
    conn: &mut DbConn,
    ticket_hash: &str,
    now: NaiveDateTime,
) -> StorageResult<Option<TicketHolder>> {
    write_tx(conn, |conn| {
        let used = diesel::update(
            event_tickets::table
                .filter(event_tickets::ticket_hash.eq(ticket_hash))
                .filter(event_tickets::used_at.is_null())
                .filter(event_tickets::expires_at.gt(now)),
        )
        .set(event_tickets::used_at.eq(now))
        .execute(conn)?;
        if used == 0 {
            return Ok(None);
        }
        let (workspace_id, user_id, api_token_id) = event_tickets::table
            .filter(event_tickets::ticket_hash.eq(ticket_hash))
            .select((
                event_tickets::workspace_id,
                event_tickets::user_id,
                event_tickets::api_token_id,
            ))
            .first::<(i64, Option<i64>, Option<i64>)>(conn)?;
        // Spent and expired tickets are of no further use; keep the table small.
        diesel::delete(event_tickets::table.filter(event_tickets::expires_at.le(now)))
            .execute(conn)?;
        Ok(Some(TicketHolder {
            workspace_id,
            user_id,
            api_token_id,
        }))
    })
}

/// A throttled key: at most `limit` attempts inside the window starting at `since`.
pub struct Limit<'a> {
    pub key: &'a str,
    pub limit: i64,
}

/// The outcome of asking to make an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// Allowed; these reservation rows count as failures until `release`d.
    Reserved(Vec<i64>),
    /// Over the limit; the oldest attempt in the window of the key that is full.
    Refused { oldest: NaiveDateTime },
}

/// Counts and records an attempt under every key in one serialised step, before the
/// (slow) password check, so parallel guesses cannot all pass a check that runs first.
pub fn reserve_attempt(
    conn: &mut DbConn,
    limits: &[Limit],
    since: NaiveDateTime,
    now: NaiveDateTime,
) -> StorageResult<Attempt> {
    write_tx(conn, |conn| {
        for l in limits {
            if let DbConn::Pg(c) = conn {
                // SQLite's write lock already serialises this; PostgreSQL needs a lock per key.
                diesel::sql_query("SELECT pg_advisory_xact_lock(hashtext($1))")
                    .bind::<diesel::sql_types::Text, _>(l.key)
                    .execute(c)?;
            }
            let (count, oldest) = auth_failures_since(conn, l.key, since)?;
            if count >= l.limit {
                return Ok(Attempt::Refused {
                    oldest: oldest.unwrap_or(now),
                });
            }
        }
        let mut ids = Vec::with_capacity(limits.len());
        for l in limits {
            let id: i64 = diesel::insert_into(auth_failures::table)
                .values((
                    auth_failures::throttle_key.eq(l.key),
                    auth_failures::created_at.eq(now),
                ))
                .returning(auth_failures::id)
                .get_result(conn)?;
            ids.push(id);
        }
        Ok::<_, StorageError>(Attempt::Reserved(ids))
    })
}

/// Drops reservations of an attempt that succeeded.
pub fn release_attempt(conn: &mut DbConn, ids: &[i64]) -> StorageResult<()> {
    diesel::delete(auth_failures::table.filter(auth_failures::id.eq_any(ids))).execute(conn)?;
    Ok(())
}

/// Attempts under `key` since `since`, and the oldest of them (from which the window runs).
pub fn auth_failures_since(
    conn: &mut DbConn,
    key: &str,
    since: NaiveDateTime,
) -> StorageResult<(i64, Option<NaiveDateTime>)> {
    let (count, oldest) = auth_failures::table
        .filter(auth_failures::throttle_key.eq(key))
        .filter(auth_failures::created_at.gt(since))
        .select((
            diesel::dsl::count_star(),
            diesel::dsl::min(auth_failures::created_at),
        ))
        .first::<(i64, Option<NaiveDateTime>)>(conn)?;
    Ok((count, oldest))
}

/// Forgets the failures under `key` (after a successful login) and every failure older than `before`.
pub fn clear_auth_failures(
    conn: &mut DbConn,
    key: &str,
    before: NaiveDateTime,
) -> StorageResult<()> {
    diesel::delete(
        auth_failures::table.filter(
            auth_failures::throttle_key
                .eq(key)
                .or(auth_failures::created_at.le(before)),
        ),
    )
    .execute(conn)?;
    Ok(())
}
