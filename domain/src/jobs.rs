//! Retry policy of the durable job queue: exponential backoff with jitter, then dead.

use chrono::{DateTime, Duration, Utc};

/// How a failed job is retried.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// Delay after the first failure.
    pub base: Duration,
    /// Longest delay between two attempts.
    pub cap: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            base: Duration::seconds(5),
            cap: Duration::hours(6),
        }
    }
}

/// What becomes of a job whose attempt failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    RetryAt(DateTime<Utc>),
    Dead,
}

impl RetryPolicy {
    /// Delay before attempt `attempts + 1`: base·2^(attempts-1), capped, then scaled by a
    /// jitter in [0.5, 1.0] so failed jobs do not retry in lockstep. `jitter` is in [0, 1).
    pub fn delay(&self, attempts: i32, jitter: f64) -> Duration {
        let exp = attempts.saturating_sub(1).clamp(0, 30) as u32;
        let raw = self.base.num_milliseconds().saturating_mul(1i64 << exp);
        let capped = raw.min(self.cap.num_milliseconds());
        let factor = 0.5 + 0.5 * jitter.clamp(0.0, 1.0);
        Duration::milliseconds((capped as f64 * factor) as i64)
    }

    /// After `attempts` tries (the failed one included) out of `max_attempts`.
    pub fn after_failure(
        &self,
        attempts: i32,
        max_attempts: i32,
        now: DateTime<Utc>,
        jitter: f64,
    ) -> AfterFailure {
        if attempts >= max_attempts {
            AfterFailure::Dead
        } else {
            AfterFailure::RetryAt(now + self.delay(attempts, jitter))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_and_are_capped() {
        let p = RetryPolicy {
            base: Duration::seconds(1),
            cap: Duration::seconds(10),
        };
        // jitter 1.0 gives the full delay
        assert_eq!(p.delay(1, 1.0), Duration::seconds(1));
        assert_eq!(p.delay(2, 1.0), Duration::seconds(2));
        assert_eq!(p.delay(3, 1.0), Duration::seconds(4));
        assert_eq!(p.delay(5, 1.0), Duration::seconds(10));
        assert_eq!(p.delay(500, 1.0), Duration::seconds(10));
    }

    #[test]
    fn jitter_keeps_at_least_half_the_delay() {
        let p = RetryPolicy::default();
        assert_eq!(p.delay(1, 0.0), Duration::milliseconds(2500));
        assert!(p.delay(1, 0.5) > p.delay(1, 0.0));
        assert!(p.delay(1, 0.5) < p.delay(1, 0.999));
    }

    #[test]
    fn the_last_attempt_makes_the_job_dead() {
        let p = RetryPolicy::default();
        let now = Utc::now();
        assert_eq!(p.after_failure(3, 3, now, 0.3), AfterFailure::Dead);
        match p.after_failure(1, 3, now, 1.0) {
            AfterFailure::RetryAt(t) => assert_eq!(t, now + Duration::seconds(5)),
            other => panic!("{other:?}"),
        }
    }
}
