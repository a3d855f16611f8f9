//! Workspace settings (`/api/v1/workspace`): defaults, changes, validation and who may change.

use scenario_tests::{json, scenario, Backend, TestServer};
use serde_json::Value;

/// The settings fields of a workspace answer (without timestamps).
fn settings(v: &Value) -> Value {
    json!({
        "id": v["id"],
        "name": v["name"],
        "timezone": v["timezone"],
        "closing_notes_mode": v["closing_notes_mode"],
        "unassign_on_close": v["unassign_on_close"],
        "auto_close_after_minutes": v["auto_close_after_minutes"],
        "business_hours": v["business_hours"],
    })
}

scenario!(
    every_member_reads_the_defaults,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme Support", "owner@acme.test").await;
        let agent = s.add_member(&owner, "agent@acme.test", "agent").await;

        for who in [&owner.access, &agent.access] {
            let res = s.get("/api/v1/workspace", who).await;
            assert_eq!(res.status, 200, "{}", res.body);
            let w = &res.body;
            assert_eq!(w["id"], owner.workspace_id);
            assert_eq!(w["name"], "Acme Support");
            assert_eq!(w["timezone"], "UTC");
            assert_eq!(w["closing_notes_mode"], "optional");
            assert_eq!(w["unassign_on_close"], false);
            assert!(
                w.get("auto_close_after_minutes")
                    .is_some_and(Value::is_null),
                "{w}"
            );
            assert_eq!(
                w["business_hours"],
                json!({"enabled": false, "intervals": []})
            );
            assert!(
                w["created_at"].is_string() && w["updated_at"].is_string(),
                "{w}"
            );
        }

        let res = s
            .call(reqwest::Method::GET, "/api/v1/workspace", None, None)
            .await;
        res.problem(401);
    }
);

