//! Planning the stream in blocks. A block decides the ids and the relations of a small
//! group of resources (a VPC with its vSwitches, security groups, instances, disks, load
//! balancers and databases; or a batch of RAM identities) and queues them parents first,
//! so every id a configuration refers to has already been emitted. Only one block is held
//! at a time, which keeps memory constant however many resources are asked for.

use std::collections::VecDeque;

use super::run::{RESOURCE_GROUPS, Run};

/// The types the generator emits; an [`Item`]'s type index points into this list.
pub(super) const SUPPORTED: [&str; 17] = [
    "ACS::::Account",
    "ACS::RM::ResourceGroup",
    "ACS::OSS::Bucket",
    "ACS::ActionTrail::Trail",
    "ACS::RAM::Policy",
    "ACS::RAM::User",
    "ACS::VPC::VPC",
    "ACS::VPC::VSwitch",
    "ACS::ECS::SecurityGroup",
    "ACS::ECS::AutoSnapshotPolicy",
    "ACS::KMS::Key",
    "ACS::ECS::Instance",
    "ACS::EIP::EipAddress",
    "ACS::ECS::Disk",
    "ACS::SLB::LoadBalancer",
    "ACS::RDS::DBInstance",
    "ACS::Redis::DBInstance",
];

/// Types that only the run's prelude emits, with how many of each it emits.
pub(super) const PRELUDE_ONLY: [(&str, u64); 2] =
    [("ACS::::Account", 1), ("ACS::RM::ResourceGroup", RESOURCE_GROUPS as u64)];

/// Types a network block can emit (as indexes into [`SUPPORTED`]).
pub(super) const NETWORK_TYPES: std::ops::RangeInclusive<usize> = 2..=16;
/// Types an identity block can emit.
pub(super) const IDENTITY_TYPES: [usize; 3] = [3, 4, 5];
/// Of every 100 blocks after the prelude, how many are identity blocks.
const IDENTITY_BLOCKS_PER_100: u64 = 4;

/// One queued resource; indexes point into the current [`Block`].
#[derive(Clone, Copy, Debug)]
pub(super) enum Item {
    Account,
    ResourceGroup(usize),
    Bucket(usize),
    Trail(usize),
    RamPolicy(usize),
    RamUser(usize),
    Vpc,
    VSwitch(usize),
    SecurityGroup(usize),
    SnapshotPolicy,
    KmsKey,
    Instance(usize),
    Eip(usize),
    Disk(usize),
    LoadBalancer(usize),
    Rds(usize),
    Redis(usize),
}

impl Item {
    /// Index of the item's type in [`SUPPORTED`].
    pub(super) const fn type_index(self) -> usize {
        match self {
            Self::Account => 0,
            Self::ResourceGroup(_) => 1,
            Self::Bucket(_) => 2,
            Self::Trail(_) => 3,
            Self::RamPolicy(_) => 4,
            Self::RamUser(_) => 5,
            Self::Vpc => 6,
            Self::VSwitch(_) => 7,
            Self::SecurityGroup(_) => 8,
            Self::SnapshotPolicy => 9,
            Self::KmsKey => 10,
            Self::Instance(_) => 11,
            Self::Eip(_) => 12,
            Self::Disk(_) => 13,
            Self::LoadBalancer(_) => 14,
            Self::Rds(_) => 15,
            Self::Redis(_) => 16,
        }
    }
}

/// A vSwitch: its zone (index into the region's zones) and the third octet of its /24.
pub(super) struct VSwitchPlan {
    pub id: String,
    pub zone: usize,
    pub octet: u8,
}

/// An instance and what it is attached to.
pub(super) struct InstancePlan {
    pub id: String,
    pub vswitch: usize,
    pub security_groups: Vec<usize>,
    /// Index into the block's EIPs when one is bound.
    pub eip: Option<usize>,
    /// A directly assigned public IP (classic "public IP", not an EIP).
    pub public_ip: Option<String>,
    pub host: u8,
    pub prepaid: bool,
    pub created_ms: i64,
    pub app: &'static str,
}

/// A disk; `instance` is `None` for an idle disk.
pub(super) struct DiskPlan {
    pub id: String,
    pub instance: Option<usize>,
    pub system: bool,
    /// 0 for `/dev/xvda`, 1 for `/dev/xvdb`, …
    pub device: u8,
    pub zone: usize,
}

/// An EIP; `instance` is `None` for an unbound one.
pub(super) struct EipPlan {
    pub id: String,
    pub ip: String,
    pub instance: Option<usize>,
}

/// A load balancer and the instances behind it.
pub(super) struct LoadBalancerPlan {
    pub id: String,
    pub vswitch: usize,
    pub backends: Vec<usize>,
}

/// A database instance in one of the block's vSwitches.
pub(super) struct DatabasePlan {
    pub id: String,
    pub vswitch: usize,
}

