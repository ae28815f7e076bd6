-- +goose Up
-- org_settings holds the organisation's settings: one row.
CREATE TABLE org_settings (
    id                  boolean PRIMARY KEY DEFAULT true CHECK (id),
    primary_clock_hours integer NOT NULL DEFAULT 72 CHECK (primary_clock_hours BETWEEN 1 AND 8760),
    version             integer NOT NULL DEFAULT 1,
    updated_at          timestamptz NOT NULL DEFAULT now()
);
INSERT INTO org_settings DEFAULT VALUES;

-- case_ref_counters hands out the per-year sequence of case references.
CREATE TABLE case_ref_counters (
    year integer PRIMARY KEY,
    last integer NOT NULL
);

CREATE TABLE playbooks (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL UNIQUE,
    description text NOT NULL DEFAULT '',
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE playbook_tasks (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    playbook_id      bigint NOT NULL REFERENCES playbooks ON DELETE CASCADE,
    position         integer NOT NULL,
    phase            text NOT NULL,
    title            text NOT NULL,
    detail           text NOT NULL DEFAULT '',
    due_offset_hours integer NOT NULL CHECK (due_offset_hours >= 0),
    UNIQUE (playbook_id, position)
);

CREATE TABLE cases (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    reference            text NOT NULL UNIQUE,
    title                text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    summary              text NOT NULL DEFAULT '',
    severity             text NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    status               text NOT NULL DEFAULT 'triage'
                         CHECK (status IN ('triage', 'investigating', 'contained', 'notifying', 'closed')),
    owner_id             bigint NOT NULL REFERENCES users,
    occurred_from        timestamptz,
    occurred_to          timestamptz,
    discovered_at        timestamptz NOT NULL,
    determined_at        timestamptz,
    contained_at         timestamptz,
    affected_systems     text[] NOT NULL DEFAULT '{}',
    attack_vector        text NOT NULL DEFAULT '',
    data_elements        text[] NOT NULL DEFAULT '{}',
    -- NULL means not known yet; the rules engine asks for it.
    encrypted            boolean,
    key_compromised      boolean,
    acquired             boolean,
    harm_found           boolean,
    harm_text            text NOT NULL DEFAULT '',
    le_agency            text NOT NULL DEFAULT '',
    le_requested_on      date,
    le_until             timestamptz,
    le_reference         text NOT NULL DEFAULT '',
    primary_clock_hours  integer NOT NULL CHECK (primary_clock_hours > 0),
    playbook_id          bigint REFERENCES playbooks,
    version              integer NOT NULL DEFAULT 1,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    CHECK (occurred_to IS NULL OR occurred_from IS NULL OR occurred_to >= occurred_from)
);
CREATE INDEX cases_status ON cases (status);
CREATE INDEX cases_owner ON cases (owner_id);

-- case_clocks are extra clocks officers add (a partner contract's 48 hours).
CREATE TABLE case_clocks (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id    bigint NOT NULL REFERENCES cases,
    label      text NOT NULL CHECK (length(label) BETWEEN 1 AND 120),
    anchor_at  timestamptz NOT NULL,
    hours      integer NOT NULL CHECK (hours > 0),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE case_tasks (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id      bigint NOT NULL REFERENCES cases,
    position     integer NOT NULL,
    phase        text NOT NULL DEFAULT '',
    title        text NOT NULL,
    detail       text NOT NULL DEFAULT '',
    owner_id     bigint REFERENCES users,
    due_at       timestamptz NOT NULL,
    status       text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'done', 'not_applicable')),
    na_reason    text NOT NULL DEFAULT '',
    version      integer NOT NULL DEFAULT 1,
    completed_at timestamptz,
    CHECK (status <> 'not_applicable' OR na_reason <> '')
);
CREATE INDEX case_tasks_case ON case_tasks (case_id, position);
CREATE INDEX case_tasks_owner_open ON case_tasks (owner_id, due_at) WHERE status IN ('open', 'in_progress');

-- case_events is the append-only, hash-chained timeline of a case.
CREATE TABLE case_events (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id    bigint NOT NULL REFERENCES cases,
    seq        integer NOT NULL,
    at         timestamptz NOT NULL,
    actor_id   bigint REFERENCES users,
    actor      text NOT NULL,
    kind       text NOT NULL,
    payload    jsonb NOT NULL,
    prev_hash  bytea NOT NULL,
    hash       bytea NOT NULL,
    UNIQUE (case_id, seq)
);
CREATE INDEX case_events_kind ON case_events (case_id, kind, seq);

-- +goose StatementBegin
CREATE FUNCTION case_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'case_events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER case_events_no_update_delete BEFORE UPDATE OR DELETE ON case_events
    FOR EACH ROW EXECUTE FUNCTION case_events_append_only();
CREATE TRIGGER case_events_no_truncate BEFORE TRUNCATE ON case_events
    FOR EACH STATEMENT EXECUTE FUNCTION case_events_append_only();

-- The default playbook for a CRM data leak. Offsets are hours from discovery.
INSERT INTO playbooks (name, description) VALUES
    ('CRM data leak', 'Response to personal data leaked from Salesforce and the systems wired to it.');
INSERT INTO playbook_tasks (playbook_id, position, phase, title, detail, due_offset_hours)
SELECT p.id, t.position, t.phase, t.title, t.detail, t.hours
FROM playbooks p, (VALUES
    (1, 'Contain', 'Revoke OAuth tokens and sessions of the connected apps involved',
        'In Setup > Connected Apps OAuth Usage, revoke every token of the apps involved; end active sessions of affected users.', 2),
    (2, 'Contain', 'Disable the compromised integration user',
        'Freeze or deactivate the integration user; record its permission sets before changing them.', 2),
    (3, 'Contain', 'Preserve logs for forensics',
        'Export Event Monitoring logs, Setup Audit Trail, login history and middleware logs before they roll over; record SHA-256 of each export.', 6),
    (4, 'Notify', 'Start the 72-hour notification work',
        'Confirm the discovery time, brief counsel and line up the jurisdictions affected.', 6),
    (5, 'Eradicate', 'Rotate credentials of every Salesforce-integrated service',
        'Rotate secrets and certificates of every integration and move them to the OAuth 2.0 JWT bearer flow; no hard-coded secrets remain.', 24),
    (6, 'Eradicate', 'Review permission sets and profiles for excessive access',
        'Remove View All Data, Modify All Data, API Enabled and export rights that no role needs.', 48),
    (7, 'Eradicate', 'Map data flows to marketing and third-party systems',
        'List every system that receives CRM data (marketing automation, support, e-commerce, middleware) and whether it was reached.', 48),
    (8, 'Recover', 'Test the emergency patch in an isolated sandbox before production',
        'Apply the fix in a sandbox, verify it, then staging, then production; record each verification.', 72),
    (9, 'Harden', 'Turn on field-level encryption for sensitive personal information in custom objects',
        'Shield Platform Encryption or external key management for SSNs, card data and health data in custom objects.', 168),
    (10, 'Harden', 'Turn on Event Monitoring and an alert for anomalous exports',
        'Transaction security policies on report exports and Bulk API jobs; alert the security team.', 168)
) AS t(position, phase, title, detail, hours)
WHERE p.name = 'CRM data leak';

-- +goose Down
DROP TABLE case_events;
DROP FUNCTION case_events_append_only();
DROP TABLE case_tasks;
DROP TABLE case_clocks;
DROP TABLE cases;
DROP TABLE playbook_tasks;
DROP TABLE playbooks;
DROP TABLE case_ref_counters;
DROP TABLE org_settings;
