//! A flood of inbound messages, as the batched ingest writer stores it: concurrent webhooks
//! from known senders, new senders, replays and the same message twice at once must end up
//! exactly as if they had arrived one by one.

use std::collections::HashMap;

use futures_util::future::join_all;
use scenario_tests::{scenario, Backend};
use serde_json::{json, Value};

use crate::support::{
    all_contacts, contact_on, custom_channel, events_until, messages, msg, new_contact, payload,
    stream_from, webhook, Setup,
};

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

const NEWCOMERS: [&str; 12] = [
    "Ana", "Bruno", "Carla", "Diego", "Elena", "Fabio", "Gina", "Hugo", "Iris", "Jonas", "Kira",
    "Luis",
];

scenario!(
    /// Senders never seen before write at once: each becomes one contact named by its profile,
    /// with its identity, one open conversation counting the message, both in the history and
    /// the events in the order one by one gives them. A number a contact already has joins
    /// that contact; one number writing on two channels at once becomes one contact.
    new_senders_at_once_become_contacts_as_one_by_one,
    |backend: Backend| async move {
        let t = Setup::new(backend, "phone").await;
        let (other, other_token) =
            custom_channel(&t.s, &t.owner.access, &t.bridge.url, "phone").await;
        let known = new_contact(
            &t.s,
            &t.owner.access,
            json!({"first_name": "Known", "phone": "+60124000999"}),
        )
        .await;

        let newcomer = |k: usize| format!("+60124000{k:03}");
        let mut posts = vec![];
        for (k, name) in NEWCOMERS.iter().enumerate() {
            let mut body = payload(t.channel, &newcomer(k), vec![msg(&format!("n-{k}"), "hi")]);
            body["contact"] = json!({"firstName": name, "lastName": "Batch",
                                     "email": format!("n{k}@example.com")});
            posts.push((t.channel, t.token.clone(), body));
        }
        posts.push((
            t.channel,
            t.token.clone(),
            payload(t.channel, "+60124000999", vec![msg("k-1", "again")]),
        ));
        for (channel, token) in [(t.channel, &t.token), (other, &other_token)] {
            let body = payload(channel, "+60124000888", vec![msg(&format!("b-{channel}"), "x")]);
            posts.push((channel, token.clone(), body));
        }
        let replies = join_all(
            posts
                .iter()
                .map(|(channel, token, body)| webhook(&t.s, *channel, Some(token), body.clone())),
        )
        .await;
        for r in &replies {
            assert_eq!(r.status, 200, "{}", r.body);
            assert_eq!(r.body["received"], 1, "{}", r.body);
        }
        // A marker after the flood: everything before it in the stream is the flood's.
        let team = t.s.post("/api/v1/teams", &t.owner.access, json!({"name": "Marker"})).await;
        assert_eq!(team.status, 201, "{}", team.body);

        assert_eq!(all_contacts(&t.s, &t.owner.access).await.len(), 1 + NEWCOMERS.len() + 1);
        let joined = contact_on(&t.s, &t.owner.access, t.channel, "+60124000999").await;
        assert_eq!(joined["id"], known, "{joined}");
        let both = contact_on(&t.s, &t.owner.access, t.channel, "+60124000888").await;
        let also = contact_on(&t.s, &t.owner.access, other, "+60124000888").await;
        assert_eq!(both["id"], also["id"], "one number, one contact: {both} {also}");

        let mut ids = vec![];
        for (k, name) in NEWCOMERS.iter().enumerate() {
            let c = contact_on(&t.s, &t.owner.access, t.channel, &newcomer(k)).await;
            let id = c["id"].as_i64().unwrap();
            ids.push(id);
            assert_eq!(c["first_name"], *name, "{c}");
            assert_eq!(c["last_name"], "Batch", "{c}");
            assert_eq!(c["email"], format!("n{k}@example.com"), "{c}");
            assert_eq!(c["phone"], newcomer(k), "{c}");

            let convs = t
                .s
                .get(&format!("/api/v1/contacts/{id}/conversations"), &t.owner.access)
                .await;
            assert_eq!(convs.status, 200, "{}", convs.body);
            let list = convs.body["items"].as_array().unwrap();
            assert_eq!(list.len(), 1, "{list:?}");
            assert_eq!(list[0]["status"], "open");
            assert_eq!(list[0]["opened_source"], "contact");
            assert_eq!(list[0]["incoming_count"], 1);

            let activity = t
                .s
                .get(&format!("/api/v1/contacts/{id}/activity"), &t.owner.access)
                .await;
            assert_eq!(activity.status, 200, "{}", activity.body);
            let kinds: Vec<&str> = activity.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["kind"].as_str().unwrap())
                .collect();
            assert_eq!(kinds, ["conversation_opened", "created"], "{}", activity.body);

            let row = t
                .s
                .get(&format!("/api/v1/inbox?search={name}"), &t.owner.access)
                .await;
            assert_eq!(row.status, 200, "{}", row.body);
            let rows = row.body["items"].as_array().unwrap();
            assert_eq!(rows.len(), 1, "found by name: {}", row.body);
            assert_eq!(rows[0]["contact"]["id"], id);
            assert_eq!(rows[0]["last_message"]["text"], "hi");
            assert!(!rows[0]["waiting_since"].is_null(), "{}", row.body);
            assert_eq!(rows[0]["conversation"]["id"], list[0]["id"]);
        }

        // Per contact: created, then the conversation opened, then the message.
        let mut stream = stream_from(&t.s, &t.owner.access, 0).await;
        let mut order: HashMap<i64, Vec<String>> = HashMap::new();
        for (kind, data) in events_until(&mut stream, "team.created").await {
            let contact = match kind.as_str() {
                "contact.created" => &data["id"],
                "conversation.opened" | "message.created" => &data["contact_id"],
                _ => continue,
            };
            order.entry(contact.as_i64().unwrap()).or_default().push(kind);
        }
        for id in ids {
            assert_eq!(
                order[&id],
                ["contact.created", "conversation.opened", "message.created"],
                "contact {id}"
            );
        }
        assert_eq!(order[&known], ["contact.created", "conversation.opened", "message.created"]);
    }
);
