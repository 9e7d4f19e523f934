//! Networking: VPCs (DescribeVpcAttribute), vSwitches (DescribeVSwitchAttributes), EIPs
//! (a DescribeEipAddresses item) and classic load balancers (DescribeLoadBalancerAttribute
//! with its listeners).

use super::dates;
use super::emit::Emit;
use super::envelope::{Envelope, TagSpelling};
use super::plan::Block;
use super::run::{Run, Site};

/// The block's VPC; flow logs are on for the compliant share.
pub(super) fn vpc<E: Emit>(run: &mut Run, block: &Block, e: &mut E) {
    let region_name = run.regions[block.region].name.clone();
    let created_ms = run.creation_time();
    let name = format!("vpc-{}", run.pick(&["prod", "staging", "dev", "shared", "data"]));
    let envelope = Envelope::new("ACS::VPC::VPC", &block.vpc_id, &region_name, &name, created_ms)
        .vpc(&block.vpc_id)
        .placed(run, "network");
    envelope.emit_tagged(e, TagSpelling::KeyValue, |e| {
        let (router, route_table) = (run.ecs_id(block.region, "vrt-", 21), run.ecs_id(block.region, "vtb-", 21));
        e.str("VpcId", &block.vpc_id);
        e.str("VpcName", &name);
        e.str("Description", "");
        e.str("CidrBlock", &format!("10.{}.0.0/16", block.vpc_octet));
        e.str("Ipv6CidrBlock", "");
        e.str("Status", "Available");
        e.str("RegionId", &region_name);
        e.bool("IsDefault", false);
        e.str("VRouterId", &router);
        e.wrapped_strs("RouterTableIds", "RouterTableIds", [&route_table]);
        e.wrapped_strs("VSwitchIds", "VSwitchId", block.vswitches.iter().map(|v| &v.id));
        e.wrapped("FlowLogs", "FlowLog", |e| {
            if run.compliant() {
                let flow_log = run.ecs_id(block.region, "fl-", 21);
                e.object(|e| {
                    e.str("FlowLogId", &flow_log);
                    e.str("ResourceType", "VPC");
                    e.str("ResourceId", &block.vpc_id);
                    e.str("TrafficType", "All");
                    e.str("ProjectName", &format!("vpc-flowlog-{region_name}"));
                    e.str("LogStoreName", "flowlog");
                    e.str("Status", "Active");
                });
            }
        });
        e.str("CreationTime", &dates::minutes(created_ms));
    });
}

/// One of the block's vSwitches.
pub(super) fn vswitch<E: Emit>(run: &mut Run, block: &Block, v: usize, e: &mut E) {
    let plan = &block.vswitches[v];
    let region = &run.regions[block.region];
    let (region_name, zone) = (region.name.clone(), region.zones[plan.zone].clone());
    let created_ms = run.creation_time();
    let name = format!("vsw-{}", &zone[zone.len() - 1..]);
    let envelope = Envelope::new("ACS::VPC::VSwitch", &plan.id, &region_name, &name, created_ms)
        .vswitch(&zone, &block.vpc_id, &plan.id)
        .placed(run, "network");
    envelope.emit_tagged(e, TagSpelling::KeyValue, |e| {
        e.str("VSwitchId", &plan.id);
        e.str("VSwitchName", &name);
        e.str("Description", "");
        e.str("VpcId", &block.vpc_id);
        e.str("ZoneId", &zone);
        e.str("CidrBlock", &format!("10.{}.{}.0/24", block.vpc_octet, plan.octet));
        e.num("AvailableIpAddressCount", run.between(0, 250));
        e.str("Status", "Available");
        e.bool("IsDefault", false);
        e.str("NetworkAclId", "");
        e.str("RegionId", &region_name);
        e.str("CreationTime", &dates::minutes(created_ms));
    });
}

/// An EIP, bound to its instance or left idle.
pub(super) fn eip<E: Emit>(run: &mut Run, block: &Block, i: usize, e: &mut E) {
    let plan = &block.eips[i];
    let region_name = run.regions[block.region].name.clone();
    let instance = plan.instance.map(|i| &block.instances[i]);
    let created_ms = instance.map_or_else(|| run.creation_time(), |i| i.created_ms);
    let name = format!("eip-{}", &plan.id[plan.id.len() - 6..]);
    let envelope =
        Envelope::new("ACS::EIP::EipAddress", &plan.id, &region_name, &name, created_ms).placed(run, "network");
    envelope.emit_tagged(e, TagSpelling::KeyValue, |e| {
        e.str("AllocationId", &plan.id);
        e.str("Name", &name);
        e.str("Description", "");
        e.str("IpAddress", &plan.ip);
        e.str("Status", if instance.is_some() { "InUse" } else { "Available" });
        e.str("InstanceId", instance.map_or("", |i| &i.id));
        e.str("InstanceType", if instance.is_some() { "EcsInstance" } else { "" });
        e.str("InstanceRegionId", if instance.is_some() { &region_name } else { "" });
        e.str("Bandwidth", run.pick(&["5", "10", "20", "100"]));
        e.str("InternetChargeType", "PayByTraffic");
        e.str("ChargeType", "PostPaid");
        e.str("ISP", "BGP");
        e.str("Netmode", "public");
        e.str("AllocationTime", &dates::minutes(created_ms));
        e.str("ExpiredTime", "");
        e.bool("DeletionProtection", run.compliant());
        e.str("BandwidthPackageId", "");
        e.str("RegionId", &region_name);
    });
}

