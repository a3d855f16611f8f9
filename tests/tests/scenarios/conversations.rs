//! Conversations: opening and closing over the API, every closing-note mode and category
//! check, the legacy unassign-on-close toggle, stored metrics, one conversation's view and
//! who may see it, the event stream, and the database's one-open-conversation rule.

use scenario_tests::{json, scenario, Backend, Session, TestServer};
use serde_json::Value;

use crate::support::*;

async fn open(s: &TestServer, token: &str, contact: i64) -> scenario_tests::Res {
    conversation(s, token, contact, json!({"status": "open"})).await
}

async fn close(s: &TestServer, token: &str, contact: i64, note: Value) -> scenario_tests::Res {
    let mut body = note;
    body["status"] = json!("closed");
    conversation(s, token, contact, body).await
}

/// A workspace with closing notes in `mode`, an open contact and the categories given.
async fn with_mode(
    backend: Backend,
    mode: &str,
    categories: &[&str],
) -> (TestServer, Session, i64) {
    let s = TestServer::start(backend).await;
    let owner = s.signup("Acme", "owner@acme.test").await;
    set_workspace(&s, &owner, json!({"closing_notes_mode": mode})).await;
    for c in categories {
        add_category(&s, &owner, c).await;
    }
    let contact = new_contact(&s, &owner.access, json!({"first_name": "Ana"})).await;
    let res = open(&s, &owner.access, contact).await;
    assert_eq!(res.status, 200, "{}", res.body);
    (s, owner, contact)
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

scenario!(
    /// Open and close by hand: 409 when it is already in that state; the note fields belong
    /// to closing only.
    open_and_close_over_the_api,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let t = &owner.access;
        let contact = new_contact(&s, t, json!({"first_name": "Ana"})).await;
        close(&s, t, contact, json!({})).await.problem(409);

        let res = open(&s, t, contact).await;
        assert_eq!(res.status, 200, "{}", res.body);
        let opened = res.body.clone();
        assert_eq!(opened["status"], "open");
        assert_eq!(opened["contact_id"], contact);
        assert_eq!(opened["opened_source"], "user");
        assert_eq!(opened["opened_by"], owner.user_id);
        assert!(opened["closed_at"].is_null());
        assert_eq!(opened["incoming_count"], 0);
        open(&s, t, contact).await.problem(409);
        let res = conversation(&s, t, contact, json!({"status": "open", "summary": "x", "category": "y"})).await;
        assert_eq!(sorted(fields(&res)), ["category", "summary"], "{}", res.body);
        let res = conversation(&s, t, contact, json!({"status": "pending"})).await;
        assert_eq!(fields(&res), ["status"], "{}", res.body);

        let c = contact_of(&s, t, contact).await;
        assert_eq!(c["open_conversation"]["id"], opened["id"]);

        let res = close(&s, t, contact, json!({"summary": "  Sorted out  "})).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["id"], opened["id"]);
        assert_eq!(res.body["status"], "closed");
        assert_eq!(res.body["closed_source"], "user");
        assert_eq!(res.body["closed_by"], owner.user_id);
        assert_eq!(res.body["summary"], "Sorted out");
        assert!(res.body["category"].is_null());
        assert!(res.body["resolution_seconds"].as_i64().unwrap() >= 0);
        close(&s, t, contact, json!({})).await.problem(409);
        assert!(contact_of(&s, t, contact).await["open_conversation"].is_null());

        // Reopening makes a new conversation; the list is newest first.
        let again = open(&s, t, contact).await;
        assert_eq!(again.status, 200, "{}", again.body);
        assert_ne!(again.body["id"], opened["id"]);
        let list = s.get(&format!("/api/v1/contacts/{contact}/conversations"), t).await;
        let ids: Vec<&Value> = list.body["items"].as_array().unwrap().iter().map(|c| &c["id"]).collect();
        assert_eq!(ids, [&again.body["id"], &opened["id"]]);
        let page = s.get(&format!("/api/v1/contacts/{contact}/conversations?limit=1"), t).await;
        assert_eq!(page.body["items"].as_array().unwrap().len(), 1);
        let cursor = page.body["next_cursor"].as_str().expect("a next page").to_string();
        let rest = s
            .get(&format!("/api/v1/contacts/{contact}/conversations?limit=1&cursor={cursor}"), t)
            .await;
        assert_eq!(rest.body["items"][0]["id"], opened["id"], "{}", rest.body);
        assert!(rest.body["next_cursor"].is_null());

        // The closing shows in the timeline with its note.
        let items = timeline(&s, t, contact).await;
        let closed = items
            .iter()
            .find(|i| i["kind"] == "activity" && i["activity"]["kind"] == "conversation_closed")
            .expect("a closing in the timeline");
        assert_eq!(closed["activity"]["detail"]["summary"], "Sorted out");
        assert_eq!(closed["activity"]["actor_type"], "user");
        assert_eq!(closed["activity"]["actor_id"], owner.user_id);
    }
);

