//! The scenario-test harness: a real `ismessenger` server on a random loopback port against a
//! fresh database (SQLite file, or a PostgreSQL database cloned from a migrated template),
//! driven over HTTP. `scenario!` runs a test on both backends.

pub mod bridge;
pub mod db;
pub mod sse;

use std::net::{SocketAddr, TcpListener};
use std::time::Duration;

use actix_web::dev::ServerHandle;
use reqwest::{Method, StatusCode};
use serde_json::Value;

pub use db::{Backend, TestDb};
pub use serde_json::json;

/// The JWT secret every test server signs with, so tests can forge expired tokens.
pub const JWT_SECRET: &str = "scenario-tests-jwt-secret-0123456789abcdef";

/// Declares `NAME_sqlite` and `NAME_postgres` tests running `body(backend)`. The PostgreSQL
/// one is skipped without `TEST_DATABASE_URL`, unless `REQUIRE_POSTGRES=1` makes that a failure.
#[macro_export]
macro_rules! scenario {
    ($(#[$doc:meta])* $name:ident, $body:expr) => {
        $(#[$doc])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                ($body)($crate::Backend::Sqlite).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if $crate::Backend::postgres_available() {
                    ($body)($crate::Backend::Postgres).await;
                }
            }
        }
    };
}

/// A running server and its database; stopped and dropped with the value.
pub struct TestServer {
    pub base: String,
    pub addr: SocketAddr,
    pub db: std::sync::Arc<TestDb>,
    handle: ServerHandle,
    thread: Option<std::thread::JoinHandle<()>>,
    pub http: reqwest::Client,
}

/// A stand-in for the built web client: an `index.html` and one hashed asset.
fn web_client_fixture(data_dir: &std::path::Path) -> std::path::PathBuf {
    let dir = data_dir.join("web");
    std::fs::create_dir_all(dir.join("assets")).expect("web fixture dir");
    std::fs::write(
        dir.join("index.html"),
        "<!doctype html><title>IS-Messenger</title><div id=\"root\"></div>",
    )
    .expect("index.html");
    std::fs::write(dir.join("assets/app-abc123.js"), "console.log('app')").expect("asset");
    dir
}

impl TestServer {
    /// A server on a fresh database of `backend`.
    pub async fn start(backend: Backend) -> TestServer {
        let db = tokio::task::spawn_blocking(move || TestDb::create(backend))
            .await
            .unwrap();
        Self::on(std::sync::Arc::new(db)).await
    }

    /// Another server on the same database (another node of the same deployment).
    pub async fn on(db: std::sync::Arc<TestDb>) -> TestServer {
        Self::configured(db, |_| {}).await
    }

    /// A server on a fresh database of `backend`, its configuration changed by `tweak`.
    pub async fn start_with(backend: Backend, tweak: impl FnOnce(&mut api::Config)) -> TestServer {
        let db = tokio::task::spawn_blocking(move || TestDb::create(backend))
            .await
            .unwrap();
        Self::configured(std::sync::Arc::new(db), tweak).await
    }

