-- The ingest path (issue 6): a phone or e-mail lookup takes the first contact by id. With the id
-- in the index that order comes from the index itself, so no plan walks the whole workspace
-- in id order hoping for a match (PostgreSQL did, under a cached generic plan, for every new
-- contact's phone).
DROP INDEX contacts_phone;
CREATE INDEX contacts_phone ON contacts (workspace_id, phone, id);
DROP INDEX contacts_email;
CREATE INDEX contacts_email ON contacts (workspace_id, email, id);
