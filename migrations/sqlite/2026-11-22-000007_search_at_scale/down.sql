DROP TRIGGER contact_phone_grams_update;
DROP TRIGGER contact_phone_grams_insert;
DROP TABLE contact_phone_grams;
