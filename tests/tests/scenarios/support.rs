//! Helpers shared by the inbox scenarios: custom channels, bridge payloads, timelines,
//! the event stream, workspace settings, closing-note categories and notifications.

use std::time::{Duration, Instant};

use reqwest::Method;
use scenario_tests::bridge::FakeBridge;
use scenario_tests::sse::SseReader;
use scenario_tests::{json, Backend, Res, Session, TestServer};
use serde_json::Value;

pub const WAIT: Duration = Duration::from_secs(10);

/// Creates a custom channel pointing at `bridge`; returns (channel id, api_token).
pub async fn custom_channel(
    s: &TestServer,
    token: &str,
    bridge: &str,
    id_type: &str,
) -> (i64, String) {
    let res = s
        .post(
            "/api/v1/channels",
            token,
            json!({"kind": "custom", "name": "Bridge", "config": {"api_base_url": bridge, "id_type": id_type}}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    (
        res.body["id"].as_i64().unwrap(),
        res.body["api_token"].as_str().unwrap().to_string(),
    )
}

/// Posts one inbound text message as the bridge would.
pub async fn inbound_text(
    s: &TestServer,
    channel: i64,
    token: &str,
    contact: &str,
    mid: &str,
    text: &str,
) -> Value {
    let res = s
        .http
        .post(s.url(&format!("/webhooks/channels/{channel}")))
        .bearer_auth(token)
        .json(&json!({
            "channelId": channel.to_string(),
            "contactId": contact,
            "events": [{"type": "message", "mId": mid, "timestamp": 1_700_000_000_000u64,
                        "message": {"type": "text", "text": text}}],
            "contact": {"firstName": "Leo", "lastName": "Wong", "email": "leo@example.com"}
        }))
        .send()
        .await
        .unwrap();
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    assert_eq!(status, 200, "{body}");
    body
}

/// Polls a message until its status is no longer `pending`.
pub async fn settled(s: &TestServer, token: &str, contact: i64, message: i64) -> Value {
    settled_within(s, token, contact, message, WAIT).await
}

/// Polls a message until its status is no longer `pending`, for at most `wait`.
pub async fn settled_within(
    s: &TestServer,
    token: &str,
    contact: i64,
    message: i64,
    wait: Duration,
) -> Value {
    let start = Instant::now();
    loop {
        let m = message_in(s, token, contact, message).await;
        if m["status"] != "pending" || start.elapsed() > wait {
            return m;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// One message as the contact's timeline shows it.
pub async fn message_in(s: &TestServer, token: &str, contact: i64, message: i64) -> Value {
    messages(s, token, contact)
        .await
        .into_iter()
        .find(|m| m["id"] == message)
        .unwrap_or_else(|| panic!("message {message} is not in contact {contact}'s timeline"))
}

/// A bridge, a workspace and one custom channel pointing at the bridge.
pub struct Setup {
    pub s: TestServer,
    pub bridge: FakeBridge,
    pub owner: Session,
    pub channel: i64,
    pub token: String,
}

impl Setup {
    pub async fn new(backend: Backend, id_type: &str) -> Setup {
        let s = TestServer::start(backend).await;
        let bridge = FakeBridge::start().await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let (channel, token) = custom_channel(&s, &owner.access, &bridge.url, id_type).await;
        Setup {
            s,
            bridge,
            owner,
            channel,
            token,
        }
    }

    /// Posts `events` for `contact` on the channel with its token.
    pub async fn post(&self, contact: &str, events: Vec<Value>) -> Res {
        webhook(
            &self.s,
            self.channel,
            Some(&self.token),
            payload(self.channel, contact, events),
        )
        .await
    }

    /// Posts `events`, asserting 200; returns the webhook result.
    pub async fn deliver(&self, contact: &str, events: Vec<Value>) -> Value {
        let res = self.post(contact, events).await;
        assert_eq!(res.status, 200, "{}", res.body);
        res.body
    }

    /// The contact writes `text`; returns its contact id.
    pub async fn writes(&self, contact: &str, mid: &str, text: &str) -> i64 {
        let got = self.deliver(contact, vec![msg(mid, text)]).await;
        assert_eq!(got["received"], 1, "{got}");
        contact_on(&self.s, &self.owner.access, self.channel, contact).await["id"]
            .as_i64()
            .unwrap()
    }
}

impl Setup {
    /// The contact writes `text` with a profile; returns its contact id.
    pub async fn writes_as(&self, contact: &str, mid: &str, text: &str, profile: Value) -> i64 {
        let mut body = payload(self.channel, contact, vec![msg(mid, text)]);
        body["contact"] = profile;
        let res = webhook(&self.s, self.channel, Some(&self.token), body).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["received"], 1, "{}", res.body);
        contact_on(&self.s, &self.owner.access, self.channel, contact).await["id"]
            .as_i64()
            .unwrap()
    }
}

/// `POST /webhooks/channels/{channel}` with an optional bearer token.
pub async fn webhook(s: &TestServer, channel: i64, token: Option<&str>, body: Value) -> Res {
    s.call(
        Method::POST,
        &format!("/webhooks/channels/{channel}"),
        token,
        Some(body),
    )
    .await
}

/// A respond.io Custom Channel request.
pub fn payload(channel: i64, contact: &str, events: Vec<Value>) -> Value {
    json!({"channelId": channel.to_string(), "contactId": contact, "events": events})
}

/// A text `message` event.
pub fn msg(mid: &str, text: &str) -> Value {
    json!({"type": "message", "mId": mid, "timestamp": 1_700_000_000_000u64,
           "message": {"type": "text", "text": text}})
}

/// A text `message_echo` event.
pub fn echo(mid: &str, text: &str) -> Value {
    json!({"type": "message_echo", "mId": mid, "timestamp": 1_700_000_000_000u64,
           "message": {"type": "text", "text": text}})
}

/// A `message_status` event.
pub fn status(mid: &str, value: &str) -> Value {
    json!({"type": "message_status", "mId": mid, "timestamp": 1_700_000_000_000u64,
           "status": {"value": value}})
}

/// Every item of a contact's timeline (one page of 100), newest first.
pub async fn timeline(s: &TestServer, token: &str, contact: i64) -> Vec<Value> {
    let res = s
        .get(
            &format!("/api/v1/contacts/{contact}/messages?limit=100"),
            token,
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert!(res.body["next_cursor"].is_null(), "{}", res.body);
    res.body["items"].as_array().unwrap().clone()
}

/// The messages of a contact's timeline, newest first.
pub async fn messages(s: &TestServer, token: &str, contact: i64) -> Vec<Value> {
    timeline(s, token, contact)
        .await
        .into_iter()
        .filter(|i| i["kind"] == "message")
        .map(|i| i["message"].clone())
        .collect()
}

/// The texts of a contact's messages, newest first.
pub async fn texts(s: &TestServer, token: &str, contact: i64) -> Vec<String> {
    messages(s, token, contact)
        .await
        .iter()
        .map(|m| m["text"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Every contact of the workspace (up to 100).
pub async fn all_contacts(s: &TestServer, token: &str) -> Vec<Value> {
    let res = s.get("/api/v1/contacts?limit=100", token).await;
    assert_eq!(res.status, 200, "{}", res.body);
    res.body["items"].as_array().unwrap().clone()
}

/// The contact known as `external` on `channel`.
pub async fn contact_on(s: &TestServer, token: &str, channel: i64, external: &str) -> Value {
    all_contacts(s, token)
        .await
        .into_iter()
        .find(|c| {
            c["channels"].as_array().is_some_and(|l| {
                l.iter()
                    .any(|i| i["channel_id"] == channel && i["external_id"] == external)
            })
        })
        .unwrap_or_else(|| panic!("no contact is {external} on channel {channel}"))
}

/// One contact, asserting 200.
pub async fn contact_view(s: &TestServer, token: &str, contact: i64) -> Value {
    let res = s.get(&format!("/api/v1/contacts/{contact}"), token).await;
    assert_eq!(res.status, 200, "{}", res.body);
    res.body
}

/// Creates a contact, asserting 201; returns its id.
pub async fn new_contact(s: &TestServer, token: &str, body: Value) -> i64 {
    let res = s.post("/api/v1/contacts", token, body).await;
    assert_eq!(res.status, 201, "{}", res.body);
    res.body["id"].as_i64().unwrap()
}

/// Sends a text message to a contact.
pub async fn reply(s: &TestServer, token: &str, contact: i64, text: &str) -> Res {
    s.post(
        &format!("/api/v1/contacts/{contact}/messages"),
        token,
        json!({"type": "text", "text": text}),
    )
    .await
}

/// Sends a text message and waits until the bridge settled it; returns the settled message.
pub async fn reply_settled(s: &TestServer, token: &str, contact: i64, text: &str) -> Value {
    let res = reply(s, token, contact, text).await;
    assert_eq!(res.status, 202, "{}", res.body);
    settled(s, token, contact, res.body["id"].as_i64().unwrap()).await
}

/// Opens or closes a contact's conversation.
pub async fn conversation(s: &TestServer, token: &str, contact: i64, body: Value) -> Res {
    s.post(
        &format!("/api/v1/contacts/{contact}/conversation"),
        token,
        body,
    )
    .await
}

/// Assigns (or with `null` unassigns) a contact, asserting 200.
pub async fn assign(s: &TestServer, token: &str, contact: i64, user: Value) {
    let res = s
        .put(
            &format!("/api/v1/contacts/{contact}/assignee"),
            token,
            json!({ "user_id": user }),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
}

/// Changes workspace settings as `owner`, asserting 200.
pub async fn set_workspace(s: &TestServer, owner: &Session, body: Value) {
    let res = s.patch("/api/v1/workspace", &owner.access, body).await;
    assert_eq!(res.status, 200, "{}", res.body);
}

/// Changes a member as `owner`, asserting 200.
pub async fn set_member(s: &TestServer, owner: &Session, user: i64, body: Value) {
    let res = s
        .patch(&format!("/api/v1/users/{user}"), &owner.access, body)
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
}

/// Mints an API token as `creator`; returns (id, secret).
pub async fn api_token(s: &TestServer, creator: &Session) -> (i64, String) {
    let res = s
        .post(
            "/api/v1/api-tokens",
            &creator.access,
            json!({"name": "integration"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    (
        res.body["token"]["id"].as_i64().unwrap(),
        res.body["secret"].as_str().unwrap().to_string(),
    )
}

/// Adds a closing-note category as `owner`.
pub async fn add_category(s: &TestServer, owner: &Session, name: &str) {
    let res = s
        .post(
            "/api/v1/closing-note-categories",
            &owner.access,
            json!({"name": name, "description": "test category"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
}

/// A member's in-app notification.
#[derive(Debug, Clone)]
pub struct Notice {
    pub kind: String,
    pub contact_id: Option<i64>,
    pub actor_type: String,
    pub actor_id: Option<i64>,
    pub detail: Value,
}

/// A member's notifications (up to 100), oldest first.
pub async fn notifications(s: &TestServer, user: &Session) -> Vec<Notice> {
    let res = s.get("/api/v1/notifications?limit=100", &user.access).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert!(res.body["next_cursor"].is_null(), "{}", res.body);
    let mut list: Vec<Notice> = res.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| Notice {
            kind: n["kind"].as_str().unwrap_or_default().to_string(),
            contact_id: n["contact_id"].as_i64(),
            actor_type: n["actor"]["type"].as_str().unwrap_or_default().to_string(),
            actor_id: n["actor"]["id"].as_i64(),
            detail: n["detail"].clone(),
        })
        .collect();
    list.reverse();
    list
}

/// Opens the event stream with a bearer token and reads past the `retry:` line.
pub async fn stream(s: &TestServer, token: &str) -> SseReader {
    let res = s
        .http
        .get(s.url("/api/v1/events/stream"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let mut reader = SseReader::new(res);
    // The first item is the `retry:` advice: once it is read the stream is subscribed.
    assert!(reader.next(WAIT).await.is_some(), "the stream said nothing");
    reader
}

/// Opens the event stream resuming after event `after` (0: from the start).
pub async fn stream_from(s: &TestServer, token: &str, after: i64) -> SseReader {
    let res = s
        .http
        .get(s.url("/api/v1/events/stream"))
        .bearer_auth(token)
        .header("Last-Event-ID", after.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    SseReader::new(res)
}

/// The next event of type `kind`, skipping others; returns its `data`.
pub async fn next_of(stream: &mut SseReader, kind: &str) -> Value {
    loop {
        let (_, k, data) = stream
            .next_event(WAIT)
            .await
            .unwrap_or_else(|| panic!("no {kind} event arrived"));
        if k == kind {
            assert_eq!(data["type"], kind);
            return data["data"].clone();
        }
    }
}

/// The next event of type `kind` whose data passes `pred`, skipping others (a fresh stream
/// may still deliver events from just before it opened).
pub async fn next_where(
    stream: &mut SseReader,
    kind: &str,
    pred: impl Fn(&Value) -> bool,
) -> Value {
    loop {
        let data = next_of(stream, kind).await;
        if pred(&data) {
            return data;
        }
    }
}

/// Events up to and including the first of type `kind`: (type, data) pairs.
pub async fn events_until(stream: &mut SseReader, kind: &str) -> Vec<(String, Value)> {
    let mut seen = vec![];
    loop {
        let (_, k, data) = stream
            .next_event(WAIT)
            .await
            .unwrap_or_else(|| panic!("no {kind} event arrived; saw {seen:?}"));
        let done = k == kind;
        seen.push((k, data["data"].clone()));
        if done {
            return seen;
        }
    }
}

/// The field names of a 422 answer.
pub fn fields(res: &Res) -> Vec<String> {
    res.problem(422)
}

/// How many messages a workspace has, read straight from the database.
pub fn count_messages(s: &TestServer, workspace: i64) -> i64 {
    use diesel::prelude::*;
    use storage::schema::messages as m;
    m::table
        .filter(m::workspace_id.eq(workspace))
        .count()
        .get_result(&mut *s.db.connect())
        .unwrap()
}
