//! Sending messages (`POST /api/v1/contacts/{c}/messages`) over the custom channel: the
//! exact respond.io payload, a bridge that fails then recovers, refuses, or never answers,
//! text limits, messaging windows, channel choice, API senders, assignment and events.

use std::time::Duration;

use scenario_tests::bridge::{FakeBridge, Reply};
use scenario_tests::{json, scenario, Backend, Res, TestServer};
use serde_json::Value;

use crate::support::*;

/// Long enough for six attempts with the test server's 100 ms exponential backoff.
const RETRIES: Duration = Duration::from_secs(30);

async fn send(s: &TestServer, token: &str, contact: i64, body: Value) -> Res {
    s.post(&format!("/api/v1/contacts/{contact}/messages"), token, body)
        .await
}

fn id(v: &Value) -> i64 {
    v["id"].as_i64().expect("id")
}

scenario!(
    /// The bridge receives exactly respond.io's outbound payload with the channel's token,
    /// at `<api_base_url>/message`; the message goes pending → sent.
    a_text_reply_reaches_the_bridge_exactly,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let bridge = FakeBridge::start().await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let t = &owner.access;
        let (ch, token) = custom_channel(&s, t, &format!("{}/custom/", bridge.url), "phone").await;
        inbound_text(&s, ch, &token, "+60177872890", "m-1", "Hello").await;
        let contact = contact_on(&s, t, ch, "+60177872890").await;
        let cid = id(&contact);
        let text = "Hi Leo 👋\nSecond line with \"quotes\" & <tags>";
        let res = send(&s, t, cid, json!({"type": "text", "text": text})).await;
        assert_eq!(res.status, 202, "{}", res.body);
        let m = &res.body;
        assert_eq!(m["status"], "pending");
        assert_eq!(m["direction"], "outgoing");
        assert_eq!(m["type"], "text");
        assert_eq!(m["text"], text);
        assert_eq!(m["channel_id"], ch);
        assert_eq!(m["contact_id"], cid);
        assert_eq!(m["sender"], json!({"type": "user", "id": owner.user_id}));
        assert_eq!(m["conversation_id"], contact["open_conversation"]["id"]);
        assert!(m["error"].is_null());

        let done = settled(&s, t, cid, id(m)).await;
        assert_eq!(done["status"], "sent", "{done}");
        assert!(done["error"].is_null());
        let calls = bridge.calls();
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0].path, "/custom/message");
        assert_eq!(
            calls[0].authorization.as_deref(),
            Some(format!("Bearer {token}").as_str())
        );
        assert_eq!(
            calls[0].body,
            json!({"channelId": ch.to_string(), "contactId": "+60177872890",
                   "message": {"type": "text", "text": text}})
        );
    }
);

scenario!(
    /// 5xx answers are retried with backoff; the third attempt succeeds and nothing more
    /// is sent.
    a_bridge_that_fails_then_recovers,
    |backend: Backend| async move {
        let setup = Setup::new(backend, "phone").await;
        let (s, t) = (&setup.s, &setup.owner.access);
        let contact = setup.writes("+60177872890", "m-1", "Hello").await;
        setup.bridge.script([
            Reply::Status(500, json!({"error": {"message": "try later"}})),
            Reply::Status(503, json!({})),
            Reply::Accept,
        ]);
        let res = reply(s, t, contact, "are you there?").await;
        assert_eq!(res.status, 202, "{}", res.body);
        let m = settled_within(s, t, contact, id(&res.body), RETRIES).await;
        assert_eq!(m["status"], "sent", "{m}");
        assert!(m["error"].is_null(), "{m}");
        let calls = setup.bridge.calls();
        assert_eq!(calls.len(), 3);
        assert!(calls.iter().all(|c| c.body == calls[0].body), "every attempt is the same");
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert_eq!(setup.bridge.calls().len(), 3, "nothing is sent after success");
    }
);

