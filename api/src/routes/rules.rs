//! The domain's input rules as `validator` functions, so request bodies report them with
//! every other field error at once.

use std::borrow::Cow;

use validator::{ValidationError, ValidationErrors, ValidationErrorsKind};

fn refuse(message: impl Into<Cow<'static, str>>) -> ValidationError {
    ValidationError::new("invalid").with_message(message.into())
}

pub fn name(v: &str) -> Result<(), ValidationError> {
    domain::account::normalize_name(v)
        .map(|_| ())
        .map_err(refuse)
}

pub fn email(v: &str) -> Result<(), ValidationError> {
    domain::account::normalize_email(v)
        .map(|_| ())
        .map_err(refuse)
}

pub fn phone(v: &str) -> Result<(), ValidationError> {
    domain::contacts::normalize_phone(v)
        .map(|_| ())
        .map_err(refuse)
}

pub fn tags(v: &[String]) -> Result<(), ValidationError> {
    domain::contacts::normalize_tags(v)
        .map(|_| ())
        .map_err(refuse)
}

pub fn password(v: &str) -> Result<(), ValidationError> {
    domain::account::check_password(v).map_err(refuse)
}

/// A domain rule's field errors in validator's shape (paths kept whole as keys).
pub fn to_validation_errors(invalid: domain::Invalid) -> ValidationErrors {
    let mut errors = ValidationErrors::new();
    for e in invalid.0 {
        let entry = errors
            .0
            .entry(Cow::Owned(e.field))
            .or_insert_with(|| ValidationErrorsKind::Field(vec![]));
        if let ValidationErrorsKind::Field(list) = entry {
            list.push(refuse(e.message));
        }
    }
    errors
}
