//! Merging contacts (`POST /api/v1/contacts/merge`) and merge suggestions: the primary
//! keeps its values and takes the secondary's channels, messages, conversations, notes,
//! tags and missing fields; the secondary's open conversation is closed by `merge`.

use scenario_tests::{json, scenario, Backend, Res, TestServer};
use serde_json::Value;

use crate::support::*;

async fn merge(s: &TestServer, token: &str, primary: &str, secondary: &str) -> Res {
    s.post(
        "/api/v1/contacts/merge",
        token,
        json!({"primary": primary, "secondary": secondary}),
    )
    .await
}

async fn suggestions(s: &TestServer, token: &str) -> Vec<(i64, i64, String)> {
    let res = s.get("/api/v1/contacts/merge-suggestions", token).await;
    assert_eq!(res.status, 200, "{}", res.body);
    res.body
        .as_array()
        .expect("a list")
        .iter()
        .map(|p| {
            (
                p["primary"]["id"].as_i64().unwrap(),
                p["secondary"]["id"].as_i64().unwrap(),
                p["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn sorted_tags(c: &Value) -> Vec<String> {
    let mut tags: Vec<String> = c["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_string())
        .collect();
    tags.sort();
    tags
}

scenario!(
    /// Everything of the secondary moves to the primary, which keeps its own values; the
    /// secondary is gone, and its channel identity now reaches the primary.
    a_merge_moves_everything_to_the_primary,
    |backend: Backend| async move {
        let setup = Setup::new(backend, "custom").await;
        let (s, owner) = (&setup.s, &setup.owner);
        let t = &owner.access;
        let agent = s.add_member(owner, "agent@acme.test", "agent").await;
        for key in ["city", "plan"] {
            let res = s
                .post("/api/v1/contact-fields", t, json!({"key": key, "name": key, "type": "text"}))
                .await;
            assert_eq!(res.status, 201, "{}", res.body);
        }
        let primary = new_contact(
            s,
            t,
            json!({"first_name": "Pat", "email": "pat@x.test", "tags": ["vip"], "fields": {"plan": "gold"}}),
        )
        .await;
        let secondary = setup
            .writes_as(
                "sam_1",
                "m-1",
                "Hi from Sam",
                json!({"firstName": "Sam", "lastName": "Smith", "email": "sam@x.test",
                       "countryCode": "MY", "language": "ms"}),
            )
            .await;
        let res = s
            .patch(
                &format!("/api/v1/contacts/{secondary}"),
                t,
                json!({"fields": {"city": "Kuala Lumpur", "plan": "silver"}}),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        let res = s
            .post(&format!("/api/v1/contacts/{secondary}/tags"), t, json!({"tags": ["lead", "vip"]}))
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        let res = s
            .post(&format!("/api/v1/contacts/{secondary}/comments"), t, json!({"text": "about Sam"}))
            .await;
        assert_eq!(res.status, 201, "{}", res.body);
        assign(s, t, secondary, json!(agent.user_id)).await;
        let sec_conv = contact_view(s, t, secondary).await["open_conversation"]["id"].clone();

        // A merge has nobody to ask for a closing note: the strictest mode does not stop it.
        set_workspace(s, owner, json!({"closing_notes_mode": "category_and_summary_required"})).await;
        let mut events = stream(s, t).await;
        let res = merge(s, t, &primary.to_string(), &secondary.to_string()).await;
        assert_eq!(res.status, 200, "{}", res.body);
        let m = &res.body;
        assert_eq!(m["id"], primary);
        assert_eq!(m["first_name"], "Pat", "the primary keeps its values");
        assert_eq!(m["email"], "pat@x.test");
        assert_eq!(m["last_name"], "Smith", "and takes those it lacks");
        assert_eq!(m["country"], "MY");
        assert_eq!(m["language"], "ms");
        assert_eq!(sorted_tags(m), ["lead", "vip"]);
        assert_eq!(m["fields"]["plan"], "gold");
        assert_eq!(m["fields"]["city"], "Kuala Lumpur");
        assert_eq!(m["channels"][0]["external_id"], "sam_1");
        assert_eq!(m["channels"][0]["channel_id"], setup.channel);
        assert!(m["open_conversation"].is_null(), "{m}");
        let fresh = contact_view(s, t, primary).await;
        for key in ["first_name", "last_name", "email", "country", "language", "fields", "channels"] {
            assert_eq!(fresh[key], m[key], "{key} as answered is as stored");
        }
        assert_eq!(sorted_tags(&fresh), ["lead", "vip"]);

        s.get(&format!("/api/v1/contacts/{secondary}"), t).await.problem(404);
        s.get(&format!("/api/v1/contacts/{secondary}/messages"), t).await.problem(404);
        assert_eq!(all_contacts(s, t).await.len(), 1);

        let convs = s.get(&format!("/api/v1/contacts/{primary}/conversations"), t).await;
        let items = convs.body["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{}", convs.body);
        assert_eq!(items[0]["id"], sec_conv);
        assert_eq!(items[0]["contact_id"], primary);
        assert_eq!(items[0]["status"], "closed");
        assert_eq!(items[0]["closed_source"], "merge");
        let items = timeline(s, t, primary).await;
        let texts: Vec<&str> = items
            .iter()
            .filter_map(|i| i["message"]["text"].as_str().or(i["comment"]["text"].as_str()))
            .collect();
        assert_eq!(texts, ["about Sam", "Hi from Sam"]);
        let activity = s.get(&format!("/api/v1/contacts/{primary}/activity?limit=100"), t).await;
        let merged = activity.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["kind"] == "merged")
            .unwrap_or_else(|| panic!("no merged entry: {}", activity.body))
            .clone();
        assert_eq!(merged["detail"]["secondary_id"], secondary);

        let seen = events_until(&mut events, "contact.deleted").await;
        let closed = seen.iter().find(|(k, _)| k == "conversation.closed").expect("closed event");
        assert_eq!(closed.1["closed_source"], "merge");
        let merged_event = seen.iter().find(|(k, _)| k == "contact.merged").expect("merged event");
        assert_eq!(merged_event.1["primary_id"], primary);
        assert_eq!(merged_event.1["secondary_id"], secondary);
        assert_eq!(seen.last().unwrap().1["id"], secondary);

        // The secondary's channel identity now belongs to the primary.
        setup.deliver("sam_1", vec![msg("m-2", "Sam again")]).await;
        assert_eq!(all_contacts(s, t).await.len(), 1);
        let c = contact_view(s, t, primary).await;
        assert_eq!(c["open_conversation"]["opened_source"], "contact");
        assert_eq!(texts_of(s, t, primary).await, ["Sam again", "Hi from Sam"]);
        let m = reply_settled(s, t, primary, "Hello Sam").await;
        assert_eq!(m["status"], "sent", "{m}");
        assert_eq!(setup.bridge.calls()[0].body["contactId"], "sam_1");
    }
);

async fn texts_of(s: &TestServer, token: &str, contact: i64) -> Vec<String> {
    texts(s, token, contact).await
}

scenario!(
    /// When both have an open conversation, the secondary's is closed by `merge` and the
    /// primary's stays the open one.
    both_open_leaves_the_primarys_open,
    |backend: Backend| async move {
        let setup = Setup::new(backend, "phone").await;
        let (s, t) = (&setup.s, &setup.owner.access);
        let primary = setup.writes_as("+60177872890", "p-1", "from P", json!({"firstName": "P"})).await;
        let secondary = setup.writes_as("+60177872891", "s-1", "from S", json!({"firstName": "S"})).await;
        let p_conv = contact_view(s, t, primary).await["open_conversation"]["id"].clone();
        let res = merge(s, t, &format!("id:{primary}"), "phone:+60177872891").await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["open_conversation"]["id"], p_conv);
        let convs = s.get(&format!("/api/v1/contacts/{primary}/conversations"), t).await;
        let items = convs.body["items"].as_array().unwrap();
        assert_eq!(items.len(), 2);
        let open: Vec<&Value> = items.iter().filter(|c| c["status"] == "open").collect();
        assert_eq!(open.len(), 1);
        assert_eq!(open[0]["id"], p_conv);
        let closed = items.iter().find(|c| c["status"] == "closed").unwrap();
        assert_eq!(closed["closed_source"], "merge");
        let inbox = s.get("/api/v1/inbox", t).await;
        assert_eq!(inbox.body["counts"]["all"], 1, "{}", inbox.body);
        assert_eq!(inbox.body["items"][0]["contact"]["id"], primary);
        assert_eq!(inbox.body["items"][0]["conversation"]["id"], p_conv);
        assert_eq!(inbox.body["items"][0]["last_message"]["text"], "from S", "the latest of both");
        assert_eq!(inbox.body["items"][0]["unread"], true);
        let channels = res.body["channels"].as_array().unwrap();
        assert_eq!(channels.len(), 2);
        assert_eq!(texts(s, t, primary).await, ["from S", "from P"]);
        s.get(&format!("/api/v1/contacts/{secondary}"), t)
            .await
            .problem(404);
    }
);

scenario!(
    /// Suggestions pair contacts sharing an e-mail or a phone, the older as primary, with
    /// the reason; a restricted agent sees only pairs of contacts they may see.
    merge_suggestions_pair_likely_duplicates,
    |backend: Backend| async move {
        let setup = Setup::new(backend, "custom").await;
        let (s, owner) = (&setup.s, &setup.owner);
        let t = &owner.access;
        let amy = s.add_member(owner, "amy@acme.test", "agent").await;
        let a = new_contact(s, t, json!({"first_name": "A", "email": "dup@x.test"})).await;
        let c = new_contact(s, t, json!({"first_name": "C", "phone": "+60 12-345 6789"})).await;
        let b = new_contact(s, t, json!({"first_name": "B", "email": "DUP@x.test"})).await;
        let _e = new_contact(s, t, json!({"first_name": "E", "email": "e@x.test", "phone": "+60123456780"})).await;
        // A bridge contact carrying C's number.
        let d = setup
            .writes_as("app_1", "m-1", "hi", json!({"firstName": "D", "phone": "+60123456789"}))
            .await;
        assert_eq!(
            suggestions(s, t).await,
            [(a, b, "email".to_string()), (c, d, "phone".to_string())]
        );
        let res = s.get("/api/v1/contacts/merge-suggestions", t).await;
        assert_eq!(res.body[0]["primary"]["first_name"], "A");
        assert_eq!(res.body[0]["secondary"]["email"], "dup@x.test");

        assign(s, t, a, json!(amy.user_id)).await;
        assign(s, t, b, json!(amy.user_id)).await;
        assign(s, t, c, json!(amy.user_id)).await;
        set_member(s, owner, amy.user_id, json!({"contact_visibility": "assigned"})).await;
        assert_eq!(suggestions(s, &amy.access).await, [(a, b, "email".to_string())]);

        let res = merge(s, t, &a.to_string(), &b.to_string()).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(suggestions(s, t).await, [(c, d, "phone".to_string())]);
    }
);

scenario!(
    /// Agents cannot merge; managers can.
    only_owners_and_managers_merge,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let agent = s.add_member(&owner, "agent@acme.test", "agent").await;
        let manager = s.add_member(&owner, "manager@acme.test", "manager").await;
        let t = &owner.access;
        let a = new_contact(&s, t, json!({"first_name": "A"})).await;
        let b = new_contact(&s, t, json!({"first_name": "B"})).await;
        merge(&s, &agent.access, &a.to_string(), &b.to_string())
            .await
            .problem(403);
        assert_eq!(all_contacts(&s, t).await.len(), 2);
        let res = merge(&s, &manager.access, &a.to_string(), &b.to_string()).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(all_contacts(&s, t).await.len(), 1);
    }
);

scenario!(
    /// A contact cannot be merged into itself, however it is named; unknown and other
    /// workspaces' contacts are 404; nothing changes on a refusal.
    a_merge_needs_two_contacts_of_ours,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let other = s.signup("Other", "owner@other.test").await;
        let t = &owner.access;
        let a = new_contact(&s, t, json!({"first_name": "A", "email": "a@x.test", "phone": "+60123456789"})).await;
        let theirs = new_contact(&s, &other.access, json!({"first_name": "Theirs"})).await;
        for (p, q) in [
            (a.to_string(), a.to_string()),
            (a.to_string(), format!("id:{a}")),
            ("email:a@x.test".to_string(), "phone:+60123456789".to_string()),
        ] {
            let res = merge(&s, t, &p, &q).await;
            res.problem(422);
        }
        merge(&s, t, &a.to_string(), "999999").await.problem(404);
        merge(&s, t, "999999", &a.to_string()).await.problem(404);
        merge(&s, t, &a.to_string(), &theirs.to_string()).await.problem(404);
        merge(&s, &other.access, &theirs.to_string(), &a.to_string()).await.problem(404);
        let res = s
            .post("/api/v1/contacts/merge", t, json!({"primary": a.to_string()}))
            .await;
        assert_eq!(fields(&res), ["secondary"], "{}", res.body);
        assert_eq!(all_contacts(&s, t).await.len(), 1);
        assert_eq!(all_contacts(&s, &other.access).await.len(), 1);
    }
);
