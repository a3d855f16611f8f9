//! Inbound custom-channel webhooks (`POST /webhooks/channels/{id}`): the bearer token,
//! every malformed field named, all-or-nothing requests, replays, echoes, delivery
//! statuses, contacts found or made from the profile, batches, races and the event stream.

use scenario_tests::{json, scenario, Backend, Res};
use serde_json::Value;

use crate::support::*;

/// The webhook with a raw body.
async fn raw(setup: &Setup, token: &str, body: &str) -> Res {
    Res::from(
        setup
            .s
            .http
            .post(
                setup
                    .s
                    .url(&format!("/webhooks/channels/{}", setup.channel)),
            )
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap(),
    )
    .await
}

/// Asserts that nothing at all was stored in the workspace.
async fn nothing_stored(setup: &Setup) {
    assert_eq!(count_messages(&setup.s, setup.owner.workspace_id), 0);
    assert_eq!(
        all_contacts(&setup.s, &setup.owner.access).await,
        Vec::<Value>::new()
    );
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

scenario!(
    /// Without the channel's own token nothing gets in, and nothing is stored.
    the_channel_token_is_required,
    |backend: Backend| async move {
        let setup = Setup::new(backend, "phone").await;
        let s = &setup.s;
        let (other, other_token) =
            custom_channel(s, &setup.owner.access, &setup.bridge.url, "phone").await;
        let body = payload(setup.channel, "+60177872890", vec![msg("m-1", "hi")]);
        webhook(s, setup.channel, None, body.clone()).await.problem(401);
        for wrong in [
            "wrong".to_string(),
            format!("{}x", setup.token),
            setup.token[..setup.token.len() - 1].to_string(),
            other_token.clone(),
            setup.owner.access.clone(),
        ] {
            let res = webhook(s, setup.channel, Some(&wrong), body.clone()).await;
            res.problem(401);
            assert_eq!(res.header("www-authenticate").as_deref(), Some("Bearer"));
        }
        // The right token in the wrong scheme.
        let res = Res::from(
            s.http
                .post(s.url(&format!("/webhooks/channels/{}", setup.channel)))
                .header("authorization", format!("Basic {}", setup.token))
                .json(&body)
                .send()
                .await
                .unwrap(),
        )
        .await;
        res.problem(401);
        // Authentication comes before the body is even read.
        raw(&setup, "wrong", "{not json").await.problem(401);
        nothing_stored(&setup).await;
        // The other channel's token works on the other channel only.
        let got = webhook(
            s,
            other,
            Some(&other_token),
            payload(other, "+60177872890", vec![msg("m-1", "hi")]),
        )
        .await;
        assert_eq!(got.status, 200, "{}", got.body);
    }
);

scenario!(
    /// Unknown channels are 404, before any token is looked at.
    unknown_channels_are_not_found,
    |backend: Backend| async move {
        let setup = Setup::new(backend, "phone").await;
        let s = &setup.s;
        let body = payload(999_999, "+60177872890", vec![msg("m-1", "hi")]);
        webhook(s, 999_999, Some(&setup.token), body.clone()).await.problem(404);
        webhook(s, 999_999, None, body).await.problem(404);
        let res = s
            .call(
                reqwest::Method::POST,
                "/webhooks/channels/abc",
                Some(&setup.token),
                Some(json!({})),
            )
            .await;
        res.problem(404);
        nothing_stored(&setup).await;
    }
);

scenario!(
    /// A body that is not JSON is 400; JSON that is not an object is 422 on `body`.
    malformed_bodies,
    |backend: Backend| async move {
        let setup = Setup::new(backend, "phone").await;
        raw(&setup, &setup.token, "{not json").await.problem(400);
        raw(&setup, &setup.token, "").await.problem(400);
        let res = raw(&setup, &setup.token, "[]").await;
        assert_eq!(fields(&res), ["body"], "{}", res.body);
        let res = raw(&setup, &setup.token, "\"text\"").await;
        assert_eq!(fields(&res), ["body"], "{}", res.body);
        let huge = serde_json::to_string(&payload(
            setup.channel,
            "+60177872890",
            vec![msg("m-1", &"x".repeat(1_100_000))],
        ))
        .unwrap();
        raw(&setup, &setup.token, &huge).await.problem(413);
        nothing_stored(&setup).await;
    }
);

scenario!(
    /// Every malformed field gets a 422 naming exactly that field; nothing is stored.
    each_malformed_field_is_named,
    |backend: Backend| async move {
        let setup = Setup::new(backend, "phone").await;
        let s = &setup.s;
        let ch = setup.channel;
        let (custom, custom_token) =
            custom_channel(s, &setup.owner.access, &setup.bridge.url, "custom").await;
        let good = msg("m-1", "hi");
        let with = |patch: Value| {
            let mut e = good.clone();
            for (k, v) in patch.as_object().unwrap() {
                if v.is_null() {
                    e.as_object_mut().unwrap().remove(k);
                } else {
                    e[k] = v.clone();
                }
            }
            e
        };
        let phone = "+60177872890";
        let mut cases: Vec<(Value, &str)> = vec![
            (json!({"channelId": "999", "contactId": phone, "events": [good]}), "channelId"),
            (json!({"contactId": phone, "events": [good]}), "channelId"),
            (json!({"channelId": ch.to_string(), "contactId": "abc", "events": [good]}), "contactId"),
            (json!({"channelId": ch.to_string(), "contactId": "12", "events": [good]}), "contactId"),
            (json!({"channelId": ch.to_string(), "events": [good]}), "contactId"),
            (json!({"channelId": ch.to_string(), "contactId": 60177872890u64, "events": [good]}), "contactId"),
            (json!({"channelId": ch.to_string(), "contactId": phone}), "events"),
            (json!({"channelId": ch.to_string(), "contactId": phone, "events": []}), "events"),
            (json!({"channelId": ch.to_string(), "contactId": phone, "events": good}), "events"),
            (
                json!({"channelId": ch.to_string(), "contactId": phone,
                       "events": (0..101).map(|i| msg(&format!("m-{i}"), "x")).collect::<Vec<_>>()}),
                "events",
            ),
        ];
        for (patch, field) in [
            (json!({"mId": null}), "events[0].mId"),
            (json!({"mId": ""}), "events[0].mId"),
            (json!({"mId": "   "}), "events[0].mId"),
            (json!({"mId": "m".repeat(51)}), "events[0].mId"),
            (json!({"mId": 42}), "events[0].mId"),
            (json!({"type": "nope"}), "events[0].type"),
            (json!({"type": null}), "events[0].type"),
            (json!({"timestamp": null}), "events[0].timestamp"),
            (json!({"timestamp": "yesterday"}), "events[0].timestamp"),
            (json!({"message": null}), "events[0].message"),
            (json!({"message": "hi"}), "events[0].message"),
            (json!({"message": {"type": "sticker"}}), "events[0].message.type"),
            (json!({"message": {"type": "text", "text": ""}}), "events[0].message.text"),
            (json!({"message": {"type": "text", "text": " \n "}}), "events[0].message.text"),
            (json!({"message": {"type": "text"}}), "events[0].message.text"),
        ] {
            cases.push((
                json!({"channelId": ch.to_string(), "contactId": phone, "events": [with(patch)]}),
                field,
            ));
        }
        for status in [json!({"value": "seen"}), json!({}), json!("read")] {
            cases.push((
                json!({"channelId": ch.to_string(), "contactId": phone, "events": [good,
                    {"type": "message_status", "mId": "m-0", "timestamp": 1, "status": status}]}),
                "events[1].status.value",
            ));
        }
        cases.push((
            json!({"channelId": ch.to_string(), "contactId": phone, "events": [good,
                {"type": "message_status", "mId": "m-0", "timestamp": 1}]}),
            "events[1].status.value",
        ));
        for (body, field) in &cases {
            let res = webhook(s, ch, Some(&setup.token), body.clone()).await;
            assert_eq!(fields(&res), [*field], "{body}: {}", res.body);
        }
        // Custom ids: at most 50 characters of A-Za-z0-9_=+/@.
        for bad in ["a".repeat(51), "has space".into(), "x#y".into(), "ümlaut".into(), "a.b".into(), "".into()] {
            let res = webhook(s, custom, Some(&custom_token), payload(custom, &bad, vec![good.clone()])).await;
            assert_eq!(fields(&res), ["contactId"], "{bad:?}: {}", res.body);
        }
        nothing_stored(&setup).await;
        // Several wrong fields at once are all named.
        let res = webhook(
            s,
            ch,
            Some(&setup.token),
            json!({"channelId": "1234", "contactId": "abc", "events": [
                {"type": "message", "timestamp": 1, "message": {"type": "text", "text": "x"}},
                {"type": "nope", "mId": "b", "timestamp": 1}]}),
        )
        .await;
        assert_eq!(
            sorted(fields(&res)),
            ["channelId", "contactId", "events[0].mId", "events[1].type"],
            "{}",
            res.body
        );
        // The edges that are fine.
        for ok in ["a".repeat(50), "user_1=+/@x".to_string(), "ABC123".to_string()] {
            let res = webhook(
                s,
                custom,
                Some(&custom_token),
                payload(custom, &ok, vec![msg(&format!("ok-{}", ok.len()), "hi")]),
            )
            .await;
            assert_eq!(res.status, 200, "{ok}: {}", res.body);
        }
        let res = webhook(
            s,
            ch,
            Some(&setup.token),
            json!({"channelId": ch, "contactId": phone, "events": [with(json!({"mId": "m".repeat(50)}))]}),
        )
        .await;
        assert_eq!(res.status, 200, "a numeric channelId and a 50-character mId: {}", res.body);
    }
);

scenario!(
    /// One bad event refuses the whole request: none of its good events are stored.
    one_bad_event_stores_nothing,
    |backend: Backend| async move {
        let setup = Setup::new(backend, "phone").await;
        let res = setup
            .post(
                "+60177872890",
                vec![
                    msg("m-1", "first"),
                    msg("m-2", "second"),
                    json!({"type": "message_status", "mId": "x", "timestamp": 1, "status": {"value": "seen"}}),
                ],
            )
            .await;
        assert_eq!(fields(&res), ["events[2].status.value"], "{}", res.body);
        nothing_stored(&setup).await;
        // Fixed, the same events are new, not duplicates.
        let got = setup
            .deliver("+60177872890", vec![msg("m-1", "first"), msg("m-2", "second")])
            .await;
        assert_eq!(got, json!({"received": 2, "duplicates": 0, "statuses": 0, "ignored": 0}));
    }
);

scenario!(
    /// A repeated `mId` (a provider retry) stores nothing twice, in later requests and within
    /// one request.
    a_repeated_mid_stores_nothing_twice,
    |backend: Backend| async move {
        let setup = Setup::new(backend, "phone").await;
        let (s, t) = (&setup.s, &setup.owner.access);
        let contact = setup.writes("+60177872890", "m-1", "Hello").await;
        let again = setup.deliver("+60177872890", vec![msg("m-1", "Hello")]).await;
        assert_eq!(again, json!({"received": 0, "duplicates": 1, "statuses": 0, "ignored": 0}));
        // Same id with other content, and padded with spaces: still the same message.
        let again = setup
            .deliver("+60177872890", vec![msg("m-1", "Changed"), msg(" m-1 ", "Hello")])
            .await;
        assert_eq!(again["duplicates"], 2, "{again}");
        let batch = setup
            .deliver("+60177872890", vec![msg("m-2", "Two"), msg("m-2", "Two")])
            .await;
        assert_eq!(batch["received"], 1, "{batch}");
        assert_eq!(batch["duplicates"], 1, "{batch}");
        assert_eq!(texts(s, t, contact).await, ["Two", "Hello"]);
        let c = contact_view(s, t, contact).await;
        assert_eq!(c["open_conversation"]["incoming_count"], 2);
        assert_eq!(count_messages(s, setup.owner.workspace_id), 2);
    }
);

scenario!(
    /// `mId`s are unique per channel: the same id on another channel is another message.
    the_same_mid_on_another_channel_is_another_message,
    |backend: Backend| async move {
        let setup = Setup::new(backend, "phone").await;
        let (s, t) = (&setup.s, &setup.owner.access);
        let (second, second_token) = custom_channel(s, t, &setup.bridge.url, "phone").await;
        let contact = setup.writes("+60177872890", "m-1", "on the first").await;
        let got = webhook(
            s,
            second,
            Some(&second_token),
            payload(second, "+60177872890", vec![msg("m-1", "on the second")]),
        )
        .await;
        assert_eq!(got.status, 200, "{}", got.body);
        assert_eq!(got.body["received"], 1, "{}", got.body);
        assert_eq!(got.body["duplicates"], 0, "{}", got.body);
        // A phone identity joins the contact who has that number: one contact, two channels.
        assert_eq!(all_contacts(s, t).await.len(), 1);
        let msgs = messages(s, t, contact).await;
        assert_eq!(msgs.len(), 2);
        assert_eq!(msgs[0]["channel_id"], second);
        assert_eq!(msgs[1]["channel_id"], setup.channel);
        let c = contact_view(s, t, contact).await;
        let channels: Vec<i64> = c["channels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["channel_id"].as_i64().unwrap())
            .collect();
        assert_eq!(channels, [setup.channel, second]);
    }
);

scenario!(
    /// An echo (the business wrote from outside) is an outgoing message sent by `echo`: it
    /// neither opens a conversation nor counts as the contact writing.
    echoes_are_outgoing_and_open_nothing,
    |backend: Backend| async move {
        let setup = Setup::new(backend, "custom").await;
        let (s, t) = (&setup.s, &setup.owner.access);
        let got = setup.deliver("user_1", vec![echo("e-1", "We wrote first")]).await;
        assert_eq!(got, json!({"received": 1, "duplicates": 0, "statuses": 0, "ignored": 0}));
        let c = contact_on(s, t, setup.channel, "user_1").await;
        let id = c["id"].as_i64().unwrap();
        assert!(c["open_conversation"].is_null(), "{c}");
        assert!(c["channels"][0]["last_incoming_at"].is_null(), "{c}");
        let msgs = messages(s, t, id).await;
        assert_eq!(msgs.len(), 1);
        assert_eq!(msgs[0]["direction"], "outgoing");
        assert_eq!(msgs[0]["sender"]["type"], "echo");
        assert_eq!(msgs[0]["status"], "sent");
        assert_eq!(msgs[0]["text"], "We wrote first");
        assert!(msgs[0]["conversation_id"].is_null());
        let convs = s.get(&format!("/api/v1/contacts/{id}/conversations"), t).await;
        assert_eq!(convs.body["items"], json!([]), "{}", convs.body);
        let inbox = s.get("/api/v1/inbox?status=all", t).await;
        assert_eq!(inbox.body["items"], json!([]), "{}", inbox.body);
        assert_eq!(inbox.body["counts"]["all"], 0);
        // Nobody wrote on a custom-id channel yet: a reply is still outside the window.
        let res = reply(s, t, id, "hello?").await;
        res.problem(409);

        // Once the contact writes, an echo belongs to the open conversation.
        setup.deliver("user_1", vec![msg("m-1", "Hi")]).await;
        setup.deliver("user_1", vec![echo("e-2", "Answered from the phone")]).await;
        let c = contact_view(s, t, id).await;
        let conv = &c["open_conversation"];
        assert_eq!(conv["opened_source"], "contact");
        assert_eq!(conv["incoming_count"], 1);
        assert_eq!(conv["outgoing_count"], 1);
        let msgs = messages(s, t, id).await;
        assert_eq!(msgs[0]["text"], "Answered from the phone");
        assert_eq!(msgs[0]["conversation_id"], conv["id"]);
        assert_eq!(msgs[0]["sender"]["type"], "echo");
        assert!(setup.bridge.calls().is_empty(), "echoes are never sent back out");
    }
);

scenario!(
    /// Statuses move our sent message forward only; late, repeated, unknown and foreign
    /// status events are ignored; a failure keeps its reason.
    delivery_statuses_move_forward_only,
    |backend: Backend| async move {
        let setup = Setup::new(backend, "phone").await;
        let (s, t) = (&setup.s, &setup.owner.access);
        let phone = "+60177872890";
        let contact = setup.writes(phone, "m-1", "Hello").await;
        let first = reply_settled(s, t, contact, "one").await;
        assert_eq!(first["status"], "sent", "{first}");
        let id = first["id"].as_i64().unwrap();
        // The fake bridge answered `{mId: "bridge-1"}`.
        let st = |value: &str| vec![status("bridge-1", value)];

        let got = setup.deliver(phone, st("delivered")).await;
        assert_eq!(got, json!({"received": 0, "duplicates": 0, "statuses": 1, "ignored": 0}));
        assert_eq!(message_in(s, t, contact, id).await["status"], "delivered");
        let got = setup.deliver(phone, st("delivered")).await;
        assert_eq!(got["ignored"], 1, "a repeat changes nothing: {got}");
        let got = setup.deliver(phone, st("read")).await;
        assert_eq!(got["statuses"], 1, "{got}");
        assert_eq!(message_in(s, t, contact, id).await["status"], "read");
        for late in ["delivered", "sent", "failed"] {
            let got = setup.deliver(phone, st(late)).await;
            assert_eq!(got["ignored"], 1, "{late} after read: {got}");
            assert_eq!(message_in(s, t, contact, id).await["status"], "read", "{late}");
        }
        // Unknown ids, and the contact's own message, are not ours to update.
        let got = setup
            .deliver(phone, vec![status("nobody-knows", "read"), status("m-1", "read")])
            .await;
        assert_eq!(got, json!({"received": 0, "duplicates": 0, "statuses": 0, "ignored": 2}));
        let incoming = messages(s, t, contact).await;
        assert_eq!(incoming.last().unwrap()["status"], "received");
        // A status about this id on another channel does not touch this channel's message.
        let (other, other_token) = custom_channel(s, t, &setup.bridge.url, "phone").await;
        let second = reply_settled(s, t, contact, "two").await;
        let second_id = second["id"].as_i64().unwrap();
        let got = webhook(
            s,
            other,
            Some(&other_token),
            payload(other, phone, vec![status("bridge-2", "read")]),
        )
        .await;
        assert_eq!(got.body["ignored"], 1, "{}", got.body);
        assert_eq!(message_in(s, t, contact, second_id).await["status"], "sent");
        // A failure carries the bridge's reason.
        let got = setup
            .deliver(
                phone,
                vec![json!({"type": "message_status", "mId": "bridge-2", "timestamp": 1,
                            "status": {"value": "failed", "message": "The user blocked the number"}})],
            )
            .await;
        assert_eq!(got["statuses"], 1, "{got}");
        let failed = message_in(s, t, contact, second_id).await;
        assert_eq!(failed["status"], "failed");
        assert_eq!(failed["error"], "The user blocked the number");
        let got = setup.deliver(phone, vec![status("bridge-2", "delivered")]).await;
        assert_eq!(got["ignored"], 1, "failed is final: {got}");
        assert_eq!(message_in(s, t, contact, second_id).await["status"], "failed");
    }
);

scenario!(
    /// A new contact is made from the bridge's profile: names, a lower-cased e-mail, the
    /// country from `countryCode`, the phone normalised; values that don't check out are
    /// left out rather than refusing the message.
    contacts_are_made_from_the_profile,
    |backend: Backend| async move {
        let setup = Setup::new(backend, "custom").await;
        let (s, t) = (&setup.s, &setup.owner.access);
        let mut body = payload(setup.channel, "leo_42", vec![msg("m-1", "Hi")]);
        body["contact"] = json!({
            "firstName": "Leo", "lastName": "Wong", "email": "Leo.Wong@Example.COM",
            "countryCode": "my", "phone": "+60 12-345 6789", "language": "ms",
            "locale": "en_US", "timezone": 8, "profilePic": "https://cdn.example.com/leo.png"
        });
        let res = webhook(s, setup.channel, Some(&setup.token), body).await;
        assert_eq!(res.status, 200, "{}", res.body);
        let c = contact_on(s, t, setup.channel, "leo_42").await;
        assert_eq!(c["first_name"], "Leo");
        assert_eq!(c["last_name"], "Wong");
        assert_eq!(c["email"], "leo.wong@example.com");
        assert_eq!(c["country"], "MY");
        assert_eq!(c["phone"], "+60123456789");
        assert_eq!(c["language"], "ms");
        assert_eq!(c["profile_pic"], "https://cdn.example.com/leo.png");
        assert_eq!(c["channels"][0]["kind"], "custom");
        assert!(c["channels"][0]["last_incoming_at"].is_string(), "{c}");
        assert_eq!(c["open_conversation"]["opened_source"], "contact");
        assert!(c["assignee"].is_null());

        let mut body = payload(setup.channel, "ana_7", vec![msg("m-2", "Oi")]);
        body["contact"] = json!({
            "firstName": "Ana", "email": "not an email", "countryCode": "Brazil",
            "phone": "call me", "locale": "pt_BR", "profilePic": "javascript:alert(1)"
        });
        let res = webhook(s, setup.channel, Some(&setup.token), body).await;
        assert_eq!(res.status, 200, "{}", res.body);
        let c = contact_on(s, t, setup.channel, "ana_7").await;
        assert_eq!(c["first_name"], "Ana");
        assert!(c["email"].is_null(), "{c}");
        assert!(c["country"].is_null(), "{c}");
        assert!(c["phone"].is_null(), "{c}");
        assert!(c["profile_pic"].is_null(), "{c}");
        assert_eq!(c["language"], "pt", "from the locale");

        // The same id with spaces around is the same contact.
        setup.deliver(" leo_42 ", vec![msg("m-1b", "again")]).await;
        let leo = contact_on(s, t, setup.channel, "leo_42").await;
        assert_eq!(texts(s, t, leo["id"].as_i64().unwrap()).await, ["again", "Hi"]);

        // No profile at all: the contact is named by its channel id.
        setup.deliver("nameless_1", vec![msg("m-3", "hey")]).await;
        let c = contact_on(s, t, setup.channel, "nameless_1").await;
        assert_eq!(c["first_name"], "nameless_1");
        assert_eq!(all_contacts(s, t).await.len(), 3);
    }
);

scenario!(
    /// On a phone channel, a number the workspace already knows joins that contact (in
    /// whatever spelling the bridge sends it); a custom-id channel never matches by phone.
    a_phone_identity_joins_the_contact_with_that_phone,
    |backend: Backend| async move {
        let setup = Setup::new(backend, "phone").await;
        let (s, t) = (&setup.s, &setup.owner.access);
        let known = new_contact(s, t, json!({"first_name": "Known", "phone": "+60 17-787 2890"})).await;
        let mut body = payload(setup.channel, "+60 17 787 2890", vec![msg("m-1", "Hello")]);
        body["contact"] = json!({"firstName": "Someone Else", "lastName": "Wong"});
        let res = webhook(s, setup.channel, Some(&setup.token), body).await;
        assert_eq!(res.status, 200, "{}", res.body);
        let contacts = all_contacts(s, t).await;
        assert_eq!(contacts.len(), 1, "{contacts:?}");
        let c = contact_view(s, t, known).await;
        assert_eq!(c["first_name"], "Known", "the profile fills gaps only");
        assert_eq!(c["last_name"], "Wong");
        assert_eq!(c["channels"][0]["external_id"], "+60177872890");
        assert_eq!(c["open_conversation"]["opened_source"], "contact");
        // The normalised number is the same identity.
        setup.deliver("+60177872890", vec![msg("m-2", "Again")]).await;
        assert_eq!(texts(s, t, known).await, ["Again", "Hello"]);
        assert_eq!(
            contact_view(s, t, known).await["channels"].as_array().unwrap().len(),
            1
        );

        let (custom, custom_token) = custom_channel(s, t, &setup.bridge.url, "custom").await;
        let mut body = payload(custom, "60177872890", vec![msg("c-1", "Hi from the app")]);
        body["contact"] = json!({"firstName": "App", "phone": "+60177872890"});
        let res = webhook(s, custom, Some(&custom_token), body).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(all_contacts(s, t).await.len(), 2, "a custom id is not a phone");
        assert_eq!(texts(s, t, known).await, ["Again", "Hello"]);
    }
);

scenario!(
    /// A later profile only fills what the contact lacks: an agent's edit stays.
    the_profile_fills_only_empty_fields,
    |backend: Backend| async move {
        let setup = Setup::new(backend, "custom").await;
        let (s, t) = (&setup.s, &setup.owner.access);
        let mut body = payload(setup.channel, "leo_1", vec![msg("m-1", "Hi")]);
        body["contact"] = json!({"firstName": "Leo", "email": "leo@x.test"});
        assert_eq!(webhook(s, setup.channel, Some(&setup.token), body).await.status, 200);
        let id = contact_on(s, t, setup.channel, "leo_1").await["id"].as_i64().unwrap();
        let res = s
            .patch(
                &format!("/api/v1/contacts/{id}"),
                t,
                json!({"email": "agent@x.test", "last_name": "Edited", "first_name": "Leonardo"}),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);

        let mut body = payload(setup.channel, "leo_1", vec![msg("m-2", "Again")]);
        body["contact"] = json!({"firstName": "Leonard", "lastName": "Wong", "email": "new@x.test",
                                 "countryCode": "MY", "language": "en", "phone": "+60123456789"});
        assert_eq!(webhook(s, setup.channel, Some(&setup.token), body).await.status, 200);
        let c = contact_view(s, t, id).await;
        assert_eq!(c["first_name"], "Leonardo");
        assert_eq!(c["last_name"], "Edited");
        assert_eq!(c["email"], "agent@x.test");
        assert_eq!(c["country"], "MY", "empty fields are filled");
        assert_eq!(c["language"], "en");
        assert_eq!(c["phone"], "+60123456789");
    }
);

scenario!(
    /// One request may carry several events of every type; each is counted.
    a_batch_of_events,
    |backend: Backend| async move {
        let setup = Setup::new(backend, "phone").await;
        let (s, t) = (&setup.s, &setup.owner.access);
        let got = setup
            .deliver(
                "+60177872890",
                vec![
                    msg("a", "one"),
                    msg("b", "two"),
                    echo("c", "three"),
                    msg("d", "four"),
                    status("unknown", "read"),
                ],
            )
            .await;
        assert_eq!(got, json!({"received": 4, "duplicates": 0, "statuses": 0, "ignored": 1}));
        let id = contact_on(s, t, setup.channel, "+60177872890").await["id"].as_i64().unwrap();
        let msgs = messages(s, t, id).await;
        let seen: Vec<(&str, &str)> = msgs
            .iter()
            .map(|m| (m["text"].as_str().unwrap(), m["direction"].as_str().unwrap()))
            .collect();
        assert_eq!(
            seen,
            [("four", "incoming"), ("three", "outgoing"), ("two", "incoming"), ("one", "incoming")]
        );
        let c = contact_view(s, t, id).await;
        assert_eq!(c["open_conversation"]["incoming_count"], 3);
        assert_eq!(c["open_conversation"]["outgoing_count"], 1);
        let convs = s.get(&format!("/api/v1/contacts/{id}/conversations"), t).await;
        assert_eq!(convs.body["items"].as_array().unwrap().len(), 1);
    }
);

scenario!(
    /// Racing first messages of a new contact make one contact with one conversation, and a
    /// racing replay of one message stores it once.
    racing_deliveries_make_one_contact,
    |backend: Backend| async move {
        let setup = Setup::new(backend, "phone").await;
        let (s, t) = (&setup.s, &setup.owner.access);
        for n in 0..4 {
            let phone = format!("+6017787289{n}");
            let (a, b) = tokio::join!(
                setup.post(&phone, vec![msg(&format!("a-{n}"), "first")]),
                setup.post(&phone, vec![msg(&format!("b-{n}"), "second")]),
            );
            assert_eq!(a.status, 200, "{}", a.body);
            assert_eq!(b.status, 200, "{}", b.body);
            assert_eq!(a.body["received"], 1, "{}", a.body);
            assert_eq!(b.body["received"], 1, "{}", b.body);
            let c = contact_on(s, t, setup.channel, &phone).await;
            assert_eq!(c["open_conversation"]["incoming_count"], 2, "{c}");
            let id = c["id"].as_i64().unwrap();
            let convs = s.get(&format!("/api/v1/contacts/{id}/conversations"), t).await;
            assert_eq!(convs.body["items"].as_array().unwrap().len(), 1, "{}", convs.body);

            let (a, b) = tokio::join!(
                setup.post(&phone, vec![msg(&format!("r-{n}"), "replayed")]),
                setup.post(&phone, vec![msg(&format!("r-{n}"), "replayed")]),
            );
            assert_eq!(a.status, 200, "{}", a.body);
            assert_eq!(b.status, 200, "{}", b.body);
            let received = a.body["received"].as_i64().unwrap() + b.body["received"].as_i64().unwrap();
            let duplicates =
                a.body["duplicates"].as_i64().unwrap() + b.body["duplicates"].as_i64().unwrap();
            assert_eq!((received, duplicates), (1, 1), "{} / {}", a.body, b.body);
            assert_eq!(texts(s, t, id).await.len(), 3);
        }
        assert_eq!(all_contacts(s, t).await.len(), 4);
    }
);

scenario!(
    /// An inbound message is streamed: the conversation it opens, then the message.
    inbound_messages_are_streamed,
    |backend: Backend| async move {
        let setup = Setup::new(backend, "phone").await;
        let mut events = stream(&setup.s, &setup.owner.access).await;
        let contact = setup.writes("+60177872890", "m-1", "Hello").await;
        let seen = events_until(&mut events, "message.created").await;
        let opened = seen
            .iter()
            .find(|(k, _)| k == "conversation.opened")
            .unwrap_or_else(|| panic!("no conversation.opened before the message: {seen:?}"));
        assert_eq!(opened.1["contact_id"], contact);
        assert_eq!(opened.1["opened_source"], "contact");
        let (_, m) = seen.last().unwrap();
        assert_eq!(m["contact_id"], contact);
        assert_eq!(m["direction"], "incoming");
        assert_eq!(m["text"], "Hello");
        assert_eq!(m["conversation_id"], opened.1["id"]);
        assert!(
            !m.to_string().contains(&setup.token),
            "events never carry the channel token"
        );
    }
);
