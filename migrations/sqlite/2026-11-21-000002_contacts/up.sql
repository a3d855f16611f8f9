-- Contacts with their custom field values, tags and activity history.
-- Keep in step with migrations/postgres.

CREATE TABLE contacts (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    first_name TEXT NOT NULL DEFAULT '',
    last_name TEXT,
    email TEXT,
    phone TEXT,
    language TEXT,
    country TEXT,
    profile_pic TEXT,
    assignee_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    -- Lower-cased "first last" and the phone's digits: searchable alike on both backends.
    search_name TEXT NOT NULL DEFAULT '',
    phone_digits TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    last_interaction_at TIMESTAMP
);
CREATE INDEX contacts_workspace ON contacts (workspace_id, id);
CREATE INDEX contacts_email ON contacts (workspace_id, email);
CREATE INDEX contacts_phone ON contacts (workspace_id, phone);
CREATE INDEX contacts_assignee ON contacts (workspace_id, assignee_id, id);

CREATE TABLE contact_fields (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    field_key TEXT NOT NULL,
    name TEXT NOT NULL,
    field_type TEXT NOT NULL,
    options TEXT NOT NULL DEFAULT '[]',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (workspace_id, field_key)
);

CREATE TABLE contact_field_values (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    contact_id BIGINT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    field_id BIGINT NOT NULL REFERENCES contact_fields(id) ON DELETE CASCADE,
    value TEXT NOT NULL,
    UNIQUE (contact_id, field_id)
);
CREATE INDEX contact_field_values_field ON contact_field_values (field_id);

CREATE TABLE tags (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    -- Lower-cased name: tags are unique without regard to case.
    name_key TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (workspace_id, name_key)
);

CREATE TABLE contact_tags (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    contact_id BIGINT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    tag_id BIGINT NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (contact_id, tag_id)
);
CREATE INDEX contact_tags_tag ON contact_tags (tag_id, contact_id);

CREATE TABLE contact_activity (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    contact_id BIGINT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL,
    actor_type TEXT NOT NULL,
    actor_id BIGINT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX contact_activity_contact ON contact_activity (contact_id, id);
