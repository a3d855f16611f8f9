//! A member's in-app notifications (assignments, mentions): the bell's list and unread badge.
//! They belong to a person, so API tokens are refused (403).

use actix_web::{get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use storage::notifications::Notification;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::extract::{encode_cursor, PageQuery, ValidJson};
use crate::state::AppState;

/// Most ids one `POST /notifications/read` takes.
const MAX_READ_IDS: usize = 500;

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationActor {
    /// `user`, `api`, `workflow` or `system`.
    #[serde(rename = "type")]
    pub actor_type: String,
    pub id: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationView {
    pub id: i64,
    /// `assigned` or `mentioned`.
    pub kind: String,
    pub contact_id: Option<i64>,
    /// Who caused it.
    pub actor: NotificationActor,
    /// What it is about, e.g. `{"contact_name": "Ana Lima"}` for an assignment.
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
    pub read: bool,
    pub read_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<&Notification> for NotificationView {
    fn from(n: &Notification) -> Self {
        NotificationView {
            id: n.id,
            kind: n.kind.clone(),
            contact_id: n.contact_id,
            actor: NotificationActor {
                actor_type: n.actor_type.clone(),
                id: n.actor_id,
            },
            detail: n.detail_json(),
            read: n.read_at.is_some(),
            read_at: n.read_at.map(storage::utc),
            created_at: storage::utc(n.created_at),
        }
    }
}

/// A page of notifications and the unread badge.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationPage {
    pub items: Vec<NotificationView>,
    /// Pass as `cursor` for the next (older) page; null on the last page.
    pub next_cursor: Option<String>,
    /// How many of the caller's notifications are unread, whatever the filter.
    pub unread_count: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationQuery {
    /// Only unread notifications.
    pub unread: Option<bool>,
    /// 1 to 100, default 25.
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct ReadRequest {
    /// The notifications to mark read (at most 500); omitted: all of the caller's. Ids that
    /// are not the caller's unread notifications are passed over.
    pub ids: Option<Vec<i64>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnreadCount {
    pub unread_count: i64,
}

fn member(auth: &Auth) -> ApiResult<i64> {
    auth.user_id.ok_or_else(|| {
        ApiError::Forbidden(
            "notifications belong to a signed-in member; an API token has none".into(),
        )
    })
}

/// The caller's notifications, newest first, with the unread count.
#[utoipa::path(tag = "notifications", operation_id = "listNotifications", security(("bearer" = [])), params(NotificationQuery), responses((status = 200, body = NotificationPage), (status = 403, description = "Called with an API token", body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
#[get("/notifications")]
pub async fn list_notifications(
    state: web::Data<AppState>,
    auth: Auth,
    q: web::Query<NotificationQuery>,
) -> ApiResult<web::Json<NotificationPage>> {
    let user = member(&auth)?;
    let q = q.into_inner();
    let (limit, before) = PageQuery {
        limit: q.limit,
        cursor: q.cursor,
    }
    .resolve_before()?;
    let (ws, unread_only) = (auth.workspace_id, q.unread.unwrap_or(false));
    let (page, unread_count) = state
        .db(move |conn| {
            Ok((
                storage::notifications::list(conn, ws, user, unread_only, before, limit)?,
                storage::notifications::unread_count(conn, ws, user)?,
            ))
        })
        .await?;
    Ok(web::Json(NotificationPage {
        items: page.items.iter().map(Into::into).collect(),
        next_cursor: page.next_after.map(encode_cursor),
        unread_count,
    }))
}

/// Mark the given notifications, or all of them, read; answers the unread count left.
#[utoipa::path(tag = "notifications", operation_id = "markNotificationsRead", security(("bearer" = [])), request_body = ReadRequest, responses((status = 200, body = UnreadCount), (status = 403, description = "Called with an API token", body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
#[post("/notifications/read")]
pub async fn mark_read(
    state: web::Data<AppState>,
    auth: Auth,
    body: ValidJson<ReadRequest>,
) -> ApiResult<web::Json<UnreadCount>> {
    let user = member(&auth)?;
    let ids = body.0.ids;
    if ids.as_ref().is_some_and(|i| i.len() > MAX_READ_IDS) {
        return Err(ApiError::invalid(
            "ids",
            &format!("must hold at most {MAX_READ_IDS} ids"),
        ));
    }
    let ws = auth.workspace_id;
    let unread_count = state
        .db(move |conn| {
            storage::notifications::mark_read(
                conn,
                ws,
                user,
                ids.as_deref(),
                storage::naive(Utc::now()),
            )?;
            storage::notifications::unread_count(conn, ws, user)
        })
        .await?;
    Ok(web::Json(UnreadCount { unread_count }))
}
