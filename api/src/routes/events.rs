//! The realtime stream of a workspace's events over Server-Sent Events, and the single-use
//! tickets that let a browser's EventSource (which cannot send headers) authenticate.

use std::time::Duration as StdDuration;

use actix_web::web::Bytes;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Duration, Utc};
use domain::access::Actor;
use serde::{Deserialize, Serialize};
use storage::outbox::Event;
use storage::sessions::TicketHolder;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::mpsc;
use utoipa::{IntoParams, ToSchema};

use crate::auth::{authenticate, bearer, Auth};
use crate::error::{ApiError, ApiResult};
use crate::secrets::{random_token, token_hash};
use crate::state::AppState;

const TICKET_TTL_SECONDS: i64 = 60;
const BACKFILL_PAGE: i64 = 500;
/// How many committed-but-unpublished events a fresh stream looks up to leave out; more than
/// that (a tailer far behind) are sent, as a resuming stream would.
const UNPUBLISHED_MAX: i64 = 10_000;

#[derive(Debug, Serialize, ToSchema)]
pub struct Ticket {
    /// Pass as `?ticket=` to `/api/v1/events/stream`; single use.
    pub ticket: String,
    pub expires_at: DateTime<Utc>,
}

/// A single-use ticket (valid 60 s) for opening the event stream from a browser.
#[utoipa::path(tag = "events", operation_id = "createEventTicket", security(("bearer" = [])), responses((status = 201, body = Ticket), (status = 401, body = crate::error::Problem)))]
#[post("/events/ticket")]
pub async fn create_ticket(state: web::Data<AppState>, auth: Auth) -> ApiResult<HttpResponse> {
    let ticket = random_token(32);
    let hash = token_hash(&ticket);
    let expires_at = Utc::now() + Duration::seconds(TICKET_TTL_SECONDS);
    let holder = TicketHolder {
        workspace_id: auth.workspace_id,
        user_id: auth.user_id,
        api_token_id: auth.api_token_id,
    };
    state
        .db(move |conn| {
            storage::sessions::insert_ticket(conn, &hash, holder, storage::naive(expires_at))
        })
        .await?;
    Ok(HttpResponse::Created().json(Ticket { ticket, expires_at }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StreamQuery {
    /// A ticket from `POST /api/v1/events/ticket`, instead of the Authorization header.
    pub ticket: Option<String>,
    /// Resume after this event id (same as the `Last-Event-ID` header, which wins).
    pub last_event_id: Option<i64>,
}

/// The JSON in each event's `data:` line.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventEnvelope {
    pub id: i64,
    #[serde(rename = "type")]
    pub event_type: String,
    pub subject_type: String,
    pub subject_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    /// The event's payload: the changed object.
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

fn frame(e: &Event) -> Bytes {
    let envelope = EventEnvelope {
        id: e.id,
        event_type: e.event_type.clone(),
        subject_type: e.subject_type.clone(),
        subject_id: e.subject_id,
        created_at: storage::utc(e.created_at),
        data: serde_json::from_str(&e.payload).unwrap_or(serde_json::Value::Null),
    };
    let json = serde_json::to_string(&envelope).unwrap_or_default();
    Bytes::from(format!(
        "id: {}\nevent: {}\ndata: {json}\n\n",
        e.id, e.event_type
    ))
}

async fn ticket_auth(state: &AppState, ticket: &str) -> ApiResult<Auth> {
    let hash = token_hash(ticket);
    let holder = state
        .db(move |conn| storage::sessions::consume_ticket(conn, &hash, storage::naive(Utc::now())))
        .await?
        .ok_or_else(|| ApiError::Unauthorized("the ticket is unknown, used or expired".into()))?;
    let actor = match holder.user_id {
        Some(uid) => {
            let ws = holder.workspace_id;
            let m = state
                .db(move |conn| storage::accounts::membership(conn, ws, uid))
                .await
                .map_err(|_| {
                    ApiError::Unauthorized("no longer a member of this workspace".into())
                })?;
            Actor::Member(m.role())
        }
        None => Actor::ApiToken,
    };
    Ok(Auth {
        workspace_id: holder.workspace_id,
        user_id: holder.user_id,
        api_token_id: holder.api_token_id,
        actor,
        expires_at: None,
    })
}

/// Server-Sent Events of the workspace: `id:` is the event id, `event:` its type, `data:` an
/// [`EventEnvelope`]. Reconnect with `Last-Event-ID` to receive everything missed. A comment
/// line is sent every 15 s to keep proxies from closing the connection.
#[utoipa::path(
    tag = "events",
    operation_id = "streamEvents",
    security(("bearer" = []), ()),
    params(StreamQuery, ("Last-Event-ID" = Option<i64>, Header, description = "Resume after this event id")),
    responses((status = 200, description = "text/event-stream of EventEnvelope", content_type = "text/event-stream", body = String), (status = 401, body = crate::error::Problem))
)]
#[get("/events/stream")]
pub async fn stream(
    state: web::Data<AppState>,
    req: HttpRequest,
    q: web::Query<StreamQuery>,
) -> ApiResult<HttpResponse> {
    let auth = match (&q.ticket, bearer(&req)) {
        (Some(ticket), _) => ticket_auth(&state, ticket).await?,
        (None, Some(token)) => authenticate(&state, token).await?,
        (None, None) => {
            return Err(ApiError::Unauthorized(
                "a bearer token or ?ticket= is required".into(),
            ))
        }
    };
    let header_id = req
        .headers()
        .get("Last-Event-ID")
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.trim()
                .parse::<i64>()
                .map_err(|_| ApiError::invalid("Last-Event-ID", "must be an event id"))
        })
        .transpose()?;
    let resume_after = header_id.or(q.last_event_id);
    // The start is fixed before the response goes out: whatever commits after the client
    // has its answer reaches it.
    let ws = auth.workspace_id;
    let live = state.hub.subscribe();
    let (start, committed_before) = match resume_after {
        Some(id) => (id, vec![]),
        // From now: what this node published is behind the cursor; what was committed but
        // not yet published is left out by id. Ids, not "up to the newest id": on PostgreSQL
        // a lower id may still commit after a higher one, and that one must come.
        None => {
            let after = live.1;
            let ids = state
                .db(move |conn| {
                    storage::outbox::ids_after_for_workspace(conn, ws, after, UNPUBLISHED_MAX)
                })
                .await?;
            (after, ids)
        }
    };
    let (tx, rx) = mpsc::channel::<Bytes>(256);
    actix_web::rt::spawn(pump(
        state.into_inner(),
        auth,
        live,
        start,
        committed_before,
        tx,
    ));
    let body = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|chunk| (Ok::<_, actix_web::Error>(chunk), rx))
    });
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header(("Cache-Control", "no-cache"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(body))
}

