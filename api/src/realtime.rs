//! Realtime: every node tails the event outbox and fans new events out to its SSE clients.
//! A client resuming with `Last-Event-ID` first gets what it missed from the database, then
//! live events; nothing is lost across reconnects, lagging, or nodes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use storage::outbox::Event;
use storage::Pool;
use tokio::sync::{broadcast, Notify};

/// How long a hole in the id sequence is waited for: on PostgreSQL a transaction that took an
/// id earlier may commit after a later one; a hole still open after this was a rollback.
const GAP_WAIT: Duration = Duration::from_secs(2);
const POLL_EVERY: Duration = Duration::from_millis(250);
const BATCH: i64 = 500;
/// At most one outbox poll per this interval (it adds at most this much to event latency).
const MIN_POLL_GAP: Duration = Duration::from_millis(5);

pub struct Hub {
    /// What this node has published, guarded with the publishing itself so a subscriber sees
    /// each event either in its backfill or in its receiver, never neither.
    published: Mutex<Published>,
    tx: broadcast::Sender<Arc<Event>>,
    wake: Notify,
}

struct Published {
    /// The id up to which events are published.
    cursor: i64,
    /// How many events of each workspace were published here since start: every change is
    /// appended to the outbox in its own transaction, so while this stands still (and nothing
    /// newer waits in the outbox) the workspace's data is as it was.
    changes: HashMap<i64, u64>,
}

/// A workspace as this node has seen it: see [`Hub::seen`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    /// The id up to which all events are published.
    pub cursor: i64,
    /// The workspace's published-event count, which changes with each of its events.
    pub changes: u64,
}

impl Hub {
    pub fn new(start_after: i64) -> Arc<Hub> {
        let (tx, _) = broadcast::channel(4096);
        Arc::new(Hub {
            published: Mutex::new(Published {
                cursor: start_after,
                changes: HashMap::new(),
            }),
            tx,
            wake: Notify::new(),
        })
    }

    /// Asks the tailer to look at the outbox now (after a local commit).
    pub fn poke(&self) {
        self.wake.notify_one();
    }

    /// A receiver of live events and the id up to which events are already published.
    pub fn subscribe(&self) -> (broadcast::Receiver<Arc<Event>>, i64) {
        let published = self.lock();
        (self.tx.subscribe(), published.cursor)
    }

    pub fn cursor(&self) -> i64 {
        self.lock().cursor
    }

