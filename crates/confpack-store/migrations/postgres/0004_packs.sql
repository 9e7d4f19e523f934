-- Compliance packs grow from a bare name to a document (confpack_model::CompliancePack),
-- like rules; the name stays a column so that it can be unique per account.
ALTER TABLE compliance_packs ADD COLUMN document TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX compliance_packs_by_name ON compliance_packs (account_id, name);
