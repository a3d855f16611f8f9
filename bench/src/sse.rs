//! Realtime fan-out: many clients on `/api/v1/events/stream`, a steady stream of inbound
//! messages, and how long each takes from its webhook request to each client. The clock starts
//! when the webhook is sent, before the server commits, so the figure is an upper bound of
//! commit-to-client.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;

use crate::load::{post_webhook, webhook_body};
use crate::{micros, summarize, Summary};

#[derive(Debug, Clone, serde::Serialize)]
pub struct SseResult {
    pub clients: usize,
    pub connected: usize,
    pub messages: usize,
    pub rate_per_second: f64,
    pub expected_deliveries: usize,
    pub deliveries: usize,
    pub send_failures: usize,
    pub latency: Summary,
}

/// The sequence number in a frame's message text (`"text":"sse-<n> …"`), without parsing the
/// whole JSON: 1,000 clients parse every frame on the same two cores as the server.
fn seq_of(frame: &str) -> Option<usize> {
    if !frame.contains("event: message.created") {
        return None;
    }
    let at = frame.find("\"text\":\"sse-")? + "\"text\":\"sse-".len();
    let digits: String = frame[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

pub struct Plan {
    pub base: String,
    pub token: String,
    pub channel_id: i64,
    pub channel_token: String,
    /// Existing contacts (channel ids) the stream's messages come from.
    pub contacts: Vec<String>,
    pub clients: usize,
    pub messages: usize,
    pub rate_per_second: f64,
}

pub async fn run(plan: Plan) -> Result<SseResult, String> {
    let t0 = Instant::now();
    // Sent-at of each message in microseconds after t0, plus one so 0 means "not sent yet".
    let sent: Arc<Vec<AtomicU64>> =
        Arc::new((0..plan.messages).map(|_| AtomicU64::new(0)).collect());
    let connected = Arc::new(AtomicUsize::new(0));
    let deadline = Arc::new(AtomicU64::new(u64::MAX));
    let stream_url = format!("{}/api/v1/events/stream", plan.base);
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(plan.clients + 8)
        .build()
        .map_err(|e| e.to_string())?;
    let mut clients = Vec::with_capacity(plan.clients);
    for _ in 0..plan.clients {
        let (http, url, token) = (http.clone(), stream_url.clone(), plan.token.clone());
        let (sent, connected, deadline) = (sent.clone(), connected.clone(), deadline.clone());
        let expected = plan.messages;
        clients.push(tokio::spawn(async move {
            let mut latencies: Vec<u64> = Vec::with_capacity(expected);
            let res = match http.get(&url).bearer_auth(&token).send().await {
                Ok(r) if r.status().is_success() => r,
                _ => return latencies,
            };
            let mut stream = res.bytes_stream();
            let mut buf = String::new();
            let mut counted = false;
            let mut got = vec![false; expected];
            loop {
                // Wake now and then to notice the deadline even while the stream is quiet.
                let next = tokio::time::timeout(Duration::from_millis(200), stream.next()).await;
                let chunk = match next {
                    Ok(Some(Ok(c))) => c,
                    Ok(_) => break,
                    Err(_) if micros(t0.elapsed()) >= deadline.load(Ordering::Relaxed) => break,
                    Err(_) => continue,
                };
                let now = micros(t0.elapsed());
                if !counted {
                    counted = true;
                    connected.fetch_add(1, Ordering::Relaxed);
                }
                buf.push_str(&String::from_utf8_lossy(&chunk));
                while let Some(end) = buf.find("\n\n") {
                    if let Some(seq) = seq_of(&buf[..end]) {
                        if seq < expected && !got[seq] {
                            got[seq] = true;
                            let at = sent[seq].load(Ordering::Relaxed);
                            if at > 0 {
                                latencies.push(now.saturating_sub(at - 1));
                            }
                        }
                    }
                    buf.drain(..end + 2);
                }
                if latencies.len() == expected {
                    break;
                }
            }
            latencies
        }));
    }
    // Everyone connects before the stream starts (up to a minute for a thousand clients).
    let connect_deadline = Instant::now() + Duration::from_secs(60);
    while connected.load(Ordering::Relaxed) < plan.clients && Instant::now() < connect_deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let connected_n = connected.load(Ordering::Relaxed);

    let webhook = format!("{}/webhooks/channels/{}", plan.base, plan.channel_id);
    let failures = Arc::new(AtomicUsize::new(0));
    let every = Duration::from_secs_f64(1.0 / plan.rate_per_second.max(0.1));
    let mut tick = tokio::time::interval(every);
    let mut senders = Vec::with_capacity(plan.messages);
    let sender_http = reqwest::Client::new();
    for seq in 0..plan.messages {
        tick.tick().await;
        let contact = plan.contacts[seq % plan.contacts.len().max(1)].clone();
        let body = webhook_body(
            plan.channel_id,
            &contact,
            &format!("sse-{seq}"),
            &format!("sse-{seq} where is my parcel?"),
            seq,
        );
        let (http, url, token) = (
            sender_http.clone(),
            webhook.clone(),
            plan.channel_token.clone(),
        );
        let (sent, failures) = (sent.clone(), failures.clone());
        senders.push(tokio::spawn(async move {
            sent[seq].store(micros(t0.elapsed()) + 1, Ordering::Relaxed);
            if post_webhook(&http, &url, &token, body).await.is_err() {
                failures.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    for s in senders {
        let _ = s.await;
    }
    // Late deliveries count until five seconds after the last answer; then clients give up.
    deadline.store(
        micros(t0.elapsed() + Duration::from_secs(5)),
        Ordering::Relaxed,
    );
    let mut all = Vec::new();
    for c in clients {
        if let Ok(l) = c.await {
            all.extend(l);
        }
    }
    let deliveries = all.len();
    Ok(SseResult {
        clients: plan.clients,
        connected: connected_n,
        messages: plan.messages,
        rate_per_second: plan.rate_per_second,
        expected_deliveries: connected_n * plan.messages,
        deliveries,
        send_failures: failures.load(Ordering::Relaxed),
        latency: summarize(&mut all),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_name_their_message() {
        let f = "id: 9\nevent: message.created\ndata: {\"data\":{\"text\":\"sse-42 where\"}}";
        assert_eq!(seq_of(f), Some(42));
        assert_eq!(
            seq_of("id: 9\nevent: contact.updated\ndata: {\"text\":\"sse-1\"}"),
            None
        );
        assert_eq!(seq_of(": heartbeat"), None);
    }
}
