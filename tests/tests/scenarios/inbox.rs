//! The inbox (`GET /api/v1/inbox`): counts of the default views, every filter and sort,
//! keyset paging, per-user unread marks, restricted agents, and bulk actions with a result
//! per contact (`POST /api/v1/inbox/bulk`).

use scenario_tests::{json, scenario, Backend, Res, Session, TestServer};
use serde_json::Value;

use crate::support::*;

async fn inbox(s: &TestServer, token: &str, query: &[(&str, &str)]) -> Res {
    Res::from(
        s.http
            .get(s.url("/api/v1/inbox"))
            .bearer_auth(token)
            .query(query)
            .send()
            .await
            .unwrap(),
    )
    .await
}

/// The first names of the rows, asserting 200.
async fn names(s: &TestServer, token: &str, query: &[(&str, &str)]) -> Vec<String> {
    let res = inbox(s, token, query).await;
    assert_eq!(res.status, 200, "{query:?}: {}", res.body);
    res.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["contact"]["first_name"].as_str().unwrap().to_string())
        .collect()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// Each name writes in turn from its own number (`+6017787289<i>`); returns their ids.
async fn threads(setup: &Setup, names: &[&str]) -> Vec<i64> {
    let mut ids = vec![];
    for (i, name) in names.iter().enumerate() {
        ids.push(
            setup
                .writes_as(
                    &format!("+6017787289{i}"),
                    &format!("m-{name}"),
                    &format!("hello from {name}"),
                    json!({"firstName": name}),
                )
                .await,
        );
    }
    ids
}

async fn bulk(s: &TestServer, token: &str, body: Value) -> Res {
    s.post("/api/v1/inbox/bulk", token, body).await
}

/// `(contact, status)` of each bulk result, asserting 200.
fn outcomes(res: &Res) -> Vec<(String, u16)> {
    assert_eq!(res.status, 200, "{}", res.body);
    res.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            assert_eq!(r["ok"], r["status"] == 200, "{r}");
            (
                r["contact"].as_str().unwrap().to_string(),
                r["status"].as_u64().unwrap() as u16,
            )
        })
        .collect()
}

async fn team_with(s: &TestServer, owner: &Session, name: &str, members: &[&Session]) -> i64 {
    let res = s
        .post("/api/v1/teams", &owner.access, json!({"name": name}))
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let id = res.body["id"].as_i64().unwrap();
    for m in members {
        set_member(s, owner, m.user_id, json!({"team_id": id})).await;
    }
    id
}

scenario!(
    /// Counts of open threads for all, mine and unassigned; closed threads count in none;
    /// the assignee and status filters pick the same rows.
    counts_and_the_default_views,
    |backend: Backend| async move {
        let setup = Setup::new(backend, "phone").await;
        let (s, owner) = (&setup.s, &setup.owner);
        let t = &owner.access;
        let agent = s.add_member(owner, "agent@acme.test", "agent").await;
        let ids = threads(&setup, &["Free", "Agents", "Owners", "Closed"]).await;
        assign(s, t, ids[1], json!(agent.user_id)).await;
        assign(s, t, ids[2], json!(owner.user_id)).await;
        assign(s, t, ids[3], json!(agent.user_id)).await;
        let res = conversation(s, t, ids[3], json!({"status": "closed"})).await;
        assert_eq!(res.status, 200, "{}", res.body);

        let a = &agent.access;
        let res = inbox(s, a, &[]).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["counts"], json!({"all": 3, "mine": 1, "unassigned": 1}));
        assert_eq!(inbox(s, t, &[]).await.body["counts"], json!({"all": 3, "mine": 1, "unassigned": 1}));
        assert_eq!(sorted(names(s, a, &[]).await), ["Agents", "Free", "Owners"]);
        assert_eq!(names(s, a, &[("assignee", "me")]).await, ["Agents"]);
        assert_eq!(names(s, t, &[("assignee", "me")]).await, ["Owners"]);
        assert_eq!(names(s, a, &[("assignee", "unassigned")]).await, ["Free"]);
        assert_eq!(names(s, a, &[("assignee", &owner.user_id.to_string())]).await, ["Owners"]);
        assert_eq!(names(s, a, &[("status", "closed")]).await, ["Closed"]);
        assert_eq!(
            names(s, a, &[("status", "closed"), ("assignee", "me")]).await,
            ["Closed"]
        );
        assert_eq!(names(s, a, &[("status", "all")]).await.len(), 4);
        assert_eq!(names(s, a, &[("status", "open")]).await.len(), 3);
        let row = &inbox(s, a, &[("status", "closed")]).await.body["items"][0];
        assert_eq!(row["conversation"]["status"], "closed", "the last closed conversation");
        assert_eq!(row["last_message"]["text"], "hello from Closed");
        assert_eq!(row["contact"]["assignee"]["id"], agent.user_id);

        let (_, api) = api_token(s, owner).await;
        let res = inbox(s, &api, &[]).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["counts"], json!({"all": 3, "mine": 0, "unassigned": 1}));
        // A contact that never had a conversation has no thread.
        new_contact(s, t, json!({"first_name": "NoThread"})).await;
        assert_eq!(names(s, t, &[("status", "all")]).await.len(), 4);
    }
);

