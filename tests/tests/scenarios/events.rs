//! The realtime stream: bearer and ticket auth, live delivery, lossless resume, heartbeats,
//! tenant isolation, and fan-out from every node of a deployment.

use std::time::Duration;

use reqwest::StatusCode;
use scenario_tests::sse::{Item, SseReader};
use scenario_tests::{json, scenario, Backend, Res, TestServer};

const WAIT: Duration = Duration::from_secs(10);

async fn open(s: &TestServer, token: &str, last_event_id: Option<i64>) -> SseReader {
    let mut req = s
        .http
        .get(s.url("/api/v1/events/stream"))
        .bearer_auth(token);
    if let Some(id) = last_event_id {
        req = req.header("Last-Event-ID", id.to_string());
    }
    let res = req.send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "text/event-stream");
    SseReader::new(res)
}

async fn ticket(s: &TestServer, token: &str) -> String {
    let res = s
        .call(
            reqwest::Method::POST,
            "/api/v1/events/ticket",
            Some(token),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    res.body["ticket"].as_str().unwrap().to_string()
}

async fn create_team(s: &TestServer, token: &str, name: &str) -> Res {
    let res = s
        .post("/api/v1/teams", token, json!({ "name": name }))
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    res
}

scenario!(
    live_events_reach_a_bearer_client,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "ana@acme.test").await;
        let mut stream = open(&s, &owner.access, None).await;
        assert_eq!(stream.next(WAIT).await, Some(Item::Retry(3000)));
        create_team(&s, &owner.access, "Support").await;
        let (id, kind, data) = stream.next_event(WAIT).await.expect("an event");
        assert!(id > 0);
        assert_eq!(kind, "team.created");
        assert_eq!(data["type"], "team.created");
        assert_eq!(data["id"], id);
        assert_eq!(data["data"]["name"], "Support");
        s.patch(
            "/api/v1/workspace",
            &owner.access,
            json!({"timezone": "Europe/Berlin"}),
        )
        .await;
        let (next, kind, data) = stream.next_event(WAIT).await.expect("a second event");
        assert!(next > id, "ids increase");
        assert_eq!(kind, "workspace.updated");
        assert_eq!(data["data"]["timezone"], "Europe/Berlin");
    }
);

