//! The website chat widget's public visitor API, under `/api/v1/widget/{key}` where `{key}` is
//! a web_chat channel's public key. No user account: a visitor is known by an anonymous token
//! issued on the first `POST /session` (random, stored hashed, answered once; the browser
//! keeps it in localStorage) and sent as `Authorization: Bearer` (or `?token=` on the event
//! stream, as EventSource sends no headers). Every request must come from one of the
//! channel's allowed origins (`Origin`, else the `Referer`'s origin); CORS preflights are
//! answered for those origins only. Requests are rate limited per visitor and per address.
//!
//! A visitor only ever sees their own contact's messages on this channel: never private
//! notes, activity, other channels or other visitors.

use std::future::{ready, Ready};
use std::rc::Rc;
use std::sync::Arc;

use actix_web::body::BoxBody;
use actix_web::dev::{forward_ready, Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::Method;
use actix_web::web::Bytes;
use actix_web::{get, patch, post, web, HttpMessage, HttpRequest, HttpResponse, ResponseError};
use chrono::{DateTime, Utc};
use domain::messages::MessageStatus;
use futures_util::future::LocalBoxFuture;
use serde::{Deserialize, Serialize};
use serde_json::json;
use storage::channels::Channel;
use storage::messages::{Body, Message, INCOMING};
use storage::outbox::Event;
use storage::web_chat::{Received, Visitor};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::mpsc;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::channels::web_chat::{normalize_origin, WebChatConfig};
use crate::error::{ApiError, ApiResult};
use crate::extract::{PageQuery, Paged, ValidJson};
use crate::secrets::{random_token, token_hash};
use crate::state::AppState;

/// New visitors one address may start per minute.
pub const NEW_VISITORS_PER_ADDRESS: u32 = 20;
/// Messages, uploads and detail changes one visitor may send per minute.
pub const WRITES_PER_VISITOR: u32 = 20;
/// Requests of any kind one visitor may make per minute.
pub const REQUESTS_PER_VISITOR: u32 = 120;
/// Requests of any kind one address may make per minute (many visitors behind one NAT).
pub const REQUESTS_PER_ADDRESS: u32 = 600;
/// How long links to attachments in a visitor's history work.
const LINK_TTL_HOURS: i64 = 24;
const BACKFILL_PAGE: i64 = 500;
/// How many of the workspace's events a resuming stream looks back at most.
const MAX_RESUME_EVENTS: i64 = 5_000;
const MAX_URL_CHARS: usize = 2048;
const MAX_CLIENT_ID_CHARS: usize = 64;

// ---------------------------------------------------------------------------------------
// Wire shapes

/// Where the visitor is: sent with each session start.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
pub struct SessionRequest {
    /// The page the widget runs on (`location.href`), http or https.
    pub page_url: Option<String>,
    /// The page that led there (`document.referrer`); empty means none.
    pub referrer: Option<String>,
}

/// The widget's look and behaviour, from the channel's settings.
#[derive(Debug, Serialize, ToSchema)]
pub struct WidgetSettings {
    /// The channel's name (the chat window's title).
    pub name: String,
    pub greeting: String,
    /// `#rrggbb`.
    pub color: String,
    /// `left` or `right`.
    pub position: String,
    /// Ask for name and e-mail (`PATCH /visitor`) before the first message; until then
    /// sending is refused with 409.
    pub ask_details: bool,
    /// Show this instead of the greeting while `online` is false.
    pub offline_message: String,
}

/// The visitor as the widget shows them.
#[derive(Debug, Serialize, ToSchema)]
pub struct VisitorView {
    /// The visitor's public id on the channel.
    pub id: String,
    /// What they left, if anything.
    pub name: Option<String>,
    pub email: Option<String>,
}

/// A member answering.
#[derive(Debug, Clone, Serialize, PartialEq, ToSchema)]
pub struct AgentView {
    pub name: String,
}

/// Whether someone is there to answer, for the widget's header.
#[derive(Debug, Clone, Serialize, PartialEq, ToSchema)]
pub struct PresenceView {
    /// At least one member's activity status is `online`.
    pub online: bool,
    /// The member the visitor's conversation is assigned to, when there is one.
    pub agent: Option<AgentView>,
}

/// A visitor's conversation state.
#[derive(Debug, Clone, Serialize, PartialEq, ToSchema)]
pub struct ConversationState {
    /// `open` or `closed`.
    pub status: String,
}

/// The answer to a session start or resume.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionView {
    /// Only when a new visitor was made: keep it (localStorage) and send it as
    /// `Authorization: Bearer` from now on. It is never shown again.
    pub visitor_token: Option<String>,
    pub visitor: VisitorView,
    pub widget: WidgetSettings,
    #[serde(flatten)]
    pub presence: PresenceView,
    /// The visitor's latest conversation, if they had one.
    pub conversation: Option<ConversationState>,
    /// Open the event stream with `?last_event_id=` this value (after loading the history)
    /// to miss nothing that happens from now on.
    pub last_event_id: i64,
}

/// An attachment as the visitor gets it.
#[derive(Debug, Serialize, ToSchema)]
pub struct VisitorAttachment {
    /// `image`, `video`, `audio` or `file`.
    pub kind: String,
    pub name: Option<String>,
    pub mime: Option<String>,
    pub size: Option<i64>,
    /// A link to the bytes, valid for 24 hours (fetch the history again for a fresh one).
    pub url: Option<String>,
}

