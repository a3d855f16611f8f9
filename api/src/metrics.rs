//! Prometheus metrics: requests by route and status, latency, pool usage, SSE clients.

use std::future::{ready, Ready};
use std::rc::Rc;
use std::time::Instant;

use actix_web::dev::{forward_ready, Service, ServiceRequest, ServiceResponse, Transform};
use futures_util::future::LocalBoxFuture;
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
    TextEncoder,
};

pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    pool: IntGaugeVec,
    pub sse_clients: IntGauge,
}

impl Metrics {
    pub fn new() -> Metrics {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "ism_http_requests_total",
                "HTTP requests by route pattern, method and status",
            ),
            &["route", "method", "status"],
        )
        .expect("valid metric");
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "ism_http_request_duration_seconds",
                "HTTP request latency by route pattern",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
            ]),
            &["route"],
        )
        .expect("valid metric");
        let pool = IntGaugeVec::new(
            Opts::new(
                "ism_db_pool_connections",
                "Database pool connections by state",
            ),
            &["state"],
        )
        .expect("valid metric");
        let sse_clients = IntGauge::new("ism_sse_clients", "Connected Server-Sent Events clients")
            .expect("valid metric");
        for c in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(latency.clone()),
            Box::new(pool.clone()),
            Box::new(sse_clients.clone()),
        ] {
            registry.register(c).expect("metric registered once");
        }
        Metrics {
            registry,
            requests,
            latency,
            pool,
            sse_clients,
        }
    }

    /// The text exposition, with the pool gauges read now.
    pub fn render(&self, pool: &storage::Pool) -> String {
        let state = pool.state();
        self.pool
            .with_label_values(&["idle"])
            .set(state.idle_connections as i64);
        self.pool
            .with_label_values(&["in_use"])
            .set((state.connections - state.idle_connections) as i64);
        self.pool
            .with_label_values(&["max"])
            .set(pool.max_size() as i64);
        let mut out = Vec::new();
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut out);
        String::from_utf8(out).unwrap_or_default()
    }

    fn observe(&self, route: &str, method: &str, status: u16, started: Instant) {
        self.requests
            .with_label_values(&[route, method, &status.to_string()])
            .inc();
        self.latency
            .with_label_values(&[route])
            .observe(started.elapsed().as_secs_f64());
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

/// Middleware recording every request under its route pattern (never the raw path, which
/// would make one series per id).
pub struct RecordMetrics(pub std::sync::Arc<Metrics>);

impl<S, B> Transform<S, ServiceRequest> for RecordMetrics
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<B>;
    type Error = actix_web::Error;
    type Transform = RecordMetricsService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(RecordMetricsService {
            service: Rc::new(service),
            metrics: self.0.clone(),
        }))
    }
}

pub struct RecordMetricsService<S> {
    service: Rc<S>,
    metrics: std::sync::Arc<Metrics>,
}

impl<S, B> Service<ServiceRequest> for RecordMetricsService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<B>;
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let started = Instant::now();
        let method = req.method().to_string();
        let metrics = self.metrics.clone();
        let fut = self.service.call(req);
        Box::pin(async move {
            let res = fut.await?;
            let route = res
                .request()
                .match_pattern()
                .unwrap_or_else(|| "unmatched".into());
            metrics.observe(&route, &method, res.status().as_u16(), started);
            Ok(res)
        })
    }
}
