//! In-app notifications (`/api/v1/notifications`): assignment notifies the new assignee, only
//! they see it (over the API and on their event stream alone), marking read, unread counts,
//! filtering and paging.

use std::time::Duration;

use scenario_tests::sse::{Item, SseReader};
use scenario_tests::{json, scenario, Backend, Session, TestServer};
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(10);
const PATH: &str = "/api/v1/notifications";

fn id_of(v: &Value) -> i64 {
    v["id"].as_i64().expect("id")
}

async fn contact(s: &TestServer, token: &str, first: &str, last: Option<&str>) -> i64 {
    let res = s
        .post(
            "/api/v1/contacts",
            token,
            json!({"first_name": first, "last_name": last}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    id_of(&res.body)
}

async fn assign(s: &TestServer, token: &str, contact: i64, user: Value) {
    let res = s
        .put(
            &format!("/api/v1/contacts/{contact}/assignee"),
            token,
            json!({ "user_id": user }),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
}

/// `GET /notifications` with `query`, asserting 200.
async fn page(s: &TestServer, token: &str, query: &str) -> Value {
    let res = s.get(&format!("{PATH}{query}"), token).await;
    assert_eq!(res.status, 200, "{}", res.body);
    res.body
}

fn ids(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(id_of)
        .collect()
}

async fn unread_count(s: &TestServer, who: &Session) -> i64 {
    page(s, &who.access, "").await["unread_count"]
        .as_i64()
        .unwrap()
}

/// `POST /notifications/read`, asserting 200; the unread count it answers.
async fn mark_read(s: &TestServer, token: &str, body: Value) -> i64 {
    let res = s.post(&format!("{PATH}/read"), token, body).await;
    assert_eq!(res.status, 200, "{}", res.body);
    res.body["unread_count"].as_i64().unwrap()
}

async fn api_token(s: &TestServer, owner_token: &str) -> (String, i64) {
    let res = s
        .post("/api/v1/api-tokens", owner_token, json!({"name": "sync"}))
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    (
        res.body["secret"].as_str().unwrap().to_string(),
        res.body["token"]["id"].as_i64().unwrap(),
    )
}

async fn open_stream(s: &TestServer, token: &str, last_event_id: Option<i64>) -> SseReader {
    let mut req = s
        .http
        .get(s.url("/api/v1/events/stream"))
        .bearer_auth(token);
    if let Some(id) = last_event_id {
        req = req.header("Last-Event-ID", id.to_string());
    }
    let res = req.send().await.unwrap();
    assert_eq!(res.status(), 200);
    let mut stream = SseReader::new(res);
    // The server sends `retry:` once it is subscribed: nothing made after this is missed.
    assert_eq!(stream.next(WAIT).await, Some(Item::Retry(3000)));
    stream
}

/// The types of every event up to and including the `team.created` of team `marker`, with
/// the data of the `notification.*` ones.
async fn events_until_team(stream: &mut SseReader, marker: &str) -> Vec<(String, Value)> {
    let mut seen = vec![];
    loop {
        let (_, kind, data) = stream
            .next_event(WAIT)
            .await
            .unwrap_or_else(|| panic!("team {marker} never arrived; saw {seen:?}"));
        let is_marker = kind == "team.created" && data["data"]["name"] == marker;
        seen.push((kind, data["data"].clone()));
        if is_marker {
            return seen;
        }
    }
}

fn notification_events(seen: &[(String, Value)]) -> Vec<&(String, Value)> {
    seen.iter()
        .filter(|(k, _)| k.starts_with("notification."))
        .collect()
}

/// Makes a team every stream of the workspace receives: anything sent before it has arrived.
async fn marker(s: &TestServer, token: &str, name: &str) {
    let res = s
        .post("/api/v1/teams", token, json!({ "name": name }))
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
}

scenario!(
    assigning_notifies_the_assignee_alone,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let ben = s.add_member(&owner, "ben@acme.test", "agent").await;
        let cleo = s.add_member(&owner, "cleo@acme.test", "agent").await;
        let (token, _) = api_token(&s, &owner.access).await;
        let mut bens = open_stream(&s, &ben.access, None).await;
        let mut cleos = open_stream(&s, &cleo.access, None).await;
        let mut owners = open_stream(&s, &owner.access, None).await;
        let mut tokens = open_stream(&s, &token, None).await;

        let ana = contact(&s, &owner.access, "Ana", Some("Lima")).await;
        assign(&s, &owner.access, ana, json!(ben.user_id)).await;
        marker(&s, &owner.access, "After assigning").await;

        // Ben hears of it live…
        let seen = events_until_team(&mut bens, "After assigning").await;
        let got = notification_events(&seen);
        assert_eq!(got.len(), 1, "{seen:?}");
        let (kind, n) = got[0];
        assert_eq!(kind, "notification.created");
        assert_eq!(n["kind"], "assigned");
        assert_eq!(n["user_id"], ben.user_id);
        assert_eq!(n["contact_id"], ana);
        assert_eq!(n["actor"], json!({"type": "user", "id": owner.user_id}));
        assert_eq!(n["detail"], json!({"contact_name": "Ana Lima"}));
        assert_eq!(n["read"], false);
        // …and nobody else does, not even the one who assigned, nor an API token's stream:
        // the team made afterwards reached them, the notification never did.
        for stream in [&mut cleos, &mut owners, &mut tokens] {
            let seen = events_until_team(stream, "After assigning").await;
            assert!(notification_events(&seen).is_empty(), "{seen:?}");
            assert!(
                seen.iter().any(|(k, _)| k == "contact.assignee.updated"),
                "the assignment itself is public: {seen:?}"
            );
        }

        // Over the API: one unread notification for Ben, none for the others.
        let bens_page = page(&s, &ben.access, "").await;
        assert_eq!(bens_page["unread_count"], 1);
        assert!(bens_page["next_cursor"].is_null());
        let items = bens_page["items"].as_array().unwrap();
        assert_eq!(items.len(), 1);
        let item = &items[0];
        assert_eq!(item["id"], n["id"]);
        assert_eq!(item["kind"], "assigned");
        assert_eq!(item["contact_id"], ana);
        assert_eq!(item["actor"], json!({"type": "user", "id": owner.user_id}));
        assert_eq!(item["detail"], json!({"contact_name": "Ana Lima"}));
        assert_eq!(item["read"], false);
        assert!(item["read_at"].is_null());
        assert!(item["created_at"].is_string());
        for who in [&cleo, &owner] {
            let p = page(&s, &who.access, "").await;
            assert_eq!(p["items"], json!([]), "{p}");
            assert_eq!(p["unread_count"], 0);
        }
        // Notifications are a person's: an API token has none to read.
        s.get(PATH, &token).await.problem(403);
        s.post(&format!("{PATH}/read"), &token, json!({}))
            .await
            .problem(403);
        s.get(PATH, "not-a-token").await.problem(401);

        // Reading it tells Ben's other tabs, and only his.
        assert_eq!(mark_read(&s, &ben.access, json!({})).await, 0);
        marker(&s, &owner.access, "After reading").await;
        let seen = events_until_team(&mut bens, "After reading").await;
        let got = notification_events(&seen);
        assert_eq!(got.len(), 1, "{seen:?}");
        assert_eq!(got[0].0, "notification.read");
        assert_eq!(got[0].1["ids"], json!([n["id"]]));
        assert_eq!(got[0].1["unread_count"], 0);
        for stream in [&mut cleos, &mut tokens] {
            let seen = events_until_team(stream, "After reading").await;
            assert!(notification_events(&seen).is_empty(), "{seen:?}");
        }

        // Replaying the whole outbox does not leak them either.
        let mut replay = open_stream(&s, &cleo.access, Some(0)).await;
        let seen = events_until_team(&mut replay, "After reading").await;
        assert!(notification_events(&seen).is_empty(), "{seen:?}");
        assert!(seen.iter().any(|(k, _)| k == "contact.assignee.updated"));
        let mut replay = open_stream(&s, &ben.access, Some(0)).await;
        let seen = events_until_team(&mut replay, "After reading").await;
        let kinds: Vec<&str> = notification_events(&seen)
            .iter()
            .map(|(k, _)| k.as_str())
            .collect();
        assert_eq!(kinds, ["notification.created", "notification.read"]);
    }
);

scenario!(
    only_a_new_assignee_who_did_not_take_it_is_notified,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let ben = s.add_member(&owner, "ben@acme.test", "agent").await;
        let cleo = s.add_member(&owner, "cleo@acme.test", "agent").await;
        let (token, token_id) = api_token(&s, &owner.access).await;
        let ana = contact(&s, &owner.access, "Ana", None).await;

        // Taking a contact yourself notifies nobody.
        assign(&s, &ben.access, ana, json!(ben.user_id)).await;
        assert_eq!(unread_count(&s, &ben).await, 0);
        // Assigning it to whom it already is changes nothing, so notifies nobody.
        assign(&s, &owner.access, ana, json!(ben.user_id)).await;
        assert_eq!(unread_count(&s, &ben).await, 0);
        // Handing it on notifies the new assignee, with the one who did it.
        assign(&s, &ben.access, ana, json!(cleo.user_id)).await;
        let p = page(&s, &cleo.access, "").await;
        assert_eq!(p["unread_count"], 1);
        assert_eq!(
            p["items"][0]["actor"],
            json!({"type": "user", "id": ben.user_id})
        );
        assert_eq!(p["items"][0]["detail"], json!({"contact_name": "Ana"}));
        assert_eq!(
            unread_count(&s, &ben).await,
            0,
            "the old assignee is not told"
        );
        // Unassigning notifies nobody.
        assign(&s, &cleo.access, ana, Value::Null).await;
        assert_eq!(unread_count(&s, &cleo).await, 1);
        assert_eq!(unread_count(&s, &ben).await, 0);
        // An integration assigning is the actor.
        assign(&s, &token, ana, json!(ben.user_id)).await;
        let p = page(&s, &ben.access, "").await;
        assert_eq!(p["unread_count"], 1);
        assert_eq!(
            p["items"][0]["actor"],
            json!({"type": "api", "id": token_id})
        );
        assert_eq!(p["items"][0]["contact_id"], ana);
        // Owners are notified like anyone else when someone else assigns to them.
        assign(&s, &ben.access, ana, json!(owner.user_id)).await;
        assert_eq!(unread_count(&s, &owner).await, 1);
        // A refused assignment (not a member) notifies nobody.
        let other = s.signup("Globex", "owner@globex.test").await;
        let res = s
            .put(
                &format!("/api/v1/contacts/{ana}/assignee"),
                &owner.access,
                json!({"user_id": other.user_id}),
            )
            .await;
        assert_eq!(res.problem(422), ["user_id"]);
        assert_eq!(unread_count(&s, &other).await, 0);
    }
);

scenario!(
    reading_filtering_and_paging,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let ben = s.add_member(&owner, "ben@acme.test", "agent").await;
        let cleo = s.add_member(&owner, "cleo@acme.test", "agent").await;
        let mut contacts = vec![];
        for name in ["One", "Two", "Three", "Four", "Five"] {
            let c = contact(&s, &owner.access, name, None).await;
            assign(&s, &owner.access, c, json!(ben.user_id)).await;
            contacts.push(c);
        }
        let cleos_contact = contact(&s, &owner.access, "Cleo's", None).await;
        assign(&s, &owner.access, cleos_contact, json!(cleo.user_id)).await;

        // Newest first, paged without gaps or repeats.
        let all = page(&s, &ben.access, "").await;
        assert_eq!(all["unread_count"], 5);
        let all_ids = ids(&all);
        assert_eq!(all_ids.len(), 5);
        let names: Vec<&str> = all["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["detail"]["contact_name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["Five", "Four", "Three", "Two", "One"]);
        let mut walked = vec![];
        let mut query = "?limit=2".to_string();
        loop {
            let p = page(&s, &ben.access, &query).await;
            assert!(ids(&p).len() <= 2);
            assert_eq!(p["unread_count"], 5, "the badge ignores paging");
            walked.extend(ids(&p));
            match p["next_cursor"].as_str() {
                Some(c) => query = format!("?limit=2&cursor={c}"),
                None => break,
            }
        }
        assert_eq!(walked, all_ids);
        s.get(&format!("{PATH}?limit=0"), &ben.access)
            .await
            .problem(422);
        s.get(&format!("{PATH}?cursor=garbage"), &ben.access)
            .await
            .problem(422);
        s.get(&format!("{PATH}?unread=maybe"), &ben.access)
            .await
            .problem(422);

        // Mark one read.
        let newest = all_ids[0];
        assert_eq!(
            mark_read(&s, &ben.access, json!({ "ids": [newest] })).await,
            4
        );
        let p = page(&s, &ben.access, "").await;
        assert_eq!(p["unread_count"], 4);
        assert_eq!(p["items"][0]["id"], newest);
        assert_eq!(p["items"][0]["read"], true);
        assert!(p["items"][0]["read_at"].is_string());
        assert_eq!(p["items"][1]["read"], false);
        let unread = page(&s, &ben.access, "?unread=true").await;
        assert_eq!(ids(&unread), all_ids[1..].to_vec());
        assert_eq!(unread["unread_count"], 4);
        let unread_paged = page(&s, &ben.access, "?unread=true&limit=3").await;
        assert_eq!(ids(&unread_paged), all_ids[1..4].to_vec());
        let c = unread_paged["next_cursor"].as_str().unwrap();
        let rest = page(&s, &ben.access, &format!("?unread=true&limit=3&cursor={c}")).await;
        assert_eq!(ids(&rest), all_ids[4..].to_vec());
        assert!(rest["next_cursor"].is_null());
        assert_eq!(
            ids(&page(&s, &ben.access, "?unread=false").await),
            all_ids,
            "unread=false lists all"
        );

        // Marking again, or someone else's notification, changes nothing.
        let cleos = ids(&page(&s, &cleo.access, "").await);
        assert_eq!(cleos.len(), 1);
        assert_eq!(
            mark_read(
                &s,
                &ben.access,
                json!({ "ids": [newest, cleos[0], 999_999] })
            )
            .await,
            4
        );
        assert_eq!(unread_count(&s, &cleo).await, 1, "Cleo's stays unread");
        let fields = s
            .post(&format!("{PATH}/read"), &ben.access, json!({"ids": ["x"]}))
            .await
            .problem(422);
        assert_eq!(fields, ["ids[0]"]);
        let too_many: Vec<i64> = (1..=501).collect();
        let fields = s
            .post(
                &format!("{PATH}/read"),
                &ben.access,
                json!({ "ids": too_many }),
            )
            .await
            .problem(422);
        assert_eq!(fields, ["ids"]);
        assert_eq!(mark_read(&s, &ben.access, json!({"ids": []})).await, 4);

        // Mark all read.
        assert_eq!(mark_read(&s, &ben.access, json!({})).await, 0);
        assert_eq!(mark_read(&s, &ben.access, json!({"ids": null})).await, 0);
        assert_eq!(
            page(&s, &ben.access, "?unread=true").await["items"],
            json!([])
        );
        let p = page(&s, &ben.access, "").await;
        assert_eq!(ids(&p), all_ids, "read ones are still listed");
        assert!(p["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["read"] == true && n["read_at"].is_string()));
        assert_eq!(unread_count(&s, &cleo).await, 1, "only Ben's were read");

        // A new one after that is unread again.
        assign(&s, &owner.access, contacts[0], Value::Null).await;
        assign(&s, &owner.access, contacts[0], json!(ben.user_id)).await;
        let p = page(&s, &ben.access, "?unread=true").await;
        assert_eq!(p["unread_count"], 1);
        assert_eq!(p["items"][0]["detail"]["contact_name"], "One");
    }
);
