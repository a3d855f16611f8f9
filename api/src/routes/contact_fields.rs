//! Custom contact fields: every member reads them; owners and managers define them; only
//! owners delete them (with every value).

use actix_web::{delete, get, patch, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use domain::access::Action;
use domain::contacts::{check_field_key, check_list_options, FieldType};
use serde::{Deserialize, Serialize};
use storage::contact_fields::ContactField;
use utoipa::ToSchema;
use validator::Validate;

use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::extract::ValidJson;
use crate::state::AppState;

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FieldTypeName {
    Text,
    Number,
    Date,
    List,
    Checkbox,
    Email,
    Url,
    Phone,
}

impl FieldTypeName {
    fn domain(self) -> FieldType {
        match self {
            FieldTypeName::Text => FieldType::Text,
            FieldTypeName::Number => FieldType::Number,
            FieldTypeName::Date => FieldType::Date,
            FieldTypeName::List => FieldType::List,
            FieldTypeName::Checkbox => FieldType::Checkbox,
            FieldTypeName::Email => FieldType::Email,
            FieldTypeName::Url => FieldType::Url,
            FieldTypeName::Phone => FieldType::Phone,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ContactFieldView {
    pub id: i64,
    /// Used in the API (`fields.{key}`) and in variables (`$contact.{key}`).
    pub key: String,
    pub name: String,
    #[serde(rename = "type")]
    #[schema(value_type = FieldTypeName)]
    pub field_type: String,
    /// The choices of a `list` field.
    pub options: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&ContactField> for ContactFieldView {
    fn from(f: &ContactField) -> Self {
        ContactFieldView {
            id: f.id,
            key: f.field_key.clone(),
            name: f.name.clone(),
            field_type: f.field_type.clone(),
            options: f.options(),
            created_at: storage::utc(f.created_at),
            updated_at: storage::utc(f.updated_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ContactFieldList {
    pub items: Vec<ContactFieldView>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct NewContactField {
    #[validate(custom(function = "field_key"))]
    pub key: String,
    #[validate(custom(function = "crate::routes::rules::name"))]
    pub name: String,
    #[serde(rename = "type")]
    #[schema(inline)]
    pub field_type: FieldTypeName,
    /// Required for `list` fields, refused for others.
    #[validate(custom(function = "list_options"))]
    pub options: Option<Vec<String>>,
}

fn field_key(v: &str) -> Result<(), validator::ValidationError> {
    check_field_key(v)
        .map_err(|m| validator::ValidationError::new("invalid").with_message(m.into()))
}

fn list_options(v: &[String]) -> Result<(), validator::ValidationError> {
    check_list_options(v)
        .map(|_| ())
        .map_err(|m| validator::ValidationError::new("invalid").with_message(m.into()))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct ContactFieldPatch {
    #[validate(custom(function = "crate::routes::rules::name"))]
    pub name: Option<String>,
    /// Replaces a `list` field's options.
    #[validate(custom(function = "list_options"))]
    pub options: Option<Vec<String>>,
}

/// Every custom contact field of the workspace.
#[utoipa::path(tag = "contacts", operation_id = "listContactFields", security(("bearer" = [])), responses((status = 200, body = ContactFieldList)))]
#[get("/contact-fields")]
pub async fn list_fields(
    state: web::Data<AppState>,
    auth: Auth,
) -> ApiResult<web::Json<ContactFieldList>> {
    let ws = auth.workspace_id;
    let fields = state
        .db(move |conn| storage::contact_fields::all(conn, ws))
        .await?;
    Ok(web::Json(ContactFieldList {
        items: fields.iter().map(Into::into).collect(),
    }))
}

/// Define a custom contact field (owners and managers). The key and type never change.
#[utoipa::path(tag = "contacts", operation_id = "createContactField", security(("bearer" = [])), request_body = NewContactField, responses((status = 201, body = ContactFieldView), (status = 403, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
#[post("/contact-fields")]
pub async fn create_field(
    state: web::Data<AppState>,
    auth: Auth,
    body: ValidJson<NewContactField>,
) -> ApiResult<HttpResponse> {
    auth.require(Action::ManageContactFields)?;
    let b = body.0;
    let field_type = b.field_type.domain();
    let options = match (field_type, b.options) {
        (FieldType::List, Some(o)) => {
            check_list_options(&o).map_err(|m| ApiError::invalid("options", &m))?
        }
        (FieldType::List, None) => {
            return Err(ApiError::invalid("options", "is required for a list field"))
        }
        (_, Some(_)) => {
            return Err(ApiError::invalid(
                "options",
                "only list fields have options",
            ))
        }
        (_, None) => vec![],
    };
    let ws = auth.workspace_id;
    let field = state
        .db(move |conn| {
            storage::contact_fields::create(
                conn,
                ws,
                &b.key,
                b.name.trim(),
                field_type.as_str(),
                &options,
                storage::naive(Utc::now()),
            )
        })
        .await?;
    Ok(HttpResponse::Created().json(ContactFieldView::from(&field)))
}

/// Rename a field or change a list's options (owners and managers).
#[utoipa::path(tag = "contacts", operation_id = "updateContactField", security(("bearer" = [])), params(("id" = i64, Path)), request_body = ContactFieldPatch, responses((status = 200, body = ContactFieldView), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
#[patch("/contact-fields/{id}")]
pub async fn update_field(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<i64>,
    body: ValidJson<ContactFieldPatch>,
) -> ApiResult<web::Json<ContactFieldView>> {
    auth.require(Action::ManageContactFields)?;
    let (ws, id) = (auth.workspace_id, id.into_inner());
    let b = body.0;
    let field = state
        .db(move |conn| {
            let current = storage::contact_fields::get(conn, ws, id)?;
            if b.options.is_some() && current.field_type != FieldType::List.as_str() {
                return Err(
                    domain::Invalid::one("options", "only list fields have options").into(),
                );
            }
            let name = b.name.as_deref().map(str::trim);
            storage::contact_fields::update(
                conn,
                ws,
                id,
                name,
                b.options.as_deref(),
                storage::naive(Utc::now()),
            )
        })
        .await?;
    Ok(web::Json((&field).into()))
}

/// Delete a field and all its values (owners only).
#[utoipa::path(tag = "contacts", operation_id = "deleteContactField", security(("bearer" = [])), params(("id" = i64, Path)), responses((status = 204), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
#[delete("/contact-fields/{id}")]
pub async fn delete_field(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    auth.require(Action::DeleteContactField)?;
    let (ws, id) = (auth.workspace_id, id.into_inner());
    state
        .db(move |conn| storage::contact_fields::delete(conn, ws, id, storage::naive(Utc::now())))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
