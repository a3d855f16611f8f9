//! The durable job queue with a real worker on both databases: retries with backoff,
//! death after the last attempt, and recovery from a worker that crashed holding a lease.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use api::worker::{Handler, Turn, Worker};
use chrono::{Duration, Utc};
use diesel::prelude::*;
use domain::jobs::RetryPolicy;
use scenario_tests::{scenario, Backend, TestDb};
use storage::jobs::{NewJob, DEAD, DONE, QUEUED, RUNNING};

fn pool(db: &TestDb) -> storage::Pool {
    let pool = storage::connect(&db.url, 2).unwrap();
    storage::migrate(&mut pool.get().unwrap()).unwrap();
    pool
}

fn enqueue(pool: &storage::Pool, kind: &str, max_attempts: i32) -> i64 {
    let now = Utc::now().naive_utc();
    storage::jobs::enqueue(
        &mut pool.get().unwrap(),
        NewJob {
            workspace_id: None,
            kind,
            payload: serde_json::json!({"n": 1}),
            run_at: now,
            max_attempts,
        },
        now,
    )
    .unwrap()
}

fn job(pool: &storage::Pool, id: i64) -> storage::jobs::Job {
    storage::jobs::get(&mut pool.get().unwrap(), id).unwrap()
}

/// Lets a job scheduled for later run now, instead of sleeping in the test.
fn make_due(pool: &storage::Pool, id: i64) {
    use storage::schema::jobs;
    diesel::update(jobs::table.find(id))
        .set(jobs::run_at.eq(Utc::now().naive_utc() - Duration::seconds(1)))
        .execute(&mut *storage::checkout(pool).unwrap())
        .unwrap();
}

/// A handler that fails its first `failures` calls.
fn flaky(failures: u32, calls: Arc<AtomicU32>) -> Handler {
    Arc::new(move |_job| {
        let n = calls.fetch_add(1, Ordering::SeqCst) + 1;
        Box::pin(async move {
            if n <= failures {
                Err(format!("failure number {n}"))
            } else {
                Ok(())
            }
        })
    })
}

fn worker(pool: &storage::Pool, id: &str, handler: Handler) -> Worker {
    let mut w = Worker::new(pool.clone(), id).handle("test.flaky", handler);
    w.policy = RetryPolicy {
        base: Duration::seconds(30),
        cap: Duration::minutes(10),
    };
    w
}

fn db(backend: Backend) -> TestDb {
    TestDb::create(backend)
}

scenario!(
    failed_jobs_retry_later_until_they_succeed,
    |backend: Backend| async move {
        let db = db(backend);
        let pool = pool(&db);
        let calls = Arc::new(AtomicU32::new(0));
        let w = worker(&pool, "w1", flaky(2, calls.clone()));
        let id = enqueue(&pool, "test.flaky", 5);

        assert_eq!(w.turn().await.unwrap(), Turn::Failed(id));
        let after_first = job(&pool, id);
        assert_eq!(after_first.status, QUEUED);
        assert_eq!(after_first.attempts, 1);
        assert_eq!(after_first.last_error.as_deref(), Some("failure number 1"));
        let wait = after_first.run_at - Utc::now().naive_utc();
        assert!(
            wait > Duration::seconds(10) && wait <= Duration::seconds(30),
            "backoff with jitter: {wait}"
        );
        assert_eq!(
            w.turn().await.unwrap(),
            Turn::Idle,
            "not due before its retry time"
        );

        make_due(&pool, id);
        assert_eq!(w.turn().await.unwrap(), Turn::Failed(id));
        let after_second = job(&pool, id);
        assert_eq!(after_second.attempts, 2);
        let second_wait = after_second.run_at - Utc::now().naive_utc();
        assert!(
            second_wait > Duration::seconds(25),
            "the delay grows: {second_wait}"
        );

        make_due(&pool, id);
        assert_eq!(w.turn().await.unwrap(), Turn::Succeeded(id));
        let done = job(&pool, id);
        assert_eq!(done.status, DONE);
        assert_eq!(done.attempts, 3);
        assert_eq!(done.locked_by, None);
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }
);