scenario!(
    /// A 4xx is the bridge refusing: the message fails at once with the bridge's message,
    /// or with the status when there is none; it is never retried.
    a_refusal_fails_at_once,
    |backend: Backend| async move {
        let setup = Setup::new(backend, "phone").await;
        let (s, t) = (&setup.s, &setup.owner.access);
        let contact = setup.writes("+60177872890", "m-1", "Hello").await;
        setup.bridge.script([
            Reply::Status(400, json!({"error": {"message": "blocked"}})),
            Reply::Status(404, json!("no such route")),
        ]);
        let first = reply(s, t, contact, "one").await;
        assert_eq!(first.status, 202, "{}", first.body);
        let m = settled(s, t, contact, id(&first.body)).await;
        assert_eq!(m["status"], "failed", "{m}");
        assert_eq!(m["error"], "blocked");
        let second = reply(s, t, contact, "two").await;
        let m = settled(s, t, contact, id(&second.body)).await;
        assert_eq!(m["status"], "failed", "{m}");
        assert!(m["error"].as_str().unwrap().contains("404"), "{m}");
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert_eq!(setup.bridge.calls().len(), 2, "refusals are not retried");
    }
);

scenario!(
    /// A bridge that always answers 5xx gets six attempts, then the message fails with why.
    a_bridge_that_never_recovers,
    |backend: Backend| async move {
        let setup = Setup::new(backend, "phone").await;
        let (s, t) = (&setup.s, &setup.owner.access);
        let contact = setup.writes("+60177872890", "m-1", "Hello").await;
        setup
            .bridge
            .script((0..10).map(|_| Reply::Status(500, json!({}))));
        let res = reply(s, t, contact, "anyone?").await;
        let m = settled_within(s, t, contact, id(&res.body), RETRIES).await;
        assert_eq!(m["status"], "failed", "{m}");
        let error = m["error"].as_str().unwrap();
        assert!(error.contains("500"), "{error}");
        assert!(error.contains('6'), "the attempts are told: {error}");
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert_eq!(setup.bridge.calls().len(), 6);
    }
);

scenario!(
    /// A bridge nobody listens on is a network error: retried, then failed with why.
    an_unreachable_bridge_fails_after_retries,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let t = &owner.access;
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let (ch, token) = custom_channel(&s, t, &format!("http://127.0.0.1:{port}"), "phone").await;
        inbound_text(&s, ch, &token, "+60177872890", "m-1", "Hello").await;
        let contact = id(&contact_on(&s, t, ch, "+60177872890").await);
        let res = reply(&s, t, contact, "hello?").await;
        assert_eq!(res.status, 202, "{}", res.body);
        let m = settled_within(&s, t, contact, id(&res.body), RETRIES).await;
        assert_eq!(m["status"], "failed", "{m}");
        assert!(
            m["error"].as_str().unwrap().contains("reached"),
            "{m}"
        );
    }
);

scenario!(
    /// Text is 1 to 4,096 characters, counted as characters (emoji once), never blank.
    text_limits,
    |backend: Backend| async move {
        let setup = Setup::new(backend, "phone").await;
        let (s, t) = (&setup.s, &setup.owner.access);
        let contact = setup.writes("+60177872890", "m-1", "Hello").await;
        for body in [
            json!({"type": "text", "text": "a".repeat(4097)}),
            json!({"type": "text", "text": "😀".repeat(4097)}),
            json!({"type": "text", "text": ""}),
            json!({"type": "text", "text": " \n\t "}),
            json!({"type": "text"}),
        ] {
            let res = send(s, t, contact, body.clone()).await;
            assert_eq!(fields(&res), ["text"], "{}", res.body);
        }
        assert_eq!(messages(s, t, contact).await.len(), 1, "nothing stored");
        let emoji = "😀".repeat(4096);
        let res = send(s, t, contact, json!({"type": "text", "text": emoji})).await;
        assert_eq!(res.status, 202, "{}", res.body);
        let m = settled(s, t, contact, id(&res.body)).await;
        assert_eq!(m["status"], "sent", "{m}");
        let calls = setup.bridge.calls();
        assert_eq!(calls[0].body["message"]["text"], emoji);
        let res = send(s, t, contact, json!({"type": "text", "text": "a".repeat(4096)})).await;
        assert_eq!(res.status, 202, "{}", res.body);
    }
);

scenario!(
    /// Templates are WhatsApp's; the custom channel refuses them on `type`, as it does
    /// unknown types.
    templates_are_refused_on_a_custom_channel,
    |backend: Backend| async move {
        let setup = Setup::new(backend, "phone").await;
        let (s, t) = (&setup.s, &setup.owner.access);
        let contact = setup.writes("+60177872890", "m-1", "Hello").await;
        let res = send(
            s,
            t,
            contact,
            json!({"type": "template", "template": {"name": "welcome", "language": "en"}}),
        )
        .await;
        assert_eq!(fields(&res), ["type"], "{}", res.body);
        let res = send(s, t, contact, json!({"type": "sticker", "text": "x"})).await;
        assert_eq!(fields(&res), ["type"], "{}", res.body);
        let res = send(s, t, contact, json!({"text": "x"})).await;
        assert_eq!(fields(&res), ["type"], "{}", res.body);
        assert_eq!(messages(s, t, contact).await.len(), 1);
        assert!(setup.bridge.calls().is_empty());
    }
);

