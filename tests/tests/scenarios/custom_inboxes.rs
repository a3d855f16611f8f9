//! Custom inboxes (`/api/v1/custom-inboxes`): personal ones only their owner sees, shared ones
//! everyone sees and owners and managers manage, filters checked against the workspace, API
//! tokens, other workspaces, and events that keep personal inboxes private.

use std::time::Duration;

use scenario_tests::sse::{Item, SseReader};
use scenario_tests::{json, scenario, Backend, TestServer};
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(10);
const PATH: &str = "/api/v1/custom-inboxes";

fn item(id: i64) -> String {
    format!("{PATH}/{id}")
}

fn id_of(v: &Value) -> i64 {
    v["id"].as_i64().expect("id")
}

/// Creates an inbox as `token`, asserting 201; returns its view.
async fn create(s: &TestServer, token: &str, body: Value) -> Value {
    let res = s.post(PATH, token, body).await;
    assert_eq!(res.status, 201, "{}", res.body);
    res.body
}

/// The fields of a refused (422) inbox.
async fn refused(s: &TestServer, token: &str, body: Value) -> Vec<String> {
    s.post(PATH, token, body).await.problem(422)
}

/// The ids of every inbox `token` lists, walking the pages `limit` at a time.
async fn listed(s: &TestServer, token: &str, limit: u32) -> Vec<i64> {
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
        all.extend(items.iter().map(id_of));
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

async fn team(s: &TestServer, token: &str, name: &str) -> i64 {
    let res = s
        .post("/api/v1/teams", token, json!({ "name": name }))
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    id_of(&res.body)
}

/// A channel row of `workspace_id` (channels get their API later; the filter only needs one).
fn channel(s: &TestServer, workspace_id: i64) -> i64 {
    use diesel::prelude::*;
    use storage::schema::channels as ch;
    let mut conn = s.db.connect();
    let now = chrono::Utc::now().naive_utc();
    diesel::insert_into(ch::table)
        .values((
            ch::workspace_id.eq(workspace_id),
            ch::kind.eq("custom"),
            ch::name.eq("Bridge"),
            ch::config.eq("{}"),
            ch::created_at.eq(now),
            ch::updated_at.eq(now),
        ))
        .returning(ch::id)
        .get_result(&mut *conn)
        .unwrap()
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

/// Every `custom_inbox.*` event up to and including the creation of the inbox named
/// `marker`: (type, inbox id).
async fn inbox_events_until(stream: &mut SseReader, marker: &str) -> Vec<(String, i64)> {
    let mut seen = vec![];
    loop {
        let (_, kind, data) = stream
            .next_event(WAIT)
            .await
            .unwrap_or_else(|| panic!("the marker inbox never arrived; saw {seen:?}"));
        if kind.starts_with("custom_inbox.") {
            let id = data["data"]["id"].as_i64().unwrap();
            seen.push((kind.clone(), id));
            if kind == "custom_inbox.created" && data["data"]["name"] == marker {
                return seen;
            }
        }
    }
}

scenario!(
    personal_inboxes_are_their_owners_alone,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let amy = s.add_member(&owner, "amy@acme.test", "agent").await;
        let ben = s.add_member(&owner, "ben@acme.test", "agent").await;
        let token = api_token(&s, &owner.access).await;

        let mine = create(
            &s,
            &amy.access,
            json!({"name": "  My VIPs ", "filters": {"tag": "VIP", "status": "open"}}),
        )
        .await;
        let id = id_of(&mine);
        assert_eq!(mine["name"], "My VIPs");
        assert_eq!(mine["shared"], false, "personal by default");
        assert_eq!(mine["owner_id"], amy.user_id);
        assert_eq!(mine["created_by"], amy.user_id);
        // Only the filters given are stored and shown.
        assert_eq!(mine["filters"], json!({"tag": "VIP", "status": "open"}));
        let bare = create(&s, &amy.access, json!({"name": "Everything"})).await;
        assert_eq!(bare["filters"], json!({}));
        let owners_own = create(&s, &owner.access, json!({"name": "Owner's"})).await;

        assert_eq!(listed(&s, &amy.access, 25).await, [id, id_of(&bare)]);
        assert_eq!(listed(&s, &amy.access, 1).await, [id, id_of(&bare)]);
        // Nobody else sees them, whatever their role; API tokens neither.
        assert!(listed(&s, &ben.access, 25).await.is_empty());
        assert_eq!(listed(&s, &owner.access, 25).await, [id_of(&owners_own)]);
        assert!(listed(&s, &token, 25).await.is_empty());
        for t in [&ben.access, &owner.access, &token] {
            s.patch(&item(id), t, json!({"name": "Taken"}))
                .await
                .problem(404);
            s.delete(&item(id), t).await.problem(404);
        }
        s.patch(&item(id_of(&owners_own)), &amy.access, json!({"name": "x"}))
            .await
            .problem(404);

        // Their owner changes them: a new name, filters replaced as a whole.
        let res = s
            .patch(
                &item(id),
                &amy.access,
                json!({"name": "VIPs", "filters": {"assignee": "me"}}),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["name"], "VIPs");
        assert_eq!(res.body["filters"], json!({"assignee": "me"}));
        let res = s
            .patch(&item(id), &amy.access, json!({"name": "Renamed only"}))
            .await;
        assert_eq!(res.body["filters"], json!({"assignee": "me"}), "kept");
        // Its sharing cannot flip: the same value is fine, another is refused.
        let res = s
            .patch(&item(id), &amy.access, json!({"shared": false}))
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        let fields = s
            .patch(&item(id), &amy.access, json!({"shared": true}))
            .await
            .problem(422);
        assert_eq!(fields, ["shared"]);
        assert!(
            listed(&s, &ben.access, 25).await.is_empty(),
            "still private"
        );

        assert_eq!(s.delete(&item(id), &amy.access).await.status, 204);
        s.delete(&item(id), &amy.access).await.problem(404);
        assert_eq!(listed(&s, &amy.access, 25).await, [id_of(&bare)]);
    }
);

scenario!(
    shared_inboxes_are_seen_by_all_and_managed_by_managers,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let manager = s.add_member(&owner, "manager@acme.test", "manager").await;
        let agent = s.add_member(&owner, "agent@acme.test", "agent").await;
        let token = api_token(&s, &owner.access).await;

        s.post(
            PATH,
            &agent.access,
            json!({"name": "Team view", "shared": true}),
        )
        .await
        .problem(403);
        let shared = create(
            &s,
            &manager.access,
            json!({"name": "Unassigned open", "shared": true,
                   "filters": {"assignee": "unassigned", "status": "open", "sort": "waiting_longest"}}),
        )
        .await;
        let id = id_of(&shared);
        assert_eq!(shared["shared"], true);
        assert!(shared["owner_id"].is_null());
        assert_eq!(shared["created_by"], manager.user_id);
        let agents_own = create(&s, &agent.access, json!({"name": "Mine"})).await;

        assert_eq!(
            listed(&s, &agent.access, 25).await,
            [id, id_of(&agents_own)]
        );
        for t in [&owner.access, &manager.access, &token] {
            assert_eq!(listed(&s, t, 25).await, [id]);
        }

        // Agents use them but do not change them.
        s.patch(&item(id), &agent.access, json!({"name": "Hijacked"}))
            .await
            .problem(403);
        s.delete(&item(id), &agent.access).await.problem(403);
        let res = s
            .patch(&item(id), &owner.access, json!({"name": "Waiting"}))
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["name"], "Waiting");
        assert_eq!(res.body["filters"]["sort"], "waiting_longest");
        let fields = s
            .patch(&item(id), &owner.access, json!({"shared": false}))
            .await
            .problem(422);
        assert_eq!(fields, ["shared"]);

        // API tokens have no personal inboxes; shared ones they manage like managers.
        let fields = refused(&s, &token, json!({"name": "Bot's"})).await;
        assert_eq!(fields, ["shared"]);
        let fields = refused(&s, &token, json!({"name": "Bot's", "shared": false})).await;
        assert_eq!(fields, ["shared"]);
        let bots = create(&s, &token, json!({"name": "Bot's", "shared": true})).await;
        assert!(bots["created_by"].is_null());
        assert!(bots["owner_id"].is_null());
        let res = s
            .patch(&item(id), &token, json!({"filters": {"status": "closed"}}))
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["filters"], json!({"status": "closed"}));
        assert_eq!(s.delete(&item(id_of(&bots)), &token).await.status, 204);
        assert_eq!(s.delete(&item(id), &manager.access).await.status, 204);
        assert_eq!(listed(&s, &agent.access, 25).await, [id_of(&agents_own)]);
        s.get(PATH, "not-a-token").await.problem(401);
    }
);

