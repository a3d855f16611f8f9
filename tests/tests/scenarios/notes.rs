//! Private notes (`POST /api/v1/contacts/{c}/comments`) and the contact's timeline: notes
//! never leave the platform, mentions notify members (never the author, never strangers),
//! and the timeline pages through messages, notes and activity exactly once, newest first.

use std::time::Duration;

use scenario_tests::{json, scenario, Backend, Res, TestServer};
use serde_json::Value;

use crate::support::*;

async fn note(s: &TestServer, token: &str, contact: i64, body: Value) -> Res {
    s.post(&format!("/api/v1/contacts/{contact}/comments"), token, body)
        .await
}

/// Every timeline item walked `limit` at a time, as `kind:id` keys, checking each page.
async fn walk(s: &TestServer, token: &str, contact: i64, limit: usize) -> Vec<(String, String)> {
    let mut all = vec![];
    let mut cursor: Option<String> = None;
    for _ in 0..500 {
        let mut path = format!("/api/v1/contacts/{contact}/messages?limit={limit}");
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let res = s.get(&path, token).await;
        assert_eq!(res.status, 200, "{}", res.body);
        let items = res.body["items"].as_array().unwrap();
        assert!(items.len() <= limit, "{}", res.body);
        for i in items {
            let kind = i["kind"].as_str().unwrap();
            all.push((key(i), i["at"].as_str().unwrap().to_string()));
            assert!(i[kind].is_object(), "{i}");
        }
        match res.body["next_cursor"].as_str() {
            Some(next) => {
                assert_eq!(
                    items.len(),
                    limit,
                    "a short page before the end: {}",
                    res.body
                );
                cursor = Some(next.to_string());
            }
            None => return all,
        }
    }
    panic!("the timeline does not end");
}

fn key(item: &Value) -> String {
    let kind = item["kind"].as_str().unwrap();
    format!("{kind}:{}", item[kind]["id"])
}

scenario!(
    /// A note is stored with its author and shows in the timeline; it is never sent to the
    /// bridge, counts as no message and assigns nobody.
    a_note_stays_inside,
    |backend: Backend| async move {
        let setup = Setup::new(backend, "phone").await;
        let (s, t) = (&setup.s, &setup.owner.access);
        let contact = setup.writes("+60177872890", "m-1", "Hello").await;
        let res = note(s, t, contact, json!({"text": "VIP, be nice"})).await;
        assert_eq!(res.status, 201, "{}", res.body);
        let n = res.body.clone();
        assert_eq!(n["contact_id"], contact);
        assert_eq!(n["text"], "VIP, be nice");
        assert_eq!(n["author"], json!({"type": "user", "id": setup.owner.user_id}));
        assert_eq!(n["mentions"], json!([]));
        let items = timeline(s, t, contact).await;
        assert_eq!(items[0]["kind"], "comment");
        assert_eq!(items[0]["comment"]["id"], n["id"]);
        assert_eq!(items[0]["comment"]["text"], "VIP, be nice");
        assert!(items[0]["message"].is_null());
        assert_eq!(messages(s, t, contact).await.len(), 1, "a note is no message");

        let (token_id, api) = api_token(s, &setup.owner).await;
        let res = note(s, &api, contact, json!({"text": "synced from the CRM"})).await;
        assert_eq!(res.status, 201, "{}", res.body);
        assert_eq!(res.body["author"], json!({"type": "api", "id": token_id}));

        tokio::time::sleep(Duration::from_millis(1200)).await;
        assert!(setup.bridge.calls().is_empty(), "notes never reach the bridge");
        let c = contact_view(s, t, contact).await;
        assert!(c["assignee"].is_null(), "{c}");
        assert_eq!(c["open_conversation"]["outgoing_count"], 0);
        assert!(c["open_conversation"]["first_response_at"].is_null());
        let inbox = s.get("/api/v1/inbox", t).await;
        assert_eq!(inbox.body["items"][0]["last_message"]["text"], "Hello");
    }
);

scenario!(
    /// Notes are 1 to 1,000 characters (counted as characters) and never blank.
    note_length_is_checked,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let t = &owner.access;
        let contact = new_contact(&s, t, json!({"first_name": "Ana"})).await;
        for body in [
            json!({"text": "a".repeat(1001)}),
            json!({"text": "é".repeat(1001)}),
            json!({"text": ""}),
            json!({"text": "  \n\t"}),
            json!({}),
        ] {
            let res = note(&s, t, contact, body.clone()).await;
            assert_eq!(fields(&res), ["text"], "{}", res.body);
        }
        assert_eq!(timeline(&s, t, contact).await, Vec::<Value>::new());
        let res = note(&s, t, contact, json!({"text": "é".repeat(1000)})).await;
        assert_eq!(res.status, 201, "{}", res.body);
        let res = note(&s, t, contact, json!({"text": "😀".repeat(1000)})).await;
        assert_eq!(res.status, 201, "{}", res.body);
    }
);