scenario!(
    /// With a custom id the business may not write first: 409 with the window problem type
    /// and nothing stored; once the contact writes, replies go out.
    a_custom_id_contact_must_write_first,
    |backend: Backend| async move {
        let setup = Setup::new(backend, "custom").await;
        let (s, t) = (&setup.s, &setup.owner.access);
        let fresh = new_contact(s, t, json!({"first_name": "Fresh", "phone": "+60123456789"})).await;
        let res = send(
            s,
            t,
            fresh,
            json!({"type": "text", "text": "Hello first", "channel_id": setup.channel}),
        )
        .await;
        res.problem(409);
        assert!(
            res.body["type"]
                .as_str()
                .unwrap()
                .ends_with("/problems/messaging-window-closed"),
            "{}",
            res.body
        );
        assert!(!res.body["detail"].as_str().unwrap().is_empty());
        assert_eq!(timeline(s, t, fresh).await, Vec::<Value>::new(), "nothing stored");
        let c = contact_view(s, t, fresh).await;
        assert!(c["open_conversation"].is_null(), "no conversation opened: {c}");
        assert!(c["assignee"].is_null(), "nobody assigned: {c}");
        // The same for an API caller.
        let (_, api) = api_token(s, &setup.owner).await;
        send(
            s,
            &api,
            fresh,
            json!({"type": "text", "text": "Hello", "channel_id": setup.channel}),
        )
        .await
        .problem(409);

        let writer = setup.writes("user_9", "m-1", "Hi").await;
        // Writing on one custom channel opens no window on another.
        let (second, _) = custom_channel(s, t, &setup.bridge.url, "custom").await;
        send(
            s,
            t,
            writer,
            json!({"type": "text", "text": "elsewhere", "channel_id": second}),
        )
        .await
        .problem(409);
        let m = reply_settled(s, t, writer, "Hi back").await;
        assert_eq!(m["status"], "sent", "{m}");
        let calls = setup.bridge.calls();
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0].body["contactId"], "user_9");
    }
);

scenario!(
    /// `reply_window_hours` closes free-form replies that long after the contact's last
    /// message; the contact view tells the window.
    the_reply_window_closes,
    |backend: Backend| async move {
        use diesel::prelude::*;
        use storage::schema::contact_channels as cc;
        let s = TestServer::start(backend).await;
        let bridge = FakeBridge::start().await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let t = &owner.access;
        let res = s
            .post(
                "/api/v1/channels",
                t,
                json!({"kind": "custom", "name": "Windowed", "config": {
                    "api_base_url": bridge.url, "id_type": "custom", "reply_window_hours": 1}}),
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.body);
        let ch = id(&res.body);
        let token = res.body["api_token"].as_str().unwrap().to_string();
        inbound_text(&s, ch, &token, "user_1", "m-1", "Hello").await;
        let contact = id(&contact_on(&s, t, ch, "user_1").await);
        let c = contact_view(&s, t, contact).await;
        let w = &c["reply_window"][0];
        assert_eq!(w["channel_id"], ch);
        assert_eq!(w["open"], true, "{c}");
        assert!(w["closes_at"].is_string(), "{c}");
        assert!(w["allowed"].as_array().unwrap().contains(&json!("text")), "{c}");

        let back = |minutes: i64| {
            let at = chrono::Utc::now().naive_utc() - chrono::Duration::minutes(minutes);
            diesel::update(cc::table.filter(cc::channel_id.eq(ch)))
                .set(cc::last_incoming_at.eq(at))
                .execute(&mut *s.db.connect())
                .unwrap();
        };
        back(120);
        let res = reply(&s, t, contact, "too late").await;
        res.problem(409);
        assert!(res.body["type"].as_str().unwrap().ends_with("/problems/messaging-window-closed"));
        let c = contact_view(&s, t, contact).await;
        assert_eq!(c["reply_window"][0]["open"], false, "{c}");
        assert_eq!(messages(&s, t, contact).await.len(), 1);

        back(30);
        let res = reply(&s, t, contact, "just in time").await;
        assert_eq!(res.status, 202, "{}", res.body);
    }
);

