//! What every handler shares: the pool, the JWT keys, configuration, realtime hub and metrics.

use std::sync::Arc;

use actix_web::web;
use storage::{DbConn, Pool, StorageError};

use crate::auth::Jwt;
use crate::config::Config;
use crate::error::{ApiError, ApiResult};
use crate::metrics::Metrics;
use crate::realtime::Hub;

pub struct AppState {
    pub pool: Pool,
    pub jwt: Jwt,
    pub config: Config,
    pub hub: Arc<Hub>,
    pub metrics: Arc<Metrics>,
    /// Seals secrets the server sends later (channel tokens).
    pub secrets: crate::secrets::SecretBox,
    /// Per-visitor and per-address limits of the public widget API.
    pub limiter: crate::ratelimit::RateLimiter,
    /// The inbox view counts, until the workspace changes.
    pub inbox_counts: Arc<crate::inbox_counts::InboxCounts>,
    /// On SQLite, the writer that commits concurrent small writes together.
    pub group_commit: Option<storage::group_commit::GroupCommit>,
    /// The writer that stores concurrent inbound messages in batches.
    pub ingest: storage::ingest::Queue,
    /// Turns for requests' database work, handed out in arrival order (`db_concurrency`).
    pub db_turns: tokio::sync::Semaphore,
}

impl AppState {
    /// Runs blocking database work on the thread pool with a pooled connection.
    pub async fn db<T, F>(&self, f: F) -> ApiResult<T>
    where
        F: FnOnce(&mut DbConn) -> Result<T, StorageError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        let hub = self.hub.clone();
        let _turn = self
            .db_turns
            .acquire()
            .await
            .map_err(|_| ApiError::internal("the server is shutting down"))?;
        let (result, appended) = web::block(move || {
            storage::outbox::take_appended();
            let result = pool
                .get()
                .map_err(StorageError::from)
                .and_then(|mut c| f(&mut c));
            (result, storage::outbox::take_appended())
        })
        .await
        .map_err(ApiError::from)?;
        if appended {
            // Let this node's tailer publish the new events now. Reads do not wake it: under a
            // read load it would otherwise poll the outbox every few milliseconds for nothing.
            hub.poke();
        }
        result.map_err(ApiError::from)
    }

    /// Stores an inbound message (`None`: a replay, stored before) together with the others
    /// arriving meanwhile; returns once it is committed.
    pub async fn receive(
        &self,
        channel: storage::channels::Channel,
        inbound: storage::messages::Inbound,
    ) -> ApiResult<Option<storage::messages::Message>> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.ingest.send(storage::ingest::Pending {
            item: storage::ingest::Item { channel, inbound },
            done: Box::new(move |result| {
                let _ = tx.send(result);
            }),
        });
        let outcome = rx.await.map_err(|_| {
            ApiError::from(StorageError::Setup("the message was not committed".into()))
        })?;
        self.hub.poke();
        match outcome.map_err(ApiError::from)? {
            storage::ingest::Outcome::Stored(m) => Ok(m),
            storage::ingest::Outcome::Yours(item) => {
                self.db(move |conn| {
                    let now = storage::naive(chrono::Utc::now());
                    storage::messages::receive(conn, &item.channel, &item.inbound, now)
                })
                .await
            }
        }
    }

    /// Like [`AppState::db`] for a small write that arrives in floods (inbound messages): on
    /// SQLite it shares a transaction, and its sync to disk, with the writes queued beside
    /// it, and returns once that is committed.
    pub async fn write<T, F>(&self, f: F) -> ApiResult<T>
    where
        F: FnOnce(&mut DbConn) -> Result<T, StorageError> + Send + 'static,
        T: Send + 'static,
    {
        let Some(group) = &self.group_commit else {
            return self.db(f).await;
        };
        let (tx, rx) = tokio::sync::oneshot::channel();
        group.submit(f, move |result| {
            let _ = tx.send(result);
        });
        let result = rx.await.map_err(|_| {
            ApiError::from(StorageError::Setup("the write was not committed".into()))
        })?;
        self.hub.poke();
        result.map_err(ApiError::from)
    }
}
