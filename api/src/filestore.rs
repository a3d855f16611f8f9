//! The file store: the one place that handles a file's bytes. Uploads and attachments fetched
//! from channels come through [`save`], which sanitises the name, sniffs the type from the
//! content, writes the bytes under `<data_dir>/files/<workspace_id>/<random key>` and records
//! the row. [`signed_url`] hands a channel bridge a link it can fetch without a token.

use std::path::{Component, Path, PathBuf};

use actix_web::web;
use chrono::Utc;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use storage::files::File;

use crate::config::Config;
use crate::error::{ApiError, ApiResult};
use crate::secrets::random_token;
use crate::state::AppState;

/// Longest stored file name, in characters, extension included.
pub const MAX_NAME_CHARS: usize = 120;
/// Base of signed links when no public URL is configured (`make run`'s address).
const DEFAULT_PUBLIC_URL: &str = "http://127.0.0.1:8080";
/// Characters Windows, shells or HTTP headers treat specially; never kept in a name.
const RESERVED: [char; 9] = ['<', '>', ':', '"', '/', '\\', '|', '?', '*'];
/// Invisible characters that can disguise a name ("invoice\u{202E}fdp.exe"): bidi controls,
/// zero-width characters and the byte-order mark.
const INVISIBLE: [char; 14] = [
    '\u{200B}', '\u{200C}', '\u{200D}', '\u{200E}', '\u{200F}', '\u{202A}', '\u{202B}', '\u{202C}',
    '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{FEFF}',
];
/// Device names Windows will not open as files, whatever the extension.
const WINDOWS_DEVICES: [&str; 22] = [
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

type HmacSha256 = Hmac<Sha256>;

/// A file name safe to store, show and send: the last path component only, without control,
/// invisible or reserved characters, leading dots, or surrounding spaces and dots; at most
/// [`MAX_NAME_CHARS`] characters, keeping the extension; `file` when nothing is left.
pub fn sanitize_name(raw: &str) -> String {
    let last = raw
        .split(['/', '\\'])
        .rfind(|part| !part.trim().is_empty())
        .unwrap_or_default();
    let mut cleaned = String::with_capacity(last.len());
    for c in last.chars() {
        if c.is_control() || INVISIBLE.contains(&c) || RESERVED.contains(&c) {
            continue;
        }
        let c = if c.is_whitespace() { ' ' } else { c };
        if c == ' ' && cleaned.ends_with(' ') {
            continue;
        }
        cleaned.push(c);
    }
    let trimmed = cleaned
        .trim_start_matches(['.', ' '])
        .trim_end_matches(['.', ' ']);
    if trimmed.is_empty() {
        return "file".into();
    }
    let (stem, ext) = match trimmed.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && !ext.is_empty() && ext.chars().count() <= 16 => {
            (stem.trim_end(), Some(ext))
        }
        _ => (trimmed, None),
    };
    let device = WINDOWS_DEVICES.iter().any(|d| {
        stem.split('.')
            .next()
            .unwrap_or(stem)
            .eq_ignore_ascii_case(d)
    });
    let stem = if device {
        format!("_{stem}")
    } else {
        stem.to_string()
    };
    let room = MAX_NAME_CHARS - ext.map_or(0, |e| e.chars().count() + 1);
    let stem: String = stem.chars().take(room).collect();
    let stem = stem.trim_end_matches(['.', ' ']);
    let stem = if stem.is_empty() { "file" } else { stem };
    match ext {
        Some(ext) => format!("{stem}.{ext}"),
        None => stem.to_string(),
    }
}

/// The MIME type of `bytes` by their content. Whatever the client declared is ignored; the
/// name only refines plain text into a few harmless text types (CSV, JSON, Markdown).
pub fn sniff_mime(bytes: &[u8], name: &str) -> String {
    if let Some(kind) = infer::get(bytes) {
        let mime = kind.mime_type();
        return audio_only(mime, bytes).unwrap_or(mime).to_string();
    }
    if std::str::from_utf8(bytes).is_err() {
        return "application/octet-stream".into();
    }
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "csv" => "text/csv",
        "json" => "application/json",
        "md" | "markdown" => "text/markdown",
        _ => "text/plain",
    }
    .into()
}