scenario!(a_stream_needs_credentials, |backend: Backend| async move {
    let s = TestServer::start(backend).await;
    let res = Res::from(
        s.http
            .get(s.url("/api/v1/events/stream"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    res.problem(401);
    let res = Res::from(
        s.http
            .get(s.url("/api/v1/events/stream?ticket=nope"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    res.problem(401);
});

scenario!(tickets_work_once, |backend: Backend| async move {
    let s = TestServer::start(backend).await;
    let owner = s.signup("Acme", "ana@acme.test").await;
    let t = ticket(&s, &owner.access).await;
    let url = s.url(&format!("/api/v1/events/stream?ticket={t}"));
    let res = s.http.get(&url).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let mut stream = SseReader::new(res);
    create_team(&s, &owner.access, "Sales").await;
    let (_, kind, _) = stream
        .next_event(WAIT)
        .await
        .expect("event over a ticket stream");
    assert_eq!(kind, "team.created");
    let again = Res::from(s.http.get(&url).send().await.unwrap()).await;
    again.problem(401);
});

scenario!(expired_tickets_are_refused, |backend: Backend| async move {
    use diesel::prelude::*;
    let s = TestServer::start(backend).await;
    let owner = s.signup("Acme", "ana@acme.test").await;
    let t = ticket(&s, &owner.access).await;
    let mut conn = s.db.connect();
    let past = chrono::Utc::now().naive_utc() - chrono::Duration::seconds(1);
    diesel::update(storage::schema::event_tickets::table)
        .set(storage::schema::event_tickets::expires_at.eq(past))
        .execute(&mut *conn)
        .unwrap();
    let res = Res::from(
        s.http
            .get(s.url(&format!("/api/v1/events/stream?ticket={t}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    res.problem(401);
});

scenario!(
    resuming_delivers_what_was_missed_exactly_once,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "ana@acme.test").await;
        let mut first = open(&s, &owner.access, None).await;
        create_team(&s, &owner.access, "One").await;
        // The signup's own events may still be arriving: wait for the team's.
        let seen = loop {
            let (id, kind, _) = first.next_event(WAIT).await.unwrap();
            if kind == "team.created" {
                break id;
            }
        };
        drop(first); // the client goes away…
        for name in ["Two", "Three", "Four"] {
            create_team(&s, &owner.access, name).await; // …and misses these
        }
        let mut resumed = open(&s, &owner.access, Some(seen)).await;
        let mut names = vec![];
        let mut last = seen;
        for _ in 0..3 {
            let (id, kind, data) = resumed.next_event(WAIT).await.expect("missed event");
            assert!(id > last, "in order, no repeats");
            last = id;
            assert_eq!(kind, "team.created");
            names.push(data["data"]["name"].as_str().unwrap().to_string());
        }
        assert_eq!(names, ["Two", "Three", "Four"]);
        create_team(&s, &owner.access, "Five").await;
        let (_, _, data) = resumed.next_event(WAIT).await.expect("then live events");
        assert_eq!(data["data"]["name"], "Five");

        // `?last_event_id=` does the same for clients that reconnect with a new ticket.
        let t = ticket(&s, &owner.access).await;
        let res = s
            .http
            .get(s.url(&format!(
                "/api/v1/events/stream?ticket={t}&last_event_id={seen}"
            )))
            .send()
            .await
            .unwrap();
        let mut by_query = SseReader::new(res);
        let (_, _, data) = by_query.next_event(WAIT).await.unwrap();
        assert_eq!(data["data"]["name"], "Two");
    }
);

scenario!(
    heartbeats_keep_idle_streams_alive,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await; // test servers beat every second
        let owner = s.signup("Acme", "ana@acme.test").await;
        let mut stream = open(&s, &owner.access, None).await;
        assert_eq!(stream.next(WAIT).await, Some(Item::Retry(3000)));
        // The signup's own events may still arrive first; then the idle stream beats.
        let mut seen = vec![];
        loop {
            match stream.next(WAIT).await {
                Some(Item::Comment(c)) => {
                    assert_eq!(c, "heartbeat");
                    break;
                }
                Some(other) if seen.len() < 10 => seen.push(other),
                other => panic!("no heartbeat: {other:?} after {seen:?}"),
            }
        }
    }
);

scenario!(
    a_workspace_sees_only_its_own_events,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let acme = s.signup("Acme", "ana@acme.test").await;
        let globex = s.signup("Globex", "gil@globex.test").await;
        let mut acme_stream = open(&s, &acme.access, Some(0)).await;
        create_team(&s, &globex.access, "Secret plans").await;
        create_team(&s, &acme.access, "Acme team").await;
        // From the very start of the outbox, Acme sees its own history and never Globex's.
        let mut kinds = vec![];
        while let Some((_, kind, data)) = acme_stream.next_event(Duration::from_secs(3)).await {
            assert_ne!(data["data"]["name"], "Secret plans");
            kinds.push(kind.clone());
            if kind == "team.created" {
                assert_eq!(data["data"]["name"], "Acme team");
                break;
            }
        }
        assert!(
            kinds.contains(&"user.added".to_string()),
            "its owner's arrival: {kinds:?}"
        );
        assert_eq!(kinds.last().map(String::as_str), Some("team.created"));
    }
);

scenario!(
    every_node_streams_every_event,
    |backend: Backend| async move {
        let a = TestServer::start(backend).await;
        let b = TestServer::on(a.db.clone()).await; // a second node on the same database
        let owner = a.signup("Acme", "ana@acme.test").await;
        let mut on_a = open(&a, &owner.access, None).await;
        let mut on_b = open(&b, &owner.access, None).await;
        create_team(&a, &owner.access, "Made on A").await;
        create_team(&b, &owner.access, "Made on B").await;
        for stream in [&mut on_a, &mut on_b] {
            // A node that had not yet tailed the signup may also show it; look at the teams.
            let mut teams = vec![];
            while teams.len() < 2 {
                let (_, kind, data) = stream.next_event(WAIT).await.expect("both teams arrive");
                if kind == "team.created" {
                    teams.push(data["data"]["name"].as_str().unwrap().to_string());
                }
            }
            assert_eq!(teams, ["Made on A", "Made on B"]);
        }
    }
);

scenario!(
    a_bad_last_event_id_is_refused,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "ana@acme.test").await;
        let res = s
            .http
            .get(s.url("/api/v1/events/stream"))
            .bearer_auth(&owner.access)
            .header("Last-Event-ID", "yesterday")
            .send()
            .await
            .unwrap();
        let fields = Res::from(res).await.problem(422);
        assert_eq!(fields, ["Last-Event-ID"]);
    }
);
