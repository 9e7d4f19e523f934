-- Accounts, their AccessKey pairs, and the compliance-pack table the report actions look up.
CREATE TABLE accounts (
    account_id BIGINT PRIMARY KEY,
    name       TEXT   NOT NULL,
    status     TEXT   NOT NULL,
    created_ms BIGINT NOT NULL
);

CREATE TABLE access_keys (
    key_id     TEXT   PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (account_id),
    secret     TEXT   NOT NULL,
    status     TEXT   NOT NULL,
    created_ms BIGINT NOT NULL
);
CREATE INDEX access_keys_by_account ON access_keys (account_id);

CREATE TABLE compliance_packs (
    account_id BIGINT NOT NULL REFERENCES accounts (account_id),
    pack_id    TEXT   NOT NULL,
    name       TEXT   NOT NULL,
    created_ms BIGINT NOT NULL,
    PRIMARY KEY (account_id, pack_id)
);
