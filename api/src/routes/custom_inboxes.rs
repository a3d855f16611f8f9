//! Custom inboxes: saved inbox filters. A personal inbox belongs to the member who made it
//! and nobody else sees it (others get 404, whatever their role); a shared inbox is seen by
//! every member and made, changed and deleted by owners and managers. API tokens have no
//! person behind them, so they see and manage shared inboxes only.

use actix_web::{delete, get, patch, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use domain::access::Action;
use domain::inbox_filters::normalize_inbox_name;
use serde::{Deserialize, Serialize};
use storage::custom_inboxes::CustomInbox;
use utoipa::ToSchema;
use validator::Validate;

use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::extract::{PageQuery, Paged, ValidJson};
use crate::routes::inbox_filters::{check, InboxFilters};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct CustomInboxView {
    pub id: i64,
    pub name: String,
    /// Seen by every member (true) or only by its owner (false).
    pub shared: bool,
    /// The member a personal inbox belongs to; null when shared.
    pub owner_id: Option<i64>,
    pub filters: InboxFilters,
    /// Who made it; null when an API token did.
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&CustomInbox> for CustomInboxView {
    fn from(i: &CustomInbox) -> Self {
        CustomInboxView {
            id: i.id,
            name: i.name.clone(),
            shared: i.shared(),
            owner_id: i.owner_id,
            filters: serde_json::from_value(i.filters_json()).unwrap_or_default(),
            created_by: i.created_by,
            created_at: storage::utc(i.created_at),
            updated_at: storage::utc(i.updated_at),
        }
    }
}

fn inbox_name(v: &str) -> Result<(), validator::ValidationError> {
    normalize_inbox_name(v)
        .map(|_| ())
        .map_err(|m| validator::ValidationError::new("invalid").with_message(m.into()))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct NewCustomInbox {
    /// 1 to 100 characters, trimmed.
    #[validate(custom(function = "inbox_name"))]
    pub name: String,
    /// Share with the whole workspace (owners, managers and API tokens); default false: a
    /// personal inbox of the caller. API tokens must send true.
    #[serde(default)]
    pub shared: bool,
    /// Omitted: no filters (every contact thread).
    pub filters: Option<InboxFilters>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct CustomInboxPatch {
    #[validate(custom(function = "inbox_name"))]
    pub name: Option<String>,
    /// Replaces every filter.
    pub filters: Option<InboxFilters>,
    /// Whether it is shared never changes: sending the current value is accepted, another
    /// is refused (422); make a new inbox instead.
    pub shared: Option<bool>,
}

fn filters_text(f: &InboxFilters) -> String {
    serde_json::to_string(f).unwrap_or_else(|_| "{}".into())
}

/// Only owners and managers touch shared inboxes; personal ones are already their owner's.
fn may_change(auth: &Auth, inbox: &CustomInbox) -> ApiResult<()> {
    if inbox.shared() {
        auth.require(Action::ManageSharedCustomInboxes)
    } else {
        Ok(())
    }
}

/// The caller's personal inboxes and the shared ones, in id order.
#[utoipa::path(tag = "inbox", operation_id = "listCustomInboxes", security(("bearer" = [])), params(PageQuery), responses((status = 200, body = Paged<CustomInboxView>)))]
#[get("/custom-inboxes")]
pub async fn list_inboxes(
    state: web::Data<AppState>,
    auth: Auth,
    q: web::Query<PageQuery>,
) -> ApiResult<web::Json<Paged<CustomInboxView>>> {
    let (limit, after) = q.resolve()?;
    let (ws, viewer) = (auth.workspace_id, auth.user_id);
    let page = state
        .db(move |conn| storage::custom_inboxes::list(conn, ws, viewer, after, limit))
        .await?;
    Ok(web::Json(Paged::new(
        page.items.iter().map(Into::into).collect(),
        page.next_after,
    )))
}

/// Save a custom inbox: personal (any member) or shared (owners, managers, API tokens).
#[utoipa::path(tag = "inbox", operation_id = "createCustomInbox", security(("bearer" = [])), request_body = NewCustomInbox, responses((status = 201, body = CustomInboxView), (status = 403, description = "An agent asked for a shared inbox", body = crate::error::Problem), (status = 422, description = "A bad name or filter, or a personal inbox asked for by an API token", body = crate::error::Problem)))]
#[post("/custom-inboxes")]
pub async fn create_inbox(
    state: web::Data<AppState>,
    auth: Auth,
    body: ValidJson<NewCustomInbox>,
) -> ApiResult<HttpResponse> {
    let b = body.0;
    let owner = if b.shared {
        auth.require(Action::ManageSharedCustomInboxes)?;
        None
    } else {
        Some(auth.user_id.ok_or_else(|| {
            ApiError::invalid(
                "shared",
                "an API token has no personal inboxes: send shared: true",
            )
        })?)
    };
    let name = normalize_inbox_name(&b.name).map_err(|m| ApiError::invalid("name", &m))?;
    let filters = b.filters.unwrap_or_default();
    check(&state, &auth, &filters).await?;
    let (ws, created_by) = (auth.workspace_id, auth.user_id);
    let inbox = state
        .db(move |conn| {
            storage::custom_inboxes::create(
                conn,
                ws,
                &name,
                owner,
                &filters_text(&filters),
                created_by,
                storage::naive(Utc::now()),
            )
        })
        .await?;
    Ok(HttpResponse::Created().json(CustomInboxView::from(&inbox)))
}

/// Rename a custom inbox or replace its filters: a personal one by its owner, a shared one
/// by owners and managers.
#[utoipa::path(tag = "inbox", operation_id = "updateCustomInbox", security(("bearer" = [])), params(("id" = i64, Path)), request_body = CustomInboxPatch, responses((status = 200, body = CustomInboxView), (status = 403, body = crate::error::Problem), (status = 404, description = "Missing, another workspace's, or another member's personal inbox", body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
#[patch("/custom-inboxes/{id}")]
pub async fn update_inbox(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<i64>,
    body: ValidJson<CustomInboxPatch>,
) -> ApiResult<web::Json<CustomInboxView>> {
    let (ws, viewer, id) = (auth.workspace_id, auth.user_id, id.into_inner());
    let current = state
        .db(move |conn| storage::custom_inboxes::get(conn, ws, id, viewer))
        .await?;
    may_change(&auth, &current)?;
    let b = body.0;
    if b.shared.is_some_and(|s| s != current.shared()) {
        return Err(ApiError::invalid(
            "shared",
            "cannot be changed: create a new inbox instead",
        ));
    }
    let name = b
        .name
        .as_deref()
        .map(normalize_inbox_name)
        .transpose()
        .map_err(|m| ApiError::invalid("name", &m))?;
    if let Some(f) = &b.filters {
        check(&state, &auth, f).await?;
    }
    let filters = b.filters.as_ref().map(filters_text);
    let inbox = state
        .db(move |conn| {
            storage::custom_inboxes::update(
                conn,
                ws,
                id,
                viewer,
                name.as_deref(),
                filters.as_deref(),
                storage::naive(Utc::now()),
            )
        })
        .await?;
    Ok(web::Json((&inbox).into()))
}

/// Delete a custom inbox: a personal one by its owner, a shared one by owners and managers.
#[utoipa::path(tag = "inbox", operation_id = "deleteCustomInbox", security(("bearer" = [])), params(("id" = i64, Path)), responses((status = 204), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
#[delete("/custom-inboxes/{id}")]
pub async fn delete_inbox(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let (ws, viewer, id) = (auth.workspace_id, auth.user_id, id.into_inner());
    let current = state
        .db(move |conn| storage::custom_inboxes::get(conn, ws, id, viewer))
        .await?;
    may_change(&auth, &current)?;
    state
        .db(move |conn| {
            storage::custom_inboxes::delete(conn, ws, id, viewer, storage::naive(Utc::now()))
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