scenario!(
    /// `@{id}` in the text and the `mentions` list notify each mentioned member once; the
    /// author mentioning themselves is not notified.
    mentions_notify_members,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let agent = s.add_member(&owner, "agent@acme.test", "agent").await;
        let manager = s.add_member(&owner, "manager@acme.test", "manager").await;
        let bystander = s.add_member(&owner, "by@acme.test", "agent").await;
        let t = &owner.access;
        let contact = new_contact(&s, t, json!({"first_name": "Ana", "last_name": "Lima"})).await;
        let text = format!(
            "@{{{}}} please call her; @{{{}}} noted, @{{{}}} again",
            agent.user_id, owner.user_id, agent.user_id
        );
        let res = note(
            &s,
            t,
            contact,
            json!({"text": text, "mentions": [manager.user_id, agent.user_id]}),
        )
        .await;
        assert_eq!(res.status, 201, "{}", res.body);
        let mut mentioned: Vec<i64> = res.body["mentions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_i64().unwrap())
            .collect();
        mentioned.sort();
        let mut want = vec![agent.user_id, owner.user_id, manager.user_id];
        want.sort();
        assert_eq!(mentioned, want);

        for who in [&agent, &manager] {
            let got = notifications(&s, who).await;
            assert_eq!(got.len(), 1, "one notification each: {got:?}");
            assert_eq!(got[0].kind, "mentioned");
            assert_eq!(got[0].contact_id, Some(contact));
            assert_eq!(got[0].actor_type, "user");
            assert_eq!(got[0].actor_id, Some(owner.user_id));
            assert_eq!(got[0].detail["comment_id"], res.body["id"], "{:?}", got[0]);
        }
        assert!(notifications(&s, &owner).await.is_empty(), "no self-notification");
        assert!(notifications(&s, &bystander).await.is_empty());

        // A member mentioning themselves alone notifies nobody.
        let res = note(
            &s,
            &agent.access,
            contact,
            json!({"text": format!("note to self @{{{}}}", agent.user_id)}),
        )
        .await;
        assert_eq!(res.status, 201, "{}", res.body);
        assert_eq!(notifications(&s, &agent).await.len(), 1);
        // An e-mail address or a bare @ is no mention.
        let res = note(&s, t, contact, json!({"text": "mail ana@x.test or @12"})).await;
        assert_eq!(res.status, 201, "{}", res.body);
        assert_eq!(res.body["mentions"], json!([]));
    }
);

scenario!(
    /// Only members of the workspace can be mentioned; a stranger refuses the whole note.
    strangers_cannot_be_mentioned,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let agent = s.add_member(&owner, "agent@acme.test", "agent").await;
        let other = s.signup("Other", "owner@other.test").await;
        let t = &owner.access;
        let contact = new_contact(&s, t, json!({"first_name": "Ana"})).await;
        for body in [
            json!({"text": format!("@{{{}}} hi", other.user_id)}),
            json!({"text": "hi", "mentions": [other.user_id]}),
            json!({"text": "@{999999} hi"}),
            json!({"text": format!("@{{{}}} and @{{999999}}", agent.user_id)}),
        ] {
            let res = note(&s, t, contact, body.clone()).await;
            assert_eq!(fields(&res), ["mentions"], "{body}: {}", res.body);
        }
        assert_eq!(timeline(&s, t, contact).await, Vec::<Value>::new());
        assert!(notifications(&s, &agent).await.is_empty());
        assert!(notifications(&s, &other).await.is_empty());
    }
);

scenario!(
    /// Notes on contacts one may not see are 404: another workspace's, or for a restricted
    /// agent, someone else's.
    notes_follow_visibility,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let amy = s.add_member(&owner, "amy@acme.test", "agent").await;
        let other = s.signup("Other", "owner@other.test").await;
        let t = &owner.access;
        let contact = new_contact(&s, t, json!({"first_name": "Ana"})).await;
        note(&s, &other.access, contact, json!({"text": "hi"}))
            .await
            .problem(404);
        s.get(&format!("/api/v1/contacts/{contact}/messages"), &other.access)
            .await
            .problem(404);
        set_member(&s, &owner, amy.user_id, json!({"contact_visibility": "assigned"})).await;
        note(&s, &amy.access, contact, json!({"text": "hi"}))
            .await
            .problem(404);
        s.get(&format!("/api/v1/contacts/{contact}/messages"), &amy.access)
            .await
            .problem(404);
        assert_eq!(timeline(&s, t, contact).await, Vec::<Value>::new());
        assign(&s, t, contact, json!(amy.user_id)).await;
        assert_eq!(note(&s, &amy.access, contact, json!({"text": "mine"})).await.status, 201);
    }
);

