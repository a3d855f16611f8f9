//! HTTP plumbing shared by every route: 404/405 answers, JSON body checks, paging,
//! `Idempotency-Key`, operations endpoints and the API docs.

use reqwest::header::{ALLOW, AUTHORIZATION, CONTENT_TYPE, LOCATION};
use reqwest::Method;
use scenario_tests::{json, scenario, Backend, Res, TestServer};
use serde_json::Value;

/// POST `path` with a JSON body and an `Idempotency-Key`.
async fn post_keyed(s: &TestServer, path: &str, token: &str, key: &str, body: Value) -> Res {
    let res = s
        .http
        .post(s.url(path))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(&body)
        .send()
        .await
        .expect("request sent");
    Res::from(res).await
}

/// POST raw bytes with the given content type.
async fn post_raw(
    s: &TestServer,
    path: &str,
    token: &str,
    content_type: &str,
    body: Vec<u8>,
) -> Res {
    let res = s
        .http
        .post(s.url(path))
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .header(CONTENT_TYPE, content_type)
        .body(body)
        .send()
        .await
        .expect("request sent");
    Res::from(res).await
}

async fn team_names(s: &TestServer, token: &str) -> Vec<String> {
    let res = s.get("/api/v1/teams?limit=100", token).await;
    assert_eq!(res.status, 200, "{}", res.body);
    res.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect()
}

scenario!(unknown_routes_and_methods, |backend: Backend| async move {
    let s = TestServer::start(backend).await;
    let owner = s.signup("Acme", "owner@acme.test").await;

    let res = s.get("/api/v1/nope", &owner.access).await;
    res.problem(404);
    let res = s.call(Method::GET, "/api/v1/nope", None, None).await;
    res.problem(404);

    let res = s.delete("/api/v1/me", &owner.access).await;
    res.problem(405);
    let allow = res.header("allow").expect("an Allow header");
    assert!(
        allow.split(',').any(|m| m.trim() == "GET"),
        "Allow: {allow}"
    );
    assert!(!allow.contains("DELETE"), "Allow: {allow}");

    // A path with several methods lists them all.
    let res = s
        .call(Method::PUT, "/api/v1/teams/1", Some(&owner.access), None)
        .await;
    res.problem(405);
    let allow = res
        .headers
        .get(ALLOW)
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    for m in ["GET", "PATCH", "DELETE"] {
        assert!(allow.split(',').any(|a| a.trim() == m), "Allow: {allow}");
    }

    let res = s.get("/api/v1/users/not-a-number", &owner.access).await;
    res.problem(404);
    let res = s.get("/api/v1/users/999999", &owner.access).await;
    res.problem(404);
});

