//! Channels (`/api/v1/channels`): connecting a custom channel (its `api_token` shown once,
//! kept sealed), every refused setting, roles, tenancy, renaming, token rotation, the
//! immutable id type, and removal (history stays).

use reqwest::Method;
use scenario_tests::bridge::FakeBridge;
use scenario_tests::{json, scenario, Backend, Res, TestServer};
use serde_json::Value;

use crate::support::*;

async fn create(s: &TestServer, token: &str, body: Value) -> Res {
    s.post("/api/v1/channels", token, body).await
}

fn custom(config: Value) -> Value {
    json!({"kind": "custom", "name": "Bridge", "config": config})
}

scenario!(
    /// The token is answered at creation only; reads and lists never carry it, and the
    /// database keeps it sealed rather than in clear.
    a_custom_channel_shows_its_token_once,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let res = create(
            &s,
            &owner.access,
            json!({"kind": "custom", "name": "  My bridge  ", "config": {
                "api_base_url": "http://127.0.0.1:9/custom/", "id_type": "phone",
                "reply_window_hours": 24}}),
        )
        .await;
        assert_eq!(res.status, 201, "{}", res.body);
        let id = res.body["id"].as_i64().unwrap();
        let token = res.body["api_token"].as_str().unwrap().to_string();
        assert!(token.len() >= 32, "{token}");
        assert_eq!(res.body["kind"], "custom");
        assert_eq!(res.body["name"], "My bridge");
        assert_eq!(
            res.body["webhook_url"],
            format!("{}/webhooks/channels/{id}", s.base)
        );
        assert_eq!(
            res.body["config"]["api_base_url"],
            "http://127.0.0.1:9/custom"
        );
        assert_eq!(res.body["config"]["id_type"], "phone");
        assert_eq!(res.body["config"]["reply_window_hours"], 24);

        let one = s.get(&format!("/api/v1/channels/{id}"), &owner.access).await;
        assert_eq!(one.status, 200, "{}", one.body);
        assert!(one.body.get("api_token").is_none(), "{}", one.body);
        assert!(!one.body.to_string().contains(&token));
        assert_eq!(one.body["webhook_url"], res.body["webhook_url"]);
        assert_eq!(one.body["config"], res.body["config"]);

        let list = s.get("/api/v1/channels", &owner.access).await;
        assert_eq!(list.status, 200, "{}", list.body);
        let items = list.body.as_array().expect("a list");
        assert_eq!(items.len(), 1);
        assert_eq!(items[0]["id"], id);
        assert!(items[0].get("api_token").is_none());
        assert!(!list.body.to_string().contains(&token));

        use diesel::prelude::*;
        use storage::schema::channels as c;
        let stored: Option<String> = c::table
            .find(id)
            .select(c::secret)
            .first(&mut *s.db.connect())
            .unwrap();
        let stored = stored.expect("a sealed secret");
        assert!(!stored.contains(&token), "the token is stored in clear");
    }
);

scenario!(
    /// A replayed creation (same `Idempotency-Key`) must not show the token a second time,
    /// nor keep it in clear among the stored answers.
    a_replayed_creation_does_not_show_the_token_again,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let body = custom(json!({"api_base_url": "http://127.0.0.1:9", "id_type": "phone"}));
        let send = || async {
            Res::from(
                s.http
                    .post(s.url("/api/v1/channels"))
                    .bearer_auth(&owner.access)
                    .header("Idempotency-Key", "channel-1")
                    .json(&body)
                    .send()
                    .await
                    .unwrap(),
            )
            .await
        };
        let first = send().await;
        assert_eq!(first.status, 201, "{}", first.body);
        let token = first.body["api_token"].as_str().unwrap().to_string();
        let replay = send().await;
        assert_eq!(replay.status, 201, "{}", replay.body);
        assert_eq!(replay.body["id"], first.body["id"], "one channel");
        assert!(
            !replay.body.to_string().contains(&token),
            "the replay shows the api_token again: {}",
            replay.body
        );
        use diesel::prelude::*;
        use storage::schema::idempotency_keys as k;
        let kept: Vec<Option<String>> = k::table
            .select(k::response_body)
            .load(&mut *s.db.connect())
            .unwrap();
        assert!(
            kept.iter().flatten().all(|b| !b.contains(&token)),
            "the api_token is kept in clear among stored answers"
        );
    }
);

