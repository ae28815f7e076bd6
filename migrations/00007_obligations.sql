-- +goose Up
-- An accepted set of obligations of a case, with the inputs it was
-- computed from, so a past decision can be reproduced.
CREATE TABLE obligation_sets (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id        bigint NOT NULL REFERENCES cases,
    inputs         jsonb NOT NULL,
    rules_reviewed text NOT NULL,
    accepted_by    bigint REFERENCES users,
    accepted_at    timestamptz NOT NULL DEFAULT now(),
    current        boolean NOT NULL DEFAULT true
);
CREATE UNIQUE INDEX obligation_sets_current ON obligation_sets (case_id) WHERE current;

-- One obligation: jurisdiction × recipient × rule version. "key" names it
-- across sets (jurisdiction/recipient/to), so its filings follow it when
-- the set is recomputed.
CREATE TABLE obligations (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    set_id          bigint NOT NULL REFERENCES obligation_sets,
    case_id         bigint NOT NULL REFERENCES cases,
    key             text NOT NULL,
    jurisdiction    text NOT NULL,
    recipient       text NOT NULL,
    to_name         text NOT NULL DEFAULT '',
    rule_version    text NOT NULL,
    status          text NOT NULL CHECK (status IN ('triggered', 'not_triggered', 'needs_facts')),
    residents       bigint NOT NULL,
    due_at          timestamptz,
    due_text        text NOT NULL DEFAULT '',
    projected       boolean NOT NULL DEFAULT false,
    internal_target timestamptz,
    zone            text NOT NULL,
    reasons         jsonb NOT NULL,
    needs           jsonb NOT NULL DEFAULT '[]',
    citation        text NOT NULL,
    method          text NOT NULL DEFAULT '',
    UNIQUE (set_id, key)
);
CREATE INDEX obligations_case_due ON obligations (case_id, due_at);

-- The filing log: what was sent, when, how, and the regulator's
-- confirmation; or why a notice is not required. Append-only.
CREATE TABLE obligation_filings (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id      bigint NOT NULL REFERENCES cases,
    key          text NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('sent', 'not_required')),
    sent_at      timestamptz,
    method       text NOT NULL DEFAULT '',
    what         text NOT NULL DEFAULT '',
    confirmation text NOT NULL DEFAULT '',
    reason       text NOT NULL DEFAULT '',
    file_name    text,
    content_type text,
    sha256       bytea,
    content      bytea,
    actor_id     bigint REFERENCES users,
    actor        text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CHECK (kind <> 'sent' OR sent_at IS NOT NULL),
    CHECK (kind <> 'not_required' OR reason <> '')
);
CREATE INDEX obligation_filings_case ON obligation_filings (case_id, key, id);
CREATE TRIGGER obligation_filings_no_update_delete BEFORE UPDATE OR DELETE ON obligation_filings
    FOR EACH ROW EXECUTE FUNCTION case_events_append_only();

-- The case list's next deadline now includes the accepted obligations not
-- yet filed.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION case_next_due(p_case bigint, p_discovered timestamptz, p_hours integer) RETURNS timestamptz
LANGUAGE sql STABLE AS $$
    SELECT least(p_discovered + make_interval(hours => p_hours),
                 (SELECT min(anchor_at + make_interval(hours => hours)) FROM case_clocks WHERE case_id = p_case),
                 (SELECT min(o.due_at) FROM obligations o JOIN obligation_sets s ON s.id = o.set_id AND s.current
                  WHERE o.case_id = p_case AND o.status = 'triggered'
                    AND NOT EXISTS (SELECT 1 FROM obligation_filings f WHERE f.case_id = p_case AND f.key = o.key)))
$$;

CREATE FUNCTION cases_touch_next_due() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE cases SET next_due_at = case_next_due(id, discovered_at, primary_clock_hours) WHERE id = NEW.case_id;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER obligation_sets_next_due AFTER INSERT OR UPDATE ON obligation_sets
    FOR EACH ROW EXECUTE FUNCTION cases_touch_next_due();
CREATE TRIGGER obligation_filings_next_due AFTER INSERT ON obligation_filings
    FOR EACH ROW EXECUTE FUNCTION cases_touch_next_due();

-- +goose Down
DROP TRIGGER obligation_filings_next_due ON obligation_filings;
DROP TRIGGER obligation_sets_next_due ON obligation_sets;
DROP FUNCTION cases_touch_next_due();
DROP TABLE obligation_filings;
DROP TABLE obligations;
DROP TABLE obligation_sets;
