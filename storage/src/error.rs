//! What can go wrong below the API, in terms the API can answer.

use diesel::result::{DatabaseErrorKind, Error as DieselError};

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// Missing, or owned by another workspace: the two are never told apart.
    #[error("not found")]
    NotFound,
    /// The change clashes with the current state (a duplicate name, an accepted invitation…).
    #[error("{0}")]
    Conflict(String),
    /// A rule checked inside the transaction refused the change.
    #[error("{0}")]
    Forbidden(String),
    #[error(transparent)]
    Invalid(#[from] domain::Invalid),
    #[error("database error: {0}")]
    Db(DieselError),
    #[error("database setup: {0}")]
    Setup(String),
}

impl StorageError {
    /// A uniqueness clash told in the caller's words; any other error passes through.
    pub fn conflict_means(self, message: &str) -> StorageError {
        match self {
            StorageError::Conflict(_) => StorageError::Conflict(message.into()),
            other => other,
        }
    }
}

impl From<DieselError> for StorageError {
    fn from(e: DieselError) -> Self {
        match e {
            DieselError::NotFound => StorageError::NotFound,
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                StorageError::Conflict("already exists".into())
            }
            other => StorageError::Db(other),
        }
    }
}

impl From<diesel::r2d2::PoolError> for StorageError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        StorageError::Setup(format!("no database connection: {e}"))
    }
}

pub type StorageResult<T> = Result<T, StorageError>;
