//! Closing-note categories (`/api/v1/closing-note-categories`): who manages them, unique and
//! immutable names, descriptions, other workspaces, events, and what deleting one leaves.

use std::time::Duration;

use scenario_tests::sse::{Item, SseReader};
use scenario_tests::{json, scenario, Backend, TestServer};
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(10);
const PATH: &str = "/api/v1/closing-note-categories";

fn item(id: i64) -> String {
    format!("{PATH}/{id}")
}

/// Creates a category as `token`, asserting 201; returns its view.
async fn create(s: &TestServer, token: &str, body: Value) -> Value {
    let res = s.post(PATH, token, body).await;
    assert_eq!(res.status, 201, "{}", res.body);
    res.body
}

fn id_of(v: &Value) -> i64 {
    v["id"].as_i64().expect("id")
}

/// Every category name `token` lists, walking the pages `limit` at a time.
async fn names(s: &TestServer, token: &str, limit: u32) -> Vec<String> {
    let mut all = vec![];
    let mut cursor: Option<String> = None;
    for _ in 0..50 {
        let mut path = format!("{PATH}?limit={limit}");
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let res = s.get(&path, token).await;
        assert_eq!(res.status, 200, "{}", res.body);
        let items = res.body["items"].as_array().unwrap();
        assert!(items.len() <= limit as usize);
        all.extend(
            items
                .iter()
                .map(|c| c["name"].as_str().unwrap().to_string()),
        );
        match res.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => return all,
        }
    }
    panic!("paging does not end");
}

async fn api_token(s: &TestServer, owner_token: &str) -> String {
    let res = s
        .post("/api/v1/api-tokens", owner_token, json!({"name": "sync"}))
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    res.body["secret"].as_str().unwrap().to_string()
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
    let mut stream = SseReader::new(res);
    // The server sends `retry:` once it is subscribed: nothing made after this is missed.
    assert_eq!(stream.next(WAIT).await, Some(Item::Retry(3000)));
    stream
}

/// The next event whose type starts with `prefix`: (type, data).
async fn next_of(stream: &mut SseReader, prefix: &str) -> (String, Value) {
    loop {
        let (_, kind, data) = stream
            .next_event(WAIT)
            .await
            .unwrap_or_else(|| panic!("no {prefix} event arrived"));
        if kind.starts_with(prefix) {
            return (kind, data["data"].clone());
        }
    }
}

scenario!(
    owners_and_managers_manage_every_member_lists,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let manager = s.add_member(&owner, "manager@acme.test", "manager").await;
        let agent = s.add_member(&owner, "agent@acme.test", "agent").await;

        let billing = create(
            &s,
            &owner.access,
            json!({"name": "  Billing ", "description": " Invoices and refunds "}),
        )
        .await;
        assert_eq!(billing["name"], "Billing", "trimmed");
        assert_eq!(billing["description"], "Invoices and refunds");
        assert!(billing["created_at"].is_string() && billing["updated_at"].is_string());
        let sales = create(&s, &manager.access, json!({"name": "Sales"})).await;
        assert_eq!(sales["description"], "", "no description is an empty one");

        // Agents read them (the close dialog offers them) but change nothing.
        assert_eq!(names(&s, &agent.access, 25).await, ["Billing", "Sales"]);
        s.post(PATH, &agent.access, json!({"name": "Spam"}))
            .await
            .problem(403);
        s.patch(
            &item(id_of(&sales)),
            &agent.access,
            json!({"description": "x"}),
        )
        .await
        .problem(403);
        s.delete(&item(id_of(&sales)), &agent.access)
            .await
            .problem(403);
        assert_eq!(names(&s, &owner.access, 25).await, ["Billing", "Sales"]);

        // Managers describe and delete; API tokens act as managers.
        let res = s
            .patch(
                &item(id_of(&billing)),
                &manager.access,
                json!({"description": "Payments"}),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["description"], "Payments");
        assert_eq!(res.body["name"], "Billing");
        let token = api_token(&s, &owner.access).await;
        let support = create(&s, &token, json!({"name": "Support"})).await;
        let res = s
            .patch(
                &item(id_of(&support)),
                &token,
                json!({"description": "Help"}),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(
            s.delete(&item(id_of(&sales)), &manager.access).await.status,
            204
        );
        assert_eq!(s.delete(&item(id_of(&support)), &token).await.status, 204);
        assert_eq!(names(&s, &token, 25).await, ["Billing"]);
        s.delete(&item(id_of(&sales)), &owner.access)
            .await
            .problem(404);
        s.patch(&item(id_of(&sales)), &owner.access, json!({}))
            .await
            .problem(404);

        // Lists page by id.
        for n in ["C", "D", "E", "F"] {
            create(&s, &owner.access, json!({ "name": n })).await;
        }
        assert_eq!(
            names(&s, &agent.access, 2).await,
            ["Billing", "C", "D", "E", "F"]
        );
        s.get(&format!("{PATH}?limit=0"), &agent.access)
            .await
            .problem(422);
    }
);

