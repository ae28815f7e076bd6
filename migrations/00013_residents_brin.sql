-- +goose Up
-- Residents arrive by COPY in (import, line) order and are seldom looked up
-- one by one, so a block-range index replaces the primary key's B-tree.
-- Keeping that B-tree up to date cost more than storing the rows
-- themselves (1.2 s of a 1,000,000-row import). A BRIN index costs
-- little to keep: autovacuum summarises new ranges after an import, and
-- ranges not yet summarised are simply scanned. The importer numbers
-- lines uniquely within an import, so (import_id, line) stays a key
-- without an index enforcing it.
ALTER TABLE residents DROP CONSTRAINT residents_pkey;
CREATE INDEX residents_brin ON residents USING brin (case_id, import_id, line)
    WITH (pages_per_range = 32, autosummarize = on);

-- +goose Down
DROP INDEX residents_brin;
ALTER TABLE residents ADD PRIMARY KEY (import_id, line);
