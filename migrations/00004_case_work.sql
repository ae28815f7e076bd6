-- +goose Up
-- The zone a user reads and types times in; times are stored in UTC.
ALTER TABLE users ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC';

-- The environments an emergency patch moves through, in order.
ALTER TABLE org_settings ADD COLUMN environments text[] NOT NULL DEFAULT '{sandbox,staging,production}'
    CHECK (cardinality(environments) BETWEEN 1 AND 8);

-- Evidence on a task: a note, optionally with one file. Append-only like the
-- timeline: evidence is never edited, only added.
CREATE TABLE task_evidence (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    task_id      bigint NOT NULL REFERENCES case_tasks,
    case_id      bigint NOT NULL REFERENCES cases,
    author_id    bigint REFERENCES users,
    author       text NOT NULL,
    note         text NOT NULL,
    file_name    text,
    content_type text,
    size         bigint,
    sha256       bytea,
    content      bytea,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CHECK ((file_name IS NULL) = (content IS NULL))
);
CREATE INDEX task_evidence_task ON task_evidence (task_id, id);
CREATE TRIGGER task_evidence_no_update_delete BEFORE UPDATE OR DELETE ON task_evidence
    FOR EACH ROW EXECUTE FUNCTION case_events_append_only();

-- Per-environment progress of a remediation task (sandbox → staging →
-- production), one row per task and environment once tracking is on.
CREATE TABLE task_environments (
    task_id     bigint NOT NULL REFERENCES case_tasks,
    position    integer NOT NULL,
    environment text NOT NULL,
    status      text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'in_progress', 'verified', 'failed')),
    status_at   timestamptz,
    note        text NOT NULL DEFAULT '',
    version     integer NOT NULL DEFAULT 1,
    PRIMARY KEY (task_id, environment)
);

-- +goose Down
DROP TABLE task_environments;
DROP TABLE task_evidence;
ALTER TABLE org_settings DROP COLUMN environments;
ALTER TABLE users DROP COLUMN time_zone;
