//! Snippets (`/api/v1/snippets`): who writes and who uses them, unique names, files from the
//! library, unknown variables refused by name, and rendering for a contact: standard and
//! custom fields, fallbacks, the assignee, the workspace's clock, and contact visibility.

use std::time::Duration;

use reqwest::multipart::{Form, Part};
use scenario_tests::sse::SseReader;
use scenario_tests::{json, scenario, Backend, Res, Session, TestServer};
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(10);

fn id_of(v: &Value) -> i64 {
    v["id"].as_i64().expect("id")
}

/// Creates a snippet, asserting 201; returns its view.
async fn snippet(s: &TestServer, token: &str, body: Value) -> Value {
    let res = s.post("/api/v1/snippets", token, body).await;
    assert_eq!(res.status, 201, "{}", res.body);
    res.body
}

async fn contact(s: &TestServer, token: &str, body: Value) -> i64 {
    let res = s.post("/api/v1/contacts", token, body).await;
    assert_eq!(res.status, 201, "{}", res.body);
    id_of(&res.body)
}

async fn render(s: &TestServer, token: &str, snippet: i64, contact: &str) -> Res {
    s.post(
        &format!("/api/v1/snippets/{snippet}/render"),
        token,
        json!({ "contact": contact }),
    )
    .await
}

/// Renders `content` as a fresh snippet for `contact`; returns the text.
async fn rendered(s: &TestServer, owner: &Session, content: &str, contact: i64) -> String {
    let name = format!("t{}", rand::random::<u32>());
    let sn = snippet(s, &owner.access, json!({"name": name, "content": content})).await;
    let res = render(s, &owner.access, id_of(&sn), &contact.to_string()).await;
    assert_eq!(res.status, 200, "{content}: {}", res.body);
    res.body["text"].as_str().unwrap().to_string()
}