scenario!(json_bodies_are_checked, |backend: Backend| async move {
    let s = TestServer::start(backend).await;
    let owner = s.signup("Acme", "owner@acme.test").await;

    let res = post_raw(
        &s,
        "/api/v1/teams",
        &owner.access,
        "application/json",
        br#"{"name":"#.to_vec(),
    )
    .await;
    res.problem(400);

    let res = post_raw(
        &s,
        "/api/v1/teams",
        &owner.access,
        "text/plain",
        br#"{"name":"Support"}"#.to_vec(),
    )
    .await;
    res.problem(415);

    // No content type at all is not JSON either.
    let res = s
        .http
        .post(s.url("/api/v1/teams"))
        .bearer_auth(&owner.access)
        .body(r#"{"name":"Support"}"#)
        .send()
        .await
        .unwrap();
    Res::from(res).await.problem(415);

    let mut big = br#"{"name":"Big","description":""#.to_vec();
    big.extend(std::iter::repeat_n(b'a', 1024 * 1024 + 16));
    big.extend(br#""}"#);
    let res = post_raw(&s, "/api/v1/teams", &owner.access, "application/json", big).await;
    res.problem(413);

    let res = post_raw(
        &s,
        "/api/v1/teams",
        &owner.access,
        "application/json",
        br#"[{"name":"Support"}]"#.to_vec(),
    )
    .await;
    assert_eq!(res.problem(422), ["body"], "{}", res.body);

    // A JSON subtype with a charset is JSON.
    let res = post_raw(
        &s,
        "/api/v1/teams",
        &owner.access,
        "application/json; charset=utf-8",
        br#"{"name":"Support"}"#.to_vec(),
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.body);

    // Missing and mistyped fields are named together.
    let res = post_raw(
        &s,
        "/api/v1/teams",
        &owner.access,
        "application/json",
        br#"{"description": 5}"#.to_vec(),
    )
    .await;
    let mut fields = res.problem(422);
    fields.sort();
    assert_eq!(fields, ["description", "name"], "{}", res.body);

    // None of the refused bodies created anything.
    assert_eq!(team_names(&s, &owner.access).await, ["Support"]);
});

scenario!(
    paging_is_checked_and_walks_every_item_once,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;

        for q in ["limit=0", "limit=101", "limit=-1"] {
            let res = s.get(&format!("/api/v1/teams?{q}"), &owner.access).await;
            assert_eq!(res.problem(422), ["limit"], "{q}: {}", res.body);
        }
        for cursor in ["garbage", "YWZ0ZXI6eA", "%21%21"] {
            let res = s
                .get(&format!("/api/v1/teams?cursor={cursor}"), &owner.access)
                .await;
            assert_eq!(res.problem(422), ["cursor"], "{cursor}: {}", res.body);
        }
        let res = s.get("/api/v1/teams?limit=many", &owner.access).await;
        res.problem(422);
        let res = s.get("/api/v1/api-tokens?limit=0", &owner.access).await;
        assert_eq!(res.problem(422), ["limit"], "{}", res.body);
        let res = s.get("/api/v1/users?cursor=nope", &owner.access).await;
        assert_eq!(res.problem(422), ["cursor"], "{}", res.body);
        for q in ["limit=1", "limit=100"] {
            let res = s.get(&format!("/api/v1/teams?{q}"), &owner.access).await;
            assert_eq!(res.status, 200, "{q}: {}", res.body);
        }

        let mut created = Vec::new();
        for i in 0..5 {
            let res = s
                .post(
                    "/api/v1/teams",
                    &owner.access,
                    json!({"name": format!("Team {i}")}),
                )
                .await;
            assert_eq!(res.status, 201, "{}", res.body);
            created.push(res.body["id"].as_i64().unwrap());
        }

        let mut seen = Vec::new();
        let mut sizes = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..10 {
            let path = match &cursor {
                Some(c) => format!("/api/v1/teams?limit=2&cursor={c}"),
                None => "/api/v1/teams?limit=2".to_string(),
            };
            let page = s.get(&path, &owner.access).await;
            assert_eq!(page.status, 200, "{}", page.body);
            let items = page.body["items"].as_array().unwrap();
            assert!(items.len() <= 2, "{}", page.body);
            sizes.push(items.len());
            seen.extend(items.iter().map(|t| t["id"].as_i64().unwrap()));
            match page.body["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_string()),
                None => {
                    cursor = None;
                    break;
                }
            }
        }
        assert!(cursor.is_none(), "the walk did not end");
        assert_eq!(seen, created, "each team exactly once, in order");
        assert_eq!(sizes, [2, 2, 1]);

        // Exactly a page's worth: the last full page has no next cursor.
        let res = s.get("/api/v1/teams?limit=5", &owner.access).await;
        assert_eq!(res.body["items"].as_array().unwrap().len(), 5);
        assert!(res.body["next_cursor"].is_null(), "{}", res.body);
    }
);

scenario!(
    idempotency_keys_replay_the_first_answer,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let other = s.signup("Other", "owner@other.test").await;
        let key = "create-support-team-1";
        let body = json!({"name": "Support", "description": "first line"});

        let first = post_keyed(&s, "/api/v1/teams", &owner.access, key, body.clone()).await;
        assert_eq!(first.status, 201, "{}", first.body);
        assert_eq!(first.header("idempotent-replayed"), None);
        let second = post_keyed(&s, "/api/v1/teams", &owner.access, key, body.clone()).await;
        assert_eq!(second.status, 201, "{}", second.body);
        assert_eq!(second.body, first.body);
        assert_eq!(
            second.header("idempotent-replayed").as_deref(),
            Some("true")
        );
        assert_eq!(
            second.header("content-type").as_deref(),
            Some("application/json")
        );
        assert_eq!(team_names(&s, &owner.access).await, ["Support"]);

        // The same key with another body is refused, and creates nothing.
        let res = post_keyed(
            &s,
            "/api/v1/teams",
            &owner.access,
            key,
            json!({"name": "Sales"}),
        )
        .await;
        assert_eq!(res.problem(422), ["Idempotency-Key"], "{}", res.body);
        assert_eq!(team_names(&s, &owner.access).await, ["Support"]);

        // Another user's key space is their own.
        let theirs = post_keyed(&s, "/api/v1/teams", &other.access, key, body.clone()).await;
        assert_eq!(theirs.status, 201, "{}", theirs.body);
        assert_eq!(theirs.header("idempotent-replayed"), None);
        assert_ne!(theirs.body["id"], first.body["id"]);
        assert_eq!(team_names(&s, &other.access).await, ["Support"]);
        assert_eq!(team_names(&s, &owner.access).await, ["Support"]);

        // The same key on another route is another request.
        let res = post_keyed(&s, "/api/v1/invitations", &owner.access, key, body.clone()).await;
        assert_eq!(res.problem(422), ["Idempotency-Key"], "{}", res.body);

        // Reads ignore the header.
        let res = s
            .http
            .get(s.url("/api/v1/teams"))
            .bearer_auth(&owner.access)
            .header("Idempotency-Key", "k".repeat(300))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);

        // Without a key, the same request runs again (and hits the name clash).
        let res = s.post("/api/v1/teams", &owner.access, body.clone()).await;
        res.problem(409);

        // Keys must be 1 to 255 visible ASCII characters.
        let long = "k".repeat(256);
        let res = post_keyed(
            &s,
            "/api/v1/teams",
            &owner.access,
            &long,
            json!({"name": "Long key"}),
        )
        .await;
        assert_eq!(res.problem(422), ["Idempotency-Key"], "{}", res.body);
        let res = post_keyed(
            &s,
            "/api/v1/teams",
            &owner.access,
            "",
            json!({"name": "Empty key"}),
        )
        .await;
        assert_eq!(res.problem(422), ["Idempotency-Key"], "{}", res.body);
        assert_eq!(team_names(&s, &owner.access).await, ["Support"]);
        let longest = "k".repeat(255);
        let res = post_keyed(
            &s,
            "/api/v1/teams",
            &owner.access,
            &longest,
            json!({"name": "Longest key"}),
        )
        .await;
        assert_eq!(res.status, 201, "{}", res.body);
        assert_eq!(
            team_names(&s, &owner.access).await,
            ["Support", "Longest key"]
        );
    }
);