/// WebM and MP4 are sniffed as video by their container, but browsers record voice notes as
/// audio-only WebM/MP4: look at the tracks and call such a file audio. Matroska names each
/// track's codec (`CodecID`, element 0x86: `V_…` video, `A_…` audio); MP4 names each track's
/// handler (`hdlr` box: `vide`, `soun`).
fn audio_only(mime: &str, bytes: &[u8]) -> Option<&'static str> {
    let has = |pred: &dyn Fn(&[u8]) -> bool, len: usize| bytes.windows(len).any(pred);
    match mime {
        "video/webm" | "video/x-matroska" => {
            let codec = |kind: u8| {
                move |w: &[u8]| w[0] == 0x86 && w[1] & 0x80 != 0 && w[2] == kind && w[3] == b'_'
            };
            let audio = has(&codec(b'A'), 4);
            let video = has(&codec(b'V'), 4);
            (audio && !video).then_some("audio/webm")
        }
        "video/mp4" => {
            // `hdlr`, version+flags (4), pre_defined (4), then the handler type.
            let handler =
                |kind: &'static [u8; 4]| move |w: &[u8]| &w[..4] == b"hdlr" && &w[12..16] == kind;
            let audio = has(&handler(b"soun"), 16);
            let video = has(&handler(b"vide"), 16);
            (audio && !video).then_some("audio/mp4")
        }
        _ => None,
    }
}

/// The attachment type channels know a file as: `image`, `video`, `audio` or `file`.
/// SVG is a `file`: it is a document that can carry script, not a picture to show inline.
pub fn attachment_kind(mime: &str) -> &'static str {
    let mime = mime.to_ascii_lowercase();
    if mime.starts_with("image/svg") {
        "file"
    } else if mime.starts_with("image/") {
        "image"
    } else if mime.starts_with("video/") {
        "video"
    } else if mime.starts_with("audio/") {
        "audio"
    } else {
        "file"
    }
}

fn root(config: &Config) -> PathBuf {
    config.data_dir.join("files")
}

/// Where a stored key's bytes are; `None` for a key that would leave the store.
fn path_of(config: &Config, storage_key: &str) -> Option<PathBuf> {
    let key = Path::new(storage_key);
    let inside = key.components().all(|c| matches!(c, Component::Normal(_)));
    (inside && !storage_key.is_empty()).then(|| root(config).join(key))
}

/// Writes the bytes to a temporary file beside `path`, flushed to disk, then renames it into
/// place, so a crash never leaves a half-written file under a real key.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path
        .parent()
        .ok_or_else(|| std::io::Error::other("no parent"))?;
    std::fs::create_dir_all(dir)?;
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let tmp = dir.join(format!(".{name}.tmp"));
    let written = std::fs::File::create(&tmp).and_then(|mut f| {
        f.write_all(bytes)?;
        f.sync_all()
    });
    match written.and_then(|_| std::fs::rename(&tmp, path)) {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// Stores a file of workspace `ws` and records it: refuses more than the configured upload
/// limit (413), keeps the bytes under a random key, and removes them again if the row cannot
/// be written. `source` is `upload` or `inbound`.
pub async fn save(
    state: &AppState,
    ws: i64,
    name: &str,
    bytes: Vec<u8>,
    source: &str,
    uploaded_by: Option<i64>,
) -> ApiResult<File> {
    let limit = state.config.max_upload_bytes;
    if bytes.len() as u64 > limit {
        return Err(ApiError::PayloadTooLarge(limit as usize));
    }
    let name = sanitize_name(name);
    let mime = sniff_mime(&bytes, &name);
    let size = bytes.len() as i64;
    let storage_key = format!("{ws}/{}", random_token(24));
    let path = path_of(&state.config, &storage_key)
        .ok_or_else(|| ApiError::internal("a generated storage key left the store"))?;
    let target = path.clone();
    let sha256 = web::block(move || {
        write_atomically(&target, &bytes).map(|_| hex::encode(Sha256::digest(&bytes)))
    })
    .await?
    .map_err(|e| ApiError::internal(format!("could not store a file: {e}")))?;
    let (source, key) = (source.to_string(), storage_key);
    let recorded = state
        .db(move |conn| {
            storage::files::create(
                conn,
                ws,
                &name,
                &mime,
                size,
                &key,
                &sha256,
                &source,
                uploaded_by,
                storage::naive(Utc::now()),
            )
        })
        .await;
    if recorded.is_err() {
        remove_path(path).await;
    }
    recorded
}

/// The bytes of a stored file; 404 if they are gone.
pub async fn read(state: &AppState, file: &File) -> ApiResult<Vec<u8>> {
    let path = path_of(&state.config, &file.storage_key).ok_or(ApiError::NotFound)?;
    let id = file.id;
    web::block(move || std::fs::read(path))
        .await?
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => {
                log::warn!("file {id} has a row but no bytes");
                ApiError::NotFound
            }
            _ => ApiError::internal(format!("could not read file {id}: {e}")),
        })
}

