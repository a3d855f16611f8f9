//! Developer API tokens: created by owners and managers, the secret shown once.

use actix_web::{delete, get, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use domain::access::Action;
use serde::{Deserialize, Serialize};
use storage::api_tokens::ApiToken;
use utoipa::ToSchema;
use validator::Validate;

use crate::auth::{Auth, API_TOKEN_PREFIX};
use crate::error::ApiResult;
use crate::extract::{PageQuery, Paged, ValidJson};
use crate::secrets::{random_token, token_hash};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiTokenView {
    pub id: i64,
    pub name: String,
    /// The first characters of the secret, to recognise it.
    pub prefix: String,
    pub created_by: Option<i64>,
    pub created_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

fn view(t: &ApiToken, creator: Option<String>) -> ApiTokenView {
    ApiTokenView {
        id: t.id,
        name: t.name.clone(),
        prefix: t.prefix.clone(),
        created_by: t.created_by,
        created_by_name: creator,
        created_at: storage::utc(t.created_at),
        last_used_at: t.last_used_at.map(storage::utc),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedApiToken {
    pub token: ApiTokenView,
    /// The secret for `Authorization: Bearer`. Shown only in this answer.
    pub secret: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct NewApiToken {
    #[validate(custom(function = "crate::routes::rules::name"))]
    pub name: String,
}

/// Live API tokens of the workspace (owners and managers).
#[utoipa::path(tag = "api-tokens", operation_id = "listApiTokens", security(("bearer" = [])), params(PageQuery), responses((status = 200, body = Paged<ApiTokenView>), (status = 403, body = crate::error::Problem)))]
#[get("/api-tokens")]
pub async fn list_api_tokens(
    state: web::Data<AppState>,
    auth: Auth,
    q: web::Query<PageQuery>,
) -> ApiResult<web::Json<Paged<ApiTokenView>>> {
    auth.require(Action::ManageApiTokens)?;
    let (limit, after) = q.resolve()?;
    let ws = auth.workspace_id;
    let page = state
        .db(move |conn| storage::api_tokens::list(conn, ws, after, limit))
        .await?;
    let items = page
        .items
        .iter()
        .map(|t| view(&t.token, t.creator_name.clone()))
        .collect();
    Ok(web::Json(Paged::new(items, page.next_after)))
}

/// Create an API token; the secret is in this answer only.
#[utoipa::path(tag = "api-tokens", operation_id = "createApiToken", security(("bearer" = [])), request_body = NewApiToken, responses((status = 201, body = CreatedApiToken), (status = 403, body = crate::error::Problem)))]
#[post("/api-tokens")]
pub async fn create_api_token(
    state: web::Data<AppState>,
    auth: Auth,
    body: ValidJson<NewApiToken>,
) -> ApiResult<HttpResponse> {
    auth.require(Action::ManageApiTokens)?;
    let creator = auth.member()?;
    let secret = format!("{API_TOKEN_PREFIX}{}", random_token(32));
    let prefix: String = secret.chars().take(API_TOKEN_PREFIX.len() + 6).collect();
    let hash = token_hash(&secret);
    let ws = auth.workspace_id;
    let name = body.0.name.trim().to_string();
    let token = state
        .db(move |conn| {
            storage::api_tokens::create(
                conn,
                ws,
                &name,
                &prefix,
                &hash,
                creator,
                storage::naive(Utc::now()),
            )
        })
        .await?;
    let view = view(&token, None);
    // A replay of this request (same Idempotency-Key) answers without the secret.
    let mut res = HttpResponse::Created();
    res.extensions_mut().insert(crate::idempotency::ReplayBody(
        serde_json::json!({ "token": &view, "secret": null }),
    ));
    Ok(res.json(CreatedApiToken {
        token: view,
        secret,
    }))
}

/// Revoke an API token; it stops working at once.
#[utoipa::path(tag = "api-tokens", operation_id = "revokeApiToken", security(("bearer" = [])), params(("id" = i64, Path)), responses((status = 204), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
#[delete("/api-tokens/{id}")]
pub async fn revoke_api_token(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    auth.require(Action::ManageApiTokens)?;
    let (ws, id) = (auth.workspace_id, id.into_inner());
    state
        .db(move |conn| storage::api_tokens::revoke(conn, ws, id, storage::naive(Utc::now())))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