/// `contact` under a name that does not clash with the helper module's function.
async fn contact_of(s: &TestServer, token: &str, id: i64) -> Value {
    contact_view(s, token, id).await
}

scenario!(
    /// `disabled`: a note is refused (not silently dropped), field by field.
    closing_notes_disabled_refuses_a_note,
    |backend: Backend| async move {
        let (s, owner, contact) = with_mode(backend, "disabled", &["Billing"]).await;
        let t = &owner.access;
        let res = close(&s, t, contact, json!({"category": "Billing"})).await;
        assert_eq!(fields(&res), ["category"], "{}", res.body);
        let res = close(&s, t, contact, json!({"summary": "done"})).await;
        assert_eq!(fields(&res), ["summary"], "{}", res.body);
        let res = close(&s, t, contact, json!({"category": "Billing", "summary": "done"})).await;
        assert_eq!(sorted(fields(&res)), ["category", "summary"], "{}", res.body);
        assert!(contact_of(&s, t, contact).await["open_conversation"].is_object(), "still open");
        // Blank parts count as none.
        let res = close(&s, t, contact, json!({"summary": "  ", "category": ""})).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert!(res.body["summary"].is_null() && res.body["category"].is_null());
    }
);

scenario!(
    /// `optional` (the default): any part of a note, or none.
    closing_notes_optional,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let t = &owner.access;
        let ws = s.get("/api/v1/workspace", t).await;
        assert_eq!(ws.body["closing_notes_mode"], "optional", "the default");
        add_category(&s, &owner, "Billing").await;
        let contact = new_contact(&s, t, json!({"first_name": "Ana"})).await;
        for (note, category, summary) in [
            (json!({}), Value::Null, Value::Null),
            (json!({"summary": "only a summary"}), Value::Null, json!("only a summary")),
            (json!({"category": "Billing"}), json!("Billing"), Value::Null),
            (json!({"category": "Billing", "summary": "both"}), json!("Billing"), json!("both")),
        ] {
            assert_eq!(open(&s, t, contact).await.status, 200);
            let res = close(&s, t, contact, note.clone()).await;
            assert_eq!(res.status, 200, "{note}: {}", res.body);
            assert_eq!(res.body["category"], category, "{note}");
            assert_eq!(res.body["summary"], summary, "{note}");
        }
        assert_eq!(open(&s, t, contact).await.status, 200);
        let res = close(&s, t, contact, json!({"summary": "x".repeat(1001)})).await;
        assert_eq!(fields(&res), ["summary"], "{}", res.body);
        let res = close(&s, t, contact, json!({"summary": "é".repeat(1000)})).await;
        assert_eq!(res.status, 200, "{}", res.body);
    }
);

scenario!(
    /// `category_required`: 422 on `category` when it is missing or blank.
    closing_notes_require_a_category,
    |backend: Backend| async move {
        let (s, owner, contact) = with_mode(backend, "category_required", &["Billing", "Sales"]).await;
        let t = &owner.access;
        for note in [json!({}), json!({"summary": "no category"}), json!({"category": "  "})] {
            let res = close(&s, t, contact, note.clone()).await;
            assert_eq!(fields(&res), ["category"], "{note}: {}", res.body);
        }
        let res = close(&s, t, contact, json!({"category": "Sales"})).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["category"], "Sales");
        assert!(res.body["summary"].is_null());
    }
);

scenario!(
    /// `category_and_summary_required`: both, each named when missing.
    closing_notes_require_category_and_summary,
    |backend: Backend| async move {
        let (s, owner, contact) =
            with_mode(backend, "category_and_summary_required", &["Billing"]).await;
        let t = &owner.access;
        let res = close(&s, t, contact, json!({})).await;
        assert_eq!(sorted(fields(&res)), ["category", "summary"], "{}", res.body);
        let res = close(&s, t, contact, json!({"category": "Billing"})).await;
        assert_eq!(fields(&res), ["summary"], "{}", res.body);
        let res = close(&s, t, contact, json!({"summary": "Refunded"})).await;
        assert_eq!(fields(&res), ["category"], "{}", res.body);
        let res = close(&s, t, contact, json!({"category": "Billing", "summary": "Refunded"})).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["category"], "Billing");
        assert_eq!(res.body["summary"], "Refunded");
    }
);

