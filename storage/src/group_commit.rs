//! Group commit: concurrent write jobs share one transaction and one sync to disk. Each job
//! runs in its own savepoint, so a failing job undoes only itself; its caller hears back only
//! after the commit, so nothing is acknowledged before it is durable.
//!
//! Jobs queue for one writer thread, which takes everything waiting (up to [`MAX_BATCH`]) as
//! one batch. With one writer at a time (SQLite) that turns N syncs into one. A queue may also
//! hand its whole batch to code that stores it with a few statements for all jobs
//! ([`crate::ingest`] does), which pays on PostgreSQL too, where each statement is a round trip.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;

use crate::db::{begin_write, finish, rollback_all, Pool, PooledConn};
use crate::{DbConn, StorageError, StorageResult};

/// At most this many jobs share a transaction, so one batch never holds the lock for long.
pub const MAX_BATCH: usize = 256;

/// A job: runs on the writer's connection, and returns what to tell its caller once the
/// batch's commit is known (`Ok` committed, `Err` why not).
pub type Job = Box<dyn FnOnce(&mut DbConn) -> Reply + Send>;
/// What a job's caller is told once the batch's commit is known.
pub type Reply = Box<dyn FnOnce(StorageResult<()>) + Send>;
/// Runs a batch of jobs inside the batch's transaction; one reply per job.
pub type Runner<J> = fn(&mut DbConn, Vec<J>) -> Vec<Reply>;

/// The queue in front of a writer thread; cloning it shares the thread. Its jobs are `J`s,
/// which its [`Runner`] turns into work; by default, closures run one after the other.
pub struct GroupCommit<J = Job> {
    jobs: mpsc::Sender<J>,
}

impl<J> Clone for GroupCommit<J> {
    fn clone(&self) -> Self {
        GroupCommit {
            jobs: self.jobs.clone(),
        }
    }
}

impl<J: Send + 'static> GroupCommit<J> {
    /// Starts a writer thread named `name` that runs each batch with `run`; it keeps one
    /// connection of `pool` for itself.
    pub fn start_with(pool: Pool, name: &str, run: Runner<J>) -> std::io::Result<Self> {
        let (jobs, queue) = mpsc::channel::<J>();
        std::thread::Builder::new()
            .name(name.into())
            .spawn(move || writer(pool, queue, run))?;
        Ok(GroupCommit { jobs })
    }

    /// Queues a job for the next batch. Should it never run (the writer gone), it is dropped,
    /// and with it whatever would have told its caller: not committed.
    pub fn send(&self, job: J) {
        let _ = self.jobs.send(job);
    }
}

impl GroupCommit<Job> {
    /// Starts the writer thread for closures.
    pub fn start(pool: Pool) -> std::io::Result<GroupCommit> {
        GroupCommit::start_with(pool, "group-commit", run_each)
    }

    /// Queues `f` for the next batch; `done` gets its result after the batch's commit (or the
    /// reason it failed). `f` must only use the connection it is given. Should the job never
    /// run (the writer gone, no connection), `done` is dropped unheard: not committed.
    pub fn submit<T, F, D>(&self, f: F, done: D)
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn) -> StorageResult<T> + Send + 'static,
        D: FnOnce(StorageResult<T>) + Send + 'static,
    {
        self.send(Box::new(move |conn: &mut DbConn| {
            // The job's own savepoint: an error rolls back this job only.
            let result = crate::write_tx(conn, f);
            Box::new(move |committed: StorageResult<()>| done(committed.and(result))) as Reply
        }));
    }
}

fn run_each(conn: &mut DbConn, batch: Vec<Job>) -> Vec<Reply> {
    batch.into_iter().map(|job| job(conn)).collect()
}

fn writer<J>(pool: Pool, queue: mpsc::Receiver<J>, run: Runner<J>) {
    // The writer keeps its connection, so a pool drained by readers never holds up writes.
    let mut conn: Option<PooledConn> = None;
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let c = match conn.take() {
            Some(c) => c,
            None => match crate::db::checkout(&pool) {
                Ok(c) => c,
                Err(e) => {
                    // The batch's jobs are dropped: each caller hears "not committed".
                    log::error!("group commit: no connection: {e}");
                    continue;
                }
            },
        };
        match run_batch(c, batch, run) {
            Ok(c) => conn = Some(c),
            Err(e) => log::error!("group commit: batch not committed: {e}"),
        }
    }
}

