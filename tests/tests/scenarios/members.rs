//! Invitations, the member list and its changes (roles, teams, removal, status), teams, and
//! cursor pagination.

use std::collections::HashMap;

use diesel::prelude::*;
use reqwest::Method;
use scenario_tests::{json, scenario, Backend, Res, Session, TestServer};
use serde_json::Value;

/// Asserts `res` has `status` and returns its body.
fn expect(res: Res, status: u16) -> Value {
    assert_eq!(res.status.as_u16(), status, "{}", res.body);
    res.body
}

fn assert_no_content(res: &Res) {
    assert_eq!(res.status, 204, "{}", res.body);
}

async fn invite(s: &TestServer, by: &Session, email: &str, role: &str) -> Res {
    s.post(
        "/api/v1/invitations",
        &by.access,
        json!({"email": email, "role": role}),
    )
    .await
}

/// Invites and returns (invitation id, token).
async fn invited(s: &TestServer, by: &Session, email: &str, role: &str) -> (i64, String) {
    let body = expect(invite(s, by, email, role).await, 201);
    (
        body["invitation"]["id"].as_i64().unwrap(),
        body["token"].as_str().unwrap().to_string(),
    )
}

async fn preview(s: &TestServer, token: &str) -> Res {
    s.call(
        Method::GET,
        &format!("/api/v1/invitations/{token}/preview"),
        None,
        None,
    )
    .await
}

async fn accept(s: &TestServer, token: &str, body: Value) -> Res {
    s.post_anon(&format!("/api/v1/invitations/{token}/accept"), body)
        .await
}

fn new_account() -> Value {
    json!({"name": "New Person", "password": "new person password"})
}

async fn create_team(s: &TestServer, by: &Session, name: &str) -> i64 {
    let body = expect(
        s.post("/api/v1/teams", &by.access, json!({"name": name}))
            .await,
        201,
    );
    body["id"].as_i64().unwrap()
}

async fn team(s: &TestServer, by: &Session, id: i64) -> Value {
    expect(s.get(&format!("/api/v1/teams/{id}"), &by.access).await, 200)
}

async fn user(s: &TestServer, by: &Session, id: i64) -> Value {
    expect(s.get(&format!("/api/v1/users/{id}"), &by.access).await, 200)
}

async fn patch_user(s: &TestServer, by: &Session, id: i64, body: Value) -> Res {
    s.patch(&format!("/api/v1/users/{id}"), &by.access, body)
        .await
}

async fn remove_user(s: &TestServer, by: &Session, id: i64) -> Res {
    s.delete(&format!("/api/v1/users/{id}"), &by.access).await
}

fn emails(list: &Value) -> Vec<String> {
    let mut v: Vec<String> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["email"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

// --- invitations --------------------------------------------------------------------------

scenario!(owners_invite_every_role, |backend: Backend| async move {
    let s = TestServer::start(backend).await;
    let owner = s.signup("Acme", "ana@acme.test").await;
    for role in ["owner", "manager", "agent"] {
        let email = format!("New.{role}@Acme.test");
        let body = expect(invite(&s, &owner, &email, role).await, 201);
        assert!(body["token"].as_str().is_some_and(|t| t.len() >= 20));
        assert_eq!(body["invitation"]["role"], role);
        assert_eq!(body["invitation"]["email"], email.to_lowercase());
        assert_eq!(body["invitation"]["invited_by"], owner.user_id);
        assert!(body["invitation"]["id"].is_i64());
    }
});

scenario!(managers_invite_agents_only, |backend: Backend| async move {
    let s = TestServer::start(backend).await;
    let owner = s.signup("Acme", "ana@acme.test").await;
    let manager = s.add_member(&owner, "max@acme.test", "manager").await;
    let agent = s.add_member(&owner, "al@acme.test", "agent").await;

    expect(invite(&s, &manager, "a2@acme.test", "agent").await, 201);
    invite(&s, &manager, "m2@acme.test", "manager")
        .await
        .problem(403);
    invite(&s, &manager, "o2@acme.test", "owner")
        .await
        .problem(403);
    for role in ["owner", "manager", "agent"] {
        invite(&s, &agent, "x@acme.test", role).await.problem(403);
    }
});

scenario!(
    inviting_a_member_or_a_bad_address_is_refused,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "ana@acme.test").await;
        s.add_member(&owner, "al@acme.test", "agent").await;
        invite(&s, &owner, "ana@acme.test", "agent")
            .await
            .problem(409);
        invite(&s, &owner, "AL@acme.test", "manager")
            .await
            .problem(409);
        let bad = invite(&s, &owner, "not an address", "agent").await;
        assert_eq!(bad.problem(422), ["email"]);
        let bad_role = invite(&s, &owner, "x@acme.test", "admin").await;
        assert_eq!(bad_role.problem(422), ["role"]);
    }
);