scenario!(
    /// A category must be one of this workspace's, in any mode that takes one.
    unknown_categories_are_refused,
    |backend: Backend| async move {
        let (s, owner, contact) = with_mode(backend, "optional", &["Billing"]).await;
        let t = &owner.access;
        let other = s.signup("Other", "owner@other.test").await;
        add_category(&s, &other, "Theirs").await;
        for category in ["Shipping", "Theirs"] {
            let res = close(&s, t, contact, json!({"category": category})).await;
            assert_eq!(fields(&res), ["category"], "{category}: {}", res.body);
        }
        set_workspace(&s, &owner, json!({"closing_notes_mode": "category_required"})).await;
        let res = close(&s, t, contact, json!({"category": "Shipping"})).await;
        assert_eq!(fields(&res), ["category"], "{}", res.body);
        assert!(contact_of(&s, t, contact).await["open_conversation"].is_object());
        let res = close(&s, t, contact, json!({"category": "Billing"})).await;
        assert_eq!(res.status, 200, "{}", res.body);
    }
);

scenario!(
    /// By default a closed conversation keeps the contact's assignee, and records it.
    closing_keeps_the_assignee_by_default,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let agent = s.add_member(&owner, "agent@acme.test", "agent").await;
        let t = &owner.access;
        let contact = new_contact(&s, t, json!({"first_name": "Ana"})).await;
        assert_eq!(open(&s, t, contact).await.status, 200);
        assign(&s, t, contact, json!(agent.user_id)).await;
        let res = close(&s, &agent.access, contact, json!({})).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["assignee_id"], agent.user_id);
        assert_eq!(res.body["closed_by"], agent.user_id);
        assert_eq!(contact_of(&s, t, contact).await["assignee"]["id"], agent.user_id);
    }
);

scenario!(
    /// The legacy `unassign_on_close` unassigns when a user closes by hand, not when the API
    /// closes; the conversation remembers who had it either way.
    legacy_unassign_on_close,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let agent = s.add_member(&owner, "agent@acme.test", "agent").await;
        let t = &owner.access;
        set_workspace(&s, &owner, json!({"unassign_on_close": true})).await;
        let contact = new_contact(&s, t, json!({"first_name": "Ana"})).await;
        assert_eq!(open(&s, t, contact).await.status, 200);
        assign(&s, t, contact, json!(agent.user_id)).await;
        let res = close(&s, &agent.access, contact, json!({})).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["assignee_id"], agent.user_id, "who had it is recorded");
        assert!(contact_of(&s, t, contact).await["assignee"].is_null(), "a user close unassigns");
        let items = timeline(&s, t, contact).await;
        assert_eq!(items[0]["activity"]["kind"], "unassigned", "{items:?}");

        let (_, api) = api_token(&s, &owner).await;
        let res = open(&s, &api, contact).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["opened_source"], "api");
        assert!(res.body["opened_by"].is_null());
        assign(&s, t, contact, json!(agent.user_id)).await;
        let res = close(&s, &api, contact, json!({})).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["closed_source"], "api");
        assert!(res.body["closed_by"].is_null());
        assert_eq!(
            contact_of(&s, t, contact).await["assignee"]["id"],
            agent.user_id,
            "an API close keeps the assignee"
        );
    }
);

