//! One connection type over SQLite and PostgreSQL, the pool, migrations and write transactions.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use diesel::connection::SimpleConnection;
use diesel::connection::{AnsiTransactionManager, InstrumentationEvent, TransactionManager};
use diesel::pg::PgConnection;
use diesel::r2d2::{self, ManageConnection, PooledConnection};
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, ConnectionError};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::StorageError;

/// A connection to whichever backend `DATABASE_URL` names; queries are written once for both.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

pub type Pool = r2d2::Pool<Manager>;
/// A connection checked out of the pool (see [`checkout`]), used as the `DbConn` it holds.
pub struct PooledConn(PooledConnection<Manager>);

impl std::ops::Deref for PooledConn {
    type Target = DbConn;
    fn deref(&self) -> &DbConn {
        &self.0.conn
    }
}

impl std::ops::DerefMut for PooledConn {
    fn deref_mut(&mut self) -> &mut DbConn {
        &mut self.0.conn
    }
}

/// Takes a connection from the pool.
pub fn checkout(pool: &Pool) -> Result<PooledConn, StorageError> {
    Ok(PooledConn(pool.get()?))
}

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");
const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/postgres");

/// SQLite waits this long for the single writer before giving up with "database is locked".
const SQLITE_BUSY_TIMEOUT_MS: u32 = 10_000;

/// SQLite reads the first this many bytes of the database through a memory map: pages come
/// straight from the OS page cache, one copy shared by every pooled connection, instead of a
/// `pread` into each connection's own small page cache.
const SQLITE_MMAP_BYTES: u64 = 1 << 30;

/// Where the data lives, parsed from `DATABASE_URL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbUrl {
    Postgres(String),
    Sqlite(String),
}

impl DbUrl {
    /// `postgres://…`/`postgresql://…`, or `sqlite://PATH`, `sqlite:PATH` or a bare path.
    pub fn parse(url: &str) -> DbUrl {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            DbUrl::Postgres(without_tls_on_loopback(url))
        } else if let Some(path) = url.strip_prefix("sqlite://") {
            DbUrl::Sqlite(path.to_string())
        } else if let Some(path) = url.strip_prefix("sqlite:") {
            DbUrl::Sqlite(path.to_string())
        } else {
            DbUrl::Sqlite(url.to_string())
        }
    }

    pub fn is_sqlite(&self) -> bool {
        matches!(self, DbUrl::Sqlite(_))
    }
}

/// Opens connections for the pool; SQLite gets its pragmas on every new connection.
#[derive(Debug)]
pub struct Manager {
    url: DbUrl,
}

/// A pooled connection, when it was last handed back, and whether a statement on it has
/// failed since it was last known to work.
pub struct Pooled {
    conn: DbConn,
    returned: Instant,
    failed: Arc<AtomicBool>,
}

impl std::ops::Deref for Pooled {
    type Target = DbConn;
    fn deref(&self) -> &DbConn {
        &self.conn
    }
}

impl std::ops::DerefMut for Pooled {
    fn deref_mut(&mut self) -> &mut DbConn {
        &mut self.conn
    }
}

/// A connection handed back this recently, with no failed statement since its last check,
/// is taken as alive without a round trip to ask (under load that is every checkout); any
/// other is checked with `SELECT 1`.
const TRUSTED_FOR: Duration = Duration::from_secs(1);

impl ManageConnection for Manager {
    type Connection = Pooled;
    type Error = ConnectionError;

    fn connect(&self) -> Result<Pooled, ConnectionError> {
        let mut conn = self.open()?;
        let failed = Arc::new(AtomicBool::new(false));
        let flag = failed.clone();
        conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
            if let InstrumentationEvent::FinishQuery { error: Some(_), .. } = event {
                flag.store(true, Ordering::Relaxed);
            }
        });
        Ok(Pooled {
            conn,
            // A new connection needs no check.
            returned: Instant::now(),
            failed,
        })
    }

    fn is_valid(&self, conn: &mut Pooled) -> Result<(), ConnectionError> {
        if conn.returned.elapsed() < TRUSTED_FOR && !conn.failed.load(Ordering::Relaxed) {
            return Ok(());
        }
        conn.conn
            .batch_execute("SELECT 1")
            .map_err(ConnectionError::CouldntSetupConfiguration)?;
        conn.failed.store(false, Ordering::Relaxed);
        Ok(())
    }

    /// A connection handed back inside a transaction (after a panic) is not reused.
    fn has_broken(&self, conn: &mut Pooled) -> bool {
        conn.returned = Instant::now();
        in_transaction(&mut conn.conn).unwrap_or(true)
    }
}