scenario!(
    concurrent_repeats_of_a_key_create_once,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let body = json!({"name": "Raced"});
        let answers = futures_util::future::join_all(
            (0..6).map(|_| post_keyed(&s, "/api/v1/teams", &owner.access, "race-1", body.clone())),
        )
        .await;
        let mut created = 0;
        for res in &answers {
            match res.status.as_u16() {
                201 => {
                    created += 1;
                    assert_eq!(res.body["name"], "Raced", "{}", res.body);
                }
                409 => {
                    res.problem(409);
                }
                _ => panic!("unexpected answer {}: {}", res.status, res.body),
            }
        }
        assert!(created >= 1, "no request succeeded");
        let ids: std::collections::BTreeSet<String> = answers
            .iter()
            .filter(|r| r.status == 201)
            .map(|r| r.body["id"].to_string())
            .collect();
        assert_eq!(ids.len(), 1, "several teams answered: {ids:?}");
        assert_eq!(team_names(&s, &owner.access).await, ["Raced"]);
        // Afterwards, a repeat is a replay.
        let again = post_keyed(&s, "/api/v1/teams", &owner.access, "race-1", body).await;
        assert_eq!(again.status, 201, "{}", again.body);
        assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    }
);

scenario!(
    idempotent_token_creation_hides_the_secret_on_replay,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let body = json!({"name": "CI"});

        let first = post_keyed(
            &s,
            "/api/v1/api-tokens",
            &owner.access,
            "mint-ci",
            body.clone(),
        )
        .await;
        assert_eq!(first.status, 201, "{}", first.body);
        let secret = first.body["secret"].as_str().expect("secret").to_string();
        assert!(secret.starts_with("ism_"));

        let replay = post_keyed(&s, "/api/v1/api-tokens", &owner.access, "mint-ci", body).await;
        assert_eq!(replay.status, 201, "{}", replay.body);
        assert_eq!(
            replay.header("idempotent-replayed").as_deref(),
            Some("true")
        );
        assert!(
            replay.body.get("secret").is_some_and(Value::is_null),
            "{}",
            replay.body
        );
        assert!(!replay.body.to_string().contains(&secret));
        assert_eq!(replay.body["token"]["id"], first.body["token"]["id"]);
        assert_eq!(
            replay.body["token"]["prefix"],
            first.body["token"]["prefix"]
        );

        let list = s.get("/api/v1/api-tokens", &owner.access).await;
        assert_eq!(list.status, 200, "{}", list.body);
        assert_eq!(
            list.body["items"].as_array().unwrap().len(),
            1,
            "{}",
            list.body
        );
        // The first answer's secret works.
        assert_eq!(s.get("/api/v1/me", &secret).await.status, 200);
    }
);

