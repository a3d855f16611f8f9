-- The read path at scale (issue 6).

-- The timeline reads each source newest first by (created_at, id) within one contact.
DROP INDEX messages_contact;
CREATE INDEX messages_contact_time ON messages (contact_id, created_at, id);
DROP INDEX comments_contact;
CREATE INDEX comments_contact_time ON comments (contact_id, created_at, id);

-- Contact search matches substrings of names and phone digits. A trigram full-text index
-- (external content: it stores only the index, the text stays in `contacts`) finds them
-- without reading every contact; triggers keep it in step with every write to `contacts`.
CREATE VIRTUAL TABLE contacts_search USING fts5(
    search_name, phone_digits,
    content = 'contacts', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO contacts_search (contacts_search) VALUES ('rebuild');

CREATE TRIGGER contacts_search_insert AFTER INSERT ON contacts BEGIN
    INSERT INTO contacts_search (rowid, search_name, phone_digits)
    VALUES (new.id, new.search_name, new.phone_digits);
END;
CREATE TRIGGER contacts_search_delete AFTER DELETE ON contacts BEGIN
    INSERT INTO contacts_search (contacts_search, rowid, search_name, phone_digits)
    VALUES ('delete', old.id, old.search_name, old.phone_digits);
END;
CREATE TRIGGER contacts_search_update AFTER UPDATE OF search_name, phone_digits ON contacts BEGIN
    INSERT INTO contacts_search (contacts_search, rowid, search_name, phone_digits)
    VALUES ('delete', old.id, old.search_name, old.phone_digits);
    INSERT INTO contacts_search (rowid, search_name, phone_digits)
    VALUES (new.id, new.search_name, new.phone_digits);
END;
