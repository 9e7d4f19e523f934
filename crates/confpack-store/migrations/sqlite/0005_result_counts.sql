-- Results per rule and compliance type, kept up to date by every write of results, so that
-- rule and pack counters do not count millions of rows. Ignores are applied when reading
-- (only ignored rows are counted then, through the partial index).
CREATE TABLE rule_result_counts (
    account_id      INTEGER NOT NULL,
    rule_id         TEXT NOT NULL,
    compliance_type TEXT NOT NULL,
    n               INTEGER NOT NULL,
    PRIMARY KEY (account_id, rule_id, compliance_type)
);
INSERT INTO rule_result_counts (account_id, rule_id, compliance_type, n)
    SELECT account_id, rule_id, compliance_type, COUNT(*) FROM evaluation_results
    GROUP BY account_id, rule_id, compliance_type;
CREATE INDEX evaluation_results_ignored ON evaluation_results (account_id, rule_id) WHERE ignored = 1;
