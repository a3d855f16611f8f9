//! Contacts: create, find (`123`, `id:123`, `email:…`, `phone:+…`), search, change, tag,
//! assign, delete, and their activity history. Restricted agents see only their contacts.

use std::collections::BTreeMap;

use actix_web::{delete, get, patch, post, put, web, HttpResponse};
use chrono::{DateTime, Utc};
use domain::access::{Action, Actor, Role};
use domain::contacts::{
    check_value, normalize_phone, normalize_tags, phone_search_digits, FieldType,
};
use serde::{Deserialize, Serialize};
use storage::contacts::{
    ActorRef, AssigneeFilter, ContactChange, ContactDetail, ContactRef, FieldValue, ListFilter,
    Visibility,
};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::extract::{double_option, PageQuery, Paged, ValidJson};
use crate::routes::thread_views::{
    identity_view, reply_window, ContactChannelView, ConversationView, ReplyWindowView,
};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct AssigneeView {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ContactView {
    pub id: i64,
    pub first_name: String,
    pub last_name: Option<String>,
    /// First and last name.
    pub name: String,
    pub email: Option<String>,
    /// E.164.
    pub phone: Option<String>,
    pub language: Option<String>,
    pub country: Option<String>,
    pub profile_pic: Option<String>,
    pub assignee: Option<AssigneeView>,
    pub tags: Vec<String>,
    /// Custom field values by key, as stored text.
    pub fields: BTreeMap<String, String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub last_interaction_at: Option<DateTime<Utc>>,
    /// The contact's identities on channels.
    pub channels: Vec<ContactChannelView>,
    /// The open conversation, if any.
    pub open_conversation: Option<ConversationView>,
    /// The messaging window of each of the contact's channels, for a person replying now.
    pub reply_window: Vec<ReplyWindowView>,
}

impl From<ContactDetail> for ContactView {
    fn from(d: ContactDetail) -> Self {
        let c = d.contact;
        let name = format!(
            "{} {}",
            c.first_name,
            c.last_name.clone().unwrap_or_default()
        )
        .trim()
        .to_string();
        let now = Utc::now();
        ContactView {
            channels: d
                .channels
                .iter()
                .map(|(i, ch)| identity_view(i, ch))
                .collect(),
            reply_window: d
                .channels
                .iter()
                .map(|(i, ch)| reply_window(ch, i.last_incoming_at.map(storage::utc), now))
                .collect(),
            open_conversation: d.open_conversation.as_ref().map(ConversationView::from),
            id: c.id,
            name,
            first_name: c.first_name,
            last_name: c.last_name,
            email: c.email,
            phone: c.phone,
            language: c.language,
            country: c.country,
            profile_pic: c.profile_pic,
            assignee: c.assignee_id.map(|id| AssigneeView {
                id,
                name: d.assignee_name.unwrap_or_default(),
            }),
            tags: d.tags,
            fields: d.fields,
            created_at: storage::utc(c.created_at),
            updated_at: storage::utc(c.updated_at),
            last_interaction_at: c.last_interaction_at.map(storage::utc),
        }
    }
}

/// Parses a `{contact}` path segment; anything unparseable is simply not found.
pub fn parse_ref(raw: &str) -> ApiResult<ContactRef> {
    let raw = raw.trim();
    if let Some(rest) = raw.strip_prefix("email:") {
        return domain::account::normalize_email(rest)
            .map(ContactRef::Email)
            .map_err(|_| ApiError::NotFound);
    }
    if let Some(rest) = raw.strip_prefix("phone:") {
        return normalize_phone(rest)
            .map(ContactRef::Phone)
            .map_err(|_| ApiError::NotFound);
    }
    raw.strip_prefix("id:")
        .unwrap_or(raw)
        .parse()
        .map(ContactRef::Id)
        .map_err(|_| ApiError::NotFound)
}

/// The contacts the caller may see: restricted agents only their own or their team's.
pub async fn visibility(state: &AppState, auth: &Auth) -> ApiResult<Visibility> {
    match (auth.actor, auth.user_id) {
        (Actor::Member(Role::Agent), Some(uid)) => {
            let ws = auth.workspace_id;
            state
                .db(move |conn| {
                    let m = storage::accounts::membership(conn, ws, uid)?;
                    storage::contacts::visibility_of(conn, ws, uid, &m.contact_visibility)
                })
                .await
        }
        _ => Ok(Visibility::All),
    }
}

pub fn actor_ref(auth: &Auth) -> ActorRef<'static> {
    match (auth.user_id, auth.api_token_id) {
        (Some(u), _) => ActorRef {
            kind: "user",
            id: Some(u),
        },
        (_, Some(t)) => ActorRef {
            kind: "api",
            id: Some(t),
        },
        _ => ActorRef {
            kind: "system",
            id: None,
        },
    }
}