scenario!(
    /// The counts are kept between fetches, yet every change shows in the very next fetch:
    /// a new thread, an assignment, a close.
    counts_follow_every_change_at_once,
    |backend: Backend| async move {
        let setup = Setup::new(backend, "phone").await;
        let (s, owner) = (&setup.s, &setup.owner);
        let t = &owner.access;
        let counts = |all: i64, mine: i64, unassigned: i64| {
            json!({"all": all, "mine": mine, "unassigned": unassigned})
        };
        let a = setup.writes_as("+601122334455", "m-a", "hello", json!({"firstName": "A"})).await;
        for _ in 0..3 {
            assert_eq!(inbox(s, t, &[]).await.body["counts"], counts(1, 0, 1));
        }
        setup.writes_as("+601122334466", "m-b", "hello", json!({"firstName": "B"})).await;
        assert_eq!(inbox(s, t, &[]).await.body["counts"], counts(2, 0, 2));
        assign(s, t, a, json!(owner.user_id)).await;
        assert_eq!(inbox(s, t, &[]).await.body["counts"], counts(2, 1, 1));
        let res = conversation(s, t, a, json!({"status": "closed"})).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(inbox(s, t, &[]).await.body["counts"], counts(1, 0, 1));
        // Another workspace's changes leave these counts as they are.
        let other = s.signup("Other", "owner@other.test").await;
        assert_eq!(inbox(s, &other.access, &[]).await.body["counts"], counts(0, 0, 0));
        assert_eq!(inbox(s, t, &[]).await.body["counts"], counts(1, 0, 1));
    }
);

scenario!(
    /// Channel, tag, team and search filters.
    filters_narrow_the_threads,
    |backend: Backend| async move {
        let setup = Setup::new(backend, "phone").await;
        let (s, owner) = (&setup.s, &setup.owner);
        let t = &owner.access;
        let agent = s.add_member(owner, "agent@acme.test", "agent").await;
        let loner = s.add_member(owner, "loner@acme.test", "agent").await;
        let ids = threads(&setup, &["Leonardo", "Maria", "Nina"]).await;
        let (other, other_token) = custom_channel(s, t, &setup.bridge.url, "custom").await;
        let mut body = payload(other, "app_user_1", vec![msg("o-1", "from the app")]);
        body["contact"] = json!({"firstName": "Oscar", "email": "Oscar@Example.com"});
        assert_eq!(webhook(s, other, Some(&other_token), body).await.status, 200);

        assert_eq!(names(s, t, &[("channel", &other.to_string())]).await, ["Oscar"]);
        assert_eq!(
            sorted(names(s, t, &[("channel", &setup.channel.to_string())]).await),
            ["Leonardo", "Maria", "Nina"]
        );

        let res = s
            .post(&format!("/api/v1/contacts/{}/tags", ids[1]), t, json!({"tags": ["VIP"]}))
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(names(s, t, &[("tag", "VIP")]).await, ["Maria"]);
        assert_eq!(names(s, t, &[("tag", "nope")]).await, Vec::<String>::new());

        let team = team_with(s, owner, "Support", &[&agent]).await;
        let _lonely = team_with(s, owner, "Lonely", &[&loner]).await;
        assign(s, t, ids[0], json!(agent.user_id)).await;
        assign(s, t, ids[2], json!(loner.user_id)).await;
        assert_eq!(names(s, t, &[("team", &team.to_string())]).await, ["Leonardo"]);

        assert_eq!(names(s, t, &[("search", "leo")]).await, ["Leonardo"]);
        assert_eq!(names(s, t, &[("search", "MARIA")]).await, ["Maria"]);
        assert_eq!(names(s, t, &[("search", "+6017 787 2892")]).await, ["Nina"]);
        assert_eq!(names(s, t, &[("search", "60177872892")]).await, ["Nina"]);
        assert_eq!(names(s, t, &[("search", "oscar@example.com")]).await, ["Oscar"]);
        assert_eq!(names(s, t, &[("search", &format!("id:{}", ids[1]))]).await, ["Maria"]);
        assert_eq!(names(s, t, &[("search", "zzz")]).await, Vec::<String>::new());
        // Filters combine.
        assert_eq!(
            names(s, t, &[("search", "a"), ("tag", "VIP"), ("channel", &setup.channel.to_string())]).await,
            ["Maria"]
        );
    }
);

