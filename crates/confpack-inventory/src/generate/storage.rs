//! OSS buckets (the shape of the vendor's verbatim sample: GetBucketInfo with ACL,
//! encryption and logging, plus the Referer whitelist) and KMS keys (DescribeKey's
//! KeyMetadata).

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
            } else if run.chance(0.5) {
                // With KMS, the compliant share names the block's own key; the rest use the
                // default OSS key in KMS, which GetBucketEncryption reports as no key id.
                let key = block.kms_key.as_deref().filter(|_| run.compliant());
                e.str("SSEAlgorithm", "KMS");
                e.str("KMSMasterKeyID", key.unwrap_or_default());
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
        // GetBucketReferer's whitelist: the compliant share restricts Referers to the
        // organisation's sites (hotlink protection on), the rest lists none.
        let referers: &[&str] =
            if run.compliant() { &["https://www.example.com", "https://*.example.com"] } else { &[] };
        e.wrapped_strs("RefererList", "Referer", referers);
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
        e.str("Versioning", if audit || run.compliant() { "Enabled" } else { "Suspended" });
        e.key("Policy");
        bucket_policy(run, block, name, audit, e);
    });
}

/// Accounts outside the organisation that some bucket policies grant access to.
const PARTNER_ACCOUNTS: [&str; 3] = ["1234567890123456", "2765432109876543", "1357924680135792"];

/// What a policy statement is conditioned on.
enum Condition<'a> {
    None,
    /// `IpAddress` on `acs:SourceIp`.
    SourceIp(&'a [&'a str]),
    /// `Bool` `acs:SecureTransport` false: requests over plain HTTP.
    InsecureTransport,
}

/// The bucket policy (GetBucketPolicy), `{}` for a bucket without one. Three independent
/// properties, each passing for the compliant share: an HTTPS-only denial for everyone; no
/// anonymous (`*`) grant; and, for the buckets that grant access at all, a grant to the
/// owner's own account (not a partner's) limited to the VPC's addresses. The audit bucket
/// only carries the HTTPS-only denial.
fn bucket_policy<E: Emit>(run: &mut Run, block: &Block, name: &str, audit: bool, e: &mut E) {
    let https_only = audit || run.compliant();
    let anonymous = !audit && !run.compliant();
    let grant = !audit && run.chance(0.6);
    if !(https_only || anonymous || grant) {
        e.object(|_| {});
        return;
    }
    let account = run.account_id.clone();
    let resources = [format!("acs:oss:*:{account}:{name}"), format!("acs:oss:*:{account}:{name}/*")];
    let statement = |e: &mut E, effect: &str, actions: &[&str], principal: &str, condition: Condition| {
        e.object(|e| {
            e.str("Effect", effect);
            e.strs("Action", actions);
            e.strs("Principal", [principal]);
            e.strs("Resource", &resources);
            match condition {
                Condition::None => {}
                Condition::SourceIp(blocks) => {
                    e.obj("Condition", |e| e.obj("IpAddress", |e| e.strs("acs:SourceIp", blocks)));
                }
                Condition::InsecureTransport => {
                    e.obj("Condition", |e| e.obj("Bool", |e| e.strs("acs:SecureTransport", ["false"])));
                }
            }
        });
    };
    e.object(|e| {
        e.str("Version", "1");
        e.arr("Statement", |e| {
            if grant {
                let actions: &[&str] = run.pick(&[
                    &["oss:GetObject", "oss:ListObjects"][..],
                    &["oss:PutObject"],
                    &["oss:GetObject", "oss:PutObject", "oss:DeleteObject"],
                ]);
                let principal = if run.compliant() { account.clone() } else { run.pick(&PARTNER_ACCOUNTS).to_owned() };
                let vpc = format!("10.{}.0.0/16", block.vpc_octet);
                if run.compliant() {
                    statement(e, "Allow", actions, &principal, Condition::SourceIp(&[&vpc, "192.168.0.0/16"]));
                } else if run.chance(0.5) {
                    statement(e, "Allow", actions, &principal, Condition::SourceIp(&[&vpc, "0.0.0.0/0"]));
                } else {
                    statement(e, "Allow", actions, &principal, Condition::None);
                }
            }
            if anonymous {
                statement(e, "Allow", &["oss:GetObject"], "*", Condition::None);
            }
            if https_only {
                statement(e, "Deny", &["oss:*"], "*", Condition::InsecureTransport);
            }
        });
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
