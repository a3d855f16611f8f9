DROP TABLE web_chat_visitors;
ALTER TABLE conversations DROP COLUMN source_referrer;
ALTER TABLE conversations DROP COLUMN source_url;
DROP INDEX channels_public_key;
ALTER TABLE channels DROP COLUMN public_key;