/// Sends one workspace's events in `(after, up_to]` from the database; false once the client left.
async fn backfill(
    filter: &Filter,
    last_sent: &mut i64,
    up_to: i64,
    tx: &mpsc::Sender<Bytes>,
) -> bool {
    let (state, ws) = (&filter.state, filter.ws);
    while *last_sent < up_to {
        let after = *last_sent;
        let page = match state
            .db(move |conn| {
                storage::outbox::range_for_workspace(conn, ws, after, up_to, BACKFILL_PAGE)
            })
            .await
        {
            Ok(p) => p,
            Err(e) => {
                log::warn!("event backfill failed: {e}");
                return false;
            }
        };
        for e in &page {
            if filter.shows(e).await && tx.send(frame(e)).await.is_err() {
                return false;
            }
            *last_sent = e.id;
        }
        if (page.len() as i64) < BACKFILL_PAGE {
            *last_sent = (*last_sent).max(up_to);
        }
    }
    true
}

type Live = tokio::sync::broadcast::Receiver<std::sync::Arc<Event>>;

/// Feeds one client: what it missed, then live events, with heartbeats, until it leaves or
/// its access token expires (it then reconnects with a fresh one and `Last-Event-ID`).
async fn pump(
    state: std::sync::Arc<AppState>,
    auth: Auth,
    (mut live, cursor): (Live, i64),
    mut last_sent: i64,
    committed_before: Vec<i64>,
    tx: mpsc::Sender<Bytes>,
) {
    let _client = ClientGauge::new(&state);
    let ws = auth.workspace_id;
    // Restricted agents get contact events only for contacts they may see.
    let visibility = match crate::routes::contacts::visibility(&state, &auth).await {
        Ok(v) => v,
        Err(e) => {
            log::warn!("event stream: {e}");
            return;
        }
    };
    let filter = Filter {
        state: state.clone(),
        ws,
        user: auth.user_id,
        visibility,
        committed_before,
    };
    if tx
        .send(Bytes::from_static(b"retry: 3000\n\n"))
        .await
        .is_err()
    {
        return;
    }
    if !backfill(&filter, &mut last_sent, cursor, &tx).await {
        return;
    }
    let mut heartbeat = tokio::time::interval(state.config.sse_heartbeat);
    heartbeat.tick().await;
    let until_expiry = auth
        .expires_at
        .map(|exp| StdDuration::from_secs((exp - Utc::now().timestamp()).max(0) as u64))
        .unwrap_or(StdDuration::from_secs(u64::MAX / 4));
    let expiry = tokio::time::sleep(until_expiry);
    tokio::pin!(expiry);
    loop {
        tokio::select! {
            received = live.recv() => match received {
                Ok(e) => {
                    if e.workspace_id == ws && e.id > last_sent {
                        if filter.shows(&e).await && tx.send(frame(&e)).await.is_err() {
                            return;
                        }
                        last_sent = e.id;
                    }
                }
                Err(RecvError::Lagged(_)) => {
                    // Too slow for the live channel: catch up from the database instead.
                    let up_to = state.hub.cursor();
                    if !backfill(&filter, &mut last_sent, up_to, &tx).await {
                        return;
                    }
                }
                Err(RecvError::Closed) => return,
            },
            _ = heartbeat.tick() => {
                if tx.send(Bytes::from_static(b": heartbeat\n\n")).await.is_err() {
                    return;
                }
            }
            _ = tx.closed() => return,
            _ = &mut expiry => return,
        }
    }
}