scenario!(
    names_are_unique_and_never_change,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let t = &owner.access;
        let billing = create(&s, t, json!({"name": "Billing"})).await;

        // A clash, in any case or with blanks around, is a 409 that names the category.
        for name in ["Billing", "billing", "  BILLING "] {
            let res = s.post(PATH, t, json!({ "name": name })).await;
            res.problem(409);
            let detail = res.body["detail"].as_str().unwrap();
            assert!(detail.contains("\"Billing\""), "{detail}");
            assert!(detail.contains("already exists"), "{detail}");
        }

        // Sending a name in a change is refused, even the same one or null, with the
        // description checked in the same answer.
        for body in [
            json!({"name": "Payments"}),
            json!({"name": "Billing", "description": "fine"}),
            json!({"name": null}),
        ] {
            let fields = s.patch(&item(id_of(&billing)), t, body).await.problem(422);
            assert_eq!(fields, ["name"]);
        }
        let res = s
            .patch(&item(id_of(&billing)), t, json!({"name": "Payments"}))
            .await;
        let message = res.body["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains("cannot be changed"), "{message}");
        let fields = s
            .patch(
                &item(id_of(&billing)),
                t,
                json!({"name": "X", "description": "d".repeat(501)}),
            )
            .await
            .problem(422);
        assert_eq!(fields, ["name", "description"]);
        assert_eq!(names(&s, t, 25).await, ["Billing"], "nothing was renamed");

        // Names are 1..=100 characters once trimmed; descriptions at most 500.
        for bad in [json!({"name": ""}), json!({"name": "   "}), json!({})] {
            assert_eq!(s.post(PATH, t, bad).await.problem(422), ["name"]);
        }
        let fields = s
            .post(PATH, t, json!({"name": "n".repeat(101)}))
            .await
            .problem(422);
        assert_eq!(fields, ["name"]);
        let fields = s
            .post(
                PATH,
                t,
                json!({"name": "Long", "description": "d".repeat(501)}),
            )
            .await
            .problem(422);
        assert_eq!(fields, ["description"]);
        let long = create(
            &s,
            t,
            json!({"name": "é".repeat(100), "description": "d".repeat(500)}),
        )
        .await;
        assert_eq!(long["name"].as_str().unwrap().chars().count(), 100);
        let fields = s
            .patch(
                &item(id_of(&long)),
                t,
                json!({"description": "d".repeat(501)}),
            )
            .await
            .problem(422);
        assert_eq!(fields, ["description"]);
        let res = s
            .patch(&item(id_of(&long)), t, json!({"description": ""}))
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["description"], "");

        // Once deleted, the name is free again.
        assert_eq!(s.delete(&item(id_of(&billing)), t).await.status, 204);
        create(&s, t, json!({"name": "billing"})).await;
    }
);

