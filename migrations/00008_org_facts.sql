-- +goose Up
-- What kind of organisation this is decides whether federal regimes apply;
-- NULL is "not known yet" (the obligations then ask).
ALTER TABLE org_settings
    ADD COLUMN sec_registrant boolean,
    ADD COLUMN nydfs_covered boolean,
    ADD COLUMN hipaa_covered_entity boolean,
    ADD COLUMN ftc_financial_institution boolean,
    ADD COLUMN internal_target_days integer NOT NULL DEFAULT 30 CHECK (internal_target_days BETWEEN 1 AND 365);

-- When an SEC registrant determined the incident material (Form 8-K Item 1.05).
ALTER TABLE cases ADD COLUMN material_at timestamptz;

-- +goose Down
ALTER TABLE cases DROP COLUMN material_at;
ALTER TABLE org_settings DROP COLUMN sec_registrant, DROP COLUMN nydfs_covered, DROP COLUMN hipaa_covered_entity,
    DROP COLUMN ftc_financial_institution, DROP COLUMN internal_target_days;
