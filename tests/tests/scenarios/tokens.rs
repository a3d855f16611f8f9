//! Developer API tokens (`/api/v1/api-tokens`): minting, listing, using, fencing and revoking.

use scenario_tests::{json, scenario, Backend, TestServer};

/// Mints a token as `creator`; returns (id, secret).
async fn mint(s: &TestServer, creator: &str, name: &str) -> (i64, String) {
    let res = s
        .post("/api/v1/api-tokens", creator, json!({ "name": name }))
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    (
        res.body["token"]["id"].as_i64().expect("token.id"),
        res.body["secret"].as_str().expect("secret").to_string(),
    )
}

scenario!(
    owner_creates_lists_and_uses_a_token,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;

        let created = s
            .post(
                "/api/v1/api-tokens",
                &owner.access,
                json!({"name": "  CRM sync  "}),
            )
            .await;
        assert_eq!(created.status, 201, "{}", created.body);
        let secret = created.body["secret"].as_str().expect("secret").to_string();
        assert!(secret.starts_with("ism_"), "{secret}");
        assert!(secret.len() > "ism_".len() + 16, "{secret}");
        let prefix = created.body["token"]["prefix"].as_str().expect("prefix");
        assert!(prefix.starts_with("ism_") && prefix.len() > 4, "{prefix}");
        assert!(
            secret.starts_with(prefix),
            "{prefix} is not a prefix of the secret"
        );
        assert!(prefix.len() < secret.len());
        assert_eq!(created.body["token"]["name"], "CRM sync");
        assert_eq!(created.body["token"]["created_by"], owner.user_id);
        assert!(created.body["token"]["last_used_at"].is_null());
        let id = created.body["token"]["id"].as_i64().unwrap();

        let list = s.get("/api/v1/api-tokens", &owner.access).await;
        assert_eq!(list.status, 200, "{}", list.body);
        let items = list.body["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{}", list.body);
        let t = &items[0];
        assert_eq!(t["id"], id);
        assert_eq!(t["name"], "CRM sync");
        assert_eq!(t["prefix"], prefix);
        assert_eq!(t["created_by_name"], "Owner Person");
        assert!(t["last_used_at"].is_null(), "{t}");
        assert!(t.get("secret").is_none(), "the list leaks a secret: {t}");
        assert!(t.get("token_hash").is_none(), "the list leaks a hash: {t}");
        assert!(
            !list.body.to_string().contains(&secret),
            "the list contains the secret"
        );
        assert!(list.body["next_cursor"].is_null());

        let me = s.get("/api/v1/me", &secret).await;
        assert_eq!(me.status, 200, "{}", me.body);
        assert_eq!(me.body["via"], "api_token");
        assert_eq!(me.body["role"], "manager");
        assert!(me.body["user"].is_null(), "{}", me.body);
        assert_eq!(me.body["api_token_id"], id);
        assert_eq!(me.body["workspace"]["id"], owner.workspace_id);

        let list = s.get("/api/v1/api-tokens", &owner.access).await;
        assert_eq!(list.status, 200, "{}", list.body);
        let used = &list.body["items"][0];
        assert!(used["last_used_at"].is_string(), "not marked used: {used}");
    }
);

scenario!(
    a_token_cannot_manage_tokens,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let (_, secret) = mint(&s, &owner.access, "bot").await;

        let res = s
            .post("/api/v1/api-tokens", &secret, json!({"name": "child"}))
            .await;
        res.problem(403);
        let res = s.get("/api/v1/api-tokens", &secret).await;
        res.problem(403);

        // Still exactly the one token.
        let list = s.get("/api/v1/api-tokens", &owner.access).await;
        assert_eq!(
            list.body["items"].as_array().unwrap().len(),
            1,
            "{}",
            list.body
        );
    }
);

