//! ECS: instances (a DescribeInstances item), disks (DescribeDisks), security groups
//! (DescribeSecurityGroupAttribute) and automatic snapshot policies.

use serde_json::{Value, json};

use super::dates;
use super::plan::Block;
use super::run::{Envelope, Run};

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
    ("aliyun_3_x64_20G_alibase_20240528.vhd", "Alibaba Cloud Linux  3.2104 LTS 64位", "Alibaba Cloud Linux  3.2104 LTS 64 bit", "linux"),
    ("ubuntu_22_04_x64_20G_alibase_20240530.vhd", "Ubuntu  22.04 64位", "Ubuntu  22.04 64 bit", "linux"),
    ("centos_7_9_x64_20G_alibase_20240403.vhd", "CentOS  7.9 64位", "CentOS  7.9 64 bit", "linux"),
    ("win2022_21H2_x64_dtc_zh-cn_40G_alibase_20240515.vhd", "Windows Server  2022 数据中心版 64位中文版", "Windows Server  2022 DataCenter 64 bit Chinese Edition", "windows"),
];

/// The expiry the vendor reports for pay-as-you-go resources.
const NEVER_EXPIRES: &str = "2099-12-31T15:59Z";

/// An ECS instance.
pub(super) fn instance(run: &mut Run, block: &Block, i: usize, eip_follows: bool) -> Value {
    let plan = &block.instances[i];
    let region = &run.regions[block.region];
    let (region_name, code) = (region.name.clone(), region.code.clone());
    let vswitch = &block.vswitches[plan.vswitch];
    let zone = region.zones[vswitch.zone].clone();
    let (instance_type, family, cpu, memory, gpus, gpu_spec) = run.pick(&INSTANCE_TYPES);
    let (image, os_name, os_name_en, os_type) = run.pick(&IMAGES);
    let name = format!("{}-{:04}", plan.app, run.between(1, 9999));
    let private_ip = format!("10.{}.{}.{}", block.vpc_octet, vswitch.octet, plan.host);
    let running = run.chance(0.9);
    let deletion_protection = run.compliant();
    let key_pair = os_type == "linux" && run.compliant();
    let imds_v2 = run.compliant();
    let ram_role = run.compliant();
    let tags = run.tags(plan.app);
    let eni = {
        let Run { ids, rng, .. } = &mut *run;
        ids.ecs_style(rng, "eni-", &code, 20)
    };
    // The EIP is bound only if it really follows in the stream, so a truncated run never
    // points at an EIP it did not emit.
    let eip = plan.eip.filter(|_| eip_follows).map(|e| &block.eips[e]);
    let public_ips: Vec<&str> = plan.public_ip.as_deref().into_iter().collect();
    let bandwidth_out = if public_ips.is_empty() { 0 } else { run.pick(&[5, 10, 100]) };
    let created = dates::minutes(plan.created_ms);
    let expired = if plan.prepaid { dates::minutes(run.days_ago(-400, 20)) } else { NEVER_EXPIRES.to_owned() };
    let configuration = json!({
        "InstanceId": plan.id,
        "InstanceName": name,
        "Description": "",
        "HostName": format!("iz{}z", &plan.id[2..]),
        "InstanceType": instance_type,
        "InstanceTypeFamily": family,
        "Cpu": cpu,
        "Memory": memory,
        "GPUAmount": gpus,
        "GPUSpec": gpu_spec,
        "Status": if running { "Running" } else { "Stopped" },
        "RegionId": region_name,
        "ZoneId": zone,
        "InstanceNetworkType": "vpc",
        "VpcAttributes": {
            "VpcId": block.vpc_id,
            "VSwitchId": vswitch.id,
            "PrivateIpAddress": {"IpAddress": [private_ip]},
            "NatIpAddress": ""
        },
        "PublicIpAddress": {"IpAddress": public_ips},
        "EipAddress": {
            "IpAddress": eip.map_or("", |e| e.ip.as_str()),
            "AllocationId": eip.map_or("", |e| e.id.as_str()),
            "InternetChargeType": if eip.is_some() { "PayByTraffic" } else { "" }
        },
        "SecurityGroupIds": {"SecurityGroupId": plan.security_groups.iter().map(|&s| block.security_groups[s].as_str()).collect::<Vec<_>>()},
        "NetworkInterfaces": {"NetworkInterface": [{"NetworkInterfaceId": eni, "Type": "Primary", "PrimaryIpAddress": private_ip}]},
        "InternetChargeType": "PayByTraffic",
        "InternetMaxBandwidthIn": 100,
        "InternetMaxBandwidthOut": bandwidth_out,
        "InstanceChargeType": if plan.prepaid { "PrePaid" } else { "PostPaid" },
        "SpotStrategy": "NoSpot",
        "CreationTime": created,
        "StartTime": created,
        "ExpiredTime": expired,
        "DeletionProtection": deletion_protection,
        "ImageId": image,
        "OSName": os_name,
        "OSNameEn": os_name_en,
        "OSType": os_type,
        "KeyPairName": if key_pair { "ops-keypair" } else { "" },
        "MetadataOptions": {"HttpEndpoint": "enabled", "HttpTokens": if imds_v2 { "required" } else { "optional" }},
        "RamRoleName": if ram_role { "AliyunECSInstanceForAppRole" } else { "" },
        "ResourceGroupId": "",
        "Tags": tags.tag_key_value()
    });
    finish(run, configuration, Envelope {
        id: plan.id.clone(),
        resource_type: "ACS::ECS::Instance",
        region: &region_name,
        name,
        resource_group: String::new(),
        zone: Some(&zone),
        vpc: Some(&block.vpc_id),
        vswitch: Some(&vswitch.id),
        created_ms: plan.created_ms,
        tags: &tags,
    })
}