scenario!(owner_changes_every_setting, |backend: Backend| async move {
    let s = TestServer::start(backend).await;
    let owner = s.signup("Acme", "owner@acme.test").await;
    let hours = json!({
        "enabled": true,
        "intervals": [
            {"day": "monday", "start": "09:00", "end": "17:30"},
            {"day": "friday", "start": "20:00", "end": "24:00"},
            {"day": "sunday", "start": "00:00", "end": "00:30"},
        ]
    });
    let res = s
        .patch(
            "/api/v1/workspace",
            &owner.access,
            json!({
                "name": "Acme Malaysia",
                "timezone": "Asia/Kuala_Lumpur",
                "closing_notes_mode": "category_required",
                "unassign_on_close": true,
                "auto_close_after_minutes": 120,
                "business_hours": hours,
            }),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let expected = json!({
        "id": owner.workspace_id,
        "name": "Acme Malaysia",
        "timezone": "Asia/Kuala_Lumpur",
        "closing_notes_mode": "category_required",
        "unassign_on_close": true,
        "auto_close_after_minutes": 120,
        "business_hours": hours,
    });
    assert_eq!(settings(&res.body), expected);

    let again = s.get("/api/v1/workspace", &owner.access).await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(settings(&again.body), expected);

    // An empty patch changes nothing.
    let res = s.patch("/api/v1/workspace", &owner.access, json!({})).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(settings(&res.body), expected);

    // null clears auto-close; absent fields stay.
    let res = s
        .patch(
            "/api/v1/workspace",
            &owner.access,
            json!({"auto_close_after_minutes": null}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let mut cleared = expected.clone();
    cleared["auto_close_after_minutes"] = Value::Null;
    assert_eq!(settings(&res.body), cleared);
    let again = s.get("/api/v1/workspace", &owner.access).await;
    assert_eq!(settings(&again.body), cleared);

    // One field at a time leaves the others.
    let res = s
        .patch(
            "/api/v1/workspace",
            &owner.access,
            json!({"closing_notes_mode": "disabled", "business_hours": {"enabled": false, "intervals": []}}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let mut next = cleared.clone();
    next["closing_notes_mode"] = json!("disabled");
    next["business_hours"] = json!({"enabled": false, "intervals": []});
    let again = s.get("/api/v1/workspace", &owner.access).await;
    assert_eq!(settings(&again.body), next);
});

/// PATCHes `body` as `token`, expects 422, and returns the sorted offending field names.
async fn refused_fields(s: &TestServer, token: &str, body: Value) -> Vec<String> {
    let res = s.patch("/api/v1/workspace", token, body).await;
    let mut fields = res.problem(422);
    fields.sort();
    fields
}

scenario!(
    invalid_settings_name_every_field,
    |backend: Backend| async move {
        // An unknown enum value plus value errors (time zone, range, interval order) in one
        // body: every offending field is named at once, and nothing changes.
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let before = s.get("/api/v1/workspace", &owner.access).await;

        let res = s
            .patch(
                "/api/v1/workspace",
                &owner.access,
                json!({
                    "timezone": "Mars/Base",
                    "auto_close_after_minutes": 0,
                    "closing_notes_mode": "sometimes",
                    "business_hours": {"enabled": true, "intervals": [
                        {"day": "monday", "start": "17:00", "end": "09:00"}
                    ]},
                }),
            )
            .await;
        let after = s.get("/api/v1/workspace", &owner.access).await;
        assert_eq!(settings(&after.body), settings(&before.body));
        assert_eq!(after.body["updated_at"], before.body["updated_at"]);

        let mut fields = res.problem(422);
        fields.sort();
        assert_eq!(
            fields,
            [
                "auto_close_after_minutes",
                "business_hours.intervals[0].end",
                "closing_notes_mode",
                "timezone"
            ],
            "{}",
            res.body
        );
    }
);

scenario!(
    bad_nested_values_name_their_field,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let mode = refused_fields(
            &s,
            &owner.access,
            json!({"closing_notes_mode": "sometimes"}),
        )
        .await;
        let day = refused_fields(
            &s,
            &owner.access,
            json!({"business_hours": {"enabled": true, "intervals": [
                {"day": "funday", "start": "09:00", "end": "17:00"}
            ]}}),
        )
        .await;
        let missing = refused_fields(
            &s,
            &owner.access,
            json!({"business_hours": {"intervals": []}}),
        )
        .await;
        assert_eq!(
            (mode, day, missing),
            (
                vec!["closing_notes_mode".to_string()],
                vec!["business_hours.intervals[0].day".to_string()],
                vec!["business_hours.enabled".to_string()],
            )
        );
    }
);

scenario!(
    shape_and_value_errors_come_together,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let fields = refused_fields(
            &s,
            &owner.access,
            json!({"unassign_on_close": "yes", "timezone": "Mars/Base", "auto_close_after_minutes": 0}),
        )
        .await;
        assert_eq!(
            fields,
            ["auto_close_after_minutes", "timezone", "unassign_on_close"]
        );
    }
);

scenario!(
    invalid_values_are_all_named_and_nothing_changes,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let before = s.get("/api/v1/workspace", &owner.access).await;

        let fields = refused_fields(
            &s,
            &owner.access,
            json!({
                "name": "Renamed",
                "timezone": "Mars/Base",
                "auto_close_after_minutes": 0,
                "unassign_on_close": true,
                "business_hours": {"enabled": true, "intervals": [
                    {"day": "monday", "start": "09:00", "end": "17:00"},
                    {"day": "tuesday", "start": "17:00", "end": "09:00"},
                    {"day": "wednesday", "start": "9am", "end": "10:00"},
                ]},
            }),
        )
        .await;
        assert_eq!(
            fields,
            [
                "auto_close_after_minutes",
                "business_hours.intervals[1].end",
                "business_hours.intervals[2].start",
                "timezone"
            ]
        );

        let fields = refused_fields(
            &s,
            &owner.access,
            json!({"auto_close_after_minutes": 129_601, "name": "  "}),
        )
        .await;
        assert_eq!(fields, ["auto_close_after_minutes", "name"]);
        let fields = refused_fields(
            &s,
            &owner.access,
            json!({"unassign_on_close": "yes", "auto_close_after_minutes": "soon"}),
        )
        .await;
        assert_eq!(fields, ["auto_close_after_minutes", "unassign_on_close"]);

        let fields = refused_fields(
            &s,
            &owner.access,
            json!({"closing_notes_mode": "sometimes", "unassign_on_close": true}),
        )
        .await;
        assert_eq!(fields, ["closing_notes_mode"]);
        // Shape and value errors together are refused as a whole (that every field is then
        // named: see invalid_settings_name_every_field).
        let fields = refused_fields(
            &s,
            &owner.access,
            json!({
                "timezone": "Mars/Base",
                "auto_close_after_minutes": 0,
                "closing_notes_mode": "sometimes",
                "business_hours": {"enabled": true, "intervals": [
                    {"day": "monday", "start": "17:00", "end": "09:00"}
                ]},
            }),
        )
        .await;
        assert!(
            fields.contains(&"closing_notes_mode".to_string()),
            "{fields:?}"
        );

        let after = s.get("/api/v1/workspace", &owner.access).await;
        assert_eq!(settings(&after.body), settings(&before.body));
        assert_eq!(after.body["updated_at"], before.body["updated_at"]);

        // The range's edges are accepted.
        for minutes in [1, 129_600] {
            let res = s
                .patch(
                    "/api/v1/workspace",
                    &owner.access,
                    json!({"auto_close_after_minutes": minutes}),
                )
                .await;
            assert_eq!(res.status, 200, "{}", res.body);
            assert_eq!(res.body["auto_close_after_minutes"], minutes);
        }
    }
);

scenario!(
    agents_cannot_change_settings_managers_can,
    |backend: Backend| async move {
        let s = TestServer::start(backend).await;
        let owner = s.signup("Acme", "owner@acme.test").await;
        let agent = s.add_member(&owner, "agent@acme.test", "agent").await;
        let manager = s.add_member(&owner, "manager@acme.test", "manager").await;
        let before = s.get("/api/v1/workspace", &owner.access).await;

        let res = s
            .patch(
                "/api/v1/workspace",
                &agent.access,
                json!({"timezone": "Europe/Berlin", "unassign_on_close": true}),
            )
            .await;
        res.problem(403);
        let after = s.get("/api/v1/workspace", &owner.access).await;
        assert_eq!(settings(&after.body), settings(&before.body));

        let res = s
            .patch(
                "/api/v1/workspace",
                &manager.access,
                json!({"timezone": "Europe/Berlin", "unassign_on_close": true}),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["timezone"], "Europe/Berlin");
        assert_eq!(res.body["unassign_on_close"], true);
        let seen_by_agent = s.get("/api/v1/workspace", &agent.access).await;
        assert_eq!(seen_by_agent.body["timezone"], "Europe/Berlin");
        assert_eq!(seen_by_agent.body["unassign_on_close"], true);
    }
);