scenario!(
    /// With a phone id the business may write first to a contact it knows the number of:
    /// the bridge gets the phone as `contactId`.
    a_phone_channel_may_write_first,
    |backend: Backend| async move {
        let setup = Setup::new(backend, "phone").await;
        let (s, t) = (&setup.s, &setup.owner.access);
        let known = new_contact(s, t, json!({"first_name": "Known", "phone": "+60 12-345 6789"})).await;
        let res = send(
            s,
            t,
            known,
            json!({"type": "text", "text": "Your order shipped", "channel_id": setup.channel}),
        )
        .await;
        assert_eq!(res.status, 202, "{}", res.body);
        let m = settled(s, t, known, id(&res.body)).await;
        assert_eq!(m["status"], "sent", "{m}");
        let calls = setup.bridge.calls();
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0].body["contactId"], "+60123456789");
        let c = contact_view(s, t, known).await;
        assert_eq!(c["open_conversation"]["opened_source"], "user");

        // Without a number there is nobody to write to: refused up front, or failed with why.
        let nobody = new_contact(s, t, json!({"first_name": "Nobody"})).await;
        let res = send(
            s,
            t,
            nobody,
            json!({"type": "text", "text": "Hello", "channel_id": setup.channel}),
        )
        .await;
        if res.status == 202 {
            let m = settled(s, t, nobody, id(&res.body)).await;
            assert_eq!(m["status"], "failed", "{m}");
            assert!(m["error"].as_str().unwrap().contains("phone"), "{m}");
        } else {
            assert!(res.status.is_client_error(), "{}", res.body);
        }
        tokio::time::sleep(Duration::from_millis(700)).await;
        assert_eq!(setup.bridge.calls().len(), 1, "nothing went to the bridge for it");
    }
);

scenario!(
    /// The channel must be one of the workspace's; a contact with no channel needs one named.
    the_channel_must_be_ours,
    |backend: Backend| async move {
        let setup = Setup::new(backend, "phone").await;
        let (s, t) = (&setup.s, &setup.owner.access);
        let other = s.signup("Other", "owner@other.test").await;
        let (theirs, _) = custom_channel(s, &other.access, &setup.bridge.url, "phone").await;
        let known = new_contact(s, t, json!({"first_name": "Known", "phone": "+60123456789"})).await;
        for channel in [theirs, 999_999] {
            let res = send(
                s,
                t,
                known,
                json!({"type": "text", "text": "x", "channel_id": channel}),
            )
            .await;
            assert_eq!(fields(&res), ["channel_id"], "{}", res.body);
        }
        let res = send(s, t, known, json!({"type": "text", "text": "x"})).await;
        assert_eq!(fields(&res), ["channel_id"], "no channel at all: {}", res.body);
        assert_eq!(timeline(s, t, known).await, Vec::<Value>::new());
        // Someone else's contact does not exist for us.
        let theirs_contact =
            new_contact(s, &other.access, json!({"first_name": "Theirs", "phone": "+60123456780"})).await;
        send(
            s,
            t,
            theirs_contact,
            json!({"type": "text", "text": "x", "channel_id": setup.channel}),
        )
        .await
        .problem(404);
        tokio::time::sleep(Duration::from_millis(700)).await;
        assert!(setup.bridge.calls().is_empty());
    }
);

scenario!(
    /// Without `channel_id`, a reply goes out on the channel the contact last wrote on.
    replies_go_to_the_channel_last_written_on,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let t = &owner.access;
        let (a_bridge, b_bridge) = (FakeBridge::start().await, FakeBridge::start().await);
        let (a, a_token) = custom_channel(&s, t, &a_bridge.url, "phone").await;
        let (b, b_token) = custom_channel(&s, t, &b_bridge.url, "phone").await;
        let phone = "+60177872890";
        inbound_text(&s, a, &a_token, phone, "a-1", "on A").await;
        inbound_text(&s, b, &b_token, phone, "b-1", "on B").await;
        let contact = id(&contact_on(&s, t, a, phone).await);
        assert_eq!(reply_settled(&s, t, contact, "to B").await["channel_id"], b);
        inbound_text(&s, a, &a_token, phone, "a-2", "A again").await;
        assert_eq!(reply_settled(&s, t, contact, "to A").await["channel_id"], a);
        // Naming a channel wins.
        let res = send(&s, t, contact, json!({"type": "text", "text": "to B anyway", "channel_id": b})).await;
        assert_eq!(settled(&s, t, contact, id(&res.body)).await["status"], "sent");
        let texts_of = |calls: Vec<scenario_tests::bridge::Call>| -> Vec<String> {
            calls.iter().map(|c| c.body["message"]["text"].as_str().unwrap().to_string()).collect()
        };
        assert_eq!(texts_of(a_bridge.calls()), ["to A"]);
        assert_eq!(texts_of(b_bridge.calls()), ["to B", "to B anyway"]);
    }
);

