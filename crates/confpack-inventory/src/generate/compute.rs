//! ECS: instances (a DescribeInstances item), disks (DescribeDisks), security groups
//! (DescribeSecurityGroupAttribute) and automatic snapshot policies.

use super::dates;
use super::emit::Emit;
use super::envelope::{Envelope, TagSpelling};
use super::plan::Block;
use super::run::Run;

/// `(InstanceType, InstanceTypeFamily, Cpu, Memory MiB, GPUAmount, GPUSpec)`.
const INSTANCE_TYPES: [(&str, &str, u32, u32, u32, &str); 8] = [
    ("ecs.g7.large", "ecs.g7", 2, 8192, 0, ""),
    ("ecs.g7.xlarge", "ecs.g7", 4, 16384, 0, ""),
    ("ecs.c7.large", "ecs.c7", 2, 4096, 0, ""),
    ("ecs.c7.2xlarge", "ecs.c7", 8, 16384, 0, ""),
    ("ecs.r7.large", "ecs.r7", 2, 16384, 0, ""),
    ("ecs.g6.large", "ecs.g6", 2, 8192, 0, ""),
    ("ecs.t5-lc1m2.small", "ecs.t5", 1, 2048, 0, ""),
    ("ecs.gn6i-c4g1.xlarge", "ecs.gn6i", 4, 15360, 1, "NVIDIA T4"),
];

/// `(ImageId, OSName, OSNameEn, OSType)`.
const IMAGES: [(&str, &str, &str, &str); 4] = [
    (
        "aliyun_3_x64_20G_alibase_20240528.vhd",
        "Alibaba Cloud Linux  3.2104 LTS 64位",
        "Alibaba Cloud Linux  3.2104 LTS 64 bit",
        "linux",
    ),
    ("ubuntu_22_04_x64_20G_alibase_20240530.vhd", "Ubuntu  22.04 64位", "Ubuntu  22.04 64 bit", "linux"),
    ("centos_7_9_x64_20G_alibase_20240403.vhd", "CentOS  7.9 64位", "CentOS  7.9 64 bit", "linux"),
    (
        "win2022_21H2_x64_dtc_zh-cn_40G_alibase_20240515.vhd",
        "Windows Server  2022 数据中心版 64位中文版",
        "Windows Server  2022 DataCenter 64 bit Chinese Edition",
        "windows",
    ),
];

/// `(Name, AliasName, Type)` of vulnerabilities Security Center reports, for Linux and for
/// Windows instances.
const LINUX_VULNERABILITIES: [(&str, &str, &str); 3] = [
    ("oval:com.redhat.rhsa:def:20243138", "RHSA-2024:3138: kernel security update", "cve"),
    ("alinux3:2:CVE-2024-6387", "ALINUX3-SA-2024:0105: openssh security update", "cve"),
    ("USN-6844-1", "USN-6844-1: CUPS vulnerability", "cve"),
];
const WINDOWS_VULNERABILITIES: [(&str, &str, &str); 2] = [
    ("KB5039227", "Windows Server 2022 cumulative security update (KB5039227)", "sys"),
    ("KB5040437", "Windows Server 2022 cumulative security update (KB5040437)", "sys"),
];

/// The expiry the vendor reports for pay-as-you-go resources.
const NEVER_EXPIRES: &str = "2099-12-31T15:59Z";

