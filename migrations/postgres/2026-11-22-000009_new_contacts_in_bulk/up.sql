-- New contacts in bulk (issue 6). The ingest writer creates a batch's new contacts with one
-- multi-row INSERT, and each new contact cost about 1 ms of PostgreSQL's time, three
-- quarters of it in the triggers that keep search in step (pg_stat_statements under the
-- bench): a row-level trigger runs its statements once per contact.

-- 1. The search rows and the phone's six-digit runs of inserted contacts are written once per
--    statement, from its transition table. (Updates stay row-level: they need the old row.)
DROP TRIGGER contacts_search_insert ON contacts;
DROP TRIGGER contact_phone_grams_insert ON contacts;

CREATE FUNCTION contacts_search_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO contacts_search (contact_id, workspace_id, search_name, phone_digits)
    SELECT id, workspace_id, search_name, phone_digits FROM added;
    INSERT INTO contact_phone_grams (workspace_id, gram, contact_id)
    SELECT a.workspace_id, substr(a.phone_digits, p, 6), a.id
    FROM added a, generate_series(1, 40) p
    WHERE p + 5 <= length(a.phone_digits)
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;

CREATE TRIGGER contacts_search_added AFTER INSERT ON contacts
REFERENCING NEW TABLE AS added
FOR EACH STATEMENT EXECUTE FUNCTION contacts_search_added();

-- 2. The trigram indexes take new entries through a small GIN pending list again. They
--    skipped it (000007) while every message rewrote the contact's entries; since 000008 only
--    a new contact or a new name or number writes them. Inserting a contact's trigrams one by
--    one cost ~160 µs, through the list ~50 µs (10,000 contacts into 100,000); a search reads
--    at most the 64 kB list besides (~0.3 ms), and the insert that fills it merges it whole.
DO $$
DECLARE
    idx text;
BEGIN
    FOREACH idx IN ARRAY ARRAY['contacts_search_name_trgm', 'contacts_phone_digits_trgm'] LOOP
        IF to_regclass(idx) IS NOT NULL THEN
            EXECUTE format('ALTER INDEX %I SET (fastupdate = on, gin_pending_list_limit = 64)', idx);
        END IF;
    END LOOP;
END
$$;