scenario!(
    pending_invitations_are_listed_for_managers,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "ana@acme.test").await;
        let manager = s.add_member(&owner, "max@acme.test", "manager").await;
        let agent = s.add_member(&owner, "al@acme.test", "agent").await;
        invited(&s, &owner, "one@acme.test", "agent").await;
        invited(&s, &owner, "two@acme.test", "manager").await;

        // Another workspace's invitations are not listed.
        let other = s.signup("Other", "olga@other.test").await;
        invited(&s, &other, "three@other.test", "agent").await;

        let list = expect(s.get("/api/v1/invitations", &owner.access).await, 200);
        // Accepted invitations (max, al) are no longer pending.
        assert_eq!(emails(&list), ["one@acme.test", "two@acme.test"]);
        assert!(list["next_cursor"].is_null());
        let by_manager = expect(s.get("/api/v1/invitations", &manager.access).await, 200);
        assert_eq!(emails(&by_manager), emails(&list));
        s.get("/api/v1/invitations", &agent.access)
            .await
            .problem(403);
    }
);

scenario!(
    an_invitation_is_previewed_and_accepted_once,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "ana@acme.test").await;
        let (_, token) = invited(&s, &owner, "Nina@Acme.test", "manager").await;

        let p = expect(preview(&s, &token).await, 200);
        assert_eq!(p["workspace_name"], "Acme");
        assert_eq!(p["role"], "manager");
        assert_eq!(p["email"], "nina@acme.test");
        assert_eq!(p["existing_account"], false);

        let body = expect(accept(&s, &token, new_account()).await, 200);
        assert_eq!(body["role"], "manager");
        assert_eq!(body["user"]["email"], "nina@acme.test");
        assert_eq!(body["user"]["name"], "New Person");
        let nina = Session::from(&body);
        assert_eq!(nina.workspace_id, owner.workspace_id);
        let me = expect(s.get("/api/v1/me", &nina.access).await, 200);
        assert_eq!(me["role"], "manager");
        assert_eq!(me["workspace"]["id"], owner.workspace_id);
        assert_eq!(user(&s, &owner, nina.user_id).await["role"], "manager");

        // Single use.
        accept(&s, &token, new_account()).await.problem(404);
        preview(&s, &token).await.problem(404);
        // The new account signs in with the password it chose.
        let login = s
            .post_anon(
                "/api/v1/auth/login",
                json!({"email": "nina@acme.test", "password": "new person password"}),
            )
            .await;
        assert_eq!(expect(login, 200)["role"], "manager");
        // An unknown token is not found either.
        preview(&s, "no-such-token").await.problem(404);
        accept(&s, "no-such-token", new_account())
            .await
            .problem(404);
    }
);

scenario!(
    a_revoked_invitation_cannot_be_used,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "ana@acme.test").await;
        let (id, token) = invited(&s, &owner, "nina@acme.test", "agent").await;
        // Another workspace cannot revoke it.
        let other = s.signup("Other", "olga@other.test").await;
        s.delete(&format!("/api/v1/invitations/{id}"), &other.access)
            .await
            .problem(404);
        expect(preview(&s, &token).await, 200);

        assert_no_content(
            &s.delete(&format!("/api/v1/invitations/{id}"), &owner.access)
                .await,
        );
        accept(&s, &token, new_account()).await.problem(404);
        preview(&s, &token).await.problem(404);
        s.delete(&format!("/api/v1/invitations/{id}"), &owner.access)
            .await
            .problem(404);
        let list = expect(s.get("/api/v1/invitations", &owner.access).await, 200);
        assert!(emails(&list).is_empty());
    }
);

