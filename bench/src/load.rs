//! The HTTP load generator: a fixed number of concurrent clients work through a numbered list
//! of requests as fast as the server answers (a closed loop), timing each one.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::{micros, summarize, Summary};

/// What a run measured.
#[derive(Debug, Clone)]
pub struct Run {
    pub elapsed: Duration,
    pub latency: Summary,
    pub failures: usize,
    pub first_failure: Option<String>,
}

impl Run {
    pub fn per_second(&self) -> f64 {
        self.latency.count as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Runs requests `0..total` over `clients` concurrent tasks; `request(i)` sends the i-th and
/// says whether it got the expected answer.
pub async fn run<F, Fut>(clients: usize, total: usize, request: F) -> Run
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), String>> + Send,
{
    let request = Arc::new(request);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(clients);
    for _ in 0..clients.max(1) {
        let (request, next) = (request.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut samples = Vec::new();
            let mut failures = 0usize;
            let mut first_failure = None;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    break;
                }
                let t = Instant::now();
                let outcome = request(i).await;
                samples.push(micros(t.elapsed()));
                if let Err(e) = outcome {
                    failures += 1;
                    first_failure.get_or_insert(format!("request {i}: {e}"));
                }
            }
            (samples, failures, first_failure)
        }));
    }
    let mut samples = Vec::with_capacity(total);
    let mut failures = 0;
    let mut first_failure = None;
    for t in tasks {
        match t.await {
            Ok((s, f, ff)) => {
                samples.extend(s);
                failures += f;
                if first_failure.is_none() {
                    first_failure = ff;
                }
            }
            Err(e) => {
                failures += 1;
                first_failure.get_or_insert(format!("client task: {e}"));
            }
        }
    }
    let elapsed = started.elapsed();
    Run {
        elapsed,
        latency: summarize(&mut samples),
        failures,
        first_failure,
    }
}

/// A custom-channel webhook body (respond.io's contract) carrying one text message.
pub fn webhook_body(channel_id: i64, contact: &str, m_id: &str, text: &str, name: usize) -> String {
    json!({
        "channelId": channel_id.to_string(),
        "contactId": contact,
        "events": [{
            "type": "message",
            "mId": m_id,
            "timestamp": chrono::Utc::now().timestamp_millis(),
            "message": {"type": "text", "text": text},
        }],
        "contact": {
            "firstName": crate::seed::FIRST[name % crate::seed::FIRST.len()],
            "lastName": crate::seed::LAST[name % crate::seed::LAST.len()],
            "locale": "en_US",
            "countryCode": "MY",
        },
    })
    .to_string()
}

/// Posts a webhook and checks it stored exactly one new message.
pub async fn post_webhook(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    body: String,
) -> Result<(), String> {
    let res = http
        .post(url)
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = res.status();
    let text = res.text().await.map_err(|e| e.to_string())?;
    if !status.is_success() {
        return Err(format!("{status}: {text}"));
    }
    let v: Value = serde_json::from_str(&text).map_err(|e| format!("{e}: {text}"))?;
    if v["received"] != 1 {
        return Err(format!("expected one message received, got {text}"));
    }
    Ok(())
}

/// GETs a list page and checks it has items. The items are parsed only to be skipped, not
/// built into a tree: the load generator shares the machine with the server it measures.
pub async fn get_page(http: &reqwest::Client, url: &str, token: &str) -> Result<(), String> {
    #[derive(serde::Deserialize)]
    struct Page {
        items: Vec<serde::de::IgnoredAny>,
    }
    let res = http
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = res.status();
    let body = res.bytes().await.map_err(|e| e.to_string())?;
    let text = || String::from_utf8_lossy(&body).into_owned();
    if !status.is_success() {
        return Err(format!("{status}: {}", text()));
    }
    let page: Page = serde_json::from_slice(&body).map_err(|e| format!("{e}: {}", text()))?;
    if page.items.is_empty() {
        return Err("no items".into());
    }
    Ok(())
}

/// Calls the API with JSON and returns the answer, failing on anything but 2xx.
pub async fn call(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Result<Value, String> {
    let mut req = http.request(method.clone(), url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req
        .send()
        .await
        .map_err(|e| format!("{method} {url}: {e}"))?;
    let status = res.status();
    let text = res.text().await.map_err(|e| e.to_string())?;
    if !status.is_success() {
        return Err(format!("{method} {url}: {status}: {text}"));
    }
    serde_json::from_str(&text).map_err(|e| format!("{method} {url}: {e}: {text}"))
}
