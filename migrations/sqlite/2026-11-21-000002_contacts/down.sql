DROP TABLE contact_activity;
DROP TABLE contact_tags;
DROP TABLE tags;
DROP TABLE contact_field_values;
DROP TABLE contact_fields;
DROP TABLE contacts;
