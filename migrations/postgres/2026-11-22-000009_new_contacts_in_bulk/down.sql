DO $$
DECLARE
    idx text;
BEGIN
    FOREACH idx IN ARRAY ARRAY['contacts_search_name_trgm', 'contacts_phone_digits_trgm'] LOOP
        IF to_regclass(idx) IS NOT NULL THEN
            EXECUTE format('ALTER INDEX %I SET (fastupdate = off)', idx);
            EXECUTE format('ALTER INDEX %I RESET (gin_pending_list_limit)', idx);
            PERFORM gin_clean_pending_list(to_regclass(idx));
        END IF;
    END LOOP;
END
$$;

DROP TRIGGER contacts_search_added ON contacts;
DROP FUNCTION contacts_search_added();

CREATE TRIGGER contacts_search_insert AFTER INSERT ON contacts
FOR EACH ROW EXECUTE FUNCTION contacts_search_sync();

CREATE TRIGGER contact_phone_grams_insert AFTER INSERT ON contacts
FOR EACH ROW WHEN (NEW.phone_digits IS NOT NULL)
EXECUTE FUNCTION contact_phone_grams_sync();
