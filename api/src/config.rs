//! Configuration from the environment; every variable is listed in the README.

use std::path::{Path, PathBuf};

use crate::secrets;

#[derive(Clone)]
pub struct Config {
    pub database_url: String,
    pub data_dir: PathBuf,
    pub jwt_secret: Vec<u8>,
    /// Lets outbound HTTP reach loopback and private networks (tests, on-premise bridges).
    pub allow_private_urls: bool,
    /// The public base URL used in links handed out (invitation links, webhook URLs).
    pub public_url: Option<String>,
    /// Connections in the database pool.
    pub db_pool_size: u32,
    /// Requests whose database work runs at once; the rest wait their turn in order.
    pub db_concurrency: usize,
    /// Take the client address from `X-Forwarded-For`/`Forwarded` (behind a reverse proxy).
    pub trust_proxy: bool,
    /// How often an idle event stream gets a keep-alive comment.
    pub sse_heartbeat: std::time::Duration,
    /// Largest file accepted by upload or fetched from a channel, in bytes.
    pub max_upload_bytes: u64,
    /// Delay before the first retry of a failed job (doubling after each failure).
    pub job_retry_base: std::time::Duration,
    /// The built web client (`index.html`, `assets/`, `widget.js`) served at `/`.
    pub web_dir: PathBuf,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the secret or a URL that may carry a password.
        f.debug_struct("Config")
            .field("data_dir", &self.data_dir)
            .field("allow_private_urls", &self.allow_private_urls)
            .field("public_url", &self.public_url)
            .finish_non_exhaustive()
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn flag(name: &str) -> bool {
    matches!(env(name).as_deref(), Some("1" | "true" | "yes" | "on"))
}

impl Config {
    /// Reads the environment; creates the data dir and, if needed, the JWT secret file in it.
    pub fn from_env() -> std::io::Result<Config> {
        let data_dir = PathBuf::from(env("ISM_DATA_DIR").unwrap_or_else(|| "./data".into()));
        std::fs::create_dir_all(&data_dir)?;
        let database_url = env("DATABASE_URL")
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("ismessenger.db").display()));
        let jwt_secret = match env("ISM_JWT_SECRET") {
            Some(s) => s.into_bytes(),
            None => load_or_create_secret(&data_dir.join("jwt_secret"))?,
        };
        let db_pool_size = env("ISM_DB_POOL_SIZE")
            .and_then(|v| v.parse().ok())
            .unwrap_or(10);
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let db_concurrency = db_concurrency(env("ISM_DB_CONCURRENCY").as_deref(), cores);
        Ok(Config {
            database_url,
            data_dir,
            jwt_secret,
            allow_private_urls: flag("ISM_ALLOW_PRIVATE_URLS"),
            public_url: env("ISM_PUBLIC_URL").map(|u| u.trim_end_matches('/').to_string()),
            db_pool_size,
            db_concurrency,
            trust_proxy: flag("ISM_TRUST_PROXY"),
            sse_heartbeat: std::time::Duration::from_secs(
                env("ISM_SSE_HEARTBEAT_SECONDS")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(15)
                    .max(1),
            ),
            max_upload_bytes: env("ISM_MAX_UPLOAD_MB")
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(25)
                .max(1)
                * 1024
                * 1024,
            job_retry_base: std::time::Duration::from_millis(
                env("ISM_JOB_RETRY_BASE_MS")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(5_000)
                    .max(10),
            ),
            web_dir: PathBuf::from(
                env("ISM_WEB_DIR").unwrap_or_else(|| "./web-client/dist".into()),
            ),
        })
    }
}

/// `ISM_DB_CONCURRENCY`, else one request's database work per core (two at least): more at
/// once only shares the cores out more finely, so that every request of a burst finishes late;
/// fewer would let one slow request hold up the rest. Raise it where the database has cores of
/// its own on another machine.
fn db_concurrency(raw: Option<&str>, cores: usize) -> usize {
    raw.and_then(|v| v.trim().parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(cores.max(2))
}

/// A random secret kept in a file readable only by its owner, so restarts keep sessions valid.
fn load_or_create_secret(path: &Path) -> std::io::Result<Vec<u8>> {
    if let Ok(existing) = std::fs::read_to_string(path) {
        if existing.trim().len() >= 32 {
            return Ok(existing.trim().as_bytes().to_vec());
        }
    }
    let secret = secrets::random_token(48);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    use std::io::Write;
    options.open(path)?.write_all(secret.as_bytes())?;
    Ok(secret.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::db_concurrency;

    #[test]
    fn database_turns_are_one_per_core_unless_set() {
        assert_eq!(db_concurrency(None, 8), 8);
        assert_eq!(db_concurrency(None, 1), 2);
        assert_eq!(db_concurrency(Some("3"), 8), 3);
        assert_eq!(db_concurrency(Some(" 5 "), 2), 5);
        // Nonsense falls back to the default rather than stopping every request.
        assert_eq!(db_concurrency(Some("0"), 4), 4);
        assert_eq!(db_concurrency(Some("many"), 4), 4);
    }
}