/// A message of the visitor's chat.
#[derive(Debug, Serialize, ToSchema)]
pub struct VisitorMessage {
    pub id: i64,
    /// The visitor's own id for a message they sent.
    pub client_id: Option<String>,
    /// `visitor` or `business`.
    pub from: String,
    /// `text`, `attachment` or `location`.
    #[serde(rename = "type")]
    pub msg_type: String,
    pub text: Option<String>,
    pub attachment: Option<VisitorAttachment>,
    /// Who answered, for a member's message.
    pub agent: Option<AgentView>,
    /// A visitor's message: `received`. The business's: `pending`, `sent`, `delivered`,
    /// `read` or `failed`.
    pub status: String,
    pub created_at: DateTime<Utc>,
}

/// A text message from the visitor.
#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct NewVisitorMessage {
    /// The widget's own id for this message (1 to 64 of `A-Za-z0-9_-.:`), the same on every
    /// retry: a repeat stores nothing new and answers the stored message (200).
    pub client_id: String,
    /// Up to 4,096 characters.
    pub text: String,
}

/// Name and e-mail the visitor leaves (either or both).
#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct VisitorDetails {
    /// 1 to 100 characters.
    pub name: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// The widget's own id for this upload, as for text messages.
    pub client_id: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StreamQuery {
    /// The visitor token (EventSource cannot send an Authorization header).
    pub token: Option<String>,
    /// Resume after this event id (the `Last-Event-ID` header wins).
    pub last_event_id: Option<i64>,
}

// ---------------------------------------------------------------------------------------
// Who is asking: the channel, the page's origin, the visitor

/// An origin the handler found allowed; the CORS layer then lets the page read the answer.
#[derive(Clone)]
struct AllowedOrigin(String);

/// The page's origin: `Origin`, else the origin of the `Referer` (browsers leave `Origin`
/// out of same-origin GETs).
fn page_origin(req: &HttpRequest) -> Option<String> {
    let text = |name: header::HeaderName| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty() && *v != "null")
            .map(str::to_string)
    };
    if let Some(o) = text(header::ORIGIN) {
        return normalize_origin(&o).ok();
    }
    let referer = text(header::REFERER)?;
    let url = url::Url::parse(&referer).ok()?;
    normalize_origin(&url.origin().ascii_serialization()).ok()
}

fn own_origin(state: &AppState) -> Option<String> {
    normalize_origin(&crate::channels::public_base(&state.config)).ok()
}

/// The web_chat channel of `key` (404 otherwise) and its settings.
async fn channel_of(state: &AppState, key: &str) -> ApiResult<(Channel, WebChatConfig)> {
    if key.len() > 100 {
        return Err(ApiError::NotFound);
    }
    let key = key.to_string();
    let channel = state
        .db(move |conn| storage::web_chat::channel_by_key(conn, &key))
        .await?;
    let config = WebChatConfig::of(&channel.config);
    Ok((channel, config))
}

/// Whether a page of `origin` may use this channel's widget; 403 when it may not.
fn check_origin(
    state: &AppState,
    config: &WebChatConfig,
    origin: Option<String>,
) -> ApiResult<String> {
    let Some(origin) = origin else {
        return Err(ApiError::Forbidden(
            "the request names no website (Origin header): the widget only runs on its allowed websites".into(),
        ));
    };
    if !config.allows(&origin, own_origin(state).as_deref()) {
        return Err(ApiError::Forbidden(format!(
            "{origin} is not one of this chat widget's allowed websites"
        )));
    }
    Ok(origin)
}

/// A checked request to one widget: its channel and settings.
struct Widget {
    channel: Channel,
    config: WebChatConfig,
    address: String,
}

/// Loads the channel, checks the page's origin (and lets the page read the answer from then
/// on, errors included) and the address's request budget.
async fn widget(state: &AppState, req: &HttpRequest, key: &str) -> ApiResult<Widget> {
    let (channel, config) = channel_of(state, key).await?;
    let origin = check_origin(state, &config, page_origin(req))?;
    req.extensions_mut().insert(AllowedOrigin(origin));
    let address = crate::routes::auth::client_address(req, state.config.trust_proxy);
    limit(
        state,
        &[(
            format!("widget-ip:{}:{address}", channel.id),
            REQUESTS_PER_ADDRESS,
        )],
    )?;
    Ok(Widget {
        channel,
        config,
        address,
    })
}

fn limit(state: &AppState, limits: &[(String, u32)]) -> ApiResult<()> {
    state
        .limiter
        .check(limits)
        .map_err(|retry_after_secs| ApiError::TooManyRequests {
            detail: "too many requests; slow down and try again shortly".into(),
            retry_after_secs,
        })
}

/// The visitor of `token` on this widget's channel, or 401; counts the request against the
/// visitor's budget (`writes` for sends).
async fn visitor(
    state: &AppState,
    w: &Widget,
    token: Option<String>,
    write: bool,
) -> ApiResult<Visitor> {
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        return Err(ApiError::Unauthorized(
            "a visitor token is required (Authorization: Bearer, from POST /session)".into(),
        ));
    };
    let (channel_id, hash) = (w.channel.id, token_hash(&token));
    let found = state
        .db(move |conn| storage::web_chat::visitor_by_token(conn, channel_id, &hash))
        .await?;
    let v = found.ok_or_else(|| {
        ApiError::Unauthorized(
            "the visitor token is not valid for this chat; start a new session".into(),
        )
    })?;
    let mut limits = vec![(format!("widget-visitor:{}", v.id), REQUESTS_PER_VISITOR)];
    if write {
        limits.push((format!("widget-write:{}", v.id), WRITES_PER_VISITOR));
    }
    limit(state, &limits)?;
    Ok(v)
}

// ---------------------------------------------------------------------------------------
// Views

