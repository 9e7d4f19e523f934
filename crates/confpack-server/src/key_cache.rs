//! A short-lived cache of AccessKey lookups, so that authenticating a request does not
//! cost a store round trip each time. Entries live for a configured TTL (1 s by default),
//! which bounds how long a deleted key or disabled account keeps working.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use confpack_model::{AccessKey, AccessKeyId, AccountStatus};

/// What the store said about a key id: the key and its account's status, or nothing.
pub(crate) type KeyLookup = Option<(AccessKey, AccountStatus)>;

/// Cached lookups, including misses (so unknown ids cannot hammer the store).
pub(crate) struct KeyCache {
    ttl: Duration,
    entries: Mutex<HashMap<AccessKeyId, (Instant, KeyLookup)>>,
}

/// Past this many entries the cache is cleared rather than grown.
const MAX_ENTRIES: usize = 100_000;

impl KeyCache {
    pub(crate) fn new(ttl: Duration) -> Self {
        Self { ttl, entries: Mutex::new(HashMap::new()) }
    }

    /// A fresh cached lookup: `Some(None)` is a cached miss, `None` means ask the store.
    pub(crate) fn get(&self, id: &AccessKeyId) -> Option<KeyLookup> {
        let entries = self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        entries.get(id).filter(|(at, _)| at.elapsed() < self.ttl).map(|(_, value)| value.clone())
    }

    pub(crate) fn put(&self, id: AccessKeyId, value: KeyLookup) {
        if self.ttl.is_zero() {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(id, (Instant::now(), value));
    }
}
