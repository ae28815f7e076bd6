-- +goose Up
-- A filing can name the approved notice version that was sent, by its
-- draft, number and hash.
ALTER TABLE obligation_filings
    ADD COLUMN draft_id bigint REFERENCES notice_drafts,
    ADD COLUMN draft_version integer,
    ADD COLUMN draft_sha256 bytea;

-- +goose Down
ALTER TABLE obligation_filings DROP COLUMN draft_id, DROP COLUMN draft_version, DROP COLUMN draft_sha256;
