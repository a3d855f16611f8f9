//! Contacts (`/api/v1/contacts`), custom contact fields, tags, assignees, activity history,
//! restricted agents and the contact events of the realtime stream.

use std::time::Duration;

use reqwest::Method;
use scenario_tests::sse::SseReader;
use scenario_tests::{json, scenario, Backend, Res, Session, TestServer};
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(10);

/// Creates a contact, asserting 201; returns its view.
async fn create(s: &TestServer, token: &str, body: Value) -> Value {
    let res = s.post("/api/v1/contacts", token, body).await;
    assert_eq!(res.status, 201, "{}", res.body);
    res.body
}

fn id_of(v: &Value) -> i64 {
    v["id"].as_i64().expect("id")
}

/// `GET /api/v1/contacts` with properly encoded query parameters.
async fn list(s: &TestServer, token: &str, query: &[(&str, &str)]) -> Res {
    let req = s
        .http
        .get(s.url("/api/v1/contacts"))
        .bearer_auth(token)
        .query(query);
    Res::from(req.send().await.unwrap()).await
}

/// The first names a list answers, asserting 200.
async fn names(s: &TestServer, token: &str, query: &[(&str, &str)]) -> Vec<String> {
    let res = list(s, token, query).await;
    assert_eq!(res.status, 200, "{query:?}: {}", res.body);
    res.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["first_name"].as_str().unwrap().to_string())
        .collect()
}

/// Creates a custom field as `token`, asserting 201; returns its id.
async fn field(s: &TestServer, token: &str, body: Value) -> i64 {
    let res = s.post("/api/v1/contact-fields", token, body).await;
    assert_eq!(res.status, 201, "{}", res.body);
    id_of(&res.body)
}

/// A refused field definition: the offending field names.
async fn bad_field(s: &TestServer, token: &str, body: Value) -> Vec<String> {
    s.post("/api/v1/contact-fields", token, body)
        .await
        .problem(422)
}

async fn tags_call(s: &TestServer, method: Method, c: &str, token: &str, tags: Value) -> Res {
    s.call(
        method,
        &format!("/api/v1/contacts/{c}/tags"),
        Some(token),
        Some(json!({ "tags": tags })),
    )
    .await
}

async fn assign(s: &TestServer, c: &str, token: &str, user: Value) -> Res {
    s.put(
        &format!("/api/v1/contacts/{c}/assignee"),
        token,
        json!({ "user_id": user }),
    )
    .await
}

/// Every activity entry of a contact, newest first, walked `limit` at a time.
async fn activity(s: &TestServer, c: &str, token: &str, limit: u32) -> Vec<Value> {
    let mut all = vec![];
    let mut cursor: Option<String> = None;
    for _ in 0..100 {
        let mut path = format!("/api/v1/contacts/{c}/activity?limit={limit}");
        if let Some(cur) = &cursor {
            path.push_str(&format!("&cursor={cur}"));
        }
        let res = s.get(&path, token).await;
        assert_eq!(res.status, 200, "{}", res.body);
        let items = res.body["items"].as_array().unwrap();
        assert!(items.len() <= limit as usize, "{}", res.body);
        all.extend(items.iter().cloned());
        match res.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => return all,
        }
    }
    panic!("activity paging does not end");
}

async fn set_member(s: &TestServer, owner: &Session, user: i64, body: Value) {
    let res = s
        .patch(&format!("/api/v1/users/{user}"), &owner.access, body)
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
}

