//! Identifiers in the vendor's shapes (`i-bp1…`, `rm-uf6…`, UUID key ids, 16-digit
//! numeric ids), unique within a run.
//!
//! Uniqueness does not rely on luck: every id embeds a run-wide counter passed through a
//! seed-keyed bijection, so two ids never share their unique part; the rest is padding
//! drawn from the RNG so the ids look like the vendor's.

use rand::Rng;
use rand::rngs::StdRng;

const BASE36: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
/// Width of the unique part of the alphanumeric ids: 36^12 ≈ 4.7e18 distinct values.
const UNIQUE_WIDTH: u32 = 12;
const UNIQUE_SPACE: u64 = 36u64.pow(UNIQUE_WIDTH);
/// The unique part of numeric ids: 15 digits after a leading non-zero digit.
const DECIMAL_SPACE: u64 = 10u64.pow(15);

/// Mints ids; one per run.
pub(super) struct IdMint {
    counter: u64,
    mul36: u64,
    add36: u64,
    mul10: u64,
    add10: u64,
}

impl IdMint {
    pub(super) fn new(rng: &mut StdRng) -> Self {
        // x ↦ (a·x + b) mod m is a bijection when a is coprime with m: for 36^k that
        // means neither even nor a multiple of 3; for 10^k, neither even nor a multiple of 5.
        let mut mul36 = rng.random_range(UNIQUE_SPACE / 3..UNIQUE_SPACE) | 1;
        while mul36 % 3 == 0 {
            mul36 += 2;
        }
        let mut mul10 = rng.random_range(DECIMAL_SPACE / 3..DECIMAL_SPACE) | 1;
        while mul10 % 5 == 0 {
            mul10 += 2;
        }
        Self {
            counter: 0,
            mul36,
            add36: rng.random_range(0..UNIQUE_SPACE),
            mul10,
            add10: rng.random_range(0..DECIMAL_SPACE),
        }
    }

    fn next_unique(&mut self, multiplier: u64, addend: u64, space: u64) -> u64 {
        self.counter += 1;
        let mixed = (u128::from(self.counter) * u128::from(multiplier) + u128::from(addend)) % u128::from(space);
        u64::try_from(mixed).expect("reduced modulo a u64")
    }

    /// `prefix` + `region_code` + lowercase alphanumerics, `body_len` characters after the
    /// prefix in all (e.g. `i-` + 20).
    pub(super) fn ecs_style(&mut self, rng: &mut StdRng, prefix: &str, region_code: &str, body_len: usize) -> String {
        let unique = self.next_unique(self.mul36, self.add36, UNIQUE_SPACE);
        let mut id = String::with_capacity(prefix.len() + body_len);
        id.push_str(prefix);
        id.push_str(region_code);
        push_base36(&mut id, unique, UNIQUE_WIDTH as usize);
        while id.len() < prefix.len() + body_len {
            id.push(char::from(BASE36[rng.random_range(0..36)]));
        }
        id
    }

    /// A short lowercase suffix, unique within the run (bucket names, policy names).
    pub(super) fn suffix(&mut self) -> String {
        let unique = self.next_unique(self.mul36, self.add36, UNIQUE_SPACE);
        let mut out = String::with_capacity(UNIQUE_WIDTH as usize);
        push_base36(&mut out, unique, UNIQUE_WIDTH as usize);
        out
    }

    /// A 16-digit numeric id (RAM user ids, account ids).
    pub(super) fn numeric(&mut self, rng: &mut StdRng) -> String {
        let unique = self.next_unique(self.mul10, self.add10, DECIMAL_SPACE);
        format!("{}{unique:015}", rng.random_range(1..10))
    }

    /// A version-4-shaped UUID (KMS key ids); the first 48 bits and 16 bits of the last
    /// group carry the unique part.
    pub(super) fn uuid(&mut self, rng: &mut StdRng) -> String {
        let unique = self.next_unique(self.mul36, self.add36, UNIQUE_SPACE);
        let random: u64 = rng.random();
        format!(
            "{:08x}-{:04x}-4{:03x}-{:x}{:03x}-{:04x}{:08x}",
            unique >> 32,
            (unique >> 16) & 0xffff,
            random & 0xfff,
            8 + ((random >> 12) & 0x3),
            (random >> 14) & 0xfff,
            unique & 0xffff,
            (random >> 26) & 0xffff_ffff,
        )
    }
}

fn push_base36(out: &mut String, mut value: u64, width: usize) {
    let mut digits = [b'0'; 13];
    for slot in digits[..width].iter_mut().rev() {
        *slot = BASE36[(value % 36) as usize];
        value /= 36;
    }
    out.extend(digits[..width].iter().map(|&b| char::from(b)));
}

/// The two or three characters the vendor puts after an id's prefix for a region
/// (`bp1` in `i-bp1…` for Hangzhou); unknown regions get a stable code of their own.
pub(super) fn region_code(region: &str) -> String {
    let known = match region {
        "cn-hangzhou" => "bp1",
        "cn-shanghai" => "uf6",
        "cn-beijing" => "2ze",
        "cn-shenzhen" => "wz9",
        "cn-qingdao" => "m5e",
        "cn-zhangjiakou" => "8vb",
        "cn-huhehaote" => "hp3",
        "cn-chengdu" => "2vc",
        "cn-hongkong" => "j6c",
        "ap-southeast-1" => "t4n",
        _ => "",
    };
    if !known.is_empty() {
        return known.to_owned();
    }
    // FNV-1a: stable across runs and platforms, unlike the std hasher.
    let hash = region.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    let mut code = String::with_capacity(3);
    push_base36(&mut code, hash % 36u64.pow(3), 3);
    code
}

/// The zones the generator places resources in for a region.
pub(super) fn zones(region: &str) -> Vec<String> {
    let letters: &[&str] = match region {
        "cn-hangzhou" => &["h", "i", "j", "k"],
        "cn-shanghai" => &["e", "f", "g", "l"],
        "cn-beijing" => &["g", "h", "i", "j"],
        "cn-shenzhen" => &["a", "c", "d", "e"],
        _ => &["a", "b", "c"],
    };
    letters.iter().map(|l| format!("{region}-{l}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use std::collections::BTreeSet;

    #[test]
    fn ids_have_the_vendor_shape_and_never_repeat() {
        let mut rng = StdRng::seed_from_u64(7);
        let mut mint = IdMint::new(&mut rng);
        let mut seen = BTreeSet::new();
        for _ in 0..20_000 {
            let id = mint.ecs_style(&mut rng, "i-", "bp1", 20);
            assert_eq!(id.len(), 22);
            assert!(id.starts_with("i-bp1"));
            assert!(seen.insert(id));
            let number = mint.numeric(&mut rng);
            assert_eq!(number.len(), 16);
            assert!(seen.insert(number));
            let uuid = mint.uuid(&mut rng);
            assert_eq!(uuid.len(), 36);
            assert_eq!(&uuid[14..15], "4");
            assert!(seen.insert(uuid));
        }
    }

    #[test]
    fn unknown_regions_get_a_stable_code() {
        assert_eq!(region_code("cn-hangzhou"), "bp1");
        assert_eq!(region_code("eu-central-1"), region_code("eu-central-1"));
        assert_eq!(region_code("eu-central-1").len(), 3);
    }
}
