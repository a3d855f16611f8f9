//! A fake channel bridge on loopback: it records every call the server makes to it and
//! answers from a script (then a default), so tests can play a bridge that fails, refuses
//! or recovers. It also serves files at `/files/<name>` for inbound attachments.

use std::collections::{HashMap, VecDeque};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::dev::ServerHandle;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use serde_json::{json, Value};

/// One call the server made.
#[derive(Debug, Clone)]
pub struct Call {
    pub path: String,
    pub authorization: Option<String>,
    pub body: Value,
}

/// How the bridge answers a call.
#[derive(Debug, Clone)]
pub enum Reply {
    /// 200 `{mId}` with a fresh id.
    Accept,
    /// This status with this JSON body.
    Status(u16, Value),
    /// Wait this long first (longer than the client's timeout = a network error).
    Slow(Duration),
}

#[derive(Default)]
struct Shared {
    calls: Vec<Call>,
    script: VecDeque<Reply>,
    files: HashMap<String, (String, Vec<u8>)>,
    next_id: u64,
}

pub struct FakeBridge {
    pub url: String,
    shared: Arc<Mutex<Shared>>,
    handle: ServerHandle,
    thread: Option<std::thread::JoinHandle<()>>,
}

async fn message(
    req: HttpRequest,
    body: web::Bytes,
    shared: web::Data<Arc<Mutex<Shared>>>,
) -> HttpResponse {
    let reply = {
        let mut s = shared.lock().unwrap();
        s.calls.push(Call {
            path: req.path().to_string(),
            authorization: req
                .headers()
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
            body: serde_json::from_slice(&body).unwrap_or(Value::Null),
        });
        s.next_id += 1;
        (s.script.pop_front().unwrap_or(Reply::Accept), s.next_id)
    };
    match reply {
        (Reply::Accept, n) => HttpResponse::Ok().json(json!({"mId": format!("bridge-{n}")})),
        (Reply::Status(code, body), _) => {
            HttpResponse::build(actix_web::http::StatusCode::from_u16(code).unwrap()).json(body)
        }
        (Reply::Slow(d), n) => {
            tokio::time::sleep(d).await;
            HttpResponse::Ok().json(json!({"mId": format!("bridge-{n}")}))
        }
    }
}

async fn file(path: web::Path<String>, shared: web::Data<Arc<Mutex<Shared>>>) -> HttpResponse {
    match shared.lock().unwrap().files.get(path.as_str()) {
        Some((mime, bytes)) => HttpResponse::Ok()
            .content_type(mime.as_str())
            .body(bytes.clone()),
        None => HttpResponse::NotFound().finish(),
    }
}

impl FakeBridge {
    pub async fn start() -> FakeBridge {
        let shared = Arc::new(Mutex::new(Shared::default()));
        let data = web::Data::new(shared.clone());
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let server = HttpServer::new(move || {
                    App::new()
                        .app_data(data.clone())
                        .route("/files/{name}", web::get().to(file))
                        .default_service(web::post().to(message))
                })
                .workers(1)
                .disable_signals()
                .listen(listener)
                .unwrap()
                .run();
                tx.send(server.handle()).unwrap();
                let _ = server.await;
            })
        });
        let handle = tokio::task::spawn_blocking(move || rx.recv().unwrap())
            .await
            .unwrap();
        FakeBridge {
            url,
            shared,
            handle,
            thread: Some(thread),
        }
    }

    /// Queues answers for the next calls.
    pub fn script(&self, replies: impl IntoIterator<Item = Reply>) {
        self.shared.lock().unwrap().script.extend(replies);
    }

    /// Serves `bytes` at `<url>/files/<name>`.
    pub fn serve(&self, name: &str, mime: &str, bytes: Vec<u8>) -> String {
        self.shared
            .lock()
            .unwrap()
            .files
            .insert(name.into(), (mime.into(), bytes));
        format!("{}/files/{name}", self.url)
    }

    pub fn calls(&self) -> Vec<Call> {
        self.shared.lock().unwrap().calls.clone()
    }

    /// Waits until at least `n` calls arrived; returns them.
    pub async fn wait_calls(&self, n: usize, timeout: Duration) -> Vec<Call> {
        let start = Instant::now();
        loop {
            let calls = self.calls();
            if calls.len() >= n || start.elapsed() > timeout {
                return calls;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

impl Drop for FakeBridge {
    fn drop(&mut self) {
        futures_executor::block_on(self.handle.stop(false));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
