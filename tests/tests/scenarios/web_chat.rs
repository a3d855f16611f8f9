//! The website chat widget: web_chat channel settings, and the public visitor API
//! (`/api/v1/widget/{key}/…`): tokens, origins and CORS, rate limits, isolation between
//! visitors, history paging, uploads, name and e-mail, the live stream with resume, the
//! welcome event, and the team's side (inbox, replies).

use std::time::Duration;

use reqwest::multipart::{Form, Part};
use reqwest::Method;
use scenario_tests::sse::SseReader;
use scenario_tests::{json, scenario, Res, Session, TestServer};
use serde_json::Value;

use crate::support::{
    contact_view, conversation, count_messages, fields, message_in, messages, settled, timeline,
    WAIT,
};

const SHOP: &str = "https://shop.example.com";
const PAGE: &str = "https://shop.example.com/pricing?plan=pro";
const REFERRER: &str = "https://search.example.org/?q=chat";

/// Creates a web_chat channel, asserting 201; returns the channel view.
async fn web_chat(s: &TestServer, owner: &Session, config: Value) -> Value {
    let res = s
        .post(
            "/api/v1/channels",
            &owner.access,
            json!({"kind": "web_chat", "name": "Website", "config": config}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    res.body
}

/// A visitor's request from a page of `origin` (none: no Origin header).
async fn vcall(
    s: &TestServer,
    method: Method,
    path: &str,
    token: Option<&str>,
    origin: Option<&str>,
    body: Option<Value>,
) -> Res {
    let mut req = s.http.request(method, s.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(o) = origin {
        req = req.header("Origin", o);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    Res::from(req.send().await.unwrap()).await
}

/// One widget of one workspace, seen from the shop's pages.
struct Widget {
    s: TestServer,
    owner: Session,
    channel: i64,
    key: String,
}

/// A visitor with their token.
#[derive(Clone)]
struct Visitor {
    token: String,
    id: String,
}

impl Widget {
    async fn new(backend: scenario_tests::Backend, config: Value) -> Widget {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let ch = web_chat(&s, &owner, config).await;
        Widget {
            channel: ch["id"].as_i64().unwrap(),
            key: ch["widget"]["key"].as_str().unwrap().to_string(),
            s,
            owner,
        }
    }

    fn path(&self, rest: &str) -> String {
        format!("/api/v1/widget/{}/{rest}", self.key)
    }

    async fn call(
        &self,
        method: Method,
        rest: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Res {
        vcall(&self.s, method, &self.path(rest), token, Some(SHOP), body).await
    }

    /// A new visitor on the pricing page.
    async fn visitor(&self) -> Visitor {
        let res = self
            .call(
                Method::POST,
                "session",
                None,
                Some(json!({"page_url": PAGE, "referrer": REFERRER})),
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.body);
        Visitor {
            token: res.body["visitor_token"].as_str().unwrap().to_string(),
            id: res.body["visitor"]["id"].as_str().unwrap().to_string(),
        }
    }

    async fn send(&self, v: &Visitor, client_id: &str, text: &str) -> Res {
        self.call(
            Method::POST,
            "messages",
            Some(&v.token),
            Some(json!({"client_id": client_id, "text": text})),
        )
        .await
    }

    /// Sends, asserting 201; returns the message.
    async fn says(&self, v: &Visitor, client_id: &str, text: &str) -> Value {
        let res = self.send(v, client_id, text).await;
        assert_eq!(res.status, 201, "{}", res.body);
        res.body
    }

    async fn history(&self, v: &Visitor, query: &str) -> Res {
        self.call(
            Method::GET,
            &format!("messages{query}"),
            Some(&v.token),
            None,
        )
        .await
    }

    /// Every message of the visitor's history (one page), newest first.
    async fn all(&self, v: &Visitor) -> Vec<Value> {
        let res = self.history(v, "?limit=100").await;
        assert_eq!(res.status, 200, "{}", res.body);
        res.body["items"].as_array().unwrap().clone()
    }

    /// The contact id of a visitor, through the team's API.
    async fn contact(&self, v: &Visitor) -> i64 {
        let res = self
            .s
            .get("/api/v1/contacts?limit=100", &self.owner.access)
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        res.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| {
                c["channels"].as_array().is_some_and(|l| {
                    l.iter().any(|i| {
                        i["channel_id"] == self.channel && i["external_id"] == v.id.as_str()
                    })
                })
            })
            .unwrap_or_else(|| panic!("no contact for visitor {}", v.id))["id"]
            .as_i64()
            .unwrap()
    }

    /// The visitor's event stream, past its `retry:` line.
    async fn stream(&self, v: &Visitor, last_event_id: Option<i64>) -> SseReader {
        let mut req = self
            .s
            .http
            .get(self.s.url(&self.path(&format!("stream?token={}", v.token))))
            .header("Origin", SHOP);
        if let Some(id) = last_event_id {
            req = req.header("Last-Event-ID", id.to_string());
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "text/event-stream");
        assert_eq!(res.headers()["access-control-allow-origin"], SHOP);
        let mut reader = SseReader::new(res);
        assert!(reader.next(WAIT).await.is_some(), "the stream said nothing");
        reader
    }
}

/// The next `event` of a visitor stream: (id, data).
async fn next_event(stream: &mut SseReader, event: &str) -> (i64, Value) {
    loop {
        let (id, kind, data) = stream
            .next_event(WAIT)
            .await
            .unwrap_or_else(|| panic!("no {event} event arrived"));
        if kind == event {
            return (id, data);
        }
    }
}

fn png() -> Vec<u8> {
    let mut b = vec![
        0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, b'I', b'H', b'D', b'R',
    ];
    b.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0]);
    b
}

async fn upload(w: &Widget, v: &Visitor, client_id: &str, name: &str, bytes: Vec<u8>) -> Res {
    let form = Form::new().part("file", Part::bytes(bytes).file_name(name.to_string()));
    let req =
        w.s.http
            .post(w.s.url(&w.path(&format!("files?client_id={client_id}"))))
            .bearer_auth(&v.token)
            .header("Origin", SHOP)
            .multipart(form);
    Res::from(req.send().await.unwrap()).await
}

scenario!(
    /// Settings are checked field by field; the channel view carries the key and snippet;
    /// an update changes only what it names.
    channel_settings_are_checked,
    |backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let res = s
            .post(
                "/api/v1/channels",
                &owner.access,
                json!({"kind": "web_chat", "name": "Website", "config": {
                    "allowed_origins": ["https://ok.example.com", "shop.example.com", "https://x.example.com/path"],
                    "color": "red", "position": "middle", "ask_details": "yes",
                    "welcome_event": 1, "api_base_url": "https://nope"
                }}),
            )
            .await;
        let mut got = fields(&res);
        got.sort();
        assert_eq!(
            got,
            [
                "config.allowed_origins[1]",
                "config.allowed_origins[2]",
                "config.api_base_url",
                "config.ask_details",
                "config.color",
                "config.position",
                "config.welcome_event",
            ]
        );

        let ch = web_chat(
            &s,
            &owner,
            json!({"allowed_origins": ["https://Shop.Example.com/"], "greeting": "Hello!", "color": "#FF8800"}),
        )
        .await;
        assert!(ch["api_token"].is_null(), "web chat has no token: {ch}");
        assert_eq!(ch["kind"], "web_chat");
        assert_eq!(ch["config"]["allowed_origins"], json!([SHOP]));
        assert_eq!(ch["config"]["color"], "#ff8800");
        assert_eq!(ch["config"]["position"], "right");
        assert_eq!(ch["config"]["ask_details"], false);
        assert_eq!(ch["config"]["welcome_event"], false);
        assert!(ch["config"]["offline_message"].as_str().unwrap().len() > 5);
        let key = ch["widget"]["key"].as_str().unwrap();
        assert!(key.starts_with("wc_") && key.len() >= 30, "{key}");
        assert_ne!(key, ch["id"].to_string());
        assert_eq!(
            ch["widget"]["snippet"],
            format!("<script src=\"{}/widget.js\" data-channel=\"{key}\" async></script>", s.base)
        );
        let id = ch["id"].as_i64().unwrap();

        let res = s
            .patch(
                &format!("/api/v1/channels/{id}"),
                &owner.access,
                json!({"config": {"position": "left", "welcome_event": true}}),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["config"]["position"], "left");
        assert_eq!(res.body["config"]["allowed_origins"], json!([SHOP]));
        assert_eq!(res.body["config"]["greeting"], "Hello!");
        assert_eq!(res.body["widget"]["key"], key, "the key survives updates");

        let res = s
            .patch(
                &format!("/api/v1/channels/{id}"),
                &owner.access,
                json!({"config": {"allowed_origins": ["ftp://x"], "greeting": ""}}),
            )
            .await;
        let mut got = fields(&res);
        got.sort();
        assert_eq!(got, ["config.allowed_origins[0]", "config.greeting"]);
        let res = s
            .patch(
                &format!("/api/v1/channels/{id}"),
                &owner.access,
                json!({"rotate_token": true}),
            )
            .await;
        assert_eq!(fields(&res), ["rotate_token"]);

        // Agents cannot connect one.
        let agent = s.add_member(&owner, "agent@acme.test", "agent").await;
        let res = s
            .post(
                "/api/v1/channels",
                &agent.access,
                json!({"kind": "web_chat", "name": "W", "config": {}}),
            )
            .await;
        res.problem(403);
        let listed = s.get("/api/v1/channels", &agent.access).await;
        assert_eq!(listed.body[0]["widget"]["key"], key);
    }
);

scenario!(
    /// A visitor is known only by their token, and only on the channel that issued it.
    visitor_tokens,
    |backend| async move {
        let w = Widget::new(backend, json!({"allowed_origins": [SHOP], "greeting": "Hi!"})).await;
        let res = w
            .call(Method::POST, "session", None, Some(json!({"page_url": PAGE})))
            .await;
        assert_eq!(res.status, 201, "{}", res.body);
        let token = res.body["visitor_token"].as_str().unwrap().to_string();
        assert!(token.starts_with("wvt_") && token.len() > 40, "{token}");
        assert_eq!(res.body["widget"]["greeting"], "Hi!");
        assert_eq!(res.body["widget"]["name"], "Website");
        assert_eq!(res.body["widget"]["position"], "right");
        assert_eq!(res.body["online"], false, "nobody set themselves online");
        assert!(res.body["agent"].is_null() && res.body["conversation"].is_null());
        assert!(res.body["visitor"]["name"].is_null());
        let id = res.body["visitor"]["id"].clone();

        // Resuming answers the same visitor and no token.
        let res = w.call(Method::POST, "session", Some(&token), Some(json!({}))).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert!(res.body["visitor_token"].is_null());
        assert_eq!(res.body["visitor"]["id"], id);
        // An empty body is a session start too.
        let res = w.call(Method::POST, "session", Some(&token), None).await;
        assert_eq!(res.status, 200, "{}", res.body);

        // Missing and invalid tokens.
        for t in [None, Some("wvt_invented"), Some("")] {
            for (m, rest, body) in [
                (Method::GET, "messages", None),
                (Method::POST, "messages", Some(json!({"client_id": "a", "text": "hi"}))),
                (Method::PATCH, "visitor", Some(json!({"name": "X"}))),
            ] {
                let res = w.call(m, rest, t, body).await;
                res.problem(401);
                assert_eq!(res.header("access-control-allow-origin").as_deref(), Some(SHOP), "the page may read why");
            }
        }
        let res = w.call(Method::POST, "session", Some("wvt_invented"), None).await;
        res.problem(401);

        // Another channel's visitor token is nobody here.
        let other = web_chat(&w.s, &w.owner, json!({"allowed_origins": [SHOP]})).await;
        let other_key = other["widget"]["key"].as_str().unwrap();
        let res = vcall(&w.s, Method::GET, &format!("/api/v1/widget/{other_key}/messages"), Some(&token), Some(SHOP), None).await;
        res.problem(401);
        let res = vcall(&w.s, Method::GET, &format!("/api/v1/widget/{other_key}/stream?token={token}"), None, Some(SHOP), None).await;
        res.problem(401);

        // Unknown keys and other kinds of channel are not widgets.
        let res = vcall(&w.s, Method::POST, "/api/v1/widget/wc_nothing/session", None, Some(SHOP), None).await;
        res.problem(404);
        let res = vcall(&w.s, Method::POST, &format!("/api/v1/widget/{}/session", w.channel), None, Some(SHOP), None).await;
        res.problem(404);

        // A page URL that is not http(s) is refused.
        let res = w
            .call(Method::POST, "session", Some(&token), Some(json!({"page_url": "javascript:alert(1)"})))
            .await;
        assert_eq!(res.problem(422), ["page_url"]);
    }
);

scenario!(
    /// Only pages of the allowed origins (and the server's own, for its demo page) may use
    /// the widget; preflights are answered for them alone.
    origins_and_cors,
    |backend| async move {
        let w = Widget::new(backend, json!({"allowed_origins": [SHOP, "http://localhost:3000"]})).await;
        let session = w.path("session");
        for origin in [Some("https://evil.example.com"), Some("https://shop.example.com.evil.test"), Some("null"), None] {
            let res = vcall(&w.s, Method::POST, &session, None, origin, Some(json!({}))).await;
            res.problem(403);
            assert!(res.header("access-control-allow-origin").is_none(), "{origin:?}");
        }
        for origin in [SHOP, "http://localhost:3000", "HTTPS://SHOP.EXAMPLE.COM:443", w.s.base.as_str()] {
            let res = vcall(&w.s, Method::POST, &session, None, Some(origin), Some(json!({}))).await;
            assert_eq!(res.status, 201, "{origin}: {}", res.body);
            assert!(res.header("access-control-allow-origin").is_some(), "{origin}");
            assert_eq!(res.header("vary").as_deref(), Some("Origin"));
        }
        // Browsers leave Origin out of same-origin GETs: the Referer's origin stands in.
        let v = w.visitor().await;
        let res = Res::from(
            w.s.http
                .get(w.s.url(&w.path("messages")))
                .bearer_auth(&v.token)
                .header("Referer", format!("{SHOP}/contact"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(res.status, 200, "{}", res.body);
        let res = vcall(&w.s, Method::GET, &w.path("messages"), Some(&v.token), None, None).await;
        res.problem(403);

        // Preflight.
        let preflight = |origin: &'static str, path: String| {
            let s = &w.s;
            async move {
                s.http
                    .request(Method::OPTIONS, s.url(&path))
                    .header("Origin", origin)
                    .header("Access-Control-Request-Method", "POST")
                    .header("Access-Control-Request-Headers", "authorization, content-type")
                    .send()
                    .await
                    .unwrap()
            }
        };
        let res = preflight(SHOP, w.path("messages")).await;
        assert_eq!(res.status(), 204);
        let h = res.headers();
        assert_eq!(h["access-control-allow-origin"], SHOP);
        let methods = h["access-control-allow-methods"].to_str().unwrap();
        assert!(methods.contains("POST") && methods.contains("PATCH"), "{methods}");
        let headers = h["access-control-allow-headers"].to_str().unwrap().to_lowercase();
        assert!(headers.contains("authorization") && headers.contains("content-type") && headers.contains("last-event-id"), "{headers}");
        let res = preflight("https://evil.example.com", w.path("messages")).await;
        assert_eq!(res.status(), 403);
        assert!(res.headers().get("access-control-allow-origin").is_none());
        let res = preflight(SHOP, "/api/v1/widget/wc_unknown/session".into()).await;
        assert_eq!(res.status(), 404);

        // The origin list can change: the old site is out at once.
        let res = w
            .s
            .patch(&format!("/api/v1/channels/{}", w.channel), &w.owner.access, json!({"config": {"allowed_origins": ["https://new.example.com"]}}))
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        let res = w.history(&v, "").await;
        res.problem(403);
    }
);

scenario!(
    /// Visitors and addresses have a budget per minute; past it, 429 with Retry-After.
    rate_limits,
    |backend| async move {
        let w = Widget::new(backend, json!({"allowed_origins": [SHOP]})).await;
        let a = w.visitor().await;
        let b = w.visitor().await;
        for i in 0..20 {
            w.says(&a, &format!("m{i}"), "hello").await;
        }
        let res = w.send(&a, "m20", "one too many").await;
        res.problem(429);
        assert_eq!(res.body["type"], "/problems/rate-limited");
        let wait: u64 = res.header("retry-after").unwrap().parse().unwrap();
        assert!((1..=60).contains(&wait), "{wait}");
        assert_eq!(res.header("access-control-allow-origin").as_deref(), Some(SHOP));
        // Reading still works, and another visitor has their own budget.
        assert_eq!(w.history(&a, "").await.status, 200);
        w.says(&b, "m0", "hi").await;

        // New visitors per address: two made above, 18 more, then refused.
        for _ in 0..18 {
            w.visitor().await;
        }
        let res = w.call(Method::POST, "session", None, Some(json!({}))).await;
        res.problem(429);
        // Known visitors still resume.
        let res = w.call(Method::POST, "session", Some(&a.token), None).await;
        assert_eq!(res.status, 200, "{}", res.body);
    }
);

scenario!(
    /// A visitor sees their own messages and the team's replies, never another visitor's,
    /// never a private note, never activity.
    visitors_are_isolated,
    |backend| async move {
        let w = Widget::new(backend, json!({"allowed_origins": [SHOP]})).await;
        let (a, b) = (w.visitor().await, w.visitor().await);
        w.says(&a, "m1", "I am A").await;
        // The same client id is another visitor's own: stored, not taken for a repeat.
        w.says(&b, "m1", "I am B").await;
        let ca = w.contact(&a).await;
        let cb = w.contact(&b).await;
        assert_ne!(ca, cb);
        let token = &w.owner.access;
        let res = w.s.post(&format!("/api/v1/contacts/{ca}/comments"), token, json!({"text": "secret note about A"})).await;
        assert_eq!(res.status, 201, "{}", res.body);
        let res = w.s.post(&format!("/api/v1/contacts/{ca}/messages"), token, json!({"type": "text", "text": "hello A"})).await;
        assert_eq!(res.status, 202, "{}", res.body);
        let res = w.s.put(&format!("/api/v1/contacts/{ca}/assignee"), token, json!({"user_id": w.owner.user_id})).await;
        assert_eq!(res.status, 200, "{}", res.body);

        let texts = |items: Vec<Value>| items.iter().map(|m| m["text"].as_str().unwrap_or_default().to_string()).collect::<Vec<_>>();
        let seen_a = w.all(&a).await;
        assert_eq!(texts(seen_a.clone()), ["hello A", "I am A"]);
        assert_eq!(seen_a[0]["from"], "business");
        assert_eq!(seen_a[0]["agent"]["name"], "Owner Person");
        assert_eq!(seen_a[1]["from"], "visitor");
        assert_eq!(seen_a[1]["client_id"], "m1");
        assert_eq!(seen_a[1]["status"], "received");
        for m in &seen_a {
            let keys: Vec<&String> = m.as_object().unwrap().keys().collect();
            for secret in ["contact_id", "conversation_id", "sender", "provider_id", "error"] {
                assert!(!keys.iter().any(|k| *k == secret), "{secret} leaks: {m}");
            }
        }
        assert_eq!(texts(w.all(&b).await), ["I am B"]);

        // B's stream says nothing of A.
        let mut sb = w.stream(&b, None).await;
        let (_, status) = next_event(&mut sb, "status").await;
        assert_eq!(status["agent"], Value::Null, "B is nobody's");
        let res = w.s.post(&format!("/api/v1/contacts/{ca}/messages"), token, json!({"type": "text", "text": "only for A"})).await;
        assert_eq!(res.status, 202);
        let res = w.s.post(&format!("/api/v1/contacts/{ca}/comments"), token, json!({"text": "another note"})).await;
        assert_eq!(res.status, 201);
        let res = w.s.post(&format!("/api/v1/contacts/{cb}/messages"), token, json!({"type": "text", "text": "for B"})).await;
        assert_eq!(res.status, 202);
        let (_, m) = next_event(&mut sb, "message").await;
        assert_eq!(m["text"], "for B", "A's reply and the notes never reach B");

        // A's session knows who answers.
        let res = w.call(Method::POST, "session", Some(&a.token), None).await;
        assert_eq!(res.body["agent"]["name"], "Owner Person");
        assert_eq!(res.body["conversation"]["status"], "open");
    }
);

scenario!(
    /// History is newest first and pages back with `cursor`.
    history_pages,
    |backend| async move {
        let w = Widget::new(backend, json!({"allowed_origins": [SHOP]})).await;
        let v = w.visitor().await;
        let res = w.history(&v, "").await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["items"], json!([]), "nothing yet, and no contact made by reading");
        for i in 1..=7 {
            w.says(&v, &format!("c{i}"), &format!("message {i}")).await;
        }
        let mut seen = vec![];
        let mut query = "?limit=3".to_string();
        loop {
            let res = w.history(&v, &query).await;
            assert_eq!(res.status, 200, "{}", res.body);
            let items = res.body["items"].as_array().unwrap();
            seen.extend(items.iter().map(|m| m["text"].as_str().unwrap().to_string()));
            match res.body["next_cursor"].as_str() {
                Some(c) => query = format!("?limit=3&cursor={c}"),
                None => break,
            }
        }
        let expected: Vec<String> = (1..=7).rev().map(|i| format!("message {i}")).collect();
        assert_eq!(seen, expected);
        assert_eq!(w.history(&v, "?cursor=bogus").await.problem(422), ["cursor"]);
        assert_eq!(w.history(&v, "?limit=0").await.problem(422), ["limit"]);
    }
);

scenario!(
    /// Visitors upload files within the server's limit; a retry stores nothing new.
    uploads,
    |backend| async move {
        let w = Widget::new(backend, json!({"allowed_origins": [SHOP]})).await;
        let v = w.visitor().await;
        let res = upload(&w, &v, "f1", "../../photo.png", png()).await;
        assert_eq!(res.status, 201, "{}", res.body);
        let m = res.body.clone();
        assert_eq!(m["type"], "attachment");
        assert_eq!(m["attachment"]["kind"], "image");
        assert_eq!(m["attachment"]["mime"], "image/png");
        assert_eq!(m["attachment"]["name"], "photo.png");
        let url = m["attachment"]["url"].as_str().unwrap();
        let got = w.s.http.get(url).send().await.unwrap();
        assert_eq!(got.status(), 200);
        assert_eq!(got.bytes().await.unwrap().to_vec(), png());

        let again = upload(&w, &v, "f1", "photo.png", png()).await;
        assert_eq!(again.status, 200, "{}", again.body);
        assert_eq!(again.body["id"], m["id"]);

        let big = upload(&w, &v, "f2", "big.bin", vec![7u8; 1024 * 1024 + 1]).await;
        big.problem(413);
        let empty = upload(&w, &v, "f3", "empty.txt", vec![]).await;
        empty.problem(422);
        let not_form = w.call(Method::POST, "files?client_id=f4", Some(&v.token), Some(json!({"file": "x"}))).await;
        not_form.problem(415);
        let no_id = w.call(Method::POST, "files", Some(&v.token), None).await;
        no_id.problem(422);

        // The team sees the attachment in the contact's timeline.
        let contact = w.contact(&v).await;
        let list = messages(&w.s, &w.owner.access, contact).await;
        assert_eq!(list.len(), 1, "{list:?}");
        assert_eq!(list[0]["type"], "attachment");
        assert_eq!(list[0]["direction"], "incoming");
        assert!(list[0]["file_id"].is_i64());
    }
);

scenario!(
    /// Name and e-mail update the contact; a channel may ask for them before chatting.
    visitor_details,
    |backend| async move {
        let w = Widget::new(backend, json!({"allowed_origins": [SHOP], "ask_details": true})).await;
        let v = w.visitor().await;
        let res = w.send(&v, "m1", "hello?").await;
        res.problem(409);
        let res = w
            .call(Method::PATCH, "visitor", Some(&v.token), Some(json!({"name": "", "email": "not-an-email"})))
            .await;
        let mut got = res.problem(422);
        got.sort();
        assert_eq!(got, ["email", "name"]);
        let res = w
            .call(Method::PATCH, "visitor", Some(&v.token), Some(json!({"name": "  Ana Maria Lima ", "email": "Ana@Example.COM"})))
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["name"], "Ana Maria Lima");
        assert_eq!(res.body["email"], "ana@example.com");
        assert_eq!(res.body["id"], v.id.as_str());
        w.says(&v, "m1", "hello!").await;

        let contact = w.contact(&v).await;
        let c = contact_view(&w.s, &w.owner.access, contact).await;
        assert_eq!(c["first_name"], "Ana");
        assert_eq!(c["last_name"], "Maria Lima");
        assert_eq!(c["email"], "ana@example.com");
        let res = w.call(Method::POST, "session", Some(&v.token), None).await;
        assert_eq!(res.body["visitor"]["name"], "Ana Maria Lima");
        assert_eq!(res.body["widget"]["ask_details"], true);
    }
);

scenario!(
    /// The team's replies reach the visitor's stream live (then count as delivered); a
    /// reconnect with Last-Event-ID gets what was missed, in order.
    live_replies_and_resume,
    |backend| async move {
        let w = Widget::new(backend, json!({"allowed_origins": [SHOP]})).await;
        let v = w.visitor().await;
        let mut stream = w.stream(&v, None).await;
        let (_, status) = next_event(&mut stream, "status").await;
        assert_eq!(status, json!({"online": false, "agent": null}));

        let sent = w.says(&v, "m1", "anyone there?").await;
        let (_, echo) = next_event(&mut stream, "message").await;
        assert_eq!(echo["id"], sent["id"], "the visitor's other tabs see it too");
        assert_eq!(echo["from"], "visitor");
        let contact = w.contact(&v).await;

        let res = w.s.put("/api/v1/me/status", &w.owner.access, json!({"status": "online"})).await;
        assert_eq!(res.status, 200, "{}", res.body);
        let (_, status) = next_event(&mut stream, "status").await;
        assert_eq!(status["online"], true);

        let res = w.s.post(&format!("/api/v1/contacts/{contact}/messages"), &w.owner.access, json!({"type": "text", "text": "Yes, how can I help?"})).await;
        assert_eq!(res.status, 202, "{}", res.body);
        let reply_id = res.body["id"].as_i64().unwrap();
        let (last_id, reply) = next_event(&mut stream, "message").await;
        assert_eq!(reply["id"], reply_id);
        assert_eq!(reply["from"], "business");
        assert_eq!(reply["text"], "Yes, how can I help?");
        assert_eq!(reply["agent"]["name"], "Owner Person");
        // The reply reached an open widget: delivered, for the team to see.
        let start = std::time::Instant::now();
        loop {
            let m = settled(&w.s, &w.owner.access, contact, reply_id).await;
            if m["status"] == "delivered" {
                break;
            }
            assert!(start.elapsed() < WAIT, "still {}", m["status"]);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let (_, assigned) = next_event(&mut stream, "status").await;
        assert_eq!(assigned["agent"]["name"], "Owner Person", "replying took the contact");
        drop(stream);

        // While the visitor is away: two replies, a note, and the conversation closes.
        for text in ["Are you still there?", "We'll e-mail you."] {
            let res = w.s.post(&format!("/api/v1/contacts/{contact}/messages"), &w.owner.access, json!({"type": "text", "text": text})).await;
            assert_eq!(res.status, 202);
        }
        let res = w.s.post(&format!("/api/v1/contacts/{contact}/comments"), &w.owner.access, json!({"text": "do not show"})).await;
        assert_eq!(res.status, 201);
        let res = conversation(&w.s, &w.owner.access, contact, json!({"status": "closed"})).await;
        assert_eq!(res.status, 200, "{}", res.body);

        let mut stream = w.stream(&v, Some(last_id)).await;
        let mut texts = vec![];
        let mut closed = false;
        let mut last = last_id;
        while !(closed && texts.len() >= 2) {
            let (id, kind, data) = stream.next_event(WAIT).await.expect("missed events arrive");
            assert!(id == 0 || id > last, "in order: {id} after {last}");
            if id > 0 {
                last = id;
            }
            match kind.as_str() {
                "message" if data["text"] != "Yes, how can I help?" && !texts.contains(&data["text"]) => {
                    texts.push(data["text"].clone())
                }
                "conversation" => {
                    assert_eq!(data["status"], "closed");
                    closed = true;
                }
                _ => {}
            }
        }
        assert_eq!(texts, [json!("Are you still there?"), json!("We'll e-mail you.")]);

        // The query parameter resumes too; a bad Last-Event-ID is refused.
        let res = Res::from(
            w.s.http
                .get(w.s.url(&w.path(&format!("stream?token={}", v.token))))
                .header("Origin", SHOP)
                .header("Last-Event-ID", "yesterday")
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(res.problem(422), ["Last-Event-ID"]);
    }
);

scenario!(
    /// With welcome_event, a visitor's first load opens a conversation with the greeting,
    /// once per visitor however often they come back.
    welcome_event_once_per_visitor,
    |backend| async move {
        let w = Widget::new(backend, json!({"allowed_origins": [SHOP], "greeting": "Welcome to Acme!", "welcome_event": true})).await;
        let v = w.visitor().await;
        for _ in 0..3 {
            let res = w.call(Method::POST, "session", Some(&v.token), Some(json!({"page_url": "https://shop.example.com/other"}))).await;
            assert_eq!(res.status, 200, "{}", res.body);
            assert_eq!(res.body["conversation"]["status"], "open");
        }
        let items = w.all(&v).await;
        assert_eq!(items.len(), 1, "{items:?}");
        assert_eq!(items[0]["text"], "Welcome to Acme!");
        assert_eq!(items[0]["from"], "business");
        assert_eq!(items[0]["status"], "sent");
        assert!(items[0]["agent"].is_null());

        let contact = w.contact(&v).await;
        let c = contact_view(&w.s, &w.owner.access, contact).await;
        let conv = &c["open_conversation"];
        assert_eq!(conv["opened_source"], "welcome_event");
        assert_eq!(conv["source_url"], PAGE, "where the visitor first came in");
        assert_eq!(conv["source_referrer"], REFERRER);

        // Writing joins that conversation; another visitor gets their own greeting.
        w.says(&v, "m1", "thanks").await;
        let items = w.all(&v).await;
        assert_eq!(items.len(), 2);
        let convs = w.s.get(&format!("/api/v1/contacts/{contact}/conversations"), &w.owner.access).await;
        assert_eq!(convs.body["items"].as_array().unwrap().len(), 1, "{}", convs.body);
        let other = w.visitor().await;
        assert_eq!(w.all(&other).await.len(), 1);
    }
);

scenario!(
    /// A visitor's message reaches the inbox like any channel's, with the page it came from;
    /// retries store once; the team's reply is sent without any provider.
    inbox_shows_web_chat_contacts,
    |backend| async move {
        let w = Widget::new(backend, json!({"allowed_origins": [SHOP]})).await;
        let v = w.visitor().await;
        let first = w.says(&v, "abc-1", "Do you ship to Portugal?").await;
        let repeat = w.send(&v, "abc-1", "Do you ship to Portugal?").await;
        assert_eq!(repeat.status, 200, "{}", repeat.body);
        assert_eq!(repeat.body["id"], first["id"]);
        assert_eq!(count_messages(&w.s, w.owner.workspace_id), 1);
        let bad = w.send(&v, "has space", "x").await;
        assert_eq!(bad.problem(422), ["client_id"]);
        let bad = w.call(Method::POST, "messages", Some(&v.token), Some(json!({"client_id": "z", "text": "  "}))).await;
        assert_eq!(bad.problem(422), ["text"]);

        let inbox = w.s.get("/api/v1/inbox", &w.owner.access).await;
        assert_eq!(inbox.status, 200, "{}", inbox.body);
        let row = &inbox.body["items"][0];
        let contact = row["contact"]["id"].as_i64().unwrap();
        assert_eq!(contact, w.contact(&v).await);
        assert!(row["contact"]["first_name"].as_str().unwrap().starts_with("Visitor "));
        assert_eq!(row["last_message"]["text"], "Do you ship to Portugal?");
        assert_eq!(inbox.body["counts"]["unassigned"], 1);

        let c = contact_view(&w.s, &w.owner.access, contact).await;
        assert_eq!(c["channels"][0]["kind"], "web_chat");
        assert_eq!(c["channels"][0]["external_id"], v.id.as_str());
        assert_eq!(c["open_conversation"]["source_url"], PAGE);
        assert_eq!(c["open_conversation"]["source_referrer"], REFERRER);
        assert_eq!(c["open_conversation"]["opened_source"], "contact");
        let window = c["reply_window"].as_array().unwrap();
        assert_eq!(window[0]["open"], true);

        let res = w.s.post(&format!("/api/v1/contacts/{contact}/messages"), &w.owner.access, json!({"type": "text", "text": "Yes we do."})).await;
        assert_eq!(res.status, 202, "{}", res.body);
        let m = settled(&w.s, &w.owner.access, contact, res.body["id"].as_i64().unwrap()).await;
        assert_eq!(m["status"], "sent", "no provider: sent at once");
        assert_eq!(m["channel_id"], w.channel);
        let items = timeline(&w.s, &w.owner.access, contact).await;
        assert!(items.iter().any(|i| i["kind"] == "message" && i["message"]["text"] == "Yes we do."));
        assert_eq!(w.all(&v).await[0]["text"], "Yes we do.");

        // The widget tells what the visitor has read; the team sees it.
        let reply = m["id"].as_i64().unwrap();
        let res = w.call(Method::POST, "read", Some(&v.token), Some(json!({"up_to": reply}))).await;
        assert_eq!(res.status, 204, "{}", res.body);
        assert_eq!(message_in(&w.s, &w.owner.access, contact, reply).await["status"], "read");
        let other = w.visitor().await;
        let res = w.call(Method::POST, "read", Some(&other.token), Some(json!({"up_to": reply}))).await;
        assert_eq!(res.status, 204, "another visitor's read mark changes nothing");
    }
);