scenario!(
    managers_cannot_revoke_higher_invitations,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "ana@acme.test").await;
        let manager = s.add_member(&owner, "max@acme.test", "manager").await;
        let (owner_inv, token) = invited(&s, &owner, "o2@acme.test", "owner").await;
        let (agent_inv, _) = invited(&s, &owner, "a2@acme.test", "agent").await;
        s.delete(&format!("/api/v1/invitations/{owner_inv}"), &manager.access)
            .await
            .problem(403);
        assert_no_content(
            &s.delete(&format!("/api/v1/invitations/{agent_inv}"), &manager.access)
                .await,
        );
        // The owner invitation survived.
        expect(preview(&s, &token).await, 200);
    }
);

scenario!(
    an_expired_invitation_cannot_be_used,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "ana@acme.test").await;
        let (id, token) = invited(&s, &owner, "nina@acme.test", "agent").await;
        expect(preview(&s, &token).await, 200);

        let db = s.db.clone();
        tokio::task::spawn_blocking(move || {
            use storage::schema::invitations::dsl::{expires_at, id as inv_id, invitations};
            let past = chrono::Utc::now().naive_utc() - chrono::Duration::minutes(1);
            let mut conn = db.connect();
            let n = diesel::update(invitations.filter(inv_id.eq(id)))
                .set(expires_at.eq(past))
                .execute(&mut *conn)
                .unwrap();
            assert_eq!(n, 1);
        })
        .await
        .unwrap();

        preview(&s, &token).await.problem(404);
        accept(&s, &token, new_account()).await.problem(404);
        // Inviting again gives a working invitation.
        let (_, fresh) = invited(&s, &owner, "nina@acme.test", "agent").await;
        expect(accept(&s, &fresh, new_account()).await, 200);
    }
);

scenario!(
    a_new_account_needs_a_name_and_a_password,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "ana@acme.test").await;
        let (_, token) = invited(&s, &owner, "nina@acme.test", "agent").await;
        let res = accept(&s, &token, json!({"password": "long enough password"})).await;
        assert_eq!(res.problem(422), ["name"]);
        let res = accept(&s, &token, json!({"name": "  ", "password": "short"})).await;
        let mut fields = res.problem(422);
        fields.sort();
        assert_eq!(fields, ["name", "password"]);
        // The refusals did not use the invitation up.
        expect(accept(&s, &token, new_account()).await, 200);
    }
);

scenario!(
    inviting_again_replaces_the_pending_invitation,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "ana@acme.test").await;
        let (_, old) = invited(&s, &owner, "nina@acme.test", "agent").await;
        let (new_id, new) = invited(&s, &owner, "NINA@acme.test", "manager").await;
        preview(&s, &old).await.problem(404);
        accept(&s, &old, new_account()).await.problem(404);

        let list = expect(s.get("/api/v1/invitations", &owner.access).await, 200);
        let items = list["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{list}");
        assert_eq!(items[0]["id"], new_id);
        assert_eq!(items[0]["role"], "manager");

        let body = expect(accept(&s, &new, new_account()).await, 200);
        assert_eq!(body["role"], "manager");
    }
);

scenario!(
    an_invitation_can_place_the_invitee_in_a_team,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "ana@acme.test").await;
        let sales = create_team(&s, &owner, "Sales").await;
        let inv = expect(
            s.post(
                "/api/v1/invitations",
                &owner.access,
                json!({"email": "nina@acme.test", "role": "agent", "team_id": sales}),
            )
            .await,
            201,
        );
        assert_eq!(inv["invitation"]["team_id"], sales);
        let token = inv["token"].as_str().unwrap();
        let nina = Session::from(&expect(accept(&s, token, new_account()).await, 200));
        assert_eq!(user(&s, &owner, nina.user_id).await["team_id"], sales);
        assert_eq!(team(&s, &owner, sales).await["member_count"], 1);

        // An invitation whose team is deleted before acceptance joins without a team.
        let support = create_team(&s, &owner, "Support").await;
        let inv = expect(
            s.post(
                "/api/v1/invitations",
                &owner.access,
                json!({"email": "otto@acme.test", "role": "agent", "team_id": support}),
            )
            .await,
            201,
        );
        assert_no_content(
            &s.delete(&format!("/api/v1/teams/{support}"), &owner.access)
                .await,
        );
        let token = inv["token"].as_str().unwrap();
        let otto = expect(accept(&s, token, new_account()).await, 200);
        let otto_id = otto["user"]["id"].as_i64().unwrap();
        assert!(user(&s, &owner, otto_id).await["team_id"].is_null());

        // A team of another workspace cannot be used.
        let other = s.signup("Other", "olga@other.test").await;
        let foreign = create_team(&s, &other, "Theirs").await;
        let res = s
            .post(
                "/api/v1/invitations",
                &owner.access,
                json!({"email": "x@acme.test", "role": "agent", "team_id": foreign}),
            )
            .await;
        assert_eq!(res.problem(422), ["team_id"]);
    }
);