/// Which of a workspace's events one client receives.
struct Filter {
    state: std::sync::Arc<AppState>,
    ws: i64,
    /// The member behind the stream; `None` for an API token.
    user: Option<i64>,
    visibility: storage::contacts::Visibility,
    /// Events committed before a fresh stream began (sorted): not for this client.
    committed_before: Vec<i64>,
}

/// Events that belong to one member: their notifications (and the marks of having read
/// them), their inbox read marks, and changes to their personal custom inboxes. Such an event's subject is
/// `("user", id)`; this names that user, or `Some(None)` when the event is private but names
/// nobody (it then reaches no one).
fn private_to(e: &Event) -> Option<Option<i64>> {
    let owner = match (e.subject_type.as_str(), e.subject_id) {
        ("user", Some(id)) => Some(id),
        _ => None,
    };
    let private = e.event_type.starts_with("notification.")
        || e.event_type == "inbox.read"
        || (e.event_type.starts_with("custom_inbox.") && e.subject_type == "user");
    private.then_some(owner)
}

impl Filter {
    async fn shows(&self, e: &Event) -> bool {
        if self.committed_before.binary_search(&e.id).is_ok() {
            return false;
        }
        if let Some(owner) = private_to(e) {
            return owner.is_some() && owner == self.user;
        }
        let (storage::contacts::Visibility::AssignedTo(_), "contact", Some(id)) =
            (&self.visibility, e.subject_type.as_str(), e.subject_id)
        else {
            return true;
        };
        let (ws, v) = (self.ws, self.visibility.clone());
        self.state
            .db(move |conn| storage::contacts::is_visible(conn, ws, id, &v))
            .await
            .unwrap_or(false)
    }
}

/// Counts connected clients in the metrics for as long as it lives.
struct ClientGauge(prometheus::IntGauge);

impl ClientGauge {
    fn new(state: &AppState) -> Self {
        state.metrics.sse_clients.inc();
        ClientGauge(state.metrics.sse_clients.clone())
    }
}

impl Drop for ClientGauge {
    fn drop(&mut self) {
        self.0.dec();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(event_type: &str, subject_type: &str, subject_id: Option<i64>) -> Event {
        Event {
            id: 1,
            workspace_id: 1,
            event_type: event_type.into(),
            subject_type: subject_type.into(),
            subject_id,
            payload: "{}".into(),
            created_at: chrono::NaiveDateTime::default(),
        }
    }

    #[test]
    fn notifications_and_personal_inboxes_belong_to_their_user() {
        assert_eq!(
            private_to(&event("notification.created", "user", Some(7))),
            Some(Some(7))
        );
        assert_eq!(
            private_to(&event("notification.read", "user", Some(7))),
            Some(Some(7))
        );
        assert_eq!(
            private_to(&event("inbox.read", "user", Some(7))),
            Some(Some(7))
        );
        assert_eq!(
            private_to(&event("custom_inbox.updated", "user", Some(3))),
            Some(Some(3))
        );
        // A notification that names nobody reaches nobody.
        assert_eq!(
            private_to(&event("notification.created", "contact", Some(7))),
            Some(None)
        );
    }

    #[test]
    fn everything_else_is_for_the_workspace() {
        assert_eq!(
            private_to(&event("custom_inbox.created", "custom_inbox", Some(3))),
            None
        );
        assert_eq!(private_to(&event("user.added", "user", Some(7))), None);
        assert_eq!(
            private_to(&event("user.status.updated", "user", Some(7))),
            None
        );
        assert_eq!(private_to(&event("team.created", "team", Some(1))), None);
    }
}
