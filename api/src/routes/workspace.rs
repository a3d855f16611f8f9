//! Workspace settings: read by every member, changed by owners and managers.

use actix_web::{get, patch, web};
use chrono::Utc;
use domain::access::Action;
use domain::workspace::{Settings, SettingsChange};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::{Validate, ValidationErrors};

use crate::auth::Auth;
use crate::error::ApiResult;
use crate::extract::{double_option, ValidJson};
use crate::routes::views::{BusinessHoursView, ClosingNotesModeName, WorkspaceView};
use crate::state::AppState;

/// The workspace of the caller.
#[utoipa::path(tag = "workspace", operation_id = "getWorkspace", security(("bearer" = [])), responses((status = 200, body = WorkspaceView)))]
#[get("/workspace")]
pub async fn get_workspace(
    state: web::Data<AppState>,
    auth: Auth,
) -> ApiResult<web::Json<WorkspaceView>> {
    let ws = auth.workspace_id;
    let workspace = state
        .db(move |conn| storage::accounts::get_workspace(conn, ws))
        .await?;
    Ok(web::Json((&workspace).into()))
}

/// Fields to change; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
pub struct WorkspacePatch {
    pub name: Option<String>,
    /// An IANA time zone such as `Asia/Kuala_Lumpur`.
    pub timezone: Option<String>,
    #[schema(inline)]
    pub closing_notes_mode: Option<ClosingNotesModeName>,
    pub unassign_on_close: Option<bool>,
    /// 1 to 129600 minutes, or null to never auto-close.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub auto_close_after_minutes: Option<Option<i64>>,
    pub business_hours: Option<BusinessHoursView>,
}

impl WorkspacePatch {
    fn change(&self) -> SettingsChange {
        SettingsChange {
            name: self.name.clone(),
            timezone: self.timezone.clone(),
            closing_notes_mode: self.closing_notes_mode.map(Into::into),
            unassign_on_close: self.unassign_on_close,
            auto_close_after_minutes: self.auto_close_after_minutes,
            business_hours: self.business_hours.clone().map(Into::into),
        }
    }
}

/// The domain's settings rules, run with the body checks so every bad field is named at once.
impl Validate for WorkspacePatch {
    fn validate(&self) -> Result<(), ValidationErrors> {
        match Settings::new("workspace".into()).apply(self.change()) {
            Ok(_) => Ok(()),
            Err(invalid) => Err(crate::routes::rules::to_validation_errors(invalid)),
        }
    }
}

/// Change workspace settings (owners and managers).
#[utoipa::path(
    tag = "workspace",
    operation_id = "updateWorkspace",
    security(("bearer" = [])),
    request_body = WorkspacePatch,
    responses((status = 200, body = WorkspaceView), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem))
)]
#[patch("/workspace")]
pub async fn update_workspace(
    state: web::Data<AppState>,
    auth: Auth,
    body: ValidJson<WorkspacePatch>,
) -> ApiResult<web::Json<WorkspaceView>> {
    auth.require(Action::UpdateWorkspace)?;
    let ws = auth.workspace_id;
    let change = body.0.change();
    let workspace = state
        .db(move |conn| {
            // Read, decide and write under one write transaction so concurrent PATCHes compose.
            storage::write_tx(conn, |conn| {
                let current = storage::accounts::get_workspace(conn, ws)?;
                let next = current.settings().apply(change)?;
                storage::accounts::update_settings(conn, ws, &next, storage::naive(Utc::now()))
            })
        })
        .await?;
    Ok(web::Json((&workspace).into()))
}
