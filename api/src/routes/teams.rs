//! Teams: owners and managers create and edit them, only owners delete them.

use std::collections::HashMap;

use actix_web::{delete, get, patch, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use domain::access::Action;
use serde::{Deserialize, Serialize};
use storage::teams::Team;
use utoipa::ToSchema;
use validator::Validate;

use crate::auth::Auth;
use crate::error::ApiResult;
use crate::extract::{PageQuery, Paged, ValidJson};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct TeamView {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub member_count: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn view(t: &Team, member_count: i64) -> TeamView {
    TeamView {
        id: t.id,
        name: t.name.clone(),
        description: t.description.clone(),
        member_count,
        created_at: storage::utc(t.created_at),
        updated_at: storage::utc(t.updated_at),
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct NewTeam {
    #[validate(custom(function = "crate::routes::rules::name"))]
    pub name: String,
    #[validate(length(max = 1000, message = "must be at most 1000 characters"))]
    pub description: Option<String>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct TeamPatch {
    #[validate(custom(function = "crate::routes::rules::name"))]
    pub name: Option<String>,
    #[validate(length(max = 1000, message = "must be at most 1000 characters"))]
    pub description: Option<String>,
}

/// Teams of the workspace with their member counts.
#[utoipa::path(tag = "teams", operation_id = "listTeams", security(("bearer" = [])), params(PageQuery), responses((status = 200, body = Paged<TeamView>)))]
#[get("/teams")]
pub async fn list_teams(
    state: web::Data<AppState>,
    auth: Auth,
    q: web::Query<PageQuery>,
) -> ApiResult<web::Json<Paged<TeamView>>> {
    let (limit, after) = q.resolve()?;
    let ws = auth.workspace_id;
    let (page, counts) = state
        .db(move |conn| {
            let page = storage::teams::list(conn, ws, after, limit)?;
            let ids: Vec<i64> = page.items.iter().map(|t| t.id).collect();
            let counts: HashMap<i64, i64> = storage::teams::member_counts(conn, &ids)?
                .into_iter()
                .collect();
            Ok((page, counts))
        })
        .await?;
    let items = page
        .items
        .iter()
        .map(|t| view(t, counts.get(&t.id).copied().unwrap_or(0)))
        .collect();
    Ok(web::Json(Paged::new(items, page.next_after)))
}

async fn load(state: &AppState, ws: i64, id: i64) -> ApiResult<TeamView> {
    let (team, counts) = state
        .db(move |conn| {
            Ok((
                storage::teams::get(conn, ws, id)?,
                storage::teams::member_counts(conn, &[id])?,
            ))
        })
        .await?;
    Ok(view(&team, counts.first().map(|c| c.1).unwrap_or(0)))
}

/// One team.
#[utoipa::path(tag = "teams", operation_id = "getTeam", security(("bearer" = [])), params(("id" = i64, Path)), responses((status = 200, body = TeamView), (status = 404, body = crate::error::Problem)))]
#[get("/teams/{id}")]
pub async fn get_team(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<i64>,
) -> ApiResult<web::Json<TeamView>> {
    Ok(web::Json(
        load(&state, auth.workspace_id, id.into_inner()).await?,
    ))
}

/// Create a team (owners and managers).
#[utoipa::path(tag = "teams", operation_id = "createTeam", security(("bearer" = [])), request_body = NewTeam, responses((status = 201, body = TeamView), (status = 403, body = crate::error::Problem), (status = 409, description = "Name taken", body = crate::error::Problem)))]
#[post("/teams")]
pub async fn create_team(
    state: web::Data<AppState>,
    auth: Auth,
    body: ValidJson<NewTeam>,
) -> ApiResult<HttpResponse> {
    auth.require(Action::CreateTeam)?;
    let ws = auth.workspace_id;
    let b = body.0;
    let team = state
        .db(move |conn| {
            storage::teams::create(
                conn,
                ws,
                b.name.trim(),
                b.description.as_deref().unwrap_or(""),
                storage::naive(Utc::now()),
            )
        })
        .await?;
    Ok(HttpResponse::Created().json(view(&team, 0)))
}

/// Rename a team or change its description (owners and managers).
#[utoipa::path(tag = "teams", operation_id = "updateTeam", security(("bearer" = [])), params(("id" = i64, Path)), request_body = TeamPatch, responses((status = 200, body = TeamView), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
#[patch("/teams/{id}")]
pub async fn update_team(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<i64>,
    body: ValidJson<TeamPatch>,
) -> ApiResult<web::Json<TeamView>> {
    auth.require(Action::UpdateTeam)?;
    let (ws, id) = (auth.workspace_id, id.into_inner());
    let b = body.0;
    state
        .db(move |conn| {
            let name = b.name.as_deref().map(str::trim);
            storage::teams::update(
                conn,
                ws,
                id,
                name,
                b.description.as_deref(),
                storage::naive(Utc::now()),
            )
        })
        .await?;
    Ok(web::Json(load(&state, ws, id).await?))
}

/// Delete a team (owners only); its members become team-less.
#[utoipa::path(tag = "teams", operation_id = "deleteTeam", security(("bearer" = [])), params(("id" = i64, Path)), responses((status = 204), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
#[delete("/teams/{id}")]
pub async fn delete_team(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    auth.require(Action::DeleteTeam)?;
    let (ws, id) = (auth.workspace_id, id.into_inner());
    state
        .db(move |conn| storage::teams::delete(conn, ws, id, storage::naive(Utc::now())))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