async fn open_stream(s: &TestServer, token: &str) -> SseReader {
    let res = s
        .http
        .get(s.url("/api/v1/events/stream"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    SseReader::new(res)
}

/// The next event of type `kind`, skipping others.
async fn next_of(stream: &mut SseReader, kind: &str) -> Value {
    loop {
        let (_, k, data) = stream
            .next_event(WAIT)
            .await
            .unwrap_or_else(|| panic!("no {kind} event arrived"));
        if k == kind {
            assert_eq!(data["type"], kind);
            return data["data"].clone();
        }
    }
}

scenario!(
    create_normalises_and_validates,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let t = &owner.access;
        field(
            &s,
            t,
            json!({"key": "city", "name": "City", "type": "text"}),
        )
        .await;
        field(
            &s,
            t,
            json!({"key": "orders", "name": "Orders", "type": "number"}),
        )
        .await;
        field(
            &s,
            t,
            json!({"key": "tier", "name": "Tier", "type": "list", "options": ["Gold", "Silver"]}),
        )
        .await;
        field(
            &s,
            t,
            json!({"key": "vip", "name": "VIP", "type": "checkbox"}),
        )
        .await;
        field(
            &s,
            t,
            json!({"key": "birthday", "name": "Birthday", "type": "date"}),
        )
        .await;

        let c = create(
            &s,
            t,
            json!({
                "first_name": "  Ana ", "last_name": "Lima", "email": "Ana.Lima@Example.TEST",
                "phone": "+60 12-345 6789", "tags": ["VIP", "vip", " new  lead "],
                "fields": {"city": " Kuala Lumpur ", "orders": "007.50", "tier": "gold",
                           "vip": true, "birthday": "2024-02-29"}
            }),
        )
        .await;
        assert_eq!(c["first_name"], "Ana");
        assert_eq!(c["last_name"], "Lima");
        assert_eq!(c["name"], "Ana Lima");
        assert_eq!(c["email"], "ana.lima@example.test");
        assert_eq!(c["phone"], "+60123456789");
        assert_eq!(c["tags"], json!(["VIP", "new lead"]));
        assert_eq!(
            c["fields"],
            json!({"city": "Kuala Lumpur", "orders": "7.5", "tier": "Gold", "vip": "true",
                   "birthday": "2024-02-29"})
        );
        assert!(c["assignee"].is_null(), "{c}");
        let got = s.get(&format!("/api/v1/contacts/{}", id_of(&c)), t).await;
        assert_eq!(got.status, 200, "{}", got.body);
        assert_eq!(got.body["name"], "Ana Lima");
        assert_eq!(got.body["fields"], c["fields"]);
        assert_eq!(got.body["tags"], c["tags"]);
        let only_first = create(&s, t, json!({"first_name": "Bo"})).await;
        assert_eq!(only_first["name"], "Bo");
        assert!(only_first["last_name"].is_null() && only_first["email"].is_null());

        // Every problem of the standard fields in one answer.
        let res = s
            .post(
                "/api/v1/contacts",
                t,
                json!({"email": "not-an-email", "phone": "call me", "tags": ["a,b"]}),
            )
            .await;
        let mut fields = res.problem(422);
        fields.sort();
        assert_eq!(fields, ["email", "first_name", "phone", "tags"]);
        let res = s
            .post(
                "/api/v1/contacts",
                t,
                json!({"first_name": "X", "phone": "012-345 6789"}),
            )
            .await;
        assert_eq!(res.problem(422), ["phone"], "a national number is refused");

        // Custom values: unknown keys and values of the wrong type.
        let res = s
            .post(
                "/api/v1/contacts",
                t,
                json!({"first_name": "X", "fields": {"shoe_size": "42"}}),
            )
            .await;
        assert_eq!(res.problem(422), ["fields.shoe_size"]);
        for (key, bad) in [
            ("orders", json!("abc")),
            ("tier", json!("Bronze")),
            ("vip", json!("maybe")),
            ("birthday", json!("2024-13-01")),
            ("city", json!(5)),
        ] {
            let res = s
                .post(
                    "/api/v1/contacts",
                    t,
                    json!({"first_name": "X", "fields": {key: bad}}),
                )
                .await;
            assert_eq!(res.problem(422), [format!("fields.{key}")], "{key}");
        }
        let res = s
            .post(
                "/api/v1/contacts",
                t,
                json!({"first_name": "X", "fields": {"orders": "abc", "nope": 1, "vip": "maybe"}}),
            )
            .await;
        let mut fields = res.problem(422);
        fields.sort();
        assert_eq!(fields, ["fields.nope", "fields.orders", "fields.vip"]);

        // Nothing refused was stored.
        assert_eq!(names(&s, t, &[]).await, ["Ana", "Bo"]);
    }
);

scenario!(
    contacts_are_addressed_by_id_email_and_phone,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let t = &owner.access;
        let ana = create(
            &s,
            t,
            json!({"first_name": "Ana", "email": "ana@x.test", "phone": "+60123456789"}),
        )
        .await;
        let id = id_of(&ana);
        let refs = [
            format!("{id}"),
            format!("id:{id}"),
            "email:ANA@x.test".to_string(),
            "email:ana@x.test".to_string(),
            "phone:+60123456789".to_string(),
            "phone:60 12-345 6789".to_string(),
        ];
        for r in &refs {
            let res = s.get(&format!("/api/v1/contacts/{r}"), t).await;
            assert_eq!(res.status, 200, "{r}: {}", res.body);
            assert_eq!(id_of(&res.body), id, "{r}");
            let res = s.get(&format!("/api/v1/contacts/{r}/activity"), t).await;
            assert_eq!(res.status, 200, "{r}: {}", res.body);
        }
        // PATCH, tags and assignee through the other forms.
        let res = s
            .patch(
                "/api/v1/contacts/email:ANA@X.TEST",
                t,
                json!({"last_name": "Lima"}),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["name"], "Ana Lima");
        let res = tags_call(&s, Method::POST, "phone:60 12-345 6789", t, json!(["vip"])).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["tags"], json!(["vip"]));
        let res = tags_call(&s, Method::DELETE, &format!("id:{id}"), t, json!(["VIP"])).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["tags"], json!([]));
        let res = assign(&s, "phone:+60123456789", t, json!(owner.user_id)).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["assignee"]["id"], owner.user_id);

        // Unknown ids, e-mails and phones, and nonsense, are not found.
        for r in [
            "999999",
            "id:999999",
            "email:bob@x.test",
            "phone:+60123456788",
            "phone:garbage",
            "abc",
            "email:",
        ] {
            let res = s.get(&format!("/api/v1/contacts/{r}"), t).await;
            res.problem(404);
        }

        // Another workspace sees none of it, on any route.
        let other = s.signup("Other", "owner@other.test").await;
        let o = &other.access;
        for r in [
            format!("{id}"),
            format!("id:{id}"),
            "email:ana@x.test".into(),
            "phone:+60123456789".into(),
        ] {
            let base = format!("/api/v1/contacts/{r}");
            s.get(&base, o).await.problem(404);
            s.patch(&base, o, json!({"first_name": "Hacked"}))
                .await
                .problem(404);
            s.get(&format!("{base}/activity"), o).await.problem(404);
            tags_call(&s, Method::POST, &r, o, json!(["x"]))
                .await
                .problem(404);
            tags_call(&s, Method::DELETE, &r, o, json!(["vip"]))
                .await
                .problem(404);
            assign(&s, &r, o, json!(other.user_id)).await.problem(404);
            assign(&s, &r, o, Value::Null).await.problem(404);
            s.delete(&base, o).await.problem(404);
        }
        let res = s.get(&format!("/api/v1/contacts/{id}"), t).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["first_name"], "Ana");
        assert_eq!(res.body["assignee"]["id"], owner.user_id);
        assert_eq!(names(&s, o, &[]).await, Vec::<String>::new());
        let tags = s.get("/api/v1/tags", o).await;
        assert_eq!(tags.body["items"], json!([]), "no tag leaked into Other");
    }
);

scenario!(
    /// A search finds the term as one piece of the name or number: names holding each of its
    /// trigrams, but apart or out of order, are not found (SQLite looks trigrams up one by one
    /// and leaves the decision to LIKE).
    search_matches_the_term_whole_not_its_pieces,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let t = &owner.access;
        create(&s, t, json!({"first_name": "Tia", "last_name": "Nadal Yoo"})).await;
        create(&s, t, json!({"first_name": "Nadia", "last_name": "Yoon"})).await;
        create(&s, t, json!({"first_name": "Jun", "last_name": "Min", "phone": "+60125234701"})).await;
        let cases: Vec<(&str, Vec<&str>)> = vec![
            // "nad", "ia " and "yoo" are all in "tia nadal yoo", not "nadia yoo"
            ("nadia yoo", vec!["Nadia"]),
            ("nadal yoo", vec!["Tia"]),
            ("yoo", vec!["Tia", "Nadia"]),
            // "jun" and "min" both in "jun min", not "minjun"
            ("minjun", vec![]),
            ("jun min", vec!["Jun"]),
            // five digits: the trigram path; "012" and "234" are in the number, apart
            ("01234", vec![]),
            ("52347", vec!["Jun"]),
        ];
        for (q, want) in cases {
            assert_eq!(names(&s, t, &[("search", q)]).await, want, "search={q}");
        }
    }
);