fn clean_url(field: &str, raw: Option<String>) -> ApiResult<Option<String>> {
    let Some(raw) = raw.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    if raw.chars().count() > MAX_URL_CHARS {
        return Err(ApiError::invalid(
            field,
            &format!("must be at most {MAX_URL_CHARS} characters"),
        ));
    }
    match url::Url::parse(&raw) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => Ok(Some(raw)),
        _ => Err(ApiError::invalid(field, "must be an http or https URL")),
    }
}

fn check_client_id(id: &str) -> ApiResult<()> {
    let ok = !id.is_empty()
        && id.chars().count() <= MAX_CLIENT_ID_CHARS
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':'));
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid(
            "client_id",
            "must be 1 to 64 characters of A-Z, a-z, 0-9, _ - . :",
        ))
    }
}

/// The provider id a visitor's message is stored under: unique per visitor, not per channel.
fn provider_id(visitor: &Visitor, client_id: &str) -> String {
    format!("{}:{client_id}", visitor.external_id)
}

/// Everything a visitor may see of some messages, in their order.
async fn message_views(
    state: &AppState,
    visitor: &Visitor,
    list: Vec<Message>,
) -> ApiResult<Vec<VisitorMessage>> {
    let mut user_ids: Vec<i64> = list
        .iter()
        .filter(|m| m.sender_type == "user")
        .filter_map(|m| m.sender_id)
        .collect();
    user_ids.sort_unstable();
    user_ids.dedup();
    let file_ids: Vec<i64> = list.iter().filter_map(|m| m.file_id).collect();
    let ws = visitor.workspace_id;
    let (names, files) = state
        .db(move |conn| {
            let names = storage::web_chat::user_names(conn, &user_ids)?;
            let files = storage::files::get_many(conn, ws, &file_ids)?;
            Ok((names, files))
        })
        .await?;
    let prefix = format!("{}:", visitor.external_id);
    Ok(list
        .into_iter()
        .map(|m| {
            let incoming = m.direction == INCOMING;
            let meta: serde_json::Value = m
                .attachment
                .as_deref()
                .and_then(|a| serde_json::from_str(a).ok())
                .unwrap_or_default();
            let file = m.file_id.and_then(|id| files.iter().find(|f| f.id == id));
            let attachment = (m.msg_type == "attachment").then(|| VisitorAttachment {
                kind: meta["type"].as_str().unwrap_or("file").to_string(),
                name: file
                    .map(|f| f.name.clone())
                    .or(meta["name"].as_str().map(str::to_string)),
                mime: file
                    .map(|f| f.mime.clone())
                    .or(meta["mime"].as_str().map(str::to_string)),
                size: file.map(|f| f.size).or(meta["size"].as_i64()),
                url: file.map(|f| {
                    crate::filestore::signed_url(
                        &state.config,
                        f,
                        chrono::Duration::hours(LINK_TTL_HOURS),
                    )
                }),
            });
            let agent = (m.sender_type == "user")
                .then(|| names.iter().find(|(id, _)| Some(*id) == m.sender_id))
                .flatten()
                .map(|(_, name)| AgentView { name: name.clone() });
            VisitorMessage {
                id: m.id,
                client_id: incoming
                    .then(|| m.provider_id.as_deref()?.strip_prefix(&prefix))
                    .flatten()
                    .map(str::to_string),
                from: if incoming { "visitor" } else { "business" }.into(),
                msg_type: m.msg_type.clone(),
                text: m.text.clone(),
                attachment,
                agent,
                status: m.status.clone(),
                created_at: storage::utc(m.created_at),
            }
        })
        .collect())
}

/// The visitor's contact details, unless they are still the placeholder.
async fn visitor_view(state: &AppState, visitor: &Visitor) -> ApiResult<VisitorView> {
    let v = visitor.clone();
    let contact = state
        .db(move |conn| storage::web_chat::contact_row(conn, &v))
        .await?;
    let placeholder = storage::web_chat::placeholder_name(visitor);
    let name = contact.as_ref().and_then(|c| {
        let full = format!(
            "{} {}",
            c.first_name,
            c.last_name.clone().unwrap_or_default()
        );
        let full = full.trim().to_string();
        (full != placeholder).then_some(full)
    });
    Ok(VisitorView {
        id: visitor.external_id.clone(),
        name,
        email: contact.and_then(|c| c.email),
    })
}

/// Who is there for this visitor, and their conversation's state.
async fn presence(
    state: &AppState,
    visitor: &Visitor,
) -> ApiResult<(PresenceView, Option<ConversationState>)> {
    let v = visitor.clone();
    state
        .db(move |conn| {
            let online = storage::web_chat::anyone_online(conn, v.workspace_id)?;
            let contact = storage::web_chat::contact_row(conn, &v)?;
            let agent = match contact.as_ref().and_then(|c| c.assignee_id) {
                Some(uid) => storage::web_chat::user_names(conn, &[uid])?
                    .into_iter()
                    .next()
                    .map(|(_, name)| AgentView { name }),
                None => None,
            };
            let conversation = contact
                .and_then(|c| c.conversation_status)
                .map(|status| ConversationState { status });
            Ok((PresenceView { online, agent }, conversation))
        })
        .await
}

fn settings_view(channel: &Channel, config: &WebChatConfig) -> WidgetSettings {
    WidgetSettings {
        name: channel.name.clone(),
        greeting: config.greeting.clone(),
        color: config.color.clone(),
        position: config.position.clone(),
        ask_details: config.ask_details,
        offline_message: config.offline_message.clone(),
    }
}

// ---------------------------------------------------------------------------------------
// Handlers

