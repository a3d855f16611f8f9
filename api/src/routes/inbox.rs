//! The inbox: one row per contact thread with counts of the default views, per-user unread
//! marks, and bulk open/close/assign/unassign with a result per contact.

use std::time::Instant;

use actix_web::{get, post, web, HttpResponse, ResponseError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use storage::inbox::{Cursor, Filter, Sort, Status};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::extract::{decode_key, encode_key, ValidJson};
use crate::inbox_counts::Viewer;
use crate::routes::contacts::{
    actor_ref, assignee_filter, load, search_filter, visibility, ContactView,
};
use crate::routes::conversations::{close_for, open_for};
use crate::routes::inbox_filters::{check_as, InboxFilters};
use crate::routes::thread_views::{ConversationView, MessageView};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InboxQuery {
    /// `open` (default), `closed` or `all`.
    pub status: Option<String>,
    /// `me`, `unassigned` or a user id.
    pub assignee: Option<String>,
    /// Threads assigned to members of this team (a team id).
    pub team: Option<String>,
    /// Contacts with an identity on this channel (a channel id).
    pub channel: Option<String>,
    pub tag: Option<String>,
    /// Name, e-mail, phone or id.
    pub search: Option<String>,
    /// `newest` (default), `oldest`, or `waiting_longest` (only threads awaiting a reply).
    pub sort: Option<String>,
    /// A custom inbox id: its saved filters apply; parameters given here override them.
    pub inbox: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InboxRow {
    pub contact: ContactView,
    /// The open conversation, or the last closed one.
    pub conversation: Option<ConversationView>,
    pub last_message: Option<MessageView>,
    /// A message arrived since the caller last read this thread.
    pub unread: bool,
    /// Since when the contact waits for an answer.
    pub waiting_since: Option<DateTime<Utc>>,
}

/// Open threads in the default views.
#[derive(Debug, Serialize, ToSchema)]
pub struct InboxCounts {
    pub all: i64,
    pub mine: i64,
    pub unassigned: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InboxPage {
    pub items: Vec<InboxRow>,
    pub next_cursor: Option<String>,
    pub counts: InboxCounts,
}

fn encode(c: Cursor) -> String {
    encode_key("i", &[c.at.and_utc().timestamp_micros(), c.id])
}

fn decode(raw: &str) -> Option<Cursor> {
    let [micros, id] = decode_key("i", raw)?;
    Some(Cursor {
        at: DateTime::from_timestamp_micros(micros)?.naive_utc(),
        id,
    })
}

/// The filters a request asks for: a saved custom inbox's (`?inbox=`), overridden by any
/// parameter given.
async fn requested(state: &AppState, auth: &Auth, q: &InboxQuery) -> ApiResult<InboxFilters> {
    let mut invalid = domain::Invalid::default();
    let id_param = |raw: &Option<String>, field: &str, invalid: &mut domain::Invalid| match raw
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(v) => v
            .parse::<i64>()
            .map_err(|_| invalid.push(field, "must be an id"))
            .ok(),
    };
    let team = id_param(&q.team, "team", &mut invalid);
    let channel = id_param(&q.channel, "channel", &mut invalid);
    let inbox = id_param(&q.inbox, "inbox", &mut invalid);
    invalid.into_result()?;
    let mut f = match inbox {
        Some(id) => {
            let (ws, viewer) = (auth.workspace_id, auth.user_id);
            match state
                .db(move |conn| storage::custom_inboxes::get(conn, ws, id, viewer))
                .await
            {
                Ok(saved) => serde_json::from_value(saved.filters_json()).unwrap_or_default(),
                Err(ApiError::NotFound) => {
                    return Err(ApiError::invalid(
                        "inbox",
                        "is not a custom inbox you can see",
                    ))
                }
                Err(e) => return Err(e),
            }
        }
        None => InboxFilters::default(),
    };
    let given = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty());
    f.status = given(&q.status).or(f.status);
    f.assignee = given(&q.assignee).or(f.assignee);
    f.tag = given(&q.tag).or(f.tag);
    f.search = given(&q.search).or(f.search);
    f.sort = given(&q.sort).or(f.sort);
    f.team = team.or(f.team);
    f.channel = channel.or(f.channel);
    Ok(f)
}

/// Checks the request's filters (every bad one named) into a storage filter.
async fn filter_of(state: &AppState, auth: &Auth, q: &InboxQuery) -> ApiResult<Filter> {
    let f = requested(state, auth, q).await?;
    check_as(state, auth, &f, "").await?;
    let status = match f.status.as_deref() {
        Some("closed") => Status::Closed,
        Some("all") => Status::All,
        _ => Status::Open,
    };
    let sort = match f.sort.as_deref() {
        Some("oldest") => Sort::Oldest,
        Some("waiting_longest") => Sort::WaitingLongest,
        _ => Sort::Newest,
    };
    let assignee = assignee_filter(auth, f.assignee.as_deref())?;
    let mut contacts = f
        .search
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(search_filter)
        .unwrap_or_default();
    contacts.tag = f.tag.clone();
    Ok(Filter {
        status,
        assignee,
        team: f.team,
        channel: f.channel,
        contacts,
        sort,
    })
}

/// The inbox: one row per contact thread, with the counts of the default views.
#[utoipa::path(tag = "inbox", operation_id = "listInbox", security(("bearer" = [])), params(InboxQuery), responses((status = 200, body = InboxPage), (status = 422, body = crate::error::Problem)))]
#[get("/inbox")]
pub async fn list_inbox(
    state: web::Data<AppState>,
    auth: Auth,
    q: web::Query<InboxQuery>,
) -> ApiResult<web::Json<InboxPage>> {
    let q = q.into_inner();
    let limit = crate::extract::page_limit(q.limit)?;
    let after = match &q.cursor {
        Some(c) => Some(
            decode(c)
                .ok_or_else(|| ApiError::invalid("cursor", "is not a cursor from this API"))?,
        ),
        None => None,
    };
    let filter = filter_of(&state, &auth, &q).await?;
    let v = visibility(&state, &auth).await?;
    let (ws, user) = (auth.workspace_id, auth.user_id);
    let viewer = Viewer::new(ws, user, &v);
    let seen = state.hub.seen(ws);
    let kept = state.inbox_counts.get(&viewer, seen, Instant::now());
    let cache = state.inbox_counts.clone();
    let (rows, next, counts) = state
        .db(move |conn| {
            // Nothing of this workspace committed that the hub has not published yet?
            let settled = storage::outbox::last_of_workspace(conn, ws)? <= seen.cursor;
            let counts = match kept.filter(|_| settled) {
                Some(counts) => counts,
                None => {
                    let counts = storage::inbox::counts(conn, ws, user, &v)?;
                    if settled {
                        cache.put(viewer, seen, Instant::now(), counts);
                    }
                    counts
                }
            };
            let (rows, next) = storage::inbox::list(conn, ws, user, &filter, &v, after, limit)?;
            Ok((rows, next, counts))
        })
        .await?;
    let items = rows
        .into_iter()
        .map(|r| InboxRow {
            waiting_since: r.contact.contact.waiting_since.map(storage::utc),
            conversation: r.conversation.as_ref().map(ConversationView::from),
            last_message: r.last_message.as_ref().map(MessageView::from),
            unread: r.unread,
            contact: r.contact.into(),
        })
        .collect();
    Ok(web::Json(InboxPage {
        items,
        next_cursor: next.map(encode),
        counts: InboxCounts {
            all: counts.all,
            mine: counts.mine,
            unassigned: counts.unassigned,
        },
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReadMark {
    /// The thread is read up to this message.
    pub last_read_message_id: i64,
}

/// Mark the contact's thread read for the caller (members only).
#[utoipa::path(tag = "inbox", operation_id = "markContactRead", security(("bearer" = [])), params(("contact" = String, Path)), responses((status = 200, body = ReadMark), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
#[post("/contacts/{contact}/read")]
pub async fn mark_read(
    state: web::Data<AppState>,
    auth: Auth,
    contact: web::Path<String>,
) -> ApiResult<web::Json<ReadMark>> {
    let user = auth.user_id.ok_or_else(|| {
        ApiError::Forbidden("read marks belong to members, not API tokens".into())
    })?;
    let contact = load(&state, &auth, &contact).await?;
    let ws = auth.workspace_id;
    let upto = state
        .db(move |conn| {
            storage::inbox::mark_read(conn, ws, user, contact.id, storage::naive(Utc::now()))
        })
        .await?;
    Ok(web::Json(ReadMark {
        last_read_message_id: upto,
    }))
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum BulkAction {
    Close,
    Open,
    Assign,
    Unassign,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct BulkRequest {
    /// Contact references (`123`, `id:123`, `email:…`, `phone:+…`), at most 100.
    #[validate(length(min = 1, max = 100))]
    pub contacts: Vec<String>,
    pub action: BulkAction,
    /// For `assign`.
    pub user_id: Option<i64>,
    /// For `close`, per the closing-note mode.
    pub category: Option<String>,
    pub summary: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BulkItem {
    pub contact: String,
    pub ok: bool,
    /// The HTTP status this item would have answered alone.
    pub status: u16,
    pub detail: Option<String>,
    /// Field errors when `status` is 422.
    pub errors: Option<Vec<crate::error::ProblemField>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BulkResult {
    pub results: Vec<BulkItem>,
}

async fn bulk_one(state: &AppState, auth: &Auth, raw: &str, req: &BulkRequest) -> ApiResult<()> {
    let contact = load(state, auth, raw).await?;
    let ws = auth.workspace_id;
    match req.action {
        BulkAction::Close => close_for(
            state,
            auth,
            contact.id,
            req.category.clone(),
            req.summary.clone(),
        )
        .await
        .map(|_| ()),
        BulkAction::Open => open_for(state, auth, contact.id).await.map(|_| ()),
        BulkAction::Assign | BulkAction::Unassign => {
            let to = if req.action == BulkAction::Assign {
                Some(
                    req.user_id
                        .ok_or_else(|| ApiError::invalid("user_id", "is required to assign"))?,
                )
            } else {
                None
            };
            let actor = actor_ref(auth);
            state
                .db(move |conn| {
                    storage::contacts::set_assignee(
                        conn,
                        ws,
                        contact.id,
                        to,
                        actor,
                        storage::naive(Utc::now()),
                    )
                })
                .await
                .map(|_| ())
        }
    }
}

/// Close, open, assign or unassign many threads; each contact gets its own result, so one
/// refusal (say, a close the closing-note mode refuses) leaves the others done.
#[utoipa::path(tag = "inbox", operation_id = "bulkInbox", security(("bearer" = [])), request_body = BulkRequest, responses((status = 200, body = BulkResult), (status = 422, body = crate::error::Problem)))]
#[post("/inbox/bulk")]
pub async fn bulk(
    state: web::Data<AppState>,
    auth: Auth,
    body: ValidJson<BulkRequest>,
) -> ApiResult<HttpResponse> {
    let req = body.0;
    if req.action == BulkAction::Assign && req.user_id.is_none() {
        return Err(ApiError::invalid("user_id", "is required to assign"));
    }
    let mut results = Vec::with_capacity(req.contacts.len());
    for raw in &req.contacts {
        let item = match bulk_one(&state, &auth, raw, &req).await {
            Ok(()) => BulkItem {
                contact: raw.clone(),
                ok: true,
                status: 200,
                detail: None,
                errors: None,
            },
            Err(e) => BulkItem {
                contact: raw.clone(),
                ok: false,
                status: e.status_code().as_u16(),
                detail: Some(e.detail()),
                errors: e.field_errors(),
            },
        };
        results.push(item);
    }
    Ok(HttpResponse::Ok().json(BulkResult { results }))
}
