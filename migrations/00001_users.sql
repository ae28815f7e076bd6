-- +goose Up
CREATE TABLE users (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email                text NOT NULL UNIQUE CHECK (email = lower(email) AND email LIKE '%_@_%'),
    display_name         text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
    role                 text NOT NULL CHECK (role IN ('admin', 'officer', 'reviewer', 'auditor')),
    password_hash        text NOT NULL,
    must_change_password boolean NOT NULL DEFAULT false,
    active               boolean NOT NULL DEFAULT true,
    -- session_epoch is bumped when a password is reset or the account is
    -- disabled, which ends every session that was opened before.
    session_epoch        integer NOT NULL DEFAULT 0,
    version              integer NOT NULL DEFAULT 1,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now()
);

-- login_attempts backs the account lockout and the per-address limit. It
-- lives in Postgres so that several app servers share one view of it.
CREATE TABLE login_attempts (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email      text NOT NULL,
    client     text NOT NULL,
    success    boolean NOT NULL,
    at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_attempts_email_at ON login_attempts (email, at);
CREATE INDEX login_attempts_client_at ON login_attempts (client, at);

-- setup_tokens holds the hash of the one-time link printed at first start.
-- At most one row; it is deleted when the first administrator is created.
CREATE TABLE setup_tokens (
    id         boolean PRIMARY KEY DEFAULT true CHECK (id),
    token_hash bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE setup_tokens;
DROP TABLE login_attempts;
DROP TABLE users;