/// Start (no token) or resume (the visitor token as Bearer) a visitor's session: answers the
/// widget's settings, whether someone is online, and, for a new visitor, the visitor token
/// (201, shown once). With `welcome_event` on, a visitor's first load opens a conversation
/// with the greeting as the business's first message (once per visitor).
#[utoipa::path(
    tag = "widget",
    operation_id = "widgetSession",
    security((), ("visitor" = [])),
    params(("key" = String, Path, description = "The channel's public key (data-channel)")),
    request_body = SessionRequest,
    responses(
        (status = 200, description = "A resumed session", body = SessionView),
        (status = 201, description = "A new visitor: keep `visitor_token`", body = SessionView),
        (status = 401, description = "The token is not valid for this widget: drop it and start anew", body = crate::error::Problem),
        (status = 403, description = "Not one of the channel's allowed websites", body = crate::error::Problem),
        (status = 404, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem),
        (status = 429, body = crate::error::Problem)
    )
)]
#[post("/{key}/session")]
pub async fn session(
    state: web::Data<AppState>,
    req: HttpRequest,
    key: web::Path<String>,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    let w = widget(&state, &req, &key).await?;
    let body: SessionRequest = if body.iter().all(u8::is_ascii_whitespace) {
        SessionRequest::default()
    } else {
        crate::extract::parse_checked(&body)?
    };
    let page_url = clean_url("page_url", body.page_url)?;
    let referrer = clean_url("referrer", body.referrer).unwrap_or(None);
    let now = storage::naive(Utc::now());
    let (visitor, token) = match crate::auth::bearer(&req) {
        Some(token) => {
            let v = visitor(&state, &w, Some(token), false).await?;
            let (p, r) = (page_url.clone(), referrer.clone());
            let v = state
                .db(move |conn| {
                    storage::web_chat::touch(conn, v.id, p.as_deref(), r.as_deref(), now)
                })
                .await?;
            (v, None)
        }
        None => {
            limit(
                &state,
                &[(
                    format!("widget-new:{}", w.address),
                    NEW_VISITORS_PER_ADDRESS,
                )],
            )?;
            let token = format!("wvt_{}", random_token(32));
            let (hash, external) = (token_hash(&token), format!("wv_{}", random_token(12)));
            let channel = w.channel.clone();
            let (p, r) = (page_url.clone(), referrer.clone());
            let v = state
                .db(move |conn| {
                    storage::web_chat::create_visitor(
                        conn,
                        &channel,
                        &external,
                        &hash,
                        p.as_deref(),
                        r.as_deref(),
                        now,
                    )
                })
                .await?;
            (v, Some(token))
        }
    };
    if w.config.welcome_event && !w.config.greeting.is_empty() && visitor.welcomed_at.is_none() {
        let (channel, v, greeting) = (
            w.channel.clone(),
            visitor.clone(),
            w.config.greeting.clone(),
        );
        state
            .db(move |conn| storage::web_chat::welcome(conn, &channel, &v, &greeting, now))
            .await?;
    }
    let (presence, conversation) = presence(&state, &visitor).await?;
    let view = SessionView {
        visitor: visitor_view(&state, &visitor).await?,
        widget: settings_view(&w.channel, &w.config),
        presence,
        conversation,
        last_event_id: state.hub.cursor(),
        visitor_token: token.clone(),
    };
    Ok(if token.is_some() {
        HttpResponse::Created().json(view)
    } else {
        HttpResponse::Ok().json(view)
    })
}

/// The visitor's chat history, newest first (`cursor` pages back): only messages between
/// the visitor and the business on this widget.
#[utoipa::path(
    tag = "widget",
    operation_id = "widgetHistory",
    security(("visitor" = [])),
    params(("key" = String, Path), PageQuery),
    responses(
        (status = 200, body = Paged<VisitorMessage>),
        (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem),
        (status = 429, body = crate::error::Problem)
    )
)]
#[get("/{key}/messages")]
pub async fn history(
    state: web::Data<AppState>,
    req: HttpRequest,
    key: web::Path<String>,
    q: web::Query<PageQuery>,
) -> ApiResult<web::Json<Paged<VisitorMessage>>> {
    let w = widget(&state, &req, &key).await?;
    let v = visitor(&state, &w, crate::auth::bearer(&req), false).await?;
    let (limit, before) = q.resolve_before()?;
    let (visitor_row, channel_id) = (v.clone(), w.channel.id);
    let page = state
        .db(
            move |conn| match storage::web_chat::contact_of(conn, &visitor_row)? {
                Some(contact) => storage::web_chat::history(
                    conn,
                    visitor_row.workspace_id,
                    contact,
                    channel_id,
                    before,
                    limit,
                ),
                None => Ok(storage::Page {
                    items: vec![],
                    next_after: None,
                }),
            },
        )
        .await?;
    let items = message_views(&state, &v, page.items).await?;
    Ok(web::Json(Paged::new(items, page.next_after)))
}

/// Refuses to take messages until the visitor left what the channel asks for.
async fn check_details(state: &AppState, w: &Widget, v: &Visitor) -> ApiResult<()> {
    if !w.config.ask_details {
        return Ok(());
    }
    let view = visitor_view(state, v).await?;
    if view.name.is_none() || view.email.is_none() {
        return Err(ApiError::Conflict(
            "this chat asks for your name and e-mail first (PATCH /visitor)".into(),
        ));
    }
    Ok(())
}

