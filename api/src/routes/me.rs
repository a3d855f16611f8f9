//! The caller: who they are, where, with which role; their activity status.

use actix_web::{get, put, web};
use chrono::Utc;
use domain::account::ActivityStatus;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::auth::Auth;
use crate::error::ApiResult;
use crate::extract::ValidJson;
use crate::routes::views::{MemberView, RoleName, StatusName, UserView, WorkspaceView};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct WorkspaceChoice {
    pub id: i64,
    pub name: String,
    pub role: RoleName,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    /// `user` for a signed-in member, `api_token` for a Developer API token.
    pub via: String,
    /// The member, or null for an API token.
    pub user: Option<UserView>,
    pub member: Option<MemberView>,
    pub workspace: WorkspaceView,
    /// The access level in effect (API tokens act as managers).
    pub role: RoleName,
    /// The API token's id, when called with one.
    pub api_token_id: Option<i64>,
    /// Every workspace this user belongs to, for switching.
    pub workspaces: Vec<WorkspaceChoice>,
}

/// The current user, workspace and role (also the integrations' "test auth" call).
#[utoipa::path(tag = "me", operation_id = "getMe", security(("bearer" = [])), responses((status = 200, body = Me), (status = 401, body = crate::error::Problem)))]
#[get("/me")]
pub async fn get_me(state: web::Data<AppState>, auth: Auth) -> ApiResult<web::Json<Me>> {
    let ws = auth.workspace_id;
    let user_id = auth.user_id;
    let (workspace, person) = state
        .db(move |conn| {
            let workspace = storage::accounts::get_workspace(conn, ws)?;
            let person = match user_id {
                Some(uid) => Some((
                    storage::accounts::get_user(conn, uid)?,
                    storage::accounts::get_member(conn, ws, uid)?,
                    storage::accounts::memberships_of(conn, uid)?,
                )),
                None => None,
            };
            Ok((workspace, person))
        })
        .await?;
    let (user, member, workspaces) = match person {
        Some((user, member, all)) => (
            Some(UserView::from(&user)),
            Some(MemberView::from(&member)),
            all.iter()
                .map(|(m, w)| WorkspaceChoice {
                    id: w.id,
                    name: w.name.clone(),
                    role: m.role().into(),
                })
                .collect(),
        ),
        None => (None, None, vec![]),
    };
    Ok(web::Json(Me {
        via: if auth.api_token_id.is_some() {
            "api_token"
        } else {
            "user"
        }
        .into(),
        user,
        member,
        workspace: (&workspace).into(),
        role: auth.role().into(),
        api_token_id: auth.api_token_id,
        workspaces,
    }))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct StatusRequest {
    #[schema(inline)]
    pub status: StatusName,
}

/// Set the caller's activity status (online, away, offline) in this workspace.
#[utoipa::path(tag = "me", operation_id = "setMyStatus", security(("bearer" = [])), request_body = StatusRequest, responses((status = 200, body = MemberView), (status = 403, description = "API tokens have no status", body = crate::error::Problem)))]
#[put("/me/status")]
pub async fn set_status(
    state: web::Data<AppState>,
    auth: Auth,
    body: ValidJson<StatusRequest>,
) -> ApiResult<web::Json<MemberView>> {
    let user_id = auth.member()?;
    let ws = auth.workspace_id;
    let status = ActivityStatus::from(body.0.status).as_str();
    let member = state
        .db(move |conn| {
            storage::accounts::set_status(conn, ws, user_id, status, storage::naive(Utc::now()))
        })
        .await?;
    Ok(web::Json((&member).into()))
}
