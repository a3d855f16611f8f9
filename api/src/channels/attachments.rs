//! Attachments on the way out (a signed link to the stored file, so the bridge can fetch it
//! without a token) and on the way in (fetched into the file store by a background job,
//! with the size limit, the private-address guard and a sniffed type; or kept as a failed
//! attachment with the reason).

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use futures_util::StreamExt;
use serde_json::{json, Value};
use storage::jobs::Job;
use storage::messages::{Body, Message};

use crate::error::{ApiError, ApiResult};
use crate::filestore;
use crate::outbound::NoClient;
use crate::state::AppState;

/// How long a link handed to a bridge stays valid.
const LINK_TTL_HOURS: i64 = 24;

/// The body of an outgoing attachment message: one file of the library, an optional
/// caption, and for voice notes an audio file of at most five minutes.
pub async fn outgoing_body(
    state: &AppState,
    ws: i64,
    file_ids: Vec<i64>,
    caption: Option<String>,
    voice: bool,
    duration: Option<u32>,
) -> ApiResult<Body> {
    let id = match file_ids.as_slice() {
        [id] => *id,
        [] => {
            return Err(ApiError::invalid(
                "file_ids",
                "an attachment needs one file",
            ))
        }
        _ => {
            return Err(ApiError::invalid(
                "file_ids",
                "send one file per message (several files are several messages)",
            ))
        }
    };
    let file = match state
        .db(move |conn| storage::files::get(conn, ws, id))
        .await
    {
        Ok(f) => f,
        Err(ApiError::NotFound) => {
            return Err(ApiError::invalid(
                "file_ids",
                "is not a file of this workspace",
            ))
        }
        Err(e) => return Err(e),
    };
    let mut invalid = domain::Invalid::default();
    let caption = caption.filter(|c| !c.trim().is_empty());
    if let Some(c) = &caption {
        if let Err(m) = domain::messages::check_text(c) {
            invalid.push("text", m);
        }
    }
    if voice {
        if !file.mime.starts_with("audio/") {
            invalid.push("voice_note", "needs an audio file");
        }
        match duration {
            None => invalid.push("duration_seconds", "is required for a voice note"),
            Some(d) if d == 0 || d > domain::messages::MAX_VOICE_SECONDS => invalid.push(
                "duration_seconds",
                format!(
                    "a voice note lasts 1 to {} seconds",
                    domain::messages::MAX_VOICE_SECONDS
                ),
            ),
            _ => {}
        }
    }
    invalid.into_result()?;
    Ok(Body {
        msg_type: "attachment".into(),
        text: caption,
        file_id: Some(file.id),
        attachment: Some(json!({
            "type": filestore::attachment_kind(&file.mime),
            "name": file.name,
            "mime": file.mime,
            "size": file.size,
            "voice": voice,
            "duration_seconds": duration,
        })),
        template: None,
    })
}

/// The wire `message` of an outgoing attachment: respond.io's attachment shape with a link
/// the bridge can fetch.
pub async fn outbound(
    state: &Arc<AppState>,
    m: &Message,
    voice_notes: bool,
) -> Result<Value, String> {
    let (ws, file_id) = (m.workspace_id, m.file_id.ok_or("the file was deleted")?);
    let file = state
        .db(move |conn| storage::files::get(conn, ws, file_id))
        .await
        .map_err(|_| "the file was deleted".to_string())?;
    let meta: Value = m
        .attachment
        .as_deref()
        .and_then(|a| serde_json::from_str(a).ok())
        .unwrap_or(Value::Null);
    let voice = meta["voice"].as_bool().unwrap_or(false);
    let mut attachment = json!({
        "type": filestore::attachment_kind(&file.mime),
        "url": filestore::signed_url(&state.config, &file, chrono::Duration::hours(LINK_TTL_HOURS)),
        "mimeType": file.mime,
        "fileName": file.name,
    });
    if voice && voice_notes {
        attachment["voiceNote"] = json!(true);
    }
    if let Some(caption) = &m.text {
        attachment["description"] = json!(caption);
    }
    Ok(json!({"type": "attachment", "attachment": attachment}))
}