async fn store(
    state: &AppState,
    w: &Widget,
    v: &Visitor,
    client_id: &str,
    body: Body,
) -> ApiResult<(bool, Message)> {
    let (channel, visitor, pid) = (w.channel.clone(), v.clone(), provider_id(v, client_id));
    let got = state
        .write(move |conn| {
            storage::web_chat::receive(
                conn,
                &channel,
                &visitor,
                &pid,
                body,
                storage::naive(Utc::now()),
            )
        })
        .await?;
    Ok(match got {
        Received::New(m) => (true, m),
        Received::Repeat(m) => (false, m),
    })
}

fn answer(new: bool, view: VisitorMessage) -> HttpResponse {
    if new {
        HttpResponse::Created().json(view)
    } else {
        HttpResponse::Ok().json(view)
    }
}

/// Send a text message as the visitor. It reaches the team's inbox like any channel's
/// message; a retry with the same `client_id` stores nothing new (200 with the stored one).
#[utoipa::path(
    tag = "widget",
    operation_id = "widgetSendMessage",
    security(("visitor" = [])),
    params(("key" = String, Path)),
    request_body = NewVisitorMessage,
    responses(
        (status = 201, body = VisitorMessage),
        (status = 200, description = "A repeat of a `client_id` already stored", body = VisitorMessage),
        (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem),
        (status = 409, description = "The channel asks for name and e-mail first", body = crate::error::Problem),
        (status = 422, body = crate::error::Problem),
        (status = 429, body = crate::error::Problem)
    )
)]
#[post("/{key}/messages")]
pub async fn send_message(
    state: web::Data<AppState>,
    req: HttpRequest,
    key: web::Path<String>,
    body: ValidJson<NewVisitorMessage>,
) -> ApiResult<HttpResponse> {
    let w = widget(&state, &req, &key).await?;
    let v = visitor(&state, &w, crate::auth::bearer(&req), true).await?;
    let body = body.0;
    let mut invalid = domain::Invalid::default();
    if let Err(ApiError::Invalid(e)) = check_client_id(&body.client_id) {
        invalid.0.extend(e);
    }
    if let Err(m) = domain::messages::check_text(&body.text) {
        invalid.push("text", m);
    }
    invalid.into_result()?;
    check_details(&state, &w, &v).await?;
    let text = Body {
        msg_type: "text".into(),
        text: Some(body.text.trim().to_string()),
        ..Body::default()
    };
    let (new, m) = store(&state, &w, &v, &body.client_id, text).await?;
    let view = message_views(&state, &v, vec![m]).await?.remove(0);
    Ok(answer(new, view))
}

/// A `multipart/form-data` body with one part named `file`.
#[derive(ToSchema)]
#[allow(dead_code)] // documents the form; the handler reads the stream
pub struct VisitorUpload {
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

/// Send a file as the visitor (multipart, one part named `file`): stored like any upload
/// (type sniffed from the content, name sanitised, at most `ISM_MAX_UPLOAD_MB`, 413 above)
/// and posted as an attachment message.
#[utoipa::path(
    tag = "widget",
    operation_id = "widgetUpload",
    security(("visitor" = [])),
    params(("key" = String, Path), UploadQuery),
    request_body(content = VisitorUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, body = VisitorMessage),
        (status = 200, description = "A repeat of a `client_id` already stored", body = VisitorMessage),
        (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem),
        (status = 413, body = crate::error::Problem),
        (status = 415, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem),
        (status = 429, body = crate::error::Problem)
    )
)]
#[post("/{key}/files")]
pub async fn upload(
    state: web::Data<AppState>,
    req: HttpRequest,
    key: web::Path<String>,
    q: web::Query<UploadQuery>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let w = widget(&state, &req, &key).await?;
    let v = visitor(&state, &w, crate::auth::bearer(&req), true).await?;
    check_client_id(&q.client_id)?;
    check_details(&state, &w, &v).await?;
    let (channel_id, pid) = (w.channel.id, provider_id(&v, &q.client_id));
    let seen = state
        .db(move |conn| storage::messages::by_provider_id(conn, channel_id, &pid))
        .await?;
    if let Some(m) = seen {
        let view = message_views(&state, &v, vec![m]).await?.remove(0);
        return Ok(answer(false, view));
    }
    let (name, bytes) = crate::routes::files::read_upload(&state, &req, payload).await?;
    let file =
        crate::filestore::save(&state, v.workspace_id, &name, bytes, "inbound", None).await?;
    let body = Body {
        msg_type: "attachment".into(),
        file_id: Some(file.id),
        attachment: Some(json!({
            "type": crate::filestore::attachment_kind(&file.mime),
            "name": file.name,
            "mime": file.mime,
            "size": file.size,
        })),
        ..Body::default()
    };
    let (new, m) = store(&state, &w, &v, &q.client_id, body).await?;
    if !new {
        // Lost a race with the same upload: keep only the stored one.
        let ws = v.workspace_id;
        let id = file.id;
        if state
            .db(move |conn| storage::files::delete(conn, ws, id, storage::naive(Utc::now())))
            .await
            .is_ok()
        {
            crate::filestore::remove(&state, &file).await;
        }
    }
    let view = message_views(&state, &v, vec![m]).await?.remove(0);
    Ok(answer(new, view))
}

