use scenario_tests::{json, scenario, Backend, TestServer};

scenario!(signup_then_me, |backend: Backend| async move {
    let s = TestServer::start(backend).await;
    let owner = s.signup("Acme", "ana@acme.test").await;
    let me = s.get("/api/v1/me", &owner.access).await;
    assert_eq!(me.status, 200, "{}", me.body);
    assert_eq!(me.body["role"], "owner");
    assert_eq!(me.body["user"]["email"], "ana@acme.test");
    let _ = json!({});
});