    /// The workspace as this node has seen it. Something computed from the workspace's data
    /// after this reading, when the workspace has no event newer than `cursor` in the outbox,
    /// stays true while a later reading is the same.
    pub fn seen(&self, workspace_id: i64) -> Seen {
        let published = self.lock();
        Seen {
            cursor: published.cursor,
            changes: published.changes.get(&workspace_id).copied().unwrap_or(0),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Published> {
        self.published.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn publish(&self, events: Vec<Event>) {
        let Some(last) = events.last().map(|e| e.id) else {
            return;
        };
        let mut published = self.lock();
        published.cursor = last;
        for e in &events {
            *published.changes.entry(e.workspace_id).or_default() += 1;
        }
        for e in events {
            // No receivers is fine: nobody is listening on this node.
            let _ = self.tx.send(Arc::new(e));
        }
    }

    /// Tails the outbox until the process ends.
    pub async fn run_tailer(self: Arc<Self>, pool: Pool) {
        let mut gap: Option<(i64, Instant)> = None;
        let mut last_poll: Option<Instant> = None;
        loop {
            // Under a flood of writes every commit pokes: polls are spaced so that each one
            // picks up a batch of events rather than one.
            if let Some(at) = last_poll {
                let since = at.elapsed();
                if since < MIN_POLL_GAP {
                    tokio::time::sleep(MIN_POLL_GAP - since).await;
                }
            }
            last_poll = Some(Instant::now());
            let after = self.cursor();
            let p = pool.clone();
            let fetched = actix_web::rt::task::spawn_blocking(move || {
                let mut conn = p.get()?;
                storage::outbox::after(&mut conn, after, BATCH)
            })
            .await;
            let mut full_batch = false;
            match fetched {
                Ok(Ok(events)) => {
                    full_batch = events.len() as i64 == BATCH;
                    let (ready, hole) = contiguous_prefix(after, events, &mut gap, Instant::now());
                    self.publish(ready);
                    if hole {
                        full_batch = false;
                    }
                }
                Ok(Err(e)) => log::warn!("outbox tailer: {e}"),
                Err(e) => log::warn!("outbox tailer task: {e}"),
            }
            if !full_batch {
                let _ = tokio::time::timeout(POLL_EVERY, self.wake.notified()).await;
            }
        }
    }
}

/// The events that can be published now: up to the first hole in the ids, unless that hole
/// has been open longer than [`GAP_WAIT`]. Returns them and whether a hole held some back.
fn contiguous_prefix(
    after: i64,
    events: Vec<Event>,
    gap: &mut Option<(i64, Instant)>,
    now: Instant,
) -> (Vec<Event>, bool) {
    let mut expected = after + 1;
    let mut ready = Vec::with_capacity(events.len());
    for e in events {
        if e.id != expected {
            let since = match gap {
                Some((id, since)) if *id == expected => *since,
                _ => {
                    *gap = Some((expected, now));
                    now
                }
            };
            if now.duration_since(since) < GAP_WAIT {
                return (ready, true);
            }
        }
        expected = e.id + 1;
        ready.push(e);
    }
    *gap = None;
    (ready, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(id: i64) -> Event {
        Event {
            id,
            workspace_id: 1,
            event_type: "t".into(),
            subject_type: "s".into(),
            subject_id: None,
            payload: "{}".into(),
            created_at: chrono::Utc::now().naive_utc(),
        }
    }

    fn ids(v: &[Event]) -> Vec<i64> {
        v.iter().map(|e| e.id).collect()
    }

    #[test]
    fn contiguous_events_pass() {
        let mut gap = None;
        let (ready, hole) =
            contiguous_prefix(3, vec![ev(4), ev(5), ev(6)], &mut gap, Instant::now());
        assert_eq!(ids(&ready), [4, 5, 6]);
        assert!(!hole);
    }

    #[test]
    fn a_fresh_hole_holds_back_what_follows_until_it_is_old() {
        let mut gap = None;
        let t0 = Instant::now();
        let (ready, hole) = contiguous_prefix(3, vec![ev(4), ev(6)], &mut gap, t0);
        assert_eq!(ids(&ready), [4]);
        assert!(hole);
        // still young: nothing more
        let (ready, hole) =
            contiguous_prefix(4, vec![ev(6)], &mut gap, t0 + Duration::from_millis(500));
        assert!(ready.is_empty() && hole);
        // the late transaction committed: all flows
        let (ready, hole) = contiguous_prefix(
            4,
            vec![ev(5), ev(6)],
            &mut gap,
            t0 + Duration::from_millis(600),
        );
        assert_eq!(ids(&ready), [5, 6]);
        assert!(!hole);
    }

    #[test]
    fn an_old_hole_was_a_rollback_and_is_skipped() {
        let mut gap = None;
        let t0 = Instant::now();
        let _ = contiguous_prefix(4, vec![ev(6)], &mut gap, t0);
        let (ready, hole) = contiguous_prefix(4, vec![ev(6), ev(7)], &mut gap, t0 + GAP_WAIT);
        assert_eq!(ids(&ready), [6, 7]);
        assert!(!hole);
    }

    #[test]
    fn subscribers_see_each_event_in_backfill_or_live() {
        let hub = Hub::new(0);
        let (mut early, cursor) = hub.subscribe();
        assert_eq!(cursor, 0);
        hub.publish(vec![ev(1), ev(2)]);
        let (_late, cursor) = hub.subscribe();
        assert_eq!(cursor, 2, "a later subscriber backfills up to here");
        assert_eq!(early.try_recv().unwrap().id, 1);
        assert_eq!(early.try_recv().unwrap().id, 2);
    }

    #[test]
    fn a_workspace_reads_as_changed_only_by_its_own_events() {
        let hub = Hub::new(0);
        let before = hub.seen(1);
        let mut other = ev(1);
        other.workspace_id = 2;
        hub.publish(vec![other]);
        let after_other = hub.seen(1);
        assert_eq!(after_other.changes, before.changes);
        assert_eq!(after_other.cursor, 1);
        hub.publish(vec![ev(2)]);
        assert_ne!(hub.seen(1).changes, before.changes);
        assert_eq!(hub.seen(2).changes, 1);
    }
}