/// Leave name and e-mail: they update the visitor's contact (the team sees them at once).
#[utoipa::path(
    tag = "widget",
    operation_id = "widgetVisitorDetails",
    security(("visitor" = [])),
    params(("key" = String, Path)),
    request_body = VisitorDetails,
    responses(
        (status = 200, body = VisitorView),
        (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem),
        (status = 429, body = crate::error::Problem)
    )
)]
#[patch("/{key}/visitor")]
pub async fn set_details(
    state: web::Data<AppState>,
    req: HttpRequest,
    key: web::Path<String>,
    body: ValidJson<VisitorDetails>,
) -> ApiResult<web::Json<VisitorView>> {
    let w = widget(&state, &req, &key).await?;
    let v = visitor(&state, &w, crate::auth::bearer(&req), true).await?;
    let body = body.0;
    let mut invalid = domain::Invalid::default();
    let name = body.name.map(|n| n.trim().to_string());
    if let Some(n) = &name {
        let count = n.chars().count();
        if count == 0 || count > 100 || n.chars().any(char::is_control) {
            invalid.push("name", "must be 1 to 100 characters");
        }
    }
    let email = match body.email.as_deref().map(str::trim) {
        None => None,
        Some(e) => match domain::account::normalize_email(e) {
            Ok(e) => Some(e),
            Err(m) => {
                invalid.push("email", m);
                None
            }
        },
    };
    invalid.into_result()?;
    let (channel, visitor_row) = (w.channel.clone(), v.clone());
    state
        .db(move |conn| {
            let now = storage::naive(Utc::now());
            let contact = storage::web_chat::ensure_contact(conn, &channel, &visitor_row, now)?;
            let (first, last) = match &name {
                Some(n) => match n.split_once(char::is_whitespace) {
                    Some((f, l)) => (Some(f.to_string()), Some(Some(l.trim().to_string()))),
                    None => (Some(n.clone()), Some(None)),
                },
                None => (None, None),
            };
            let change = storage::contacts::ContactChange {
                first_name: first,
                last_name: last,
                email: email.map(Some),
                ..Default::default()
            };
            let actor = storage::contacts::ActorRef {
                kind: "contact",
                id: Some(contact.id),
            };
            storage::contacts::update(
                conn,
                contact.workspace_id,
                contact.id,
                change,
                &[],
                actor,
                now,
            )
        })
        .await?;
    Ok(web::Json(visitor_view(&state, &v).await?))
}

/// What the visitor has read.
#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct ReadMark {
    /// The newest message id the visitor has seen; the business's messages up to it become
    /// `read`.
    pub up_to: i64,
}

/// Most messages one read mark changes.
const READ_BATCH: i64 = 100;