/// An ECS instance. `eip_follows` says whether the instance's planned EIP really is the
/// next item; if not (filtered out, or the run ends here) the instance shows none, so it
/// never points at an EIP the stream lacks.
pub(super) fn instance<E: Emit>(run: &mut Run, block: &Block, i: usize, eip_follows: bool, e: &mut E) {
    let plan = &block.instances[i];
    let region = &run.regions[block.region];
    let vswitch = &block.vswitches[plan.vswitch];
    let (region_name, zone) = (region.name.clone(), region.zones[vswitch.zone].clone());
    let (instance_type, family, cpu, memory, gpus, gpu_spec) = run.pick(&INSTANCE_TYPES);
    let (image, os_name, os_name_en, os_type) = run.pick(&IMAGES);
    let name = format!("{}-{:04}", plan.app, run.between(1, 9999));
    let private_ip = format!("10.{}.{}.{}", block.vpc_octet, vswitch.octet, plan.host);
    let eni = run.ecs_id(block.region, "eni-", 20);
    let eip = plan.eip.filter(|_| eip_follows).map(|e| &block.eips[e]);
    let created = dates::minutes(plan.created_ms);
    let envelope = Envelope::new("ACS::ECS::Instance", &plan.id, &region_name, &name, plan.created_ms)
        .vswitch(&zone, &block.vpc_id, &vswitch.id)
        .placed(run, plan.app);
    envelope.emit_tagged(e, TagSpelling::TagKeyValue, |e| {
        e.str("InstanceId", &plan.id);
        e.str("InstanceName", &name);
        e.str("Description", "");
        e.str("HostName", &format!("iz{}z", &plan.id[2..]));
        e.str("InstanceType", instance_type);
        e.str("InstanceTypeFamily", family);
        e.num("Cpu", cpu);
        e.num("Memory", memory);
        e.num("GPUAmount", gpus);
        e.str("GPUSpec", gpu_spec);
        let running = run.chance(0.9);
        e.str("Status", if running { "Running" } else { "Stopped" });
        e.str("RegionId", &region_name);
        e.str("ZoneId", &zone);
        e.str("InstanceNetworkType", "vpc");
        e.obj("VpcAttributes", |e| {
            e.str("VpcId", &block.vpc_id);
            e.str("VSwitchId", &vswitch.id);
            e.wrapped_strs("PrivateIpAddress", "IpAddress", [&private_ip]);
            e.str("NatIpAddress", "");
        });
        e.wrapped_strs("PublicIpAddress", "IpAddress", &plan.public_ip);
        e.obj("EipAddress", |e| {
            e.str("IpAddress", eip.map_or("", |e| &e.ip));
            e.str("AllocationId", eip.map_or("", |e| &e.id));
            e.str("InternetChargeType", if eip.is_some() { "PayByTraffic" } else { "" });
        });
        e.wrapped_strs(
            "SecurityGroupIds",
            "SecurityGroupId",
            plan.security_groups.iter().map(|&s| &block.security_groups[s]),
        );
        e.wrapped("NetworkInterfaces", "NetworkInterface", |e| {
            e.object(|e| {
                e.str("NetworkInterfaceId", &eni);
                e.str("Type", "Primary");
                e.str("PrimaryIpAddress", &private_ip);
            });
        });
        e.str("InternetChargeType", "PayByTraffic");
        e.num("InternetMaxBandwidthIn", 100);
        e.num("InternetMaxBandwidthOut", if plan.public_ip.is_some() { run.pick(&[5, 10, 100]) } else { 0 });
        e.str("InstanceChargeType", if plan.prepaid { "PrePaid" } else { "PostPaid" });
        e.str("SpotStrategy", "NoSpot");
        e.str("CreationTime", &created);
        e.str("StartTime", &created);
        if plan.prepaid {
            e.str("ExpiredTime", &dates::minutes(run.days_ago(-400, 20)));
        } else {
            e.str("ExpiredTime", NEVER_EXPIRES);
        }
        e.bool("DeletionProtection", run.compliant());
        e.str("ImageId", image);
        e.str("OSName", os_name);
        e.str("OSNameEn", os_name_en);
        e.str("OSType", os_type);
        e.str("KeyPairName", if os_type == "linux" && run.compliant() { "ops-keypair" } else { "" });
        e.obj("MetadataOptions", |e| {
            e.str("HttpEndpoint", "enabled");
            e.str("HttpTokens", if run.compliant() { "required" } else { "optional" });
        });
        e.str("RamRoleName", if run.compliant() { "AliyunECSInstanceForAppRole" } else { "" });
        // The Security Center agent (DescribeCloudCenterInstances): online on the compliant
        // share of running instances; a stopped instance's agent is offline.
        let agent = if !running {
            "offline"
        } else if run.compliant() {
            "online"
        } else {
            run.pick(&["offline", "offline", "pause"])
        };
        e.str("ClientStatus", agent);
        // The CloudMonitor agent (CloudMonitor DescribeMonitoringAgentStatuses' NodeStatus):
        // running on the compliant share of running instances; stopped with the instance.
        let monitor = if !running {
            "stopped"
        } else if run.compliant() {
            "running"
        } else {
            run.pick(&["stopped", "uninstalled", "install_faild"])
        };
        e.obj("MonitoringAgentStatus", |e| {
            e.str("Status", monitor);
            e.bool("AutoInstall", monitor != "uninstalled");
            e.str("OsMonitorStatus", if monitor == "running" { "running" } else { "stopped" });
        });
        // The unhandled vulnerabilities Security Center reports for the instance (DescribeVulList
        // VulRecords): none on the compliant share, otherwise one to three of mixed priority.
        let vulnerabilities = if run.compliant() { 0 } else { run.between(1, 3) };
        e.arr("VulRecords", |e| {
            for _ in 0..vulnerabilities {
                let known: &[_] = if os_type == "windows" { &WINDOWS_VULNERABILITIES } else { &LINUX_VULNERABILITIES };
                let (name, alias, kind) = run.pick(known);
                let necessity = run.pick(&["asap", "later", "nntf"]);
                e.object(|e| {
                    e.str("Name", name);
                    e.str("AliasName", alias);
                    e.str("Type", kind);
                    e.str("Necessity", necessity);
                    e.num("Status", 1);
                    e.str("InstanceId", &plan.id);
                });
            }
        });
    });
}