/// Fills `ResourceGroupId` in both the configuration and the envelope, then wraps.
fn finish(run: &mut Run, mut configuration: Value, mut envelope: Envelope<'_>) -> Value {
    let group = run.resource_group();
    configuration["ResourceGroupId"] = Value::from(group.as_str());
    envelope.resource_group = group;
    envelope.wrap(configuration)
}

/// An ECS disk: the system disk, a data disk of an instance, or an idle data disk.
pub(super) fn disk(run: &mut Run, block: &Block, d: usize) -> Value {
    let plan = &block.disks[d];
    let region = &run.regions[block.region];
    let (region_name, zone) = (region.name.clone(), region.zones[plan.zone].clone());
    let instance = plan.instance.map(|i| &block.instances[i]);
    let created_ms = instance.map_or_else(|| run.creation_time(), |i| i.created_ms);
    let category = run.pick(&["cloud_essd", "cloud_essd", "cloud_auto", "cloud_efficiency"]);
    let size = if plan.system { run.pick(&[40, 40, 60, 100]) } else { run.pick(&[100, 200, 500, 1024, 2048]) };
    let encrypted = run.compliant();
    let kms_key = if encrypted { block.kms_key.as_deref().unwrap_or("") } else { "" };
    let auto_snapshot = run.compliant();
    let delete_auto_snapshot = !run.compliant();
    let tags = instance.map_or_else(|| run.tags("storage"), |i| run.tags(i.app));
    let name = if plan.system { String::new() } else { format!("data-{:04}", run.between(1, 9999)) };
    let device = instance.map_or(String::new(), |_| format!("/dev/xvd{}", char::from(b'a' + plan.device)));
    let prepaid = instance.is_some_and(|i| i.prepaid);
    let configuration = json!({
        "DiskId": plan.id,
        "DiskName": name,
        "Description": "",
        "Type": if plan.system { "system" } else { "data" },
        "Category": category,
        "PerformanceLevel": if category == "cloud_essd" { "PL1" } else { "" },
        "Size": size,
        "Status": if instance.is_some() { "In_use" } else { "Available" },
        "InstanceId": instance.map_or("", |i| i.id.as_str()),
        "Device": device,
        "RegionId": region_name,
        "ZoneId": zone,
        "Encrypted": encrypted,
        "KMSKeyId": kms_key,
        "ImageId": if plan.system { IMAGES[0].0 } else { "" },
        "SourceSnapshotId": "",
        "AutoSnapshotPolicyId": if auto_snapshot { block.snapshot_policy.as_str() } else { "" },
        "EnableAutoSnapshot": auto_snapshot,
        "DeleteAutoSnapshot": delete_auto_snapshot,
        "DeleteWithInstance": plan.system,
        "Portable": !plan.system,
        "DiskChargeType": if prepaid { "PrePaid" } else { "PostPaid" },
        "CreationTime": dates::minutes(created_ms),
        "AttachedTime": instance.map_or(String::new(), |_| dates::minutes(created_ms)),
        "ResourceGroupId": "",
        "Tags": tags.tag_key_value()
    });
    // System disks have no name of their own; the envelope then shows the id.
    let display_name = if name.is_empty() { plan.id.clone() } else { name };
    finish(run, configuration, Envelope {
        id: plan.id.clone(),
        name: display_name,
        resource_type: "ACS::ECS::Disk",
        region: &region_name,
        resource_group: String::new(),
        zone: Some(&zone),
        vpc: None,
        vswitch: None,
        created_ms,
        tags: &tags,
    })
}

