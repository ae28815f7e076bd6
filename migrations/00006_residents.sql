-- +goose Up
-- A data key per case, wrapped by the master key (never stored in clear).
-- Destroying wrapped_key makes every encrypted field of the case unreadable,
-- in backups too.
CREATE TABLE case_keys (
    case_id       bigint PRIMARY KEY REFERENCES cases,
    wrapped_key   bytea,
    master_key_id text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    rotated_at    timestamptz,
    destroyed_at  timestamptz
);

-- Saved column mappings, reusable across imports and cases.
CREATE TABLE import_mappings (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 120),
    mapping    jsonb NOT NULL,
    created_by bigint REFERENCES users,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- One CSV import into a case. The uploaded bytes wait in import_chunks
-- until the job has read them.
CREATE TABLE resident_imports (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id         bigint NOT NULL REFERENCES cases,
    file_name       text NOT NULL,
    size_bytes      bigint NOT NULL DEFAULT 0,
    sha256          bytea,
    encoding        text NOT NULL DEFAULT 'auto',
    mapping         jsonb,
    address_order   text[] NOT NULL DEFAULT '{Mailing,Billing,Shipping,Other,Address}',
    status          text NOT NULL DEFAULT 'uploading' CHECK (status IN
                    ('uploading', 'uploaded', 'queued', 'running', 'review', 'completed', 'failed', 'cancelled', 'removed')),
    accept_bad_rows boolean NOT NULL DEFAULT false,
    cancel_requested boolean NOT NULL DEFAULT false,
    bytes_read      bigint NOT NULL DEFAULT 0,
    rows_read       bigint NOT NULL DEFAULT 0,
    rows_imported   bigint NOT NULL DEFAULT 0,
    rows_bad        bigint NOT NULL DEFAULT 0,
    duplicates      bigint NOT NULL DEFAULT 0,
    error           text NOT NULL DEFAULT '',
    started_at      timestamptz,
    progress_at     timestamptz,
    finished_at     timestamptz,
    created_by      bigint REFERENCES users,
    created_at      timestamptz NOT NULL DEFAULT now(),
    version         integer NOT NULL DEFAULT 1
);
CREATE INDEX resident_imports_case ON resident_imports (case_id, id);
-- One import at a time per case.
CREATE UNIQUE INDEX resident_imports_one_running ON resident_imports (case_id)
    WHERE status IN ('queued', 'running', 'review');

-- Unlogged: the raw upload is transient; a crash loses it and the import
-- fails cleanly, asking for the file again.
CREATE UNLOGGED TABLE import_chunks (
    import_id bigint NOT NULL REFERENCES resident_imports ON DELETE CASCADE,
    seq       integer NOT NULL,
    data      bytea NOT NULL,
    PRIMARY KEY (import_id, seq)
);

CREATE TABLE import_errors (
    import_id bigint NOT NULL REFERENCES resident_imports ON DELETE CASCADE,
    line      bigint NOT NULL,
    col       text NOT NULL DEFAULT '',
    reason    text NOT NULL
);
CREATE INDEX import_errors_import ON import_errors (import_id, line);

-- Affected people. Only what counting needs is in clear: jurisdiction,
-- country, ZIP3 and the exposed elements. Everything that names or reaches
-- a person is encrypted field by field (enc_*: the CRM Id, the name, the
-- e-mail, the phone, the postal address) with the case's data key; bi_*
-- are keyed hashes (8 bytes) for finding duplicates.
-- A resident is named by the import and line that brought it in; no
-- foreign keys or extra indexes, so a 1,000,000-row COPY stays fast (the
-- importer's transaction guarantees the case and import exist).
CREATE TABLE residents (
    case_id       bigint NOT NULL,
    import_id     bigint NOT NULL,
    line          bigint NOT NULL,
    jurisdiction  text,
    country       text,
    zip3          text,
    decided_by    text NOT NULL DEFAULT '',
    conflict      boolean NOT NULL DEFAULT false,
    zip_state     text,
    resolved_by   text,
    elements      text[],
    -- A duplicate points to the first record of the same person, by the
    -- import and line that brought it in.
    dup_of_import bigint,
    dup_of_line   bigint,
    dup_reason    text,
    -- One random nonce per row; each field's GCM nonce is this plus the
    -- field's number, so fields do not each pay 12 bytes for theirs.
    nonce         bytea,
    enc_crm_id    bytea,
    enc_name      bytea,
    enc_email     bytea,
    enc_phone     bytea,
    enc_address   bytea,
    bi_crm_id     bytea,
    bi_email      bytea,
    bi_name_addr  bytea,
    purged_at     timestamptz,
    PRIMARY KEY (import_id, line)
);

-- Counts per case, jurisdiction and country (dup_reason '') and merged
-- duplicates per reason, rebuilt whenever a case's residents change, so
-- the counts that drive the law are read in constant time.
CREATE TABLE resident_summary (
    case_id      bigint NOT NULL REFERENCES cases,
    jurisdiction text NOT NULL DEFAULT '',
    country      text NOT NULL DEFAULT '',
    dup_reason   text NOT NULL DEFAULT '',
    n            bigint NOT NULL,
    conflicts    bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (case_id, jurisdiction, country, dup_reason)
);

-- +goose Down
DROP TABLE resident_summary;
DROP TABLE residents;
DROP TABLE import_errors;
DROP TABLE import_chunks;
DROP TABLE resident_imports;
DROP TABLE import_mappings;
DROP TABLE case_keys;
