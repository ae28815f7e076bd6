-- +goose Up
-- Residents arrive by COPY in (import, line) order and are seldom looked up
-- one by one, so a block-range index replaces the primary key's B-tree.
-- Keeping that B-tree up to date cost more than storing the rows
-- themselves (1.2 s of a 1,000,000-row import). A BRIN index costs
-- almost nothing to keep: autovacuum summarises new ranges after an
-- import, and ranges not yet summarised are simply scanned. The importer
-- numbers lines uniquely within an import, so (import_id, line) stays a
-- key without an index enforcing it.
ALTER TABLE residents DROP CONSTRAINT residents_pkey;
CREATE INDEX residents_brin ON residents USING brin (case_id, import_id, line)
    WITH (pages_per_range = 32, autosummarize = on);

-- A resident's personal data is now sealed as one value (enc_person):
-- one GCM tag and one encryption a row instead of five. Older rows keep
-- their separate enc_* fields and are read from them.
ALTER TABLE residents ADD COLUMN enc_person bytea;

-- +goose Down
ALTER TABLE residents DROP COLUMN enc_person;
DROP INDEX residents_brin;
ALTER TABLE residents ADD PRIMARY KEY (import_id, line);
