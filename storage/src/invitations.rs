//! Invitations: e-mail + role (+ team), single use, valid for a limited time.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use domain::access::Role;
use serde::Serialize;

use crate::accounts::{insert_membership, insert_user, Membership, NewUser, User};
use crate::schema::{invitations, memberships, teams, users};
use crate::{write_tx, DbConn, Page, StorageError, StorageResult};

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = invitations)]
pub struct Invitation {
    pub id: i64,
    pub workspace_id: i64,
    pub email: String,
    pub role: String,
    pub team_id: Option<i64>,
    #[serde(skip)]
    pub token_hash: String,
    pub invited_by: Option<i64>,
    pub expires_at: NaiveDateTime,
    pub accepted_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

impl Invitation {
    pub fn role(&self) -> Role {
        Role::parse(&self.role).unwrap_or(Role::Agent)
    }
}

pub struct NewInvitation<'a> {
    pub workspace_id: i64,
    pub email: &'a str,
    pub role: Role,
    pub team_id: Option<i64>,
    pub token_hash: &'a str,
    pub invited_by: Option<i64>,
    pub expires_at: NaiveDateTime,
}

/// Creates an invitation, replacing a pending one for the same address.
pub fn create(
    conn: &mut DbConn,
    new: NewInvitation,
    now: NaiveDateTime,
) -> StorageResult<Invitation> {
    write_tx(conn, |conn| {
        let already_member: i64 = memberships::table
            .inner_join(users::table)
            .filter(memberships::workspace_id.eq(new.workspace_id))
            .filter(users::email.eq(new.email))
            .count()
            .get_result(conn)?;
        if already_member > 0 {
            return Err(StorageError::Conflict(
                "this person is already a member of the workspace".into(),
            ));
        }
        if let Some(team_id) = new.team_id {
            let exists: i64 = teams::table
                .filter(teams::id.eq(team_id))
                .filter(teams::workspace_id.eq(new.workspace_id))
                .count()
                .get_result(conn)?;
            if exists == 0 {
                return Err(domain::Invalid::one("team_id", "no such team").into());
            }
        }
        diesel::update(
            invitations::table
                .filter(invitations::workspace_id.eq(new.workspace_id))
                .filter(invitations::email.eq(new.email))
                .filter(invitations::accepted_at.is_null())
                .filter(invitations::revoked_at.is_null()),
        )
        .set(invitations::revoked_at.eq(now))
        .execute(conn)?;
        let id: i64 = diesel::insert_into(invitations::table)
            .values((
                invitations::workspace_id.eq(new.workspace_id),
                invitations::email.eq(new.email),
                invitations::role.eq(new.role.as_str()),
                invitations::team_id.eq(new.team_id),
                invitations::token_hash.eq(new.token_hash),
                invitations::invited_by.eq(new.invited_by),
                invitations::expires_at.eq(new.expires_at),
                invitations::created_at.eq(now),
            ))
            .returning(invitations::id)
            .get_result(conn)?;
        Ok(invitations::table
            .find(id)
            .select(Invitation::as_select())
            .first(conn)?)
    })
}

/// Pending invitations of a workspace, newest last.
pub fn list_pending(
    conn: &mut DbConn,
    workspace_id: i64,
    after_id: i64,
    limit: i64,
) -> StorageResult<Page<Invitation>> {
    let rows = invitations::table
        .filter(invitations::workspace_id.eq(workspace_id))
        .filter(invitations::accepted_at.is_null())
        .filter(invitations::revoked_at.is_null())
        .filter(invitations::id.gt(after_id))
        .order(invitations::id.asc())
        .limit(limit + 1)
        .select(Invitation::as_select())
        .load(conn)?;
    Ok(Page::from_rows(rows, limit, |i: &Invitation| i.id))
}

/// A pending invitation of the workspace.
pub fn get_pending(conn: &mut DbConn, workspace_id: i64, id: i64) -> StorageResult<Invitation> {
    Ok(invitations::table
        .filter(invitations::id.eq(id))
        .filter(invitations::workspace_id.eq(workspace_id))
        .filter(invitations::accepted_at.is_null())
        .filter(invitations::revoked_at.is_null())
        .select(Invitation::as_select())
        .first(conn)?)
}

pub fn revoke(
    conn: &mut DbConn,
    workspace_id: i64,
    id: i64,
    now: NaiveDateTime,
) -> StorageResult<()> {
    let n = diesel::update(
        invitations::table
            .filter(invitations::id.eq(id))
            .filter(invitations::workspace_id.eq(workspace_id))
            .filter(invitations::accepted_at.is_null())
            .filter(invitations::revoked_at.is_null()),
    )
    .set(invitations::revoked_at.eq(now))
    .execute(conn)?;
    if n == 0 {
        Err(StorageError::NotFound)
    } else {
        Ok(())
    }
}

/// A pending, unexpired invitation by the hash of its token.
pub fn find_usable(
    conn: &mut DbConn,
    token_hash: &str,
    now: NaiveDateTime,
) -> StorageResult<Option<Invitation>> {
    Ok(invitations::table
        .filter(invitations::token_hash.eq(token_hash))
        .filter(invitations::accepted_at.is_null())
        .filter(invitations::revoked_at.is_null())
        .filter(invitations::expires_at.gt(now))
        .select(Invitation::as_select())
        .first(conn)
        .optional()?)
}

/// Who accepts: an account that exists (its password already checked) or a new one.
pub enum Accepter<'a> {
    Existing(i64),
    New(NewUser<'a>),
}

/// Accepts an invitation exactly once and makes the accepter a member.
pub fn accept(
    conn: &mut DbConn,
    invitation_id: i64,
    accepter: Accepter,
    now: NaiveDateTime,
) -> StorageResult<(User, Membership)> {
    write_tx(conn, |conn| {
        let taken = diesel::update(
            invitations::table
                .filter(invitations::id.eq(invitation_id))
                .filter(invitations::accepted_at.is_null())
                .filter(invitations::revoked_at.is_null())
                .filter(invitations::expires_at.gt(now)),
        )
        .set(invitations::accepted_at.eq(now))
        .execute(conn)?;
        if taken == 0 {
            return Err(StorageError::NotFound);
        }
        let inv: Invitation = invitations::table
            .find(invitation_id)
            .select(Invitation::as_select())
            .first(conn)?;
        let user = match accepter {
            Accepter::Existing(id) => crate::accounts::get_user(conn, id)?,
            Accepter::New(new) => insert_user(conn, &new)?,
        };
        let membership = insert_membership(
            conn,
            inv.workspace_id,
            user.id,
            inv.role(),
            inv.team_id,
            now,
        )
        .map_err(|e| e.conflict_means("already a member of this workspace"))?;
        Ok((user, membership))
    })
}