/// Resolves a contact the caller may see, or 404.
pub async fn load(
    state: &AppState,
    auth: &Auth,
    raw: &str,
) -> ApiResult<storage::contacts::Contact> {
    let r = parse_ref(raw)?;
    let v = visibility(state, auth).await?;
    let ws = auth.workspace_id;
    state
        .db(move |conn| storage::contacts::resolve(conn, ws, &r, &v))
        .await
}

/// Checks custom values against the workspace's field definitions.
async fn field_values(
    state: &AppState,
    ws: i64,
    given: Option<BTreeMap<String, serde_json::Value>>,
) -> ApiResult<Vec<FieldValue>> {
    let Some(given) = given.filter(|g| !g.is_empty()) else {
        return Ok(vec![]);
    };
    let defs = state
        .db(move |conn| storage::contact_fields::all(conn, ws))
        .await?;
    let mut invalid = domain::Invalid::default();
    let mut out = vec![];
    for (key, value) in given {
        let at = format!("fields.{key}");
        let Some(def) = defs.iter().find(|d| d.field_key == key) else {
            invalid.push(at, "is not a contact field of this workspace");
            continue;
        };
        let field_type = FieldType::parse(&def.field_type).unwrap_or(FieldType::Text);
        match check_value(field_type, &def.options(), &value) {
            Ok(value) => out.push(FieldValue {
                field_id: def.id,
                key: def.field_key.clone(),
                value,
            }),
            Err(m) => invalid.push(at, m),
        }
    }
    invalid.into_result()?;
    Ok(out)
}

