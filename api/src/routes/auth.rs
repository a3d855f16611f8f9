//! Signup, login, refresh-token rotation, logout and switching workspace.

use actix_web::{post, web, HttpRequest, HttpResponse};
use chrono::{Duration, Utc};
use domain::access::Role;
use domain::account::{check_new_account, normalize_email, normalize_name};
use serde::Deserialize;
use storage::accounts::{NewUser, User, Workspace};
use storage::sessions::{Attempt, Limit, RefreshRefused};
use utoipa::ToSchema;
use validator::Validate;

use crate::auth::{Auth, ACCESS_TTL_MINUTES, REFRESH_TTL_DAYS};
use crate::error::{ApiError, ApiResult};
use crate::extract::ValidJson;
use crate::routes::views::{Session, TokenPair};
use crate::secrets::{
    dummy_password_hash, hash_password, random_token, token_hash, verify_password,
};
use crate::state::AppState;

/// Failed logins allowed per e-mail, and per client address, within the window.
const LOGIN_FAILURES_PER_EMAIL: i64 = 5;
const LOGIN_FAILURES_PER_ADDRESS: i64 = 30;
pub const LOGIN_WINDOW_MINUTES: i64 = 15;
/// Signups allowed per client address per hour.
const SIGNUPS_PER_ADDRESS: i64 = 20;

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct SignupRequest {
    #[schema(example = "Acme Support")]
    #[validate(custom(function = "crate::routes::rules::name"))]
    pub workspace_name: String,
    #[schema(example = "Ana Lima")]
    #[validate(custom(function = "crate::routes::rules::name"))]
    pub name: String,
    #[schema(example = "ana@acme.test")]
    #[validate(custom(function = "crate::routes::rules::email"))]
    pub email: String,
    /// At least 8 characters.
    #[validate(custom(function = "crate::routes::rules::password"))]
    pub password: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
    /// Sign in to this workspace; default the user's first one.
    pub workspace_id: Option<i64>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct SwitchWorkspaceRequest {
    pub workspace_id: i64,
}

/// The client's address for throttling.
pub fn client_address(req: &HttpRequest, trust_proxy: bool) -> String {
    if trust_proxy {
        if let Some(ip) = req.connection_info().realip_remote_addr() {
            return ip.to_string();
        }
    }
    req.peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// Issues an access token and a refresh token starting a new family (a new sign-in).
pub async fn new_session(
    state: &AppState,
    user: User,
    workspace: Workspace,
    role: Role,
) -> ApiResult<Session> {
    let access_token = state.jwt.issue(user.id, workspace.id, role)?;
    let refresh_token = random_token(32);
    let hash = token_hash(&refresh_token);
    let family = random_token(12);
    let (uid, wid) = (user.id, workspace.id);
    state
        .db(move |conn| {
            let now = Utc::now();
            storage::sessions::insert_refresh_token(
                conn,
                uid,
                wid,
                &family,
                &hash,
                storage::naive(now + Duration::days(REFRESH_TTL_DAYS)),
                storage::naive(now),
            )
        })
        .await?;
    Ok(Session {
        access_token,
        refresh_token,
        token_type: "Bearer".into(),
        expires_in: ACCESS_TTL_MINUTES * 60,
        user: (&user).into(),
        workspace: (&workspace).into(),
        role: role.into(),
    })
}

/// Reserves one attempt under each `(key, limit)` in the window, or fails with 429. The
/// reservation counts as a failure unless released after success.
pub async fn reserve_attempt(
    state: &AppState,
    limits: Vec<(String, i64)>,
    window: Duration,
) -> ApiResult<Vec<i64>> {
    let now = Utc::now();
    let attempt = state
        .db(move |conn| {
            let limits: Vec<Limit> = limits
                .iter()
                .map(|(key, limit)| Limit { key, limit: *limit })
                .collect();
            storage::sessions::reserve_attempt(
                conn,
                &limits,
                storage::naive(now - window),
                storage::naive(now),
            )
        })
        .await?;
    match attempt {
        Attempt::Reserved(ids) => Ok(ids),
        Attempt::Refused { oldest } => Err(ApiError::TooManyRequests {
            detail: "too many attempts; try again later".into(),
            retry_after_secs: (storage::utc(oldest) + window - now).num_seconds().max(1) as u64,
        }),
    }
}

/// After a successful password check: the attempt was no failure, and the e-mail's count restarts.
pub async fn attempt_succeeded(
    state: &AppState,
    reserved: Vec<i64>,
    email_key: String,
) -> ApiResult<()> {
    state
        .db(move |conn| {
            let now = Utc::now();
            storage::sessions::release_attempt(conn, &reserved)?;
            storage::sessions::clear_auth_failures(
                conn,
                &email_key,
                storage::naive(now - Duration::minutes(LOGIN_WINDOW_MINUTES)),
            )
        })
        .await
}

/// The throttle keys and limits of a password check for `email` from the request's address.
pub fn login_limits(state: &AppState, req: &HttpRequest, email: &str) -> Vec<(String, i64)> {
    vec![
        (format!("login-email:{email}"), LOGIN_FAILURES_PER_EMAIL),
        (
            format!("login-ip:{}", client_address(req, state.config.trust_proxy)),
            LOGIN_FAILURES_PER_ADDRESS,
        ),
    ]
}

/// Create a workspace and its owner.
#[utoipa::path(
    tag = "auth",
    operation_id = "signup",
    request_body = SignupRequest,
    responses(
        (status = 201, body = Session),
        (status = 409, description = "An account with this e-mail exists", body = crate::error::Problem),
        (status = 422, body = crate::error::Problem),
        (status = 429, body = crate::error::Problem),
    )
)]
#[post("/auth/signup")]
pub async fn signup(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: ValidJson<SignupRequest>,
) -> ApiResult<HttpResponse> {
    let body = body.0;
    let mut invalid = domain::Invalid::default();
    let account = check_new_account(&body.name, &body.email, &body.password)
        .map_err(|e| invalid.0.extend(e.0))
        .ok();
    let workspace_name = normalize_name(&body.workspace_name)
        .map_err(|m| invalid.push("workspace_name", m))
        .ok();
    let (Some(account), Some(workspace_name)) = (account, workspace_name) else {
        return Err(invalid.into());
    };

    let key = format!(
        "signup-ip:{}",
        client_address(&req, state.config.trust_proxy)
    );
    reserve_attempt(&state, vec![(key, SIGNUPS_PER_ADDRESS)], Duration::hours(1)).await?;
    let password_hash = web::block(move || hash_password(&body.password))
        .await?
        .map_err(ApiError::internal)?;
    let (workspace, user, _) = state
        .db(move |conn| {
            let now = storage::naive(Utc::now());
            storage::accounts::create_workspace_with_owner(
                conn,
                &workspace_name,
                NewUser {
                    email: &account.email,
                    name: &account.name,
                    password_hash: &password_hash,
                    created_at: now,
                    updated_at: now,
                },
                now,
            )
        })
        .await?;
    let session = new_session(&state, user, workspace, Role::Owner).await?;
    Ok(HttpResponse::Created().json(session))
}

