//! Attachments on the way out (a signed link to the stored file) and on the way in (fetched
//! into the file store).

use std::sync::Arc;

use serde_json::Value;
use storage::messages::Message;

use crate::state::AppState;

/// The wire `message` of an outgoing attachment.
pub async fn outbound(
    _state: &Arc<AppState>,
    _m: &Message,
    _voice_notes: bool,
) -> Result<Value, String> {
    Err("attachments cannot be sent yet".into())
}

/// The body of an outgoing attachment message from the file library.
pub async fn outgoing_body(
    _state: &AppState,
    _ws: i64,
    _file_ids: Vec<i64>,
    _caption: Option<String>,
    _voice: bool,
    _duration: Option<u32>,
) -> crate::error::ApiResult<storage::messages::Body> {
    Err(crate::error::ApiError::invalid(
        "type",
        "attachments cannot be sent yet",
    ))
}