/// Runs one batch; gives the connection back for the next one unless the batch failed.
fn run_batch<J>(mut conn: PooledConn, batch: Vec<J>, run: Runner<J>) -> StorageResult<PooledConn> {
    let turn = begin_write(&mut conn)?;
    let mut replies = Vec::new();
    let ran = catch_unwind(AssertUnwindSafe(|| {
        replies = run(&mut conn, batch);
    }));
    let committed = match ran {
        Ok(()) => finish(&mut conn, Ok::<(), StorageError>(())),
        Err(_) => {
            // Whatever the panicking job left open goes with the rest of the batch.
            rollback_all(&mut conn);
            Err(StorageError::Setup("a job of the batch panicked".into()))
        }
    };
    drop(turn);
    let failure = committed.as_ref().err().map(|e| e.to_string());
    for reply in replies {
        reply(match &failure {
            None => Ok(()),
            Some(why) => Err(StorageError::Setup(format!("not committed: {why}"))),
        });
    }
    committed.map(|()| conn)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use diesel::connection::SimpleConnection;
    use diesel::prelude::*;

    use super::*;

    fn fresh_pool(name: &str) -> Pool {
        let path =
            std::env::temp_dir().join(format!("ism-group-commit-{name}-{}.db", std::process::id()));
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
        let pool = crate::connect(&path.display().to_string(), 2).unwrap();
        pool.get()
            .unwrap()
            .batch_execute("CREATE TABLE t (x INTEGER NOT NULL UNIQUE)")
            .unwrap();
        pool
    }

    fn insert(x: i64) -> impl FnOnce(&mut DbConn) -> StorageResult<i64> + Send + 'static {
        move |conn| {
            conn.batch_execute(&format!("INSERT INTO t (x) VALUES ({x})"))
                .map_err(StorageError::from)?;
            Ok(x)
        }
    }

    fn stored(pool: &Pool) -> Vec<i64> {
        use diesel::sql_types::BigInt;
        #[derive(QueryableByName)]
        struct Row {
            #[diesel(sql_type = BigInt)]
            x: i64,
        }
        diesel::sql_query("SELECT x FROM t ORDER BY x")
            .load::<Row>(&mut *crate::db::checkout(pool).unwrap())
            .unwrap()
            .into_iter()
            .map(|r| r.x)
            .collect()
    }

    #[test]
    fn each_job_hears_its_own_outcome_and_a_failure_undoes_only_itself() {
        let pool = fresh_pool("outcomes");
        let writer = GroupCommit::start(pool.clone()).unwrap();
        let (tx, rx) = mpsc::channel();
        // A job that writes, then fails: its savepoint takes its write back.
        let write_then_fail = |conn: &mut DbConn| -> StorageResult<i64> {
            conn.batch_execute("INSERT INTO t (x) VALUES (3)")
                .map_err(StorageError::from)?;
            Err(StorageError::Forbidden("no".into()))
        };
        for (n, job) in [
            Box::new(insert(1)) as Box<dyn FnOnce(&mut DbConn) -> StorageResult<i64> + Send>,
            Box::new(insert(1)),
            Box::new(write_then_fail),
            Box::new(insert(2)),
        ]
        .into_iter()
        .enumerate()
        {
            let tx = tx.clone();
            writer.submit(job, move |r| {
                let _ = tx.send((n, r.map_err(|e| e.to_string())));
            });
        }
        let mut outcomes: Vec<(usize, Result<i64, String>)> = (0..4)
            .map(|_| rx.recv_timeout(Duration::from_secs(10)).unwrap())
            .collect();
        outcomes.sort_by_key(|o| o.0);
        assert_eq!(outcomes[0].1, Ok(1));
        assert!(
            outcomes[1].1.is_err(),
            "the duplicate fails: {:?}",
            outcomes[1]
        );
        assert_eq!(outcomes[2].1, Err("no".into()));
        assert_eq!(outcomes[3].1, Ok(2));
        assert_eq!(stored(&pool), [1, 2]);
    }

    #[test]
    fn a_panicking_job_fails_its_batch_and_the_writer_goes_on() {
        let pool = fresh_pool("panic");
        let writer = GroupCommit::start(pool.clone()).unwrap();
        let (tx, rx) = mpsc::channel();
        writer.submit(
            |conn: &mut DbConn| -> StorageResult<i64> {
                insert(4)(conn)?;
                panic!("a bug in a job")
            },
            move |r| {
                let _ = tx.send(r.is_ok());
            },
        );
        // The panicking job's reply goes with it (or fails): either way no success.
        assert_ne!(rx.recv_timeout(Duration::from_secs(10)), Ok(true));
        let (tx, rx) = mpsc::channel();
        writer.submit(insert(5), move |r| {
            let _ = tx.send(r.is_ok());
        });
        assert!(rx.recv_timeout(Duration::from_secs(10)).unwrap());
        assert_eq!(stored(&pool), [5]);
    }
}
