//! Merging duplicate contacts and the suggestions of likely duplicates.

use actix_web::{get, post, web};
use chrono::Utc;
use domain::access::Action;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::auth::Auth;
use crate::error::ApiResult;
use crate::extract::ValidJson;
use crate::routes::contacts::{actor_ref, load, visibility, ContactView};
use crate::state::AppState;

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct MergeRequest {
    /// The contact that stays (`123`, `id:123`, `email:…`, `phone:+…`).
    pub primary: String,
    /// The contact folded into it and removed.
    pub secondary: String,
}

/// Merge two contacts (owners and managers): the primary keeps its values and takes the
/// secondary's channels, messages, conversations, notes, tags and the fields it lacks; the
/// secondary's open conversation is closed with source `merge`.
#[utoipa::path(tag = "contacts", operation_id = "mergeContacts", security(("bearer" = [])), request_body = MergeRequest, responses((status = 200, body = ContactView), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
#[post("/contacts/merge")]
pub async fn merge_contacts(
    state: web::Data<AppState>,
    auth: Auth,
    body: ValidJson<MergeRequest>,
) -> ApiResult<web::Json<ContactView>> {
    auth.require(Action::DeleteContact)?;
    let primary = load(&state, &auth, &body.0.primary).await?;
    let secondary = load(&state, &auth, &body.0.secondary).await?;
    let (ws, actor) = (auth.workspace_id, actor_ref(&auth));
    let detail = state
        .db(move |conn| {
            storage::merge::merge(
                conn,
                ws,
                primary.id,
                secondary.id,
                actor,
                storage::naive(Utc::now()),
            )
        })
        .await?;
    Ok(web::Json(detail.into()))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MergeSuggestion {
    /// The older contact: the natural primary.
    pub primary: ContactView,
    pub secondary: ContactView,
    /// `email` or `phone`.
    pub reason: String,
}

/// Pairs of contacts sharing an e-mail or phone number (up to 100, oldest first).
#[utoipa::path(tag = "contacts", operation_id = "listMergeSuggestions", security(("bearer" = [])), responses((status = 200, body = Vec<MergeSuggestion>)))]
#[get("/contacts/merge-suggestions")]
pub async fn merge_suggestions(
    state: web::Data<AppState>,
    auth: Auth,
) -> ApiResult<web::Json<Vec<MergeSuggestion>>> {
    let v = visibility(&state, &auth).await?;
    let ws = auth.workspace_id;
    let pairs = state
        .db(move |conn| storage::merge::suggestions(conn, ws, &v, 100))
        .await?;
    Ok(web::Json(
        pairs
            .into_iter()
            .map(|(a, b, reason)| MergeSuggestion {
                primary: a.into(),
                secondary: b.into(),
                reason: reason.into(),
            })
            .collect(),
    ))
}
