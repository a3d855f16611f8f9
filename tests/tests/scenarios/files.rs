//! The file library (`/api/v1/files`): multipart upload with a size limit, sniffed types,
//! sanitised names, downloads with safe headers, deletion rights, workspace isolation, events,
//! and the signed `/media/…` links channel bridges fetch without a token.

use std::path::PathBuf;
use std::time::Duration;

use reqwest::multipart::{Form, Part};
use scenario_tests::sse::SseReader;
use scenario_tests::{json, scenario, Backend, Res, Session, TestServer, JWT_SECRET};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const WAIT: Duration = Duration::from_secs(10);
/// The test server's upload limit.
const LIMIT: usize = 1024 * 1024;

/// A PNG signature and header chunk: enough for any sniffer to call it an image.
fn png() -> Vec<u8> {
    let mut b = vec![
        0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, b'I', b'H', b'D', b'R',
    ];
    b.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0]);
    b
}

fn pdf() -> Vec<u8> {
    b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n".to_vec()
}

/// Uploads `bytes` as the `file` part, named and typed as the client claims.
async fn upload(s: &TestServer, token: &str, name: &str, declared: &str, bytes: Vec<u8>) -> Res {
    let part = Part::bytes(bytes)
        .file_name(name.to_string())
        .mime_str(declared)
        .unwrap();
    send_form(s, token, Form::new().part("file", part)).await
}

async fn send_form(s: &TestServer, token: &str, form: Form) -> Res {
    let req = s
        .http
        .post(s.url("/api/v1/files"))
        .bearer_auth(token)
        .multipart(form.percent_encode_noop());
    Res::from(req.send().await.unwrap()).await
}

/// Uploads and asserts 201; returns the file's view.
async fn uploaded(s: &TestServer, token: &str, name: &str, bytes: Vec<u8>) -> Value {
    let res = upload(s, token, name, "application/octet-stream", bytes).await;
    assert_eq!(res.status, 201, "{}", res.body);
    res.body
}

fn id_of(v: &Value) -> i64 {
    v["id"].as_i64().expect("id")
}

/// The ids a file list answers, asserting 200.
async fn listed(s: &TestServer, token: &str, query: &str) -> Vec<i64> {
    let res = s.get(&format!("/api/v1/files{query}"), token).await;
    assert_eq!(res.status, 200, "{query}: {}", res.body);
    res.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(id_of)
        .collect()
}

/// A raw GET, for bodies that are not JSON.
async fn fetch(s: &TestServer, path_or_url: &str, token: Option<&str>) -> reqwest::Response {
    let url = if path_or_url.starts_with("http") {
        path_or_url.to_string()
    } else {
        s.url(path_or_url)
    };
    let mut req = s.http.get(url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap()
}

fn header(res: &reqwest::Response, name: &str) -> String {
    res.headers()
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
        .to_string()
}

/// Every regular file under the server's data dir `files/` folder.
fn stored(s: &TestServer) -> Vec<PathBuf> {
    fn walk(dir: PathBuf, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(p, out);
            } else {
                out.push(p);
            }
        }
    }
    let mut out = vec![];
    walk(s.db.data_dir.join("files"), &mut out);
    out.sort();
    out
}

/// Every file anywhere under the data dir with this name.
fn anywhere(s: &TestServer, name: &str) -> Vec<PathBuf> {
    fn walk(dir: PathBuf, name: &str, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(p, name, out);
            } else if p.file_name().is_some_and(|n| n == name) {
                out.push(p);
            }
        }
    }
    let mut out = vec![];
    walk(s.db.data_dir.clone(), name, &mut out);
    out
}