scenario!(operations_endpoints, |backend: Backend| async move {
    let s = TestServer::start(backend).await;
    let owner = s.signup("Acme", "owner@acme.test").await;

    let res = s.http.get(s.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap(), "ok");

    let res = s.http.get(s.url("/readyz")).send().await.unwrap();
    assert_eq!(res.status(), 200);

    assert_eq!(s.get("/api/v1/me", &owner.access).await.status, 200);
    let res = s.get("/api/v1/users/not-a-number", &owner.access).await;
    res.problem(404);
    let res = s.http.get(s.url("/metrics")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let text = res.text().await.unwrap();
    let me_line = text
        .lines()
        .find(|l| {
            l.starts_with("ism_http_requests_total{")
                && l.contains(r#"route="/api/v1/me""#)
                && l.contains(r#"method="GET""#)
                && l.contains(r#"status="200""#)
        })
        .unwrap_or_else(|| panic!("no /api/v1/me request counted:\n{text}"));
    let count: f64 = me_line.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(count >= 1.0, "{me_line}");
    // Route patterns, never raw paths with ids.
    assert!(text.contains(r#"route="/api/v1/users/{id}""#), "{text}");
    assert!(!text.contains("not-a-number"), "{text}");
    assert!(text.contains("ism_db_pool_connections"), "{text}");
    assert!(text.contains("ism_http_request_duration_seconds"), "{text}");
});

scenario!(api_docs_are_served, |backend: Backend| async move {
    let s = TestServer::start(backend).await;

    let res = s.http.get(s.url("/openapi.json")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let spec: Value = res.json().await.expect("openapi.json is JSON");
    assert!(
        spec["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.")),
        "{}",
        spec["openapi"]
    );
    let paths = spec["paths"].as_object().expect("paths");
    for p in [
        "/api/v1/auth/signup",
        "/api/v1/me",
        "/api/v1/api-tokens",
        "/api/v1/workspace",
    ] {
        assert!(paths.contains_key(p), "{p} missing from the spec");
    }

    let res = s.http.get(s.url("/docs/")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let ct = res
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(ct.starts_with("text/html"), "{ct}");
    let html = res.text().await.unwrap();
    assert!(html.to_lowercase().contains("swagger"), "{html}");
    assert!(
        !html.contains("unpkg.com") && !html.contains("cdn.jsdelivr"),
        "the UI should be served locally: {html}"
    );
    // Its assets come from this server.
    let res = s
        .http
        .get(s.url("/docs/swagger-ui.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = no_redirects.get(s.url("/docs")).send().await.unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    assert_eq!(
        res.headers().get(LOCATION).and_then(|v| v.to_str().ok()),
        Some("/docs/")
    );
});

scenario!(
    the_web_client_is_served_at_the_root_with_route_fallback,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        // The root, client routes and deep links all answer the SPA's index.html.
        for path in [
            "/",
            "/inbox",
            "/contacts/42/conversations",
            "/settings/channels",
        ] {
            let res = s.http.get(s.url(path)).send().await.unwrap();
            assert_eq!(res.status(), 200, "{path}");
            let ct = res.headers().get(CONTENT_TYPE).unwrap().to_str().unwrap();
            assert!(ct.starts_with("text/html"), "{path}: {ct}");
            let cache = res
                .headers()
                .get("cache-control")
                .unwrap()
                .to_str()
                .unwrap();
            assert!(
                cache.contains("no-cache"),
                "{path}: index must revalidate, got {cache}"
            );
            assert!(res.text().await.unwrap().contains("id=\"root\""), "{path}");
        }
        // Hashed assets are served with their type and cached for good.
        let res = s
            .http
            .get(s.url("/assets/app-abc123.js"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let ct = res.headers().get(CONTENT_TYPE).unwrap().to_str().unwrap();
        assert!(ct.contains("javascript"), "{ct}");
        let cache = res
            .headers()
            .get("cache-control")
            .unwrap()
            .to_str()
            .unwrap();
        assert!(cache.contains("immutable"), "{cache}");
        // A missing asset is a 404, not the index page.
        let res = s
            .http
            .get(s.url("/assets/missing-1.js"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404);
        // Server paths keep their own answers.
        let res = s
            .http
            .get(s.url("/api/v1/no-such-thing"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404);
        let ct = res.headers().get(CONTENT_TYPE).unwrap().to_str().unwrap();
        assert!(ct.starts_with("application/problem+json"), "{ct}");
        let res = s.http.get(s.url("/webhooks/nowhere")).send().await.unwrap();
        assert_eq!(res.status(), 404);
        // Writes to a client path are not served the page.
        let res = s.http.post(s.url("/inbox")).send().await.unwrap();
        assert_eq!(res.status(), 404);
    }
);

scenario!(
    the_widget_demo_page_embeds_a_channel_widget_and_nothing_else,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let res = s
            .http
            .get(s.url("/widget/demo?channel=wc_Abc-123"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let html = res.text().await.unwrap();
        assert!(
            html.contains(r#"<script src="/widget.js" data-channel="wc_Abc-123" async>"#),
            "{html}"
        );
        // Anything but a key is not echoed into the page.
        let res = s
            .http
            .get(s.url("/widget/demo?channel=%22%3E%3Cscript%3Ealert(1)%3C/script%3E"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let html = res.text().await.unwrap();
        assert!(!html.contains("alert(1)"), "{html}");
        assert!(!html.contains("widget.js"), "{html}");
        assert!(html.contains("?channel="), "{html}");
    }
);

scenario!(
    requests_beyond_the_database_turns_wait_and_are_all_answered,
    |backend: Backend| async move {
        // One turn: every request's database work queues behind the one before it.
        let s = TestServer::start_with(backend, |c| c.db_concurrency = 1).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let token = owner.access.as_str();
        let writes = (0..12).map(|i| {
        let s = &s;
        async move {
            let body = json!({"first_name": format!("Queued {i}"), "email": format!("q{i}@acme.test")});
            s.post("/api/v1/contacts", token, body).await
        }
    });
        let reads = (0..12).map(|_| s.get("/api/v1/inbox", token));
        let (written, read) = futures_util::future::join(
            futures_util::future::join_all(writes),
            futures_util::future::join_all(reads),
        )
        .await;
        for res in &written {
            assert_eq!(res.status, 201, "{}", res.body);
        }
        for res in &read {
            assert_eq!(res.status, 200, "{}", res.body);
        }
        let res = s.get("/api/v1/contacts?limit=100", token).await;
        assert_eq!(res.status, 200, "{}", res.body);
        let mut names: Vec<String> = res.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["first_name"].as_str().unwrap().to_string())
            .collect();
        names.sort();
        let mut expected: Vec<String> = (0..12).map(|i| format!("Queued {i}")).collect();
        expected.sort();
        assert_eq!(names, expected);
    }
);

scenario!(
    the_outbox_says_which_work_appended_events,
    |backend: Backend| async move {
        // The server wakes its event tailer only after database work that appended events; the
        // flag it reads is per thread, so the whole check runs on one.
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let url = s.db.url.clone();
        let ws = owner.workspace_id;
        tokio::task::spawn_blocking(move || {
            let pool = storage::connect(&url, 1).unwrap();
            let mut conn = storage::checkout(&pool).unwrap();
            storage::outbox::take_appended();
            let before = storage::outbox::after(&mut conn, 0, 1000).unwrap().len();
            assert!(!storage::outbox::take_appended(), "a read appends nothing");
            let now = storage::naive(chrono::Utc::now());
            storage::outbox::append(&mut conn, ws, "test.ping", ("test", None), &json!({}), now)
                .unwrap();
            assert!(storage::outbox::take_appended(), "an append is told");
            assert!(!storage::outbox::take_appended(), "and told once");
            let list = [storage::outbox::Append {
                workspace_id: ws,
                event_type: "test.pong",
                subject: ("test", None),
                payload: "{}".into(),
            }];
            storage::outbox::append_many(&mut conn, &list, now).unwrap();
            assert!(storage::outbox::take_appended(), "appends in bulk are told");
            let after = storage::outbox::after(&mut conn, 0, 1000).unwrap().len();
            assert_eq!(after, before + 2);
        })
        .await
        .unwrap();
    }
);
