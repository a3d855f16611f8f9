DROP TRIGGER contacts_search_update;
DROP TRIGGER contacts_search_delete;
DROP TRIGGER contacts_search_insert;
DROP TABLE contacts_search;
DROP INDEX comments_contact_time;
CREATE INDEX comments_contact ON comments (contact_id, id);
DROP INDEX messages_contact_time;
CREATE INDEX messages_contact ON messages (contact_id, id);
