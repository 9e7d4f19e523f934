-- Report jobs and the reports they produced. At most one job per subject (a pack, or the
-- account's rules report) is CREATING at a time; a claimed job carries a lease, so that a
-- job whose node died is taken over once the lease ran out.
CREATE TABLE reports (
    report_id      TEXT PRIMARY KEY,
    account_id     BIGINT NOT NULL,
    kind           TEXT NOT NULL,
    subject        TEXT NOT NULL,
    rule_ids       TEXT NOT NULL,
    state          TEXT NOT NULL,
    created_ms     BIGINT NOT NULL,
    snapshot_ms    BIGINT,
    lease_until_ms BIGINT NOT NULL,
    attempts       BIGINT NOT NULL,
    error          TEXT NOT NULL
);
CREATE UNIQUE INDEX reports_one_creating ON reports (account_id, kind, subject) WHERE state = 'CREATING';
CREATE INDEX reports_by_subject ON reports (account_id, kind, subject, created_ms);
-- Secrets the nodes of one deployment share (the key that signs report download links).
CREATE TABLE service_secrets (
    name   TEXT PRIMARY KEY,
    secret TEXT NOT NULL
);