/// The resources being emitted; cleared and reused for each block.
#[derive(Default)]
pub(super) struct Block {
    pub region: usize,
    pub vpc_id: String,
    pub vpc_octet: u8,
    pub vswitches: Vec<VSwitchPlan>,
    pub security_groups: Vec<String>,
    pub snapshot_policy: String,
    pub kms_key: Option<String>,
    pub instances: Vec<InstancePlan>,
    pub eips: Vec<EipPlan>,
    pub disks: Vec<DiskPlan>,
    pub load_balancers: Vec<LoadBalancerPlan>,
    pub rds: Vec<DatabasePlan>,
    pub redis: Vec<DatabasePlan>,
    pub buckets: Vec<String>,
    pub trails: Vec<String>,
    pub users: Vec<String>,
    pub policies: Vec<String>,
    pub queue: VecDeque<Item>,
    /// Blocks planned so far; 0 means the prelude is next.
    pub planned: u64,
}

/// Which block kinds may be planned: a kind is skipped when none of its types is wanted.
#[derive(Clone, Copy)]
pub(super) struct KindFilter {
    pub network: bool,
    pub identity: bool,
}

const APPS: [&str; 8] = ["web", "api", "worker", "batch", "gateway", "etl", "search", "jump"];

impl Block {
    /// Plans the next block into the (empty) queue.
    pub(super) fn plan_next(&mut self, run: &mut Run, kinds: KindFilter) {
        self.clear();
        let planned = self.planned;
        self.planned += 1;
        if planned == 0 {
            self.plan_prelude(run);
            return;
        }
        let identity = match (kinds.network, kinds.identity) {
            (true, true) => run.between(1, 100) <= IDENTITY_BLOCKS_PER_100,
            (false, true) => true,
            _ => false,
        };
        if identity { self.plan_identity(run, false) } else { self.plan_network(run) }
    }

    fn clear(&mut self) {
        self.vswitches.clear();
        self.security_groups.clear();
        self.kms_key = None;
        self.instances.clear();
        self.eips.clear();
        self.disks.clear();
        self.load_balancers.clear();
        self.rds.clear();
        self.redis.clear();
        self.buckets.clear();
        self.trails.clear();
        self.users.clear();
        self.policies.clear();
        self.queue.clear();
    }

    /// The account, its resource groups, the audit bucket with one or two trails writing
    /// to it, and a first batch of RAM identities.
    fn plan_prelude(&mut self, run: &mut Run) {
        self.region = 0;
        self.queue.push_back(Item::Account);
        self.queue.extend((0..RESOURCE_GROUPS).map(Item::ResourceGroup));
        self.buckets.push(run.audit_bucket.clone());
        self.queue.push_back(Item::Bucket(0));
        let trails = run.between(1, 2);
        for n in 0..trails {
            self.trails.push(if n == 0 { "account-trail".to_owned() } else { format!("trail-{}", run.ids.suffix()) });
            self.queue.push_back(Item::Trail(self.trails.len() - 1));
        }
        self.plan_identity(run, true);
    }

    /// RAM policies and users, now and then another trail.
    fn plan_identity(&mut self, run: &mut Run, in_prelude: bool) {
        if !in_prelude {
            self.region = pick_region(run);
        }
        for _ in 0..run.between(1, 3) {
            let purpose = run.pick(&["ReadOnly", "Deploy", "Ops", "Audit", "DataAccess", "Admin"]);
            self.policies.push(format!("{purpose}Policy-{}", run.ids.suffix()));
            self.queue.push_back(Item::RamPolicy(self.policies.len() - 1));
        }
        for _ in 0..run.between(3, 8) {
            let who =
                run.pick(&["alice", "bob", "carol", "dave", "erin", "frank", "ci-deployer", "backup-bot", "grafana"]);
            self.users.push(format!("{who}-{}", run.ids.suffix()));
            self.queue.push_back(Item::RamUser(self.users.len() - 1));
        }
        // The audit bucket is in the prelude, so later trails still find their bucket.
        if !in_prelude && run.chance(0.1) {
            self.trails.push(format!("trail-{}", run.ids.suffix()));
            self.queue.push_back(Item::Trail(self.trails.len() - 1));
        }
    }

    /// A VPC and everything in it, then the region's buckets.
    fn plan_network(&mut self, run: &mut Run) {
        self.region = pick_region(run);
        let zone_count = run.regions[self.region].zones.len();
        self.vpc_id = run.ecs_id(self.region, "vpc-", 21);
        self.vpc_octet = u8::try_from(self.planned % 256).expect("reduced modulo 256");
        self.queue.push_back(Item::Vpc);

        let first_zone = usize::try_from(run.between(0, zone_count as u64 - 1)).expect("small");
        for n in 0..run.between(2, 3) {
            let n = usize::try_from(n).expect("small");
            let id = run.ecs_id(self.region, "vsw-", 21);
            self.vswitches.push(VSwitchPlan {
                id,
                zone: (first_zone + n) % zone_count,
                octet: u8::try_from(n).expect("small") * 16 + 1,
            });
            self.queue.push_back(Item::VSwitch(n));
        }
        for n in 0..run.between(2, 4) {
            let id = run.ecs_id(self.region, "sg-", 20);
            self.security_groups.push(id);
            self.queue.push_back(Item::SecurityGroup(usize::try_from(n).expect("small")));
        }
        self.snapshot_policy = run.ecs_id(self.region, "sp-", 20);
        self.queue.push_back(Item::SnapshotPolicy);
        if run.chance(0.5) {
            self.kms_key = Some(run.uuid());
            self.queue.push_back(Item::KmsKey);
        }

        self.plan_instances(run);
        if run.chance(0.35) {
            let zone = self.vswitches[0].zone;
            self.push_disk(run, None, false, 1, zone);
        }
        if run.chance(0.25) {
            let id = run.ecs_id(self.region, "eip-", 21);
            self.eips.push(EipPlan { id, ip: run.public_ip(), instance: None });
            self.queue.push_back(Item::Eip(self.eips.len() - 1));
        }
        self.plan_services(run);
    }

