//! `Idempotency-Key` records: the first answer to a mutation, replayed for a repeat.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::idempotency_keys;
use crate::{write_tx, DbConn, StorageError, StorageResult};

/// What to do with a request that carries an idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Begin {
    /// First time: run it, then `finish` (or `abandon`).
    Fresh,
    /// Seen with the same body: answer this.
    Replay {
        status: u16,
        content_type: Option<String>,
        body: String,
    },
    /// Seen with another body.
    Mismatch,
    /// The first request is still running.
    InProgress,
}

/// Looks the key up, reserving it when new. Records older than `expired_before` are forgotten.
pub fn begin(
    conn: &mut DbConn,
    scope: &str,
    key: &str,
    request_hash: &str,
    now: NaiveDateTime,
    expired_before: NaiveDateTime,
) -> StorageResult<Begin> {
    let result = write_tx(conn, |conn| {
        diesel::delete(
            idempotency_keys::table.filter(idempotency_keys::created_at.lt(expired_before)),
        )
        .execute(conn)?;
        let found = idempotency_keys::table
            .filter(idempotency_keys::scope.eq(scope))
            .filter(idempotency_keys::idem_key.eq(key))
            .select((
                idempotency_keys::request_hash,
                idempotency_keys::status_code,
                idempotency_keys::content_type,
                idempotency_keys::response_body,
            ))
            .first::<(String, Option<i32>, Option<String>, Option<String>)>(conn)
            .optional()?;
        Ok::<_, StorageError>(match found {
            None => {
                diesel::insert_into(idempotency_keys::table)
                    .values((
                        idempotency_keys::scope.eq(scope),
                        idempotency_keys::idem_key.eq(key),
                        idempotency_keys::request_hash.eq(request_hash),
                        idempotency_keys::created_at.eq(now),
                    ))
                    .execute(conn)?;
                Begin::Fresh
            }
            Some((hash, _, _, _)) if hash != request_hash => Begin::Mismatch,
            Some((_, Some(status), content_type, body)) => Begin::Replay {
                status: status as u16,
                content_type,
                body: body.unwrap_or_default(),
            },
            Some((_, None, _, _)) => Begin::InProgress,
        })
    });
    match result {
        // Two first requests raced on PostgreSQL: the loser waits like any repeat.
        Err(StorageError::Conflict(_)) => Ok(Begin::InProgress),
        other => other,
    }
}

pub fn finish(
    conn: &mut DbConn,
    scope: &str,
    key: &str,
    status: u16,
    content_type: Option<&str>,
    body: &str,
) -> StorageResult<()> {
    diesel::update(
        idempotency_keys::table
            .filter(idempotency_keys::scope.eq(scope))
            .filter(idempotency_keys::idem_key.eq(key)),
    )
    .set((
        idempotency_keys::status_code.eq(status as i32),
        idempotency_keys::content_type.eq(content_type),
        idempotency_keys::response_body.eq(body),
    ))
    .execute(conn)?;
    Ok(())
}

/// Forgets a reservation whose request failed on our side, so the client may retry it.
pub fn abandon(conn: &mut DbConn, scope: &str, key: &str) -> StorageResult<()> {
    diesel::delete(
        idempotency_keys::table
            .filter(idempotency_keys::scope.eq(scope))
            .filter(idempotency_keys::idem_key.eq(key)),
    )
    .execute(conn)?;
    Ok(())
}