/// Sign in with e-mail and password.
#[utoipa::path(
    tag = "auth",
    operation_id = "login",
    request_body = LoginRequest,
    responses(
        (status = 200, body = Session),
        (status = 401, description = "Wrong e-mail or password (the same answer for both)", body = crate::error::Problem),
        (status = 403, description = "Not a member of the requested workspace", body = crate::error::Problem),
        (status = 422, body = crate::error::Problem),
        (status = 429, description = "Too many failed attempts; see Retry-After", body = crate::error::Problem),
    )
)]
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: ValidJson<LoginRequest>,
) -> ApiResult<web::Json<Session>> {
    let body = body.0;
    let wrong = || ApiError::Unauthorized("wrong e-mail or password".into());
    let email = normalize_email(&body.email).unwrap_or_else(|_| body.email.trim().to_lowercase());
    let limits = login_limits(&state, &req, &email);
    let email_key = limits[0].0.clone();
    let reserved = reserve_attempt(&state, limits, Duration::minutes(LOGIN_WINDOW_MINUTES)).await?;

    let lookup = email.clone();
    let user = state
        .db(move |conn| storage::accounts::find_user_by_email(conn, &lookup))
        .await?;
    // Verify against a dummy hash when there is no such user: same time, same answer.
    let hash = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| dummy_password_hash().to_string());
    let password = body.password;
    let ok = web::block(move || verify_password(&password, &hash)).await? && user.is_some();
    let user = match (ok, user) {
        (true, Some(u)) => u,
        _ => return Err(wrong()), // the reservation stays: a failed attempt
    };
    attempt_succeeded(&state, reserved, email_key).await?;
    let uid = user.id;
    let memberships = state
        .db(move |conn| storage::accounts::memberships_of(conn, uid))
        .await?;
    let chosen = match body.workspace_id {
        Some(ws) => memberships.into_iter().find(|(m, _)| m.workspace_id == ws),
        None => memberships.into_iter().next(),
    };
    let (membership, workspace) = chosen.ok_or_else(|| {
        ApiError::Forbidden("this account is not a member of that workspace".into())
    })?;
    Ok(web::Json(
        new_session(&state, user, workspace, membership.role()).await?,
    ))
}

