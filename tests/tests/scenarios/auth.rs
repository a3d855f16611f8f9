//! Signup, login (and its throttling), refresh-token rotation, logout, access tokens and
//! switching workspace.

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::Method;
use scenario_tests::{json, scenario, Backend, Res, Session, TestServer, JWT_SECRET};
use serde_json::Value;

const PASSWORD: &str = "correct horse battery";

/// Asserts `res` has `status` and returns its body.
fn expect(res: Res, status: u16) -> Value {
    assert_eq!(res.status.as_u16(), status, "{}", res.body);
    res.body
}

/// An HS256 access token for `user_id` in `ws`, signed with `secret`, that expires
/// `expires_in_secs` from now (negative: already expired).
fn forge(secret: &str, user_id: i64, ws: i64, role: &str, expires_in_secs: i64) -> String {
    let exp = chrono::Utc::now().timestamp() + expires_in_secs;
    let claims = json!({
        "sub": user_id.to_string(),
        "ws": ws,
        "role": role,
        "iat": exp - 15 * 60,
        "exp": exp,
    });
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

async fn login(s: &TestServer, email: &str, password: &str) -> Res {
    s.post_anon(
        "/api/v1/auth/login",
        json!({"email": email, "password": password}),
    )
    .await
}

/// Logs in with `PASSWORD` to a chosen workspace.
async fn login_to(s: &TestServer, email: &str, workspace_id: i64) -> Res {
    let body = json!({"email": email, "password": PASSWORD, "workspace_id": workspace_id});
    s.post_anon("/api/v1/auth/login", body).await
}

fn signup_body(workspace_name: &str, name: &str, email: &str) -> Value {
    json!({"workspace_name": workspace_name, "name": name, "email": email, "password": PASSWORD})
}

async fn refresh(s: &TestServer, token: &str) -> Res {
    s.post_anon("/api/v1/auth/refresh", json!({"refresh_token": token}))
        .await
}

async fn me(s: &TestServer, access: &str) -> Value {
    expect(s.get("/api/v1/me", access).await, 200)
}

async fn anonymous_get(s: &TestServer, path: &str) -> Res {
    s.call(Method::GET, path, None, None).await
}

fn sorted(mut fields: Vec<String>) -> Vec<String> {
    fields.sort();
    fields
}

// --- signup -------------------------------------------------------------------------------

scenario!(
    signup_returns_an_owner_session,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let body = expect(
            s.post_anon(
                "/api/v1/auth/signup",
                signup_body("Acme", "Ana Lima", "  Ana.Lima@ACME.Test "),
            )
            .await,
            201,
        );
        assert!(body["access_token"].as_str().is_some_and(|t| !t.is_empty()));
        assert!(body["refresh_token"]
            .as_str()
            .is_some_and(|t| !t.is_empty()));
        assert_eq!(body["token_type"], "Bearer");
        assert_eq!(body["role"], "owner");
        assert_eq!(body["user"]["email"], "ana.lima@acme.test");
        assert_eq!(body["user"]["name"], "Ana Lima");
        assert_eq!(body["workspace"]["name"], "Acme");
        let session = Session::from(&body);

        let me = me(&s, &session.access).await;
        assert_eq!(me["role"], "owner");
        assert_eq!(me["user"]["id"], session.user_id);
        assert_eq!(me["workspace"]["id"], session.workspace_id);

        // The stored address is the lower-cased one: logging in with it works.
        expect(login(&s, "ana.lima@acme.test", PASSWORD).await, 200);
    }
);

scenario!(
    signup_with_a_taken_email_is_a_conflict,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        s.signup("Acme", "ana@acme.test").await;
        let res = s
            .post_anon(
                "/api/v1/auth/signup",
                signup_body("Other", "Ana Again", "ANA@acme.test"),
            )
            .await;
        res.problem(409);
    }
);

scenario!(
    signup_names_every_bad_field,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        // workspace_name missing, name a number, email not one, password too short.
        let res = s
            .post_anon(
                "/api/v1/auth/signup",
                json!({"name": 42, "email": "not-an-email", "password": "short"}),
            )
            .await;
        assert_eq!(
            sorted(res.problem(422)),
            ["email", "name", "password", "workspace_name"]
        );
        assert_eq!(res.body["type"], "/problems/validation");
        for e in res.body["errors"].as_array().unwrap() {
            assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()), "{e}");
        }
    }
);