scenario!(
    /// Every wrong setting is refused with its own field name.
    bad_settings_are_named,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let t = &owner.access;
        let ok_url = "http://127.0.0.1:9";
        let cases: Vec<(Value, Vec<&str>)> = vec![
            (json!({"api_base_url": "not a url", "id_type": "phone"}), vec!["config.api_base_url"]),
            (json!({"api_base_url": "ftp://bridge.example.com", "id_type": "phone"}), vec!["config.api_base_url"]),
            (json!({"api_base_url": "https://", "id_type": "phone"}), vec!["config.api_base_url"]),
            (json!({"api_base_url": 42, "id_type": "phone"}), vec!["config.api_base_url"]),
            (json!({"api_base_url": "http://no-such-host.invalid", "id_type": "phone"}), vec!["config.api_base_url"]),
            (json!({"id_type": "phone"}), vec!["config.api_base_url"]),
            (json!({"api_base_url": ok_url, "id_type": "email"}), vec!["config.id_type"]),
            (json!({"api_base_url": ok_url}), vec!["config.id_type"]),
            (json!({"api_base_url": ok_url, "id_type": "phone", "reply_window_hours": 0}), vec!["config.reply_window_hours"]),
            (json!({"api_base_url": ok_url, "id_type": "phone", "reply_window_hours": 8761}), vec!["config.reply_window_hours"]),
            (json!({"api_base_url": ok_url, "id_type": "phone", "reply_window_hours": -1}), vec!["config.reply_window_hours"]),
            (json!({"api_base_url": ok_url, "id_type": "phone", "reply_window_hours": 1.5}), vec!["config.reply_window_hours"]),
            (json!({"api_base_url": ok_url, "id_type": "phone", "reply_window_hours": "24"}), vec!["config.reply_window_hours"]),
            (json!({"api_base_url": ok_url, "id_type": "phone", "secret": "x"}), vec!["config.secret"]),
            (json!({"api_base_url": ok_url, "id_type": "phone", "voice_notes": "yes"}), vec!["config.voice_notes"]),
            (json!("http://127.0.0.1:9"), vec!["config"]),
            (
                json!({"api_base_url": "nope", "id_type": "fax", "reply_window_hours": 0, "extra": 1}),
                vec!["config.api_base_url", "config.id_type", "config.reply_window_hours", "config.extra"],
            ),
        ];
        for (config, want) in cases {
            let res = create(&s, t, custom(config.clone())).await;
            let mut got = fields(&res);
            got.sort();
            let mut want: Vec<String> = want.iter().map(|f| f.to_string()).collect();
            want.sort();
            assert_eq!(got, want, "{config}: {}", res.body);
        }
        let res = create(
            &s,
            t,
            json!({"kind": "custom", "name": "", "config": {"api_base_url": ok_url, "id_type": "phone"}}),
        )
        .await;
        assert_eq!(fields(&res), ["name"], "{}", res.body);
        let res = create(
            &s,
            t,
            json!({"kind": "custom", "config": {"api_base_url": ok_url, "id_type": "phone"}}),
        )
        .await;
        assert_eq!(fields(&res), ["name"], "{}", res.body);
        // The edges that are fine.
        for hours in [1, 8760] {
            let res = create(
                &s,
                t,
                custom(json!({"api_base_url": ok_url, "id_type": "custom", "reply_window_hours": hours})),
            )
            .await;
            assert_eq!(res.status, 201, "{}", res.body);
            assert_eq!(res.body["config"]["reply_window_hours"], hours);
            assert_eq!(res.body["config"]["id_type"], "custom");
        }
        let list = s.get("/api/v1/channels", t).await;
        assert_eq!(list.body.as_array().unwrap().len(), 2, "only the good ones exist");
    }
);

scenario!(
    /// Provider channels are listed kinds but cannot be connected yet; unknown kinds neither.
    /// (Custom and web_chat channels can: see `web_chat.rs` for the latter.)
    only_custom_channels_can_be_connected,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let config = json!({"api_base_url": "http://127.0.0.1:9", "id_type": "phone"});
        for kind in [
            "whatsapp", "messenger", "instagram", "telegram", "line", "viber", "email", "sms",
            "fax", "",
        ] {
            let res = create(
                &s,
                &owner.access,
                json!({"kind": kind, "name": "X", "config": config}),
            )
            .await;
            assert_eq!(fields(&res), ["kind"], "{kind}: {}", res.body);
        }
        let list = s.get("/api/v1/channels", &owner.access).await;
        assert_eq!(list.body, json!([]));
    }
);