scenario!(
    filters_must_fit_the_workspace,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let agent = s.add_member(&owner, "agent@acme.test", "agent").await;
        let globex = s.signup("Globex", "owner@globex.test").await;
        let t = &owner.access;
        let our_team = team(&s, t, "Support").await;
        let their_team = team(&s, &globex.access, "Sales").await;
        let our_channel = channel(&s, owner.workspace_id);
        let their_channel = channel(&s, globex.workspace_id);

        let cases = [
            (json!({"status": "snoozed"}), "filters.status"),
            (json!({"status": "OPEN"}), "filters.status"),
            (json!({"sort": "random"}), "filters.sort"),
            (json!({"assignee": "someone"}), "filters.assignee"),
            (json!({"assignee": "-4"}), "filters.assignee"),
            (
                json!({"assignee": globex.user_id.to_string()}),
                "filters.assignee",
            ),
            (json!({"assignee": "999999"}), "filters.assignee"),
            (json!({"channel": 999999}), "filters.channel"),
            (json!({"channel": their_channel}), "filters.channel"),
            (json!({"team": their_team}), "filters.team"),
            (json!({"team": 999999}), "filters.team"),
            (json!({"team": "Support"}), "filters.team"),
            (json!({"tag": " "}), "filters.tag"),
            (json!({"tag": "a,b"}), "filters.tag"),
            (json!({"search": "s".repeat(201)}), "filters.search"),
        ];
        for (filters, field) in cases {
            let fields = refused(&s, t, json!({"name": "Bad", "filters": filters})).await;
            assert_eq!(fields, [field], "{filters}");
        }
        // Every bad filter is named in one answer.
        let mut fields = refused(
            &s,
            t,
            json!({"name": "Bad", "filters": {"status": "snoozed", "sort": "random",
                   "assignee": globex.user_id.to_string(), "team": their_team,
                   "channel": their_channel}}),
        )
        .await;
        fields.sort();
        assert_eq!(
            fields,
            [
                "filters.assignee",
                "filters.channel",
                "filters.sort",
                "filters.status",
                "filters.team"
            ]
        );
        assert_eq!(refused(&s, t, json!({"name": ""})).await, ["name"]);
        assert_eq!(refused(&s, t, json!({"name": "  "})).await, ["name"]);
        assert_eq!(
            refused(&s, t, json!({"name": "n".repeat(101)})).await,
            ["name"]
        );
        assert_eq!(refused(&s, t, json!({"filters": {}})).await, ["name"]);
        assert!(
            listed(&s, t, 25).await.is_empty(),
            "nothing refused was saved"
        );

        // What the workspace has is accepted and kept exactly.
        let good = json!({"status": "all", "assignee": agent.user_id.to_string(),
                          "team": our_team, "channel": our_channel, "tag": "VIP",
                          "search": "ana", "sort": "oldest"});
        let made = create(&s, t, json!({"name": "n".repeat(100), "filters": good})).await;
        assert_eq!(made["filters"], good);
        for assignee in ["me", "unassigned", &owner.user_id.to_string()] {
            create(
                &s,
                &agent.access,
                json!({"name": "A", "filters": {"assignee": assignee}}),
            )
            .await;
        }

        // Changes are checked the same way and a refused one changes nothing.
        let id = id_of(&made);
        let fields = s
            .patch(
                &item(id),
                t,
                json!({"name": "Renamed", "filters": {"channel": their_channel}}),
            )
            .await
            .problem(422);
        assert_eq!(fields, ["filters.channel"]);
        let fields = s
            .patch(&item(id), t, json!({"name": ""}))
            .await
            .problem(422);
        assert_eq!(fields, ["name"]);
        let res = s.get(PATH, t).await;
        assert_eq!(res.body["items"][0]["filters"], good);
        assert_eq!(res.body["items"][0]["name"], "n".repeat(100));
    }
);