async fn api_token(s: &TestServer, owner: &Session) -> String {
    let res = s
        .post(
            "/api/v1/api-tokens",
            &owner.access,
            json!({"name": "bridge"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    res.body["secret"].as_str().unwrap().to_string()
}

scenario!(
    upload_list_download_and_delete,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let t = &owner.access;

        let res = upload(&s, t, "cat.png", "image/png", png()).await;
        assert_eq!(res.status, 201, "{}", res.body);
        let cat = res.body;
        assert_eq!(cat["name"], "cat.png");
        assert_eq!(cat["mime"], "image/png");
        assert_eq!(cat["kind"], "image");
        assert_eq!(cat["size"], png().len());
        assert_eq!(cat["source"], "upload");
        assert_eq!(cat["uploaded_by"], owner.user_id);
        assert!(cat["created_at"].is_string(), "{cat}");
        let report = uploaded(&s, t, "report.pdf", pdf()).await;
        assert_eq!(report["mime"], "application/pdf");
        assert_eq!(report["kind"], "file");
        let notes = uploaded(&s, t, "notes.txt", "héllo\n".as_bytes().to_vec()).await;
        assert_eq!(notes["mime"], "text/plain");
        let (cat_id, report_id, notes_id) = (id_of(&cat), id_of(&report), id_of(&notes));

        // The bytes live under the workspace's folder of the data dir.
        let on_disk = stored(&s);
        assert_eq!(on_disk.len(), 3, "{on_disk:?}");
        let folder =
            s.db.data_dir
                .join("files")
                .join(owner.workspace_id.to_string());
        assert!(
            on_disk.iter().all(|p| p.parent() == Some(folder.as_path())),
            "{on_disk:?}"
        );

        // Listed in id order, by source, a page at a time.
        assert_eq!(listed(&s, t, "").await, [cat_id, report_id, notes_id]);
        assert_eq!(
            listed(&s, t, "?source=upload").await,
            [cat_id, report_id, notes_id]
        );
        assert!(listed(&s, t, "?source=inbound").await.is_empty());
        assert_eq!(
            s.get("/api/v1/files?source=disk", t).await.problem(422),
            ["source"]
        );
        let first = s.get("/api/v1/files?limit=2", t).await;
        assert_eq!(first.body["items"].as_array().unwrap().len(), 2);
        let cursor = first.body["next_cursor"].as_str().unwrap().to_string();
        let rest = s
            .get(&format!("/api/v1/files?limit=2&cursor={cursor}"), t)
            .await;
        assert_eq!(rest.body["items"][0]["id"], notes_id);
        assert!(rest.body["next_cursor"].is_null());

        // Details, then the bytes with headers that say exactly what they are.
        let got = s.get(&format!("/api/v1/files/{cat_id}"), t).await;
        assert_eq!(got.status, 200);
        assert_eq!(got.body, cat);
        let res = fetch(&s, &format!("/api/v1/files/{cat_id}/content"), Some(t)).await;
        assert_eq!(res.status(), 200);
        assert_eq!(header(&res, "content-type"), "image/png");
        assert_eq!(header(&res, "content-length"), png().len().to_string());
        assert_eq!(header(&res, "x-content-type-options"), "nosniff");
        assert_eq!(
            header(&res, "content-disposition"),
            "inline; filename=\"cat.png\"; filename*=UTF-8''cat.png"
        );
        assert_eq!(res.bytes().await.unwrap().to_vec(), png());
        let res = fetch(&s, &format!("/api/v1/files/{report_id}/content"), Some(t)).await;
        assert_eq!(header(&res, "content-type"), "application/pdf");
        assert!(header(&res, "content-disposition").starts_with("attachment; "));
        assert_eq!(res.bytes().await.unwrap().to_vec(), pdf());
        let res = fetch(&s, &format!("/api/v1/files/{notes_id}/content"), Some(t)).await;
        assert_eq!(header(&res, "content-type"), "text/plain; charset=utf-8");
        assert!(header(&res, "content-disposition").starts_with("attachment; "));
        assert_eq!(res.text().await.unwrap(), "héllo\n");
        // Without a token there is nothing to see.
        let res = fetch(&s, &format!("/api/v1/files/{cat_id}/content"), None).await;
        assert_eq!(res.status(), 401);

        // Deleting removes the row and the bytes.
        let res = s.delete(&format!("/api/v1/files/{report_id}"), t).await;
        assert_eq!(res.status, 204, "{}", res.body);
        assert_eq!(stored(&s).len(), 2);
        s.get(&format!("/api/v1/files/{report_id}"), t)
            .await
            .problem(404);
        s.get(&format!("/api/v1/files/{report_id}/content"), t)
            .await
            .problem(404);
        s.delete(&format!("/api/v1/files/{report_id}"), t)
            .await
            .problem(404);
        assert_eq!(listed(&s, t, "").await, [cat_id, notes_id]);
        s.get("/api/v1/files/nope", t).await.problem(404);
    }
);

scenario!(
    oversize_uploads_are_refused_and_store_nothing,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let t = &owner.access;

        let res = upload(
            &s,
            t,
            "big.bin",
            "application/octet-stream",
            vec![0xFFu8; LIMIT + 1],
        )
        .await;
        res.problem(413);
        assert!(listed(&s, t, "").await.is_empty());
        assert!(stored(&s).is_empty(), "{:?}", stored(&s));

        // Exactly the limit is fine.
        let res = upload(
            &s,
            t,
            "max.bin",
            "application/octet-stream",
            vec![0xFFu8; LIMIT],
        )
        .await;
        assert_eq!(res.status, 201, "{}", res.body);
        assert_eq!(res.body["size"], LIMIT);
        assert_eq!(res.body["mime"], "application/octet-stream");
        assert_eq!(stored(&s).len(), 1);

        // A body declared far too large is refused before it is sent.
        let mut conn = tokio::net::TcpStream::connect(s.addr).await.unwrap();
        let head = format!(
            "POST /api/v1/files HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {t}\r\n\
             Content-Type: multipart/form-data; boundary=xyz\r\nContent-Length: {}\r\n\r\n",
            s.addr,
            100 * LIMIT
        );
        conn.write_all(head.as_bytes()).await.unwrap();
        let mut answer = vec![0u8; 4096];
        let n = tokio::time::timeout(WAIT, conn.read(&mut answer))
            .await
            .expect("an answer before the body")
            .unwrap();
        let answer = String::from_utf8_lossy(&answer[..n]);
        assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
        assert!(answer.contains("application/problem+json"), "{answer}");
        assert_eq!(listed(&s, t, "").await.len(), 1);
        assert_eq!(stored(&s).len(), 1);
    }
);

scenario!(
    malformed_uploads_name_what_is_wrong,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let t = &owner.access;

        // No part named `file`.
        let form = Form::new()
            .text("title", "holiday")
            .part("document", Part::bytes(png()).file_name("cat.png"));
        assert_eq!(send_form(&s, t, form).await.problem(422), ["file"]);
        // An empty file.
        assert_eq!(
            upload(&s, t, "empty.txt", "text/plain", vec![])
                .await
                .problem(422),
            ["file"]
        );
        // Two files at once.
        let form = Form::new()
            .part("file", Part::bytes(png()).file_name("a.png"))
            .part("file", Part::bytes(pdf()).file_name("b.pdf"));
        assert_eq!(send_form(&s, t, form).await.problem(422), ["file"]);
        // Not multipart at all.
        s.post("/api/v1/files", t, json!({"file": "aGVsbG8="}))
            .await
            .problem(415);
        // Multipart without a boundary.
        let res = s
            .http
            .post(s.url("/api/v1/files"))
            .bearer_auth(t)
            .header("content-type", "multipart/form-data")
            .body("--x\r\n\r\n--x--\r\n")
            .send()
            .await
            .unwrap();
        Res::from(res).await.problem(400);
        // A body cut short.
        let res = s
            .http
            .post(s.url("/api/v1/files"))
            .bearer_auth(t)
            .header("content-type", "multipart/form-data; boundary=x")
            .body("--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n\r\nabc")
            .send()
            .await
            .unwrap();
        Res::from(res).await.problem(400);
        // Without a token.
        let res = s
            .http
            .post(s.url("/api/v1/files"))
            .multipart(Form::new().part("file", Part::bytes(png()).file_name("a.png")))
            .send()
            .await
            .unwrap();
        Res::from(res).await.problem(401);
        assert!(listed(&s, t, "").await.is_empty());
        assert!(stored(&s).is_empty());
    }
);

