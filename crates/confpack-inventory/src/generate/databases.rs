//! Databases: RDS instances (DescribeDBInstanceAttribute merged with the instance's
//! network, whitelist, SSL, TDE, backup, SQL-audit and running TLS parameter settings) and Redis instances
//! (R-KVStore DescribeInstanceAttribute merged likewise).

use super::dates;
use super::emit::Emit;
use super::envelope::{Envelope, TagSpelling};
use super::plan::Block;
use super::run::{Run, Site};

/// `(Engine, EngineVersion, DBInstanceClass, DBInstanceCPU, DBInstanceMemory MiB)`.
const RDS_CLASSES: [(&str, &str, &str, &str, u32); 5] = [
    ("MySQL", "8.0", "mysql.n2.medium.2c", "2", 4096),
    ("MySQL", "8.0", "mysql.n4.large.2c", "4", 16384),
    ("MySQL", "5.7", "mysql.n2.small.2c", "1", 2048),
    ("PostgreSQL", "14.0", "pg.n2.medium.2c", "2", 4096),
    ("SQLServer", "2019_std_ha", "mssql.x4.medium.s2", "2", 8192),
];

/// `(InstanceClass, Capacity MiB)`.
const REDIS_CLASSES: [(&str, u32); 4] = [
    ("redis.master.small.default", 1024),
    ("redis.master.mid.default", 2048),
    ("redis.master.stand.default", 4096),
    ("redis.master.large.default", 8192),
];

/// Whitelist entries: the compliant ones stay inside private ranges.
fn whitelist(run: &mut Run, vpc_octet: u8) -> String {
    if run.compliant() {
        format!("10.{vpc_octet}.0.0/16,127.0.0.1")
    } else {
        run.pick(&["0.0.0.0/0", "10.0.0.0/8,0.0.0.0/0"]).to_owned()
    }
}

/// One connection address (`DBInstanceNetInfo` / `InstanceNetInfo`).
fn net_info<E: Emit>(e: &mut E, ip_type: &str, connection: &str, ip: &str, port: &str, vpc: &str, vswitch: &str) {
    e.object(|e| {
        e.str("IPType", ip_type);
        e.str("ConnectionString", connection);
        e.str("IPAddress", ip);
        e.str("Port", port);
        e.str("VPCId", vpc);
        e.str("VSwitchId", vswitch);
    });
}

