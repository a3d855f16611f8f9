//! The benchmark suite behind `make bench`: it starts the real `ismessenger` binary on a fresh
//! database and measures ingest (with the raw database ceiling and the floor of our own stack),
//! the read path on a seeded workspace, realtime fan-out over SSE, and memory. See
//! `src/bin/ism-bench.rs` for the run itself and README "Performance" for the figures.

pub mod db;
pub mod load;
pub mod process;
pub mod report;
pub mod seed;
pub mod sse;

use std::time::Duration;

/// Latency figures of a set of requests, in milliseconds.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct Summary {
    pub count: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

/// Percentiles by nearest rank over the samples (microseconds).
pub fn summarize(samples: &mut [u64]) -> Summary {
    if samples.is_empty() {
        return Summary::default();
    }
    samples.sort_unstable();
    let rank = |p: f64| {
        let i = ((p / 100.0) * samples.len() as f64).ceil() as usize;
        samples[i.clamp(1, samples.len()) - 1] as f64 / 1000.0
    };
    Summary {
        count: samples.len(),
        p50_ms: rank(50.0),
        p99_ms: rank(99.0),
        max_ms: *samples.last().unwrap_or(&0) as f64 / 1000.0,
    }
}

pub fn micros(d: Duration) -> u64 {
    d.as_micros().min(u64::MAX as u128) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_by_nearest_rank() {
        let mut v: Vec<u64> = (1..=100).map(|x| x * 1000).collect();
        let s = summarize(&mut v);
        assert_eq!(s.count, 100);
        assert_eq!(s.p50_ms, 50.0);
        assert_eq!(s.p99_ms, 99.0);
        assert_eq!(s.max_ms, 100.0);
        assert_eq!(summarize(&mut []).count, 0);
        assert_eq!(summarize(&mut [7000]).p99_ms, 7.0);
    }
}
