//! `Idempotency-Key` on mutations: the first answer to a key is stored for 24 hours and
//! replayed for a repeat with the same body; the same key with another body is refused.

use std::future::{ready, Ready};
use std::rc::Rc;

use actix_web::body::{to_bytes, BoxBody};
use actix_web::dev::{forward_ready, Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::{header, Method, StatusCode};
use actix_web::{web, HttpMessage, HttpResponse, ResponseError};
use chrono::{Duration, Utc};
use futures_util::future::LocalBoxFuture;
use futures_util::StreamExt;
use sha2::{Digest, Sha256};
use storage::idempotency::Begin;

use crate::auth::{authenticate, bearer, Auth};
use crate::error::ApiError;
use crate::extract::MAX_JSON_BYTES;
use crate::state::AppState;

pub const HEADER: &str = "Idempotency-Key";
const KEEP_HOURS: i64 = 24;

/// What a replay answers instead of the stored response, for responses that carry a secret
/// which must not be shown twice (set by the handler as a response extension).
#[derive(Clone)]
pub struct ReplayBody(pub serde_json::Value);

/// Routes whose answers carry session secrets are never stored; the widget's visitor API
/// has its own deduplication (client message ids) and no workspace credentials.
fn excluded(path: &str) -> bool {
    path.starts_with("/api/v1/auth/")
        || path.starts_with("/api/v1/widget/")
        || (path.starts_with("/api/v1/invitations/") && path.ends_with("/accept"))
}

pub struct Idempotency;

impl<S> Transform<S, ServiceRequest> for Idempotency
where
    S: Service<ServiceRequest, Response = ServiceResponse<BoxBody>, Error = actix_web::Error>
        + 'static,
{
    type Response = ServiceResponse<BoxBody>;
    type Error = actix_web::Error;
    type Transform = IdempotencyService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(IdempotencyService {
            service: Rc::new(service),
        }))
    }
}

pub struct IdempotencyService<S> {
    service: Rc<S>,
}

impl<S> Service<ServiceRequest> for IdempotencyService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<BoxBody>, Error = actix_web::Error>
        + 'static,
{
    type Response = ServiceResponse<BoxBody>;
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    forward_ready!(service);

    fn call(&self, mut req: ServiceRequest) -> Self::Future {
        let service = self.service.clone();
        let mutating = matches!(
            *req.method(),
            Method::POST | Method::PUT | Method::PATCH | Method::DELETE
        );
        let key = req
            .headers()
            .get(HEADER)
            .map(|v| v.to_str().map(str::to_string).unwrap_or_default());
        let applies = mutating && req.path().starts_with("/api/v1/") && !excluded(req.path());
        let Some(key) = key.filter(|_| applies) else {
            return Box::pin(service.call(req));
        };
        Box::pin(async move {
            let reject =
                |req: ServiceRequest, e: ApiError| Ok(req.into_response(e.error_response()));
            if key.is_empty() || key.len() > 255 || !key.chars().all(|c| c.is_ascii_graphic()) {
                return reject(
                    req,
                    ApiError::invalid(HEADER, "must be 1 to 255 visible ASCII characters"),
                );
            }
            let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
                return Box::pin(service.call(req)).await;
            };
            // Read the body once to hash it, then hand it on unchanged.
            let mut payload = req.take_payload();
            let mut body = web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = match chunk {
                    Ok(c) => c,
                    Err(e) => {
                        return reject(
                            req,
                            ApiError::BadRequest(format!("could not read the body: {e}")),
                        )
                    }
                };
                if body.len() + chunk.len() > MAX_JSON_BYTES {
                    return reject(req, ApiError::PayloadTooLarge(MAX_JSON_BYTES));
                }
                body.extend_from_slice(&chunk);
            }
            let body = body.freeze();
            let scope = match bearer(req.request()) {
                Some(token) => match authenticate(&state, token).await {
                    Ok(auth) => {
                        req.extensions_mut().insert::<Auth>(auth);
                        auth.scope()
                    }
                    Err(e) => return reject(req, e),
                },
                None => "anonymous".to_string(),
            };
            let mut hasher = Sha256::new();
            hasher.update(req.method().as_str());
            hasher.update(b" ");
            hasher.update(req.uri().to_string());
            hasher.update(b"\n");
            hasher.update(&body);
            let request_hash = hex::encode(hasher.finalize());
            let (s, k) = (scope.clone(), key.clone());
            let begun = state
                .db(move |conn| {
                    let now = Utc::now();
                    storage::idempotency::begin(
                        conn,
                        &s,
                        &k,
                        &request_hash,
                        storage::naive(now),
                        storage::naive(now - Duration::hours(KEEP_HOURS)),
                    )
                })
                .await;
            match begun {
                Err(e) => reject(req, e),
                Ok(Begin::Mismatch) => reject(
                    req,
                    ApiError::Invalid(vec![domain::FieldError::new(
                        HEADER,
                        "was already used with a different request body",
                    )]),
                ),
                Ok(Begin::InProgress) => reject(
                    req,
                    ApiError::Conflict(
                        "a request with this Idempotency-Key is still in progress".into(),
                    ),
                ),
                Ok(Begin::Replay {
                    status,
                    content_type,
                    body,
                }) => {
                    let mut res =
                        HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::OK));
                    if let Some(ct) = content_type {
                        res.insert_header((header::CONTENT_TYPE, ct));
                    }
                    res.insert_header(("Idempotent-Replayed", "true"));
                    Ok(req.into_response(res.body(body)))
                }
                Ok(Begin::Fresh) => {
                    req.set_payload(actix_web::dev::Payload::from(body));
                    let res = service.call(req).await?;
                    let status = res.status();
                    let (http_req, response) = res.into_parts();
                    let replay = response.extensions().get::<ReplayBody>().cloned();
                    let content_type = response
                        .headers()
                        .get(header::CONTENT_TYPE)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_string);
                    let (head, resp_body) = response.into_parts();
                    let bytes = to_bytes(resp_body).await.unwrap_or_default();
                    let stored = match &replay {
                        Some(ReplayBody(v)) => v.to_string(),
                        None => String::from_utf8_lossy(&bytes).into_owned(),
                    };
                    let record = state
                        .db(move |conn| {
                            if status.is_server_error() {
                                storage::idempotency::abandon(conn, &scope, &key)
                            } else {
                                storage::idempotency::finish(
                                    conn,
                                    &scope,
                                    &key,
                                    status.as_u16(),
                                    content_type.as_deref(),
                                    &stored,
                                )
                            }
                        })
                        .await;
                    if let Err(e) = record {
                        log::error!("could not record an idempotent response: {e}");
                    }
                    Ok(ServiceResponse::new(
                        http_req,
                        head.set_body(BoxBody::new(bytes)),
                    ))
                }
            }
        })
    }
}
