//! Closing-note categories: every member lists them (the close dialog offers them); owners
//! and managers create, describe and delete them. A name never changes: conversations closed
//! with a category keep its name, also after the category is deleted.

use actix_web::{delete, get, patch, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use domain::access::Action;
use domain::categories::{
    check_category_change, normalize_category_description, normalize_category_name,
};
use serde::{Deserialize, Serialize};
use storage::categories::Category;
use utoipa::ToSchema;
use validator::Validate;

use crate::auth::Auth;
use crate::error::ApiResult;
use crate::extract::{double_option, PageQuery, Paged, ValidJson};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct ClosingNoteCategoryView {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&Category> for ClosingNoteCategoryView {
    fn from(c: &Category) -> Self {
        ClosingNoteCategoryView {
            id: c.id,
            name: c.name.clone(),
            description: c.description.clone(),
            created_at: storage::utc(c.created_at),
            updated_at: storage::utc(c.updated_at),
        }
    }
}

fn category_name(v: &str) -> Result<(), validator::ValidationError> {
    normalize_category_name(v)
        .map(|_| ())
        .map_err(|m| validator::ValidationError::new("invalid").with_message(m.into()))
}

fn category_description(v: &str) -> Result<(), validator::ValidationError> {
    normalize_category_description(v)
        .map(|_| ())
        .map_err(|m| validator::ValidationError::new("invalid").with_message(m.into()))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct NewClosingNoteCategory {
    /// 1 to 100 characters, trimmed; unique in the workspace without regard to case; never
    /// changes.
    #[validate(custom(function = "category_name"))]
    pub name: String,
    /// At most 500 characters.
    #[validate(custom(function = "category_description"))]
    pub description: Option<String>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct ClosingNoteCategoryPatch {
    /// At most 500 characters.
    pub description: Option<String>,
    /// Refused (422): a category's name cannot be changed.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub name: Option<Option<serde_json::Value>>,
}

/// The workspace's closing-note categories (any member).
#[utoipa::path(tag = "settings", operation_id = "listClosingNoteCategories", security(("bearer" = [])), params(PageQuery), responses((status = 200, body = Paged<ClosingNoteCategoryView>)))]
#[get("/closing-note-categories")]
pub async fn list_categories(
    state: web::Data<AppState>,
    auth: Auth,
    q: web::Query<PageQuery>,
) -> ApiResult<web::Json<Paged<ClosingNoteCategoryView>>> {
    let (limit, after) = q.resolve()?;
    let ws = auth.workspace_id;
    let page = state
        .db(move |conn| storage::categories::list(conn, ws, after, limit))
        .await?;
    Ok(web::Json(Paged::new(
        page.items.iter().map(Into::into).collect(),
        page.next_after,
    )))
}

/// Create a closing-note category (owners and managers).
#[utoipa::path(tag = "settings", operation_id = "createClosingNoteCategory", security(("bearer" = [])), request_body = NewClosingNoteCategory, responses((status = 201, body = ClosingNoteCategoryView), (status = 403, body = crate::error::Problem), (status = 409, description = "The name is taken", body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
#[post("/closing-note-categories")]
pub async fn create_category(
    state: web::Data<AppState>,
    auth: Auth,
    body: ValidJson<NewClosingNoteCategory>,
) -> ApiResult<HttpResponse> {
    auth.require(Action::ManageClosingNoteCategories)?;
    let b = body.0;
    let name = normalize_category_name(&b.name).map_err(|m| domain::Invalid::one("name", m))?;
    let description = normalize_category_description(b.description.as_deref().unwrap_or(""))
        .map_err(|m| domain::Invalid::one("description", m))?;
    let ws = auth.workspace_id;
    let category = state
        .db(move |conn| {
            storage::categories::create(conn, ws, &name, &description, storage::naive(Utc::now()))
        })
        .await?;
    Ok(HttpResponse::Created().json(ClosingNoteCategoryView::from(&category)))
}

/// Change a category's description (owners and managers). Sending `name` is refused.
#[utoipa::path(tag = "settings", operation_id = "updateClosingNoteCategory", security(("bearer" = [])), params(("id" = i64, Path)), request_body = ClosingNoteCategoryPatch, responses((status = 200, body = ClosingNoteCategoryView), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
#[patch("/closing-note-categories/{id}")]
pub async fn update_category(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<i64>,
    body: ValidJson<ClosingNoteCategoryPatch>,
) -> ApiResult<web::Json<ClosingNoteCategoryView>> {
    auth.require(Action::ManageClosingNoteCategories)?;
    let b = body.0;
    let description = check_category_change(b.name.is_some(), b.description.as_deref())?;
    let (ws, id) = (auth.workspace_id, id.into_inner());
    let category = state
        .db(move |conn| {
            storage::categories::update(
                conn,
                ws,
                id,
                description.as_deref(),
                storage::naive(Utc::now()),
            )
        })
        .await?;
    Ok(web::Json((&category).into()))
}

/// Delete a category (owners and managers); closed conversations keep its name.
#[utoipa::path(tag = "settings", operation_id = "deleteClosingNoteCategory", security(("bearer" = [])), params(("id" = i64, Path)), responses((status = 204), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
#[delete("/closing-note-categories/{id}")]
pub async fn delete_category(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    auth.require(Action::ManageClosingNoteCategories)?;
    let (ws, id) = (auth.workspace_id, id.into_inner());
    state
        .db(move |conn| storage::categories::delete(conn, ws, id, storage::naive(Utc::now())))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
