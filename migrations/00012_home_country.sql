-- +goose Up
-- What a blank country in a CRM export means (ISO 3166 alpha-2); NULL
-- falls back to BREACHDESK_HOME_COUNTRY, then US.
ALTER TABLE org_settings ADD COLUMN home_country text CHECK (home_country ~ '^[A-Z]{2}$');

-- +goose Down
ALTER TABLE org_settings DROP COLUMN home_country;