scenario!(
    signup_with_a_blank_workspace_name_is_refused,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let res = s
            .post_anon(
                "/api/v1/auth/signup",
                signup_body("   ", "Ana", "ana@acme.test"),
            )
            .await;
        assert_eq!(res.problem(422), ["workspace_name"]);
        // Nothing was created: the address is still free.
        s.signup("Acme", "ana@acme.test").await;
    }
);

// --- login --------------------------------------------------------------------------------

scenario!(login_returns_a_session, |backend: Backend| async move {
    let s = TestServer::start(backend).await;
    let owner = s.signup("Acme", "ana@acme.test").await;
    let body = expect(login(&s, " ANA@Acme.test", PASSWORD).await, 200);
    assert_eq!(body["role"], "owner");
    assert_eq!(body["token_type"], "Bearer");
    let session = Session::from(&body);
    assert_eq!(session.user_id, owner.user_id);
    assert_eq!(session.workspace_id, owner.workspace_id);
    assert_ne!(session.refresh, owner.refresh);
    assert_eq!(me(&s, &session.access).await["user"]["id"], owner.user_id);
    expect(refresh(&s, &session.refresh).await, 200);

    let res = s.post_anon("/api/v1/auth/login", json!({"email": 7})).await;
    assert_eq!(sorted(res.problem(422)), ["email", "password"]);
});

scenario!(
    wrong_password_and_unknown_email_answer_alike,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        s.signup("Acme", "ana@acme.test").await;
        let wrong_password = login(&s, "ana@acme.test", "not the password").await;
        let unknown_email = login(&s, "nobody@acme.test", PASSWORD).await;
        wrong_password.problem(401);
        unknown_email.problem(401);
        assert_eq!(wrong_password.body, unknown_email.body);
    }
);

scenario!(
    failed_logins_are_throttled_per_email,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        s.signup("Acme", "ana@acme.test").await;
        s.signup("Bobs", "bob@bobs.test").await;
        // A successful login forgets the failures before it.
        for _ in 0..4 {
            login(&s, "ana@acme.test", "not the password")
                .await
                .problem(401);
        }
        expect(login(&s, "ana@acme.test", PASSWORD).await, 200);

        for _ in 0..5 {
            login(&s, "ana@acme.test", "not the password")
                .await
                .problem(401);
        }
        // Even the right password is refused now, with a hint when to retry.
        let res = login(&s, "ana@acme.test", PASSWORD).await;
        res.problem(429);
        let retry_after: u64 = res
            .header("retry-after")
            .expect("Retry-After header")
            .parse()
            .expect("Retry-After in seconds");
        assert!(retry_after > 0 && retry_after <= 15 * 60, "{retry_after}");
        // Another spelling of the same address is the same key.
        login(&s, "ANA@acme.test", PASSWORD).await.problem(429);
        // Another address is not affected.
        expect(login(&s, "bob@bobs.test", PASSWORD).await, 200);
    }
);

scenario!(
    failed_logins_are_throttled_per_address,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        s.signup("Acme", "ana@acme.test").await;
        // Six addresses, five failures each: thirty failures from this client.
        for i in 0..6 {
            for _ in 0..5 {
                login(&s, &format!("guess{i}@acme.test"), "not the password")
                    .await
                    .problem(401);
            }
        }
        let res = login(&s, "ana@acme.test", PASSWORD).await;
        res.problem(429);
        assert!(res
            .header("retry-after")
            .and_then(|v| v.parse::<u64>().ok())
            .is_some_and(|n| n > 0));
    }
);

// --- refresh and logout -------------------------------------------------------------------

