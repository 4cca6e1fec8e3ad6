//! Estimated waits: people ahead times the recent average service time, shared among the desks
//! that serve the service. Deliberately simple, so a visitor and an officer can check it.

use serde::Serialize;
use std::collections::VecDeque;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Estimate {
    pub ahead: usize,
    pub wait_secs: u64,
}

/// The average of the recent service times, or the default when none was measured today.
pub(super) fn average_secs(recent: Option<&VecDeque<u32>>, default_secs: u32) -> u64 {
    match recent {
        Some(r) if !r.is_empty() => r.iter().map(|&s| s as u64).sum::<u64>() / r.len() as u64,
        _ => default_secs as u64,
    }
}

/// `ahead` people served by `desks` desks in parallel, each taking `average` seconds.
pub(super) fn wait_secs(ahead: usize, desks: usize, average: u64) -> u64 {
    (ahead as u64 * average).div_ceil(desks.max(1) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wait_is_shared_among_desks_and_uses_the_default_until_measured() {
        assert_eq!(average_secs(None, 600), 600);
        assert_eq!(average_secs(Some(&VecDeque::from([100, 200])), 600), 150);
        assert_eq!(wait_secs(0, 2, 600), 0);
        assert_eq!(wait_secs(3, 2, 100), 150);
        assert_eq!(wait_secs(3, 0, 100), 300);
    }
}
