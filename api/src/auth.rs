//! Who is calling: a member's short-lived JWT or a workspace API token, both as `Bearer`.

use std::future::Future;
use std::pin::Pin;

use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use chrono::{Duration, Utc};
use domain::access::{can, Action, Actor, Role};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ApiResult};
use crate::secrets::token_hash;
use crate::state::AppState;

/// Access tokens live this long; the SPA refreshes them silently.
pub const ACCESS_TTL_MINUTES: i64 = 15;
pub const REFRESH_TTL_DAYS: i64 = 30;
/// Workspace API tokens start with this, so they are told apart from JWTs and found by scanners.
pub const API_TOKEN_PREFIX: &str = "ism_";

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    /// The user id.
    pub sub: String,
    /// The workspace the token acts in.
    pub ws: i64,
    pub role: Role,
    pub iat: i64,
    pub exp: i64,
}

pub struct Jwt {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl Jwt {
    pub fn new(secret: &[u8]) -> Self {
        Jwt {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
        }
    }

    pub fn issue(&self, user_id: i64, workspace_id: i64, role: Role) -> ApiResult<String> {
        let now = Utc::now();
        let claims = Claims {
            sub: user_id.to_string(),
            ws: workspace_id,
            role,
            iat: now.timestamp(),
            exp: (now + Duration::minutes(ACCESS_TTL_MINUTES)).timestamp(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(ApiError::internal)
    }

    pub fn verify(&self, token: &str) -> Option<Claims> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 5;
        validation.set_required_spec_claims(&["exp", "sub"]);
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .ok()
            .map(|d| d.claims)
    }
}

/// The authenticated caller of a request, with its current role read from the database.
#[derive(Debug, Clone, Copy)]
pub struct Auth {
    pub workspace_id: i64,
    /// The member, for JWTs; `None` for API tokens.
    pub user_id: Option<i64>,
    pub api_token_id: Option<i64>,
    pub actor: Actor,
    /// When a JWT stops being valid (unix seconds); `None` for API tokens.
    pub expires_at: Option<i64>,
}

impl Auth {
    pub fn role(&self) -> Role {
        self.actor.role()
    }

    /// Fails with 403 unless the caller may take `action`.
    pub fn require(&self, action: Action) -> ApiResult<()> {
        if can(self.actor, action) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(
                "your access level does not allow this".into(),
            ))
        }
    }

    /// The member behind the request; API tokens have none.
    pub fn member(&self) -> ApiResult<i64> {
        self.user_id.ok_or_else(|| {
            ApiError::Forbidden("this call needs a signed-in user, not an API token".into())
        })
    }

    /// A stable name for the caller, used to scope idempotency keys.
    pub fn scope(&self) -> String {
        match (self.user_id, self.api_token_id) {
            (Some(u), _) => format!("ws{}:user{u}", self.workspace_id),
            (_, Some(t)) => format!("ws{}:token{t}", self.workspace_id),
            _ => format!("ws{}", self.workspace_id),
        }
    }
}

pub fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

/// Resolves a bearer secret to its caller, or 401.
pub async fn authenticate(state: &AppState, token: String) -> ApiResult<Auth> {
    let unauthorized =
        || ApiError::Unauthorized("the access token is missing, invalid or expired".into());
    if let Some(rest) = token.strip_prefix(API_TOKEN_PREFIX) {
        if rest.is_empty() {
            return Err(unauthorized());
        }
        let hash = token_hash(&token);
        let found = state
            .db(move |conn| {
                let Some(t) = storage::api_tokens::find_live(conn, &hash)? else {
                    return Ok(None);
                };
                let now = Utc::now();
                let stale = t
                    .last_used_at
                    .is_none_or(|at| storage::utc(at) < now - Duration::minutes(1));
                if stale {
                    storage::api_tokens::touch(conn, t.id, storage::naive(now))?;
                }
                Ok(Some(t))
            })
            .await?;
        let t = found.ok_or_else(unauthorized)?;
        return Ok(Auth {
            workspace_id: t.workspace_id,
            user_id: None,
            api_token_id: Some(t.id),
            actor: Actor::ApiToken,
            expires_at: None,
        });
    }
    let claims = state.jwt.verify(&token).ok_or_else(unauthorized)?;
    let user_id: i64 = claims.sub.parse().map_err(|_| unauthorized())?;
    let ws = claims.ws;
    // The role comes from the membership as it is now, not as it was when the token was issued.
    let membership = state
        .db(
            move |conn| match storage::accounts::membership(conn, ws, user_id) {
                Ok(m) => Ok(Some(m)),
                Err(storage::StorageError::NotFound) => Ok(None),
                Err(e) => Err(e),
            },
        )
        .await?
        .ok_or_else(unauthorized)?;
    Ok(Auth {
        workspace_id: ws,
        user_id: Some(user_id),
        api_token_id: None,
        actor: Actor::Member(membership.role()),
        expires_at: Some(claims.exp),
    })
}

impl FromRequest for Auth {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Auth, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        // Resolved once per request, also by the idempotency layer.
        if let Some(auth) = req.extensions().get::<Auth>() {
            let auth = *auth;
            return Box::pin(async move { Ok(auth) });
        }
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer(req);
        let req = req.clone();
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal("no app state"))?;
            let token = token.ok_or_else(|| {
                ApiError::Unauthorized("an Authorization: Bearer token is required".into())
            })?;
            let auth = authenticate(&state, token).await?;
            req.extensions_mut().insert(auth);
            Ok(auth)
        })
    }
}
