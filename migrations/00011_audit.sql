-- +goose Up
-- Public halves of the keys that sign case exports, kept after a master
-- key rotation so older exports still verify.
CREATE TABLE export_keys (
    key_id     text PRIMARY KEY,
    public_key bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Days after a case is closed that its residents' personal data is kept;
-- NULL keeps it until an administrator purges it.
ALTER TABLE org_settings ADD COLUMN retention_days integer CHECK (retention_days BETWEEN 1 AND 36500);

-- +goose Down
ALTER TABLE org_settings DROP COLUMN retention_days;
DROP TABLE export_keys;