impl Manager {
    fn open(&self) -> Result<DbConn, ConnectionError> {
        match &self.url {
            DbUrl::Postgres(url) => PgConnection::establish(url).map(DbConn::Pg),
            DbUrl::Sqlite(path) => {
                sqlite_stable_plans();
                let mut conn = SqliteConnection::establish(path)?;
                conn.batch_execute(&format!(
                    // busy_timeout first: switching a new file to WAL takes a lock that the
                    // pool's other connections, opened at the same moment, must wait for.
                    // synchronous = FULL: a commit is on disk before it returns, so nothing
                    // acknowledged is lost to a power cut; group commit shares that sync.
                    "PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}; PRAGMA journal_mode = WAL; \
                     PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; \
                     PRAGMA mmap_size = {SQLITE_MMAP_BYTES};"
                ))
                .map_err(ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConn::Sqlite(conn))
            }
        }
    }
}

/// Turns on SQLite's query planner stability guarantee (QPSG) for every connection this
/// process opens. Without it the bundled SQLite (3.53) plans `LIMIT ?` for the value bound, so
/// each new value (diesel binds every LIMIT) throws the cached statement away and prepares it
/// again: a fifth of a contact search's CPU in `perf`. The guarantee's price is plans that
/// ignore bound values (a LIKE prefix, a partial index matched through a parameter), which no
/// query here relies on. There is no PRAGMA for it and diesel does not lend out the raw handle,
/// so it goes in as an auto-extension, which SQLite runs on each connection it opens.
fn sqlite_stable_plans() {
    use libsqlite3_sys as ffi;
    use std::os::raw::{c_char, c_int};

    unsafe extern "C" fn on_open(
        db: *mut ffi::sqlite3,
        _err: *mut *mut c_char,
        _api: *const ffi::sqlite3_api_routines,
    ) -> c_int {
        // SAFETY: SQLite hands over a valid, open connection; the option takes an int and an
        // optional out-pointer, here null.
        unsafe {
            ffi::sqlite3_db_config(
                db,
                ffi::SQLITE_DBCONFIG_ENABLE_QPSG,
                1 as c_int,
                std::ptr::null_mut::<c_int>(),
            )
        }
    }

    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: registering a function pointer that lives as long as the process.
        let rc = unsafe { ffi::sqlite3_auto_extension(Some(on_open)) };
        if rc != ffi::SQLITE_OK {
            log::warn!("sqlite: query planner stability not enabled (code {rc})");
        }
    });
}

/// Adds `sslmode=disable` to a URL of a PostgreSQL on this host (`localhost`, `127.0.0.1`,
/// `::1`) that names no `sslmode`. libpq's default, `prefer`, would encrypt every query and
/// row over loopback, which no one else can read, at a cost that showed in profiles on both
/// ends; it never checks the server's certificate anyway. A URL that names a mode keeps it.
fn without_tls_on_loopback(raw: &str) -> String {
    let Ok(mut url) = url::Url::parse(raw) else {
        return raw.to_string();
    };
    let loopback = match url.host() {
        // `postgres:` is not a scheme the URL standard knows: its hosts stay text.
        Some(url::Host::Domain(d)) => {
            d.eq_ignore_ascii_case("localhost")
                || d.parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    if !loopback || url.query_pairs().any(|(k, _)| k == "sslmode") {
        return raw.to_string();
    }
    url.query_pairs_mut().append_pair("sslmode", "disable");
    url.into()
}

/// Builds the pool. The SQLite file's folder is created if missing.
pub fn connect(url: &str, max_size: u32) -> Result<Pool, StorageError> {
    let url = DbUrl::parse(url);
    if let DbUrl::Sqlite(path) = &url {
        if let Some(dir) = std::path::Path::new(path).parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| StorageError::Setup(format!("{}: {e}", dir.display())))?;
            }
        }
    }
    r2d2::Pool::builder()
        .max_size(max_size)
        .connection_timeout(Duration::from_secs(10))
        .build(Manager { url })
        .map_err(|e| StorageError::Setup(e.to_string()))
}