scenario!(
    search_follows_renames_and_deletes,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let t = &owner.access;
        let c = create(
            &s,
            t,
            json!({"first_name": "Beatriz", "last_name": "Souza", "phone": "+5511987654321"}),
        )
        .await;
        let path = format!("/api/v1/contacts/{}", id_of(&c));
        assert_eq!(names(&s, t, &[("search", "triz sou")]).await, ["Beatriz"]);
        let res = s
            .patch(
                &path,
                t,
                json!({"first_name": "Bia", "phone": "+5511900001111"}),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(
            names(&s, t, &[("search", "triz sou")]).await,
            Vec::<String>::new()
        );
        assert_eq!(names(&s, t, &[("search", "bia souza")]).await, ["Bia"]);
        assert_eq!(
            names(&s, t, &[("search", "87654")]).await,
            Vec::<String>::new()
        );
        assert_eq!(names(&s, t, &[("search", "900001111")]).await, ["Bia"]);
        let res = s.delete(&path, t).await;
        assert!(res.status == 200 || res.status == 204, "{}", res.body);
        assert_eq!(
            names(&s, t, &[("search", "bia souza")]).await,
            Vec::<String>::new()
        );
        assert_eq!(
            names(&s, t, &[("search", "900001111")]).await,
            Vec::<String>::new()
        );
    }
);

scenario!(
    /// Six digits or more are looked up by their last six, then checked whole: a run
    /// anywhere in the number matches, a shared tail alone does not, and the lookup follows
    /// changes of the number and stays within the workspace.
    long_phone_terms_match_anywhere_in_the_number,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let other = s.signup("Other", "owner@other.test").await;
        let t = &owner.access;
        let dora = create(&s, t, json!({"first_name": "Dora", "phone": "+60123456789"})).await;
        create(&s, t, json!({"first_name": "Eli", "phone": "+442071456789"})).await;
        create(&s, t, json!({"first_name": "Fay", "phone": "+601111111111"})).await;
        create(&s, &other.access, json!({"first_name": "Gus", "phone": "+60123456789"})).await;
        let cases: Vec<(&str, Vec<&str>)> = vec![
            ("+60123456789", vec!["Dora"]),
            ("60123456789", vec!["Dora"]),
            // the start, the middle and the end of a number
            ("601234", vec!["Dora"]),
            ("2345678", vec!["Dora"]),
            ("456789", vec!["Dora", "Eli"]),
            ("2071 456", vec!["Eli"]),
            // the same last six, different digits before them
            ("99123456789", vec![]),
            // a run repeated within one number
            ("1111111111", vec!["Fay"]),
        ];
        for (q, want) in cases {
            assert_eq!(names(&s, t, &[("search", q)]).await, want, "search={q}");
        }
        assert_eq!(names(&s, &other.access, &[("search", "123456789")]).await, ["Gus"]);

        let path = format!("/api/v1/contacts/{}", id_of(&dora));
        let res = s.patch(&path, t, json!({"phone": "+60198765432"})).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(names(&s, t, &[("search", "2345678")]).await, Vec::<String>::new());
        assert_eq!(names(&s, t, &[("search", "198765")]).await, ["Dora"]);
        let res = s.patch(&path, t, json!({"phone": null})).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(names(&s, t, &[("search", "198765")]).await, Vec::<String>::new());
        let res = s.patch(&path, t, json!({"phone": "+60198765432"})).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(names(&s, t, &[("search", "198765")]).await, ["Dora"]);
        let res = s.delete(&path, t).await;
        assert!(res.status == 200 || res.status == 204, "{}", res.body);
        assert_eq!(names(&s, t, &[("search", "198765")]).await, Vec::<String>::new());
    }
);

scenario!(
    /// The searched text is kept apart from the contact (PostgreSQL's `contacts_search`, SQLite's
    /// FTS5 table): renames and number changes move a contact in search at once, on every path
    /// that writes a contact, and never across workspaces.
    search_follows_renames_and_number_changes,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let other = s.signup("Other", "owner@other.test").await;
        let t = &owner.access;
        let zelda = create(
            &s,
            t,
            json!({"first_name": "Zelda", "last_name": "Quist", "phone": "+60199887766"}),
        )
        .await;
        create(&s, &other.access, json!({"first_name": "Zelda", "phone": "+60199887766"})).await;
        assert_eq!(names(&s, t, &[("search", "zelda q")]).await, ["Zelda"]);
        // four digits: the trigram path, not the six-digit runs
        assert_eq!(names(&s, t, &[("search", "9988")]).await, ["Zelda"]);

        let path = format!("/api/v1/contacts/{}", id_of(&zelda));
        let res = s
            .patch(&path, t, json!({"first_name": "Wanda", "phone": "+60198765432"}))
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(names(&s, t, &[("search", "zelda")]).await, Vec::<String>::new());
        assert_eq!(names(&s, t, &[("search", "wanda quist")]).await, ["Wanda"]);
        assert_eq!(names(&s, t, &[("search", "quist")]).await, ["Wanda"]);
        assert_eq!(names(&s, t, &[("search", "9988")]).await, Vec::<String>::new());
        assert_eq!(names(&s, t, &[("search", "8765")]).await, ["Wanda"]);
        assert_eq!(names(&s, &other.access, &[("search", "zelda")]).await, ["Zelda"]);
        assert_eq!(names(&s, &other.access, &[("search", "wanda")]).await, Vec::<String>::new());

        let res = s.delete(&path, t).await;
        assert!(res.status == 200 || res.status == 204, "{}", res.body);
        assert_eq!(names(&s, t, &[("search", "quist")]).await, Vec::<String>::new());
        assert_eq!(names(&s, &other.access, &[("search", "9988")]).await, ["Zelda"]);
    }
);

