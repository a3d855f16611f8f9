//! `ism-bench`: runs the benchmark suite against the real `ismessenger` binary and prints one
//! table; the figures also go to `bench/results/<backend>.json`. `make bench` runs it in
//! release on SQLite, and on PostgreSQL too when `BENCH_DATABASE_URL` names a server where
//! the role may create databases. `--small` is the quick run `make test` does to keep the
//! suite working: every correctness check, no meaningful timing.
//!
//! Options: `--small`, `--backend sqlite|postgres`, `--messages N`, `--clients N`,
//! `--contacts N`, `--sse-clients N`, `--out DIR` (where the JSON goes), `--no-write`, `--keep`
//! (keep the SQLite files, PostgreSQL databases and server logs),
//! `--server PATH`, `--floor PATH` (default: next to this binary).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use bench::db::{Backend, FreshDb};
use bench::load::{self, call, post_webhook, webhook_body};
use bench::process::{free_port, Memory, Server};
use bench::report::{self, kib_to_mb, BackendReport, Report};
use reqwest::Method;
use serde_json::json;

const JWT_SECRET: &str = "bench-jwt-secret-not-for-production-0123456789";
const PASSWORD: &str = "a long bench password";

#[derive(Debug, Clone)]
struct Config {
    small: bool,
    backends: Vec<Backend>,
    pg_admin_url: Option<String>,
    messages: usize,
    existing_contacts: usize,
    clients: usize,
    raw_seconds: f64,
    contacts: usize,
    messages_per_contact: usize,
    read_clients: usize,
    requests_per_view: usize,
    sse_clients: usize,
    sse_messages: usize,
    sse_rate: f64,
    out: Option<PathBuf>,
    server: PathBuf,
    floor: PathBuf,
    /// Keep the temporary folder (SQLite files, server logs) for a look afterwards.
    keep: bool,
}

/// A read-path view: the request path of its n-th request.
type PathOf = Box<dyn Fn(usize) -> String + Send + Sync>;

fn usage(msg: &str) -> String {
    format!(
        "{msg}\nusage: ism-bench [--small] [--backend sqlite|postgres] [--messages N] [--clients N] \
         [--contacts N] [--sse-clients N] [--out DIR] [--no-write] [--keep] [--server PATH] [--floor PATH]"
    )
}

fn parse_args() -> Result<Config, String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let small = args.iter().any(|a| a == "--small");
    let here = std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .unwrap_or_default();
    let pg_admin_url = std::env::var("BENCH_DATABASE_URL")
        .ok()
        .filter(|u| !u.trim().is_empty());
    let mut c = Config {
        small,
        backends: vec![],
        pg_admin_url,
        messages: if small { 300 } else { 50_000 },
        existing_contacts: 0,
        clients: if small { 8 } else { 32 },
        raw_seconds: if small { 0.3 } else { 5.0 },
        contacts: if small { 1_000 } else { 100_000 },
        messages_per_contact: 10,
        read_clients: if small { 4 } else { 8 },
        requests_per_view: if small { 10 } else { 1_000 },
        sse_clients: if small { 10 } else { 1_000 },
        sse_messages: if small { 10 } else { 200 },
        sse_rate: 20.0,
        out: if small {
            None
        } else {
            Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("results"))
        },
        server: here.join("ismessenger"),
        floor: here.join("ism-floor"),
        keep: false,
    };
    let mut backend: Option<String> = None;
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .ok_or_else(|| usage(&format!("{name} needs a value")))
        };
        let num = |v: String, name: &str| {
            v.parse::<usize>()
                .map_err(|_| usage(&format!("{name} must be a number")))
        };
        match a.as_str() {
            "--small" => {}
            "--backend" => backend = Some(value("--backend")?),
            "--messages" => c.messages = num(value("--messages")?, "--messages")?,
            "--clients" => c.clients = num(value("--clients")?, "--clients")?,
            "--contacts" => c.contacts = num(value("--contacts")?, "--contacts")?,
            "--sse-clients" => c.sse_clients = num(value("--sse-clients")?, "--sse-clients")?,
            "--out" => c.out = Some(PathBuf::from(value("--out")?)),
            "--no-write" => c.out = None,
            "--keep" => c.keep = true,
            "--server" => c.server = PathBuf::from(value("--server")?),
            "--floor" => c.floor = PathBuf::from(value("--floor")?),
            other => return Err(usage(&format!("unknown option {other}"))),
        }
    }
    c.existing_contacts = (c.messages / 10).max(10);
    c.backends = match backend.as_deref() {
        Some("sqlite") => vec![Backend::Sqlite],
        Some("postgres") if c.pg_admin_url.is_some() => vec![Backend::Postgres],
        Some("postgres") => return Err("--backend postgres needs BENCH_DATABASE_URL".into()),
        Some(other) => return Err(usage(&format!("unknown backend {other}"))),
        None if c.pg_admin_url.is_some() => vec![Backend::Sqlite, Backend::Postgres],
        None => vec![Backend::Sqlite],
    };
    for bin in [&c.server, &c.floor] {
        if !bin.exists() {
            return Err(format!(
                "{} not found: build it first (make bench does)",
                bin.display()
            ));
        }
    }
    Ok(c)
}

