//! Every error the API answers, as RFC 9457 `application/problem+json`.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use domain::FieldError;
use serde::Serialize;
use storage::StorageError;
use utoipa::ToSchema;

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI reference naming the kind of problem (`about:blank` when the status says it all).
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Present on 422: every offending field and why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<ProblemField>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemField {
    /// The field's path in the request, e.g. `email` or `business_hours.intervals[0].end`.
    pub field: String,
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("the resource does not exist")]
    NotFound,
    #[error("{0}")]
    MethodNotAllowed(String),
    #[error("{0}")]
    Conflict(String),
    /// A free-form message outside the channel's messaging window.
    #[error("{0}")]
    WindowClosed(String),
    #[error("the request body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("the request has invalid fields")]
    Invalid(Vec<FieldError>),
    #[error("{detail}")]
    TooManyRequests {
        detail: String,
        retry_after_secs: u64,
    },
    #[error("{0}")]
    Unavailable(String),
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    pub fn invalid(field: &str, message: &str) -> Self {
        ApiError::Invalid(vec![FieldError::new(field, message)])
    }

    pub fn internal(e: impl std::fmt::Display) -> Self {
        ApiError::Internal(e.to_string())
    }

    /// What the client is told; the cause of a server-side failure goes to the log instead.
    pub fn detail(&self) -> String {
        match self {
            ApiError::Internal(cause) => {
                log::error!("internal error: {cause}");
                "the server failed to handle the request".to_string()
            }
            ApiError::Unavailable(cause) => {
                log::error!("unavailable: {cause}");
                "the service is temporarily unavailable".to_string()
            }
            other => other.to_string(),
        }
    }

    /// The offending fields of a 422.
    pub fn field_errors(&self) -> Option<Vec<ProblemField>> {
        match self {
            ApiError::Invalid(fields) => Some(
                fields
                    .iter()
                    .map(|f| ProblemField {
                        field: f.field.clone(),
                        message: f.message.clone(),
                    })
                    .collect(),
            ),
            _ => None,
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            ApiError::Invalid(_) => "/problems/validation",
            ApiError::TooManyRequests { .. } => "/problems/rate-limited",
            ApiError::WindowClosed(_) => "/problems/messaging-window-closed",
            _ => "about:blank",
        }
    }
}

impl From<StorageError> for ApiError {
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::NotFound => ApiError::NotFound,
            StorageError::Conflict(m) => ApiError::Conflict(m),
            StorageError::Forbidden(m) => ApiError::Forbidden(m),
            StorageError::Invalid(i) => ApiError::Invalid(i.0),
            StorageError::Setup(m) => ApiError::Unavailable(m),
            StorageError::Db(e) => ApiError::Internal(e.to_string()),
        }
    }
}

impl From<domain::Invalid> for ApiError {
    fn from(e: domain::Invalid) -> Self {
        ApiError::Invalid(e.0)
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        ApiError::Internal(e.to_string())
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict(_) | ApiError::WindowClosed(_) => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let detail = self.detail();
        let errors = self.field_errors();
        let problem = Problem {
            kind: self.kind().into(),
            title: status.canonical_reason().unwrap_or("Error").into(),
            status: status.as_u16(),
            detail,
            errors,
        };
        let mut res = HttpResponse::build(status);
        res.content_type("application/problem+json");
        match self {
            ApiError::TooManyRequests {
                retry_after_secs, ..
            } => {
                res.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            ApiError::Unauthorized(_) => {
                res.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            _ => {}
        }
        res.body(serde_json::to_string(&problem).unwrap_or_default())
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