scenario!(
    /// An API token sends as `api`: it neither takes the contact nor counts as the first
    /// response; a person's reply afterwards does both.
    api_tokens_send_without_assigning,
    |backend: Backend| async move {
        let setup = Setup::new(backend, "phone").await;
        let (s, t) = (&setup.s, &setup.owner.access);
        let (token_id, api) = api_token(s, &setup.owner).await;
        let contact = setup.writes("+60177872890", "m-1", "Hello").await;
        let res = reply(s, &api, contact, "automated hello").await;
        assert_eq!(res.status, 202, "{}", res.body);
        assert_eq!(res.body["sender"], json!({"type": "api", "id": token_id}));
        let m = settled(s, t, contact, id(&res.body)).await;
        assert_eq!(m["status"], "sent", "{m}");
        let c = contact_view(s, t, contact).await;
        assert!(c["assignee"].is_null(), "{c}");
        let conv = &c["open_conversation"];
        assert!(conv["first_response_at"].is_null(), "{conv}");
        assert!(conv["first_response_by"].is_null(), "{conv}");
        assert_eq!(conv["outgoing_count"], 1);

        let agent = s.add_member(&setup.owner, "agent@acme.test", "agent").await;
        reply_settled(s, &agent.access, contact, "a person now").await;
        let c = contact_view(s, t, contact).await;
        assert_eq!(c["assignee"]["id"], agent.user_id);
        assert_eq!(c["open_conversation"]["first_response_by"], agent.user_id);
        assert_eq!(c["open_conversation"]["outgoing_count"], 2);
    }
);

scenario!(
    /// Replying to an unassigned contact assigns the replier; an assigned one stays put.
    a_reply_assigns_an_unassigned_contact,
    |backend: Backend| async move {
        let setup = Setup::new(backend, "phone").await;
        let (s, t) = (&setup.s, &setup.owner.access);
        let agent = s.add_member(&setup.owner, "agent@acme.test", "agent").await;
        let contact = setup.writes("+60177872890", "m-1", "Hello").await;
        reply_settled(s, &agent.access, contact, "I'll take it").await;
        let c = contact_view(s, t, contact).await;
        assert_eq!(c["assignee"]["id"], agent.user_id);
        reply_settled(s, t, contact, "owner chiming in").await;
        let c = contact_view(s, t, contact).await;
        assert_eq!(c["assignee"]["id"], agent.user_id, "an assigned contact stays put");
        assert_eq!(c["open_conversation"]["first_response_by"], agent.user_id);
        let activity = s
            .get(&format!("/api/v1/contacts/{contact}/activity?limit=100"), t)
            .await;
        let assigned: Vec<&Value> = activity.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["kind"] == "assigned")
            .collect();
        assert_eq!(assigned.len(), 1, "{}", activity.body);
    }
);

scenario!(
    /// A send is streamed as `message.created` (pending), then `message.updated` (sent).
    a_send_is_streamed,
    |backend: Backend| async move {
        let setup = Setup::new(backend, "phone").await;
        let (s, t) = (&setup.s, &setup.owner.access);
        let contact = setup.writes("+60177872890", "m-1", "Hello").await;
        let mut events = stream(s, t).await;
        let res = reply(s, t, contact, "streamed").await;
        assert_eq!(res.status, 202, "{}", res.body);
        let mid = id(&res.body);
        let created = next_where(&mut events, "message.created", |d| d["id"] == mid).await;
        assert_eq!(created["status"], "pending");
        assert_eq!(created["direction"], "outgoing");
        let updated = next_of(&mut events, "message.updated").await;
        assert_eq!(updated["id"], mid);
        assert_eq!(updated["status"], "sent");
        // And a delivery receipt from the bridge.
        setup.deliver("+60177872890", vec![status("bridge-1", "read")]).await;
        let read = next_of(&mut events, "message.updated").await;
        assert_eq!(read["id"], mid);
        assert_eq!(read["status"], "read");
    }
);

