//! Runs durable jobs: claims due jobs of the kinds it has handlers for, runs them under a
//! lease, and records success, a retry with backoff, or death. Any number of nodes may run one.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{Duration, Utc};
use domain::jobs::RetryPolicy;
use rand::Rng;
use storage::jobs::Job;
use storage::Pool;

pub type JobFuture = Pin<Box<dyn Future<Output = Result<(), String>> + Send>>;
/// Runs one job; an `Err` is kept as the job's last error and retried.
pub type Handler = Arc<dyn Fn(Job) -> JobFuture + Send + Sync>;

#[derive(Clone)]
pub struct Worker {
    pool: Pool,
    handlers: HashMap<String, Handler>,
    pub id: String,
    pub policy: RetryPolicy,
    /// How long a claim holds; a job still running then is presumed crashed and retried.
    pub lease: Duration,
    pub idle_wait: StdDuration,
}

/// What one turn of the worker did.
#[derive(Debug, PartialEq, Eq)]
pub enum Turn {
    Idle,
    Succeeded(i64),
    Failed(i64),
}

impl Worker {
    pub fn new(pool: Pool, id: impl Into<String>) -> Self {
        Worker {
            pool,
            handlers: HashMap::new(),
            id: id.into(),
            policy: RetryPolicy::default(),
            lease: Duration::minutes(5),
            idle_wait: StdDuration::from_millis(500),
        }
    }

    pub fn handle(mut self, kind: &str, handler: Handler) -> Self {
        self.handlers.insert(kind.to_string(), handler);
        self
    }

    async fn db<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut storage::DbConn) -> storage::StorageResult<T> + Send + 'static,
    ) -> Result<T, String> {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get()?;
            f(&mut conn)
        })
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())
    }

    /// Claims and runs at most one job.
    pub async fn turn(&self) -> Result<Turn, String> {
        if self.handlers.is_empty() {
            return Ok(Turn::Idle);
        }
        let kinds: Vec<String> = self.handlers.keys().cloned().collect();
        let (id, lease) = (self.id.clone(), self.lease);
        let claimed = self
            .db(move |conn| {
                let kinds: Vec<&str> = kinds.iter().map(String::as_str).collect();
                storage::jobs::claim(conn, &id, &kinds, lease, storage::naive(Utc::now()))
            })
            .await?;
        let Some(job) = claimed else {
            return Ok(Turn::Idle);
        };
        let handler = self.handlers.get(&job.kind).cloned().ok_or("no handler")?;
        let (job_id, attempts, max) = (job.id, job.attempts, job.max_attempts);
        let limit = self.lease.to_std().unwrap_or(StdDuration::from_secs(300));
        let outcome = match tokio::time::timeout(limit, handler(job)).await {
            Ok(r) => r,
            Err(_) => Err("the job ran longer than its lease".into()),
        };
        let id = self.id.clone();
        match outcome {
            Ok(()) => {
                self.db(move |conn| {
                    storage::jobs::complete(conn, job_id, &id, storage::naive(Utc::now()))
                })
                .await?;
                Ok(Turn::Succeeded(job_id))
            }
            Err(error) => {
                let jitter: f64 = rand::rng().random();
                let now = Utc::now();
                let after = self.policy.after_failure(attempts, max, now, jitter);
                log::warn!("job {job_id} failed (attempt {attempts} of {max}): {error}");
                self.db(move |conn| {
                    storage::jobs::fail(conn, job_id, &id, &error, after, storage::naive(now))
                })
                .await?;
                Ok(Turn::Failed(job_id))
            }
        }
    }

    /// Works until the process ends.
    pub async fn run(self) {
        loop {
            match self.turn().await {
                Ok(Turn::Idle) => tokio::time::sleep(self.idle_wait).await,
                Ok(_) => {}
                Err(e) => {
                    log::warn!("job worker: {e}");
                    tokio::time::sleep(self.idle_wait).await;
                }
            }
        }
    }
}
