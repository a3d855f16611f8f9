-- Nothing on SQLite: its search index, the FTS5 table `contacts_search`, has been apart
-- from `contacts` since 000005 (PostgreSQL's moves there in this version).
SELECT 1;