/// Runs `$body` with `$c` bound to the backend's own connection, the same code for both: for
/// statements diesel's multi-backend connection cannot spell (multi-row INSERT, UNION).
macro_rules! per_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::DbConn::Pg($c) => $body,
            $crate::DbConn::Sqlite($c) => $body,
        }
    };
}
pub(crate) use per_backend;

/// Runs every pending migration of the connection's backend; returns how many ran.
pub fn migrate(conn: &mut DbConn) -> Result<usize, StorageError> {
    let applied = match conn {
        DbConn::Pg(c) => c.run_pending_migrations(PG_MIGRATIONS).map(|v| v.len()),
        DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
    };
    applied.map_err(|e| StorageError::Setup(format!("migration failed: {e}")))
}

/// SQLite has one writer. Its own wait for the write lock polls with sleeps of up to 100 ms,
/// so writers of this process queue here instead, first come first served, and SQLite's
/// lock is free whenever they reach it.
static SQLITE_WRITER: parking_lot::Mutex<()> = parking_lot::Mutex::new(());

/// How long a writer queues before it leaves the wait to SQLite's busy timeout (a guard
/// against a writer that waits on another connection while holding the lock).
const SQLITE_QUEUE_WAIT: Duration = Duration::from_secs(10);

/// This process's turn as SQLite's writer, held until the transaction ends; `None` on
/// PostgreSQL, or if the queue took too long.
pub(crate) type WriterTurn = Option<parking_lot::MutexGuard<'static, ()>>;

fn in_transaction(conn: &mut DbConn) -> Result<bool, diesel::result::Error> {
    Ok(match conn {
        DbConn::Sqlite(c) => {
            <AnsiTransactionManager as TransactionManager<SqliteConnection>>::transaction_manager_status_mut(c)
                .transaction_depth()?
                .is_some()
        }
        DbConn::Pg(c) => {
            <AnsiTransactionManager as TransactionManager<PgConnection>>::transaction_manager_status_mut(c)
                .transaction_depth()?
                .is_some()
        }
    })
}

/// Runs `f` in a transaction that writes. On SQLite it takes this process's writer turn and
/// starts with `BEGIN IMMEDIATE`, so a transaction that reads before it writes waits for the
/// write lock up front instead of failing with SQLITE_BUSY when another connection committed
/// in between. Nested calls become savepoints.
pub fn write_tx<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    if in_transaction(conn)? {
        // Already holding the write lock (or, on PostgreSQL, inside the transaction).
        <DbConn as Connection>::TransactionManager::begin_transaction(conn)?;
        let result = f(conn);
        return finish(conn, result);
    }
    let _turn = begin_write(conn)?;
    let result = f(conn);
    finish(conn, result)
}

/// Rolls back every open level of a transaction, after a panic inside it.
pub(crate) fn rollback_all(conn: &mut DbConn) {
    while in_transaction(conn).unwrap_or(false) {
        if <DbConn as Connection>::TransactionManager::rollback_transaction(conn).is_err() {
            break;
        }
    }
}

/// Opens a top-level write transaction: on SQLite after taking this process's writer turn,
/// with `BEGIN IMMEDIATE`. Keep the turn until the transaction is finished.
pub(crate) fn begin_write(conn: &mut DbConn) -> Result<WriterTurn, diesel::result::Error> {
    match conn {
        DbConn::Sqlite(c) => {
            let turn = SQLITE_WRITER.try_lock_for(SQLITE_QUEUE_WAIT);
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?;
            Ok(turn)
        }
        DbConn::Pg(c) => AnsiTransactionManager::begin_transaction(c).map(|()| None),
    }
}

