//! Teams of a workspace. A member belongs to at most one team (`memberships.team_id`).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::schema::{memberships, teams};
use crate::{outbox, write_tx, DbConn, Page, StorageError, StorageResult};

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = teams)]
pub struct Team {
    pub id: i64,
    pub workspace_id: i64,
    pub name: String,
    pub description: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

fn name_taken(e: diesel::result::Error) -> StorageError {
    StorageError::from(e).conflict_means("a team with this name already exists")
}

pub fn get(conn: &mut DbConn, workspace_id: i64, id: i64) -> StorageResult<Team> {
    Ok(teams::table
        .filter(teams::workspace_id.eq(workspace_id))
        .filter(teams::id.eq(id))
        .select(Team::as_select())
        .first(conn)?)
}

/// Whether the workspace has a team with this id.
pub fn exists(conn: &mut DbConn, workspace_id: i64, id: i64) -> StorageResult<bool> {
    let n: i64 = teams::table
        .filter(teams::workspace_id.eq(workspace_id))
        .filter(teams::id.eq(id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

pub fn list(
    conn: &mut DbConn,
    workspace_id: i64,
    after_id: i64,
    limit: i64,
) -> StorageResult<Page<Team>> {
    let rows = teams::table
        .filter(teams::workspace_id.eq(workspace_id))
        .filter(teams::id.gt(after_id))
        .order(teams::id.asc())
        .limit(limit + 1)
        .select(Team::as_select())
        .load(conn)?;
    Ok(Page::from_rows(rows, limit, |t: &Team| t.id))
}

/// Member counts of the given teams, for the team list.
pub fn member_counts(conn: &mut DbConn, team_ids: &[i64]) -> StorageResult<Vec<(i64, i64)>> {
    Ok(memberships::table
        .filter(memberships::team_id.eq_any(team_ids))
        .group_by(memberships::team_id)
        .select((
            memberships::team_id.assume_not_null(),
            diesel::dsl::count_star(),
        ))
        .load(conn)?)
}

pub fn create(
    conn: &mut DbConn,
    workspace_id: i64,
    name: &str,
    description: &str,
    now: NaiveDateTime,
) -> StorageResult<Team> {
    write_tx(conn, |conn| {
        let id: i64 = diesel::insert_into(teams::table)
            .values((
                teams::workspace_id.eq(workspace_id),
                teams::name.eq(name),
                teams::description.eq(description),
                teams::created_at.eq(now),
                teams::updated_at.eq(now),
            ))
            .returning(teams::id)
            .get_result(conn)
            .map_err(name_taken)?;
        let team = get(conn, workspace_id, id)?;
        outbox::append(
            conn,
            workspace_id,
            "team.created",
            ("team", Some(id)),
            &team,
            now,
        )?;
        Ok(team)
    })
}

pub fn update(
    conn: &mut DbConn,
    workspace_id: i64,
    id: i64,
    name: Option<&str>,
    description: Option<&str>,
    now: NaiveDateTime,
) -> StorageResult<Team> {
    write_tx(conn, |conn| {
        let team = get(conn, workspace_id, id)?;
        diesel::update(teams::table.find(id))
            .set((
                teams::name.eq(name.unwrap_or(&team.name)),
                teams::description.eq(description.unwrap_or(&team.description)),
                teams::updated_at.eq(now),
            ))
            .execute(conn)
            .map_err(name_taken)?;
        let team = get(conn, workspace_id, id)?;
        outbox::append(
            conn,
            workspace_id,
            "team.updated",
            ("team", Some(id)),
            &team,
            now,
        )?;
        Ok(team)
    })
}

/// Deletes a team; its members become team-less.
pub fn delete(
    conn: &mut DbConn,
    workspace_id: i64,
    id: i64,
    now: NaiveDateTime,
) -> StorageResult<()> {
    write_tx(conn, |conn| {
        get(conn, workspace_id, id)?;
        diesel::update(memberships::table.filter(memberships::team_id.eq(id)))
            .set(memberships::team_id.eq(None::<i64>))
            .execute(conn)?;
        diesel::delete(teams::table.find(id)).execute(conn)?;
        outbox::append(
            conn,
            workspace_id,
            "team.deleted",
            ("team", Some(id)),
            &serde_json::json!({ "id": id }),
            now,
        )?;
        Ok(())
    })
}
