-- Nothing on SQLite: its search tables are kept by FTS5 and row triggers that cost little
-- there (PostgreSQL's triggers become per statement in this version).
SELECT 1;
