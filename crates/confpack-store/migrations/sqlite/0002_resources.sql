-- The resource inventory: the current state of each resource, and every version of it.
-- resource_versions.seq orders all changes of the store: it is the durable change feed
-- rule evaluation reads ("configuration changed" events).
CREATE TABLE resources (
    account_id             INTEGER NOT NULL,
    resource_type          TEXT    NOT NULL,
    resource_id            TEXT    NOT NULL,
    region                 TEXT    NOT NULL,
    resource_name          TEXT    NOT NULL,
    resource_group_id      TEXT    NOT NULL,
    availability_zone      TEXT    NOT NULL,
    resource_creation_time INTEGER,
    resource_status        TEXT    NOT NULL,
    vpc_id                 TEXT    NOT NULL,
    vswitch_id             TEXT    NOT NULL,
    tags                   TEXT    NOT NULL,
    configuration          TEXT    NOT NULL,
    custom_type            INTEGER NOT NULL,
    content_hash           TEXT    NOT NULL,
    deleted                INTEGER NOT NULL,
    version                INTEGER NOT NULL,
    update_time            INTEGER NOT NULL
);
-- A rowid table with a unique index rather than WITHOUT ROWID: rows carry whole
-- configurations (often over a kilobyte), which WITHOUT ROWID tables store poorly.
CREATE UNIQUE INDEX resources_by_key ON resources (account_id, resource_type, resource_id);

CREATE TABLE resource_versions (
    seq                    INTEGER PRIMARY KEY,
    account_id             INTEGER NOT NULL,
    resource_type          TEXT    NOT NULL,
    resource_id            TEXT    NOT NULL,
    version                INTEGER NOT NULL,
    capture_time           INTEGER NOT NULL,
    event_type             TEXT    NOT NULL,
    -- NULL only for a first capture that is still the current version: its diff is the
    -- current configuration against null, written out when the next version arrives.
    configuration_diff     TEXT,
    region                 TEXT    NOT NULL,
    resource_name          TEXT    NOT NULL,
    availability_zone      TEXT    NOT NULL,
    resource_creation_time INTEGER,
    tags                   TEXT    NOT NULL
);
CREATE UNIQUE INDEX resource_versions_by_resource
    ON resource_versions (account_id, resource_type, resource_id, version);