scenario!(
    refresh_rotates_and_detects_reuse,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "ana@acme.test").await;
        // A second, independent login (another family).
        let other = Session::from(&expect(login(&s, "ana@acme.test", PASSWORD).await, 200));

        let first = expect(refresh(&s, &owner.refresh).await, 200);
        let r1 = first["refresh_token"].as_str().unwrap().to_string();
        let a1 = first["access_token"].as_str().unwrap().to_string();
        assert_eq!(first["token_type"], "Bearer");
        assert!(first["expires_in"].as_i64().is_some_and(|n| n > 0));
        assert_ne!(r1, owner.refresh);
        assert_eq!(me(&s, &a1).await["user"]["id"], owner.user_id);

        // The new refresh token works in turn.
        let second = expect(refresh(&s, &r1).await, 200);
        let r2 = second["refresh_token"].as_str().unwrap().to_string();
        assert_ne!(r2, r1);

        // The original, already rotated token comes back: refused, and its family is revoked.
        refresh(&s, &owner.refresh).await.problem(401);
        refresh(&s, &r2).await.problem(401);
        refresh(&s, &r1).await.problem(401);

        // The other login's family is untouched.
        expect(refresh(&s, &other.refresh).await, 200);
    }
);

scenario!(
    an_unknown_refresh_token_is_refused,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        s.signup("Acme", "ana@acme.test").await;
        let res = refresh(&s, "definitely-not-a-refresh-token").await;
        res.problem(401);
        assert_eq!(res.header("www-authenticate").as_deref(), Some("Bearer"));
    }
);

scenario!(
    logout_ends_the_refresh_family,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "ana@acme.test").await;
        let other = Session::from(&expect(login(&s, "ana@acme.test", PASSWORD).await, 200));
        let rotated = expect(refresh(&s, &owner.refresh).await, 200);
        let current = rotated["refresh_token"].as_str().unwrap().to_string();

        let res = s
            .post_anon("/api/v1/auth/logout", json!({"refresh_token": current}))
            .await;
        assert_eq!(res.status, 204, "{}", res.body);
        refresh(&s, &current).await.problem(401);
        // Every token of that login is gone, the rotated one included.
        refresh(&s, &owner.refresh).await.problem(401);
        // Another login's session is not affected, and a fresh login is still possible.
        expect(refresh(&s, &other.refresh).await, 200);
        expect(login(&s, "ana@acme.test", PASSWORD).await, 200);
        // Logging out with an unknown token is harmless.
        let res = s
            .post_anon("/api/v1/auth/logout", json!({"refresh_token": "unknown"}))
            .await;
        assert_eq!(res.status, 204, "{}", res.body);
    }
);

scenario!(
    an_expired_refresh_token_is_refused,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "ana@acme.test").await;
        let db = s.db.clone();
        let uid = owner.user_id;
        tokio::task::spawn_blocking(move || {
            use diesel::prelude::*;
            use storage::schema::refresh_tokens::dsl::{expires_at, refresh_tokens, user_id};
            let past = chrono::Utc::now().naive_utc() - chrono::Duration::minutes(1);
            let n = diesel::update(refresh_tokens.filter(user_id.eq(uid)))
                .set(expires_at.eq(past))
                .execute(&mut *db.connect())
                .unwrap();
            assert_eq!(n, 1);
        })
        .await
        .unwrap();
        refresh(&s, &owner.refresh).await.problem(401);
    }
);

// The same refresh token presented twice at the same moment: at most one exchange succeeds,
// whatever the timing (PostgreSQL re-checks the conditional update after the row lock).
scenario!(
    concurrent_refresh,
    a_refresh_token_is_exchanged_once_under_concurrency
);

async fn a_refresh_token_is_exchanged_once_under_concurrency(backend: Backend) {
    let s = TestServer::start(backend).await;
    s.signup("Acme", "ana@acme.test").await;
    for round in 0..20 {
        let session = Session::from(&expect(login(&s, "ana@acme.test", PASSWORD).await, 200));
        let (a, b) = tokio::join!(refresh(&s, &session.refresh), refresh(&s, &session.refresh));
        let succeeded = [&a, &b].iter().filter(|r| r.status == 200).count();
        assert_eq!(succeeded, 1, "round {round}: {} and {}", a.body, b.body);
    }
}

// --- access tokens ------------------------------------------------------------------------

