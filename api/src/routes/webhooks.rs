//! Inbound channel webhooks: `POST /webhooks/channels/{channel_id}`, authenticated per
//! provider (the custom channel: its bearer `api_token`, compared in constant time) and
//! idempotent on the provider's message id.

use actix_web::{post, web, HttpRequest, HttpResponse};
use chrono::Utc;
use serde::Serialize;
use serde_json::json;
use storage::messages::{Body, Inbound};
use utoipa::ToSchema;

use crate::channels::custom::{self, Event, InboundBody};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// What a webhook call stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookResult {
    /// New messages stored.
    pub received: usize,
    /// Messages whose `mId` was already stored (provider retries): nothing stored again.
    pub duplicates: usize,
    /// Status events applied to our messages.
    pub statuses: usize,
    /// Status events for unknown `mId`s or that did not move the status forward.
    pub ignored: usize,
}

fn body_of(b: InboundBody) -> Body {
    match b {
        InboundBody::Text(text) => Body {
            msg_type: "text".into(),
            text: Some(text),
            ..Body::default()
        },
        InboundBody::Attachment {
            kind,
            url,
            mime,
            name,
            caption,
        } => Body {
            msg_type: "attachment".into(),
            text: caption,
            attachment: Some(json!({
                "type": kind, "url": url, "mime": mime, "name": name, "state": "fetching",
            })),
            ..Body::default()
        },
        InboundBody::Location {
            latitude,
            longitude,
            address,
        } => Body {
            msg_type: "location".into(),
            text: address,
            attachment: Some(json!({
                "type": "location", "latitude": latitude, "longitude": longitude,
            })),
            ..Body::default()
        },
    }
}

/// Inbound events from a channel's provider or bridge.
#[utoipa::path(tag = "channels", operation_id = "channelWebhook", params(("channel_id" = i64, Path)), request_body(content = Object, description = "The provider's own format; for custom channels respond.io's Custom Channel payload `{channelId, contactId, events, contact?}`"), responses((status = 200, body = WebhookResult), (status = 401, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
#[post("/webhooks/channels/{channel_id}")]
pub async fn channel_webhook(
    state: web::Data<AppState>,
    req: HttpRequest,
    channel_id: web::Path<i64>,
    mut payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let id = channel_id.into_inner();
    let channel = state
        .db(move |conn| storage::channels::find(conn, id))
        .await?;
    let Some(config) = crate::channels::custom_config(&channel) else {
        return Err(ApiError::NotFound);
    };
    let expected = channel
        .secret
        .as_deref()
        .and_then(|s| state.secrets.open(s));
    let authorized = match (crate::auth::bearer(&req), expected) {
        (Some(given), Some(expected)) => crate::secrets::same_secret(&given, &expected),
        _ => false,
    };
    if !authorized {
        return Err(ApiError::Unauthorized(
            "a valid channel api_token is required as a Bearer token".into(),
        ));
    }
    let bytes = crate::extract::read_limited(&mut payload, crate::extract::MAX_JSON_BYTES).await?;
    let raw: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::BadRequest(format!("the body is not valid JSON: {e}")))?;
    let parsed = custom::parse(channel.id, config.id_type, &raw)?;
    let mut result = WebhookResult {
        received: 0,
        duplicates: 0,
        statuses: 0,
        ignored: 0,
    };
    let is_phone = config.id_type == domain::windows::CustomIdType::Phone;
    for event in parsed.events {
        match event {
            Event::Message { m_id, echo, body } => {
                let inbound = Inbound {
                    channel_id: channel.id,
                    external_id: parsed.contact_id.clone(),
                    external_is_phone: is_phone,
                    provider_id: m_id,
                    echo,
                    body: body_of(body),
                    profile: parsed.profile.clone(),
                };
                let stored = state.receive(channel.clone(), inbound).await?;
                match stored {
                    Some(_) => result.received += 1,
                    None => result.duplicates += 1,
                }
            }
            Event::Status {
                m_id,
                status,
                message,
            } => {
                let (ws, ch) = (channel.workspace_id, channel.id);
                let changed = state
                    .write(
                        move |conn| match storage::messages::by_provider_id(conn, ch, &m_id)? {
                            Some(m) if m.direction == storage::messages::OUTGOING => {
                                storage::messages::set_status(
                                    conn,
                                    ws,
                                    m.id,
                                    status,
                                    None,
                                    message.as_deref(),
                                    storage::naive(Utc::now()),
                                )
                            }
                            _ => Ok(None),
                        },
                    )
                    .await?;
                match changed {
                    Some(_) => result.statuses += 1,
                    None => result.ignored += 1,
                }
            }
        }
    }
    Ok(HttpResponse::Ok().json(result))
}
