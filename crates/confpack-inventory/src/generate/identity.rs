//! Account-level and identity resources: the `ACS::::Account` pseudo-resource, resource
//! groups (ResourceManager GetResourceGroup), RAM users (the shape of the vendor's
//! verbatim sample: GetUser with login profile and AccessKeys), RAM policies (GetPolicy
//! with its default version) and ActionTrail trails (a DescribeTrails item).

use rand::Rng;

use super::dates;
use super::emit::Emit;
use super::envelope::Envelope;
use super::plan::Block;
use super::run::{REFERENCE_TIME_MS, Run};

const GLOBAL: &str = "global";

/// The account itself: password policy, security preferences and root-user posture.
pub(super) fn account<E: Emit>(run: &mut Run, e: &mut E) {
    let id = run.account_id.clone();
    let default_group = run.resource_groups[0].0.clone();
    let envelope = Envelope::new("ACS::::Account", &id, GLOBAL, &id, REFERENCE_TIME_MS - 6 * 365 * 86_400_000)
        .group(default_group);
    envelope.emit(e, |e| {
        let strong = run.compliant();
        e.str("AccountId", &id);
        e.obj("PasswordPolicy", |e| {
            e.num("MinimumPasswordLength", if strong { 14 } else { 8 });
            e.bool("RequireLowercaseCharacters", true);
            e.bool("RequireUppercaseCharacters", strong);
            e.bool("RequireNumbers", true);
            e.bool("RequireSymbols", strong);
            e.bool("HardExpiry", strong);
            e.num("MaxPasswordAge", if strong { 90 } else { 0 });
            e.num("PasswordReusePrevention", if strong { 5 } else { 0 });
            e.num("MaxLoginAttemps", if strong { 5 } else { 0 });
        });
        e.obj("SecurityPreference", |e| {
            e.obj("LoginProfilePreference", |e| {
                e.bool("EnableSaveMFATicket", !strong);
                e.bool("AllowUserToChangePassword", true);
                e.num("LoginSessionDuration", 6);
                e.str("LoginNetworkMasks", "");
            });
            e.obj("AccessKeyPreference", |e| e.bool("AllowUserToManageAccessKeys", !strong));
            e.obj("MFAPreference", |e| e.bool("AllowUserToManageMFADevices", true));
        });
        e.obj("AccountSecurityPracticeInfo", |e| {
            e.obj("AccountSecurityPracticeUserInfo", |e| {
                e.bool("BindMfa", run.compliant());
                e.num("RootWithAccessKey", if run.compliant() { 0 } else { run.between(1, 2) });
                e.num("UnusedAkNum", run.between(0, 3));
            });
        });
    });
}

/// One of the run's resource groups.
pub(super) fn resource_group<E: Emit>(run: &mut Run, g: usize, e: &mut E) {
    let (id, name) = run.resource_groups[g].clone();
    let created_ms = run.creation_time();
    let envelope = Envelope::new("ACS::RM::ResourceGroup", &id, GLOBAL, name, created_ms).group(id.clone());
    envelope.emit(e, |e| {
        e.str("Id", &id);
        e.str("AccountId", &run.account_id);
        e.str("Name", name);
        e.str("DisplayName", if name == "default" { "default resource group" } else { name });
        e.str("Status", "OK");
        e.str("CreateDate", &dates::seconds(created_ms));
        e.wrapped("RegionStatuses", "RegionStatus", |e| {
            for region in &run.regions {
                e.object(|e| {
                    e.str("RegionId", &region.name);
                    e.str("Status", "OK");
                });
            }
        });
    });
}

