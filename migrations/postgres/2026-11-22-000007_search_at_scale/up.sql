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
);
CREATE INDEX contact_phone_grams_contact ON contact_phone_grams (contact_id);

INSERT INTO contact_phone_grams (workspace_id, gram, contact_id)
SELECT c.workspace_id, substr(c.phone_digits, p, 6), c.id
FROM contacts c, generate_series(1, 40) p
WHERE p + 5 <= length(c.phone_digits)
ON CONFLICT DO NOTHING;

CREATE FUNCTION contact_phone_grams_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        DELETE FROM contact_phone_grams WHERE contact_id = OLD.id;
    END IF;
    INSERT INTO contact_phone_grams (workspace_id, gram, contact_id)
    SELECT NEW.workspace_id, substr(NEW.phone_digits, p, 6), NEW.id
    FROM generate_series(1, 40) p
    WHERE p + 5 <= length(NEW.phone_digits)
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;

CREATE TRIGGER contact_phone_grams_insert AFTER INSERT ON contacts
FOR EACH ROW WHEN (NEW.phone_digits IS NOT NULL)
EXECUTE FUNCTION contact_phone_grams_sync();

CREATE TRIGGER contact_phone_grams_update AFTER UPDATE OF phone_digits ON contacts
FOR EACH ROW WHEN (OLD.phone_digits IS DISTINCT FROM NEW.phone_digits)
EXECUTE FUNCTION contact_phone_grams_sync();

-- The trigram indexes skip GIN's pending list. Every message moves its contact in the inbox,
-- an update no index can skip (HOT), so the list kept filling with the contact's trigrams
-- again, and every search read all of it (milliseconds per search at 100k contacts) until
-- an insert that overflowed it merged it (tens of milliseconds, on an inbound message).
DO $$
DECLARE
    idx text;
BEGIN
    FOREACH idx IN ARRAY ARRAY['contacts_search_name_trgm', 'contacts_phone_digits_trgm'] LOOP
        IF to_regclass(idx) IS NOT NULL THEN
            EXECUTE format('ALTER INDEX %I SET (fastupdate = off)', idx);
            PERFORM gin_clean_pending_list(to_regclass(idx));
        END IF;
    END LOOP;
END
$$;