fn normalized(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct NewContact {
    #[validate(custom(function = "crate::routes::rules::name"))]
    pub first_name: String,
    pub last_name: Option<String>,
    #[validate(custom(function = "crate::routes::rules::email"))]
    pub email: Option<String>,
    /// With country code; stored as E.164.
    #[validate(custom(function = "crate::routes::rules::phone"))]
    pub phone: Option<String>,
    pub language: Option<String>,
    pub country: Option<String>,
    pub profile_pic: Option<String>,
    /// Custom field values by key.
    #[schema(value_type = Option<Object>)]
    pub fields: Option<BTreeMap<String, serde_json::Value>>,
    #[validate(custom(function = "crate::routes::rules::tags"))]
    pub tags: Option<Vec<String>>,
}

/// Create a contact.
#[utoipa::path(tag = "contacts", operation_id = "createContact", security(("bearer" = [])), request_body = NewContact, responses((status = 201, body = ContactView), (status = 422, body = crate::error::Problem)))]
#[post("/contacts")]
pub async fn create_contact(
    state: web::Data<AppState>,
    auth: Auth,
    body: ValidJson<NewContact>,
) -> ApiResult<HttpResponse> {
    let b = body.0;
    let ws = auth.workspace_id;
    let fields = field_values(&state, ws, b.fields).await?;
    let tags =
        normalize_tags(&b.tags.unwrap_or_default()).map_err(|m| ApiError::invalid("tags", &m))?;
    let change = ContactChange {
        first_name: Some(b.first_name.trim().to_string()),
        last_name: Some(normalized(b.last_name)),
        email: Some(
            b.email
                .as_deref()
                .map(domain::account::normalize_email)
                .transpose()
                .map_err(|m| ApiError::invalid("email", m))?,
        ),
        phone: Some(
            b.phone
                .as_deref()
                .map(normalize_phone)
                .transpose()
                .map_err(|m| ApiError::invalid("phone", &m))?,
        ),
        language: Some(normalized(b.language)),
        country: Some(normalized(b.country)),
        profile_pic: Some(normalized(b.profile_pic)),
    };
    let actor = actor_ref(&auth);
    let detail = state
        .db(move |conn| {
            storage::contacts::create(
                conn,
                ws,
                change,
                &fields,
                &tags,
                actor,
                storage::naive(Utc::now()),
            )
        })
        .await?;
    Ok(HttpResponse::Created().json(ContactView::from(detail)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContactQuery {
    /// Name (partial, any case), e-mail, phone (with or without `+`, spaces or dashes) or id.
    pub search: Option<String>,
    /// Only contacts with this tag.
    pub tag: Option<String>,
    /// `me`, `unassigned` or a user id.
    pub assignee: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// The search terms a `?search=` stands for: id, e-mail, or name/phone/id alternatives.
pub fn search_filter(q: &str) -> ListFilter {
    let q = q.trim();
    let mut f = ListFilter::default();
    if let Some(id) = q.strip_prefix("id:") {
        f.id = Some(id.trim().parse().unwrap_or(-1));
    } else if q.contains('@') {
        f.email = Some(q.to_lowercase());
    } else {
        f.name_like = Some(q.to_lowercase());
        f.phone_digits = phone_search_digits(q);
        f.id = q.parse().ok();
    }
    f
}

/// `?assignee=me|unassigned|<user id>`.
pub fn assignee_filter(auth: &Auth, raw: Option<&str>) -> ApiResult<Option<AssigneeFilter>> {
    Ok(match raw.map(str::trim) {
        None | Some("") => None,
        Some("unassigned") => Some(AssigneeFilter::Unassigned),
        Some("me") => Some(AssigneeFilter::User(auth.member()?)),
        Some(id) => Some(AssigneeFilter::User(id.parse().map_err(|_| {
            ApiError::invalid("assignee", "must be me, unassigned or a user id")
        })?)),
    })
}

/// Contacts in id order, searched and filtered.
#[utoipa::path(tag = "contacts", operation_id = "listContacts", security(("bearer" = [])), params(ContactQuery), responses((status = 200, body = Paged<ContactView>), (status = 422, body = crate::error::Problem)))]
#[get("/contacts")]
pub async fn list_contacts(
    state: web::Data<AppState>,
    auth: Auth,
    q: web::Query<ContactQuery>,
) -> ApiResult<web::Json<Paged<ContactView>>> {
    let q = q.into_inner();
    let (limit, after) = PageQuery {
        limit: q.limit,
        cursor: q.cursor,
    }
    .resolve()?;
    let mut filter = q
        .search
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(search_filter)
        .unwrap_or_default();
    filter.tag = q.tag.filter(|t| !t.trim().is_empty());
    filter.assignee = assignee_filter(&auth, q.assignee.as_deref())?;
    let v = visibility(&state, &auth).await?;
    let ws = auth.workspace_id;
    let page = state
        .db(move |conn| storage::contacts::list(conn, ws, &filter, &v, after, limit))
        .await?;
    Ok(web::Json(Paged::new(
        page.items.into_iter().map(Into::into).collect(),
        page.next_after,
    )))
}

/// One contact.
#[utoipa::path(tag = "contacts", operation_id = "getContact", security(("bearer" = [])), params(("contact" = String, Path, description = "`123`, `id:123`, `email:…` or `phone:+…`")), responses((status = 200, body = ContactView), (status = 404, body = crate::error::Problem)))]
#[get("/contacts/{contact}")]
pub async fn get_contact(
    state: web::Data<AppState>,
    auth: Auth,
    contact: web::Path<String>,
) -> ApiResult<web::Json<ContactView>> {
    let c = load(&state, &auth, &contact).await?;
    let detail = state
        .db(move |conn| storage::contacts::details(conn, vec![c]))
        .await?
        .remove(0);
    Ok(web::Json(detail.into()))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct ContactPatch {
    #[validate(custom(function = "crate::routes::rules::name"))]
    pub first_name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub last_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub language: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub country: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub profile_pic: Option<Option<String>>,
    /// Values by key; `null` clears one.
    #[schema(value_type = Option<Object>)]
    pub fields: Option<BTreeMap<String, serde_json::Value>>,
}

/// Change a contact's fields; absent fields stay, `null` clears.
#[utoipa::path(tag = "contacts", operation_id = "updateContact", security(("bearer" = [])), params(("contact" = String, Path)), request_body = ContactPatch, responses((status = 200, body = ContactView), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
#[patch("/contacts/{contact}")]
pub async fn update_contact(
    state: web::Data<AppState>,
    auth: Auth,
    contact: web::Path<String>,
    body: ValidJson<ContactPatch>,
) -> ApiResult<web::Json<ContactView>> {
    let c = load(&state, &auth, &contact).await?;
    let b = body.0;
    let mut invalid = domain::Invalid::default();
    let email = b.email.map(|e| {
        e.map(|e| {
            domain::account::normalize_email(&e)
                .map_err(|m| invalid.push("email", m))
                .unwrap_or_default()
        })
    });
    let phone = b.phone.map(|p| {
        p.map(|p| {
            normalize_phone(&p)
                .map_err(|m| invalid.push("phone", m))
                .unwrap_or_default()
        })
    });
    invalid.into_result()?;
    let ws = auth.workspace_id;
    let fields = field_values(&state, ws, b.fields).await?;
    let change = ContactChange {
        first_name: b.first_name.map(|f| f.trim().to_string()),
        last_name: b.last_name.map(normalized),
        email,
        phone,
        language: b.language.map(normalized),
        country: b.country.map(normalized),
        profile_pic: b.profile_pic.map(normalized),
    };
    let actor = actor_ref(&auth);
    let detail = state
        .db(move |conn| {
            storage::contacts::update(
                conn,
                ws,
                c.id,
                change,
                &fields,
                actor,
                storage::naive(Utc::now()),
            )
        })
        .await?;
    Ok(web::Json(detail.into()))
}

/// Delete a contact with its history (owners and managers).
#[utoipa::path(tag = "contacts", operation_id = "deleteContact", security(("bearer" = [])), params(("contact" = String, Path)), responses((status = 204), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
#[delete("/contacts/{contact}")]
pub async fn delete_contact(
    state: web::Data<AppState>,
    auth: Auth,
    contact: web::Path<String>,
) -> ApiResult<HttpResponse> {
    auth.require(Action::DeleteContact)?;
    let c = load(&state, &auth, &contact).await?;
    let ws = auth.workspace_id;
    state
        .db(move |conn| storage::contacts::delete(conn, ws, c.id, storage::naive(Utc::now())))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct TagsRequest {
    #[validate(custom(function = "crate::routes::rules::tags"))]
    pub tags: Vec<String>,
}

async fn change_tags(
    state: &AppState,
    auth: &Auth,
    contact: &str,
    body: TagsRequest,
    add: bool,
) -> ApiResult<ContactView> {
    let c = load(state, auth, contact).await?;
    let tags = normalize_tags(&body.tags).map_err(|m| ApiError::invalid("tags", &m))?;
    let (ws, actor) = (auth.workspace_id, actor_ref(auth));
    let detail = state
        .db(move |conn| {
            storage::contacts::change_tags(
                conn,
                ws,
                c.id,
                &tags,
                add,
                actor,
                storage::naive(Utc::now()),
            )
        })
        .await?;
    Ok(detail.into())
}

/// Add tags to a contact (new tags join the workspace's list).
#[utoipa::path(tag = "contacts", operation_id = "addContactTags", security(("bearer" = [])), params(("contact" = String, Path)), request_body = TagsRequest, responses((status = 200, body = ContactView), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
#[post("/contacts/{contact}/tags")]
pub async fn add_tags(
    state: web::Data<AppState>,
    auth: Auth,
    contact: web::Path<String>,
    body: ValidJson<TagsRequest>,
) -> ApiResult<web::Json<ContactView>> {
    Ok(web::Json(
        change_tags(&state, &auth, &contact, body.0, true).await?,
    ))
}

/// Remove tags from a contact.
#[utoipa::path(tag = "contacts", operation_id = "removeContactTags", security(("bearer" = [])), params(("contact" = String, Path)), request_body = TagsRequest, responses((status = 200, body = ContactView), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
#[delete("/contacts/{contact}/tags")]
pub async fn remove_tags(
    state: web::Data<AppState>,
    auth: Auth,
    contact: web::Path<String>,
    body: ValidJson<TagsRequest>,
) -> ApiResult<web::Json<ContactView>> {
    Ok(web::Json(
        change_tags(&state, &auth, &contact, body.0, false).await?,
    ))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct AssigneeRequest {
    /// A member's user id, or null to unassign.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub user_id: Option<Option<i64>>,
}

/// Assign the contact to a member, or unassign it with `{"user_id": null}`.
#[utoipa::path(tag = "contacts", operation_id = "setContactAssignee", security(("bearer" = [])), params(("contact" = String, Path)), request_body = AssigneeRequest, responses((status = 200, body = ContactView), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
#[put("/contacts/{contact}/assignee")]
pub async fn set_assignee(
    state: web::Data<AppState>,
    auth: Auth,
    contact: web::Path<String>,
    body: ValidJson<AssigneeRequest>,
) -> ApiResult<web::Json<ContactView>> {
    let assignee = body
        .0
        .user_id
        .ok_or_else(|| ApiError::invalid("user_id", "is required (null to unassign)"))?;
    let c = load(&state, &auth, &contact).await?;
    let (ws, actor) = (auth.workspace_id, actor_ref(&auth));
    let detail = state
        .db(move |conn| {
            storage::contacts::set_assignee(
                conn,
                ws,
                c.id,
                assignee,
                actor,
                storage::naive(Utc::now()),
            )
        })
        .await?;
    Ok(web::Json(detail.into()))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityView {
    pub id: i64,
    /// `created`, `field_changed`, `tag_added`, `tag_removed`, `assigned`, `unassigned`, …
    pub kind: String,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
    /// Who did it: `user`, `api`, `workflow`, `contact` or `system`.
    pub actor_type: String,
    pub actor_id: Option<i64>,
    pub created_at: DateTime<Utc>,
}

impl From<&storage::contacts::Activity> for ActivityView {
    fn from(a: &storage::contacts::Activity) -> Self {
        ActivityView {
            id: a.id,
            kind: a.kind.clone(),
            detail: serde_json::from_str(&a.detail).unwrap_or_default(),
            actor_type: a.actor_type.clone(),
            actor_id: a.actor_id,
            created_at: storage::utc(a.created_at),
        }
    }
}

/// The contact's history, newest first.
#[utoipa::path(tag = "contacts", operation_id = "listContactActivity", security(("bearer" = [])), params(("contact" = String, Path), PageQuery), responses((status = 200, body = Paged<ActivityView>), (status = 404, body = crate::error::Problem)))]
#[get("/contacts/{contact}/activity")]
pub async fn list_activity(
    state: web::Data<AppState>,
    auth: Auth,
    contact: web::Path<String>,
    q: web::Query<PageQuery>,
) -> ApiResult<web::Json<Paged<ActivityView>>> {
    let (limit, before) = q.resolve_before()?;
    let c = load(&state, &auth, &contact).await?;
    let page = state
        .db(move |conn| storage::contacts::activity(conn, c.id, before, limit))
        .await?;
    let items = page.items.iter().map(ActivityView::from).collect();
    Ok(web::Json(Paged::new(items, page.next_after)))
}
