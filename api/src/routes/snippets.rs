//! Snippets: saved replies every member lists and renders for a contact; owners and managers
//! write them. Their text may hold dynamic variables (`$contact.firstname`,
//! `{{contact.city | "your city"}}`, …); an unknown variable is refused when saving.

use std::collections::BTreeMap;

use actix_web::{delete, get, patch, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use domain::access::Action;
use domain::variables::{AssigneeValues, ContactValues, RenderContext};
use serde::{Deserialize, Serialize};
use storage::snippets::{Snippet, SnippetChange};
use storage::StorageError;
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

use crate::auth::Auth;
use crate::error::ApiResult;
use crate::extract::{PageQuery, Paged, ValidJson};
use crate::state::AppState;

/// Longest snippet text, in characters (a channel message's limit).
pub const MAX_CONTENT_CHARS: usize = 4096;

#[derive(Debug, Serialize, ToSchema)]
pub struct SnippetView {
    pub id: i64,
    /// Unique in the workspace.
    pub name: String,
    /// Text with dynamic variables, as saved.
    pub content: String,
    /// Files of the library sent with the snippet.
    pub file_ids: Vec<i64>,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&Snippet> for SnippetView {
    fn from(s: &Snippet) -> Self {
        SnippetView {
            id: s.id,
            name: s.name.clone(),
            content: s.content.clone(),
            file_ids: s.file_ids(),
            created_by: s.created_by,
            created_at: storage::utc(s.created_at),
            updated_at: storage::utc(s.updated_at),
        }
    }
}

fn snippet_text(v: &str) -> Result<(), ValidationError> {
    let refuse = |m: String| Err(ValidationError::new("invalid").with_message(m.into()));
    if v.trim().is_empty() {
        refuse("must not be empty".into())
    } else if v.chars().count() > MAX_CONTENT_CHARS {
        refuse(format!("must be at most {MAX_CONTENT_CHARS} characters"))
    } else {
        Ok(())
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct NewSnippet {
    #[validate(custom(function = "crate::routes::rules::name"))]
    pub name: String,
    /// 1 to 4096 characters; may use `$contact.*`, `$assignee.*`, `$system.*` and the braced
    /// form with a fallback, `{{contact.firstname | "there"}}`.
    #[validate(custom(function = "snippet_text"))]
    pub content: String,
    /// Ids of files of this workspace's library.
    pub file_ids: Option<Vec<i64>>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct SnippetPatch {
    #[validate(custom(function = "crate::routes::rules::name"))]
    pub name: Option<String>,
    #[validate(custom(function = "snippet_text"))]
    pub content: Option<String>,
    /// Replaces the files.
    pub file_ids: Option<Vec<i64>>,
}

/// The ids once each, in the order given.
fn distinct(ids: Vec<i64>) -> Vec<i64> {
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

/// Refuses text with variables that are neither standard nor a custom field of the workspace,
/// naming each under `content`.
async fn check_variables(state: &AppState, ws: i64, text: &str) -> ApiResult<()> {
    let fields = state
        .db(move |conn| storage::contact_fields::all(conn, ws))
        .await?;
    let keys: Vec<&str> = fields.iter().map(|f| f.field_key.as_str()).collect();
    let unknown = domain::variables::unknown_variables(text, &keys);
    if unknown.is_empty() {
        return Ok(());
    }
    let mut invalid = domain::Invalid::default();
    for name in unknown {
        invalid.push("content", format!("unknown variable {name}"));
    }
    Err(invalid.into())
}

async fn load(state: &AppState, auth: &Auth, id: i64) -> ApiResult<Snippet> {
    let ws = auth.workspace_id;
    state
        .db(move |conn| storage::snippets::get(conn, ws, id))
        .await
}

/// The workspace's snippets in id order.
#[utoipa::path(tag = "snippets", operation_id = "listSnippets", security(("bearer" = [])), params(PageQuery), responses((status = 200, body = Paged<SnippetView>), (status = 422, body = crate::error::Problem)))]
#[get("/snippets")]
pub async fn list_snippets(
    state: web::Data<AppState>,
    auth: Auth,
    q: web::Query<PageQuery>,
) -> ApiResult<web::Json<Paged<SnippetView>>> {
    let (limit, after) = q.resolve()?;
    let ws = auth.workspace_id;
    let page = state
        .db(move |conn| storage::snippets::list(conn, ws, after, limit))
        .await?;
    Ok(web::Json(Paged::new(
        page.items.iter().map(Into::into).collect(),
        page.next_after,
    )))
}

/// One snippet.
#[utoipa::path(tag = "snippets", operation_id = "getSnippet", security(("bearer" = [])), params(("id" = i64, Path)), responses((status = 200, body = SnippetView), (status = 404, body = crate::error::Problem)))]
#[get("/snippets/{id}")]
pub async fn get_snippet(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<i64>,
) -> ApiResult<web::Json<SnippetView>> {
    let snippet = load(&state, &auth, id.into_inner()).await?;
    Ok(web::Json((&snippet).into()))
}

/// Create a snippet (owners and managers).
#[utoipa::path(tag = "snippets", operation_id = "createSnippet", security(("bearer" = [])), request_body = NewSnippet, responses((status = 201, body = SnippetView), (status = 403, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
#[post("/snippets")]
pub async fn create_snippet(
    state: web::Data<AppState>,
    auth: Auth,
    body: ValidJson<NewSnippet>,
) -> ApiResult<HttpResponse> {
    auth.require(Action::ManageSnippets)?;
    let b = body.0;
    let ws = auth.workspace_id;
    check_variables(&state, ws, &b.content).await?;
    let file_ids = distinct(b.file_ids.unwrap_or_default());
    let created_by = auth.user_id;
    let snippet = state
        .db(move |conn| {
            storage::snippets::create(
                conn,
                ws,
                b.name.trim(),
                &b.content,
                &file_ids,
                created_by,
                storage::naive(Utc::now()),
            )
        })
        .await?;
    Ok(HttpResponse::Created().json(SnippetView::from(&snippet)))
}

/// Change a snippet's name, text or files (owners and managers); absent fields stay.
#[utoipa::path(tag = "snippets", operation_id = "updateSnippet", security(("bearer" = [])), params(("id" = i64, Path)), request_body = SnippetPatch, responses((status = 200, body = SnippetView), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
#[patch("/snippets/{id}")]
pub async fn update_snippet(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<i64>,
    body: ValidJson<SnippetPatch>,
) -> ApiResult<web::Json<SnippetView>> {
    auth.require(Action::ManageSnippets)?;
    let b = body.0;
    let (ws, id) = (auth.workspace_id, id.into_inner());
    if let Some(text) = &b.content {
        check_variables(&state, ws, text).await?;
    }
    let change = SnippetChange {
        name: b.name.map(|n| n.trim().to_string()),
        content: b.content,
        file_ids: b.file_ids.map(distinct),
    };
    let snippet = state
        .db(move |conn| storage::snippets::update(conn, ws, id, change, storage::naive(Utc::now())))
        .await?;
    Ok(web::Json((&snippet).into()))
}

/// Delete a snippet (owners and managers).
#[utoipa::path(tag = "snippets", operation_id = "deleteSnippet", security(("bearer" = [])), params(("id" = i64, Path)), responses((status = 204), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
#[delete("/snippets/{id}")]
pub async fn delete_snippet(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    auth.require(Action::ManageSnippets)?;
    let (ws, id) = (auth.workspace_id, id.into_inner());
    state
        .db(move |conn| storage::snippets::delete(conn, ws, id, storage::naive(Utc::now())))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct RenderRequest {
    /// The contact to fill the variables for: `123`, `id:123`, `email:…` or `phone:+…`.
    pub contact: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RenderedSnippet {
    /// The text with every variable replaced by its value, its fallback, or nothing.
    pub text: String,
    /// The snippet's files, to send with the text.
    pub file_ids: Vec<i64>,
}

/// A member's single name as first name and the rest as last name.
fn split_name(name: &str) -> (Option<String>, Option<String>) {
    let mut parts = name.trim().splitn(2, char::is_whitespace);
    let first = parts.next().filter(|s| !s.is_empty()).map(str::to_string);
    let last = parts
        .next()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    (first, last)
}

/// Fill a snippet's variables for a contact the caller can see: the contact's fields and
/// custom fields, its assignee, and the date and time in the workspace's time zone.
#[utoipa::path(tag = "snippets", operation_id = "renderSnippet", security(("bearer" = [])), params(("id" = i64, Path)), request_body = RenderRequest, responses((status = 200, body = RenderedSnippet), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
#[post("/snippets/{id}/render")]
pub async fn render_snippet(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<i64>,
    body: ValidJson<RenderRequest>,
) -> ApiResult<web::Json<RenderedSnippet>> {
    let snippet = load(&state, &auth, id.into_inner()).await?;
    let contact = crate::routes::contacts::load(&state, &auth, &body.0.contact).await?;
    let ws = auth.workspace_id;
    let (detail, assignee, timezone) = state
        .db(move |conn| {
            let detail = storage::contacts::details(conn, vec![contact])?.remove(0);
            let assignee = match detail.contact.assignee_id {
                Some(user) => match storage::accounts::get_user(conn, user) {
                    Ok(u) => Some(u),
                    Err(StorageError::NotFound) => None,
                    Err(e) => return Err(e),
                },
                None => None,
            };
            let workspace = storage::accounts::get_workspace(conn, ws)?;
            Ok((detail, assignee, workspace.timezone))
        })
        .await?;
    let c = detail.contact;
    let contact = ContactValues {
        id: Some(c.id.to_string()),
        firstname: Some(c.first_name),
        lastname: c.last_name,
        email: c.email,
        phone: c.phone,
        country: c.country,
        language: c.language,
        custom: detail
            .fields
            .into_iter()
            .map(|(k, v)| (k, Some(v)))
            .collect::<BTreeMap<_, _>>(),
    };
    let assignee = match assignee {
        Some(u) => {
            let (firstname, lastname) = split_name(&u.name);
            AssigneeValues {
                firstname,
                lastname,
                email: Some(u.email),
            }
        }
        None => AssigneeValues::default(),
    };
    let ctx = RenderContext {
        contact,
        assignee,
        timezone,
        now: Utc::now(),
    };
    Ok(web::Json(RenderedSnippet {
        text: domain::variables::render(&snippet.content, &ctx),
        file_ids: snippet.file_ids(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_names_split_at_the_first_space() {
        let s = |n: &str| split_name(n);
        assert_eq!(s("Ana Lim"), (Some("Ana".into()), Some("Lim".into())));
        assert_eq!(
            s("  Ana  Maria de Souza "),
            (Some("Ana".into()), Some("Maria de Souza".into()))
        );
        assert_eq!(s("Cher"), (Some("Cher".into()), None));
        assert_eq!(s("   "), (None, None));
    }

    #[test]
    fn content_is_one_to_4096_characters() {
        assert!(snippet_text("Hi $contact.firstname").is_ok());
        assert!(snippet_text(" \n ").is_err());
        assert!(snippet_text(&"é".repeat(MAX_CONTENT_CHARS)).is_ok());
        assert!(snippet_text(&"a".repeat(MAX_CONTENT_CHARS + 1)).is_err());
    }

    #[test]
    fn file_ids_are_kept_once_in_order() {
        assert_eq!(distinct(vec![3, 1, 3, 2, 1]), [3, 1, 2]);
    }
}
