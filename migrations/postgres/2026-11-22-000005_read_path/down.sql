DROP INDEX IF EXISTS contacts_phone_digits_trgm;
DROP INDEX IF EXISTS contacts_search_name_trgm;
DROP INDEX comments_contact_time;
CREATE INDEX comments_contact ON comments (contact_id, id);
DROP INDEX messages_contact_time;
CREATE INDEX messages_contact ON messages (contact_id, id);
