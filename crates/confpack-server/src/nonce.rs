//! Replay protection: every `(AccessKeyId, SignatureNonce)` pair is remembered until the
//! request's own timestamp leaves the ±15-minute window, so a replay is refused for as
//! long as its signature would otherwise be accepted.
//!
//! Entries are 64-bit keyed hashes (SipHash with a per-process random key) rather than
//! strings, to keep memory small at tens of thousands of requests per second. The state
//! is per process: nodes sharing a PostgreSQL store each keep their own.

use std::collections::HashMap;
use std::collections::hash_map::{Entry, RandomState};
use std::hash::BuildHasher;
use std::sync::Mutex;

use confpack_protocol::request::TIMESTAMP_WINDOW_SECONDS;

const SHARDS: usize = 16;

pub(crate) struct NonceCache {
    hasher: RandomState,
    /// hash → unix second after which the nonce may be forgotten.
    shards: Vec<Mutex<HashMap<u64, i64>>>,
}

impl NonceCache {
    pub(crate) fn new() -> Self {
        Self { hasher: RandomState::new(), shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect() }
    }

    /// Records the nonce; false if it was already seen within its window.
    pub(crate) fn first_use(&self, key_id: &str, nonce: &str, signed_at_unix: i64, now_unix: i64) -> bool {
        let hash = self.hasher.hash_one((key_id, nonce));
        let forget_after = signed_at_unix.max(now_unix) + TIMESTAMP_WINDOW_SECONDS;
        let mut shard = self.shards[(hash as usize) % SHARDS].lock().unwrap_or_else(|p| p.into_inner());
        match shard.entry(hash) {
            Entry::Occupied(mut seen) if *seen.get() < now_unix => {
                seen.insert(forget_after);
                true
            }
            Entry::Occupied(_) => false,
            Entry::Vacant(slot) => {
                slot.insert(forget_after);
                true
            }
        }
    }

    pub(crate) fn purge_expired(&self) {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        for shard in &self.shards {
            shard.lock().unwrap_or_else(|p| p.into_inner()).retain(|_, forget_after| *forget_after >= now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nonce_is_refused_within_its_window_only() {
        let cache = NonceCache::new();
        assert!(cache.first_use("k", "n1", 1000, 1000));
        assert!(!cache.first_use("k", "n1", 1000, 1000 + TIMESTAMP_WINDOW_SECONDS));
        assert!(cache.first_use("other-key", "n1", 1000, 1000));
        assert!(cache.first_use("k", "n1", 1000, 1001 + TIMESTAMP_WINDOW_SECONDS));
    }
}
