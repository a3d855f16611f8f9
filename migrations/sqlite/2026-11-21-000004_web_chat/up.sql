-- The website chat widget: a channel's public key (what the embed snippet names), its
-- anonymous visitors, and where each conversation started (page URL and referrer).
-- Keep in step with migrations/postgres.

-- Public, non-guessable key of a web_chat channel; NULL for other kinds.
ALTER TABLE channels ADD COLUMN public_key TEXT;
CREATE UNIQUE INDEX channels_public_key ON channels (public_key);

-- The page a conversation started on, and the page that led there.
ALTER TABLE conversations ADD COLUMN source_url TEXT;
ALTER TABLE conversations ADD COLUMN source_referrer TEXT;

-- An anonymous visitor of a web_chat channel. `external_id` is the visitor's identity on
-- the channel (contact_channels.external_id once they have a contact); the token the
-- browser keeps is stored hashed.
CREATE TABLE web_chat_visitors (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    channel_id BIGINT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    external_id TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    -- The page and referrer of the visitor's latest session start.
    page_url TEXT,
    referrer TEXT,
    -- When the channel's greeting was posted for this visitor (welcome_event), once.
    welcomed_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    UNIQUE (channel_id, external_id)
);
CREATE UNIQUE INDEX web_chat_visitors_token ON web_chat_visitors (token_hash);