/// An RDS instance in one of the block's vSwitches.
pub(super) fn rds<E: Emit>(run: &mut Run, block: &Block, r: usize, e: &mut E) {
    let plan = &block.rds[r];
    let vswitch = &block.vswitches[plan.vswitch];
    let Site { region: region_name, zone, standby_zone: other_zone } = run.site(block.region, vswitch.zone);
    let created_ms = run.creation_time();
    let name = format!("{}-db", run.pick(&["orders", "users", "billing", "inventory", "cms"]));
    let envelope = Envelope::new("ACS::RDS::DBInstance", &plan.id, &region_name, &name, created_ms)
        .vswitch(&zone, &block.vpc_id, &vswitch.id)
        .placed(run, "database");
    envelope.emit_tagged(e, TagSpelling::TagKeyValue, |e| {
        let (engine, version, class, cpu, memory) = run.pick(&RDS_CLASSES);
        let (domain, port) = match engine {
            "PostgreSQL" => ("pg.rds.aliyuncs.com", "5432"),
            "SQLServer" => ("sqlserver.rds.aliyuncs.com", "1433"),
            _ => ("mysql.rds.aliyuncs.com", "3306"),
        };
        let high_availability = run.chance(0.8);
        let multi_zone = high_availability && run.compliant();
        let prepaid = run.chance(0.3);
        let public = !run.compliant();
        let private = format!("{}.{domain}", plan.id);
        e.str("DBInstanceId", &plan.id);
        e.str("DBInstanceDescription", &name);
        e.str("Engine", engine);
        e.str("EngineVersion", version);
        e.str("DBInstanceClass", class);
        e.str("DBInstanceCPU", cpu);
        e.num("DBInstanceMemory", memory);
        e.num("DBInstanceStorage", run.pick(&[20, 100, 200, 500]));
        e.str("DBInstanceStorageType", "cloud_essd");
        e.str("Category", if high_availability { "HighAvailability" } else { "Basic" });
        e.str("DBInstanceStatus", "Running");
        e.str("DBInstanceType", "Primary");
        e.str("PayType", if prepaid { "Prepaid" } else { "Postpaid" });
        e.str("ExpireTime", &if prepaid { dates::seconds(run.days_ago(-400, 20)) } else { String::new() });
        e.str("CreationTime", &dates::seconds(created_ms));
        e.str("RegionId", &region_name);
        e.str("ZoneId", &zone);
        e.wrapped("SlaveZones", "SlaveZone", |e| {
            if multi_zone {
                e.object(|e| e.str("ZoneId", &other_zone));
            }
        });
        e.str("InstanceNetworkType", "VPC");
        e.str("VpcId", &block.vpc_id);
        e.str("VSwitchId", &vswitch.id);
        e.str("DBInstanceNetType", if public { "Internet" } else { "Intranet" });
        e.str("ConnectionString", &private);
        e.str("Port", port);
        e.wrapped("DBInstanceNetInfos", "DBInstanceNetInfo", |e| {
            let ip = format!("10.{}.{}.{}", block.vpc_octet, vswitch.octet, run.between(2, 199));
            net_info(e, "Private", &private, &ip, port, &block.vpc_id, &vswitch.id);
            if public {
                net_info(e, "Public", &format!("{}o.{domain}", plan.id), &run.public_ip(), port, "", "");
            }
        });
        e.str("SecurityIPList", &whitelist(run, block.vpc_octet));
        e.str("SecurityIPMode", "normal");
        e.str("SSLEnabled", if run.compliant() { "on" } else { "off" });
        // TDE (DescribeDBInstanceTDE): when on, the compliant share uses a key of the
        // customer's own (BYOK), the rest a key the service generates.
        let tde = run.compliant();
        e.str("TDEStatus", if tde { "Enabled" } else { "Disabled" });
        e.str(
            "TDEMode",
            match (tde, run.compliant()) {
                (false, _) => "Unknown",
                (true, true) => "Customer_Provided_Key",
                (true, false) => "Aliyun_Generate_Key",
            },
        );
        e.obj("BackupPolicy", |e| {
            let retention = if run.compliant() { run.pick(&[7, 14, 30]) } else { 7 };
            let log_backup = run.compliant();
            e.num("BackupRetentionPeriod", retention);
            e.str("PreferredBackupTime", "02:00Z-03:00Z");
            e.str("PreferredBackupPeriod", "Monday,Wednesday,Friday,Sunday");
            e.str("EnableBackupLog", if log_backup { "1" } else { "0" });
            e.num("LogBackupRetentionPeriod", if log_backup { retention } else { 0 });
        });
        e.str("SQLCollectorStatus", if run.compliant() { "Enable" } else { "Disabled" });
        // DescribeSQLCollectorRetention: one of the retention periods the API offers.
        e.obj("SQLCollectorRetention", |e| {
            e.str("ConfigValue", if run.compliant() { run.pick(&["180", "365", "1095"]) } else { "30" });
        });
        // DescribeParameters: the running TLS settings of the engine (MySQL's tls_version,
        // PostgreSQL's minimum protocol); SQL Server sets TLS outside instance parameters.
        e.wrapped("RunningParameters", "DBInstanceParameter", |e| {
            let tls = match engine {
                "MySQL" => Some((
                    "tls_version",
                    if run.compliant() { "TLSv1.2" } else { run.pick(&["TLSv1,TLSv1.1,TLSv1.2", "TLSv1.1,TLSv1.2"]) },
                )),
                "PostgreSQL" => Some(("ssl_min_protocol_version", if run.compliant() { "TLSv1.2" } else { "TLSv1" })),
                _ => None,
            };
            if let Some((name, value)) = tls {
                e.object(|e| {
                    e.str("ParameterName", name);
                    e.str("ParameterValue", value);
                });
            }
        });
        e.str("MaintainTime", "18:00Z-22:00Z");
        e.bool("DeletionProtection", run.compliant());
        e.str("GuardDBInstanceId", "");
        // Cloud disk encryption (DescribeDBInstanceEncryptionKey): the block's key when it
        // has one, otherwise the RDS service key.
        let disk_key =
            if run.compliant() { block.kms_key.clone().unwrap_or_else(|| run.uuid()) } else { String::new() };
        e.str("EncryptionKey", &disk_key);
        e.str("EncryptionKeyStatus", if disk_key.is_empty() { "" } else { "Enabled" });
    });
}