scenario!(search_filters_and_pages, |backend: Backend| async move {
    let s = TestServer::start(backend).await;
    let owner = s.signup("Acme", "owner@acme.test").await;
    let agent = s.add_member(&owner, "agent@acme.test", "agent").await;
    let t = &owner.access;
    let carlos = create(
        &s,
        t,
        json!({"first_name": "Carlos", "last_name": "Mendes", "email": "carlos@x.test",
                   "phone": "+60123456789", "tags": ["VIP"]}),
    )
    .await;
    let oscar = create(
        &s,
        t,
        json!({"first_name": "Oscar", "phone": "+442079460958", "tags": ["lead"]}),
    )
    .await;
    let ana = create(&s, t, json!({"first_name": "Ana", "email": "ana@x.test"})).await;
    create(&s, t, json!({"first_name": "50% off"})).await;
    create(&s, t, json!({"first_name": "snake_case"})).await;
    assign(&s, &id_of(&carlos).to_string(), t, json!(agent.user_id)).await;
    assign(&s, &id_of(&oscar).to_string(), t, json!(owner.user_id)).await;

    let cases: Vec<(String, Vec<&str>)> = vec![
        ("car".into(), vec!["Carlos", "Oscar"]),
        ("CAR".into(), vec!["Carlos", "Oscar"]),
        ("los men".into(), vec!["Carlos"]),
        ("carlos@x.test".into(), vec!["Carlos"]),
        ("CARLOS@X.TEST".into(), vec!["Carlos"]),
        ("carlos@x".into(), vec![]),
        ("+60123456789".into(), vec!["Carlos"]),
        ("60123456789".into(), vec!["Carlos"]),
        ("+60 12-345 6789".into(), vec!["Carlos"]),
        ("345 67".into(), vec!["Carlos"]),
        ("20 7946".into(), vec!["Oscar"]),
        (id_of(&ana).to_string(), vec!["Ana"]),
        (format!("id:{}", id_of(&ana)), vec!["Ana"]),
        ("%".into(), vec!["50% off"]),
        ("_".into(), vec!["snake_case"]),
        // Three characters or more go through the trigram index: wildcards and quotes
        // there are plain characters too.
        ("50% o".into(), vec!["50% off"]),
        ("ke_ca".into(), vec!["snake_case"]),
        ("ke\"ca".into(), vec![]),
        ("zzz".into(), vec![]),
    ];
    for (q, want) in cases {
        assert_eq!(names(&s, t, &[("search", &q)]).await, want, "search={q}");
    }
    assert_eq!(names(&s, t, &[("tag", "vip")]).await, ["Carlos"]);
    assert_eq!(names(&s, t, &[("tag", "LEAD")]).await, ["Oscar"]);
    assert_eq!(names(&s, t, &[("tag", "nope")]).await, Vec::<String>::new());
    assert_eq!(names(&s, t, &[("assignee", "me")]).await, ["Oscar"]);
    assert_eq!(
        names(&s, &agent.access, &[("assignee", "me")]).await,
        ["Carlos"]
    );
    let agent_id = agent.user_id.to_string();
    assert_eq!(names(&s, t, &[("assignee", &agent_id)]).await, ["Carlos"]);
    assert_eq!(
        names(&s, t, &[("assignee", "unassigned")]).await,
        ["Ana", "50% off", "snake_case"]
    );
    assert_eq!(
        names(&s, t, &[("assignee", "unassigned"), ("search", "a")]).await,
        ["Ana", "snake_case"]
    );
    assert_eq!(
        names(&s, t, &[("search", "car"), ("tag", "VIP")]).await,
        ["Carlos"]
    );
    let res = list(&s, t, &[("assignee", "somebody")]).await;
    assert_eq!(res.problem(422), ["assignee"]);

    // Paging walks every contact exactly once, in id order.
    let mut seen = vec![];
    let mut cursor: Option<String> = None;
    loop {
        let mut q = vec![("limit", "2")];
        if let Some(c) = &cursor {
            q.push(("cursor", c));
        }
        let res = list(&s, t, &q).await;
        assert_eq!(res.status, 200, "{}", res.body);
        let items = res.body["items"].as_array().unwrap();
        assert!(items.len() <= 2);
        seen.extend(items.iter().map(id_of));
        match res.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
        assert!(seen.len() < 10, "paging does not end");
    }
    assert_eq!(seen.len(), 5, "{seen:?}");
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, seen);
});