    async fn configured(
        db: std::sync::Arc<TestDb>,
        tweak: impl FnOnce(&mut api::Config),
    ) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a port");
        let mut config = api::Config {
            database_url: db.url.clone(),
            data_dir: db.data_dir.clone(),
            jwt_secret: JWT_SECRET.as_bytes().to_vec(),
            allow_private_urls: true,
            public_url: Some(format!("http://{}", listener.local_addr().unwrap())),
            db_pool_size: 4,
            // As on a two-core machine; one scenario narrows it to one.
            db_concurrency: 2,
            trust_proxy: false,
            sse_heartbeat: Duration::from_secs(1),
            max_upload_bytes: 1024 * 1024,
            job_retry_base: Duration::from_millis(100),
            web_dir: web_client_fixture(&db.data_dir),
        };
        tweak(&mut config);
        let (tx, rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let (server, addr) = api::start(config, listener, 1)
                    .await
                    .expect("server starts");
                tx.send((server.handle(), addr)).unwrap();
                let _ = server.await;
            })
        });
        let (handle, addr) =
            tokio::task::spawn_blocking(move || rx.recv_timeout(Duration::from_secs(60)))
                .await
                .unwrap()
                .expect("server started in time");
        TestServer {
            base: format!("http://{addr}"),
            addr,
            db,
            handle,
            thread: Some(thread),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Sends a request with an optional bearer token and JSON body.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Res {
        let mut req = self.http.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        Res::from(req.send().await.expect("request sent")).await
    }

    pub async fn get(&self, path: &str, token: &str) -> Res {
        self.call(Method::GET, path, Some(token), None).await
    }
    pub async fn post(&self, path: &str, token: &str, body: Value) -> Res {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }
    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Res {
        self.call(Method::PATCH, path, Some(token), Some(body))
            .await
    }
    pub async fn put(&self, path: &str, token: &str, body: Value) -> Res {
        self.call(Method::PUT, path, Some(token), Some(body)).await
    }
    pub async fn delete(&self, path: &str, token: &str) -> Res {
        self.call(Method::DELETE, path, Some(token), None).await
    }
    /// POST without authentication.
    pub async fn post_anon(&self, path: &str, body: Value) -> Res {
        self.call(Method::POST, path, None, Some(body)).await
    }

    /// Signs up a new workspace; returns its owner's session.
    pub async fn signup(&self, workspace: &str, email: &str) -> Session {
        let res = self
            .post_anon(
                "/api/v1/auth/signup",
                json!({"workspace_name": workspace, "name": "Owner Person", "email": email, "password": "correct horse battery"}),
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
        Session::from(&res.body)
    }

    /// Invites `email` with `role` as `inviter` and accepts as a new account.
    pub async fn add_member(&self, inviter: &Session, email: &str, role: &str) -> Session {
        let inv = self
            .post(
                "/api/v1/invitations",
                &inviter.access,
                json!({"email": email, "role": role}),
            )
            .await;
        assert_eq!(inv.status, StatusCode::CREATED, "{}", inv.body);
        let token = inv.body["token"].as_str().unwrap().to_string();
        let res = self
            .post_anon(
                &format!("/api/v1/invitations/{token}/accept"),
                json!({"name": "Member Person", "password": "member password 1"}),
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        Session::from(&res.body)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        futures_executor::block_on(self.handle.stop(false));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A response: status, headers and the body as JSON (or a JSON string of the raw text).
#[derive(Debug)]
pub struct Res {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Res {
    pub async fn from(r: reqwest::Response) -> Res {
        let status = r.status();
        let headers = r.headers().clone();
        let text = r.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Res {
            status,
            headers,
            body,
        }
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }

    /// Asserts a problem+json answer with `status`; returns the offending field names.
    pub fn problem(&self, status: u16) -> Vec<String> {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected answer: {}",
            self.body
        );
        assert_eq!(
            self.header("content-type").as_deref(),
            Some("application/problem+json"),
            "{}",
            self.body
        );
        assert_eq!(self.body["status"], status);
        assert!(self.body["title"].is_string() && self.body["detail"].is_string());
        self.body["errors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|e| e["field"].as_str().unwrap_or_default().to_string())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// A signed-in member.
#[derive(Debug, Clone)]
pub struct Session {
    pub access: String,
    pub refresh: String,
    pub user_id: i64,
    pub workspace_id: i64,
}

impl From<&Value> for Session {
    fn from(v: &Value) -> Self {
        Session {
            access: v["access_token"]
                .as_str()
                .expect("access_token")
                .to_string(),
            refresh: v["refresh_token"]
                .as_str()
                .expect("refresh_token")
                .to_string(),
            user_id: v["user"]["id"].as_i64().expect("user.id"),
            workspace_id: v["workspace"]["id"].as_i64().expect("workspace.id"),
        }
    }
}