// --- users --------------------------------------------------------------------------------

scenario!(
    members_are_listed_with_role_status_and_team,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "ana@acme.test").await;
        let manager = s.add_member(&owner, "max@acme.test", "manager").await;
        let agent = s.add_member(&owner, "al@acme.test", "agent").await;
        // Someone in another workspace is not listed.
        s.signup("Other", "olga@other.test").await;

        let list = expect(s.get("/api/v1/users", &agent.access).await, 200);
        assert!(list["next_cursor"].is_null());
        let items = list["items"].as_array().unwrap();
        let got: Vec<(i64, &str, &str, &str)> = items
            .iter()
            .map(|m| {
                assert!(m["team_id"].is_null(), "{m}");
                (
                    m["id"].as_i64().unwrap(),
                    m["email"].as_str().unwrap(),
                    m["role"].as_str().unwrap(),
                    m["status"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (owner.user_id, "ana@acme.test", "owner", "offline"),
                (manager.user_id, "max@acme.test", "manager", "offline"),
                (agent.user_id, "al@acme.test", "agent", "offline"),
            ]
        );
    }
);

scenario!(owners_change_roles, |backend: Backend| async move {
    let s = TestServer::start(backend).await;
    let owner = s.signup("Acme", "ana@acme.test").await;
    let agent = s.add_member(&owner, "al@acme.test", "agent").await;
    let body = expect(
        patch_user(&s, &owner, agent.user_id, json!({"role": "manager"})).await,
        200,
    );
    assert_eq!(body["role"], "manager");
    assert_eq!(body["id"], agent.user_id);
    assert_eq!(user(&s, &owner, agent.user_id).await["role"], "manager");
    for (bad, field) in [
        (json!({"role": "admin"}), "role"),
        (json!({"team_id": "sales"}), "team_id"),
        (
            json!({"contact_visibility": "nobody"}),
            "contact_visibility",
        ),
    ] {
        let res = patch_user(&s, &owner, agent.user_id, bad).await;
        assert_eq!(res.problem(422), [field]);
    }
    // The member's existing access token acts with the new role at once.
    let me = expect(s.get("/api/v1/me", &agent.access).await, 200);
    assert_eq!(me["role"], "manager");
    expect(
        invite(&s, &agent, "new.agent@acme.test", "agent").await,
        201,
    );
    // Refreshed tokens carry it too.
    expect(
        s.post_anon(
            "/api/v1/auth/refresh",
            json!({"refresh_token": agent.refresh}),
        )
        .await,
        200,
    );
});

scenario!(the_last_owner_stays, |backend: Backend| async move {
    let s = TestServer::start(backend).await;
    let owner = s.signup("Acme", "ana@acme.test").await;
    let second = s.add_member(&owner, "otto@acme.test", "manager").await;

    patch_user(&s, &owner, owner.user_id, json!({"role": "manager"}))
        .await
        .problem(409);
    remove_user(&s, &owner, owner.user_id).await.problem(409);
    assert_eq!(user(&s, &owner, owner.user_id).await["role"], "owner");

    // With a second owner, the first may step down.
    expect(
        patch_user(&s, &owner, second.user_id, json!({"role": "owner"})).await,
        200,
    );
    let body = expect(
        patch_user(&s, &owner, owner.user_id, json!({"role": "agent"})).await,
        200,
    );
    assert_eq!(body["role"], "agent");
    // Now the second is the last owner.
    patch_user(&s, &second, second.user_id, json!({"role": "manager"}))
        .await
        .problem(409);
    remove_user(&s, &second, second.user_id).await.problem(409);
    // Re-promoting the first makes removal of one owner possible.
    expect(
        patch_user(&s, &second, owner.user_id, json!({"role": "owner"})).await,
        200,
    );
    assert_no_content(&remove_user(&s, &owner, second.user_id).await);
});

// Two owners step down at the same moment: one may, the other must be refused, whatever the
// timing (SQLite serialises writers; PostgreSQL locks the owners' rows).
scenario!(concurrent_demotions, concurrent_demotions_keep_an_owner);

