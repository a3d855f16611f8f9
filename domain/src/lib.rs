//! IS-Messenger's business rules as pure functions: no IO, no clock, no framework.
//! Time comes in as a parameter; storage and HTTP live in the crates above.

pub mod access;
pub mod account;
pub mod categories;
pub mod closing;
pub mod contacts;
pub mod inbox_filters;
pub mod jobs;
pub mod messages;
pub mod net;
pub mod validation;
pub mod variables;
pub mod windows;
pub mod workspace;

pub use validation::{FieldError, Invalid};
