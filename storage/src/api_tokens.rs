//! Developer API tokens: stored as a hash, shown once, revocable.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::schema::{api_tokens, users};
use crate::{outbox, write_tx, DbConn, Page, StorageResult};

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = api_tokens)]
pub struct ApiToken {
    pub id: i64,
    pub workspace_id: i64,
    pub name: String,
    pub prefix: String,
    #[serde(skip)]
    pub token_hash: String,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

/// A token with its creator's name, for the list.
#[derive(Debug, Clone)]
pub struct ListedToken {
    pub token: ApiToken,
    pub creator_name: Option<String>,
}

pub fn create(
    conn: &mut DbConn,
    workspace_id: i64,
    name: &str,
    prefix: &str,
    token_hash: &str,
    created_by: i64,
    now: NaiveDateTime,
) -> StorageResult<ApiToken> {
    write_tx(conn, |conn| {
        let id: i64 = diesel::insert_into(api_tokens::table)
            .values((
                api_tokens::workspace_id.eq(workspace_id),
                api_tokens::name.eq(name),
                api_tokens::prefix.eq(prefix),
                api_tokens::token_hash.eq(token_hash),
                api_tokens::created_by.eq(created_by),
                api_tokens::created_at.eq(now),
            ))
            .returning(api_tokens::id)
            .get_result(conn)?;
        let token = api_tokens::table
            .find(id)
            .select(ApiToken::as_select())
            .first(conn)?;
        outbox::append(
            conn,
            workspace_id,
            "api_token.created",
            ("api_token", Some(id)),
            &token,
            now,
        )?;
        Ok(token)
    })
}

/// Live (not revoked) tokens of a workspace in id order.
pub fn list(
    conn: &mut DbConn,
    workspace_id: i64,
    after_id: i64,
    limit: i64,
) -> StorageResult<Page<ListedToken>> {
    let rows = api_tokens::table
        .left_join(users::table)
        .filter(api_tokens::workspace_id.eq(workspace_id))
        .filter(api_tokens::revoked_at.is_null())
        .filter(api_tokens::id.gt(after_id))
        .order(api_tokens::id.asc())
        .limit(limit + 1)
        .select((ApiToken::as_select(), users::name.nullable()))
        .load::<(ApiToken, Option<String>)>(conn)?
        .into_iter()
        .map(|(token, creator_name)| ListedToken {
            token,
            creator_name,
        })
        .collect();
    Ok(Page::from_rows(rows, limit, |t: &ListedToken| t.token.id))
}

pub fn revoke(
    conn: &mut DbConn,
    workspace_id: i64,
    id: i64,
    now: NaiveDateTime,
) -> StorageResult<()> {
    write_tx(conn, |conn| {
        let n = diesel::update(
            api_tokens::table
                .filter(api_tokens::id.eq(id))
                .filter(api_tokens::workspace_id.eq(workspace_id))
                .filter(api_tokens::revoked_at.is_null()),
        )
        .set(api_tokens::revoked_at.eq(now))
        .execute(conn)?;
        if n == 0 {
            return Err(crate::StorageError::NotFound);
        }
        outbox::append(
            conn,
            workspace_id,
            "api_token.revoked",
            ("api_token", Some(id)),
            &serde_json::json!({ "id": id }),
            now,
        )?;
        Ok(())
    })
}

/// Finds a live token by the hash of its secret.
pub fn find_live(conn: &mut DbConn, token_hash: &str) -> StorageResult<Option<ApiToken>> {
    Ok(api_tokens::table
        .filter(api_tokens::token_hash.eq(token_hash))
        .filter(api_tokens::revoked_at.is_null())
        .select(ApiToken::as_select())
        .first(conn)
        .optional()?)
}

/// Records use; callers skip it when the last record is recent, to spare a write per request.
pub fn touch(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> StorageResult<()> {
    diesel::update(api_tokens::table.find(id))
        .set(api_tokens::last_used_at.eq(now))
        .execute(conn)?;
    Ok(())
}