scenario!(
    /// A send repeated with the same `Idempotency-Key` is one message and one bridge call.
    an_idempotent_send_goes_out_once,
    |backend: Backend| async move {
        let setup = Setup::new(backend, "phone").await;
        let (s, t) = (&setup.s, &setup.owner.access);
        let contact = setup.writes("+60177872890", "m-1", "Hello").await;
        let keyed = || async {
            Res::from(
                s.http
                    .post(s.url(&format!("/api/v1/contacts/{contact}/messages")))
                    .bearer_auth(t)
                    .header("Idempotency-Key", "send-1")
                    .json(&json!({"type": "text", "text": "once"}))
                    .send()
                    .await
                    .unwrap(),
            )
            .await
        };
        let first = keyed().await;
        assert_eq!(first.status, 202, "{}", first.body);
        let second = keyed().await;
        assert_eq!(second.status, 202, "{}", second.body);
        assert_eq!(second.body["id"], first.body["id"]);
        settled(s, t, contact, id(&first.body)).await;
        tokio::time::sleep(Duration::from_millis(700)).await;
        assert_eq!(setup.bridge.calls().len(), 1);
        assert_eq!(texts(s, t, contact).await, ["once", "Hello"]);
    }
);

scenario!(
    /// A restricted agent cannot write to a contact that is not theirs.
    restricted_agents_write_to_their_contacts_only,
    |backend: Backend| async move {
        let setup = Setup::new(backend, "phone").await;
        let (s, t) = (&setup.s, &setup.owner.access);
        let agent = s.add_member(&setup.owner, "agent@acme.test", "agent").await;
        set_member(s, &setup.owner, agent.user_id, json!({"contact_visibility": "assigned"})).await;
        let contact = setup.writes("+60177872890", "m-1", "Hello").await;
        reply(s, &agent.access, contact, "mine now?").await.problem(404);
        assert_eq!(messages(s, t, contact).await.len(), 1);
        assert!(contact_view(s, t, contact).await["assignee"].is_null());
        assign(s, t, contact, json!(agent.user_id)).await;
        let m = reply_settled(s, &agent.access, contact, "now it is").await;
        assert_eq!(m["status"], "sent", "{m}");
    }
);

scenario!(
    /// When the channel the contact last wrote on is gone, a reply goes out on a channel
    /// the contact still has.
    a_deleted_last_channel_falls_back_to_another,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let t = &owner.access;
        let (a_bridge, b_bridge) = (FakeBridge::start().await, FakeBridge::start().await);
        let (a, a_token) = custom_channel(&s, t, &a_bridge.url, "phone").await;
        let (b, b_token) = custom_channel(&s, t, &b_bridge.url, "phone").await;
        let phone = "+60177872890";
        inbound_text(&s, b, &b_token, phone, "b-1", "on B").await;
        inbound_text(&s, a, &a_token, phone, "a-1", "on A").await;
        let contact = id(&contact_on(&s, t, b, phone).await);
        assert_eq!(s.delete(&format!("/api/v1/channels/{a}"), t).await.status, 204);
        let res = reply(&s, t, contact, "still reachable on B").await;
        assert_eq!(res.status, 202, "{}", res.body);
        assert_eq!(res.body["channel_id"], b);
        assert_eq!(settled(&s, t, contact, id(&res.body)).await["status"], "sent");
        assert_eq!(b_bridge.calls().len(), 1);
    }
);

scenario!(
    /// Two members replying at once to an unassigned contact: one of them gets it, once.
    racing_first_replies_assign_once,
    |backend: Backend| async move {
        let setup = Setup::new(backend, "phone").await;
        let (s, t) = (&setup.s, &setup.owner.access);
        let agent = s.add_member(&setup.owner, "agent@acme.test", "agent").await;
        for n in 0..4 {
            let contact = setup.writes(&format!("+6017787289{n}"), &format!("m-{n}"), "Hello").await;
            let (a, b) = tokio::join!(
                reply(s, t, contact, "owner here"),
                reply(s, &agent.access, contact, "agent here")
            );
            assert_eq!((a.status.as_u16(), b.status.as_u16()), (202, 202));
            let activity = s
                .get(&format!("/api/v1/contacts/{contact}/activity?limit=100"), t)
                .await;
            let assigned = activity.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|a| a["kind"] == "assigned")
                .count();
            assert_eq!(assigned, 1, "{}", activity.body);
        }
    }
);
