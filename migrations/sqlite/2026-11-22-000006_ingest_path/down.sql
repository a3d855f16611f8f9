DROP INDEX contacts_email;
CREATE INDEX contacts_email ON contacts (workspace_id, email);
DROP INDEX contacts_phone;
CREATE INDEX contacts_phone ON contacts (workspace_id, phone);