scenario!(
    another_workspaces_inboxes_are_not_found,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let acme = s.signup("Acme", "owner@acme.test").await;
        let globex = s.signup("Globex", "owner@globex.test").await;
        let shared = create(&s, &acme.access, json!({"name": "All", "shared": true})).await;
        let personal = create(&s, &acme.access, json!({"name": "Mine"})).await;
        assert!(listed(&s, &globex.access, 25).await.is_empty());
        for id in [id_of(&shared), id_of(&personal)] {
            s.patch(&item(id), &globex.access, json!({"name": "Ours"}))
                .await
                .problem(404);
            s.delete(&item(id), &globex.access).await.problem(404);
        }
        s.patch(&item(999_999), &acme.access, json!({"name": "X"}))
            .await
            .problem(404);
        assert_eq!(
            listed(&s, &acme.access, 25).await,
            [id_of(&shared), id_of(&personal)]
        );
    }
);

scenario!(
    personal_inbox_events_reach_only_their_owner,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let amy = s.add_member(&owner, "amy@acme.test", "agent").await;
        let ben = s.add_member(&owner, "ben@acme.test", "agent").await;
        let token = api_token(&s, &owner.access).await;
        let mut amys = open_stream(&s, &amy.access).await;
        let mut bens = open_stream(&s, &ben.access).await;
        let mut owners = open_stream(&s, &owner.access).await;
        let mut tokens = open_stream(&s, &token).await;

        let mine = create(&s, &amy.access, json!({"name": "Mine"})).await;
        let id = id_of(&mine);
        s.patch(&item(id), &amy.access, json!({"name": "Still mine"}))
            .await;
        assert_eq!(s.delete(&item(id), &amy.access).await.status, 204);
        // A shared inbox made afterwards reaches everyone: whoever had not seen the
        // personal inbox's events by then never will.
        let marker = create(&s, &owner.access, json!({"name": "Marker", "shared": true})).await;
        let marker_id = id_of(&marker);

        assert_eq!(
            inbox_events_until(&mut amys, "Marker").await,
            [
                ("custom_inbox.created".to_string(), id),
                ("custom_inbox.updated".to_string(), id),
                ("custom_inbox.deleted".to_string(), id),
                ("custom_inbox.created".to_string(), marker_id),
            ]
        );
        for stream in [&mut bens, &mut owners, &mut tokens] {
            assert_eq!(
                inbox_events_until(stream, "Marker").await,
                [("custom_inbox.created".to_string(), marker_id)]
            );
        }

        // Shared inboxes' changes reach everyone.
        s.patch(&item(marker_id), &owner.access, json!({"name": "Renamed"}))
            .await;
        let (_, kind, data) = loop {
            let e = bens.next_event(WAIT).await.expect("the update arrives");
            if e.1.starts_with("custom_inbox.") {
                break e;
            }
        };
        assert_eq!(kind, "custom_inbox.updated");
        assert_eq!(data["data"]["name"], "Renamed");
        assert_eq!(data["data"]["shared"], true);
    }
);
