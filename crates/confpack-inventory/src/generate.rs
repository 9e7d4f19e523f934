//! The synthetic inventory generator behind `confpack generate`: a seeded, streaming
//! source of resources in the ingestion shape (`ResourceId`, `ResourceType`, `Region`, …,
//! `Configuration`), shaped like one real account.
//!
//! - **Related resources are consistent.** The stream is planned in blocks (a VPC with
//!   its vSwitches, security groups, instances, disks, EIPs, load balancers, databases and
//!   buckets; or a batch of RAM identities), parents first, so an instance's VPC,
//!   vSwitch, security groups and snapshot policy, a disk's instance and KMS key, a load
//!   balancer's backends and a trail's bucket all come earlier in the same stream. An
//!   instance's EIP is the item right after the instance.
//! - **A controlled mix.** Each compliance-relevant property (OSS ACL, encryption,
//!   logging, versioning and bucket policy; 0.0.0.0/0 on 22/3389; public IPs; deletion
//!   protection; the Security Center agent; disk encryption; database whitelists, SSL,
//!   TDE, disk encryption and backups; MFA, AccessKey age, group membership and directly
//!   attached policies; key rotation; trail coverage; …) passes for about 70% of
//!   resources, independently.
//! - **Reproducible.** Output depends only on the options: a seeded `StdRng`, ordered
//!   maps, no clock. Times are laid out before [`REFERENCE_TIME_MS`].
//! - **Streaming.** One block (tens of resources) is held at a time, so memory stays
//!   constant.
//! - **Two outputs, one description.** The [`Iterator`] yields `serde_json::Value`s;
//!   [`Generator::write_ndjson`] writes the same items as NDJSON text without building
//!   them, byte for byte what serialising the values gives. For big runs use the writer:
//!   on the 2-core development box (release build, one thread, other builds running) it
//!   produced about 440,000 resources/s, against about 70,000/s for the iterator followed
//!   by `serde_json::to_writer`, whose cost is mostly the hundred-odd small allocations of
//!   each `Value` (see the ignored `throughput` test).

mod compute;
mod databases;
mod dates;
mod emit;
mod envelope;
mod identity;
mod ids;
mod network;
mod plan;
mod run;
mod storage;
#[cfg(test)]
mod tests;

use std::io::{self, Write};

use serde_json::Value;

pub use run::REFERENCE_TIME_MS;

use emit::{Emit, JsonWriter, ValueBuilder};
use plan::{Block, IDENTITY_TYPES, Item, KindFilter, NETWORK_TYPES, PRELUDE_ONLY, SUPPORTED};
use run::Run;

/// What to generate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneratorOptions {
    /// Exactly how many resources to yield.
    pub resources: u64,
    /// The RNG seed; the same seed and options give byte-identical output.
    pub seed: u64,
    /// Only these resource types (each one of [`Generator::supported_types`]); `None`
    /// gives the account's natural mix.
    pub types: Option<Vec<String>>,
    /// The account's regions; resources favour the first ones.
    pub account_regions: Vec<String>,
}

impl Default for GeneratorOptions {
    fn default() -> Self {
        Self {
            resources: 1000,
            seed: 0,
            types: None,
            account_regions: ["cn-hangzhou", "cn-shanghai", "cn-beijing", "cn-shenzhen"].map(String::from).to_vec(),
        }
    }
}

/// Why the options were refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GenerateError {
    /// The type is not a registered resource type.
    #[error("unknown resource type {0:?}; the generator supports: {list}", list = SUPPORTED.join(", "))]
    UnknownType(String),
    /// The type is registered but the generator does not produce it.
    #[error("resource type {0:?} is not generated; the generator supports: {list}", list = SUPPORTED.join(", "))]
    UnsupportedType(String),
    /// `types` was given but empty.
    #[error("the list of resource types is empty")]
    NoTypes,
    /// The selected types exist only once per account (the account, its resource groups)
    /// and cannot fill the requested count.
    #[error("{types} occur at most {limit} times in an account; {requested} resources were asked for")]
    TooFewPossible {
        /// The selected types.
        types: String,
        /// How many resources of them one account has.
        limit: u64,
        /// The requested count.
        requested: u64,
    },
    /// No regions were given, or a region name is not of the form `cn-hangzhou`.
    #[error("invalid account regions {0:?}: give one or more region ids such as cn-hangzhou")]
    BadRegions(Vec<String>),
}

/// The generator: an iterator over exactly `resources` items.
pub struct Generator {
    run: Run,
    block: Block,
    /// Bit `i` set when `SUPPORTED[i]` is wanted.
    wanted: u32,
    kinds: KindFilter,
    remaining: u64,
}

