//! The `channel.send` job: delivers one pending message through its channel and records the
//! outcome. A refusal (4xx) fails the message at once; network errors and 5xx are retried
//! with backoff, and the last attempt fails the message with the reason.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use domain::messages::MessageStatus;
use domain::windows::{ChannelKind, CustomIdType};
use serde_json::{json, Value};
use storage::jobs::Job;
use storage::messages::Message;

use crate::outbound::NoClient;
use crate::state::AppState;

/// What came of one delivery attempt.
enum Outcome {
    Sent(Option<String>),
    Refused(String),
    Retry(String),
}

/// Runs one `channel.send` job.
pub async fn run(state: Arc<AppState>, job: Job) -> Result<(), String> {
    let payload: Value = serde_json::from_str(&job.payload).map_err(|e| e.to_string())?;
    let message_id = payload["message_id"].as_i64().ok_or("no message_id")?;
    let ws = job.workspace_id.ok_or("no workspace")?;
    let message = match state
        .db(move |conn| storage::messages::get(conn, ws, message_id))
        .await
    {
        Ok(m) => m,
        // The contact (and its messages) were deleted meanwhile: nothing to send.
        Err(crate::error::ApiError::NotFound) => return Ok(()),
        Err(e) => return Err(e.to_string()),
    };
    if message.status != MessageStatus::Pending.as_str() {
        return Ok(());
    }
    let outcome = deliver(&state, &message).await;
    let last_attempt = job.attempts >= job.max_attempts;
    let (status, provider_id, error) = match outcome {
        Outcome::Sent(mid) => (MessageStatus::Sent, mid, None),
        Outcome::Refused(reason) => (MessageStatus::Failed, None, Some(reason)),
        Outcome::Retry(reason) if last_attempt => (
            MessageStatus::Failed,
            None,
            Some(format!("gave up after {} attempts: {reason}", job.attempts)),
        ),
        Outcome::Retry(reason) => return Err(reason),
    };
    let now = storage::naive(Utc::now());
    state
        .db(move |conn| {
            storage::messages::set_status(
                conn,
                ws,
                message_id,
                status,
                provider_id.as_deref(),
                error.as_deref(),
                now,
            )
        })
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

async fn deliver(state: &Arc<AppState>, m: &Message) -> Outcome {
    let Some(channel_id) = m.channel_id else {
        return Outcome::Refused("the channel was removed".into());
    };
    let (ws, contact_id) = (m.workspace_id, m.contact_id);
    let loaded = state
        .db(move |conn| {
            let channel = storage::channels::get(conn, ws, channel_id)?;
            let identities = storage::channels::of_contact(conn, contact_id)?;
            let contact = storage::contacts::resolve(
                conn,
                ws,
                &storage::contacts::ContactRef::Id(contact_id),
                &storage::contacts::Visibility::All,
            )?;
            Ok((channel, identities, contact))
        })
        .await;
    let (channel, identities, contact) = match loaded {
        Ok(x) => x,
        Err(crate::error::ApiError::NotFound) => {
            return Outcome::Refused("the channel was removed".into())
        }
        Err(e) => return Outcome::Retry(e.to_string()),
    };
    let identity = identities
        .iter()
        .find(|(i, _)| i.channel_id == channel.id)
        .map(|(i, _)| i.external_id.clone());
    if channel.kind == ChannelKind::WebChat.as_str() {
        // No provider: the visitor's widget reads it from the history and the visitor
        // stream (which marks it delivered once it reaches an open widget).
        return match identity {
            Some(_) => Outcome::Sent(None),
            None => Outcome::Refused("the contact has no chat session on this website".into()),
        };
    }
    let Some(config) = super::custom_config(&channel) else {
        return Outcome::Refused(format!("{} channels cannot send yet", channel.kind));
    };
    let contact_ref = match (identity, config.id_type) {
        (Some(id), _) => id,
        (None, CustomIdType::Phone) => match contact.phone {
            Some(p) => p,
            None => return Outcome::Refused("the contact has no phone number".into()),
        },
        (None, CustomIdType::Custom) => {
            return Outcome::Refused("the contact has not written on this channel".into())
        }
    };
    let Some(token) = channel
        .secret
        .as_deref()
        .and_then(|s| state.secrets.open(s))
    else {
        return Outcome::Refused("the channel's token cannot be read; rotate it".into());
    };
    let message = match body(state, m, &config).await {
        Ok(b) => b,
        Err(reason) => return Outcome::Refused(reason),
    };
    let url = format!("{}/message", config.api_base_url);
    let (url, client) = match crate::outbound::guarded_client(
        &url,
        state.config.allow_private_urls,
        Duration::from_secs(15),
    )
    .await
    {
        Ok(x) => x,
        Err(NoClient::Refused(e)) => return Outcome::Refused(format!("api_base_url {e}")),
        Err(NoClient::Retry(reason)) => return Outcome::Retry(format!("the bridge: {reason}")),
    };
    let payload = json!({
        "channelId": channel.id.to_string(),
        "contactId": contact_ref,
        "message": message,
    });
    let res = match client
        .post(url)
        .bearer_auth(token)
        .json(&payload)
        .send()
        .await
    {
        Ok(r) => r,
        Err(e) => return Outcome::Retry(format!("the bridge could not be reached: {e}")),
    };
    let status = res.status();
    let text = res.text().await.unwrap_or_default();
    let answer: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    if status.is_success() {
        let mid = answer["mId"]
            .as_str()
            .map(str::to_string)
            .or_else(|| answer["mId"].as_i64().map(|n| n.to_string()));
        Outcome::Sent(mid)
    } else if status.is_client_error() {
        let reason = answer["error"]["message"]
            .as_str()
            .map(|s| s.chars().take(500).collect())
            .unwrap_or_else(|| format!("the bridge answered {status}"));
        Outcome::Refused(reason)
    } else {
        Outcome::Retry(format!("the bridge answered {status}"))
    }
}

/// The wire `message` of a stored one.
async fn body(
    state: &Arc<AppState>,
    m: &Message,
    config: &super::custom::CustomConfig,
) -> Result<Value, String> {
    match m.msg_type.as_str() {
        "text" => Ok(json!({"type": "text", "text": m.text.clone().unwrap_or_default()})),
        "attachment" => super::attachments::outbound(state, m, config.voice_notes).await,
        other => Err(format!("custom channels cannot send {other} messages")),
    }
}
