//! A flood of inbound messages, as the batched ingest writer stores it: concurrent webhooks
//! from known senders, new senders, replays and the same message twice at once must end up
//! exactly as if they had arrived one by one.

use std::collections::HashMap;

use futures_util::future::join_all;
use scenario_tests::{scenario, Backend};
use serde_json::Value;

use crate::support::{messages, msg, Setup};

const KNOWN: usize = 5;
const EACH: usize = 8;

scenario!(
    /// Many senders at once: each message is stored once, each conversation counts its
    /// messages, each contact points at its newest message and waits since its first.
    concurrent_messages_are_stored_once_and_counted,
    |backend: Backend| async move {
        let t = Setup::new(backend, "phone").await;
        let mut ids = HashMap::new();
        for k in 0..KNOWN {
            let who = format!("+6012301{k:04}");
            ids.insert(who.clone(), t.writes(&who, &format!("first-{k}"), "hello").await);
        }
        // Known senders write EACH messages each, two new senders write twice each, earlier
        // messages are replayed, and one new message is sent twice at the same moment.
        let mut sends: Vec<(String, String)> = vec![];
        for i in 0..EACH {
            for k in 0..KNOWN {
                sends.push((format!("+6012301{k:04}"), format!("m-{k}-{i}")));
            }
        }
        for n in 0..2 {
            for i in 0..2 {
                sends.push((format!("+6012399{n:04}"), format!("new-{n}-{i}")));
            }
        }
        for k in 0..KNOWN {
            sends.push((format!("+6012301{k:04}"), format!("first-{k}")));
        }
        sends.push(("+60123010000".into(), "twice".into()));
        sends.push(("+60123010000".into(), "twice".into()));
        let replies: Vec<Value> = join_all(
            sends
                .iter()
                .map(|(who, mid)| t.deliver(who, vec![msg(mid, &format!("text {mid}"))])),
        )
        .await;
        let received: i64 = replies.iter().map(|r| r["received"].as_i64().unwrap()).sum();
        let duplicates: i64 = replies
            .iter()
            .map(|r| r["duplicates"].as_i64().unwrap())
            .sum();
        assert_eq!(received as usize, KNOWN * EACH + 4 + 1);
        assert_eq!(duplicates as usize, KNOWN + 1);

        for k in 0..KNOWN {
            let who = format!("+6012301{k:04}");
            let contact = ids[&who];
            let list = messages(&t.s, &t.owner.access, contact).await;
            let extra = if k == 0 { 1 } else { 0 };
            assert_eq!(list.len(), 1 + EACH + extra, "{who}: {list:?}");
            let mut mids: Vec<&str> = list.iter().map(|m| m["text"].as_str().unwrap()).collect();
            mids.sort();
            mids.dedup();
            assert_eq!(mids.len(), list.len(), "{who}: each message once");

            let convs = t
                .s
                .get(
                    &format!("/api/v1/contacts/{contact}/conversations"),
                    &t.owner.access,
                )
                .await;
            assert_eq!(convs.status, 200, "{}", convs.body);
            let items = convs.body["items"].as_array().unwrap();
            assert_eq!(items.len(), 1, "still one conversation: {items:?}");
            assert_eq!(items[0]["status"], "open");
            assert_eq!(items[0]["incoming_count"], (1 + EACH + extra) as i64);
        }
        for n in 0..2 {
            let who = format!("+6012399{n:04}");
            let contact = crate::support::contact_on(&t.s, &t.owner.access, t.channel, &who)
                .await["id"]
                .as_i64()
                .unwrap();
            assert_eq!(messages(&t.s, &t.owner.access, contact).await.len(), 2, "{who}");
        }
        // No sender became two contacts.
        assert_eq!(
            crate::support::all_contacts(&t.s, &t.owner.access).await.len(),
            KNOWN + 2
        );

        // The inbox shows each known sender's newest message, waiting since the first one.
        let inbox = t.s.get("/api/v1/inbox?limit=50", &t.owner.access).await;
        assert_eq!(inbox.status, 200, "{}", inbox.body);
        let rows = inbox.body["items"].as_array().unwrap();
        assert_eq!(rows.len(), KNOWN + 2);
        for row in rows {
            let contact = row["contact"]["id"].as_i64().unwrap();
            let list = messages(&t.s, &t.owner.access, contact).await;
            let ids: Vec<&Value> = list.iter().map(|m| &m["id"]).collect();
            assert_eq!(row["last_message"]["id"], list[0]["id"], "newest of {ids:?}: {row}");
            assert!(!row["waiting_since"].is_null(), "{row}");
            assert_eq!(row["conversation"]["status"], "open", "{row}");
        }
    }
);

scenario!(
    /// Every stored message has exactly one `message.created` event, in the stream from
    /// the start.
    each_flooded_message_has_one_event,
    |backend: Backend| async move {
        let t = Setup::new(backend, "phone").await;
        for k in 0..3 {
            t.writes(&format!("+6013100{k:04}"), &format!("a-{k}"), "hi")
                .await;
        }
        let sends: Vec<(String, String)> = (0..30)
            .map(|i| (format!("+6013100{:04}", i % 3), format!("b-{i}")))
            .collect();
        join_all(
            sends
                .iter()
                .map(|(who, mid)| t.deliver(who, vec![msg(mid, "x")])),
        )
        .await;
        // A marker after the flood: everything before it in the stream is the flood's.
        let team = t
            .s
            .post("/api/v1/teams", &t.owner.access, serde_json::json!({"name": "Marker"}))
            .await;
        assert_eq!(team.status, 201, "{}", team.body);
        let mut stream = crate::support::stream_from(&t.s, &t.owner.access, 0).await;
        let mut created: HashMap<i64, usize> = HashMap::new();
        for (kind, data) in crate::support::events_until(&mut stream, "team.created").await {
            if kind == "message.created" {
                *created.entry(data["id"].as_i64().unwrap()).or_default() += 1;
            }
        }
        assert_eq!(created.len(), 33, "{created:?}");
        assert!(created.values().all(|n| *n == 1), "{created:?}");
    }
);