scenario!(
    /// First response (a person's first message after opening) and resolution time are kept
    /// on the conversation in seconds, with the message counts.
    metrics_are_stored_on_the_conversation,
    |backend: Backend| async move {
        use diesel::prelude::*;
        use storage::schema::conversations as cv;
        let setup = Setup::new(backend, "phone").await;
        let (s, t) = (&setup.s, &setup.owner.access);
        let agent = s.add_member(&setup.owner, "agent@acme.test", "agent").await;
        let contact = setup.writes("+60177872890", "m-1", "Hello").await;
        setup.deliver("+60177872890", vec![msg("m-2", "Anyone?")]).await;
        let conv_id = contact_of(s, t, contact).await["open_conversation"]["id"].as_i64().unwrap();
        // The conversation opened an hour ago.
        let hour_ago = chrono::Utc::now().naive_utc() - chrono::Duration::seconds(3600);
        diesel::update(cv::table.find(conv_id))
            .set(cv::opened_at.eq(hour_ago))
            .execute(&mut *s.db.connect())
            .unwrap();
        let (_, api) = api_token(s, &setup.owner).await;
        reply_settled(s, &api, contact, "automated: we got it").await;
        reply_settled(s, &agent.access, contact, "Hi, I'm here").await;
        reply_settled(s, t, contact, "me too").await;

        let res = close(s, &agent.access, contact, json!({"summary": "Answered"})).await;
        assert_eq!(res.status, 200, "{}", res.body);
        let one = s.get(&format!("/api/v1/conversations/{conv_id}"), t).await;
        assert_eq!(one.status, 200, "{}", one.body);
        let c = &one.body;
        assert_eq!(c["id"], conv_id);
        assert_eq!(c["contact_id"], contact);
        assert_eq!(c["status"], "closed");
        assert_eq!(c["opened_source"], "contact");
        assert!(c["opened_by"].is_null());
        assert_eq!(c["closed_source"], "user");
        assert_eq!(c["closed_by"], agent.user_id);
        assert_eq!(c["summary"], "Answered");
        assert_eq!(c["assignee_id"], agent.user_id);
        assert_eq!(c["first_response_by"], agent.user_id, "the API's message is no response");
        let first = c["first_response_seconds"].as_i64().unwrap();
        assert!((3595..3700).contains(&first), "first response after {first} s");
        let resolution = c["resolution_seconds"].as_i64().unwrap();
        assert!((3595..3700).contains(&resolution), "resolved after {resolution} s");
        assert!(resolution >= first);
        let opened = chrono::DateTime::parse_from_rfc3339(c["opened_at"].as_str().unwrap()).unwrap();
        let closed = chrono::DateTime::parse_from_rfc3339(c["closed_at"].as_str().unwrap()).unwrap();
        let responded =
            chrono::DateTime::parse_from_rfc3339(c["first_response_at"].as_str().unwrap()).unwrap();
        assert!(opened < responded && responded <= closed);
        assert!(((closed - opened).num_seconds() - resolution).abs() <= 1);
        assert_eq!(c["incoming_count"], 2);
        assert_eq!(c["outgoing_count"], 3);
    }
);

scenario!(
    /// A reply to a contact without an open conversation opens one as the user, and is its
    /// first response.
    a_reply_opens_a_conversation,
    |backend: Backend| async move {
        let setup = Setup::new(backend, "phone").await;
        let (s, t) = (&setup.s, &setup.owner.access);
        let contact = setup.writes("+60177872890", "m-1", "Hello").await;
        assert_eq!(close(s, t, contact, json!({})).await.status, 200);
        let m = reply_settled(s, t, contact, "one more thing").await;
        let c = contact_of(s, t, contact).await;
        let conv = &c["open_conversation"];
        assert_eq!(conv["opened_source"], "user");
        assert_eq!(conv["opened_by"], setup.owner.user_id);
        assert_eq!(conv["first_response_by"], setup.owner.user_id);
        assert_eq!(conv["outgoing_count"], 1);
        assert_eq!(conv["incoming_count"], 0);
        assert_eq!(m["conversation_id"], conv["id"]);
    }
);

scenario!(
    /// One conversation: another workspace's, an unknown id, or a contact a restricted agent
    /// may not see are all 404.
    a_conversation_is_seen_only_by_those_who_may,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let amy = s.add_member(&owner, "amy@acme.test", "agent").await;
        let other = s.signup("Other", "owner@other.test").await;
        let t = &owner.access;
        let hers = new_contact(&s, t, json!({"first_name": "Hers"})).await;
        let not_hers = new_contact(&s, t, json!({"first_name": "NotHers"})).await;
        let hers_conv = open(&s, t, hers).await.body["id"].as_i64().unwrap();
        let other_conv = open(&s, t, not_hers).await.body["id"].as_i64().unwrap();
        assign(&s, t, hers, json!(amy.user_id)).await;
        assign(&s, t, not_hers, json!(owner.user_id)).await;

        s.get(&format!("/api/v1/conversations/{hers_conv}"), &other.access)
            .await
            .problem(404);
        s.get("/api/v1/conversations/999999", t).await.problem(404);
        assert_eq!(s.get(&format!("/api/v1/conversations/{other_conv}"), &amy.access).await.status, 200);

        set_member(&s, &owner, amy.user_id, json!({"contact_visibility": "assigned"})).await;
        let a = &amy.access;
        assert_eq!(s.get(&format!("/api/v1/conversations/{hers_conv}"), a).await.status, 200);
        s.get(&format!("/api/v1/conversations/{other_conv}"), a).await.problem(404);
        s.get(&format!("/api/v1/contacts/{not_hers}/conversations"), a).await.problem(404);
        close(&s, a, not_hers, json!({})).await.problem(404);
        assert!(contact_of(&s, t, not_hers).await["open_conversation"].is_object());
        let res = close(&s, a, hers, json!({})).await;
        assert_eq!(res.status, 200, "{}", res.body);
        open(&s, &other.access, hers).await.problem(404);
    }
);

