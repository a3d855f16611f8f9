//! The counts of the default inbox views, kept per workspace and viewer until the workspace
//! changes. Counting open threads reads every one of them (tens of thousands in a busy
//! workspace), while the inbox is fetched again by every agent's screen on every live event.
//!
//! An entry stays valid while the realtime hub has published no new event of the workspace
//! and the outbox holds none newer than what it published: every change to a thread appends
//! an event in its own transaction, so the counts cannot have moved. Each node keeps its own
//! entries; nothing needs sharing between nodes. A transaction that commits an event more than
//! the hub's gap wait after taking its id is skipped by the hub, so entries also expire.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use storage::contacts::Visibility;
use storage::inbox::Counts;

use crate::realtime::Seen;

/// The longest an entry is trusted, in case the hub skipped a late event.
const MAX_AGE: Duration = Duration::from_secs(30);
/// Beyond this many viewers the cache starts over rather than grow.
const MAX_ENTRIES: usize = 10_000;

/// Who is counting: the counts depend on the workspace, the viewer ("mine") and what the
/// viewer may see.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Viewer {
    workspace_id: i64,
    user_id: Option<i64>,
    assigned_to: Option<Vec<i64>>,
}

impl Viewer {
    pub fn new(workspace_id: i64, user_id: Option<i64>, visibility: &Visibility) -> Viewer {
        Viewer {
            workspace_id,
            user_id,
            assigned_to: match visibility {
                Visibility::All => None,
                Visibility::AssignedTo(ids) => Some(ids.clone()),
            },
        }
    }
}

struct Entry {
    seen: Seen,
    at: Instant,
    counts: Counts,
}

#[derive(Default)]
pub struct InboxCounts {
    entries: Mutex<HashMap<Viewer, Entry>>,
}

impl InboxCounts {
    /// The counts kept for this viewer when the workspace reads as it did then. The caller
    /// must still check that the outbox holds nothing newer than `seen.cursor`.
    pub fn get(&self, viewer: &Viewer, seen: Seen, now: Instant) -> Option<Counts> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(viewer)
            .filter(|e| e.seen.changes == seen.changes && now.duration_since(e.at) < MAX_AGE)
            .map(|e| e.counts)
    }

    /// Keeps counts computed after `seen` was read, when the outbox then held no event of the
    /// workspace newer than `seen.cursor`.
    pub fn put(&self, viewer: Viewer, seen: Seen, now: Instant, counts: Counts) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_ENTRIES && !entries.contains_key(&viewer) {
            entries.clear();
        }
        entries.insert(
            viewer,
            Entry {
                seen,
                at: now,
                counts,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(all: i64) -> Counts {
        Counts {
            all,
            mine: 0,
            unassigned: all,
        }
    }

    #[test]
    fn an_entry_holds_until_the_workspace_changes_or_it_is_old() {
        let cache = InboxCounts::default();
        let me = Viewer::new(1, Some(7), &Visibility::All);
        let seen = Seen {
            cursor: 10,
            changes: 3,
        };
        let t0 = Instant::now();
        assert_eq!(cache.get(&me, seen, t0), None);
        cache.put(me.clone(), seen, t0, counts(5));
        assert_eq!(cache.get(&me, seen, t0), Some(counts(5)));
        // Another workspace's events move the cursor, not this workspace's changes.
        let later = Seen {
            cursor: 12,
            changes: 3,
        };
        assert_eq!(cache.get(&me, later, t0), Some(counts(5)));
        let changed = Seen {
            cursor: 13,
            changes: 4,
        };
        assert_eq!(cache.get(&me, changed, t0), None);
        assert_eq!(cache.get(&me, seen, t0 + MAX_AGE), None);
    }

    #[test]
    fn viewers_do_not_share_counts() {
        let cache = InboxCounts::default();
        let seen = Seen {
            cursor: 1,
            changes: 1,
        };
        let t0 = Instant::now();
        cache.put(
            Viewer::new(1, Some(7), &Visibility::All),
            seen,
            t0,
            counts(5),
        );
        assert_eq!(
            cache.get(&Viewer::new(1, Some(8), &Visibility::All), seen, t0),
            None
        );
        assert_eq!(
            cache.get(
                &Viewer::new(1, Some(7), &Visibility::AssignedTo(vec![7])),
                seen,
                t0
            ),
            None
        );
        assert_eq!(
            cache.get(&Viewer::new(2, Some(7), &Visibility::All), seen, t0),
            None
        );
    }
}