scenario!(
    /// A note is streamed as `comment.created`; the mentioned member alone hears of the
    /// mention as `notification.created`.
    notes_and_mentions_are_streamed,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let agent = s.add_member(&owner, "agent@acme.test", "agent").await;
        let other_agent = s.add_member(&owner, "other@acme.test", "agent").await;
        let t = &owner.access;
        let contact = new_contact(&s, t, json!({"first_name": "Ana"})).await;
        let mut owners = stream(&s, t).await;
        let mut agents = stream(&s, &agent.access).await;
        let mut others = stream(&s, &other_agent.access).await;
        let res = note(&s, t, contact, json!({"text": format!("@{{{}}} look", agent.user_id)})).await;
        assert_eq!(res.status, 201, "{}", res.body);
        let data = next_of(&mut owners, "comment.created").await;
        assert_eq!(data["id"], res.body["id"]);
        assert_eq!(data["contact_id"], contact);
        let data = next_of(&mut agents, "notification.created").await;
        assert_eq!(data["kind"], "mentioned");
        assert_eq!(data["user_id"], agent.user_id);
        assert_eq!(data["contact_id"], contact);
        // A later public event marks how far the other agent's stream has got.
        let team = s.post("/api/v1/teams", t, json!({"name": "Marker"})).await;
        assert_eq!(team.status, 201, "{}", team.body);
        let seen = events_until(&mut others, "team.created").await;
        assert!(
            seen.iter().all(|(k, _)| k != "notification.created"),
            "someone else's mention reached another member: {seen:?}"
        );
        assert!(seen.iter().any(|(k, _)| k == "comment.created"), "{seen:?}");
    }
);

scenario!(
    /// Walking the timeline in pages of any size yields the whole history exactly once,
    /// newest first, with messages, notes and activity interleaved.
    the_timeline_pages_through_everything_once,
    |backend: Backend| async move {
        let setup = Setup::new(backend, "phone").await;
        let (s, t) = (&setup.s, &setup.owner.access);
        let agent = s.add_member(&setup.owner, "agent@acme.test", "agent").await;
        let phone = "+60177872890";
        let contact = setup.writes(phone, "m-1", "first").await;
        assert_eq!(note(s, t, contact, json!({"text": "note one"})).await.status, 201);
        reply_settled(s, &agent.access, contact, "reply one").await;
        assign(s, t, contact, json!(setup.owner.user_id)).await;
        let res = conversation(s, t, contact, json!({"status": "closed", "summary": "done"})).await;
        assert_eq!(res.status, 200, "{}", res.body);
        setup.deliver(phone, vec![msg("m-2", "second")]).await;
        assert_eq!(note(s, t, contact, json!({"text": "note two"})).await.status, 201);
        reply_settled(s, t, contact, "reply two").await;
        setup
            .deliver(phone, vec![msg("m-3", "a"), msg("m-4", "b"), msg("m-5", "c")])
            .await;
        assert_eq!(note(s, t, contact, json!({"text": "note three"})).await.status, 201);

        let full = walk(s, t, contact, 100).await;
        let kinds: Vec<&str> = full.iter().map(|(k, _)| k.split(':').next().unwrap()).collect();
        assert_eq!(kinds.iter().filter(|k| **k == "message").count(), 7, "{full:?}");
        assert_eq!(kinds.iter().filter(|k| **k == "comment").count(), 3, "{full:?}");
        // opened, assigned (by the reply), assigned (by hand), closed, opened.
        assert_eq!(kinds.iter().filter(|k| **k == "activity").count(), 5, "{full:?}");
        let times: Vec<chrono::DateTime<chrono::FixedOffset>> = full
            .iter()
            .map(|(_, at)| chrono::DateTime::parse_from_rfc3339(at).unwrap())
            .collect();
        assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first: {full:?}");
        let texts: Vec<String> = timeline(s, t, contact)
            .await
            .iter()
            .filter_map(|i| {
                i["message"]["text"]
                    .as_str()
                    .or(i["comment"]["text"].as_str())
                    .map(str::to_string)
            })
            .collect();
        assert_eq!(
            texts,
            ["note three", "c", "b", "a", "reply two", "note two", "second", "reply one", "note one", "first"]
        );
        for limit in [1, 2, 3, 4, 7] {
            let paged = walk(s, t, contact, limit).await;
            let keys: Vec<&String> = paged.iter().map(|(k, _)| k).collect();
            let want: Vec<&String> = full.iter().map(|(k, _)| k).collect();
            assert_eq!(keys, want, "pages of {limit}");
        }
    }
);

scenario!(
    /// The timeline refuses cursors it did not make and limits out of range.
    timeline_paging_is_checked,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let t = &owner.access;
        let contact = new_contact(&s, t, json!({"first_name": "Ana"})).await;
        for cursor in ["nonsense", "dDp4Onk6eg", "YWZ0ZXI6NQ"] {
            let res = s
                .get(&format!("/api/v1/contacts/{contact}/messages?cursor={cursor}"), t)
                .await;
            assert_eq!(fields(&res), ["cursor"], "{cursor}: {}", res.body);
        }
        for limit in ["0", "101", "-1"] {
            let res = s
                .get(&format!("/api/v1/contacts/{contact}/messages?limit={limit}"), t)
                .await;
            assert_eq!(fields(&res), ["limit"], "{limit}: {}", res.body);
        }
        s.get("/api/v1/contacts/999999/messages", t).await.problem(404);
    }
);
