//! Operations: liveness, readiness and Prometheus metrics.

use actix_web::{get, web, HttpResponse};
use storage::db::SimpleConnection;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The process is up.
#[utoipa::path(tag = "operations", operation_id = "healthz", responses((status = 200, description = "ok", body = String)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body("ok")
}

/// The database answers: ready for traffic.
#[utoipa::path(tag = "operations", operation_id = "readyz", responses((status = 200, description = "ready", body = String), (status = 503, body = crate::error::Problem)))]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    state
        .db(|conn| {
            conn.batch_execute("SELECT 1")
                .map_err(storage::StorageError::from)
        })
        .await
        .map_err(|e| ApiError::Unavailable(e.to_string()))?;
    Ok(HttpResponse::Ok().content_type("text/plain").body("ready"))
}

/// Prometheus text exposition.
#[utoipa::path(tag = "operations", operation_id = "metrics", responses((status = 200, description = "Prometheus text format", body = String)))]
#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(state.metrics.render(&state.pool))
}