scenario!(
    patch_changes_only_what_is_given,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let t = &owner.access;
        field(
            &s,
            t,
            json!({"key": "city", "name": "City", "type": "text"}),
        )
        .await;
        field(
            &s,
            t,
            json!({"key": "orders", "name": "Orders", "type": "number"}),
        )
        .await;
        let c = create(
            &s,
            t,
            json!({"first_name": "Ana", "last_name": "Lima", "email": "ana@x.test",
                   "phone": "+60123456789", "language": "pt", "fields": {"city": "Porto"}}),
        )
        .await;
        let path = format!("/api/v1/contacts/{}", id_of(&c));

        let res = s
            .patch(
                &path,
                t,
                json!({"last_name": null, "email": null, "fields": {"orders": 3}}),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        let got = s.get(&path, t).await.body;
        assert_eq!(got["first_name"], "Ana");
        assert!(got["last_name"].is_null(), "{got}");
        assert_eq!(got["name"], "Ana");
        assert!(got["email"].is_null(), "{got}");
        assert_eq!(got["phone"], "+60123456789");
        assert_eq!(got["language"], "pt");
        assert_eq!(got["fields"], json!({"city": "Porto", "orders": "3"}));

        let res = s
            .patch(
                &path,
                t,
                json!({"phone": "0060 12 345 6780", "email": "NEW@X.TEST", "fields": {"city": null}}),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        let got = s.get(&path, t).await.body;
        assert_eq!(got["phone"], "+60123456780");
        assert_eq!(got["email"], "new@x.test");
        assert_eq!(got["fields"], json!({"orders": "3"}));
        assert_eq!(
            names(&s, t, &[("search", "new@x.test")]).await,
            ["Ana"],
            "search sees the change"
        );
        assert_eq!(names(&s, t, &[("search", "6012345678")]).await, ["Ana"]);

        // Refused changes leave everything as it was.
        for bad in [
            json!({"email": "nope", "first_name": "Changed"}),
            json!({"phone": "12", "last_name": "Changed"}),
            json!({"fields": {"orders": "many"}, "last_name": "Changed"}),
            json!({"fields": {"unknown": "x"}, "last_name": "Changed"}),
            json!({"first_name": ""}),
        ] {
            let res = s.patch(&path, t, bad.clone()).await;
            assert!(!res.problem(422).is_empty(), "{bad}");
        }
        let after = s.get(&path, t).await.body;
        assert_eq!(after, got);
    }
);

scenario!(
    tags_on_contacts_and_in_the_workspace,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let manager = s.add_member(&owner, "manager@acme.test", "manager").await;
        let agent = s.add_member(&owner, "agent@acme.test", "agent").await;
        let t = &owner.access;
        let c = create(&s, t, json!({"first_name": "Ana", "tags": ["VIP"]})).await;
        let d = create(&s, t, json!({"first_name": "Bo", "tags": ["lead"]})).await;
        let cid = id_of(&c).to_string();

        let res = tags_call(
            &s,
            Method::POST,
            &cid,
            &agent.access,
            json!(["vip", "Lead", "New", "new "]),
        )
        .await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(
            res.body["tags"],
            json!(["VIP", "lead", "New"]),
            "existing spellings kept"
        );
        let res = tags_call(&s, Method::POST, &cid, t, json!(["ok", "a,b"])).await;
        assert_eq!(res.problem(422), ["tags"]);
        let listed = s.get("/api/v1/tags", t).await;
        assert_eq!(listed.status, 200, "{}", listed.body);
        let tag_names: Vec<&str> = listed.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            tag_names,
            ["VIP", "lead", "New"],
            "'ok' was not created by the refused call"
        );

        let res = tags_call(&s, Method::DELETE, &cid, t, json!(["NEW", "never-there"])).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["tags"], json!(["VIP", "lead"]));
        let got = s.get(&format!("/api/v1/contacts/{cid}"), t).await;
        assert_eq!(got.body["tags"], json!(["VIP", "lead"]));

        // Workspace tags.
        let res = s
            .post(
                "/api/v1/tags",
                &agent.access,
                json!({"name": " Follow  up "}),
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.body);
        assert_eq!(res.body["name"], "Follow up");
        s.post("/api/v1/tags", t, json!({"name": "FOLLOW UP"}))
            .await
            .problem(409);
        s.post("/api/v1/tags", t, json!({"name": "vip"}))
            .await
            .problem(409);
        assert_eq!(
            s.post("/api/v1/tags", t, json!({"name": "x,y"}))
                .await
                .problem(422),
            ["name"]
        );

        s.delete("/api/v1/tags/LEAD", &agent.access)
            .await
            .problem(403);
        let res = s.delete("/api/v1/tags/LEAD", &manager.access).await;
        assert_eq!(res.status, 204, "{}", res.body);
        s.delete("/api/v1/tags/lead", t).await.problem(404);
        let got = s.get(&format!("/api/v1/contacts/{cid}"), t).await;
        assert_eq!(got.body["tags"], json!(["VIP"]));
        let got = s.get(&format!("/api/v1/contacts/{}", id_of(&d)), t).await;
        assert_eq!(got.body["tags"], json!([]));
        assert_eq!(names(&s, t, &[("tag", "lead")]).await, Vec::<String>::new());
        let listed = s.get("/api/v1/tags", t).await;
        let tag_names: Vec<&str> = listed.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        assert_eq!(tag_names, ["VIP", "New", "Follow up"]);
        let res = s.delete("/api/v1/tags/Follow%20Up", t).await;
        assert_eq!(res.status, 204, "{}", res.body);
    }
);

