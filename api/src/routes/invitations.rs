//! Invitations: an owner or manager invites an e-mail with a role (and team); the invitee
//! accepts with the single-use token, as a new account or an existing one.

use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Duration, Utc};
use domain::access::{Action, Role};
use domain::account::{check_new_account, normalize_email};
use serde::{Deserialize, Serialize};
use storage::accounts::NewUser;
use storage::invitations::{Accepter, Invitation, NewInvitation};
use utoipa::ToSchema;
use validator::Validate;

use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::extract::{PageQuery, Paged, ValidJson};
use crate::routes::auth::{
    attempt_succeeded, login_limits, new_session, reserve_attempt, LOGIN_WINDOW_MINUTES,
};
use crate::routes::views::{RoleName, Session};
use crate::secrets::{hash_password, random_token, token_hash, verify_password};
use crate::state::AppState;

pub const INVITATION_TTL_DAYS: i64 = 7;

#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationView {
    pub id: i64,
    pub email: String,
    pub role: RoleName,
    pub team_id: Option<i64>,
    pub invited_by: Option<i64>,
    pub expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

impl From<&Invitation> for InvitationView {
    fn from(i: &Invitation) -> Self {
        InvitationView {
            id: i.id,
            email: i.email.clone(),
            role: i.role().into(),
            team_id: i.team_id,
            invited_by: i.invited_by,
            expires_at: storage::utc(i.expires_at),
            created_at: storage::utc(i.created_at),
        }
    }
}

/// A new invitation and its secret token, shown only in this answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedInvitation {
    pub invitation: InvitationView,
    /// Single use, valid 7 days. Send it to the invitee; it is not shown again.
    pub token: String,
    /// Where the invitee accepts, when `ISM_PUBLIC_URL` is set.
    pub accept_url: Option<String>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct InviteRequest {
    #[validate(custom(function = "crate::routes::rules::email"))]
    pub email: String,
    #[schema(inline)]
    pub role: RoleName,
    pub team_id: Option<i64>,
}

/// Invite someone by e-mail. Owners invite any role, managers agents only. Inviting an
/// address again replaces its pending invitation.
#[utoipa::path(
    tag = "users",
    operation_id = "createInvitation",
    security(("bearer" = [])),
    request_body = InviteRequest,
    responses(
        (status = 201, body = CreatedInvitation),
        (status = 403, body = crate::error::Problem),
        (status = 409, description = "Already a member", body = crate::error::Problem),
        (status = 422, body = crate::error::Problem),
    )
)]
#[post("/invitations")]
pub async fn create_invitation(
    state: web::Data<AppState>,
    auth: Auth,
    body: ValidJson<InviteRequest>,
) -> ApiResult<HttpResponse> {
    let b = body.0;
    let role: Role = b.role.into();
    auth.require(Action::Invite(role))?;
    let email = normalize_email(&b.email).map_err(|m| ApiError::invalid("email", m))?;
    let token = random_token(32);
    let hash = token_hash(&token);
    let ws = auth.workspace_id;
    let invited_by = auth.user_id;
    let invitation = state
        .db(move |conn| {
            let now = Utc::now();
            storage::invitations::create(
                conn,
                NewInvitation {
                    workspace_id: ws,
                    email: &email,
                    role,
                    team_id: b.team_id,
                    token_hash: &hash,
                    invited_by,
                    expires_at: storage::naive(now + Duration::days(INVITATION_TTL_DAYS)),
                },
                storage::naive(now),
            )
        })
        .await?;
    let accept_url = state
        .config
        .public_url
        .as_ref()
        .map(|base| format!("{base}/invite/{token}"));
    Ok(HttpResponse::Created().json(CreatedInvitation {
        invitation: (&invitation).into(),
        token,
        accept_url,
    }))
}

/// Pending invitations (owners and managers).
#[utoipa::path(tag = "users", operation_id = "listInvitations", security(("bearer" = [])), params(PageQuery), responses((status = 200, body = Paged<InvitationView>), (status = 403, body = crate::error::Problem)))]
#[get("/invitations")]
pub async fn list_invitations(
    state: web::Data<AppState>,
    auth: Auth,
    q: web::Query<PageQuery>,
) -> ApiResult<web::Json<Paged<InvitationView>>> {
    auth.require(Action::ListInvitations)?;
    let (limit, after) = q.resolve()?;
    let ws = auth.workspace_id;
    let page = state
        .db(move |conn| storage::invitations::list_pending(conn, ws, after, limit))
        .await?;
    Ok(web::Json(Paged::new(
        page.items.iter().map(Into::into).collect(),
        page.next_after,
    )))
}

