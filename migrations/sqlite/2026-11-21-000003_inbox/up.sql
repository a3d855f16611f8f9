-- The inbox: channels and the contacts' identities on them, conversations, messages, private
-- notes, notifications, files, snippets, closing-note categories, custom inboxes, read marks.
-- Keep in step with migrations/postgres.

CREATE TABLE channels (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    -- Settings that may be shown (JSON); secrets live in `secret`, encrypted.
    config TEXT NOT NULL DEFAULT '{}',
    secret TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX channels_workspace ON channels (workspace_id, id);

-- A contact's identity on a channel: a phone number or the provider's own id.
CREATE TABLE contact_channels (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    contact_id BIGINT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    channel_id BIGINT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    external_id TEXT NOT NULL,
    -- The contact's latest message on this channel: it opens and closes messaging windows.
    last_incoming_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (channel_id, external_id)
);
CREATE INDEX contact_channels_contact ON contact_channels (contact_id, id);

CREATE TABLE closing_note_categories (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (workspace_id, name)
);

CREATE TABLE conversations (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    contact_id BIGINT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    opened_at TIMESTAMP NOT NULL,
    opened_source TEXT NOT NULL,
    opened_by BIGINT,
    closed_at TIMESTAMP,
    closed_source TEXT,
    closed_by BIGINT,
    -- The category's name, kept when the category is deleted later.
    category TEXT,
    summary TEXT,
    -- The contact's assignee when the conversation closed.
    assignee_id BIGINT,
    first_response_at TIMESTAMP,
    first_response_by BIGINT,
    first_response_seconds BIGINT,
    resolution_seconds BIGINT,
    incoming_count BIGINT NOT NULL DEFAULT 0,
    outgoing_count BIGINT NOT NULL DEFAULT 0
);
-- At most one open conversation per contact.
CREATE UNIQUE INDEX conversations_one_open ON conversations (contact_id) WHERE status = 'open';
CREATE INDEX conversations_contact ON conversations (contact_id, id);
CREATE INDEX conversations_closed ON conversations (workspace_id, closed_at);

CREATE TABLE files (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    mime TEXT NOT NULL,
    size BIGINT NOT NULL,
    -- Where the bytes are, relative to the file store's root.
    storage_key TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    -- `upload` (file library) or `inbound` (received from a contact).
    source TEXT NOT NULL,
    uploaded_by BIGINT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX files_workspace ON files (workspace_id, source, id);

CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    contact_id BIGINT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    conversation_id BIGINT REFERENCES conversations(id) ON DELETE SET NULL,
    channel_id BIGINT REFERENCES channels(id) ON DELETE SET NULL,
    -- `incoming` or `outgoing`.
    direction TEXT NOT NULL,
    -- contact, user, workflow, api, broadcast, echo (sent from outside the platform).
    sender_type TEXT NOT NULL,
    sender_id BIGINT,
    msg_type TEXT NOT NULL,
    text TEXT,
    file_id BIGINT REFERENCES files(id) ON DELETE SET NULL,
    -- JSON: attachment type, URL, name, MIME, voice-note flag, or why fetching it failed.
    attachment TEXT,
    template TEXT,
    -- received | pending | sent | delivered | read | failed
    status TEXT NOT NULL,
    error TEXT,
    -- The provider's message id (`mId`): unique per channel, so replays store nothing twice.
    provider_id TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX messages_provider ON messages (channel_id, provider_id);
CREATE INDEX messages_contact ON messages (contact_id, id);
CREATE INDEX messages_conversation ON messages (conversation_id);

CREATE TABLE comments (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    contact_id BIGINT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    author_type TEXT NOT NULL,
    author_id BIGINT,
    text TEXT NOT NULL,
    -- JSON array of mentioned user ids.
    mentions TEXT NOT NULL DEFAULT '[]',
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX comments_contact ON comments (contact_id, id);

CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    -- `assigned` or `mentioned`.
    kind TEXT NOT NULL,
    contact_id BIGINT REFERENCES contacts(id) ON DELETE CASCADE,
    actor_type TEXT NOT NULL,
    actor_id BIGINT,
    detail TEXT NOT NULL DEFAULT '{}',
    read_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX notifications_user ON notifications (workspace_id, user_id, id);

CREATE TABLE snippets (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    content TEXT NOT NULL,
    -- JSON array of file ids from the file library.
    file_ids TEXT NOT NULL DEFAULT '[]',
    created_by BIGINT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (workspace_id, name)
);

CREATE TABLE custom_inboxes (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    -- The member it belongs to; NULL for one shared with the whole workspace.
    owner_id BIGINT REFERENCES users(id) ON DELETE CASCADE,
    -- JSON of the inbox filters.
    filters TEXT NOT NULL,
    created_by BIGINT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX custom_inboxes_workspace ON custom_inboxes (workspace_id, id);

-- How far each user has read each contact's thread.
CREATE TABLE contact_reads (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    contact_id BIGINT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    last_read_message_id BIGINT NOT NULL,
    read_at TIMESTAMP NOT NULL,
    UNIQUE (user_id, contact_id)
);
CREATE INDEX contact_reads_contact ON contact_reads (contact_id);

-- The thread state of each contact, kept with every message so the inbox reads one table.
ALTER TABLE contacts ADD COLUMN conversation_id BIGINT;
ALTER TABLE contacts ADD COLUMN conversation_status TEXT;
ALTER TABLE contacts ADD COLUMN last_message_id BIGINT;
ALTER TABLE contacts ADD COLUMN last_incoming_message_id BIGINT;
-- Since when the contact waits for an answer (NULL once someone replied).
ALTER TABLE contacts ADD COLUMN waiting_since TIMESTAMP;
-- The channel the contact last wrote on: replies go there unless told otherwise.
ALTER TABLE contacts ADD COLUMN last_channel_id BIGINT;
CREATE INDEX contacts_inbox ON contacts (workspace_id, conversation_status, last_interaction_at, id);
CREATE INDEX contacts_inbox_assignee ON contacts (workspace_id, assignee_id, conversation_status, last_interaction_at, id);