async fn concurrent_demotions_keep_an_owner(backend: Backend) {
    let s = TestServer::start(backend).await;
    let ana = s.signup("Acme", "ana@acme.test").await;
    let bo = s.add_member(&ana, "bo@acme.test", "owner").await;
    for round in 0..20 {
        let (a, b) = tokio::join!(
            patch_user(&s, &ana, ana.user_id, json!({"role": "manager"})),
            patch_user(&s, &bo, bo.user_id, json!({"role": "manager"})),
        );
        let list = expect(s.get("/api/v1/users", &ana.access).await, 200);
        let owners = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["role"] == "owner")
            .count();
        assert_eq!(
            owners, 1,
            "round {round}: answers {} and {}",
            a.status, b.status
        );
        // Exactly one stepped down; the other, still owner, restores them.
        let (stepped_down, still_owner) = if a.status == 200 {
            b.problem(409);
            (&ana, &bo)
        } else {
            a.problem(409);
            assert_eq!(b.status, 200, "{}", b.body);
            (&bo, &ana)
        };
        expect(
            patch_user(
                &s,
                still_owner,
                stepped_down.user_id,
                json!({"role": "owner"}),
            )
            .await,
            200,
        );
    }
}

scenario!(managers_handle_agents_only, |backend: Backend| async move {
    let s = TestServer::start(backend).await;
    let owner = s.signup("Acme", "ana@acme.test").await;
    let manager = s.add_member(&owner, "max@acme.test", "manager").await;
    let other_manager = s.add_member(&owner, "mia@acme.test", "manager").await;
    let agent = s.add_member(&owner, "al@acme.test", "agent").await;
    let sales = create_team(&s, &manager, "Sales").await;

    let body = expect(
        patch_user(&s, &manager, agent.user_id, json!({"team_id": sales})).await,
        200,
    );
    assert_eq!(body["team_id"], sales);
    expect(
        patch_user(
            &s,
            &manager,
            agent.user_id,
            json!({"role": "agent", "contact_visibility": "team"}),
        )
        .await,
        200,
    );

    for role in ["manager", "owner"] {
        patch_user(&s, &manager, agent.user_id, json!({"role": role}))
            .await
            .problem(403);
    }
    assert_eq!(user(&s, &owner, agent.user_id).await["role"], "agent");
    for target in [owner.user_id, other_manager.user_id, manager.user_id] {
        patch_user(&s, &manager, target, json!({"team_id": sales}))
            .await
            .problem(403);
        remove_user(&s, &manager, target).await.problem(403);
    }
    patch_user(
        &s,
        &manager,
        other_manager.user_id,
        json!({"role": "agent"}),
    )
    .await
    .problem(403);
    assert!(user(&s, &owner, owner.user_id).await["team_id"].is_null());

    // Managers may remove agents.
    assert_no_content(&remove_user(&s, &manager, agent.user_id).await);
});

scenario!(agents_change_no_member, |backend: Backend| async move {
    let s = TestServer::start(backend).await;
    let owner = s.signup("Acme", "ana@acme.test").await;
    let agent = s.add_member(&owner, "al@acme.test", "agent").await;
    let colleague = s.add_member(&owner, "bea@acme.test", "agent").await;
    let sales = create_team(&s, &owner, "Sales").await;

    patch_user(&s, &agent, colleague.user_id, json!({"team_id": sales}))
        .await
        .problem(403);
    patch_user(&s, &agent, agent.user_id, json!({"role": "owner"}))
        .await
        .problem(403);
    patch_user(&s, &agent, owner.user_id, json!({"role": "agent"}))
        .await
        .problem(403);
    remove_user(&s, &agent, colleague.user_id)
        .await
        .problem(403);
    remove_user(&s, &agent, owner.user_id).await.problem(403);
    assert_eq!(user(&s, &owner, agent.user_id).await["role"], "agent");
    assert!(user(&s, &owner, colleague.user_id).await["team_id"].is_null());
});

scenario!(
    a_removed_member_loses_access,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "ana@acme.test").await;
        let agent = s.add_member(&owner, "al@acme.test", "agent").await;
        expect(s.get("/api/v1/me", &agent.access).await, 200);

        assert_no_content(&remove_user(&s, &owner, agent.user_id).await);
        s.get("/api/v1/me", &agent.access).await.problem(401);
        s.post_anon(
            "/api/v1/auth/refresh",
            json!({"refresh_token": agent.refresh}),
        )
        .await
        .problem(401);
        s.get(&format!("/api/v1/users/{}", agent.user_id), &owner.access)
            .await
            .problem(404);
        remove_user(&s, &owner, agent.user_id).await.problem(404);
        let list = expect(s.get("/api/v1/users", &owner.access).await, 200);
        assert_eq!(emails(&list), ["ana@acme.test"]);
        // The address may be invited again.
        expect(invite(&s, &owner, "al@acme.test", "agent").await, 201);
    }
);

