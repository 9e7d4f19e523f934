-- A version per rule, raised by every write that changes one of the rule's results (its
-- compliance type or its ignore), so that a pack's resource counters can be kept as a
-- snapshot and reused for as long as none of the pack's rules has changed.
CREATE TABLE rule_result_versions (
    account_id BIGINT NOT NULL,
    rule_id    TEXT COLLATE "C" NOT NULL,
    version    BIGINT NOT NULL,
    PRIMARY KEY (account_id, rule_id)
);
-- The last resource counters of each pack: `fingerprint` lists the pack's rules with their
-- versions when the counters were taken; they hold until a timed ignore expires
-- (`valid_until_ms`).
CREATE TABLE pack_resource_counts (
    account_id     BIGINT NOT NULL,
    pack_id        TEXT NOT NULL,
    fingerprint    TEXT NOT NULL,
    valid_until_ms BIGINT NOT NULL,
    counts         TEXT NOT NULL,
    PRIMARY KEY (account_id, pack_id)
);
