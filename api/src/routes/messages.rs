//! A contact's thread: the timeline (messages, private notes and conversation activity,
//! newest first), sending a message (checked against the channel's messaging window) and
//! adding a private note with mentions.

use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use domain::messages::{check_note, check_text, mentions_in};
use domain::windows::{check_send, ChannelKind, MessageType, SenderKind};
use serde::{Deserialize, Serialize};
use storage::contacts::ActorRef;
use storage::messages::{Body, Outgoing};
use storage::timeline::{Item, Key};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::extract::{decode_key, encode_key, ValidJson};
use crate::routes::contacts::{actor_ref, load, ActivityView};
use crate::routes::thread_views::{CommentView, MessageView};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct TimelineItem {
    /// `message`, `comment` (private note) or `activity`.
    pub kind: String,
    pub at: DateTime<Utc>,
    pub message: Option<MessageView>,
    pub comment: Option<CommentView>,
    pub activity: Option<ActivityView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Timeline {
    pub items: Vec<TimelineItem>,
    /// Pass as `cursor` for older items; null at the beginning of the history.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct TimelineQuery {
    /// 1 to 100, default 25.
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

fn encode(k: Key) -> String {
    encode_key("t", &[k.at.and_utc().timestamp_micros(), k.rank, k.id])
}

fn decode(c: &str) -> Option<Key> {
    let [micros, rank, id] = decode_key("t", c)?;
    Some(Key {
        at: DateTime::from_timestamp_micros(micros)?.naive_utc(),
        rank,
        id,
    })
}

fn item_view(item: &Item) -> TimelineItem {
    let at = storage::utc(item.key().at);
    match item {
        Item::Message(m) => TimelineItem {
            kind: "message".into(),
            at,
            message: Some(m.into()),
            comment: None,
            activity: None,
        },
        Item::Comment(c) => TimelineItem {
            kind: "comment".into(),
            at,
            message: None,
            comment: Some(c.into()),
            activity: None,
        },
        Item::Activity(a) => TimelineItem {
            kind: "activity".into(),
            at,
            message: None,
            comment: None,
            activity: Some(a.into()),
        },
    }
}

/// The contact's timeline, newest first: messages, private notes and activity items
/// (conversation opened/closed with category and summary, assigned/unassigned).
#[utoipa::path(tag = "conversations", operation_id = "listContactMessages", security(("bearer" = [])), params(("contact" = String, Path), TimelineQuery), responses((status = 200, body = Timeline), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
#[get("/contacts/{contact}/messages")]
pub async fn list_messages(
    state: web::Data<AppState>,
    auth: Auth,
    contact: web::Path<String>,
    q: web::Query<TimelineQuery>,
) -> ApiResult<web::Json<Timeline>> {
    let limit = crate::extract::page_limit(q.limit)?;
    let cursor = match &q.cursor {
        Some(c) => Some(
            decode(c)
                .ok_or_else(|| ApiError::invalid("cursor", "is not a cursor from this API"))?,
        ),
        None => None,
    };
    let contact = load(&state, &auth, &contact).await?;
    let (items, next) = state
        .db(move |conn| storage::timeline::page(conn, contact.id, cursor, limit))
        .await?;
    Ok(web::Json(Timeline {
        items: items.iter().map(item_view).collect(),
        next_cursor: next.map(encode),
    }))
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum OutgoingType {
    Text,
    Attachment,
    Template,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct NewMessage {
    /// The channel to send on; by default the one the contact last wrote on.
    pub channel_id: Option<i64>,
    #[serde(rename = "type")]
    pub msg_type: OutgoingType,
    /// The text (type `text`), or the caption of an attachment.
    pub text: Option<String>,
    /// For `attachment`: exactly one file of the file library.
    pub file_ids: Option<Vec<i64>>,
    /// For `attachment`: send an audio file as a voice note (up to 5 minutes).
    pub voice_note: Option<bool>,
    /// Length of a voice note in seconds, as recorded.
    pub duration_seconds: Option<u32>,
    /// For `template` (WhatsApp only).
    #[schema(value_type = Option<Object>)]
    pub template: Option<serde_json::Value>,
}

/// Send a message: stored `pending` and delivered in the background; its status then moves
/// to sent/delivered/read or failed (`message.updated` events). 409 outside the channel's
/// messaging window.
#[utoipa::path(tag = "conversations", operation_id = "sendMessage", security(("bearer" = [])), params(("contact" = String, Path)), request_body = NewMessage, responses((status = 202, body = MessageView), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
#[post("/contacts/{contact}/messages")]
pub async fn send_message(
    state: web::Data<AppState>,
    auth: Auth,
    contact: web::Path<String>,
    body: ValidJson<NewMessage>,
) -> ApiResult<HttpResponse> {
    let contact = load(&state, &auth, &contact).await?;
    let body = body.0;
    let ws = auth.workspace_id;
    let cid = contact.id;
    let identities = state
        .db(move |conn| storage::channels::of_contact(conn, cid))
        .await?;
    // The channel the contact last wrote on, if it still exists, else any of theirs.
    let last_written = contact
        .last_channel_id
        .filter(|id| identities.iter().any(|(_, c)| c.id == *id));
    let channel_id = body
        .channel_id
        .or(last_written)
        .or(identities.first().map(|(_, c)| c.id))
        .ok_or_else(|| {
            ApiError::invalid(
                "channel_id",
                "is required: the contact has no channel to reply on",
            )
        })?;
    let channel = match state
        .db(move |conn| storage::channels::get(conn, ws, channel_id))
        .await
    {
        Ok(c) => c,
        Err(ApiError::NotFound) => {
            return Err(ApiError::invalid(
                "channel_id",
                "is not a channel of this workspace",
            ))
        }
        Err(e) => return Err(e),
    };
    let kind = ChannelKind::parse(&channel.kind).unwrap_or(ChannelKind::Custom);
    let msg_type = match body.msg_type {
        OutgoingType::Text => MessageType::Text,
        OutgoingType::Attachment => MessageType::Attachment,
        OutgoingType::Template => MessageType::Template,
    };
    let out_body = match body.msg_type {
        OutgoingType::Text => {
            let text = body.text.unwrap_or_default();
            check_text(&text).map_err(|m| ApiError::invalid("text", &m))?;
            Body {
                msg_type: "text".into(),
                text: Some(text),
                ..Body::default()
            }
        }
        OutgoingType::Attachment => {
            crate::channels::attachments::outgoing_body(
                &state,
                ws,
                body.file_ids.unwrap_or_default(),
                body.text,
                body.voice_note.unwrap_or(false),
                body.duration_seconds,
            )
            .await?
        }
        OutgoingType::Template => {
            if kind != ChannelKind::Whatsapp {
                return Err(ApiError::invalid(
                    "type",
                    "templates can only be sent on WhatsApp channels",
                ));
            }
            return Err(ApiError::invalid(
                "channel_id",
                "WhatsApp channels cannot send yet",
            ));
        }
    };
    let last_incoming = identities
        .iter()
        .find(|(_, c)| c.id == channel.id)
        .and_then(|(i, _)| i.last_incoming_at)
        .map(storage::utc);
    let custom = crate::channels::custom_config(&channel).map(|c| c.settings());
    let sender = if auth.user_id.is_some() {
        SenderKind::Person
    } else {
        SenderKind::Automation
    };
    check_send(
        kind,
        custom.as_ref(),
        last_incoming,
        sender,
        msg_type,
        Utc::now(),
    )
    .map_err(|w| ApiError::WindowClosed(w.reason))?;
    let actor = actor_ref(&auth);
    let out = Outgoing {
        channel_id: channel.id,
        body: out_body,
        sender: actor,
        assign_to: auth.user_id,
    };
    let m = state
        .db(move |conn| storage::messages::send(conn, ws, cid, &out, storage::naive(Utc::now())))
        .await?;
    Ok(HttpResponse::Accepted().json(MessageView::from(&m)))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct NewComment {
    /// Up to 1,000 characters; `@{user_id}` mentions a member.
    pub text: String,
    /// Members to mention besides those written as `@{user_id}` in the text.
    pub mentions: Option<Vec<i64>>,
}

/// Add a private note (never sent to the contact); mentioned members are notified.
#[utoipa::path(tag = "conversations", operation_id = "createComment", security(("bearer" = [])), params(("contact" = String, Path)), request_body = NewComment, responses((status = 201, body = CommentView), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
#[post("/contacts/{contact}/comments")]
pub async fn create_comment(
    state: web::Data<AppState>,
    auth: Auth,
    contact: web::Path<String>,
    body: ValidJson<NewComment>,
) -> ApiResult<HttpResponse> {
    let contact = load(&state, &auth, &contact).await?;
    let body = body.0;
    check_note(&body.text).map_err(|m| ApiError::invalid("text", &m))?;
    let mut mentions = mentions_in(&body.text);
    for id in body.mentions.unwrap_or_default() {
        if !mentions.contains(&id) {
            mentions.push(id);
        }
    }
    let ws = auth.workspace_id;
    let wanted = mentions.clone();
    let members = state
        .db(move |conn| storage::accounts::members_among(conn, ws, &wanted))
        .await?;
    if let Some(stranger) = mentions.iter().find(|id| !members.contains(id)) {
        return Err(ApiError::invalid(
            "mentions",
            &format!("user {stranger} is not a member of this workspace"),
        ));
    }
    let author: ActorRef = actor_ref(&auth);
    let text = body.text;
    let c = state
        .db(move |conn| {
            storage::comments::create(
                conn,
                ws,
                contact.id,
                &text,
                &mentions,
                author,
                storage::naive(Utc::now()),
            )
        })
        .await?;
    Ok(HttpResponse::Created().json(CommentView::from(&c)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        let k = Key {
            at: DateTime::from_timestamp_micros(1_700_000_000_123_456)
                .unwrap()
                .naive_utc(),
            rank: 2,
            id: 99,
        };
        assert_eq!(decode(&encode(k)), Some(k));
        assert_eq!(decode("nonsense"), None);
    }
}