scenario!(
    /// Every bad parameter is a 422 naming it; several at once are all named.
    bad_parameters_are_named,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let other = s.signup("Other", "owner@other.test").await;
        let t = &owner.access;
        let their_team = s.post("/api/v1/teams", &other.access, json!({"name": "Theirs"})).await;
        let their_team = their_team.body["id"].as_i64().unwrap().to_string();
        let (their_channel, _) = custom_channel(&s, &other.access, "http://127.0.0.1:9", "phone").await;
        let their_channel = their_channel.to_string();
        for (query, field) in [
            (vec![("status", "pending")], "status"),
            (vec![("sort", "random")], "sort"),
            (vec![("team", "999999")], "team"),
            (vec![("team", their_team.as_str())], "team"),
            (vec![("channel", "999999")], "channel"),
            (vec![("channel", their_channel.as_str())], "channel"),
            (vec![("assignee", "somebody")], "assignee"),
            (vec![("limit", "0")], "limit"),
            (vec![("limit", "101")], "limit"),
            (vec![("cursor", "nonsense")], "cursor"),
        ] {
            let res = inbox(&s, t, &query).await;
            assert_eq!(fields(&res), [field], "{query:?}: {}", res.body);
        }
        let res = inbox(
            &s,
            t,
            &[("status", "x"), ("sort", "y"), ("team", "999999"), ("channel", "999999")],
        )
        .await;
        assert_eq!(sorted(fields(&res)), ["channel", "sort", "status", "team"], "{}", res.body);
    }
);

scenario!(
    /// A non-numeric team or channel id is named like any other bad parameter.
    non_numeric_ids_are_named,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        for field in ["team", "channel"] {
            let res = inbox(&s, &owner.access, &[(field, "abc")]).await;
            assert_eq!(fields(&res), [field], "{}", res.body);
        }
    }
);

scenario!(
    /// newest / oldest by last interaction; waiting_longest lists only threads awaiting an
    /// answer, the longest waiting first: answering drops a thread, writing again brings it
    /// back at the end.
    sorting_and_waiting_longest,
    |backend: Backend| async move {
        let setup = Setup::new(backend, "phone").await;
        let (s, t) = (&setup.s, &setup.owner.access);
        let ids = threads(&setup, &["A", "B", "C"]).await;
        assert_eq!(names(s, t, &[]).await, ["C", "B", "A"], "newest is the default");
        assert_eq!(names(s, t, &[("sort", "newest")]).await, ["C", "B", "A"]);
        assert_eq!(names(s, t, &[("sort", "oldest")]).await, ["A", "B", "C"]);
        assert_eq!(names(s, t, &[("sort", "waiting_longest")]).await, ["A", "B", "C"]);
        let rows = inbox(s, t, &[("sort", "waiting_longest")]).await.body;
        assert!(rows["items"].as_array().unwrap().iter().all(|r| r["waiting_since"].is_string()));

        reply_settled(s, t, ids[0], "answered").await;
        assert_eq!(names(s, t, &[("sort", "waiting_longest")]).await, ["B", "C"]);
        assert_eq!(names(s, t, &[("sort", "newest")]).await, ["A", "C", "B"]);
        let rows = inbox(s, t, &[]).await.body;
        assert!(rows["items"][0]["waiting_since"].is_null(), "{rows}");
        assert_eq!(rows["items"][0]["last_message"]["text"], "answered");

        setup.deliver("+60177872890", vec![msg("m-A2", "me again")]).await;
        assert_eq!(names(s, t, &[("sort", "waiting_longest")]).await, ["B", "C", "A"]);
        // Closing a thread stops its wait.
        let res = conversation(s, t, ids[1], json!({"status": "closed"})).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(names(s, t, &[("sort", "waiting_longest")]).await, ["C", "A"]);
        assert_eq!(
            names(s, t, &[("sort", "waiting_longest"), ("status", "all")]).await,
            ["C", "A"]
        );
    }
);