scenario!(
    content_decides_the_type_and_names_are_sanitised,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let t = &owner.access;

        // An image that claims to be HTML with a path that climbs out of the store.
        let res = upload(&s, t, "../../etc/passwd", "text/html", png()).await;
        assert_eq!(res.status, 201, "{}", res.body);
        assert_eq!(res.body["name"], "passwd");
        assert_eq!(res.body["mime"], "image/png");
        assert_eq!(res.body["kind"], "image");
        assert!(
            anywhere(&s, "passwd").is_empty(),
            "a file was stored by its name"
        );
        // Text that claims to be an image is text, and downloads as an attachment.
        let res = upload(&s, t, "fake.jpg", "image/jpeg", b"just words".to_vec()).await;
        assert_eq!(res.status, 201, "{}", res.body);
        assert_eq!(res.body["mime"], "text/plain");
        assert_eq!(res.body["kind"], "file");
        // Markup that claims to be an image is markup: never shown inline, never sniffed.
        let res = upload(
            &s,
            t,
            "evil.png",
            "image/png",
            b"<script>alert(1)</script>".to_vec(),
        )
        .await;
        assert_eq!(res.status, 201, "{}", res.body);
        assert_eq!(res.body["mime"], "text/html");
        assert_eq!(res.body["kind"], "file");
        let id = id_of(&res.body);
        let got = fetch(&s, &format!("/api/v1/files/{id}/content"), Some(t)).await;
        assert_eq!(header(&got, "content-type"), "text/html; charset=utf-8");
        assert_eq!(header(&got, "x-content-type-options"), "nosniff");
        assert_eq!(
            header(&got, "content-disposition"),
            "attachment; filename=\"evil.png\"; filename*=UTF-8''evil.png"
        );
        // Binary nobody recognises.
        let res = upload(&s, t, "blob", "image/jpeg", vec![0, 159, 146, 150, 255]).await;
        assert_eq!(res.body["mime"], "application/octet-stream");

        for (raw, clean) in [
            (r"..\..\windows\boot.ini", "boot.ini"),
            (".htaccess", "htaccess"),
            ("re\u{202E}fdp.exe", "refdp.exe"),
            ("a<b>c|d?.txt", "abcd.txt"),
            ("", "file"),
        ] {
            let res = upload(&s, t, raw, "text/plain", b"x".to_vec()).await;
            assert_eq!(res.status, 201, "{raw:?}: {}", res.body);
            assert_eq!(res.body["name"], clean, "{raw:?}");
        }
        let long = format!("{}.pdf", "n".repeat(300));
        let res = uploaded(&s, t, &long, pdf()).await;
        let name = res["name"].as_str().unwrap();
        assert_eq!(name.chars().count(), 120);
        assert!(name.ends_with("n.pdf"), "{name}");

        // A name beyond ASCII keeps its letters in filename* and has a plain fallback.
        let res = uploaded(&s, t, "Résumé 2024.pdf", pdf()).await;
        assert_eq!(res["name"], "Résumé 2024.pdf");
        let got = fetch(
            &s,
            &format!("/api/v1/files/{}/content", id_of(&res)),
            Some(t),
        )
        .await;
        assert_eq!(
            header(&got, "content-disposition"),
            "attachment; filename=\"R_sum_ 2024.pdf\"; filename*=UTF-8''R%C3%A9sum%C3%A9%202024.pdf"
        );
        // Every stored byte is under the workspace's folder, under a key, not a name.
        let folder =
            s.db.data_dir
                .join("files")
                .join(owner.workspace_id.to_string());
        for p in stored(&s) {
            assert_eq!(p.parent(), Some(folder.as_path()), "{p:?}");
            let key = p.file_name().unwrap().to_str().unwrap();
            assert!(
                key.len() >= 32
                    && key
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
                "{key}"
            );
        }
    }
);