/// Exchange a refresh token for a new pair. Each refresh token works once; presenting a used
/// one again revokes every token descended from the same login.
#[utoipa::path(
    tag = "auth",
    operation_id = "refreshSession",
    request_body = RefreshRequest,
    responses((status = 200, body = TokenPair), (status = 401, body = crate::error::Problem))
)]
#[post("/auth/refresh")]
pub async fn refresh(
    state: web::Data<AppState>,
    body: ValidJson<RefreshRequest>,
) -> ApiResult<web::Json<TokenPair>> {
    let presented = token_hash(&body.0.refresh_token);
    let refresh_token = random_token(32);
    let new_hash = token_hash(&refresh_token);
    let outcome = state
        .db(move |conn| {
            let now = Utc::now();
            storage::sessions::rotate_refresh_token(
                conn,
                &presented,
                &new_hash,
                storage::naive(now + Duration::days(REFRESH_TTL_DAYS)),
                storage::naive(now),
            )
        })
        .await?;
    let (user_id, workspace_id) = outcome.map_err(|why| {
        ApiError::Unauthorized(
            match why {
                RefreshRefused::Reused => {
                    "the refresh token was already used; its session has been revoked"
                }
                RefreshRefused::Expired => "the refresh token has expired",
                RefreshRefused::NoLongerMember => "you are no longer a member of this workspace",
                RefreshRefused::Unknown | RefreshRefused::Revoked => {
                    "the refresh token is not valid"
                }
            }
            .into(),
        )
    })?;
    let membership = state
        .db(move |conn| storage::accounts::membership(conn, workspace_id, user_id))
        .await?;
    Ok(web::Json(TokenPair {
        access_token: state.jwt.issue(user_id, workspace_id, membership.role())?,
        refresh_token,
        token_type: "Bearer".into(),
        expires_in: ACCESS_TTL_MINUTES * 60,
    }))
}

/// Revoke a refresh token and every token rotated from the same login.
#[utoipa::path(
    tag = "auth",
    operation_id = "logout",
    request_body = RefreshRequest,
    responses((status = 204, description = "Signed out"))
)]
#[post("/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    body: ValidJson<RefreshRequest>,
) -> ApiResult<HttpResponse> {
    let hash = token_hash(&body.0.refresh_token);
    state
        .db(move |conn| {
            storage::sessions::revoke_refresh_token(conn, &hash, storage::naive(Utc::now()))
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Get a session for another workspace the signed-in user belongs to.
#[utoipa::path(
    tag = "auth",
    operation_id = "switchWorkspace",
    request_body = SwitchWorkspaceRequest,
    security(("bearer" = [])),
    responses((status = 200, body = Session), (status = 404, description = "Not a member of that workspace", body = crate::error::Problem))
)]
#[post("/auth/switch-workspace")]
pub async fn switch_workspace(
    state: web::Data<AppState>,
    auth: Auth,
    body: ValidJson<SwitchWorkspaceRequest>,
) -> ApiResult<web::Json<Session>> {
    let user_id = auth.member()?;
    let target = body.0.workspace_id;
    let (user, membership, workspace) = state
        .db(move |conn| {
            let membership = storage::accounts::membership(conn, target, user_id)?;
            Ok((
                storage::accounts::get_user(conn, user_id)?,
                membership,
                storage::accounts::get_workspace(conn, target)?,
            ))
        })
        .await?;
    Ok(web::Json(
        new_session(&state, user, workspace, membership.role()).await?,
    ))
}