scenario!(
    members_of_other_workspaces_are_not_found,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "ana@acme.test").await;
        let other = s.signup("Other", "olga@other.test").await;
        let their_agent = s.add_member(&other, "oli@other.test", "agent").await;

        for id in [other.user_id, their_agent.user_id, 999_999] {
            s.get(&format!("/api/v1/users/{id}"), &owner.access)
                .await
                .problem(404);
            patch_user(&s, &owner, id, json!({"role": "manager"}))
                .await
                .problem(404);
            remove_user(&s, &owner, id).await.problem(404);
        }
        // Untouched.
        let theirs = user(&s, &other, their_agent.user_id).await;
        assert_eq!(theirs["role"], "agent");
        expect(s.get("/api/v1/me", &their_agent.access).await, 200);
    }
);

scenario!(members_set_their_status, |backend: Backend| async move {
    let s = TestServer::start(backend).await;
    let owner = s.signup("Acme", "ana@acme.test").await;
    let agent = s.add_member(&owner, "al@acme.test", "agent").await;

    let body = expect(
        s.put(
            "/api/v1/me/status",
            &agent.access,
            json!({"status": "away"}),
        )
        .await,
        200,
    );
    assert_eq!(body["status"], "away");
    assert_eq!(body["id"], agent.user_id);
    assert_eq!(user(&s, &owner, agent.user_id).await["status"], "away");
    // Only the caller's own status changed.
    assert_eq!(user(&s, &owner, owner.user_id).await["status"], "offline");

    let res = s
        .put(
            "/api/v1/me/status",
            &agent.access,
            json!({"status": "busy"}),
        )
        .await;
    assert_eq!(res.problem(422), ["status"]);
    let res = s.put("/api/v1/me/status", &agent.access, json!({})).await;
    assert_eq!(res.problem(422), ["status"]);
    assert_eq!(user(&s, &owner, agent.user_id).await["status"], "away");
});

// --- teams --------------------------------------------------------------------------------

scenario!(
    teams_are_created_read_updated_and_deleted,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "ana@acme.test").await;

        let created = expect(
            s.post(
                "/api/v1/teams",
                &owner.access,
                json!({"name": "  Sales ", "description": "Selling things"}),
            )
            .await,
            201,
        );
        assert_eq!(created["name"], "Sales");
        assert_eq!(created["description"], "Selling things");
        assert_eq!(created["member_count"], 0);
        let id = created["id"].as_i64().unwrap();

        let got = team(&s, &owner, id).await;
        assert_eq!(got["name"], "Sales");
        assert_eq!(got["description"], "Selling things");

        let updated = expect(
            s.patch(
                &format!("/api/v1/teams/{id}"),
                &owner.access,
                json!({"name": "Sales EU"}),
            )
            .await,
            200,
        );
        assert_eq!(updated["name"], "Sales EU");
        assert_eq!(updated["description"], "Selling things");
        let updated = expect(
            s.patch(
                &format!("/api/v1/teams/{id}"),
                &owner.access,
                json!({"description": "Europe"}),
            )
            .await,
            200,
        );
        assert_eq!(updated["name"], "Sales EU");
        assert_eq!(updated["description"], "Europe");

        let list = expect(s.get("/api/v1/teams", &owner.access).await, 200);
        let names: Vec<&str> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["Sales EU"]);

        let res = s
            .post("/api/v1/teams", &owner.access, json!({"name": " "}))
            .await;
        assert_eq!(res.problem(422), ["name"]);
        let res = s
            .patch(
                &format!("/api/v1/teams/{id}"),
                &owner.access,
                json!({"name": "", "description": "x".repeat(1001)}),
            )
            .await;
        let mut fields = res.problem(422);
        fields.sort();
        assert_eq!(fields, ["description", "name"]);
        assert_eq!(team(&s, &owner, id).await["name"], "Sales EU");

        assert_no_content(
            &s.delete(&format!("/api/v1/teams/{id}"), &owner.access)
                .await,
        );
        s.get(&format!("/api/v1/teams/{id}"), &owner.access)
            .await
            .problem(404);
        s.delete(&format!("/api/v1/teams/{id}"), &owner.access)
            .await
            .problem(404);
    }
);

