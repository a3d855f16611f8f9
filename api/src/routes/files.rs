//! The file library: any member or API token uploads (multipart) and downloads; the uploader,
//! owners and managers delete. Signed `/media/…` links serve a file without a token.

use actix_multipart::{Field, Multipart};
use actix_web::http::header::{self, HeaderValue};
use actix_web::{delete, get, post, web, HttpMessage, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use domain::access::Action;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use storage::files::File;
use utoipa::{IntoParams, ToSchema};

use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::extract::{PageQuery, Paged};
use crate::filestore;
use crate::state::AppState;

/// Room for multipart framing around the file when judging a declared `Content-Length`.
const FORM_OVERHEAD_BYTES: u64 = 64 * 1024;
/// The multipart part that carries the file.
const FILE_PART: &str = "file";

#[derive(Debug, Serialize, ToSchema)]
pub struct FileView {
    /// Use it in `file_ids` of messages and snippets.
    pub id: i64,
    /// Sanitised file name.
    pub name: String,
    /// Sniffed from the content, whatever the client declared.
    pub mime: String,
    /// Bytes.
    pub size: i64,
    /// `image`, `video`, `audio` or `file`: how channels send it.
    pub kind: String,
    /// `upload` (file library) or `inbound` (received from a contact).
    pub source: String,
    pub uploaded_by: Option<i64>,
    pub created_at: DateTime<Utc>,
}

impl From<&File> for FileView {
    fn from(f: &File) -> Self {
        FileView {
            id: f.id,
            name: f.name.clone(),
            mime: f.mime.clone(),
            size: f.size,
            kind: filestore::attachment_kind(&f.mime).into(),
            source: f.source.clone(),
            uploaded_by: f.uploaded_by,
            created_at: storage::utc(f.created_at),
        }
    }
}

/// A `multipart/form-data` body with one part named `file`.
#[derive(ToSchema)]
#[allow(dead_code)] // documents the form; the handler reads the stream
pub struct FileUpload {
    /// The file; its name comes from the part's `filename`.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

fn malformed(e: actix_multipart::MultipartError) -> ApiError {
    ApiError::BadRequest(format!("the multipart body could not be read: {e}"))
}

/// A part's bytes up to `limit`, or `None` when it is larger. The rest of a larger part is
/// read and dropped, so the client gets its answer on a clean connection, but only while
/// `drain_budget` lasts: past it the answer is 413 at once.
async fn read_part(
    field: &mut Field,
    limit: u64,
    drain_budget: &mut u64,
) -> ApiResult<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    let mut over = false;
    while let Some(chunk) = field.next().await {
        let chunk = chunk.map_err(malformed)?;
        if !over && (bytes.len() + chunk.len()) as u64 > limit {
            over = true;
            bytes = Vec::new();
        }
        if over {
            *drain_budget = drain_budget.saturating_sub(chunk.len() as u64);
            if *drain_budget == 0 {
                return Err(ApiError::PayloadTooLarge(limit as usize));
            }
        } else {
            bytes.extend_from_slice(&chunk);
        }
    }
    Ok((!over).then_some(bytes))
}

/// Upload a file to the library (multipart, one part named `file`). The type is sniffed from
/// the content and the name sanitised; larger than the server's limit (`ISM_MAX_UPLOAD_MB`)
/// is 413 and stores nothing.
#[utoipa::path(
    tag = "files",
    operation_id = "uploadFile",
    security(("bearer" = [])),
    request_body(content = FileUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, body = FileView),
        (status = 400, body = crate::error::Problem),
        (status = 413, body = crate::error::Problem),
        (status = 415, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)
    )
)]
#[post("/files")]
pub async fn upload_file(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let (name, bytes) = read_upload(&state, &req, payload).await?;
    let file = filestore::save(
        &state,
        auth.workspace_id,
        &name,
        bytes,
        "upload",
        auth.user_id,
    )
    .await?;
    Ok(HttpResponse::Created().json(FileView::from(&file)))
}