scenario!(
    /// Agents list channels (to pick one) but cannot connect, change or remove them;
    /// managers can.
    only_owners_and_managers_manage_channels,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let agent = s.add_member(&owner, "agent@acme.test", "agent").await;
        let manager = s.add_member(&owner, "manager@acme.test", "manager").await;
        let config = json!({"api_base_url": "http://127.0.0.1:9", "id_type": "phone"});
        let res = create(&s, &agent.access, custom(config.clone())).await;
        res.problem(403);
        let (id, _) = custom_channel(&s, &manager.access, "http://127.0.0.1:9", "phone").await;
        let path = format!("/api/v1/channels/{id}");
        s.patch(&path, &agent.access, json!({"name": "Mine"}))
            .await
            .problem(403);
        s.patch(&path, &agent.access, json!({"rotate_token": true}))
            .await
            .problem(403);
        s.delete(&path, &agent.access).await.problem(403);
        let list = s.get("/api/v1/channels", &agent.access).await;
        assert_eq!(list.status, 200, "{}", list.body);
        assert_eq!(list.body[0]["name"], "Bridge", "nothing changed");
        assert!(list.body[0].get("api_token").is_none());
        let one = s.get(&path, &agent.access).await;
        assert_eq!(one.status, 200, "{}", one.body);
        let res = s.patch(&path, &manager.access, json!({"name": "Renamed"})).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(s.delete(&path, &manager.access).await.status, 204);
    }
);

scenario!(
    /// Another workspace's channel does not exist for you, whatever you try.
    channels_of_another_workspace_are_not_found,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let other = s.signup("Other", "owner@other.test").await;
        let (id, token) = custom_channel(&s, &owner.access, "http://127.0.0.1:9", "phone").await;
        let path = format!("/api/v1/channels/{id}");
        s.get(&path, &other.access).await.problem(404);
        s.patch(&path, &other.access, json!({"name": "Stolen"}))
            .await
            .problem(404);
        s.patch(&path, &other.access, json!({"rotate_token": true}))
            .await
            .problem(404);
        s.delete(&path, &other.access).await.problem(404);
        let list = s.get("/api/v1/channels", &other.access).await;
        assert_eq!(list.body, json!([]));
        s.get("/api/v1/channels/999999", &owner.access)
            .await
            .problem(404);
        // Still intact for its owner, token included.
        let one = s.get(&path, &owner.access).await;
        assert_eq!(one.body["name"], "Bridge");
        let got = webhook(
            &s,
            id,
            Some(&token),
            payload(id, "+60177872890", vec![msg("m-1", "hi")]),
        )
        .await;
        assert_eq!(got.status, 200, "{}", got.body);
    }
);

scenario!(
    /// Renaming and changing settings keep the token; the id type cannot change.
    rename_and_change_settings,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let t = &owner.access;
        let (id, token) = custom_channel(&s, t, "http://127.0.0.1:9", "phone").await;
        let path = format!("/api/v1/channels/{id}");

        let res = s.patch(&path, t, json!({"name": "  Support line "})).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["name"], "Support line");
        assert!(res.body.get("api_token").is_none(), "{}", res.body);
        assert_eq!(res.body["config"]["api_base_url"], "http://127.0.0.1:9");

        let res = s
            .patch(
                &path,
                t,
                json!({"config": {"api_base_url": "http://127.0.0.2:9/", "id_type": "phone", "reply_window_hours": 48}}),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["config"]["api_base_url"], "http://127.0.0.2:9");
        assert_eq!(res.body["config"]["reply_window_hours"], 48);
        assert_eq!(res.body["name"], "Support line");
        assert!(res.body.get("api_token").is_none());

        let res = s
            .patch(
                &path,
                t,
                json!({"config": {"api_base_url": "http://127.0.0.2:9", "id_type": "phone"}}),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert!(
            res.body["config"].get("reply_window_hours").is_none_or(Value::is_null),
            "settings are replaced as a whole: {}",
            res.body
        );
        let res = s
            .patch(
                &path,
                t,
                json!({"config": {"api_base_url": "http://127.0.0.2:9", "id_type": "custom"}}),
            )
            .await;
        assert_eq!(fields(&res), ["config.id_type"], "{}", res.body);
        let res = s
            .patch(&path, t, json!({"config": {"api_base_url": "nope", "id_type": "phone"}}))
            .await;
        assert_eq!(fields(&res), ["config.api_base_url"], "{}", res.body);
        let res = s.patch(&path, t, json!({"name": ""})).await;
        assert_eq!(fields(&res), ["name"], "{}", res.body);

        let one = s.get(&path, t).await;
        assert_eq!(one.body["config"]["id_type"], "phone");
        assert_eq!(one.body["config"]["api_base_url"], "http://127.0.0.2:9");
        assert_eq!(one.body["name"], "Support line");
        // The original token still authenticates the bridge.
        let got = webhook(
            &s,
            id,
            Some(&token),
            payload(id, "+60177872890", vec![msg("m-1", "hi")]),
        )
        .await;
        assert_eq!(got.status, 200, "{}", got.body);
    }
);