/// An ECS disk: the system disk, a data disk of an instance, or an idle data disk.
pub(super) fn disk<E: Emit>(run: &mut Run, block: &Block, d: usize, e: &mut E) {
    let plan = &block.disks[d];
    let region = &run.regions[block.region];
    let (region_name, zone) = (region.name.clone(), region.zones[plan.zone].clone());
    let instance = plan.instance.map(|i| &block.instances[i]);
    let created_ms = instance.map_or_else(|| run.creation_time(), |i| i.created_ms);
    // System disks have no name of their own; the envelope then shows the id.
    let name = if plan.system { String::new() } else { format!("data-{:04}", run.between(1, 9999)) };
    let shown_name = if name.is_empty() { &plan.id } else { &name };
    let envelope = Envelope::new("ACS::ECS::Disk", &plan.id, &region_name, shown_name, created_ms)
        .zone(&zone)
        .placed(run, instance.map_or("storage", |i| i.app));
    envelope.emit_tagged(e, TagSpelling::TagKeyValue, |e| {
        let category = run.pick(&["cloud_essd", "cloud_essd", "cloud_auto", "cloud_efficiency"]);
        let encrypted = run.compliant();
        let auto_snapshot = run.compliant();
        e.str("DiskId", &plan.id);
        e.str("DiskName", &name);
        e.str("Description", "");
        e.str("Type", if plan.system { "system" } else { "data" });
        e.str("Category", category);
        e.str("PerformanceLevel", if category == "cloud_essd" { "PL1" } else { "" });
        e.num("Size", if plan.system { run.pick(&[40, 40, 60, 100]) } else { run.pick(&[100, 200, 500, 1024, 2048]) });
        e.str("Status", if instance.is_some() { "In_use" } else { "Available" });
        e.str("InstanceId", instance.map_or("", |i| &i.id));
        e.str("Device", &instance.map_or(String::new(), |_| format!("/dev/xvd{}", char::from(b'a' + plan.device))));
        e.str("RegionId", &region_name);
        e.str("ZoneId", &zone);
        e.bool("Encrypted", encrypted);
        e.str("KMSKeyId", if encrypted { block.kms_key.as_deref().unwrap_or("") } else { "" });
        e.str("ImageId", if plan.system { IMAGES[0].0 } else { "" });
        e.str("SourceSnapshotId", "");
        e.str("AutoSnapshotPolicyId", if auto_snapshot { &block.snapshot_policy } else { "" });
        e.bool("EnableAutoSnapshot", auto_snapshot);
        e.bool("DeleteAutoSnapshot", !run.compliant());
        e.bool("DeleteWithInstance", plan.system);
        e.bool("Portable", !plan.system);
        e.str("DiskChargeType", if instance.is_some_and(|i| i.prepaid) { "PrePaid" } else { "PostPaid" });
        let created = dates::minutes(created_ms);
        e.str("CreationTime", &created);
        e.str("AttachedTime", if instance.is_some() { &created } else { "" });
    });
}

