-- The resource inventory: the current state of each resource, and every version of it.
-- resource_versions.seq orders all changes of the store: it is the durable change feed
-- rule evaluation reads ("configuration changed" events). Ids sort bytewise (COLLATE "C"),
-- as in SQLite, so pages come in the same order on both backends.
CREATE TABLE resources (
    account_id             BIGINT  NOT NULL,
    resource_type          TEXT    COLLATE "C" NOT NULL,
    resource_id            TEXT    COLLATE "C" NOT NULL,
    region                 TEXT    NOT NULL,
    resource_name          TEXT    NOT NULL,
    resource_group_id      TEXT    NOT NULL,
    availability_zone      TEXT    NOT NULL,
    resource_creation_time BIGINT,
    resource_status        TEXT    NOT NULL,
    vpc_id                 TEXT    NOT NULL,
    vswitch_id             TEXT    NOT NULL,
    tags                   TEXT    NOT NULL,
    configuration          TEXT    NOT NULL,
    custom_type            BIGINT  NOT NULL,
    content_hash           TEXT    NOT NULL,
    deleted                BIGINT  NOT NULL,
    version                BIGINT  NOT NULL,
    update_time            BIGINT  NOT NULL,
    PRIMARY KEY (account_id, resource_type, resource_id)
);

CREATE TABLE resource_versions (
    seq                    BIGSERIAL PRIMARY KEY,
    account_id             BIGINT  NOT NULL,
    resource_type          TEXT    NOT NULL,
    resource_id            TEXT    NOT NULL,
    version                BIGINT  NOT NULL,
    capture_time           BIGINT  NOT NULL,
    event_type             TEXT    NOT NULL,
    -- NULL only for a first capture that is still the current version: its diff is the
    -- current configuration against null, written out when the next version arrives.
    configuration_diff     TEXT,
    region                 TEXT    NOT NULL,
    resource_name          TEXT    NOT NULL,
    availability_zone      TEXT    NOT NULL,
    resource_creation_time BIGINT,
    tags                   TEXT    NOT NULL
);
CREATE UNIQUE INDEX resource_versions_by_resource
    ON resource_versions (account_id, resource_type, resource_id, version);