/// Every row walked `limit` at a time under `sort`: contact ids in order.
async fn walk(s: &TestServer, token: &str, sort: &str, limit: usize) -> Vec<i64> {
    let mut all = vec![];
    let mut cursor: Option<String> = None;
    for _ in 0..100 {
        let lim = limit.to_string();
        let mut q = vec![("sort", sort), ("limit", lim.as_str()), ("status", "all")];
        if let Some(c) = &cursor {
            q.push(("cursor", c.as_str()));
        }
        let res = inbox(s, token, &q).await;
        assert_eq!(res.status, 200, "{}", res.body);
        let items = res.body["items"].as_array().unwrap();
        assert!(items.len() <= limit);
        all.extend(items.iter().map(|r| r["contact"]["id"].as_i64().unwrap()));
        match res.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => return all,
        }
    }
    panic!("inbox paging does not end: {all:?}");
}

scenario!(
    /// Newest-first paging over more threads than a page visits each exactly once.
    paging_newest_first,
    |backend: Backend| async move {
        let setup = Setup::new(backend, "phone").await;
        let (s, t) = (&setup.s, &setup.owner.access);
        let mut ids = threads(&setup, &["A", "B", "C", "D", "E", "F", "G"]).await;
        ids.reverse();
        assert_eq!(walk(s, t, "newest", 100).await, ids);
        for limit in [1, 2, 3, 6, 7] {
            assert_eq!(walk(s, t, "newest", limit).await, ids, "pages of {limit}");
        }
    }
);

scenario!(
    /// Oldest-first and waiting-longest paging visit each thread exactly once.
    paging_oldest_and_waiting_longest,
    |backend: Backend| async move {
        let setup = Setup::new(backend, "phone").await;
        let (s, t) = (&setup.s, &setup.owner.access);
        let ids = threads(&setup, &["A", "B", "C", "D", "E", "F", "G"]).await;
        for sort in ["oldest", "waiting_longest"] {
            assert_eq!(walk(s, t, sort, 100).await, ids, "{sort}");
            for limit in [1, 2, 3, 6, 7] {
                assert_eq!(walk(s, t, sort, limit).await, ids, "{sort}, pages of {limit}");
            }
        }
    }
);

scenario!(
    /// Unread is per member: a new message marks the thread unread for everyone, reading it
    /// clears it for the reader only, and the next message marks it again. API tokens have
    /// no read marks.
    unread_is_per_member,
    |backend: Backend| async move {
        let setup = Setup::new(backend, "phone").await;
        let (s, owner) = (&setup.s, &setup.owner);
        let t = &owner.access;
        let agent = s.add_member(owner, "agent@acme.test", "agent").await;
        let a = &agent.access;
        let contact = setup.writes("+60177872890", "m-1", "Hello").await;
        let unread = |res: Res| res.body["items"][0]["unread"].clone();
        assert_eq!(unread(inbox(s, a, &[]).await), true);
        assert_eq!(unread(inbox(s, t, &[]).await), true);

        let res = s
            .call(reqwest::Method::POST, &format!("/api/v1/contacts/{contact}/read"), Some(a), None)
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        let last = messages(s, t, contact).await[0]["id"].clone();
        assert_eq!(res.body["last_read_message_id"], last);
        assert_eq!(unread(inbox(s, a, &[]).await), false);
        assert_eq!(unread(inbox(s, t, &[]).await), true, "the owner has not read it");

        reply_settled(s, a, contact, "my answer").await;
        assert_eq!(unread(inbox(s, a, &[]).await), false, "our own reply is no news");
        assert_eq!(note(s, t, contact).await, 201);
        assert_eq!(unread(inbox(s, a, &[]).await), false, "a note is no news");

        setup.deliver("+60177872890", vec![msg("m-2", "One more")]).await;
        assert_eq!(unread(inbox(s, a, &[]).await), true);

        let (_, api) = api_token(s, owner).await;
        s.call(reqwest::Method::POST, &format!("/api/v1/contacts/{contact}/read"), Some(&api), None)
            .await
            .problem(403);
        assert_eq!(unread(inbox(s, &api, &[]).await), false);
        let other = s.signup("Other", "owner@other.test").await;
        s.call(
            reqwest::Method::POST,
            &format!("/api/v1/contacts/{contact}/read"),
            Some(&other.access),
            None,
        )
        .await
        .problem(404);
    }
);