enum Fetched {
    Stored(storage::files::File),
    Failed(String),
    Retry(String),
}

/// Runs one `attachment.fetch` job: downloads a received attachment into the file store.
pub async fn fetch(state: Arc<AppState>, job: Job) -> Result<(), String> {
    let payload: Value = serde_json::from_str(&job.payload).map_err(|e| e.to_string())?;
    let id = payload["message_id"].as_i64().ok_or("no message_id")?;
    let ws = job.workspace_id.ok_or("no workspace")?;
    let message = match state
        .db(move |conn| storage::messages::get(conn, ws, id))
        .await
    {
        Ok(m) => m,
        Err(ApiError::NotFound) => return Ok(()),
        Err(e) => return Err(e.to_string()),
    };
    let mut meta: Value = message
        .attachment
        .as_deref()
        .and_then(|a| serde_json::from_str(a).ok())
        .unwrap_or(Value::Null);
    let Some(url) = meta["url"].as_str().map(str::to_string) else {
        return Ok(());
    };
    let name = meta["name"]
        .as_str()
        .map(str::to_string)
        .or_else(|| {
            url::Url::parse(&url)
                .ok()?
                .path_segments()?
                .next_back()
                .map(str::to_string)
        })
        .unwrap_or_else(|| "attachment".into());
    let outcome = download(&state, ws, &url, &name).await;
    let last_attempt = job.attempts >= job.max_attempts;
    let file_id = match outcome {
        Fetched::Stored(file) => {
            meta["state"] = json!("stored");
            meta["type"] = json!(filestore::attachment_kind(&file.mime));
            meta["mime"] = json!(file.mime);
            meta["name"] = json!(file.name);
            meta["size"] = json!(file.size);
            Some(file.id)
        }
        Fetched::Failed(reason) => {
            meta["state"] = json!("failed");
            meta["error"] = json!(reason);
            None
        }
        Fetched::Retry(reason) if last_attempt => {
            meta["state"] = json!("failed");
            meta["error"] = json!(format!("gave up after {} attempts: {reason}", job.attempts));
            None
        }
        Fetched::Retry(reason) => return Err(reason),
    };
    let now = storage::naive(Utc::now());
    state
        .db(move |conn| storage::messages::attach(conn, ws, id, file_id, &meta, now))
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

async fn download(state: &Arc<AppState>, ws: i64, raw: &str, name: &str) -> Fetched {
    let (url, client) = match crate::outbound::guarded_client(
        raw,
        state.config.allow_private_urls,
        Duration::from_secs(60),
    )
    .await
    {
        Ok(x) => x,
        Err(NoClient::Refused(e)) => return Fetched::Failed(format!("the attachment URL {e}")),
        Err(NoClient::Retry(reason)) => return Fetched::Retry(reason),
    };
    let res = match client.get(url).send().await {
        Ok(r) => r,
        Err(e) => return Fetched::Retry(format!("could not be fetched: {e}")),
    };
    let status = res.status();
    if status.is_client_error() {
        return Fetched::Failed(format!("the provider answered {status}"));
    }
    if !status.is_success() {
        return Fetched::Retry(format!("the provider answered {status}"));
    }
    let limit = state.config.max_upload_bytes;
    if res.content_length().is_some_and(|n| n > limit) {
        return Fetched::Failed(too_large(limit));
    }
    let mut bytes = Vec::new();
    let mut stream = res.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = match chunk {
            Ok(c) => c,
            Err(e) => return Fetched::Retry(format!("the download broke off: {e}")),
        };
        if (bytes.len() + chunk.len()) as u64 > limit {
            return Fetched::Failed(too_large(limit));
        }
        bytes.extend_from_slice(&chunk);
    }
    match filestore::save(state, ws, name, bytes, "inbound", None).await {
        Ok(file) => Fetched::Stored(file),
        Err(ApiError::PayloadTooLarge(_)) => Fetched::Failed(too_large(limit)),
        Err(e) => Fetched::Retry(e.to_string()),
    }
}

fn too_large(limit: u64) -> String {
    format!(
        "the attachment is larger than the {} MB limit",
        limit / (1024 * 1024)
    )
}