scenario!(
    a_job_is_dead_after_its_last_attempt,
    |backend: Backend| async move {
        let db = db(backend);
        let pool = pool(&db);
        let calls = Arc::new(AtomicU32::new(0));
        let w = worker(&pool, "w1", flaky(u32::MAX, calls.clone()));
        let id = enqueue(&pool, "test.flaky", 3);
        for attempt in 1..=3 {
            make_due(&pool, id);
            assert_eq!(
                w.turn().await.unwrap(),
                Turn::Failed(id),
                "attempt {attempt}"
            );
        }
        let dead = job(&pool, id);
        assert_eq!(dead.status, DEAD);
        assert_eq!(dead.attempts, 3);
        assert_eq!(dead.last_error.as_deref(), Some("failure number 3"));
        make_due(&pool, id);
        assert_eq!(
            w.turn().await.unwrap(),
            Turn::Idle,
            "dead jobs are never run again"
        );
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }
);

scenario!(
    a_crashed_workers_job_is_taken_over_when_its_lease_expires,
    |backend: Backend| async move {
        let db = db(backend);
        let pool = pool(&db);
        let id = enqueue(&pool, "test.flaky", 3);
        // A worker claims the job, then dies without finishing it.
        let now = Utc::now().naive_utc();
        let claimed = storage::jobs::claim(
            &mut pool.get().unwrap(),
            "crashed",
            &["test.flaky"],
            Duration::minutes(5),
            now,
        )
        .unwrap()
        .expect("claimed");
        assert_eq!(claimed.id, id);
        assert_eq!(claimed.status, RUNNING);

        let calls = Arc::new(AtomicU32::new(0));
        let survivor = worker(&pool, "survivor", flaky(0, calls.clone()));
        assert_eq!(
            survivor.turn().await.unwrap(),
            Turn::Idle,
            "the lease still holds"
        );

        {
            use storage::schema::jobs;
            diesel::update(jobs::table.find(id))
                .set(jobs::locked_until.eq(Utc::now().naive_utc() - Duration::seconds(1)))
                .execute(&mut *storage::checkout(&pool).unwrap())
                .unwrap();
        }
        assert_eq!(survivor.turn().await.unwrap(), Turn::Succeeded(id));
        let done = job(&pool, id);
        assert_eq!(done.status, DONE);
        assert_eq!(done.attempts, 2, "the crashed attempt counts");
        // The crashed worker coming back cannot finish a job it no longer holds.
        assert!(!storage::jobs::complete(
            &mut pool.get().unwrap(),
            id,
            "crashed",
            Utc::now().naive_utc()
        )
        .unwrap());
    }
);

scenario!(
    an_expired_lease_on_the_last_attempt_kills_the_job,
    |backend: Backend| async move {
        let db = db(backend);
        let pool = pool(&db);
        let id = enqueue(&pool, "test.flaky", 1);
        let now = Utc::now().naive_utc();
        storage::jobs::claim(
            &mut pool.get().unwrap(),
            "crashed",
            &["test.flaky"],
            Duration::seconds(-1),
            now,
        )
        .unwrap()
        .expect("claimed");
        let calls = Arc::new(AtomicU32::new(0));
        let survivor = worker(&pool, "survivor", flaky(0, calls.clone()));
        assert_eq!(survivor.turn().await.unwrap(), Turn::Idle);
        let dead = job(&pool, id);
        assert_eq!(dead.status, DEAD);
        assert!(dead.last_error.unwrap().contains("lease expired"));
        assert_eq!(calls.load(Ordering::SeqCst), 0);
    }
);

scenario!(
    workers_leave_kinds_they_do_not_handle_alone,
    |backend: Backend| async move {
        let db = db(backend);
        let pool = pool(&db);
        let id = enqueue(&pool, "test.other", 3);
        let w = worker(&pool, "w1", flaky(0, Arc::new(AtomicU32::new(0))));
        assert_eq!(w.turn().await.unwrap(), Turn::Idle);
        assert_eq!(job(&pool, id).status, QUEUED);
    }
);