/// A security group: a mix of internal-only groups, groups with web ports open to the
/// internet, and groups exposing SSH/RDP to 0.0.0.0/0.
pub(super) fn security_group<E: Emit>(run: &mut Run, block: &Block, s: usize, e: &mut E) {
    let id = &block.security_groups[s];
    let region_name = run.regions[block.region].name.clone();
    let created_ms = run.creation_time();
    let app = run.pick(&["web", "app", "db", "ops", "default"]);
    let name = format!("sg-{app}-{}", &id[id.len() - 6..]);
    let envelope = Envelope::new("ACS::ECS::SecurityGroup", id, &region_name, &name, created_ms)
        .vpc(&block.vpc_id)
        .placed(run, "network");
    envelope.emit_tagged(e, TagSpelling::TagKeyValue, |e| {
        let created = dates::minutes(created_ms);
        let vpc_cidr = format!("10.{}.0.0/16", block.vpc_octet);
        e.str("SecurityGroupId", id);
        e.str("SecurityGroupName", &name);
        e.str("Description", &if run.compliant() { format!("{app} tier") } else { String::new() });
        e.str("VpcId", &block.vpc_id);
        e.str("SecurityGroupType", if run.chance(0.5) { "normal" } else { "enterprise" });
        e.str("InnerAccessPolicy", "Accept");
        e.str("RegionId", &region_name);
        e.str("CreationTime", &created);
        e.wrapped("Permissions", "Permission", |e| {
            let stamp = format!("{}:00Z", &created[..created.len() - 1]);
            let mut rule =
                |direction: &str, protocol: &str, ports: &str, cidr: &str, priority: &str, description: &str| {
                    let ingress = direction == "ingress";
                    e.object(|e| {
                        e.str("Direction", direction);
                        e.str("IpProtocol", protocol);
                        e.str("PortRange", ports);
                        e.str("SourceCidrIp", if ingress { cidr } else { "" });
                        e.str("DestCidrIp", if ingress { "" } else { cidr });
                        e.str("SourceGroupId", "");
                        e.str("Policy", "Accept");
                        e.str("Priority", priority);
                        e.str("NicType", "intranet");
                        e.str("Description", description);
                        e.str("CreateTime", &stamp);
                    });
                };
            rule("ingress", "TCP", "22/22", &vpc_cidr, "1", "ssh from the VPC");
            // Ping allowed (ICMP reports all ports, -1/-1), half the time from anywhere.
            if !run.compliant() {
                let source = if run.chance(0.5) { "0.0.0.0/0" } else { &vpc_cidr };
                rule("ingress", "ICMP", "-1/-1", source, "100", "ping");
            }
            if !run.compliant() {
                let port = run.pick(&["22/22", "3389/3389", "22/22"]);
                rule("ingress", "TCP", port, "0.0.0.0/0", "1", "temporary access");
            }
            if run.chance(0.2) {
                rule("ingress", "TCP", "80/80", "0.0.0.0/0", "1", "http");
                rule("ingress", "TCP", "443/443", "0.0.0.0/0", "1", "https");
            }
            if run.compliant() {
                rule("egress", "TCP", "443/443", "0.0.0.0/0", "100", "");
            } else {
                rule("egress", "ALL", "-1/-1", "0.0.0.0/0", "100", "");
            }
        });
        // Groups a cloud service creates and manages for itself (DescribeSecurityGroups).
        e.bool("ServiceManaged", run.chance(0.05));
    });
}

/// The block's automatic snapshot policy.
pub(super) fn snapshot_policy<E: Emit>(run: &mut Run, block: &Block, e: &mut E) {
    let id = &block.snapshot_policy;
    let region_name = run.regions[block.region].name.clone();
    let created_ms = run.creation_time();
    let name = format!("daily-{}", &id[id.len() - 6..]);
    let envelope =
        Envelope::new("ACS::ECS::AutoSnapshotPolicy", id, &region_name, &name, created_ms).placed(run, "backup");
    envelope.emit_tagged(e, TagSpelling::TagKeyValue, |e| {
        // Retention of at least a week passes ecs-snapshot-retention-days at its usual setting.
        let retention: i64 = if run.compliant() { run.pick(&[7, 14, 30, -1]) } else { run.pick(&[1, 3]) };
        e.str("AutoSnapshotPolicyId", id);
        e.str("AutoSnapshotPolicyName", &name);
        e.str("RegionId", &region_name);
        e.str("TimePoints", &format!("[\"{}\"]", run.between(0, 5)));
        e.str("RepeatWeekdays", "[\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\"]");
        e.num("RetentionDays", retention);
        e.str("Status", "Normal");
        e.num("DiskNums", run.between(0, 40));
        e.bool("EnableCrossRegionCopy", false);
        e.str("TargetCopyRegions", "[]");
        e.num("CopiedSnapshotsRetentionDays", -1);
        e.str("CreationTime", &dates::minutes(created_ms));
    });
}