async fn note(s: &TestServer, token: &str, contact: i64) -> u16 {
    s.post(
        &format!("/api/v1/contacts/{contact}/comments"),
        token,
        json!({"text": "internal"}),
    )
    .await
    .status
    .as_u16()
}

scenario!(
    /// A restricted agent's inbox holds only their threads, in the list, search and counts.
    restricted_agents_see_only_their_threads,
    |backend: Backend| async move {
        let setup = Setup::new(backend, "phone").await;
        let (s, owner) = (&setup.s, &setup.owner);
        let t = &owner.access;
        let amy = s.add_member(owner, "amy@acme.test", "agent").await;
        let ids = threads(&setup, &["Hers", "Free", "Owners", "HersClosed"]).await;
        assign(s, t, ids[0], json!(amy.user_id)).await;
        assign(s, t, ids[2], json!(owner.user_id)).await;
        assign(s, t, ids[3], json!(amy.user_id)).await;
        assert_eq!(conversation(s, t, ids[3], json!({"status": "closed"})).await.status, 200);
        set_member(s, owner, amy.user_id, json!({"contact_visibility": "assigned"})).await;
        let a = &amy.access;
        let res = inbox(s, a, &[]).await;
        assert_eq!(res.body["counts"], json!({"all": 1, "mine": 1, "unassigned": 0}), "{}", res.body);
        assert_eq!(names(s, a, &[]).await, ["Hers"]);
        assert_eq!(sorted(names(s, a, &[("status", "all")]).await), ["Hers", "HersClosed"]);
        assert_eq!(names(s, a, &[("assignee", "unassigned")]).await, Vec::<String>::new());
        assert_eq!(names(s, a, &[("search", "Owners")]).await, Vec::<String>::new());
        assert_eq!(names(s, a, &[("sort", "waiting_longest")]).await, ["Hers"]);
        assert_eq!(inbox(s, t, &[]).await.body["counts"]["all"], 3);
        s.call(reqwest::Method::POST, &format!("/api/v1/contacts/{}/read", ids[1]), Some(a), None)
            .await
            .problem(404);

        // Her stream carries her threads' messages only.
        let mut events = stream(s, a).await;
        setup.deliver("+60177872891", vec![msg("free-2", "not for Amy")]).await;
        setup.deliver("+60177872892", vec![msg("owner-2", "not for Amy either")]).await;
        setup.deliver("+60177872890", vec![msg("hers-2", "for Amy")]).await;
        // (A fresh stream may still bring her own events from just before it opened.)
        let mut seen = vec![];
        loop {
            let batch = events_until(&mut events, "message.created").await;
            let done = batch.last().unwrap().1["text"] == "for Amy";
            seen.extend(batch);
            if done {
                break;
            }
        }
        assert!(
            seen.iter().all(|(_, d)| {
                d["contact_id"].is_null() || d["contact_id"] == ids[0] || d["contact_id"] == ids[3]
            }),
            "another's thread reached a restricted agent: {seen:?}"
        );
    }
);

