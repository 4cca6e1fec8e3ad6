//! Sliding-window rate limits: at most `limit` events per key in `window` (login attempts per
//! client address; tickets from the kiosk socket, one key for all).

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct RateWindow<K> {
    limit: usize,
    window: Duration,
    events: Mutex<HashMap<K, VecDeque<Instant>>>,
}

impl<K: Eq + Hash + Clone> RateWindow<K> {
    pub fn new(limit: usize, window: Duration) -> RateWindow<K> {
        RateWindow {
            limit,
            window,
            events: Mutex::new(HashMap::new()),
        }
    }

    /// Counts an event for `key` at `now`; false if the key has used up its window.
    pub fn allow_at(&self, key: K, now: Instant) -> bool {
        let Ok(mut events) = self.events.lock() else {
            return false;
        };
        let window = self.window;
        events.retain(|_, times| {
            times
                .back()
                .is_some_and(|t| now.duration_since(*t) < window)
        });
        let times = events.entry(key).or_default();
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= window)
        {
            times.pop_front();
        }
        if times.len() >= self.limit {
            return false;
        }
        times.push_back(now);
        true
    }

    pub fn allow(&self, key: K) -> bool {
        self.allow_at(key, Instant::now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_key_has_its_window() {
        let rate = RateWindow::new(3, Duration::from_secs(60));
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(rate.allow_at("a", t0));
        }
        assert!(!rate.allow_at("a", t0 + Duration::from_secs(1)));
        assert!(rate.allow_at("b", t0 + Duration::from_secs(1)));
        assert!(rate.allow_at("a", t0 + Duration::from_secs(61)));
    }
}
