//! Fresh databases for tests: a SQLite file in a temp folder, or a PostgreSQL database cloned
//! from a template migrated once per migration set (named by a hash of the migrations).

use std::path::PathBuf;

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::Connection;
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// True when PostgreSQL tests should run. Panics when it is required but not configured.
    pub fn postgres_available() -> bool {
        let configured = std::env::var("TEST_DATABASE_URL").is_ok_and(|v| !v.is_empty());
        if !configured && std::env::var("REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
            panic!("REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set");
        }
        configured
    }
}

pub struct TestDb {
    pub backend: Backend,
    pub url: String,
    pub data_dir: PathBuf,
    /// For PostgreSQL: the server's admin URL and this test's database name, to drop it.
    pg: Option<(String, String)>,
}

fn random_suffix() -> String {
    use rand::Rng;
    let n: u64 = rand::rng().random();
    format!("{n:016x}")
}

fn temp_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ism-test-{}", random_suffix()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A URL for database `name` on the server of `admin_url`.
fn with_database(admin_url: &str, name: &str) -> String {
    let (base, query) = match admin_url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (admin_url, None),
    };
    let server = match base.rfind('/') {
        Some(i) if i > "postgres://".len() => &base[..i],
        _ => base,
    };
    match query {
        Some(q) => format!("{server}/{name}?{q}"),
        None => format!("{server}/{name}"),
    }
}

fn migrations_hash() -> String {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../migrations/postgres");
    let mut files: Vec<PathBuf> = walk(&root);
    files.sort();
    let mut h = Sha256::new();
    for f in files {
        h.update(f.strip_prefix(&root).unwrap().to_string_lossy().as_bytes());
        h.update(std::fs::read(&f).unwrap());
    }
    hex::encode(h.finalize())[..16].to_string()
}

fn walk(dir: &PathBuf) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

impl TestDb {
    pub fn create(backend: Backend) -> TestDb {
        let data_dir = temp_dir();
        match backend {
            Backend::Sqlite => TestDb {
                backend,
                url: format!("sqlite://{}", data_dir.join("test.db").display()),
                data_dir,
                pg: None,
            },
            Backend::Postgres => {
                let admin = std::env::var("TEST_DATABASE_URL").expect("TEST_DATABASE_URL");
                let mut conn =
                    PgConnection::establish(&admin).expect("connect to TEST_DATABASE_URL");
                // Per role, so roles never trip over a template another one owns.
                let template = format!("ism_tpl_{}_{}", current_user(&mut conn), migrations_hash());
                let name = format!("ism_test_{}", random_suffix());
                let mut conn =
                    PgConnection::establish(&admin).expect("connect to TEST_DATABASE_URL");
                ensure_template(&mut conn, &admin, &template);
                // Cloning fails while another session touches the template; retry briefly.
                let mut tries = 0;
                loop {
                    match conn.batch_execute(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
                    {
                        Ok(()) => break,
                        Err(e) if tries < 50 => {
                            tries += 1;
                            let _ = e;
                            std::thread::sleep(std::time::Duration::from_millis(100));
                        }
                        Err(e) => panic!("could not create {name}: {e}"),
                    }
                }
                TestDb {
                    backend,
                    url: with_database(&admin, &name),
                    data_dir,
                    pg: Some((admin, name)),
                }
            }
        }
    }

    /// A direct connection, for tests that arrange state the API cannot (an expired row).
    pub fn connect(&self) -> storage::PooledConn {
        storage::checkout(&storage::connect(&self.url, 1).unwrap()).unwrap()
    }
}

fn current_user(conn: &mut PgConnection) -> String {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Me {
        #[diesel(sql_type = diesel::sql_types::Text)]
        name: String,
    }
    let me = diesel::sql_query("SELECT current_user::text AS name")
        .get_result::<Me>(conn)
        .unwrap();
    me.name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect::<String>()
        .to_lowercase()
}

/// Creates and migrates the template once; concurrent test processes wait on an advisory lock.
fn ensure_template(conn: &mut PgConnection, admin: &str, template: &str) {
    use diesel::sql_types::{BigInt, Text};
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    conn.batch_execute("SELECT pg_advisory_lock(72707369)")
        .unwrap();
    let exists = diesel::sql_query("SELECT count(*) AS n FROM pg_database WHERE datname = $1")
        .bind::<Text, _>(template)
        .get_result::<Count>(conn)
        .unwrap()
        .n
        > 0;
    if !exists {
        let building = format!("{template}_building");
        conn.batch_execute(&format!("DROP DATABASE IF EXISTS {building}"))
            .unwrap();
        conn.batch_execute(&format!("CREATE DATABASE {building}"))
            .unwrap();
        {
            let pool = storage::connect(&with_database(admin, &building), 1).unwrap();
            let mut c = pool.get().unwrap();
            storage::migrate(&mut c).unwrap();
        }
        conn.batch_execute(&format!("ALTER DATABASE {building} RENAME TO {template}"))
            .unwrap();
    }
    conn.batch_execute("SELECT pg_advisory_unlock(72707369)")
        .unwrap();
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = &self.pg {
            if let Ok(mut conn) = PgConnection::establish(admin) {
                let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_urls_swap_the_name() {
        assert_eq!(
            with_database("postgres://u@h:5432/postgres", "x"),
            "postgres://u@h:5432/x"
        );
        assert_eq!(
            with_database("postgres://u@h/db?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
    }
}