/// A Redis instance in one of the block's vSwitches.
pub(super) fn redis<E: Emit>(run: &mut Run, block: &Block, r: usize, e: &mut E) {
    let plan = &block.redis[r];
    let vswitch = &block.vswitches[plan.vswitch];
    let Site { region: region_name, zone, standby_zone: other_zone } = run.site(block.region, vswitch.zone);
    let created_ms = run.creation_time();
    let name = format!("{}-cache", run.pick(&["session", "orders", "feed", "rate-limit"]));
    let envelope = Envelope::new("ACS::Redis::DBInstance", &plan.id, &region_name, &name, created_ms)
        .vswitch(&zone, &block.vpc_id, &vswitch.id)
        .placed(run, "cache");
    envelope.emit_tagged(e, TagSpelling::KeyValue, |e| {
        let (class, capacity) = run.pick(&REDIS_CLASSES);
        let prepaid = run.chance(0.3);
        let domain = format!("{}.redis.rds.aliyuncs.com", plan.id);
        let private_ip = format!("10.{}.{}.{}", block.vpc_octet, vswitch.octet, run.between(2, 199));
        e.str("InstanceId", &plan.id);
        e.str("InstanceName", &name);
        e.str("InstanceType", "Redis");
        e.str("EngineVersion", run.pick(&["5.0", "6.0", "7.0"]));
        e.str("ArchitectureType", if run.chance(0.7) { "standard" } else { "cluster" });
        e.str("NodeType", if run.chance(0.85) { "double" } else { "single" });
        e.str("InstanceClass", class);
        e.num("Capacity", capacity);
        e.str("ChargeType", if prepaid { "PrePaid" } else { "PostPaid" });
        e.str("EndTime", &if prepaid { dates::seconds(run.days_ago(-400, 20)) } else { String::new() });
        e.str("CreateTime", &dates::seconds(created_ms));
        e.str("InstanceStatus", "Normal");
        e.str("RegionId", &region_name);
        e.str("ZoneId", &zone);
        e.str("SecondaryZoneId", if run.compliant() { &other_zone } else { "" });
        e.str("NetworkType", "VPC");
        e.str("VpcId", &block.vpc_id);
        e.str("VSwitchId", &vswitch.id);
        e.str("PrivateIp", &private_ip);
        e.str("ConnectionDomain", &domain);
        e.num("Port", 6379);
        e.wrapped("NetInfoItems", "InstanceNetInfo", |e| {
            net_info(e, "Private", &domain, &private_ip, "6379", &block.vpc_id, &vswitch.id);
            if !run.compliant() {
                net_info(
                    e,
                    "Public",
                    &format!("{}pd.redis.rds.aliyuncs.com", plan.id),
                    &run.public_ip(),
                    "6379",
                    "",
                    "",
                );
            }
        });
        e.wrapped("SecurityIpGroups", "SecurityIpGroup", |e| {
            e.object(|e| {
                e.str("SecurityIpGroupName", "default");
                e.str("SecurityIpList", &whitelist(run, block.vpc_octet));
            });
        });
        e.str("VpcAuthMode", if run.compliant() { "Open" } else { "Close" });
        e.str("SSLEnabled", if run.compliant() { "Enable" } else { "Disable" });
        e.str("TDEStatus", if run.compliant() { "Enabled" } else { "Disabled" });
        e.obj("BackupPolicy", |e| {
            e.str("PreferredBackupTime", "02:00Z-03:00Z");
            e.str("PreferredBackupPeriod", "Monday,Wednesday,Friday");
            e.num("BackupRetentionPeriod", 7);
            e.num("EnableBackupLog", i32::from(run.compliant()));
        });
        e.str("MaintainStartTime", "18:00Z");
        e.str("MaintainEndTime", "22:00Z");
        e.bool("InstanceReleaseProtection", run.compliant());
    });
}
