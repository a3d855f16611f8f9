//! The figures of a run: one table on stdout and the same as JSON under `bench/results/`.

use serde::Serialize;

use crate::db::IngestCheck;
use crate::sse::SseResult;
use crate::Summary;

#[derive(Debug, Clone, Serialize)]
pub struct Ingest {
    pub messages: usize,
    /// Messages sent first to create the "existing" contacts (not timed).
    pub warmup_messages: usize,
    pub new_contact_share: f64,
    pub clients: usize,
    pub per_second: f64,
    pub latency: Summary,
    pub failures: usize,
    pub check: IngestCheck,
}

#[derive(Debug, Clone, Serialize)]
pub struct Raw {
    pub threads: usize,
    pub tx_per_second: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Floor {
    pub requests: usize,
    pub per_second: f64,
    pub latency: Summary,
    pub failures: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReadView {
    pub name: String,
    pub path: String,
    /// Requests answered per second by the closed loop of `clients`.
    pub per_second: f64,
    pub latency: Summary,
    pub failures: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Read {
    pub contacts: usize,
    pub messages: usize,
    pub seed_seconds: f64,
    pub clients: usize,
    pub requests_per_view: usize,
    pub views: Vec<ReadView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Memory {
    pub idle_rss_mb: f64,
    /// VmHWM right after ingest: the most the process held so far, ingest included.
    pub peak_during_ingest_mb: f64,
    pub rss_with_sse_clients_mb: f64,
    pub peak_whole_run_mb: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Target {
    pub name: String,
    pub goal: String,
    pub value: String,
    pub met: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct BackendReport {
    pub backend: String,
    pub ingest: Ingest,
    pub raw: Raw,
    pub floor: Floor,
    pub ingest_vs_raw: f64,
    pub ingest_vs_floor: f64,
    pub read: Read,
    pub sse: SseResult,
    pub memory: Memory,
    pub targets: Vec<Target>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub commit: String,
    pub started_at: String,
    pub small: bool,
    pub cores: usize,
    pub cpu: String,
    pub server_workers: String,
    pub runs: Vec<BackendReport>,
}

pub fn kib_to_mb(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

impl BackendReport {
    /// The targets, judged on this run's figures.
    pub fn judge(&mut self) {
        let mut t = vec![
            Target {
                name: "ingest".into(),
                goal: ">= 2000 msg/s".into(),
                value: format!("{:.0} msg/s", self.ingest.per_second),
                met: self.ingest.per_second >= 2000.0,
            },
            Target {
                name: "ingest/floor".into(),
                goal: ">= 50 %".into(),
                value: format!("{:.0} %", self.ingest_vs_floor * 100.0),
                met: self.ingest_vs_floor >= 0.5,
            },
        ];
        for v in &self.read.views {
            t.push(Target {
                name: v.name.clone(),
                goal: "p99 < 20 ms".into(),
                value: format!("p99 {:.1} ms", v.latency.p99_ms),
                met: v.latency.p99_ms < 20.0 && v.failures == 0,
            });
        }
        t.push(Target {
            name: format!("sse {} clients", self.sse.clients),
            goal: "p99 < 100 ms".into(),
            value: format!("p99 {:.1} ms", self.sse.latency.p99_ms),
            met: self.sse.latency.p99_ms < 100.0
                && self.sse.deliveries == self.sse.expected_deliveries
                && self.sse.connected == self.sse.clients,
        });
        t.push(Target {
            name: "idle RSS".into(),
            goal: "< 60 MB".into(),
            value: format!("{:.1} MB", self.memory.idle_rss_mb),
            met: self.memory.idle_rss_mb < 60.0,
        });
        self.targets = t;
    }
}

fn lat(s: &Summary) -> String {
    format!("p50 {:>7.2} ms  p99 {:>7.2} ms", s.p50_ms, s.p99_ms)
}

/// The table `make bench` prints (and the README quotes).
pub fn table(r: &Report) -> String {
    let mut o = String::new();
    let line = |o: &mut String, s: String| {
        o.push_str(&s);
        o.push('\n');
    };
    line(
        &mut o,
        format!(
            "IS-Messenger bench{} · commit {} · {} · {} cores · {} · server workers {}",
            if r.small { " (small)" } else { "" },
            r.commit,
            r.started_at,
            r.cores,
            r.cpu,
            r.server_workers
        ),
    );
    for b in &r.runs {
        line(&mut o, String::new());
        line(&mut o, format!("== {} ==", b.backend));
        line(
            &mut o,
            format!(
                "{:<22} {:>10}  {}  {}",
                "measure", "rate", "latency", "notes"
            ),
        );
        let i = &b.ingest;
        line(
            &mut o,
            format!(
                "{:<22} {:>8.0}/s  {}  {} msgs, {} clients, {:.0}% new contacts; stored once {}/{}, dup {}, events missing {}, failed {}",
                "ingest (webhooks)",
                i.per_second,
                lat(&i.latency),
                i.messages,
                i.clients,
                i.new_contact_share * 100.0,
                i.check.stored,
                i.check.expected,
                i.check.duplicates,
                i.check.messages_without_event,
                i.failures
            ),
        );
        line(
            &mut o,
            format!(
                "{:<22} {:>8.0}/s  {:<34}  single-row insert tx, {} thread(s)",
                "raw db ceiling", b.raw.tx_per_second, "", b.raw.threads
            ),
        );
        line(
            &mut o,
            format!(
                "{:<22} {:>8.0}/s  {}  actix-web + pool + 1 insert/request, failed {}",
                "floor (our stack)",
                b.floor.per_second,
                lat(&b.floor.latency),
                b.floor.failures
            ),
        );
        line(
            &mut o,
            format!(
                "{:<22} {:>9.1}%  {:<34}  ingest/floor {:.1}%",
                "ingest/raw",
                b.ingest_vs_raw * 100.0,
                "",
                b.ingest_vs_floor * 100.0
            ),
        );
        line(
            &mut o,
            format!(
                "read path: {} contacts, {} messages (seeded in {:.0} s), {} clients, {} requests per view",
                b.read.contacts, b.read.messages, b.read.seed_seconds, b.read.clients, b.read.requests_per_view
            ),
        );
        for v in &b.read.views {
            line(
                &mut o,
                format!(
                    "{:<22} {:>8.0}/s  {}  {} failed",
                    format!("  {}", v.name),
                    v.per_second,
                    lat(&v.latency),
                    v.failures
                ),
            );
        }
        let s = &b.sse;
        line(
            &mut o,
            format!(
                "{:<22} {:>8.0}/s  {}  {}/{} clients, delivered {}/{}, send failures {}",
                "sse send->client",
                s.rate_per_second,
                lat(&s.latency),
                s.connected,
                s.clients,
                s.deliveries,
                s.expected_deliveries,
                s.send_failures
            ),
        );
        let m = &b.memory;
        line(
            &mut o,
            format!(
                "memory: idle RSS {:.1} MB, peak during ingest {:.1} MB, RSS with SSE clients {:.1} MB, peak whole run {:.1} MB",
                m.idle_rss_mb, m.peak_during_ingest_mb, m.rss_with_sse_clients_mb, m.peak_whole_run_mb
            ),
        );
        line(&mut o, "targets:".into());
        for t in &b.targets {
            line(
                &mut o,
                format!(
                    "  [{}] {:<18} {:<14} {}",
                    if t.met { "met" } else { "NOT met" },
                    t.name,
                    t.goal,
                    t.value
                ),
            );
        }
    }
    o
}