/// Mark the business's messages up to `up_to` read (the team sees `read`).
#[utoipa::path(
    tag = "widget",
    operation_id = "widgetRead",
    security(("visitor" = [])),
    params(("key" = String, Path)),
    request_body = ReadMark,
    responses(
        (status = 204),
        (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem),
        (status = 429, body = crate::error::Problem)
    )
)]
#[post("/{key}/read")]
pub async fn mark_read(
    state: web::Data<AppState>,
    req: HttpRequest,
    key: web::Path<String>,
    body: ValidJson<ReadMark>,
) -> ApiResult<HttpResponse> {
    let w = widget(&state, &req, &key).await?;
    let v = visitor(&state, &w, crate::auth::bearer(&req), false).await?;
    let (channel_id, up_to) = (w.channel.id, body.0.up_to);
    state
        .db(move |conn| {
            let Some(contact) = storage::web_chat::contact_of(conn, &v)? else {
                return Ok(());
            };
            let ids = storage::web_chat::unread_replies(
                conn,
                v.workspace_id,
                contact,
                channel_id,
                up_to,
                READ_BATCH,
            )?;
            let now = storage::naive(Utc::now());
            for id in ids.into_iter().rev() {
                storage::messages::set_status(
                    conn,
                    v.workspace_id,
                    id,
                    MessageStatus::Read,
                    None,
                    None,
                    now,
                )?;
            }
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

// ---------------------------------------------------------------------------------------
// The visitor's event stream

/// What one visitor's stream follows.
struct Feed {
    state: Arc<AppState>,
    visitor: Visitor,
    /// The visitor's contact, once known (re-read after merges and deletions).
    contact: Option<i64>,
    /// What the visitor was last told about presence.
    presence: Option<PresenceView>,
}

fn frame(id: Option<i64>, event: &str, data: &impl Serialize) -> Bytes {
    let json = serde_json::to_string(data).unwrap_or_default();
    Bytes::from(match id {
        Some(id) => format!("id: {id}\nevent: {event}\ndata: {json}\n\n"),
        None => format!("event: {event}\ndata: {json}\n\n"),
    })
}

impl Feed {
    async fn resolve_contact(&mut self) {
        let v = self.visitor.clone();
        if let Ok(c) = self
            .state
            .db(move |conn| storage::web_chat::contact_of(conn, &v))
            .await
        {
            self.contact = c;
        }
    }

    async fn presence_frame(&mut self, id: Option<i64>) -> Option<Bytes> {
        let (p, _) = presence(&self.state, &self.visitor).await.ok()?;
        if self.presence.as_ref() == Some(&p) {
            return None;
        }
        self.presence = Some(p.clone());
        Some(frame(id, "status", &p))
    }

    /// What this visitor sees of an event: nothing, unless it is theirs.
    async fn frames(&mut self, e: &Event) -> Option<Bytes> {
        let ws = self.visitor.workspace_id;
        if e.workspace_id != ws {
            return None;
        }
        let subject = (e.subject_type == "contact")
            .then_some(e.subject_id)
            .flatten();
        match e.event_type.as_str() {
            "message.created" | "message.updated" => {
                let payload: serde_json::Value = serde_json::from_str(&e.payload).ok()?;
                if payload["channel_id"].as_i64() != Some(self.visitor.channel_id) {
                    return None;
                }
                if self.contact.is_none() {
                    self.resolve_contact().await;
                }
                if subject.is_none() || subject != self.contact {
                    return None;
                }
                let id = payload["id"].as_i64()?;
                let m = self
                    .state
                    .db(move |conn| storage::messages::get(conn, ws, id))
                    .await
                    .ok()?;
                if m.contact_id != self.contact? || m.channel_id != Some(self.visitor.channel_id) {
                    return None;
                }
                if m.direction != INCOMING && matches!(m.status.as_str(), "pending" | "sent") {
                    // It reached an open widget: delivered.
                    let _ = self
                        .state
                        .db(move |conn| {
                            storage::messages::set_status(
                                conn,
                                ws,
                                id,
                                MessageStatus::Delivered,
                                None,
                                None,
                                storage::naive(Utc::now()),
                            )
                        })
                        .await;
                }
                let view = message_views(&self.state, &self.visitor, vec![m])
                    .await
                    .ok()?
                    .remove(0);
                Some(frame(Some(e.id), "message", &view))
            }
            "conversation.opened" | "conversation.closed" => {
                if subject.is_none() || subject != self.contact {
                    return None;
                }
                let status = if e.event_type == "conversation.opened" {
                    "open"
                } else {
                    "closed"
                };
                Some(frame(
                    Some(e.id),
                    "conversation",
                    &ConversationState {
                        status: status.into(),
                    },
                ))
            }
            "contact.created" if self.contact.is_none() => {
                self.resolve_contact().await;
                None
            }
            "contact.merged" | "contact.deleted" => {
                self.resolve_contact().await;
                None
            }
            "contact.assignee.updated" if subject.is_some() && subject == self.contact => {
                self.presence_frame(Some(e.id)).await
            }
            "user.status.updated" => self.presence_frame(Some(e.id)).await,
            _ => None,
        }
    }
}

/// Server-Sent Events of one visitor's chat: `message` (a message of theirs, new or changed:
/// upsert by `id`; the business's replies arrive here live and are then `delivered`),
/// `conversation` (`{status: open|closed}`) and `status` (`{online, agent}`, sent at once
/// and whenever it changes). `id:` is the event id: reconnect with `Last-Event-ID` (or
/// `?last_event_id=`) to receive what was missed. Authenticate with `?token=` (EventSource
/// sends no headers) or the Bearer header; a comment line keeps idle connections open.
#[utoipa::path(
    tag = "widget",
    operation_id = "widgetStream",
    security(("visitor" = [])),
    params(("key" = String, Path), StreamQuery, ("Last-Event-ID" = Option<i64>, Header, description = "Resume after this event id")),
    responses(
        (status = 200, description = "text/event-stream of `message` (VisitorMessage), `conversation` (ConversationState) and `status` (PresenceView) events", content_type = "text/event-stream", body = String),
        (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem),
        (status = 429, body = crate::error::Problem)
    )
)]
#[get("/{key}/stream")]
pub async fn stream(
    state: web::Data<AppState>,
    req: HttpRequest,
    key: web::Path<String>,
    q: web::Query<StreamQuery>,
) -> ApiResult<HttpResponse> {
    let w = widget(&state, &req, &key).await?;
    let token = q.token.clone().or_else(|| crate::auth::bearer(&req));
    let v = visitor(&state, &w, token, false).await?;
    let header_id = req
        .headers()
        .get("Last-Event-ID")
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.trim()
                .parse::<i64>()
                .map_err(|_| ApiError::invalid("Last-Event-ID", "must be an event id"))
        })
        .transpose()?;
    let resume_after = header_id.or(q.last_event_id);
    let (tx, rx) = mpsc::channel::<Bytes>(64);
    actix_web::rt::spawn(pump(state.into_inner(), v, resume_after, tx));
    let body = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|chunk| (Ok::<_, actix_web::Error>(chunk), rx))
    });
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header(("Cache-Control", "no-cache"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(body))
}

/// Sends the visitor's events in `(after, up_to]` from the database; false once they left.
async fn backfill(
    feed: &mut Feed,
    last_sent: &mut i64,
    up_to: i64,
    tx: &mpsc::Sender<Bytes>,
) -> bool {
    let ws = feed.visitor.workspace_id;
    while *last_sent < up_to {
        let after = *last_sent;
        let page = match feed
            .state
            .db(move |conn| {
                storage::outbox::range_for_workspace(conn, ws, after, up_to, BACKFILL_PAGE)
            })
            .await
        {
            Ok(p) => p,
            Err(e) => {
                log::warn!("widget stream backfill failed: {e}");
                return false;
            }
        };
        for e in &page {
            if let Some(f) = feed.frames(e).await {
                if tx.send(f).await.is_err() {
                    return false;
                }
            }
            *last_sent = e.id;
        }
        if (page.len() as i64) < BACKFILL_PAGE {
            *last_sent = (*last_sent).max(up_to);
        }
    }
    true
}