scenario!(access_tokens_are_checked, |backend: Backend| async move {
    let s = TestServer::start(backend).await;
    let owner = s.signup("Acme", "ana@acme.test").await;

    let missing = anonymous_get(&s, "/api/v1/me").await;
    missing.problem(401);
    assert_eq!(
        missing.header("www-authenticate").as_deref(),
        Some("Bearer")
    );

    let valid = forge(JWT_SECRET, owner.user_id, owner.workspace_id, "owner", 600);
    let body = me(&s, &valid).await;
    assert_eq!(body["user"]["id"], owner.user_id);
    assert_eq!(body["workspace"]["id"], owner.workspace_id);

    let expired = forge(JWT_SECRET, owner.user_id, owner.workspace_id, "owner", -600);
    let res = s.get("/api/v1/me", &expired).await;
    res.problem(401);
    assert_eq!(res.header("www-authenticate").as_deref(), Some("Bearer"));

    let foreign = forge(
        "some-other-secret-entirely-0123456789",
        owner.user_id,
        owner.workspace_id,
        "owner",
        600,
    );
    s.get("/api/v1/me", &foreign).await.problem(401);

    s.get("/api/v1/me", "not.a.jwt").await.problem(401);

    // The valid token's claims under an unsigned `alg: none` header.
    let payload = valid.split('.').nth(1).unwrap();
    let unsigned = format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{payload}.");
    s.get("/api/v1/me", &unsigned).await.problem(401);
});

scenario!(
    the_role_comes_from_the_membership_not_the_token,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "ana@acme.test").await;
        let agent = s.add_member(&owner, "al@acme.test", "agent").await;
        // A validly signed token that claims more than the membership grants.
        let claims_owner = forge(JWT_SECRET, agent.user_id, agent.workspace_id, "owner", 600);
        assert_eq!(me(&s, &claims_owner).await["role"], "agent");
        s.post(
            "/api/v1/invitations",
            &claims_owner,
            json!({"email": "x@acme.test", "role": "agent"}),
        )
        .await
        .problem(403);
        // A token for a workspace the user is not a member of is refused.
        let other = s.signup("Other", "olga@other.test").await;
        let elsewhere = forge(JWT_SECRET, agent.user_id, other.workspace_id, "agent", 600);
        s.get("/api/v1/me", &elsewhere).await.problem(401);
    }
);

// --- switching workspace ------------------------------------------------------------------