scenario!(
    another_workspace_sees_none_and_may_reuse_names,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let acme = s.signup("Acme", "owner@acme.test").await;
        let globex = s.signup("Globex", "owner@globex.test").await;
        let billing = create(&s, &acme.access, json!({"name": "Billing"})).await;
        let id = id_of(&billing);

        assert!(names(&s, &globex.access, 25).await.is_empty());
        s.patch(&item(id), &globex.access, json!({"description": "mine"}))
            .await
            .problem(404);
        s.delete(&item(id), &globex.access).await.problem(404);
        let theirs = create(&s, &globex.access, json!({"name": "Billing"})).await;
        assert_ne!(id_of(&theirs), id);

        let res = s.get(PATH, &acme.access).await;
        assert_eq!(res.body["items"].as_array().unwrap().len(), 1);
        assert_eq!(res.body["items"][0]["description"], "", "untouched");
        s.get(PATH, "not-a-token").await.problem(401);
    }
);

scenario!(
    changes_are_on_the_event_stream,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let agent = s.add_member(&owner, "agent@acme.test", "agent").await;
        let mut stream = open_stream(&s, &agent.access).await;
        let t = &owner.access;

        let made = create(&s, t, json!({"name": "Billing"})).await;
        let id = id_of(&made);
        let (kind, data) = next_of(&mut stream, "closing_note_category.").await;
        assert_eq!(kind, "closing_note_category.created");
        assert_eq!(data["id"], id);
        assert_eq!(data["name"], "Billing");

        s.patch(&item(id), t, json!({"description": "Payments"}))
            .await;
        let (kind, data) = next_of(&mut stream, "closing_note_category.").await;
        assert_eq!(kind, "closing_note_category.updated");
        assert_eq!(data["description"], "Payments");

        s.delete(&item(id), t).await;
        let (kind, data) = next_of(&mut stream, "closing_note_category.").await;
        assert_eq!(kind, "closing_note_category.deleted");
        assert_eq!(data["id"], id);
        assert_eq!(data["name"], "Billing");
    }
);

scenario!(
    deleting_a_category_leaves_closed_conversations_alone,
    |backend: Backend| async move {
        use diesel::prelude::*;
        use storage::schema::conversations as conv;

        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let other = s.signup("Globex", "owner@globex.test").await;
        let t = &owner.access;
        let billing = create(&s, t, json!({"name": "Billing"})).await;
        let contact = s
            .post("/api/v1/contacts", t, json!({"first_name": "Ana"}))
            .await;
        assert_eq!(contact.status, 201, "{}", contact.body);

        // Closing a conversation checks the category with `exists`: exact names only, per
        // workspace.
        let mut conn = s.db.connect();
        let ws = owner.workspace_id;
        assert!(storage::categories::exists(&mut conn, ws, "Billing").unwrap());
        assert!(!storage::categories::exists(&mut conn, ws, "billing").unwrap());
        assert!(!storage::categories::exists(&mut conn, ws, "Sales").unwrap());
        assert!(!storage::categories::exists(&mut conn, other.workspace_id, "Billing").unwrap());

        // A conversation closed with it (closing arrives with the conversations API; the row is
        // written directly here).
        let now = chrono::Utc::now().naive_utc();
        diesel::insert_into(conv::table)
            .values((
                conv::workspace_id.eq(ws),
                conv::contact_id.eq(id_of(&contact.body)),
                conv::status.eq("closed"),
                conv::opened_at.eq(now),
                conv::opened_source.eq("user"),
                conv::closed_at.eq(Some(now)),
                conv::closed_source.eq(Some("user")),
                conv::category.eq(Some("Billing")),
                conv::summary.eq(Some("Refunded")),
            ))
            .execute(&mut *conn)
            .unwrap();

        assert_eq!(s.delete(&item(id_of(&billing)), t).await.status, 204);
        assert!(!storage::categories::exists(&mut conn, ws, "Billing").unwrap());
        let kept: Vec<(Option<String>, Option<String>)> = conv::table
            .filter(conv::workspace_id.eq(ws))
            .select((conv::category, conv::summary))
            .load(&mut *conn)
            .unwrap();
        assert_eq!(
            kept,
            [(Some("Billing".to_string()), Some("Refunded".to_string()))]
        );
        assert!(names(&s, t, 25).await.is_empty());
    }
);
