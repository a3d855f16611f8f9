//! `ism-floor`: the floor of our own stack for the ingest benchmark. The same actix-web, the
//! same storage pool (and SQLite settings) and write transaction as `ismessenger`, but each
//! webhook request does nothing except parse its JSON and insert one row. Ingest divided by
//! this says what our own logic costs.
//!
//! Environment: `DATABASE_URL`, `ISM_BIND` (default 127.0.0.1:8090), `ISM_WORKERS` (default:
//! cores), `ISM_DB_POOL_SIZE` (default 10), as the real server reads them.

use actix_web::{get, post, web, App, HttpResponse, HttpServer};
use storage::Pool;

fn env_or<T: std::str::FromStr>(key: &str, default: T) -> T {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[post("/webhooks/channels/{id}")]
async fn webhook(
    pool: web::Data<Pool>,
    _id: web::Path<i64>,
    body: web::Json<serde_json::Value>,
) -> HttpResponse {
    let text = body.to_string();
    let pool = pool.into_inner();
    let stored = web::block(move || -> Result<(), String> {
        let mut conn = pool.get().map_err(|e| e.to_string())?;
        storage::write_tx(&mut conn, |conn| bench::db::insert_row(conn, &text))
            .map_err(|e| e.to_string())
    })
    .await;
    match stored {
        Ok(Ok(())) => HttpResponse::Ok().json(serde_json::json!({"received": 1})),
        Ok(Err(e)) => HttpResponse::InternalServerError().body(e),
        Err(e) => HttpResponse::InternalServerError().body(e.to_string()),
    }
}

#[get("/readyz")]
async fn ready() -> HttpResponse {
    HttpResponse::Ok().finish()
}

fn main() -> std::io::Result<()> {
    let url = std::env::var("DATABASE_URL")
        .map_err(|_| std::io::Error::other("DATABASE_URL is required"))?;
    let bind = std::env::var("ISM_BIND").unwrap_or_else(|_| "127.0.0.1:8090".into());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    let workers = env_or("ISM_WORKERS", cores);
    let pool =
        storage::connect(&url, env_or("ISM_DB_POOL_SIZE", 10u32)).map_err(std::io::Error::other)?;
    {
        let mut conn = pool.get().map_err(std::io::Error::other)?;
        bench::db::create_bench_rows(&mut conn).map_err(std::io::Error::other)?;
    }
    let pool = web::Data::new(pool);
    actix_web::rt::System::new().block_on(async move {
        HttpServer::new(move || {
            App::new()
                .app_data(pool.clone())
                .app_data(web::JsonConfig::default().limit(1024 * 1024))
                .service(webhook)
                .service(ready)
        })
        .workers(workers)
        .bind(&bind)?
        .run()
        .await
    })
}
