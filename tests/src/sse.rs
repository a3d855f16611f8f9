//! A small Server-Sent Events reader for tests.

use std::time::Duration;

use futures_util::StreamExt;

/// One parsed SSE item: an event, or a comment line (heartbeats).
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Event {
        id: Option<i64>,
        event: String,
        data: serde_json::Value,
    },
    Comment(String),
    Retry(u64),
}

pub struct SseReader {
    stream:
        std::pin::Pin<Box<dyn futures_util::Stream<Item = reqwest::Result<bytes::Bytes>> + Send>>,
    buf: String,
}

impl SseReader {
    pub fn new(res: reqwest::Response) -> Self {
        SseReader {
            stream: Box::pin(res.bytes_stream()),
            buf: String::new(),
        }
    }

    /// The next item, or `None` when the stream ends or nothing arrives within `wait`.
    pub async fn next(&mut self, wait: Duration) -> Option<Item> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..end + 2).collect();
                if let Some(item) = parse(&block) {
                    return Some(item);
                }
                continue;
            }
            match tokio::time::timeout_at(deadline, self.stream.next()).await {
                Ok(Some(Ok(chunk))) => self.buf.push_str(&String::from_utf8_lossy(&chunk)),
                _ => return None,
            }
        }
    }

    /// The next event (skipping comments), or `None` within `wait`.
    pub async fn next_event(&mut self, wait: Duration) -> Option<(i64, String, serde_json::Value)> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.next(left).await? {
                Item::Event { id, event, data } => return Some((id.unwrap_or(0), event, data)),
                _ => continue,
            }
        }
    }
}

fn parse(block: &str) -> Option<Item> {
    let mut id = None;
    let mut event = String::from("message");
    let mut data = String::new();
    let mut comment = None;
    for line in block.lines() {
        if let Some(c) = line.strip_prefix(':') {
            comment = Some(c.trim().to_string());
        } else if let Some(v) = line.strip_prefix("id:") {
            id = v.trim().parse().ok();
        } else if let Some(v) = line.strip_prefix("event:") {
            event = v.trim().to_string();
        } else if let Some(v) = line.strip_prefix("data:") {
            data.push_str(v.trim_start());
        } else if let Some(v) = line.strip_prefix("retry:") {
            return v.trim().parse().ok().map(Item::Retry);
        }
    }
    if !data.is_empty() {
        Some(Item::Event {
            id,
            event,
            data: serde_json::from_str(&data).unwrap_or(serde_json::Value::String(data)),
        })
    } else {
        comment.map(Item::Comment)
    }
}
