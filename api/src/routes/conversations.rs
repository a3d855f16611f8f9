//! Opening and closing a contact's conversation (closing obeys the workspace's closing-note
//! mode), its conversations, and one conversation with its metrics.

use actix_web::{get, post, web};
use chrono::Utc;
use domain::closing::{check_closing_note, unassigns_on_close, CloseSource};
use serde::Deserialize;
use storage::contacts::Visibility;
use storage::conversations::{Closing, Conversation};
use utoipa::ToSchema;
use validator::Validate;

use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::extract::{PageQuery, Paged, ValidJson};
use crate::routes::contacts::{actor_ref, load, visibility};
use crate::routes::thread_views::ConversationView;
use crate::state::AppState;

#[derive(Debug, Clone, Copy, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ConversationStatus {
    Open,
    Closed,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct ConversationChange {
    pub status: ConversationStatus,
    /// Closing only: a closing-note category of the workspace.
    pub category: Option<String>,
    /// Closing only: what happened, up to 1,000 characters.
    pub summary: Option<String>,
}

/// Opens the contact's conversation as the caller (a user or the API).
pub async fn open_for(state: &AppState, auth: &Auth, contact_id: i64) -> ApiResult<Conversation> {
    let (ws, actor) = (auth.workspace_id, actor_ref(auth));
    let source = if auth.user_id.is_some() {
        "user"
    } else {
        "api"
    };
    state
        .db(move |conn| {
            storage::conversations::open(
                conn,
                ws,
                contact_id,
                source,
                actor,
                storage::naive(Utc::now()),
            )
        })
        .await
}

/// Closes the contact's conversation as the caller, with a closing note per the workspace mode.
pub async fn close_for(
    state: &AppState,
    auth: &Auth,
    contact_id: i64,
    category: Option<String>,
    summary: Option<String>,
) -> ApiResult<Conversation> {
    let ws = auth.workspace_id;
    let workspace = state
        .db(move |conn| storage::accounts::get_workspace(conn, ws))
        .await?;
    let settings = workspace.settings();
    let note = check_closing_note(
        settings.closing_notes_mode,
        category.as_deref(),
        summary.as_deref(),
    )?;
    if let Some(name) = note.category.clone() {
        let known = state
            .db(move |conn| storage::categories::exists(conn, ws, &name))
            .await?;
        if !known {
            return Err(ApiError::invalid(
                "category",
                "is not a closing-note category of this workspace",
            ));
        }
    }
    let source = if auth.user_id.is_some() {
        CloseSource::User
    } else {
        CloseSource::Api
    };
    let closing = Closing {
        source: source.as_str().into(),
        note,
        unassign: unassigns_on_close(settings.unassign_on_close, source),
    };
    let actor = actor_ref(auth);
    state
        .db(move |conn| {
            storage::conversations::close(
                conn,
                ws,
                contact_id,
                &closing,
                actor,
                storage::naive(Utc::now()),
            )
        })
        .await
}

/// Open or close the contact's conversation. Closing follows `closing_notes_mode`: 422 names
/// the missing or refused field; 409 when it is already in that state.
#[utoipa::path(tag = "conversations", operation_id = "setConversation", security(("bearer" = [])), params(("contact" = String, Path, description = "123, id:123, email:…, phone:+…")), request_body = ConversationChange, responses((status = 200, body = ConversationView), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
#[post("/contacts/{contact}/conversation")]
pub async fn set_conversation(
    state: web::Data<AppState>,
    auth: Auth,
    contact: web::Path<String>,
    body: ValidJson<ConversationChange>,
) -> ApiResult<web::Json<ConversationView>> {
    let contact = load(&state, &auth, &contact).await?;
    let body = body.0;
    let c = match body.status {
        ConversationStatus::Open => {
            let mut invalid = domain::Invalid::default();
            if body.category.is_some() {
                invalid.push("category", "is only given when closing");
            }
            if body.summary.is_some() {
                invalid.push("summary", "is only given when closing");
            }
            invalid.into_result()?;
            open_for(&state, &auth, contact.id).await?
        }
        ConversationStatus::Closed => {
            close_for(&state, &auth, contact.id, body.category, body.summary).await?
        }
    };
    Ok(web::Json((&c).into()))
}

/// The contact's conversations, newest first.
#[utoipa::path(tag = "conversations", operation_id = "listContactConversations", security(("bearer" = [])), params(("contact" = String, Path), PageQuery), responses((status = 200, body = Paged<ConversationView>), (status = 404, body = crate::error::Problem)))]
#[get("/contacts/{contact}/conversations")]
pub async fn list_conversations(
    state: web::Data<AppState>,
    auth: Auth,
    contact: web::Path<String>,
    q: web::Query<PageQuery>,
) -> ApiResult<web::Json<Paged<ConversationView>>> {
    let contact = load(&state, &auth, &contact).await?;
    let (limit, before) = q.resolve_before()?;
    let page = state
        .db(move |conn| storage::conversations::of_contact(conn, contact.id, before, limit))
        .await?;
    Ok(web::Json(Paged::new(
        page.items.iter().map(ConversationView::from).collect(),
        page.next_after,
    )))
}

/// One conversation with its metrics.
#[utoipa::path(tag = "conversations", operation_id = "getConversation", security(("bearer" = [])), params(("id" = i64, Path)), responses((status = 200, body = ConversationView), (status = 404, body = crate::error::Problem)))]
#[get("/conversations/{id}")]
pub async fn get_conversation(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<i64>,
) -> ApiResult<web::Json<ConversationView>> {
    let (ws, id) = (auth.workspace_id, id.into_inner());
    let v = visibility(&state, &auth).await?;
    let c = state
        .db(move |conn| {
            let c = storage::conversations::get(conn, ws, id)?;
            if v != Visibility::All && !storage::contacts::is_visible(conn, ws, c.contact_id, &v)? {
                return Err(storage::StorageError::NotFound);
            }
            Ok(c)
        })
        .await?;
    Ok(web::Json((&c).into()))
}
