//! The loop every support team lives in, end to end over the custom channel: a contact writes,
//! the thread opens unassigned, an agent replies (and so takes it), the bridge delivers,
//! the conversation closes with a note, and the next message opens a new conversation.

use scenario_tests::bridge::FakeBridge;
use scenario_tests::{json, scenario, Backend, TestServer};

use crate::support::{custom_channel, inbound_text, settled};

scenario!(
    /// Contact writes, agent replies and is assigned, bridge delivers, close, reopen by message.
    the_whole_loop_works,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let bridge = FakeBridge::start().await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let agent = s.add_member(&owner, "agent@acme.test", "agent").await;
        let (channel, token) = custom_channel(&s, &owner.access, &bridge.url, "phone").await;

        let got = inbound_text(&s, channel, &token, "+60177872890", "m-1", "Hello").await;
        assert_eq!(got["received"], 1);

        let inbox = s.get("/api/v1/inbox?assignee=unassigned", &agent.access).await;
        assert_eq!(inbox.status, 200, "{}", inbox.body);
        assert_eq!(inbox.body["counts"]["unassigned"], 1);
        let row = &inbox.body["items"][0];
        assert_eq!(row["unread"], true);
        assert_eq!(row["contact"]["phone"], "+60177872890");
        assert_eq!(row["contact"]["first_name"], "Leo");
        assert_eq!(row["conversation"]["opened_source"], "contact");
        assert_eq!(row["last_message"]["text"], "Hello");
        let contact = row["contact"]["id"].as_i64().unwrap();

        let sent = s
            .post(&format!("/api/v1/contacts/{contact}/messages"), &agent.access, json!({"type": "text", "text": "Hi Leo 👋"}))
            .await;
        assert_eq!(sent.status, 202, "{}", sent.body);
        assert_eq!(sent.body["status"], "pending");
        let m = settled(&s, &agent.access, contact, sent.body["id"].as_i64().unwrap()).await;
        assert_eq!(m["status"], "sent", "{m}");
        let calls = bridge.calls();
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0].path, "/message");
        assert_eq!(calls[0].authorization.as_deref(), Some(format!("Bearer {token}").as_str()));
        assert_eq!(calls[0].body["contactId"], "+60177872890");
        assert_eq!(calls[0].body["channelId"], channel.to_string());
        assert_eq!(calls[0].body["message"], json!({"type": "text", "text": "Hi Leo 👋"}));

        let c = s.get(&format!("/api/v1/contacts/{contact}"), &agent.access).await;
        assert_eq!(c.body["assignee"]["id"], agent.user_id, "the replier takes the contact");
        let conv = &c.body["open_conversation"];
        assert_eq!(conv["first_response_by"], agent.user_id);
        assert_eq!(conv["incoming_count"], 1);
        assert_eq!(conv["outgoing_count"], 1);

        let closed = s
            .post(&format!("/api/v1/contacts/{contact}/conversation"), &agent.access, json!({"status": "closed", "summary": "Greeted"}))
            .await;
        assert_eq!(closed.status, 200, "{}", closed.body);
        assert_eq!(closed.body["closed_source"], "user");
        assert_eq!(closed.body["summary"], "Greeted");
        assert_eq!(closed.body["assignee_id"], agent.user_id);

        inbound_text(&s, channel, &token, "+60177872890", "m-2", "One more thing").await;
        let list = s.get(&format!("/api/v1/contacts/{contact}/conversations"), &agent.access).await;
        let items = list.body["items"].as_array().unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0]["status"], "open");
        assert_eq!(items[1]["status"], "closed");

        let timeline = s.get(&format!("/api/v1/contacts/{contact}/messages"), &agent.access).await;
        let kinds: Vec<String> = timeline.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| match i["kind"].as_str().unwrap() {
                "activity" => i["activity"]["kind"].as_str().unwrap().to_string(),
                k => k.to_string(),
            })
            .collect();
        assert_eq!(
            kinds,
            ["message", "conversation_opened", "conversation_closed", "message", "assigned", "message", "conversation_opened"],
            "{}",
            timeline.body
        );
    }
);