scenario!(
    /// Bulk close gives each contact its own result: the ones that can close are closed,
    /// the others say why (no open conversation, unknown, another workspace's).
    bulk_close_reports_each_contact,
    |backend: Backend| async move {
        let setup = Setup::new(backend, "phone").await;
        let (s, owner) = (&setup.s, &setup.owner);
        let t = &owner.access;
        let ids = threads(&setup, &["A", "B", "C"]).await;
        assert_eq!(conversation(s, t, ids[2], json!({"status": "closed"})).await.status, 200);
        let other = s.signup("Other", "owner@other.test").await;
        let theirs = new_contact(s, &other.access, json!({"first_name": "Theirs"})).await;
        let res = bulk(
            s,
            t,
            json!({"action": "close", "summary": "bulk closed", "contacts": [
                ids[0].to_string(), format!("id:{}", ids[1]), ids[2].to_string(),
                "999999", theirs.to_string(), "email:nobody@x.test", "phone:+60177872890"]}),
        )
        .await;
        let got = outcomes(&res);
        let statuses: Vec<u16> = got.iter().map(|(_, st)| *st).collect();
        assert_eq!(statuses, [200, 200, 409, 404, 404, 404, 409], "{}", res.body);
        assert_eq!(got[1].0, format!("id:{}", ids[1]), "results name contacts as given");
        for r in res.body["results"].as_array().unwrap() {
            if r["status"] != 200 {
                assert!(r["detail"].is_string(), "{r}");
            }
        }
        for id in &ids[..2] {
            let convs = s.get(&format!("/api/v1/contacts/{id}/conversations"), t).await;
            let last = &convs.body["items"][0];
            assert_eq!(last["status"], "closed");
            assert_eq!(last["summary"], "bulk closed");
            assert_eq!(last["closed_source"], "user");
        }
        assert_eq!(inbox(s, t, &[]).await.body["counts"]["all"], 0);
        // Opening in bulk.
        let res = bulk(s, t, json!({"action": "open", "contacts": [ids[0].to_string(), ids[0].to_string()]})).await;
        assert_eq!(outcomes(&res).iter().map(|o| o.1).collect::<Vec<_>>(), [200, 409]);
        let c = contact_view(s, t, ids[0]).await;
        assert_eq!(c["open_conversation"]["opened_source"], "user");
    }
);

scenario!(
    /// A close the closing-note mode refuses fails for that contact with the field named,
    /// while others in the same request are closed.
    bulk_close_obeys_the_closing_note_mode,
    |backend: Backend| async move {
        let setup = Setup::new(backend, "phone").await;
        let (s, owner) = (&setup.s, &setup.owner);
        let t = &owner.access;
        set_workspace(s, owner, json!({"closing_notes_mode": "category_required"})).await;
        add_category(s, owner, "Billing").await;
        let ids = threads(&setup, &["A", "B"]).await;
        let res = bulk(s, t, json!({"action": "close", "contacts": [ids[0].to_string(), ids[1].to_string()]})).await;
        assert_eq!(outcomes(&res).iter().map(|o| o.1).collect::<Vec<_>>(), [422, 422]);
        for r in res.body["results"].as_array().unwrap() {
            assert_eq!(r["errors"][0]["field"], "category", "{r}");
        }
        assert_eq!(inbox(s, t, &[]).await.body["counts"]["all"], 2, "nothing closed");
        // B is already closed by hand; A closes in bulk, B's item fails alone.
        let res = conversation(s, t, ids[1], json!({"status": "closed", "category": "Billing"})).await;
        assert_eq!(res.status, 200, "{}", res.body);
        let res = bulk(
            s,
            t,
            json!({"action": "close", "category": "Billing", "contacts": [ids[0].to_string(), ids[1].to_string()]}),
        )
        .await;
        assert_eq!(outcomes(&res).iter().map(|o| o.1).collect::<Vec<_>>(), [200, 409]);
        let res = bulk(
            s,
            t,
            json!({"action": "close", "category": "Unknown", "contacts": [ids[0].to_string()]}),
        )
        .await;
        assert_eq!(res.body["results"][0]["status"], 422, "{}", res.body);
        assert_eq!(inbox(s, t, &[]).await.body["counts"]["all"], 0);
    }
);