scenario!(
    /// A rotated token replaces the old one at once, inbound and outbound.
    rotating_the_token_retires_the_old_one,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let bridge = FakeBridge::start().await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let t = &owner.access;
        let (id, old) = custom_channel(&s, t, &bridge.url, "phone").await;
        let res = s
            .patch(&format!("/api/v1/channels/{id}"), t, json!({"rotate_token": true}))
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        let new = res.body["api_token"].as_str().expect("a new token").to_string();
        assert_ne!(new, old);
        assert_eq!(res.body["id"], id);
        let one = s.get(&format!("/api/v1/channels/{id}"), t).await;
        assert!(one.body.get("api_token").is_none());

        let body = payload(id, "+60177872890", vec![msg("m-1", "hi")]);
        webhook(&s, id, Some(&old), body.clone()).await.problem(401);
        let got = webhook(&s, id, Some(&new), body).await;
        assert_eq!(got.status, 200, "{}", got.body);
        assert_eq!(got.body["received"], 1);

        let contact = contact_on(&s, t, id, "+60177872890").await["id"].as_i64().unwrap();
        let m = reply_settled(&s, t, contact, "hello").await;
        assert_eq!(m["status"], "sent", "{m}");
        let calls = bridge.calls();
        assert_eq!(calls.len(), 1);
        assert_eq!(
            calls[0].authorization.as_deref(),
            Some(format!("Bearer {new}").as_str()),
            "outbound calls carry the new token"
        );
        // `rotate_token: false` leaves it be.
        let res = s
            .patch(&format!("/api/v1/channels/{id}"), t, json!({"rotate_token": false}))
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert!(res.body.get("api_token").is_none());
        let again = webhook(&s, id, Some(&new), payload(id, "+60177872890", vec![msg("m-2", "x")])).await;
        assert_eq!(again.status, 200, "{}", again.body);
    }
);

scenario!(
    /// A removed channel stops taking webhooks, leaves the contacts' history intact and can
    /// no longer be replied on.
    deleting_a_channel_keeps_the_history,
    |backend: Backend| async move {
        let setup = Setup::new(backend, "phone").await;
        let (s, t) = (&setup.s, &setup.owner.access);
        let contact = setup.writes("+60177872890", "m-1", "Hello there").await;
        let path = format!("/api/v1/channels/{}", setup.channel);
        let res = s.call(Method::DELETE, &path, Some(t), None).await;
        assert_eq!(res.status, 204, "{}", res.body);
        s.get(&path, t).await.problem(404);
        s.delete(&path, t).await.problem(404);
        assert_eq!(s.get("/api/v1/channels", t).await.body, json!([]));

        let res = setup.post("+60177872890", vec![msg("m-2", "still there?")]).await;
        res.problem(404);

        let msgs = messages(s, t, contact).await;
        assert_eq!(msgs.len(), 1, "{msgs:?}");
        assert_eq!(msgs[0]["text"], "Hello there");
        assert!(msgs[0]["channel_id"].is_null(), "{}", msgs[0]);
        let c = contact_view(s, t, contact).await;
        assert_eq!(c["channels"], json!([]));
        assert_eq!(c["reply_window"], json!([]));
        assert_eq!(c["phone"], "+60177872890");

        let res = reply(s, t, contact, "anyone?").await;
        assert_eq!(fields(&res), ["channel_id"], "{}", res.body);
        assert_eq!(messages(s, t, contact).await.len(), 1);
        assert!(setup.bridge.calls().is_empty());
    }
);

scenario!(
    /// A name of only spaces is as empty as no name, at creation and when renaming.
    a_blank_name_is_refused,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let t = &owner.access;
        let config = json!({"api_base_url": "http://127.0.0.1:9", "id_type": "phone"});
        let res = create(&s, t, json!({"kind": "custom", "name": "   ", "config": config})).await;
        assert_eq!(fields(&res), ["name"], "{}", res.body);
        let (id, _) = custom_channel(&s, t, "http://127.0.0.1:9", "phone").await;
        let res = s
            .patch(&format!("/api/v1/channels/{id}"), t, json!({"name": "  "}))
            .await;
        assert_eq!(fields(&res), ["name"], "{}", res.body);
        let one = s.get(&format!("/api/v1/channels/{id}"), t).await;
        assert_eq!(one.body["name"], "Bridge");
    }
);