async fn pump(
    state: Arc<AppState>,
    visitor: Visitor,
    resume_after: Option<i64>,
    tx: mpsc::Sender<Bytes>,
) {
    state.metrics.sse_clients.inc();
    let gauge = state.metrics.sse_clients.clone();
    let _dec = scopeguard(move || gauge.dec());
    let (mut live, cursor) = state.hub.subscribe();
    let mut feed = Feed {
        state: state.clone(),
        visitor,
        contact: None,
        presence: None,
    };
    feed.resolve_contact().await;
    if tx
        .send(Bytes::from_static(b"retry: 3000\n\n"))
        .await
        .is_err()
    {
        return;
    }
    if let Some(f) = feed.presence_frame(None).await {
        if tx.send(f).await.is_err() {
            return;
        }
    }
    // A resume from far back would scan the whole workspace's outbox: such a widget reloads
    // its history instead, and gets at most the latest events replayed.
    let mut last_sent = resume_after
        .unwrap_or(cursor)
        .max(cursor - MAX_RESUME_EVENTS);
    if !backfill(&mut feed, &mut last_sent, cursor, &tx).await {
        return;
    }
    let mut heartbeat = tokio::time::interval(state.config.sse_heartbeat);
    heartbeat.tick().await;
    loop {
        tokio::select! {
            received = live.recv() => match received {
                Ok(e) => {
                    if e.id > last_sent {
                        if let Some(f) = feed.frames(&e).await {
                            if tx.send(f).await.is_err() {
                                return;
                            }
                        }
                        last_sent = e.id;
                    }
                }
                Err(RecvError::Lagged(_)) => {
                    let up_to = state.hub.cursor();
                    if !backfill(&mut feed, &mut last_sent, up_to, &tx).await {
                        return;
                    }
                }
                Err(RecvError::Closed) => return,
            },
            _ = heartbeat.tick() => {
                if tx.send(Bytes::from_static(b": heartbeat\n\n")).await.is_err() {
                    return;
                }
            }
            _ = tx.closed() => return,
        }
    }
}

/// Runs `f` when dropped.
fn scopeguard(f: impl FnOnce()) -> impl Drop {
    struct Guard<F: FnOnce()>(Option<F>);
    impl<F: FnOnce()> Drop for Guard<F> {
        fn drop(&mut self) {
            if let Some(f) = self.0.take() {
                f()
            }
        }
    }
    Guard(Some(f))
}

// ---------------------------------------------------------------------------------------
// CORS

/// Answers CORS preflights of the visitor API for the channel's allowed origins only, and
/// lets an allowed page read every answer (errors included) once the handler checked its
/// origin.
pub struct WidgetCors;

impl<S> Transform<S, ServiceRequest> for WidgetCors
where
    S: Service<ServiceRequest, Response = ServiceResponse<BoxBody>, Error = actix_web::Error>
        + 'static,
{
    type Response = ServiceResponse<BoxBody>;
    type Error = actix_web::Error;
    type Transform = WidgetCorsService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(WidgetCorsService {
            service: Rc::new(service),
        }))
    }
}

pub struct WidgetCorsService<S> {
    service: Rc<S>,
}

const ALLOW_METHODS: &str = "GET, POST, PATCH, OPTIONS";
const ALLOW_HEADERS: &str = "Authorization, Content-Type, Last-Event-ID";
const EXPOSE_HEADERS: &str = "Retry-After";

fn set(res: &mut HttpResponse, name: HeaderName, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        res.headers_mut().insert(name, v);
    }
}

/// The `{key}` of `/api/v1/widget/{key}/…`.
fn key_of(path: &str) -> Option<&str> {
    let mut parts = path.split('/').skip_while(|p| *p != "widget");
    parts.next()?;
    parts.next().filter(|k| !k.is_empty())
}

async fn preflight(req: &HttpRequest) -> HttpResponse {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return ApiError::NotFound.error_response();
    };
    let Some(key) = key_of(req.path()) else {
        return ApiError::NotFound.error_response();
    };
    let (_, config) = match channel_of(&state, key).await {
        Ok(c) => c,
        Err(e) => return e.error_response(),
    };
    // A preflight always carries Origin; the Referer fallback is for same-origin GETs.
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .and_then(|o| normalize_origin(o).ok());
    match check_origin(&state, &config, origin) {
        Ok(origin) => {
            let mut res = HttpResponse::NoContent().finish();
            set(&mut res, header::ACCESS_CONTROL_ALLOW_ORIGIN, &origin);
            set(
                &mut res,
                header::ACCESS_CONTROL_ALLOW_METHODS,
                ALLOW_METHODS,
            );
            set(
                &mut res,
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                ALLOW_HEADERS,
            );
            set(&mut res, header::ACCESS_CONTROL_MAX_AGE, "600");
            set(&mut res, header::VARY, "Origin");
            res
        }
        Err(e) => e.error_response(),
    }
}

impl<S> Service<ServiceRequest> for WidgetCorsService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<BoxBody>, Error = actix_web::Error>
        + 'static,
{
    type Response = ServiceResponse<BoxBody>;
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let service = self.service.clone();
        Box::pin(async move {
            if req.method() == Method::OPTIONS {
                let res = preflight(req.request()).await;
                return Ok(req.into_response(res));
            }
            let mut res = service.call(req).await?;
            let allowed = res.request().extensions().get::<AllowedOrigin>().cloned();
            if let Some(AllowedOrigin(origin)) = allowed {
                let headers = res.headers_mut();
                if let Ok(v) = HeaderValue::from_str(&origin) {
                    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
                }
                headers.insert(
                    header::ACCESS_CONTROL_EXPOSE_HEADERS,
                    HeaderValue::from_static(EXPOSE_HEADERS),
                );
            }
            res.headers_mut()
                .insert(header::VARY, HeaderValue::from_static("Origin"));
            Ok(res)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_come_from_the_path() {
        assert_eq!(key_of("/api/v1/widget/wc_abc/session"), Some("wc_abc"));
        assert_eq!(key_of("/api/v1/widget/wc_abc"), Some("wc_abc"));
        assert_eq!(key_of("/api/v1/widget/"), None);
        assert_eq!(key_of("/api/v1/other"), None);
    }

    #[test]
    fn client_ids_are_checked() {
        assert!(check_client_id("m-1.a:b_C").is_ok());
        assert!(check_client_id("").is_err());
        assert!(check_client_id(&"a".repeat(65)).is_err());
        assert!(check_client_id("a b").is_err());
        assert!(check_client_id("a/b").is_err());
    }
}