fn main() {
    let config = match parse_args() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    match rt.block_on(run(config)) {
        Ok(true) => {}
        Ok(false) => std::process::exit(1),
        Err(e) => {
            eprintln!("bench failed: {e}");
            std::process::exit(1);
        }
    }
}

fn shell(cmd: &str, args: &[&str]) -> Option<String> {
    std::process::Command::new(cmd)
        .args(args)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into())
}

/// Runs every backend; false when a correctness check failed.
async fn run(config: Config) -> Result<bool, String> {
    let tmp = std::env::temp_dir().join(format!("ism-bench-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).map_err(|e| e.to_string())?;
    let mut commit =
        shell("git", &["rev-parse", "--short", "HEAD"]).unwrap_or_else(|| "unknown".into());
    if shell("git", &["status", "--porcelain", "--untracked-files=no"])
        .is_some_and(|s| !s.is_empty())
    {
        commit.push_str("-dirty");
    }
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let mut ok = true;
    for backend in config.backends.clone() {
        eprintln!("== {} ==", backend.name());
        let mut r = run_backend(backend, &config, &tmp).await?;
        r.judge();
        let correct = r.ingest.check.ok()
            && r.ingest.failures == 0
            && r.floor.failures == 0
            && r.read.views.iter().all(|v| v.failures == 0)
            && r.sse.connected == r.sse.clients
            && r.sse.deliveries == r.sse.expected_deliveries
            && r.sse.send_failures == 0;
        ok &= correct;
        let report = Report {
            commit: commit.clone(),
            started_at: chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
            small: config.small,
            cores,
            cpu: cpu_model(),
            server_workers: format!("{cores} (default: one per core)"),
            runs: vec![r],
        };
        print!("{}", report::table(&report));
        if !correct {
            println!("CORRECTNESS CHECK FAILED (see above)");
        }
        if let Some(dir) = &config.out {
            std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
            let path = dir.join(format!("{}.json", backend.name()));
            let json = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
            std::fs::write(&path, json + "\n").map_err(|e| e.to_string())?;
            eprintln!("wrote {}", path.display());
        }
    }
    if config.keep {
        eprintln!("kept {}", tmp.display());
    } else {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    Ok(ok)
}

fn fresh(backend: Backend, config: &Config, dir: &Path, name: &str) -> Result<FreshDb, String> {
    match backend {
        Backend::Sqlite => Ok(FreshDb::sqlite(dir, name)),
        Backend::Postgres => {
            let mut db =
                FreshDb::postgres(config.pg_admin_url.as_deref().unwrap_or_default(), name)?;
            if config.keep {
                db.keep();
            }
            Ok(db)
        }
    }
}

struct Account {
    token: String,
    user_id: i64,
    workspace_id: i64,
    email: String,
}

async fn signup(http: &reqwest::Client, base: &str, name: &str) -> Result<Account, String> {
    let email = format!("owner.{name}@bench.test");
    let s = call(
        http,
        Method::POST,
        &format!("{base}/api/v1/auth/signup"),
        None,
        Some(json!({"workspace_name": name, "name": "Bench Owner", "email": email, "password": PASSWORD})),
    )
    .await?;
    Ok(Account {
        token: s["access_token"].as_str().unwrap_or_default().to_string(),
        user_id: s["user"]["id"].as_i64().unwrap_or_default(),
        workspace_id: s["workspace"]["id"].as_i64().unwrap_or_default(),
        email,
    })
}

/// A fresh access token (they live 15 minutes; a full run takes longer).
async fn login(http: &reqwest::Client, base: &str, a: &Account) -> Result<String, String> {
    let s = call(
        http,
        Method::POST,
        &format!("{base}/api/v1/auth/login"),
        None,
        Some(json!({"email": a.email, "password": PASSWORD, "workspace_id": a.workspace_id})),
    )
    .await?;
    Ok(s["access_token"].as_str().unwrap_or_default().to_string())
}

async fn custom_channel(
    http: &reqwest::Client,
    base: &str,
    token: &str,
) -> Result<(i64, String), String> {
    let c = call(
        http,
        Method::POST,
        &format!("{base}/api/v1/channels"),
        Some(token),
        Some(json!({"kind": "custom", "name": "Bench bridge", "config": {
            "api_base_url": "http://127.0.0.1:9", "id_type": "phone"
        }})),
    )
    .await?;
    Ok((
        c["id"].as_i64().unwrap_or_default(),
        c["api_token"].as_str().unwrap_or_default().to_string(),
    ))
}

fn existing_phone(k: usize) -> String {
    format!("+6016{k:08}")
}

fn new_phone(i: usize) -> String {
    format!("+6017{i:08}")
}

/// A cheap deterministic spread over `0..n` (Knuth's multiplicative hash).
fn spread(i: usize, n: usize) -> usize {
    ((i as u64).wrapping_mul(2_654_435_761) % n.max(1) as u64) as usize
}

async fn run_backend(
    backend: Backend,
    config: &Config,
    tmp: &Path,
) -> Result<BackendReport, String> {
    let dir = tmp.join(backend.name());
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let db = fresh(backend, config, &dir, "server")?;
    let port = free_port().map_err(|e| e.to_string())?;
    let base = format!("http://127.0.0.1:{port}");
    let server = Server::start(
        &config.server,
        &["serve".into(), "--bind".into(), format!("127.0.0.1:{port}")],
        &[
            ("DATABASE_URL", db.url.clone()),
            ("ISM_DATA_DIR", dir.join("data").display().to_string()),
            ("ISM_JWT_SECRET", JWT_SECRET.into()),
            ("ISM_ALLOW_PRIVATE_URLS", "1".into()),
            ("ISM_PUBLIC_URL", base.clone()),
        ],
        port,
        &dir.join("server.log"),
        "/readyz",
    )
    .await?;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()
        .map_err(|e| e.to_string())?;
    let owner = signup(&http, &base, "ingest").await?;
    let (channel_id, channel_token) = custom_channel(&http, &base, &owner.token).await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle = server.memory();

    // 1. Ingest. First the contacts that count as existing, untimed; then the timed run.
    eprintln!(
        "ingest: {} existing contacts, then {} messages",
        config.existing_contacts, config.messages
    );
    let webhook = Arc::new(format!("{base}/webhooks/channels/{channel_id}"));
    let token = Arc::new(channel_token.clone());
    let client = http.clone();
    let (w, t) = (webhook.clone(), token.clone());
    let warm = load::run(config.clients, config.existing_contacts, move |k| {
        let (http, w, t) = (client.clone(), w.clone(), t.clone());
        async move {
            let body = webhook_body(
                channel_id,
                &existing_phone(k),
                &format!("warm-{k}"),
                "Hi, first message",
                k,
            );
            post_webhook(&http, &w, &t, body).await
        }
    })
    .await;
    if warm.failures > 0 {
        return Err(format!("warm-up failed: {:?}", warm.first_failure));
    }
    let url = db.url.clone();
    tokio::task::spawn_blocking(move || bench::db::analyze(&url))
        .await
        .map_err(|e| e.to_string())??;
    let existing = config.existing_contacts;
    let client = http.clone();
    let (w, t) = (webhook.clone(), token.clone());
    let ingest = load::run(config.clients, config.messages, move |i| {
        let (http, w, t) = (client.clone(), w.clone(), t.clone());
        async move {
            // Every fifth message is a new contact's first; the rest come from existing ones.
            let contact = if i % 5 == 0 {
                new_phone(i)
            } else {
                existing_phone(spread(i, existing))
            };
            let body = webhook_body(
                channel_id,
                &contact,
                &format!("m-{i}"),
                &format!("Hello, I need help with order #{i}"),
                i,
            );
            post_webhook(&http, &w, &t, body).await
        }
    })
    .await;
    let after_ingest = server.memory();
    if let Some(f) = &ingest.first_failure {
        eprintln!("ingest failures: {} (first: {f})", ingest.failures);
    }
    let expected: HashSet<String> = (0..existing)
        .map(|k| format!("warm-{k}"))
        .chain((0..config.messages).map(|i| format!("m-{i}")))
        .collect();
    let (url, ws) = (db.url.clone(), owner.workspace_id);
    let check = tokio::task::spawn_blocking(move || {
        bench::db::verify_ingest(&url, ws, channel_id, &expected)
    })
    .await
    .map_err(|e| e.to_string())??;

    // The raw ceiling of the database, from a minimal client.
    eprintln!("raw ceiling");
    let raw_db = fresh(backend, config, &dir, "raw")?;
    let raw_threads = if backend == Backend::Sqlite { 1 } else { 10 };
    let (url, secs) = (raw_db.url.clone(), config.raw_seconds);
    let raw_tps = tokio::task::spawn_blocking(move || {
        bench::db::raw_ceiling(&url, raw_threads, Duration::from_secs_f64(secs))
    })
    .await
    .map_err(|e| e.to_string())??;
    drop(raw_db);

    // The floor: the same load against a minimal endpoint in our own stack.
    eprintln!("floor");
    let floor_db = fresh(backend, config, &dir, "floor")?;
    let floor_port = free_port().map_err(|e| e.to_string())?;
    let floor_server = Server::start(
        &config.floor,
        &[],
        &[
            ("DATABASE_URL", floor_db.url.clone()),
            ("ISM_BIND", format!("127.0.0.1:{floor_port}")),
        ],
        floor_port,
        &dir.join("floor.log"),
        "/readyz",
    )
    .await?;
    let floor_url = Arc::new(format!(
        "{}/webhooks/channels/{channel_id}",
        floor_server.base
    ));
    let client = http.clone();
    let (w, t) = (floor_url.clone(), token.clone());
    let floor = load::run(config.clients, config.messages, move |i| {
        let (http, w, t) = (client.clone(), w.clone(), t.clone());
        async move {
            let contact = if i % 5 == 0 {
                new_phone(i)
            } else {
                existing_phone(spread(i, existing))
            };
            let body = webhook_body(
                channel_id,
                &contact,
                &format!("m-{i}"),
                &format!("Hello, I need help with order #{i}"),
                i,
            );
            post_webhook(&http, &w, &t, body).await
        }
    })
    .await;
    drop(floor_server);
    drop(floor_db);

    // 2. The read path on a seeded workspace of its own.
    eprintln!(
        "seeding {} contacts x {} messages",
        config.contacts, config.messages_per_contact
    );
    let reader = signup(&http, &base, "read").await?;
    let (read_channel, _) = custom_channel(&http, &base, &reader.token).await?;
    let (url, ws, uid, n, mpc) = (
        db.url.clone(),
        reader.workspace_id,
        reader.user_id,
        config.contacts,
        config.messages_per_contact,
    );
    let seeded =
        tokio::task::spawn_blocking(move || bench::seed::seed(&url, ws, uid, read_channel, n, mpc))
            .await
            .map_err(|e| e.to_string())??;
    let read_token = Arc::new(login(&http, &base, &reader).await?);
    let first = seeded.first_contact_id;
    let views: Vec<(&str, PathOf)> = vec![
        ("inbox all", Box::new(|_| "/api/v1/inbox".to_string())),
        (
            "inbox mine",
            Box::new(|_| "/api/v1/inbox?assignee=me".to_string()),
        ),
        (
            "inbox unassigned",
            Box::new(|_| "/api/v1/inbox?assignee=unassigned".to_string()),
        ),
        (
            "inbox closed",
            Box::new(|_| "/api/v1/inbox?status=closed".to_string()),
        ),
        (
            "timeline page 1",
            Box::new(move |i| format!("/api/v1/contacts/{}/messages", first + spread(i, n) as i64)),
        ),
        (
            "search by name",
            Box::new(move |i| {
                let (f, l) = bench::seed::name_of(spread(i, n));
                format!("/api/v1/contacts?search={f}%20{l}")
            }),
        ),
        (
            "search by phone",
            Box::new(move |i| {
                format!(
                    "/api/v1/contacts?search=%2B{}",
                    &bench::seed::phone_of(spread(i, n))[1..]
                )
            }),
        ),
    ];
    let mut read_views = vec![];
    for (name, path_of) in views {
        eprintln!("read: {name}");
        let path_of = Arc::new(path_of);
        let example = path_of(1);
        let client = http.clone();
        let (b, t, p) = (Arc::new(base.clone()), read_token.clone(), path_of.clone());
        let request = move |i: usize| {
            let (http, b, t, p) = (client.clone(), b.clone(), t.clone(), p.clone());
            async move { load::get_page(&http, &format!("{b}{}", p(i)), &t).await }
        };
        // Untimed first: the clients' connections, the server's statement caches and the
        // database's buffers start cold on a fresh server. The warm-up asks for other contacts
        // (numbers past the measured ones), so the measured requests find nothing of theirs
        // already cached.
        let measured = config.requests_per_view;
        let warm = request.clone();
        load::run(config.read_clients, measured / 10, move |i| {
            warm(measured + i)
        })
        .await;
        let run = load::run(config.read_clients, measured, request).await;
        if let Some(f) = &run.first_failure {
            eprintln!("{name}: {} failed (first: {f})", run.failures);
        }
        read_views.push(report::ReadView {
            name: name.to_string(),
            path: example,
            per_second: run.per_second(),
            latency: run.latency,
            failures: run.failures,
        });
    }

    // 3. Realtime fan-out, on the ingest workspace.
    eprintln!("sse: {} clients", config.sse_clients);
    let sse_token = login(&http, &base, &owner).await?;
    let pid = server.pid;
    let sampling = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let s = sampling.clone();
    let sampler = tokio::spawn(async move {
        let mut max = 0u64;
        while s.load(std::sync::atomic::Ordering::Relaxed) {
            max = max.max(Memory::of(pid).rss_kb);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        max
    });
    let sse = bench::sse::run(bench::sse::Plan {
        base: base.clone(),
        token: sse_token,
        channel_id,
        channel_token,
        contacts: (0..existing.min(50)).map(existing_phone).collect(),
        clients: config.sse_clients,
        messages: config.sse_messages,
        rate_per_second: config.sse_rate,
    })
    .await?;
    sampling.store(false, std::sync::atomic::Ordering::Relaxed);
    let sse_rss = sampler.await.unwrap_or(0);
    let end = server.memory();
    drop(server);
    drop(db);

    let ingest_rate = ingest.per_second();
    let floor_rate = floor.per_second();
    Ok(BackendReport {
        backend: backend.name().into(),
        ingest: report::Ingest {
            messages: config.messages,
            warmup_messages: existing,
            new_contact_share: 0.2,
            clients: config.clients,
            per_second: ingest_rate,
            latency: ingest.latency,
            failures: ingest.failures,
            check,
        },
        raw: report::Raw {
            threads: raw_threads,
            tx_per_second: raw_tps,
        },
        floor: report::Floor {
            requests: config.messages,
            per_second: floor_rate,
            latency: floor.latency,
            failures: floor.failures,
        },
        ingest_vs_raw: ingest_rate / raw_tps.max(1e-9),
        ingest_vs_floor: ingest_rate / floor_rate.max(1e-9),
        read: report::Read {
            contacts: seeded.contacts,
            messages: seeded.messages,
            seed_seconds: seeded.seconds,
            clients: config.read_clients,
            requests_per_view: config.requests_per_view,
            views: read_views,
        },
        sse,
        memory: report::Memory {
            idle_rss_mb: kib_to_mb(idle.rss_kb),
            peak_during_ingest_mb: kib_to_mb(after_ingest.hwm_kb),
            rss_with_sse_clients_mb: kib_to_mb(sse_rss),
            peak_whole_run_mb: kib_to_mb(end.hwm_kb),
        },
        targets: vec![],
    })
}