async fn upload(s: &TestServer, token: &str, name: &str) -> i64 {
    let form = Form::new().part(
        "file",
        Part::bytes(b"%PDF-1.7\n%%EOF\n".to_vec()).file_name(name.to_string()),
    );
    let res = s
        .http
        .post(s.url("/api/v1/files"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let res = Res::from(res).await;
    assert_eq!(res.status, 201, "{}", res.body);
    id_of(&res.body)
}

async fn field(s: &TestServer, token: &str, key: &str) {
    let res = s
        .post(
            "/api/v1/contact-fields",
            token,
            json!({"key": key, "name": key, "type": "text"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
}

/// The `errors[].message`s of a 422 for `field`.
fn messages(res: &Res, field: &str) -> Vec<String> {
    assert_eq!(
        res.problem(422).first().map(String::as_str),
        Some(field),
        "{}",
        res.body
    );
    res.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["field"] == field)
        .map(|e| e["message"].as_str().unwrap().to_string())
        .collect()
}

scenario!(
    owners_and_managers_write_snippets_everyone_uses_them,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let manager = s.add_member(&owner, "mia@acme.test", "manager").await;
        let agent = s.add_member(&owner, "amy@acme.test", "agent").await;
        let t = &owner.access;

        let hello = snippet(
            &s,
            t,
            json!({"name": " Greeting ", "content": "Hi $contact.firstname, how can we help?"}),
        )
        .await;
        assert_eq!(hello["name"], "Greeting");
        assert_eq!(hello["content"], "Hi $contact.firstname, how can we help?");
        assert_eq!(hello["file_ids"], json!([]));
        assert_eq!(hello["created_by"], owner.user_id);
        assert!(hello["created_at"].is_string() && hello["updated_at"].is_string());
        let id = id_of(&hello);
        let bye = snippet(
            &s,
            &manager.access,
            json!({"name": "Goodbye", "content": "Bye!"}),
        )
        .await;
        assert_eq!(bye["created_by"], manager.user_id);

        // Agents list, read and render, but change nothing.
        let a = &agent.access;
        let list = s.get("/api/v1/snippets", a).await;
        assert_eq!(list.status, 200, "{}", list.body);
        let names: Vec<&str> = list.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["Greeting", "Goodbye"]);
        assert!(list.body["next_cursor"].is_null());
        let got = s.get(&format!("/api/v1/snippets/{id}"), a).await;
        assert_eq!(got.body, hello);
        let ana = contact(&s, t, json!({"first_name": "Ana"})).await;
        let res = render(&s, a, id, &ana.to_string()).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["text"], "Hi Ana, how can we help?");
        s.post(
            "/api/v1/snippets",
            a,
            json!({"name": "Mine", "content": "x"}),
        )
        .await
        .problem(403);
        s.patch(
            &format!("/api/v1/snippets/{id}"),
            a,
            json!({"content": "x"}),
        )
        .await
        .problem(403);
        s.delete(&format!("/api/v1/snippets/{id}"), a)
            .await
            .problem(403);

        // Owners and managers change and delete; absent fields stay.
        let res = s
            .patch(
                &format!("/api/v1/snippets/{id}"),
                &manager.access,
                json!({"content": "Hello $contact.name!"}),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["name"], "Greeting");
        assert_eq!(res.body["content"], "Hello $contact.name!");
        let res = s
            .patch(
                &format!("/api/v1/snippets/{id}"),
                t,
                json!({"name": "Hello"}),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["name"], "Hello");
        assert_eq!(res.body["content"], "Hello $contact.name!");
        assert_eq!(
            s.delete(
                &format!("/api/v1/snippets/{}", id_of(&bye)),
                &manager.access
            )
            .await
            .status,
            204
        );
        s.get(&format!("/api/v1/snippets/{}", id_of(&bye)), t)
            .await
            .problem(404);
        s.delete(&format!("/api/v1/snippets/{}", id_of(&bye)), t)
            .await
            .problem(404);

        // API tokens manage snippets too.
        let minted = s
            .post("/api/v1/api-tokens", t, json!({"name": "crm"}))
            .await;
        let token = minted.body["secret"].as_str().unwrap().to_string();
        let made = snippet(
            &s,
            &token,
            json!({"name": "From CRM", "content": "Thanks!"}),
        )
        .await;
        assert!(made["created_by"].is_null(), "{made}");

        // Pages in id order.
        let page = s.get("/api/v1/snippets?limit=1", a).await;
        assert_eq!(page.body["items"][0]["id"], id);
        let cursor = page.body["next_cursor"].as_str().unwrap().to_string();
        let next = s
            .get(&format!("/api/v1/snippets?limit=1&cursor={cursor}"), a)
            .await;
        assert_eq!(next.body["items"][0]["id"], id_of(&made));
        assert!(next.body["next_cursor"].is_null());
    }
);

scenario!(snippet_input_is_checked, |backend: Backend| async move {
    let s = TestServer::start(backend).await;
    let owner = s.signup("Acme", "owner@acme.test").await;
    let t = &owner.access;
    let first = snippet(&s, t, json!({"name": "Greeting", "content": "Hi"})).await;
    let second = snippet(&s, t, json!({"name": "Thanks", "content": "Thank you"})).await;

    // Names are unique in the workspace, on create and on rename.
    s.post(
        "/api/v1/snippets",
        t,
        json!({"name": "Greeting", "content": "Hello"}),
    )
    .await
    .problem(409);
    s.post(
        "/api/v1/snippets",
        t,
        json!({"name": " Greeting ", "content": "Hello"}),
    )
    .await
    .problem(409);
    s.patch(
        &format!("/api/v1/snippets/{}", id_of(&second)),
        t,
        json!({"name": "Greeting"}),
    )
    .await
    .problem(409);
    // Keeping one's own name is no clash.
    let res = s
        .patch(
            &format!("/api/v1/snippets/{}", id_of(&first)),
            t,
            json!({"name": "Greeting", "content": "Hi again"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    // Another workspace may use the same name.
    let other = s.signup("Other", "owner@other.test").await;
    snippet(
        &s,
        &other.access,
        json!({"name": "Greeting", "content": "Yo"}),
    )
    .await;

    // Content is 1 to 4096 characters; a name is required.
    let res = s
        .post(
            "/api/v1/snippets",
            t,
            json!({"name": "Empty", "content": "  "}),
        )
        .await;
    assert_eq!(res.problem(422), ["content"]);
    let long = "é".repeat(4097);
    let res = s
        .post(
            "/api/v1/snippets",
            t,
            json!({"name": "Long", "content": long}),
        )
        .await;
    assert_eq!(res.problem(422), ["content"]);
    let just = "é".repeat(4096);
    snippet(&s, t, json!({"name": "Just", "content": just})).await;
    let res = s.post("/api/v1/snippets", t, json!({"content": "x"})).await;
    assert_eq!(res.problem(422), ["name"]);
    let res = s
        .post(
            "/api/v1/snippets",
            t,
            json!({"name": "", "content": "x", "file_ids": "1"}),
        )
        .await;
    let mut fields = res.problem(422);
    fields.sort();
    assert_eq!(fields, ["file_ids", "name"]);
    let res = s
        .patch(
            &format!("/api/v1/snippets/{}", id_of(&first)),
            t,
            json!({"content": ""}),
        )
        .await;
    assert_eq!(res.problem(422), ["content"]);

    // Other workspaces' snippets do not exist here.
    let theirs = snippet(&s, &other.access, json!({"name": "Theirs", "content": "x"})).await;
    let path = format!("/api/v1/snippets/{}", id_of(&theirs));
    s.get(&path, t).await.problem(404);
    s.patch(&path, t, json!({"content": "y"}))
        .await
        .problem(404);
    s.delete(&path, t).await.problem(404);
    let ana = contact(&s, t, json!({"first_name": "Ana"})).await;
    render(&s, t, id_of(&theirs), &ana.to_string())
        .await
        .problem(404);
    render(&s, t, 999_999, &ana.to_string()).await.problem(404);
    let res = s
        .post(
            &format!("/api/v1/snippets/{}/render", id_of(&first)),
            t,
            json!({}),
        )
        .await;
    assert_eq!(res.problem(422), ["contact"]);
});

scenario!(
    unknown_variables_are_refused_by_name,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let t = &owner.access;
        field(&s, t, "city").await;

        let res = s
        .post(
            "/api/v1/snippets",
            t,
            json!({"name": "Typo", "content": "Hi $contact.firstname from $contact.citty, {{tier}} $system.today $contact.citty"}),
        )
        .await;
        let said = messages(&res, "content");
        assert_eq!(said.len(), 3, "{said:?}");
        for (message, name) in said
            .iter()
            .zip(["contact.citty", "contact.tier", "system.today"])
        {
            assert!(message.contains(name), "{message} should name {name}");
        }
        assert!(s.get("/api/v1/snippets", t).await.body["items"]
            .as_array()
            .unwrap()
            .is_empty());

        // Standard variables, custom fields and text that only looks like a variable are fine.
        let ok = snippet(
        &s,
        t,
        json!({"name": "Fine", "content": "$contact.name $contact.city {{city | \"?\"}} $assignee.email $system.current_time costs $5 {{1}}"}),
    )
    .await;
        // Editing into an unknown variable is refused too, and changes nothing.
        let res = s
            .patch(
                &format!("/api/v1/snippets/{}", id_of(&ok)),
                t,
                json!({"content": "Dear $assignee.phone"}),
            )
            .await;
        assert_eq!(messages(&res, "content").len(), 1);
        assert!(messages(&res, "content")[0].contains("assignee.phone"));
        let got = s.get(&format!("/api/v1/snippets/{}", id_of(&ok)), t).await;
        assert_eq!(got.body["content"], ok["content"]);
        // A field defined later makes its variable known.
        let res = s
            .post(
                "/api/v1/snippets",
                t,
                json!({"name": "Tier", "content": "{{tier}}"}),
            )
            .await;
        assert_eq!(messages(&res, "content").len(), 1);
        field(&s, t, "tier").await;
        snippet(&s, t, json!({"name": "Tier", "content": "{{tier}}"})).await;
        // Another workspace's fields are not this one's.
        let other = s.signup("Other", "owner@other.test").await;
        let res = s
            .post(
                "/api/v1/snippets",
                &other.access,
                json!({"name": "City", "content": "$contact.city"}),
            )
            .await;
        assert_eq!(messages(&res, "content").len(), 1);
    }
);

scenario!(
    rendering_fills_contact_assignee_and_system_values,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let agent = s.add_member(&owner, "amy@acme.test", "agent").await;
        let t = &owner.access;
        field(&s, t, "city").await;
        field(&s, t, "membership").await;
        let ana = contact(
            &s,
            t,
            json!({"first_name": "Ana", "last_name": "Lim", "email": "ana@example.test",
                   "phone": "+60123456789", "country": "MY", "language": "ms",
                   "fields": {"city": "New York"}}),
        )
        .await;
        let bo = contact(&s, t, json!({"first_name": "Bo"})).await;

        let text = rendered(
            &s,
            &owner,
            "$contact.name|$contact.firstname|$contact.lastname|$contact.email|$contact.phone|$contact.country|$contact.language|$contact.id",
            ana,
        )
        .await;
        assert_eq!(
            text,
            format!("Ana Lim|Ana|Lim|ana@example.test|+60123456789|MY|ms|{ana}")
        );
        assert_eq!(
            rendered(&s, &owner, "From $contact.city!", ana).await,
            "From New York!"
        );
        // Fallbacks stand in for missing values only.
        let fallbacks = r#"Hi {{contact.firstname | "there"}} {{contact.lastname | "friend"}} of {{contact.city | "your city"}}, {{membership | "member"}}."#;
        assert_eq!(
            rendered(&s, &owner, fallbacks, ana).await,
            "Hi Ana Lim of New York, member."
        );
        assert_eq!(
            rendered(&s, &owner, fallbacks, bo).await,
            "Hi Bo friend of your city, member."
        );
        // Without a fallback a missing value is simply left out.
        assert_eq!(
            rendered(&s, &owner, "[$contact.email][{{contact.city}}]", bo).await,
            "[][]"
        );

        // The assignee: none yet, then the agent (invited as "Member Person").
        let who = "$assignee.firstname/$assignee.lastname/$assignee.name/$assignee.email/{{assignee.name | \"our team\"}}";
        assert_eq!(rendered(&s, &owner, who, ana).await, "////our team");
        let res = s
            .put(
                &format!("/api/v1/contacts/{ana}/assignee"),
                t,
                json!({"user_id": agent.user_id}),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(
            rendered(&s, &owner, who, ana).await,
            "Member/Person/Member Person/amy@acme.test/Member Person"
        );

        // The date and time in the workspace's zone (UTC+14, no daylight saving).
        let res = s
            .patch(
                "/api/v1/workspace",
                t,
                json!({"timezone": "Pacific/Kiritimati"}),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        let text = rendered(
            &s,
            &owner,
            "$system.current_datetime|$system.current_date|$system.current_time",
            bo,
        )
        .await;
        let parts: Vec<&str> = text.split('|').collect();
        assert_eq!(parts.len(), 3, "{text}");
        let at = chrono::NaiveDateTime::parse_from_str(parts[0], "%Y-%m-%d %H:%M:%S")
            .unwrap_or_else(|e| panic!("{text}: {e}"));
        chrono::NaiveDate::parse_from_str(parts[1], "%Y-%m-%d").unwrap();
        chrono::NaiveTime::parse_from_str(parts[2], "%H:%M:%S").unwrap();
        assert_eq!(parts[1].len(), 10, "{text}");
        assert_eq!(parts[2].len(), 8, "{text}");
        let there = (chrono::Utc::now() + chrono::Duration::hours(14)).naive_utc();
        let off = (there - at).num_seconds().abs();
        assert!(off < 120, "{text} is not the time at UTC+14 ({there})");

        // By e-mail and phone as well as by id; unknown or unparseable contacts are not found.
        let by_id = snippet(
            &s,
            t,
            json!({"name": "Name", "content": "$contact.firstname"}),
        )
        .await;
        let sid = id_of(&by_id);
        for r in [
            format!("id:{ana}"),
            "email:ANA@example.test".into(),
            "phone:+60 12-345 6789".into(),
        ] {
            let res = render(&s, t, sid, &r).await;
            assert_eq!(res.status, 200, "{r}: {}", res.body);
            assert_eq!(res.body["text"], "Ana", "{r}");
        }
        for r in [
            "999999",
            "email:nobody@example.test",
            "phone:+15550000000",
            "abc",
            "",
        ] {
            render(&s, t, sid, r).await.problem(404);
        }
        // Another workspace's contact is not found either.
        let other = s.signup("Other", "owner@other.test").await;
        let theirs = contact(&s, &other.access, json!({"first_name": "Zed"})).await;
        render(&s, t, sid, &theirs.to_string()).await.problem(404);
    }
);

scenario!(
    restricted_agents_render_only_for_their_contacts,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let agent = s.add_member(&owner, "amy@acme.test", "agent").await;
        let t = &owner.access;
        let hers = contact(&s, t, json!({"first_name": "Hers", "email": "hers@x.test"})).await;
        let other = contact(
            &s,
            t,
            json!({"first_name": "Other", "email": "other@x.test"}),
        )
        .await;
        let res = s
            .put(
                &format!("/api/v1/contacts/{hers}/assignee"),
                t,
                json!({"user_id": agent.user_id}),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        let sn = snippet(
            &s,
            t,
            json!({"name": "Hi", "content": "Hi $contact.firstname"}),
        )
        .await;
        let sid = id_of(&sn);
        let a = &agent.access;
        // Unrestricted, the agent renders for anyone.
        assert_eq!(render(&s, a, sid, &other.to_string()).await.status, 200);
        let res = s
            .patch(
                &format!("/api/v1/users/{}", agent.user_id),
                t,
                json!({"contact_visibility": "assigned"}),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        let res = render(&s, a, sid, &hers.to_string()).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["text"], "Hi Hers");
        for r in [other.to_string(), "email:other@x.test".into()] {
            render(&s, a, sid, &r).await.problem(404);
        }
        // The owner still renders for everyone.
        assert_eq!(render(&s, t, sid, &other.to_string()).await.status, 200);
    }
);

scenario!(
    snippets_carry_library_files,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let other = s.signup("Other", "owner@other.test").await;
        let t = &owner.access;
        let price = upload(&s, t, "prices.pdf").await;
        let menu = upload(&s, t, "menu.pdf").await;
        let foreign = upload(&s, &other.access, "theirs.pdf").await;

        let sn = snippet(
        &s,
        t,
        json!({"name": "Prices", "content": "Our prices, $contact.firstname", "file_ids": [price, menu, price]}),
    )
    .await;
        assert_eq!(sn["file_ids"], json!([price, menu]));
        let ana = contact(&s, t, json!({"first_name": "Ana"})).await;
        let res = render(&s, t, id_of(&sn), &ana.to_string()).await;
        assert_eq!(
            res.body,
            json!({"text": "Our prices, Ana", "file_ids": [price, menu]})
        );

        // Only files of this workspace's library.
        for (bad, named) in [
            (json!([foreign]), foreign.to_string()),
            (json!([menu, 999_999]), "999999".to_string()),
        ] {
            let res = s
                .post(
                    "/api/v1/snippets",
                    t,
                    json!({"name": "Bad", "content": "x", "file_ids": bad}),
                )
                .await;
            let said = messages(&res, "file_ids");
            assert_eq!(said.len(), 1);
            assert!(said[0].ends_with(&format!(": {named}")), "{said:?}");
            let res = s
                .patch(
                    &format!("/api/v1/snippets/{}", id_of(&sn)),
                    t,
                    json!({"file_ids": bad}),
                )
                .await;
            assert_eq!(res.problem(422), ["file_ids"]);
        }
        let got = s.get(&format!("/api/v1/snippets/{}", id_of(&sn)), t).await;
        assert_eq!(got.body["file_ids"], json!([price, menu]));

        // Replacing the files; deleting a file takes it out of the snippet.
        let res = s
            .patch(
                &format!("/api/v1/snippets/{}", id_of(&sn)),
                t,
                json!({"file_ids": [menu, price]}),
            )
            .await;
        assert_eq!(res.body["file_ids"], json!([menu, price]));
        assert_eq!(
            s.delete(&format!("/api/v1/files/{menu}"), t).await.status,
            204
        );
        let got = s.get(&format!("/api/v1/snippets/{}", id_of(&sn)), t).await;
        assert_eq!(got.body["file_ids"], json!([price]));
        let res = render(&s, t, id_of(&sn), &ana.to_string()).await;
        assert_eq!(res.body["file_ids"], json!([price]));
        let res = s
            .patch(
                &format!("/api/v1/snippets/{}", id_of(&sn)),
                t,
                json!({"file_ids": []}),
            )
            .await;
        assert_eq!(res.body["file_ids"], json!([]));
    }
);

scenario!(
    snippet_events_reach_the_stream,
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
        let file = upload(&s, t, "a.pdf").await;
        let sn = snippet(
            &s,
            t,
            json!({"name": "A", "content": "x", "file_ids": [file]}),
        )
        .await;
        let id = id_of(&sn);
        let res = s
            .patch(
                &format!("/api/v1/snippets/{id}"),
                t,
                json!({"content": "y"}),
            )
            .await;
        assert_eq!(res.status, 200);
        // Deleting the file changes the snippet too.
        assert_eq!(
            s.delete(&format!("/api/v1/files/{file}"), t).await.status,
            204
        );
        assert_eq!(
            s.delete(&format!("/api/v1/snippets/{id}"), t).await.status,
            204
        );
        let mut seen = vec![];
        while seen.len() < 4 {
            let (_, kind, data) = stream.next_event(WAIT).await.expect("an event");
            if kind.starts_with("snippet.") {
                let d = &data["data"];
                assert_eq!(d["id"], id, "{data}");
                seen.push((kind, d["content"].clone(), d["file_ids"].clone()));
            }
        }
        assert_eq!(
            seen,
            [
                ("snippet.created".to_string(), json!("x"), json!([file])),
                ("snippet.updated".to_string(), json!("y"), json!([file])),
                ("snippet.updated".to_string(), json!("y"), json!([])),
                ("snippet.deleted".to_string(), json!("y"), json!([])),
            ]
        );
    }
);
