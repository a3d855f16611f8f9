DO $$
DECLARE
    idx text;
BEGIN
    FOREACH idx IN ARRAY ARRAY['contacts_search_name_trgm', 'contacts_phone_digits_trgm'] LOOP
        IF to_regclass(idx) IS NOT NULL THEN
            EXECUTE format('ALTER INDEX %I RESET (fastupdate)', idx);
        END IF;
    END LOOP;
END
$$;
DROP TRIGGER contact_phone_grams_update ON contacts;
DROP TRIGGER contact_phone_grams_insert ON contacts;
DROP FUNCTION contact_phone_grams_sync();
DROP TABLE contact_phone_grams;