    /// Instances, each followed by its EIP (if any) and its disks.
    fn plan_instances(&mut self, run: &mut Run) {
        for i in 0..usize::try_from(run.between(6, 16)).expect("small") {
            let vswitch = usize::try_from(run.between(0, self.vswitches.len() as u64 - 1)).expect("small");
            let first_sg = usize::try_from(run.between(0, self.security_groups.len() as u64 - 1)).expect("small");
            let mut security_groups = vec![first_sg];
            if run.chance(0.3) {
                security_groups.push((first_sg + 1) % self.security_groups.len());
            }
            // About 30% of instances are reachable from the internet: half through an EIP,
            // half through a directly assigned public IP.
            let exposure = run.between(1, 100);
            let eip = (exposure <= 15).then(|| {
                let id = run.ecs_id(self.region, "eip-", 21);
                self.eips.push(EipPlan { id, ip: run.public_ip(), instance: Some(i) });
                self.eips.len() - 1
            });
            let public_ip = (15 < exposure && exposure <= 30).then(|| run.public_ip());
            let id = run.ecs_id(self.region, "i-", 20);
            let created_ms = run.creation_time();
            self.instances.push(InstancePlan {
                id,
                vswitch,
                security_groups,
                eip,
                public_ip,
                host: u8::try_from(run.between(2, 254)).expect("small"),
                prepaid: run.chance(0.2),
                created_ms,
                app: run.pick(&APPS),
            });
            self.queue.push_back(Item::Instance(i));
            if let Some(e) = eip {
                self.queue.push_back(Item::Eip(e));
            }
            let zone = self.vswitches[vswitch].zone;
            self.push_disk(run, Some(i), true, 0, zone);
            for device in 1..=run.between(0, 2) {
                self.push_disk(run, Some(i), false, u8::try_from(device).expect("small"), zone);
            }
        }
    }

    fn push_disk(&mut self, run: &mut Run, instance: Option<usize>, system: bool, device: u8, zone: usize) {
        let id = run.ecs_id(self.region, "d-", 20);
        self.disks.push(DiskPlan { id, instance, system, device, zone });
        self.queue.push_back(Item::Disk(self.disks.len() - 1));
    }

    /// Load balancers over the block's instances, databases, and the region's buckets.
    fn plan_services(&mut self, run: &mut Run) {
        let balancers = match run.between(1, 10) {
            1..=4 => 0,
            5..=8 => 1,
            _ => 2,
        };
        for n in 0..balancers {
            let id = run.ecs_id(self.region, "lb-", 21);
            let count = run.between(2, 4).min(self.instances.len() as u64);
            let start = usize::try_from(run.between(0, self.instances.len() as u64 - 1)).expect("small");
            let backends =
                (0..usize::try_from(count).expect("small")).map(|k| (start + k) % self.instances.len()).collect();
            let vswitch = n % self.vswitches.len();
            self.load_balancers.push(LoadBalancerPlan { id, vswitch, backends });
            self.queue.push_back(Item::LoadBalancer(n));
        }
        if run.chance(0.5) {
            let id = run.ecs_id(self.region, "rm-", 20);
            self.rds.push(DatabasePlan { id, vswitch: 0 });
            self.queue.push_back(Item::Rds(0));
        }
        if run.chance(0.4) {
            let id = run.ecs_id(self.region, "r-", 18);
            self.redis.push(DatabasePlan { id, vswitch: self.vswitches.len() - 1 });
            self.queue.push_back(Item::Redis(0));
        }
        for _ in 0..run.between(1, 2) {
            let purpose = run.pick(&["assets", "backup", "logs", "data", "static", "uploads"]);
            let app = run.pick(&APPS);
            self.buckets.push(format!("{app}-{purpose}-{}", run.ids.suffix()));
            self.queue.push_back(Item::Bucket(self.buckets.len() - 1));
        }
    }
}

/// Regions weighted towards the first: `n` for the first of `n`, … 1 for the last.
fn pick_region(run: &mut Run) -> usize {
    let n = run.regions.len() as u64;
    let mut ticket = run.between(1, n * (n + 1) / 2);
    for index in 0..n {
        let weight = n - index;
        if ticket <= weight {
            return usize::try_from(index).expect("few regions");
        }
        ticket -= weight;
    }
    0
}
