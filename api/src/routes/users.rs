//! Members of the workspace: list, change role/team/visibility, remove.

use actix_web::{delete, get, patch, web, HttpResponse};
use chrono::Utc;
use serde::Deserialize;
use storage::accounts::MemberChange;
use utoipa::ToSchema;
use validator::Validate;

use crate::auth::Auth;
use crate::error::ApiResult;
use crate::extract::{double_option, PageQuery, Paged, ValidJson};
use crate::routes::views::{ContactVisibility, MemberView, RoleName};
use crate::state::AppState;

/// Members of the workspace in id order.
#[utoipa::path(tag = "users", operation_id = "listUsers", security(("bearer" = [])), params(PageQuery), responses((status = 200, body = Paged<MemberView>)))]
#[get("/users")]
pub async fn list_users(
    state: web::Data<AppState>,
    auth: Auth,
    q: web::Query<PageQuery>,
) -> ApiResult<web::Json<Paged<MemberView>>> {
    let (limit, after) = q.resolve()?;
    let ws = auth.workspace_id;
    let page = state
        .db(move |conn| storage::accounts::list_members(conn, ws, after, limit))
        .await?;
    Ok(web::Json(Paged::new(
        page.items.iter().map(Into::into).collect(),
        page.next_after,
    )))
}

/// One member.
#[utoipa::path(tag = "users", operation_id = "getUser", security(("bearer" = [])), params(("id" = i64, Path, description = "User id")), responses((status = 200, body = MemberView), (status = 404, body = crate::error::Problem)))]
#[get("/users/{id}")]
pub async fn get_user(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<i64>,
) -> ApiResult<web::Json<MemberView>> {
    let (ws, id) = (auth.workspace_id, id.into_inner());
    let member = state
        .db(move |conn| storage::accounts::get_member(conn, ws, id))
        .await?;
    Ok(web::Json((&member).into()))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct MemberPatch {
    #[schema(inline)]
    pub role: Option<RoleName>,
    /// A team of this workspace, or null to leave the current team.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub team_id: Option<Option<i64>>,
    #[schema(inline)]
    pub contact_visibility: Option<ContactVisibility>,
}

/// Change a member's role, team or contact visibility. Managers change agents only; the last
/// owner cannot be demoted.
#[utoipa::path(
    tag = "users",
    operation_id = "updateUser",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "User id")),
    request_body = MemberPatch,
    responses(
        (status = 200, body = MemberView),
        (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem),
        (status = 409, description = "Would leave the workspace without an owner", body = crate::error::Problem),
    )
)]
#[patch("/users/{id}")]
pub async fn update_user(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<i64>,
    body: ValidJson<MemberPatch>,
) -> ApiResult<web::Json<MemberView>> {
    let (ws, id) = (auth.workspace_id, id.into_inner());
    let p = body.0;
    let change = MemberChange {
        role: p.role.map(Into::into),
        team_id: p.team_id,
        contact_visibility: p.contact_visibility.map(|v| v.as_str().to_string()),
    };
    let member = state
        .db(move |conn| {
            storage::accounts::update_member(
                conn,
                ws,
                auth.actor,
                id,
                change,
                storage::naive(Utc::now()),
            )
        })
        .await?;
    Ok(web::Json((&member).into()))
}

/// Remove a member from the workspace (their account stays; their sessions here end).
#[utoipa::path(
    tag = "users",
    operation_id = "removeUser",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "User id")),
    responses((status = 204), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem))
)]
#[delete("/users/{id}")]
pub async fn remove_user(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let (ws, id) = (auth.workspace_id, id.into_inner());
    state
        .db(move |conn| {
            storage::accounts::remove_member(conn, ws, auth.actor, id, storage::naive(Utc::now()))
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