/// Commits (or releases the savepoint) on success, rolls back on error.
pub(crate) fn finish<T, E>(conn: &mut DbConn, result: Result<T, E>) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    match result {
        Ok(value) => {
            <DbConn as Connection>::TransactionManager::commit_transaction(conn)?;
            Ok(value)
        }
        Err(e) => {
            <DbConn as Connection>::TransactionManager::rollback_transaction(conn)?;
            Err(e)
        }
    }
}

impl DbConn {
    pub fn is_sqlite(&self) -> bool {
        matches!(self, DbConn::Sqlite(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_on_this_host_goes_without_tls_unless_the_url_says() {
        let pg = |u: &str| match DbUrl::parse(u) {
            DbUrl::Postgres(u) => u,
            DbUrl::Sqlite(p) => panic!("{u} read as SQLite {p}"),
        };
        for (given, expected) in [
            (
                "postgres://postgres@127.0.0.1:5432/app",
                "postgres://postgres@127.0.0.1:5432/app?sslmode=disable",
            ),
            (
                "postgresql://u:p@localhost/app?application_name=x",
                "postgresql://u:p@localhost/app?application_name=x&sslmode=disable",
            ),
            (
                "postgres://u@[::1]/app",
                "postgres://u@[::1]/app?sslmode=disable",
            ),
            // The mode named in the URL stays, whichever it is.
            (
                "postgres://u@127.0.0.1/app?sslmode=require",
                "postgres://u@127.0.0.1/app?sslmode=require",
            ),
            (
                "postgres://u@localhost/app?sslmode=prefer",
                "postgres://u@localhost/app?sslmode=prefer",
            ),
            // Another host keeps libpq's default.
            (
                "postgres://u@db.example.com/app",
                "postgres://u@db.example.com/app",
            ),
            ("postgres://u@10.0.0.5/app", "postgres://u@10.0.0.5/app"),
            // A Unix socket has no TLS to drop.
            (
                "postgres:///app?host=/var/run/postgresql",
                "postgres:///app?host=/var/run/postgresql",
            ),
        ] {
            assert_eq!(pg(given), expected, "{given}");
        }
    }

    #[test]
    fn a_failed_statement_makes_the_next_checkout_ask() {
        let path = std::env::temp_dir().join(format!("ism-db-check-{}.db", std::process::id()));
        let manager = Manager {
            url: DbUrl::Sqlite(path.display().to_string()),
        };
        let mut c = manager.connect().unwrap();
        assert!(!c.failed.load(Ordering::Relaxed));
        assert!(c.conn.batch_execute("SELECT * FROM no_such_table").is_err());
        assert!(c.failed.load(Ordering::Relaxed), "the failure is noticed");
        // Handed back just now, but it failed: the check runs, succeeds and clears the mark.
        assert!(!manager.has_broken(&mut c));
        manager.is_valid(&mut c).unwrap();
        assert!(!c.failed.load(Ordering::Relaxed));
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }

    #[test]
    fn urls_pick_the_backend() {
        assert_eq!(
            DbUrl::parse("postgres://u@h/db"),
            DbUrl::Postgres("postgres://u@h/db".into())
        );
        assert_eq!(
            DbUrl::parse("postgresql://h/db"),
            DbUrl::Postgres("postgresql://h/db".into())
        );
        assert_eq!(
            DbUrl::parse("sqlite://data/x.db"),
            DbUrl::Sqlite("data/x.db".into())
        );
        assert_eq!(
            DbUrl::parse("sqlite:///abs/x.db"),
            DbUrl::Sqlite("/abs/x.db".into())
        );
        assert_eq!(DbUrl::parse("sqlite:x.db"), DbUrl::Sqlite("x.db".into()));
        assert_eq!(DbUrl::parse("./x.db"), DbUrl::Sqlite("./x.db".into()));
    }
}