scenario!(
    files_are_private_to_their_workspace,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let acme = s.signup("Acme", "owner@acme.test").await;
        let other = s.signup("Other", "owner@other.test").await;
        let file = uploaded(&s, &acme.access, "cat.png", png()).await;
        let id = id_of(&file);
        let o = &other.access;
        s.get(&format!("/api/v1/files/{id}"), o).await.problem(404);
        s.get(&format!("/api/v1/files/{id}/content"), o)
            .await
            .problem(404);
        s.delete(&format!("/api/v1/files/{id}"), o)
            .await
            .problem(404);
        assert!(listed(&s, o, "").await.is_empty());
        // Still there for its owner.
        assert_eq!(listed(&s, &acme.access, "").await, [id]);
        assert_eq!(stored(&s).len(), 1);
    }
);

scenario!(
    uploaders_owners_and_managers_delete,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let manager = s.add_member(&owner, "mia@acme.test", "manager").await;
        let amy = s.add_member(&owner, "amy@acme.test", "agent").await;
        let ben = s.add_member(&owner, "ben@acme.test", "agent").await;
        let token = api_token(&s, &owner).await;

        // Every member and API tokens upload.
        let amys = uploaded(&s, &amy.access, "amy.png", png()).await;
        assert_eq!(amys["uploaded_by"], amy.user_id);
        let bens = uploaded(&s, &ben.access, "ben.png", png()).await;
        let bots = uploaded(&s, &token, "bot.png", png()).await;
        assert!(bots["uploaded_by"].is_null(), "{bots}");
        let owners = uploaded(&s, &owner.access, "owner.png", png()).await;
        // Every member reads them all.
        assert_eq!(listed(&s, &ben.access, "").await.len(), 4);
        let res = fetch(
            &s,
            &format!("/api/v1/files/{}/content", id_of(&owners)),
            Some(&ben.access),
        )
        .await;
        assert_eq!(res.status(), 200);

        // Agents delete only what they uploaded.
        for f in [&amys, &bots, &owners] {
            s.delete(&format!("/api/v1/files/{}", id_of(f)), &ben.access)
                .await
                .problem(403);
        }
        assert_eq!(stored(&s).len(), 4);
        let res = s
            .delete(&format!("/api/v1/files/{}", id_of(&bens)), &ben.access)
            .await;
        assert_eq!(res.status, 204, "{}", res.body);
        // Managers and API tokens delete anyone's.
        let res = s
            .delete(&format!("/api/v1/files/{}", id_of(&amys)), &manager.access)
            .await;
        assert_eq!(res.status, 204, "{}", res.body);
        let res = s
            .delete(&format!("/api/v1/files/{}", id_of(&owners)), &token)
            .await;
        assert_eq!(res.status, 204, "{}", res.body);
        let res = s
            .delete(&format!("/api/v1/files/{}", id_of(&bots)), &owner.access)
            .await;
        assert_eq!(res.status, 204, "{}", res.body);
        assert!(listed(&s, &owner.access, "").await.is_empty());
        assert!(stored(&s).is_empty());
    }
);