/// A classic load balancer (SLB/CLB) with its listeners inlined, since the listener rules
/// (HTTPS, TLS policy, ACL, health checks) are evaluated on the load balancer.
pub(super) fn load_balancer<E: Emit>(run: &mut Run, block: &Block, l: usize, e: &mut E) {
    let plan = &block.load_balancers[l];
    let vswitch = &block.vswitches[plan.vswitch];
    let Site { region: region_name, zone: master_zone, standby_zone: other_zone } =
        run.site(block.region, vswitch.zone);
    let created_ms = run.creation_time();
    let name = format!("slb-{}", run.pick(&["web", "api", "gateway", "internal"]));
    let envelope = Envelope::new("ACS::SLB::LoadBalancer", &plan.id, &region_name, &name, created_ms)
        .vswitch(&master_zone, &block.vpc_id, &vswitch.id)
        .placed(run, "gateway");
    envelope.emit_tagged(e, TagSpelling::TagKeyValue, |e| {
        let internet = run.chance(0.4);
        let address = if internet {
            run.public_ip()
        } else {
            format!("10.{}.{}.{}", block.vpc_octet, vswitch.octet, run.between(200, 250))
        };
        let https = run.compliant();
        let acl_on = run.compliant();
        let acl = if acl_on { run.ecs_id(block.region, "acl-", 21) } else { String::new() };
        let tls_policy = if run.compliant() { "tls_cipher_policy_1_2" } else { "tls_cipher_policy_1_0" };
        let health_check = if run.compliant() { "on" } else { "off" };
        let certificate = format!("{}-{region_name}", run.between(100_000_000, 999_999_999));
        let tcp_22 = run.chance(0.1);
        // (port, protocol, backend port); listeners on 443 (with 80 redirecting to it) for
        // the compliant share, plain HTTP on 80 otherwise, and now and then SSH passed through.
        let mut listeners: Vec<(u16, &str, u16)> =
            if https { vec![(443, "https", 80), (80, "http", 80)] } else { vec![(80, "http", 80)] };
        if tcp_22 {
            listeners.push((22, "tcp", 22));
        }
        e.str("LoadBalancerId", &plan.id);
        e.str("LoadBalancerName", &name);
        e.str("LoadBalancerStatus", "active");
        e.str("Address", &address);
        e.str("AddressType", if internet { "internet" } else { "intranet" });
        e.str("AddressIPVersion", "ipv4");
        e.str("NetworkType", "vpc");
        e.str("VpcId", &block.vpc_id);
        e.str("VSwitchId", &vswitch.id);
        e.str("RegionId", &region_name);
        e.str("MasterZoneId", &master_zone);
        e.str("SlaveZoneId", if run.compliant() { &other_zone } else { "" });
        e.str("LoadBalancerSpec", run.pick(&["slb.s1.small", "slb.s2.small", "slb.s2.medium", "slb.s3.medium"]));
        e.str("InternetChargeType", "paybytraffic");
        e.num("Bandwidth", 5120);
        e.str("PayType", "PayOnDemand");
        e.str("CreateTime", &dates::minutes(created_ms));
        e.str("DeleteProtection", if run.compliant() { "on" } else { "off" });
        e.str("ModificationProtectionStatus", if run.compliant() { "ConsoleProtection" } else { "NonProtection" });
        e.wrapped("ListenerPortsAndProtocol", "ListenerPortAndProtocol", |e| {
            for &(port, protocol, _) in &listeners {
                e.object(|e| {
                    e.num("ListenerPort", port);
                    e.str("ListenerProtocol", protocol);
                });
            }
        });
        e.arr("Listeners", |e| {
            for &(port, protocol, backend) in &listeners {
                e.object(|e| {
                    e.num("ListenerPort", port);
                    e.str("ListenerProtocol", protocol);
                    e.num("BackendServerPort", backend);
                    e.str("Status", "running");
                    e.str("AclStatus", if acl_on { "on" } else { "off" });
                    e.str("AclType", if acl_on { "white" } else { "" });
                    e.str("AclId", &acl);
                    e.str("Description", "");
                    match (protocol, https) {
                        ("https", _) => e.obj("HTTPSListenerConfig", |e| {
                            e.str("ServerCertificateId", &certificate);
                            e.str("TLSCipherPolicy", tls_policy);
                            e.str("HealthCheck", health_check);
                        }),
                        ("http", redirect) => e.obj("HTTPListenerConfig", |e| {
                            e.str("HealthCheck", if redirect { "off" } else { health_check });
                            e.str("ListenerForward", if redirect { "on" } else { "off" });
                            e.num("ForwardPort", if redirect { 443 } else { 0 });
                        }),
                        _ => e.obj("TCPListenerConfig", |e| {
                            e.str("HealthCheck", health_check);
                            e.str("HealthCheckType", "tcp");
                        }),
                    }
                });
            }
        });
        e.wrapped("BackendServers", "BackendServer", |e| {
            for &i in &plan.backends {
                e.object(|e| {
                    e.str("ServerId", &block.instances[i].id);
                    e.num("Weight", 100);
                    e.str("Type", "ecs");
                });
            }
        });
        e.wrapped("LogsDownloadAttributes", "LogsDownloadAttribute", |e| {
            if run.compliant() {
                e.object(|e| {
                    e.str("LogProject", &format!("slb-access-log-{region_name}"));
                    e.str("LogStore", "layer7");
                    e.str("LogType", "layer7");
                });
            }
        });
    });
}
