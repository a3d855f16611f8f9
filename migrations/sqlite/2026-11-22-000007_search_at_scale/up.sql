-- Phone search (issue 6). A number searched for shares its leading digits (country and area
-- code) with most contacts, and a trigram match reads every contact those trigrams index.
-- Every six-digit run of a contact's phone digits is kept here, so a search of six digits or
-- more looks up the contacts holding its last six, a handful, and checks the rest of the
-- term on those alone. Triggers keep it in step with contacts.phone_digits on every path.
CREATE TABLE contact_phone_grams (
    workspace_id BIGINT NOT NULL,
    gram TEXT NOT NULL,
    contact_id BIGINT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    PRIMARY KEY (workspace_id, gram, contact_id)
) WITHOUT ROWID;
CREATE INDEX contact_phone_grams_contact ON contact_phone_grams (contact_id);

-- Positions 1..40 of the digits (json_each: SQLite allows no WITH inside a trigger).
INSERT OR IGNORE INTO contact_phone_grams (workspace_id, gram, contact_id)
SELECT c.workspace_id, substr(c.phone_digits, p.value, 6), c.id
FROM contacts c, json_each('[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40]') p
WHERE p.value + 5 <= length(c.phone_digits);

CREATE TRIGGER contact_phone_grams_insert AFTER INSERT ON contacts
WHEN new.phone_digits IS NOT NULL BEGIN
    INSERT OR IGNORE INTO contact_phone_grams (workspace_id, gram, contact_id)
    SELECT new.workspace_id, substr(new.phone_digits, p.value, 6), new.id
    FROM json_each('[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40]') p
    WHERE p.value + 5 <= length(new.phone_digits);
END;

CREATE TRIGGER contact_phone_grams_update AFTER UPDATE OF phone_digits ON contacts
WHEN old.phone_digits IS NOT new.phone_digits BEGIN
    DELETE FROM contact_phone_grams WHERE contact_id = old.id;
    INSERT OR IGNORE INTO contact_phone_grams (workspace_id, gram, contact_id)
    SELECT new.workspace_id, substr(new.phone_digits, p.value, 6), new.id
    FROM json_each('[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40]') p
    WHERE p.value + 5 <= length(new.phone_digits);
END;