/// A RAM user: console users with and without MFA required, API-only users, fresh and
/// stale AccessKeys. Its `ResourceId` is the numeric `UserId`, as the vendor's evaluation
/// results show; the name is the `ResourceName`.
pub(super) fn ram_user<E: Emit>(run: &mut Run, block: &Block, u: usize, e: &mut E) {
    let name = &block.users[u];
    let user_id = run.numeric_id();
    let created_ms = run.creation_time();
    let envelope = Envelope::new("ACS::RAM::User", &user_id, GLOBAL, name, created_ms).grouped(run);
    envelope.emit(e, |e| {
        let created = dates::seconds(created_ms);
        // The compliant share was changed lately, which ram-user-last-login-expired-check
        // reads when a user has no logon record.
        let updated = if run.compliant() { run.days_ago(1, 80).max(created_ms) } else { run.time_after(created_ms) };
        e.str("UpdateDate", &dates::seconds(updated));
        e.str("UserName", name);
        e.wrapped("AccessKeys", "AccessKey", |e| {
            for _ in 0..run.between(0, 2) {
                access_key(run, created_ms, e);
            }
        });
        e.str("UserId", &user_id);
        e.str("Comments", "");
        e.str("DisplayName", name.split('-').next().unwrap_or(name));
        e.str("CreateDate", &created);
        e.obj("LoginProfile", |e| {
            // API-only users have no login profile; GetLoginProfile would fail for them.
            if run.chance(0.6) {
                e.bool("PasswordResetRequired", false);
                e.str("UserName", name);
                e.bool("MFABindRequired", run.compliant());
                e.str("CreateDate", &created);
            }
        });
        // The compliant share gets its permissions through one or two groups, the rest
        // through policies attached to the user directly (ListGroupsForUser,
        // ListPoliciesForUser).
        e.wrapped("Groups", "Group", |e| {
            if run.compliant() {
                let first = usize::try_from(run.between(0, USER_GROUPS.len() as u64 - 1)).expect("small");
                for n in 0..usize::try_from(run.between(1, 2)).expect("small") {
                    let joined = dates::seconds(run.time_after(created_ms));
                    e.object(|e| {
                        e.str("GroupName", USER_GROUPS[(first + n) % USER_GROUPS.len()]);
                        e.str("Comments", "");
                        e.str("JoinDate", &joined);
                    });
                }
            }
        });
        e.wrapped("Policies", "Policy", |e| {
            if !run.compliant() {
                // A system policy, or one of the block's custom policies (emitted earlier).
                let (policy, kind) = if run.chance(0.5) || block.policies.is_empty() {
                    (run.pick(&SYSTEM_POLICIES), "System")
                } else {
                    let p = usize::try_from(run.between(0, block.policies.len() as u64 - 1)).expect("small");
                    (block.policies[p].as_str(), "Custom")
                };
                let attached = dates::seconds(run.time_after(created_ms));
                e.object(|e| {
                    e.str("PolicyName", policy);
                    e.str("PolicyType", kind);
                    e.str("Description", "");
                    e.str("DefaultVersion", "v1");
                    e.str("AttachDate", &attached);
                });
            }
        });
    });
}

/// The account's RAM user groups.
const USER_GROUPS: [&str; 5] = ["developers", "ops", "data", "readonly", "security"];

/// System policies attached directly to users; AdministratorAccess among them.
const SYSTEM_POLICIES: [&str; 4] =
    ["AliyunECSReadOnlyAccess", "AliyunOSSFullAccess", "AliyunLogReadOnlyAccess", "AdministratorAccess"];

/// An AccessKey: the compliant share is younger than 90 days at the reference instant.
fn access_key<E: Emit>(run: &mut Run, user_created_ms: i64, e: &mut E) {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let created = if run.compliant() { run.days_ago(1, 80) } else { run.days_ago(100, 1500) }.max(user_created_ms);
    let mut id = String::from("LTAI5t");
    id.push_str(&run.ids.suffix().to_ascii_uppercase());
    for _ in 0..6 {
        id.push(char::from(ALPHABET[run.rng.random_range(0..ALPHABET.len())]));
    }
    e.object(|e| {
        e.str("AccessKeyId", &id);
        e.str("Status", if run.chance(0.9) { "Active" } else { "Inactive" });
        e.str("CreateDate", &dates::seconds(created));
        e.str("LastUsedDate", &dates::seconds(run.time_after(created)));
    });
}