scenario!(
    team_names_are_unique_per_workspace,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "ana@acme.test").await;
        create_team(&s, &owner, "Sales").await;
        let support = create_team(&s, &owner, "Support").await;
        for name in ["Sales", "  Sales  "] {
            s.post("/api/v1/teams", &owner.access, json!({"name": name}))
                .await
                .problem(409);
        }
        s.patch(
            &format!("/api/v1/teams/{support}"),
            &owner.access,
            json!({"name": "Sales"}),
        )
        .await
        .problem(409);
        assert_eq!(team(&s, &owner, support).await["name"], "Support");
        // Another workspace may use the same name.
        let other = s.signup("Other", "olga@other.test").await;
        create_team(&s, &other, "Sales").await;
    }
);

scenario!(
    managers_edit_teams_and_owners_delete_them,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "ana@acme.test").await;
        let manager = s.add_member(&owner, "max@acme.test", "manager").await;
        let agent = s.add_member(&owner, "al@acme.test", "agent").await;

        let id = create_team(&s, &manager, "Sales").await;
        expect(
            s.patch(
                &format!("/api/v1/teams/{id}"),
                &manager.access,
                json!({"description": "by the manager"}),
            )
            .await,
            200,
        );
        s.delete(&format!("/api/v1/teams/{id}"), &manager.access)
            .await
            .problem(403);
        s.post("/api/v1/teams", &agent.access, json!({"name": "Mine"}))
            .await
            .problem(403);
        s.patch(
            &format!("/api/v1/teams/{id}"),
            &agent.access,
            json!({"name": "Mine"}),
        )
        .await
        .problem(403);
        s.delete(&format!("/api/v1/teams/{id}"), &agent.access)
            .await
            .problem(403);
        // Agents may read teams.
        assert_eq!(team(&s, &agent, id).await["name"], "Sales");

        // Deleting a team leaves its members team-less.
        expect(
            patch_user(&s, &owner, agent.user_id, json!({"team_id": id})).await,
            200,
        );
        expect(
            patch_user(&s, &owner, manager.user_id, json!({"team_id": id})).await,
            200,
        );
        assert_eq!(team(&s, &owner, id).await["member_count"], 2);
        assert_no_content(
            &s.delete(&format!("/api/v1/teams/{id}"), &owner.access)
                .await,
        );
        for uid in [agent.user_id, manager.user_id] {
            assert!(user(&s, &owner, uid).await["team_id"].is_null());
        }
        expect(s.get("/api/v1/me", &agent.access).await, 200);
    }
);

scenario!(
    member_counts_follow_team_moves,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "ana@acme.test").await;
        let al = s.add_member(&owner, "al@acme.test", "agent").await;
        let bea = s.add_member(&owner, "bea@acme.test", "agent").await;
        let sales = create_team(&s, &owner, "Sales").await;
        let support = create_team(&s, &owner, "Support").await;

        let counts = |list: Value| -> HashMap<i64, i64> {
            list["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| {
                    (
                        t["id"].as_i64().unwrap(),
                        t["member_count"].as_i64().unwrap(),
                    )
                })
                .collect()
        };

        for u in [&al, &bea] {
            expect(
                patch_user(&s, &owner, u.user_id, json!({"team_id": sales})).await,
                200,
            );
        }
        let list = expect(s.get("/api/v1/teams", &owner.access).await, 200);
        assert_eq!(counts(list), HashMap::from([(sales, 2), (support, 0)]));

        // One team at a time: moving bea takes her out of Sales.
        let body = expect(
            patch_user(&s, &owner, bea.user_id, json!({"team_id": support})).await,
            200,
        );
        assert_eq!(body["team_id"], support);
        assert_eq!(team(&s, &owner, sales).await["member_count"], 1);
        assert_eq!(team(&s, &owner, support).await["member_count"], 1);

        // A patch without team_id leaves the team alone.
        let body = expect(
            patch_user(
                &s,
                &owner,
                bea.user_id,
                json!({"contact_visibility": "assigned"}),
            )
            .await,
            200,
        );
        assert_eq!(body["team_id"], support);
        assert_eq!(body["contact_visibility"], "assigned");

        // null takes al out of his team.
        let body = expect(
            patch_user(&s, &owner, al.user_id, json!({"team_id": null})).await,
            200,
        );
        assert!(body["team_id"].is_null(), "{body}");
        assert!(user(&s, &owner, al.user_id).await["team_id"].is_null());
        let list = expect(s.get("/api/v1/teams", &owner.access).await, 200);
        assert_eq!(counts(list), HashMap::from([(sales, 0), (support, 1)]));

        // A removed member no longer counts.
        assert_no_content(&remove_user(&s, &owner, bea.user_id).await);
        assert_eq!(team(&s, &owner, support).await["member_count"], 0);
    }
);