/// The one file of a `multipart/form-data` body (part `file`): its name and bytes. Not
/// multipart is 415, over the upload limit 413 (without reading it all), no file, an empty
/// one or several 422.
pub(crate) async fn read_upload(
    state: &AppState,
    req: &HttpRequest,
    payload: web::Payload,
) -> ApiResult<(String, Vec<u8>)> {
    let is_form = req
        .mime_type()
        .ok()
        .flatten()
        .is_some_and(|m| m.type_() == mime::MULTIPART && m.subtype() == mime::FORM_DATA);
    if !is_form {
        return Err(ApiError::UnsupportedMediaType(
            "the request body must be multipart/form-data with a part named `file`".into(),
        ));
    }
    let limit = state.config.max_upload_bytes;
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit + FORM_OVERHEAD_BYTES) {
        return Err(ApiError::PayloadTooLarge(limit as usize));
    }
    let mut form = Multipart::new(req.headers(), payload);
    let mut drain_budget = limit;
    let mut upload: Option<(String, Vec<u8>)> = None;
    let (mut too_large, mut parts) = (false, 0);
    while let Some(field) = form.next().await {
        let mut field = field.map_err(malformed)?;
        if field.name() != Some(FILE_PART) {
            // Other parts are ignored, within the same budget.
            read_part(&mut field, 0, &mut drain_budget).await?;
            continue;
        }
        parts += 1;
        let name = field
            .content_disposition()
            .and_then(|cd| cd.get_filename())
            .unwrap_or_default()
            .to_string();
        let accept = if parts == 1 { limit } else { 0 };
        match read_part(&mut field, accept, &mut drain_budget).await? {
            Some(bytes) if parts == 1 => upload = Some((name, bytes)),
            Some(_) => {}
            None => too_large |= parts == 1,
        }
    }
    if too_large {
        return Err(ApiError::PayloadTooLarge(limit as usize));
    }
    if parts > 1 {
        return Err(ApiError::invalid(FILE_PART, "send one file per request"));
    }
    let (name, bytes) = upload.ok_or_else(|| {
        ApiError::invalid(FILE_PART, "is required: a multipart part named `file`")
    })?;
    if bytes.is_empty() {
        return Err(ApiError::invalid(FILE_PART, "must not be empty"));
    }
    Ok((name, bytes))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FileQuery {
    /// `upload` (the file library) or `inbound` (received from contacts); both when absent.
    pub source: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// The workspace's files in id order (oldest first).
#[utoipa::path(tag = "files", operation_id = "listFiles", security(("bearer" = [])), params(FileQuery), responses((status = 200, body = Paged<FileView>), (status = 422, body = crate::error::Problem)))]
#[get("/files")]
pub async fn list_files(
    state: web::Data<AppState>,
    auth: Auth,
    q: web::Query<FileQuery>,
) -> ApiResult<web::Json<Paged<FileView>>> {
    let q = q.into_inner();
    let (limit, after) = PageQuery {
        limit: q.limit,
        cursor: q.cursor,
    }
    .resolve()?;
    let source = match q.source.as_deref() {
        None | Some("") => None,
        Some(s @ ("upload" | "inbound")) => Some(s.to_string()),
        Some(_) => return Err(ApiError::invalid("source", "must be upload or inbound")),
    };
    let ws = auth.workspace_id;
    let page = state
        .db(move |conn| storage::files::list(conn, ws, source.as_deref(), after, limit))
        .await?;
    Ok(web::Json(Paged::new(
        page.items.iter().map(Into::into).collect(),
        page.next_after,
    )))
}

async fn load(state: &AppState, auth: &Auth, id: i64) -> ApiResult<File> {
    let ws = auth.workspace_id;
    state
        .db(move |conn| storage::files::get(conn, ws, id))
        .await
}

/// One file's details.
#[utoipa::path(tag = "files", operation_id = "getFile", security(("bearer" = [])), params(("id" = i64, Path)), responses((status = 200, body = FileView), (status = 404, body = crate::error::Problem)))]
#[get("/files/{id}")]
pub async fn get_file(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<i64>,
) -> ApiResult<web::Json<FileView>> {
    let file = load(&state, &auth, id.into_inner()).await?;
    Ok(web::Json((&file).into()))
}

/// The file's bytes: its sniffed `Content-Type`, `nosniff`, and a `Content-Disposition` that
/// shows images, audio and video inline and downloads everything else.
#[utoipa::path(tag = "files", operation_id = "downloadFile", security(("bearer" = [])), params(("id" = i64, Path)), responses((status = 200, description = "The file's bytes", content_type = "application/octet-stream"), (status = 404, body = crate::error::Problem)))]
#[get("/files/{id}/content")]
pub async fn download_file(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let file = load(&state, &auth, id.into_inner()).await?;
    let bytes = filestore::read(&state, &file).await?;
    Ok(content_response(&file, bytes))
}

/// Delete a file and its bytes (its uploader, owners and managers). Snippets that offered
/// it no longer do.
#[utoipa::path(tag = "files", operation_id = "deleteFile", security(("bearer" = [])), params(("id" = i64, Path)), responses((status = 204), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
#[delete("/files/{id}")]
pub async fn delete_file(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let file = load(&state, &auth, id.into_inner()).await?;
    let own = auth.user_id.is_some() && file.uploaded_by == auth.user_id;
    if !own {
        auth.require(Action::DeleteAnyFile)?;
    }
    let (ws, id) = (auth.workspace_id, file.id);
    let file = state
        .db(move |conn| storage::files::delete(conn, ws, id, storage::naive(Utc::now())))
        .await?;
    filestore::remove(&state, &file).await;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize)]
