DROP TRIGGER contacts_search_update ON contacts;
DROP TRIGGER contacts_search_insert ON contacts;
DROP FUNCTION contacts_search_sync();
DROP TABLE contacts_search;
DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_extension WHERE extname = 'pg_trgm') THEN
        EXECUTE 'CREATE INDEX contacts_search_name_trgm ON contacts '
                'USING gin (search_name gin_trgm_ops) WITH (fastupdate = off)';
        EXECUTE 'CREATE INDEX contacts_phone_digits_trgm ON contacts '
                'USING gin (phone_digits gin_trgm_ops) WITH (fastupdate = off)';
    END IF;
END
$$;