/// Withdraw a pending invitation.
#[utoipa::path(tag = "users", operation_id = "revokeInvitation", security(("bearer" = [])), params(("id" = i64, Path)), responses((status = 204), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
#[delete("/invitations/{id}")]
pub async fn revoke_invitation(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let (ws, id) = (auth.workspace_id, id.into_inner());
    let invitation = state
        .db(move |conn| storage::invitations::get_pending(conn, ws, id))
        .await?;
    auth.require(Action::Invite(invitation.role()))?;
    state
        .db(move |conn| storage::invitations::revoke(conn, ws, id, storage::naive(Utc::now())))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// What the invitee sees before accepting.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationPreview {
    pub workspace_name: String,
    pub email: String,
    pub role: RoleName,
    /// True when an account with this e-mail exists: accept with its password.
    pub existing_account: bool,
    pub expires_at: DateTime<Utc>,
}

async fn usable(state: &AppState, token: &str) -> ApiResult<Invitation> {
    let hash = token_hash(token);
    state
        .db(move |conn| storage::invitations::find_usable(conn, &hash, storage::naive(Utc::now())))
        .await?
        .ok_or(ApiError::NotFound)
}

/// Look at an invitation by its token (no sign-in needed).
#[utoipa::path(tag = "users", operation_id = "previewInvitation", params(("token" = String, Path)), responses((status = 200, body = InvitationPreview), (status = 404, description = "Unknown, used, revoked or expired", body = crate::error::Problem)))]
#[get("/invitations/{token}/preview")]
pub async fn preview_invitation(
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> ApiResult<web::Json<InvitationPreview>> {
    let inv = usable(&state, &token).await?;
    let (ws, email) = (inv.workspace_id, inv.email.clone());
    let (workspace, existing) = state
        .db(move |conn| {
            Ok((
                storage::accounts::get_workspace(conn, ws)?,
                storage::accounts::find_user_by_email(conn, &email)?.is_some(),
            ))
        })
        .await?;
    Ok(web::Json(InvitationPreview {
        workspace_name: workspace.name,
        email: inv.email.clone(),
        role: inv.role().into(),
        existing_account: existing,
        expires_at: storage::utc(inv.expires_at),
    }))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct AcceptRequest {
    /// Your name; required when no account exists for the invited e-mail.
    pub name: Option<String>,
    /// A new password (at least 8 characters), or the existing account's password.
    pub password: String,
}

/// Accept an invitation: creates the account (name + password) or, when the e-mail already
/// has one, joins it to the workspace after checking its password. Single use.
#[utoipa::path(
    tag = "users",
    operation_id = "acceptInvitation",
    params(("token" = String, Path)),
    request_body = AcceptRequest,
    responses(
        (status = 200, body = Session),
        (status = 401, description = "Wrong password for the existing account", body = crate::error::Problem),
        (status = 429, description = "Too many wrong passwords; see Retry-After", body = crate::error::Problem),
        (status = 404, description = "Unknown, used, revoked or expired", body = crate::error::Problem),
        (status = 422, body = crate::error::Problem),
    )
)]
#[post("/invitations/{token}/accept")]
pub async fn accept_invitation(
    state: web::Data<AppState>,
    req: HttpRequest,
    token: web::Path<String>,
    body: ValidJson<AcceptRequest>,
) -> ApiResult<web::Json<Session>> {
    let inv = usable(&state, &token).await?;
    let b = body.0;
    let email = inv.email.clone();
    let existing = state
        .db(move |conn| storage::accounts::find_user_by_email(conn, &email))
        .await?;
    let inv_id = inv.id;
    let (user, membership) = match existing {
        Some(user) => {
            // The inviter knows the token, so the token alone must not open someone's account,
            // and its password check is throttled like a login.
            let limits = login_limits(&state, &req, &user.email);
            let email_key = limits[0].0.clone();
            let window = Duration::minutes(LOGIN_WINDOW_MINUTES);
            let reserved = reserve_attempt(&state, limits, window).await?;
            let (password, hash) = (b.password, user.password_hash.clone());
            if !web::block(move || verify_password(&password, &hash)).await? {
                return Err(ApiError::Unauthorized(
                    "wrong password for the existing account".into(),
                ));
            }
            attempt_succeeded(&state, reserved, email_key).await?;
            let uid = user.id;
            state
                .db(move |conn| {
                    storage::invitations::accept(
                        conn,
                        inv_id,
                        Accepter::Existing(uid),
                        storage::naive(Utc::now()),
                    )
                })
                .await?
        }
        None => {
            let name = b.name.unwrap_or_default();
            let account = check_new_account(&name, &inv.email, &b.password)?;
            let password = b.password;
            let password_hash = web::block(move || hash_password(&password))
                .await?
                .map_err(ApiError::internal)?;
            state
                .db(move |conn| {
                    let now = storage::naive(Utc::now());
                    storage::invitations::accept(
                        conn,
                        inv_id,
                        Accepter::New(NewUser {
                            email: &account.email,
                            name: &account.name,
                            password_hash: &password_hash,
                            created_at: now,
                            updated_at: now,
                        }),
                        now,
                    )
                })
                .await?
        }
    };
    let ws = membership.workspace_id;
    let workspace = state
        .db(move |conn| storage::accounts::get_workspace(conn, ws))
        .await?;
    Ok(web::Json(
        new_session(&state, user, workspace, membership.role()).await?,
    ))
}