pub struct MediaQuery {
    exp: Option<String>,
    sig: Option<String>,
}

/// `GET /media/{id}/{name}?exp=&sig=`: a file by a link from `filestore::signed_url`, without
/// a token. A missing, wrong or expired signature is 403; an unknown file 404. Not part of the
/// documented API: only links this server handed out lead here.
pub async fn media(
    state: web::Data<AppState>,
    path: web::Path<(i64, String)>,
    q: web::Query<MediaQuery>,
) -> ApiResult<HttpResponse> {
    let refused = || ApiError::Forbidden("the link is not signed or has expired".into());
    let exp: i64 = q
        .exp
        .as_deref()
        .and_then(|e| e.parse().ok())
        .ok_or_else(refused)?;
    let sig = q.sig.clone().ok_or_else(refused)?;
    if exp < Utc::now().timestamp() {
        return Err(refused());
    }
    let id = path.0;
    let file = state.db(move |conn| storage::files::find(conn, id)).await?;
    if !filestore::signature_matches(&state.config, file.workspace_id, file.id, exp, &sig) {
        return Err(refused());
    }
    let bytes = filestore::read(&state, &file).await?;
    Ok(content_response(&file, bytes))
}

/// Characters RFC 5987 lets stand for themselves in `filename*`.
fn is_attr_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b)
}

/// `inline` or `attachment`, with an ASCII `filename` and the exact UTF-8 `filename*`.
fn content_disposition(file: &File) -> String {
    let inline = matches!(
        filestore::attachment_kind(&file.mime),
        "image" | "audio" | "video"
    );
    let name = filestore::sanitize_name(&file.name);
    let ascii: String = name
        .chars()
        .map(|c| {
            if (c.is_ascii_graphic() && c != '"' && c != '\\') || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if is_attr_char(b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let kind = if inline { "inline" } else { "attachment" };
    format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// A file's bytes with the headers that keep a browser from treating them as anything else.
fn content_response(file: &File, bytes: Vec<u8>) -> HttpResponse {
    let content_type = if file.mime.starts_with("text/") && !file.mime.contains(';') {
        // Text is only stored as text when it is valid UTF-8.
        format!("{}; charset=utf-8", file.mime)
    } else {
        file.mime.clone()
    };
    let mut res = HttpResponse::Ok();
    match HeaderValue::from_str(&content_type) {
        Ok(v) => res.insert_header((header::CONTENT_TYPE, v)),
        Err(_) => res.insert_header((header::CONTENT_TYPE, "application/octet-stream")),
    };
    if let Ok(v) = HeaderValue::from_str(&content_disposition(file)) {
        res.insert_header((header::CONTENT_DISPOSITION, v));
    }
    res.insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CACHE_CONTROL, "private"))
        .body(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, mime: &str) -> File {
        File {
            id: 1,
            workspace_id: 1,
            name: name.into(),
            mime: mime.into(),
            size: 0,
            storage_key: "1/k".into(),
            sha256: String::new(),
            source: "upload".into(),
            uploaded_by: None,
            created_at: Utc::now().naive_utc(),
        }
    }

    #[test]
    fn media_shows_inline_and_documents_download() {
        assert_eq!(
            content_disposition(&file("cat.png", "image/png")),
            "inline; filename=\"cat.png\"; filename*=UTF-8''cat.png"
        );
        assert_eq!(
            content_disposition(&file("report 1.pdf", "application/pdf")),
            "attachment; filename=\"report 1.pdf\"; filename*=UTF-8''report%201.pdf"
        );
        assert_eq!(
            content_disposition(&file("Résumé.txt", "text/plain")),
            "attachment; filename=\"R_sum_.txt\"; filename*=UTF-8''R%C3%A9sum%C3%A9.txt"
        );
    }
}
