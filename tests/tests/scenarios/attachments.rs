//! Attachments through the custom channel: received ones are fetched into the file store
//! (type sniffed, size limited, failures kept with a reason); sent ones go to the bridge as a
//! signed link it can fetch without a token; voice notes are checked.

use std::time::{Duration, Instant};

use reqwest::multipart::{Form, Part};
use scenario_tests::bridge::FakeBridge;
use scenario_tests::{json, scenario, Backend, Res, TestServer};
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(15);

/// The smallest valid PNG (1×1).
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

struct Setup {
    s: TestServer,
    bridge: FakeBridge,
    owner: String,
    channel: i64,
    token: String,
}

async fn setup(backend: Backend) -> Setup {
    let s = TestServer::start(backend).await;
    let bridge = FakeBridge::start().await;
    let owner = s.signup("Acme", "owner@acme.test").await.access;
    let res = s
        .post(
            "/api/v1/channels",
            &owner,
            json!({"kind": "custom", "name": "Bridge", "config": {"api_base_url": bridge.url, "id_type": "custom"}}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let channel = res.body["id"].as_i64().unwrap();
    let token = res.body["api_token"].as_str().unwrap().to_string();
    Setup {
        s,
        bridge,
        owner,
        channel,
        token,
    }
}

impl Setup {
    /// The contact `user_1` sends an attachment event; returns its contact id.
    async fn receive(&self, mid: &str, attachment: Value) -> i64 {
        let res = self
            .s
            .http
            .post(self.s.url(&format!("/webhooks/channels/{}", self.channel)))
            .bearer_auth(&self.token)
            .json(&json!({
                "channelId": self.channel.to_string(), "contactId": "user_1",
                "events": [{"type": "message", "mId": mid, "timestamp": 1,
                            "message": {"type": "attachment", "attachment": attachment}}]
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let contacts = self.s.get("/api/v1/contacts", &self.owner).await;
        contacts.body["items"][0]["id"].as_i64().unwrap()
    }

    /// The newest message of the contact once `done` holds for it (or the timeout passes).
    async fn newest_when(&self, contact: i64, done: impl Fn(&Value) -> bool) -> Value {
        let start = Instant::now();
        loop {
            let t = self
                .s
                .get(&format!("/api/v1/contacts/{contact}/messages"), &self.owner)
                .await;
            let m = t.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|i| i["kind"] == "message")
                .map(|i| i["message"].clone())
                .unwrap();
            if done(&m) || start.elapsed() > WAIT {
                return m;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn upload(&self, name: &str, bytes: Vec<u8>) -> i64 {
        let form = Form::new().part("file", Part::bytes(bytes).file_name(name.to_string()));
        let res = Res::from(
            self.s
                .http
                .post(self.s.url("/api/v1/files"))
                .bearer_auth(&self.owner)
                .multipart(form)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(res.status, 201, "{}", res.body);
        res.body["id"].as_i64().unwrap()
    }
}

fn attachment_state(m: &Value) -> &str {
    m["attachment"]["state"].as_str().unwrap_or("")
}

scenario!(
    /// A received image is fetched, its type sniffed from the bytes, and downloadable.
    received_attachments_are_fetched_into_the_file_store,
    |backend: Backend| async move {
        let t = setup(backend).await;
        let url = t.bridge.serve("photo", "application/octet-stream", PNG.to_vec());
        let contact = t
            .receive("a-1", json!({"type": "file", "url": url, "fileName": "photo.png"}))
            .await;
        let m = t.newest_when(contact, |m| attachment_state(m) != "fetching").await;
        assert_eq!(attachment_state(&m), "stored", "{m}");
        assert_eq!(m["attachment"]["type"], "image", "sniffed, not the declared kind");
        assert_eq!(m["attachment"]["mime"], "image/png");
        let file = m["file_id"].as_i64().expect("file_id");
        let bytes = t
            .s
            .http
            .get(t.s.url(&format!("/api/v1/files/{file}/content")))
            .bearer_auth(&t.owner)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert_eq!(bytes.as_ref(), PNG);
        let listed = t.s.get("/api/v1/files?source=inbound", &t.owner).await;
        assert_eq!(listed.body["items"][0]["id"], file);
    }
);

scenario!(
    /// A missing or oversize attachment is kept as failed with the reason; nothing is stored.
    unfetchable_attachments_fail_with_a_reason,
    |backend: Backend| async move {
        let t = setup(backend).await;
        let contact = t
            .receive(
                "a-1",
                json!({"type": "image", "url": format!("{}/files/missing", t.bridge.url)}),
            )
            .await;
        let m = t.newest_when(contact, |m| attachment_state(m) != "fetching").await;
        assert_eq!(attachment_state(&m), "failed", "{m}");
        assert!(m["attachment"]["error"].as_str().unwrap().contains("404"), "{m}");
        assert!(m["file_id"].is_null());

        // The test server's limit is 1 MiB.
        let big = t.bridge.serve("big", "video/mp4", vec![7u8; 1024 * 1024 + 1]);
        t.receive("a-2", json!({"type": "video", "url": big})).await;
        let m = t.newest_when(contact, |m| attachment_state(m) != "fetching").await;
        assert_eq!(attachment_state(&m), "failed", "{m}");
        assert!(m["attachment"]["error"].as_str().unwrap().contains("larger than"), "{m}");
        let listed = t.s.get("/api/v1/files?source=inbound", &t.owner).await;
        assert_eq!(listed.body["items"].as_array().unwrap().len(), 0);
    }
);

scenario!(
    /// A sent attachment reaches the bridge as a signed link that serves the file.
    sent_attachments_are_signed_links,
    |backend: Backend| async move {
        let t = setup(backend).await;
        let url = t.bridge.serve("hello", "text/plain", b"hello".to_vec());
        let contact = t.receive("a-1", json!({"type": "file", "url": url})).await;
        let file = t.upload("report.png", PNG.to_vec()).await;
        let sent = t
            .s
            .post(
                &format!("/api/v1/contacts/{contact}/messages"),
                &t.owner,
                json!({"type": "attachment", "file_ids": [file], "text": "The report"}),
            )
            .await;
        assert_eq!(sent.status, 202, "{}", sent.body);
        assert_eq!(sent.body["attachment"]["type"], "image");
        let calls = t.bridge.wait_calls(1, WAIT).await;
        let a = &calls[0].body["message"]["attachment"];
        assert_eq!(calls[0].body["message"]["type"], "attachment");
        assert_eq!(a["type"], "image");
        assert_eq!(a["mimeType"], "image/png");
        assert_eq!(a["fileName"], "report.png");
        assert_eq!(a["description"], "The report");
        let link = a["url"].as_str().unwrap();
        let fetched = reqwest::get(link).await.unwrap();
        assert_eq!(fetched.status(), 200);
        assert_eq!(fetched.bytes().await.unwrap().as_ref(), PNG);
        let tampered = reqwest::get(link.replace("sig=", "sig=00")).await.unwrap();
        assert_ne!(tampered.status(), 200);
    }
);

scenario!(
    /// Attachments need exactly one file of the workspace; voice notes audio up to 5 minutes.
    attachment_input_is_checked,
    |backend: Backend| async move {
        let t = setup(backend).await;
        let url = t.bridge.serve("hello", "text/plain", b"hello".to_vec());
        let contact = t.receive("a-1", json!({"type": "file", "url": url})).await;
        let png = t.upload("p.png", PNG.to_vec()).await;
        let send = |body: Value| {
            let s = &t.s;
            let owner = t.owner.clone();
            async move {
                s.post(&format!("/api/v1/contacts/{contact}/messages"), &owner, body)
                    .await
            }
        };
        let fields = |r: Res| r.problem(422);
        assert_eq!(fields(send(json!({"type": "attachment"})).await), ["file_ids"]);
        assert_eq!(
            fields(send(json!({"type": "attachment", "file_ids": [png, png]})).await),
            ["file_ids"]
        );
        assert_eq!(
            fields(send(json!({"type": "attachment", "file_ids": [999999]})).await),
            ["file_ids"]
        );
        assert_eq!(
            fields(
                send(json!({"type": "attachment", "file_ids": [png], "voice_note": true, "duration_seconds": 301}))
                    .await
            ),
            ["voice_note", "duration_seconds"]
        );
        // Nothing was queued for the bridge.
        tokio::time::sleep(Duration::from_millis(700)).await;
        assert!(t.bridge.calls().is_empty());
    }
);
