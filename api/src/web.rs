//! Serves the single-page web client (and the widget script) from the built `web-client/dist`
//! folder: files as they are, every other client route as `index.html` so deep links and
//! reloads work. API, webhook, docs and media paths never reach this handler's SPA fallback:
//! an unknown one stays a problem+json 404.

use std::path::{Component, Path, PathBuf};

use actix_files::NamedFile;
use actix_web::http::header::{self, CacheControl, CacheDirective};
use actix_web::{HttpRequest, HttpResponse};

/// Paths that belong to the server, not to the client router.
const SERVER_PREFIXES: [&str; 8] = [
    "/api/",
    "/webhooks/",
    "/docs",
    "/media/",
    "/openapi.json",
    "/healthz",
    "/readyz",
    "/metrics",
];

/// Whether `path` may be answered from the web client folder.
pub fn is_client_path(path: &str) -> bool {
    !SERVER_PREFIXES.iter().any(|p| path.starts_with(p))
}

/// The file under `root` that answers `path`, or `None` for a path that tries to leave it.
fn file_for(root: &Path, path: &str) -> Option<PathBuf> {
    let mut file = root.to_path_buf();
    for part in Path::new(path.trim_start_matches('/')).components() {
        match part {
            Component::Normal(p) => file.push(p),
            _ => return None,
        }
    }
    Some(file)
}

/// Answers a GET for a client path: the file if it exists, `index.html` for a route, 404 for
/// a missing asset (a file name with an extension), so a broken script tag fails loudly.
pub async fn serve(req: &HttpRequest, root: &Path) -> Option<HttpResponse> {
    let path = req.path();
    let file = file_for(root, path)?;
    if file.is_file() {
        return Some(respond(req, &file, immutable(path)));
    }
    let last = path.rsplit('/').next().unwrap_or("");
    if last.contains('.') {
        return None;
    }
    let index = root.join("index.html");
    if index.is_file() {
        return Some(respond(req, &index, false));
    }
    Some(not_built())
}

/// Vite names built assets by content hash: they never change under the same name.
fn immutable(path: &str) -> bool {
    path.starts_with("/assets/")
}

fn respond(req: &HttpRequest, file: &Path, immutable: bool) -> HttpResponse {
    match NamedFile::open(file) {
        Ok(named) => {
            let mut res = named.use_etag(true).into_response(req);
            let cache = if immutable {
                CacheControl(vec![
                    CacheDirective::Public,
                    CacheDirective::MaxAge(31_536_000),
                    CacheDirective::Extension("immutable".into(), None),
                ])
            } else {
                CacheControl(vec![CacheDirective::NoCache])
            };
            if let Ok(v) = header::HeaderValue::from_str(&cache.to_string()) {
                res.headers_mut().insert(header::CACHE_CONTROL, v);
            }
            res
        }
        Err(e) => {
            log::warn!("cannot open {}: {e}", file.display());
            HttpResponse::NotFound().finish()
        }
    }
}

/// `/widget/demo?channel=wc_…`: a plain page with a web chat channel's widget, so a new user
/// can chat with their own workspace right after `make run` (the server's own origin is always
/// allowed for its widgets). The key is checked, so nothing from the query reaches the page
/// unescaped.
pub async fn widget_demo(query: actix_web::web::Query<DemoQuery>) -> HttpResponse {
    let key = query.channel.as_deref().filter(|k| {
        k.len() <= 100
            && k.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    });
    let body = match key {
        Some(key) => format!(
            "<!doctype html><html lang=en><meta charset=utf-8>\
             <meta name=viewport content=\"width=device-width, initial-scale=1\">\
             <title>Chat widget demo — IS-Messenger</title>\
             <style>body{{font-family:system-ui,sans-serif;max-width:720px;margin:48px auto;\
             padding:0 20px;line-height:1.6;color:#1d2330}}code{{background:#f1f3f5;padding:2px 5px;\
             border-radius:4px}}</style>\
             <h1>Your website</h1>\
             <p>This page stands in for your website. The chat bubble in the corner is your \
             <strong>web chat</strong> channel: write as a visitor, and answer from the \
             <a href=\"/inbox\" target=\"_blank\">inbox</a> in another tab.</p>\
             <p>To put it on a real website, paste the channel's snippet before \
             <code>&lt;/body&gt;</code> and add the site to the channel's allowed websites.</p>\
             <script src=\"/widget.js\" data-channel=\"{key}\" async></script>"
        ),
        None => "<!doctype html><html lang=en><meta charset=utf-8><title>Chat widget demo</title>\
                 <p>Open this page from <em>Settings → Channels</em> in the app, or add \
                 <code>?channel=</code> and a web chat channel's key (<code>wc_…</code>).</p>"
            .to_string(),
    };
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(body)
}

#[derive(serde::Deserialize)]
pub struct DemoQuery {
    channel: Option<String>,
}

/// What `/` shows when the binary runs without a built web client (e.g. `cargo run`).
fn not_built() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(
            "<!doctype html><meta charset=utf-8><title>IS-Messenger</title>\
             <p>The web client is not built. Run <code>make run</code> (or \
             <code>npm --prefix web-client run build</code>) and reload. The API and its \
             documentation are at <a href=\"/docs/\">/docs/</a>.</p>",
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_paths_are_not_client_paths() {
        for p in [
            "/api/v1/me",
            "/webhooks/channels/1",
            "/docs/",
            "/media/1/a.png",
            "/healthz",
        ] {
            assert!(!is_client_path(p), "{p}");
        }
        for p in [
            "/",
            "/inbox",
            "/contacts/12",
            "/assets/index-abc.js",
            "/widget.js",
        ] {
            assert!(is_client_path(p), "{p}");
        }
    }

    #[test]
    fn paths_cannot_leave_the_root() {
        let root = Path::new("/srv/web");
        assert_eq!(
            file_for(root, "/a/b.js"),
            Some(PathBuf::from("/srv/web/a/b.js"))
        );
        assert_eq!(file_for(root, "/../etc/passwd"), None);
        assert_eq!(file_for(root, "/a/../../x"), None);
    }
}