scenario!(
    teams_of_other_workspaces_are_out_of_reach,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "ana@acme.test").await;
        let agent = s.add_member(&owner, "al@acme.test", "agent").await;
        let other = s.signup("Other", "olga@other.test").await;
        let theirs = create_team(&s, &other, "Theirs").await;

        let res = patch_user(&s, &owner, agent.user_id, json!({"team_id": theirs})).await;
        assert_eq!(res.problem(422), ["team_id"]);
        assert!(user(&s, &owner, agent.user_id).await["team_id"].is_null());
        assert_eq!(team(&s, &other, theirs).await["member_count"], 0);

        s.get(&format!("/api/v1/teams/{theirs}"), &owner.access)
            .await
            .problem(404);
        s.patch(
            &format!("/api/v1/teams/{theirs}"),
            &owner.access,
            json!({"name": "Mine now"}),
        )
        .await
        .problem(404);
        s.delete(&format!("/api/v1/teams/{theirs}"), &owner.access)
            .await
            .problem(404);
        let list = expect(s.get("/api/v1/teams", &owner.access).await, 200);
        assert!(list["items"].as_array().unwrap().is_empty());
        assert_eq!(team(&s, &other, theirs).await["name"], "Theirs");
    }
);

// --- pagination ---------------------------------------------------------------------------

scenario!(
    team_pages_cover_every_team_once,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "ana@acme.test").await;
        let mut created = Vec::new();
        for i in 0..7 {
            created.push(create_team(&s, &owner, &format!("Team {i}")).await);
        }
        // Another workspace's teams are never part of the walk.
        let other = s.signup("Other", "olga@other.test").await;
        create_team(&s, &other, "Theirs").await;

        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let path = match &cursor {
                Some(c) => format!("/api/v1/teams?limit=2&cursor={c}"),
                None => "/api/v1/teams?limit=2".to_string(),
            };
            let page = expect(s.get(&path, &owner.access).await, 200);
            let items = page["items"].as_array().unwrap();
            assert!(items.len() <= 2, "{page}");
            seen.extend(items.iter().map(|t| t["id"].as_i64().unwrap()));
            pages += 1;
            assert!(pages <= 10, "the walk does not end");
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_string()),
                None => {
                    assert!(page["next_cursor"].is_null(), "{page}");
                    break;
                }
            }
        }
        let mut expected = created.clone();
        expected.sort();
        assert_eq!(seen, expected, "every team once, in id order");
        assert_eq!(pages, 4);

        s.get("/api/v1/teams?limit=0", &owner.access)
            .await
            .problem(422);
        s.get("/api/v1/teams?limit=101", &owner.access)
            .await
            .problem(422);
        s.get("/api/v1/teams?cursor=garbage", &owner.access)
            .await
            .problem(422);
    }
);

scenario!(
    member_pages_cover_every_member_once,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "ana@acme.test").await;
        let mut expected = vec![owner.user_id];
        for i in 0..2 {
            expected.push(
                s.add_member(&owner, &format!("m{i}@acme.test"), "agent")
                    .await
                    .user_id,
            );
        }
        let first = expect(s.get("/api/v1/users?limit=2", &owner.access).await, 200);
        let cursor = first["next_cursor"]
            .as_str()
            .expect("a second page")
            .to_string();
        let second = expect(
            s.get(
                &format!("/api/v1/users?limit=2&cursor={cursor}"),
                &owner.access,
            )
            .await,
            200,
        );
        assert!(second["next_cursor"].is_null(), "{second}");
        let seen: Vec<i64> = [first, second]
            .iter()
            .flat_map(|p| p["items"].as_array().unwrap().clone())
            .map(|m| m["id"].as_i64().unwrap())
            .collect();
        assert_eq!(seen, expected);
    }
);
