//! Channels: listed by every member (to pick one when replying), connected, changed and
//! removed by owners and managers. A custom channel's `api_token` is shown once, at creation
//! or rotation, and kept encrypted: the server sends it on every outbound call. A web_chat
//! channel gets a public key and the snippet that embeds its widget.

use actix_web::{delete, get, patch, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use domain::access::Action;
use domain::windows::ChannelKind;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::auth::Auth;
use crate::channels::custom::CustomConfig;
use crate::channels::web_chat::{self, WebChatConfig};
use crate::error::{ApiError, ApiResult};
use crate::extract::ValidJson;
use crate::state::AppState;

/// Every channel kind of the product; `custom` and `web_chat` can be connected today.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ChannelKindName {
    Whatsapp,
    Messenger,
    Instagram,
    Telegram,
    Line,
    Viber,
    WebChat,
    Email,
    Sms,
    Custom,
}

impl ChannelKindName {
    fn kind(self) -> ChannelKind {
        match self {
            Self::Whatsapp => ChannelKind::Whatsapp,
            Self::Messenger => ChannelKind::Messenger,
            Self::Instagram => ChannelKind::Instagram,
            Self::Telegram => ChannelKind::Telegram,
            Self::Line => ChannelKind::Line,
            Self::Viber => ChannelKind::Viber,
            Self::WebChat => ChannelKind::WebChat,
            Self::Email => ChannelKind::Email,
            Self::Sms => ChannelKind::Sms,
            Self::Custom => ChannelKind::Custom,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChannelView {
    pub id: i64,
    /// whatsapp, messenger, instagram, telegram, line, viber, web_chat, email, sms, custom
    pub kind: String,
    pub name: String,
    /// The channel's settings (never its secrets).
    #[schema(value_type = Object)]
    pub config: serde_json::Value,
    /// Where the provider posts inbound events.
    pub webhook_url: String,
    /// web_chat only: the widget's public key and embed snippet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub widget: Option<WidgetView>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// How a website embeds a web_chat channel.
#[derive(Debug, Serialize, ToSchema)]
pub struct WidgetView {
    /// The channel's public key: `data-channel` of the snippet and `{key}` of the visitor API.
    pub key: String,
    /// Paste before `</body>` on every page that should show the chat.
    pub snippet: String,
    /// The visitor API of this widget.
    pub api_base: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChannelWithToken {
    #[serde(flatten)]
    pub channel: ChannelView,
    /// A custom channel's bearer token, which its bridge sends and receives: present only in
    /// the answer that creates the channel or rotates the token. Store it; it is never shown
    /// again. Absent for kinds without a token (web_chat).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_token: Option<String>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct NewChannel {
    pub kind: ChannelKindName,
    #[validate(custom(function = "channel_name"))]
    pub name: String,
    /// For `custom`: `{api_base_url, id_type: phone|custom, reply_window_hours?, voice_notes?}`.
    /// For `web_chat` (all optional): `{greeting, color: "#rrggbb", position: left|right,
    /// allowed_origins: ["https://example.com"], ask_details, offline_message, welcome_event}`.
    #[schema(value_type = Object)]
    pub config: serde_json::Value,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct ChannelChange {
    #[validate(custom(function = "channel_name"))]
    pub name: Option<String>,
    /// Replaces the settings; `id_type` cannot change once contacts are known by it. For
    /// `web_chat` only the settings named change.
    #[schema(value_type = Option<Object>)]
    pub config: Option<serde_json::Value>,
    /// Issues a new `api_token` (answered once); the old one stops working at once.
    pub rotate_token: Option<bool>,
}

/// 1 to 100 characters once trimmed.
fn channel_name(name: &str) -> Result<(), validator::ValidationError> {
    let n = name.trim().chars().count();
    if (1..=100).contains(&n) {
        Ok(())
    } else {
        Err(validator::ValidationError::new("invalid")
            .with_message("must be 1 to 100 characters (not only spaces)".into()))
    }
}

fn view(state: &AppState, c: &storage::channels::Channel) -> ChannelView {
    let base = crate::channels::public_base(&state.config);
    let widget = c.public_key.as_ref().map(|key| WidgetView {
        key: key.clone(),
        snippet: web_chat::snippet(&base, key),
        api_base: format!("{base}/api/v1/widget/{key}"),
    });
    ChannelView {
        widget,
        id: c.id,
        kind: c.kind.clone(),
        name: c.name.clone(),
        config: serde_json::from_str(&c.config).unwrap_or_default(),
        webhook_url: crate::channels::webhook_url(&state.config, c.id),
        created_at: storage::utc(c.created_at),
        updated_at: storage::utc(c.updated_at),
    }
}

/// Checks a custom channel's settings, the bridge URL against the private-address guard too.
async fn checked_config(state: &AppState, raw: &serde_json::Value) -> ApiResult<CustomConfig> {
    let config = CustomConfig::parse(raw)?;
    if let Err(e) =
        crate::outbound::check_url(&config.api_base_url, state.config.allow_private_urls).await
    {
        return Err(ApiError::invalid("config.api_base_url", &e.to_string()));
    }
    Ok(config)
}

fn new_token() -> String {
    format!("ismc_{}", crate::secrets::random_token(32))
}

/// The workspace's channels.
#[utoipa::path(tag = "channels", operation_id = "listChannels", security(("bearer" = [])), responses((status = 200, body = Vec<ChannelView>)))]
#[get("/channels")]
pub async fn list_channels(
    state: web::Data<AppState>,
    auth: Auth,
) -> ApiResult<web::Json<Vec<ChannelView>>> {
    let ws = auth.workspace_id;
    let list = state
        .db(move |conn| storage::channels::list(conn, ws))
        .await?;
    Ok(web::Json(list.iter().map(|c| view(&state, c)).collect()))
}

/// One channel.
#[utoipa::path(tag = "channels", operation_id = "getChannel", security(("bearer" = [])), params(("id" = i64, Path)), responses((status = 200, body = ChannelView), (status = 404, body = crate::error::Problem)))]
#[get("/channels/{id}")]
pub async fn get_channel(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<i64>,
) -> ApiResult<web::Json<ChannelView>> {
    let (ws, id) = (auth.workspace_id, id.into_inner());
    let c = state
        .db(move |conn| storage::channels::get(conn, ws, id))
        .await?;
    Ok(web::Json(view(&state, &c)))
}

/// Connect a channel (owners and managers). A custom channel answers its `api_token` once; a
/// web_chat channel answers without one, with its `widget` key and embed snippet.
#[utoipa::path(tag = "channels", operation_id = "createChannel", security(("bearer" = [])), request_body = NewChannel, responses((status = 201, body = ChannelWithToken), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
#[post("/channels")]
pub async fn create_channel(
    state: web::Data<AppState>,
    auth: Auth,
    body: ValidJson<NewChannel>,
) -> ApiResult<HttpResponse> {
    auth.require(Action::ManageChannels)?;
    let body = body.0;
    let kind = body.kind.kind();
    if kind == ChannelKind::WebChat {
        return create_web_chat(&state, &auth, body).await;
    }
    if kind != ChannelKind::Custom {
        return Err(ApiError::invalid(
            "kind",
            &format!(
                "{} channels cannot be connected yet; custom and web_chat channels can",
                kind.as_str()
            ),
        ));
    }
    let config = checked_config(&state, &body.config).await?;
    let token = new_token();
    let sealed = state.secrets.seal(&token);
    let (ws, name) = (auth.workspace_id, body.name.trim().to_string());
    let config_json = serde_json::to_value(&config).map_err(ApiError::internal)?;
    let c = state
        .db(move |conn| {
            storage::channels::create(
                conn,
                ws,
                kind.as_str(),
                &name,
                &config_json,
                Some(&sealed),
                storage::naive(Utc::now()),
            )
        })
        .await?;
    let v = view(&state, &c);
    // A replay of this request (same Idempotency-Key) answers without the token.
    let mut res = HttpResponse::Created();
    res.extensions_mut().insert(crate::idempotency::ReplayBody(
        serde_json::json!({ "id": v.id, "kind": v.kind, "name": v.name, "config": v.config,
            "webhook_url": v.webhook_url, "api_token": null }),
    ));
    Ok(res.json(ChannelWithToken {
        channel: v,
        api_token: Some(token),
    }))
}

/// A web_chat channel: no token, a public key for its widget.
async fn create_web_chat(
    state: &AppState,
    auth: &Auth,
    body: NewChannel,
) -> ApiResult<HttpResponse> {
    let config = WebChatConfig::parse(&body.config)?;
    let config_json = serde_json::to_value(&config).map_err(ApiError::internal)?;
    let key = format!("wc_{}", crate::secrets::random_token(24));
    let (ws, name) = (auth.workspace_id, body.name.trim().to_string());
    let c = state
        .db(move |conn| {
            storage::web_chat::create_channel(
                conn,
                ws,
                &name,
                &config_json,
                &key,
                storage::naive(Utc::now()),
            )
        })
        .await?;
    Ok(HttpResponse::Created().json(ChannelWithToken {
        channel: view(state, &c),
        api_token: None,
    }))
}

/// Rename, change settings or rotate the token (owners and managers).
#[utoipa::path(tag = "channels", operation_id = "updateChannel", security(("bearer" = [])), params(("id" = i64, Path)), request_body = ChannelChange, responses((status = 200, body = ChannelWithToken, description = "The channel; with `api_token` when it was rotated"), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
#[patch("/channels/{id}")]
pub async fn update_channel(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<i64>,
    body: ValidJson<ChannelChange>,
) -> ApiResult<HttpResponse> {
    auth.require(Action::ManageChannels)?;
    let (ws, id, body) = (auth.workspace_id, id.into_inner(), body.0);
    let current = state
        .db(move |conn| storage::channels::get(conn, ws, id))
        .await?;
    let is_web_chat = current.kind == ChannelKind::WebChat.as_str();
    if is_web_chat && body.rotate_token == Some(true) {
        return Err(ApiError::invalid(
            "rotate_token",
            "web_chat channels have no api_token",
        ));
    }
    let config = match &body.config {
        Some(raw) if is_web_chat => {
            let new = WebChatConfig::merge(&WebChatConfig::of(&current.config), raw)?;
            serde_json::to_value(&new).map_err(ApiError::internal)?
        }
        Some(raw) => {
            let new = checked_config(&state, raw).await?;
            if let Some(old) = crate::channels::custom_config(&current) {
                if old.id_type != new.id_type {
                    return Err(ApiError::invalid(
                        "config.id_type",
                        "cannot change: contacts are already known by it",
                    ));
                }
            }
            serde_json::to_value(&new).map_err(ApiError::internal)?
        }
        None => serde_json::from_str(&current.config).unwrap_or_default(),
    };
    let token = body.rotate_token.unwrap_or(false).then(new_token);
    let sealed = token.as_ref().map(|t| state.secrets.seal(t));
    let name = body
        .name
        .map(|n| n.trim().to_string())
        .unwrap_or(current.name);
    let c = state
        .db(move |conn| {
            storage::channels::update(
                conn,
                ws,
                id,
                &name,
                &config,
                sealed.as_deref(),
                storage::naive(Utc::now()),
            )
        })
        .await?;
    let v = view(&state, &c);
    Ok(match token {
        Some(api_token) => {
            let mut res = HttpResponse::Ok();
            res.extensions_mut().insert(crate::idempotency::ReplayBody(
                serde_json::json!({ "id": v.id, "api_token": null }),
            ));
            res.json(ChannelWithToken {
                channel: v,
                api_token: Some(api_token),
            })
        }
        None => HttpResponse::Ok().json(v),
    })
}

/// Remove a channel (owners and managers); its messages stay in the contacts' history.
#[utoipa::path(tag = "channels", operation_id = "deleteChannel", security(("bearer" = [])), params(("id" = i64, Path)), responses((status = 204), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
#[delete("/channels/{id}")]
pub async fn delete_channel(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    auth.require(Action::ManageChannels)?;
    let (ws, id) = (auth.workspace_id, id.into_inner());
    state
        .db(move |conn| storage::channels::delete(conn, ws, id, storage::naive(Utc::now())))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
