//! Diesel table definitions, written by hand to match both `migrations/` folders.

diesel::table! {
    workspaces (id) {
        id -> BigInt,
        name -> Text,
        timezone -> Text,
        closing_notes_mode -> Text,
        unassign_on_close -> Bool,
        auto_close_after_minutes -> Nullable<BigInt>,
        business_hours -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        email -> Text,
        name -> Text,
        password_hash -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    teams (id) {
        id -> BigInt,
        workspace_id -> BigInt,
        name -> Text,
        description -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    memberships (id) {
        id -> BigInt,
        workspace_id -> BigInt,
        user_id -> BigInt,
        role -> Text,
        team_id -> Nullable<BigInt>,
        status -> Text,
        contact_visibility -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        workspace_id -> BigInt,
        family -> Text,
        token_hash -> Text,
        expires_at -> Timestamp,
        replaced_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    invitations (id) {
        id -> BigInt,
        workspace_id -> BigInt,
        email -> Text,
        role -> Text,
        team_id -> Nullable<BigInt>,
        token_hash -> Text,
        invited_by -> Nullable<BigInt>,
        expires_at -> Timestamp,
        accepted_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> BigInt,
        workspace_id -> BigInt,
        name -> Text,
        prefix -> Text,
        token_hash -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    events (id) {
        id -> BigInt,
        workspace_id -> BigInt,
        event_type -> Text,
        subject_type -> Text,
        subject_id -> Nullable<BigInt>,
        payload -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    event_tickets (id) {
        id -> BigInt,
        ticket_hash -> Text,
        workspace_id -> BigInt,
        user_id -> Nullable<BigInt>,
        api_token_id -> Nullable<BigInt>,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    jobs (id) {
        id -> BigInt,
        workspace_id -> Nullable<BigInt>,
        kind -> Text,
        payload -> Text,
        status -> Text,
        run_at -> Timestamp,
        attempts -> Integer,
        max_attempts -> Integer,
        locked_by -> Nullable<Text>,
        locked_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    idempotency_keys (id) {
        id -> BigInt,
        scope -> Text,
        idem_key -> Text,
        request_hash -> Text,
        status_code -> Nullable<Integer>,
        content_type -> Nullable<Text>,
        response_body -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    auth_failures (id) {
        id -> BigInt,
        throttle_key -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(memberships -> users (user_id));
diesel::joinable!(memberships -> workspaces (workspace_id));
diesel::joinable!(memberships -> teams (team_id));
diesel::joinable!(api_tokens -> users (created_by));

diesel::allow_tables_to_appear_in_same_query!(
    workspaces,
    users,
    teams,
    memberships,
    refresh_tokens,
    invitations,
    api_tokens,
    events,
    event_tickets,
    jobs,
    idempotency_keys,
    auth_failures,
);
