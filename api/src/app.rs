//! Assembles the server: database, realtime tailer, job worker, routes, docs and error shapes.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

use actix_web::dev::{ResourceDef, Server};
use actix_web::http::{header, Method};
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer, ResponseError};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::OpenApi as Spec;
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::Jwt;
use crate::config::Config;
use crate::error::ApiError;
use crate::idempotency::Idempotency;
use crate::metrics::{Metrics, RecordMetrics};
use crate::realtime::Hub;
use crate::routes;
use crate::state::AppState;
use crate::worker::Worker;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "IS-Messenger API",
        version = "1",
        description = "The omnichannel team inbox's REST API. Authenticate with `Authorization: Bearer <token>`: a user's JWT from `/api/v1/auth/login`, or a workspace API token (`ism_…`). Errors are RFC 9457 problem+json. Lists take `limit` and `cursor` and answer `{items, next_cursor}`. Mutations accept an `Idempotency-Key` header.",
        license(name = "AGPL-3.0-or-later")
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Signup, login and sessions"),
        (name = "me", description = "The caller"),
        (name = "workspace", description = "Workspace settings"),
        (name = "users", description = "Members and invitations"),
        (name = "teams", description = "Teams"),
        (name = "contacts", description = "Contacts, custom fields and tags"),
        (name = "conversations", description = "Conversations, messages, private notes and the timeline"),
        (name = "channels", description = "Channels and their inbound webhooks"),
        (name = "inbox", description = "The team inbox: threads, counts, unread marks, bulk actions, custom inboxes"),
        (name = "settings", description = "Workspace objects managed in settings: closing-note categories"),
        (name = "notifications", description = "A member's in-app notifications"),
        (name = "files", description = "The file library: uploads, downloads and attachments"),
        (name = "snippets", description = "Saved replies with dynamic variables"),
        (name = "api-tokens", description = "Developer API tokens"),
        (name = "events", description = "Realtime events"),
        (name = "widget", description = "The website chat widget's public visitor API: an anonymous visitor token (`Authorization: Bearer`, or `?token=` on the stream) and the channel's allowed origins, no user account"),
        (name = "operations", description = "Health and metrics"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut Spec) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A user's JWT or a workspace API token (ism_…)"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "visitor",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A website visitor's token (wvt_…) from POST /api/v1/widget/{key}/session",
                    ))
                    .build(),
            ),
        );
    }
}

/// The OpenAPI document of every route.
pub fn openapi() -> Spec {
    let (_, spec) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(routes::configure)
        .split_for_parts();
    spec
}

/// Known paths and their methods, to tell 405 from 404.
struct Routes(Vec<(ResourceDef, Vec<Method>)>);

impl Routes {
    fn from_spec(spec: &Spec) -> Routes {
        let routes = spec
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let mut methods = Vec::new();
                let ops = [
                    (Method::GET, item.get.is_some()),
                    (Method::POST, item.post.is_some()),
                    (Method::PUT, item.put.is_some()),
                    (Method::PATCH, item.patch.is_some()),
                    (Method::DELETE, item.delete.is_some()),
                ];
                for (m, present) in ops {
                    if present {
                        methods.push(m);
                    }
                }
                (ResourceDef::new(path.as_str()), methods)
            })
            .collect();
        Routes(routes)
    }
}

/// Unknown paths answer 404, known paths with another method 405, both as problem+json.
async fn fallback(
    req: HttpRequest,
    routes: web::Data<Routes>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let readable = req.method() == Method::GET || req.method() == Method::HEAD;
    if readable && crate::web::is_client_path(req.path()) {
        if let Some(res) = crate::web::serve(&req, &state.config.web_dir).await {
            return res;
        }
    }
    let allowed: Vec<&str> = routes
        .0
        .iter()
        .filter(|(def, _)| def.is_match(req.path()))
        .flat_map(|(_, methods)| methods.iter().map(Method::as_str))
        .collect();
    if allowed.is_empty() {
        return ApiError::NotFound.error_response();
    }
    let mut res = ApiError::MethodNotAllowed(format!("{} is not allowed here", req.method()))
        .error_response();
    if let Ok(v) = header::HeaderValue::from_str(&allowed.join(", ")) {
        res.headers_mut().insert(header::ALLOW, v);
    }
    res
}

fn json_error(err: actix_web::error::JsonPayloadError, _: &HttpRequest) -> actix_web::Error {
    use actix_web::error::JsonPayloadError as E;
    match err {
        E::ContentType => ApiError::UnsupportedMediaType("the request body must be JSON".into()),
        E::Overflow { limit } | E::OverflowKnownLength { limit, .. } => {
            ApiError::PayloadTooLarge(limit)
        }
        other => ApiError::BadRequest(other.to_string()),
    }
    .into()
}

fn query_error(err: actix_web::error::QueryPayloadError, _: &HttpRequest) -> actix_web::Error {
    ApiError::Invalid(vec![domain::FieldError::new("query", err.to_string())]).into()
}

fn path_error(_: actix_web::error::PathError, _: &HttpRequest) -> actix_web::Error {
    ApiError::NotFound.into()
}

