//! The durable job queue: workers claim due jobs under a lease, finish or fail them; failures
//! retry with backoff until dead; a crashed worker's lease expires and another worker takes over.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use domain::jobs::AfterFailure;
use serde::Serialize;

use crate::schema::jobs;
use crate::{write_tx, DbConn, StorageResult};

pub const QUEUED: &str = "queued";
pub const RUNNING: &str = "running";
pub const DONE: &str = "done";
pub const DEAD: &str = "dead";

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = jobs)]
pub struct Job {
    pub id: i64,
    pub workspace_id: Option<i64>,
    pub kind: String,
    pub payload: String,
    pub status: String,
    pub run_at: NaiveDateTime,
    pub attempts: i32,
    pub max_attempts: i32,
    pub locked_by: Option<String>,
    pub locked_until: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub struct NewJob<'a> {
    pub workspace_id: Option<i64>,
    pub kind: &'a str,
    pub payload: serde_json::Value,
    pub run_at: NaiveDateTime,
    pub max_attempts: i32,
}

/// Adds a job; call it inside the transaction whose change asks for the work.
pub fn enqueue(conn: &mut DbConn, job: NewJob, now: NaiveDateTime) -> StorageResult<i64> {
    Ok(diesel::insert_into(jobs::table)
        .values((
            jobs::workspace_id.eq(job.workspace_id),
            jobs::kind.eq(job.kind),
            jobs::payload.eq(job.payload.to_string()),
            jobs::status.eq(QUEUED),
            jobs::run_at.eq(job.run_at),
            jobs::attempts.eq(0),
            jobs::max_attempts.eq(job.max_attempts.max(1)),
            jobs::created_at.eq(now),
            jobs::updated_at.eq(now),
        ))
        .returning(jobs::id)
        .get_result(conn)?)
}

pub fn get(conn: &mut DbConn, id: i64) -> StorageResult<Job> {
    Ok(jobs::table.find(id).select(Job::as_select()).first(conn)?)
}

/// Claims the oldest due job of the given kinds for `worker` until `now + lease`:
/// a queued job whose time has come, or a running one whose lease expired (its worker died).
/// A reclaimed job that has used up its attempts is marked dead instead.
pub fn claim(
    conn: &mut DbConn,
    worker: &str,
    kinds: &[&str],
    lease: Duration,
    now: NaiveDateTime,
) -> StorageResult<Option<Job>> {
    loop {
        let claimed = write_tx(conn, |conn| -> StorageResult<Option<Option<Job>>> {
            // Several nodes may claim at once on PostgreSQL; SQLite has a single writer already.
            macro_rules! due {
                () => {
                    jobs::table
                        .filter(jobs::kind.eq_any(kinds))
                        .filter(
                            (jobs::status.eq(QUEUED).and(jobs::run_at.le(now)))
                                .or(jobs::status.eq(RUNNING).and(jobs::locked_until.lt(now))),
                        )
                        .order(jobs::run_at.asc())
                        .select(Job::as_select())
                };
            }
            let candidate = match conn {
                DbConn::Pg(c) => due!().for_update().skip_locked().first(c).optional()?,
                DbConn::Sqlite(c) => due!().first(c).optional()?,
            };
            let Some(job) = candidate else {
                return Ok(None);
            };
            if job.status == RUNNING && job.attempts >= job.max_attempts {
                diesel::update(jobs::table.find(job.id))
                    .set((
                        jobs::status.eq(DEAD),
                        jobs::locked_by.eq(None::<String>),
                        jobs::locked_until.eq(None::<NaiveDateTime>),
                        jobs::last_error.eq("the worker's lease expired on the last attempt"),
                        jobs::updated_at.eq(now),
                    ))
                    .execute(conn)?;
                return Ok(Some(None));
            }
            diesel::update(jobs::table.find(job.id))
                .set((
                    jobs::status.eq(RUNNING),
                    jobs::attempts.eq(job.attempts + 1),
                    jobs::locked_by.eq(worker),
                    jobs::locked_until.eq(now + lease),
                    jobs::updated_at.eq(now),
                ))
                .execute(conn)?;
            Ok(Some(Some(get(conn, job.id)?)))
        })?;
        match claimed {
            None => return Ok(None),
            Some(Some(job)) => return Ok(Some(job)),
            Some(None) => continue, // a dead job was cleared out of the way; look again
        }
    }
}

/// Marks a claimed job done. False if the lease was lost to another worker meanwhile.
pub fn complete(
    conn: &mut DbConn,
    id: i64,
    worker: &str,
    now: NaiveDateTime,
) -> StorageResult<bool> {
    let n = diesel::update(
        jobs::table
            .filter(jobs::id.eq(id))
            .filter(jobs::locked_by.eq(worker))
            .filter(jobs::status.eq(RUNNING)),
    )
    .set((
        jobs::status.eq(DONE),
        jobs::locked_by.eq(None::<String>),
        jobs::locked_until.eq(None::<NaiveDateTime>),
        jobs::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Records a failed attempt: the job waits for its retry, or is dead with the error kept.
pub fn fail(
    conn: &mut DbConn,
    id: i64,
    worker: &str,
    error: &str,
    after: AfterFailure,
    now: NaiveDateTime,
) -> StorageResult<bool> {
    let (status, run_at) = match after {
        AfterFailure::RetryAt(t) => (QUEUED, Some(t.naive_utc())),
        AfterFailure::Dead => (DEAD, None),
    };
    let target = jobs::table
        .filter(jobs::id.eq(id))
        .filter(jobs::locked_by.eq(worker))
        .filter(jobs::status.eq(RUNNING));
    let error: String = error.chars().take(2000).collect();
    let n = match run_at {
        Some(run_at) => diesel::update(target)
            .set((
                jobs::status.eq(status),
                jobs::run_at.eq(run_at),
                jobs::locked_by.eq(None::<String>),
                jobs::locked_until.eq(None::<NaiveDateTime>),
                jobs::last_error.eq(&error),
                jobs::updated_at.eq(now),
            ))
            .execute(conn)?,
        None => diesel::update(target)
            .set((
                jobs::status.eq(status),
                jobs::locked_by.eq(None::<String>),
                jobs::locked_until.eq(None::<NaiveDateTime>),
                jobs::last_error.eq(&error),
                jobs::updated_at.eq(now),
            ))
            .execute(conn)?,
    };
    Ok(n == 1)
}
