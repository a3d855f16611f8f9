//! Custom inboxes applied to the inbox: `GET /api/v1/inbox?inbox=<id>` shows the threads its
//! saved filters select; parameters given with it override them.

use scenario_tests::bridge::FakeBridge;
use scenario_tests::{json, scenario, Backend, TestServer};

scenario!(
    /// A saved inbox's filters select the threads; another member's personal inbox is refused.
    custom_inboxes_filter_the_inbox,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let bridge = FakeBridge::start().await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let agent = s.add_member(&owner, "agent@acme.test", "agent").await;
        let ch = s
            .post("/api/v1/channels", &owner.access, json!({"kind": "custom", "name": "B", "config": {"api_base_url": bridge.url, "id_type": "custom"}}))
            .await;
        let (channel, token) = (ch.body["id"].as_i64().unwrap(), ch.body["api_token"].as_str().unwrap().to_string());
        for (who, mid) in [("vip_1", "m1"), ("plain_1", "m2")] {
            let res = s
                .http
                .post(s.url(&format!("/webhooks/channels/{channel}")))
                .bearer_auth(&token)
                .json(&json!({"channelId": channel.to_string(), "contactId": who,
                    "events": [{"type": "message", "mId": mid, "timestamp": 1, "message": {"type": "text", "text": "hi"}}]}))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200);
        }
        let vip = s.get("/api/v1/contacts?search=vip_1", &owner.access).await.body["items"][0]["id"].as_i64().unwrap();
        let tagged = s.post(&format!("/api/v1/contacts/{vip}/tags"), &owner.access, json!({"tags": ["VIP"]})).await;
        assert_eq!(tagged.status, 200, "{}", tagged.body);

        let shared = s
            .post("/api/v1/custom-inboxes", &owner.access, json!({"name": "VIPs", "shared": true, "filters": {"tag": "VIP", "status": "all"}}))
            .await;
        assert_eq!(shared.status, 201, "{}", shared.body);
        let id = shared.body["id"].as_i64().unwrap();
        let view = s.get(&format!("/api/v1/inbox?inbox={id}"), &agent.access).await;
        assert_eq!(view.status, 200, "{}", view.body);
        let ids: Vec<i64> = view.body["items"].as_array().unwrap().iter().map(|r| r["contact"]["id"].as_i64().unwrap()).collect();
        assert_eq!(ids, [vip]);
        // A parameter overrides the saved filter.
        let closed = s.get(&format!("/api/v1/inbox?inbox={id}&status=closed"), &agent.access).await;
        assert_eq!(closed.body["items"].as_array().unwrap().len(), 0);

        let personal = s
            .post("/api/v1/custom-inboxes", &owner.access, json!({"name": "Mine", "filters": {"assignee": "me"}}))
            .await;
        assert_eq!(personal.status, 201, "{}", personal.body);
        let other = personal.body["id"].as_i64().unwrap();
        assert_eq!(s.get(&format!("/api/v1/inbox?inbox={other}"), &agent.access).await.problem(422), ["inbox"]);
        assert_eq!(s.get("/api/v1/inbox?inbox=abc", &agent.access).await.problem(422), ["inbox"]);
        assert_eq!(s.get("/api/v1/inbox?status=nope&sort=up", &agent.access).await.problem(422), ["status", "sort"]);
    }
);