/// A security group: a mix of internal-only groups, groups with web ports open to the
/// internet, and groups exposing SSH/RDP to 0.0.0.0/0.
pub(super) fn security_group(run: &mut Run, block: &Block, s: usize) -> Value {
    let id = &block.security_groups[s];
    let region_name = run.regions[block.region].name.clone();
    let created_ms = run.creation_time();
    let created = dates::minutes(created_ms);
    let vpc_cidr = format!("10.{}.0.0/16", block.vpc_octet);
    let rule = |protocol: &str, ports: &str, source: &str, priority: u32, description: &str| {
        json!({
            "Direction": "ingress", "IpProtocol": protocol, "PortRange": ports, "SourceCidrIp": source, "DestCidrIp": "",
            "SourceGroupId": "", "Policy": "Accept", "Priority": priority.to_string(), "NicType": "intranet",
            "Description": description, "CreateTime": created
        })
    };
    let mut permissions = vec![
        rule("TCP", "22/22", &vpc_cidr, 1, "ssh from the VPC"),
        rule("ICMP", "-1/-1", &vpc_cidr, 100, ""),
    ];
    let risky = !run.compliant();
    if risky {
        let port = run.pick(&["22/22", "3389/3389", "22/22"]);
        permissions.push(rule("TCP", port, "0.0.0.0/0", 1, "temporary access"));
    }
    if run.chance(0.2) {
        permissions.push(rule("TCP", "80/80", "0.0.0.0/0", 1, "http"));
        permissions.push(rule("TCP", "443/443", "0.0.0.0/0", 1, "https"));
    }
    let egress_all = !run.compliant();
    let (egress_protocol, egress_ports) = if egress_all { ("ALL", "-1/-1") } else { ("TCP", "443/443") };
    permissions.push(json!({
        "Direction": "egress", "IpProtocol": egress_protocol, "PortRange": egress_ports, "SourceCidrIp": "", "DestCidrIp": "0.0.0.0/0",
        "SourceGroupId": "", "Policy": "Accept", "Priority": "100", "NicType": "intranet", "Description": "", "CreateTime": created
    }));
    let app = run.pick(&["web", "app", "db", "ops", "default"]);
    let name = format!("sg-{app}-{}", &id[id.len() - 6..]);
    let described = run.compliant();
    let tags = run.tags("network");
    let configuration = json!({
        "SecurityGroupId": id,
        "SecurityGroupName": name,
        "Description": if described { format!("{app} tier") } else { String::new() },
        "VpcId": block.vpc_id,
        "SecurityGroupType": if run.chance(0.5) { "normal" } else { "enterprise" },
        "InnerAccessPolicy": "Accept",
        "RegionId": region_name,
        "CreationTime": created,
        "Permissions": {"Permission": permissions},
        "ResourceGroupId": "",
        "Tags": tags.tag_key_value()
    });
    finish(run, configuration, Envelope {
        id: id.clone(),
        resource_type: "ACS::ECS::SecurityGroup",
        region: &region_name,
        name,
        resource_group: String::new(),
        zone: None,
        vpc: Some(&block.vpc_id),
        vswitch: None,
        created_ms,
        tags: &tags,
    })
}

/// The block's automatic snapshot policy.
pub(super) fn snapshot_policy(run: &mut Run, block: &Block) -> Value {
    let id = &block.snapshot_policy;
    let region_name = run.regions[block.region].name.clone();
    let created_ms = run.creation_time();
    // Retention of at least a week passes ecs-snapshot-retention-days at its usual setting.
    let retention: i64 = if run.compliant() { run.pick(&[7, 14, 30, -1]) } else { run.pick(&[1, 3]) };
    let hour = run.between(0, 5);
    let name = format!("daily-{}", &id[id.len() - 6..]);
    let tags = run.tags("backup");
    let configuration = json!({
        "AutoSnapshotPolicyId": id,
        "AutoSnapshotPolicyName": name,
        "RegionId": region_name,
        "TimePoints": format!("[\"{hour}\"]"),
        "RepeatWeekdays": "[\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\"]",
        "RetentionDays": retention,
        "Status": "Normal",
        "DiskNums": run.between(0, 40),
        "EnableCrossRegionCopy": false,
        "TargetCopyRegions": "[]",
        "CopiedSnapshotsRetentionDays": -1,
        "CreationTime": dates::minutes(created_ms),
        "ResourceGroupId": "",
        "Tags": tags.tag_key_value()
    });
    finish(run, configuration, Envelope {
        id: id.clone(),
        resource_type: "ACS::ECS::AutoSnapshotPolicy",
        region: &region_name,
        name,
        resource_group: String::new(),
        zone: None,
        vpc: None,
        vswitch: None,
        created_ms,
        tags: &tags,
    })
}
