//! Per-AccessKey flow control: a token bucket refilled at the configured rate, with one
//! second's worth of burst. Exceeding it answers `Throttling.User`.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

pub(crate) struct Throttle {
    rate: f64,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl Throttle {
    /// `rate` requests per second per key; 0 disables throttling.
    pub(crate) fn new(rate: u32) -> Self {
        Self { rate: f64::from(rate), buckets: Mutex::new(HashMap::new()) }
    }

    /// Takes a token for `key`; false when the bucket is empty.
    pub(crate) fn admit(&self, key: &str) -> bool {
        if self.rate <= 0.0 {
            return true;
        }
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let (tokens, last) = buckets.entry(key.to_owned()).or_insert((self.rate, now));
        *tokens = (*tokens + now.duration_since(*last).as_secs_f64() * self.rate).min(self.rate);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_beyond_the_rate_is_refused() {
        let throttle = Throttle::new(5);
        let admitted = (0..20).filter(|_| throttle.admit("k")).count();
        assert!((5..=6).contains(&admitted), "admitted {admitted}");
        assert!(throttle.admit("another-key"));
        assert!((0..1000).all(|_| Throttle::new(0).admit("k")));
    }
}