impl Generator {
    /// Checks the options and prepares the run.
    pub fn new(options: GeneratorOptions) -> Result<Self, GenerateError> {
        let regions_ok = !options.account_regions.is_empty()
            && options.account_regions.iter().all(|r| {
                !r.is_empty()
                    && r.len() <= 64
                    && r.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            });
        if !regions_ok {
            return Err(GenerateError::BadRegions(options.account_regions));
        }
        let wanted = match &options.types {
            None => (1u32 << SUPPORTED.len()) - 1,
            Some(types) if types.is_empty() => return Err(GenerateError::NoTypes),
            Some(types) => {
                types.iter().try_fold(0u32, |bits, name| match SUPPORTED.iter().position(|s| s == name) {
                    Some(index) => Ok(bits | 1 << index),
                    None if crate::registry::registry().get(name).is_some() => {
                        Err(GenerateError::UnsupportedType(name.clone()))
                    }
                    None => Err(GenerateError::UnknownType(name.clone())),
                })?
            }
        };
        let kinds = KindFilter {
            network: NETWORK_TYPES.into_iter().any(|i| wanted & 1 << i != 0),
            identity: IDENTITY_TYPES.iter().any(|&i| wanted & 1 << i != 0),
        };
        if !kinds.network && !kinds.identity {
            let selected: Vec<&(&str, u64)> =
                PRELUDE_ONLY.iter().filter(|(name, _)| wanted & 1 << type_index(name) != 0).collect();
            let limit = selected.iter().map(|(_, count)| count).sum();
            if options.resources > limit {
                let types = selected.iter().map(|(name, _)| *name).collect::<Vec<_>>().join(" and ");
                return Err(GenerateError::TooFewPossible { types, limit, requested: options.resources });
            }
        }
        Ok(Self {
            run: Run::new(options.seed, &options.account_regions),
            block: Block::default(),
            wanted,
            kinds,
            remaining: options.resources,
        })
    }

    /// The types it can generate.
    pub fn supported_types() -> &'static [&'static str] {
        &SUPPORTED
    }

    /// Writes the next resource as one line of NDJSON (compact JSON and `\n`) to `out`;
    /// false once all resources have been written. The bytes are exactly those of
    /// serialising the item the iterator would have yielded with `serde_json`, but
    /// several times faster, since no `Value` is built: this is the path for large runs.
    pub fn write_next(&mut self, out: &mut Vec<u8>) -> bool {
        let Some(item) = self.next_item() else { return false };
        self.build(item, &mut JsonWriter::new(out));
        out.push(b'\n');
        true
    }

    /// Writes every remaining resource as NDJSON to `out`, returning how many.
    pub fn write_ndjson<W: Write>(&mut self, mut out: W) -> io::Result<u64> {
        let mut buffer = Vec::with_capacity(1 << 16);
        let mut written = 0;
        while self.write_next(&mut buffer) {
            written += 1;
            if buffer.len() >= 1 << 15 {
                out.write_all(&buffer)?;
                buffer.clear();
            }
        }
        out.write_all(&buffer)?;
        out.flush()?;
        Ok(written)
    }

    /// The next wanted item of the plan, counted against the total.
    fn next_item(&mut self) -> Option<Item> {
        if self.remaining == 0 {
            return None;
        }
        loop {
            let Some(item) = self.block.queue.pop_front() else {
                self.block.plan_next(&mut self.run, self.kinds);
                continue;
            };
            if self.wanted & 1 << item.type_index() != 0 {
                self.remaining -= 1;
                return Some(item);
            }
        }
    }

    fn build<E: Emit>(&mut self, item: Item, e: &mut E) {
        let (run, block) = (&mut self.run, &self.block);
        match item {
            Item::Account => identity::account(run, e),
            Item::ResourceGroup(g) => identity::resource_group(run, g, e),
            Item::Bucket(b) => storage::bucket(run, block, b, e),
            Item::Trail(t) => identity::trail(run, block, t, e),
            Item::RamPolicy(p) => identity::ram_policy(run, block, p, e),
            Item::RamUser(u) => identity::ram_user(run, block, u, e),
            Item::Vpc => network::vpc(run, block, e),
            Item::VSwitch(v) => network::vswitch(run, block, v, e),
            Item::SecurityGroup(s) => compute::security_group(run, block, s, e),
            Item::SnapshotPolicy => compute::snapshot_policy(run, block, e),
            Item::KmsKey => storage::kms_key(run, block, e),
            Item::Instance(i) => {
                // The EIP is queued right after its instance: it follows in the output when
                // it is wanted and the run does not end here.
                let eip_follows = self.wanted & 1 << Item::Eip(0).type_index() != 0 && self.remaining > 0;
                compute::instance(run, block, i, eip_follows, e);
            }
            Item::Eip(i) => network::eip(run, block, i, e),
            Item::Disk(d) => compute::disk(run, block, d, e),
            Item::LoadBalancer(l) => network::load_balancer(run, block, l, e),
            Item::Rds(r) => databases::rds(run, block, r, e),
            Item::Redis(r) => databases::redis(run, block, r, e),
        }
    }
}

fn type_index(name: &str) -> usize {
    SUPPORTED.iter().position(|s| *s == name).expect("a supported type")
}

impl Iterator for Generator {
    type Item = Value;

    fn next(&mut self) -> Option<Value> {
        let item = self.next_item()?;
        let mut builder = ValueBuilder::default();
        self.build(item, &mut builder);
        Some(builder.finish())
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let remaining = usize::try_from(self.remaining).unwrap_or(usize::MAX);
        (remaining, Some(remaining))
    }
}

impl std::iter::FusedIterator for Generator {}
