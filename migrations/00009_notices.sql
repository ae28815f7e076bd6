-- +goose Up
-- Who the notices come from.
ALTER TABLE org_settings
    ADD COLUMN org_name text NOT NULL DEFAULT 'Our organisation',
    ADD COLUMN org_address text NOT NULL DEFAULT '',
    ADD COLUMN contact_email text NOT NULL DEFAULT '',
    ADD COLUMN contact_phone text NOT NULL DEFAULT '',
    ADD COLUMN id_protection_offer text NOT NULL DEFAULT '',
    ADD COLUMN id_protection_months integer NOT NULL DEFAULT 24 CHECK (id_protection_months BETWEEN 0 AND 120);

-- Letter templates, every edit a new version; a draft records the version
-- it came from.
CREATE TABLE letter_templates (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         text NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('individuals', 'regulator', 'cras')),
    jurisdiction text NOT NULL DEFAULT '',
    version      integer NOT NULL,
    body         text NOT NULL,
    author       text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (name, version)
);

CREATE TABLE notice_drafts (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id        bigint NOT NULL REFERENCES cases,
    obligation_key text NOT NULL,
    kind           text NOT NULL,
    jurisdiction   text NOT NULL,
    title          text NOT NULL,
    status         text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'in_review', 'changes_requested', 'approved')),
    current        integer NOT NULL DEFAULT 1,
    version        integer NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (case_id, obligation_key)
);

CREATE TABLE draft_versions (
    draft_id    bigint NOT NULL REFERENCES notice_drafts,
    number      integer NOT NULL,
    body        text NOT NULL,
    sha256      bytea NOT NULL,
    template_id bigint REFERENCES letter_templates,
    author_id   bigint REFERENCES users,
    author      text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (draft_id, number)
);
CREATE TRIGGER draft_versions_no_update_delete BEFORE UPDATE OR DELETE ON draft_versions
    FOR EACH ROW EXECUTE FUNCTION case_events_append_only();

-- Comments, change requests and approvals, each tied to one version by
-- its hash.
CREATE TABLE draft_reviews (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    draft_id    bigint NOT NULL REFERENCES notice_drafts,
    number      integer NOT NULL,
    sha256      bytea NOT NULL,
    action      text NOT NULL CHECK (action IN ('submit', 'comment', 'request_changes', 'approve')),
    comment     text NOT NULL DEFAULT '',
    override    text NOT NULL DEFAULT '',
    reviewer_id bigint REFERENCES users,
    reviewer    text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX draft_reviews_draft ON draft_reviews (draft_id, id);
CREATE TRIGGER draft_reviews_no_update_delete BEFORE UPDATE OR DELETE ON draft_reviews
    FOR EACH ROW EXECUTE FUNCTION case_events_append_only();

-- +goose Down
DROP TABLE draft_reviews;
DROP TABLE draft_versions;
DROP TABLE notice_drafts;
DROP TABLE letter_templates;
ALTER TABLE org_settings DROP COLUMN org_name, DROP COLUMN org_address, DROP COLUMN contact_email, DROP COLUMN contact_phone,
    DROP COLUMN id_protection_offer, DROP COLUMN id_protection_months;