/// Opens the database, migrates it, and starts the server on `listener` with its background
/// tasks (outbox tailer, job worker). The returned server runs when awaited.
pub async fn start(
    config: Config,
    listener: TcpListener,
    workers: usize,
) -> std::io::Result<(Server, SocketAddr)> {
    let pool = storage::connect(&config.database_url, config.db_pool_size)
        .map_err(std::io::Error::other)?;
    let p = pool.clone();
    let last_event = tokio::task::spawn_blocking(move || {
        let mut conn = p.get()?;
        storage::migrate(&mut conn)?;
        storage::outbox::last_id(&mut conn)
    })
    .await
    .map_err(std::io::Error::other)?
    .map_err(std::io::Error::other)?;

    let group_commit = if storage::DbUrl::parse(&config.database_url).is_sqlite() {
        Some(storage::group_commit::GroupCommit::start(pool.clone())?)
    } else {
        None
    };
    let hub = Hub::new(last_event);
    actix_web::rt::spawn(hub.clone().run_tailer(pool.clone()));
    let spec = openapi();
    let routes = web::Data::new(Routes::from_spec(&spec));
    let retry_base = config.job_retry_base;
    let state = web::Data::new(AppState {
        pool: pool.clone(),
        jwt: Jwt::new(&config.jwt_secret),
        db_turns: tokio::sync::Semaphore::new(config.db_concurrency),
        secrets: crate::secrets::SecretBox::new(&config.jwt_secret),
        config,
        hub,
        metrics: Arc::new(Metrics::new()),
        limiter: Default::default(),
        inbox_counts: Default::default(),
        ingest: storage::ingest::start(pool.clone(), group_commit.is_some())?,
        group_commit,
    });
    let mut worker = Worker::new(pool, format!("node-{}", uuid::Uuid::new_v4()));
    worker.policy.base = chrono::Duration::from_std(retry_base).unwrap_or(worker.policy.base);
    let shared = state.clone().into_inner();
    let fetching = shared.clone();
    let worker = worker
        .handle(
            storage::messages::SEND_JOB,
            Arc::new(move |job| Box::pin(crate::channels::send::run(shared.clone(), job))),
        )
        .handle(
            storage::messages::FETCH_JOB,
            Arc::new(move |job| {
                Box::pin(crate::channels::attachments::fetch(fetching.clone(), job))
            }),
        );
    actix_web::rt::spawn(worker.run());
    let addr = listener.local_addr()?;
    let server = HttpServer::new(move || {
        let (app, _) = App::new()
            .into_utoipa_app()
            .openapi(ApiDoc::openapi())
            .app_data(state.clone())
            .app_data(routes.clone())
            .app_data(
                web::JsonConfig::default()
                    .limit(crate::extract::MAX_JSON_BYTES)
                    .error_handler(json_error),
            )
            .app_data(web::QueryConfig::default().error_handler(query_error))
            .app_data(web::PathConfig::default().error_handler(path_error))
            .configure(routes::configure)
            .split_for_parts();
        app.wrap(Idempotency)
            .wrap(RecordMetrics(state.metrics.clone()))
            .wrap(
                actix_web::middleware::Logger::new("%a \"%{request}xi\" %s %b %Dms")
                    .custom_request_replace("request", |req| {
                        redacted_request_line(req.method().as_str(), req.uri())
                    }),
            )
            .service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", spec.clone()))
            .route("/docs", web::get().to(|| async { redirect("/docs/") }))
            .route("/media/{id}/{name}", web::get().to(routes::files::media))
            .route("/widget/demo", web::get().to(crate::web::widget_demo))
            .default_service(web::to(fallback))
    })
    .workers(workers)
    .disable_signals()
    .shutdown_timeout(5)
    .listen(listener)?
    .run();
    Ok((server, addr))
}

fn redirect(to: &'static str) -> HttpResponse {
    HttpResponse::Found()
        .insert_header((header::LOCATION, to))
        .finish()
}

/// The request line for the log, without the secrets some URLs carry: SSE tickets and media
/// link signatures in the query, invitation tokens in the path.
fn redacted_request_line(method: &str, uri: &actix_web::http::Uri) -> String {
    let mut path: Vec<&str> = uri.path().split('/').collect();
    for i in 1..path.len() {
        if path[i - 1] == "invitations" && path[i].len() > 20 {
            path[i] = "[token]";
        }
    }
    let query = uri.query().map(|q| {
        q.split('&')
            .map(|pair| match pair.split_once('=') {
                Some((k, _)) if k == "ticket" || k == "sig" || k.ends_with("token") => {
                    format!("{k}=[redacted]")
                }
                _ => pair.to_string(),
            })
            .collect::<Vec<_>>()
            .join("&")
    });
    match query {
        Some(q) => format!("{method} {}?{q}", path.join("/")),
        None => format!("{method} {}", path.join("/")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logged_request_lines_carry_no_secrets() {
        let line = |u: &str| redacted_request_line("GET", &u.parse().unwrap());
        assert_eq!(
            line("/api/v1/events/stream?ticket=abcdef&last_event_id=4"),
            "GET /api/v1/events/stream?ticket=[redacted]&last_event_id=4"
        );
        assert_eq!(
            line("/api/v1/invitations/aVeryLongSecretInvitationToken123/accept"),
            "GET /api/v1/invitations/[token]/accept"
        );
        assert_eq!(line("/api/v1/invitations/42"), "GET /api/v1/invitations/42");
        assert_eq!(
            line("/media/7/a.png?exp=1700000000&sig=abcdef"),
            "GET /media/7/a.png?exp=1700000000&sig=[redacted]"
        );
        assert_eq!(line("/api/v1/users?limit=5"), "GET /api/v1/users?limit=5");
    }
}