scenario!(
    file_events_reach_the_stream,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let t = &owner.access;
        let res = s
            .http
            .get(s.url("/api/v1/events/stream"))
            .bearer_auth(t)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let mut stream = SseReader::new(res);
        let file = uploaded(&s, t, "cat.png", png()).await;
        let id = id_of(&file);
        assert_eq!(
            s.delete(&format!("/api/v1/files/{id}"), t).await.status,
            204
        );
        let mut seen = vec![];
        while seen.len() < 2 {
            let (_, kind, data) = stream.next_event(WAIT).await.expect("an event");
            if kind.starts_with("file.") {
                assert_eq!(data["data"]["id"], id, "{data}");
                assert_eq!(data["data"]["name"], "cat.png", "{data}");
                assert!(data["data"].get("storage_key").is_none(), "{data}");
                seen.push(kind);
            }
        }
        assert_eq!(seen, ["file.created", "file.deleted"]);
    }
);

/// The server's signing configuration, as the test harness sets it up.
fn signer(s: &TestServer) -> api::Config {
    api::Config {
        database_url: s.db.url.clone(),
        data_dir: s.db.data_dir.clone(),
        jwt_secret: JWT_SECRET.as_bytes().to_vec(),
        allow_private_urls: true,
        public_url: Some(s.base.clone()),
        db_pool_size: 1,
        db_concurrency: 1,
        trust_proxy: false,
        sse_heartbeat: Duration::from_secs(1),
        max_upload_bytes: LIMIT as u64,
        job_retry_base: Duration::from_millis(100),
        web_dir: s.db.data_dir.join("web"),
    }
}

