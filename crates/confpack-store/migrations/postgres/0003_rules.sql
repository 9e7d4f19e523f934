-- Config rules, their evaluation results, the compliance timeline, durable evaluation jobs,
-- the change-feed cursor of change-triggered evaluation, and remembered ClientTokens.
-- A rule is one JSON document (`document`, confpack_model::ConfigRule) plus the columns
-- queries filter on. Ids sort bytewise (COLLATE "C"), as in SQLite.
CREATE TABLE config_rules (
    account_id        BIGINT  NOT NULL,
    rule_id           TEXT    COLLATE "C" NOT NULL,
    name              TEXT    NOT NULL,
    state             TEXT    NOT NULL,
    revision          BIGINT  NOT NULL,
    -- Epoch ms of the next scheduled evaluation; NULL for rules without a schedule.
    next_scheduled_ms BIGINT ,
    document          TEXT    NOT NULL,
    PRIMARY KEY (account_id, rule_id)
);
CREATE UNIQUE INDEX config_rules_by_name ON config_rules (account_id, name);
CREATE INDEX config_rules_by_schedule ON config_rules (next_scheduled_ms);

CREATE TABLE evaluation_results (
    account_id              BIGINT  NOT NULL,
    rule_id                 TEXT    COLLATE "C" NOT NULL,
    resource_type           TEXT    COLLATE "C" NOT NULL,
    resource_id             TEXT    COLLATE "C" NOT NULL,
    rule_name               TEXT    NOT NULL,
    risk_level              BIGINT  NOT NULL,
    region                  TEXT    NOT NULL,
    resource_name           TEXT    NOT NULL,
    resource_group_id       TEXT    NOT NULL,
    compliance_type         TEXT    NOT NULL,
    -- The compliance type before the last write (NULL on the first), for the timeline.
    previous_type           TEXT,
    annotation              TEXT    NOT NULL,
    message_type            TEXT    NOT NULL,
    invoked_ms              BIGINT  NOT NULL,
    ordering_ms             BIGINT  NOT NULL,
    recorded_ms             BIGINT  NOT NULL,
    last_non_compliant_ms   BIGINT ,
    last_compliant_fixed_ms BIGINT ,
    ignored                 BIGINT  NOT NULL,
    -- An ignore is in force while ignored = 1 and (ignore_until_ms IS NULL or later than now).
    ignore_until_ms         BIGINT ,
    ignore_date             TEXT    NOT NULL,
    ignore_reason           TEXT    NOT NULL,
    PRIMARY KEY (account_id, rule_id, resource_type, resource_id)
);
CREATE INDEX evaluation_results_by_resource ON evaluation_results (account_id, resource_type, resource_id);

CREATE TABLE compliance_changes (
    seq           BIGSERIAL PRIMARY KEY,
    account_id    BIGINT  NOT NULL,
    resource_type TEXT    COLLATE "C" NOT NULL,
    resource_id   TEXT    COLLATE "C" NOT NULL,
    region        TEXT    NOT NULL,
    rule_id       TEXT    COLLATE "C" NOT NULL,
    rule_name     TEXT    NOT NULL,
    captured_ms   BIGINT  NOT NULL,
    old_type      TEXT    NOT NULL,
    new_type      TEXT    NOT NULL
);
CREATE INDEX compliance_changes_by_resource ON compliance_changes (account_id, resource_type, resource_id, seq);

CREATE TABLE evaluation_jobs (
    job_id         BIGSERIAL PRIMARY KEY,
    account_id     BIGINT  NOT NULL,
    rule_id        TEXT    COLLATE "C" NOT NULL,
    message_type   TEXT    NOT NULL,
    revert_ignored BIGINT  NOT NULL,
    -- PENDING, or RUNNING until lease_until_ms (a crashed worker's job is claimed again).
    state          TEXT    NOT NULL,
    lease_until_ms BIGINT  NOT NULL,
    attempts       BIGINT  NOT NULL,
    created_ms     BIGINT  NOT NULL
);
CREATE INDEX evaluation_jobs_by_rule ON evaluation_jobs (account_id, rule_id);

CREATE TABLE feed_cursors (
    name TEXT    PRIMARY KEY,
    seq  BIGINT  NOT NULL
);
INSERT INTO feed_cursors (name, seq) VALUES ('rule-evaluation', 0);

CREATE TABLE client_tokens (
    account_id  BIGINT  NOT NULL,
    action      TEXT    NOT NULL,
    token       TEXT    NOT NULL,
    fingerprint TEXT    NOT NULL,
    response    TEXT    NOT NULL,
    created_ms  BIGINT  NOT NULL,
    PRIMARY KEY (account_id, action, token)
);