scenario!(
    assignee_and_activity_history,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let agent = s.add_member(&owner, "agent@acme.test", "agent").await;
        let other = s.signup("Other", "owner@other.test").await;
        let t = &owner.access;
        field(
            &s,
            t,
            json!({"key": "city", "name": "City", "type": "text"}),
        )
        .await;
        let c = create(&s, t, json!({"first_name": "Ana", "email": "ana@x.test"})).await;
        let cid = id_of(&c).to_string();

        let res = assign(&s, &cid, t, json!(agent.user_id)).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(
            res.body["assignee"],
            json!({"id": agent.user_id, "name": "Member Person"})
        );
        let got = s.get(&format!("/api/v1/contacts/{cid}"), t).await;
        assert_eq!(got.body["assignee"]["id"], agent.user_id);
        assert_eq!(got.body["assignee"]["name"], "Member Person");
        assert_eq!(
            assign(&s, &cid, t, json!(other.user_id)).await.problem(422),
            ["user_id"]
        );
        assert_eq!(
            assign(&s, &cid, t, json!(987654)).await.problem(422),
            ["user_id"]
        );
        let res = s
            .put(&format!("/api/v1/contacts/{cid}/assignee"), t, json!({}))
            .await;
        assert_eq!(res.problem(422), ["user_id"]);
        let got = s.get(&format!("/api/v1/contacts/{cid}"), t).await;
        assert_eq!(
            got.body["assignee"]["id"], agent.user_id,
            "refusals changed nothing"
        );
        let res = assign(&s, &cid, &agent.access, Value::Null).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert!(res.body["assignee"].is_null(), "{}", res.body);

        // More history, partly by the agent.
        let res = s
            .patch(
                &format!("/api/v1/contacts/{cid}"),
                &agent.access,
                json!({"email": "ANA2@x.test", "fields": {"city": "Porto"}}),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(
            tags_call(&s, Method::POST, &cid, t, json!(["VIP"]))
                .await
                .status,
            200
        );
        assert_eq!(
            tags_call(&s, Method::DELETE, &cid, t, json!(["vip"]))
                .await
                .status,
            200
        );
        // A change to nothing new records nothing.
        s.patch(
            &format!("/api/v1/contacts/{cid}"),
            t,
            json!({"first_name": "Ana"}),
        )
        .await;
        assert_eq!(assign(&s, &cid, t, Value::Null).await.status, 200);

        let all = activity(&s, &cid, t, 2).await;
        let kinds: Vec<&str> = all.iter().map(|a| a["kind"].as_str().unwrap()).collect();
        assert_eq!(
            kinds,
            [
                "tag_removed",
                "tag_added",
                "field_changed",
                "field_changed",
                "unassigned",
                "assigned",
                "created"
            ],
            "{all:#?}"
        );
        let ids: Vec<i64> = all.iter().map(id_of).collect();
        assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first: {ids:?}");
        assert_eq!(all, activity(&s, &cid, t, 100).await, "pages join up");
        assert_eq!(all[0]["detail"]["tag"], "VIP");
        assert_eq!(all[1]["detail"]["tag"], "VIP");
        let changes: Vec<&Value> = all[2..4].iter().map(|a| &a["detail"]).collect();
        assert!(
            changes
                .contains(&&json!({"field": "email", "from": "ana@x.test", "to": "ana2@x.test"})),
            "{changes:?}"
        );
        assert!(
            changes.contains(&&json!({"field": "city", "from": null, "to": "Porto"})),
            "{changes:?}"
        );
        assert_eq!(all[4]["detail"]["from"], agent.user_id);
        assert!(all[4]["detail"]["to"].is_null());
        assert_eq!(all[5]["detail"]["to"], agent.user_id);
        for (i, a) in all.iter().enumerate() {
            assert_eq!(a["actor_type"], "user", "{a}");
            let by_agent = i == 2 || i == 3 || i == 4;
            let who = if by_agent {
                agent.user_id
            } else {
                owner.user_id
            };
            assert_eq!(a["actor_id"], who, "{a}");
            assert!(a["created_at"].is_string());
        }

        // Through an API token the actor is the token.
        let minted = s
            .post("/api/v1/api-tokens", t, json!({"name": "sync"}))
            .await;
        assert_eq!(minted.status, 201, "{}", minted.body);
        let secret = minted.body["secret"].as_str().unwrap().to_string();
        let token_id = minted.body["token"]["id"].as_i64().unwrap();
        let made = create(
            &s,
            &secret,
            json!({"first_name": "Bot-made", "tags": ["api"]}),
        )
        .await;
        let mid = id_of(&made).to_string();
        let res = s
            .patch(
                &format!("/api/v1/contacts/{mid}"),
                &secret,
                json!({"last_name": "X"}),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(
            assign(&s, &mid, &secret, json!(agent.user_id)).await.status,
            200
        );
        let all = activity(&s, &mid, &secret, 2).await;
        let kinds: Vec<&str> = all.iter().map(|a| a["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["assigned", "field_changed", "tag_added", "created"]);
        for a in &all {
            assert_eq!(a["actor_type"], "api", "{a}");
            assert_eq!(a["actor_id"], token_id, "{a}");
        }
    }
);

scenario!(
    custom_contact_fields_by_role,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let manager = s.add_member(&owner, "manager@acme.test", "manager").await;
        let agent = s.add_member(&owner, "agent@acme.test", "agent").await;
        let t = &owner.access;

        let res = s
            .post(
                "/api/v1/contact-fields",
                t,
                json!({"key": "city", "name": "City", "type": "text"}),
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.body);
        assert_eq!(res.body["key"], "city");
        assert_eq!(res.body["type"], "text");
        assert_eq!(res.body["options"], json!([]));
        let city = id_of(&res.body);
        let orders = field(
            &s,
            &manager.access,
            json!({"key": "orders", "name": "Orders", "type": "number"}),
        )
        .await;
        let res = s
            .post(
                "/api/v1/contact-fields",
                t,
                json!({"key": "tier", "name": "Tier", "type": "list", "options": [" Gold ", "Silver"]}),
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.body);
        assert_eq!(res.body["options"], json!(["Gold", "Silver"]));
        let tier = id_of(&res.body);

        assert_eq!(
            bad_field(
                &s,
                t,
                json!({"key": "size", "name": "Size", "type": "list"})
            )
            .await,
            ["options"]
        );
        assert_eq!(
            bad_field(
                &s,
                t,
                json!({"key": "size", "name": "Size", "type": "list", "options": []})
            )
            .await,
            ["options"]
        );
        assert_eq!(
            bad_field(
                &s,
                t,
                json!({"key": "size", "name": "Size", "type": "text", "options": ["a"]})
            )
            .await,
            ["options"]
        );
        assert_eq!(
            bad_field(
                &s,
                t,
                json!({"key": "First Name", "name": "F", "type": "text"})
            )
            .await,
            ["key"]
        );
        assert_eq!(
            bad_field(&s, t, json!({"key": "email", "name": "E", "type": "text"})).await,
            ["key"]
        );
        assert_eq!(
            bad_field(
                &s,
                t,
                json!({"key": "first_name", "name": "E", "type": "text"})
            )
            .await,
            ["key"]
        );
        assert_eq!(
            bad_field(
                &s,
                t,
                json!({"key": "size", "name": "Size", "type": "time"})
            )
            .await,
            ["type"]
        );
        s.post(
            "/api/v1/contact-fields",
            &manager.access,
            json!({"key": "city", "name": "Town", "type": "number"}),
        )
        .await
        .problem(409);
        s.post(
            "/api/v1/contact-fields",
            &agent.access,
            json!({"key": "size", "name": "Size", "type": "text"}),
        )
        .await
        .problem(403);

        let listed = s.get("/api/v1/contact-fields", &agent.access).await;
        assert_eq!(listed.status, 200, "{}", listed.body);
        let keys: Vec<&str> = listed.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["key"].as_str().unwrap())
            .collect();
        assert_eq!(keys, ["city", "orders", "tier"]);

        // PATCH: name and list options; key and type stay.
        let res = s
            .patch(
                &format!("/api/v1/contact-fields/{tier}"),
                &manager.access,
                json!({"name": "Level", "options": ["Gold", "Silver", "Bronze"], "key": "level", "type": "text"}),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["name"], "Level");
        assert_eq!(res.body["key"], "tier");
        assert_eq!(res.body["type"], "list");
        assert_eq!(res.body["options"], json!(["Gold", "Silver", "Bronze"]));
        let res = s
            .patch(
                &format!("/api/v1/contact-fields/{city}"),
                t,
                json!({"options": ["a"]}),
            )
            .await;
        assert_eq!(res.problem(422), ["options"]);
        s.patch(
            &format!("/api/v1/contact-fields/{city}"),
            &agent.access,
            json!({"name": "X"}),
        )
        .await
        .problem(403);
        let c = create(
            &s,
            t,
            json!({"first_name": "Ana", "fields": {"tier": "bronze", "city": "Porto", "orders": 2}}),
        )
        .await;
        assert_eq!(
            c["fields"],
            json!({"city": "Porto", "orders": "2", "tier": "Bronze"})
        );

        // Only owners delete, and the values go with the field.
        s.delete(&format!("/api/v1/contact-fields/{city}"), &manager.access)
            .await
            .problem(403);
        s.delete(&format!("/api/v1/contact-fields/{city}"), &agent.access)
            .await
            .problem(403);
        let res = s.delete(&format!("/api/v1/contact-fields/{city}"), t).await;
        assert_eq!(res.status, 204, "{}", res.body);
        s.delete(&format!("/api/v1/contact-fields/{city}"), t)
            .await
            .problem(404);
        let got = s.get(&format!("/api/v1/contacts/{}", id_of(&c)), t).await;
        assert_eq!(got.body["fields"], json!({"orders": "2", "tier": "Bronze"}));
        let res = s
            .post(
                "/api/v1/contacts",
                t,
                json!({"first_name": "X", "fields": {"city": "Porto"}}),
            )
            .await;
        assert_eq!(res.problem(422), ["fields.city"]);
        // A new field of the same key starts empty.
        field(
            &s,
            t,
            json!({"key": "city", "name": "City", "type": "text"}),
        )
        .await;
        let got = s.get(&format!("/api/v1/contacts/{}", id_of(&c)), t).await;
        assert_eq!(got.body["fields"], json!({"orders": "2", "tier": "Bronze"}));

        // Another workspace cannot see or touch these fields.
        let other = s.signup("Other", "owner@other.test").await;
        let res = s.get("/api/v1/contact-fields", &other.access).await;
        assert_eq!(res.body["items"], json!([]));
        s.patch(
            &format!("/api/v1/contact-fields/{orders}"),
            &other.access,
            json!({"name": "X"}),
        )
        .await
        .problem(404);
        s.delete(&format!("/api/v1/contact-fields/{orders}"), &other.access)
            .await
            .problem(404);
    }
);

scenario!(delete_contacts_by_role, |backend: Backend| async move {
    let s = TestServer::start(backend).await;
    let owner = s.signup("Acme", "owner@acme.test").await;
    let manager = s.add_member(&owner, "manager@acme.test", "manager").await;
    let agent = s.add_member(&owner, "agent@acme.test", "agent").await;
    let t = &owner.access;
    let a = create(
        &s,
        t,
        json!({"first_name": "Ana", "email": "ana@x.test", "tags": ["VIP"]}),
    )
    .await;
    let b = create(&s, t, json!({"first_name": "Bo"})).await;
    let (pa, pb) = (
        format!("/api/v1/contacts/{}", id_of(&a)),
        format!("/api/v1/contacts/{}", id_of(&b)),
    );

    s.delete(&pa, &agent.access).await.problem(403);
    assert_eq!(s.get(&pa, t).await.status, 200);
    let res = s
        .delete("/api/v1/contacts/email:ANA@x.test", &manager.access)
        .await;
    assert_eq!(res.status, 204, "{}", res.body);
    s.get(&pa, t).await.problem(404);
    s.get(&format!("{pa}/activity"), t).await.problem(404);
    s.delete(&pa, t).await.problem(404);
    let res = s.delete(&pb, t).await;
    assert_eq!(res.status, 204, "{}", res.body);
    s.get(&pb, t).await.problem(404);
    assert_eq!(names(&s, t, &[]).await, Vec::<String>::new());
    // The tag stays in the workspace.
    let tags = s.get("/api/v1/tags", t).await;
    assert_eq!(tags.body["items"][0]["name"], "VIP");
});

scenario!(
    restricted_agents_see_only_their_contacts,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let amy = s.add_member(&owner, "amy@acme.test", "agent").await;
        let ben = s.add_member(&owner, "ben@acme.test", "agent").await;
        let cai = s.add_member(&owner, "cai@acme.test", "agent").await;
        let t = &owner.access;
        let mine = create(&s, t, json!({"first_name": "Mine", "email": "mine@x.test"})).await;
        let bens = create(&s, t, json!({"first_name": "Bens", "email": "bens@x.test"})).await;
        let free = create(&s, t, json!({"first_name": "Free"})).await;
        let (mid, bid, fid) = (
            id_of(&mine).to_string(),
            id_of(&bens).to_string(),
            id_of(&free).to_string(),
        );
        assert_eq!(assign(&s, &mid, t, json!(amy.user_id)).await.status, 200);
        assert_eq!(assign(&s, &bid, t, json!(ben.user_id)).await.status, 200);

        // Unrestricted agents see everything.
        assert_eq!(names(&s, &amy.access, &[]).await, ["Mine", "Bens", "Free"]);
        set_member(
            &s,
            &owner,
            amy.user_id,
            json!({"contact_visibility": "assigned"}),
        )
        .await;
        let a = &amy.access;
        assert_eq!(names(&s, a, &[]).await, ["Mine"]);
        assert_eq!(
            names(&s, a, &[("search", "bens@x.test")]).await,
            Vec::<String>::new()
        );
        assert_eq!(
            names(&s, a, &[("assignee", "unassigned")]).await,
            Vec::<String>::new()
        );
        assert_eq!(
            s.get(&format!("/api/v1/contacts/{mid}"), a).await.status,
            200
        );
        for r in [bid.clone(), "email:bens@x.test".into(), fid.clone()] {
            let base = format!("/api/v1/contacts/{r}");
            s.get(&base, a).await.problem(404);
            s.patch(&base, a, json!({"first_name": "Hacked"}))
                .await
                .problem(404);
            s.get(&format!("{base}/activity"), a).await.problem(404);
            tags_call(&s, Method::POST, &r, a, json!(["x"]))
                .await
                .problem(404);
            assign(&s, &r, a, json!(amy.user_id)).await.problem(404);
        }
        let got = s.get(&format!("/api/v1/contacts/{bid}"), t).await;
        assert_eq!(got.body["first_name"], "Bens");
        assert_eq!(got.body["tags"], json!([]));
        assert_eq!(got.body["assignee"]["id"], ben.user_id);

        // Assigned to her, it shows up.
        assert_eq!(assign(&s, &bid, t, json!(amy.user_id)).await.status, 200);
        assert_eq!(names(&s, a, &[]).await, ["Mine", "Bens"]);
        let res = s
            .patch(
                &format!("/api/v1/contacts/{bid}"),
                a,
                json!({"last_name": "Now"}),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        // Handing it on hides it again.
        assert_eq!(assign(&s, &bid, a, json!(ben.user_id)).await.status, 200);
        s.get(&format!("/api/v1/contacts/{bid}"), a)
            .await
            .problem(404);

        // Team visibility: contacts of team mates too.
        let team = s.post("/api/v1/teams", t, json!({"name": "Support"})).await;
        assert_eq!(team.status, 201, "{}", team.body);
        let team_id = id_of(&team.body);
        set_member(
            &s,
            &owner,
            amy.user_id,
            json!({"team_id": team_id, "contact_visibility": "team"}),
        )
        .await;
        assert_eq!(
            names(&s, a, &[]).await,
            ["Mine"],
            "Ben is not in her team yet"
        );
        set_member(&s, &owner, ben.user_id, json!({"team_id": team_id})).await;
        assert_eq!(names(&s, a, &[]).await, ["Mine", "Bens"]);
        assert_eq!(
            s.get(&format!("/api/v1/contacts/{bid}"), a).await.status,
            200
        );
        s.get(&format!("/api/v1/contacts/{fid}"), a)
            .await
            .problem(404);
        assert_eq!(assign(&s, &fid, t, json!(cai.user_id)).await.status, 200);
        s.get(&format!("/api/v1/contacts/{fid}"), a)
            .await
            .problem(404);
        // Cai in another team is still out of sight; unrestricted Cai sees all.
        assert_eq!(names(&s, &cai.access, &[]).await, ["Mine", "Bens", "Free"]);
        // Back to "all".
        set_member(
            &s,
            &owner,
            amy.user_id,
            json!({"contact_visibility": "all"}),
        )
        .await;
        assert_eq!(names(&s, a, &[]).await, ["Mine", "Bens", "Free"]);
    }
);

scenario!(
    contact_changes_are_streamed,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let agent = s.add_member(&owner, "agent@acme.test", "agent").await;
        let t = &owner.access;
        let mut stream = open_stream(&s, &agent.access).await;

        let c = create(&s, t, json!({"first_name": "Ana", "email": "ana@x.test"})).await;
        let id = id_of(&c);
        let cid = id.to_string();
        let data = next_of(&mut stream, "contact.created").await;
        assert_eq!(data["id"], id);
        assert_eq!(data["first_name"], "Ana");

        let res = s
            .patch(
                &format!("/api/v1/contacts/{cid}"),
                t,
                json!({"last_name": "Lima"}),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        let data = next_of(&mut stream, "contact.updated").await;
        assert_eq!(data["id"], id);
        assert_eq!(data["last_name"], "Lima");

        assert_eq!(
            tags_call(&s, Method::POST, &cid, t, json!(["VIP"]))
                .await
                .status,
            200
        );
        let data = next_of(&mut stream, "contact.tag.updated").await;
        assert_eq!(data["contact_id"], id);
        assert_eq!(data["added"], json!(["VIP"]));
        assert_eq!(data["tags"], json!(["VIP"]));
        assert_eq!(
            tags_call(&s, Method::DELETE, &cid, t, json!(["vip"]))
                .await
                .status,
            200
        );
        let data = next_of(&mut stream, "contact.tag.updated").await;
        assert_eq!(data["removed"], json!(["VIP"]));
        assert_eq!(data["tags"], json!([]));

        assert_eq!(assign(&s, &cid, t, json!(agent.user_id)).await.status, 200);
        let data = next_of(&mut stream, "contact.assignee.updated").await;
        assert_eq!(data["contact_id"], id);
        assert!(data["from"].is_null());
        assert_eq!(data["to"], agent.user_id);

        let res = s.delete(&format!("/api/v1/contacts/{cid}"), t).await;
        assert_eq!(res.status, 204, "{}", res.body);
        let data = next_of(&mut stream, "contact.deleted").await;
        assert_eq!(data["id"], id);
    }
);

/// Visibility at the edges: shared e-mails and the event stream.
mod visibility_edges {
    use super::*;

    /// Two contacts may share an e-mail. A restricted agent addressing *their* contact by
    /// that e-mail finds it even when an older contact with the same e-mail belongs to
    /// someone else: the lookup searches only among the contacts the caller may see.
    async fn email_address_resolves_within_visibility(backend: Backend) {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let amy = s.add_member(&owner, "amy@acme.test", "agent").await;
        let t = &owner.access;
        let older = create(&s, t, json!({"first_name": "Older", "email": "dup@x.test"})).await;
        let hers = create(&s, t, json!({"first_name": "Hers", "email": "dup@x.test"})).await;
        assert_eq!(
            assign(&s, &id_of(&older).to_string(), t, json!(owner.user_id))
                .await
                .status,
            200
        );
        assert_eq!(
            assign(&s, &id_of(&hers).to_string(), t, json!(amy.user_id))
                .await
                .status,
            200
        );
        set_member(
            &s,
            &owner,
            amy.user_id,
            json!({"contact_visibility": "assigned"}),
        )
        .await;
        assert_eq!(
            names(&s, &amy.access, &[("search", "dup@x.test")]).await,
            ["Hers"]
        );
        let res = s
            .get("/api/v1/contacts/email:dup@x.test", &amy.access)
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["first_name"], "Hers");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn email_address_resolves_within_visibility_sqlite() {
        email_address_resolves_within_visibility(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn email_address_resolves_within_visibility_postgres() {
        if Backend::postgres_available() {
            email_address_resolves_within_visibility(Backend::Postgres).await;
        }
    }

    /// A restricted agent's realtime stream carries every contact event of the workspace,
    /// including the full contact (e-mail, phone) of contacts that answer 404 to them: the
    /// stream (api/src/routes/events.rs) does not apply `contact_visibility`.
    async fn stream_respects_contact_visibility(backend: Backend) {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let amy = s.add_member(&owner, "amy@acme.test", "agent").await;
        set_member(
            &s,
            &owner,
            amy.user_id,
            json!({"contact_visibility": "assigned"}),
        )
        .await;
        let mut stream = open_stream(&s, &amy.access).await;
        let secret = create(
            &s,
            &owner.access,
            json!({"first_name": "Secret", "email": "secret@x.test"}),
        )
        .await;
        s.get(&format!("/api/v1/contacts/{}", id_of(&secret)), &amy.access)
            .await
            .problem(404);
        // A marker event she may see, so the stream has certainly caught up.
        let team = s
            .post("/api/v1/teams", &owner.access, json!({"name": "Marker"}))
            .await;
        assert_eq!(team.status, 201);
        loop {
            let (_, kind, data) = stream.next_event(WAIT).await.expect("the marker event");
            assert!(
                !kind.starts_with("contact."),
                "a restricted agent received {kind}: {data}"
            );
            if kind == "team.created" {
                break;
            }
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn stream_respects_contact_visibility_sqlite() {
        stream_respects_contact_visibility(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn stream_respects_contact_visibility_postgres() {
        if Backend::postgres_available() {
            stream_respects_contact_visibility(Backend::Postgres).await;
        }
    }
}
