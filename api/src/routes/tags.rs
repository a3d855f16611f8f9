//! Workspace tags: listed and created by any member, deleted by owners and managers.

use actix_web::{delete, get, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use domain::access::Action;
use domain::contacts::normalize_tag;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::extract::{PageQuery, Paged, ValidJson};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct TagView {
    pub id: i64,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct NewTag {
    pub name: String,
}

fn view(t: &storage::tags::Tag) -> TagView {
    TagView {
        id: t.id,
        name: t.name.clone(),
        created_at: storage::utc(t.created_at),
    }
}

/// The workspace's tags.
#[utoipa::path(tag = "contacts", operation_id = "listTags", security(("bearer" = [])), params(PageQuery), responses((status = 200, body = Paged<TagView>)))]
#[get("/tags")]
pub async fn list_tags(
    state: web::Data<AppState>,
    auth: Auth,
    q: web::Query<PageQuery>,
) -> ApiResult<web::Json<Paged<TagView>>> {
    let (limit, after) = q.resolve()?;
    let ws = auth.workspace_id;
    let page = state
        .db(move |conn| storage::tags::list(conn, ws, after, limit))
        .await?;
    Ok(web::Json(Paged::new(
        page.items.iter().map(view).collect(),
        page.next_after,
    )))
}

/// Create a tag (tags are also created by tagging a contact).
#[utoipa::path(tag = "contacts", operation_id = "createTag", security(("bearer" = [])), request_body = NewTag, responses((status = 201, body = TagView), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
#[post("/tags")]
pub async fn create_tag(
    state: web::Data<AppState>,
    auth: Auth,
    body: ValidJson<NewTag>,
) -> ApiResult<HttpResponse> {
    let name = normalize_tag(&body.0.name).map_err(|m| ApiError::invalid("name", &m))?;
    let ws = auth.workspace_id;
    let tag = state
        .db(move |conn| storage::tags::create(conn, ws, &name, storage::naive(Utc::now())))
        .await?;
    Ok(HttpResponse::Created().json(view(&tag)))
}

/// Delete a tag from the workspace and every contact (owners and managers).
#[utoipa::path(tag = "contacts", operation_id = "deleteTag", security(("bearer" = [])), params(("name" = String, Path)), responses((status = 204), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
#[delete("/tags/{name}")]
pub async fn delete_tag(
    state: web::Data<AppState>,
    auth: Auth,
    name: web::Path<String>,
) -> ApiResult<HttpResponse> {
    auth.require(Action::DeleteTag)?;
    let ws = auth.workspace_id;
    let name = name.into_inner();
    state
        .db(move |conn| storage::tags::delete(conn, ws, &name, storage::naive(Utc::now())))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