scenario!(
    /// Bulk assign and unassign; assigning needs a member's user id.
    bulk_assign_and_unassign,
    |backend: Backend| async move {
        let setup = Setup::new(backend, "phone").await;
        let (s, owner) = (&setup.s, &setup.owner);
        let t = &owner.access;
        let agent = s.add_member(owner, "agent@acme.test", "agent").await;
        let other = s.signup("Other", "owner@other.test").await;
        let ids = threads(&setup, &["A", "B", "C"]).await;
        let refs: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
        let res = bulk(s, t, json!({"action": "assign", "user_id": agent.user_id, "contacts": refs})).await;
        assert_eq!(outcomes(&res).iter().map(|o| o.1).collect::<Vec<_>>(), [200, 200, 200]);
        assert_eq!(names(s, &agent.access, &[("assignee", "me")]).await.len(), 3);
        assert_eq!(notifications(s, &agent).await.len(), 3, "each assignment notifies");

        let res = bulk(s, t, json!({"action": "unassign", "contacts": [refs[0], refs[1]]})).await;
        assert_eq!(outcomes(&res).iter().map(|o| o.1).collect::<Vec<_>>(), [200, 200]);
        assert_eq!(names(s, t, &[("assignee", "unassigned")]).await.len(), 2);
        assert_eq!(inbox(s, t, &[]).await.body["counts"]["unassigned"], 2);

        let res = bulk(s, t, json!({"action": "assign", "contacts": [refs[0]]})).await;
        assert_eq!(fields(&res), ["user_id"], "{}", res.body);
        let res = bulk(s, t, json!({"action": "assign", "user_id": other.user_id, "contacts": [refs[0]]})).await;
        let item = &res.body["results"][0];
        assert_eq!(item["status"], 422, "{}", res.body);
        assert_eq!(item["errors"][0]["field"], "user_id");
        assert!(contact_view(s, t, ids[0]).await["assignee"].is_null());
    }
);

scenario!(
    /// Bulk requests take 1 to 100 contacts and a known action.
    bulk_requests_are_checked,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let t = &owner.access;
        let many: Vec<String> = (1..=101).map(|i| i.to_string()).collect();
        let res = bulk(&s, t, json!({"action": "close", "contacts": many})).await;
        assert_eq!(fields(&res), ["contacts"], "{}", res.body);
        let res = bulk(&s, t, json!({"action": "close", "contacts": []})).await;
        assert_eq!(fields(&res), ["contacts"], "{}", res.body);
        let res = bulk(&s, t, json!({"action": "delete", "contacts": ["1"]})).await;
        assert_eq!(fields(&res), ["action"], "{}", res.body);
        let hundred: Vec<String> = (1..=100).map(|i| format!("id:{}", 1000 + i)).collect();
        let res = bulk(&s, t, json!({"action": "close", "contacts": hundred})).await;
        let got = outcomes(&res);
        assert_eq!(got.len(), 100);
        assert!(got.iter().all(|(_, st)| *st == 404));
    }
);

scenario!(
    /// Restricted agents act in bulk only on their contacts; API tokens close as `api`.
    bulk_follows_visibility_and_the_caller,
    |backend: Backend| async move {
        let setup = Setup::new(backend, "phone").await;
        let (s, owner) = (&setup.s, &setup.owner);
        let t = &owner.access;
        let amy = s.add_member(owner, "amy@acme.test", "agent").await;
        let ids = threads(&setup, &["Hers", "NotHers"]).await;
        assign(s, t, ids[0], json!(amy.user_id)).await;
        set_member(s, owner, amy.user_id, json!({"contact_visibility": "assigned"})).await;
        let res = bulk(
            s,
            &amy.access,
            json!({"action": "close", "contacts": [ids[0].to_string(), ids[1].to_string()]}),
        )
        .await;
        assert_eq!(outcomes(&res).iter().map(|o| o.1).collect::<Vec<_>>(), [200, 404]);
        let (_, api) = api_token(s, owner).await;
        let res = bulk(s, &api, json!({"action": "close", "contacts": [ids[1].to_string()]})).await;
        assert_eq!(outcomes(&res).iter().map(|o| o.1).collect::<Vec<_>>(), [200]);
        let convs = s.get(&format!("/api/v1/contacts/{}/conversations", ids[1]), t).await;
        assert_eq!(convs.body["items"][0]["closed_source"], "api");
    }
);
