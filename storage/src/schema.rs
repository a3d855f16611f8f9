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

diesel::table! {
    contacts (id) {
        id -> BigInt,
        workspace_id -> BigInt,
        first_name -> Text,
        last_name -> Nullable<Text>,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        language -> Nullable<Text>,
        country -> Nullable<Text>,
        profile_pic -> Nullable<Text>,
        assignee_id -> Nullable<BigInt>,
        search_name -> Text,
        phone_digits -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        last_interaction_at -> Nullable<Timestamp>,
        conversation_id -> Nullable<BigInt>,
        conversation_status -> Nullable<Text>,
        last_message_id -> Nullable<BigInt>,
        last_incoming_message_id -> Nullable<BigInt>,
        waiting_since -> Nullable<Timestamp>,
        last_channel_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    contact_fields (id) {
        id -> BigInt,
        workspace_id -> BigInt,
        field_key -> Text,
        name -> Text,
        field_type -> Text,
        options -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    contact_field_values (id) {
        id -> BigInt,
        workspace_id -> BigInt,
        contact_id -> BigInt,
        field_id -> BigInt,
        value -> Text,
    }
}

diesel::table! {
    tags (id) {
        id -> BigInt,
        workspace_id -> BigInt,
        name -> Text,
        name_key -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    contact_tags (id) {
        id -> BigInt,
        workspace_id -> BigInt,
        contact_id -> BigInt,
        tag_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    contact_activity (id) {
        id -> BigInt,
        workspace_id -> BigInt,
        contact_id -> BigInt,
        kind -> Text,
        detail -> Text,
        actor_type -> Text,
        actor_id -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    channels (id) {
        id -> BigInt,
        workspace_id -> BigInt,
        kind -> Text,
        name -> Text,
        config -> Text,
        secret -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        public_key -> Nullable<Text>,
    }
}

diesel::table! {
    contact_channels (id) {
        id -> BigInt,
        workspace_id -> BigInt,
        contact_id -> BigInt,
        channel_id -> BigInt,
        external_id -> Text,
        last_incoming_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// Six-digit runs of each contact's phone digits (kept by triggers): phone search.
    contact_phone_grams (workspace_id, gram, contact_id) {
        workspace_id -> BigInt,
        gram -> Text,
        contact_id -> BigInt,
    }
}

diesel::table! {
    closing_note_categories (id) {
        id -> BigInt,
        workspace_id -> BigInt,
        name -> Text,
        description -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    conversations (id) {
        id -> BigInt,
        workspace_id -> BigInt,
        contact_id -> BigInt,
        status -> Text,
        opened_at -> Timestamp,
        opened_source -> Text,
        opened_by -> Nullable<BigInt>,
        closed_at -> Nullable<Timestamp>,
        closed_source -> Nullable<Text>,
        closed_by -> Nullable<BigInt>,
        category -> Nullable<Text>,
        summary -> Nullable<Text>,
        assignee_id -> Nullable<BigInt>,
        first_response_at -> Nullable<Timestamp>,
        first_response_by -> Nullable<BigInt>,
        first_response_seconds -> Nullable<BigInt>,
        resolution_seconds -> Nullable<BigInt>,
        incoming_count -> BigInt,
        outgoing_count -> BigInt,
        source_url -> Nullable<Text>,
        source_referrer -> Nullable<Text>,
    }
}

diesel::table! {
    web_chat_visitors (id) {
        id -> BigInt,
        workspace_id -> BigInt,
        channel_id -> BigInt,
        external_id -> Text,
        token_hash -> Text,
        page_url -> Nullable<Text>,
        referrer -> Nullable<Text>,
        welcomed_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
    }
}

diesel::table! {
    files (id) {
        id -> BigInt,
        workspace_id -> BigInt,
        name -> Text,
        mime -> Text,
        size -> BigInt,
        storage_key -> Text,
        sha256 -> Text,
        source -> Text,
        uploaded_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    messages (id) {
        id -> BigInt,
        workspace_id -> BigInt,
        contact_id -> BigInt,
        conversation_id -> Nullable<BigInt>,
        channel_id -> Nullable<BigInt>,
        direction -> Text,
        sender_type -> Text,
        sender_id -> Nullable<BigInt>,
        msg_type -> Text,
        text -> Nullable<Text>,
        file_id -> Nullable<BigInt>,
        attachment -> Nullable<Text>,
        template -> Nullable<Text>,
        status -> Text,
        error -> Nullable<Text>,
        provider_id -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    comments (id) {
        id -> BigInt,
        workspace_id -> BigInt,
        contact_id -> BigInt,
        author_type -> Text,
        author_id -> Nullable<BigInt>,
        text -> Text,
        mentions -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    notifications (id) {
        id -> BigInt,
        workspace_id -> BigInt,
        user_id -> BigInt,
        kind -> Text,
        contact_id -> Nullable<BigInt>,
        actor_type -> Text,
        actor_id -> Nullable<BigInt>,
        detail -> Text,
        read_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    snippets (id) {
        id -> BigInt,
        workspace_id -> BigInt,
        name -> Text,
        content -> Text,
        file_ids -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    custom_inboxes (id) {
        id -> BigInt,
        workspace_id -> BigInt,
        name -> Text,
        owner_id -> Nullable<BigInt>,
        filters -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    contact_reads (id) {
        id -> BigInt,
        workspace_id -> BigInt,
        user_id -> BigInt,
        contact_id -> BigInt,
        last_read_message_id -> BigInt,
        read_at -> Timestamp,
    }
}

diesel::joinable!(memberships -> users (user_id));
diesel::joinable!(memberships -> workspaces (workspace_id));
diesel::joinable!(memberships -> teams (team_id));
diesel::joinable!(api_tokens -> users (created_by));
diesel::joinable!(contacts -> users (assignee_id));
diesel::joinable!(contact_field_values -> contact_fields (field_id));
diesel::joinable!(contact_tags -> tags (tag_id));
diesel::joinable!(contact_channels -> channels (channel_id));
diesel::joinable!(contact_channels -> contacts (contact_id));
diesel::joinable!(messages -> files (file_id));
diesel::joinable!(conversations -> contacts (contact_id));
diesel::joinable!(web_chat_visitors -> channels (channel_id));

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
    contacts,
    contact_fields,
    contact_field_values,
    tags,
    contact_tags,
    contact_activity,
    channels,
    contact_channels,
    contact_phone_grams,
    closing_note_categories,
    conversations,
    files,
    messages,
    comments,
    notifications,
    snippets,
    custom_inboxes,
    contact_reads,
    web_chat_visitors,
);
