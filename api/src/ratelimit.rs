//! A small in-memory rate limiter for public endpoints (the website widget's visitor API):
//! fixed one-minute windows per key. Each node counts its own requests, so behind a load
//! balancer of N nodes a client gets at most N times the limit, which is enough to stop a
//! flood from one browser or address; nothing here needs to survive a restart.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(60);
/// Past this many keys, finished windows are swept on the next check.
const SWEEP_ABOVE: usize = 10_000;

#[derive(Default)]
pub struct RateLimiter {
    windows: Mutex<HashMap<String, (Instant, u32)>>,
}

impl RateLimiter {
    /// Counts one request under each `(key, limit per minute)`; when any key is over its limit,
    /// nothing is counted and the answer is the seconds until that key's window ends.
    pub fn check(&self, limits: &[(String, u32)]) -> Result<(), u64> {
        self.check_at(limits, Instant::now())
    }

    fn check_at(&self, limits: &[(String, u32)], now: Instant) -> Result<(), u64> {
        let mut map = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > SWEEP_ABOVE {
            map.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        }
        for (key, limit) in limits {
            if let Some((start, count)) = map.get(key) {
                let age = now.duration_since(*start);
                if age < WINDOW && *count >= *limit {
                    return Err((WINDOW - age).as_secs().max(1));
                }
            }
        }
        for (key, _) in limits {
            let entry = map.entry(key.clone()).or_insert((now, 0));
            if now.duration_since(entry.0) >= WINDOW {
                *entry = (now, 0);
            }
            entry.1 += 1;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_gets_its_limit_per_window() {
        let r = RateLimiter::default();
        let t0 = Instant::now();
        let limits = [("a".to_string(), 3), ("ip".to_string(), 5)];
        for _ in 0..3 {
            assert!(r.check_at(&limits, t0).is_ok());
        }
        let wait = r
            .check_at(&limits, t0 + Duration::from_secs(10))
            .unwrap_err();
        assert_eq!(wait, 50);
        // Another key under the same address still has room, and the refusal counted nothing.
        let other = [("b".to_string(), 3), ("ip".to_string(), 5)];
        assert!(r.check_at(&other, t0).is_ok());
        assert!(r.check_at(&other, t0).is_ok());
        assert!(r.check_at(&other, t0).is_err(), "the address is at 5 now");
        // A new window starts afresh.
        assert!(r.check_at(&limits, t0 + WINDOW).is_ok());
    }
}