scenario!(
    a_member_of_two_workspaces_switches,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let ana = s.signup("Alpha", "ana@alpha.test").await;
        let bo = s.signup("Beta", "bo@beta.test").await;
        let gamma = s.signup("Gamma", "gus@gamma.test").await;

        // Beta's owner invites Ana's address as a manager.
        let inv = expect(
            s.post(
                "/api/v1/invitations",
                &bo.access,
                json!({"email": "Ana@Alpha.test", "role": "manager"}),
            )
            .await,
            201,
        );
        let token = inv["token"].as_str().unwrap().to_string();
        let preview = expect(
            anonymous_get(&s, &format!("/api/v1/invitations/{token}/preview")).await,
            200,
        );
        assert_eq!(preview["existing_account"], true);
        assert_eq!(preview["workspace_name"], "Beta");

        // The token alone does not open Ana's account: her password is needed.
        let accept = format!("/api/v1/invitations/{token}/accept");
        s.post_anon(&accept, json!({"password": "not her password"}))
            .await
            .problem(401);
        let joined = expect(
            s.post_anon(&accept, json!({"password": PASSWORD})).await,
            200,
        );
        assert_eq!(joined["role"], "manager");
        assert_eq!(joined["user"]["id"], ana.user_id);
        assert_eq!(joined["workspace"]["id"], bo.workspace_id);

        // From her Alpha session she switches to Beta.
        let switched = expect(
            s.post(
                "/api/v1/auth/switch-workspace",
                &ana.access,
                json!({"workspace_id": bo.workspace_id}),
            )
            .await,
            200,
        );
        assert_eq!(switched["role"], "manager");
        assert_eq!(switched["workspace"]["id"], bo.workspace_id);
        let in_beta = Session::from(&switched);
        let me_beta = me(&s, &in_beta.access).await;
        assert_eq!(me_beta["workspace"]["id"], bo.workspace_id);
        assert_eq!(me_beta["workspace"]["name"], "Beta");
        assert_eq!(me_beta["role"], "manager");
        assert_eq!(me_beta["user"]["id"], ana.user_id);
        let mut workspaces: Vec<(i64, String)> = me_beta["workspaces"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| {
                (
                    w["id"].as_i64().unwrap(),
                    w["role"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        workspaces.sort();
        let mut expected = vec![
            (ana.workspace_id, "owner".to_string()),
            (bo.workspace_id, "manager".to_string()),
        ];
        expected.sort();
        assert_eq!(workspaces, expected);

        // The Alpha session still acts in Alpha as owner.
        let me_alpha = me(&s, &ana.access).await;
        assert_eq!(me_alpha["workspace"]["id"], ana.workspace_id);
        assert_eq!(me_alpha["role"], "owner");
        // The switched session's refresh token stays in Beta.
        let renewed = expect(refresh(&s, &in_beta.refresh).await, 200);
        let renewed_me = me(&s, renewed["access_token"].as_str().unwrap()).await;
        assert_eq!(renewed_me["workspace"]["id"], bo.workspace_id);

        // Not a member of Gamma.
        s.post(
            "/api/v1/auth/switch-workspace",
            &ana.access,
            json!({"workspace_id": gamma.workspace_id}),
        )
        .await
        .problem(404);

        // Login picks the first workspace unless told otherwise.
        let first = expect(login(&s, "ana@alpha.test", PASSWORD).await, 200);
        assert_eq!(first["workspace"]["id"], ana.workspace_id);
        let chosen = expect(login_to(&s, "ana@alpha.test", bo.workspace_id).await, 200);
        assert_eq!(chosen["workspace"]["id"], bo.workspace_id);
        assert_eq!(chosen["role"], "manager");
        login_to(&s, "ana@alpha.test", gamma.workspace_id)
            .await
            .problem(403);
    }
);

// --- throttling under pressure -----------------------------------------------------------

// Accepting an invitation with an existing account checks that account's password, so the
// inviter (who holds the token) must not get unlimited guesses there either.
scenario!(accept_throttle, wrong_passwords_at_accept_are_throttled);

async fn wrong_passwords_at_accept_are_throttled(backend: Backend) {
    let s = TestServer::start(backend).await;
    s.signup("Alpha", "ana@alpha.test").await;
    let mallory = s.signup("Beta", "mallory@beta.test").await;
    let inv = expect(
        s.post(
            "/api/v1/invitations",
            &mallory.access,
            json!({"email": "ana@alpha.test", "role": "agent"}),
        )
        .await,
        201,
    );
    let accept = format!(
        "/api/v1/invitations/{}/accept",
        inv["token"].as_str().unwrap()
    );
    for guess in 0..5 {
        s.post_anon(
            &accept,
            json!({"password": format!("guess number {guess}")}),
        )
        .await
        .problem(401);
    }
    // Five wrong passwords for this account: further guesses wait, as they do at login.
    let res = s.post_anon(&accept, json!({"password": PASSWORD})).await;
    res.problem(429);
    assert!(res
        .header("retry-after")
        .and_then(|v| v.parse::<u64>().ok())
        .is_some_and(|n| n > 0));
}

// Guesses sent in parallel count as much as guesses sent one by one: no more than five
// passwords are tried per e-mail and window.
scenario!(parallel_guesses, parallel_guesses_are_throttled_too);

async fn parallel_guesses_are_throttled_too(backend: Backend) {
    let s = TestServer::start(backend).await;
    s.signup("Acme", "ana@acme.test").await;
    let guesses = (0..20).map(|i| {
        let s = &s;
        async move { login(s, "ana@acme.test", &format!("guess number {i}")).await }
    });
    let answers = futures_util::future::join_all(guesses).await;
    let checked = answers.iter().filter(|r| r.status == 401).count();
    let throttled = answers.iter().filter(|r| r.status == 429).count();
    assert_eq!(checked + throttled, 20);
    assert!(
        checked <= 5,
        "{checked} of 20 parallel guesses were checked"
    );
}