/// A custom RAM policy; the non-compliant share grants `*` on `*` or a whole product.
pub(super) fn ram_policy<E: Emit>(run: &mut Run, block: &Block, p: usize, e: &mut E) {
    let name = &block.policies[p];
    let created_ms = run.creation_time();
    let envelope = Envelope::new("ACS::RAM::Policy", name, GLOBAL, name, created_ms).grouped(run);
    envelope.emit(e, |e| {
        let created = dates::seconds(created_ms);
        let least_privilege = run.compliant();
        let document = if least_privilege {
            let (actions, resource) = run.pick(&[
                (r#"["oss:GetObject","oss:ListObjects"]"#, r#"["acs:oss:*:*:app-assets/*"]"#),
                (r#"["ecs:Describe*","vpc:Describe*"]"#, r#"["*"]"#),
                (r#"["log:PostLogStoreLogs"]"#, r#"["acs:log:*:*:project/app-logs/*"]"#),
            ]);
            format!(r#"{{"Version":"1","Statement":[{{"Effect":"Allow","Action":{actions},"Resource":{resource}}}]}}"#)
        } else {
            let action = run.pick(&["*", "ecs:*", "ram:*", "oss:*"]);
            format!(r#"{{"Version":"1","Statement":[{{"Effect":"Allow","Action":"{action}","Resource":"*"}}]}}"#)
        };
        e.str("PolicyName", name);
        e.str("PolicyType", "Custom");
        e.str("Description", "");
        e.str("DefaultVersion", "v1");
        e.str("CreateDate", &created);
        e.str("UpdateDate", &dates::seconds(run.time_after(created_ms)));
        e.num("AttachmentCount", if run.compliant() { run.between(1, 5) } else { 0 });
        e.obj("DefaultPolicyVersion", |e| {
            e.str("VersionId", "v1");
            e.bool("IsDefaultVersion", true);
            e.str("CreateDate", &created);
            e.str("PolicyDocument", &document);
        });
    });
}

/// A trail delivering to the audit bucket; the compliant share logs every region and
/// every event type.
pub(super) fn trail<E: Emit>(run: &mut Run, block: &Block, t: usize, e: &mut E) {
    let name = &block.trails[t];
    let region_name = run.regions[block.region].name.clone();
    let created_ms = run.creation_time();
    let envelope = Envelope::new("ACS::ActionTrail::Trail", name, &region_name, name, created_ms).placed(run, "audit");
    envelope.emit(e, |e| {
        let (status, trail_region, events) = if run.compliant() {
            ("Enable", "All", "All")
        } else {
            run.pick(&[("Disable", "All", "All"), ("Enable", "All", "Write"), ("Enable", "cn-hangzhou", "All")])
        };
        let started = dates::seconds(created_ms);
        e.str("Name", name);
        e.str("HomeRegion", &region_name);
        e.str("Status", status);
        e.str("TrailRegion", trail_region);
        e.str("EventRW", events);
        e.str("OssBucketName", &run.audit_bucket);
        e.str("OssKeyPrefix", "actiontrail");
        e.str("OssWriteRoleArn", &format!("acs:ram::{}:role/aliyunserviceroleforactiontrail", run.account_id));
        e.str("SlsProjectArn", "");
        e.str("SlsWriteRoleArn", "");
        e.bool("IsOrganizationTrail", false);
        e.str("CreateTime", &started);
        e.str("UpdateTime", &dates::seconds(run.time_after(created_ms)));
        e.str("StartLoggingTime", &started);
        e.str(
            "StopLoggingTime",
            &if status == "Disable" { dates::seconds(run.time_after(created_ms)) } else { String::new() },
        );
    });
}