/// Removes a deleted file's bytes. A failure is logged, not answered: the row is gone already.
pub(crate) async fn remove(state: &AppState, file: &File) {
    if let Some(path) = path_of(&state.config, &file.storage_key) {
        remove_path(path).await;
    }
}

async fn remove_path(path: PathBuf) {
    let shown = path.display().to_string();
    match web::block(move || std::fs::remove_file(path)).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::NotFound => {}
        Ok(Err(e)) => log::warn!("could not remove {shown}: {e}"),
        Err(e) => log::warn!("could not remove {shown}: {e}"),
    }
}

fn signature(secret: &[u8], workspace_id: i64, id: i64, exp: i64) -> HmacSha256 {
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(format!("{workspace_id}.{id}.{exp}").as_bytes());
    mac
}

/// A link to a file's bytes that works without a token until `ttl` from now:
/// `<public_url>/media/{id}/{name}?exp=<unix>&sig=<hex HMAC-SHA256 of "{workspace}.{id}.{exp}">`.
pub fn signed_url(config: &Config, file: &File, ttl: chrono::Duration) -> String {
    let exp = (Utc::now() + ttl).timestamp();
    let sig = hex::encode(
        signature(&config.jwt_secret, file.workspace_id, file.id, exp)
            .finalize()
            .into_bytes(),
    );
    let base = config.public_url.as_deref().unwrap_or(DEFAULT_PUBLIC_URL);
    let mut url = url::Url::parse(base)
        .ok()
        .filter(|u| !u.cannot_be_a_base())
        .unwrap_or_else(|| url::Url::parse(DEFAULT_PUBLIC_URL).expect("a valid default"));
    if let Ok(mut path) = url.path_segments_mut() {
        path.pop_if_empty()
            .push("media")
            .push(&file.id.to_string())
            .push(&sanitize_name(&file.name));
    }
    url.query_pairs_mut()
        .clear()
        .append_pair("exp", &exp.to_string())
        .append_pair("sig", &sig);
    url.to_string()
}