fn row(workspace_id: i64, id: i64, name: &str) -> storage::files::File {
    storage::files::File {
        id,
        workspace_id,
        name: name.into(),
        mime: String::new(),
        size: 0,
        storage_key: String::new(),
        sha256: String::new(),
        source: "upload".into(),
        uploaded_by: None,
        created_at: chrono::Utc::now().naive_utc(),
    }
}

scenario!(
    signed_media_links_work_without_a_token_until_they_expire,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let t = &owner.access;
        let ws = owner.workspace_id;
        let cat = id_of(&uploaded(&s, t, "my cat.png", png()).await);
        let doc = id_of(&uploaded(&s, t, "doc.pdf", pdf()).await);
        let config = signer(&s);
        let minute = chrono::Duration::minutes(1);

        let url = api::filestore::signed_url(&config, &row(ws, cat, "my cat.png"), minute);
        assert!(
            url.starts_with(&format!("{}/media/{cat}/my%20cat.png?exp=", s.base)),
            "{url}"
        );
        let res = fetch(&s, &url, None).await;
        assert_eq!(res.status(), 200);
        assert_eq!(header(&res, "content-type"), "image/png");
        assert_eq!(header(&res, "x-content-type-options"), "nosniff");
        assert!(header(&res, "content-disposition").starts_with("inline; filename=\"my cat.png\""));
        assert_eq!(res.bytes().await.unwrap().to_vec(), png());

        let refused = |res: Res| {
            res.problem(403);
        };
        // A signature changed by one character.
        let last = url.chars().last().unwrap();
        let flipped = format!(
            "{}{}",
            &url[..url.len() - 1],
            if last == '0' { '1' } else { '0' }
        );
        refused(Res::from(fetch(&s, &flipped, None).await).await);
        // The signature of one file on another's path.
        let moved = url.replace(&format!("/media/{cat}/"), &format!("/media/{doc}/"));
        refused(Res::from(fetch(&s, &moved, None).await).await);
        // A later expiry than was signed.
        let (base, query) = url.split_once('?').unwrap();
        let exp: i64 = query
            .split('&')
            .find_map(|p| p.strip_prefix("exp="))
            .unwrap()
            .parse()
            .unwrap();
        let stretched = url.replace(&format!("exp={exp}"), &format!("exp={}", exp + 3600));
        refused(Res::from(fetch(&s, &stretched, None).await).await);
        // No signature, or nothing at all.
        refused(Res::from(fetch(&s, &format!("{base}?exp={exp}"), None).await).await);
        refused(Res::from(fetch(&s, base, None).await).await);
        // Expired.
        let expired = api::filestore::signed_url(&config, &row(ws, cat, "my cat.png"), -minute);
        refused(Res::from(fetch(&s, &expired, None).await).await);
        // Signed for another workspace, or with another key.
        let foreign = api::filestore::signed_url(&config, &row(ws + 1, cat, "x"), minute);
        refused(Res::from(fetch(&s, &foreign, None).await).await);
        let mut forger = signer(&s);
        forger.jwt_secret = b"not the server's secret".to_vec();
        let forged = api::filestore::signed_url(&forger, &row(ws, cat, "x"), minute);
        refused(Res::from(fetch(&s, &forged, None).await).await);

        // The name in the link is cosmetic; an unknown or deleted file is not found.
        let renamed = api::filestore::signed_url(&config, &row(ws, doc, "other.pdf"), minute);
        let res = fetch(&s, &renamed, None).await;
        assert_eq!(res.status(), 200);
        assert_eq!(res.bytes().await.unwrap().to_vec(), pdf());
        let unknown = api::filestore::signed_url(&config, &row(ws, 999_999, "x"), minute);
        Res::from(fetch(&s, &unknown, None).await)
            .await
            .problem(404);
        assert_eq!(
            s.delete(&format!("/api/v1/files/{doc}"), t).await.status,
            204
        );
        Res::from(fetch(&s, &renamed, None).await)
            .await
            .problem(404);
    }
);
