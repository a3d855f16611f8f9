-- The read path at scale (issue 6).

-- The timeline reads each source newest first by (created_at, id) within one contact.
DROP INDEX messages_contact;
CREATE INDEX messages_contact_time ON messages (contact_id, created_at, id);
DROP INDEX comments_contact;
CREATE INDEX comments_contact_time ON comments (contact_id, created_at, id);

-- Contact search matches substrings of names and phone digits: trigram indexes (pg_trgm,
-- shipped with PostgreSQL and trusted, so a database owner may install it) serve those LIKEs.
-- Where the role may not install it, search still works, by reading every contact.
DO $$
BEGIN
    BEGIN
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
    EXCEPTION WHEN OTHERS THEN
        RAISE WARNING 'pg_trgm unavailable (%): contact search will scan', SQLERRM;
    END;
    IF EXISTS (SELECT FROM pg_extension WHERE extname = 'pg_trgm') THEN
        EXECUTE 'CREATE INDEX contacts_search_name_trgm ON contacts USING gin (search_name gin_trgm_ops)';
        EXECUTE 'CREATE INDEX contacts_phone_digits_trgm ON contacts USING gin (phone_digits gin_trgm_ops)';
    END IF;
END
$$;