/// Whether `sig` (hex) is this server's signature of the file link, compared in constant time.
/// Expiry is the caller's to check.
pub(crate) fn signature_matches(
    config: &Config,
    workspace_id: i64,
    id: i64,
    exp: i64,
    sig: &str,
) -> bool {
    let Ok(sig) = hex::decode(sig) else {
        return false;
    };
    signature(&config.jwt_secret, workspace_id, id, exp)
        .verify_slice(&sig)
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_their_path() {
        assert_eq!(sanitize_name("../../etc/passwd"), "passwd");
        assert_eq!(sanitize_name(r"C:\Users\ana\report.pdf"), "report.pdf");
        assert_eq!(sanitize_name("photos/2024/"), "2024");
        assert_eq!(sanitize_name("/"), "file");
        assert_eq!(sanitize_name(".."), "file");
    }

    #[test]
    fn names_lose_dangerous_characters() {
        assert_eq!(sanitize_name("a<b>c:d\"e|f?g*h.txt"), "abcdefgh.txt");
        assert_eq!(sanitize_name("line\nbreak\t.txt"), "linebreak.txt");
        assert_eq!(sanitize_name("nul\0byte.txt"), "nulbyte.txt");
        assert_eq!(sanitize_name("invoice\u{202E}fdp.exe"), "invoicefdp.exe");
        assert_eq!(sanitize_name("zero\u{200B}width.png"), "zerowidth.png");
        assert_eq!(sanitize_name("  many    spaces .txt "), "many spaces.txt");
    }

    #[test]
    fn names_lose_leading_and_trailing_dots() {
        assert_eq!(sanitize_name(".htaccess"), "htaccess");
        assert_eq!(sanitize_name("...hidden.txt"), "hidden.txt");
        assert_eq!(sanitize_name("name.txt..."), "name.txt");
        assert_eq!(sanitize_name(". . ."), "file");
    }

    #[test]
    fn names_are_never_empty() {
        for raw in ["", "   ", "\u{202E}", "<>:\"|?*", "\n\r\t", "/.././"] {
            assert_eq!(sanitize_name(raw), "file", "{raw:?}");
        }
    }

    #[test]
    fn windows_device_names_are_defused() {
        assert_eq!(sanitize_name("CON"), "_CON");
        assert_eq!(sanitize_name("nul.txt"), "_nul.txt");
        assert_eq!(sanitize_name("console.txt"), "console.txt");
    }

    #[test]
    fn long_names_keep_their_extension() {
        let long = format!("{}.pdf", "a".repeat(300));
        let name = sanitize_name(&long);
        assert_eq!(name.chars().count(), MAX_NAME_CHARS);
        assert!(name.ends_with("a.pdf"), "{name}");
        let unicode = format!("{}.jpeg", "é".repeat(200));
        let name = sanitize_name(&unicode);
        assert_eq!(name.chars().count(), MAX_NAME_CHARS);
        assert!(name.ends_with(".jpeg"));
        // An "extension" that long is part of the name.
        let dotted = format!("x.{}", "b".repeat(200));
        assert_eq!(sanitize_name(&dotted).chars().count(), MAX_NAME_CHARS);
        assert_eq!(sanitize_name("Résumé 2024.pdf"), "Résumé 2024.pdf");
    }

    const PNG: &[u8] = &[
        0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, b'I', b'H', b'D', b'R',
    ];

    #[test]
    fn content_decides_the_type_not_the_name() {
        assert_eq!(sniff_mime(PNG, "notes.txt"), "image/png");
        assert_eq!(sniff_mime(b"%PDF-1.7\n...", "photo.jpg"), "application/pdf");
        assert_eq!(sniff_mime(b"GIF89a....", "x"), "image/gif");
        assert_eq!(
            sniff_mime(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10], "a"),
            "image/jpeg"
        );
    }

    #[test]
    fn unrecognised_content_is_text_or_octets() {
        assert_eq!(sniff_mime("héllo wörld".as_bytes(), "x.png"), "text/plain");
        assert_eq!(sniff_mime(b"", "empty"), "text/plain");
        assert_eq!(
            sniff_mime(&[0x00, 0xFF, 0xFE, 0x80], "x.txt"),
            "application/octet-stream"
        );
        assert_eq!(sniff_mime(b"a,b\n1,2\n", "data.CSV"), "text/csv");
        // Recorded voice notes: audio-only containers are audio, with video they stay video.
        let webm = |codecs: &[&[u8]]| {
            let mut b = vec![0x1A, 0x45, 0xDF, 0xA3, 0x9F, 0x42, 0x86, 0x81, 0x01];
            b.extend_from_slice(b"\x42\x82\x84webm");
            for c in codecs {
                b.push(0x86);
                b.push(0x80 | c.len() as u8);
                b.extend_from_slice(c);
            }
            b.resize(300, 0);
            b
        };
        assert_eq!(sniff_mime(&webm(&[b"A_OPUS"]), "voice"), "audio/webm");
        assert_eq!(
            sniff_mime(&webm(&[b"V_VP8", b"A_OPUS"]), "clip"),
            "video/webm"
        );
        let mp4 = |handlers: &[&[u8; 4]]| {
            let mut b = vec![0, 0, 0, 0x18];
            b.extend_from_slice(b"ftypisom\0\0\x02\0isomiso2");
            for h in handlers {
                b.extend_from_slice(b"\0\0\0\x21hdlr\0\0\0\0\0\0\0\0");
                b.extend_from_slice(*h);
                b.extend_from_slice(&[0; 13]);
            }
            b.resize(300, 0);
            b
        };
        assert_eq!(sniff_mime(&mp4(&[b"soun"]), "voice"), "audio/mp4");
        assert_eq!(sniff_mime(&mp4(&[b"vide", b"soun"]), "clip"), "video/mp4");
        assert_eq!(sniff_mime(b"{\"a\": 1}", "x.json"), "application/json");
        // A name never makes text into markup a browser would run.
        assert_eq!(sniff_mime(b"just words", "page.html"), "text/plain");
        assert_eq!(sniff_mime(b"just words", "pic.svg"), "text/plain");
    }

    #[test]
    fn kinds_follow_the_type() {
        assert_eq!(attachment_kind("image/png"), "image");
        assert_eq!(attachment_kind("IMAGE/JPEG"), "image");
        assert_eq!(attachment_kind("video/mp4"), "video");
        assert_eq!(attachment_kind("audio/ogg"), "audio");
        assert_eq!(attachment_kind("application/pdf"), "file");
        assert_eq!(attachment_kind("text/plain"), "file");
        assert_eq!(attachment_kind("image/svg+xml"), "file");
    }

    fn config(public_url: Option<&str>) -> Config {
        Config {
            database_url: String::new(),
            data_dir: PathBuf::from("/nonexistent"),
            jwt_secret: b"secret".to_vec(),
            allow_private_urls: false,
            public_url: public_url.map(str::to_string),
            db_pool_size: 1,
            db_concurrency: 1,
            trust_proxy: false,
            sse_heartbeat: std::time::Duration::from_secs(1),
            max_upload_bytes: 1024,
            job_retry_base: std::time::Duration::from_secs(1),
            web_dir: PathBuf::from("/nonexistent"),
        }
    }

    fn file(name: &str) -> File {
        File {
            id: 7,
            workspace_id: 3,
            name: name.into(),
            mime: "image/png".into(),
            size: 1,
            storage_key: "3/k".into(),
            sha256: String::new(),
            source: "upload".into(),
            uploaded_by: None,
            created_at: Utc::now().naive_utc(),
        }
    }

    fn query(url: &str) -> (i64, String) {
        let parsed = url::Url::parse(url).unwrap();
        let get = |k: &str| {
            parsed
                .query_pairs()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.into_owned())
                .unwrap()
        };
        (get("exp").parse().unwrap(), get("sig"))
    }

    #[test]
    fn signed_urls_verify_and_name_the_file() {
        let c = config(Some("https://inbox.example.com/ism"));
        let url = signed_url(&c, &file("My photo #1.png"), chrono::Duration::minutes(5));
        assert!(
            url.starts_with("https://inbox.example.com/ism/media/7/My%20photo%20%231.png?exp="),
            "{url}"
        );
        let (exp, sig) = query(&url);
        assert!(exp > Utc::now().timestamp());
        assert!(signature_matches(&c, 3, 7, exp, &sig));
        assert!(!signature_matches(&c, 4, 7, exp, &sig), "another workspace");
        assert!(!signature_matches(&c, 3, 8, exp, &sig), "another file");
        assert!(
            !signature_matches(&c, 3, 7, exp + 1, &sig),
            "another expiry"
        );
        assert!(!signature_matches(&c, 3, 7, exp, "zz"), "not hex");
        assert!(!signature_matches(&c, 3, 7, exp, &sig[..10]), "truncated");
        let mut other = config(None);
        other.jwt_secret = b"another secret".to_vec();
        assert!(!signature_matches(&other, 3, 7, exp, &sig), "another key");
    }

    #[test]
    fn signed_urls_default_to_the_local_address() {
        let url = signed_url(&config(None), &file("a.png"), chrono::Duration::minutes(1));
        assert!(
            url.starts_with("http://127.0.0.1:8080/media/7/a.png?exp="),
            "{url}"
        );
    }

    #[test]
    fn storage_keys_stay_inside_the_store() {
        let c = config(None);
        assert_eq!(
            path_of(&c, "3/abc"),
            Some(PathBuf::from("/nonexistent/files/3/abc"))
        );
        assert_eq!(path_of(&c, "../secret"), None);
        assert_eq!(path_of(&c, "/etc/passwd"), None);
        assert_eq!(path_of(&c, ""), None);
    }
}
