//! Workspaces, users and memberships: signup, settings, the member list and its changes.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use domain::access::{can, keeps_an_owner, Action, Actor, Role};
use domain::workspace::{BusinessHours, ClosingNotesMode, Settings};
use serde::Serialize;

use crate::schema::{memberships, refresh_tokens, teams, users, workspaces};
use crate::{outbox, write_tx, DbConn, Page, StorageError, StorageResult};

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = workspaces)]
pub struct Workspace {
    pub id: i64,
    pub name: String,
    pub timezone: String,
    pub closing_notes_mode: String,
    pub unassign_on_close: bool,
    pub auto_close_after_minutes: Option<i64>,
    pub business_hours: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Workspace {
    pub fn settings(&self) -> Settings {
        Settings {
            name: self.name.clone(),
            timezone: self.timezone.clone(),
            closing_notes_mode: ClosingNotesMode::parse(&self.closing_notes_mode)
                .unwrap_or(ClosingNotesMode::Optional),
            unassign_on_close: self.unassign_on_close,
            auto_close_after_minutes: self.auto_close_after_minutes,
            business_hours: serde_json::from_str(&self.business_hours).unwrap_or_default(),
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = users)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub name: String,
    #[serde(skip)]
    pub password_hash: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = memberships)]
pub struct Membership {
    pub id: i64,
    pub workspace_id: i64,
    pub user_id: i64,
    pub role: String,
    pub team_id: Option<i64>,
    pub status: String,
    pub contact_visibility: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Membership {
    pub fn role(&self) -> Role {
        Role::parse(&self.role).unwrap_or(Role::Agent)
    }
}

/// A member as the user list shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Member {
    #[serde(flatten)]
    pub membership: Membership,
    pub email: String,
    pub name: String,
}

#[derive(Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub password_hash: &'a str,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = memberships)]
struct NewMembership<'a> {
    workspace_id: i64,
    user_id: i64,
    role: &'a str,
    team_id: Option<i64>,
    status: &'a str,
    contact_visibility: &'a str,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

pub(crate) fn insert_user(conn: &mut DbConn, user: &NewUser) -> StorageResult<User> {
    diesel::insert_into(users::table)
        .values(user)
        .execute(conn)
        .map_err(|e| {
            StorageError::from(e).conflict_means("an account with this e-mail already exists")
        })?;
    Ok(users::table
        .filter(users::email.eq(user.email))
        .select(User::as_select())
        .first(conn)?)
}

pub(crate) fn insert_membership(
    conn: &mut DbConn,
    workspace_id: i64,
    user_id: i64,
    role: Role,
    team_id: Option<i64>,
    now: NaiveDateTime,
) -> StorageResult<Membership> {
    diesel::insert_into(memberships::table)
        .values(NewMembership {
            workspace_id,
            user_id,
            role: role.as_str(),
            team_id,
            status: "offline",
            contact_visibility: "all",
            created_at: now,
            updated_at: now,
        })
        .execute(conn)?;
    let m = membership(conn, workspace_id, user_id)?;
    let user = get_user(conn, user_id)?;
    outbox::append(
        conn,
        workspace_id,
        "user.added",
        ("user", Some(user_id)),
        &Member {
            membership: m.clone(),
            email: user.email,
            name: user.name,
        },
        now,
    )?;
    Ok(m)
}

/// Signup: a new workspace with its first user as Owner, in one transaction.
pub fn create_workspace_with_owner(
    conn: &mut DbConn,
    workspace_name: &str,
    user: NewUser,
    now: NaiveDateTime,
) -> StorageResult<(Workspace, User, Membership)> {
    write_tx(conn, |conn| {
        let user = insert_user(conn, &user)?;
        let settings = Settings::new(workspace_name.to_string());
        let workspace_id: i64 = diesel::insert_into(workspaces::table)
            .values((
                workspaces::name.eq(&settings.name),
                workspaces::timezone.eq(&settings.timezone),
                workspaces::closing_notes_mode.eq(settings.closing_notes_mode.as_str()),
                workspaces::unassign_on_close.eq(settings.unassign_on_close),
                workspaces::business_hours.eq(to_json(&settings.business_hours)),
                workspaces::created_at.eq(now),
                workspaces::updated_at.eq(now),
            ))
            .returning(workspaces::id)
            .get_result(conn)?;
        let membership = insert_membership(conn, workspace_id, user.id, Role::Owner, None, now)?;
        Ok((get_workspace(conn, workspace_id)?, user, membership))
    })
}

fn to_json(hours: &BusinessHours) -> String {
    serde_json::to_string(hours).unwrap_or_else(|_| "{}".into())
}

pub fn get_workspace(conn: &mut DbConn, id: i64) -> StorageResult<Workspace> {
    Ok(workspaces::table
        .find(id)
        .select(Workspace::as_select())
        .first(conn)?)
}

pub fn get_user(conn: &mut DbConn, id: i64) -> StorageResult<User> {
    Ok(users::table
        .find(id)
        .select(User::as_select())
        .first(conn)?)
}

pub fn find_user_by_email(conn: &mut DbConn, email: &str) -> StorageResult<Option<User>> {
    Ok(users::table
        .filter(users::email.eq(email))
        .select(User::as_select())
        .first(conn)
        .optional()?)
}

pub fn membership(conn: &mut DbConn, workspace_id: i64, user_id: i64) -> StorageResult<Membership> {
    Ok(memberships::table
        .filter(memberships::workspace_id.eq(workspace_id))
        .filter(memberships::user_id.eq(user_id))
        .select(Membership::as_select())
        .first(conn)?)
}

/// Every workspace a user belongs to, oldest membership first.
/// Whether a user is a member of the workspace.
pub fn is_member(conn: &mut DbConn, workspace_id: i64, user_id: i64) -> StorageResult<bool> {
    Ok(!members_among(conn, workspace_id, &[user_id])?.is_empty())
}

/// Which of `ids` are members of the workspace.
pub fn members_among(conn: &mut DbConn, workspace_id: i64, ids: &[i64]) -> StorageResult<Vec<i64>> {
    Ok(memberships::table
        .filter(memberships::workspace_id.eq(workspace_id))
        .filter(memberships::user_id.eq_any(ids))
        .select(memberships::user_id)
        .load(conn)?)
}

pub fn memberships_of(
    conn: &mut DbConn,
    user_id: i64,
) -> StorageResult<Vec<(Membership, Workspace)>> {
    Ok(memberships::table
        .inner_join(workspaces::table)
        .filter(memberships::user_id.eq(user_id))
        .order(memberships::id.asc())
        .select((Membership::as_select(), Workspace::as_select()))
        .load(conn)?)
}

/// Stores validated settings and records `workspace.updated`.
pub fn update_settings(
    conn: &mut DbConn,
    id: i64,
    s: &Settings,
    now: NaiveDateTime,
) -> StorageResult<Workspace> {
    write_tx(conn, |conn| {
        diesel::update(workspaces::table.find(id))
            .set((
                workspaces::name.eq(&s.name),
                workspaces::timezone.eq(&s.timezone),
                workspaces::closing_notes_mode.eq(s.closing_notes_mode.as_str()),
                workspaces::unassign_on_close.eq(s.unassign_on_close),
                workspaces::auto_close_after_minutes.eq(s.auto_close_after_minutes),
                workspaces::business_hours.eq(to_json(&s.business_hours)),
                workspaces::updated_at.eq(now),
            ))
            .execute(conn)?;
        let ws = get_workspace(conn, id)?;
        outbox::append(
            conn,
            id,
            "workspace.updated",
            ("workspace", Some(id)),
            &ws,
            now,
        )?;
        Ok(ws)
    })
}

pub fn get_member(conn: &mut DbConn, workspace_id: i64, user_id: i64) -> StorageResult<Member> {
    let (membership, email, name) = memberships::table
        .inner_join(users::table)
        .filter(memberships::workspace_id.eq(workspace_id))
        .filter(memberships::user_id.eq(user_id))
        .select((Membership::as_select(), users::email, users::name))
        .first::<(Membership, String, String)>(conn)?;
    Ok(Member {
        membership,
        email,
        name,
    })
}

/// Members of a workspace in user-id order, `limit` after `after_user_id`.
pub fn list_members(
    conn: &mut DbConn,
    workspace_id: i64,
    after_user_id: i64,
    limit: i64,
) -> StorageResult<Page<Member>> {
    let rows = memberships::table
        .inner_join(users::table)
        .filter(memberships::workspace_id.eq(workspace_id))
        .filter(memberships::user_id.gt(after_user_id))
        .order(memberships::user_id.asc())
        .limit(limit + 1)
        .select((Membership::as_select(), users::email, users::name))
        .load::<(Membership, String, String)>(conn)?
        .into_iter()
        .map(|(membership, email, name)| Member {
            membership,
            email,
            name,
        })
        .collect();
    Ok(Page::from_rows(rows, limit, |m: &Member| {
        m.membership.user_id
    }))
}

/// Counts the owners, locking their rows on PostgreSQL so two concurrent demotions or
/// removals cannot both see a second owner (SQLite's write lock already serialises them).
fn lock_owner_count(conn: &mut DbConn, workspace_id: i64) -> StorageResult<i64> {
    let owners = memberships::table
        .filter(memberships::workspace_id.eq(workspace_id))
        .filter(memberships::role.eq(Role::Owner.as_str()))
        .select(memberships::id);
    let ids: Vec<i64> = match conn {
        DbConn::Pg(c) => owners.for_update().load(c)?,
        DbConn::Sqlite(c) => owners.load(c)?,
    };
    Ok(ids.len() as i64)
}

/// A change to a member; `team_id: Some(None)` takes them out of their team.
#[derive(Debug, Default, Clone)]
pub struct MemberChange {
    pub role: Option<Role>,
    pub team_id: Option<Option<i64>>,
    pub contact_visibility: Option<String>,
}

/// Applies a member change if `actor` may make it and the workspace keeps an owner.
pub fn update_member(
    conn: &mut DbConn,
    workspace_id: i64,
    actor: Actor,
    user_id: i64,
    change: MemberChange,
    now: NaiveDateTime,
) -> StorageResult<Member> {
    write_tx(conn, |conn| {
        let owners = lock_owner_count(conn, workspace_id)?;
        let current = membership(conn, workspace_id, user_id)?;
        let from = current.role();
        let to = change.role.unwrap_or(from);
        if !can(actor, Action::ChangeMember { from, to }) {
            return Err(StorageError::Forbidden(
                "your access level cannot change this member".into(),
            ));
        }
        keeps_an_owner(owners, from, Some(to))
            .map_err(|e| StorageError::Conflict(e.to_string()))?;
        if let Some(Some(team_id)) = change.team_id {
            let exists: i64 = teams::table
                .filter(teams::id.eq(team_id))
                .filter(teams::workspace_id.eq(workspace_id))
                .count()
                .get_result(conn)?;
            if exists == 0 {
                return Err(domain::Invalid::one("team_id", "no such team").into());
            }
        }
        diesel::update(memberships::table.find(current.id))
            .set((
                memberships::role.eq(to.as_str()),
                memberships::team_id.eq(change.team_id.unwrap_or(current.team_id)),
                memberships::contact_visibility.eq(change
                    .contact_visibility
                    .unwrap_or(current.contact_visibility)),
                memberships::updated_at.eq(now),
            ))
            .execute(conn)?;
        let member = get_member(conn, workspace_id, user_id)?;
        outbox::append(
            conn,
            workspace_id,
            "user.updated",
            ("user", Some(user_id)),
            &member,
            now,
        )?;
        Ok(member)
    })
}

/// Removes a member (and their sessions in this workspace) if allowed and an owner remains.
pub fn remove_member(
    conn: &mut DbConn,
    workspace_id: i64,
    actor: Actor,
    user_id: i64,
    now: NaiveDateTime,
) -> StorageResult<()> {
    write_tx(conn, |conn| {
        let owners = lock_owner_count(conn, workspace_id)?;
        let current = membership(conn, workspace_id, user_id)?;
        if !can(actor, Action::RemoveMember(current.role())) {
            return Err(StorageError::Forbidden(
                "your access level cannot remove this member".into(),
            ));
        }
        keeps_an_owner(owners, current.role(), None)
            .map_err(|e| StorageError::Conflict(e.to_string()))?;
        diesel::delete(memberships::table.find(current.id)).execute(conn)?;
        diesel::update(
            refresh_tokens::table
                .filter(refresh_tokens::user_id.eq(user_id))
                .filter(refresh_tokens::workspace_id.eq(workspace_id))
                .filter(refresh_tokens::revoked_at.is_null()),
        )
        .set(refresh_tokens::revoked_at.eq(now))
        .execute(conn)?;
        outbox::append(
            conn,
            workspace_id,
            "user.removed",
            ("user", Some(user_id)),
            &serde_json::json!({ "user_id": user_id }),
            now,
        )?;
        Ok(())
    })
}

/// Sets a member's activity status and tells the workspace.
pub fn set_status(
    conn: &mut DbConn,
    workspace_id: i64,
    user_id: i64,
    status: &str,
    now: NaiveDateTime,
) -> StorageResult<Member> {
    write_tx(conn, |conn| {
        let updated = diesel::update(
            memberships::table
                .filter(memberships::workspace_id.eq(workspace_id))
                .filter(memberships::user_id.eq(user_id)),
        )
        .set((
            memberships::status.eq(status),
            memberships::updated_at.eq(now),
        ))
        .execute(conn)?;
        if updated == 0 {
            return Err(StorageError::NotFound);
        }
        outbox::append(
            conn,
            workspace_id,
            "user.status.updated",
            ("user", Some(user_id)),
            &serde_json::json!({ "user_id": user_id, "status": status }),
            now,
        )?;
        get_member(conn, workspace_id, user_id)
    })
}