scenario!(
    a_token_acts_as_a_manager_fenced_from_owners,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let agent = s.add_member(&owner, "agent@acme.test", "agent").await;
        let (_, secret) = mint(&s, &owner.access, "bot").await;

        // Invitations: agents yes, managers and owners no.
        let res = s
            .post(
                "/api/v1/invitations",
                &secret,
                json!({"email": "new-agent@acme.test", "role": "agent"}),
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.body);
        assert_eq!(res.body["invitation"]["role"], "agent");
        for role in ["manager", "owner"] {
            let res = s
                .post(
                    "/api/v1/invitations",
                    &secret,
                    json!({"email": format!("{role}@acme.test"), "role": role}),
                )
                .await;
            res.problem(403);
        }

        // The owner cannot be changed or removed by a token.
        let path = format!("/api/v1/users/{}", owner.user_id);
        let res = s
            .patch(&path, &secret, json!({"contact_visibility": "team"}))
            .await;
        res.problem(403);
        let res = s.patch(&path, &secret, json!({"role": "agent"})).await;
        res.problem(403);
        let res = s.delete(&path, &secret).await;
        res.problem(403);
        let me = s.get("/api/v1/me", &owner.access).await;
        assert_eq!(me.status, 200, "{}", me.body);
        assert_eq!(me.body["role"], "owner");
        assert_eq!(me.body["member"]["contact_visibility"], "all");

        // ... but an agent's team can be changed.
        let team = s
            .post("/api/v1/teams", &secret, json!({"name": "Support"}))
            .await;
        assert_eq!(team.status, 201, "{}", team.body);
        let team_id = team.body["id"].as_i64().unwrap();
        let agent_path = format!("/api/v1/users/{}", agent.user_id);
        let res = s
            .patch(&agent_path, &secret, json!({"team_id": team_id}))
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["team_id"], team_id);
        assert_eq!(res.body["role"], "agent");
        let res = s.get(&agent_path, &owner.access).await;
        assert_eq!(res.body["team_id"], team_id, "{}", res.body);

        // Like a manager: no promotions, no touching managers, no deleting teams, but agents
        // may be removed.
        let res = s
            .patch(&agent_path, &secret, json!({"role": "manager"}))
            .await;
        res.problem(403);
        let manager = s.add_member(&owner, "manager@acme.test", "manager").await;
        let res = s
            .patch(
                &format!("/api/v1/users/{}", manager.user_id),
                &secret,
                json!({"team_id": team_id}),
            )
            .await;
        res.problem(403);
        let res = s.delete(&format!("/api/v1/teams/{team_id}"), &secret).await;
        res.problem(403);
        let res = s.get(&agent_path, &owner.access).await;
        assert_eq!(res.body["role"], "agent", "{}", res.body);
        let leaving = s.add_member(&owner, "leaving@acme.test", "agent").await;
        let res = s
            .delete(&format!("/api/v1/users/{}", leaving.user_id), &secret)
            .await;
        assert_eq!(res.status, 204, "{}", res.body);
        // A token is no member: it has no activity status.
        let res = s
            .put("/api/v1/me/status", &secret, json!({"status": "away"}))
            .await;
        res.problem(403);

        // ... and workspace settings (manager rights).
        let res = s
            .patch(
                "/api/v1/workspace",
                &secret,
                json!({"timezone": "Europe/Berlin"}),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["timezone"], "Europe/Berlin");
        let ws = s.get("/api/v1/workspace", &owner.access).await;
        assert_eq!(ws.body["timezone"], "Europe/Berlin");
    }
);

scenario!(
    agents_cannot_manage_tokens_managers_can,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let agent = s.add_member(&owner, "agent@acme.test", "agent").await;
        let manager = s.add_member(&owner, "manager@acme.test", "manager").await;

        let res = s
            .post("/api/v1/api-tokens", &agent.access, json!({"name": "mine"}))
            .await;
        res.problem(403);
        let res = s.get("/api/v1/api-tokens", &agent.access).await;
        res.problem(403);

        let (id, secret) = mint(&s, &manager.access, "manager's").await;
        assert!(secret.starts_with("ism_"));
        let list = s.get("/api/v1/api-tokens", &manager.access).await;
        assert_eq!(list.status, 200, "{}", list.body);
        let items = list.body["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{}", list.body);
        assert_eq!(items[0]["id"], id);
        assert_eq!(items[0]["created_by"], manager.user_id);
        assert_eq!(items[0]["created_by_name"], "Member Person");

        // The agent cannot revoke it either.
        let res = s
            .delete(&format!("/api/v1/api-tokens/{id}"), &agent.access)
            .await;
        res.problem(403);
        let me = s.get("/api/v1/me", &secret).await;
        assert_eq!(me.status, 200, "{}", me.body);
    }
);

scenario!(revoking_a_token, |backend: Backend| async move {
    let s = TestServer::start(backend).await;
    let owner = s.signup("Acme", "owner@acme.test").await;
    let other = s.signup("Other", "owner@other.test").await;
    let (id, secret) = mint(&s, &owner.access, "to revoke").await;
    let (keep_id, keep_secret) = mint(&s, &owner.access, "to keep").await;
    let (other_id, other_secret) = mint(&s, &other.access, "foreign").await;
    assert_eq!(s.get("/api/v1/me", &secret).await.status, 200);

    // Another workspace's token is not found from here, and stays alive.
    let res = s
        .delete(&format!("/api/v1/api-tokens/{other_id}"), &owner.access)
        .await;
    res.problem(404);
    assert_eq!(s.get("/api/v1/me", &other_secret).await.status, 200);

    let res = s
        .delete(&format!("/api/v1/api-tokens/{id}"), &owner.access)
        .await;
    assert_eq!(res.status, 204, "{}", res.body);

    let res = s.get("/api/v1/me", &secret).await;
    res.problem(401);
    let res = s.get("/api/v1/workspace", &secret).await;
    res.problem(401);
    assert_eq!(s.get("/api/v1/me", &keep_secret).await.status, 200);

    let list = s.get("/api/v1/api-tokens", &owner.access).await;
    let ids: Vec<i64> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![keep_id], "{}", list.body);

    let res = s
        .delete(&format!("/api/v1/api-tokens/{id}"), &owner.access)
        .await;
    res.problem(404);
    let res = s.delete("/api/v1/api-tokens/999999", &owner.access).await;
    res.problem(404);

    // Unknown secrets of the token shape are refused.
    let res = s
        .get("/api/v1/me", "ism_0000000000000000000000000000000000000000")
        .await;
    res.problem(401);
    let res = s.get("/api/v1/me", "ism_").await;
    res.problem(401);
});