scenario!(
    /// Opening and closing are streamed as `conversation.opened` and `conversation.closed`.
    conversation_changes_are_streamed,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let agent = s.add_member(&owner, "agent@acme.test", "agent").await;
        let t = &owner.access;
        let contact = new_contact(&s, t, json!({"first_name": "Ana"})).await;
        let mut events = stream(&s, &agent.access).await;
        let opened = open(&s, t, contact).await.body;
        let data = next_of(&mut events, "conversation.opened").await;
        assert_eq!(data["id"], opened["id"]);
        assert_eq!(data["contact_id"], contact);
        assert_eq!(data["status"], "open");
        assert_eq!(data["opened_source"], "user");
        let res = close(&s, t, contact, json!({"summary": "Bye"})).await;
        assert_eq!(res.status, 200);
        let data = next_of(&mut events, "conversation.closed").await;
        assert_eq!(data["id"], opened["id"]);
        assert_eq!(data["status"], "closed");
        assert_eq!(data["closed_source"], "user");
        assert_eq!(data["summary"], "Bye");
    }
);

scenario!(
    /// Racing opens of one contact: exactly one wins, the other is 409, and one
    /// conversation is open (the partial unique index holds).
    racing_opens_make_one_conversation,
    |backend: Backend| async move {
        use diesel::prelude::*;
        use storage::schema::conversations as cv;
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let t = &owner.access;
        for n in 0..5 {
            let contact = new_contact(&s, t, json!({"first_name": format!("C{n}")})).await;
            let (a, b) = tokio::join!(open(&s, t, contact), open(&s, t, contact));
            let mut codes = [a.status.as_u16(), b.status.as_u16()];
            codes.sort();
            assert_eq!(codes, [200, 409], "{} / {}", a.body, b.body);
            let open_rows: i64 = cv::table
                .filter(cv::contact_id.eq(contact))
                .filter(cv::status.eq("open"))
                .count()
                .get_result(&mut *s.db.connect())
                .unwrap();
            assert_eq!(open_rows, 1);
        }
    }
);

scenario!(
    /// Racing closes of one conversation: exactly one wins, the other is 409, and the
    /// closing is recorded once.
    racing_closes_close_once,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let t = &owner.access;
        for n in 0..5 {
            let contact = new_contact(&s, t, json!({"first_name": format!("C{n}")})).await;
            assert_eq!(open(&s, t, contact).await.status, 200);
            let (a, b) = tokio::join!(
                close(&s, t, contact, json!({"summary": "a"})),
                close(&s, t, contact, json!({"summary": "b"}))
            );
            let mut codes = [a.status.as_u16(), b.status.as_u16()];
            codes.sort();
            assert_eq!(codes, [200, 409], "{} / {}", a.body, b.body);
            let closings = timeline(&s, t, contact)
                .await
                .into_iter()
                .filter(|i| i["activity"]["kind"] == "conversation_closed")
                .count();
            assert_eq!(closings, 1);
        }
    }
);

scenario!(
    /// The database itself refuses a second open conversation for a contact.
    the_database_allows_one_open_conversation,
    |backend: Backend| async move {
        use diesel::prelude::*;
        use storage::schema::conversations as cv;
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let contact = new_contact(&s, &owner.access, json!({"first_name": "Ana"})).await;
        assert_eq!(open(&s, &owner.access, contact).await.status, 200);
        let now = chrono::Utc::now().naive_utc();
        let second = diesel::insert_into(cv::table)
            .values((
                cv::workspace_id.eq(owner.workspace_id),
                cv::contact_id.eq(contact),
                cv::status.eq("open"),
                cv::opened_at.eq(now),
                cv::opened_source.eq("api"),
            ))
            .execute(&mut *s.db.connect());
        assert!(second.is_err(), "a second open conversation was stored");
        let closed = diesel::insert_into(cv::table)
            .values((
                cv::workspace_id.eq(owner.workspace_id),
                cv::contact_id.eq(contact),
                cv::status.eq("closed"),
                cv::opened_at.eq(now),
                cv::opened_source.eq("api"),
            ))
            .execute(&mut *s.db.connect());
        assert!(closed.is_ok(), "closed ones are many: {closed:?}");
    }
);
