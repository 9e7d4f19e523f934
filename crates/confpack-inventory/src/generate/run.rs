//! State shared by a whole run: the seeded RNG, the id mint, the account's regions and
//! resource groups.

use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

use super::envelope::Tags;
use super::ids::{IdMint, region_code, zones};

/// Share of resources that pass each compliance-relevant property.
pub(super) const COMPLIANT: f64 = 0.7;

/// The instant the generated account is "as of", epoch milliseconds (2026-11-01T00:00:00Z).
/// Creation times fall before it; "recent" AccessKeys are younger than 90 days at it.
pub const REFERENCE_TIME_MS: i64 = 1_793_491_200_000;
/// Resources are created within this many days before [`REFERENCE_TIME_MS`].
const HISTORY_DAYS: i64 = 5 * 365;
const DAY_MS: i64 = 86_400_000;

/// How many resource groups every run has.
pub(super) const RESOURCE_GROUPS: usize = 4;

/// One region of the account.
pub(super) struct Region {
    pub name: String,
    pub code: String,
    pub zones: Vec<String>,
}

/// Where a multi-zone service sits, owned so that the run is free to be borrowed mutably
/// while the item is built.
pub(super) struct Site {
    /// The region's name.
    pub region: String,
    /// The primary zone.
    pub zone: String,
    /// The next zone round the region's list, where the service keeps its standby.
    pub standby_zone: String,
}

/// Run-wide state.
pub(super) struct Run {
    pub rng: StdRng,
    pub ids: IdMint,
    pub account_id: String,
    pub regions: Vec<Region>,
    /// `(id, name)`; the first is the account's default group.
    pub resource_groups: Vec<(String, &'static str)>,
    /// Where ActionTrail delivers (planned in the prelude, region 0).
    pub audit_bucket: String,
}

impl Run {
    pub(super) fn new(seed: u64, regions: &[String]) -> Self {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut ids = IdMint::new(&mut rng);
        let account_id = ids.numeric(&mut rng);
        let regions = regions
            .iter()
            .map(|name| Region { code: region_code(name), zones: zones(name), name: name.clone() })
            .collect();
        let resource_groups = ["default", "prod", "staging", "shared-services"]
            .into_iter()
            .map(|name| (ids.ecs_style(&mut rng, "rg-", "acfm", 16), name))
            .collect();
        let audit_bucket = format!("actiontrail-audit-{}", ids.suffix());
        Self { rng, ids, account_id, regions, resource_groups, audit_bucket }
    }

    /// The site of a multi-zone service in zone `zone` of region `region`.
    pub(super) fn site(&self, region: usize, zone: usize) -> Site {
        let Region { name, zones, .. } = &self.regions[region];
        Site { region: name.clone(), zone: zones[zone].clone(), standby_zone: zones[(zone + 1) % zones.len()].clone() }
    }

    /// True with probability `p`.
    pub(super) fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p)
    }

    /// True for the compliant share of a property.
    pub(super) fn compliant(&mut self) -> bool {
        self.rng.random_bool(COMPLIANT)
    }

    /// One of `items` (non-empty).
    pub(super) fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        *items.choose(&mut self.rng).expect("pick from a non-empty list")
    }

    /// A number in `low..=high`.
    pub(super) fn between(&mut self, low: u64, high: u64) -> u64 {
        self.rng.random_range(low..=high)
    }

    /// A creation time within the account's history.
    pub(super) fn creation_time(&mut self) -> i64 {
        REFERENCE_TIME_MS - self.rng.random_range(30 * DAY_MS..HISTORY_DAYS * DAY_MS)
    }

    /// Some time between `after` and the reference instant.
    pub(super) fn time_after(&mut self, after: i64) -> i64 {
        if after >= REFERENCE_TIME_MS - 60_000 {
            return after;
        }
        self.rng.random_range(after..REFERENCE_TIME_MS)
    }

    /// A time `min_days..max_days` before the reference instant.
    pub(super) fn days_ago(&mut self, min_days: i64, max_days: i64) -> i64 {
        REFERENCE_TIME_MS - self.rng.random_range(min_days * DAY_MS..max_days * DAY_MS)
    }

    /// A resource group id, most resources in the default or prod group.
    pub(super) fn resource_group(&mut self) -> String {
        let index = *[0usize, 0, 1, 1, 1, 2, 3].choose(&mut self.rng).expect("non-empty");
        self.resource_groups[index].0.clone()
    }

    /// Tags for a resource of `app`; about one resource in five carries none, which the
    /// required-tags rule flags.
    pub(super) fn tags(&mut self, app: &'static str) -> Tags {
        if self.chance(0.2) {
            return Tags::NONE;
        }
        let env = self.pick(&["prod", "prod", "staging", "dev", "test"]);
        let owner = self.pick(&["team-platform", "team-data", "team-web", "team-security"]);
        let mut tags = vec![("app", app), ("env", env), ("owner", owner)];
        if self.chance(0.5) {
            tags.push(("cost-center", self.pick(&["cc-1001", "cc-1002", "cc-2001"])));
        }
        Tags(tags)
    }

    /// An ECS-style id (`prefix`, the code of region `region`, then unique and random
    /// characters: `body_len` after the prefix in all).
    pub(super) fn ecs_id(&mut self, region: usize, prefix: &str, body_len: usize) -> String {
        // Split the borrow: the mint needs the RNG while the region's code is read.
        let Self { ids, rng, regions, .. } = self;
        ids.ecs_style(rng, prefix, &regions[region].code, body_len)
    }

    /// A 16-digit numeric id, unique within the run.
    pub(super) fn numeric_id(&mut self) -> String {
        self.ids.numeric(&mut self.rng)
    }

    /// A UUID-shaped id, unique within the run.
    pub(super) fn uuid(&mut self) -> String {
        self.ids.uuid(&mut self.rng)
    }

    /// A public IPv4 address from Alibaba-looking ranges.
    pub(super) fn public_ip(&mut self) -> String {
        let first = self.pick(&[47u8, 39, 120, 121, 101, 8]);
        let [a, b, c] =
            [self.rng.random_range(0..=255u8), self.rng.random_range(0..=255u8), self.rng.random_range(1..=254u8)];
        format!("{first}.{a}.{b}.{c}")
    }
}
