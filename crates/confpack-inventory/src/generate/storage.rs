//! OSS buckets (the shape of the vendor's verbatim sample: GetBucketInfo with ACL,
//! encryption and logging) and KMS keys (DescribeKey's KeyMetadata).

use super::dates;
use super::emit::Emit;
use super::envelope::Envelope;
use super::plan::Block;
use super::run::Run;

const YEAR_MS: i64 = 365 * 86_400_000;

/// A bucket. The audit bucket ActionTrail writes to is always private and encrypted;
/// the others mix public ACLs, missing encryption and missing access logging.
pub(super) fn bucket<E: Emit>(run: &mut Run, block: &Block, b: usize, e: &mut E) {
    let name = &block.buckets[b];
    let region_name = run.regions[block.region].name.clone();
    let audit = *name == run.audit_bucket;
    let created_ms = run.creation_time();
    let envelope = Envelope::new("ACS::OSS::Bucket", name, &region_name, name, created_ms).placed(run, "storage");
    envelope.emit(e, |e| {
        let acl = if audit || run.compliant() {
            "private"
        } else {
            run.pick(&["public-read", "public-read", "public-read-write"])
        };
        e.obj("AccessControlList", |e| e.str("Grant", acl));
        e.obj("ServerSideEncryptionRule", |e| {
            if !audit && !run.compliant() {
                e.str("SSEAlgorithm", "None");
            } else if run.chance(0.3) {
                e.str("SSEAlgorithm", "KMS");
                e.str("KMSMasterKeyID", "");
            } else {
                e.str("SSEAlgorithm", "AES256");
            }
        });
        e.str("Comment", "");
        e.str("CreationDate", &dates::millis(created_ms));
        e.obj("Owner", |e| {
            e.str("DisplayName", &run.account_id);
            e.str("ID", &run.account_id);
        });
        e.str("StorageClass", run.pick(&["Standard", "Standard", "Standard", "IA", "Archive"]));
        e.str("DataRedundancyType", if run.chance(0.5) { "ZRS" } else { "LRS" });
        e.str("AllowEmptyReferer", if run.compliant() { "true" } else { "false" });
        e.str("Name", name);
        // Access logs go to the bucket itself under a prefix, a common setup that needs no
        // second bucket.
        let logging = run.compliant();
        e.obj("BucketPolicy", |e| {
            e.str("LogPrefix", if logging { "access-log/" } else { "" });
            e.str("LogBucket", if logging { name } else { "" });
        });
        e.str("ExtranetEndpoint", &format!("oss-{region_name}.aliyuncs.com"));
        e.str("IntranetEndpoint", &format!("oss-{region_name}-internal.aliyuncs.com"));
        e.str("Location", &format!("oss-{region_name}"));
    });
}

/// The block's customer master key, which its encrypted disks use.
pub(super) fn kms_key<E: Emit>(run: &mut Run, block: &Block, e: &mut E) {
    let id = block.kms_key.as_deref().unwrap_or_default();
    let region_name = run.regions[block.region].name.clone();
    let created_ms = run.creation_time();
    let envelope = Envelope::new("ACS::KMS::Key", id, &region_name, id, created_ms).placed(run, "security");
    envelope.emit(e, |e| {
        let rotation = run.compliant();
        let protected = run.compliant();
        let (last_rotation, next_rotation) = if rotation {
            let last = run.time_after(created_ms);
            (dates::seconds(last), dates::seconds(last + YEAR_MS))
        } else {
            (String::new(), String::new())
        };
        e.str("KeyId", id);
        e.str("Arn", &format!("acs:kms:{region_name}:{}:key/{id}", run.account_id));
        e.str("Description", if run.compliant() { "data encryption key" } else { "" });
        e.str("KeyState", if run.chance(0.95) { "Enabled" } else { run.pick(&["Disabled", "PendingDeletion"]) });
        e.str("KeyUsage", "ENCRYPT/DECRYPT");
        e.str("KeySpec", "Aliyun_AES_256");
        e.str("Origin", if run.chance(0.9) { "Aliyun_KMS" } else { "EXTERNAL" });
        e.str("ProtectionLevel", "SOFTWARE");
        e.str("Creator", &run.account_id);
        e.str("CreationDate", &dates::seconds(created_ms));
        e.str("AutomaticRotation", if rotation { "Enabled" } else { "Disabled" });
        e.str("RotationInterval", if rotation { "31536000s" } else { "" });
        e.str("LastRotationDate", &last_rotation);
        e.str("NextRotationDate", &next_rotation);
        e.str("PrimaryKeyVersion", id);
        e.str("DeleteDate", "");
        e.str("MaterialExpireTime", "");
        e.str("DeletionProtection", if protected { "Enabled" } else { "Disabled" });
        e.str("DeletionProtectionDescription", if protected { "protects the disks' key" } else { "" });
    });
}
